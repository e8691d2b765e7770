/**
 * Value-at-risk and expected shortfall of a loss sample (one loss per joint scenario, USD, loss = −P&L), their Monte
 * Carlo standard error, Euler (component) ES, the worst scenarios and the loss histogram.
 *
 * Convention (docs/methodology.md "VaR and expected shortfall"), with N equally weighted scenarios and confidence α:
 * k = ⌈N(1 − α)⌉ tail scenarios; VaR = the k-th largest loss; ES = the mean of the k largest losses. N(1 − α) < 1 is
 * an error (`out_of_range`): the sample cannot say anything about that tail. N(1 − α) is computed in floating point,
 * so it is compared with a relative tolerance of 1e−9 (1000 × (1 − 0.99) = 10.000000000000009 gives k = 10, not 11).
 * Ties are broken by scenario index (lower first), so the tail set has exactly k scenarios and is deterministic.
 *
 * Weighted scenarios (weights w ≥ 0 summing to 1): sort losses from the largest; the tail is the shortest prefix whose
 * weight reaches 1 − α (same 1e−9 tolerance); VaR is the loss of its last scenario and ES the weighted mean of the
 * prefix. With w = 1/N this is exactly the convention above. The analogue of N(1 − α) < 1 is a largest-loss scenario
 * whose weight alone exceeds 1 − α: an error.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";

/** Relative tolerance on N(1 − α) and on cumulated tail weights (floating-point noise, see the module comment). */
const TAIL_TOLERANCE = 1e-9;

export interface TailMeasures {
  readonly confidence: number;
  readonly scenarioCount: number;
  /** Number of tail scenarios (k = ⌈N(1 − α)⌉ with equal weights). */
  readonly tailCount: number;
  /** The k-th largest loss, USD (may be negative: a gain, for a portfolio that gains in its whole tail). */
  readonly varUsd: number;
  /** Mean of the tail losses (weighted mean with weights), USD. */
  readonly esUsd: number;
  /** Tail scenario indices, largest loss first (ties: lower index first). */
  readonly tailIndices: Int32Array;
  /** Weight of each tail scenario within the tail (sums to 1; 1/k each with equal weights). */
  readonly tailWeights: Float64Array;
  /**
   * Monte Carlo standard error of ES (equal weights only; see {@link esStandardError}), USD; undefined with weights
   * or with fewer than 2 independent draws (pairs, with antithetic draws).
   */
  readonly esStandardErrorUsd?: number;
}

/**
 * Number of tail scenarios k = ⌈N(1 − α)⌉ for N equally weighted scenarios.
 * @returns k, or `out_of_range` (path `confidence`) when α ∉ (0, 1) or N(1 − α) < 1 (too few scenarios).
 */
export function tailCountFor(scenarioCount: number, confidence: number): Result<number> {
  if (!(confidence > 0 && confidence < 1)) return fail(issue("out_of_range", "confidence", `confidence must be in (0, 1), got ${confidence}`));
  const t = scenarioCount * (1 - confidence);
  if (t < 1 - TAIL_TOLERANCE) {
    const need = Math.ceil(1 / (1 - confidence) - TAIL_TOLERANCE);
    return fail(
      issue(
        "out_of_range",
        "scenarios",
        `too few scenarios for confidence ${confidence}: N = ${scenarioCount} gives N(1 − α) = ${Number(t.toPrecision(6))} < 1 (need at least ${need})`,
      ),
    );
  }
  return ok(Math.min(scenarioCount, Math.ceil(t - TAIL_TOLERANCE * t)));
}

