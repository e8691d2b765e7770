/**
 * Arbitrage checks of a built surface (after the calendar fix and interpolation), for the fit report.
 * - Calendar: w(k, T) non-decreasing in T on a (k, T) grid: every k of the check grid × every expiry,
 *   the midpoints between expiries, 0.5·T₁ and 1.5, 3 and 10 × T_n.
 * - Butterfly: Durrleman's g of the interpolated smile at α ∈ {0, 1/4, 1/2, 3/4} between consecutive expiries
 *   (α = 0: the fixed slice itself), of the last slice, and of the long-end extrapolation at 3 × and 10 × T_n.
 *   Before T₁ no check is needed: w·λ with λ = T/T₁ < 1 keeps g ≥ 0 (g is concave in λ, ≥ 0 at λ = 0 and 1).
 * @module
 */
import type { SurfaceCore } from "./core.js";
import { durrlemanFromDerivatives } from "./svi.js";

/** True when w(k, T) never decreases in T on the check grid (relative tolerance 1e-12 for rounding). */
export function checkCalendarMonotone(core: SurfaceCore, grid: Float64Array, timesYears: Float64Array): boolean {
  const n = timesYears.length;
  const ts: number[] = [0.5 * (timesYears[0] as number)];
  for (let i = 0; i < n; i++) {
    ts.push(timesYears[i] as number);
    if (i + 1 < n) ts.push(0.5 * ((timesYears[i] as number) + (timesYears[i + 1] as number)));
  }
  const tLast = timesYears[n - 1] as number;
  ts.push(1.5 * tLast, 3 * tLast, 10 * tLast);
  for (let q = 0; q < grid.length; q++) {
    const k = grid[q] as number;
    let prev = 0;
    for (const t of ts) {
      const w = core.totalVariance(k, t);
      if (w < prev - 1e-12 * prev) return false;
      prev = w;
    }
  }
  return true;
}

/**
 * Smallest Durrleman g over the interpolated and extrapolated smiles listed in the module comment, on `grid`
 * (the union of every slice's check grid, see calendar.ts).
 */
export function minInterpolatedDurrleman(core: SurfaceCore, grid: Float64Array, timesYears: Float64Array): number {
  const n = timesYears.length;
  const lo = new Float64Array(3);
  const hi = new Float64Array(3);
  let minG = Number.POSITIVE_INFINITY;
  for (let i = 0; i < n; i++) {
    const last = i === n - 1;
    const alphas = last ? [0] : [0, 0.25, 0.5, 0.75];
    for (let q = 0; q < grid.length; q++) {
      const k = grid[q] as number;
      core.sliceDerivatives(i, k, lo);
      if (!last) core.sliceDerivatives(i + 1, k, hi);
      for (const al of alphas) {
        const w = (1 - al) * (lo[0] as number) + (last ? 0 : al * (hi[0] as number));
        const dw = (1 - al) * (lo[1] as number) + (last ? 0 : al * (hi[1] as number));
        const d2w = (1 - al) * (lo[2] as number) + (last ? 0 : al * (hi[2] as number));
        const g = durrlemanFromDerivatives(k, w, dw, d2w);
        if (g < minG) minG = g;
      }
      if (last) {
        // Long end: w̃_n(k) + (T − T_n)·θ_n/T_n; the added constant does not change w' or w''.
        const tLast = timesYears[n - 1] as number;
        for (const mult of [3, 10]) {
          const extra = core.totalVariance(0, mult * tLast) - core.totalVariance(0, tLast);
          const g = durrlemanFromDerivatives(k, (lo[0] as number) + extra, lo[1] as number, lo[2] as number);
          if (g < minG) minG = g;
        }
      }
    }
  }
  return minG;
}
