/**
 * WebAssembly (f64x2 SIMD) module of the normalised Black kernel in region R2 (see ../normalised-black.ts), the
 * region of practically every listed option (all 1304 of the Deribit chain of 2025-12-30): two options per
 * instruction and two pairs per loop iteration, with exp and log computed inline (WebAssembly has neither).
 *
 * Exports, all `(p0, p1, p2, p3, count)` over arrays of doubles in the module's memory (byte pointers; count a
 * multiple of 4 for otm and rows, even for exp and erfcx):
 * - `otm(xPtr, sPtr, outPtr, _, count)`: b(x, s, +1) of out-of-the-money calls (x <= 0) whose (h, t) = (x/s, s/2)
 *   lie in R2 (t < 1, |h|·t <= 2, h + t > −10). The host routes every other point to the TypeScript kernel.
 * - `rows(base, _, _, _, count)`: per option row (columns {@link ROW_COLUMNS}): x = ln(F/K) as logMoneyness and the
 *   normalised intrinsic value normalisedIntrinsic(θ·x) where θ·x > 0, else 0 (θ = +1 call, −1 put), and √(F·K).
 * - `exp(inPtr, outPtr, _, _, count)` and `erfcx(inPtr, outPtr, _, _, count)`: the module's exp (arguments in
 *   [−700, 700]) and erfcx (z in [0, 6.7e7)), exported so the tests can check them against Math.exp and normal.ts.
 *
 * Same formulas as the TypeScript kernel, lane by lane: the same erfcx coefficients (its middle interval's rational
 * evaluated by Estrin's scheme), the same continued-fraction depths, the same Taylor series (its recurrence regrouped
 * for latency, its stopping rule an a-priori bound that keeps every term the TypeScript kernel adds). Differences of
 * rounding only: exp, log and expm1 are computed here (within 1, 1 and ~2 ulp of Math.exp / Math.log1p /
 * Math.expm1, measured in black-module.test.ts), erfcx within 3 EPS of mpmath as normal.ts's, hence agreement with
 * the TypeScript kernel to a few EPS·(1 + h² + t²) instead of bit identity; same accuracy contract against mpmath.
 *
 * Layout: elementary functions in ./elementary.ts, local variables in ./locals.ts, this file the kernel and module.
 * @module
 */
import { encodeModule, F64, I32, op, V128 } from "../../math/wasm/encoder.js";
import { erfcxInto, expInto, moneynessInto, ONE_OVER_SQRT_TWO, ONE_OVER_SQRT_TWO_PI, SQRT_HALF_PI } from "./elementary.js";
import { COUNT, I, L, N, P0, P1, P2, useBank, V128_LOCALS } from "./locals.js";
import {
  add, and, anyTrue, c, div, f64c, f64Lt, f64Max, f64Sub, get, gt, i32Eqz, lane, le, load, lt, mul, neg, or, select, set,
  splat, sqrt, store, when,
} from "./simd.js";
import type { Code } from "./simd.js";

/**
 * Statements, both banks: Y1 = Y'(h) from Y0 = Y(h), as millsYPrime (1 + h·Y for h >= −3, else the continued
 * fraction with the same depth per lane).
 */
function millsYPrimeInto(): Code {
  // Both banks: Y' = 1 + h·Y; lanes with h < −3 get their continued-fraction depth (others 0: never updated).
  const out: Code = [];
  const banks = [0, 1] as const;
  const anyFraction: Code[] = [];
  for (const b of banks) {
    useBank(b);
    const a = get(L.AA);
    out.push(
      ...set(L.Y1, add(c(1), mul(get(L.H), get(L.Y0)))),
      ...set(L.MCF, lt(get(L.H), c(-3))),
      ...set(L.AA, neg(get(L.H))),
      ...set(L.DEPTH, and(get(L.MCF), select(lt(a, c(4)), c(40), select(lt(a, c(5.66)), c(30), select(lt(a, c(8)), c(20), c(15)))))),
      ...set(L.R, div(add(neg(a), sqrt(add(mul(a, a), mul(c(4), get(L.DEPTH))))), c(2))),
    );
    anyFraction.push(get(L.MCF));
  }
  // n from the largest lane depth down to 1, both banks in one loop (their divisions overlap); a lane whose own depth
  // is below n keeps its start, so each lane runs exactly millsYPrime's recurrence.
  useBank(0);
  const depthA = get(L.DEPTH);
  useBank(1);
  const depthB = get(L.DEPTH);
  const step: Code = [];
  for (const b of banks) {
    useBank(b);
    step.push(...set(L.R, select(le(splat(get(N)), get(L.DEPTH)), div(splat(get(N)), add(get(L.AA), get(L.R))), get(L.R))));
  }
  const fraction: Code = [
    ...f64Max(f64Max(lane(depthA, 0), lane(depthA, 1)), f64Max(lane(depthB, 0), lane(depthB, 1))),
    ...op.localSet(N),
    ...op.block(),
    ...op.loop(),
    ...f64Lt(get(N), f64c(1)),
    ...op.brIf(1),
    ...step,
    ...f64Sub(get(N), f64c(1)),
    ...op.localSet(N),
    ...op.br(0),
    ...op.end(),
    ...op.end(),
  ];
  for (const b of banks) {
    useBank(b);
    fraction.push(...set(L.Y1, select(get(L.MCF), mul(get(L.Y0), get(L.R)), get(L.Y1))));
  }
  out.push(...when(anyTrue(or(anyFraction[0] as Code, anyFraction[1] as Code)), fraction));
  return out;
}

