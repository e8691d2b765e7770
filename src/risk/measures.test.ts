import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fillNormals, Xoshiro256StarStar } from "../math/rng.js";
import { normInv, normPdf } from "../math/normal.js";
import { componentEs, lossHistogram, tailCountFor, tailMeasures, worstIndices } from "./measures.js";
import type { TailMeasures } from "./measures.js";

function measures(losses: readonly number[], confidence: number, weights?: readonly number[]): TailMeasures {
  const r = tailMeasures(Float64Array.from(losses), confidence, weights ? { weights: Float64Array.from(weights) } : {});
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

describe("VaR / ES convention: k = ⌈N(1 − α)⌉, VaR = k-th largest loss, ES = mean of the k largest", () => {
  // Hand-computed: sorted descending 10, 9, 8, 7, 6, 5, 4, 3, 2, 1.
  const L = [5, 1, 9, 3, 7, 2, 8, 4, 6, 10];

  it("N = 10, α = 0.8: k = 2, VaR = 9, ES = 9.5; α = 0.75: k = ⌈2.5⌉ = 3, VaR = 8, ES = 9", () => {
    const a = measures(L, 0.8);
    expect([a.tailCount, a.varUsd, a.esUsd]).toEqual([2, 9, 9.5]);
    expect(Array.from(a.tailIndices)).toEqual([9, 2]);
    const b = measures(L, 0.75);
    expect([b.tailCount, b.varUsd, b.esUsd]).toEqual([3, 8, 9]);
  });

  it("is an error (out_of_range) when N(1 − α) < 1, and says how many scenarios are needed", () => {
    const r = tailMeasures(Float64Array.from(L), 0.95);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues[0]?.code).toBe("out_of_range");
      expect(r.issues[0]?.message).toMatch(/too few scenarios.*N = 10.*need at least 20/);
    }
    expect(tailCountFor(99, 0.99).ok).toBe(false);
    expect(tailCountFor(100, 0.99)).toEqual({ ok: true, value: 1 });
    expect(tailCountFor(10, 1).ok).toBe(false);
    expect(tailCountFor(10, 0).ok).toBe(false);
  });

  it("reads N(1 − α) with a 1e-9 tolerance: 1000 × (1 − 0.99) = 10.000000000000009 gives k = 10, not 11", () => {
    expect(1000 * (1 - 0.99)).toBeGreaterThan(10);
    expect(tailCountFor(1000, 0.99)).toEqual({ ok: true, value: 10 });
    expect(tailCountFor(3653, 0.99)).toEqual({ ok: true, value: 37 });
    expect(tailCountFor(100000, 0.975)).toEqual({ ok: true, value: 2500 });
  });

  it("breaks ties by scenario index, so the tail has exactly k scenarios", () => {
    const m = measures([3, 7, 7, 7, 1, 7], 0.5);
    expect(Array.from(m.tailIndices)).toEqual([1, 2, 3]);
    expect([m.varUsd, m.esUsd]).toEqual([7, 7]);
  });

  it("rejects non-finite losses and bad weights", () => {
    expect(tailMeasures(Float64Array.of(1, NaN), 0.5).ok).toBe(false);
    expect(tailMeasures(Float64Array.of(1, 2), 0.5, { weights: Float64Array.of(0.5) }).ok).toBe(false);
    expect(tailMeasures(Float64Array.of(1, 2), 0.5, { weights: Float64Array.of(0.5, 0.6) }).ok).toBe(false);
  });

  it("weighted: equal weights 1/N give exactly the unweighted figures (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -1e6, max: 1e6, noNaN: true }), { minLength: 40, maxLength: 300 }), fc.constantFrom(0.9, 0.95, 0.975), (xs, a) => {
        const w = xs.map(() => 1 / xs.length);
        const u = measures(xs, a);
        const v = measures(xs, a, w);
        expect(v.tailCount).toBe(u.tailCount);
        expect(v.varUsd).toBe(u.varUsd);
        expect(Math.abs(v.esUsd - u.esUsd)).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(u.esUsd)));
      }),
      { numRuns: 50, seed: 9 },
    );
  });

  it("weighted: hand example, the tail is the shortest prefix reaching 1 − α", () => {
    // Losses 10, 8, 6, 4 with weights 0.05, 0.1, 0.35, 0.5; α = 0.8 → need 0.2: 0.05 + 0.1 = 0.15 < 0.2, + 0.35 ≥ 0.2.
    const m = measures([4, 6, 8, 10], 0.8, [0.5, 0.35, 0.1, 0.05]);
    expect(m.tailCount).toBe(3);
    expect(m.varUsd).toBe(6);
    expect(m.esUsd).toBeCloseTo((0.05 * 10 + 0.1 * 8 + 0.35 * 6) / 0.5, 12);
    const r = tailMeasures(Float64Array.of(4, 10), 0.9, { weights: Float64Array.of(0.8, 0.2) });
    expect(r.ok ? null : r.issues[0]?.code).toBe("out_of_range");
  });

  it("empirical ES is subadditive: ES(a + b) ≤ ES(a) + ES(b) (property)", () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -1e4, max: 1e4, noNaN: true }), fc.double({ min: -1e4, max: 1e4, noNaN: true })), { minLength: 100, maxLength: 400 }), (pairs) => {
        const a = pairs.map((p) => p[0]);
        const b = pairs.map((p) => p[1]);
        const ab = pairs.map((p) => p[0] + p[1]);
        expect(measures(ab, 0.97).esUsd).toBeLessThanOrEqual(measures(a, 0.97).esUsd + measures(b, 0.97).esUsd + 1e-9);
      }),
      { numRuns: 40, seed: 3 },
    );
  });
});

