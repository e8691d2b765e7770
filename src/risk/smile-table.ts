/**
 * A smile as a cubic Hermite table in log-strike, for sticky-moneyness revaluation: after the forward of a base moves
 * by (1 + m), an option of strike K takes the vol the surface gives today at strike K/(1 + m) (same moneyness K/F').
 * Evaluating the surface itself per option and per scenario would cost far more than the Black-76 price, so each
 * (base, expiry) slice is tabulated once, on a uniform grid of u = ln K' covering every strike of the book shifted by
 * every move of the scenario set, and every option of that slice reads the same table (the per-expiry reuse).
 *
 * Interpolation: cubic Hermite with node slopes from 4th-order central differences of the node values, so the error
 * is O(h⁴) for a smooth smile. The smile of a short expiry bends on the scale of σ√T in ln K (a 1-day option: ≈ 0.02),
 * so the step is h = min(1/128, σ√T/32) (measured against the surface in revaluation.test.ts).
 * Outside the grid the end values are held (the grid already covers every strike × move the table is built for).
 * @module
 */

/** Largest grid step in ln K (≈ 0.78 % in strike). */
export const SMILE_TABLE_STEP = 1 / 128;
/** Grid steps per σ√T: the step is min(SMILE_TABLE_STEP, σ√T / SMILE_STEPS_PER_STD_DEV). */
export const SMILE_STEPS_PER_STD_DEV = 32;
/** Upper bound on intervals per table; a wider range gets a coarser step. */
const MAX_INTERVALS = 8192;

/** One tabulated slice: 4 coefficients per interval, p(t) = c0 + t·(c1 + t·(c2 + t·c3)), t ∈ [0, 1). */
export interface SmileTable {
  /** ln K at the left end of the grid. */
  readonly uMin: number;
  /** 1 / step. */
  readonly invStep: number;
  readonly intervals: number;
  readonly coefficients: Float64Array;
}

/**
 * Tabulate vol(u) = `volAt(exp(u))` on [uMin, uMax] (finite, uMin < uMax) with steps of at most `step` (> 0; the
 * number of intervals is capped at 8,192, which coarsens the step for a very wide range).
 * @param volAt - the surface's vol at a strike in USD (decimal, > 0), e.g. `(k) => market.surfaceVol(base, k, expiryMs)`.
 */
export function buildSmileTable(volAt: (strikeUsd: number) => number, uMin: number, uMax: number, step = SMILE_TABLE_STEP): SmileTable {
  const span = Math.max(uMax - uMin, step);
  const intervals = Math.min(MAX_INTERVALS, Math.max(1, Math.ceil(span / step)));
  const h = span / intervals;
  // Node values with two extra nodes on each side for the 4th-order slope stencil.
  const nodes = intervals + 5;
  const v = new Float64Array(nodes);
  for (let i = 0; i < nodes; i++) v[i] = volAt(Math.exp(uMin + (i - 2) * h));
  const slope = (i: number): number =>
    // f'(u_i)·h ≈ (−f(i+2) + 8 f(i+1) − 8 f(i−1) + f(i−2)) / 12, with node i at v[i + 2].
    (-(v[i + 4] as number) + 8 * (v[i + 3] as number) - 8 * (v[i + 1] as number) + (v[i] as number)) / 12;
  const c = new Float64Array(intervals * 4);
  for (let i = 0; i < intervals; i++) {
    const f0 = v[i + 2] as number;
    const f1 = v[i + 3] as number;
    const d0 = slope(i);
    const d1 = slope(i + 1);
    const o = i * 4;
    c[o] = f0;
    c[o + 1] = d0;
    c[o + 2] = 3 * (f1 - f0) - 2 * d0 - d1;
    c[o + 3] = 2 * (f0 - f1) + d0 + d1;
  }
  return { uMin, invStep: 1 / h, intervals, coefficients: c };
}

/** A table that is 1 everywhere: what an option without a usable surface reads (it then moves sticky-strike). */
export function flatSmileTable(): SmileTable {
  return { uMin: 0, invStep: 1, intervals: 1, coefficients: Float64Array.of(1, 0, 0, 0) };
}

/** Evaluate a table at u = ln K (held constant outside the grid). */
export function evalSmileTable(t: SmileTable, u: number): number {
  let p = (u - t.uMin) * t.invStep;
  const top = t.intervals - 1e-9;
  p = p < 0 ? 0 : p > top ? top : p;
  const i = p | 0;
  const x = p - i;
  const o = i * 4;
  const c = t.coefficients;
  return (c[o] as number) + x * ((c[o + 1] as number) + x * ((c[o + 2] as number) + x * (c[o + 3] as number)));
}
