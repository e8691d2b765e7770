/**
 * The anti-procyclicality tools on the real shared data (../shared/data: Yahoo BTC and ETH closes): a long BTC
 * perpetual under the var model over the first half of 2020 (Black Thursday inside), without and with each tool.
 * References read from the CSV here: the first day of each coin's history (the ten-year look-back's cap).
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { statisticalDailyModel, withoutBuffer } from "../../src/backtest/statistical.js";
import { runBacktest } from "../../src/backtest/walk.js";
import { unwrap } from "../../src/errors.js";
import { loadHistoryFiles } from "../../src/io/history-files.js";
import { validateMarket } from "../../src/io/market.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { createVarModel, DEFAULT_APC, parseVarParams } from "../../src/models/var/index.js";
import type { ApcTool, VarModel } from "../../src/models/var/index.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { describeWithSharedData, sharedData, whenSharedData } from "../helpers/requires.js";

const CSV = "crypto_daily_close_wide_2014_2024.csv";
const history = whenSharedData(() => unwrap(loadHistoryFiles([sharedData(CSV)])));
const preset = JSON.parse(readFileSync(new URL("../../presets/var-default.json", import.meta.url), "utf8")) as Record<string, unknown>;
const market = unwrap(buildMarketContext(unwrap(validateMarket({ timestamp: "2025-01-01T00:00:00.000Z", index: { BTC: 90000, ETH: 3000, USDC: 1 }, instruments: { "BTC_USDC-PERPETUAL": { markPrice: 90000 }, "ETH_USDC-PERPETUAL": { markPrice: 3000 } } }))));
const btcOnly = unwrap(validatePortfolio({ positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 1 }] }, market));

/** First date with a value in column `col` of the CSV, read without the engine. */
function firstDate(col: "BTC" | "ETH"): string {
  const [head, ...rows] = readFileSync(sharedData(CSV), "utf8").trim().split("\n");
  const i = (head as string).split(",").indexOf(col);
  return (rows.find((r) => (r.split(",")[i] ?? "") !== "") as string).split(",")[0] as string;
}

function backtest(tools: ApcTool[], factors: string[], portfolio = btcOnly) {
  const params = unwrap(parseVarParams({ ...preset, antiProcyclicality: { ...DEFAULT_APC, tools } }));
  const model = statisticalDailyModel({
    id: "var",
    parameterSet: params.info,
    horizonDays: params.horizonDays,
    priceFactors: factors,
    minWindowDays: 365,
    ...(tools.length > 0 ? { antiProcyclicality: params.antiProcyclicality } : {}),
    bind: (inputs, o) => createVarModel(o.buffer ? params : withoutBuffer(params), inputs),
  });
  return unwrap(runBacktest({ portfolio, market, history, model }, { from: "2020-01-01", to: "2020-06-30", horizonDays: 2, rebalance: "usd" }));
}

describeWithSharedData("anti-procyclicality on real BTC/ETH history", () => {
  it("each tool against the no-tool margin over 2020-H1: buffer within [1, 1.25] × and absorbing the Black Thursday jump, floors never below", () => {
    const none = backtest([], ["BTC"]);
    const buffer = backtest(["buffer"], ["BTC"]);
    const floor = backtest(["lookback-floor"], ["BTC"]);
    const weighted = backtest(["stressed-weight"], ["BTC"]);
    expect(none.series.dates.length).toBe(182);
    none.series.marginUsd.forEach((m, i) => {
      const b = buffer.series.marginUsd[i] as number;
      expect(b).toBeGreaterThanOrEqual(m * (1 - 1e-12));
      expect(b).toBeLessThanOrEqual(1.25 * m * (1 + 1e-12));
      expect(buffer.series.calculatedMarginUsd?.[i]).toBe(m);
      // The floor is a max: never below the margin without it.
      expect(floor.series.marginUsd[i] as number).toBeGreaterThanOrEqual(m * (1 - 1e-12));
      expect(Number.isFinite(weighted.series.marginUsd[i] as number)).toBe(true);
    });
    expect(buffer.procyclicality.largest1Day?.increaseRelative as number).toBeLessThan(none.procyclicality.largest1Day?.increaseRelative as number);
    for (const r of [none, buffer, floor, weighted]) expect(r.procyclicality.episodes.map((e) => e.id)).toEqual(["black-thursday"]);
    expect(buffer.notes.some((n) => n.includes("anti-procyclicality (a)"))).toBe(true);
  });

  it("the ten-year look-back is capped at the history and says so: BTC alone from its first close, BTC+ETH from ETH's", () => {
    const params = unwrap(parseVarParams({ ...preset, antiProcyclicality: { ...DEFAULT_APC, tools: ["lookback-floor"] } }));
    const both = unwrap(validatePortfolio({ positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 1 }, { instrument: "ETH_USDC-PERPETUAL", size: -10 }] }, market));
    const plus2 = (d: string) => new Date(Date.parse(`${d}T00:00:00Z`) + 2 * 86_400_000).toISOString().slice(0, 10);
    for (const [factors, portfolio, first] of [[["BTC"], btcOnly, firstDate("BTC")], [["BTC", "ETH"], both, firstDate("ETH")]] as const) {
      const model = statisticalDailyModel({ id: "var", parameterSet: params.info, horizonDays: 2, priceFactors: factors, minWindowDays: 365, antiProcyclicality: params.antiProcyclicality, bind: (inputs) => createVarModel(params, inputs) });
      const day = Date.parse("2020-03-12T00:00:00Z") / 86_400_000;
      const m = unwrap(model.modelOn(day, history));
      const r = unwrap((m as VarModel).report(portfolio, market));
      expect(r.antiProcyclicality?.lookbackFloor?.firstWindow).toBe(plus2(first));
      expect(model.notes?.some((n) => n.includes("CAPPED at the history"))).toBe(true);
    }
    expect(firstDate("BTC")).toBe("2014-09-17");
    expect(firstDate("ETH")).toBe("2017-11-09");
  });
});
