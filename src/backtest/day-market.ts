/**
 * The market of a historical day, built from that day's data only and the SHAPE of one real snapshot (see
 * docs/methodology.md "Backtesting"):
 *
 * - time: the day-t market is the snapshot moved by whole days, stamped at the snapshot's time of day on day t, so
 *   an instrument rolled to the same time to expiry keeps a Deribit 08:00 UTC expiry (the prices are day t's close;
 *   the stamp only fixes times to expiry, which are exactly the snapshot's);
 * - index of each currency: the close of day t in the history (a USD stablecoin without history stays at 1);
 * - forwards and futures: index(t) × the snapshot's basis ratio F₀(τ)/S₀ at the same time to expiry τ (`snapshot`),
 *   or the index itself (`flat`); perpetuals likewise (the snapshot's perpetual-to-index ratio, or flat);
 * - implied vols: the snapshot's fitted surface at the same time to expiry and the same moneyness K/F, scaled by
 *   DVOL(t)/DVOL(snapshot day) where the vol index has day t, unscaled where it does not (DVOL starts 2021-03-24).
 *
 * A {@link DayState} answers these questions for one day; {@link dayContext} wraps it as a {@link MarketContext}
 * carrying quotes for the instruments asked for, which is what the margin models read. Building a day costs
 * O(instruments): the snapshot's surface is fitted once, never per day.
 * @module
 */
import { issue, NetriskError } from "../errors.js";
import type { MarketContext, OptionMarketInputs } from "../market/context.js";
import type { DerivativeInstrument, InstrumentQuote, MarketSnapshot, OptionInstrument } from "../market/types.js";
import { MS_PER_DAY, MS_PER_YEAR } from "../market/types.js";
import { valueOn } from "../risk/history/types.js";
import type { DailySeries } from "../risk/history/types.js";
import { USD_PEGGED_CURRENCIES } from "../risk/marks.js";

/** How futures and forwards follow the index through history. */
export type BasisMode = "snapshot" | "flat";

/** A currency's vol index and the level it is compared with (the snapshot day's value). */
export interface VolPath {
  readonly series: DailySeries;
  /** DVOL (decimal) the snapshot's surface corresponds to. */
  readonly reference: number;
}

/** Everything fixed for the whole walk: the snapshot market, its day, the history series used. */
export interface HistoricalPath {
  /** The snapshot's market context: forward curves and fitted vol surfaces give the shape. */
  readonly snapshot: MarketContext;
  /** Day number (days since 1970-01-01 UTC) of the snapshot's time stamp. */
  readonly snapshotDay: number;
  /** Price series per currency priced from history (bases, non-pegged spot and collateral currencies). */
  readonly prices: ReadonlyMap<string, DailySeries>;
  /** Vol index per base (bases without one keep the snapshot's vols). */
  readonly vols: ReadonlyMap<string, VolPath>;
  readonly basis: BasisMode;
}

/** One historical day: prices, vol ratios and the functions pricing reads. */
export interface DayState {
  readonly day: number;
  readonly asOfMs: number;
  /** USD per unit of each priced currency on this day. */
  readonly indexUsd: Readonly<Record<string, number>>;
  /** Per base: index(t) / index of the snapshot. */
  readonly priceRatio: ReadonlyMap<string, number>;
  /** Per base with a vol index: the vol multiplier used on this day (1 where the index has no value). */
  readonly volRatio: ReadonlyMap<string, number>;
  /** Bases whose vol index has a value on this day. */
  readonly volKnown: ReadonlySet<string>;
  /** Forward in USD for a base and delivery instant (index for an instant at or before `asOfMs`). */
  forwardUsd(base: string, expiryMs: number): number;
  /** Mark of a perpetual in USD. */
  perpetualUsd(inst: DerivativeInstrument): number;
  /** Implied vol (decimal) of a strike and expiry after `asOfMs`. */
  volAt(base: string, strikeUsd: number, expiryMs: number): number;
}

