/**
 * Derive PMRM_2 contingencies (reference note derive-pmrm2.md §2.9), all ≥ 0 and in USDC: perp, naked short options
 * per strike, collateral haircuts, and (IM only) oracle confidence. IM contingencies come on top of MM ones.
 * @module
 */
import type { DeriveBucketInput, DeriveExpiryInput } from "./inputs.js";
import type { DerivePmrm2Params } from "./params.js";

/** Contingency breakdown, USDC, each ≥ 0. `mm` and `im` are the totals MMc and IMc (IMc is the IM-only add-on). */
export interface DeriveContingencies {
  readonly perpMm: number;
  readonly perpIm: number;
  readonly optionMm: number;
  readonly optionIm: number;
  readonly collateralMm: number;
  readonly collateralIm: number;
  readonly oracleIm: number;
  /** MMc = perpMm + optionMm + collateralMm. */
  readonly mm: number;
  /** IMc = perpIm + optionIm + collateralIm + oracleIm. */
  readonly im: number;
}

/**
 * Naked ("unpaired") short coins of an expiry: per strike, longs and shorts net (calls and puts together); a net short
 * at one strike is not offset by longs at another (a call spread still pays on its short leg). Result ≥ 0, coins.
 */
export function nakedShortCoins(e: DeriveExpiryInput): number {
  const netByStrike = new Map<number, number>();
  for (const leg of e.legs) netByStrike.set(leg.strikeUsd, (netByStrike.get(leg.strikeUsd) ?? 0) + leg.sizeCoin);
  let naked = 0;
  for (const net of netByStrike.values()) if (net < 0) naked -= net;
  return naked;
}

/** Value of a collateral balance in USDC: amount × price / stable. */
export function collateralValueUsdc(amount: number, priceUsd: number, stableUsd: number): number {
  return (amount * priceUsd) / stableUsd;
}

/** Oracle contingency of one notional N (USDC) whose feeds have confidence c: (1 − c) × confMargin × N if c < threshold. */
function oracleCharge(notionalUsdc: number, confidence: number, p: DerivePmrm2Params["oracle"]): number {
  return confidence < p.confThresholdDecimal ? (1 - confidence) * p.confMarginDecimal * notionalUsdc : 0;
}

/** Lowest confidence of an expiry's feeds: spot, perp, forward, rate and every vol of that expiry. */
export function expiryConfidence(b: DeriveBucketInput, e: DeriveExpiryInput): number {
  let c = Math.min(b.spotConfidence, b.perpConfidence, e.forwardConfidence, e.rateConfidence);
  for (const leg of e.legs) c = Math.min(c, leg.volConfidence);
  return c;
}

/** All contingencies of a bucket. */
export function deriveContingencies(b: DeriveBucketInput, params: DerivePmrm2Params): DeriveContingencies {
  const spot = b.spotUsd;
  const perpCoins = Math.abs(b.perp?.sizeCoin ?? 0);
  const perpMm = perpCoins * spot * params.perp.mmFractionOfSpot;
  const perpIm = perpCoins * spot * params.perp.imFractionOfSpot;

  let naked = 0;
  let oracleIm = oracleCharge(perpCoins * spot, Math.min(b.spotConfidence, b.perpConfidence), params.oracle);
  for (const e of b.expiries) {
    naked += nakedShortCoins(e);
    let grossCoins = 0;
    for (const leg of e.legs) grossCoins += Math.abs(leg.sizeCoin);
    oracleIm += oracleCharge(grossCoins * spot, expiryConfidence(b, e), params.oracle);
  }
  const optionMm = naked * spot * params.option.mmNakedShortFractionOfSpot;
  const optionIm = naked * spot * params.option.imNakedShortFractionOfSpot;

  let collateralMm = 0;
  let collateralIm = 0;
  for (const c of b.collaterals) {
    const value = collateralValueUsdc(c.amount, c.priceUsd, b.stableUsd);
    collateralMm += value * c.params.mmHaircutDecimal;
    collateralIm += value * c.params.imHaircutDecimal;
    oracleIm += oracleCharge(value, Math.min(c.confidence, b.spotConfidence), params.oracle);
  }
  return {
    perpMm,
    perpIm,
    optionMm,
    optionIm,
    collateralMm,
    collateralIm,
    oracleIm,
    mm: perpMm + optionMm + collateralMm,
    im: perpIm + optionIm + collateralIm + oracleIm,
  };
}
