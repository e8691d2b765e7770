/**
 * Position lot arithmetic: what one fill does to a position's size and average price, and the P&L it realises. Plain
 * numbers in, plain numbers out; the account file (fills.ts), what-if trades (trades.ts) and duplicate merging
 * (io/portfolio.ts) all go through these three cases, so a position is one arithmetic wherever it changes.
 *
 * Three kinds of contract (docs/methodology.md "Mark-to-market and fills"):
 * - `linear` (linear futures and perpetuals, USDC): size in coin, P&L q·(P − A) in the settlement currency; the
 *   average of an increase is the size-weighted mean.
 * - `inverse` (coin-settled futures and perpetuals): size is the USD notional N (Deribit's contracts), P&L
 *   N·(1/A − 1/P) in coin; the average of an increase is N'/(Σ Nᵢ/Aᵢ), the notional-weighted harmonic mean, which is
 *   the size-weighted mean when sizes are counted in coin at each entry price (Nᵢ/Aᵢ). That keeps the P&L exact:
 *   Σ Nᵢ(1/Aᵢ − 1/M) = N'(1/A' − 1/M).
 * - `premium` (options): size in coin, the premium moves cash at every fill, so the position's value is its mark and
 *   the "realised" figure is informational (the premium flows already realised it); the average is the size-weighted
 *   mean, as Deribit's `average_price` for options.
 *
 * A fill on the same side (or on a flat position) increases the position; on the other side it reduces it, realising
 * the P&L of the closed part at the fill price; a fill larger than the position closes it and opens the rest at the
 * fill price.
 * @module
 */

export type LotKind = "linear" | "inverse" | "premium";

/** A position: size (coin; USD notional for `inverse`) and average price (USD per coin, options: quote unit). */
export interface Lot {
  readonly size: number;
  readonly averagePrice: number;
}

/** The position after a fill: `averagePrice` undefined when the fill closed it; `realised` in settlement currency. */
export interface LotAfterFill {
  readonly size: number;
  readonly averagePrice: number | undefined;
  /** P&L of the closed part at the fill price (see the module doc for `premium`). */
  readonly realised: number;
  /** The size closed (same sign as the position before; 0 for an increase). */
  readonly closed: number;
}

/** Relative size below which a position counts as closed (noise of adding and subtracting the same sizes). */
export const CLOSED_RELATIVE = 1e-12;

/** P&L of `size` entered at `entry` and closed at `exit` (see the module doc for the units). */
export function lotPnl(kind: LotKind, size: number, entry: number, exit: number): number {
  return kind === "inverse" ? size * (1 / entry - 1 / exit) : size * (exit - entry);
}

/**
 * Average price after adding `fill` to `lot` on the same side. Domain: prices > 0 (options ≥ 0), sizes of one sign.
 */
function increasedAverage(kind: LotKind, lot: Lot, fill: Lot, size: number): number {
  if (kind === "inverse") return size / (lot.size / lot.averagePrice + fill.size / fill.averagePrice);
  return (lot.size * lot.averagePrice + fill.size * fill.averagePrice) / size;
}

/**
 * Apply a fill (`size` signed: + buy, − sell; `averagePrice` = the fill price) to a position (undefined = flat).
 * Domain: finite sizes, fill size ≠ 0; prices > 0 for linear and inverse, ≥ 0 for premium.
 */
export function fillLot(kind: LotKind, lot: Lot | undefined, fill: Lot): LotAfterFill {
  if (lot === undefined || lot.size === 0) return { size: fill.size, averagePrice: fill.averagePrice, realised: 0, closed: 0 };
  const size = lot.size + fill.size;
  if (Math.sign(fill.size) === Math.sign(lot.size)) return { size, averagePrice: increasedAverage(kind, lot, fill, size), realised: 0, closed: 0 };
  const flat = Math.abs(size) <= CLOSED_RELATIVE * Math.max(Math.abs(lot.size), Math.abs(fill.size));
  if (flat) return { size: 0, averagePrice: undefined, realised: lotPnl(kind, lot.size, lot.averagePrice, fill.averagePrice), closed: lot.size };
  if (Math.sign(size) === Math.sign(lot.size)) {
    // A reduction: the closed part is the fill's size, with the position's sign.
    const closed = -fill.size;
    return { size, averagePrice: lot.averagePrice, realised: lotPnl(kind, closed, lot.averagePrice, fill.averagePrice), closed };
  }
  // A flip: the whole position closes at the fill price, the rest opens there.
  return { size, averagePrice: fill.averagePrice, realised: lotPnl(kind, lot.size, lot.averagePrice, fill.averagePrice), closed: lot.size };
}

/** The lot arithmetic of an instrument: options `premium`, inverse futures/perpetuals `inverse`, the rest `linear`. */
export function lotKindOf(inst: { readonly kind: string; readonly settlement: "inverse" | "linear" }): LotKind {
  return inst.kind === "option" ? "premium" : inst.settlement === "inverse" ? "inverse" : "linear";
}