/**
 * Statements: SUM = Σ_{k odd} Y⁽ᵏ⁾(h)·t^k/k! as bracketSmallT (without its final doubling), unrolled over k, with the
 * same terms and recurrence. The stopping rule differs: instead of testing each term against the sum (a test at the
 * end of the long dependency chain, which stalls the pipeline), the loop stops when the a-priori bound
 * BND_m = t^{2m}/(3·5·…·(2m+1)) of term/sum is <= 1e−17 in both lanes. Why this bounds term_k/sum (k = 2m+1): the
 * sum is at least its first term t·Y'(h), and Y⁽ᵏ⁾(h)/Y'(h) = E[u^k]/E[u] under the density ∝ e^{hu − u²/2} on u > 0
 * grows with h, so for h <= 0 it is at most its value at h = 0, 2^m·m!; then term_k/sum <= t^{k−1}·2^m·m!/k! = BND_m.
 * So every term the TypeScript kernel adds is added here too; the extra terms are below 1e−17 of the sum.
 */
function seriesInto(): Code {
  const banks = [0, 1] as const;
  const out: Code = [];
  for (const b of banks) {
    useBank(b);
    out.push(
      ...set(L.YP, get(L.Y0)),
      ...set(L.Y, get(L.Y1)),
      ...set(L.T2, mul(get(L.T), get(L.T))),
      ...set(L.HH, mul(get(L.H), get(L.H))),
      ...set(L.W, get(L.T)),
      ...set(L.SUM, mul(get(L.Y), get(L.W))),
      ...set(L.ACT, get(L.T2)), // the bound BND_m / (2m+1) before the division, m = 1
    );
  }
  out.push(...op.block());
  for (let k = 1; k < 60; k += 2) {
    const more: Code[] = [];
    for (const b of banks) {
      useBank(b);
      out.push(
        // Y⁽ᵏ⁺¹⁾ = h·Y⁽ᵏ⁾ + k·Y⁽ᵏ⁻¹⁾ and Y⁽ᵏ⁺²⁾ = (h² + k + 1)·Y⁽ᵏ⁾ + h·k·Y⁽ᵏ⁻¹⁾, both from the previous pair: one
        // multiply-add of latency per step instead of two (the TypeScript kernel chains them; same value, rounded
        // differently by an EPS or so).
        ...set(L.YE, add(mul(get(L.H), get(L.Y)), mul(c(k), get(L.YP)))),
        ...set(L.Y, add(mul(add(get(L.HH), c(k + 1)), get(L.Y)), mul(mul(get(L.H), c(k)), get(L.YP)))),
        ...set(L.YP, get(L.YE)),
        ...set(L.W, mul(get(L.W), mul(get(L.T2), c(1 / ((k + 1) * (k + 2)))))),
        ...set(L.SUM, add(get(L.SUM), mul(get(L.Y), get(L.W)))),
      );
      // BND_m for the term just added (k = 2m+1); the next bound multiplies by t²/(2m+3).
      more.push(gt(mul(get(L.ACT), c(1 / (k + 2))), c(1e-17)));
    }
    out.push(...i32Eqz(anyTrue(or(more[0] as Code, more[1] as Code))), ...op.brIf(0));
    for (const b of banks) {
      useBank(b);
      out.push(...set(L.ACT, mul(mul(get(L.ACT), c(1 / (k + 2))), get(L.T2))));
    }
  }
  out.push(...op.end());
  return out;
}

