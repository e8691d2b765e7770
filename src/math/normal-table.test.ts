import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { normCdf } from "./normal.js";
import { NORM_TABLE_LIMIT, normCdfFast } from "./normal-table.js";

interface CdfRow {
  readonly x: number;
  readonly mp: number;
}
const fixture = JSON.parse(readFileSync(new URL("../../test/fixtures/pricing/normal.json", import.meta.url), "utf8")) as { cdf: CdfRow[] };

// Tolerance 2e-15 absolute: the quintic-Hermite interpolation error at h = 1/64 is ~1e-16 (h⁶·max|Φ⁽⁶⁾|/46080), the
// rest is rounding of the Horner step on values up to 1 (a few ulps of 1 = a few 1.1e-16).
const ABS = 2e-15;

describe("normCdfFast (tabulated Φ)", () => {
  it("matches mpmath's Φ (50 digits, test/fixtures/pricing/normal.json) within 2e-15 absolute", () => {
    let checked = 0;
    for (const r of fixture.cdf) {
      const expected = Math.abs(r.x) <= NORM_TABLE_LIMIT ? r.mp : r.x < 0 ? 0 : 1;
      expect(Math.abs(normCdfFast(r.x) - expected), `x = ${r.x}`).toBeLessThanOrEqual(ABS);
      checked += 1;
    }
    expect(checked).toBeGreaterThan(50);
  });

  it("matches the exact normCdf (Cody) on a dense grid of 200,001 points in [-12, 12] within 2e-15 absolute", () => {
    let worst = 0;
    for (let i = 0; i <= 200000; i++) {
      const x = -12 + (24 * i) / 200000 + 1e-7 * Math.sin(i); // off-grid points, not only table nodes
      worst = Math.max(worst, Math.abs(normCdfFast(x) - normCdf(x)));
    }
    expect(worst).toBeLessThanOrEqual(ABS);
  });

  it("is monotone non-decreasing across interval boundaries and stays in [0, 1]", () => {
    let prev = -1;
    for (let x = -11; x <= 11; x += 1 / 512) {
      const v = normCdfFast(x);
      expect(v).toBeGreaterThanOrEqual(prev - 1e-16);
      expect(v >= 0 && v <= 1).toBe(true);
      prev = v;
    }
  });

  it("returns NaN for NaN (never a clamped value that would hide a bug)", () => {
    expect(Number.isNaN(normCdfFast(NaN))).toBe(true);
  });
});
