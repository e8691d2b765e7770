/**
 * The per-account pass of a re-margin (live/group.ts remarginGroup) over a range of accounts, and the job that lets
 * other threads take ranges of it. The pass reads the group's typed arrays (books, rows, balance table: all on
 * SharedArrayBuffers) and writes each account's bucket margins and figures into shared outputs; every account is
 * computed by the same code whichever thread takes it, so the figures do not depend on the thread count or the split.
 *
 * A {@link RemarginJob} is plain data (typed arrays on SharedArrayBuffers, numbers, small records): posted to a worker
 * thread it is shared, not copied; {@link viewOfJob} turns it back into a {@link ChunkView} there. Ranges are claimed
 * from a shared counter ({@link claimRanges}), so a thread that gets less of a core (a shared machine) takes fewer of
 * them. The threads themselves are an adapter's (a {@link RemarginExecutor}); this module starts none.
 * @module
 */
import type { AccountRules } from "../account/rules.js";
import { createWasmAggregator } from "../risk/wasm/kernel.js";
import type { WasmAggregator } from "../risk/wasm/kernel.js";
import type { BucketBook } from "./book.js";
import { accountTotals, bucketMarginFromSums } from "./fast-margin.js";
import type { BucketConstants, CurrencyTables, FigureScratch, MarginParams, RowKinds, UnrealisedOf } from "./fast-margin.js";

/**
 * Accounts per chunk of the fused pass: the kernel, the bucket margins and the figures of a chunk's accounts run one
 * after the other while the chunk's book (~12 bytes × 33 slots × 512 ≈ 200 KB per bucket) is still in the core's L2
 * cache, instead of three passes over the whole book from memory.
 */
export const FUSED_CHUNK = 512;

/**
 * Where a re-margin writes, by global account index: figures and a touched mark. The arrays belong to the caller and
 * are reused from input to input (only the touched entries are written); on SharedArrayBuffers when a
 * {@link RemarginExecutor} takes part.
 */
export interface RemarginSink {
  /** Global index of each local account of the group. */
  readonly global: ArrayLike<number>;
  readonly touched: Uint8Array;
  readonly equityUsd: Float64Array;
  readonly initialMarginUsd: Float64Array;
  readonly maintenanceMarginUsd: Float64Array;
}

/** What the pass reads and writes of a group, for one re-margin. */
export interface ChunkView {
  readonly rows: RowKinds;
  readonly books: readonly BucketBook[];
  readonly constants: readonly BucketConstants[];
  /** Per local account: 1 when exposed to the re-margin's moves. */
  readonly mark: Uint8Array;
  readonly balanceTable: Float64Array;
  /** This thread's scratch (its universe orders the balance table's columns). */
  readonly figureScratch: FigureScratch;
  readonly bucketCurrency: Int32Array;
  readonly tables: CurrencyTables;
  readonly sink: RemarginSink;
  /** Buckets whose worst losses and margins are recomputed (their underlying moved). */
  readonly aggregate: readonly number[];
  rulesAt(a: number): AccountRules;
  unrealisedAt(a: number): UnrealisedOf;
  /** Worst losses and bucket margins of accounts [a0, a1) of book `b`. */
  aggregateRange(b: number, a0: number, a1: number): void;
}

/** Re-margin accounts [a0, a1): aggregation of the moved buckets, then the figures of the exposed accounts. */
export function remarginRange(v: ChunkView, a0: number, a1: number): number {
  const { mark, sink, books, constants, balanceTable, figureScratch: scratch, bucketCurrency, tables } = v;
  const { global, touched, equityUsd, initialMarginUsd, maintenanceMarginUsd } = sink;
  const U = scratch.currencies.length;
  let count = 0;
  for (let c0 = a0; c0 < a1; c0 += FUSED_CHUNK) {
    const c1 = Math.min(a1, c0 + FUSED_CHUNK);
    for (const b of v.aggregate) v.aggregateRange(b, c0, c1);
    for (let a = c0; a < c1; a++) {
      if (mark[a] !== 1) continue;
      accountTotals(v.rows, books, constants, a, balanceTable, a * U, v.rulesAt(a), v.unrealisedAt(a), scratch, bucketCurrency, tables);
      const i = global[a] as number;
      touched[i] = 1;
      equityUsd[i] = scratch.equityUsd;
      initialMarginUsd[i] = scratch.imUsd;
      maintenanceMarginUsd[i] = scratch.mmUsd;
      count++;
    }
  }
  return count;
}

