import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import {
  butterflyCheckGrid,
  checkButterfly,
  durrlemanG,
  rawSviFromSsvi,
  sviArgMin,
  sviDerivatives,
  sviMinTotalVariance,
  sviTotalVariance,
  sviWingSlopes,
} from "./svi.js";
import type { SviParams } from "./types.js";

interface DensityPoint {
  k: number;
  w: number;
  densityPerUsd: number;
}
interface Fixture {
  smiles: { name: string; raw?: SviParams; ssvi?: { theta: number; phi: number; rho: number }; points: DensityPoint[] }[];
}
const fixture = JSON.parse(
  readFileSync(new URL("../../../test/fixtures/vol-surface/durrleman/durrleman.json", import.meta.url), "utf8"),
) as Fixture;

/** Density of the underlying at K = e^k (F = 1) from g: q(K) = g(k)·φ(d₋)/(K·√w), d₋ = −k/√w − √w/2. */
function densityFromG(p: SviParams, k: number): number {
  const w = sviTotalVariance(p, k);
  const sw = Math.sqrt(w);
  const dm = -k / sw - sw / 2;
  return (durrlemanG(p, k) * Math.exp(-0.5 * dm * dm)) / (Math.sqrt(2 * Math.PI) * Math.exp(k) * sw);
}

const vogt = fixture.smiles.find((s) => s.name === "vogt");
const vogtParams = vogt?.raw as SviParams;

describe("Durrleman's g against densities computed from call prices (mpmath fixture)", () => {
  it("the fixture holds Gatheral–Jacquier's Vogt example and five SSVI slices", () => {
    expect(vogtParams).toEqual({ a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 });
    expect(fixture.smiles.filter((s) => s.ssvi)).toHaveLength(5);
  });

  it("g reproduces the price-based density of every smile (tolerance 1e-9 of the smile's peak density + 1e-7 relative)", () => {
    // The fixture differentiates Black prices twice at 50 digits; our g is closed-form in double precision, so
    // agreement is limited by double rounding of w, w', w'' (~1e-13 relative): 1e-7 relative is generous.
    for (const s of fixture.smiles) {
      const p = s.raw ?? rawSviFromSsvi(s.ssvi!.theta, s.ssvi!.phi, s.ssvi!.rho);
      const peak = Math.max(...s.points.map((q) => Math.abs(q.densityPerUsd)));
      for (const q of s.points) {
        expect(Math.abs(sviTotalVariance(p, q.k) - q.w)).toBeLessThanOrEqual(1e-12 * Math.max(1, q.w));
        const ours = densityFromG(p, q.k);
        expect(Math.abs(ours - q.densityPerUsd)).toBeLessThanOrEqual(1e-9 * peak + 1e-7 * Math.abs(q.densityPerUsd));
      }
    }
  });

  it("detects the butterfly arbitrage of the Vogt example exactly where the price-based density is negative", () => {
    const check = checkButterfly(vogtParams, butterflyCheckGrid(-2, 2, 0.3, 801));
    expect(check.arbitrageFree).toBe(false);
    expect(check.minG).toBeLessThan(0);
    // Sign agreement on the fixture grid (the fixture's density is negative on k ∈ [0.65, 1.25]).
    const negative = vogt!.points.filter((q) => q.densityPerUsd < 0).map((q) => q.k);
    expect(negative[0]).toBeCloseTo(0.65, 10);
    expect(negative[negative.length - 1]).toBeCloseTo(1.25, 10);
    for (const q of vogt!.points) expect(durrlemanG(vogtParams, q.k) < 0).toBe(q.densityPerUsd < 0);
    expect(check.atLogMoneyness).toBeGreaterThan(0.65);
    expect(check.atLogMoneyness).toBeLessThan(1.25);
  });

  it("passes every SSVI power-law slice that satisfies Gatheral–Jacquier's Theorem 4.2 (g ≥ 0 on a dense grid)", () => {
    for (const s of fixture.smiles.filter((x) => x.ssvi)) {
      const p = rawSviFromSsvi(s.ssvi!.theta, s.ssvi!.phi, s.ssvi!.rho);
      const check = checkButterfly(p, butterflyCheckGrid(-3, 3, Math.sqrt(s.ssvi!.theta), 2001));
      expect(check.arbitrageFree).toBe(true);
      expect(check.minG).toBeGreaterThan(0);
    }
  });
});

