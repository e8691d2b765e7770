// Paired A/B of insurance-fund sizing across builds: the sizing code of several worktrees' dist/ in ONE process, on
// the same demo book (bench/fund.bench.js's: the demo exchange's generator, SYNTHETIC 2-day BTC/ETH Monte Carlo moves,
// deribit-incremental, default impact) and the same draws, each draw run by every build in turn (the order
// alternating), one thread. WHY: on a shared 2-vCPU machine, runs a minute apart differ by ±30 %; draws taken one
// after the other see the same load, so the median of the per-draw ratios resolves a change of a few percent.
// Also checks that every build gives the same outcome for every draw (the same doubles).
//
//   node --expose-gc bench/fund-pair.js ACCOUNTS DRAWS DIR_A DIR_B [DIR_C ...]
//   (each DIR a worktree or clone with a built dist/; ratios are to DIR_A)
import { readFileSync } from "node:fs";
import { cpuUsage } from "node:process";
import { performance } from "node:perf_hooks";
import { median } from "./lib.js";

const [accounts, drawCount, ...dirs] = [Number(process.argv[2]), Number(process.argv[3]), ...process.argv.slice(4)];
if (!(accounts > 0) || !(drawCount > 0) || dirs.length < 2) throw new Error("usage: fund-pair.js ACCOUNTS DRAWS DIR_A DIR_B [...]");
const load = async (d) => ({
  errors: await import(`${d}/dist/errors.js`),
  demo: await import(`${d}/dist/io/demo.js`),
  binder: await import(`${d}/dist/io/live-accounts.js`),
  market: await import(`${d}/dist/io/market.js`),
  cascade: await import(`${d}/dist/live/cascade/index.js`),
  fund: await import(`${d}/dist/live/fund/index.js`),
  context: await import(`${d}/dist/pricing/build-context.js`),
  mc: await import(`${d}/dist/risk/scenario-sources/montecarlo.js`),
});
const builds = await Promise.all(dirs.map(load));
const root = (f) => new URL(`../${f}`, import.meta.url);
const setups = builds.map((b) => {
  const unwrap = b.errors.unwrap;
  const market = unwrap(b.market.validateMarket(JSON.parse(readFileSync(root("examples/market.json"), "utf8"))));
  const context = unwrap(b.context.buildMarketContext(market));
  const policy = b.cascade.liquidationPolicySchema.parse(JSON.parse(readFileSync(root("presets/liquidation-deribit-incremental.json"), "utf8")));
  const impact = b.cascade.impactModelSchema.parse(JSON.parse(readFileSync(root("presets/impact-default.json"), "utf8")));
  const model = { priceFactors: ["BTC", "ETH"], volFactors: [], volsDaily: Float64Array.from([0.03, 0.04]), correlation: Float64Array.from([1, 0.8, 0.8, 1]), volFactorsMissing: [], notes: [] };
  const set = unwrap(b.mc.monteCarloScenarios(model, { paths: drawCount, seed: 1, horizonDays: 2, antithetic: false }));
  const draws = set.labels.map((label) => ({ source: "montecarlo", label, tick: unwrap(b.cascade.scenarioTick(market, set, label)) }));
  const bind = b.binder.createLiveAccountBinder(context);
  const book = b.demo.demoAccounts(market, accounts).map((a) => unwrap(bind(a.id, a.document)));
  return { b, unwrap, market, policy, impact, draws, book };
});
const cpu = builds.map(() => []);
const wall = builds.map(() => []);
let same = true;
for (let d = 0; d < drawCount; d++) {
  const order = d % 2 === 0 ? builds.map((_, i) => i) : builds.map((_, i) => builds.length - 1 - i);
  const outcomes = [];
  for (const i of order) {
    const s = setups[i];
    globalThis.gc?.();
    const c0 = cpuUsage();
    const t0 = performance.now();
    const r = s.unwrap(s.b.fund.sizeInsuranceFund({ newCore: () => s.b.cascade.createCascadeCore({ market: s.market, accounts: s.book }), draws: [s.draws[d]], policy: s.policy, impact: s.impact }));
    wall[i].push(performance.now() - t0);
    const c = cpuUsage(c0);
    cpu[i].push((c.user + c.system) / 1000);
    outcomes[i] = JSON.stringify(r.outcomes);
  }
  if (outcomes.some((o) => o !== outcomes[0])) same = false;
}
const f = (x) => x.toFixed(0);
console.log(`fund-pair: ${accounts.toLocaleString("en-US")} demo accounts, ${drawCount} draws, one thread; same outcomes in every build: ${same}`);
for (let i = 0; i < builds.length; i++) {
  const ratioCpu = median(cpu[i].map((x, k) => x / cpu[0][k]));
  const ratioWall = median(wall[i].map((x, k) => x / wall[0][k]));
  console.log(`  ${dirs[i]}: per draw wall p50 ${f(median(wall[i]))} ms, CPU p50 ${f(median(cpu[i]))} ms; ratio to ${dirs[0]}: CPU ${ratioCpu.toFixed(3)}, wall ${ratioWall.toFixed(3)} (median of per-draw ratios)`);
}
if (!same) process.exitCode = 1;
