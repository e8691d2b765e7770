import { describe, expect, it } from "vitest";
import { aggregateVector, extendedDampenerAmount, worstCaseLoss, worstIndex } from "./aggregation.js";
import type { AggregationRule } from "./aggregation.js";

describe("extendedDampenerAmount", () => {
  // deribit-pm.md §2.5, BTC example (index 65,666.19, dampener 100,000 USD): 5.665 BTC at −66 %, 39.71 BTC at +500 %,
  // printed to 4 significant digits: tolerance half a unit of the last digit.
  it("BTC example: 5.665 BTC at −66 %", () => {
    expect(Math.abs(extendedDampenerAmount(-0.66, 0.16, 100_000, true, 65_666.19) - 5.665)).toBeLessThanOrEqual(5e-4);
  });
  it("BTC example: 39.71 BTC at +500 %", () => {
    expect(Math.abs(extendedDampenerAmount(5, 0.16, 100_000, true, 65_666.19) - 39.71)).toBeLessThanOrEqual(5e-3);
  });
  it("is 0 inside the grid and in USD for a linear bucket", () => {
    expect(extendedDampenerAmount(-0.16, 0.16, 100_000, true, 65_666.19)).toBe(0);
    // (1/0.16 − 1) × 25,000 USD at +100 %.
    expect(extendedDampenerAmount(1, 0.16, 25_000, false, 65_666.19)).toBeCloseTo(5.25 * 25_000, 9);
  });
});

function rule(overrides: Partial<AggregationRule> = {}): AggregationRule {
  return {
    standardCount: 6,
    pnlOffsetDecimal: 0,
    maxOffsetablePnl: 0,
    extendedDampener: new Float64Array([1, 1]),
    volSlots: 3,
    ...overrides,
  };
}

describe("aggregateVector", () => {
  it("keeps losses, credits pnl_offset × gains capped at max_offsetable_pnl, dampens tails toward 0", () => {
    const pre = new Float64Array([-2, 3, 10, 0, -0.5, 1, -3, 0.5]);
    const out = new Float64Array(pre.length);
    aggregateVector(pre, rule({ pnlOffsetDecimal: 0.6, maxOffsetablePnl: 4 }), out);
    expect(Array.from(out)).toEqual([-2, 0.6 * 3, 4, 0, -0.5, 0.6, -2, 0]);
  });

  it("pnl_offset 0 turns gains into 0 (W1 shape)", () => {
    const pre = new Float64Array([-1, 2, 3, 4, 5, 6, 0, 0]);
    const out = new Float64Array(pre.length);
    aggregateVector(pre, rule(), out);
    expect(Array.from(out).slice(1, 6)).toEqual([0, 0, 0, 0, 0]);
    expect(Object.is(out[6], 0)).toBe(true);
  });
});

describe("worstIndex / worstCaseLoss", () => {
  it("a three-way tie resolves to the unchanged-vol slot (index ≡ 1 mod 3), as in Deribit's responses", () => {
    const agg = new Float64Array([-5, -5, -5, -1, -1, -1, 0, 0]);
    expect(worstIndex(agg, 6, 3)).toBe(1);
  });
  it("a strictly lower down/up slot wins; the extended table wins only when strictly lower", () => {
    expect(worstIndex(new Float64Array([-5, -5, -6, 0, 0, 0, -6, 0]), 6, 3)).toBe(2);
    expect(worstIndex(new Float64Array([-5, -5, -6, 0, 0, 0, -6.5, 0]), 6, 3)).toBe(6);
  });
  it("worst case is −min(…, 0) and +0 when nothing loses", () => {
    expect(worstCaseLoss(new Float64Array([-5, 2, -7.5]))).toBe(7.5);
    expect(Object.is(worstCaseLoss(new Float64Array([1, 0, 2])), 0)).toBe(true);
  });
});
