/**
 * The ISDA SIMM aggregation shape (../shared/reference/classic-methods.md §5.2), as plain kernels:
 *
 * ```
 * K = √( Σ_k WS_k² + Σ_k Σ_{l≠k} ρ_kl · WS_k · WS_l )        (correlated sum of weighted sensitivities)
 * S = max( min(Σ_k WS_k, K), −K )                             (the signed bucket total used across buckets)
 * ```
 * The radicand of a positive semidefinite correlation matrix is ≥ 0 up to rounding; it is floored at 0 so a
 * rounding residue never gives NaN.
 * @module
 */

/** Square matrix, row-major rows; `m[i][j]`. */
export type Matrix = readonly (readonly number[])[];

/** K = √(wsᵀ ρ ws), with the diagonal of ρ taken as 1 (USD in, USD out). ρ is n × n for n = ws.length. */
export function correlatedSum(ws: readonly number[], rho: Matrix): number {
  let s = 0;
  for (let k = 0; k < ws.length; k++) {
    const wk = ws[k] as number;
    s += wk * wk;
    const row = rho[k] as readonly number[];
    for (let l = 0; l < ws.length; l++) if (l !== k) s += (row[l] as number) * wk * (ws[l] as number);
  }
  return Math.sqrt(Math.max(s, 0));
}

/** SIMM's signed bucket total S = max(min(Σ ws, K), −K). */
export function cappedNet(ws: readonly number[], k: number): number {
  let net = 0;
  for (const w of ws) net += w;
  return Math.max(Math.min(net, k), -k);
}

/**
 * True when `m` is a symmetric correlation matrix (unit diagonal, entries in [−1, 1]) that is positive
 * semidefinite, checked by a Cholesky factorisation that accepts pivots down to −tolerance (PSD, not only PD).
 */
export function isCorrelationMatrix(m: Matrix, tolerance = 1e-10): boolean {
  const n = m.length;
  for (let i = 0; i < n; i++) {
    const row = m[i];
    if (row === undefined || row.length !== n || row[i] !== 1) return false;
    for (let j = 0; j < n; j++) {
      const v = row[j] as number;
      if (!(Math.abs(v) <= 1) || v !== (m[j]?.[i] as number)) return false;
    }
  }
  const L: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let j = 0; j < n; j++) {
    let d = (m[j] as readonly number[])[j] as number;
    for (let k = 0; k < j; k++) d -= (L[j]?.[k] as number) ** 2;
    if (d < -tolerance) return false;
    const ljj = Math.sqrt(Math.max(d, 0));
    (L[j] as number[])[j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = (m[i] as readonly number[])[j] as number;
      for (let k = 0; k < j; k++) s -= (L[i]?.[k] as number) * (L[j]?.[k] as number);
      // A zero pivot (a perfectly dependent factor): the column must then be zero too, up to the tolerance.
      if (ljj <= tolerance) {
        if (Math.abs(s) > Math.sqrt(tolerance)) return false;
        (L[i] as number[])[j] = 0;
      } else (L[i] as number[])[j] = s / ljj;
    }
  }
  return true;
}
