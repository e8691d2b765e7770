// Statistical-margin benchmark: full revaluation of a 200-option, two-underlying book (BTC and ETH options of the real
// Deribit chain of 2025-12-30) under 100,000 Monte Carlo joint scenarios (20 million option revaluations), and under
// the daily historical scenarios of the shared data, then VaR/ES; with a same-process baseline (the straightforward
// reference revaluation: one object and two exact Black-76 prices per option and scenario).
//
//   npm run build && node bench/var.bench.js            (or: import { runVarBench } from "./var.bench.js")
//
// Data (../shared/data, resolved from the repository root; provenance in SOURCES.md): the Deribit BTC/ETH option
// chain, futures and perpetual files of 2025-12-30T17:31Z; BTC daily closes 2015-2026, ETH daily OHLCV (Yahoo,
// 2017-11-09..2024-12-31), Deribit DVOL for BTC and ETH. The Monte Carlo factor model (EWMA vols and correlation of
// BTC, ETH, DVOL BTC, DVOL ETH) is estimated from that history by the scenario sources.
//
// The book: 100 BTC and 100 ETH options taken at regular steps through the chain's names (every expiry, strikes
// across the smile), seeded random sizes ±[0.1, 5) BTC and ±[1, 50) ETH.
//
// Timing protocol: one warm-up run, then the median of several runs; wall-clock and process CPU time (on a machine
// shared with other work the wall-clock includes time-slicing: CPU time ≈ wall-clock means the run had its core).
import { readFileSync } from "node:fs";
import { fileURLToPath, pathToFileURL } from "node:url";
import { unwrap } from "../dist/errors.js";
import { loadHistoryFiles } from "../dist/io/history-files.js";
import { loadDeribitOptionsSnapshotCsv } from "../dist/io/deribit-csv.js";
import { validatePortfolio } from "../dist/io/portfolio.js";
import { buildMarketContext } from "../dist/pricing/build-context.js";
import { parseVarParams } from "../dist/models/var/params.js";
import { black76PriceBatch } from "../dist/pricing/batch.js";
import { computeVarReport } from "../dist/models/var/report.js";
import { tailMeasures } from "../dist/risk/measures.js";
import { compileRevaluationBook, revalue } from "../dist/risk/revaluation.js";
import { revalueReference } from "../dist/risk/revaluation-reference.js";
import { estimateFactorModel, historicalScenarios, monteCarloScenarios } from "../dist/risk/scenario-sources/index.js";
import { seededRandom, timeMedian } from "./lib.js";

const ROOT = new URL("../", import.meta.url);
const DATA = new URL("../shared/data/", ROOT);

function loadInputs() {
  const read = (name) => readFileSync(new URL(name, DATA), "utf8");
  const chain = unwrap(
    loadDeribitOptionsSnapshotCsv(read("deribit_btc_eth_options_20251230T1731Z.csv"), {
      futuresCsv: read("deribit_futures_marks_20251230T1731Z.csv"),
      perpetualsCsv: read("deribit_perpetual_prices_20251230T1731Z.csv"),
      sourceName: "deribit_btc_eth_options_20251230T1731Z.csv",
    }),
  );
  const market = unwrap(buildMarketContext(chain.snapshot));
  const rnd = seededRandom(20251230);
  const positions = [];
  for (const [base, maxSize, minSize] of [["BTC", 5, 0.1], ["ETH", 50, 1]]) {
    const names = Object.keys(chain.snapshot.instruments).filter((n) => n.startsWith(`${base}-`) && /-[CP]$/.test(n)).sort();
    const step = names.length / 100;
    for (let i = 0; i < 100; i++) {
      const size = minSize + rnd() * (maxSize - minSize);
      positions.push({ instrument: names[Math.floor(i * step)], size: rnd() < 0.5 ? -size : size });
    }
  }
  const portfolio = unwrap(validatePortfolio({ positions }, market));
  const path = (f) => fileURLToPath(new URL(f, DATA));
  const history = unwrap(
    loadHistoryFiles([
      { path: path("btc_usd_daily_close_2015_2026.csv"), factor: "BTC" },
      { path: path("eth_usd_daily_ohlcv_yahoo.csv"), factor: "ETH" },
      path("deribit_dvol_btc_daily.csv"),
      path("deribit_dvol_eth_daily.csv"),
    ]),
  );
  return { market, portfolio, history };
}

/**
 * Second baseline: the project's vectorised exact Black-76 (pricing/batch.ts, struct-of-arrays, exact normCdf), fed
 * per scenario with moved forwards and vols — what a numpy/scipy implementation does. Returns Σ size × USD price per
 * scenario (inverse options' coin price × forward gives the same USD price), for `count` scenarios.
 */
