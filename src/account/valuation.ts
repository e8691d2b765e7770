/**
 * Mark-to-market of an account's positions for its equity, in each position's settlement currency and in USD.
 *
 * - Options: size × mark (the quoted `markPrice`, else Black-76 at the market's inputs; risk/marks.ts).
 * - Futures and perpetuals: the P&L since their entry price A, the position's `averagePrice` (Deribit's
 *   `average_price`), else the mark of the market the sizes were resolved in (the reference market when the account
 *   is valued in a moved market, else the current mark: worth 0, what was gained before is cash). Linear:
 *   q·(M − A) USDC. Inverse: N·(1/A − 1/M) coin, N = q·M_res the USD notional (the coin size is counted at the mark
 *   of the resolving market, as Deribit's `size_currency` and pme/simulate count it); with no averagePrice in a moved
 *   market that is q·(1 − M₀/M), the coin P&L of the notional q·M₀ (risk/futures: N·(1/M₀ − 1/M)).
 * - Linear perpetuals also carry their `unrealisedPnlUsdc` and `unrealisedFundingUsdc` (USDC); a position never has
 *   both `unrealisedPnlUsdc` and `averagePrice` (the validator refuses it: the same P&L twice).
 * - Options: `averagePrice` is informational (the premium was paid in cash; the position is worth its mark).
 * Spot balances are not positions here: the account holds them as balances (collateral.ts).
 * @module
 */
import type { MarketContext } from "../market/context.js";
import type { DerivativeInstrument } from "../market/types.js";
import type { ResolvedPosition } from "../models/types.js";
import { currencyUsdRate, optionMarkPrice } from "../risk/marks.js";

export interface PositionValue {
  readonly instrument: string;
  readonly sizeCoin: number;
  /** Settlement currency of `value`. */
  readonly currency: string;
  /** Options: mark in the settlement currency per coin; futures and perpetuals: mark USD per coin. */
  readonly markPrice: number;
  /** The entry price the P&L runs from, when the position carries one (same unit as `markPrice`). */
  readonly averagePrice?: number;
  readonly value: number;
  readonly valueUsd: number;
}

/** What {@link positionValue} reads of a position (the live core's positions are valued without a resolved copy). */
export type ValuedPosition = Pick<ResolvedPosition, "instrument" | "sizeCoin" | "averagePrice" | "unrealisedPnlUsdc" | "unrealisedFundingUsdc">;

/** Value of one derivative position in its settlement currency (see the module doc). */
export function positionValue(p: ValuedPosition, market: MarketContext, reference?: MarketContext): { value: number; markPrice: number } {
  const inst = p.instrument as DerivativeInstrument;
  if (inst.kind === "option") {
    const mark = optionMarkPrice(inst, market);
    return { value: p.sizeCoin * mark, markPrice: mark };
  }
  const mark = market.futureMarkUsd(inst);
  let value = (p.unrealisedPnlUsdc ?? 0) + (p.unrealisedFundingUsdc ?? 0);
  const resolvedMark = reference !== undefined && reference !== market ? reference.futureMarkUsd(inst) : mark;
  const entry = p.averagePrice ?? resolvedMark;
  if (entry !== mark) {
    value += inst.settlement === "linear" ? p.sizeCoin * (mark - entry) : p.sizeCoin * resolvedMark * (1 / entry - 1 / mark);
  }
  return { value, markPrice: mark };
}

/** The {@link PositionValue} of one derivative position. */
export function valueOfPosition(p: ResolvedPosition, market: MarketContext, reference?: MarketContext): PositionValue {
  const inst = p.instrument as DerivativeInstrument;
  const v = positionValue(p, market, reference);
  return {
    instrument: inst.name,
    sizeCoin: p.sizeCoin,
    currency: inst.settlementCurrency,
    markPrice: v.markPrice,
    ...(p.averagePrice !== undefined ? { averagePrice: p.averagePrice } : {}),
    value: v.value,
    valueUsd: v.value * currencyUsdRate(market, inst.settlementCurrency),
  };
}

/**
 * Values of every derivative position (spot positions are skipped: they are balances). `known`: values already
 * computed in this market and reference for position objects (positions are immutable: the same object, the same value).
 */
export function valuePositions(positions: readonly ResolvedPosition[], market: MarketContext, reference?: MarketContext, known?: ReadonlyMap<ResolvedPosition, PositionValue>): PositionValue[] {
  const out: PositionValue[] = [];
  for (const p of positions) {
    if (p.instrument.kind === "spot") continue;
    out.push(known?.get(p) ?? valueOfPosition(p, market, reference));
  }
  return out;
}
