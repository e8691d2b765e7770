/**
 * Independent arbitrage and domain checks of a built surface, from the outside (its public API and Black-76
 * prices), shared by the real-data tests.
 */
import { black76PriceUsd } from "../../src/pricing/black76.js";
import type { VolQuote, VolSurface } from "../../src/market/vol-surface.js";

/** Times from 1 hour to 5 years: 1 h, 6 h, 1 d, 3 d, 1 w, 2 w, 1 m, 2 m, 3 m, 6 m, 9 m, 1 y, 2 y, 5 y. */
export const CHECK_TIMES_YEARS = [1 / 8766, 6 / 8766, 1 / 365.25, 3 / 365.25, 7 / 365.25, 14 / 365.25, 1 / 12, 1 / 6, 0.25, 0.5, 0.75, 1, 2, 5];

/** Log-moneyness ln(K/F) from ln 0.01 to ln 100 in 2001 steps. */
export const CHECK_LOG_MONEYNESS = Array.from({ length: 2001 }, (_, i) => Math.log(0.01) + (Math.log(1e4) * i) / 2000);

/** Smallest and largest vol over K/F ∈ [0.01, 100] × T ∈ [1 h, 5 y], and whether every value was finite and > 0. */
export function volRange(s: VolSurface): { min: number; max: number; allFinitePositive: boolean } {
  let min = Number.POSITIVE_INFINITY;
  let max = 0;
  let ok = true;
  for (const t of CHECK_TIMES_YEARS) {
    const F = s.forwardUsd(t);
    for (const k of CHECK_LOG_MONEYNESS) {
      const v = s.vol(F * Math.exp(k), t);
      if (!(Number.isFinite(v) && v > 0)) ok = false;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
  }
  return { min, max, allFinitePositive: ok };
}

/** Largest decrease of total variance in T at fixed k over the check grid and all check times plus `extraTimes`. */
export function worstCalendarDecrease(s: VolSurface, extraTimes: readonly number[]): number {
  const ts = [...CHECK_TIMES_YEARS, ...extraTimes].sort((a, b) => a - b);
  let worst = 0;
  for (const k of CHECK_LOG_MONEYNESS) {
    let prev = 0;
    for (const t of ts) {
      const w = s.totalVariance(k, t);
      worst = Math.max(worst, prev - w);
      prev = w;
    }
  }
  return worst;
}

/**
 * Butterfly check from prices: undiscounted Black call prices on the surface's vols over K/F ∈ [0.05, 20]
 * (4001 geometric strikes) must be convex in K. Returns the most negative change of slope (0 if convex),
 * relative to the forward-normalised slope scale 1.
 */
export function worstConvexityViolation(s: VolSurface, t: number): number {
  const F = s.forwardUsd(t);
  const n = 4001;
  const K = Array.from({ length: n }, (_, i) => F * Math.exp(Math.log(0.05) + (Math.log(400) * i) / (n - 1)));
  const C = K.map((k) => black76PriceUsd({ isCall: true, forwardUsd: F, strikeUsd: k, timeYears: t, volDecimal: s.vol(k, t) }));
  let worst = 0;
  for (let i = 1; i < n - 1; i++) {
    const left = ((C[i] as number) - (C[i - 1] as number)) / ((K[i] as number) - (K[i - 1] as number));
    const right = ((C[i + 1] as number) - (C[i] as number)) / ((K[i + 1] as number) - (K[i] as number));
    worst = Math.min(worst, right - left);
  }
  return worst;
}

/**
 * Number of expiries whose quoted marks themselves have butterfly arbitrage: undiscounted Black call prices at the
 * quoted strikes (one vol per strike; calls and puts carry the same mark IV) whose slopes in K decrease somewhere by
 * more than 1e-9 (slope scale 1).
 */
export function expiriesWithArbitrageableMarks(quotes: readonly VolQuote[], timeYears: (expiryMs: number) => number): number {
  const byExpiry = new Map<number, VolQuote[]>();
  for (const q of quotes) byExpiry.set(q.expiryMs, [...(byExpiry.get(q.expiryMs) ?? []), q]);
  let count = 0;
  for (const [expiryMs, qs] of byExpiry) {
    const vol = new Map(qs.map((q) => [q.strikeUsd, q.volDecimal]));
    const K = [...vol.keys()].sort((a, b) => a - b);
    const F = [...qs.map((q) => q.forwardUsd)].sort((a, b) => a - b)[qs.length >> 1] as number;
    const t = timeYears(expiryMs);
    const C = K.map((k) => black76PriceUsd({ isCall: true, forwardUsd: F, strikeUsd: k, timeYears: t, volDecimal: vol.get(k) as number }));
    let bad = false;
    for (let i = 1; i < K.length - 1; i++) {
      const left = ((C[i] as number) - (C[i - 1] as number)) / ((K[i] as number) - (K[i - 1] as number));
      const right = ((C[i + 1] as number) - (C[i] as number)) / ((K[i + 1] as number) - (K[i] as number));
      if (right - left < -1e-9) bad = true;
    }
    if (bad) count++;
  }
  return count;
}
