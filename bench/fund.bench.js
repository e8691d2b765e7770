// Insurance-fund sizing benchmark (issue 15, "Speed": sizing over 1,000 draws on 100,000 accounts in under a minute,
// reported by `npm run bench -- cascade` beside the single-pass live re-margin of the same book; also alone as
// `npm run bench -- fund`). Books of the demo exchange's generator (src/io/demo.ts, SYNTHETIC, seeded) on the bundled
// example market; draws: Monte Carlo 2-day moves of BTC and ETH from a SYNTHETIC factor model (daily vols 3 % and 4 %,
// correlation 0.8: the shape of the real ones, no data file needed); policy deribit-incremental, impact-default. Each
// draw is a cascade on a fresh core (src/live/fund/sizing.ts); the core's creation and the cascade are timed apart.
// Baseline in the same run: the single-pass live re-margin of the same book (a fresh core and one tick of the first
// draw). The target book size (100,000 accounts) is run too, on a few draws (`--fund-target-draws`, default 3; 0 leaves
// it out): 1,000 draws would take hours here, and draws are independent, so the measured mean per draw × 1,000 is the
// estimate, printed with the draws' spread. WHY measured: the per-draw cost grows faster than N (the rounds grow with
// the book: at 10,000 accounts a draw took 11-121 rounds, at 100,000 up to 144), so a power law fitted to the smaller
// sizes under-estimated it by ~3.6× (stop 25: 4.2 s per draw extrapolated, 15.1 s measured). The power-law
// extrapolation from the two largest of `--fund-sizes` is still printed, for runs without the target size.
//
//   npm run bench -- fund [--fund-sizes 1000,10000] [--fund-draws 10] [--fund-target-draws 3] [--fund-processes N]
//   npm run bench -- cascade [--fund-sizes ...]     (the same figures after the cascade table)
import { readFileSync } from "node:fs";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { unwrap } from "../dist/errors.js";
import { demoAccounts } from "../dist/io/demo.js";
import { createLiveAccountBinder } from "../dist/io/live-accounts.js";
import { validateMarket } from "../dist/io/market.js";
import { createCascadeCore, impactModelSchema, liquidationPolicySchema, scenarioTick } from "../dist/live/cascade/index.js";
import { sizeInsuranceFund } from "../dist/live/fund/index.js";
import { sizeInsuranceFundInParallel } from "../dist/cluster/fund-pool.js";
import { availableParallelism } from "node:os";
import { buildMarketContext } from "../dist/pricing/build-context.js";
import { monteCarloScenarios } from "../dist/risk/scenario-sources/montecarlo.js";
import { median } from "./lib.js";

const root = (p) => fileURLToPath(new URL(`../${p}`, import.meta.url));
const list = (v, fallback) => (v === undefined ? fallback : Array.isArray(v) ? v : [v]);
const TARGET = { accounts: 100_000, draws: 1000, seconds: 60 };

/** Load average of the machine (1, 5, 15 minutes), printed beside every figure: the machine is shared. */
export const loadText = () => `load average ${loadavg().map((x) => x.toFixed(2)).join(", ")}`;

/** CPU time of this process's ended children (Linux /proc/self/stat cutime + cstime), ms; 0 elsewhere. */
function childrenCpuMs() {
  try {
    const f = readFileSync("/proc/self/stat", "utf8").split(") ")[1].split(" ");
    // Fields 16 and 17 of stat (1-based), i.e. 13 and 14 after the command name; clock ticks of 10 ms on Linux.
    return (Number(f[13]) + Number(f[14])) * 10;
  } catch {
    return 0;
  }
}

/** `count` Monte Carlo draws: SYNTHETIC 2-day moves of BTC and ETH (daily vols 3 % and 4 %, correlation 0.8), seed 1. */
function drawsOf(market, count) {
  const model = { priceFactors: ["BTC", "ETH"], volFactors: [], volsDaily: Float64Array.from([0.03, 0.04]), correlation: Float64Array.from([1, 0.8, 0.8, 1]), volFactorsMissing: [], notes: ["SYNTHETIC factor model of the benchmark"] };
  const set = unwrap(monteCarloScenarios(model, { paths: count, seed: 1, horizonDays: 2, antithetic: false }));
  return set.labels.map((label) => ({ source: "montecarlo", label, tick: unwrap(scenarioTick(market, set, label)) }));
}

