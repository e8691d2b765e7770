/**
 * Relative (multiplicative) implied-volatility shocks of risk-matrix margin models, scaled by time to expiry:
 *
 * ```
 * scale    = (pivot / max(DTE, dteFloor))^p     p = shortTermPower for short-dated options, else longTermPower
 * vol_up   = max(σ × (1 + rangeUp × scale), minVolForShockUp)
 * vol_down = max(σ × (1 − rangeDown × scale), 0)
 * ```
 *
 * Deribit PM (../shared/reference/deribit-pm.md §2.4, INFERRED from old docs and clones): short term when DTE < 30,
 * powers 0.30 / 0.13. Derive PMRM_2 (derive-pmrm2.md §2.2): the same shape with DTE ≤ 30, a 1-day DTE floor and
 * its own min-vol floor. Both boundaries are a parameter here; note that at DTE = pivot the scale is 1 whichever power
 * is used, so the boundary choice only matters when the floor or pivot differ from 30 days.
 * @module
 */
import type { VolShift } from "./scenarios.js";

/** Parameters of a DTE-scaled relative vol shock. All fractions are decimals (0.5 = 50 %). */
export interface VolShockParams {
  /** Relative up-shock at DTE = pivot, e.g. 0.5 (vol × 1.5). ≥ 0. */
  readonly rangeUpDecimal: number;
  /** Relative down-shock at DTE = pivot, e.g. 0.25 (vol × 0.75). ≥ 0. */
  readonly rangeDownDecimal: number;
  /** Exponent used for short-dated options (Deribit `short_term_vega_power`, 0.30). */
  readonly shortTermPower: number;
  /** Exponent used for long-dated options (Deribit `long_term_vega_power`, 0.13). */
  readonly longTermPower: number;
  /** Reference horizon in days where the scale is 1 (30 at Deribit and Derive). > 0. */
  readonly pivotDays: number;
  /** DTE used in the scale is max(DTE, dteFloorDays); 0 disables the floor (then DTE must be > 0). ≥ 0. */
  readonly dteFloorDays: number;
  /** `lt`: short-term power when DTE < pivot (Deribit); `le`: when DTE ≤ pivot (Derive). */
  readonly shortTermBoundary: "lt" | "le";
  /** Floor on the shocked-up vol, decimal (Deribit `min_volatility_for_shock_up` 0.5 = 50 % vol). ≥ 0. */
  readonly minVolForShockUpDecimal: number;
}

/**
 * Time-to-expiry scale of the vol shock, (pivot / max(DTE, floor))^p, dimensionless and > 0.
 * @param dteDays - days to expiry (> 0, or ≥ 0 when `dteFloorDays` > 0).
 * Examples with pivot 30, powers 0.30 / 0.13 (deribit-pm.md §2.4): DTE 30 → 1; 15 → 1.231; 1 → 2.777; 90 → 0.867.
 */
export function volShockScale(dteDays: number, params: VolShockParams): number {
  const shortTerm = params.shortTermBoundary === "lt" ? dteDays < params.pivotDays : dteDays <= params.pivotDays;
  const power = shortTerm ? params.shortTermPower : params.longTermPower;
  return Math.pow(params.pivotDays / Math.max(dteDays, params.dteFloorDays), power);
}

/** The three vols of one option under a vol-shock rule (decimals, all ≥ 0). */
export interface ShockedVols {
  readonly down: number;
  readonly unchanged: number;
  readonly up: number;
}

/**
 * Shocked vols of one option (its own vol σ, decimal ≥ 0, and its days to expiry) for the down / unchanged / up
 * scenarios. The down vol is clamped at 0 (a Black-76 price at vol 0 is the discounted intrinsic value).
 */
export function shockedVols(volDecimal: number, dteDays: number, params: VolShockParams): ShockedVols {
  const scale = volShockScale(dteDays, params);
  return {
    down: Math.max(volDecimal * (1 - params.rangeDownDecimal * scale), 0),
    unchanged: volDecimal,
    up: Math.max(volDecimal * (1 + params.rangeUpDecimal * scale), params.minVolForShockUpDecimal),
  };
}

/** Pick the vol of a scenario's vol move from precomputed {@link ShockedVols}. */
export function volForMove(vols: ShockedVols, move: VolShift): number {
  return move === "down" ? vols.down : move === "up" ? vols.up : vols.unchanged;
}