/** Options of {@link dayState}. */
export interface DayStateOptions {
  /**
   * Vol multipliers to use instead of DVOL(day)/reference, per base (the realised-loss end of a window whose vol index
   * is missing at either end keeps the margin day's multiplier: no spurious vol jump at the index's first day).
   */
  readonly volRatioOverride?: ReadonlyMap<string, number>;
}

/** The price of `currency` on `day`, or undefined (outside its history). */
export function priceOn(path: HistoricalPath, currency: string, day: number): number | undefined {
  const s = path.prices.get(currency);
  return s === undefined ? undefined : valueOn(s, day);
}

/**
 * The state of `day`. Domain: every series of `path.prices` has a value on `day` (the walk checks days first);
 * throws a NetriskError (`missing_index`) otherwise, a programming error.
 */
export function dayState(path: HistoricalPath, day: number, options: DayStateOptions = {}): DayState {
  const snap = path.snapshot;
  const shiftMs = (day - path.snapshotDay) * MS_PER_DAY;
  const asOfMs = snap.asOfMs + shiftMs;
  const indexUsd: Record<string, number> = {};
  const priceRatio = new Map<string, number>();
  for (const [currency, series] of path.prices) {
    const v = valueOn(series, day);
    if (v === undefined) throw new NetriskError([issue("missing_index", currency, `no ${currency} price on day ${day} (${series.source})`)]);
    indexUsd[currency] = v;
    if (snap.snapshot.indexUsd[currency] !== undefined) priceRatio.set(currency, v / snap.indexUsd(currency));
  }
  const volRatio = new Map<string, number>();
  const volKnown = new Set<string>();
  for (const [base, vp] of path.vols) {
    const v = valueOn(vp.series, day);
    if (v !== undefined) volKnown.add(base);
    volRatio.set(base, options.volRatioOverride?.get(base) ?? (v !== undefined ? v / vp.reference : 1));
  }
  const missing = (base: string): NetriskError => new NetriskError([issue("missing_index", base, `no ${base} price history for the backtest`)]);
  const ratioOf = (base: string): number => {
    const g = priceRatio.get(base);
    if (g === undefined) throw missing(base);
    return g;
  };
  const indexOf = (base: string): number => {
    const v = indexUsd[base];
    if (v === undefined) throw missing(base);
    return v;
  };
  const snapshotForward = (base: string, expiryMs: number): number => snap.forwardUsd(base, expiryMs - shiftMs);
  const forwardUsd = (base: string, expiryMs: number): number => {
    if (expiryMs <= asOfMs || path.basis === "flat") return indexOf(base);
    return snapshotForward(base, expiryMs) * ratioOf(base);
  };
  const perpetualUsd = (inst: DerivativeInstrument): number => {
    const index = indexOf(inst.base);
    // The snapshot's own mark of this perpetual relative to its index (an unquoted one is marked at the index).
    return path.basis === "flat" ? index : index * (snap.futureMarkUsd(inst) / snap.indexUsd(inst.base));
  };
  const volAt = (base: string, strikeUsd: number, expiryMs: number): number => {
    // Same moneyness K/F at the same time to expiry on the snapshot's surface: the strike the snapshot would quote.
    const strikeAtSnapshot = (strikeUsd * snapshotForward(base, expiryMs)) / forwardUsd(base, expiryMs);
    return snap.surfaceVol(base, strikeAtSnapshot, expiryMs - shiftMs) * (volRatio.get(base) ?? 1);
  };
  return { day, asOfMs, indexUsd, priceRatio, volRatio, volKnown, forwardUsd, perpetualUsd, volAt };
}

/** Pricing inputs of an option on a day (the option must not have expired). */
export function optionInputsOn(state: DayState, inst: OptionInstrument, rateDecimal: number): OptionMarketInputs {
  return {
    forwardUsd: state.forwardUsd(inst.base, inst.expiryMs),
    volDecimal: state.volAt(inst.base, inst.strikeUsd, inst.expiryMs),
    timeYears: (inst.expiryMs - state.asOfMs) / MS_PER_YEAR,
    rateDecimal,
  };
}

