/**
 * The normalised Black function and its derivatives in total volatility: the one kernel every Black-76 price,
 * Greek and implied volatility in this package goes through.
 *
 * With x = ln(F/K) and s = σ·√T (total standard deviation), the undiscounted Black-76 value of an option is
 * √(F·K)·b(x, s, θ) (θ = +1 call, −1 put), where
 *
 *   b(x, s, +1) = e^{x/2}·Φ(h + t) − e^{−x/2}·Φ(h − t),   h = x/s, t = s/2,
 *   b(x, s, −1) = b(−x, s, +1)                             (put–call symmetry),
 *   b(x, s, +1) = (e^{x/2} − e^{−x/2}) + b(−x, s, +1)      for x > 0 (put–call parity).
 *
 * So everything reduces to the out-of-the-money call, x <= 0. There the two terms nearly cancel when s is small
 * against |x| (far out of the money or short-dated): with Y(z) = Φ(z)/φ(z) the exact identity
 *
 *   b = φ₀·exp(−(h² + t²)/2)·[Y(h + t) − Y(h − t)],   φ₀ = 1/√(2π),
 *
 * shows the cancellation factor is (Y(h+t) + Y(h−t))/(Y(h+t) − Y(h−t)) ≈ |h|/t. The same cancellation is met by
 * the textbook F·N(d1) − K·N(d2), which loses all digits far out of the money. We evaluate the bracket without
 * cancellation in each region (the split follows P. Jäckel, "Let's Be Rational", Wilmott 2015, §3; the expansions
 * below are derived for this file, see docs/pricing.md):
 *
 * - R1, h + t <= −10: asymptotic series Y(z) ~ Σₙ (−1)ⁿ⁺¹(2n−1)!!·z^−(2n+1), with the difference of the odd powers
 *   of 1/(h ± t) carried as a two-term recurrence of positive quantities.
 * - R2, t < 1 and |h|·t <= 2: Taylor series in t, Y(h+t) − Y(h−t) = 2·Σ_{k odd} Y⁽ᵏ⁾(h)·t^k/k!, all terms
 *   positive. The derivatives satisfy Y' = 1 + h·Y and Y⁽ᵏ⁺¹⁾ = h·Y⁽ᵏ⁾ + k·Y⁽ᵏ⁻¹⁾; Y'(h) for h < −3 comes from the
 *   continued fraction Y'/Y = 1/(|h| + 2/(|h| + 3/(|h| + …))) instead of the cancelling 1 + h·Y.
 * - R4, otherwise with h + t < 0: the bracket directly from erfcx (cancellation factor |h|/t <= h²/2 <= 61).
 * - R3, otherwise (h + t >= 0): the Φ form (cancellation factor <= 2).
 *
 * Accuracy (normalised-black.test.ts, against mpmath at 60 digits from the same double x and s): relative error
 * below 2·EPS·(1 + h² + t²) everywhere tested (the test allows 4·EPS·(1 + h² + t²)). The (h² + t²) part is the
 * rounding of h = x/s inside exp(−h²/2), the same size as the function's own condition number in x there.
 * @module
 */
import { erfcx, normCdf, ONE_OVER_SQRT_TWO, ONE_OVER_SQRT_TWO_PI } from "../math/normal.js";

/** √(π/2): Y(z) = Φ(z)/φ(z) = √(π/2)·erfcx(−z/√2). */
const SQRT_HALF_PI = 1.2533141373155003;

/** Y(z) = Φ(z)/φ(z) for z <= 0 (the Mills-ratio form of the lower tail); positive, about 1/|z| for z → −∞. */
function millsY(z: number): number {
  return SQRT_HALF_PI * erfcx(-z * ONE_OVER_SQRT_TWO);
}

/** Region R1 boundary: both arguments h ± t at or below −10, where 20 terms of the asymptotic series suffice. */
const ASYMPTOTIC_THRESHOLD = -10;
/** Region R2 boundary: t = s/2 below 1, where the Taylor series in t converges in at most ~20 odd terms. */
const SMALL_T_THRESHOLD = 1;
/**
 * R2 also needs |h|·t <= 2: the forward recurrence for Y⁽ᵏ⁾ amplifies rounding by about e^{|h|·t} (measured 621 EPS
 * at h = −10, t = 0.99), while beyond it R4's cancellation factor |h|/t is at most h²/2 (<= 61 for |h| < 11).
 */
