/**
 * Nearest correlation matrix (Frobenius norm, weights W = I): N. J. Higham, "Computing the nearest correlation
 * matrix — a problem from finance", IMA J. Numer. Anal. 22(3) (2002) 329–343, Algorithm 3.3. Alternating
 * projections onto S (symmetric positive semidefinite) and U (unit diagonal), with Dykstra's correction ΔS on the
 * projection onto S (U is an affine subspace and needs none):
 *
 *   ΔS₀ = 0, Y₀ = A;  for k = 1, 2, …:  R = Y − ΔS;  X = P_S(R);  ΔS = X − R;  Y = P_U(X)
 *
 * P_S zeroes the negative eigenvalues (Jacobi eigen-decomposition, see linalg.ts), P_U sets the diagonal to 1.
 * Stops when max(‖ΔX‖/‖X‖, ‖ΔY‖/‖Y‖, ‖Y − X‖/‖Y‖) ≤ tolerance (Higham's criterion in his `nearcorr.m`). The answer
 * is Y: exactly unit diagonal, PSD to within about tolerance × ‖Y‖ (its smallest eigenvalue may be −1e−16-ish; a
 * consumer needing a factor uses an eigen square root with clamping, not a plain Cholesky).
 *
 * Checked against NAG g02aa's published example (a different algorithm, Qi–Sun Newton) and a numpy implementation
 * (test/fixtures/math/generate_ncm.py). Linear convergence: tens of iterations for the examples, n ≤ ~50 in use.
 * @module
 */
import { frobeniusDistance, recompose, symmetricEigen } from "./linalg.js";

/** Options of {@link nearestCorrelation}. */
export interface NearestCorrelationOptions {
  /** Relative-change stopping tolerance (see the module doc). Default 1e−12. */
  readonly tolerance?: number;
  /** Iteration cap. Default 10 000. */
  readonly maxIterations?: number;
}

/** Result of {@link nearestCorrelation}. */
export interface NearestCorrelationResult {
  /** The nearest correlation matrix found, row-major n×n, symmetric with unit diagonal. */
  readonly matrix: Float64Array;
  /** ‖A − matrix‖_F (W = I), the repair distance to report. */
  readonly distance: number;
  readonly iterations: number;
  /** False when the iteration cap was reached before the tolerance. */
  readonly converged: boolean;
  /** Smallest eigenvalue of `matrix` (≥ −tolerance-ish when converged). */
  readonly minEigenvalue: number;
}

/**
 * Nearest correlation matrix to a symmetric n×n matrix `a` (row-major; only its symmetric part is used; finite
 * entries). A matrix that is already a correlation matrix (PSD, unit diagonal) comes back unchanged up to rounding
 * after one iteration with distance ≈ 0.
 */
export function nearestCorrelation(a: Float64Array, n: number, options: NearestCorrelationOptions = {}): NearestCorrelationResult {
  const tolerance = options.tolerance ?? 1e-12;
  const maxIterations = options.maxIterations ?? 10_000;
  const sym = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sym[i * n + j] = 0.5 * (a[i * n + j]! + a[j * n + i]!);
  let y: Float64Array = sym.slice();
  let x: Float64Array = sym.slice();
  const ds = new Float64Array(n * n);
  const r = new Float64Array(n * n);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    iterations += 1;
    const xOld = x;
    const yOld = y;
    for (let i = 0; i < n * n; i++) r[i] = y[i]! - ds[i]!;
    x = projectPsd(r, n);
    for (let i = 0; i < n * n; i++) ds[i] = x[i]! - r[i]!;
    y = x.slice();
    for (let i = 0; i < n; i++) y[i * n + i] = 1;
    const ny = frobeniusDistance(y);
    const change = Math.max(frobeniusDistance(x, xOld) / frobeniusDistance(x), frobeniusDistance(y, yOld) / ny, frobeniusDistance(y, x) / ny);
    if (change <= tolerance) {
      converged = true;
      break;
    }
  }
  const minEigenvalue = symmetricEigen(y, n).values[0] ?? 1;
  return { matrix: y, distance: frobeniusDistance(sym, y), iterations, converged, minEigenvalue };
}

/** Projection onto the PSD cone in the Frobenius norm: V·max(Λ, 0)·Vᵀ, symmetrised against rounding. */
export function projectPsd(a: Float64Array, n: number): Float64Array {
  const p = recompose(symmetricEigen(a, n), n, (lambda) => (lambda > 0 ? lambda : 0));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const m = 0.5 * (p[i * n + j]! + p[j * n + i]!);
      p[i * n + j] = m;
      p[j * n + i] = m;
    }
  }
  return p;
}
