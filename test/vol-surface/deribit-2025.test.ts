/**
 * Real data: the Deribit BTC and ETH option chains of 2025-12-30 17:31 UTC (../shared/data, see SOURCES.md):
 * 630 BTC and 674 ETH mark IVs over 12 expiries each (14 hours to 1 year). Thresholds are the values measured
 * with the default options (vega weights floored at 5 %), + 5 % and + 0.02 vol points of slack so that a change
 * of platform or Node version (last-bit differences in Math.exp/log steering Nelder–Mead slightly) cannot fail
 * the test, while any real regression of the fit does.
 */
import { expect, it } from "vitest";
import { buildVolSurface } from "../../src/market/vol-surface.js";
import type { VolSurface } from "../../src/market/vol-surface.js";
import { chain2025 } from "./chains.js";
import { describeWithSharedData, hasSharedData } from "../helpers/requires.js";
import { CHECK_TIMES_YEARS, expiriesWithArbitrageableMarks, volRange, worstCalendarDecrease, worstConvexityViolation } from "./real-data-checks.js";

/** Measured RMS (model − mark) per expiry in vol points, by expiry date (08:00 UTC). */
const MEASURED_RMS: Record<"BTC" | "ETH", Record<string, number>> = {
  BTC: {
    "2025-12-31": 7.67, "2026-01-01": 0.40, "2026-01-02": 1.41, "2026-01-03": 0.21, "2026-01-09": 0.29, "2026-01-16": 0.18,
    "2026-01-30": 0.40, "2026-02-27": 0.17, "2026-03-27": 0.91, "2026-06-26": 0.30, "2026-09-25": 0.10, "2026-12-25": 0.06,
  },
  ETH: {
    "2025-12-31": 4.29, "2026-01-01": 0.70, "2026-01-02": 3.12, "2026-01-03": 0.12, "2026-01-09": 0.15, "2026-01-16": 0.07,
    "2026-01-30": 0.95, "2026-02-27": 0.17, "2026-03-27": 0.49, "2026-06-26": 0.58, "2026-09-25": 0.10, "2026-12-25": 0.05,
  },
};

for (const currency of ["BTC", "ETH"] as const) {
  describeWithSharedData(`${currency} surface from the 2025-12-30 Deribit chain`, () => {
    if (!hasSharedData) return; // collected only to be skipped: nothing to load
    const chain = chain2025(currency);
    const built = buildVolSurface(currency, chain.quotes, chain.asOfMs);
    const surface = (built.ok ? built.value : undefined) as VolSurface;

    it("builds, with one slice per expiry and our ACT/365.25 times equal to Deribit's time_to_maturity", () => {
      expect(built.ok).toBe(true);
      expect(surface.fit.slices).toHaveLength(12);
      for (const s of surface.fit.slices) {
        // Deribit's column is (expiry − snapshot)/365.25 days; the snapshot stamp has microseconds, we use ms.
        expect(Math.abs(s.timeYears - (chain.deribitTimeYears.get(s.expiryMs) as number))).toBeLessThan(1e-10);
      }
      expect(surface.fit.quotes).toHaveLength(chain.quotes.length);
    });

    it("RMS fit error per expiry is at or below the measured value (vol points)", () => {
      for (const s of surface.fit.slices) {
        const day = new Date(s.expiryMs).toISOString().slice(0, 10);
        const measured = MEASURED_RMS[currency][day] as number;
        expect(s.rmsErrorVolPoints, day).toBeLessThanOrEqual(measured * 1.05 + 0.02);
      }
      // "Well under 1 vol point for most expiries": 10 of 12, all from the 3rd of January 2026 on except one.
      expect(surface.fit.slices.filter((s) => s.rmsErrorVolPoints < 1).length).toBeGreaterThanOrEqual(10);
    });

    it("the worst expiries miss only far-from-the-money marks (near the money, |k| ≤ 1.5·√w, RMS < 1.5 vol points)", () => {
      // Deribit caps the marks of far OTM short-dated options (flat runs of equal IVs, e.g. BTC 31DEC25 70k/75k/80k
      // all 77.42 %), which no arbitrage-free smile can follow; near the money the fit is close.
      for (const s of surface.fit.slices.filter((x) => x.rmsErrorVolPoints > 1)) {
        const near = surface.fit.quotes.filter(
          (q) => q.expiryMs === s.expiryMs && Math.abs(q.logMoneyness) <= 1.5 * q.quotedVolDecimal * Math.sqrt(s.timeYears),
        );
        const rms = Math.sqrt(near.reduce((acc, q) => acc + q.errorVolPoints ** 2, 0) / near.length);
        expect(near.length).toBeGreaterThan(4);
        expect(rms).toBeLessThan(1.5);
      }
    });

    it("has no butterfly arbitrage: in every fitted slice (g ≥ 0) and in call prices at 14 times from 1 hour to 5 years", () => {
      for (const s of surface.fit.slices) {
        expect(s.butterflyArbitrageFree).toBe(true);
        expect(s.repair).not.toBe("level-shift");
      }
      expect(surface.fit.butterflyArbitrageFree).toBe(true);
      // Independent check from prices (Black-76 of src/pricing): slopes of C(K) never decrease by more than
      // rounding (1e-9 on a slope scale of 1; prices are ~1e-16 relative).
      for (const t of [...CHECK_TIMES_YEARS, ...surface.fit.slices.map((s) => s.timeYears)]) {
        expect(worstConvexityViolation(surface, t)).toBeGreaterThan(-1e-9);
      }
    });

    it("has no calendar arbitrage after interpolation (w non-decreasing in T at fixed k, K/F 0.01–100, 1 h–5 y)", () => {
      expect(surface.fit.calendarArbitrageFree).toBe(true);
      const mids = surface.fit.slices.slice(1).map((s, i) => 0.5 * (s.timeYears + (surface.fit.slices[i] as { timeYears: number }).timeYears));
      expect(worstCalendarDecrease(surface, [...surface.fit.slices.map((s) => s.timeYears), ...mids])).toBeLessThanOrEqual(1e-12);
    });

    it("Deribit's own marks are not arbitrage-free (why the surface fits a smile instead of interpolating them)", () => {
      const t = (expiryMs: number) => (chain.deribitTimeYears.get(expiryMs) as number);
      expect(expiriesWithArbitrageableMarks(chain.quotes, t)).toBe(currency === "BTC" ? 4 : 6);
    });

    it("returns a finite positive vol everywhere on K/F ∈ [0.01, 100] × T ∈ [1 h, 5 y]", () => {
      const r = volRange(surface);
      expect(r.allFinitePositive).toBe(true);
      expect(r.min).toBeGreaterThan(0.2);
    });
  });
}
