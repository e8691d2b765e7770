/**
 * The engine's hot loop: per account, the scenario P&L vector Σ size × risk-array row, and reductions of it (worst
 * loss, or any per-account reducer such as a model's offset/dampener rules), for one account or a whole book.
 *
 * Inputs are trusted (validate once at the boundary with `validateBook` from `./book.ts`): every row index in range,
 * finite sizes and risk values, and — the caller's responsibility — all rows an account holds are in ONE margin
 * bucket (one RiskArrays per bucket, or one book per bucket from `splitBookByBucket`): the kernels sum rows blindly.
 *
 * Kernels: WebAssembly SIMD (`./wasm/kernel.ts`, ~5–6 G accumulations/s on one core) when the runtime supports it, else plain
 * TypeScript (`./aggregate-ts.ts`, ~1.8 G/s). Both give bit-identical results (same operations in the same order), so
 * the choice never changes a number; `kernel: "typescript"` forces the reference path.
 * @module
 */
import { accumulateAccount, vectorsRange, worstLossRange } from "./aggregate-ts.js";
import type { AccountBook, RiskArrays } from "./types.js";
import { createWasmAggregator, kernelModule } from "./wasm/kernel.js";
import type { WasmAggregator } from "./wasm/kernel.js";

/** Which implementation runs: `auto` = WebAssembly SIMD when available, else TypeScript. */
export type AggregationKernel = "auto" | "wasm" | "typescript";

export interface AggregateOptions {
  readonly kernel?: AggregationKernel;
}

export interface WorstCaseOptions extends AggregateOptions {
  /**
   * Per-scenario amount d_j ≥ 0 (risk-array currency) by which a scenario's loss is reduced before the worst case
   * is taken: loss = max(0, −min_j (v_j + d_j)). This is exactly the worst case of Deribit-style dampened vectors
   * `sign(v)·max(|v| − d, 0)` (positive entries never set a worst loss). Length = scenarioCount. Omit for none.
   */
  readonly dampener?: Float64Array;
}

/**
 * Per-account reducer: receives the account's scenario vector (length scenarioCount, in the risk-array currency) and
 * its index, returns one number. The vector is a buffer reused for every account: read it, do not keep it.
 */
export type ScenarioReducer = (vec: Float64Array, accountIndex: number) => number;

/** Accounts per reducer chunk: the chunk's vectors (4,096 × S doubles ≈ 1.1 MB at S = 35) stay in L2. */
const REDUCE_CHUNK = 4096;

function checkOut(out: Float64Array, needed: number, what: string): void {
  if (out.length < needed) throw new RangeError(`${what}: output length ${out.length} < ${needed}`);
}

// One idle kernel instance per scenario count, reused across calls: a cache of compiled code and scratch memory only
// (no results survive a call), so it changes no number. A re-entrant call (e.g. a reducer that aggregates) finds it
// busy and gets a fresh instance instead of clobbering the scratch in use.
const idleKernels = new Map<number, WasmAggregator>();
const busyKernels = new Set<WasmAggregator>();
/** A kernel whose memory grew past this (huge risk matrix or account) is dropped after use, not kept for reuse. */
const KEEP_MEMORY_BYTES = 64 * 1024 * 1024;

function releaseKernel(k: WasmAggregator): void {
  busyKernels.delete(k);
  if (k.memoryBytes > KEEP_MEMORY_BYTES && idleKernels.get(k.scenarioCount) === k) idleKernels.delete(k.scenarioCount);
}

function acquireKernel(S: number, kernel: AggregationKernel | undefined): WasmAggregator | null {
  if (kernel === "typescript") return null;
  const idle = idleKernels.get(S);
  const k = idle !== undefined && !busyKernels.has(idle) ? idle : createWasmAggregator(S);
  if (k === null) {
    if (kernel === "wasm") throw new Error("WebAssembly SIMD is not available in this runtime");
    return null;
  }
  if (idle === undefined) idleKernels.set(S, k);
  busyKernels.add(k);
  return k;
}

/** True when the WebAssembly SIMD kernel can run here for this scenario count. */
export function wasmKernelAvailable(scenarioCount: number): boolean {
  return kernelModule(scenarioCount) !== null;
}

/**
 * Scenario P&L vector of one account: `out[j] = Σ_k sizeCoin[k] · row(instrumentIndex[k])[j]`, j in
 * [0, scenarioCount), in the risk-array (bucket) currency. An account with no positions gives zeros. Returns `out`.
 * Always the TypeScript kernel (for one account the WebAssembly copy-in would cost more than it saves).
 */
