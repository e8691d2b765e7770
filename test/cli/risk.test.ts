import { expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeWithSharedData, sharedData, whenSharedData } from "../helpers/requires.js";
import { parseJson, runCli } from "./helpers.js";

// Without ../shared/data these paths are never used: both suites below are skipped.
const D = (f: string): string => whenSharedData(() => sharedData(f)) ?? f;
const MARKET = ["--market", D("deribit_btc_eth_options_20251230T1731Z.csv"), "--futures", D("deribit_futures_marks_20251230T1731Z.csv"), "--perpetuals", D("deribit_perpetual_prices_20251230T1731Z.csv")];
const HISTORY = ["--history", `BTC=${D("btc_usd_daily_close_2015_2026.csv")}`, D("eth_usd_daily_ohlcv_yahoo.csv"), D("deribit_dvol_btc_daily.csv"), D("deribit_dvol_eth_daily.csv"), D("usdc_usd_daily_ohlcv_yahoo.csv")];

function tmpFile(name: string, content: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "netrisk-risk-")), name);
  writeFileSync(path, typeof content === "string" ? content : JSON.stringify(content));
  return path;
}

const PORTFOLIO = tmpFile("portfolio.json", {
  positions: [
    { instrument: "BTC-27MAR26-90000-C", size: -2 },
    { instrument: "BTC-27MAR26-90000-P", size: -2 },
    { instrument: "BTC-PERPETUAL", size: 0.5 },
    { instrument: "ETH-PERPETUAL", size: -10 },
    { instrument: "ETH-30JAN26-3500-C", size: 15 },
  ],
  collateral: { BTC: 1, USDC: 20000 },
});

interface VarJson {
  var: number;
  es: number;
  esStandardError: number | null;
  confidence: number;
  horizonDays: number;
  scenarios: number;
  method: string;
  volMoves: Record<string, string>;
  contributions: { instrument: string; componentEsUsd: number }[];
  worst: { label: string; lossUsd: number }[];
  histogram: { count: number }[];
  diversification: { benefitUsd: number };
  stress: { worstLabel: string; floorUsd: number } | null;
  correlationBreakdown: { label: string; esUsd: number; increaseUsd: number }[];
  margin: { model: string; initialMargin: number; maintenanceMargin: number; components: Record<string, number> };
}

describeWithSharedData("netrisk var", () => {
  it("historical: the documented JSON keys, contributions summing to ES, scenario count of the history", async () => {
    const run = await runCli("var", "--portfolio", PORTFOLIO, ...MARKET, ...HISTORY, "--method", "historical", "--confidence", "0.99", "--horizon-days", "2", "--json");
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const r = parseJson(run) as VarJson;
    expect(Object.keys(r).slice(0, 7)).toEqual(["var", "es", "esStandardError", "confidence", "horizonDays", "scenarios", "method"]);
    expect([r.confidence, r.horizonDays, r.method]).toEqual([0.99, 2, "historical"]);
    // USDC's history (2021-01-01..) is in the files but only the linear products' settlement currency and collateral
    // need it; this book has neither in scenarios, so the windows span BTC ∩ ETH: 2017-11-09..2024-12-31.
    expect(r.scenarios).toBe(2608);
    expect(r.es).toBeGreaterThanOrEqual(r.var);
    expect(r.volMoves).toEqual({ BTC: "vol-index-ratio", ETH: "vol-index-ratio" });
    const sum = r.contributions.reduce((s, c) => s + c.componentEsUsd, 0);
    expect(Math.abs(sum - r.es)).toBeLessThanOrEqual(1e-9 * r.es);
    expect(r.worst[0]?.label).toBe("2020-03-12");
    expect(r.histogram.reduce((s, b) => s + b.count, 0)).toBe(r.scenarios);
    expect(r.diversification.benefitUsd).toBeGreaterThan(0);
    expect(r.stress?.floorUsd).toBeGreaterThan(0);
    const c = r.margin.components;
    expect(r.margin.initialMargin).toBeCloseTo(Math.max(r.es, c.stressFloor ?? 0) + (c.liquidity ?? 0) + (c.concentration ?? 0), 6);
    expect(r.margin.maintenanceMargin).toBeCloseTo(r.margin.initialMargin / 1.3, 6);
  });

  it("Monte Carlo: reproducible by seed, with a standard error and the correlation breakdown", async () => {
    const args = ["var", "--portfolio", PORTFOLIO, ...MARKET, ...HISTORY, "--method", "montecarlo", "--paths", "4000", "--correlation-stress", "--json"];
    const a = parseJson(await runCli(...args, "--seed", "11")) as VarJson;
    const b = parseJson(await runCli(...args, "--seed", "11")) as VarJson;
    const c = parseJson(await runCli(...args, "--seed", "12")) as VarJson;
    expect(b).toEqual(a);
    expect(c.es).not.toBe(a.es);
    expect(a.scenarios).toBe(4000);
    expect(a.esStandardError).toBeGreaterThan(0);
    // Two seeds agree within their standard errors (5 × the combined one: a loose, deterministic check).
    expect(Math.abs(a.es - c.es)).toBeLessThan(5 * Math.hypot(a.esStandardError ?? 0, c.esStandardError ?? 0));
    expect(a.correlationBreakdown.map((x) => x.label)).toEqual(["price correlations +1", "price correlations 0 (hedges gone)"]);
    for (const x of a.correlationBreakdown) expect(x.increaseUsd).toBeCloseTo(x.esUsd - a.es, 6);
  });

  it("hybrid: IM is at least the risk-matrix IM and the ES market risk", async () => {
    const run = await runCli("var", "--portfolio", PORTFOLIO, ...MARKET, ...HISTORY, "--model", "hybrid", "--json");
    expect(run.stderr).toBe("");
    const r = parseJson(run) as VarJson;
    const c = r.margin.components;
    expect(r.margin.model).toBe("hybrid");
    expect(r.margin.initialMargin).toBeCloseTo(Math.max(c.riskMatrixInitial ?? NaN, c.marketRisk ?? NaN) + (c.liquidity ?? 0) + (c.concentration ?? 0), 6);
  });

  it("prints a text report", async () => {
    const run = await runCli("var", "--portfolio", PORTFOLIO, ...MARKET, ...HISTORY, "--method", "filtered");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/filtered VaR \/ ES, 99 % over 2 day\(s\)/);
    expect(run.stdout).toMatch(/contributions \(component ES/);
    expect(run.stdout).toMatch(/diversification: stand-alone ES BTC/);
  });

  it("bad input: too few scenarios for the confidence, --correlation-stress without Monte Carlo, no history", async () => {
    const few = await runCli("var", "--portfolio", PORTFOLIO, ...MARKET, ...HISTORY, "--from", "2024-12-01", "--to", "2024-12-31", "--confidence", "0.99", "--json");
    expect(few.code).toBe(2);
    expect(few.stderr).toMatch(/out_of_range: too few scenarios for confidence 0\.99: N = 31/);
    const cs = await runCli("var", "--portfolio", PORTFOLIO, ...MARKET, ...HISTORY, "--correlation-stress");
    expect(cs.code).toBe(2);
    expect(cs.stderr).toMatch(/--correlation-stress: invalid_value/);
    const none = await runCli("var", "--portfolio", PORTFOLIO, ...MARKET);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/--history: required/);
    const method = await runCli("var", "--portfolio", PORTFOLIO, ...MARKET, ...HISTORY, "--method", "bootstrap");
    expect(method.stderr).toMatch(/--method: invalid_value: unknown method "bootstrap"; known: historical, filtered, montecarlo/);
  });
});