const SMALL_T_MAX_HT = 2;
/** Above h + t = 0 (and outside R2) the Φ form cancels by at most a factor 2. */
const PHI_FORM_THRESHOLD = 0;

/** Y(h+t) − Y(h−t) for h + t <= −10 (R1), asymptotic series without cancellation. */
function bracketAsymptotic(h: number, t: number): number {
  const a = -h; // a > t > 0
  const r = (a - t) * (a + t);
  const r2 = r * r;
  const apt2 = a * a + t * t;
  const twoAt = 2 * a * t;
  // p_m = ((a+t)^m − (a−t)^m)/(2·r^m), q_m = ((a+t)^m + (a−t)^m)/(2·r^m), m odd: both positive, advanced two
  // powers at a time by p ← (apt2·p + twoAt·q)/r², q ← (apt2·q + twoAt·p)/r².
  let p = t / r;
  let q = a / r;
  let coef = 1; // (2n − 1)!!
  let sum = p;
  for (let n = 1; n < 60; n++) {
    const pNext = (apt2 * p + twoAt * q) / r2;
    q = (apt2 * q + twoAt * p) / r2;
    p = pNext;
    coef *= 2 * n - 1;
    const term = coef * p;
    sum += n % 2 === 1 ? -term : term;
    if (term <= 1e-17 * sum) break;
  }
  return 2 * sum;
}

/** Y'(h) for h <= 0 without the cancellation of 1 + h·Y(h) when h << 0; y0 = Y(h). */
function millsYPrime(h: number, y0: number): number {
  if (h >= -3) return 1 + h * y0; // cancellation factor <= 11 here
  // Y'/Y = 1/(|h| + R1), R_{n−1} = n/(|h| + R_n): a continued fraction of positive terms (backward recurrence of the
  // minimal solution, started from the fixed point of R = n/(|h| + R)). Depth for 1e−16 measured against mpmath:
  // 40 at |h| = 3, 30 at 4, 20 at 5.66, 15 beyond 8.
  const a = -h;
  const depth = a < 4 ? 40 : a < 5.66 ? 30 : a < 8 ? 20 : 15;
  let r = (-a + Math.sqrt(a * a + 4 * depth)) / 2;
  for (let n = depth; n >= 1; n--) r = n / (a + r);
  return y0 * r;
}

/**
 * 1/((k+1)(k+2)) for odd k: the series below multiplies by these instead of dividing. Why: a division per term was a
 * measurable share of batch pricing (most real options fall in R2), and the reciprocals are exact to half an ulp.
 */
const SERIES_STEP = Float64Array.from({ length: 60 }, (_, k) => 1 / ((k + 1) * (k + 2)));

/** Y(h+t) − Y(h−t) for t < 1 and h <= 0 (R2): Taylor series in t, positive terms. */
function bracketSmallT(h: number, t: number): number {
  let yPrev = millsY(h); // Y⁽⁰⁾
  let y = millsYPrime(h, yPrev); // Y⁽¹⁾
  const t2 = t * t;
  let weight = t; // t^k / k!
  let sum = y * weight;
  for (let k = 1; k < 60; k += 2) {
    // Y⁽ᵏ⁺¹⁾ = h·Y⁽ᵏ⁾ + k·Y⁽ᵏ⁻¹⁾, then Y⁽ᵏ⁺²⁾ = h·Y⁽ᵏ⁺¹⁾ + (k+1)·Y⁽ᵏ⁾.
    const yEven = h * y + k * yPrev;
    const yOdd = h * yEven + (k + 1) * y;
    yPrev = yEven;
    y = yOdd;
    weight *= t2 * (SERIES_STEP[k] as number);
    const term = y * weight;
    sum += term;
    if (term <= 1e-17 * sum) break;
  }
  return 2 * sum;
}

/**
 * The bracket b/ν = Y(h+t) − Y(h−t) of an out-of-the-money call (h <= 0, t > 0) in regions R1, R2 and R4, where it
 * is evaluated without any exponential of h² + t²; NaN in region R3 (h + t >= 0 outside R2), where the Φ form is used
 * instead. The implied-volatility solver works with ln b = ln ν + ln(b/ν) through this, which needs no exp at all
 * and stays finite where b itself underflows.
 */
