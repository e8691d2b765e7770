/**
 * Derive PMRM_2 static discount (reference note derive-pmrm2.md §2.4): a haircut on long expiry value and a mark-up
 * on short liability, applied to each expiry's shocked mark-to-market.
 * @module
 */
import type { DerivePmrm2Params } from "./params.js";

/** δ⁺ / δ⁻ of one expiry (dimensionless). */
export interface StaticDiscounts {
  /** δ⁺ = longBase × exp(−τ (r × longMult + longAdd)): multiplies a non-negative expiry value. */
  readonly long: number;
  /** δ⁻ = min(1/D, shortBase × exp(+τ (r × shortMult + shortAdd))): multiplies a negative expiry value. */
  readonly short: number;
}

/**
 * Static discounts of an expiry.
 * @param tauYears τ on Derive's 365-day basis, ≥ 0.
 * @param rateDecimal r_e, already floored at 0.
 * @param discountFactor D_e = exp(−r_e τ_e), in (0, 1]; δ⁻ is capped at 1/D_e (a short is never marked above its
 *   undiscounted value).
 */
export function staticDiscounts(
  tauYears: number,
  rateDecimal: number,
  discountFactor: number,
  p: DerivePmrm2Params["staticDiscount"],
): StaticDiscounts {
  return {
    long: p.longBaseDecimal * Math.exp(-tauYears * (rateDecimal * p.longRateMultScale + p.longRateAddScale)),
    short: Math.min(
      1 / discountFactor,
      p.shortBaseDecimal * Math.exp(tauYears * (rateDecimal * p.shortRateMultScale + p.shortRateAddScale)),
    ),
  };
}

/** Apply the discount to an expiry value (USDC): δ⁺ × v when v ≥ 0, else δ⁻ × v. */
export function discountExpiryValue(valueUsdc: number, d: StaticDiscounts): number {
  return valueUsdc >= 0 ? d.long * valueUsdc : d.short * valueUsdc;
}
