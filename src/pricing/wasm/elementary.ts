/**
 * Elementary functions of the normalised-Black module (./black-module.ts), emitted as f64x2 code: exp (and e^r − 1),
 * log with fdlibm's log1p correction, ln(F/K) with the normalised intrinsic value, and Cody's erfcx. Each emitter
 * writes its result to named locals of the current bank (./locals.ts).
 * @module
 */
import {
  abs, add, and, andNot, anyTrue, bits, c, div, get, gt, i64Shl, i64ShrU, le, lt, mul, nearest, or, select, set, sub, when,
} from "./simd.js";
import type { Code } from "./simd.js";
import { L } from "./locals.js";

// Cody (1969) / CALERF coefficients, identical to ../../math/normal.ts (where they are documented; the module-private
// constants there cannot be imported). black-module.test.ts checks this erfcx against mpmath and normal.ts's.
const A = [3.1611237438705655, 113.86415415105016, 377.4852376853020, 3209.3775891384694, 0.18577770618460315];
const B = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
const C = [
  0.5641884969886701, 8.883149794388375, 66.11919063714163, 298.6351381974001, 881.952221241769, 1712.0476126340707,
  2051.0783778260716, 1230.3393547979972, 2.1531153547440383e-8,
];
const D = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597, 4362.619090143247,
  3439.3676741437216, 1230.3393548037493,
];
const P = [0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.01608378514874228, 0.0006587491615298378, 0.016315387137302097];
const Q = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132, 0.0023352049762686918];
const ONE_OVER_SQRT_PI = 0.5641895835477563;
export const ONE_OVER_SQRT_TWO = 0.7071067811865476;
export const ONE_OVER_SQRT_TWO_PI = 0.3989422804014327;
export const SQRT_HALF_PI = 1.2533141373155003;

// exp: x = n·ln2 + r with |r| <= ln2/2, e^r by its Taylor polynomial of degree 13 (truncation r^14/14! <= 4.4e−18),
// 2^n by writing the exponent bits. ln2 split as in fdlibm (e_exp.c): LN2_HI has 32 trailing zero bits, so n·LN2_HI
// is exact for |n| < 2^20 and the reduction loses nothing.
const LOG2E = 1.4426950408889634;
const LN2_HI = 0.6931471803691238;
const LN2_LO = 1.9082149292705877e-10;
/** 2^52 + 1023: adding it to an integer-valued n in [−1022, 1023] puts n + 1023 in the low mantissa bits. */
const EXP_BIAS = 4503599627371519;

/** Horner's rule with coefficients highest degree first: ((k0·x + k1)·x + k2)…, as the TypeScript code writes it. */
function horner(x: Code, coefficients: readonly number[], leadingOne = false): Code {
  let acc: Code = leadingOne ? add(x, c(coefficients[0] as number)) : c(coefficients[0] as number);
  for (let i = 1; i < coefficients.length; i++) acc = add(mul(acc, x), c(coefficients[i] as number));
  return acc;
}

/**
 * Statements: with x = n·ln2 + r (|r| <= ln2/2), EN = n, EQ = e^r − 1 = r + r²·Q(r) (Q the Taylor polynomial of
 * degree 11, in Estrin's scheme), EP = 2^n; then EXP = (1 + EQ)·EP = e^x. For x in [−700, 700] (no subnormal or
 * overflow path). Why Estrin and not Horner: this exp sits on the kernel's critical path, and Horner's 13 dependent
 * multiply-adds cost ~100 cycles of latency against ~30 here; adding 1 last keeps the rounding of the small part
 * relative to the result (measured ≤ 1 ulp from Math.exp in black-module.test.ts).
 */
export function expInto(x: Code): Code {
  const a = (k: number): number => {
    let factorial = 1; // k! is exact in a double up to k = 18
    for (let j = 2; j <= k; j++) factorial *= j;
    return 1 / factorial;
  };
  const r = get(L.ER);
  const pair = (k: number): Code => add(c(a(k)), mul(c(a(k + 1)), r)); // a_k + a_{k+1}·r
  const c0 = add(pair(2), mul(pair(4), get(L.ER2)));
  const c1 = add(pair(6), mul(pair(8), get(L.ER2)));
  const c2 = add(pair(10), mul(pair(12), get(L.ER2)));
  const q = add(add(c0, mul(c1, get(L.ER4))), mul(c2, mul(get(L.ER4), get(L.ER4))));
  return [
    ...set(L.EX, x),
    ...set(L.EN, nearest(mul(get(L.EX), c(LOG2E)))),
    ...set(L.ER, sub(sub(get(L.EX), mul(get(L.EN), c(LN2_HI))), mul(get(L.EN), c(LN2_LO)))),
    ...set(L.ER2, mul(r, r)),
    ...set(L.ER4, mul(get(L.ER2), get(L.ER2))),
    ...set(L.EQ, add(r, mul(get(L.ER2), q))),
    ...set(L.EP, i64Shl(add(get(L.EN), c(EXP_BIAS)), 52)),
    ...set(L.EXP, mul(add(c(1), get(L.EQ)), get(L.EP))),
  ];
}

