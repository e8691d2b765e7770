/**
 * Black-76 on the forward, for both settlement kinds:
 *
 * - linear (USD-settled, e.g. Deribit's USDC options): value in USD per 1 coin of underlying,
 *   C = D·(F·N(d1) − K·N(d2)), P = D·(K·N(−d2) − F·N(−d1)), D = exp(−r·T);
 * - inverse (coin-settled, Deribit's BTC/ETH options): value in coin per 1 coin of underlying, the USD value
 *   divided by the forward (Deribit quotes option premiums this way; payoff (S−K)⁺/S at expiry).
 *
 * Both go through the normalised Black function (normalised-black.ts), which keeps relative accuracy far out of
 * the money instead of subtracting F·N(d1) − K·N(d2). T = 0 or σ = 0 gives the discounted intrinsic value.
 *
 * Domain of every kernel here (not re-checked: validate at the boundary): forwardUsd and strikeUsd finite and
 * > 0 with |ln(F/K)| < 1400; timeYears >= 0 and volDecimal >= 0, finite; rateDecimal finite (default 0, as at
 * Deribit). Outputs are finite for that domain.
 * @module
 */
import { normalisedBlack } from "./normalised-black.js";

export { inverseFuturePnlCoin } from "./futures.js";

/** Inputs of one Black-76 valuation. Units are in the names; volDecimal 0.55 = 55 %, timeYears ACT/365.25. */
export interface Black76Input {
  readonly isCall: boolean;
  readonly forwardUsd: number;
  readonly strikeUsd: number;
  readonly timeYears: number;
  readonly volDecimal: number;
  /** Continuously-compounded discount rate, decimal; default 0 (Deribit prices options at 0 %). */
  readonly rateDecimal?: number;
}

/**
 * ln(F/K) to full relative accuracy also near the money: for F/K in [0.5, 2], F − K is exact (Sterbenz) and
 * log1p keeps the digits that log(F/K) would lose to the rounding of F/K.
 */
export function logMoneyness(forwardUsd: number, strikeUsd: number): number {
  const ratio = forwardUsd / strikeUsd;
  if (ratio > 0.5 && ratio < 2) return Math.log1p((forwardUsd - strikeUsd) / strikeUsd);
  return Math.log(ratio);
}

/** Discount factor exp(−r·T); exactly 1 when r = 0. */
export function discountFactor(rateDecimal: number, timeYears: number): number {
  return rateDecimal === 0 ? 1 : Math.exp(-rateDecimal * timeYears);
}

/**
 * Undiscounted Black-76 value in USD per 1 coin (F·N(d1) − K·N(d2) for a call), any domain point; the building
 * block of {@link black76PriceUsd}.
 */
export function black76UndiscountedUsd(
  isCall: boolean,
  forwardUsd: number,
  strikeUsd: number,
  totalVol: number,
): number {
  if (!(totalVol > 0)) return Math.max(isCall ? forwardUsd - strikeUsd : strikeUsd - forwardUsd, 0);
  return Math.sqrt(forwardUsd * strikeUsd) * normalisedBlack(logMoneyness(forwardUsd, strikeUsd), totalVol, isCall);
}

/** USD value per 1 coin of underlying, discounted with exp(−rT). Linear (USD-settled) options. */
export function black76PriceUsd(i: Black76Input): number {
  const r = i.rateDecimal ?? 0;
  const s = i.volDecimal * Math.sqrt(i.timeYears);
  return discountFactor(r, i.timeYears) * black76UndiscountedUsd(i.isCall, i.forwardUsd, i.strikeUsd, s);
}

/**
 * Coin value per 1 coin of underlying for coin-settled (inverse) options: black76PriceUsd / forwardUsd. This is the
 * unit of Deribit's BTC/ETH option `mark_price`.
 */
export function black76PriceCoin(i: Black76Input): number {
  return black76PriceUsd(i) / i.forwardUsd;
}
