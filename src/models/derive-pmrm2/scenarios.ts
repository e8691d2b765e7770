/**
 * Derive PMRM_2 time, vol-shock and spot-shock formulas (reference note derive-pmrm2.md §2.2–2.3), plain math.
 *
 * The vol-shock scale reuses the risk layer's rule (`risk/vol-shock.ts`) configured as Derive's: DTE floor, short-term
 * power for T ≤ 30 d (Deribit: < 30 d), shocked-up vol floored at `minVolUpShock`.
 * @module
 */
import { scenarioId, type VolShift } from "../../risk/scenarios.js";
import { volShockScale, type VolShockParams } from "../../risk/vol-shock.js";
import type { DerivePmrm2Params, DeriveScenarioParams } from "./params.js";

/**
 * Seconds per year for Derive's τ: 365 days (31,536,000 s). Deliberately NOT the ACT/365.25 `MS_PER_YEAR` used by the
 * rest of netrisk: Derive's risk manager divides seconds to expiry by 365 days, and its test vectors are only
 * reproduced to 1e-8 with this basis.
 */
export const DERIVE_SECONDS_PER_YEAR = 31_536_000;
export const SECONDS_PER_DAY = 86_400;

/** Window before expiry (s) during which the forward feed moves weight to the fixed settlement portion. */
export const FORWARD_FIXING_WINDOW_SECONDS = 1800;

/** τ in Derive years (365-day basis) from seconds to expiry; 0 for an expired option (T ≤ 0). */
export function deriveTauYears(secondsToExpiry: number): number {
  return secondsToExpiry > 0 ? secondsToExpiry / DERIVE_SECONDS_PER_YEAR : 0;
}

/** Fixed and variable portions of a forward, USD per coin. The spot shock s moves only the variable part. */
export interface ForwardPortions {
  readonly fixedUsd: number;
  readonly variableUsd: number;
}

/**
 * Split a forward F (USD, > 0) into fixed and variable portions. Outside the last 30 minutes the forward is all
 * variable. Inside, the settlement price is a TWAP that is being fixed as time passes; the snapshot has no feed for the
 * fixed part, so (as Derive's own test harness does) it is modelled as F × (1800 − T)/1800 fixed, F × T/1800 variable.
 * Expired (T ≤ 0): fully fixed.
 */
export function forwardPortions(forwardUsd: number, secondsToExpiry: number): ForwardPortions {
  if (secondsToExpiry >= FORWARD_FIXING_WINDOW_SECONDS) return { fixedUsd: 0, variableUsd: forwardUsd };
  const t = Math.max(secondsToExpiry, 0);
  return {
    fixedUsd: (forwardUsd * (FORWARD_FIXING_WINDOW_SECONDS - t)) / FORWARD_FIXING_WINDOW_SECONDS,
    variableUsd: (forwardUsd * t) / FORWARD_FIXING_WINDOW_SECONDS,
  };
}

/** Shocked forward F' = F_fixed + F_var × s (USD per coin), for a spot multiplier s > 0. */
export function shockedForwardUsd(portions: ForwardPortions, spotMultiplier: number): number {
  return portions.fixedUsd + portions.variableUsd * spotMultiplier;
}

/** Up and down vol multipliers of one expiry (dimensionless, ≥ 0). */
export interface VolMultipliers {
  /** m_e = (30 d / max(T, dteFloor))^p. */
  readonly scale: number;
  /** up_e = 1 + volRangeUp × m_e. */
  readonly up: number;
  /** down_e = max(0, 1 − volRangeDown × m_e). */
  readonly down: number;
}

/** The shared risk-layer vol-shock rule configured as Derive's: pivot 30 d, DTE floor, T ≤ 30 d short term, min vol up. */
export function deriveVolShockParams(volShock: DerivePmrm2Params["volShock"]): VolShockParams {
  return {
    rangeUpDecimal: volShock.volRangeUpDecimal,
    rangeDownDecimal: volShock.volRangeDownDecimal,
    shortTermPower: volShock.shortTermPower,
    longTermPower: volShock.longTermPower,
    pivotDays: 30,
    dteFloorDays: volShock.dteFloorDays,
    shortTermBoundary: "le",
    minVolForShockUpDecimal: volShock.minVolUpShockDecimal,
  };
}

/**
 * Vol-shock multipliers for an expiry T seconds away (any T; expired options use the DTE floor):
 * m = (30 d / max(T, dteFloor))^p with p = shortTermPower if T ≤ 30 d (inclusive, Derive) else longTermPower.
 */
export function volMultipliers(secondsToExpiry: number, volShock: DerivePmrm2Params["volShock"]): VolMultipliers {
  const scale = volShockScale(secondsToExpiry / SECONDS_PER_DAY, deriveVolShockParams(volShock));
  return {
    scale,
    up: 1 + volShock.volRangeUpDecimal * scale,
    down: Math.max(0, 1 - volShock.volRangeDownDecimal * scale),
  };
}

/**
 * Vol (decimal) of an option under a scenario's vol direction: up = max(minVolUpShock, σ × up), down = σ × down,
 * unchanged = σ.
 */
export function shockedVolDecimal(
  volDecimal: number,
  direction: VolShift,
  multipliers: VolMultipliers,
  minVolUpShockDecimal: number,
): number {
  if (direction === "up") return Math.max(minVolUpShockDecimal, volDecimal * multipliers.up);
  if (direction === "down") return volDecimal * multipliers.down;
  return volDecimal;
}

/** Stable id of a scenario in the risk layer's format: `std:+18%:up` (regular), `ext:+300%:up` (tail). */
export function deriveScenarioId(s: DeriveScenarioParams): string {
  return scenarioId(s.tail ? "ext" : "std", s.spotMultiplier - 1, s.vol);
}
