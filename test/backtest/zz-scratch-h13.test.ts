import { it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { loadMarketFile } from "../../src/io/load-market.js";
import { loadHistoryFiles } from "../../src/io/history-files.js";
import { loadModel } from "../../src/io/presets.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { buildMarketContext } from "../../src/market/build-context.js";
import { runBacktest } from "../../src/backtest/walk.js";
import { sharedDataPath } from "../real-data/data-path.js";

it("scratch", () => {
  const loaded = unwrap(loadMarketFile(sharedDataPath("deribit_btc_eth_options_20251230T1731Z.csv"), { futuresPath: sharedDataPath("deribit_futures_marks_20251230T1731Z.csv"), perpetualsPath: sharedDataPath("deribit_perpetual_prices_20251230T1731Z.csv") }));
  const ctx = unwrap(buildMarketContext(loaded.snapshot));
  const names = Object.keys(loaded.snapshot.instruments).filter((n) => n.startsWith("BTC-") && n.split("-").length === 4 && !n.includes("31DEC25"));
  const chosen = names.filter((_n, i) => i % Math.floor(names.length / 50) === 0).slice(0, 50);
  const positions = chosen.map((n, i) => ({ instrument: n, size: (i % 3 === 0 ? -1 : 1) * (1 + (i % 5)) }));
  const portfolio = unwrap(validatePortfolio({ positions }, ctx));
  const history = unwrap(loadHistoryFiles([sharedDataPath("btc_usd_daily_close_2015_2026.csv"), sharedDataPath("deribit_dvol_btc_daily.csv")]));
  const model = unwrap(loadModel("deribit"));
  let t0 = performance.now();
  ctx.surfaceVol("BTC", 90000, ctx.asOfMs + 30 * 86400000);
  console.log("fit", performance.now() - t0);
  t0 = performance.now();
  const r = runBacktest({ portfolio, market: ctx, history, model }, { from: "2016-02-12", to: "2026-02-11", horizonDays: 2 });
  console.log("ms", performance.now() - t0);
  if (!r.ok) { console.log(r.issues); return; }
  const v = r.value;
  console.log(v.settings, v.coverage, v.kupiec, v.christoffersen, v.conditionalCoverage, v.procyclicality, v.notes);
  console.log(v.breaches.slice(0, 10));
  const i = v.series.dates.indexOf("2020-03-11");
  console.log(v.series.dates.slice(i - 2, i + 3), v.series.marginUsd.slice(i - 2, i + 3), v.series.lossUsd.slice(i - 2, i + 3));
}, 120000);
