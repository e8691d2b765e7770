import { describe, expect, it } from "vitest";
import { issue, NetriskError, unwrap } from "../errors.js";
import { loadModel } from "../io/presets.js";
import { contractMarket, portfolioOf } from "../../test/contract/markets.js";
import { fixedMarket } from "../../test/contract/fixed-market.js";
import { describeWithSharedData, whenSharedData } from "../../test/helpers/requires.js";
import { compareModels } from "./compare.js";
import type { MarginModel, MarginResult, ResolvedPortfolio } from "./types.js";

const market = whenSharedData(() => contractMarket().market);
// The rules below use stub models: any market will do, so they run without ../shared/data too.
const stubMarket = fixedMarket({ timestampMs: Date.UTC(2025, 11, 30), indexUsd: { BTC: 88524.21 }, instruments: {} });
const models = ["standard", "deribit", "derive-pmrm2"].map((id) => unwrap(loadModel(id)));
const BTC_INDEX = 88524.21; // median BTC index of the 2025-12-30T17:31Z Deribit chain (docs/formats.md)

// Figures built from the published formulas in decimal steps: 1e-9 relative covers the binary rounding.
function expectRel(actual: number, expected: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(1e-9 * Math.abs(expected));
}

describeWithSharedData("compareModels on Deribit's 2025-12-30 market", () => {
  it("a small outright futures position is cheaper under standard margin (Deribit's own warning)", () => {
    const c = compareModels(portfolioOf({ positions: [{ instrument: "BTC-PERPETUAL", size: 1 }] }, market), market, models);
    const standard = c.rows.find((r) => r.model === "standard");
    const deribit = c.rows.find((r) => r.model === "deribit");
    // Standard: (2 % + 1 × 0.005 %) × 1 BTC = 0.02005 BTC, valued at the BTC index.
    expectRel(standard?.initialMarginUsd ?? NaN, 0.02005 * BTC_INDEX);
    // Risk matrix (deribit-pm.md §2.9, §2.7, verified on W1): worst case at −16 %: 1 × 0.16/0.84 BTC, plus a roll
    // shock at the floor 1 × 1 % for a perpetual; no delta shock below 20 M USD.
    expectRel(deribit?.initialMarginUsd ?? NaN, (0.16 / 0.84 + 0.01) * BTC_INDEX);
    expectRel(deribit?.capitalEfficiency ?? NaN, 0.02005 / (0.16 / 0.84 + 0.01));
    expect(deribit?.capitalEfficiency).toBeLessThan(1);
    expect(deribit?.initialMarginSavingUsd).toBeLessThan(0);
    expect(c.baseline).toBe("standard");
    expect(c.lowestInitialMargin).toBe("standard");
    expect(c.notes.some((n) => n.startsWith("deribit: IM") && n.includes("standard margin is cheaper"))).toBe(true);
    // Derive margins only USDC products: skipped with the reason (issue 9 §4), not listed as a failure nor dropped silently.
    expect(c.failures).toEqual([]);
    expect(c.skipped.map((k) => k.model)).toEqual(["derive-pmrm2"]);
    expect(c.skipped[0]?.reason).toMatch(/USDC/);
  });

  it("a hedged calendar spread is cheaper under portfolio margin", () => {
    const p = portfolioOf({ positions: [{ instrument: "BTC-PERPETUAL", size: 10 }, { instrument: "BTC-27MAR26", size: -10 }] }, market);
    const c = compareModels(p, market, models);
    const standard = c.rows.find((r) => r.model === "standard");
    const deribit = c.rows.find((r) => r.model === "deribit");
    // Standard charges both legs: 2 × 10 × (2 % + 10 × 0.005 %) = 0.41 BTC.
    expectRel(standard?.initialMarginUsd ?? NaN, 0.41 * BTC_INDEX);
    expect(deribit?.capitalEfficiency).toBeGreaterThan(1);
    expectRel(deribit?.capitalEfficiency ?? NaN, (standard?.initialMarginUsd ?? NaN) / (deribit?.initialMarginUsd ?? NaN));
    expect(c.lowestInitialMargin).toBe("deribit");
    expect(standard?.capitalEfficiency).toBe(1);
  });

  it("compares all three models on a USDC portfolio, with MM in USD too", () => {
    const p = portfolioOf(
      { positions: [{ instrument: "BTC_USDC-30JAN26-100000-C", size: -2 }, { instrument: "BTC_USDC-PERPETUAL", size: 1 }], collateral: { USDC: 50000 } },
      market,
    );
    const c = compareModels(p, market, models);
    expect(c.failures).toEqual([]);
    expect(c.rows.map((r) => r.label)).toEqual(["standard", "deribit", "derive-pmrm2"]);
    for (const r of c.rows) {
      expect(Number.isFinite(r.initialMarginUsd) && Number.isFinite(r.maintenanceMarginUsd)).toBe(true);
      expect(r.maintenanceMarginUsd).toBeLessThanOrEqual(r.initialMarginUsd);
      expect(r.capitalEfficiency).not.toBeNull();
    }
  });
});

