/**
 * Real data: the Deribit BTC option chain of 2020-05-21 23:19–23:22 UTC (../shared/data, see SOURCES.md):
 * 326 mark IVs (percent) over 7 expiries from 9 hours to 7 months. Rows were polled over ~3 minutes; the surface
 * time is the first poll and each expiry's forward is the median of its rows' underlying prices.
 * Thresholds are the measured RMS + 5 % + 0.02 vol points (see deribit-2025.test.ts for why).
 */
import { expect, it } from "vitest";
import { buildVolSurface } from "../../src/market/vol-surface.js";
import type { VolSurface } from "../../src/market/vol-surface.js";
import { chain2020 } from "./chains.js";
import { describeWithSharedData, hasSharedData } from "../helpers/requires.js";
import { CHECK_TIMES_YEARS, expiriesWithArbitrageableMarks, volRange, worstCalendarDecrease, worstConvexityViolation } from "./real-data-checks.js";

/** Measured RMS (model − mark) per expiry in vol points. */
const MEASURED_RMS: Record<string, number> = {
  "2020-05-22": 10.45, "2020-05-23": 2.07, "2020-05-29": 9.15, "2020-06-05": 0.57, "2020-06-26": 1.66, "2020-09-25": 0.24, "2020-12-25": 0.30,
};

describeWithSharedData("BTC surface from the 2020-05-21 Deribit chain", () => {
  if (!hasSharedData) return; // collected only to be skipped: nothing to load
  const chain = chain2020();
  const built = buildVolSurface("BTC", chain.quotes, chain.asOfMs);
  const surface = (built.ok ? built.value : undefined) as VolSurface;

  it("builds 7 slices with forwards from the quotes (the 26JUN20/25SEP20/25DEC20 futures ≈ 9091/9177/9259)", () => {
    expect(built.ok).toBe(true);
    expect(surface.fit.slices).toHaveLength(7);
    const byDay = new Map(surface.fit.slices.map((s) => [new Date(s.expiryMs).toISOString().slice(0, 10), s.forwardUsd]));
    // SOURCES.md: the dated futures' prices read from the rows' underlying_price are about 9091, 9177 and 9259.
    expect(Math.abs((byDay.get("2020-06-26") as number) - 9091)).toBeLessThan(10);
    expect(Math.abs((byDay.get("2020-09-25") as number) - 9177)).toBeLessThan(10);
    expect(Math.abs((byDay.get("2020-12-25") as number) - 9259)).toBeLessThan(10);
    expect(surface.fit.notes.filter((n) => n.includes("forwards differ"))).toEqual([]);
  });

  it("RMS fit error per expiry is at or below the measured value (vol points)", () => {
    for (const s of surface.fit.slices) {
      const day = new Date(s.expiryMs).toISOString().slice(0, 10);
      expect(s.rmsErrorVolPoints, day).toBeLessThanOrEqual((MEASURED_RMS[day] as number) * 1.05 + 0.02);
    }
    // From two weeks out the marks are smooth smiles and the fit is within 1.7 vol points RMS.
    for (const s of surface.fit.slices.filter((x) => x.timeYears > 0.03)) expect(s.rmsErrorVolPoints).toBeLessThan(1.75);
  });

  it("has no butterfly arbitrage (slices and call-price convexity) and no calendar arbitrage", () => {
    expect(surface.fit.slices.every((s) => s.butterflyArbitrageFree && s.repair !== "level-shift")).toBe(true);
    expect(surface.fit.butterflyArbitrageFree).toBe(true);
    for (const t of [...CHECK_TIMES_YEARS, ...surface.fit.slices.map((s) => s.timeYears)]) {
      expect(worstConvexityViolation(surface, t)).toBeGreaterThan(-1e-9);
    }
    expect(surface.fit.calendarArbitrageFree).toBe(true);
    expect(worstCalendarDecrease(surface, surface.fit.slices.map((s) => s.timeYears))).toBeLessThanOrEqual(1e-12);
  });

  it("4 of the 7 expiries' own marks have butterfly arbitrage (call prices not convex in K)", () => {
    const times = new Map(surface.fit.slices.map((s) => [s.expiryMs, s.timeYears]));
    expect(expiriesWithArbitrageableMarks(chain.quotes, (e) => times.get(e) as number)).toBe(4);
  });

  it("returns a finite positive vol everywhere on K/F ∈ [0.01, 100] × T ∈ [1 h, 5 y]", () => {
    const r = volRange(surface);
    expect(r.allFinitePositive).toBe(true);
    expect(r.min).toBeGreaterThan(0.3);
  });
});
