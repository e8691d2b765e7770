/**
 * Host side of the WebAssembly normalised-Black module (./black-module.ts): one compiled module and one instance with
 * its own memory per thread, created on first use, with scratch columns x, s, out for {@link WASM_GROUPS} groups of up
 * to {@link WASM_JOBS} points each. Returns null where WebAssembly SIMD is unavailable; callers then use the TypeScript
 * kernel.
 *
 * Why groups: the module computes two points per instruction, so a pair whose lanes need different branches (the
 * erfcx intervals, the continued fraction for h < −3) pays for both. Callers put points with the same branches in one
 * group (see {@link wasmGroup}).
 * @module
 */
import { buildBlackModuleBytes, ROW_COLUMN_COUNT, ROW_COLUMNS } from "./black-module.js";

/** Points per group and call. */
export const WASM_JOBS = 2048;
/** Number of groups the module computes (see {@link wasmGroup}). */
export const WASM_GROUPS = 3;
/**
 * Index of one more group in the columns that the module never computes: callers store values they computed
 * themselves there (points outside R2), so that every point's value is read from `out` the same way.
 */
export const HOST_GROUP = WASM_GROUPS;
/** Doubles per group in each column: the points plus up to three pad slots (otm and rows take multiples of 4). */
export const GROUP_STRIDE = WASM_JOBS + 4;
const COLUMN = (WASM_GROUPS + 1) * GROUP_STRIDE;
const X_PTR = 0;
const S_PTR = COLUMN * 8;
const OUT_PTR = 2 * COLUMN * 8;
// Per-row area of the `rows` export: ROW_COLUMN_COUNT columns of one block of rows (plus a pad slot) each.
const ROWS_PTR = 3 * COLUMN * 8;
const ROW_COLUMN_BYTES = GROUP_STRIDE * 8;
const PAGES = Math.ceil((ROWS_PTR + ROW_COLUMN_COUNT * ROW_COLUMN_BYTES) / 65536);

/** Region R2 of ../normalised-black.ts (t < 1, |h|·t <= 2, h + t > −10): the points the module prices. */
export function inRegion2(h: number, t: number): boolean {
  return h + t > -10 && t < 1 && -h * t <= 2;
}

/**
 * Group of an R2 point by its h = x/s (<= 0): 0 for |h| <= 0.66 (erfcx from exp·erf, z = |h|/√2 <= 0.46875),
 * 1 for 0.66 < |h| <= 3 (erfcx rational), 2 for h < −3 (Y' from the continued fraction; erfcx rational or
 * asymptotic). Grouping is a speed matter only: every group computes every point correctly.
 */
export function wasmGroup(h: number): number {
  // Sums of comparisons, not nested conditionals: in an unsorted chain the group is unpredictable, and a mispredicted
  // branch per option was measurable.
  return Number(h < -0.66) + Number(h < -3);
}

