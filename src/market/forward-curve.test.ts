import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { buildForwardCurve, forwardQuotesFromSnapshot, median } from "./forward-curve.js";
import type { ForwardQuote } from "./forward-curve.js";
import { MS_PER_YEAR } from "./types.js";

const T0 = Date.UTC(2024, 0, 1, 8);
const at = (years: number): number => T0 + years * MS_PER_YEAR;

describe("buildForwardCurve: worked example", () => {
  // Index 100; a future at 1 y marked 110 and an option-only expiry at 2 y with underlyings 118, 121, 124 (median 121).
  // By hand: r1 = ln 1.1 on (0, 1], r2 = ln(121/110) = ln 1.1 on (1, 2]; F(0.5) = 100·1.1^0.5 = 104.8808848...,
  // F(1.5) = 110·1.1^0.5 = 115.3689733..., F(3) = 121·1.1 = 133.1 (last carry rate continued).
  const quotes: ForwardQuote[] = [
    { expiryMs: at(1), forwardUsd: 110, source: "future" },
    { expiryMs: at(2), forwardUsd: 124, source: "option-underlying" },
    { expiryMs: at(2), forwardUsd: 118, source: "option-underlying" },
    { expiryMs: at(2), forwardUsd: 121, source: "option-underlying" },
    // Option underlyings at a future's expiry are ignored in favour of the future.
    { expiryMs: at(1), forwardUsd: 999, source: "option-underlying" },
    // Expired and non-positive quotes are dropped.
    { expiryMs: T0, forwardUsd: 50, source: "future" },
    { expiryMs: at(0.1), forwardUsd: -1, source: "future" },
  ];
  const curve = buildForwardCurve("BTC", 100, T0, quotes);

  it("builds one node per expiry with its source", () => {
    expect(curve.nodes.map((n) => [n.timeYears, n.forwardUsd, n.source, n.quoteCount])).toEqual([
      [1, 110, "future", 1],
      [2, 121, "option-underlying", 3],
    ]);
    // Carry rates: ln 1.1 = 0.0953101798043248600... (true value); 1.1 itself is inexact in binary, so 1e-14 absolute.
    for (const n of curve.nodes) expect(Math.abs(n.carryRateDecimal - 0.09531017980432487)).toBeLessThan(1e-14);
  });

  it("interpolates log-linearly and extrapolates the last carry rate (tolerance 1e-12 relative: a few ulps of exp/log)", () => {
    const cases: Array<[number, number]> = [
      [0.5, 104.88088481701516],
      [1, 110],
      [1.5, 115.36897329871668],
      [2, 121],
      [3, 133.1],
    ];
    for (const [t, want] of cases) expect(Math.abs(curve.forwardUsd(at(t)) / want - 1)).toBeLessThan(1e-12);
  });

  it("returns the index at and before the as-of time", () => {
    expect(curve.forwardUsd(T0)).toBe(100);
    expect(curve.forwardUsd(T0 - 1000)).toBe(100);
  });

  it("falls back to the index everywhere without nodes", () => {
    const flat = buildForwardCurve("ETH", 3000, T0, []);
    expect(flat.nodes).toEqual([]);
    expect(flat.forwardUsd(at(2))).toBe(3000);
  });

  it("uses the median of two futures at one expiry (inverse and linear)", () => {
    const c = buildForwardCurve("BTC", 100, T0, [
      { expiryMs: at(1), forwardUsd: 110, source: "future" },
      { expiryMs: at(1), forwardUsd: 112, source: "future" },
    ]);
    expect(c.nodes[0]?.forwardUsd).toBe(111);
  });
});

describe("buildForwardCurve: properties (fast-check)", () => {
  const nodeSet = fc.uniqueArray(fc.integer({ min: 1, max: 2000 }), { minLength: 1, maxLength: 12 }).chain((days) =>
    fc.tuple(fc.constant(days), fc.array(fc.double({ min: 0.5, max: 2, noNaN: true }), { minLength: days.length, maxLength: days.length })),
  );

  it("reproduces every node exactly (to 1e-12 relative) and stays between neighbouring nodes", () => {
    fc.assert(
      fc.property(nodeSet, fc.double({ min: 1, max: 1e6, noNaN: true }), ([days, ratios], index) => {
        const quotes = days.map((d, i) => ({ expiryMs: T0 + d * 86_400_000, forwardUsd: index * (ratios[i] ?? 1), source: "future" as const }));
        const curve = buildForwardCurve("X", index, T0, quotes);
        const points = [{ t: 0, f: index }, ...curve.nodes.map((n) => ({ t: n.timeYears, f: n.forwardUsd }))];
        for (const n of curve.nodes) expect(Math.abs(curve.forwardUsd(n.expiryMs) / n.forwardUsd - 1)).toBeLessThan(1e-12);
        for (let i = 1; i < points.length; i++) {
          const a = points[i - 1];
          const b = points[i];
          if (!a || !b) continue;
          const f = curve.forwardUsd(T0 + ((a.t + b.t) / 2) * MS_PER_YEAR);
          expect(f).toBeGreaterThanOrEqual(Math.min(a.f, b.f) * (1 - 1e-12));
          expect(f).toBeLessThanOrEqual(Math.max(a.f, b.f) * (1 + 1e-12));
          // Geometric mean at the midpoint: log-linear in time.
          expect(Math.abs(f / Math.sqrt(a.f * b.f) - 1)).toBeLessThan(1e-12);
        }
      }),
    );
  });

  it("is exact for a flat carry rate: F(T) = S·exp(r·T) at any T, inside or beyond the nodes", () => {
    fc.assert(
      fc.property(nodeSet, fc.double({ min: -0.5, max: 0.5, noNaN: true }), fc.integer({ min: 1, max: 4000 }), ([days], r, queryDay) => {
        const S = 50_000;
        const quotes = days.map((d) => ({ expiryMs: T0 + d * 86_400_000, forwardUsd: S * Math.exp((r * d * 86_400_000) / MS_PER_YEAR), source: "future" as const }));
        const curve = buildForwardCurve("X", S, T0, quotes);
        const t = (queryDay * 86_400_000) / MS_PER_YEAR;
        expect(Math.abs(curve.forwardUsd(T0 + queryDay * 86_400_000) / (S * Math.exp(r * t)) - 1)).toBeLessThan(1e-9);
      }),
    );
  });
});

describe("forwardQuotesFromSnapshot", () => {
  it("takes dated futures and option underlyings of one base, never perpetuals", () => {
    const quotes = forwardQuotesFromSnapshot(
      {
        timestampMs: T0,
        indexUsd: { BTC: 100, ETH: 10 },
        instruments: {
          "BTC-PERPETUAL": { markPrice: 101 },
          "BTC_USDC-PERPETUAL": { markPrice: 101 },
          "BTC-28JUN24": { markPrice: 105 },
          "BTC_USDC-28JUN24": { markPrice: 105.5 },
          "BTC-27SEP24-100-C": { markIv: 0.5, underlyingPrice: 108 },
          "BTC-27SEP24-100-P": { markIv: 0.5 },
          "ETH-28JUN24": { markPrice: 11 },
        },
      },
      "BTC",
    );
    expect(quotes).toEqual([
      { expiryMs: Date.UTC(2024, 5, 28, 8), forwardUsd: 105, source: "future" },
      { expiryMs: Date.UTC(2024, 5, 28, 8), forwardUsd: 105.5, source: "future" },
      { expiryMs: Date.UTC(2024, 8, 27, 8), forwardUsd: 108, source: "option-underlying" },
    ]);
  });

  it("median", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
  });
});
