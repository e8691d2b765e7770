/**
 * Coverage tests of a margin backtest on its breach sequence (1 = the realised loss exceeded the margin that day):
 * Kupiec's proportion-of-failures test, Christoffersen's independence test and their sum, the conditional-coverage
 * test. Likelihood ratios with 0·ln 0 = 0, p-values from the chi-square distribution (1 and 2 degrees of freedom).
 *
 * References: P. Kupiec (1995), "Techniques for verifying the accuracy of risk measurement models", J. Derivatives
 * 3(2); P. Christoffersen (1998), "Evaluating interval forecasts", Int. Economic Review 39(4). Checked against a
 * scipy computation on the same sequences (test/fixtures/backtest/generate.py).
 * @module
 */
import { erfc } from "../math/normal.js";

/** x·ln(y) with 0·ln(0) = 0 (the likelihood convention of both tests: a probability 0 that never happened costs nothing). */
function xlogy(x: number, y: number): number {
  return x === 0 ? 0 : x * Math.log(y);
}

/** Upper tail of the chi-square distribution with 1 degree of freedom: P(X ≥ x) = erfc(√(x/2)). x ≥ 0. */
export function chiSquare1Sf(x: number): number {
  return x <= 0 ? 1 : erfc(Math.sqrt(x / 2));
}

/** Upper tail of the chi-square distribution with 2 degrees of freedom: P(X ≥ x) = exp(−x/2). x ≥ 0. */
export function chiSquare2Sf(x: number): number {
  return x <= 0 ? 1 : Math.exp(-x / 2);
}

/** A likelihood-ratio test result. */
export interface LikelihoodRatioTest {
  /** The likelihood-ratio statistic, ≥ 0. */
  readonly lr: number;
  /** P(chi-square ≥ lr) with the test's degrees of freedom, in [0, 1]. Small = the model is rejected. */
  readonly pValue: number;
}

/** Kupiec's proportion-of-failures test. */
export interface KupiecTest extends LikelihoodRatioTest {
  readonly observations: number;
  readonly breaches: number;
  /** Expected breach probability p = 1 − confidence. */
  readonly expectedRate: number;
  /** Observed breach rate breaches / observations (0 with no observation). */
  readonly observedRate: number;
}

/** Christoffersen's independence test (first-order Markov alternative). */
export interface ChristoffersenTest extends LikelihoodRatioTest {
  /** Transition counts over consecutive days: n_ij = days with state j after a day with state i (1 = breach). */
  readonly n00: number;
  readonly n01: number;
  readonly n10: number;
  readonly n11: number;
  /** P(breach | no breach the day before) = n01 / (n00 + n01); 0 when undefined (no such day). */
  readonly pi01: number;
  /** P(breach | breach the day before) = n11 / (n10 + n11); 0 when undefined (no breach followed by a day). */
  readonly pi11: number;
}

/**
 * Kupiec POF: LR = −2 ln[(1 − p)^(n−x) p^x / ((1 − π̂)^(n−x) π̂^x)], π̂ = x/n, chi-square 1 dof.
 * @param breaches - the breach sequence (true = breach); may be empty (then LR = 0, p-value 1).
 * @param expectedRate - p = 1 − confidence, in (0, 1).
 */
export function kupiecPof(breaches: readonly boolean[], expectedRate: number): KupiecTest {
  const n = breaches.length;
  let x = 0;
  for (const b of breaches) if (b) x += 1;
  const p = expectedRate;
  const pi = n > 0 ? x / n : 0;
  const logNull = xlogy(n - x, 1 - p) + xlogy(x, p);
  const logAlt = xlogy(n - x, 1 - pi) + xlogy(x, pi);
  // The maximum-likelihood alternative is never below the null; rounding can make the difference −1e−13.
  const lr = Math.max(0, 2 * (logAlt - logNull));
  return { lr, pValue: chiSquare1Sf(lr), observations: n, breaches: x, expectedRate: p, observedRate: pi };
}

/**
 * Christoffersen independence: LR = −2 ln[L(π₂) / L(π₀₁, π₁₁)] over the n − 1 transitions, chi-square 1 dof, where
 * L(π₂) = (1 − π₂)^(n00+n10) π₂^(n01+n11) and L(π₀₁, π₁₁) = (1 − π₀₁)^n00 π₀₁^n01 (1 − π₁₁)^n10 π₁₁^n11.
 * With fewer than two observations there is no transition: LR = 0, p-value 1.
 */
export function christoffersenIndependence(breaches: readonly boolean[]): ChristoffersenTest {
  let n00 = 0, n01 = 0, n10 = 0, n11 = 0;
  for (let t = 1; t < breaches.length; t++) {
    const prev = breaches[t - 1] === true, now = breaches[t] === true;
    if (prev) {
      if (now) n11 += 1;
      else n10 += 1;
    } else if (now) n01 += 1;
    else n00 += 1;
  }
  const pi01 = n00 + n01 > 0 ? n01 / (n00 + n01) : 0;
  const pi11 = n10 + n11 > 0 ? n11 / (n10 + n11) : 0;
  const pairs = n00 + n01 + n10 + n11;
  const pi2 = pairs > 0 ? (n01 + n11) / pairs : 0;
  const logNull = xlogy(n00 + n10, 1 - pi2) + xlogy(n01 + n11, pi2);
  const logAlt = xlogy(n00, 1 - pi01) + xlogy(n01, pi01) + xlogy(n10, 1 - pi11) + xlogy(n11, pi11);
  const lr = Math.max(0, 2 * (logAlt - logNull));
  return { lr, pValue: chiSquare1Sf(lr), n00, n01, n10, n11, pi01, pi11 };
}

/**
 * Christoffersen's conditional coverage: LR_cc = LR_pof + LR_ind (correct rate AND no clustering), chi-square 2 dof.
 * LR_pof is on all n days, LR_ind on the n − 1 transitions, as in Christoffersen (1998) and Jorion's textbook.
 */
export function conditionalCoverage(kupiec: KupiecTest, independence: ChristoffersenTest): LikelihoodRatioTest {
  const lr = kupiec.lr + independence.lr;
  return { lr, pValue: chiSquare2Sf(lr) };
}
