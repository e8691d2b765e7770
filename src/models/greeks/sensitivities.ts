/**
 * Net sensitivities of a portfolio per underlying for the Greeks-based margin, in USD so that inverse and linear
 * contracts on one coin add up (the Greeks of each option's USD value, plain Black-76, as src/risk/valuation.ts
 * reports gamma and vega):
 *
 * ```
 * deltaUsd    = Σ_i q_i · Δ_i · F_i           USD per unit relative move of every forward (Δ: Black delta; futures 1)
 * gammaUsd    = Σ_i q_i · Γ_i · F_i²          USD per (unit relative move)²: ½ gammaUsd · s² is the second-order P&L
 * vegaUsd[b]  = Σ_{i in b} q_i · ν_i · σ_i    USD per unit RELATIVE vol move (ν per 1.00 of vol; σ the option's vol)
 * ```
 * F_i is the instrument's own forward (option) or mark (future, perpetual). q in coin of underlying.
 * @module
 */
import type { MarketContext } from "../../market/context.js";
import type { DerivativeInstrument } from "../../market/types.js";
import { MS_PER_DAY } from "../../market/types.js";
import { black76Greeks } from "../../pricing/greeks.js";

/** Net sensitivities of one underlying. */
export interface UnderlyingSensitivities {
  readonly deltaUsd: number;
  readonly gammaUsd: number;
  /** Per vega bucket, in the order of the buckets given. */
  readonly vegaUsd: number[];
}

/** Vega bucket index of an option `days` from expiry: the first bucket whose bound exceeds it (the last catches all). */
export function vegaBucketIndex(days: number, bounds: readonly (number | null)[]): number {
  for (let b = 0; b < bounds.length; b++) {
    const m = bounds[b];
    if (m === null || m === undefined || days < m) return b;
  }
  return bounds.length - 1;
}

/**
 * Add the sensitivities of `sizeCoin` of `inst` to `acc`. Domain: a validated, unexpired instrument in `market`.
 * @param bucketBounds - exclusive upper bounds (days) of the vega buckets, the last null.
 */
export function addSensitivities(acc: UnderlyingSensitivities, inst: DerivativeInstrument, sizeCoin: number, market: MarketContext, bucketBounds: readonly (number | null)[]): void {
  const target = acc as { deltaUsd: number; gammaUsd: number; vegaUsd: number[] };
  if (inst.kind !== "option") {
    target.deltaUsd += sizeCoin * market.futureMarkUsd(inst);
    return;
  }
  const m = market.optionInputs(inst);
  const g = black76Greeks({ isCall: inst.optionKind === "call", forwardUsd: m.forwardUsd, strikeUsd: inst.strikeUsd, timeYears: m.timeYears, volDecimal: m.volDecimal, rateDecimal: m.rateDecimal });
  target.deltaUsd += sizeCoin * g.deltaCoin * m.forwardUsd;
  target.gammaUsd += sizeCoin * g.gammaPerUsd * m.forwardUsd * m.forwardUsd;
  const b = vegaBucketIndex((inst.expiryMs - market.asOfMs) / MS_PER_DAY, bucketBounds);
  target.vegaUsd[b] = (target.vegaUsd[b] as number) + sizeCoin * g.vegaUsdPerVol * m.volDecimal;
}

/** Zero sensitivities with `bucketCount` vega buckets. */
export function emptySensitivities(bucketCount: number): UnderlyingSensitivities {
  return { deltaUsd: 0, gammaUsd: 0, vegaUsd: new Array<number>(bucketCount).fill(0) };
}
