/**
 * Account rules, merge patches and margin tiers.
 * References: RFC 7386 Appendix A (the merge-patch test table, verbatim); OKX's 2021 worked example of incremental
 * MR7 tiers (../shared/reference/crypto-venues.md §1.3: raw 30,000 → 10,000 × 1 + 20,000 × 2 = 50,000).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { applyMergePatch } from "../../src/account/merge-patch.js";
import { DEFAULT_ACCOUNT_RULES, liquidationTargetOf, parseAccountRules } from "../../src/account/rules.js";
import { applyTiers } from "../../src/account/tiers.js";
import { unwrap } from "../../src/errors.js";

describe("applyMergePatch (RFC 7386)", () => {
  // RFC 7386 Appendix A, every row: [original, patch, result].
  const table: [unknown, unknown, unknown][] = [
    [{ a: "b" }, { a: "c" }, { a: "c" }],
    [{ a: "b" }, { b: "c" }, { a: "b", b: "c" }],
    [{ a: "b" }, { a: null }, {}],
    [{ a: "b", b: "c" }, { a: null }, { b: "c" }],
    [{ a: ["b"] }, { a: "c" }, { a: "c" }],
    [{ a: "c" }, { a: ["b"] }, { a: ["b"] }],
    [{ a: { b: "c" } }, { a: { b: "d", c: null } }, { a: { b: "d" } }],
    [{ a: [{ b: "c" }] }, { a: [1] }, { a: [1] }],
    [["a", "b"], ["c", "d"], ["c", "d"]],
    [{ a: "b" }, ["c"], ["c"]],
    [{ a: "foo" }, null, null],
    [{ a: "foo" }, "bar", "bar"],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: "b", c: null }, { a: "b" }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  it.each(table)("RFC 7386 example %#", (original, patch, result) => {
    const before = JSON.stringify(original);
    expect(applyMergePatch(original, patch)).toEqual(result);
    expect(JSON.stringify(original)).toBe(before); // never mutates its input
  });
});

describe("account rules", () => {
  it("the defaults validate and carry their sourced values", () => {
    const r = unwrap(parseAccountRules(DEFAULT_ACCOUNT_RULES));
    // Binance uniMMR 150 % / 120 % as MM / equity; OKX MR8 borrow rates; Derive peg 0.98 × 2.
    expect(r.health.warningRatio).toBeCloseTo(1 / 1.5, 15);
    expect(r.health.marginCallRatio).toBeCloseTo(1 / 1.2, 15);
    expect(r.collateral.default.borrowMmDecimal).toBe(0.02);
    expect(r.pegs.USDC).toEqual({ thresholdUsd: 0.98, lossFactor: 2 });
    expect(liquidationTargetOf(r)).toBe(r.health.warningRatio);
    expect(liquidationTargetOf(r, 0.9)).toBe(0.9);
  });

  it("reports bad overrides with the path of the field", () => {
    const bad = applyMergePatch(DEFAULT_ACCOUNT_RULES, {
      health: { warningRatio: 0.95 },
      collateral: { byCurrency: { BTC: { mmHaircutDecimal: 0.5 } } },
      marginTiers: [{ aboveUsd: 100, multiplier: 2 }],
      liquidation: { stepFraction: 0, colour: "red" },
    });
    const r = parseAccountRules(bad, "overrides.account");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const paths = r.issues.map((i) => `${i.path}:${i.code}`);
    expect(paths).toContain("overrides.account.health.warningRatio:invalid_value");
    expect(paths).toContain("overrides.account.collateral.byCurrency.BTC.mmHaircutDecimal:invalid_value");
    expect(paths).toContain("overrides.account.marginTiers:invalid_value");
    expect(paths).toContain("overrides.account.liquidation.stepFraction:out_of_range");
    expect(paths).toContain("overrides.account.liquidation.colour:invalid_value");
  });
});

describe("margin tiers", () => {
  const OKX_TIERS = [
    { aboveUsd: 0, multiplier: 1 },
    { aboveUsd: 10000, multiplier: 2 },
    { aboveUsd: 70000, multiplier: 4 },
    { aboveUsd: 170000, multiplier: 6 },
    { aboveUsd: 300000, multiplier: 8 },
    { aboveUsd: 470000, multiplier: 10 },
    { aboveUsd: 700000, multiplier: 12 },
  ];

  it("reproduces OKX's worked example: raw 30,000 → 50,000 (exact)", () => {
    const t = applyTiers(30000, OKX_TIERS);
    expect(t.tieredUsd).toBe(50000);
    expect(t.tier).toBe(1);
    expect(t.marginalMultiplier).toBe(2);
  });

  it("without tiers, or below the first boundary with multiplier 1, the amount is unchanged", () => {
    expect(applyTiers(1234.5, []).tieredUsd).toBe(1234.5);
    expect(applyTiers(9999, OKX_TIERS).tieredUsd).toBe(9999);
  });

  it("is continuous and increasing, so IM ≥ MM survives the tiers (property)", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 2e6, noNaN: true }), fc.double({ min: 0, max: 2e6, noNaN: true }), (a, b) => {
        const lo = Math.min(a, b);
        const hi = Math.max(a, b);
        const tl = applyTiers(lo, OKX_TIERS).tieredUsd;
        const th = applyTiers(hi, OKX_TIERS).tieredUsd;
        expect(th).toBeGreaterThanOrEqual(tl);
        // Continuity: the slope never exceeds the largest multiplier (12). Slack: the rounding of two sums of up to
        // ~2.4e7 USD (a few ulps of th), not an absolute 1e-9, which fails on rounding alone at that magnitude.
        expect(th - tl).toBeLessThanOrEqual(12 * (hi - lo) * (1 + 1e-12) + 8 * Number.EPSILON * Math.max(1, th));
      }),
      { numRuns: 200 },
    );
  });
});
