/**
 * Correlations of daily factor returns: estimation (sample, or EWMA as RiskMetrics 1996), validation of a given
 * matrix (symmetric, unit diagonal, PSD) and, only when asked, repair by Higham's nearest correlation matrix
 * (math/ncm.ts) with the repair distance reported. Matrices are row-major `Float64Array`s, n×n.
 * @module
 */
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { symmetricEigen } from "../math/linalg.js";
import { nearestCorrelation } from "../math/ncm.js";

/** `sample`: equally weighted, mean removed, divisor T − 1. `ewma`: zero-mean exponentially weighted (RiskMetrics). */
export type CorrelationMethod = "sample" | "ewma";

/** Volatilities and correlation of daily returns. */
export interface CovarianceEstimate {
  /** Standard deviation of each factor's daily return (decimal per day). */
  readonly volsDaily: Float64Array;
  /** Correlation matrix, n×n row-major, unit diagonal, PSD (by construction of both estimators). */
  readonly correlation: Float64Array;
  readonly observations: number;
  /** Factors (indices) with zero variance: their correlations are set to 0. */
  readonly constantFactors: readonly number[];
}

/** Absolute tolerance for symmetry and the unit diagonal of a given matrix (typed or rounded JSON numbers). */
export const CORRELATION_ENTRY_TOLERANCE = 1e-10;
/** A matrix whose smallest eigenvalue is ≥ −this is accepted as PSD (rounding of a valid matrix). */
export const PSD_TOLERANCE = 1e-10;

/**
 * Estimate from aligned daily returns: `returns[i][t]` is factor i's return on day t; every row has the same length
 * T ≥ 2. EWMA: Σ₀ = mean of r·rᵀ over the first min(seedDays, T) days, Σₜ₊₁ = λΣₜ + (1 − λ)rₜrₜᵀ, the answer is
 * the forecast after the last day (the same recursion as the EWMA variances of the filtered source).
 */
export function estimateCorrelation(returns: readonly Float64Array[], options: { readonly method: CorrelationMethod; readonly lambda?: number; readonly seedDays?: number }): CovarianceEstimate {
  const n = returns.length;
  const T = returns[0]?.length ?? 0;
  const cov = new Float64Array(n * n);
  if (options.method === "sample") {
    const mean = returns.map((r) => r.reduce((a, b) => a + b, 0) / T);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        let s = 0;
        const ri = returns[i]!, rj = returns[j]!, mi = mean[i]!, mj = mean[j]!;
        for (let t = 0; t < T; t++) s += (ri[t]! - mi) * (rj[t]! - mj);
        cov[i * n + j] = cov[j * n + i] = s / (T - 1);
      }
    }
  } else {
    const lambda = options.lambda ?? 0.94;
    const m = Math.min(options.seedDays ?? 30, T);
    for (let i = 0; i < n; i++) {
      for (let j = i; j < n; j++) {
        const ri = returns[i]!, rj = returns[j]!;
        let s = 0;
        for (let t = 0; t < m; t++) s += ri[t]! * rj[t]!;
        let c = s / m;
        for (let t = 0; t < T; t++) c = lambda * c + (1 - lambda) * ri[t]! * rj[t]!;
        cov[i * n + j] = cov[j * n + i] = c;
      }
    }
  }
  const volsDaily = new Float64Array(n);
  const constantFactors: number[] = [];
  for (let i = 0; i < n; i++) {
    volsDaily[i] = Math.sqrt(Math.max(0, cov[i * n + i]!));
    if (!(volsDaily[i]! > 0)) constantFactors.push(i);
  }
  const correlation = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const d = volsDaily[i]! * volsDaily[j]!;
      correlation[i * n + j] = i === j ? 1 : d > 0 ? Math.max(-1, Math.min(1, cov[i * n + j]! / d)) : 0;
    }
  }
  return { volsDaily, correlation, observations: T, constantFactors };
}

/** A checked (and possibly repaired) correlation matrix. */
export interface CheckedCorrelation {
  readonly matrix: Float64Array;
  readonly n: number;
  /** True when the input was not PSD and was replaced by its nearest correlation matrix. */
  readonly repaired: boolean;
  /** ‖input − matrix‖_F (0 when not repaired). */
  readonly repairDistance: number;
  readonly repairIterations: number;
  /** Smallest eigenvalue of the returned matrix. */
  readonly minEigenvalue: number;
  readonly notes: readonly string[];
}