/** The slice of the WebAssembly JS API used here, typed locally (see ../../risk/wasm/kernel.ts for why). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  readonly Module: new (bytes: Uint8Array) => object;
  readonly Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { readonly exports: unknown };
  readonly Memory: new (descriptor: { initial: number }) => { readonly buffer: ArrayBuffer };
}
type Entry = (p0: number, p1: number, p2: number, p3: number, count: number) => void;
interface BlackExports {
  readonly otm: Entry;
  readonly exp: Entry;
  readonly erfcx: Entry;
  readonly rows: Entry;
}

/** A bound instance: input columns to fill, the output column, and the entry points (count rounded up to even). */
export interface BlackKernel {
  /** x (log-moneyness, <= 0) of each point; group g holds its points from index g·GROUP_STRIDE. */
  readonly x: Float64Array;
  /** s (total volatility, > 0) of each point. */
  readonly s: Float64Array;
  /** Results of the last calls, same indices. */
  readonly out: Float64Array;
  /** out[i] = b(x[i], s[i], +1) for i in [start, start + count), count <= WASM_JOBS; every point must lie in R2. */
  otm(start: number, count: number): void;
  /** Inputs of {@link BlackKernel.rows}, one option row per index (up to WASM_JOBS rows): F, K, 1/0 call/put. */
  readonly forward: Float64Array;
  readonly strike: Float64Array;
  readonly isCall: Float64Array;
  /** Outputs of {@link BlackKernel.rows}: ln(F/K) as logMoneyness (exact for |x| <= 700 and F/K a normal double). */
  readonly logMoneyness: Float64Array;
  /** normalisedIntrinsic(θ·x) for an in-the-money row, else 0. */
  readonly intrinsic: Float64Array;
  /** √(F·K), one IEEE square root of one IEEE product: exactly Math.sqrt(f * k). */
  readonly rootFK: Float64Array;
  /** Fills the output columns for rows < count <= WASM_JOBS. */
  rows(count: number): void;
  /** out[i] = exp(x[i]) for i < count <= WASM_JOBS, x in [−700, 700] (test hook). */
  exp(count: number): void;
  /** out[i] = erfcx(x[i]) for x in [0, 6.7e7) (test hook). */
  erfcx(count: number): void;
}

let cached: BlackKernel | null | undefined;

/** The kernel of this thread, or null without WebAssembly SIMD. A memo of code and scratch: results never depend on it. */
export function blackKernel(): BlackKernel | null {
  if (cached !== undefined) return cached;
  cached = null;
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (api === undefined) return cached;
  const bytes = buildBlackModuleBytes(ROW_COLUMN_BYTES);
  // validate() is false (not a throw) where fixed-width SIMD is unsupported.
  if (!api.validate(bytes)) return cached;
  const memory = new api.Memory({ initial: PAGES });
  const ex = new api.Instance(new api.Module(bytes), { env: { memory } }).exports as BlackExports;
  const x = new Float64Array(memory.buffer, X_PTR, COLUMN);
  const s = new Float64Array(memory.buffer, S_PTR, COLUMN);
  const out = new Float64Array(memory.buffer, OUT_PTR, COLUMN);
  const column = (j: number): Float64Array => new Float64Array(memory.buffer, ROWS_PTR + j * ROW_COLUMN_BYTES, GROUP_STRIDE);
  const C = ROW_COLUMNS;
  const forward = column(C.forward);
  const strike = column(C.strike);
  const isCall = column(C.isCall);

  // otm and rows take four points per iteration: counts are padded to a multiple of 4 with harmless points (results
  // ignored) in the pad slots after them; exp and erfcx take pairs.
  const quad = (start: number, count: number): number => {
    const padded = Math.ceil(count / 4) * 4;
    for (let i = start + count; i < start + padded; i++) {
      x[i] = -0.1;
      s[i] = 0.2;
    }
    return padded;
  };
  const even = (count: number): number => {
    if (count % 2 === 1) x[count] = 0;
    return count + (count % 2);
  };
  cached = {
    x,
    s,
    out,
    forward,
    strike,
    isCall,
    logMoneyness: column(C.logMoneyness),
    intrinsic: column(C.intrinsic),
    rootFK: column(C.rootFK),
    otm: (start, count) => ex.otm(X_PTR + 8 * start, S_PTR + 8 * start, OUT_PTR + 8 * start, 0, quad(start, count)),
    rows: (count) => {
      const padded = Math.ceil(count / 4) * 4;
      for (let i = count; i < padded; i++) {
        forward[i] = 1;
        strike[i] = 1;
        isCall[i] = 1;
      }
      ex.rows(ROWS_PTR, 0, 0, 0, padded);
    },
    exp: (count) => ex.exp(X_PTR, OUT_PTR, 0, 0, even(count)),
    erfcx: (count) => ex.erfcx(X_PTR, OUT_PTR, 0, 0, even(count)),
  };
  return cached;
}
