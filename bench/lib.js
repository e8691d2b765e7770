// Helpers shared by the benchmark suites: medians of repeated timings (wall-clock and process CPU) and a seeded RNG
// so generated books are the same on every run.
import { performance } from "node:perf_hooks";

/** Median of an array of numbers. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function collect(ms, cpuMs, runs, last) {
  return { medianMs: median(ms), minMs: Math.min(...ms), cpuMedianMs: median(cpuMs), runs, last };
}

/**
 * Time a synchronous `fn`: `warmup` unmeasured runs, then the median of `runs` runs in milliseconds, wall-clock and
 * process CPU (user + system, all threads; CPU ≈ wall-clock means the run had its core to itself). `last` is the
 * value of the last run, kept for checks.
 */
export function timeMedian(fn, { warmup, runs }) {
  let last;
  for (let i = 0; i < warmup; i++) last = fn();
  const ms = [];
  const cpuMs = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last = fn();
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
  }
  return collect(ms, cpuMs, runs, last);
}

/** {@link timeMedian} for a function returning a promise (worker-thread runs). */
export async function timeMedianAsync(fn, { warmup, runs }) {
  let last;
  for (let i = 0; i < warmup; i++) last = await fn();
  const ms = [];
  const cpuMs = [];
  for (let i = 0; i < runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    last = await fn();
    ms.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
  }
  return collect(ms, cpuMs, runs, last);
}

/** Seeded uniform [0, 1) generator (xorshift32 after a splitmix32-style scramble of the seed). */
export function seededRandom(seed) {
  let z = (seed + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  let x = (z ^ (z >>> 16)) | 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}
