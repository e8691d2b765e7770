/**
 * Calendar-spread arbitrage between fitted smiles. With deterministic forwards there is no calendar arbitrage iff
 * total variance w(k, T) is non-decreasing in T at every fixed log-moneyness k = ln(K/F(T)) (Gatheral & Jacquier
 * 2014, Lemma 2.1). Fitted slices are compared pairwise on a check grid; the "running max" fix replaces a slice
 * by the pointwise maximum of itself and every earlier slice that exceeds it somewhere.
 * @module
 */
import type { CalendarViolation, SviParams } from "./types.js";
import { butterflyCheckGrid, sviTotalVariance } from "./svi.js";

/** A fitted slice and the quoted range its check grid is built from. */
export interface SliceGeometry {
  readonly params: SviParams;
  readonly expiryMs: number;
  readonly kMin: number;
  readonly kMax: number;
  /** √(w at the quote nearest the money). */
  readonly atmStdDev: number;
}

/** Check-grid points per slice (the quoted range and its surroundings, plus the ladder out to |k| = 50). */
const SLICE_GRID_POINTS = 401;
/**
 * Uniform part of the calendar grid: step 0.005 on [−5, 5], 0.05 beyond out to ±50. Far out, two smiles' wings are
 * nearly linear and, once crossed, stay crossed up to ±50, so the coarser step cannot hide a crossing.
 */
const INNER_STEP = 0.005;
const OUTER_STEP = 0.05;

/**
 * The union of the check grids of some slices, 81 points over m ± 8σ of each, and a uniform grid (step 0.005 on
 * [−5, 5], 0.05 out to ±50; sorted): dense where each smile has its structure, and fine enough in the wings, where
 * two smiles' nearly linear wings cross.
 */
export function unionGrid(slices: readonly SliceGeometry[]): Float64Array {
  const parts: number[] = [];
  for (const s of slices) {
    const g = butterflyCheckGrid(s.kMin, s.kMax, s.atmStdDev, SLICE_GRID_POINTS);
    for (let i = 0; i < g.length; i++) parts.push(g[i] as number);
    for (let i = 0; i <= 80; i++) parts.push(s.params.m + s.params.sigma * (-8 + i * 0.2));
  }
  const inner = Math.round(10 / INNER_STEP);
  for (let i = 0; i <= inner; i++) parts.push(-5 + i * INNER_STEP);
  const outer = Math.round(45 / OUTER_STEP);
  for (let i = 1; i <= outer; i++) parts.push(-5 - i * OUTER_STEP, 5 + i * OUTER_STEP);
  const sorted = Float64Array.from(parts.filter((k) => k >= -50 && k <= 50)).sort();
  // Distinct values only: the safe intervals below step from one grid point to the next.
  return sorted.filter((k, i) => i === 0 || k !== sorted[i - 1]);
}

/**
 * Relative margin under which an earlier slice is still included in a later slice's running max: a slice that
 * comes within 0.1 % of a later one on the grid is kept in the max, so a crossing between grid points cannot be
 * missed unless the two smiles' relative gap changes by more than 0.1 % between neighbouring grid points.
 */
const DOMINANCE_MARGIN = 1e-3;

/** Pairwise calendar diagnostics of fitted slices (ascending expiries). */
export interface CalendarAnalysis {
  /** Every pair (earlier, later) where the earlier slice's w exceeds the later one's on the grid. */
  readonly violations: CalendarViolation[];
  /** For each slice i, the earlier slices j < i that enter its running max (empty when the fix is off). */
  readonly dominators: number[][];
  /**
   * For each slice i, an open interval (safeLo, safeHi) of k around its quoted range where no dominator comes
   * within the margin on the grid, so the running max there is the slice itself (lets evaluation skip the max).
   * (−Infinity, +Infinity) when there are no dominators; empty (safeLo ≥ safeHi) when none could be found.
   */
  readonly safeLo: Float64Array;
  readonly safeHi: Float64Array;
}

/** Compare every pair of slices j < i on `grid` (default: the union of all their check grids, {@link unionGrid}). */
export function analyzeCalendar(slices: readonly SliceGeometry[], runningMax: boolean, grid: Float64Array = unionGrid(slices)): CalendarAnalysis {
  const violations: CalendarViolation[] = [];
  const dominators: number[][] = slices.map(() => []);
  const safeLo = new Float64Array(slices.length).fill(Number.NEGATIVE_INFINITY);
  const safeHi = new Float64Array(slices.length).fill(Number.POSITIVE_INFINITY);
  const G = grid.length;
  const values = slices.map((sl) => grid.map((k) => sviTotalVariance(sl.params, k)));
  for (let i = 1; i < slices.length; i++) {
    const later = slices[i] as SliceGeometry;
    const wl = values[i] as Float64Array;
    const center = 0.5 * (later.kMin + later.kMax);
    // Grid indices of the innermost "near" points on each side of the quoted range's centre.
    let nearBelow = -1;
    let nearAbove = G;
    for (let j = 0; j < i; j++) {
      const earlier = slices[j] as SliceGeometry;
      const we = values[j] as Float64Array;
      let maxExcess = 0;
      let at = 0;
      let near = false;
      for (let q = 0; q < G; q++) {
        const k = grid[q] as number;
        const excess = (we[q] as number) - (wl[q] as number);
        // Rounding-level excesses are not arbitrage: 1e-9 relative, 1e-14 absolute.
        if (excess > 1e-14 + 1e-9 * Math.abs(wl[q] as number) && excess > maxExcess) {
          maxExcess = excess;
          at = k;
        }
        if (runningMax && (we[q] as number) > (1 - DOMINANCE_MARGIN) * (wl[q] as number)) {
          near = true;
          if (k <= center && q > nearBelow) nearBelow = q;
          if (k >= center && q < nearAbove) nearAbove = q;
        }
      }
      if (maxExcess > 0) {
        violations.push({
          earlierExpiryMs: earlier.expiryMs,
          laterExpiryMs: later.expiryMs,
          maxExcessTotalVariance: maxExcess,
          atLogMoneyness: at,
        });
      }
      if (near) (dominators[i] as number[]).push(j);
    }
    // The safe interval stops at the last grid point that is not near: between it and the first near point the
    // smiles may already cross, so only points strictly between two non-near grid points count as safe.
    if (nearBelow >= 0) safeLo[i] = nearBelow + 1 < G ? (grid[nearBelow + 1] as number) : Number.POSITIVE_INFINITY;
    if (nearAbove < G) safeHi[i] = nearAbove - 1 >= 0 ? (grid[nearAbove - 1] as number) : Number.NEGATIVE_INFINITY;
  }
  return { violations, dominators, safeLo, safeHi };
}