/**
 * Worst losses of accounts [a0, a1) of `book` and their bucket margins from the kernel's sums, in one pass per
 * {@link FUSED_CHUNK} (only where marginFromSumsAllowed and the book has no detached account).
 * @param groups - the kernel's expiry-group columns; `sums`: scratch of FUSED_CHUNK × kernel.extraStride.
 */
export function aggregateFused(params: MarginParams, kernel: WasmAggregator, book: BucketBook, c: BucketConstants, groups: number, sums: Float64Array, a0: number, a1: number): void {
  kernel.setDampener(c.dampener);
  const stride = kernel.extraStride;
  const len = book.len;
  for (let s0 = a0; s0 < a1; s0 += FUSED_CHUNK) {
    const s1 = Math.min(a1, s0 + FUSED_CHUNK);
    kernel.worstLossExtras(book.offsets, book.row, book.size, s0, s1, book.worst, s0, sums, 0);
    for (let a = s0; a < s1; a++) if ((len[a] as number) > 0) bucketMarginFromSums(params, book, a, c, sums, (a - s0) * stride, groups);
  }
}

/** Control words of a job (an Int32Array on a SharedArrayBuffer). */
export const CONTROL_NEXT = 0;
/** Claims finished (each thread adds 1 per claim it finished, failed or not, and notifies). */
export const CONTROL_DONE = 1;
export const CONTROL_COUNT = 2;
/** Set to 1 by a thread whose claim threw: the caller then redoes the whole pass itself. */
export const CONTROL_FAILED = 3;
/** Claims finished by helper threads (a pool's statistics: how much of the pass the other threads took). */
export const CONTROL_HELPED = 4;
const CONTROL_WORDS = 5;

/** The kernel's rows as a job carries them: a worker re-lays them for its own kernel when `version` changes. */
export interface KernelRows {
  readonly data: Float64Array;
  readonly extras: Float64Array;
  readonly rowCount: number;
  readonly scenarioCount: number;
  readonly extraCount: number;
  readonly version: number;
}

/** One re-margin's pass as data another thread can run (see the module comment). */
export interface RemarginJob {
  readonly control: Int32Array;
  readonly accountCount: number;
  readonly claimAccounts: number;
  readonly claims: number;
  readonly kernel: KernelRows;
  readonly groupColumns: number;
  readonly params: MarginParams;
  readonly rows: RowKinds;
  /** The group's books (no detached account: a job is made only then). */
  readonly books: readonly BucketBook[];
  readonly constants: readonly BucketConstants[];
  readonly aggregate: readonly number[];
  readonly mark: Uint8Array;
  readonly balanceTable: Float64Array;
  /** A copy becomes the worker's own scratch. */
  readonly figureScratch: FigureScratch;
  readonly bucketCurrency: Int32Array;
  readonly tables: CurrencyTables;
  /** Every account of the group has these rules (a job is made only then). */
  readonly rules: AccountRules;
  readonly sink: RemarginSink;
}

/**
 * Runs a job's claims on other threads while the caller runs its own: an adapter over worker threads
 * (cluster/live-pool.ts) or, in tests, in the same thread. Optional: without one the pass runs on the caller alone.
 */
export interface RemarginExecutor {
  /** Threads that take claims besides the caller. */
  readonly helpers: number;
  /**
   * Hand `job` to the helpers, call `local` (the caller's own claims), and return once every claim taken is finished
   * (CONTROL_DONE). Returns false when the helpers could not be used (the caller then redoes the pass itself).
   */
  run(job: RemarginJob, local: () => void): boolean;
}

/** A fresh control block for a job (SharedArrayBuffer). */
export function createControl(): Int32Array {
  return new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4));
}

/**
 * Claim ranges of `claimAccounts` accounts from the job's counter until none is left, running `run` on each; counts
 * what it re-margined into CONTROL_COUNT. A claim that throws sets CONTROL_FAILED and ends this thread's claiming.
 */