/** Flatten square rows (e.g. from JSON) into a row-major matrix; `invalid_value` if not square, `non_finite` on NaN. */
export function matrixFromRows(rows: readonly (readonly number[])[], path = "correlation"): Result<Float64Array> {
  const n = rows.length;
  const issues: Issue[] = [];
  const out = new Float64Array(n * n);
  rows.forEach((row, i) => {
    if (row.length !== n) issues.push(issue("invalid_value", joinPath(path, i), `row has ${row.length} entries, the matrix is ${n}×${n}`));
    else row.forEach((x, j) => (Number.isFinite(x) ? (out[i * n + j] = x) : issues.push(issue("non_finite", joinPath(path, i, j), `entry is ${x}`))));
  });
  if (n === 0) issues.push(issue("required", path, "empty matrix"));
  return issues.length > 0 ? fail(...issues) : ok(out);
}

/**
 * Validate a correlation matrix: finite, symmetric and unit diagonal within 1e−10 (errors, never repaired: they mean
 * the input is not a correlation matrix at all), and PSD (smallest eigenvalue ≥ −1e−10). A matrix that is not PSD
 * (pairwise estimates, hand-edited stress values, entries beyond ±1) is an `invalid_value` error unless
 * `repair: true`, when it is replaced by its nearest correlation matrix and the Frobenius distance is reported.
 */
export function checkCorrelation(matrix: Float64Array, n: number, options: { readonly repair?: boolean; readonly path?: string } = {}): Result<CheckedCorrelation> {
  const path = options.path ?? "correlation";
  if (matrix.length !== n * n) return fail(issue("invalid_value", path, `matrix has ${matrix.length} entries, expected ${n}×${n}`));
  const issues: Issue[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const x = matrix[i * n + j]!;
      if (!Number.isFinite(x)) issues.push(issue("non_finite", joinPath(path, i, j), `entry is ${x}`));
    }
  }
  if (issues.length > 0) return fail(...issues);
  for (let i = 0; i < n; i++) {
    const d = matrix[i * n + i]!;
    if (Math.abs(d - 1) > CORRELATION_ENTRY_TOLERANCE) issues.push(issue("invalid_value", joinPath(path, i, i), `diagonal entry must be 1, got ${d}`));
    for (let j = i + 1; j < n; j++) {
      const a = matrix[i * n + j]!, b = matrix[j * n + i]!;
      if (Math.abs(a - b) > CORRELATION_ENTRY_TOLERANCE) issues.push(issue("invalid_value", joinPath(path, i, j), `not symmetric: [${i}][${j}] = ${a} but [${j}][${i}] = ${b}`));
    }
  }
  if (issues.length > 0) return fail(...issues);
  const minEigenvalue = symmetricEigen(matrix, n).values[0] ?? 1;
  if (minEigenvalue >= -PSD_TOLERANCE) {
    return ok({ matrix: Float64Array.from(matrix), n, repaired: false, repairDistance: 0, repairIterations: 0, minEigenvalue, notes: [] });
  }
  if (!options.repair) {
    return fail(
      issue("invalid_value", path, `not positive semidefinite (smallest eigenvalue ${minEigenvalue.toPrecision(4)}); pass repair: true (--repair-correlation) to use the nearest correlation matrix (Higham 2002)`),
    );
  }
  return repairCorrelation(matrix, n, path, `not PSD (smallest eigenvalue ${minEigenvalue.toPrecision(4)})`);
}

/** Replace a symmetric matrix by its nearest correlation matrix, reporting the distance; fails if NCM does not converge. */
export function repairCorrelation(matrix: Float64Array, n: number, path: string, why: string): Result<CheckedCorrelation> {
  const r = nearestCorrelation(matrix, n);
  if (!r.converged) return fail(issue("invalid_value", path, `nearest correlation matrix did not converge in ${r.iterations} iterations`));
  return ok({
    matrix: r.matrix,
    n,
    repaired: true,
    repairDistance: r.distance,
    repairIterations: r.iterations,
    minEigenvalue: r.minEigenvalue,
    notes: [`correlation ${why}: repaired to the nearest correlation matrix (Higham 2002), Frobenius distance ${r.distance.toPrecision(4)} after ${r.iterations} iterations`],
  });
}