/** A loop I = 0, step, … < 8·count, running `body` (which reads/writes at base + I); step 16 (a pair) or 32. */
function pairLoop(body: Code, step = 16): Code {
  return [
    ...op.i32Const(0),
    ...op.localSet(I),
    ...op.block(),
    ...op.loop(),
    ...op.localGet(I),
    ...op.localGet(COUNT),
    ...op.i32Const(3),
    ...op.i32Shl(),
    ...op.i32GeS(),
    ...op.brIf(1),
    ...body,
    ...op.localGet(I),
    ...op.i32Const(step),
    ...op.i32Add(),
    ...op.localSet(I),
    ...op.br(0),
    ...op.end(),
    ...op.end(),
  ];
}

const at = (ptr: number): Code => [...op.localGet(ptr), ...op.localGet(I), ...op.i32Add()];

/** The `otm` loop: four points per iteration, two pairs in the two banks of locals (bank b at byte offset 16·b). */
function otmBody(): Code {
  const body: Code = [];
  for (const b of [0, 1] as const) {
    useBank(b);
    body.push(
      ...set(L.X, load(at(P0), 16 * b)),
      ...set(L.S, load(at(P1), 16 * b)),
      ...set(L.H, div(get(L.X), get(L.S))),
      ...set(L.T, mul(c(0.5), get(L.S))),
      ...set(L.Z, mul(neg(get(L.H)), c(ONE_OVER_SQRT_TWO))),
      ...erfcxInto(),
      ...set(L.Y0, mul(c(SQRT_HALF_PI), get(L.E))),
    );
  }
  body.push(...millsYPrimeInto(), ...seriesInto());
  for (const b of [0, 1] as const) {
    useBank(b);
    body.push(
      ...expInto(mul(c(-0.5), add(mul(get(L.H), get(L.H)), mul(get(L.T), get(L.T))))),
      ...store(at(P2), mul(mul(c(ONE_OVER_SQRT_TWO_PI), get(L.EXP)), mul(c(2), get(L.SUM))), 16 * b),
    );
  }
  useBank(0);
  return pairLoop(body, 32);
}

const LOCALS: [number, typeof I32 | typeof F64 | typeof V128][] = [
  [1, I32],
  [1, F64],
  [V128_LOCALS, V128],
];

/** Columns of the per-row area read and written by `rows` (doubles; column j at base + j·columnBytes). */
export const ROW_COLUMNS = {
  forward: 0,
  strike: 1,
  isCall: 2,
  logMoneyness: 3,
  intrinsic: 4,
  rootFK: 5,
} as const;
/** Number of columns of the per-row area. */
export const ROW_COLUMN_COUNT = 6;

/** Statements: the `rows` export's work for one pair of rows at base + I + offset, columns `columnBytes` apart. */
function rowsPair(columnBytes: number, offset: number): Code {
  const col = (j: number): Code => load(at(P0), j * columnBytes + offset);
  const put = (j: number, value: Code): Code => store(at(P0), value, j * columnBytes + offset);
  const C = ROW_COLUMNS;
  return [
    ...moneynessInto(col(C.forward), col(C.strike)),
    ...put(C.logMoneyness, get(L.LX)),
    // Intrinsic value only where the option is in the money: θ·x > 0 (θ = +1 call, −1 put).
    ...set(L.MQ, select(gt(col(C.isCall), c(0.5)), get(L.LX), neg(get(L.LX)))),
    ...put(C.intrinsic, and(gt(get(L.MQ), c(0)), get(L.EXP))),
    ...put(C.rootFK, sqrt(mul(get(L.MF), get(L.MK)))),
  ];
}

/**
 * The module's bytes (imports `env.memory`; exports otm, rows, exp, erfcx). `columnBytes`: distance between the
 * columns of the per-row area ({@link ROW_COLUMNS}).
 */
export function buildBlackModuleBytes(columnBytes: number): Uint8Array {
  useBank(0);
  const expBody = pairLoop([...expInto(load(at(P0))), ...store(at(P1), get(L.EXP))]);
  const erfcxBody = pairLoop([...set(L.Z, load(at(P0))), ...erfcxInto(), ...store(at(P1), get(L.E))]);
  // rows: four rows per iteration, two pairs in the two banks (see useBank).
  useBank(0);
  const rowsA = rowsPair(columnBytes, 0);
  useBank(1);
  const rowsB = rowsPair(columnBytes, 16);
  useBank(0);
  const rowsBody = pairLoop([...rowsA, ...rowsB], 32);
  return encodeModule(
    [
      [[I32, I32, I32, I32, I32], []],
    ],
    [
      { typeIndex: 0, locals: LOCALS, body: otmBody(), exportName: "otm" },
      { typeIndex: 0, locals: LOCALS, body: expBody, exportName: "exp" },
      { typeIndex: 0, locals: LOCALS, body: erfcxBody, exportName: "erfcx" },
      { typeIndex: 0, locals: LOCALS, body: rowsBody, exportName: "rows" },
    ],
  );
}
