// The load generator of `npm run bench -- api`, in its own process (the issue asks for it: the bench process then
// neither competes with it for a core nor pauses it with its own garbage collection). Started by api.bench.js with one
// JSON argument, it runs autocannon once and prints its result as one JSON line on stdout.
//
//   { url, connections, seconds, headers, method, path, body?, fill?: { accounts, tradeIdPrefix } }
//
// Its output: req/s (average), total, latency p50/p90/p99/max in ms, non-2xx, errors, timeouts, and cpuMs (the CPU
// this process used while loading: the load generator's share of the 2 cores).
//
// `fill`: each request is a new fill (its own trade id) on account fill-(k mod accounts), alternately buying and
// selling 0.01 BTC_USDC-PERPETUAL, so the positions stay small however long the run.
import autocannon from "autocannon";

const o = JSON.parse(process.argv[2] ?? "{}");
let n = 0;
const request =
  o.fill === undefined
    ? { method: o.method, path: o.path, ...(o.body !== undefined ? { body: o.body } : {}) }
    : {
        setupRequest: (req) => {
          const k = n++;
          const body = { instrument: "BTC_USDC-PERPETUAL", size: k % 2 === 0 ? "0.01" : "-0.01", price: "90000", fee: "0.01", tradeId: `${o.fill.tradeIdPrefix}${k}` };
          return { ...req, method: "POST", path: `/v1/accounts/fill-${k % o.fill.accounts}/fills`, body: JSON.stringify(body) };
        },
      };
const cpu0 = process.cpuUsage();
// autocannon takes the path in `requests` (a top-level `path` is ignored: it would load "/").
autocannon({ url: o.url, connections: o.connections, duration: o.seconds, method: o.method, headers: o.headers, requests: [request] }, (e, r) => {
  if (e) {
    process.stderr.write(`${String(e)}\n`);
    process.exit(1);
  }
  const cpu = process.cpuUsage(cpu0);
  process.stdout.write(`${JSON.stringify({ cpuMs: (cpu.user + cpu.system) / 1000, average: r.requests.average, total: r.requests.total, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max, non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts })}\n`);
});
