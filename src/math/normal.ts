/**
 * Standard normal distribution: density, cumulative distribution (tail-accurate), its logarithm and its inverse,
 * plus the complementary error function `erfc` and the scaled `erfcx(z) = exp(z²)·erfc(z)` they are built on.
 *
 * Accuracy (checked against mpmath at 50 digits and scipy in `normal.test.ts`): `normCdf` keeps a relative error of
 * a few EPS down to x = −38 (where Φ ≈ 3e−316, near the bottom of the double range). The tail is computed as
 * Φ(x) = ½·exp(−x²/2)·erfcx(−x/√2) with exp(−x²/2) evaluated from the exact input x (not from the rounded −x/√2);
 * the rounding of −x/√2 only enters erfcx, which is insensitive to it. A plain 0.5·erfc(−x/√2) would lose
 * x²·EPS ≈ 1.6e−13 relative at x = −38, which is what scipy's `ndtr` does.
 *
 * Sources: W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969) 631–637,
 * coefficients and algorithm of the public-domain SPECFUN routine CALERF (netlib.org/specfun/erf);
 * M. J. Wichura, "Algorithm AS 241: The percentage points of the normal distribution", Applied Statistics 37 (1988)
 * 477–484 (PPND16). Coefficients are written as the nearest doubles of the published values, in their shortest
 * round-trip form (the linter rejects digits a double cannot hold); the values the code computes with are unchanged.
 * @module
 */

/** 1/√(2π). */
export const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327;
/** 1/√2. */
export const ONE_OVER_SQRT_TWO = 0.7071067811865476;
/** √(2π). */
export const SQRT_TWO_PI = 2.5066282746310002;
/** 1/√π. */
const ONE_OVER_SQRT_PI = 0.5641895835477563;

// Cody (1969) / CALERF: erf on |z| <= 0.46875.
const A0 = 3.1611237438705655, A1 = 113.86415415105016, A2 = 377.4852376853020, A3 = 3209.3775891384694;
const A4 = 0.18577770618460315;
const B0 = 23.601290952344122, B1 = 244.02463793444417, B2 = 1282.6165260773723, B3 = 2844.236833439171;
// erfcx on 0.46875 < z <= 4.
const C0 = 0.5641884969886701, C1 = 8.883149794388375, C2 = 66.11919063714163, C3 = 298.6351381974001;
const C4 = 881.952221241769, C5 = 1712.0476126340707, C6 = 2051.0783778260716, C7 = 1230.3393547979972;
const C8 = 2.1531153547440383e-8;
const D0 = 15.744926110709835, D1 = 117.6939508913125, D2 = 537.1811018620099, D3 = 1621.3895745666903;
const D4 = 3290.7992357334597, D5 = 4362.619090143247, D6 = 3439.3676741437216, D7 = 1230.3393548037493;
// erfcx on z > 4 (rational in 1/z²).
const P0 = 0.30532663496123236, P1 = 0.36034489994980445, P2 = 0.12578172611122926, P3 = 0.01608378514874228;
const P4 = 0.0006587491615298378, P5 = 0.016315387137302097;
const Q0 = 2.568520192289822, Q1 = 1.8729528499234604, Q2 = 0.5279051029514285, Q3 = 0.06051834131244132;
const Q4 = 0.0023352049762686918;

/** Above this z, erfcx(z) = 1/(z√π) to double precision (CALERF's XHUGE). */
const ERFCX_HUGE = 6.71e7;

/** erf(z) for |z| <= 0.46875 (Cody's first interval). */
function erfSmall(z: number): number {
  const zsq = z * z;
  const num = (((A4 * zsq + A0) * zsq + A1) * zsq + A2) * zsq + A3;
  const den = (((zsq + B0) * zsq + B1) * zsq + B2) * zsq + B3;
  return (z * num) / den;
}

/** erfcx(z) for z > 0.46875 (Cody's second and third intervals). */
function erfcxPositive(z: number): number {
  if (z <= 4) {
    const num = (((((((C8 * z + C0) * z + C1) * z + C2) * z + C3) * z + C4) * z + C5) * z + C6) * z + C7;
    const den = (((((((z + D0) * z + D1) * z + D2) * z + D3) * z + D4) * z + D5) * z + D6) * z + D7;
    return num / den;
  }
  if (z >= ERFCX_HUGE) return ONE_OVER_SQRT_PI / z;
  const r = 1 / (z * z);
  const num = ((((P5 * r + P0) * r + P1) * r + P2) * r + P3) * r + P4;
  const den = ((((r + Q0) * r + Q1) * r + Q2) * r + Q3) * r + Q4;
  return (ONE_OVER_SQRT_PI - (r * num) / den) / z;
}

