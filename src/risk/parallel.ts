/**
 * Parallel aggregation over worker threads (Node only: `node:worker_threads`). Accounts are split into contiguous
 * ranges balanced by position count and handed to a fixed pool of workers; every account is computed by the same
 * kernel code as in `./aggregate.ts`, independently of the others, so the output is bit-identical for any number of
 * threads and any task split (tested for N = 1, 2, 3 against the single-thread kernels).
 *
 * Data movement (nothing large is ever structured-cloned):
 * - the risk matrix is copied ONCE into a SharedArrayBuffer (kept while unchanged: each call compares it with the
 *   shared copy, ~50 µs for the real chain) and posted by reference; each worker prepares its SIMD layout once per
 *   matrix id, not per task;
 * - the book is posted by reference when its arrays already live on SharedArrayBuffers (`allocateBook(…, { shared:
 *   true })`), otherwise copied once per call into shared memory (a memcpy of 12 bytes per position);
 * - results are written by the workers straight into a SharedArrayBuffer output, published with Atomics.
 *
 * Worker file: `new URL("./aggregate-worker.js", import.meta.url)`, i.e. dist/risk/aggregate-worker.js after
 * `npm run build`. Running from the TypeScript sources (vitest), pass `workerUrl` of a bootstrap that can load
 * TypeScript (the tests use test/workers/aggregate-worker-bootstrap.js, which registers a transpiling loader hook).
 * @module
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import type { AggregationKernel } from "./aggregate.js";
import type { AggregateTaskMessage, AggregateTaskReply } from "./aggregate-task.js";
import type { AccountBook, RiskArrays } from "./types.js";

export interface AggregationPoolOptions {
  /** Worker threads, ≥ 1; default `os.availableParallelism()`. */
  readonly threads?: number;
  /** Worker entry module; default dist's `./aggregate-worker.js` next to this module. */
  readonly workerUrl?: URL;
  /** Kernel the workers use; default "auto" (WebAssembly SIMD when available). */
  readonly kernel?: AggregationKernel;
  /**
   * Tasks per thread (default 8). More, smaller tasks balance the load when threads run at different speeds (a
   * shared machine); each task costs one message round trip (~tens of µs).
   */
  readonly tasksPerThread?: number;
}

export interface ParallelWorstCaseOptions {
  /** Per-scenario dampener, as in `worstCaseAll` of `./aggregate.ts`. */
  readonly dampener?: Float64Array;
}

/** A pool of aggregation workers. Calls may overlap; they share the workers. Call `close()` when done. */
export interface AggregationPool {
  readonly threads: number;
  /** Same result as `worstCaseAll` (loss ≥ 0 per account), in a Float64Array on a SharedArrayBuffer. */
  worstCaseAll(arrays: RiskArrays, book: AccountBook, options?: ParallelWorstCaseOptions): Promise<Float64Array>;
  /** Same result as `aggregateAll` (account-major vectors, stride scenarioCount), on a SharedArrayBuffer. */
  aggregateAll(arrays: RiskArrays, book: AccountBook): Promise<Float64Array>;
  /** Terminate the workers; pending calls are rejected. */
  close(): Promise<void>;
}

/** Below this weight (positions + accounts) a task is not split further: the message round trip would dominate. */
const MIN_TASK_WEIGHT = 32_768;

/**
 * Cut points 0 = c_0 < c_1 < … < c_m = accountCount splitting accounts into at most `parts` contiguous ranges of
 * about equal weight, weight(account) = its position count + 1 (so empty accounts still count).
 */
export function splitAccountRanges(offsets: Int32Array, accountCount: number, parts: number): number[] {
  const weightBefore = (a: number): number => (offsets[a] as number) + a;
  const total = weightBefore(accountCount);
  const m = Math.max(1, Math.min(parts, Math.ceil(total / MIN_TASK_WEIGHT), accountCount));
  const cuts = [0];
  for (let i = 1; i < m; i++) {
    const target = (total * i) / m;
    let lo = (cuts[cuts.length - 1] as number) + 1;
    let hi = accountCount;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (weightBefore(mid) < target) lo = mid + 1;
      else hi = mid;
    }
    if (lo < accountCount) cuts.push(lo);
  }
  if (accountCount > 0) cuts.push(accountCount);
  return cuts;
}

