import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { checkCorrelation, estimateCorrelation, matrixFromRows } from "./correlation.js";
import { pushCorrelationsTowardOne, userCorrelationStress, zeroCorrelations } from "./correlation-stress.js";
import { symmetricEigen } from "../math/linalg.js";
import { unwrap } from "../errors.js";

// The 3×3 of Higham's paper and its NCM from the numpy reference (test/fixtures/math/generate_ncm.py).
const ncm = JSON.parse(readFileSync(new URL("../../test/fixtures/math/ncm.json", import.meta.url), "utf8")) as { cases: Array<{ name: string; input: number[]; ncm: number[]; distance: number }> };
const higham = ncm.cases.find((c) => c.name === "higham-3x3")!;

const isCorrelation = (m: Float64Array, n: number): boolean => {
  for (let i = 0; i < n; i++) {
    if (m[i * n + i] !== 1) return false;
    for (let j = 0; j < n; j++) if (Math.abs(m[i * n + j]! - m[j * n + i]!) > 1e-15) return false;
  }
  return symmetricEigen(m, n).values[0]! > -1e-9;
};

describe("checkCorrelation", () => {
  it("accepts a valid matrix unchanged", () => {
    const r = unwrap(checkCorrelation(Float64Array.from([1, 0.5, 0.5, 1]), 2));
    expect(r.repaired).toBe(false);
    expect(Array.from(r.matrix)).toEqual([1, 0.5, 0.5, 1]);
  });

  it("a non-symmetric matrix or a non-unit diagonal is an error even with repair", () => {
    const asym = checkCorrelation(Float64Array.from([1, 0.5, 0.4, 1]), 2, { repair: true });
    expect(!asym.ok && asym.issues.map((i) => `${i.path} ${i.code}`)).toEqual(["correlation[0][1] invalid_value"]);
    const diag = checkCorrelation(Float64Array.from([1.1, 0.5, 0.5, 1]), 2, { repair: true });
    expect(!diag.ok && diag.issues[0]!.message).toMatch(/diagonal entry must be 1/);
    const nan = checkCorrelation(Float64Array.from([1, NaN, NaN, 1]), 2);
    expect(!nan.ok && nan.issues[0]!.code).toBe("non_finite");
  });

  it("not PSD: an error unless repair is asked, then Higham's NCM with the distance reported", () => {
    const a = Float64Array.from(higham.input);
    const refused = checkCorrelation(a, 3);
    expect(!refused.ok && refused.issues[0]!.message).toMatch(/not positive semidefinite \(smallest eigenvalue -0\.4142/);
    const r = unwrap(checkCorrelation(a, 3, { repair: true }));
    expect(r.repaired).toBe(true);
    // numpy reference distance, same algorithm and stopping rule (1e-9: see ncm.test.ts).
    expect(Math.abs(r.repairDistance - higham.distance)).toBeLessThan(1e-9);
    expect(r.notes[0]).toMatch(/repaired to the nearest correlation matrix \(Higham 2002\), Frobenius distance 0\.5278/);
    expect(isCorrelation(r.matrix, 3)).toBe(true);
  });

  it("matrixFromRows checks the shape", () => {
    expect(unwrap(matrixFromRows([[1, 0], [0, 1]]))).toEqual(Float64Array.from([1, 0, 0, 1]));
    const r = matrixFromRows([[1, 0], [0]]);
    expect(!r.ok && r.issues[0]!.path).toBe("correlation[1]");
  });
});

describe("estimateCorrelation", () => {
  it("sample: perfectly (anti)correlated series give ±1, and a constant series 0 with a flag", () => {
    const a = Float64Array.from([0.01, -0.02, 0.03, 0.005]);
    const b = a.map((x) => -2 * x);
    const c = new Float64Array(4);
    const e = estimateCorrelation([a, b, c], { method: "sample" });
    expect(e.correlation[1]).toBeCloseTo(-1, 14);
    expect(e.correlation[2]).toBe(0);
    expect(e.constantFactors).toEqual([2]);
    expect(e.volsDaily[1]! / e.volsDaily[0]!).toBeCloseTo(2, 14);
  });

  it("EWMA with λ → the recursion by hand on two days", () => {
    const a = Float64Array.from([0.1, 0.2]);
    const b = Float64Array.from([0.3, -0.1]);
    const e = estimateCorrelation([a, b], { method: "ewma", lambda: 0.5, seedDays: 1 });
    // Σ₀ = r₀r₀ᵀ; Σ₁ = ½Σ₀ + ½r₀r₀ᵀ = r₀r₀ᵀ; Σ₂ = ½r₀r₀ᵀ + ½r₁r₁ᵀ.
    const vaa = 0.5 * 0.01 + 0.5 * 0.04, vbb = 0.5 * 0.09 + 0.5 * 0.01, vab = 0.5 * 0.03 + 0.5 * -0.02;
    expect(e.volsDaily[0]).toBeCloseTo(Math.sqrt(vaa), 15);
    expect(e.correlation[1]).toBeCloseTo(vab / Math.sqrt(vaa * vbb), 14);
  });
});

describe("correlation breakdown stress", () => {
  const factors = ["BTC", "ETH", "vol:BTC"];
  const base = Float64Array.from([1, 0.7, -0.6, 0.7, 1, -0.5, -0.6, -0.5, 1]);

  it("push toward one among every factor: a convex mix, valid without repair; w = 1 gives all ones", () => {
    const r = unwrap(pushCorrelationsTowardOne(base, factors, { weight: 1, among: factors }));
    expect(Array.from(r.matrix)).toEqual(new Array(9).fill(1));
    expect(r.repairDistance).toBe(0);
  });

  it("push toward one among prices only breaks PSD and is repaired, distance reported", () => {
    // BTC/ETH → 1 while both keep different correlations with vol:BTC: impossible, so NCM moves it.
    const r = unwrap(pushCorrelationsTowardOne(base, factors, { weight: 1 }));
    expect(r.repaired).toBe(true);
    expect(r.repairDistance).toBeGreaterThan(0);
    expect(isCorrelation(r.matrix, 3)).toBe(true);
    expect(r.matrix[1]).toBeGreaterThan(0.95);
    expect(r.notes[0]).toMatch(/among BTC, ETH; repaired/);
  });

  it("zeroing the hedge correlation and a user matrix stay correlation matrices", () => {
    const z = unwrap(zeroCorrelations(base, factors, [["BTC", "ETH"]]));
    expect(isCorrelation(z.matrix, 3)).toBe(true);
    expect(Math.abs(z.matrix[1]!)).toBeLessThan(0.2);
    const u = unwrap(userCorrelationStress(base, factors, { factors: ["ETH", "BTC"], matrix: [[1, 0.95], [0.95, 1]] }));
    expect(u.matrix[1]).toBeCloseTo(0.95, 1);
    expect(isCorrelation(u.matrix, 3)).toBe(true);
    expect(!zeroCorrelations(base, factors, [["BTC", "SOL"]]).ok).toBe(true);
    const bad = userCorrelationStress(base, factors, { factors: ["ETH", "BTC"], matrix: [[1, 0.9], [0.8, 1]] });
    expect(!bad.ok && bad.issues[0]!.message).toMatch(/not symmetric/);
  });

  it("property: any weight and subset gives a valid correlation matrix", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1, noNaN: true }), fc.subarray(factors, { minLength: 2 }), (w, among) => {
        const r = unwrap(pushCorrelationsTowardOne(base, factors, { weight: w, among }));
        expect(isCorrelation(r.matrix, 3)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
