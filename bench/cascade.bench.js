// Cascade benchmark (issue 15): a liquidation cascade over the demo exchange's generator at 10,000 accounts (the
// SYNTHETIC books of `netrisk serve --demo`, src/io/demo.ts, on the bundled synthetic example market), run to its end,
// for each bundled policy, beside the single-pass live re-margin of the same book on the same shock in the same run
// (one tick into a live core: every account re-margined once). Target: the cascade to its end under 1 s.
//
//   npm run bench -- cascade        (or: node bench/cascade.bench.js [--accounts 10000] [--runs 3])
//
// The shock: BTC and ETH −30 % as one tick (netrisk cascade --move BTC=-0.3,ETH=-0.3), impact
// presets/impact-default.json, insurance fund 0. Timed: the cascade alone (runCascade on a fresh core) and with the
// core's creation; the single pass is one tick's core.apply on a fresh core. Medians of --runs runs after one unmeasured warm-up run, wall-clock.
// The machine may be shared with other work: treat the figures as pessimistic; the process CPU time (user + system,
// all threads) is printed beside the wall-clock, since on a loaded machine wall-clock includes waiting for a core,
// and the load average beside them.
//
// Then insurance-fund sizing (the second speed target, 1,000 draws on 100,000 accounts under a minute) beside
// the single-pass live re-margin of the same books: bench/fund.bench.js, `--fund-sizes 1000,10000 --fund-draws 10`
// by default, then the target book of 100,000 accounts measured on `--fund-target-draws` draws (default 3; 1,000 draws
// estimated as their mean × 1,000); `--fund-sizes 0` leaves sizing out.
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { unwrap } from "../dist/errors.js";
import { demoAccounts } from "../dist/io/demo.js";
import { validateImpactModel, validateLiquidationPolicy, LIQUIDATION_PRESETS } from "../dist/io/cascade.js";
import { createLiveAccountBinder } from "../dist/io/live-accounts.js";
import { validateMarket } from "../dist/io/market.js";
import { createCascadeCore, runCascade, shockTick } from "../dist/live/cascade/index.js";
import { createLiveCore } from "../dist/live/core.js";
import { buildMarketContext } from "../dist/pricing/build-context.js";
import { loadText, runFundBench } from "./fund.bench.js";
import { median } from "./lib.js";

const root = new URL("../", import.meta.url);
const json = (p) => JSON.parse(readFileSync(new URL(p, root), "utf8"));

export async function runCascadeBench(options = {}) {
  const n = options.accounts ?? 10_000;
  const runs = options.runs ?? 3;
  const log = options.log ?? ((l) => console.log(l));
  const market = unwrap(validateMarket(json("examples/market.json")));
  const context = unwrap(buildMarketContext(market));
  let t0 = performance.now();
  // Bound as `netrisk cascade` binds account files: the model fields once per distinct value (io/live-accounts.ts).
  const bind = createLiveAccountBinder(context);
  const accounts = demoAccounts(market, n).map((a) => unwrap(bind(a.id, a.document)));
  const bindMs = performance.now() - t0;
  const positions = accounts.reduce((t, a) => t + a.positions.length, 0);
  const impact = unwrap(validateImpactModel(json("presets/impact-default.json")));
  const tick = unwrap(shockTick(market, { BTC: -0.3, ETH: -0.3 }));
  log(`cascade bench — Node ${process.versions.node}; ${n} demo accounts (SYNTHETIC, src/io/demo.ts), ${positions} positions; shock BTC −30 %, ETH −30 %; impact ${impact.name}; read and bound in ${bindMs.toFixed(0)} ms; ${loadText()}`);

  // The baseline: one tick into a live core, every account re-margined once.
  const single = [];
  const singleCpu = [];
  let remargined = 0;
  for (let r = -1; r < runs; r++) {
    globalThis.gc?.();
    const core = unwrap(createLiveCore({ market, accounts, liquidationPlans: false }));
    const t = performance.now();
    const c0 = process.cpuUsage();
    const out = core.apply({ kind: "tick", tick });
    const c = process.cpuUsage(c0);
    if (r >= 0) {
      single.push(performance.now() - t);
      singleCpu.push((c.user + c.system) / 1000);
    }
    remargined = out.accountsRemargined;
  }
  const singleMs = median(single);
  log(`single-pass live re-margin of the shock: ${singleMs.toFixed(1)} ms (CPU ${median(singleCpu).toFixed(1)} ms; median of ${runs}), ${remargined} accounts re-margined`);
  const results = { accounts: n, positions, singlePassMs: singleMs, policies: {} };
  const rows = [];
  for (const name of LIQUIDATION_PRESETS) {
    const policy = unwrap(validateLiquidationPolicy(json(`presets/liquidation-${name}.json`)));
    const cascadeMs = [];
    const cascadeCpuMs = [];
    const totalMs = [];
    let summary;
    // One unmeasured run first: the JIT's warm-up (the first cascade in a process runs 3-5 times slower).
    for (let r = -1; r < runs; r++) {
      globalThis.gc?.();
      t0 = performance.now();
      const core = unwrap(createCascadeCore({ market, accounts }));
      const t1 = performance.now();
      const c0 = process.cpuUsage();
      const res = unwrap(runCascade({ core, path: [tick], policy, impact, insuranceFundUsd: 0, details: false }));
      const t2 = performance.now();
      const c = process.cpuUsage(c0);
      if (r < 0) continue;
      cascadeMs.push(t2 - t1);
      cascadeCpuMs.push((c.user + c.system) / 1000);
      totalMs.push(t2 - t0);
      summary = res.summary;
    }
    const c = median(cascadeMs);
    const cpu = median(cascadeCpuMs);
    results.policies[name] = { cascadeMs: c, cascadeCpuMs: cpu, withCoreMs: median(totalMs), rounds: summary.rounds, liquidatedAccounts: summary.liquidatedAccounts, bankruptShortfallUsd: summary.bankruptShortfallUsd, ratioToSinglePass: c / singleMs };
    rows.push(`${name.padEnd(22)} ${c.toFixed(0).padStart(7)} ms ${cpu.toFixed(0).padStart(7)} ms ${median(totalMs).toFixed(0).padStart(7)} ms ${String(summary.rounds).padStart(6)} ${String(summary.liquidatedAccounts).padStart(10)} ${(c / singleMs).toFixed(1).padStart(8)}×  ${c < 1000 ? "< 1 s" : "OVER 1 s"}`);
  }
  log(`${"policy".padEnd(22)} ${"cascade".padStart(10)} ${"CPU".padStart(10)} ${"+ core".padStart(10)} ${"rounds".padStart(6)} ${"liquidated".padStart(10)} ${"vs 1 pass".padStart(9)}`);
  for (const r of rows) log(r);
  log(`(${loadText()})`);
  const fundSizes = options.fundSizes === undefined ? undefined : [options.fundSizes].flat();
  if (fundSizes === undefined || fundSizes.some((s) => s > 0)) {
    log("");
    results.fundSizing = await runFundBench({ ...options, ...(fundSizes !== undefined ? { fundSizes } : {}), log });
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (flag, fallback) => {
    const i = process.argv.indexOf(flag);
    return i >= 0 ? Number(process.argv[i + 1]) : fallback;
  };
  await runCascadeBench({ accounts: arg("--accounts", 10_000), runs: arg("--runs", 3) });
}
