/**
 * A helper thread of the live core's pool (./live-pool.ts): takes ranges of each posted re-margin job until none is
 * left (live/chunk.ts runHelper), with one SIMD kernel per arrays it has seen.
 * @module
 */
import { parentPort } from "node:worker_threads";
import { createHelperKernel, runHelper } from "../live/chunk.js";
import type { HelperKernel } from "../live/chunk.js";
import type { LivePoolMessage } from "./live-pool.js";

/** Kernels per arrays (a core has a few groups; a bound in case arrays keep being replaced). */
const kernels = new Map<string, HelperKernel>();
const MAX_KERNELS = 16;

parentPort?.on("message", (m: LivePoolMessage) => {
  let cache = kernels.get(m.arraysKey);
  if (cache === undefined) {
    if (kernels.size >= MAX_KERNELS) kernels.clear();
    cache = createHelperKernel();
    kernels.set(m.arraysKey, cache);
  }
  runHelper(m.job, m.arraysKey, cache);
});