export function otmCallOverVega(h: number, t: number): number {
  if (h + t <= ASYMPTOTIC_THRESHOLD) return bracketAsymptotic(h, t);
  if (t < SMALL_T_THRESHOLD && -h * t <= SMALL_T_MAX_HT) return bracketSmallT(h, t);
  if (h + t < PHI_FORM_THRESHOLD) return millsY(h + t) - millsY(h - t);
  return NaN;
}

/**
 * The complement (e^{x/2} − b)/ν = Y(−h−t) + Y(h−t) of an out-of-the-money call for h + t >= 0 (both arguments
 * non-positive: a sum of positive terms, no exponential); NaN for h + t < 0. Used by the solver's upper branch.
 */
export function otmCallComplementOverVega(h: number, t: number): number {
  if (h + t < 0) return NaN;
  return millsY(-h - t) + millsY(h - t);
}

/**
 * Normalised Black value of an out-of-the-money call, b(x, s, +1) for x <= 0 and s >= 0 (0 at s = 0). In
 * [0, e^{x/2}); underflows to 0 when h + t < −38.5. Relative accuracy: see the module comment.
 */
export function normalisedBlackOtmCall(x: number, s: number): number {
  if (!(s > 0)) return 0;
  const h = x / s;
  const t = 0.5 * s;
  if (h + t < -38.5) return 0; // b < Φ(h+t) < 5e−324
  const scale = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t));
  const bracket = otmCallOverVega(h, t);
  if (!Number.isNaN(bracket)) return scale * bracket;
  // R3. Second term in its Y form: e^{−x/2}·Φ(h−t) = φ₀·exp(−(h²+t²)/2)·Y(h−t) cannot overflow.
  const b = Math.exp(0.5 * x) * normCdf(h + t) - scale * millsY(h - t);
  return b > 0 ? b : 0;
}

/**
 * Normalised Black value b(x, s, θ) for any finite x and s >= 0: the undiscounted option value divided by √(F·K).
 * At s = 0 this is the normalised intrinsic value max(θ·(e^{x/2} − e^{−x/2}), 0).
 */
export function normalisedBlack(x: number, s: number, isCall: boolean): number {
  // Reduce to the OTM call: a put at x is a call at −x; an ITM call is intrinsic plus the OTM call at −x.
  const xc = isCall ? x : -x;
  if (xc <= 0) return normalisedBlackOtmCall(xc, s);
  return normalisedIntrinsic(xc) + normalisedBlackOtmCall(-xc, s);
}

/** e^{x/2} − e^{−x/2} = 2·sinh(x/2) for x >= 0, without cancellation near 0 (expm1 form). */
export function normalisedIntrinsic(x: number): number {
  const e = Math.expm1(0.5 * x); // e^{x/2} − 1
  return e + e / (1 + e); // (e^{x/2} − 1) + (1 − e^{−x/2})
}

/**
 * The distance to the upper bound, e^{x/2} − b(x, s, +1) for x <= 0: e^{x/2}·Φ(−h−t) + e^{−x/2}·Φ(h−t), a sum of
 * positive terms, so it keeps full relative accuracy when b is close to its supremum (very large s). Used by the
 * implied-volatility solver on its upper branch.
 */
export function normalisedBlackOtmCallComplement(x: number, s: number): number {
  if (!(s > 0)) return Math.exp(0.5 * x);
  const h = x / s;
  const t = 0.5 * s;
  const second = ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t)) * millsY(h - t);
  return Math.exp(0.5 * x) * normCdf(-(h + t)) + second;
}

/**
 * Normalised vega ∂b/∂s = φ₀·exp(−(h² + t²)/2) (= e^{x/2}·φ(h + t)), the same for calls and puts; >= 0, any
 * finite x, s > 0. Multiply by √(F·K)·√T·D for ∂V/∂σ.
 */
export function normalisedVega(x: number, s: number): number {
  const h = x / s;
  const t = 0.5 * s;
  return ONE_OVER_SQRT_TWO_PI * Math.exp(-0.5 * (h * h + t * t));
}