export function aggregateScenarioPnl(arrays: RiskArrays, book: AccountBook, accountIndex: number, out: Float64Array): Float64Array {
  checkOut(out, arrays.scenarioCount, "aggregateScenarioPnl");
  if (!(accountIndex >= 0 && accountIndex < book.accountCount)) throw new RangeError(`account ${accountIndex} not in [0, ${book.accountCount})`);
  accumulateAccount(arrays.data, arrays.scenarioCount, book.offsets, book.instrumentIndex, book.sizeCoin, accountIndex, out, 0);
  return out;
}

/**
 * Scenario vectors of every account, account-major: `out[a·S + j]` (S = scenarioCount; out length ≥ accountCount·S).
 * Returns `out`. For cross-bucket models that combine several buckets' vectors before reducing.
 */
export function aggregateAll(arrays: RiskArrays, book: AccountBook, out: Float64Array, options: AggregateOptions = {}): Float64Array {
  const S = arrays.scenarioCount;
  const n = book.accountCount;
  checkOut(out, n * S, "aggregateAll");
  const k = acquireKernel(S, options.kernel);
  if (k === null) {
    vectorsRange(arrays.data, S, book.offsets, book.instrumentIndex, book.sizeCoin, 0, n, out, 0);
    return out;
  }
  try {
    k.loadArrays(arrays.data, arrays.instrumentNames.length);
    k.vectors(book.offsets, book.instrumentIndex, book.sizeCoin, 0, n, out, 0);
  } finally {
    releaseKernel(k);
  }
  return out;
}

/**
 * Worst-case loss of every account: `out[a] = max(0, −min_j (v_j + d_j))` where v is the account's scenario vector
 * and d the optional dampener (zeros by default), i.e. the loss as a number ≥ 0 (+0 when no scenario loses; an
 * empty account gives 0), in the risk-array currency. Returns `out` (length ≥ accountCount).
 */
export function worstCaseAll(arrays: RiskArrays, book: AccountBook, out: Float64Array, options: WorstCaseOptions = {}): Float64Array {
  const S = arrays.scenarioCount;
  const n = book.accountCount;
  checkOut(out, n, "worstCaseAll");
  const dampener = options.dampener ?? null;
  if (dampener !== null && dampener.length !== S) throw new RangeError(`dampener length ${dampener.length} ≠ scenarioCount ${S}`);
  const k = acquireKernel(S, options.kernel);
  if (k === null) {
    worstLossRange(arrays.data, S, book.offsets, book.instrumentIndex, book.sizeCoin, 0, n, dampener, new Float64Array(S), out, 0);
    return out;
  }
  try {
    k.loadArrays(arrays.data, arrays.instrumentNames.length);
    k.setDampener(dampener);
    k.worstLoss(book.offsets, book.instrumentIndex, book.sizeCoin, 0, n, out, 0);
  } finally {
    releaseKernel(k);
  }
  return out;
}

/**
 * Apply `reducer` to every account's scenario vector: `out[a] = reducer(v_a, a)`. The vectors are computed in
 * chunks by the fast kernel, then handed one by one in a reused buffer (no allocation per account). The reducer is
 * called once per account in increasing account order. Returns `out` (length ≥ accountCount).
 */
export function reduceAll(
  arrays: RiskArrays,
  book: AccountBook,
  reducer: ScenarioReducer,
  out: Float64Array,
  options: AggregateOptions = {},
): Float64Array {
  const S = arrays.scenarioCount;
  const n = book.accountCount;
  checkOut(out, n, "reduceAll");
  const chunk = new Float64Array(Math.min(REDUCE_CHUNK, Math.max(n, 1)) * S);
  const vec = new Float64Array(S);
  const k = acquireKernel(S, options.kernel);
  try {
    if (k !== null) k.loadArrays(arrays.data, arrays.instrumentNames.length);
    for (let a0 = 0; a0 < n; a0 += REDUCE_CHUNK) {
      const a1 = Math.min(n, a0 + REDUCE_CHUNK);
      if (k !== null) k.vectors(book.offsets, book.instrumentIndex, book.sizeCoin, a0, a1, chunk, 0);
      else vectorsRange(arrays.data, S, book.offsets, book.instrumentIndex, book.sizeCoin, a0, a1, chunk, 0);
      for (let a = a0; a < a1; a++) {
        const base = (a - a0) * S;
        for (let j = 0; j < S; j++) vec[j] = chunk[base + j] as number;
        out[a] = reducer(vec, a);
      }
    }
  } finally {
    if (k !== null) releaseKernel(k);
  }
  return out;
}