/** Mark of a future or perpetual on a day, USD per coin. */
export function futureMarkOn(state: DayState, inst: DerivativeInstrument): number {
  if (inst.kind === "perpetual") return state.perpetualUsd(inst);
  return state.forwardUsd(inst.base, inst.expiryMs);
}

/**
 * The day as a {@link MarketContext}: a snapshot stamped `state.asOfMs` with the day's index prices and a quote per
 * instrument in `instruments` (options: mark IV and forward, plus the open interest of `openInterest` when known;
 * futures and perpetuals: mark price), so that models reading quotes or the context see the same numbers.
 * @param openInterest - per instrument name, open interest in coin to carry (the original contract's, for add-ons).
 */
export function dayContext(
  path: HistoricalPath,
  state: DayState,
  instruments: readonly DerivativeInstrument[],
  openInterest: ReadonlyMap<string, number> = new Map(),
): MarketContext {
  const snap = path.snapshot;
  const rateOf = (currency: string): number => snap.snapshot.ratesDecimal?.[currency] ?? 0;
  const quotes: Record<string, InstrumentQuote> = {};
  const optionInputs = new Map<string, OptionMarketInputs>();
  for (const inst of instruments) {
    const oi = openInterest.get(inst.name);
    if (inst.kind === "option") {
      const inputs = optionInputsOn(state, inst, rateOf(inst.settlementCurrency));
      optionInputs.set(inst.name, inputs);
      quotes[inst.name] = { markIv: inputs.volDecimal, underlyingPrice: inputs.forwardUsd, ...(oi !== undefined ? { openInterest: oi } : {}) };
    } else {
      quotes[inst.name] = { markPrice: futureMarkOn(state, inst), ...(oi !== undefined ? { openInterest: oi } : {}) };
    }
  }
  const snapshot: MarketSnapshot = {
    timestampMs: state.asOfMs,
    indexUsd: state.indexUsd,
    instruments: quotes,
    ...(snap.snapshot.ratesDecimal !== undefined ? { ratesDecimal: snap.snapshot.ratesDecimal } : {}),
  };
  const bases = Object.keys(state.indexUsd).sort();
  const indexUsd = (base: string): number => {
    const v = state.indexUsd[base];
    if (v === undefined) throw new NetriskError([issue("missing_index", base, `no index price for ${base} on ${new Date(state.asOfMs).toISOString().slice(0, 10)} (no history given for it)`)]);
    return v;
  };
  const surfaceVol = (base: string, strikeUsd: number, expiryMs: number): number => {
    if (!(expiryMs > state.asOfMs)) throw new NetriskError([issue("expired_instrument", base, `expiry ${new Date(expiryMs).toISOString()} is not after the market time`)]);
    return state.volAt(base, strikeUsd, expiryMs);
  };
  return {
    snapshot,
    asOfMs: state.asOfMs,
    bases,
    indexUsd,
    forwardUsd: (base, expiryMs) => {
      indexUsd(base);
      return state.forwardUsd(base, expiryMs);
    },
    futureMarkUsd: (inst) => {
      if (inst.kind === "option") throw new NetriskError([issue("invalid_value", inst.name, "futureMarkUsd takes a future or perpetual, not an option")]);
      return quotes[inst.name]?.markPrice ?? futureMarkOn(state, inst);
    },
    optionInputs: (inst) => optionInputs.get(inst.name) ?? optionInputsOn(state, inst, rateOf(inst.settlementCurrency)),
    surfaceVol,
  };
}

/** True for a USD stablecoin valued at 1 when no history is given for it. */
export function isPegged(currency: string): boolean {
  return USD_PEGGED_CURRENCIES.includes(currency);
}
