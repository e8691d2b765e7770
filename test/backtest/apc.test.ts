/**
 * The anti-procyclicality tools (EMIR RTS 153/2013 Art. 28) against the independent numpy computation of
 * test/fixtures/apc/generate.py (SYNTHETIC history, committed beside the fixture): the stressed period, the expected
 * shortfall with 25 % weight on the stressed observations, the ten-year look-back floor capped at the history, the
 * releasable buffer over a margin series, and the 30-day and stress-episode procyclicality measures.
 *
 * Tolerances: ES figures 1e-9 relative (the same ratios and products, summed in another order: ~1e-13 expected);
 * buffer and procyclicality figures 1e-12 relative (a few arithmetic operations per value).
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { episodeIncreases, procyclicality } from "../../src/backtest/procyclicality.js";
import { apcScenarioSets } from "../../src/backtest/statistical.js";
import { unwrap } from "../../src/errors.js";
import { validateMarket } from "../../src/io/market.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { createVarModel, DEFAULT_APC, parseVarParams, releasableBuffer } from "../../src/models/var/index.js";
import type { AntiProcyclicalityParams, VarParams } from "../../src/models/var/index.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { dayNumber } from "../../src/risk/history/dates.js";
import { parseHistoryCsv } from "../../src/risk/history/parse.js";
import { historicalScenarios } from "../../src/risk/scenario-sources/historical.js";
import { mostStressedPeriod } from "../../src/risk/scenario-sources/stressed-period.js";

interface Fixture {
  day: string;
  horizonDays: number;
  confidence: number;
  portfolio: unknown;
  market: unknown;
  stressedPeriod: { from: string; to: string; meanSquaredLogMove: number };
  esBaseUsd: number;
  esStressedWeightUsd: number;
  lookback: { firstWindow: string; windows: number; esUsd: number };
  buffer: { base: number[]; bufferDecimal: number; rebuildDays: number; charged: number[] };
  procyclicality: {
    dates: string[];
    marginUsd: number[];
    largest30Day: { fromDate: string; toDate: string; increaseRelative: number };
    blackThursday: { troughDate: string; peakDate: string; increaseRelative: number };
  };
}

const fx = JSON.parse(readFileSync(new URL("../fixtures/apc/apc.json", import.meta.url), "utf8")) as Fixture;
const history = unwrap(parseHistoryCsv(readFileSync(new URL("../fixtures/apc/apc-history.csv", import.meta.url), "utf8"), "apc-history.csv"));
const market = unwrap(buildMarketContext(unwrap(validateMarket(fx.market))));
const portfolio = unwrap(validatePortfolio(fx.portfolio, market));
const preset = JSON.parse(readFileSync(new URL("../../presets/var-default.json", import.meta.url), "utf8")) as Record<string, unknown>;
const day = dayNumber(fx.day) as number;
const relClose = (a: number, b: number, tol: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(b)));

function paramsWith(tools: AntiProcyclicalityParams["tools"]): VarParams {
  return unwrap(parseVarParams({ ...preset, antiProcyclicality: { ...DEFAULT_APC, tools } }));
}

function reportWith(tools: AntiProcyclicalityParams["tools"]) {
  const params = paramsWith(tools);
  const scenarios = unwrap(historicalScenarios(history, { priceFactors: ["BTC", "ETH"], horizonDays: fx.horizonDays, from: "2020-12-14", to: fx.day }));
  const extra = unwrap(apcScenarioSets(history, ["BTC", "ETH"], fx.horizonDays, params.antiProcyclicality, day));
  return unwrap(unwrap(createVarModel(params, { scenarios, ...extra })).report(portfolio, market));
}

describe("anti-procyclicality tools vs numpy (synthetic history)", () => {
  it("the most stressed 365-window period known on the day", () => {
    const p = unwrap(mostStressedPeriod(history, ["BTC", "ETH"], fx.horizonDays, 365, day));
    expect([p.from, p.to]).toEqual([fx.stressedPeriod.from, fx.stressedPeriod.to]);
    relClose(p.meanSquaredLogMove, fx.stressedPeriod.meanSquaredLogMove, 1e-9);
  });

  it("no tool: ES of the 730 look-back windows (the reference the tools are measured against)", () => {
    const r = reportWith([]);
    expect(r.scenarios).toBe(730);
    relClose(r.esUsd, fx.esBaseUsd, 1e-9);
    expect(r.antiProcyclicality).toBeNull();
  });

  it("(b) 25 % weight on the stressed observations: weighted ES, and the look-back-only ES reported beside it", () => {
    const r = reportWith(["stressed-weight"]);
    relClose(r.esUsd, fx.esStressedWeightUsd, 1e-9);
    relClose(r.antiProcyclicality?.stressedWeight?.esWithoutUsd as number, fx.esBaseUsd, 1e-9);
    expect(r.antiProcyclicality?.stressedWeight?.observations).toBe(365);
    expect(r.esUsd).toBeGreaterThan(fx.esBaseUsd);
  });

  it("(c) ten-year look-back floor, capped at the first window ETH covers: ES of those windows floors the market risk", () => {
    const r = reportWith(["lookback-floor"]);
    const f = r.antiProcyclicality?.lookbackFloor;
    expect(f?.firstWindow).toBe(fx.lookback.firstWindow);
    expect(f?.windows).toBe(fx.lookback.windows);
    relClose(f?.esUsd as number, fx.lookback.esUsd, 1e-9);
    relClose(r.marketRiskUsd, Math.max(fx.esBaseUsd, fx.lookback.esUsd), 1e-9);
  });

  it("(a) in one margin call the buffer is fully built: IM = 1.25 × the IM without it; MM keeps IM / 1.3", () => {
    const none = reportWith([]);
    const r = reportWith(["buffer"]);
    relClose(r.initialMarginUsd, 1.25 * none.initialMarginUsd, 1e-12);
    relClose(r.maintenanceMarginUsd, r.initialMarginUsd / 1.3, 1e-12);
    relClose(r.antiProcyclicality?.buffer?.usd as number, 0.25 * none.initialMarginUsd, 1e-12);
  });

  it("(a) over a series: the releasable buffer rule", () => {
    const out = releasableBuffer(fx.buffer.base, fx.buffer.bufferDecimal, fx.buffer.rebuildDays);
    expect(out.length).toBe(fx.buffer.charged.length);
    out.forEach((x, i) => relClose(x, fx.buffer.charged[i] as number, 1e-12));
  });

  it("largest 30-day rise and the Black Thursday trough-to-peak increase", () => {
    const { dates, marginUsd } = fx.procyclicality;
    const p = procyclicality(dates, marginUsd);
    expect([p.largest30Day?.fromDate, p.largest30Day?.toDate]).toEqual([fx.procyclicality.largest30Day.fromDate, fx.procyclicality.largest30Day.toDate]);
    relClose(p.largest30Day?.increaseRelative as number, fx.procyclicality.largest30Day.increaseRelative, 1e-12);
    const bt = episodeIncreases(dates, marginUsd).find((e) => e.id === "black-thursday");
    expect(bt?.from).toBe("2020-02-11");
    expect(bt?.to).toBe("2020-04-11");
    expect([bt?.troughDate, bt?.peakDate]).toEqual([fx.procyclicality.blackThursday.troughDate, fx.procyclicality.blackThursday.peakDate]);
    relClose(bt?.increaseRelative as number, fx.procyclicality.blackThursday.increaseRelative, 1e-12);
  });

  it("a tool without its scenario set is an issue, not a silent no-op", () => {
    const scenarios = unwrap(historicalScenarios(history, { priceFactors: ["BTC", "ETH"], horizonDays: 2, from: "2020-12-14", to: fx.day }));
    const r = createVarModel(paramsWith(["stressed-weight", "lookback-floor"]), { scenarios });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => `${i.path}:${i.code}`).sort()).toEqual(["lookback:required", "stressed:required"]);
  });

  it("bad parameter values are invalid_parameter_set with the path of the field", () => {
    const r = parseVarParams({ ...preset, antiProcyclicality: { ...DEFAULT_APC, tools: ["buffer", "buffer"], stressedWeightDecimal: 1.5 } });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => i.path).sort()).toEqual(["antiProcyclicality.stressedWeightDecimal", "antiProcyclicality.tools"]);
  });
});