/** Quickselect: rearranges `a` so that a[k] is the value of rank k in descending order (0 = largest). */
function selectDescending(a: Float64Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    // Median of three as pivot, Hoare partition (descending).
    const mid = (lo + hi) >>> 1;
    const x = a[lo] as number;
    const y = a[mid] as number;
    const z = a[hi] as number;
    const pivot = x > y ? (y > z ? y : x > z ? z : x) : x > z ? x : y > z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while ((a[i] as number) > pivot) i++;
      while ((a[j] as number) < pivot) j--;
      if (i <= j) {
        const t = a[i] as number;
        a[i] = a[j] as number;
        a[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return a[k] as number;
  }
  return a[k] as number;
}

/** Indices of the k largest losses, largest first, ties by index. O(N) selection plus O(k log k). */
function topIndices(losses: Float64Array, k: number): Int32Array {
  const threshold = selectDescending(losses.slice(), k - 1);
  const out = new Int32Array(k);
  let c = 0;
  for (let i = 0; i < losses.length; i++) if ((losses[i] as number) > threshold) out[c++] = i;
  for (let i = 0; i < losses.length && c < k; i++) if (losses[i] === threshold) out[c++] = i;
  return out.sort((a, b) => (losses[b] as number) - (losses[a] as number) || a - b);
}

/** Every index sorted by loss, largest first (ties by index). */
function sortedIndices(losses: Float64Array): Int32Array {
  return Int32Array.from(losses, (_v, i) => i).sort((a, b) => (losses[b] as number) - (losses[a] as number) || a - b);
}

/**
 * Monte Carlo standard error of the ES estimator from N equally weighted draws, USD, by the delta method on the
 * tail mean: ÊS − ES ≈ (1/N)·Σᵢ (Lᵢ − VaR)⁺/(1 − α) + const, so with hᵢ = (Lᵢ − VaR)⁺ and k = N(1 − α) tail draws,
 * SE = √(N·s²_h)/k for i.i.d. draws (s²_h the sample variance of h). This is Manistre & Hancock's asymptotic variance
 * (Var(L | L ≥ VaR) + α·(ES − VaR)²)/(N(1 − α)) ("Variance of the CTE estimator", North American Actuarial Journal
 * 9(2), 2005) written so that dependent draws can be grouped: with antithetic pairs (draws 2j and 2j + 1 mirror one
 * normal draw) each pair is one independent unit, zⱼ = h₂ⱼ + h₂ⱼ₊₁ and SE = √((N/2)·s²_z)/k. Checked against the
 * spread of ES over independent seeds, with and without pairs, in measures.test.ts.
 * @param lossesUsd - all N losses (N ≥ 2; even with `antithetic`).
 */
export function esStandardError(lossesUsd: Float64Array, varUsd: number, tailCount: number, antithetic: boolean): number {
  const N = lossesUsd.length;
  const unit = antithetic ? 2 : 1;
  const units = Math.floor(N / unit);
  let sum = 0;
  let sumSq = 0;
  for (let u = 0; u < units; u++) {
    let z = 0;
    for (let i = u * unit; i < (u + 1) * unit; i++) z += Math.max((lossesUsd[i] as number) - varUsd, 0);
    sum += z;
    sumSq += z * z;
  }
  const mean = sum / units;
  const variance = Math.max(sumSq / units - mean * mean, 0) * (units / (units - 1));
  return Math.sqrt(units * variance) / tailCount;
}

/** Options of {@link tailMeasures}. */
export interface TailOptions {
  /** Scenario weights (finite, ≥ 0, sum 1 within 1e−9), one per loss; absent = equal weights. */
  readonly weights?: Float64Array;
  /** Losses 2j and 2j + 1 come from one antithetic pair (affects only the standard error). */
  readonly antithetic?: boolean;
}

/**
 * VaR, ES and the tail of a loss sample (see the module comment for the convention).
 * @param lossesUsd - one finite loss per scenario (loss = −P&L), USD.
 * @returns the measures, or `out_of_range` (confidence outside (0, 1), too few scenarios), `non_finite` (a loss),
 *   `invalid_value` (weights of another length, or not summing to 1).
 */
export function tailMeasures(lossesUsd: Float64Array, confidence: number, options: TailOptions = {}): Result<TailMeasures> {
  const N = lossesUsd.length;
  const weights = options.weights;
  for (let i = 0; i < N; i++) {
    if (!Number.isFinite(lossesUsd[i] as number)) return fail(issue("non_finite", `losses[${i}]`, `loss ${lossesUsd[i]} is not finite`));
  }
  if (weights === undefined) {
    const k = tailCountFor(N, confidence);
    if (!k.ok) return k;
    const tailIndices = topIndices(lossesUsd, k.value);
    const tail = Float64Array.from(tailIndices, (i) => lossesUsd[i] as number);
    let sum = 0;
    for (let j = 0; j < tail.length; j++) sum += tail[j] as number;
    const esUsd = sum / k.value;
    const varUsd = tail[k.value - 1] as number;
    return ok({
      confidence,
      scenarioCount: N,
      tailCount: k.value,
      varUsd,
      esUsd,
      tailIndices,
      tailWeights: new Float64Array(k.value).fill(1 / k.value),
      ...(N >= (options.antithetic === true ? 4 : 2) ? { esStandardErrorUsd: esStandardError(lossesUsd, varUsd, k.value, options.antithetic === true) } : {}),
    });
  }
  if (!(confidence > 0 && confidence < 1)) return fail(issue("out_of_range", "confidence", `confidence must be in (0, 1), got ${confidence}`));
  if (weights.length !== N) return fail(issue("invalid_value", "weights", `${weights.length} weights for ${N} scenarios`));
  let total = 0;
  for (let i = 0; i < N; i++) {
    const w = weights[i] as number;
    if (!(Number.isFinite(w) && w >= 0)) return fail(issue("invalid_value", `weights[${i}]`, `weight ${w} is not a finite number ≥ 0`));
    total += w;
  }
  if (Math.abs(total - 1) > TAIL_TOLERANCE) return fail(issue("invalid_value", "weights", `weights sum to ${total}, expected 1`));
  const order = sortedIndices(lossesUsd);
  const target = (1 - confidence) * (1 - TAIL_TOLERANCE);
  const first = weights[order[0] as number] as number;
  if (first > (1 - confidence) * (1 + TAIL_TOLERANCE)) {
    return fail(issue("out_of_range", "scenarios", `too few scenarios for confidence ${confidence}: the largest loss alone has weight ${first} > 1 − α`));
  }
  let cum = 0;
  let k = 0;
  while (k < N && cum < target) cum += weights[order[k++] as number] as number;
  const tailIndices = order.slice(0, k);
  let weighted = 0;
  for (const i of tailIndices) weighted += (weights[i] as number) * (lossesUsd[i] as number);
  return ok({
    confidence,
    scenarioCount: N,
    tailCount: k,
    varUsd: lossesUsd[tailIndices[k - 1] as number] as number,
    esUsd: cum > 0 ? weighted / cum : (lossesUsd[tailIndices[0] as number] as number),
    tailIndices,
    tailWeights: Float64Array.from(tailIndices, (i) => (cum > 0 ? (weights[i] as number) / cum : 1 / k)),
  });
}

/**
 * Euler (component) ES: each leg's weighted mean loss over the tail scenarios. They sum to ES (up to rounding)
 * because ES is the same weighted mean of the total loss.
 * @param legLossesOnTail - loss of leg l in tail scenario j at [l·k + j], USD (k = tailWeights.length).
 */
export function componentEs(legLossesOnTail: Float64Array, tailWeights: Float64Array): Float64Array {
  const k = tailWeights.length;
  const legs = k === 0 ? 0 : legLossesOnTail.length / k;
  const out = new Float64Array(legs);
  for (let l = 0; l < legs; l++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += (tailWeights[j] as number) * (legLossesOnTail[l * k + j] as number);
    out[l] = s;
  }
  return out;
}

/** Indices of the `count` largest losses, largest first (ties by index); fewer when the sample is smaller. */
export function worstIndices(lossesUsd: Float64Array, count: number): Int32Array {
  const m = Math.min(count, lossesUsd.length);
  return m <= 0 ? new Int32Array(0) : topIndices(lossesUsd, m);
}

/** One bin of the loss distribution: [lowerUsd, upperUsd) (the last bin includes its upper end). */
export interface HistogramBin {
  readonly lowerUsd: number;
  readonly upperUsd: number;
  readonly count: number;
  /** Probability mass of the bin (count / N, or the sum of weights). */
  readonly probability: number;
}

/**
 * Histogram of the losses in `binCount` ≥ 1 equal-width bins from the smallest to the largest loss (one bin when
 * all losses are equal). Empty for an empty sample.
 */
export function lossHistogram(lossesUsd: Float64Array, binCount: number, weights?: Float64Array): HistogramBin[] {
  const N = lossesUsd.length;
  if (N === 0) return [];
  let lo = Infinity;
  let hi = -Infinity;
  for (let i = 0; i < N; i++) {
    lo = Math.min(lo, lossesUsd[i] as number);
    hi = Math.max(hi, lossesUsd[i] as number);
  }
  const bins = hi > lo ? Math.max(1, Math.floor(binCount)) : 1;
  const width = (hi - lo) / bins;
  const counts = new Float64Array(bins);
  const mass = new Float64Array(bins);
  for (let i = 0; i < N; i++) {
    const b = width > 0 ? Math.min(bins - 1, Math.floor(((lossesUsd[i] as number) - lo) / width)) : 0;
    counts[b] = (counts[b] as number) + 1;
    mass[b] = (mass[b] as number) + (weights ? (weights[i] as number) : 1 / N);
  }
  return Array.from(counts, (c, b) => ({ lowerUsd: lo + b * width, upperUsd: b === bins - 1 ? hi : lo + (b + 1) * width, count: c, probability: mass[b] as number }));
}
