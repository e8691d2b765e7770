/**
 * Implied volatility from a Black-76 price, linear (USD) or inverse (coin), returning a structured failure where no
 * volatility reproduces the price.
 *
 * Method: reduce to the normalised out-of-the-money call (x = ln(F/K) <= 0, β = price / (D·√(FK)) minus the
 * normalised intrinsic value), then solve for the total volatility s = σ√T with a bracketed Halley iteration on a
 * logarithmic objective that keeps its relative accuracy on the whole range:
 *
 * - lower half, β <= e^{x/2}/2: f(s) = ln b(x, s) − ln β;
 * - upper half: f(s) = ln(e^{x/2} − b(x, s)) − ln(e^{x/2} − β), with e^{x/2} − b evaluated as a sum of positive
 *   terms (normalisedBlackOtmCallComplement), so prices close to the upper bound keep their digits.
 *
 * Both objectives are strictly monotone in s, so the root is unique; every iterate tightens a bracket [lo, hi] that
 * contains it, and a step that would leave the bracket is replaced by a bisection step (geometric when both ends are
 * positive and finite, halving or doubling otherwise), so the iteration cannot wander off. A cap of 200 steps
 * (never reached in tests) turns a non-convergence into `no_implied_vol` rather than a number. The closed-form
 * starting points (below) make it take about 3 evaluations on average and at most 8, counting
 * the final confirming one, over the tested domain (implied-vol.test.ts counts them). The iteration stops when a
 * step changes s by less than 4 EPS relative; since b is evaluated to a few EPS·(1 + h² + t²)
 * (normalised-black.ts), the result reproduces the price to that accuracy, and σ to that divided by the relative
 * vega ∂ln b/∂ln s.
 *
 * This is not a port of Jäckel's "Let's Be Rational" code (P. Jäckel, Wilmott 2015): it shares its reduction to the
 * normalised OTM call and the idea of branch-wise objectives, and replaces its rational-cubic initial guesses (which
 * give it exactly two Householder steps) by closed-form asymptotic guesses plus a bisection safeguard.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { normInv, ONE_OVER_SQRT_TWO_PI } from "../math/normal.js";
import { discountFactor, logMoneyness } from "./black76.js";
import {
  normalisedBlackOtmCall,
  normalisedBlackOtmCallComplement,
  normalisedIntrinsic,
  normalisedVega,
  otmCallComplementOverVega,
  otmCallOverVega,
} from "./normalised-black.js";

const EPS = Number.EPSILON;
/** Steps before giving up (never reached in tests; see the module comment). */
const MAX_ITERATIONS = 200;
/** ln √(2π). */
const LN_SQRT_TWO_PI = 0.9189385332046728;

/**
 * Failure codes of the kernels, returned in place of a volatility (which is >= 0), so the hot path allocates
 * nothing: below the intrinsic value, at or above the upper bound, or no convergence.
 */
export const IV_BELOW_INTRINSIC = -1;
export const IV_ABOVE_BOUND = -2;
export const IV_NO_SOLUTION = -3;
export type ImpliedVolFailure = typeof IV_BELOW_INTRINSIC | typeof IV_ABOVE_BOUND | typeof IV_NO_SOLUTION;

/** Optional counter of solver steps, for tests and benchmarks (no module state: the caller owns it). */
export interface SolverStats {
  iterations: number;
}

/**
 * Starting point on the lower half (β <= e^{x/2}/2, x < 0): invert the leading asymptotic term
 * b ≈ φ₀·e^{−(h²+t²)/2}·s³/x² (far out of the money) by three fixed-point steps on s² = x²/(2·(L − s²/8 + ln(s³/x²)
 * − ln√(2π))), L = −ln β. Clamped to (0, √(2|x|)·4]; the bracket repairs a poor start.
 */
function lowerGuess(x: number, beta: number): number {
  const sc = Math.sqrt(-2 * x);
  const l = -Math.log(beta);
  const twoLnAbsX = Math.log(x * x);
  let s = sc;
  for (let k = 0; k < 3; k++) {
    const denom = 2 * (l - (s * s) / 8 + 3 * Math.log(s) - twoLnAbsX - LN_SQRT_TWO_PI);
    if (!(denom > 0)) return s;
    const next = -x / Math.sqrt(denom);
    if (!(next > 0) || !Number.isFinite(next)) return s;
    s = Math.min(next, 4 * sc);
  }
  return s;
}

