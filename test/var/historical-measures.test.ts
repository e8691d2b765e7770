/**
 * Historical VaR / ES of 1 BTC on BTC's real 10-year daily history, against an independent numpy computation
 * (test/fixtures/var/generate_measures.py → measures.json): scenarios built from the CSV by date, full revaluation of
 * a BTC spot holding and of a linear BTC perpetual, then the measures.
 */
import { expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { fixedMarket } from "../contract/fixed-market.js";
import { unwrap } from "../../src/errors.js";
import { parseInstrument } from "../../src/market/instrument.js";
import { tailMeasures } from "../../src/risk/measures.js";
import { compileRevaluationBook, revalue } from "../../src/risk/revaluation.js";
import { loadHistoryFiles } from "../../src/io/history-files.js";
import { historicalScenarios } from "../../src/risk/scenario-sources/index.js";
import { describeWithSharedData, sharedData, whenSharedData } from "../helpers/requires.js";
import { dateRange, historicalJointSet, readCloses } from "./sets.js";

interface Case {
  horizonDays: number;
  side: "long" | "short";
  confidence: number;
  scenarios: number;
  tailCount: number;
  varUsd: number;
  esUsd: number;
  worst: string[];
}
const fixture = JSON.parse(readFileSync(new URL("../fixtures/var/measures.json", import.meta.url), "utf8")) as {
  firstDate: string;
  lastDate: string;
  spotUsd: number;
  cases: Case[];
};

const closes = whenSharedData(() => readCloses("btc_usd_daily_close_2015_2026.csv", "price"));
const dates = dateRange(fixture.firstDate, fixture.lastDate);
const S0 = fixture.spotUsd;
const market = fixedMarket({ timestampMs: Date.parse(`${fixture.lastDate}T00:00:00Z`), indexUsd: { BTC: S0 }, instruments: { "BTC_USDC-PERPETUAL": { markPrice: S0 } } });
const perp = unwrap(parseInstrument("BTC_USDC-PERPETUAL"));

// Tolerance: 1e-9 relative. numpy computes S0·(P1/P0 − 1), the engine S0·((1 + m) − 1) with m = P1/P0 − 1 from the
// set: they differ by rounding only (≈ 1e-16 × S0). A convention error (k ± 1, a wrong ES denominator) moves the
// figures by 0.1 % or more.
const REL = 1e-9;

describeWithSharedData("historical VaR / ES of 1 BTC over 10 years of daily closes (numpy reference)", () => {
  it("uses the 10-year window of the fixture (3,653 consecutive daily closes)", () => {
    expect(dates).toHaveLength(3653);
    expect(dates.every((d) => closes.has(d))).toBe(true);
  });

  it.each(fixture.cases.map((c) => [`h=${c.horizonDays} ${c.side} α=${c.confidence}`, c] as const))("%s", (_name, c) => {
    const set = historicalJointSet(dates, { BTC: closes }, {}, c.horizonDays);
    expect(set.count).toBe(c.scenarios);
    const sign = c.side === "long" ? 1 : -1;
    for (const instrument of [{ kind: "spot" as const, name: "BTC", currency: "BTC" }, perp]) {
      const book = unwrap(compileRevaluationBook([{ label: instrument.name, instrument, sizeCoin: sign, path: "p" }], market, set, { volConvention: "sticky-strike" }));
      const losses = revalue(book, set).map((x) => -x);
      const m = unwrap(tailMeasures(losses, c.confidence));
      expect(m.tailCount).toBe(c.tailCount);
      expect(Math.abs(m.varUsd - c.varUsd)).toBeLessThanOrEqual(REL * Math.abs(c.varUsd));
      expect(Math.abs(m.esUsd - c.esUsd)).toBeLessThanOrEqual(REL * Math.abs(c.esUsd));
      expect(Array.from(m.tailIndices.slice(0, 5), (i) => set.labels[i])).toEqual(c.worst);
    }
  });

  // The same figures through the project's own history reader and historical scenario source (H8's), end to end.
  it.each(fixture.cases.filter((c) => c.side === "long").map((c) => [`h=${c.horizonDays} α=${c.confidence}`, c] as const))(
    "through loadHistoryFiles + historicalScenarios: %s",
    (_name, c) => {
      const history = unwrap(loadHistoryFiles([{ path: sharedData("btc_usd_daily_close_2015_2026.csv"), factor: "BTC" }]));
      const set = unwrap(historicalScenarios(history, { horizonDays: c.horizonDays, from: dates[c.horizonDays] as string, to: fixture.lastDate }));
      expect(set.count).toBe(c.scenarios);
      const book = unwrap(compileRevaluationBook([{ label: "BTC", instrument: { kind: "spot", name: "BTC", currency: "BTC" }, sizeCoin: 1, path: "p" }], market, set, { volConvention: "sticky-strike" }));
      const m = unwrap(tailMeasures(revalue(book, set).map((x) => -x), c.confidence));
      expect(Math.abs(m.varUsd - c.varUsd)).toBeLessThanOrEqual(REL * Math.abs(c.varUsd));
      expect(Math.abs(m.esUsd - c.esUsd)).toBeLessThanOrEqual(REL * Math.abs(c.esUsd));
      expect(Array.from(m.tailIndices.slice(0, 5), (i) => set.labels[i])).toEqual(c.worst);
    },
  );
});
