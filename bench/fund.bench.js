// Insurance-fund sizing benchmark (issue 15, "Speed": sizing over 1,000 draws on 100,000 accounts in under a minute).
// Books of the demo exchange's generator (src/io/demo.ts, SYNTHETIC, seeded) on the bundled example market; draws:
// Monte Carlo 2-day moves of BTC and ETH from a SYNTHETIC factor model (daily vols 3 % and 4 %, correlation 0.8:
// the shape of the real ones, no data file needed); policy deribit-incremental, impact-default. Each draw is a cascade
// on a fresh core (src/live/fund/sizing.ts), timed beside the single-pass live re-margin of the same book on the same
// run (a fresh core and one tick: the baseline the issue names), and extrapolated to the target linearly in draws and
// in accounts from the two measured sizes.
//
//   npm run bench -- fund          (or: node bench/fund.bench.js [--sizes 300,3000] [--draws 40])
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { unwrap } from "../dist/errors.js";
import { demoAccounts } from "../dist/io/demo.js";
import { liveAccountOf } from "../dist/io/live-accounts.js";
import { validateMarket } from "../dist/io/market.js";
import { createCascadeCore, impactModelSchema, liquidationPolicySchema, scenarioTick } from "../dist/live/cascade/index.js";
import { sizeInsuranceFund } from "../dist/live/fund/index.js";
import { buildMarketContext } from "../dist/pricing/build-context.js";
import { monteCarloScenarios } from "../dist/risk/scenario-sources/montecarlo.js";
import { median } from "./lib.js";

const root = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

export async function runFundBench({ print = true } = {}) {
  const sizes = String(arg("sizes", "300,3000")).split(",").map(Number);
  const drawCount = Number(arg("draws", "40"));
  const market = unwrap(validateMarket(JSON.parse(readFileSync(root("examples/market.json"), "utf8"))));
  const context = unwrap(buildMarketContext(market));
  const policy = liquidationPolicySchema.parse(JSON.parse(readFileSync(root("presets/liquidation-deribit-incremental.json"), "utf8")));
  const impact = impactModelSchema.parse(JSON.parse(readFileSync(root("presets/impact-default.json"), "utf8")));
  const model = { priceFactors: ["BTC", "ETH"], volFactors: [], volsDaily: Float64Array.from([0.03, 0.04]), correlation: Float64Array.from([1, 0.8, 0.8, 1]), volFactorsMissing: [], notes: ["SYNTHETIC factor model of the benchmark"] };
  const set = unwrap(monteCarloScenarios(model, { paths: drawCount, seed: 1, horizonDays: 2, antithetic: false }));
  const draws = set.labels.map((label) => ({ source: "montecarlo", label, tick: unwrap(scenarioTick(market, set, label)) }));
  const rows = [];
  for (const n of sizes) {
    const accounts = demoAccounts(market, n).map((a) => unwrap(liveAccountOf(a.id, a.document, context)));
    const newCore = () => createCascadeCore({ market, accounts });
    // Baseline: the single-pass live re-margin of the same book (fresh core + one tick of the first draw), median of 3.
    const single = [];
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const core = unwrap(newCore());
      core.apply({ kind: "tick", tick: { ...draws[0].tick, seq: core.lastSeq() + 1 } });
      single.push(performance.now() - t);
    }
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = unwrap(sizeInsuranceFund({ newCore, draws, policy, impact }));
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const perDraw = ms / drawCount;
    rows.push({ accounts: n, draws: drawCount, totalMs: ms, cpuMs: (c.user + c.system) / 1000, perDrawMs: perDraw, singlePassMs: median(single), ratioToSinglePass: perDraw / median(single), q99Usd: r.bySource[0].quantiles[0].valueUsd });
  }
  // Linear extrapolation in accounts from the two largest sizes, then × 1,000 draws.
  const [a, b] = rows.slice(-2);
  const slope = b && a && b.accounts !== a.accounts ? (b.perDrawMs - a.perDrawMs) / (b.accounts - a.accounts) : rows[0].perDrawMs / rows[0].accounts;
  const at100k = (b ?? rows[0]).perDrawMs + slope * (100_000 - (b ?? rows[0]).accounts);
  const targetS = (at100k * 1000) / 1000;
  if (print) {
    for (const r of rows) {
      console.log(`sizing ${r.accounts} accounts × ${r.draws} draws: ${(r.totalMs / 1000).toFixed(2)} s wall (${(r.cpuMs / 1000).toFixed(2)} s CPU), ${r.perDrawMs.toFixed(1)} ms per draw = ${r.ratioToSinglePass.toFixed(2)} × the single-pass live re-margin of the book (${r.singlePassMs.toFixed(1)} ms); 99 % fund ${Math.round(r.q99Usd).toLocaleString("en-US")} USD`);
    }
    console.log(`extrapolated: 1,000 draws on 100,000 accounts ≈ ${targetS.toFixed(0)} s (target 60 s: ${targetS <= 60 ? "met" : "NOT met"})`);
  }
  return { rows, extrapolated1000x100kSeconds: targetS };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runFundBench();