describe("component ES, worst scenarios, histogram", () => {
  it("component ES sums to ES (random legs, property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 1_000_000 }), (legs, seed) => {
        const rng = Xoshiro256StarStar.fromSeed(seed);
        const N = 500;
        const legLoss = new Float64Array(legs * N);
        fillNormals(rng, legLoss);
        const total = new Float64Array(N);
        for (let l = 0; l < legs; l++) for (let s = 0; s < N; s++) total[s] = (total[s] as number) + (legLoss[l * N + s] as number) * (l + 1);
        const m = measures(Array.from(total), 0.975);
        const onTail = new Float64Array(legs * m.tailCount);
        for (let l = 0; l < legs; l++) m.tailIndices.forEach((s, j) => (onTail[l * m.tailCount + j] = (legLoss[l * N + s] as number) * (l + 1)));
        const c = componentEs(onTail, m.tailWeights);
        const sum = c.reduce((x, y) => x + y, 0);
        expect(Math.abs(sum - m.esUsd)).toBeLessThanOrEqual(1e-12 * (1 + Math.abs(m.esUsd)) * legs);
      }),
      { numRuns: 20, seed: 11 },
    );
  });

  it("worst scenarios come largest first; the histogram covers the sample with probabilities summing to 1", () => {
    const L = Float64Array.of(5, 1, 9, 3, 7, 2, 8, 4, 6, 10);
    expect(Array.from(worstIndices(L, 3))).toEqual([9, 2, 6]);
    expect(Array.from(worstIndices(L, 50))).toHaveLength(10);
    const h = lossHistogram(L, 3);
    // Bins of width 3 from 1 to 10: [1, 4) holds 1, 2, 3; [4, 7) holds 4, 5, 6; [7, 10] holds 7, 8, 9, 10.
    expect(h.map((b) => b.count)).toEqual([3, 3, 4]);
    expect(h[0]?.lowerUsd).toBe(1);
    expect(h[2]?.upperUsd).toBe(10);
    expect(h.reduce((s, b) => s + b.probability, 0)).toBeCloseTo(1, 12);
    expect(lossHistogram(Float64Array.of(2, 2, 2), 10)).toEqual([{ lowerUsd: 2, upperUsd: 2, count: 3, probability: 1 }]);
    expect(lossHistogram(new Float64Array(0), 10)).toEqual([]);
  });
});

