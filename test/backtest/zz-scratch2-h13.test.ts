import { it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { loadMarketFile } from "../../src/io/load-market.js";
import { loadHistoryFiles } from "../../src/io/history-files.js";
import { loadPreset } from "../../src/io/presets.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { buildMarketContext } from "../../src/market/build-context.js";
import { runBacktest } from "../../src/backtest/walk.js";
import { statisticalDailyModel } from "../../src/backtest/statistical.js";
import { parseVarParams } from "../../src/models/var/params.js";
import { createVarModel } from "../../src/models/var/model.js";
import { writeFileSync } from "node:fs";
import { renderBacktestHtml } from "../../src/backtest/report-html.js";
import { sharedDataPath } from "../real-data/data-path.js";

it("scratch var", () => {
  const loaded = unwrap(loadMarketFile(sharedDataPath("deribit_btc_eth_options_20251230T1731Z.csv"), { futuresPath: sharedDataPath("deribit_futures_marks_20251230T1731Z.csv"), perpetualsPath: sharedDataPath("deribit_perpetual_prices_20251230T1731Z.csv") }));
  const ctx = unwrap(buildMarketContext(loaded.snapshot));
  const names = Object.keys(loaded.snapshot.instruments).filter((n) => n.startsWith("BTC-") && n.split("-").length === 4 && !n.includes("31DEC25"));
  const chosen = names.filter((_n, i) => i % Math.floor(names.length / 50) === 0).slice(0, 50);
  const positions = chosen.map((n, i) => ({ instrument: n, size: (i % 3 === 0 ? -1 : 1) * (1 + (i % 5)) }));
  const portfolio = unwrap(validatePortfolio({ positions }, ctx));
  const history = unwrap(loadHistoryFiles([sharedDataPath("btc_usd_daily_close_2015_2026.csv"), sharedDataPath("deribit_dvol_btc_daily.csv")]));
  const params = unwrap(parseVarParams(unwrap(loadPreset("var-default"))));
  const model = statisticalDailyModel({ id: "var", parameterSet: params.info, horizonDays: params.horizonDays, priceFactors: ["BTC"], minWindowDays: 365, bind: (inputs) => createVarModel(params, inputs) });
  const t0 = performance.now();
  const r = runBacktest({ portfolio, market: ctx, history, model }, { from: "2021-01-01", to: "2026-02-11", horizonDays: 2 });
  console.log("ms", performance.now() - t0);
  if (!r.ok) { console.log(r.issues); return; }
  const v = r.value;
  writeFileSync("/tmp/report.html", renderBacktestHtml(v));
  console.log(v.coverage, v.kupiec, v.christoffersen, v.procyclicality.peakToTrough, v.notes);
  console.log(v.breaches.slice(0, 40).map((b) => `${b.date} ${b.marginUsd.toFixed(0)} ${b.lossUsd.toFixed(0)}`));
}, 600000);
