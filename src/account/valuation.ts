/**
 * Mark-to-market of an account's positions for its equity, in each position's settlement currency and in USD.
 *
 * - Options: size × mark (the quoted `markPrice`, else Black-76 at the market's inputs; risk/marks.ts).
 * - Futures and perpetuals: the variation since a reference market (their entry marks): linear q·(M − M₀) USDC;
 *   inverse q·(1 − M₀/M) coin, the coin P&L of the USD notional q·M₀ (risk/futures: N·(1/M₀ − 1/M)). With no
 *   reference (or the same market) they are worth 0, as in risk/valuation.ts: what was gained before is cash.
 * - Linear perpetuals also carry their `unrealisedPnlUsdc` and `unrealisedFundingUsdc` (USDC).
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
  readonly value: number;
  readonly valueUsd: number;
}

/** Value of one derivative position in its settlement currency (see the module doc). */
export function positionValue(p: ResolvedPosition, market: MarketContext, reference?: MarketContext): { value: number; markPrice: number } {
  const inst = p.instrument as DerivativeInstrument;
  if (inst.kind === "option") {
    const mark = optionMarkPrice(inst, market);
    return { value: p.sizeCoin * mark, markPrice: mark };
  }
  const mark = market.futureMarkUsd(inst);
  let value = (p.unrealisedPnlUsdc ?? 0) + (p.unrealisedFundingUsdc ?? 0);
  if (reference !== undefined && reference !== market) {
    const entry = reference.futureMarkUsd(inst);
    value += inst.settlement === "linear" ? p.sizeCoin * (mark - entry) : p.sizeCoin * ((mark - entry) / mark);
  }
  return { value, markPrice: mark };
}

/** Values of every derivative position (spot positions are skipped: they are balances). */
export function valuePositions(positions: readonly ResolvedPosition[], market: MarketContext, reference?: MarketContext): PositionValue[] {
  const out: PositionValue[] = [];
  for (const p of positions) {
    const inst = p.instrument;
    if (inst.kind === "spot") continue;
    const v = positionValue(p, market, reference);
    out.push({
      instrument: inst.name,
      sizeCoin: p.sizeCoin,
      currency: inst.settlementCurrency,
      markPrice: v.markPrice,
      value: v.value,
      valueUsd: v.value * currencyUsdRate(market, inst.settlementCurrency),
    });
  }
  return out;
}