describeWithSharedData("netrisk stress", () => {
  it("named stresses from the history and a user file, with positions and collateral split", async () => {
    const user = tmpFile("scenarios.json", { scenarios: [{ name: "btc-crash-vol-up", priceMoves: { BTC: -0.3, ETH: -0.35 }, volMoves: { BTC: 0.6, ETH: 0.5 } }] });
    const run = await runCli("stress", "--portfolio", PORTFOLIO, ...MARKET, ...HISTORY, "--scenario", "ftx", "usdc-depeg", user, "--json");
    expect(run.stderr).toBe("");
    const r = parseJson(run) as { scenarioSets: { method: string; scenarios: { label: string; pnlUsd: number; positionsUsd: number; collateralUsd: number; priceMoves: Record<string, number> }[] }[] };
    expect(r.scenarioSets.map((s) => s.method)).toEqual(["stress", "user"]);
    const [ftx, depeg] = r.scenarioSets[0]?.scenarios ?? [];
    expect(ftx?.label).toBe("ftx");
    expect(depeg?.priceMoves.USDC).toBeCloseTo(0.9715 / 0.9997 - 1, 2);
    for (const s of r.scenarioSets.flatMap((x) => x.scenarios)) expect(s.positionsUsd + s.collateralUsd).toBeCloseTo(s.pnlUsd, 6);
    expect(r.scenarioSets[1]?.scenarios[0]?.label).toBe("btc-crash-vol-up");
  });

  it("an unknown stress name is an error listing the known ones; named stresses need --history", async () => {
    const bad = await runCli("stress", "--portfolio", PORTFOLIO, ...MARKET, ...HISTORY, "--scenario", "nosuch");
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--scenario: invalid_value: unknown stress scenario "nosuch"; known: black-thursday, may-2021, luna, ftx, usdc-depeg/);
    const noHistory = await runCli("stress", "--portfolio", PORTFOLIO, ...MARKET, "--scenario", "ftx");
    expect(noHistory.code).toBe(2);
    expect(noHistory.stderr).toMatch(/--history: required/);
  });

  it("the correlation-breakdown stress reports ES under the estimated and the stressed correlations", async () => {
    const run = await runCli("stress", "--portfolio", PORTFOLIO, ...MARKET, ...HISTORY, "--scenario", "luna", "--correlation-stress", "--paths", "2000");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/correlation breakdown \(Monte Carlo ES 0\.99 over 2 day\(s\), 2000 paths, positions only\)/);
    expect(run.stdout).toMatch(/price correlations 0 \(hedges gone\): ES/);
  });
});