describe("closed form: normal losses", () => {
  // For L ~ N(0, σ²): VaR_α = σ·z_α, ES_α = σ·φ(z_α)/(1 − α). Draws from H8's seeded xoshiro256** (inverse-CDF normals).
  it("matches VaR = σ·z and ES = σ·φ(z)/(1 − α) within 3 of their standard errors (N = 100,000, α = 0.99 and 0.975)", () => {
    const sigma = 1234.5;
    const N = 100_000;
    const z = new Float64Array(N);
    fillNormals(Xoshiro256StarStar.fromSeed(20260101), z);
    const losses = z.map((x) => sigma * x);
    for (const alpha of [0.99, 0.975]) {
      const m = measures(Array.from(losses), alpha);
      const q = normInv(alpha);
      const varTrue = sigma * q;
      const esTrue = (sigma * normPdf(q)) / (1 - alpha);
      // VaR's asymptotic standard error √(α(1 − α)/N)/f(VaR), f the normal density of L at VaR.
      const varSe = Math.sqrt((alpha * (1 - alpha)) / N) / (normPdf(q) / sigma);
      expect(Math.abs(m.varUsd - varTrue), `VaR at ${alpha}`).toBeLessThanOrEqual(3 * varSe);
      expect(m.esStandardErrorUsd).toBeDefined();
      expect(Math.abs(m.esUsd - esTrue), `ES at ${alpha}: ${m.esUsd} vs ${esTrue} ± ${m.esStandardErrorUsd}`).toBeLessThanOrEqual(3 * (m.esStandardErrorUsd ?? 0));
    }
  });

  /** Spread of ES over R independent samples / mean reported standard error. */
  function seRatio(R: number, N: number, seed: number, lossOf: (z: number) => number, antithetic: boolean, reportAntithetic = antithetic): number {
    const es: number[] = [];
    let seSum = 0;
    const rng = Xoshiro256StarStar.fromSeed(seed);
    const z = new Float64Array(antithetic ? N / 2 : N);
    const losses = new Float64Array(N);
    for (let r = 0; r < R; r++) {
      fillNormals(rng, z);
      if (antithetic) z.forEach((x, j) => ((losses[2 * j] = lossOf(x)), (losses[2 * j + 1] = lossOf(-x))));
      else z.forEach((x, j) => (losses[j] = lossOf(x)));
      const m = tailMeasures(losses, 0.975, { antithetic: reportAntithetic });
      if (!m.ok) throw new Error("measures failed");
      es.push(m.value.esUsd);
      seSum += m.value.esStandardErrorUsd ?? NaN;
    }
    const mean = es.reduce((a, b) => a + b, 0) / R;
    const sd = Math.sqrt(es.reduce((a, b) => a + (b - mean) ** 2, 0) / (R - 1));
    return sd / (seSum / R);
  }

  // The standard-error formula itself: over R = 300 independent samples of N = 4,000 draws (α = 0.975, k = 100), the
  // spread of the ES estimates must match the mean reported standard error. The spread of R estimates is itself known
  // to ±1/√(2R) ≈ 4 % (one sd): accept a ratio in [0.85, 1.15]. Measured: 1.01 (i.i.d. normal).
  it("reports a standard error that matches the spread of ES over independent seeds (i.i.d. draws)", () => {
    const ratio = seRatio(300, 4000, 77, (x) => x, false);
    expect(ratio).toBeGreaterThan(0.85);
    expect(ratio).toBeLessThan(1.15);
  });

  // Antithetic pairs of a loss even in the draw (L = z², a short straddle's shape): the two members of a pair are the
  // same loss, so treating them as independent understates the error by √2. Grouping pairs must match the spread.
  it("groups antithetic pairs as one draw: right for L = z² (pairs identical), where the i.i.d. formula is √2 too small", () => {
    const paired = seRatio(300, 4000, 78, (x) => x * x, true);
    expect(paired).toBeGreaterThan(0.85);
    expect(paired).toBeLessThan(1.15);
    const naive = seRatio(300, 4000, 78, (x) => x * x, true, false);
    expect(naive).toBeGreaterThan(1.25);
    const linear = seRatio(300, 4000, 79, (x) => x, true);
    expect(linear).toBeGreaterThan(0.85);
    expect(linear).toBeLessThan(1.15);
  });
});
