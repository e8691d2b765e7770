/**
 * Liquidation plans over seeded random liquidatable accounts under every margin model (test/account/random-accounts.ts;
 * `npm run fuzz` runs the same property over 10,000+ accounts):
 * - a plan never takes a solvent account to negative equity, at any step;
 * - whenever closing every position and converting every balance into USDC would restore the target, the plan does;
 * - every fee is within its cap (a share of the surplus over MM / target after the step, and the rate × notional);
 * - replaying the plan reproduces its figures, and a restored plan ends below the target.
 * Plus the two defects found by the fuzz run before the planner checked steps and closed out, as fixed examples.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { evaluateAccount } from "../../src/account/account.js";
import { planLiquidation } from "../../src/account/liquidation.js";
import { unwrap } from "../../src/errors.js";
import { describeWithSharedData, whenSharedData } from "../helpers/requires.js";
import { deribitChain20251230 } from "../helpers/deribit-chain.js";
import { accountCaseArb, buildCase, closedOut, LIQUIDATION_MODELS, planViolations, type AccountCase, type LiquidationModel } from "./random-accounts.js";

describe("liquidation plans on random liquidatable accounts, every model", () => {
  it.each(LIQUIDATION_MODELS.map((m) => [m]))("%s: never bankrupt, restored whenever a close-out restores, fees capped, replayable", (model) => {
    let checked = 0;
    fc.assert(
      fc.property(accountCaseArb([model]), (c) => {
        const a = buildCase(c);
        if (a === undefined) return;
        checked++;
        const plan = unwrap(planLiquidation(a));
        expect(planViolations(a, plan), JSON.stringify(c)).toEqual([]);
      }),
      { numRuns: 45, seed: 20261109 },
    );
    expect(checked).toBeGreaterThan(30);
  });
});

describe("fixed cases found by the fuzz run (each failed before the planner checked steps and closed out)", () => {
  const run = (c: AccountCase) => {
    const a = buildCase(c);
    if (a === undefined) throw new Error("case did not build");
    return { a, plan: unwrap(planLiquidation(a)) };
  };

  it("a long USDC call with a wide spread: the reduce-all step that paid more than the equity is not taken", () => {
    const { a, plan } = run({ model: "deribit", spreadDecimal: 0.3, positions: [{ instrument: "BTC_USDC-27MAR26-70000-C", size: 12 }], btc: 0, excess: 2.98 });
    expect(unwrap(evaluateAccount(a)).figures.equityUsd).toBeGreaterThan(0);
    for (const s of plan.steps) expect(s.after.equityUsd).toBeGreaterThanOrEqual(0);
    expect(planViolations(a, plan)).toEqual([]);
  });

  it("a borrowed BTC balance and coin-settled options: restored (the greedy steps alone stopped above the target)", () => {
    const { a, plan } = run({
      model: "deribit",
      spreadDecimal: 0.01,
      positions: [
        { instrument: "BTC-30JAN26-70000-C", size: 0.6132570871643552 },
        { instrument: "BTC-27MAR26-60000-P", size: -7.023365195039713 },
      ],
      btc: -3,
      excess: 1.6,
    });
    const end = unwrap(evaluateAccount(closedOut(a))).figures;
    expect(end.maintenanceMarginUsd).toBeLessThan(plan.targetRatio * end.equityUsd);
    expect(plan.status).toBe("restored");
    expect(planViolations(a, plan)).toEqual([]);
  });
});

describeWithSharedData("liquidation plans on Deribit's real chain of 2025-12-30 (quoted bid/ask spreads)", () => {
  const market = whenSharedData(deribitChain20251230);
  // Short-put books (the book of the reported bankruptcy under the Greeks model) with calls, futures and perpetuals.
  const universe = ["BTC-27MAR26-80000-P", "BTC-27MAR26-70000-P", "BTC-30JAN26-85000-P", "BTC-30JAN26-75000-P", "BTC-27MAR26-110000-C", "BTC-26JUN26-60000-P", "BTC-PERPETUAL", "BTC-27MAR26", "ETH-27MAR26-2500-P", "ETH-PERPETUAL"];
  const models: LiquidationModel[] = ["greeks", "deribit", "standard", "span"];
  it.each(models.map((m) => [m]))("%s: never bankrupt, restored whenever a close-out restores", (model) => {
    const arb = fc.record({
      model: fc.constant(model),
      spreadDecimal: fc.constant(0),
      positions: fc.uniqueArray(fc.record({ instrument: fc.constantFrom(...universe), size: fc.double({ min: -15, max: 3, noNaN: true }).filter((x) => Math.abs(x) >= 0.1) }), { minLength: 1, maxLength: 4, selector: (p) => p.instrument }),
      btc: fc.double({ min: -1, max: 2, noNaN: true }),
      excess: fc.double({ min: 1, max: 2.5, noNaN: true }),
    });
    let checked = 0;
    for (const c of fc.sample(arb, { numRuns: 12, seed: 30 })) {
      const a = buildCase(c, market);
      if (a === undefined) continue;
      checked++;
      expect(planViolations(a, unwrap(planLiquidation(a))), JSON.stringify(c)).toEqual([]);
    }
    expect(checked).toBeGreaterThan(5);
  });
});