function batchBaseline(portfolio, market, set, count) {
  const opts = portfolio.positions.map((p) => ({ inst: p.instrument, size: p.sizeCoin, m: market.optionInputs(p.instrument) }));
  const n = opts.length;
  const factor = Int32Array.from(opts, (o) => set.priceFactors.indexOf(o.inst.base));
  const volFactor = Int32Array.from(opts, (o) => set.volFactors.indexOf(o.inst.base));
  const chain = {
    isCall: Uint8Array.from(opts, (o) => (o.inst.optionKind === "call" ? 1 : 0)),
    forwardUsd: new Float64Array(n),
    strikeUsd: Float64Array.from(opts, (o) => o.inst.strikeUsd),
    timeYears: Float64Array.from(opts, (o) => o.m.timeYears),
    volDecimal: new Float64Array(n),
    rateDecimal: Float64Array.from(opts, (o) => o.m.rateDecimal),
  };
  const out = new Float64Array(n);
  const totals = new Float64Array(count);
  const F = set.priceFactors.length;
  const V = set.volFactors.length;
  for (let s = 0; s < count; s++) {
    for (let i = 0; i < n; i++) {
      chain.forwardUsd[i] = opts[i].m.forwardUsd * (1 + set.priceRelativeMove[s * F + factor[i]]);
      chain.volDecimal[i] = opts[i].m.volDecimal * (volFactor[i] >= 0 ? set.volRatio[s * V + volFactor[i]] : 1);
    }
    black76PriceBatch(chain, "linear", out);
    let t = 0;
    for (let i = 0; i < n; i++) t += opts[i].size * out[i];
    totals[s] = t;
  }
  return totals;
}

const legsOf = (portfolio) => portfolio.positions.map((p, i) => ({ label: p.instrument.name, instrument: p.instrument, sizeCoin: p.sizeCoin, path: `positions[${i}]` }));

/**
 * Run the benchmark and return the figures (times in ms, rates per second).
 * @param {{ paths?: number, runs?: number, baselineScenarios?: number, print?: boolean, log?: (line: string) => void }} [options]
 */
