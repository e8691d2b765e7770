/**
 * `--threads N` of `netrisk serve` and `netrisk worker`: how many threads re-margin the live core's accounts (the
 * calling thread plus N − 1 helpers of a cluster/live-pool.ts pool, sharing each pass over the book's
 * SharedArrayBuffers; docs/live.md, Threads). 1: the calling thread alone, no pool.
 * @module
 */
import { availableParallelism } from "node:os";
import { createLivePool } from "../../cluster/live-pool.js";
import type { LivePool } from "../../cluster/live-pool.js";
import { issue, NetriskError } from "../../errors.js";

/** More threads than this is a typo (a pool's helpers are whole threads, each with its own kernel memory). */
export const MAX_THREADS = 64;

/**
 * `netrisk serve`'s default: 2 (one helper) where there are two cores or more. A pass shared by two threads took 0.5–0.6
 * of one thread's wall time at 100,000 accounts on the 2-core machine (docs/live.md), and a helper waits on a message
 * between passes (no core taken while the service is idle); a third thread on two cores would only compete.
 */
export const defaultServeThreads = (): number => Math.min(2, availableParallelism());

/**
 * `netrisk worker`'s default: 1. A cluster on one 2-core machine runs two workers or more (docs/scale-out.md) whose
 * passes coincide (every tick reaches every partition): a helper per worker would compete with the other worker for
 * the same cores. A worker alone on its machine should be given `--threads` = its cores.
 */
export const DEFAULT_WORKER_THREADS = 1;

/** The `--threads` value: an integer from 1 to {@link MAX_THREADS} (`out_of_range` otherwise). */
export function threadsOption(text: string): number {
  const v = Number(text);
  if (!/^\s*\d+\s*$/.test(text) || v < 1 || v > MAX_THREADS) throw new NetriskError([issue("out_of_range", "--threads", `--threads must be an integer from 1 to ${MAX_THREADS}, got ${JSON.stringify(text)}`)]);
  return v;
}

/** The pool of `threads` − 1 helpers, running (undefined for one thread). */
export async function livePoolOf(threads: number): Promise<LivePool | undefined> {
  if (threads <= 1) return undefined;
  const pool = createLivePool({ helpers: threads - 1 });
  await pool.ready();
  return pool;
}
