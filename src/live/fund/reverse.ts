/**
 * Reverse stress (docs/cascade.md "Reverse stress"): the smallest joint move of the book's underlyings, together and
 * correlated, whose liquidation cascade needs more than a given insurance fund. The moves are one-parameter: every
 * factor f moves by k of its own h-day log-move standard deviation σ_f, S_f' = S_f·exp(k·σ_f) (k < 0 down, k > 0 up),
 * the direction along which correlated factors move together; its size is reported as k and as the Mahalanobis
 * distance |k|·√(1ᵀC⁻¹1) under the factors' correlation matrix C (for two factors √(2/(1 + ρ))).
 *
 * Search: a grid in k (steps of `stepSigma` up to `maxSigma`) finds the first move whose cascade needs at least the
 * fund, then bisection between it and the grid point before narrows k to `toleranceSigma`. The grid makes the answer
 * the SMALLEST such move on the grid even when the book is not monotone (options); between two grid points a
 * non-monotone book could exhaust the fund earlier, which the step bounds. Each evaluation is a cascade on a fresh
 * core (sizing.ts `fundNeededUsd`). Pure.
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Result } from "../../errors.js";
import { recompose, symmetricEigen } from "../../math/linalg.js";
import type { LiveCore } from "../core.js";
import type { MarketSnapshot } from "../../market/types.js";
import { runCascade } from "../cascade/index.js";
import type { ImpactModel, LiquidationPolicy } from "../cascade/index.js";
import { fundNeededUsd } from "./sizing.js";

export interface ReverseStressInput {
  readonly newCore: () => Result<LiveCore>;
  readonly market: MarketSnapshot;
  readonly policy: LiquidationPolicy;
  readonly impact: ImpactModel;
  /** The fund to exhaust, USD (> 0). */
  readonly fundUsd: number;
  /** Factors with their h-day log-move standard deviation (> 0). */
  readonly factors: readonly { readonly currency: string; readonly sigmaLog: number }[];
  /** Correlation matrix of the factors' log moves, row-major (F × F). */
  readonly correlation: readonly number[];
  readonly direction: "down" | "up";
  /** Largest |k| tried (default 10). */
  readonly maxSigma?: number;
  /** Grid step of k (default 0.25). */
  readonly stepSigma?: number;
  /** Bisection stops when the bracket is narrower (default 1e-3). */
  readonly toleranceSigma?: number;
  readonly maxRounds?: number;
  /**
   * Called with (cascades run, the most the search can run: the grid's points and the bisection's halvings) after
   * each cascade, and with (that bound, that bound) at the end (a progress bar; the search often stops earlier).
   */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface ReverseStressResult {
  readonly direction: "down" | "up";
  readonly fundUsd: number;
  /** False when no move up to maxSigma exhausts the fund (then k and moves are those of maxSigma). */
  readonly found: boolean;
  /** k in σ units (negative down). */
  readonly kSigma: number;
  readonly mahalanobis: number;
  /** Relative move per factor, S'/S − 1. */
  readonly moves: Readonly<Record<string, number>>;
  /** The fund the cascade at k needs (≥ fundUsd when found), and at the bracket's safe end (< fundUsd). */
  readonly fundNeededUsd: number;
  readonly fundNeededBelowUsd: number;
  readonly evaluations: number;
}

/** Relative moves of step k. */
export function movesAt(factors: ReverseStressInput["factors"], k: number): Record<string, number> {
  return Object.fromEntries(factors.map((f) => [f.currency, Math.expm1(k * f.sigmaLog)]));
}

/** √(1ᵀC⁻¹1): the Mahalanobis length of the all-ones direction in σ units. */
export function onesMahalanobis(correlation: readonly number[], n: number): Result<number> {
  const eig = symmetricEigen(Float64Array.from(correlation), n);
  if (!eig.values.every((l) => l > 1e-12)) return fail(issue("invalid_value", "correlation", "the correlation matrix is not positive definite"));
  const inv = recompose(eig, n, (l) => 1 / l);
  let s = 0;
  for (const v of inv) s += v;
  return ok(Math.sqrt(s));
}

