// Logs each garbage collection of the process (kind, wall-clock ms, heap after) to $GCLOG, once a second. For the
// bench's server: NETRISK_BENCH_SERVER_NODE_ARGS="--require ./bench/gc-log.cjs" (docs/server.md, stop 23). Worker threads
// load it too (execArgv): their lines are the same file's.
const { PerformanceObserver, constants } = require("node:perf_hooks");
const fs = require("node:fs");
const file = process.env.GCLOG || "/tmp/gc.log";
const kinds = { [constants.NODE_PERFORMANCE_GC_MAJOR]: "major", [constants.NODE_PERFORMANCE_GC_MINOR]: "minor", [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incr", [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weak" };
const lines = [];
new PerformanceObserver((l) => {
  for (const e of l.getEntries()) { const h = process.memoryUsage(); lines.push(`${e.startTime.toFixed(0)} ${kinds[e.detail.kind] ?? e.detail.kind} ${e.duration.toFixed(2)} heapUsed=${(h.heapUsed/1e6).toFixed(1)}MB total=${(h.heapTotal/1e6).toFixed(1)}MB`); }
}).observe({ entryTypes: ["gc"] });
setInterval(() => { if (lines.length) { fs.appendFileSync(file, lines.join("\n") + "\n"); lines.length = 0; } }, 1000).unref();
