/**
 * Evaluation of a fitted surface: packed per-slice parameters in typed arrays, no allocation per call (the
 * surface is evaluated per option per scenario).
 *
 * Between expiries T_i < T < T_{i+1}: w(k, T) = (1 − α)·w̃_i(k) + α·w̃_{i+1}(k), α = (T − T_i)/(T_{i+1} − T_i),
 * at fixed k = ln(K/F(T)), where w̃_i is slice i after the calendar fix (pointwise max with its dominators).
 * Before the first expiry: w(k, T) = w̃_1(k)·T/T_1 (each k keeps the first slice's implied vol).
 * After the last: w(k, T) = w̃_n(k) + (T − T_n)·θ_n/T_n with θ_n = w̃_n(0), i.e. flat forward variance at the last
 * slice's ATM implied variance, added equally at every k (ATM vol constant, the smile flattens as 1/T, wing
 * slopes stay below Lee's bound 2 — unlike "constant vol per k", whose slopes grow ∝ T).
 * Forward: ln F linear in T between expiries (constant carry), anchored at the spot at T = 0 when known (else
 * flat before T_1), extrapolated with the last segment's carry rate after T_n.
 * Domain guards: k is clamped to [−50, 50] (K/F from 2e-22 to 5e21; NaN → −50), T ≤ 0 or NaN is the T → 0⁺ limit,
 * T above 1e4 years is clamped. Within the domain every value is finite and > 0.
 * @module
 */

/** Largest |log-moneyness| evaluated: beyond it the smile is held at its value at ±50. */
export const K_CLAMP = 50;
/** Largest time to expiry evaluated, years. */
export const T_MAX_YEARS = 1e4;

/** Packed slices of a surface. Arrays are owned by the core and never mutated after construction. */
export interface SurfaceData {
  /** Times to expiry (years), strictly ascending, length n ≥ 1. */
  readonly timeYears: Float64Array;
  /** ln forward (USD) per slice. */
  readonly lnForward: Float64Array;
  /** Raw SVI parameters, 5 per slice: a, b, ρ, m, σ. */
  readonly params: Float64Array;
  /** CSR lists of earlier slices in each slice's running max: domIndex[domStart[i] .. domStart[i+1]). */
  readonly domStart: Int32Array;
  readonly domIndex: Int32Array;
  /** Per slice, the open k-interval where no dominator can exceed the slice (see calendar.ts). */
  readonly safeLo: Float64Array;
  readonly safeHi: Float64Array;
  /** ln spot, or NaN when unknown. */
  readonly lnSpot: number;
}

/** The evaluation functions of a surface. */
export interface SurfaceCore {
  totalVariance(k: number, T: number): number;
  volAtLogMoneyness(k: number, T: number): number;
  /** Vol at a strike given as ln K (USD): one time-segment search for both the forward and the variance. */
  volAtLnStrike(lnStrike: number, T: number): number;
  lnForward(T: number): number;
  /** w̃_i(k) and its first two k-derivatives (of the active piece of the running max), into out[0..2]. */
  sliceDerivatives(i: number, k: number, out: Float64Array): void;
  /** w̃_i(k). */
  sliceVariance(i: number, k: number): number;
}

