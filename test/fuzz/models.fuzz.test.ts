/**
 * Fuzz targets per margin model (every model of the registry, through the account layer) and the liquidation-plan
 * property (issue 9 §1) over seeded random liquidatable accounts. Small and seeded here; `npm run fuzz -- --runs N`
 * runs N × weight accounts per model and N / 10 (at least 10,000 for N ≥ 100,000) liquidation accounts.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateAccount } from "../../src/account/account.js";
import { planLiquidation } from "../../src/account/liquidation.js";
import { loadAccount } from "../../src/io/account.js";
import { accountCaseArb, buildCase, LIQUIDATION_MODELS, liquidationMarket, modelOf, planViolations, universeOf } from "../account/random-accounts.js";
import { anyDouble, classify, emptyCounts, failuresOf, fuzz, record, report, runsFor, short, type FuzzCounts } from "./harness.js";

const expectClean = (c: FuzzCounts): void => {
  expect(failuresOf(c), `${c.target}: ${JSON.stringify({ ...c, examples: undefined })}\n${c.examples.join("\n")}`).toBe(0);
  expect(c.inputs).toBeGreaterThan(0);
};

/** A size inside the bounds most of the time (so the models run), any double otherwise (so validation runs). */
const size = fc.oneof({ weight: 6, arbitrary: fc.double({ min: -50, max: 50, noNaN: true }) }, { weight: 2, arbitrary: fc.double({ min: -1e9, max: 1e9, noNaN: true }) }, { weight: 1, arbitrary: anyDouble() });

describe("fuzz: every margin model through the account layer", () => {
  const market = liquidationMarket(0.05);
  it.each(LIQUIDATION_MODELS.map((m) => [m]))("%s: random books and balances give finite figures or coded errors", (id) => {
    const model = modelOf(id);
    const universe = universeOf(id);
    const c = fuzz(
      `model-${id}`,
      fc.record({
        positions: fc.uniqueArray(fc.record({ instrument: fc.constantFrom(...universe), size }), { minLength: 1, maxLength: 5, selector: (p) => p.instrument }),
        collateral: fc.record({ BTC: size, USDC: fc.oneof(size, fc.double({ min: -1e12, max: 1e12, noNaN: true })) }, { requiredKeys: [] }),
      }),
      (doc) => {
        const a = loadAccount(doc, market, { model });
        if (!a.ok) return a;
        return evaluateAccount(a.value.account);
      },
      { numRuns: runsFor(25, 0.1), seed: 950 },
    );
    expectClean(c);
  });
});

describe("fuzz: liquidation plans over random liquidatable accounts (every model)", () => {
  it("never bankrupt, restored whenever a close-out restores, fees capped; no crash or non-finite figure", () => {
    // The suite's property (test/account/liquidation-properties.test.ts) covers every model at 45 accounts each; here
    // only a handful unless in a long run.
    const counts = emptyCounts("liquidation-plans");
    let liquidatable = 0;
    fc.check(
      fc.property(accountCaseArb(), (c) => {
        const a = buildCase(c);
        if (a === undefined) return true;
        liquidatable++;
        let plan: ReturnType<typeof planLiquidation> | undefined;
        const { outcome, detail } = classify(() => (plan = planLiquidation(a)));
        if (outcome !== "ok" || plan === undefined || !plan.ok) {
          record(counts, outcome, c, detail);
          return true;
        }
        const bad = planViolations(a, plan.value);
        if (bad.length > 0) {
          counts.inputs++;
          counts.violations++;
          if (counts.examples.length < 5) counts.examples.push(`violation: ${bad.join("; ")} <- ${short(c)}`);
        } else record(counts, "ok", c, "");
        return true;
      }),
      { numRuns: runsFor(6, 0.15), seed: 20261206 },
    );
    report({ ...counts, target: `liquidation-plans (${liquidatable} liquidatable accounts)` });
    expectClean(counts);
  });
});
