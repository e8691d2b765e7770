/**
 * Durrleman's g of a raw SVI given as plain numbers, minimised or penalised over a check grid: the hot loop of the
 * smile fit (svi-fit.ts), written without objects so that it allocates nothing.
 * @module
 */

/** Smallest Durrleman g of a raw SVI on `grid`, on 41 points over m ± 8s and at its minimum (−Infinity where w ≤ 0). */
export function minDurrleman(a: number, b: number, rho: number, m: number, s: number, grid: Float64Array): number {
  let minG = Number.POSITIVE_INFINITY;
  const s2 = s * s;
  const total = grid.length + 42;
  const q = 1 - rho * rho;
  // The last point is the smile's minimum, where w ≤ 0 would show first.
  const argMin = b > 0 && q > 0 ? m - (rho * s) / Math.sqrt(q) : m;
  for (let i = 0; i < total; i++) {
    const kk = i < grid.length ? (grid[i] as number) : i < total - 1 ? m + s * (-8 + (i - grid.length) * 0.4) : argMin;
    const x = kk - m;
    const r = Math.sqrt(x * x + s2);
    const w = a + b * (rho * x + r);
    if (!(w > 0)) return Number.NEGATIVE_INFINITY;
    const dw = b * (rho + x / r);
    const d2w = (b * s2) / (r * r * r);
    const t = 1 - (kk * dw) / (2 * w);
    const g = t * t - ((dw * dw) / 4) * (1 / w + 0.25) + d2w / 2;
    if (g < minG) minG = g;
  }
  return minG;
}

/**
 * Σ over the same points as {@link minDurrleman} of max(0, margin − g)²: a smooth measure of how far a raw SVI is
 * from satisfying g ≥ margin (+Infinity where w ≤ 0).
 */
export function durrlemanShortfall(a: number, b: number, rho: number, m: number, s: number, grid: Float64Array, margin: number): number {
  let sum = 0;
  const s2 = s * s;
  const total = grid.length + 42;
  const q = 1 - rho * rho;
  const argMin = b > 0 && q > 0 ? m - (rho * s) / Math.sqrt(q) : m;
  for (let i = 0; i < total; i++) {
    const kk = i < grid.length ? (grid[i] as number) : i < total - 1 ? m + s * (-8 + (i - grid.length) * 0.4) : argMin;
    const x = kk - m;
    const r = Math.sqrt(x * x + s2);
    const w = a + b * (rho * x + r);
    if (!(w > 0)) return Number.POSITIVE_INFINITY;
    const dw = b * (rho + x / r);
    const d2w = (b * s2) / (r * r * r);
    const t = 1 - (kk * dw) / (2 * w);
    const g = t * t - ((dw * dw) / 4) * (1 / w + 0.25) + d2w / 2;
    if (g < margin) sum += (margin - g) * (margin - g);
  }
  return sum;
}

