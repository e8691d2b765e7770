/**
 * The market as the live core holds it: a complete {@link MarketSnapshot} (every listed instrument quoted, every
 * option with its `markIv`, a valuation time per underlying) and a {@link MarketContext} over it whose per-underlying
 * tables (forward curve, option inputs) are rebuilt only for the underlyings a tick moves.
 *
 * Equality with a from-scratch context: the tables are computed with the same functions `buildMarketContext` uses
 * (forward curve from the same quotes, option inputs from `underlyingPrice` or the curve, time from the underlying's
 * valuation time, vol from `markIv`), so `buildMarketContext(snapshot)` on the written snapshot gives the same doubles.
 * Anything else (the volatility surface for an unlisted strike, the forward curve object) comes from a full context
 * built lazily on the snapshot, at most once per market version.
 * @module
 */
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import type { MarketContext, OptionMarketInputs } from "../market/context.js";
import { buildForwardCurve } from "../market/forward-curve.js";
import type { ForwardCurve, ForwardQuote } from "../market/forward-curve.js";
import { parseInstrument } from "../market/instrument.js";
import type { DerivativeInstrument, InstrumentQuote, MarketSnapshot, OptionInstrument } from "../market/types.js";
import { yearsBetween } from "../market/types.js";
import { buildMarketContext, impliedVolOfMark } from "../pricing/build-context.js";
import type { BuiltMarketContext } from "../pricing/build-context.js";
import { checkSnapshot } from "../market/check-snapshot.js";

/** The instruments a live market lists, parsed once (the set is fixed for the life of a core). */
export interface Listing {
  readonly byName: ReadonlyMap<string, DerivativeInstrument>;
  /** Names per base, in snapshot order. */
  readonly byBase: ReadonlyMap<string, readonly DerivativeInstrument[]>;
}

/** Per-underlying tables: what pricing and the risk arrays ask of the market for that underlying. */
export interface BaseTables {
  readonly base: string;
  readonly valuationTimeMs: number;
  readonly curve: ForwardCurve;
  readonly options: ReadonlyMap<string, OptionMarketInputs>;
  /**
   * The model price of each option at its `options` inputs, by the option's place in the listing's list of the base
   * (NaN: not kept; absent for tables built from a snapshot). A tick keeps each option's mark offset to the model
   * price, so it needs the price at the held inputs: read here, it is not computed again (apply-tick.ts).
   */
  readonly modelPrices?: Float64Array;
}

export interface LiveMarket {
  /** Increases by one with every applied tick. */
  readonly version: number;
  readonly snapshot: MarketSnapshot;
  readonly context: MarketContext;
  readonly listing: Listing;
  readonly tables: ReadonlyMap<string, BaseTables>;
}

/** Valuation time of a currency in a snapshot (its own, else the snapshot's). */
export function valuationTimeIn(snapshot: MarketSnapshot, currency: string): number {
  return snapshot.valuationTimesMs?.[currency] ?? snapshot.timestampMs;
}

/** Parse the instruments of a checked snapshot (spot names and unparsable names were rejected by checkSnapshot). */
export function listingOf(snapshot: MarketSnapshot): Listing {
  const byName = new Map<string, DerivativeInstrument>();
  const byBase = new Map<string, DerivativeInstrument[]>();
  for (const name of Object.keys(snapshot.instruments)) {
    const r = parseInstrument(name);
    if (!r.ok || r.value.kind === "spot") continue;
    byName.set(name, r.value);
    const list = byBase.get(r.value.base) ?? [];
    list.push(r.value);
    byBase.set(r.value.base, list);
  }
  return { byName, byBase };
}

