// Backtest benchmark: ten years of daily margin backtest (2016-02-12 .. 2026-02-11, 3,653 margin days, 2-day horizon)
// of a 50-position BTC options portfolio, under the Deribit risk-matrix model (target ≤ 5 s on one core) and under the
// historical-ES `var` model re-bound every day to a 2-year window (target ≤ 30 s), with a same-process baseline.
//
//   npm run build && node bench/backtest.bench.js          (or: import { runBacktestBench } from "./backtest.bench.js")
//
// Data (../shared/data, resolved from the repository root): the 2025-12-30 Deribit chain with its futures and
// perpetual files (the snapshot whose basis and surface shape the days borrow), BTC closes 2015-01-01 .. 2026-02-13
// (btc_usd_daily_close_2015_2026.csv) and Deribit's BTC DVOL. Portfolio: 50 BTC options of the chain (every k-th name
// in sorted order, expiries 1JAN26 .. 25DEC26), sizes ±1..5 coin, deterministic.
//
// The `var` run: 2-year window (730 two-day windows) from 2017-01-01 on; before that the history is shorter, so the
// window expands from the 406 windows known on 2016-02-12 (`minWindowDays` 365) — the first ~11 months price fewer
// scenarios. The ms/day of the last full-window year is reported too.
//
// Baseline (same process, same walk): each day's market built through the public `buildMarketContext` (snapshot check,
// instrument-name parsing, forward curve) from the day's quotes, instead of the backtest's hand-built day context.
// Timing protocol: warm-up first (JIT), then the median of several runs; wall-clock and process CPU time.
import { pathToFileURL } from "node:url";
import { unwrap } from "../dist/errors.js";
import { loadHistoryFiles } from "../dist/io/history-files.js";
import { loadMarketFile } from "../dist/io/load-market.js";
import { validatePortfolio } from "../dist/io/portfolio.js";
import { loadModel, loadPreset } from "../dist/io/presets.js";
import { buildMarketContext } from "../dist/pricing/build-context.js";
import { createVarModel } from "../dist/models/var/model.js";
import { parseVarParams } from "../dist/models/var/params.js";
import { rollPortfolio } from "../dist/backtest/book.js";
import { dayContext, dayState } from "../dist/backtest/day-market.js";
import { realisedLossUsd } from "../dist/backtest/realised.js";
import { prepareBacktest } from "../dist/backtest/setup.js";
import { statisticalDailyModel } from "../dist/backtest/statistical.js";
import { runBacktest } from "../dist/backtest/walk.js";
import { timeMedian } from "./lib.js";

const DATA = new URL("../../shared/data/", import.meta.url);
const data = (f) => new URL(f, DATA).pathname;
const FROM = "2016-02-12";
const TO = "2026-02-11";

/** The snapshot, the 50-option portfolio and the history. */
function inputs() {
  const loaded = unwrap(
    loadMarketFile(data("deribit_btc_eth_options_20251230T1731Z.csv"), {
      futuresPath: data("deribit_futures_marks_20251230T1731Z.csv"),
      perpetualsPath: data("deribit_perpetual_prices_20251230T1731Z.csv"),
    }),
  );
  const market = unwrap(buildMarketContext(loaded.snapshot));
  // Fit the BTC surface once up front (lazy otherwise): it is part of loading the snapshot, not of the walk.
  market.surfaceVol("BTC", 90000, market.asOfMs + 30 * 86_400_000);
  const names = Object.keys(loaded.snapshot.instruments)
    .filter((n) => n.startsWith("BTC-") && n.split("-").length === 4 && !n.includes("-31DEC25-"))
    .sort();
  const step = Math.floor(names.length / 50);
  const chosen = names.filter((_n, i) => i % step === 0).slice(0, 50);
  const positions = chosen.map((n, i) => ({ instrument: n, size: (i % 3 === 0 ? -1 : 1) * (1 + (i % 5)) }));
  const portfolio = unwrap(validatePortfolio({ positions }, market));
  const history = unwrap(loadHistoryFiles([data("btc_usd_daily_close_2015_2026.csv"), data("deribit_dvol_btc_daily.csv")]));
  return { market, portfolio, history };
}