export async function runVarBench(options = {}) {
  const paths = options.paths ?? 100_000;
  const runs = options.runs ?? 3;
  const baselineScenarios = options.baselineScenarios ?? 2_000;
  const log = options.log ?? (options.print === false ? () => {} : (line) => console.log(line));
  const { market, portfolio, history } = loadInputs();
  const legs = legsOf(portfolio);
  const optionCount = legs.length;
  const alpha = 0.99;

  // 1. Monte Carlo: scenarios (timed apart), then full revaluation + ES.
  const model = unwrap(estimateFactorModel(history, { priceFactors: ["BTC", "ETH"] }));
  const gen = timeMedian(() => unwrap(monteCarloScenarios(model, { horizonDays: 2, paths, seed: 1, antithetic: true })), { warmup: 0, runs: 1 });
  const mc = gen.last;
  const results = {};
  for (const convention of ["sticky-strike", "sticky-moneyness"]) {
    const compile = timeMedian(() => unwrap(compileRevaluationBook(legs, market, mc, { volConvention: convention })), { warmup: 1, runs });
    const book = compile.last;
    const reval = timeMedian(() => revalue(book, mc), { warmup: 1, runs });
    const losses = reval.last.map((x) => -x);
    const es = timeMedian(() => unwrap(tailMeasures(losses, alpha, { antithetic: true })), { warmup: 1, runs });
    // Baseline: the reference revaluation on the first scenarios, extrapolated per revaluation.
    const sample = Int32Array.from({ length: Math.min(baselineScenarios, mc.count) }, (_v, i) => i);
    const ref = timeMedian(() => revalueReference(book, market, mc, { scenarioIndices: sample }), { warmup: 1, runs: 1 });
    const fastSample = revalue(book, mc, { scenarioIndices: sample });
    let maxAbsDiffUsd = 0;
    for (let j = 0; j < sample.length; j++) maxAbsDiffUsd = Math.max(maxAbsDiffUsd, Math.abs(fastSample[j] - ref.last[j]));
    const batchCount = Math.min(20_000, mc.count);
    const batch = convention === "sticky-strike" ? timeMedian(() => batchBaseline(portfolio, market, mc, batchCount), { warmup: 1, runs: 1 }) : undefined;
    const revaluations = optionCount * paths;
    const fastRate = revaluations / (reval.medianMs / 1000);
    const refRate = (optionCount * sample.length) / (ref.medianMs / 1000);
    results[convention] = {
      compileMs: compile.medianMs,
      revaluationMs: reval.medianMs,
      revaluationCpuMs: reval.cpuMedianMs,
      esMs: es.medianMs,
      revaluationsPerSecond: fastRate,
      referenceRevaluationsPerSecond: refRate,
      speedup: fastRate / refRate,
      ...(batch ? { batchExactRevaluationsPerSecond: (optionCount * batchCount) / (batch.medianMs / 1000), speedupVsBatch: fastRate / ((optionCount * batchCount) / (batch.medianMs / 1000)) } : {}),
      maxAbsDiffVsReferenceUsd: maxAbsDiffUsd,
      esUsd: es.last.esUsd,
      esStandardErrorUsd: es.last.esStandardErrorUsd,
      varUsd: es.last.varUsd,
    };
  }
  log(`Monte Carlo ES ${alpha}, ${paths.toLocaleString("en-US")} paths (antithetic, seed 1, 2-day), ${optionCount} options (100 BTC + 100 ETH): ${(optionCount * paths / 1e6).toFixed(0)} million option revaluations`);
  log(`  scenario generation ${gen.medianMs.toFixed(0)} ms (H8's Monte Carlo source; not part of the revaluation target)`);
  for (const [c, r] of Object.entries(results)) {
    log(
      `  ${c.padEnd(16)} revaluation ${r.revaluationMs.toFixed(0)} ms (cpu ${r.revaluationCpuMs.toFixed(0)} ms) = ${(r.revaluationsPerSecond / 1e6).toFixed(1)} M/s; ` +
        `reference ${(r.referenceRevaluationsPerSecond / 1e6).toFixed(2)} M/s → ×${r.speedup.toFixed(1)}; compile ${r.compileMs.toFixed(1)} ms; ES ${r.esMs.toFixed(1)} ms; ` +
        `ES ${r.esUsd.toFixed(0)} ± ${r.esStandardErrorUsd.toFixed(0)} USD; max |fast − reference| ${r.maxAbsDiffVsReferenceUsd.toExponential(2)} USD`,
    );
    if (r.batchExactRevaluationsPerSecond !== undefined) {
      log(`  ${"".padEnd(16)} vectorised exact Black-76 (pricing/batch.ts, per scenario) ${(r.batchExactRevaluationsPerSecond / 1e6).toFixed(1)} M/s → kernel ×${r.speedupVsBatch.toFixed(1)}`);
    }
  }

  // 2. Historical: every 1-day window of the joint BTC/ETH history (ETH's Yahoo history starts 2017-11-09, so the
  // joint span is 7.1 years, not 10), the whole pipeline: compile, revalue, ES; and the full var report (component
  // ES, stand-alone ES per underlying, histogram, worst scenarios, add-ons).
  const hist = unwrap(historicalScenarios(history, { priceFactors: ["BTC", "ETH"], horizonDays: 1 }));
  const params = unwrap(parseVarParams({ ...JSON.parse(readFileSync(new URL("presets/var-default.json", ROOT), "utf8")), horizonDays: 1 }));
  const pipeline = timeMedian(() => {
    const book = unwrap(compileRevaluationBook(legs, market, hist, { volConvention: params.volConvention }));
    return unwrap(tailMeasures(revalue(book, hist).map((x) => -x), alpha));
  }, { warmup: 2, runs: runs * 3 });
  const fullReport = timeMedian(() => unwrap(computeVarReport(portfolio, market, params, { scenarios: hist })), { warmup: 2, runs: runs * 3 });
  const per10Years = 3652 / hist.count;
  const historical = {
    scenarios: hist.count,
    firstLabel: hist.labels[0],
    lastLabel: hist.labels[hist.count - 1],
    pipelineMs: pipeline.medianMs,
    fullReportMs: fullReport.medianMs,
    tenYearPipelineMsExtrapolated: pipeline.medianMs * per10Years,
    tenYearFullReportMsExtrapolated: fullReport.medianMs * per10Years,
    esUsd: pipeline.last.esUsd,
  };
  log(`historical ES ${alpha}, ${hist.count} daily scenarios (${historical.firstLabel}..${historical.lastLabel}), same ${optionCount} options:`);
  log(`  compile + revalue + ES ${pipeline.medianMs.toFixed(1)} ms (cpu ${pipeline.cpuMedianMs.toFixed(1)} ms); full var report ${fullReport.medianMs.toFixed(1)} ms; ES ${historical.esUsd.toFixed(0)} USD`);
  log(`  scaled to 10 years (3,652 scenarios, linear in N): ${historical.tenYearPipelineMsExtrapolated.toFixed(1)} ms and ${historical.tenYearFullReportMsExtrapolated.toFixed(1)} ms (target ≤ 50 ms)`);
  return { optionCount, paths, generationMs: gen.medianMs, monteCarlo: results, historical };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await runVarBench({ print: true });
}