/** Observed forwards of one base (as forwardQuotesFromSnapshot, from the parsed listing). */
function forwardQuotes(snapshot: MarketSnapshot, instruments: readonly DerivativeInstrument[]): ForwardQuote[] {
  const out: ForwardQuote[] = [];
  for (const inst of instruments) {
    const q = snapshot.instruments[inst.name] as InstrumentQuote;
    if (inst.kind === "future" && q.markPrice !== undefined) out.push({ expiryMs: inst.expiryMs, forwardUsd: q.markPrice, source: "future" });
    else if (inst.kind === "option" && q.underlyingPrice !== undefined) out.push({ expiryMs: inst.expiryMs, forwardUsd: q.underlyingPrice, source: "option-underlying" });
  }
  return out;
}

/** The forward curve of a base in a snapshot, from the listing (same nodes as buildMarketContext's). */
export function curveOf(snapshot: MarketSnapshot, listing: Listing, base: string): ForwardCurve {
  const instruments = listing.byBase.get(base) ?? [];
  return buildForwardCurve(base, snapshot.indexUsd[base] as number, valuationTimeIn(snapshot, base), forwardQuotes(snapshot, instruments));
}

/**
 * The tables of one base. Every listed option must carry `markIv` (see {@link normaliseSnapshot}).
 */
export function buildBaseTables(snapshot: MarketSnapshot, listing: Listing, base: string): BaseTables {
  const instruments = listing.byBase.get(base) ?? [];
  const timeMs = valuationTimeIn(snapshot, base);
  const curve = curveOf(snapshot, listing, base);
  const options = new Map<string, OptionMarketInputs>();
  for (const inst of instruments) {
    if (inst.kind !== "option") continue;
    options.set(inst.name, optionInputsOf(snapshot, inst, snapshot.instruments[inst.name] as InstrumentQuote, curve, timeMs));
  }
  return { base, valuationTimeMs: timeMs, curve, options };
}

/**
 * An option's pricing inputs in a base's tables: its quote's `underlyingPrice`, else the curve's forward at its expiry;
 * its `markIv`; the years from the base's valuation time; the rate of its settlement currency. One place for both
 * the tables built from a snapshot and those a tick builds as it moves the quotes (apply-tick.ts).
 */
export function optionInputsOf(snapshot: MarketSnapshot, inst: OptionInstrument, q: Pick<InstrumentQuote, "underlyingPrice" | "markIv">, curve: ForwardCurve, timeMs: number): OptionMarketInputs {
  return {
    forwardUsd: q.underlyingPrice ?? curve.forwardUsd(inst.expiryMs),
    volDecimal: q.markIv as number,
    timeYears: yearsBetween(timeMs, inst.expiryMs),
    rateDecimal: snapshot.ratesDecimal?.[inst.settlementCurrency] ?? 0,
  };
}

/**
 * A snapshot the live core can hold: checked (checkSnapshot), and every option given the `markIv` its `markPrice`
 * implies where it has none (the vol buildMarketContext would imply, so the numbers do not change).
 * Issues: checkSnapshot's, and the implied-vol failures at `instruments.<name>.markPrice`.
 */
export function normaliseSnapshot(snapshot: MarketSnapshot): Result<MarketSnapshot> {
  const issues: Issue[] = checkSnapshot(snapshot);
  if (issues.length > 0) return fail(...issues);
  const listing = listingOf(snapshot);
  let instruments: Record<string, InstrumentQuote> | undefined;
  for (const [base, list] of listing.byBase) {
    let curve: ForwardCurve | undefined;
    for (const inst of list) {
      const q = snapshot.instruments[inst.name] as InstrumentQuote;
      if (inst.kind !== "option" || q.markIv !== undefined) continue;
      curve ??= curveOf(snapshot, listing, base);
      const forwardUsd = q.underlyingPrice ?? curve.forwardUsd(inst.expiryMs);
      const timeYears = yearsBetween(valuationTimeIn(snapshot, base), inst.expiryMs);
      const rate = snapshot.ratesDecimal?.[inst.settlementCurrency] ?? 0;
      const iv = impliedVolOfMark(inst, q.markPrice as number, forwardUsd, timeYears, rate, joinPath("instruments", inst.name, "markPrice"));
      if (!iv.ok) {
        issues.push(...iv.issues);
        continue;
      }
      instruments ??= { ...snapshot.instruments };
      instruments[inst.name] = { ...q, markIv: iv.value };
    }
  }
  if (issues.length > 0) return fail(...issues);
  return ok(instruments === undefined ? snapshot : { ...snapshot, instruments });
}