/**
 * Starting point on the lower half. Near the money (|h| = |x|/s below 1.2) the normalised Black value is close to
 * its normal-model (Bachelier) form s·φ(h) + x·Φ(h); expanding that to second order in h gives the quadratic
 * φ₀·s² + (x/2 − β)·s + φ₀·x²/2 = 0 (a Corrado–Miller-type formula), whose larger root is a good start there.
 * Farther out, the asymptotic inversion {@link lowerGuess}.
 */
function nearMoneyOrLowerGuess(x: number, beta: number): number {
  const a = beta - 0.5 * x;
  const disc = a * a - 2 * ONE_OVER_SQRT_TWO_PI * ONE_OVER_SQRT_TWO_PI * x * x;
  const sNear = (a + Math.sqrt(Math.max(disc, 0))) / (2 * ONE_OVER_SQRT_TWO_PI);
  if (sNear > 0 && -x < 1.2 * sNear) return sNear;
  return lowerGuess(x, beta);
}

/**
 * Starting point on the upper half: for large s, h → 0 and e^{x/2} − b ≈ (e^{x/2} + e^{−x/2})·Φ(−s/2), so
 * s ≈ −2·Φ⁻¹((e^{x/2} − β)/(e^{x/2} + e^{−x/2})).
 */
function upperGuess(x: number, complement: number): number {
  const p = complement / (Math.exp(0.5 * x) + Math.exp(-0.5 * x));
  const s = -2 * normInv(Math.min(p, 0.5));
  return s > 0 && Number.isFinite(s) ? s : Math.max(Math.sqrt(-2 * x), 1);
}

/**
 * Total implied volatility s = σ√T of a normalised out-of-the-money call: the s with b(x, s, +1) = beta, for x <= 0
 * and 0 < beta < e^{x/2}. Returns IV_NO_SOLUTION only if the bracketed iteration fails to converge (not observed).
 * Hot kernel: inputs are not re-validated.
 */
export function impliedTotalVolOtmCall(x: number, beta: number, stats?: SolverStats): number {
  const bMax = Math.exp(0.5 * x);
  const upper = beta > 0.5 * bMax;
  // Target of the objective, in log form: ln β (lower) or ln(e^{x/2} − β) (upper).
  const complementTarget = bMax - beta;
  const target = upper ? Math.log(complementTarget) : Math.log(beta);
  let s: number;
  if (upper) s = upperGuess(x, complementTarget);
  else if (x === 0) s = 2 * normInv(0.5 + 0.5 * beta); // b(0, s) = 2Φ(s/2) − 1
  else s = nearMoneyOrLowerGuess(x, beta);
  let lo = 0;
  let hi = Infinity;
  let iterations = 0;
  for (; iterations < MAX_ITERATIONS; iterations++) {
    const h = x / s;
    const t = 0.5 * s;
    const curvature = (h * h - t * t) / s; // ν'/ν
    // ln ν = −(h²+t²)/2 − ln√(2π): with the bracket forms b/ν and c/ν (normalised-black.ts) the objective needs no
    // exponential and stays finite where b underflows; the direct forms cover the remaining region.
    const lnVega = -0.5 * (h * h + t * t) - LN_SQRT_TWO_PI;
    let lnValue: number; // ln b (lower) or ln c (upper)
    let vegaOverValue: number; // ν/b or ν/c
    if (upper) {
      const r = otmCallComplementOverVega(h, t);
      if (!Number.isNaN(r)) {
        lnValue = lnVega + Math.log(r);
        vegaOverValue = 1 / r;
      } else {
        const c = normalisedBlackOtmCallComplement(x, s);
        lnValue = Math.log(c);
        vegaOverValue = normalisedVega(x, s) / c;
      }
    } else {
      const r = otmCallOverVega(h, t);
      if (!Number.isNaN(r)) {
        lnValue = lnVega + Math.log(r);
        vegaOverValue = 1 / r;
      } else {
        const b = normalisedBlackOtmCall(x, s);
        lnValue = Math.log(b);
        vegaOverValue = normalisedVega(x, s) / b;
      }
    }
    const f = lnValue - target;
    let ratio: number; // f/f'
    let secondOverFirst: number; // f''/f'
    if (upper) {
      // f(s) = ln c(s) − ln c*, decreasing: f' = −ν/c, f''/f' = ν'/ν + ν/c.
      ratio = -f / vegaOverValue;
      secondOverFirst = curvature + vegaOverValue;
      if (f > 0) lo = s;
      else if (f < 0) hi = s;
      else break;
    } else {
      // f(s) = ln b(s) − ln β, increasing: f' = ν/b, f''/f' = ν'/ν − ν/b.
      ratio = f / vegaOverValue;
      secondOverFirst = curvature - vegaOverValue;
      if (f < 0) lo = s;
      else if (f > 0) hi = s;
      else break;
    }
    const halley = 1 - 0.5 * ratio * secondOverFirst;
    // Halley's step; Newton's when the correction factor is not safely positive.
    const step = halley > 0.5 && halley < 2 ? ratio / halley : ratio;
    if (Math.abs(step) <= 4 * EPS * s) {
      // Converged: the step is below the resolution of s (it may round to s itself, which sits on the bracket).
      s -= step;
      iterations++;
      break;
    }
    let next = s - step;
    if (!(next > lo && next < hi)) {
      // Bisection safeguard (geometric when both ends are positive and finite).
      next = hi === Infinity ? 2 * Math.max(s, lo) : lo === 0 ? 0.5 * Math.min(s, hi) : Math.sqrt(lo * hi);
    }
    s = next;
    if (hi - lo <= 4 * EPS * lo) {
      iterations++;
      break;
    }
  }
  if (stats) stats.iterations = iterations;
  return iterations >= MAX_ITERATIONS || !(s > 0) || !Number.isFinite(s) ? IV_NO_SOLUTION : s;
}

