import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  normalisedBlack,
  normalisedBlackOtmCall,
  normalisedBlackOtmCallComplement,
  normalisedIntrinsic,
  normalisedVega,
} from "./normalised-black.js";

const EPS = Number.EPSILON;
const MIN_NORMAL = 2.2250738585072014e-308;

interface Row {
  x: number;
  s: number;
  call: boolean;
  b: number;
  vega: number;
}
// mpmath at 60 digits from the same doubles x, s: test/fixtures/pricing/generate_black_mp.py.
const rows = (
  JSON.parse(readFileSync(new URL("../../test/fixtures/pricing/normalised_black.json", import.meta.url), "utf8")) as {
    rows: Row[];
  }
).rows;

/** Condition number of b in (x, s) on the deep-OTM side: about h² + t² (see the module comment). */
const cond = (x: number, s: number): number => 1 + (x / s) ** 2 + (s / 2) ** 2;

describe("normalisedBlack against mpmath (60 digits), every region", () => {
  it("has relative error <= 4·EPS·(1 + h² + t²) on 3208 points, h from −38 to 38, s from 2e−6 to 60", () => {
    // 4 EPS per unit of condition number: the rounding of h = x/s enters exp(−h²/2) with weight h² (measured worst
    // ratio 1.64). A textbook F·N(d1) − K·N(d2) fails this by orders of magnitude far out of the money.
    expect(rows.length).toBeGreaterThan(3000);
    let worst = 0;
    for (const r of rows) {
      if (r.b < MIN_NORMAL) continue;
      const got = normalisedBlack(r.x, r.s, r.call);
      worst = Math.max(worst, Math.abs(got - r.b) / (EPS * r.b * cond(r.x, r.s)));
    }
    expect(worst).toBeLessThanOrEqual(4);
  });

  it("normalised vega has relative error <= 4·EPS·(1 + h² + t²)", () => {
    for (const r of rows) {
      if (r.vega < MIN_NORMAL) continue;
      const got = normalisedVega(r.x, r.s);
      expect(Math.abs(got - r.vega)).toBeLessThanOrEqual(4 * EPS * r.vega * cond(r.x, r.s));
    }
  });

  it("keeps relative accuracy far out of the money, where the two Φ terms cancel by a factor |h|/t = 3e4", () => {
    // h = −30, t = 0.001: e^{x/2}·Φ(h+t) and e^{−x/2}·Φ(h−t) agree to 4.5 digits, so even with exact Φ the textbook
    // difference keeps ~3e4·EPS ≈ 7e−12; ours measures 229 EPS ≈ 5e−14 (the h²·EPS rounding of h).
    const row = rows.find((r) => r.call && Math.abs(r.x / r.s + 30) < 1e-9 && Math.abs(r.s - 0.002) < 1e-15);
    expect(row).toBeDefined();
    if (!row) return;
    expect(Math.abs(normalisedBlack(row.x, row.s, true) / row.b - 1)).toBeLessThan(1e-13);
  });
});

describe("normalisedBlack identities", () => {
  const xArb = fc.double({ min: -5, max: 5, noNaN: true });
  const sArb = fc.double({ min: 1e-4, max: 8, noNaN: true });

  it("put–call parity: b(x,s,+1) − b(x,s,−1) = e^{x/2} − e^{−x/2}", () => {
    fc.assert(
      fc.property(xArb, sArb, (x, s) => {
        const lhs = normalisedBlack(x, s, true) - normalisedBlack(x, s, false);
        const rhs = Math.exp(x / 2) - Math.exp(-x / 2);
        // Absolute tolerance: 8 EPS of the largest term involved (the prices themselves are at most e^{|x|/2}).
        expect(Math.abs(lhs - rhs)).toBeLessThanOrEqual(8 * EPS * Math.exp(Math.abs(x) / 2));
      }),
      { numRuns: 1000 },
    );
  });

  it("complement: b + (e^{x/2} − b) = e^{x/2} for OTM calls", () => {
    fc.assert(
      fc.property(fc.double({ min: -5, max: 0, noNaN: true }), sArb, (x, s) => {
        const sum = normalisedBlackOtmCall(x, s) + normalisedBlackOtmCallComplement(x, s);
        expect(Math.abs(sum / Math.exp(x / 2) - 1)).toBeLessThanOrEqual(8 * EPS);
      }),
      { numRuns: 1000 },
    );
  });

  it("is increasing in s (vega > 0) and between intrinsic and its upper bound", () => {
    fc.assert(
      fc.property(xArb, sArb, fc.boolean(), (x, s, call) => {
        const b1 = normalisedBlack(x, s, call);
        const b2 = normalisedBlack(x, s * 1.01, call);
        expect(b2).toBeGreaterThanOrEqual(b1);
        const intrinsic = Math.max((call ? 1 : -1) * (Math.exp(x / 2) - Math.exp(-x / 2)), 0);
        // The test's own intrinsic value cancels near x = 0: allow 4 EPS of the larger exponential.
        expect(b1).toBeGreaterThanOrEqual(intrinsic - 4 * EPS * Math.exp(Math.abs(x) / 2));
        expect(b1).toBeLessThanOrEqual(call ? Math.exp(x / 2) : Math.exp(-x / 2));
      }),
      { numRuns: 1000 },
    );
  });

  it("degenerates to the intrinsic value at s = 0", () => {
    expect(normalisedBlack(-0.1, 0, true)).toBe(0);
    expect(normalisedBlack(0.1, 0, true)).toBe(normalisedIntrinsic(0.1));
    expect(normalisedBlack(-0.1, 0, false)).toBe(normalisedIntrinsic(0.1));
    expect(normalisedBlack(0, 0, true)).toBe(0);
    // 2·sinh(0.05) = 0.10004167187531003 (mpmath); the expm1 form keeps 2 EPS even for tiny x.
    expect(Math.abs(normalisedIntrinsic(0.1) / 0.10004167187531003 - 1)).toBeLessThanOrEqual(2 * EPS);
    expect(Math.abs(normalisedIntrinsic(1e-12) / 1e-12 - 1)).toBeLessThanOrEqual(2 * EPS);
  });

  it("underflows to exactly 0 rather than a negative or NaN value", () => {
    expect(normalisedBlack(-1000, 1, true)).toBe(0);
    expect(normalisedBlack(-1, 1e-300, true)).toBe(0);
    expect(normalisedBlack(1, 1e-300, false)).toBe(0);
  });
});