/** Create the live market of a snapshot (normalised first; see {@link normaliseSnapshot}). */
export function createLiveMarket(snapshot: MarketSnapshot): Result<LiveMarket> {
  const normal = normaliseSnapshot(snapshot);
  if (!normal.ok) return normal;
  const listing = listingOf(normal.value);
  const tables = new Map<string, BaseTables>();
  for (const base of listing.byBase.keys()) tables.set(base, buildBaseTables(normal.value, listing, base));
  return ok(marketOf(0, normal.value, listing, tables));
}

/** A live market from its parts (the tables must be those of `snapshot`). */
export function marketOf(version: number, snapshot: MarketSnapshot, listing: Listing, tables: ReadonlyMap<string, BaseTables>): LiveMarket {
  return { version, snapshot, listing, tables, context: liveContext(snapshot, tables) };
}

function liveContext(snapshot: MarketSnapshot, tables: ReadonlyMap<string, BaseTables>): MarketContext {
  let full: BuiltMarketContext | undefined;
  // A full context (volatility surfaces, forward-curve objects) only when something off the hot path asks for it.
  const fullContext = (): BuiltMarketContext => {
    if (full === undefined) {
      const built = buildMarketContext(snapshot);
      if (!built.ok) throw new Error(`live market lost its validity: ${built.issues.map((i) => `${i.path}: ${i.code}`).join(", ")}`);
      full = built.value;
    }
    return full;
  };
  const indexUsd = (base: string): number => {
    const v = snapshot.indexUsd[base];
    if (v === undefined) return fullContext().indexUsd(base);
    return v;
  };
  const context: MarketContext & { readonly fullContext: () => BuiltMarketContext } = {
    snapshot,
    asOfMs: snapshot.timestampMs,
    bases: Object.keys(snapshot.indexUsd).sort(),
    indexUsd,
    forwardUsd: (base, expiryMs) => tables.get(base)?.curve.forwardUsd(expiryMs) ?? fullContext().forwardUsd(base, expiryMs),
    futureMarkUsd: (inst) => {
      if (inst.kind === "option") return fullContext().futureMarkUsd(inst);
      const mark = snapshot.instruments[inst.name]?.markPrice;
      if (mark !== undefined) return mark;
      const t = tables.get(inst.base);
      if (t === undefined) return fullContext().futureMarkUsd(inst);
      return inst.kind === "perpetual" ? indexUsd(inst.base) : t.curve.forwardUsd(inst.expiryMs);
    },
    optionInputs: (inst: OptionInstrument) => tables.get(inst.base)?.options.get(inst.name) ?? fullContext().optionInputs(inst),
    surfaceVol: (base, strikeUsd, expiryMs) => fullContext().surfaceVol(base, strikeUsd, expiryMs),
    valuationTimeMs: (base) => valuationTimeIn(snapshot, base),
    fullContext,
  };
  return context;
}

/** Issues for names a market does not list (`unknown_instrument` at `positions[i]` style paths given by `pathOf`). */
export function unlistedIssues(names: readonly string[], listing: Listing, pathOf: (i: number) => string): Issue[] {
  const out: Issue[] = [];
  names.forEach((n, i) => {
    if (!listing.byName.has(n)) out.push(issue("unknown_instrument", pathOf(i), `${n} is not listed in the live market (the live core margins listed instruments only)`));
  });
  return out;
}

/** Mean implied vol of an underlying's listed options (the vol level the vol-jump breaker watches), or undefined. */
export function volLevelOf(market: LiveMarket, base: string): number | undefined {
  const t = market.tables.get(base);
  if (t === undefined || t.options.size === 0) return undefined;
  let s = 0;
  for (const o of t.options.values()) s += o.volDecimal;
  return s / t.options.size;
}
