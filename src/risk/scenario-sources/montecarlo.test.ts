import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { unwrap } from "../../errors.js";
import { factorModelFromInput } from "./factor-model.js";
import type { FactorModel } from "./factor-model.js";
import { monteCarloScenarios } from "./montecarlo.js";

interface McPath {
  priceRelativeMove: number[];
  volRatio: number[];
}
// test/fixtures/var/generate_montecarlo.py: reference RNG + scipy ndtri + scipy Cholesky, independent of our code.
const fixture = JSON.parse(readFileSync(new URL("../../../test/fixtures/var/montecarlo.json", import.meta.url), "utf8")) as {
  model: { priceFactors: string[]; volFactors: string[]; volsDaily: number[]; correlation: number[][] };
  cases: Array<{ seed: number; horizonDays: number; distribution: "normal" | "student-t"; degreesOfFreedom?: number; paths: McPath[] }>;
};
const model: FactorModel = unwrap(factorModelFromInput(fixture.model));

describe("Monte Carlo: first paths against the Python reference", () => {
  it.each(fixture.cases.map((c) => [c.distribution, c] as const))("%s", (_d, c) => {
    const set = unwrap(
      monteCarloScenarios(model, { horizonDays: c.horizonDays, paths: 1000, seed: c.seed, distribution: c.distribution, ...(c.degreesOfFreedom ? { degreesOfFreedom: c.degreesOfFreedom } : {}) }),
    );
    c.paths.forEach((p, n) => {
      // ndtri vs AS 241 and Cholesky rounding: a few ulps; the antithetic mirror −m/(1+m) vs expm1(−x): ulps too.
      p.priceRelativeMove.forEach((m, f) => expect(Math.abs(set.priceRelativeMove[n * 2 + f]! - m)).toBeLessThan(1e-14));
      p.volRatio.forEach((r, v) => expect(Math.abs(set.volRatio[n + v]! - r)).toBeLessThan(1e-14));
    });
    expect(set.labels.slice(0, 3)).toEqual(["mc:0", "mc:1", "mc:2"]);
    expect(set.antithetic).toBe(true);
  });
});

describe("Monte Carlo: reproducibility and structure", () => {
  it("same seed → bit-identical set; another seed differs", () => {
    const a = unwrap(monteCarloScenarios(model, { horizonDays: 2, paths: 2000, seed: 99 }));
    const b = unwrap(monteCarloScenarios(model, { horizonDays: 2, paths: 2000, seed: 99 }));
    expect(Buffer.from(b.priceRelativeMove.buffer).equals(Buffer.from(a.priceRelativeMove.buffer))).toBe(true);
    expect(Buffer.from(b.volRatio.buffer).equals(Buffer.from(a.volRatio.buffer))).toBe(true);
    const c = unwrap(monteCarloScenarios(model, { horizonDays: 2, paths: 2000, seed: 100 }));
    expect(c.priceRelativeMove[0]).not.toBe(a.priceRelativeMove[0]);
  });

  it("antithetic pairs mirror in log space: log(1+m₂ₖ) = −log(1+m₂ₖ₊₁), vol ratios reciprocal", () => {
    const s = unwrap(monteCarloScenarios(model, { horizonDays: 1, paths: 200, seed: 3 }));
    for (let k = 0; k < 100; k++) {
      for (let f = 0; f < 2; f++) expect(Math.log1p(s.priceRelativeMove[2 * k * 2 + f]!) + Math.log1p(s.priceRelativeMove[(2 * k + 1) * 2 + f]!)).toBeCloseTo(0, 14);
      expect(s.volRatio[2 * k]! * s.volRatio[2 * k + 1]!).toBeCloseTo(1, 14);
    }
  });

  it.each(["normal", "student-t"] as const)("%s: log moves have variance σ²h and the model's correlations (within 5 SE, 200k paths)", (distribution) => {
    const N = 200_000, h = 3;
    const s = unwrap(monteCarloScenarios(model, { horizonDays: h, paths: N, seed: 5, distribution, degreesOfFreedom: 6, antithetic: false }));
    const x = [new Float64Array(N), new Float64Array(N), new Float64Array(N)];
    for (let n = 0; n < N; n++) {
      x[0]![n] = Math.log1p(s.priceRelativeMove[n * 2]!);
      x[1]![n] = Math.log1p(s.priceRelativeMove[n * 2 + 1]!);
      x[2]![n] = Math.log(s.volRatio[n]!);
    }
    const sd = x.map((xs) => {
      let ss = 0;
      for (let n = 0; n < N; n++) ss += xs[n]! * xs[n]!;
      return Math.sqrt(ss / N);
    });
    // SE of a sample s.d. ≈ σ·sqrt((κ − 1)/(4N)); κ = 3 (normal) or 3 + 6/(ν − 4) = 6 for ν = 6.
    const kurt = distribution === "normal" ? 3 : 6;
    fixture.model.volsDaily.forEach((v, k) => expect(Math.abs(sd[k]! - v * Math.sqrt(h))).toBeLessThan(5 * v * Math.sqrt(h) * Math.sqrt((kurt - 1) / (4 * N))));
    for (const [i, j] of [[0, 1], [0, 2], [1, 2]] as const) {
      let c = 0;
      for (let n = 0; n < N; n++) c += x[i]![n]! * x[j]![n]!;
      const rho = c / N / (sd[i]! * sd[j]!);
      const target = fixture.model.correlation[i]![j]!;
      // SE of a correlation ≈ (1 − ρ²)/√N (normal); doubled for the t's heavier tails.
      expect(Math.abs(rho - target)).toBeLessThan(5 * 2 * (1 - target * target) / Math.sqrt(N));
    }
  });

  it("a singular correlation (all ones) falls back to the eigen square root: every factor moves together", () => {
    const ones = unwrap(factorModelFromInput({ priceFactors: ["A", "B"], volsDaily: [0.02, 0.02], correlation: [[1, 1], [1, 1]] }));
    const s = unwrap(monteCarloScenarios(ones, { horizonDays: 1, paths: 100, seed: 1 }));
    for (let n = 0; n < 100; n++) expect(s.priceRelativeMove[2 * n]! - s.priceRelativeMove[2 * n + 1]!).toBeCloseTo(0, 14);
    expect(s.notes[1]).toMatch(/eigen square root/);
  });

  it("rejects bad options with codes", () => {
    const codes = (o: Parameters<typeof monteCarloScenarios>[1]): string[] => {
      const r = monteCarloScenarios(model, o);
      return r.ok ? [] : r.issues.map((i) => `${i.path} ${i.code}`);
    };
    expect(codes({ horizonDays: 2, paths: 101, seed: 1 })).toEqual(["paths invalid_value"]);
    expect(codes({ horizonDays: 0, paths: 100, seed: -1 })).toEqual(["horizonDays out_of_range", "seed out_of_range"]);
    expect(codes({ horizonDays: 1, paths: 100, seed: 1, distribution: "student-t" })).toEqual(["degreesOfFreedom required"]);
    expect(codes({ horizonDays: 1, paths: 100, seed: 1, distribution: "student-t", degreesOfFreedom: 2 })).toEqual(["degreesOfFreedom out_of_range"]);
    expect(codes({ horizonDays: 1, paths: 101, seed: 1, antithetic: false })).toEqual([]);
  });
});