/** The demo exchange's first `n` accounts on `market` (`context`: its market context, built once), bound for the live core. */
function bindDemoBook(market, context, n, documents = demoAccounts(market, n)) {
  const bind = createLiveAccountBinder(context);
  return documents.map((a) => unwrap(bind(a.id, a.document)));
}

export async function runFundBench(options = {}) {
  const print = options.print ?? true;
  const log = options.log ?? ((l) => console.log(l));
  const sizes = list(options.fundSizes ?? options.sizes, [1000, 10_000]);
  const drawCount = options.fundDraws ?? options.draws ?? 10;
  // The same draws again over child processes (cluster/fund-pool.ts), each on its own cores of the book: 1 leaves it out.
  const processes = options.fundProcesses ?? availableParallelism();
  const market = unwrap(validateMarket(JSON.parse(readFileSync(root("examples/market.json"), "utf8"))));
  const context = unwrap(buildMarketContext(market));
  const policy = liquidationPolicySchema.parse(JSON.parse(readFileSync(root("presets/liquidation-deribit-incremental.json"), "utf8")));
  const impact = impactModelSchema.parse(JSON.parse(readFileSync(root("presets/impact-default.json"), "utf8")));
  const draws = drawsOf(market, drawCount);
  if (print) log(`fund sizing — ${drawCount} Monte Carlo draws per size (SYNTHETIC 2-day BTC/ETH moves), policy ${policy.name}, impact ${impact.name}; demo books (SYNTHETIC); ${loadText()}`);
  const rows = [];
  for (const n of sizes) {
    const documents = demoAccounts(market, n);
    const accounts = bindDemoBook(market, context, n, documents);
    let buildMs = 0;
    const newCore = () => {
      const t = performance.now();
      const core = createCascadeCore({ market, accounts });
      buildMs += performance.now() - t;
      return core;
    };
    // Baseline: the single-pass live re-margin of the same book (fresh core + one tick of the first draw), median of 3.
    const single = [];
    const singleTick = [];
    for (let i = 0; i < 3; i++) {
      globalThis.gc?.();
      const t = performance.now();
      const core = unwrap(createCascadeCore({ market, accounts }));
      const t1 = performance.now();
      core.apply({ kind: "tick", tick: { ...draws[0].tick, seq: core.lastSeq() + 1 } });
      single.push(performance.now() - t);
      singleTick.push(performance.now() - t1);
    }
    globalThis.gc?.();
    buildMs = 0;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = unwrap(sizeInsuranceFund({ newCore, draws, policy, impact }));
    const ms = performance.now() - t0;
    const c = process.cpuUsage(c0);
    const rounds = r.outcomes.reduce((s, o) => s + o.rounds, 0) / drawCount;
    const liquidated = r.outcomes.reduce((s, o) => s + o.liquidatedAccounts, 0) / drawCount;
    const row = { accounts: n, draws: drawCount, totalMs: ms, cpuMs: (c.user + c.system) / 1000, perDrawMs: ms / drawCount, coreBuildPerDrawMs: buildMs / drawCount, roundsPerDraw: rounds, liquidatedPerDraw: liquidated, singlePassMs: median(single), singleTickMs: median(singleTick), q99Usd: r.bySource[0].quantiles[0].valueUsd, load: loadavg()[0] };
    row.ratioToSinglePass = row.perDrawMs / row.singlePassMs;
    if (processes > 1) {
      // Processes: the book is bound again in each (as `netrisk insurance-fund --processes` does), inside the timing.
      const tc0 = process.cpuUsage();
      const kids0 = childrenCpuMs();
      const tt0 = performance.now();
      const rt = unwrap(await sizeInsuranceFundInParallel({ processes, market, book: { documents: documents.map((d) => ({ id: d.id, raw: d.document })) }, draws, policy, impact }));
      row.processes = processes;
      row.processesTotalMs = performance.now() - tt0;
      const tc = process.cpuUsage(tc0);
      row.processesCpuMs = (tc.user + tc.system) / 1000 + (childrenCpuMs() - kids0);
      row.processesSpeedup = ms / row.processesTotalMs;
      // The document must not depend on the thread count.
      row.processesSame = JSON.stringify(rt) === JSON.stringify(r);
      if (!row.processesSame) throw new Error(`sizing in ${processes} processes differs from one thread (${n} accounts)`);
    }
    rows.push(row);
    if (print) {
      log(
        `sizing ${n.toLocaleString("en-US")} accounts × ${drawCount} draws: ${(ms / 1000).toFixed(1)} s wall (${(row.cpuMs / 1000).toFixed(1)} s CPU); per draw ${row.perDrawMs.toFixed(0)} ms ` +
          `(core build ${row.coreBuildPerDrawMs.toFixed(0)} ms, cascade ${(row.perDrawMs - row.coreBuildPerDrawMs).toFixed(0)} ms, ${rounds.toFixed(1)} rounds, ${liquidated.toFixed(0)} accounts liquidated) = ` +
          `${row.ratioToSinglePass.toFixed(1)} × the single-pass live re-margin of the book (${row.singlePassMs.toFixed(0)} ms: core ${(row.singlePassMs - row.singleTickMs).toFixed(0)} + tick ${row.singleTickMs.toFixed(0)} ms); ` +
          `99 % fund ${Math.round(row.q99Usd).toLocaleString("en-US")} USD; load ${row.load.toFixed(2)}`,
      );
      if (row.processes !== undefined)
        log(
          `  in ${row.processes} processes: ${(row.processesTotalMs / 1000).toFixed(1)} s wall (${(row.processesCpuMs / 1000).toFixed(1)} s CPU with the children's, book bound in each included) = ×${row.processesSpeedup.toFixed(2)} the one-thread wall time; ` +
            `the same document (outcomes and quantiles); load ${loadavg()[0].toFixed(2)}`,
        );
    }
  }
  // Power law through the two largest sizes (per-draw time grows faster than N: the rounds grow with the book).
  const [a, b] = rows.length >= 2 ? rows.slice(-2) : [undefined, rows[0]];
  // At least linear: each round re-margins every exposed account, so a smaller fitted exponent is fixed costs (the
  // market's rows, the start-liquidating accounts) that larger books outgrow.
  const fit = (x, y) => (a !== undefined && a.accounts !== b.accounts ? Math.max(1, Math.log(y / x) / Math.log(b.accounts / a.accounts)) : 1);
  const k = fit(a?.perDrawMs, b.perDrawMs);
  const perDrawAtTargetMs = b.perDrawMs * (TARGET.accounts / b.accounts) ** k;
  const extrapolatedS = (perDrawAtTargetMs * TARGET.draws) / 1000;
  // The same in process CPU time (on a loaded machine the wall-clock is mostly waiting for a core).
  const kCpu = fit(a?.cpuMs, b.cpuMs);
  const extrapolatedCpuS = ((b.cpuMs / b.draws) * (TARGET.accounts / b.accounts) ** kCpu * TARGET.draws) / 1000;
  const singleAtTargetMs = b.singleTickMs * (TARGET.accounts / b.accounts);
  if (print) {
    log(
      `EXTRAPOLATED (not run): ${TARGET.draws.toLocaleString("en-US")} draws on ${TARGET.accounts.toLocaleString("en-US")} accounts ≈ ${extrapolatedS.toFixed(0)} s ` +
        `(per draw ≈ ${(perDrawAtTargetMs / 1000).toFixed(1)} s by t ∝ N^${k.toFixed(2)} (fitted, at least 1) from ${a?.accounts ?? "-"} and ${b.accounts} accounts); target ${TARGET.seconds} s: ` +
        `${extrapolatedS <= TARGET.seconds ? "met" : `NOT met (${(extrapolatedS / TARGET.seconds).toFixed(0)} × over)`}; in CPU time ≈ ${extrapolatedCpuS.toFixed(0)} s (t ∝ N^${kCpu.toFixed(2)}). ` +
        `Even one live re-margin tick per draw, on a core reused across draws, would take ≈ ${((singleAtTargetMs * TARGET.draws) / 1000).toFixed(0)} s wall (linear in N).`,
    );
  }
  const targetDraws = options.fundTargetDraws ?? 3;
  const measured = targetDraws > 0 && !sizes.includes(TARGET.accounts) ? measureTarget({ market, context, policy, impact, draws: drawsOf(market, targetDraws), log, print }) : undefined;
  return { rows, exponent: k, extrapolatedSeconds: extrapolatedS, extrapolatedCpuSeconds: extrapolatedCpuS, singleTickFloorSeconds: (singleAtTargetMs * TARGET.draws) / 1000, ...(measured ? { target: measured } : {}) };
}