/** The same walk with each day's context from the public buildMarketContext (see the header). Returns the margins. */
function baselineWalk(input, model, from, to) {
  const prep = unwrap(prepareBacktest(input, { from, to, horizonDays: 2 }));
  const margins = [];
  for (let t = prep.firstDay; t <= prep.lastDay; t++) {
    const start = dayState(prep.path, t);
    const book = rollPortfolio(prep.path, start, input.portfolio, "coin");
    const fast = dayContext(prep.path, start, book.derivatives);
    const context = unwrap(buildMarketContext(fast.snapshot));
    margins.push(model.compute(book.portfolio, context).totalUsd.initialMargin);
    realisedLossUsd(book.portfolio.positions, start, dayState(prep.path, t + 2), () => 0);
  }
  return margins;
}

/** Run the benchmark; prints a summary when `print`. Returns the figures. */
export async function runBacktestBench({ print = true } = {}) {
  const input = inputs();
  const deribit = unwrap(loadModel("deribit"));
  const rm = timeMedian(() => unwrap(runBacktest({ ...input, model: deribit }, { from: FROM, to: TO, horizonDays: 2 })), { warmup: 1, runs: 3 });
  const days = rm.last.coverage.observations;
  const base = timeMedian(() => baselineWalk(input, deribit, FROM, TO), { warmup: 0, runs: 1 });
  // Same margins either way (the baseline only builds the context differently).
  const sameMargins = base.last.every((m, i) => Math.abs(m - rm.last.series.marginUsd[i]) <= 1e-9 * Math.max(1, Math.abs(m)));

  const params = unwrap(parseVarParams(unwrap(loadPreset("var-default"))));
  const varModel = statisticalDailyModel({
    id: "var",
    parameterSet: params.info,
    horizonDays: params.horizonDays,
    priceFactors: ["BTC"],
    windowDays: 730,
    minWindowDays: 365,
    bind: (inputs) => createVarModel(params, inputs),
  });
  const es = timeMedian(() => unwrap(runBacktest({ ...input, model: varModel }, { from: FROM, to: TO, horizonDays: 2 })), { warmup: 0, runs: 2 });
  const esLastYear = timeMedian(() => unwrap(runBacktest({ ...input, model: varModel }, { from: "2025-02-12", to: TO, horizonDays: 2 })), { warmup: 0, runs: 1 });

  const out = {
    marginDays: days,
    positions: input.portfolio.positions.length,
    riskMatrix: { medianMs: rm.medianMs, minMs: rm.minMs, cpuMedianMs: rm.cpuMedianMs, msPerDay: rm.medianMs / days, targetMs: 5000, breaches: rm.last.coverage.breaches },
    baseline: { ms: base.medianMs, msPerDay: base.medianMs / days, sameMargins, ratioToBacktest: base.medianMs / rm.medianMs },
    historicalEs: {
      medianMs: es.medianMs,
      cpuMedianMs: es.cpuMedianMs,
      msPerDay: es.medianMs / days,
      fullWindowMsPerDay: esLastYear.medianMs / esLastYear.last.coverage.observations,
      targetMs: 30000,
      breaches: es.last.coverage.breaches,
    },
  };
  if (print) {
    console.log(`backtest: ${days} margin days ${FROM}..${TO}, ${out.positions} BTC options, 2-day horizon, coin sizes`);
    console.log(`  risk matrix (deribit): median ${out.riskMatrix.medianMs.toFixed(0)} ms (min ${out.riskMatrix.minMs.toFixed(0)}, CPU ${out.riskMatrix.cpuMedianMs.toFixed(0)}), ${(out.riskMatrix.msPerDay * 1000).toFixed(0)} µs/day; target ≤ 5000 ms`);
    console.log(`  baseline (buildMarketContext per day): ${out.baseline.ms.toFixed(0)} ms = ${out.baseline.ratioToBacktest.toFixed(2)}× the backtest; same margins: ${sameMargins}`);
    console.log(`  historical ES (var, 2-year window): median ${out.historicalEs.medianMs.toFixed(0)} ms (CPU ${out.historicalEs.cpuMedianMs.toFixed(0)}), ${out.historicalEs.msPerDay.toFixed(2)} ms/day; full-window days ${out.historicalEs.fullWindowMsPerDay.toFixed(2)} ms/day; target ≤ 30000 ms`);
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  await runBacktestBench({ print: true });
}