// fdlibm e_log.c (Sun Microsystems, 1993; the algorithm of V8's and glibc's old log): log(1+f) = f − hfsq + s·(hfsq+R)
// with s = f/(2+f), R(z = s²) the minimax polynomial below (|error| < 2^−58.45 on [0, 0.1716]).
const LG1 = 6.666666666666735130e-01, LG2 = 3.999999999940941908e-01, LG3 = 2.857142874366239149e-01;
const LG4 = 2.222219843214978396e-01, LG5 = 1.818357216161805012e-01, LG6 = 1.531383769920937332e-01;
const LG7 = 1.479819860511658591e-01;

/**
 * Statements: LX = log(v) + cc for v > 0 a normal double and cc a small correction (fdlibm s_log1p.c's way of adding
 * the rounding error of 1 + d), with v = 2^k·m, m in (√2/2, √2], f = m − 1 exact.
 */
function logInto(v: Code, cc: Code): Code {
  const f = get(L.LF);
  return [
    ...set(L.LB, v),
    // Biased exponent as a double: OR the 11 exponent bits into the mantissa of 2^52, subtract 2^52.
    ...set(L.LK, sub(or(i64ShrU(get(L.LB), 52), bits("4330000000000000")), c(4503599627370496))),
    ...set(L.LM, or(and(get(L.LB), bits("000fffffffffffff")), bits("3ff0000000000000"))),
    ...set(L.LBIG, gt(get(L.LM), c(Math.SQRT2))),
    ...set(L.LM, select(get(L.LBIG), mul(get(L.LM), c(0.5)), get(L.LM))),
    ...set(L.LK, add(sub(get(L.LK), c(1023)), and(get(L.LBIG), c(1)))),
    ...set(L.LF, sub(get(L.LM), c(1))),
    ...set(L.LS, div(f, add(c(2), f))),
    ...set(L.LZ, mul(get(L.LS), get(L.LS))),
    ...set(L.LW, mul(get(L.LZ), get(L.LZ))),
    ...set(
      L.LR,
      add(
        mul(get(L.LZ), add(c(LG1), mul(get(L.LW), add(c(LG3), mul(get(L.LW), add(c(LG5), mul(get(L.LW), c(LG7)))))))),
        mul(get(L.LW), add(c(LG2), mul(get(L.LW), add(c(LG4), mul(get(L.LW), c(LG6)))))),
      ),
    ),
    ...set(L.LH, mul(mul(c(0.5), f), f)),
    // k·ln2_hi − ((hfsq − (s·(hfsq + R) + (k·ln2_lo + c))) − f)
    ...set(
      L.LX,
      sub(
        mul(get(L.LK), c(LN2_HI)),
        sub(sub(get(L.LH), add(mul(get(L.LS), add(get(L.LH), get(L.LR))), add(mul(get(L.LK), c(LN2_LO)), cc))), f),
      ),
    ),
  ];
}

/**
 * Statements for one pair of rows: LX = ln(F/K) as logMoneyness (log1p((F−K)/K) for F/K in (0.5, 2), else
 * log(F/K)), and EXP = e + e/(1 + e) with e = expm1(|x|/2) (normalisedIntrinsic(|x|)). F/K must be a normal double
 * and |x| <= 1400; the host recomputes rows with |x| > 700 in TypeScript.
 */
