/**
 * The live core's thread pool: a {@link RemarginExecutor} over `node:worker_threads`. Scale-up inside one process,
 * where the rest of this folder scales out over machines: a re-margin's per-account pass (live/chunk.ts) is claimed
 * range by range by the calling thread and the pool's helper threads at once.
 *
 * Nothing large crosses a thread: the job's book, rows, balance table and outputs are on SharedArrayBuffers (posted
 * by reference); only the per-input constants (a few hundred numbers) are copied. Each helper keeps its own SIMD
 * kernel and re-lays the rows into it when their version changes (~0.1 ms for the real chain).
 *
 * `run` returns when every claim is done: the live core's `apply` stays synchronous. The caller takes claims like
 * the helpers; out of claims, it waits up to `graceMs` for the helpers' last ones, then redoes those itself (a
 * helper descheduled on a busy machine does not hold the tick up; whoever finishes first marks the claim done, and
 * both write the same doubles). `settle()`, called by the core before its next input, waits until no helper is
 * still inside a claim. Helpers that start late find no claim left. A helper that throws marks the job failed and
 * the core redoes the pass alone; a helper inside a claim `stallMs` after its pass marks the pool broken (every
 * later pass runs on the caller alone).
 *
 * Worker file: `new URL("./live-pool-worker.js", import.meta.url)` (dist/cluster/live-pool-worker.js after `npm run
 * build`); from the TypeScript sources pass `workerUrl` (the tests transpile the worker, test/helpers/transpile-worker.ts).
 * @module
 */
import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import { performance } from "node:perf_hooks";
import { claimsDone, CONTROL_ACTIVE, CONTROL_HELPED } from "../live/chunk.js";
import type { RemarginExecutor, RemarginJob } from "../live/chunk.js";

export interface LivePoolOptions {
  /** Helper threads besides the caller, ≥ 0; default `os.availableParallelism() − 1`. */
  readonly helpers?: number;
  /** Worker entry module; default dist's `./live-pool-worker.js` next to this module. */
  readonly workerUrl?: URL;
  /** A helper still inside a claim this long after the pass breaks the pool (default 60,000 ms). */
  readonly stallMs?: number;
  /**
   * How long the caller, out of claims, waits for the helpers' last ones before redoing them itself (default 1 ms,
   * about one claim's work): on a quiet machine a helper finishes in that time; on a busy one a descheduled helper
   * would otherwise hold the input up for a scheduler time slice or more.
   */
  readonly graceMs?: number;
}

/** The message a helper receives: the job, and an identity of its arrays that stays the same across messages. */
export interface LivePoolMessage {
  readonly job: RemarginJob;
  readonly arraysKey: string;
}

export interface LivePool extends RemarginExecutor {
  /** Passes run through the pool, their claims, and the claims the helper threads took (the rest: the caller's). */
  readonly stats: { readonly passes: number; readonly claims: number; readonly helperClaims: number };
  /** Why the pool stopped being used (a helper's error or exit, a stall, close), or undefined while it is in use. */
  readonly failure: string | undefined;
  /** Resolves when every helper thread is running (jobs posted before are queued, so waiting is optional). */
  ready(): Promise<void>;
  /** Terminate the helpers; later passes run on the caller alone. */
  close(): Promise<void>;
}

export function createLivePool(options: LivePoolOptions = {}): LivePool {
  const count = Math.max(0, Math.floor(options.helpers ?? availableParallelism() - 1));
  const url = options.workerUrl ?? new URL("./live-pool-worker.js", import.meta.url);
  const stallMs = options.stallMs ?? 60_000;
  const graceMs = options.graceMs ?? 1;
  /** The last job handed out (helpers overtaken by the caller may still be inside one of its claims). */
  let last: RemarginJob | undefined;
  let failure: string | undefined;
  const breakWith = (why: string): void => {
    failure ??= why;
  };
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
    w.on("error", (e: Error) => breakWith(`helper error: ${e.message}`));
    w.on("exit", (code) => breakWith(`helper exited (code ${code})`));
  }
  // A posted SharedArrayBuffer is a new object in the helper on every message: an id per arrays, kept here.
  const arraysIds = new WeakMap<ArrayBufferLike, number>();
  let nextId = 1;
  const stats = { passes: 0, claims: 0, helperClaims: 0 };
  return {
    stats,
    get helpers() {
      return failure !== undefined ? 0 : count;
    },
    get failure() {
      return failure;
    },
    run(job, local, finish) {
      if (failure !== undefined || count === 0) return false;
      const buffer = job.kernel.data.buffer;
      let id = arraysIds.get(buffer);
      if (id === undefined) {
        id = nextId++;
        arraysIds.set(buffer, id);
      }
      const message: LivePoolMessage = { job, arraysKey: String(id) };
      last = job;
      for (const w of workers) w.postMessage(message);
      local();
      const ctl = job.control;
      const deadline = performance.now() + graceMs;
      while (!claimsDone(job)) {
        const left = deadline - performance.now();
        const active = Atomics.load(ctl, CONTROL_ACTIVE);
        if (left <= 0 || active === 0) {
          finish();
          break;
        }
        Atomics.wait(ctl, CONTROL_ACTIVE, active, left);
      }
      stats.passes++;
      stats.claims += job.claims;
      stats.helperClaims += Atomics.load(ctl, CONTROL_HELPED);
      return true;
    },
    settle() {
      if (last === undefined) return;
      const ctl = last.control;
      last = undefined;
      for (;;) {
        const active = Atomics.load(ctl, CONTROL_ACTIVE);
        if (active === 0) return;
        if (Atomics.wait(ctl, CONTROL_ACTIVE, active, stallMs) === "timed-out" && Atomics.load(ctl, CONTROL_ACTIVE) === active) {
          breakWith(`a helper still inside a claim ${stallMs} ms after its pass`);
          return;
        }
      }
    },
    async ready() {
      await Promise.all(online);
    },
    async close() {
      breakWith("closed");
      await Promise.all(workers.map((w) => w.terminate()));
    },
  };
}