describe("raw SVI closed forms", () => {
  const arbSvi = fc.record({
    a: fc.double({ min: -0.2, max: 0.5, noNaN: true }),
    b: fc.double({ min: 0.01, max: 1, noNaN: true }),
    rho: fc.double({ min: -0.95, max: 0.95, noNaN: true }),
    m: fc.double({ min: -0.5, max: 0.5, noNaN: true }),
    sigma: fc.double({ min: 0.05, max: 1, noNaN: true }),
  });

  it("w' and w'' equal central finite differences of w (step 1e-4; tolerance 1e-6 absolute + 1e-5 relative)", () => {
    fc.assert(
      fc.property(arbSvi, fc.double({ min: -3, max: 3, noNaN: true }), (p, k) => {
        const h = 1e-4;
        const d = sviDerivatives(p, k);
        const fd1 = (sviTotalVariance(p, k + h) - sviTotalVariance(p, k - h)) / (2 * h);
        const fd2 = (sviTotalVariance(p, k + h) - 2 * d.w + sviTotalVariance(p, k - h)) / (h * h);
        // FD truncation: w''' h²/6 with |w'''| ≤ 3b/σ² ≲ 1200 → 2e-6; rounding in fd2: 4e-16·|w|/h² ≲ 1e-7.
        expect(Math.abs(d.dw - fd1)).toBeLessThanOrEqual(1e-6 + 1e-5 * Math.abs(d.dw));
        expect(Math.abs(d.d2w - fd2)).toBeLessThanOrEqual(1e-5 + 1e-4 * Math.abs(d.d2w));
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it("the minimum total variance and its location match a brute-force scan", () => {
    fc.assert(
      fc.property(arbSvi, (p) => {
        const kStar = sviArgMin(p);
        let best = Number.POSITIVE_INFINITY;
        for (let k = kStar - 2; k <= kStar + 2; k += 1e-4) best = Math.min(best, sviTotalVariance(p, k));
        expect(sviMinTotalVariance(p)).toBeLessThanOrEqual(best + 1e-12);
        expect(Math.abs(sviMinTotalVariance(p) - sviTotalVariance(p, kStar))).toBeLessThanOrEqual(1e-12);
        expect(best - sviMinTotalVariance(p)).toBeLessThanOrEqual(1e-6);
      }),
      { numRuns: 100, seed: 12 },
    );
  });

  it("wing slopes are the asymptotic slopes of w (checked at |k| = 1e6)", () => {
    fc.assert(
      fc.property(arbSvi, (p) => {
        const s = sviWingSlopes(p);
        const big = 1e6;
        expect(Math.abs((sviTotalVariance(p, big) - sviTotalVariance(p, big / 2)) / (big / 2) - s.right)).toBeLessThan(1e-9);
        expect(Math.abs((sviTotalVariance(p, -big) - sviTotalVariance(p, -big / 2)) / (big / 2) - s.left)).toBeLessThan(1e-9);
      }),
      { numRuns: 100, seed: 13 },
    );
  });

  it("g → 1/4 − slope²/16 in the wings (Lee's bound: a slope ≥ 2 makes g negative far out)", () => {
    const p: SviParams = { a: 0.02, b: 0.3, rho: 0.4, m: 0, sigma: 0.2 };
    const right = sviWingSlopes(p).right;
    expect(durrlemanG(p, 1e7)).toBeCloseTo(0.25 - (right * right) / 16, 5);
    const steep: SviParams = { a: 0.02, b: 1.6, rho: 0.3, m: 0, sigma: 0.2 }; // right slope 2.08
    expect(durrlemanG(steep, 1e4)).toBeLessThan(0);
  });

  it("g is −Infinity where the total variance is not positive", () => {
    const p: SviParams = { a: -0.1, b: 0.1, rho: 0, m: 0, sigma: 0.1 };
    expect(sviMinTotalVariance(p)).toBeLessThan(0);
    expect(durrlemanG(p, 0)).toBe(Number.NEGATIVE_INFINITY);
    expect(checkButterfly(p, [0]).arbitrageFree).toBe(false);
  });
});
