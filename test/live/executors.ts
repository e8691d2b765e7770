/**
 * Re-margin executors of the live-core tests: one that runs the "helper" in this thread (live/chunk.ts runHelper on a
 * structured clone of the job: what a worker receives, the SharedArrayBuffers shared and the rest copied), and the
 * worker-thread pool of a describe block.
 */
import { afterAll, beforeAll } from "vitest";
import { createLivePool } from "../../src/cluster/live-pool.js";
import type { LivePool } from "../../src/cluster/live-pool.js";
import { CONTROL_NEXT, createHelperKernel, runHelper } from "../../src/live/chunk.js";
import type { RemarginExecutor, RemarginJob } from "../../src/live/chunk.js";
import { transpileWorker } from "../helpers/transpile-worker.js";
import type { TranspiledWorker } from "../helpers/transpile-worker.js";

/** Runs a share of the claims as a helper would (on a structured clone of the job, in this thread), then the caller's. */
export function inThreadExecutor(share: number): RemarginExecutor & { helperClaims: number; callerClaims: number } {
  const cache = createHelperKernel();
  const ex = {
    helpers: 1,
    helperClaims: 0,
    callerClaims: 0,
    run(job: RemarginJob, local: () => void): boolean {
      const stop = Math.floor(job.claims * share);
      // The clone's claim limit ends its claiming at `stop` (its last add overshoots by one: put the counter back).
      runHelper({ ...structuredClone(job), claims: stop }, "arrays", cache);
      Atomics.store(job.control, CONTROL_NEXT, stop);
      ex.helperClaims += stop;
      local();
      ex.callerClaims += job.claims - stop;
      return true;
    },
    settle: () => undefined,
  };
  return ex;
}

/**
 * A pool of `helpers` worker threads for the calling describe block (its worker transpiled from the sources,
 * test/helpers/transpile-worker.ts), ready before its tests and closed after them. Returns a getter of the pool.
 */
export function workerPool(helpers: number): () => LivePool {
  let transpiled: TranspiledWorker | undefined;
  let pool: LivePool | undefined;
  beforeAll(async () => {
    transpiled = transpileWorker(new URL("../../src/cluster/live-pool-worker.ts", import.meta.url), new URL("../../src/", import.meta.url));
    pool = createLivePool({ helpers, workerUrl: transpiled.url });
    await pool.ready();
  });
  afterAll(async () => {
    await pool?.close();
    transpiled?.dispose();
  });
  return () => {
    if (pool === undefined) throw new Error("the pool starts before the block's tests");
    return pool;
  };
}
