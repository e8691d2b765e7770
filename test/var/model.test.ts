import { expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { NetriskError, unwrap } from "../../src/errors.js";
import type { JointScenarioSet } from "../../src/risk/joint.js";
import { createVarModel, parseVarParams } from "../../src/models/var/index.js";
import type { StatisticalInputs, VarParams, VarReport } from "../../src/models/var/index.js";
import { contractMarket, portfolioOf } from "../contract/markets.js";
import { describeWithSharedData, whenSharedData } from "../helpers/requires.js";
import { btcEthHistoricalSet, contractStressSet, randomJointSet } from "./sets.js";

const preset = JSON.parse(readFileSync(new URL("../../presets/var-default.json", import.meta.url), "utf8")) as Record<string, unknown>;
const params = (over: Record<string, unknown> = {}): VarParams => unwrap(parseVarParams({ ...preset, ...over }));
const market = whenSharedData(() => contractMarket().market);
const history = whenSharedData(() => btcEthHistoricalSet());

const hedged = whenSharedData(() =>
  portfolioOf(
  {
    positions: [
      { instrument: "BTC-27MAR26-90000-C", size: -2 },
      { instrument: "BTC-27MAR26-90000-P", size: -2 },
      { instrument: "BTC-PERPETUAL", size: 0.5 },
      { instrument: "ETH-PERPETUAL", size: -10 },
      { instrument: "ETH-30JAN26-3500-C", size: 15 },
    ],
    collateral: { BTC: 1, USDC: 20000 },
  },
  market,
  ),
);

function report(p = params(), inputs: StatisticalInputs = { scenarios: history, stress: contractStressSet() }, portfolio = hedged): VarReport {
  return unwrap(unwrap(createVarModel(p, inputs)).report(portfolio, market));
}

describeWithSharedData("var model", () => {
  it("IM = max(ES, stress floor) + liquidity + concentration, MM = IM / 1.3", () => {
    const r = report();
    expect(r.marketRiskUsd).toBe(Math.max(r.esUsd, r.stress?.floorUsd ?? 0));
    expect(r.initialMarginUsd).toBeCloseTo(r.marketRiskUsd + r.liquidity.totalUsd + r.concentration.totalUsd, 9);
    expect(r.maintenanceMarginUsd).toBeCloseTo(r.initialMarginUsd / 1.3, 9);
    expect(r.stress?.floorUsd).toBeCloseTo(0.5 * (r.stress?.worstLossUsd ?? NaN), 9);
    expect(r.stress?.worstLabel).toBe("crash");
  });

  it("component ES sums to ES; the margin result's contributions sum to −ES", () => {
    const r = report();
    expect(r.contributions.reduce((s, c) => s + c.componentEsUsd, 0)).toBeCloseTo(r.esUsd, 6);
    const m = unwrap(createVarModel(params(), { scenarios: history })).compute(hedged, market);
    const b = m.byCurrency.USD;
    expect((b?.contributions ?? []).reduce((s, c) => s + c.pnl, 0)).toBeCloseTo(-r.esUsd, 6);
    expect(m.notes.join("\n")).toMatch(/no stress scenarios bound: the stress floor is not applied/);
  });

  it("diversification benefit = Σ stand-alone ES per underlying − joint ES, 0 for one underlying", () => {
    const r = report();
    const d = r.diversification;
    expect(Object.keys(d.standaloneEsUsd)).toEqual(["BTC", "ETH"]);
    expect(d.benefitUsd).toBeCloseTo(d.sumStandaloneEsUsd - r.esUsd, 9);
    expect(d.benefitUsd).toBeGreaterThan(0);
    const btcOnly = portfolioOf({ positions: [{ instrument: "BTC-PERPETUAL", size: 1 }] }, market);
    expect(report(params(), { scenarios: history }, btcOnly).diversification.benefitUsd).toBe(0);
  });

  it("revalues collateral only when asked: BTC collateral hedges a short BTC perpetual", () => {
    const p = portfolioOf({ positions: [{ instrument: "BTC-PERPETUAL", size: -1 }], collateral: { BTC: 1 } }, market);
    const without = report(params(), { scenarios: history }, p);
    const withCollateral = report(params({ collateralInScenarios: true }), { scenarios: history }, p);
    expect(without.esUsd).toBeGreaterThan(1000);
    // Short 1 BTC inverse perp + 1 BTC held: USD P&L −S·m + S·m = 0 in every scenario.
    expect(Math.abs(withCollateral.esUsd)).toBeLessThan(1e-6);
    expect(withCollateral.contributions.map((c) => c.instrument)).toEqual(["BTC-PERPETUAL", "collateral:BTC"]);
  });

  it("correlation breakdown: ES re-run on each bound set, increase = ES_breakdown − ES", () => {
    const other = randomJointSet({ seed: 5, count: 2000, priceFactors: ["BTC", "ETH"], logVol: [0.06, 0.08], volFactors: ["BTC", "ETH"] });
    const r = report(params(), { scenarios: history, breakdown: [{ label: "test", scenarios: { ...other, horizonDays: 2 } }] });
    expect(r.correlationBreakdown).toHaveLength(1);
    expect(r.correlationBreakdown[0]?.increaseUsd).toBeCloseTo((r.correlationBreakdown[0]?.esUsd ?? NaN) - r.esUsd, 9);
  });

  it("reports the vol convention and which bases' vols moved", () => {
    const r = report(params({ volConvention: "sticky-moneyness" }));
    expect(r.volConvention).toBe("sticky-moneyness");
    expect(r.volMoveByBase).toEqual({ BTC: "vol-index-ratio", ETH: "vol-index-ratio" });
  });
});

describeWithSharedData("var model: bad input", () => {
  it("too few scenarios for the confidence is an error at construction", () => {
    const few: JointScenarioSet = { ...randomJointSet({ seed: 1, count: 50, priceFactors: ["BTC"], logVol: [0.05] }), horizonDays: 2 };
    const r = createVarModel(params(), { scenarios: few });
    expect(r.ok ? null : r.issues[0]).toMatchObject({ code: "out_of_range", path: "scenarios" });
    expect(r.ok ? "" : r.issues[0]?.message).toMatch(/N = 50 gives N\(1 − α\) = 0\.5 < 1 \(need at least 100\)/);
  });

  it("a scenario set of another horizon than the parameter set is an error", () => {
    const r = createVarModel(params({ horizonDays: 1 }), { scenarios: history });
    expect(r.ok ? null : [r.issues[0]?.code, r.issues[0]?.path]).toEqual(["invalid_value", "scenarios.horizonDays"]);
  });

  it("a position whose underlying has no price factor: unsupported, as issues or as a thrown NetriskError", () => {
    const btcOnly: JointScenarioSet = { ...randomJointSet({ seed: 2, count: 500, priceFactors: ["BTC"], logVol: [0.05] }), horizonDays: 2 };
    const model = unwrap(createVarModel(params(), { scenarios: btcOnly }));
    const r = model.computeResult(hedged, market);
    expect(r.ok ? null : [r.issues[0]?.code, r.issues[0]?.path]).toEqual(["unsupported", "positions[4].instrument"]);
    expect(() => model.compute(hedged, market)).toThrow(NetriskError);
  });

  it("rejects a bad parameter set with paths", () => {
    const r = parseVarParams({ ...preset, confidence: 1.5, concentration: { default: { rawRateDecimal: 0.01, tiers: [{ upToUsd: 10, multiplier: 1 }] } } });
    expect(r.ok ? [] : r.issues.map((i) => i.path).sort()).toEqual(["concentration.default.tiers[0].upToUsd", "confidence"].sort());
  });
});