/**
 * Total implied volatility s = σ√T from a normalised option value beta = undiscounted price / √(F·K), any
 * moneyness: s >= 0 (0 when beta is the intrinsic value to 8 EPS), or a negative failure code: IV_BELOW_INTRINSIC,
 * IV_ABOVE_BOUND (beta >= e^{θx/2}: the forward bound of a call, the strike bound of a put), IV_NO_SOLUTION.
 */
export function impliedTotalVol(x: number, beta: number, isCall: boolean, stats?: SolverStats): number {
  if (!(beta >= 0)) return IV_BELOW_INTRINSIC;
  const xc = isCall ? x : -x; // a put at x is a call at −x
  // Upper bound of a call at xc: F/√(FK) = e^{xc/2} (the discounted forward, or the strike for a put).
  if (beta >= Math.exp(0.5 * xc)) return IV_ABOVE_BOUND;
  let otm = beta;
  if (xc > 0) {
    otm = beta - normalisedIntrinsic(xc);
    // Within 8 EPS of the intrinsic value (the rounding of the normalisation) the time value is noise: σ = 0,
    // neither "below intrinsic" nor a volatility fitted to rounding errors.
    if (Math.abs(otm) <= 8 * EPS * beta) otm = 0;
  }
  if (otm < 0) return IV_BELOW_INTRINSIC;
  if (otm === 0) return 0;
  const xOtm = -Math.abs(xc);
  // Beyond the OTM call's own bound only through rounding of beta − intrinsic near the upper bound.
  if (otm >= Math.exp(0.5 * xOtm)) return IV_ABOVE_BOUND;
  return impliedTotalVolOtmCall(xOtm, otm, stats);
}

/** Inputs of an implied-volatility solve from a USD price (linear options). */
export interface ImpliedVolUsdInput {
  readonly isCall: boolean;
  readonly forwardUsd: number;
  readonly strikeUsd: number;
  readonly timeYears: number;
  readonly rateDecimal?: number;
  /** Option value, USD per 1 coin of underlying. */
  readonly priceUsd: number;
}

/** Inputs of an implied-volatility solve from a coin price (inverse options, Deribit `mark_price`). */
export interface ImpliedVolCoinInput {
  readonly isCall: boolean;
  readonly forwardUsd: number;
  readonly strikeUsd: number;
  readonly timeYears: number;
  readonly rateDecimal?: number;
  /** Option value, coin per 1 coin of underlying. */
  readonly priceCoin: number;
}