/**
 * The target book (TARGET.accounts demo accounts), sized over `draws` one at a time: per draw its wall and CPU time,
 * rounds and liquidations; the estimate for TARGET.draws is the mean per draw × TARGET.draws (draws are independent).
 * Beside it, the floor of one live re-margin tick per draw on a fresh core of the same book (the first draw's tick).
 */
function measureTarget({ market, context, policy, impact, draws, log, print }) {
  const n = TARGET.accounts;
  const t0 = performance.now();
  const accounts = bindDemoBook(market, context, n);
  const bindMs = performance.now() - t0;
  const newCore = () => createCascadeCore({ market, accounts });
  globalThis.gc?.();
  const core = unwrap(newCore());
  const c1 = process.cpuUsage();
  const t1 = performance.now();
  core.apply({ kind: "tick", tick: { ...draws[0].tick, seq: core.lastSeq() + 1 } });
  const tickMs = performance.now() - t1;
  const tickCpu = process.cpuUsage(c1);
  const per = [];
  for (const draw of draws) {
    globalThis.gc?.();
    const c = process.cpuUsage();
    const t = performance.now();
    const r = unwrap(sizeInsuranceFund({ newCore, draws: [draw], policy, impact }));
    const cpu = process.cpuUsage(c);
    const o = r.outcomes[0];
    per.push({ ms: performance.now() - t, cpuMs: (cpu.user + cpu.system) / 1000, rounds: o.rounds, liquidated: o.liquidatedAccounts });
  }
  const mean = (f) => per.reduce((s, x) => s + f(x), 0) / per.length;
  const out = {
    accounts: n,
    draws: per,
    bindMs,
    meanDrawMs: mean((x) => x.ms),
    meanDrawCpuMs: mean((x) => x.cpuMs),
    estimatedSeconds: (mean((x) => x.ms) * TARGET.draws) / 1000,
    estimatedCpuSeconds: (mean((x) => x.cpuMs) * TARGET.draws) / 1000,
    singleTickMs: tickMs,
    singleTickCpuMs: (tickCpu.user + tickCpu.system) / 1000,
  };
  if (print) {
    const list = per.map((x) => `${(x.ms / 1000).toFixed(1)} s (${(x.cpuMs / 1000).toFixed(1)} s CPU, ${x.rounds} rounds, ${x.liquidated.toLocaleString("en-US")} liquidated)`).join("; ");
    log(
      `MEASURED at the target size: ${n.toLocaleString("en-US")} demo accounts (bound in ${(bindMs / 1000).toFixed(1)} s), ${per.length} draws one at a time: ${list}. ` +
        `Mean per draw ${(out.meanDrawMs / 1000).toFixed(1)} s wall, ${(out.meanDrawCpuMs / 1000).toFixed(1)} s CPU, so ${TARGET.draws.toLocaleString("en-US")} draws ≈ ${out.estimatedSeconds.toFixed(0)} s ` +
        `(${out.estimatedCpuSeconds.toFixed(0)} s CPU); target ${TARGET.seconds} s: ${out.estimatedSeconds <= TARGET.seconds ? "met" : `NOT met (${(out.estimatedSeconds / TARGET.seconds).toFixed(0)} × over)`}. ` +
        `Floor: one live re-margin tick of this book on a fresh core took ${out.singleTickMs.toFixed(0)} ms (${out.singleTickCpuMs.toFixed(0)} ms CPU), ${((out.singleTickMs * TARGET.draws) / 1000).toFixed(0)} s for ${TARGET.draws.toLocaleString("en-US")} draws; ${loadText()}`,
    );
  }
  return out;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const arg = (name) => {
    const i = process.argv.indexOf(`--${name}`);
    return i > 0 ? process.argv[i + 1].split(",").map(Number) : undefined;
  };
  await runFundBench({ fundSizes: arg("fund-sizes"), fundDraws: arg("fund-draws")?.[0], fundTargetDraws: arg("fund-target-draws")?.[0], fundProcesses: arg("fund-processes")?.[0] });
}