/**
 * exp(−y²) for y >= 0 without the y²·EPS relative error of `Math.exp(-y*y)`: y is split into ys = ⌊16y⌋/16, whose
 * square is exact, and a small remainder (CALERF's trick).
 */
function expMinusSquare(y: number): number {
  if (!(y < 27.3)) return 0; // exp(−y²) underflows; also keeps y = Infinity from producing Infinity − Infinity
  const ys = Math.trunc(y * 16) / 16;
  const del = (y - ys) * (y + ys);
  return Math.exp(-ys * ys) * Math.exp(-del);
}

/**
 * exp(−x²/2) for any finite x, to a few EPS relative (see {@link expMinusSquare}). Underflows to 0 beyond |x| ≈ 38.6.
 */
export function expMinusHalfSquare(x: number): number {
  const y = Math.abs(x);
  // Below |x| = 1 the plain form already has <= 1 EPS extra error; skip the second exp.
  if (y < 1) return Math.exp(-0.5 * y * y);
  if (!(y < 38.7)) return 0; // underflow; also maps ±Infinity to 0 instead of NaN
  const ys = Math.trunc(y * 16) / 16;
  const del = (y - ys) * (y + ys);
  return Math.exp(-0.5 * ys * ys) * Math.exp(-0.5 * del);
}

/**
 * Scaled complementary error function erfcx(z) = exp(z²)·erfc(z), any finite z. Positive; about 1/(z√π) for large
 * z; overflows to +Infinity below z ≈ −26.6 (as erfc(z)·exp(z²) itself does). Relative error a few EPS.
 */
export function erfcx(z: number): number {
  if (Math.abs(z) <= 0.46875) return Math.exp(z * z) * (1 - erfSmall(z));
  if (z > 0) return erfcxPositive(z);
  // erfcx(z) = 2·exp(z²) − erfcx(−z) for z < 0.
  if (z < -26.628) return Infinity;
  const y = -z;
  const ys = Math.trunc(y * 16) / 16;
  const del = (y - ys) * (y + ys);
  const e = Math.exp(ys * ys) * Math.exp(del);
  return e + e - erfcxPositive(y);
}

/** Complementary error function erfc(z) = 1 − erf(z), any finite z; relative error a few EPS (0 beyond z ≈ 26.5). */
export function erfc(z: number): number {
  if (Math.abs(z) <= 0.46875) return 1 - erfSmall(z);
  const y = Math.abs(z);
  const tail = y >= 26.543 ? 0 : expMinusSquare(y) * erfcxPositive(y);
  return z > 0 ? tail : 2 - tail;
}

/** Error function erf(z), any finite z. */
export function erf(z: number): number {
  if (Math.abs(z) <= 0.46875) return erfSmall(z);
  const y = Math.abs(z);
  const tail = y >= 26.543 ? 0 : expMinusSquare(y) * erfcxPositive(y);
  return z > 0 ? 1 - tail : tail - 1;
}

/** Standard normal density φ(x) = exp(−x²/2)/√(2π), any finite x; a few EPS relative; 0 beyond |x| ≈ 38.6. */
export function normPdf(x: number): number {
  return ONE_OVER_SQRT_TWO_PI * expMinusHalfSquare(x);
}

/** Φ(x) for x < −0.46875·√2 (lower tail), as ½·exp(−x²/2)·erfcx(−x/√2). */
function normCdfLowerTail(x: number): number {
  return 0.5 * expMinusHalfSquare(x) * erfcxPositive(-x * ONE_OVER_SQRT_TWO);
}

/** −x/√2 threshold of Cody's first interval, in x units: |x| <= 0.46875·√2. */
const CDF_CENTRAL = 0.46875 * Math.SQRT2;