/** Build the evaluator over packed slice data. */
export function makeSurfaceCore(d: SurfaceData): SurfaceCore {
  const n = d.timeYears.length;
  const T = d.timeYears;
  const P = d.params;
  const t0 = T[0] as number;
  const tLast = T[n - 1] as number;

  const svi = (j: number, k: number): number => {
    const o = 5 * j;
    const x = k - (P[o + 3] as number);
    const s = P[o + 4] as number;
    return (P[o] as number) + (P[o + 1] as number) * ((P[o + 2] as number) * x + Math.sqrt(x * x + s * s));
  };
  const safeLo = d.safeLo;
  const safeHi = d.safeHi;
  const sliceVariance = (i: number, k: number): number => {
    let w = svi(i, k);
    // Speed: inside the safe interval (usually all quoted strikes and beyond) the running max is the slice itself.
    if (k > (safeLo[i] as number) && k < (safeHi[i] as number)) return w;
    const end = d.domStart[i + 1] as number;
    for (let q = d.domStart[i] as number; q < end; q++) {
      const v = svi(d.domIndex[q] as number, k);
      if (v > w) w = v;
    }
    return w;
  };
  const atmVarianceRateLast = sliceVariance(n - 1, 0) / tLast;

  const clampK = (k: number): number => (k > -K_CLAMP ? (k < K_CLAMP ? k : K_CLAMP) : -K_CLAMP);
  /** Index i with T_i ≤ t < T_{i+1}, for T_0 ≤ t < T_{n−1}. */
  const segment = (t: number): number => {
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((T[mid] as number) <= t) lo = mid;
      else hi = mid;
    }
    return lo;
  };

  const totalVariance = (kIn: number, tIn: number): number => {
    const k = clampK(kIn);
    const t = tIn > 0 ? (tIn < T_MAX_YEARS ? tIn : T_MAX_YEARS) : 0;
    if (t <= t0) return sliceVariance(0, k) * (t / t0);
    if (t >= tLast) return sliceVariance(n - 1, k) + (t - tLast) * atmVarianceRateLast;
    const i = segment(t);
    const ti = T[i] as number;
    const alpha = (t - ti) / ((T[i + 1] as number) - ti);
    return (1 - alpha) * sliceVariance(i, k) + alpha * sliceVariance(i + 1, k);
  };

  const volAtLogMoneyness = (kIn: number, tIn: number): number => {
    const t = tIn > 0 ? (tIn < T_MAX_YEARS ? tIn : T_MAX_YEARS) : 0;
    // Before the first expiry the vol is the first slice's at the same k: no division by a tiny T.
    if (t <= t0) return Math.sqrt(sliceVariance(0, clampK(kIn)) / t0);
    return Math.sqrt(totalVariance(kIn, t) / t);
  };

  const lnF = d.lnForward;
  const hasSpot = Number.isFinite(d.lnSpot);
  const lastCarry =
    n >= 2
      ? ((lnF[n - 1] as number) - (lnF[n - 2] as number)) / (tLast - (T[n - 2] as number))
      : hasSpot
        ? ((lnF[0] as number) - d.lnSpot) / t0
        : 0;
  const lnForward = (tIn: number): number => {
    const t = tIn > 0 ? (tIn < T_MAX_YEARS ? tIn : T_MAX_YEARS) : 0;
    if (t <= t0) return hasSpot ? d.lnSpot + (((lnF[0] as number) - d.lnSpot) * t) / t0 : (lnF[0] as number);
    if (t >= tLast) return (lnF[n - 1] as number) + lastCarry * (t - tLast);
    const i = segment(t);
    const ti = T[i] as number;
    const alpha = (t - ti) / ((T[i + 1] as number) - ti);
    return (1 - alpha) * (lnF[i] as number) + alpha * (lnF[i + 1] as number);
  };

  const volAtLnStrike = (lnStrike: number, tIn: number): number => {
    const t = tIn > 0 ? (tIn < T_MAX_YEARS ? tIn : T_MAX_YEARS) : 0;
    if (t <= t0) {
      const lf = hasSpot ? d.lnSpot + (((lnF[0] as number) - d.lnSpot) * t) / t0 : (lnF[0] as number);
      return Math.sqrt(sliceVariance(0, clampK(lnStrike - lf)) / t0);
    }
    if (t >= tLast) {
      const k = clampK(lnStrike - ((lnF[n - 1] as number) + lastCarry * (t - tLast)));
      return Math.sqrt((sliceVariance(n - 1, k) + (t - tLast) * atmVarianceRateLast) / t);
    }
    const i = segment(t);
    const ti = T[i] as number;
    const alpha = (t - ti) / ((T[i + 1] as number) - ti);
    const k = clampK(lnStrike - ((1 - alpha) * (lnF[i] as number) + alpha * (lnF[i + 1] as number)));
    return Math.sqrt(((1 - alpha) * sliceVariance(i, k) + alpha * sliceVariance(i + 1, k)) / t);
  };

  const sliceDerivatives = (i: number, k: number, out: Float64Array): void => {
    let best = i;
    let w = svi(i, k);
    const end = d.domStart[i + 1] as number;
    for (let q = d.domStart[i] as number; q < end; q++) {
      const j = d.domIndex[q] as number;
      const v = svi(j, k);
      if (v > w) {
        w = v;
        best = j;
      }
    }
    const o = 5 * best;
    const b = P[o + 1] as number;
    const rho = P[o + 2] as number;
    const x = k - (P[o + 3] as number);
    const s = P[o + 4] as number;
    const r = Math.sqrt(x * x + s * s);
    out[0] = w;
    out[1] = b * (rho + x / r);
    out[2] = (b * s * s) / (r * r * r);
  };

  return { totalVariance, volAtLogMoneyness, volAtLnStrike, lnForward, sliceDerivatives, sliceVariance };
}