/** Element-wise identity of two arrays (a plain loop: ~50 µs for the real chain's 46,000 values). */
function sameValues(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

/** The array itself when it already lives on a SharedArrayBuffer, else a copy on a new SharedArrayBuffer. */
function toShared<T extends Int32Array | Float64Array>(a: T): T {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const copy = (a instanceof Int32Array ? new Int32Array(new SharedArrayBuffer(a.byteLength)) : new Float64Array(new SharedArrayBuffer(a.byteLength))) as T;
  copy.set(a);
  return copy;
}

interface Job {
  remaining: number;
  settled: boolean;
  readonly resolve: (out: Float64Array) => void;
  readonly reject: (e: Error) => void;
  readonly out: Float64Array;
  readonly doneFlags: Int32Array;
}

interface Slot {
  readonly worker: Worker;
  task: { job: Job; msg: AggregateTaskMessage } | null;
}

/** Start a pool of aggregation workers (see the module doc for how data reaches them). */
export function createAggregationPool(options: AggregationPoolOptions = {}): AggregationPool {
  const threads = options.threads ?? availableParallelism();
  if (!Number.isInteger(threads) || threads < 1) throw new RangeError(`threads must be a positive integer, got ${threads}`);
  const tasksPerThread = options.tasksPerThread ?? 8;
  const kernel = options.kernel ?? "auto";
  const url = options.workerUrl ?? new URL("./aggregate-worker.js", import.meta.url);
  const queue: { job: Job; msg: AggregateTaskMessage }[] = [];
  const jobs = new Set<Job>();
  let broken: Error | null = null;
  let closing = false;
  let arraysCache: { source: RiskArrays; data: Float64Array; id: number } | null = null;
  let nextArraysId = 0;

  const fail = (job: Job, e: Error): void => {
    if (job.settled) return;
    job.settled = true;
    jobs.delete(job);
    job.reject(e);
  };
  const breakPool = (e: Error): void => {
    if (broken !== null) return;
    broken = e;
    for (const job of [...jobs]) fail(job, e);
    queue.length = 0;
    for (const s of slots) void s.worker.terminate();
  };

  const slots: Slot[] = [];
  const pump = (): void => {
    for (const slot of slots) {
      if (slot.task !== null) continue;
      const next = queue.shift();
      if (next === undefined) {
        // Idle workers must not keep the process alive; busy ones must (a pending promise depends on them).
        slot.worker.unref();
        continue;
      }
      if (next.job.settled) continue;
      slot.task = next;
      slot.worker.ref();
      slot.worker.postMessage(next.msg);
    }
  };
  for (let i = 0; i < threads; i++) {
    const worker = new Worker(url, { workerData: { netriskAggregateWorker: true } });
    const slot: Slot = { worker, task: null };
    worker.unref();
    worker.on("message", (reply: AggregateTaskReply) => {
      const task = slot.task;
      slot.task = null;
      if (task !== null) {
        const { job } = task;
        if (reply.type === "error") fail(job, new Error(`aggregation worker: ${reply.message ?? "unknown error"}`));
        else if (Atomics.load(job.doneFlags, reply.taskIndex) !== 1) fail(job, new Error("aggregation worker replied before publishing its results"));
        else if (!job.settled && --job.remaining === 0) {
          job.settled = true;
          jobs.delete(job);
          job.resolve(job.out);
        }
      }
      pump();
    });
    worker.on("error", (e: Error) => breakPool(new Error(`aggregation worker failed: ${e.message}`, { cause: e })));
    worker.on("exit", (code) => {
      if (!closing) breakPool(new Error(`aggregation worker exited with code ${code}`));
    });
    slots.push(slot);
  }

  const sharedArrays = (arrays: RiskArrays): { data: Float64Array; id: number } => {
    const c = arraysCache;
    if (c !== null && c.source === arrays && sameValues(c.data, arrays.data)) return c;
    const data = new Float64Array(new SharedArrayBuffer(arrays.data.byteLength));
    data.set(arrays.data);
    arraysCache = { source: arrays, data, id: nextArraysId++ };
    return arraysCache;
  };

  const run = (mode: "worst" | "vectors", arrays: RiskArrays, book: AccountBook, dampener: Float64Array | null): Promise<Float64Array> => {
    if (broken !== null) return Promise.reject(broken);
    if (closing) return Promise.reject(new Error("aggregation pool is closed"));
    const S = arrays.scenarioCount;
    if (dampener !== null && dampener.length !== S) return Promise.reject(new RangeError(`dampener length ${dampener.length} ≠ scenarioCount ${S}`));
    const n = book.accountCount;
    const out = new Float64Array(new SharedArrayBuffer(Math.max(1, mode === "worst" ? n : n * S) * 8)).subarray(0, mode === "worst" ? n : n * S);
    const cuts = splitAccountRanges(book.offsets, n, threads * tasksPerThread);
    if (cuts.length < 2) return Promise.resolve(out);
    const m = sharedArrays(arrays);
    const offsets = toShared(book.offsets);
    const instrumentIndex = toShared(book.instrumentIndex);
    const sizeCoin = toShared(book.sizeCoin);
    const doneFlags = new Int32Array(new SharedArrayBuffer((cuts.length - 1) * 4));
    return new Promise<Float64Array>((resolve, reject) => {
      const job: Job = { remaining: cuts.length - 1, settled: false, resolve, reject, out, doneFlags };
      jobs.add(job);
      for (let t = 0; t + 1 < cuts.length; t++) {
        const msg: AggregateTaskMessage = {
          type: "task", taskIndex: t, mode, kernel, arraysId: m.id, data: m.data, scenarioCount: S, rowCount: arrays.instrumentNames.length,
          offsets, instrumentIndex, sizeCoin, a0: cuts[t] as number, a1: cuts[t + 1] as number, dampener, out, doneFlags,
        };
        queue.push({ job, msg });
      }
      pump();
    });
  };

  return {
    threads,
    worstCaseAll: (arrays, book, opts = {}) => run("worst", arrays, book, opts.dampener ?? null),
    aggregateAll: (arrays, book) => run("vectors", arrays, book, null),
    async close() {
      closing = true;
      const e = new Error("aggregation pool is closed");
      for (const job of [...jobs]) fail(job, e);
      queue.length = 0;
      await Promise.all(slots.map((s) => s.worker.terminate()));
    },
  };
}

/** One-shot convenience: start a pool, compute worst losses, close it. Worker start-up (~30 ms each) is included. */
export async function worstCaseAllParallel(
  arrays: RiskArrays,
  book: AccountBook,
  options: AggregationPoolOptions & ParallelWorstCaseOptions = {},
): Promise<Float64Array> {
  const pool = createAggregationPool(options);
  try {
    return await pool.worstCaseAll(arrays, book, options.dampener === undefined ? {} : { dampener: options.dampener });
  } finally {
    await pool.close();
  }
}
