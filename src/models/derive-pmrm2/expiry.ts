/**
 * Per-expiry evaluation for Derive PMRM_2: time, discounting, static discounts, vol multipliers, skew shape, and each
 * option's value (per +1 coin) in every column of the scenario layout. Values are linear in the sizes, so the rows
 * can be computed once per (snapshot, parameter set) and shared by every account, as netrisk's risk arrays are.
 * @module
 */
import { black76PriceUsd } from "../../pricing/black76.js";
import type { DeriveExpiryInput, DeriveOptionLeg } from "./inputs.js";
import type { DerivePmrm2Params } from "./params.js";
import {
  deriveTauYears,
  forwardPortions,
  shockedForwardUsd,
  shockedVolDecimal,
  volMultipliers,
  type ForwardPortions,
  type VolMultipliers,
} from "./scenarios.js";
import { skewShape, skewShockedVolDecimal, type SkewShape } from "./skew.js";
import { staticDiscounts, type StaticDiscounts } from "./static-discount.js";

/**
 * Columns of a value row: the parameter set's scenarios first (0 … n−1), then the two skew scenarios, the two basis
 * scenarios (spot up / down, no vol shock) and the base (unshocked) value.
 */
export interface ScenarioLayout {
  readonly scenarioCount: number;
  readonly skewLinear: number;
  readonly skewAbs: number;
  readonly basisUp: number;
  readonly basisDown: number;
  readonly base: number;
  readonly width: number;
}

/** The column layout for a parameter set. */
export function scenarioLayout(params: DerivePmrm2Params): ScenarioLayout {
  const n = params.scenarios.length;
  return { scenarioCount: n, skewLinear: n, skewAbs: n + 1, basisUp: n + 2, basisDown: n + 3, base: n + 4, width: n + 5 };
}

/** Derived quantities of one expiry. */
export interface ExpiryTerms {
  readonly tauYears: number;
  /** r_e = max(rate, 0). */
  readonly rateDecimal: number;
  /** D_e = exp(−r_e τ_e). */
  readonly discountFactor: number;
  readonly forward: ForwardPortions;
  readonly discounts: StaticDiscounts;
  readonly multipliers: VolMultipliers;
  readonly skew: SkewShape;
  /** Basis-contingency weight basisContAddFactor + basisContMultFactor × τ_e. */
  readonly basisWeight: number;
}

/** Terms of an expiry from its feeds. */
export function expiryTerms(e: DeriveExpiryInput, params: DerivePmrm2Params): ExpiryTerms {
  const tauYears = deriveTauYears(e.secondsToExpiry);
  const rateDecimal = Math.max(e.rateDecimal, 0);
  const discountFactor = Math.exp(-rateDecimal * tauYears);
  return {
    tauYears,
    rateDecimal,
    discountFactor,
    forward: forwardPortions(e.forwardUsd, e.secondsToExpiry),
    discounts: staticDiscounts(tauYears, rateDecimal, discountFactor, params.staticDiscount),
    multipliers: volMultipliers(e.secondsToExpiry, params.volShock),
    skew: skewShape(tauYears, params.skew),
    basisWeight: params.basis.addFactor + params.basis.multFactorPerYear * tauYears,
  };
}

/**
 * B76(F, K, σ, τ, D): discounted Black-76 value (USD per coin). At τ = 0 or σ = 0 (a vol down-shock can reach 0) the
 * limit D × intrinsic is returned directly, so the kernel never divides by σ√τ = 0.
 */
export function deriveOptionValueUsd(
  isCall: boolean,
  forwardUsd: number,
  strikeUsd: number,
  volDecimal: number,
  tauYears: number,
  rateDecimal: number,
): number {
  if (tauYears <= 0 || volDecimal <= 0) {
    const intrinsic = isCall ? Math.max(forwardUsd - strikeUsd, 0) : Math.max(strikeUsd - forwardUsd, 0);
    return Math.exp(-rateDecimal * tauYears) * intrinsic;
  }
  return black76PriceUsd({ isCall, forwardUsd, strikeUsd, timeYears: tauYears, volDecimal, rateDecimal });
}

/** Shocked vols of one leg (decimal), reported in the details. */
export interface LegVols {
  readonly up: number;
  readonly down: number;
  readonly skewLinear: number;
  readonly skewAbs: number;
}

/** The four shocked vols of a leg. */
export function legVols(leg: DeriveOptionLeg, e: DeriveExpiryInput, t: ExpiryTerms, params: DerivePmrm2Params): LegVols {
  const minUp = params.volShock.minVolUpShockDecimal;
  return {
    up: shockedVolDecimal(leg.volDecimal, "up", t.multipliers, minUp),
    down: shockedVolDecimal(leg.volDecimal, "down", t.multipliers, minUp),
    skewLinear: skewShockedVolDecimal(leg.volDecimal, leg.strikeUsd, e.forwardUsd, "linear", t.skew),
    skewAbs: skewShockedVolDecimal(leg.volDecimal, leg.strikeUsd, e.forwardUsd, "abs", t.skew),
  };
}

/**
 * Value of +1 coin of the leg's option (USD per coin, undiscounted by the static discount) in every column of the
 * layout: scenarios reprice with F' = F_fixed + F_var × s and the shocked vol, at the same τ and D.
 */
export function legValueRow(
  leg: DeriveOptionLeg,
  e: DeriveExpiryInput,
  t: ExpiryTerms,
  params: DerivePmrm2Params,
  layout: ScenarioLayout,
): Float64Array {
  const row = new Float64Array(layout.width);
  const vols = legVols(leg, e, t, params);
  const price = (spotMultiplier: number, vol: number): number =>
    deriveOptionValueUsd(leg.isCall, shockedForwardUsd(t.forward, spotMultiplier), leg.strikeUsd, vol, t.tauYears, t.rateDecimal);
  params.scenarios.forEach((s, j) => {
    const vol = s.vol === "up" ? vols.up : s.vol === "down" ? vols.down : leg.volDecimal;
    row[j] = price(s.spotMultiplier, vol);
  });
  row[layout.skewLinear] = price(1, vols.skewLinear);
  row[layout.skewAbs] = price(1, vols.skewAbs);
  row[layout.basisUp] = price(params.basis.spotUpMultiplier, leg.volDecimal);
  row[layout.basisDown] = price(params.basis.spotDownMultiplier, leg.volDecimal);
  row[layout.base] = price(1, leg.volDecimal);
  return row;
}

/** Σ_i q_i × row_i: the expiry's value (USDC) in every column. */
export function expiryValueRow(rows: readonly Float64Array[], legs: readonly DeriveOptionLeg[], width: number): Float64Array {
  const out = new Float64Array(width);
  legs.forEach((leg, i) => {
    const row = rows[i];
    if (row === undefined) return;
    for (let j = 0; j < width; j++) out[j] = (out[j] ?? 0) + leg.sizeCoin * (row[j] ?? 0);
  });
  return out;
}