export function claimRanges(job: Pick<RemarginJob, "control" | "accountCount" | "claimAccounts" | "claims">, run: (a0: number, a1: number) => number, helper = false): void {
  const ctl = job.control;
  for (;;) {
    if (Atomics.load(ctl, CONTROL_FAILED) !== 0) return;
    const k = Atomics.add(ctl, CONTROL_NEXT, 1);
    if (k >= job.claims) return;
    const a0 = k * job.claimAccounts;
    let failed = false;
    try {
      Atomics.add(ctl, CONTROL_COUNT, run(a0, Math.min(job.accountCount, a0 + job.claimAccounts)));
    } catch {
      failed = true;
      Atomics.store(ctl, CONTROL_FAILED, 1);
    }
    if (helper) Atomics.add(ctl, CONTROL_HELPED, 1);
    Atomics.add(ctl, CONTROL_DONE, 1);
    Atomics.notify(ctl, CONTROL_DONE);
    if (failed) return;
  }
}

/** Claims taken so far (the caller waits until CONTROL_DONE reaches it); stops further claiming. */
export function closeClaims(job: Pick<RemarginJob, "control" | "claims">): number {
  return Math.min(Atomics.exchange(job.control, CONTROL_NEXT, job.claims), job.claims);
}

/** A helper thread's kernel, kept from job to job: re-laid when the rows' version (or the arrays) change. */
export interface HelperKernel {
  kernel: WasmAggregator | null;
  /** Key of the rows last loaded (arrays identity given by the adapter, and version). */
  loaded: string;
  sums: Float64Array;
}

export function createHelperKernel(): HelperKernel {
  return { kernel: null, loaded: "", sums: new Float64Array(0) };
}

const noUnrealised: UnrealisedOf = () => undefined;

/**
 * Run a job's claims on this thread (a helper: a worker thread, or the in-thread executor of the tests).
 * @param arraysKey - identifies the job's arrays across jobs (the adapter's: a posted SharedArrayBuffer is a new
 * object on every message).
 */
export function runHelper(job: RemarginJob, arraysKey: string, cache: HelperKernel): void {
  const k = job.kernel;
  const key = `${arraysKey}:${k.version}:${k.scenarioCount}:${k.extraCount}`;
  let view: ChunkView | undefined;
  claimRanges(job, (a0, a1) => {
    if (job.aggregate.length > 0 && cache.loaded !== key) {
      // Loaded only once a claim is held: the caller is then waiting, so the rows cannot change under the copy.
      if (cache.kernel === null || cache.kernel.scenarioCount !== k.scenarioCount || cache.kernel.extraCount !== k.extraCount) cache.kernel = createWasmAggregator(k.scenarioCount, k.extraCount);
      if (cache.kernel === null) throw new Error("no WebAssembly SIMD kernel in this thread");
      cache.kernel.loadArrays(k.data, k.rowCount, k.extras);
      cache.loaded = key;
    }
    const kernel = cache.kernel;
    if (kernel !== null && cache.sums.length < FUSED_CHUNK * kernel.extraStride) cache.sums = new Float64Array(FUSED_CHUNK * kernel.extraStride);
    view ??= viewOfJob(job, kernel, cache.sums);
    return remarginRange(view, a0, a1);
  }, true);
}

/** The chunk view of a job on a helper thread (its kernel and sums scratch). */
export function viewOfJob(job: RemarginJob, kernel: WasmAggregator | null, sums: Float64Array): ChunkView {
  const { params, books, constants, groupColumns, rules } = job;
  return {
    rows: job.rows,
    books,
    constants,
    mark: job.mark,
    balanceTable: job.balanceTable,
    figureScratch: job.figureScratch,
    bucketCurrency: job.bucketCurrency,
    tables: job.tables,
    sink: job.sink,
    aggregate: job.aggregate,
    rulesAt: () => rules,
    unrealisedAt: () => noUnrealised,
    aggregateRange: (b, a0, a1) => {
      if (kernel === null) throw new Error("a job with buckets to aggregate reached a helper without its kernel");
      aggregateFused(params, kernel, books[b] as BucketBook, constants[b] as BucketConstants, groupColumns, sums, a0, a1);
    },
  };
}
