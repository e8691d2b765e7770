// Paired A/B of the live core across builds: the cores of several worktrees' dist/ in ONE process, on the same book
// (bench/live.bench.js's seeded book and collateral) and the same ticks, each tick applied to every core in turn
// (the order alternating), one thread each unless HELPERS=N is set (then each core has its own pool of N helper
// threads, idle while the other cores run). WHY: on a shared 2-vCPU machine, separate benchmark runs
// minutes apart differ by more than a few-percent change (other processes' load moves them by ±30 %); per-tick pairs
// taken a few milliseconds apart see the same load, so the median of per-tick CPU ratios resolves a few percent.
//
//   [HELPERS=1] node --expose-gc bench/live-pair.js ACCOUNTS TICKS DIR_A DIR_B [DIR_C ...]
//   (each DIR a worktree with a built dist/; ratios are to DIR_A; also checks a sample of figures are the same doubles)
//
// Run under the bench lock: `uptime; flock /work/bench.lock node --expose-gc bench/live-pair.js 100000 200 A B`.
// Memory: ~0.5 GB per core at 100,000 accounts.
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { seededRandom } from "./lib.js";
import { book, solventBalances } from "./live.bench.js";

const [accounts, tickCount, ...dirs] = [Number(process.argv[2]), Number(process.argv[3]), ...process.argv.slice(4)];
if (!(accounts > 0) || !(tickCount > 0) || dirs.length < 2) throw new Error("usage: live-pair.js ACCOUNTS TICKS DIR_A DIR_B [...]");
const load = async (d) => ({
  core: await import(`${d}/dist/live/core.js`),
  presets: await import(`${d}/dist/io/presets.js`),
  rules: await import(`${d}/dist/account/rules.js`),
  errors: await import(`${d}/dist/errors.js`),
  market: await import(`${d}/dist/io/load-market.js`),
  pool: await import(`${d}/dist/cluster/live-pool.js`),
});
const helpers = Number(process.env.HELPERS ?? 0);
const builds = await Promise.all(dirs.map(load));
const data = (name) => fileURLToPath(new URL(`../../shared/data/${name}`, import.meta.url));
const first = builds[0];
const unwrap = first.errors.unwrap;
const market = unwrap(first.market.loadMarketFile(data("deribit_btc_eth_options_20251230T1731Z.csv"), { futuresPath: data("deribit_futures_marks_20251230T1731Z.csv"), perpetualsPath: data("deribit_perpetual_prices_20251230T1731Z.csv") })).snapshot;
const names = Object.keys(market.instruments);
const bulkOf = (m, b) => ({ ...b, model: m.errors.unwrap(m.presets.loadModel("deribit")), rules: m.errors.unwrap(m.rules.parseAccountRules(m.rules.DEFAULT_ACCOUNT_RULES)) });
const b = book(accounts, names, 20251230 + accounts);
// Collateral as live.bench.js sets it: each account at a maintenance ratio between 5 % and 60 %.
b.balances = solventBalances(b, unwrap(first.core.createLiveCore({ market, accounts: [], bulk: bulkOf(first, b) })), market.indexUsd, accounts);
globalThis.gc?.();
const pools = await Promise.all(builds.map(async (m) => {
  if (helpers === 0) return undefined;
  const pool = m.pool.createLivePool({ helpers });
  await pool.ready();
  return pool;
}));
const cores = builds.map((m, i) => m.errors.unwrap(m.core.createLiveCore({ market, accounts: [], bulk: bulkOf(m, b), ...(pools[i] !== undefined ? { executor: pools[i] } : {}) })));
globalThis.gc?.();
const rnd = seededRandom(7 + accounts);
const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
let seq = 0;
let ts = market.timestampMs;
const cpu = { BTC: cores.map(() => []), all: cores.map(() => []) };
const wall = { BTC: cores.map(() => []), all: cores.map(() => []) };
const tick = (bases, label) => {
  const moves = Object.fromEntries(bases.map((base) => [base, 1 + 0.002 * normal()]));
  ts += 1000;
  seq++;
  for (let j = 0; j < cores.length; j++) {
    const i = seq % 2 === 0 ? j : cores.length - 1 - j;
    const snap = cores[i].market();
    const indexUsd = Object.fromEntries(bases.map((base) => [base, snap.indexUsd[base] * moves[base]]));
    const c = process.cpuUsage();
    const t0 = performance.now();
    const out = cores[i].apply({ kind: "tick", tick: { seq, timestampMs: ts, indexUsd } });
    const wallMs = performance.now() - t0;
    const used = process.cpuUsage(c);
    if (out.status !== "applied") throw new Error(`tick ${seq} ${out.status} in ${dirs[i]}`);
    if (label !== undefined) {
      cpu[label][i].push((used.user + used.system) / 1000);
      wall[label][i].push(wallMs);
    }
  }
};
for (let w = 0; w < 5; w++) tick(["BTC", "ETH"]);
for (let k = 0; k < tickCount; k++) tick(["BTC"], "BTC");
for (let k = 0; k < tickCount; k++) tick(["BTC", "ETH"], "all");
const sorted = (xs) => [...xs].sort((x, y) => x - y);
const q = (xs, p) => sorted(xs)[Math.min(xs.length - 1, Math.max(0, Math.ceil(p * xs.length) - 1))];
for (const label of ["BTC", "all"]) {
  for (let i = 0; i < cores.length; i++) {
    const ratio = cpu[label][i].map((x, k) => x / cpu[label][0][k]);
    const wallRatio = wall[label][i].map((x, k) => x / wall[label][0][k]);
    console.log(`${label} moving  ${dirs[i]}  CPU p50 ${q(cpu[label][i], 0.5).toFixed(2)} p99 ${q(cpu[label][i], 0.99).toFixed(2)} ms, wall p50 ${q(wall[label][i], 0.5).toFixed(2)} p99 ${q(wall[label][i], 0.99).toFixed(2)} ms; median per-tick ratio to the first: CPU ${q(ratio, 0.5).toFixed(3)}, wall ${q(wallRatio, 0.5).toFixed(3)}`);
  }
}
let same = 0;
let checked = 0;
for (let i = 1; i < cores.length; i++) {
  for (let a = 0; a < accounts; a += 97) {
    const x = cores[0].figures(b.ids[a]);
    const y = cores[i].figures(b.ids[a]);
    checked++;
    if (Object.is(x.equityUsd, y.equityUsd) && Object.is(x.initialMarginUsd, y.initialMarginUsd) && Object.is(x.maintenanceMarginUsd, y.maintenanceMarginUsd)) same++;
  }
}
console.log(`figures: ${same} of ${checked} sampled accounts the same doubles in every build; ${helpers} helper thread(s) per core`);
for (const pool of pools) await pool?.close();
