/**
 * Re-margin executors of the live-core tests that run the "helper" in this thread (live/chunk.ts runHelper on a
 * structured clone of the job: what a worker receives, the SharedArrayBuffers shared and the rest copied).
 */
import { CONTROL_NEXT, createHelperKernel, runHelper } from "../../src/live/chunk.js";
import type { RemarginExecutor, RemarginJob } from "../../src/live/chunk.js";

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
