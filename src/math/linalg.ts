/**
 * Small dense linear algebra for correlation work (n ≤ ~50 factors): Cholesky factorisation with a clear failure for
 * a matrix that is not positive definite, and the symmetric eigen-decomposition by cyclic Jacobi rotations (slow for
 * large n, O(n³) per sweep, but simple, unconditionally convergent and accurate to a few ulps of the norm; Golub &
 * Van Loan, "Matrix Computations", 4th ed., §8.5).
 *
 * Matrices are row-major `Float64Array`s of length n·n: element (i, j) is `a[i * n + j]`. Inputs are never modified.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";

/**
 * Lower-triangular L with L·Lᵀ = A for a symmetric positive-definite A (only the lower triangle of A is read).
 * Fails with `invalid_value` naming the first pivot that is not positive — "not positive definite at pivot k" —
 * when a pivot is ≤ 1e−14 × the largest diagonal entry (a singular PSD matrix fails too: its factor is not unique
 * and the division by a rounding-noise pivot would return garbage). Also fails on non-finite entries.
 */
export function cholesky(a: Float64Array, n: number): Result<Float64Array> {
  if (a.length !== n * n) return fail(issue("invalid_value", "", `matrix has ${a.length} entries, expected ${n}×${n}`));
  let maxDiag = 0;
  for (let i = 0; i < n; i++) {
    const d = a[i * n + i]!;
    if (!Number.isFinite(d)) return fail(issue("non_finite", `[${i}][${i}]`, "matrix entry is not finite"));
    maxDiag = Math.max(maxDiag, Math.abs(d));
  }
  const floor = 1e-14 * maxDiag;
  const l = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j]!;
    for (let k = 0; k < j; k++) d -= l[j * n + k]! * l[j * n + k]!;
    if (!(d > floor)) {
      return fail(
        issue("invalid_value", "", `not positive definite: pivot ${j} is ${d.toPrecision(6)} (≤ ${floor.toPrecision(3)}); a correlation matrix must be repaired (nearest correlation matrix) or factored by eigen-decomposition`),
      );
    }
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j]!;
      if (!Number.isFinite(s)) return fail(issue("non_finite", `[${i}][${j}]`, "matrix entry is not finite"));
      for (let k = 0; k < j; k++) s -= l[i * n + k]! * l[j * n + k]!;
      l[i * n + j] = s / ljj;
    }
  }
  return ok(l);
}

/** Eigen-decomposition of a symmetric matrix: A = V·diag(values)·Vᵀ. */
export interface SymmetricEigen {
  /** Eigenvalues in ascending order. */
  readonly values: Float64Array;
  /** Orthonormal eigenvectors as columns, row-major n×n: column j (`vectors[i * n + j]`) belongs to `values[j]`. */
  readonly vectors: Float64Array;
  /** Jacobi sweeps used. */
  readonly sweeps: number;
}

/**
 * Symmetric eigen-decomposition by cyclic Jacobi with the stable rotation of Rutishauser (t = sgn(θ)/(|θ| + √(θ²+1))).
 * Only the symmetric part ½(A + Aᵀ) is used. Stops when the off-diagonal Frobenius norm is ≤ 1e−15 × ‖A‖_F (or after
 * 100 sweeps; a handful suffice in practice: convergence is quadratic). Entries must be finite (callers validate).
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[i * n + j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  let total = 0;
  for (let i = 0; i < n * n; i++) total += m[i]! * m[i]!;
  const target = 1e-30 * total; // (1e-15 ‖A‖_F)²
  let sweeps = 0;
  for (; sweeps < 100; sweeps++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * m[p * n + q]! * m[p * n + q]!;
    if (off <= target) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const app = m[p * n + p]!, aqq = m[q * n + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = (theta >= 0 ? 1 : -1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        // A ← Jᵀ A J on rows/columns p, q.
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p]!, akq = m[k * n + q]!;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k]!, aqk = m[q * n + k]!;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
        m[p * n + q] = 0;
        m[q * n + p] = 0;
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => m[x * n + x]! - m[y * n + y]!);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    values[dst] = m[src * n + src]!;
    for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src]!;
  });
  return { values, vectors, sweeps };
}

/** V·diag(f(λ))·Vᵀ for a symmetric eigen-decomposition: e.g. the PSD projection with f = max(λ, 0). */
export function recompose(eigen: SymmetricEigen, n: number, f: (lambda: number) => number): Float64Array {
  const out = new Float64Array(n * n);
  const { values, vectors } = eigen;
  for (let k = 0; k < n; k++) {
    const w = f(values[k]!);
    if (w === 0) continue;
    for (let i = 0; i < n; i++) {
      const vik = vectors[i * n + k]! * w;
      if (vik === 0) continue;
      for (let j = 0; j < n; j++) out[i * n + j] = out[i * n + j]! + vik * vectors[j * n + k]!;
    }
  }
  return out;
}

/** Frobenius norm ‖A − B‖_F of two n·n matrices (‖A‖_F when `b` is omitted). */
export function frobeniusDistance(a: Float64Array, b?: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - (b ? b[i]! : 0);
    s += d * d;
  }
  return Math.sqrt(s);
}
