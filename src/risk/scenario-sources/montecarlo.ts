/**
 * Monte Carlo joint scenarios from a factor model (factor-model.ts): for each path, a vector of h-day log returns
 *
 *   X = σ·√h ⊙ (A·Z)·s,   A·Aᵀ = C (Cholesky; an eigen square root when C is singular),
 *
 * with Z a vector of independent standard normals and s = 1 (normal) or s = √((ν − 2)/W), W ~ χ²(ν) shared by all
 * factors of the path (multivariate Student-t scaled to the same variance as the normal, so only the tails and the
 * tail dependence change). Prices move by exp(X) − 1, vols by the ratio exp(X_vol): zero log drift (the horizon's
 * drift is negligible next to its volatility and margin should not bank on it). The h-day return is drawn directly
 * with variance h·σ² (√h scaling); for Student-t that is the stated ν at the horizon, not a sum of daily t's.
 *
 * Reproducible: one xoshiro256** stream from `seed`; per path (or antithetic pair) the F+V normals in factor order,
 * then (Student-t) W. Antithetic variates: paths 2k and 2k+1 use Z and −Z (same W), halving the draws and removing
 * odd-moment noise; the set says so (`antithetic`) because standard errors must then treat each pair as one draw.
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import { cholesky, recompose, symmetricEigen } from "../../math/linalg.js";
import { fillNormals, nextChiSquare, Xoshiro256StarStar } from "../../math/rng.js";
import type { JointScenarioSet } from "../joint.js";
import { checkHorizon } from "./common.js";
import { factorKeys } from "./factor-model.js";
import type { FactorModel } from "./factor-model.js";

/** Options of {@link monteCarloScenarios}. */
export interface MonteCarloOptions {
  /** Horizon in days, integer 1–10. */
  readonly horizonDays: number;
  /** Number of paths N (≥ 1; even when antithetic). */
  readonly paths: number;
  /** Seed: a non-negative safe integer. Same seed and options → bit-identical scenarios on any machine. */
  readonly seed: number;
  /** Default `normal`. */
  readonly distribution?: "normal" | "student-t";
  /** Student-t degrees of freedom ν > 2 (required for `student-t`). */
  readonly degreesOfFreedom?: number;
  /** Antithetic pairs. Default true. */
  readonly antithetic?: boolean;
  /**
   * Called with (paths done, N) about every 2 % of the paths, and once at the end: a front end draws a progress bar
   * from it (1,000,000 paths take seconds). Does not change the scenarios.
   */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Upper bound on paths × factors (memory: 8 bytes each, twice). */
const MAX_DRAWS = 50_000_000;

/** A square root A of the correlation (A·Aᵀ = C): Cholesky, or V·√max(Λ, 0) when C is singular or nearly so. */
export function correlationSquareRoot(correlation: Float64Array, n: number): { factor: Float64Array; method: "cholesky" | "eigen"; minEigenvalue?: number } {
  const l = cholesky(correlation, n);
  if (l.ok) return { factor: l.value, method: "cholesky" };
  const e = symmetricEigen(correlation, n);
  // A = V·diag(√λ⁺): recompose computes V·f(Λ)·Vᵀ, which is the symmetric square root — also a valid A (A·Aᵀ = C).
  return { factor: recompose(e, n, (x) => (x > 0 ? Math.sqrt(x) : 0)), method: "eigen", minEigenvalue: e.values[0] ?? 0 };
}

function checkOptions(model: FactorModel, o: MonteCarloOptions): Issue[] {
  const issues = checkHorizon(o.horizonDays);
  const n = model.priceFactors.length + model.volFactors.length;
  const antithetic = o.antithetic ?? true;
  if (!Number.isInteger(o.paths) || o.paths < 1) issues.push(issue("out_of_range", "paths", `must be an integer ≥ 1, got ${o.paths}`));
  else if (antithetic && o.paths % 2 !== 0) issues.push(issue("invalid_value", "paths", `must be even with antithetic variates (pairs), got ${o.paths}`));
  else if (o.paths * n > MAX_DRAWS) issues.push(issue("out_of_range", "paths", `${o.paths} paths × ${n} factors exceeds ${MAX_DRAWS} draws`));
  if (!Number.isSafeInteger(o.seed) || o.seed < 0) issues.push(issue("out_of_range", "seed", `must be a non-negative integer ≤ 2^53 − 1, got ${o.seed}`));
  if ((o.distribution ?? "normal") === "student-t") {
    const dof = o.degreesOfFreedom;
    if (dof === undefined) issues.push(issue("required", "degreesOfFreedom", "Student-t needs its degrees of freedom"));
    else if (!(dof > 2) || !Number.isFinite(dof)) issues.push(issue("out_of_range", "degreesOfFreedom", `must be > 2 (finite variance), got ${dof}`));
  }
  if (model.volsDaily.length !== n || model.correlation.length !== n * n) issues.push(issue("invalid_value", "model", "factor model sizes disagree"));
  return issues;
}

/**
 * Monte Carlo joint scenarios (module doc). Labels `mc:0` … `mc:N−1`.
 * @returns the set, or issues: out_of_range (horizon, paths, seed, ν), invalid_value (odd paths with antithetic),
 *   required (ν missing).
 */
export function monteCarloScenarios(model: FactorModel, options: MonteCarloOptions): Result<JointScenarioSet> {
  const issues = checkOptions(model, options);
  if (issues.length > 0) return fail(...issues);
  const F = model.priceFactors.length, V = model.volFactors.length, n = F + V;
  const N = options.paths;
  const antithetic = options.antithetic ?? true;
  const studentT = (options.distribution ?? "normal") === "student-t";
  const dof = options.degreesOfFreedom ?? Infinity;
  const root = correlationSquareRoot(model.correlation, n);
  const a = root.factor;
  const scale = new Float64Array(n);
  for (let i = 0; i < n; i++) scale[i] = model.volsDaily[i]! * Math.sqrt(options.horizonDays);
  const rng = Xoshiro256StarStar.fromSeed(options.seed);
  const priceRelativeMove = new Float64Array(N * F);
  const volRatio = new Float64Array(N * V);
  const x = new Float64Array(n);
  const step = antithetic ? 2 : 1;
  const draws = N / step;
  // Normal: every normal of the run in one block (the stream order is the same as draw-by-draw: draw d uses
  // uniforms d·n .. d·n + n − 1). Student-t interleaves W's variable number of uniforms: n normals per draw.
  const zAll = new Float64Array(studentT ? n : draws * n);
  if (!studentT) fillNormals(rng, zAll);
  const onProgress = options.onProgress;
  const every = Math.max(step, Math.ceil(N / 50 / step) * step);
  onProgress?.(0, N);
  for (let p = 0, d = 0; p < N; p += step, d++) {
    if (onProgress !== undefined && p > 0 && p % every === 0) onProgress(p, N);
    let off = d * n;
    let s = 1;
    if (studentT) {
      fillNormals(rng, zAll, 0, n);
      off = 0;
      s = Math.sqrt((dof - 2) / nextChiSquare(rng, dof));
    }
    for (let i = 0; i < n; i++) {
      let acc = 0;
      for (let k = 0; k < n; k++) acc += a[i * n + k]! * zAll[off + k]!;
      x[i] = acc * scale[i]! * s;
    }
    // expm1 keeps small moves accurate (a stablecoin's 1e-4 move would lose digits in exp(x) − 1). The antithetic
    // mirror reuses it: exp(−x) − 1 = −m/(1 + m) with m = exp(x) − 1, no cancellation, half the transcendental calls
    // (they are a third of the run time).
    for (let f = 0; f < F; f++) {
      const m = Math.expm1(x[f]!);
      priceRelativeMove[p * F + f] = m;
      if (antithetic) priceRelativeMove[(p + 1) * F + f] = -m / (1 + m);
    }
    for (let v = 0; v < V; v++) {
      const r = Math.exp(x[F + v]!);
      volRatio[p * V + v] = r;
      if (antithetic) volRatio[(p + 1) * V + v] = 1 / r;
    }
  }
  onProgress?.(N, N);
  const labels = new Array<string>(N);
  for (let p = 0; p < N; p++) labels[p] = `mc:${p}`;
  const keys = factorKeys(model);
  return ok({
    method: "montecarlo",
    horizonDays: options.horizonDays,
    count: N,
    priceFactors: [...model.priceFactors],
    priceRelativeMove,
    volFactors: [...model.volFactors],
    volRatio,
    volFactorsMissing: model.volFactorsMissing,
    labels,
    antithetic,
    notes: [
      `Monte Carlo: ${N} paths, seed ${options.seed}, xoshiro256** (splitmix64 seeding), ${studentT ? `multivariate Student-t with ν = ${dof} scaled to unit variance` : "multivariate normal"}, ${antithetic ? "antithetic pairs (paths 2k, 2k+1)" : "no antithetic variates"}, h = ${options.horizonDays} days (σ·√h), zero log drift`,
      `factors: ${keys.join(", ")}; correlation factored by ${root.method === "cholesky" ? "Cholesky" : `eigen square root (singular matrix, smallest eigenvalue ${root.minEigenvalue?.toPrecision(3)})`}`,
      ...model.notes,
    ],
  });
}
