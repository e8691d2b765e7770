/**
 * Derive PMRM_2 skew scenarios (reference note derive-pmrm2.md §2.6): spot unchanged, each option's vol tilted by its
 * log-moneyness. "Linear" rotates the smile (k = ln(K/F)); "Abs" bends it (k = |ln(K/F)|). Each expiry's P&L then
 * counts as −|P&L| (the loss of rotating the skew either way).
 * @module
 */
import type { DerivePmrm2Params } from "./params.js";

export type SkewKind = "linear" | "abs";

/** Per-expiry skew shape: cap and k* (both dimensionless). */
export interface SkewShape {
  /** cap_e = cBase × √τ + baseCap. */
  readonly cap: number;
  /** k*_e = max(minKStar, √τ × widthScale × (volParamStatic + √τ × volParamScale)). */
  readonly kStar: number;
}

/** Skew cap and k* of an expiry with τ (Derive years, ≥ 0). */
export function skewShape(tauYears: number, p: DerivePmrm2Params["skew"]): SkewShape {
  const sqrtTau = Math.sqrt(tauYears);
  return {
    cap: p.cBase * sqrtTau + p.baseCap,
    kStar: Math.max(p.minKStar, sqrtTau * p.widthScale * (p.volParamStatic + sqrtTau * p.volParamScale)),
  };
}

/**
 * Skew-shocked vol (decimal, ≥ 0): σ' = σ × max(0, 1 + clamp(k × cap / k*, −cap, +cap)).
 * @param strikeUsd K > 0. @param forwardUsd F_e > 0 (unshocked).
 */
export function skewShockedVolDecimal(
  volDecimal: number,
  strikeUsd: number,
  forwardUsd: number,
  kind: SkewKind,
  shape: SkewShape,
): number {
  const logMoneyness = Math.log(strikeUsd / forwardUsd);
  const k = kind === "abs" ? Math.abs(logMoneyness) : logMoneyness;
  const tilt = Math.min(Math.max((k * shape.cap) / shape.kStar, -shape.cap), shape.cap);
  return volDecimal * Math.max(0, 1 + tilt);
}