// Stub models with fixed totals: the comparison's own rules, independent of any margin formula.
function stub(id: string, imUsd: number, name = `${id}-set`): MarginModel {
  const parameterSet = { name, version: "1", effective: "2024-01-01" };
  return {
    id,
    parameterSet,
    compute: (): MarginResult => ({
      model: id,
      parameterSet,
      byCurrency: {},
      totalUsd: { initialMargin: imUsd, maintenanceMargin: imUsd / 2 },
      sizeConventions: [],
      notes: [],
    }),
  };
}
const empty: ResolvedPortfolio = { positions: [], collateral: {}, notes: [] };

describe("compareModels rules", () => {
  it("efficiency = standard IM ÷ model IM, saving = standard IM − model IM", () => {
    const c = compareModels(empty, stubMarket, [stub("deribit", 400), stub("standard", 1000), stub("other", 2000)]);
    expect(c.rows.map((r) => [r.label, r.capitalEfficiency, r.initialMarginSavingUsd])).toEqual([
      ["deribit", 2.5, 600],
      ["standard", 1, 0],
      ["other", 0.5, -1000],
    ]);
    expect(c.lowestInitialMargin).toBe("deribit");
  });

  it("labels repeated model ids by parameter set, and uses the first baseline", () => {
    const c = compareModels(empty, stubMarket, [stub("standard", 100, "a"), stub("standard", 50, "b")]);
    expect(c.rows.map((r) => [r.label, r.capitalEfficiency])).toEqual([
      ["standard/a", 1],
      ["standard/b", 2],
    ]);
    expect(c.baseline).toBe("standard/a");
  });

  it("leaves efficiency undefined (null, with a note) for a zero IM or a missing baseline", () => {
    const zero = compareModels(empty, stubMarket, [stub("standard", 100), stub("deribit", 0)]);
    expect(zero.rows[1]?.capitalEfficiency).toBeNull();
    expect(zero.notes).toEqual(["deribit: IM is 0, capital efficiency vs standard is not defined"]);
    const none = compareModels(empty, stubMarket, [stub("deribit", 10)]);
    expect(none.baseline).toBeNull();
    expect(none.rows[0]?.capitalEfficiency).toBeNull();
    expect(none.rows[0]?.initialMarginSavingUsd).toBeNull();
    expect(none.notes).toEqual(["no standard result: capital efficiency is not defined"]);
  });

  it("skips models that cannot margin the kind of book, lists other rejections as failures, and lets bugs propagate", () => {
    const rejecting: MarginModel = {
      ...stub("picky", 1),
      compute: () => {
        throw new NetriskError([issue("unsupported", "positions[0].instrument", "BTC-PERPETUAL: no")]);
      },
    };
    const c = compareModels(empty, stubMarket, [stub("standard", 5), rejecting]);
    expect(c.failures).toEqual([]);
    expect(c.skipped).toEqual([{ label: "picky", model: "picky", reason: "no (BTC-PERPETUAL)" }]);
    const failing: MarginModel = {
      ...stub("strict", 1),
      compute: () => {
        throw new NetriskError([issue("missing_vol", "positions[0].instrument", "no vol")]);
      },
    };
    expect(compareModels(empty, stubMarket, [failing]).failures).toEqual([{ label: "strict", model: "strict", issues: [issue("missing_vol", "positions[0].instrument", "no vol")] }]);
    const buggy: MarginModel = {
      ...stub("buggy", 1),
      compute: () => {
        throw new TypeError("bug");
      },
    };
    expect(() => compareModels(empty, stubMarket, [buggy])).toThrow(TypeError);
  });
});
