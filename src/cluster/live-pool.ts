/**
 * The live core's thread pool: a {@link RemarginExecutor} over `node:worker_threads`. Scale-up inside one process,
 * where the rest of this folder scales out over machines: a re-margin's per-account pass (live/chunk.ts) is claimed
 * range by range by the calling thread and the pool's helper threads at once.
 *
 * Nothing large crosses a thread: the job's book, rows, balance table and outputs are on SharedArrayBuffers (posted
 * by reference); only the per-input constants (a few hundred numbers) are copied. Each helper keeps its own SIMD
 * kernel and re-lays the rows into it when their version changes (~0.1 ms for the real chain).
 *
 * `run` blocks the calling thread (Atomics.wait) until every claim taken is finished: the live core's `apply` stays
 * synchronous. Helpers that start late simply find no claim left. A helper that throws marks the job failed and the
 * core redoes the pass alone; a claim unfinished after `stallMs` marks the pool broken (every later pass runs on the
 * caller alone).
 *
 * Worker file: `new URL("./live-pool-worker.js", import.meta.url)` (dist/cluster/live-pool-worker.js after `npm run
 * build`); from the TypeScript sources pass `workerUrl` (the tests transpile the worker, test/helpers/transpile-worker.ts).
 * @module
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { closeClaims, CONTROL_DONE, CONTROL_HELPED } from "../live/chunk.js";
import type { RemarginExecutor, RemarginJob } from "../live/chunk.js";

export interface LivePoolOptions {
  /** Helper threads besides the caller, ≥ 0; default `os.availableParallelism() − 1`. */
  readonly helpers?: number;
  /** Worker entry module; default dist's `./live-pool-worker.js` next to this module. */
  readonly workerUrl?: URL;
  /** A claim unfinished this long breaks the pool (default 60,000 ms). */
  readonly stallMs?: number;
}

/** The message a helper receives: the job, and an identity of its arrays that stays the same across messages. */
export interface LivePoolMessage {
  readonly job: RemarginJob;
  readonly arraysKey: string;
}

export interface LivePool extends RemarginExecutor {
  /** Passes run through the pool, their claims, and the claims the helper threads took (the rest: the caller's). */
  readonly stats: { readonly passes: number; readonly claims: number; readonly helperClaims: number };
  /** Resolves when every helper thread is running (jobs posted before are queued, so waiting is optional). */
  ready(): Promise<void>;
  /** Terminate the helpers; later passes run on the caller alone. */
  close(): Promise<void>;
}

export function createLivePool(options: LivePoolOptions = {}): LivePool {
  const count = Math.max(0, Math.floor(options.helpers ?? availableParallelism() - 1));
  const url = options.workerUrl ?? new URL("./live-pool-worker.js", import.meta.url);
  const stallMs = options.stallMs ?? 60_000;
  let broken = false;
  const workers = Array.from({ length: count }, () => new Worker(url));
  const online = workers.map((w) => new Promise<void>((resolve, reject) => {
    w.once("online", () => {
      // The pool never keeps a process alive on its own (once started: a caller awaiting ready() must not exit).
      w.unref();
      resolve();
    });
    w.once("error", reject);
  }));
  for (const w of workers) {
    // A helper that died is noticed between inputs (the caller's event loop): later passes run without the pool.
    w.on("error", () => (broken = true));
    w.on("exit", () => (broken = true));
  }
  // A posted SharedArrayBuffer is a new object in the helper on every message: an id per arrays, kept here.
  const arraysIds = new WeakMap<ArrayBufferLike, number>();
  let nextId = 1;
  const stats = { passes: 0, claims: 0, helperClaims: 0 };
  return {
    stats,
    get helpers() {
      return broken ? 0 : count;
    },
    run(job, local) {
      if (broken || count === 0) return false;
      const buffer = job.kernel.data.buffer;
      let id = arraysIds.get(buffer);
      if (id === undefined) {
        id = nextId++;
        arraysIds.set(buffer, id);
      }
      const message: LivePoolMessage = { job, arraysKey: String(id) };
      for (const w of workers) w.postMessage(message);
      local();
      const taken = closeClaims(job);
      const ctl = job.control;
      for (;;) {
        const done = Atomics.load(ctl, CONTROL_DONE);
        if (done >= taken) {
          stats.passes++;
          stats.claims += taken;
          stats.helperClaims += Atomics.load(ctl, CONTROL_HELPED);
          return true;
        }
        if (Atomics.wait(ctl, CONTROL_DONE, done, stallMs) === "timed-out" && Atomics.load(ctl, CONTROL_DONE) === done) {
          broken = true;
          return false;
        }
      }
    },
    async ready() {
      await Promise.all(online);
    },
    async close() {
      broken = true;
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
