/**
 * Coverage tests and procyclicality against the independent scipy/numpy computation of
 * test/fixtures/backtest/generate.py (likelihoods summed with scipy.stats.bernoulli.logpmf over the sequence,
 * p-values from scipy.stats.chi2.sf), plus properties.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { largestIncrease, peakToTrough, procyclicality } from "../../src/backtest/procyclicality.js";
import { chiSquare1Sf, chiSquare2Sf, christoffersenIndependence, conditionalCoverage, kupiecPof } from "../../src/backtest/stats.js";

interface Sequence {
  name: string;
  breaches: number[];
  expectedRate: number;
  kupiec: { lr: number; pValue: number; breaches: number; observations: number };
  christoffersen: { lr: number; pValue: number; n00: number; n01: number; n10: number; n11: number };
  conditionalCoverage: { lr: number; pValue: number };
}
interface ProcyclicalityCase {
  name: string;
  dates: string[];
  marginUsd: number[];
  largest1Day: { fromDate: string; toDate: string; fromUsd: number; toUsd: number; increaseRelative: number };
  largest5Day: { fromDate: string; toDate: string; fromUsd: number; toUsd: number; increaseRelative: number };
  peakToTrough: { peakDate: string; peakUsd: number; troughDate: string; troughUsd: number; ratio: number | null };
}
const fixture = JSON.parse(readFileSync(new URL("../fixtures/backtest/backtest.json", import.meta.url), "utf8")) as { sequences: Sequence[]; procyclicality: ProcyclicalityCase[] };

/**
 * Tolerances. LR: both sides sum the same logarithms in a different order (scipy per observation, ours per count), so
 * they agree to rounding of sums of up to 2,500 terms of size ≤ 10: 1e-9 absolute + 1e-10 relative. p-values: the
 * chi-square tail is computed by scipy (cephes) and by us from erfc (a few ulp), and its relative sensitivity to the
 * LR is LR/2 (≤ 200 here), so 1e-8 relative is ample (tiny p-values to 1e-81 are still compared relatively).
 */
const closeLr = (actual: number, expected: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-9 + 1e-10 * Math.abs(expected));
};
const closeP = (actual: number, expected: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-8 * expected + 1e-300);
};

describe("Kupiec, Christoffersen and conditional coverage vs scipy", () => {
  for (const s of fixture.sequences) {
    it(s.name, () => {
      const seq = s.breaches.map((b) => b === 1);
      const k = kupiecPof(seq, s.expectedRate);
      expect(k.breaches).toBe(s.kupiec.breaches);
      expect(k.observations).toBe(s.kupiec.observations);
      closeLr(k.lr, s.kupiec.lr);
      closeP(k.pValue, s.kupiec.pValue);
      const c = christoffersenIndependence(seq);
      expect([c.n00, c.n01, c.n10, c.n11]).toEqual([s.christoffersen.n00, s.christoffersen.n01, s.christoffersen.n10, s.christoffersen.n11]);
      closeLr(c.lr, s.christoffersen.lr);
      closeP(c.pValue, s.christoffersen.pValue);
      const cc = conditionalCoverage(k, c);
      closeLr(cc.lr, s.conditionalCoverage.lr);
      closeP(cc.pValue, s.conditionalCoverage.pValue);
    });
  }

  it("an empty sequence is no evidence: LR 0, p-value 1", () => {
    expect(kupiecPof([], 0.01)).toMatchObject({ lr: 0, pValue: 1, observations: 0, breaches: 0 });
    expect(christoffersenIndependence([])).toMatchObject({ lr: 0, pValue: 1 });
  });

  it("chi-square tails at textbook critical values (1 dof: 3.841 → 5 %, 6.635 → 1 %; 2 dof: 5.991 → 5 %)", () => {
    // Critical values from any chi-square table (e.g. NIST/SEMATECH e-Handbook 1.3.6.7.4), to their 3 decimals.
    expect(chiSquare1Sf(3.841)).toBeCloseTo(0.05, 4);
    expect(chiSquare1Sf(6.635)).toBeCloseTo(0.01, 4);
    expect(chiSquare2Sf(5.991)).toBeCloseTo(0.05, 4);
    expect(chiSquare1Sf(0)).toBe(1);
  });
});

describe("coverage-test properties", () => {
  const seqArb = fc.array(fc.boolean(), { minLength: 0, maxLength: 300 });
  it("LR ≥ 0 and p-values in [0, 1] for any sequence and rate", () => {
    fc.assert(
      fc.property(seqArb, fc.double({ min: 0.001, max: 0.5, noNaN: true }), (seq, p) => {
        const k = kupiecPof(seq, p);
        const c = christoffersenIndependence(seq);
        const cc = conditionalCoverage(k, c);
        for (const t of [k, c, cc]) {
          expect(t.lr).toBeGreaterThanOrEqual(0);
          expect(Number.isFinite(t.lr)).toBe(true);
          expect(t.pValue).toBeGreaterThanOrEqual(0);
          expect(t.pValue).toBeLessThanOrEqual(1);
        }
        expect(c.n00 + c.n01 + c.n10 + c.n11).toBe(Math.max(0, seq.length - 1));
      }),
    );
  });

  it("Kupiec depends only on the number of breaches, not on their order", () => {
    fc.assert(
      fc.property(seqArb, (seq) => {
        const sorted = [...seq].sort((a, b) => Number(b) - Number(a));
        expect(kupiecPof(sorted, 0.02).lr).toBeCloseTo(kupiecPof(seq, 0.02).lr, 9);
      }),
    );
  });
});

describe("procyclicality vs numpy", () => {
  for (const c of fixture.procyclicality) {
    it(c.name, () => {
      const p = procyclicality(c.dates, c.marginUsd);
      for (const [mine, ref] of [
        [p.largest1Day, c.largest1Day],
        [p.largest5Day, c.largest5Day],
      ] as const) {
        expect(mine).not.toBeNull();
        expect({ fromDate: mine?.fromDate, toDate: mine?.toDate, fromUsd: mine?.fromUsd, toUsd: mine?.toUsd }).toEqual({ fromDate: ref.fromDate, toDate: ref.toDate, fromUsd: ref.fromUsd, toUsd: ref.toUsd });
        // One division each side: 1e-14 relative.
        expect(mine?.increaseRelative).toBeCloseTo(ref.increaseRelative, 13);
      }
      const ptt = p.peakToTrough;
      expect({ peakDate: ptt?.peakDate, peakUsd: ptt?.peakUsd, troughDate: ptt?.troughDate, troughUsd: ptt?.troughUsd }).toEqual({ peakDate: c.peakToTrough.peakDate, peakUsd: c.peakToTrough.peakUsd, troughDate: c.peakToTrough.troughDate, troughUsd: c.peakToTrough.troughUsd });
      if (c.peakToTrough.ratio === null) expect(ptt?.ratio).toBeNull();
      else expect(ptt?.ratio).toBeCloseTo(c.peakToTrough.ratio, 12);
    });
  }

  it("short series: no 1-day increase with one day, no 5-day increase with five, no peak on an empty series", () => {
    expect(largestIncrease(["2020-01-01"], [5], 1)).toBeNull();
    expect(largestIncrease(["a", "b", "c", "d", "e"], [1, 2, 3, 4, 5], 5)).toBeNull();
    expect(peakToTrough([], [])).toBeNull();
  });
});
