/**
 * Derive PMRM_2 basis contingency (reference note derive-pmrm2.md §2.7; "forward contingency" in Derive's test JSON):
 * per expiry, the worse of a spot-up and a spot-down move of the forward (no vol shock, no static discount), floored
 * at 0 and scaled by basisContAddFactor + basisContMultFactor × τ. It competes with the scenarios as one more
 * "scenario" in minSPAN.
 * @module
 */

/** Which basis move an expiry's contingency came from (`none` when neither loses). */
export type BasisSide = "up" | "down" | "none";

/** One expiry's basis contingency (USDC, ≤ 0) and the side that produced it. */
export interface ExpiryBasis {
  readonly contingencyUsdc: number;
  readonly side: BasisSide;
}

/**
 * min(MtM_e(s_up) − MtM_e, MtM_e(s_down) − MtM_e, 0) × weight.
 * @param upUsdc, downUsdc, baseUsdc expiry values (USDC) at the basis spot moves and unshocked.
 * @param weight basisContAddFactor + basisContMultFactor × τ_e, ≥ 0.
 */
export function expiryBasisContingency(upUsdc: number, downUsdc: number, baseUsdc: number, weight: number): ExpiryBasis {
  const up = upUsdc - baseUsdc;
  const down = downUsdc - baseUsdc;
  if (up >= 0 && down >= 0) return { contingencyUsdc: 0, side: "none" };
  // Ties go to "up" (the first argument of Derive's min), which only matters for the contribution breakdown.
  return up <= down ? { contingencyUsdc: up * weight, side: "up" } : { contingencyUsdc: down * weight, side: "down" };
}