export function moneynessInto(f: Code, k: Code): Code {
  return [
    ...set(L.MF, f),
    ...set(L.MK, k),
    ...set(L.MQ, div(get(L.MF), get(L.MK))),
    ...set(L.MIN, and(gt(get(L.MQ), c(0.5)), lt(get(L.MQ), c(2)))),
    ...set(L.MD, div(sub(get(L.MF), get(L.MK)), get(L.MK))),
    ...set(L.MU, add(c(1), get(L.MD))),
    // 1 + d rounds; its error (d − (u − 1)), u − 1 exact for u in [0.5, 2] (Sterbenz), enters as c/u.
    ...logInto(select(get(L.MIN), get(L.MU), get(L.MQ)), and(get(L.MIN), div(sub(get(L.MD), sub(get(L.MU), c(1))), get(L.MU)))),
    // expm1(y) = 2^n·(e^r − 1) + (2^n − 1): both exact scalings, one rounding; n = 0 gives e^r − 1 itself.
    ...expInto(mul(c(0.5), abs(get(L.LX)))),
    ...set(L.MD, add(mul(get(L.EP), get(L.EQ)), sub(get(L.EP), c(1)))),
    ...set(L.EXP, add(get(L.MD), div(get(L.MD), add(c(1), get(L.MD))))),
  ];
}

/**
 * Estrin's scheme for Σ a_i·x^i (coefficients lowest degree first), given x² and x⁴ as expressions: the same
 * polynomial as Horner's rule in ~log2(n) multiply-add levels instead of n. Rounds differently from Horner (the
 * TypeScript erfcx) by an EPS or so.
 */
function estrin(x: Code, x2: Code, x4: Code, a: readonly number[]): Code {
  let terms: Code[] = [];
  for (let i = 0; i < a.length; i += 2) {
    terms.push(i + 1 < a.length ? add(c(a[i] as number), mul(c(a[i + 1] as number), x)) : c(a[i] as number));
  }
  let power = x2;
  let squared = false;
  while (terms.length > 1) {
    const next: Code[] = [];
    for (let i = 0; i < terms.length; i += 2) {
      next.push(i + 1 < terms.length ? add(terms[i] as Code, mul(terms[i + 1] as Code, power)) : (terms[i] as Code));
    }
    terms = next;
    power = squared ? mul(power, power) : x4;
    squared = true;
  }
  return terms[0] as Code;
}

/** Statements: E = erfcx(z) for z = get(L.Z) >= 0 (z < 6.7e7, below CALERF's XHUGE), Cody's three intervals. */
export function erfcxInto(): Code {
  const z = get(L.Z);
  const small: Code = [
    ...set(L.ZSQ, mul(z, z)),
    ...expInto(get(L.ZSQ)),
    // exp(z²)·(1 − z·num/den), num and den as erfSmall in normal.ts.
    ...set(
      L.E,
      select(
        get(L.M1),
        mul(get(L.EXP), sub(c(1), div(mul(z, horner(get(L.ZSQ), [A[4] as number, A[0] as number, A[1] as number, A[2] as number, A[3] as number])), horner(get(L.ZSQ), B, true)))),
        get(L.E),
      ),
    ),
  ];
  // Cody's rational of degree 8/8, both polynomials by Estrin (lowest degree first; the denominator is monic). Why:
  // this interval serves most options (|h| in [0.66, 5.66]), and Horner's two chains of 8 dependent multiply-adds
  // were the longest latency before the series.
  const numerator = [...C.slice(0, 8)].reverse().concat([C[8] as number]);
  const denominator = [...D].reverse().concat([1]);
  const mid: Code = [
    ...set(L.ZSQ, mul(z, z)),
    ...set(L.RR, mul(get(L.ZSQ), get(L.ZSQ))),
    ...set(L.E, select(get(L.MID), div(estrin(z, get(L.ZSQ), get(L.RR), numerator), estrin(z, get(L.ZSQ), get(L.RR), denominator)), get(L.E))),
  ];
  const large: Code = [
    ...set(L.RR, div(c(1), mul(z, z))),
    ...set(
      L.E,
      select(
        get(L.M3),
        div(sub(c(ONE_OVER_SQRT_PI), div(mul(get(L.RR), horner(get(L.RR), [P[5] as number, ...P.slice(0, 5)])), horner(get(L.RR), Q, true))), z),
        get(L.E),
      ),
    ),
  ];
  return [
    ...set(L.E, c(0)),
    ...set(L.M1, le(z, c(0.46875))),
    ...set(L.M3, gt(z, c(4))),
    ...set(L.MID, andNot(andNot(le(z, z), get(L.M1)), get(L.M3))),
    ...when(anyTrue(get(L.M1)), small),
    ...when(anyTrue(get(L.MID)), mid),
    ...when(anyTrue(get(L.M3)), large),
  ];
}

