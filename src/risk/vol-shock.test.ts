import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { shockedVols, volShockScale } from "./vol-shock.js";
import type { VolShockParams } from "./vol-shock.js";

/** Deribit btc_usd 2024-06 (deribit-pm.md §2.2) with the preset's rules: pivot 30 d, 1-day floor, DTE < 30. */
const DERIBIT_BTC: VolShockParams = {
  rangeUpDecimal: 0.5,
  rangeDownDecimal: 0.25,
  shortTermPower: 0.3,
  longTermPower: 0.13,
  pivotDays: 30,
  dteFloorDays: 1,
  shortTermBoundary: "lt",
  minVolForShockUpDecimal: 0.5,
};

describe("volShockScale", () => {
  // deribit-pm.md §2.4 prints the scale to 3 decimals: tolerance half a unit of the last printed digit.
  it.each([
    [30, 1],
    [15, 1.231],
    [90, 0.867],
  ])("DTE %d → %f (deribit-pm.md §2.4, printed to 3 decimals)", (dte, expected) => {
    expect(Math.abs(volShockScale(dte, DERIBIT_BTC) - expected)).toBeLessThanOrEqual(5e-4);
  });

  it("DTE 1 → 30^0.3 = 2.774191114672181 (python3: 30**0.3), not the note's misprinted 2.777", () => {
    // deribit-pm.md §2.4 writes "DTE 1 → 30^0.3 = 2.777", but 30^0.3 = 2.7742 (the other three values of that line
    // are right). The formula is what the note states; the printed digit is an arithmetic slip. 1e-12: one pow call.
    expect(Math.abs(volShockScale(1, DERIBIT_BTC) - 2.774191114672181)).toBeLessThan(1e-12);
    // Exact references for the other three, from the same python3 call: 2**0.3, (1/3)**0.13.
    expect(Math.abs(volShockScale(15, DERIBIT_BTC) - 1.2311444133449163)).toBeLessThan(1e-12);
    expect(Math.abs(volShockScale(90, DERIBIT_BTC) - 0.8669104475782533)).toBeLessThan(1e-12);
  });

  it("floors DTE at dteFloorDays (clones floor at 1 day): DTE 0.25 scales like DTE 1", () => {
    expect(volShockScale(0.25, DERIBIT_BTC)).toBe(volShockScale(1, DERIBIT_BTC));
  });

  it("the boundary parameter selects the power at DTE = pivot only when it matters (floor above the pivot)", () => {
    const p = { ...DERIBIT_BTC, dteFloorDays: 60 };
    // DTE 30 with a 60-day floor: lt (30 < 30 false) → long power, le → short power.
    expect(volShockScale(30, { ...p, shortTermBoundary: "lt" })).toBeCloseTo(0.5 ** 0.13, 15);
    expect(volShockScale(30, { ...p, shortTermBoundary: "le" })).toBeCloseTo(0.5 ** 0.3, 15);
    // With the usual floor the scale is 1 at the pivot whichever power applies (continuity).
    expect(volShockScale(30, { ...DERIBIT_BTC, shortTermBoundary: "le" })).toBe(1);
  });
});

describe("shockedVols", () => {
  it("reproduces Derive's published TC-D2 multipliers and shocked vols (derive-pmrm2.md §4) to 1e-12", () => {
    // Derive test set: up 0.5, down 0.275, powers 0.3/0.13, floor 1 day, T ≤ 30 d; T = 794,852 s; σ = 0.453803924321583.
    const derive: VolShockParams = { ...DERIBIT_BTC, rangeDownDecimal: 0.275, shortTermBoundary: "le", minVolForShockUpDecimal: 0.45 };
    const v = shockedVols(0.453803924321583, 794_852 / 86_400, derive);
    // The harness asserts to relative 1e-8; our doubles agree to ~1e-16, so 1e-12 absolute leaves room for libm pow.
    expect(Math.abs(v.up - 0.7772805240184925)).toBeLessThan(1e-12);
    expect(Math.abs(v.down - 0.2758917944882828)).toBeLessThan(1e-12);
    expect(v.unchanged).toBe(0.453803924321583);
  });

  it("floors the shocked-up vol at min_volatility_for_shock_up", () => {
    // σ = 0.2 at 90 DTE: 0.2 × (1 + 0.5 × 0.867) = 0.287 < 0.5 → 0.5.
    expect(shockedVols(0.2, 90, DERIBIT_BTC).up).toBe(0.5);
    // σ = 0.6 at 30 DTE: 0.6 × 1.5 = 0.9 > 0.5 → unchanged by the floor.
    expect(shockedVols(0.6, 30, DERIBIT_BTC).up).toBeCloseTo(0.9, 15);
  });

  it("clamps the down vol at 0 when the scaled down-shock exceeds 100 %", () => {
    const p = { ...DERIBIT_BTC, rangeDownDecimal: 0.5, dteFloorDays: 0 };
    expect(shockedVols(0.8, 0.01, p).down).toBe(0);
  });

  it("property: down ≤ unchanged ≤ up, all ≥ 0 and finite", () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 5, noNaN: true }), fc.double({ min: 0, max: 3650, noNaN: true }), (vol, dte) => {
        const v = shockedVols(vol, dte, DERIBIT_BTC);
        return v.down >= 0 && v.down <= v.unchanged && v.unchanged <= v.up && Number.isFinite(v.up);
      }),
    );
  });
});
