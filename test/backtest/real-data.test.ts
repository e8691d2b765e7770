/**
 * The backtest on the real shared data (../shared/data): the 2025-12-30 Deribit snapshot for the shape, the Yahoo BTC
 * closes and Deribit's DVOL for the path. Reference for the realised loss: the closes read straight from the CSV here.
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { runBacktest } from "../../src/backtest/walk.js";
import { unwrap } from "../../src/errors.js";
import { loadHistoryFiles } from "../../src/io/history-files.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { loadModel } from "../../src/io/presets.js";
import { describeWithSharedData, sharedData, whenSharedData } from "../helpers/requires.js";
import { deribitChain20251230 } from "../helpers/deribit-chain.js";
import { fixedMarginModel } from "./fixture.js";

const market = whenSharedData(deribitChain20251230);
const history = whenSharedData(() => unwrap(loadHistoryFiles([sharedData("crypto_daily_close_wide_2014_2024.csv"), sharedData("deribit_dvol_btc_daily.csv")])));

/** BTC closes by date, read from the wide CSV without the engine's loader. */
const closes = new Map(
  whenSharedData(() => readFileSync(sharedData("crypto_daily_close_wide_2014_2024.csv"), "utf8")
    .trim()
    .split("\n")
    .slice(1)
    .map((line) => {
      const [date, btc] = line.split(",");
      return [date as string, Number(btc)] as const;
    })) ?? [],
);
const plusDays = (date: string, n: number): string => new Date(Date.parse(`${date}T00:00:00Z`) + n * 86_400_000).toISOString().slice(0, 10);

describeWithSharedData("real BTC history", () => {
  const perp = whenSharedData(() => unwrap(validatePortfolio({ positions: [{ instrument: "BTC-PERPETUAL", size: 1 }] }, market)));

  it("a long inverse perpetual of 1 BTC, flat basis: the realised loss is P(t) − P(t + 2) from the CSV, every day 2019-2024", () => {
    const r = unwrap(runBacktest({ portfolio: perp, market, history, model: fixedMarginModel("zero", () => 0) }, { from: "2019-01-01", to: "2024-12-31", horizonDays: 2, basis: "flat" }));
    expect(r.settings.to).toBe("2024-12-29");
    expect(r.series.dates.length).toBe(2190);
    r.series.dates.forEach((date, i) => {
      const expected = (closes.get(date) as number) - (closes.get(plusDays(date, 2)) as number);
      // Coin P&L (1 − F₀/F₁) × F₁ against F₁ − F₀: one division and one product apart, ~1e−16 relative of a ~1e5 price.
      expect(Math.abs((r.series.lossUsd[i] as number) - expected), date).toBeLessThanOrEqual(1e-9 * (closes.get(date) as number));
    });
  });

  it("Black Thursday breaches the Deribit risk-matrix margin of a long perpetual (a 2-day fall of ~30-37 %, beyond the 16 % scan)", () => {
    const r = unwrap(runBacktest({ portfolio: perp, market, history, model: unwrap(loadModel("deribit")) }, { from: "2020-03-01", to: "2020-03-31", horizonDays: 2 }));
    const dates = r.breaches.map((b) => b.date);
    expect(dates).toContain("2020-03-10");
    expect(dates).toContain("2020-03-11");
    for (const b of r.breaches) {
      const fall = 1 - (closes.get(plusDays(b.date, 2)) as number) / (closes.get(b.date) as number);
      expect(fall, b.date).toBeGreaterThan(0.16);
    }
  });

  it("an options book under the Deribit model over 2022: finite margins and losses, breaches consistent with the series", () => {
    const portfolio = unwrap(validatePortfolio(JSON.parse(readFileSync(new URL("../fixtures/backtest/portfolio-btc-2025-12-30.json", import.meta.url), "utf8")) as unknown, market));
    const r = unwrap(runBacktest({ portfolio, market, history, model: unwrap(loadModel("deribit")) }, { from: "2022-01-01", to: "2022-12-31", horizonDays: 2, rebalance: "usd" }));
    expect(r.coverage.observations).toBe(365);
    expect(r.series.marginUsd.every((m) => Number.isFinite(m) && m > 0)).toBe(true);
    expect(r.series.lossUsd.every(Number.isFinite)).toBe(true);
    const recount = r.series.lossUsd.filter((l, i) => l > (r.series.marginUsd[i] as number)).length;
    expect(r.coverage.breaches).toBe(recount);
    // DVOL covers all of 2022: no "UNSCALED" note.
    expect(r.notes.some((n) => n.includes("UNSCALED"))).toBe(false);
  });
});