/**
 * Standard normal cumulative distribution Φ(x) = P(Z <= x), any finite x. Relative error a few EPS for x down to
 * −38 (Φ(−38) ≈ 2.9e−316, a subnormal, where the result keeps only the precision a subnormal has); 0 below about
 * −38.5; exactly 1 above about 8.3 (1 − Φ is then below EPS/2; use `normCdf(-x)` for the upper tail).
 */
export function normCdf(x: number): number {
  if (x < -CDF_CENTRAL) return normCdfLowerTail(x);
  if (x <= CDF_CENTRAL) return 0.5 + 0.5 * erfSmall(x * ONE_OVER_SQRT_TWO);
  return 1 - normCdfLowerTail(-x);
}

/**
 * log Φ(x), any x with |x| <= 1e150 (beyond that −x²/2 is not representable). Keeps full relative accuracy where
 * Φ underflows (x < −38.5): log Φ(x) = log ½ − x²/2 + log erfcx(−x/√2); and for large positive x uses
 * log1p(−Φ(−x)) so that tiny values near 0 keep their digits.
 */
export function logNormCdf(x: number): number {
  if (x < -CDF_CENTRAL) {
    return -Math.LN2 - 0.5 * x * x + Math.log(erfcxPositive(-x * ONE_OVER_SQRT_TWO));
  }
  if (x <= 0) return Math.log(normCdf(x));
  return Math.log1p(-normCdf(-x));
}

// Wichura AS 241 (PPND16) coefficients, lowest degree first.
const AS_A = [
  3.3871328727963665, 133.14166789178438, 1971.5909503065513, 13731.69376550946, 45921.95393154987,
  67265.7709270087, 33430.57558358813, 2509.0809287301227,
] as const;
const AS_B = [
  1, 42.31333070160091, 687.1870074920579, 5394.196021424751, 21213.794301586597, 39307.89580009271,
  28729.085735721943, 5226.495278852854,
] as const;
const AS_C = [
  1.4234371107496835, 4.630337846156546, 5.769497221460691, 3.6478483247632045,
  1.2704582524523684, 0.2417807251774506, 0.022723844989269184, 0.0007745450142783414,
] as const;
const AS_D = [
  1, 2.053191626637759, 1.6763848301838038, 0.6897673349851, 0.14810397642748008,
  0.015198666563616457, 0.0005475938084995345, 1.0507500716444169e-9,
] as const;
const AS_E = [
  6.657904643501103, 5.463784911164114, 1.7848265399172913, 0.29656057182850487,
  0.026532189526576124, 0.0012426609473880784, 2.7115555687434876e-5, 2.0103343992922881e-7,
] as const;
const AS_F = [
  1, 0.599832206555888, 0.1369298809227358, 0.014875361290850615, 0.0007868691311456133,
  1.8463183175100548e-5, 1.421511758316446e-7, 2.0442631033899397e-15,
] as const;

/** Degree-7 polynomial, coefficients lowest degree first (Horner). */
function poly7(c: readonly [number, number, number, number, number, number, number, number], x: number): number {
  return ((((((c[7] * x + c[6]) * x + c[5]) * x + c[4]) * x + c[3]) * x + c[2]) * x + c[1]) * x + c[0];
}

/**
 * Inverse standard normal CDF: the x with Φ(x) = p, for p in (0, 1). Wichura's AS 241 (relative accuracy about
 * 1e−16) down to p = 5e−324 (x ≈ −38.5). Returns −Infinity / +Infinity for p = 0 / 1 and NaN outside [0, 1];
 * callers feed p in (0, 1). For p close to 1 the answer is limited by the spacing of doubles near 1: pass the
 * complement instead (normInv(q) = −normInv(1 − q)).
 */
export function normInv(p: number): number {
  if (!(p > 0 && p < 1)) {
    if (p === 0) return -Infinity;
    if (p === 1) return Infinity;
    return NaN;
  }
  const q = p - 0.5;
  if (Math.abs(q) <= 0.425) {
    const r = 0.180625 - q * q;
    return (q * poly7(AS_A, r)) / poly7(AS_B, r);
  }
  let r = Math.sqrt(-Math.log(q < 0 ? p : 1 - p));
  let x: number;
  if (r <= 5) {
    r -= 1.6;
    x = poly7(AS_C, r) / poly7(AS_D, r);
  } else {
    r -= 5;
    x = poly7(AS_E, r) / poly7(AS_F, r);
  }
  return q < 0 ? -x : x;
}
