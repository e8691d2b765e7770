/**
 * The portfolio a backtest holds on each historical day: the snapshot's positions ROLLED to that day (documented in
 * docs/methodology.md "Backtesting"):
 *
 * - options and dated futures keep their time to expiry (the expiry moves by whole days with the market, so it stays
 *   an 08:00 UTC expiry) and options keep their moneyness K/F (the strike scales with the forward at that tenor, and
 *   is rounded to 6 significant digits so the rolled contract has a valid Deribit-style name): a 90,000 call of a
 *   BTC-at-88,500 snapshot is a 4,068 call when BTC is at 4,000;
 * - sizes: `coin` keeps every position's size in coin; `usd` rescales it by index(snapshot)/index(t) of its currency,
 *   so the USD notional stays the snapshot's;
 * - perpetuals and spot balances are the same instrument every day; collateral balances are carried unchanged.
 *
 * A new book is built every day: the walk measures each day's book over the next margin period of risk.
 * @module
 */
import type { DerivativeInstrument, Instrument } from "../market/types.js";
import { formatExpiryCode, formatStrike } from "../market/instrument.js";
import type { ResolvedPortfolio, ResolvedPosition } from "../risk/portfolio.js";
import type { DayState, HistoricalPath } from "./day-market.js";
import { isPegged } from "./day-market.js";

/** How position sizes follow the price level: constant coin size, or constant USD notional. */
export type RebalanceMode = "coin" | "usd";

/** Largest strike a Deribit-style name can carry (nine integer digits). */
const MAX_STRIKE_USD = 999_999_999;

/**
 * A strike rounded to 6 significant digits and at most 6 decimals (the name grammar's limit), or undefined when the
 * rounded strike is not positive or too large to name.
 */
export function roundStrike(strikeUsd: number): number | undefined {
  if (!(strikeUsd > 0) || !Number.isFinite(strikeUsd)) return undefined;
  const decimals = Math.max(0, Math.min(6, 5 - Math.floor(Math.log10(strikeUsd))));
  const f = 10 ** decimals;
  const k = Math.round(strikeUsd * f) / f;
  return k > 0 && k <= MAX_STRIKE_USD ? k : undefined;
}

/** The instrument's currency whose price drives it (the base of a derivative, the currency of a balance). */
export function driverOf(inst: Instrument): string {
  return inst.kind === "spot" ? inst.currency : inst.base;
}

/**
 * The instrument rolled to `state`'s day: same time to expiry and, for options, the same moneyness.
 * @returns the instrument, or undefined when the rolled strike cannot be named (see {@link roundStrike}).
 */
export function rollInstrument(path: HistoricalPath, state: DayState, inst: Instrument): Instrument | undefined {
  if (inst.kind === "spot" || inst.kind === "perpetual") return inst;
  const expiryMs = inst.expiryMs + (state.asOfMs - path.snapshot.asOfMs);
  const head = inst.settlement === "linear" ? `${inst.base}_${inst.settlementCurrency}` : inst.base;
  const code = formatExpiryCode(expiryMs);
  if (inst.kind === "future") return { ...inst, name: `${head}-${code}`, expiryMs };
  const moneynessScale = state.forwardUsd(inst.base, expiryMs) / path.snapshot.forwardUsd(inst.base, inst.expiryMs);
  const strikeUsd = roundStrike(inst.strikeUsd * moneynessScale);
  if (strikeUsd === undefined) return undefined;
  return { ...inst, name: `${head}-${code}-${formatStrike(strikeUsd)}-${inst.optionKind === "call" ? "C" : "P"}`, expiryMs, strikeUsd };
}

/** Size multiplier of a position on a day: 1 in `coin` mode, index(snapshot)/index(t) of its currency in `usd` mode. */
function sizeScale(state: DayState, inst: Instrument, rebalance: RebalanceMode): number {
  if (rebalance === "coin") return 1;
  const driver = driverOf(inst);
  if (inst.kind === "spot" && isPegged(driver)) return 1;
  const g = state.priceRatio.get(driver);
  return g !== undefined && g > 0 ? 1 / g : 1;
}

/** A day's book: the rolled portfolio and, per rolled position, the index of the original position. */
export interface DayBook {
  readonly portfolio: ResolvedPortfolio;
  readonly derivatives: readonly DerivativeInstrument[];
}

/**
 * Roll every position to `state`'s day (see the module comment).
 * @returns the book, or the index of the first position whose strike cannot be named.
 */
export function rollPortfolio(path: HistoricalPath, state: DayState, portfolio: ResolvedPortfolio, rebalance: RebalanceMode): DayBook | { readonly failedPosition: number } {
  const positions: ResolvedPosition[] = [];
  const derivatives: DerivativeInstrument[] = [];
  for (let i = 0; i < portfolio.positions.length; i++) {
    const p = portfolio.positions[i] as ResolvedPosition;
    const inst = rollInstrument(path, state, p.instrument);
    if (inst === undefined) return { failedPosition: i };
    positions.push({ ...p, instrument: inst, sizeCoin: p.sizeCoin * sizeScale(state, p.instrument, rebalance) });
    if (inst.kind !== "spot") derivatives.push(inst);
  }
  return { portfolio: { positions, collateral: portfolio.collateral, notes: [] }, derivatives };
}
