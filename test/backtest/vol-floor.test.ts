/**
 * The look-back floor of a fixed model (EMIR Art. 28(1)(c), src/backtest/vol-floor.ts): the long-run vol multiplier
 * against a plain loop over the series, and on the real data (the 2025-12-30 Deribit snapshot's shape, Yahoo BTC
 * closes, Deribit BTC DVOL) the floored margin of a BTC options book under the Deribit risk matrix against a one-day
 * backtest whose DVOL on that day is set to the look-back's root mean square computed here from the CSV.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { HistoricalPath } from "../../src/backtest/day-market.js";
import { lookbackDays, volFloor } from "../../src/backtest/vol-floor.js";
import { runBacktest } from "../../src/backtest/walk.js";
import { unwrap } from "../../src/errors.js";
import { loadHistoryFiles } from "../../src/io/history-files.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { loadModel } from "../../src/io/presets.js";
import { dayNumber, isoDay } from "../../src/risk/history/dates.js";
import type { History } from "../../src/risk/history/types.js";
import { describeWithSharedData, sharedData, whenSharedData } from "../helpers/requires.js";
import { deribitChain20251230 } from "../helpers/deribit-chain.js";

describe("long-run vol multiplier", () => {
  // A SYNTHETIC vol index of 400 days from day 18,000, reference 0.6.
  const values = Float64Array.from({ length: 400 }, (_, i) => 0.4 + 0.3 * Math.abs(Math.sin(i / 17)) + (i % 7) * 0.01);
  const path = { vols: new Map([["BTC", { series: { factor: "BTC", kind: "vol", firstDay: 18_000, values, source: "synthetic" }, reference: 0.6 }]]) } as unknown as HistoricalPath;

  it("root mean square of index/reference over the look-back, capped at the series; absent before it starts", () => {
    const years = 0.5;
    const span = lookbackDays(years);
    expect(span).toBe(183);
    const f = volFloor(path, years);
    for (const day of [17_999, 18_000, 18_050, 18_182, 18_183, 18_300, 18_399, 18_420, 18_700]) {
      let sum = 0, n = 0;
      for (let d = day - span + 1; d <= day; d++) {
        const v = values[d - 18_000];
        if (v === undefined) continue;
        sum += (v / 0.6) ** 2;
        n++;
      }
      const got = f.ratiosOn(day).get("BTC");
      if (n === 0) expect(got, String(day)).toBeUndefined();
      else expect(Math.abs((got as number) - Math.sqrt(sum / n)), String(day)).toBeLessThanOrEqual(1e-12);
    }
    expect(f.spanOn(18_050)).toEqual([{ base: "BTC", from: isoDay(18_000), to: isoDay(18_050), days: 51 }]);
    expect(f.spanOn(18_700)).toEqual([]);
  });
});

const market = whenSharedData(deribitChain20251230);
const history = whenSharedData(() => unwrap(loadHistoryFiles([sharedData("crypto_daily_close_wide_2014_2024.csv"), sharedData("deribit_dvol_btc_daily.csv")])));

/** BTC DVOL closes (decimal) by date, read from the CSV without the engine's loader. */
const dvol = new Map(
  whenSharedData(() =>
    readFileSync(sharedData("deribit_dvol_btc_daily.csv"), "utf8")
      .trim()
      .split("\n")
      .slice(1)
      .map((line) => {
        const cells = line.split(",");
        return [cells[0] as string, Number(cells[5]) / 100] as const;
      }),
  ) ?? [],
);

describeWithSharedData("look-back floor on the Deribit risk matrix (real BTC history and DVOL)", () => {
  const portfolio = whenSharedData(() => unwrap(validatePortfolio(JSON.parse(readFileSync(new URL("../fixtures/backtest/portfolio-btc-2025-12-30.json", import.meta.url), "utf8")) as unknown, market)));
  const model = whenSharedData(() => unwrap(loadModel("deribit")));
  const options = { from: "2023-01-01", to: "2023-06-30", horizonDays: 2, rebalance: "usd" as const };

  it("never below the margin without it; binds in calm 2023 (DVOL under its level since 2021); capped at DVOL's start and said so", () => {
    const none = unwrap(runBacktest({ portfolio, market, history, model }, options));
    const floored = unwrap(runBacktest({ portfolio, market, history, model }, { ...options, lookbackFloor: { years: 10 } }));
    expect(floored.series.calculatedMarginUsd).toEqual(none.series.marginUsd);
    let binding = 0;
    floored.series.marginUsd.forEach((m, i) => {
      const base = none.series.marginUsd[i] as number;
      expect(m).toBeGreaterThanOrEqual(base);
      if (m > base * (1 + 1e-9)) binding++;
    });
    expect(binding).toBeGreaterThan(0);
    expect(floored.notes.some((n) => n.includes("CAPPED") && n.includes("10-year"))).toBe(true);
    const first = [...dvol.keys()].sort()[0] as string;
    expect(floored.notes.some((n) => n.includes(`vol:BTC: look-back on the first margin day ${first}..2023-01-01`))).toBe(true);
    // The floor lowers the largest 30-day rise or leaves it: it lifts the troughs only.
    expect(floored.procyclicality.peakToTrough?.ratio as number).toBeLessThanOrEqual(none.procyclicality.peakToTrough?.ratio as number);
  });

  it("each day's floor is the margin with DVOL at the look-back's root mean square (a one-day backtest on a history set to it)", () => {
    const floored = unwrap(runBacktest({ portfolio, market, history, model }, { ...options, lookbackFloor: { years: 10 } }));
    const vols = history.vols[0] as History["vols"][number];
    for (const date of ["2023-01-15", "2023-03-10", "2023-06-20"]) {
      const day = dayNumber(date) as number;
      let sum = 0, n = 0;
      for (let d = day - 3653 + 1; d <= day; d++) {
        const v = dvol.get(isoDay(d));
        if (v === undefined) continue;
        sum += v * v;
        n++;
      }
      const values = Float64Array.from(vols.values);
      values[day - vols.firstDay] = Math.sqrt(sum / n);
      const atLevel: History = { ...history, vols: [{ ...vols, values }] };
      const one = unwrap(runBacktest({ portfolio, market, history: atLevel, model }, { ...options, from: date, to: date }));
      const i = floored.series.dates.indexOf(date);
      const expected = Math.max(floored.series.calculatedMarginUsd?.[i] as number, one.series.marginUsd[0] as number);
      expect(Math.abs((floored.series.marginUsd[i] as number) - expected), date).toBeLessThanOrEqual(1e-9 * expected);
    }
  });

  it("a one-day look-back is the day's own vol: the floor equals the margin", () => {
    const none = unwrap(runBacktest({ portfolio, market, history, model }, { ...options, to: "2023-01-31" }));
    const oneDay = unwrap(runBacktest({ portfolio, market, history, model }, { ...options, to: "2023-01-31", lookbackFloor: { years: 1 / 365.25 } }));
    oneDay.series.marginUsd.forEach((m, i) => expect(Math.abs(m - (none.series.marginUsd[i] as number))).toBeLessThanOrEqual(1e-9 * m));
  });
});