/** The smallest move that exhausts the fund (see the module comment). Issues: options, a core's or cascade's. */
export function reverseStress(input: ReverseStressInput): Result<ReverseStressResult> {
  const maxSigma = input.maxSigma ?? 10, step = input.stepSigma ?? 0.25, tol = input.toleranceSigma ?? 1e-3;
  const F = input.factors.length;
  if (!(input.fundUsd > 0 && Number.isFinite(input.fundUsd))) return fail(issue("out_of_range", "fundUsd", `the fund must be a positive amount, got ${input.fundUsd}`));
  if (F === 0 || input.factors.some((f) => !(f.sigmaLog > 0 && Number.isFinite(f.sigmaLog)))) return fail(issue("invalid_value", "factors", "give at least one factor with a positive standard deviation"));
  if (input.correlation.length !== F * F) return fail(issue("invalid_value", "correlation", `expected ${F}×${F} entries, got ${input.correlation.length}`));
  if (!(step > 0 && maxSigma >= step && tol > 0)) return fail(issue("invalid_value", "stepSigma", "expected 0 < stepSigma ≤ maxSigma and toleranceSigma > 0"));
  const length = onesMahalanobis(input.correlation, F);
  if (!length.ok) return length;
  const sign = input.direction === "down" ? -1 : 1;
  let evaluations = 0;
  const bound = Math.floor(maxSigma / step + 1e-12) + Math.max(0, Math.ceil(Math.log2(step / tol))) + 1;
  const need = (k: number): Result<number> => {
    evaluations++;
    input.onProgress?.(Math.min(evaluations - 1, bound), bound);
    const core = input.newCore();
    if (!core.ok) return core;
    const indexUsd: Record<string, number> = {};
    for (const [c, m] of Object.entries(movesAt(input.factors, k))) {
      const s = input.market.indexUsd[c];
      if (s === undefined) return fail(issue("missing_index", `factors.${c}`, `the market has no index for ${c}`));
      indexUsd[c] = s * (1 + m);
    }
    const r = runCascade({ core: core.value, path: [{ seq: 0, timestampMs: input.market.timestampMs, indexUsd, source: `reverse stress k = ${k}σ` }], policy: input.policy, impact: input.impact, insuranceFundUsd: 1e15, details: true, ...(input.maxRounds !== undefined ? { maxRounds: input.maxRounds } : {}) });
    return r.ok ? ok(fundNeededUsd(r.value)) : r;
  };
  let lo = 0, needLo = 0;
  let hi: number | undefined, needHi = 0;
  for (let n = 1; n * step <= maxSigma + 1e-12; n++) {
    const k = sign * n * step;
    const v = need(k);
    if (!v.ok) return v;
    if (v.value >= input.fundUsd) {
      hi = k;
      needHi = v.value;
      break;
    }
    lo = k;
    needLo = v.value;
  }
  const result = (found: boolean, k: number, needAt: number, below: number): ReverseStressResult => ({
    direction: input.direction,
    fundUsd: input.fundUsd,
    found,
    kSigma: k,
    mahalanobis: Math.abs(k) * length.value,
    moves: movesAt(input.factors, k),
    fundNeededUsd: needAt,
    fundNeededBelowUsd: below,
    evaluations,
  });
  if (hi === undefined) {
    input.onProgress?.(bound, bound);
    return ok(result(false, lo, needLo, needLo));
  }
  let top: number = hi;
  while (Math.abs(top - lo) > tol) {
    const mid: number = (lo + top) / 2;
    const v = need(mid);
    if (!v.ok) return v;
    if (v.value >= input.fundUsd) {
      top = mid;
      needHi = v.value;
    } else {
      lo = mid;
      needLo = v.value;
    }
  }
  input.onProgress?.(bound, bound);
  return ok(result(true, top, needHi, needLo));
}
