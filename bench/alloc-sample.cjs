// The sampling heap profiler with the collected objects kept (what a request allocates, not what stays): 2 s of samples
// once the main thread has been busy (>35 % CPU) for 1.5 s, written to /tmp/alloc-<pid>.heapprofile. For the bench's
// server: NETRISK_BENCH_SERVER_NODE_ARGS="--require ./bench/alloc-sample.cjs" (docs/server.md, stop 23).
if (!require("node:worker_threads").isMainThread) return;
const inspector = require("node:inspector");
const fs = require("node:fs");
const s = new inspector.Session(); s.connect();
let last = process.cpuUsage(); let busy = 0; let started = false;
const t = setInterval(() => {
  const u = process.cpuUsage(last); last = process.cpuUsage();
  busy = (u.user + u.system) / 500_000 > 0.35 ? busy + 1 : 0;
  if (busy >= 3 && !started) {
    started = true; clearInterval(t);
    s.post("HeapProfiler.startSampling", { samplingInterval: 16384, includeObjectsCollectedByMajorGC: true, includeObjectsCollectedByMinorGC: true }, () => {
      setTimeout(() => s.post("HeapProfiler.stopSampling", (e, r) => { fs.writeFileSync(`/tmp/alloc-${process.pid}.heapprofile`, JSON.stringify(r.profile)); }), 2000).unref();
    });
  }
}, 500);
t.unref();