/** Forward, strike and time finite and > 0, rate absent or finite. */
function validCommon(i: { forwardUsd: number; strikeUsd: number; timeYears: number; rateDecimal?: number }): boolean {
  return (
    i.forwardUsd > 0 && i.forwardUsd < Infinity && i.strikeUsd > 0 && i.strikeUsd < Infinity &&
    i.timeYears > 0 && i.timeYears < Infinity &&
    (i.rateDecimal === undefined || (i.rateDecimal > -Infinity && i.rateDecimal < Infinity))
  );
}

type SolveInput = { isCall: boolean; forwardUsd: number; strikeUsd: number; timeYears: number; rateDecimal?: number };

/** Every problem with an input, with its path (the slow path, taken only when {@link validCommon} fails). */
function inputIssues(i: SolveInput, price: number, pricePath: string): Issue[] {
  const issues: Issue[] = [];
  const check = (value: number, path: string, positive: boolean): void => {
    if (typeof value !== "number" || Number.isNaN(value)) issues.push(issue("invalid_type", path, "expected a number"));
    else if (!Number.isFinite(value)) issues.push(issue("non_finite", path, `expected a finite number, got ${value}`));
    else if (positive && !(value > 0)) issues.push(issue("not_positive", path, `expected > 0, got ${value}`));
  };
  check(i.forwardUsd, "forwardUsd", true);
  check(i.strikeUsd, "strikeUsd", true);
  check(i.timeYears, "timeYears", true);
  if (i.rateDecimal !== undefined) check(i.rateDecimal, "rateDecimal", false);
  check(price, pricePath, false);
  if (issues.length === 0 && price < 0) {
    issues.push(issue("price_below_intrinsic", pricePath, `a price cannot be negative, got ${price}`));
  }
  return issues;
}

/**
 * Implied volatility (decimal, σ) of a linear option from its USD price. Validates its input: forwardUsd,
 * strikeUsd and timeYears finite and > 0, rateDecimal finite, priceUsd finite and >= 0. Fails with
 * `price_below_intrinsic` (price under the discounted intrinsic value), `price_above_bound` (call >= D·F, put >=
 * D·K) or `no_implied_vol` (the solver did not converge, not observed). A price at intrinsic (to 8 EPS) gives σ = 0.
 */
export function impliedVolUsd(i: ImpliedVolUsdInput): Result<number> {
  // Fast path: valid input (the common case) costs a few comparisons and no allocation before the solve.
  if (!(validCommon(i) && i.priceUsd >= 0 && i.priceUsd < Infinity)) {
    const issues = inputIssues(i, i.priceUsd, "priceUsd");
    if (issues.length > 0) return fail(...issues);
  }
  return solve(i, i.priceUsd, "priceUsd");
}

/**
 * Implied volatility (decimal, σ) of an inverse (coin-settled) option from its coin price, e.g. Deribit's
 * `mark_price`: the USD price is priceCoin·forwardUsd. Same validation and failures as {@link impliedVolUsd}.
 */
export function impliedVolCoin(i: ImpliedVolCoinInput): Result<number> {
  if (!(validCommon(i) && i.priceCoin >= 0 && i.priceCoin < Infinity)) {
    const issues = inputIssues(i, i.priceCoin, "priceCoin");
    if (issues.length > 0) return fail(...issues);
  }
  return solve(i, i.priceCoin * i.forwardUsd, "priceCoin");
}

function solve(i: SolveInput, priceUsd: number, pricePath: string): Result<number> {
  const d = discountFactor(i.rateDecimal ?? 0, i.timeYears);
  const x = logMoneyness(i.forwardUsd, i.strikeUsd);
  const beta = priceUsd / (d * Math.sqrt(i.forwardUsd * i.strikeUsd));
  const totalVol = impliedTotalVol(x, beta, i.isCall);
  if (totalVol >= 0) return ok(totalVol / Math.sqrt(i.timeYears));
  return fail(failureIssue(totalVol as ImpliedVolFailure, pricePath, i.isCall));
}

/** The Issue for a kernel failure code, at `path`. */
export function failureIssue(code: ImpliedVolFailure, path: string, isCall: boolean): Issue {
  switch (code) {
    case IV_BELOW_INTRINSIC:
      return issue("price_below_intrinsic", path, "the price is below the discounted intrinsic value");
    case IV_ABOVE_BOUND:
      return issue(
        "price_above_bound",
        path,
        isCall ? "a call price must be below the discounted forward" : "a put price must be below the discounted strike",
      );
    default:
      return issue("no_implied_vol", path, "the implied-volatility iteration did not converge");
  }
}
