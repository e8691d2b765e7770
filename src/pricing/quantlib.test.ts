import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { black76PriceUsd } from "./black76.js";
import type { Black76Input } from "./black76.js";
import { black76Greeks } from "./greeks.js";
import { impliedVolUsd } from "./implied-vol.js";

const EPS = Number.EPSILON;

// QuantLib 1.29 BlackCalculator / blackFormulaImpliedStdDev: test/fixtures/quantlib/generate.cpp (README there).
const fixture = JSON.parse(
  readFileSync(new URL("../../test/fixtures/quantlib/quantlib_black76.json", import.meta.url), "utf8"),
) as { quantlib: string; rows: number[][] };

interface QlRow {
  input: Black76Input;
  value: number;
  deltaForward: number;
  gammaForward: number;
  vega: number;
  theta: number;
  rho: number;
  impliedVol: number;
}
const rows: QlRow[] = fixture.rows.map((r) => {
  const [isCall, f, k, t, vol, rate, value, delta, gamma, vega, theta, rho, iv] = r as [
    number, number, number, number, number, number, number, number, number, number, number, number, number,
  ];
  return {
    input: { isCall: isCall === 1, forwardUsd: f, strikeUsd: k, timeYears: t, volDecimal: vol, rateDecimal: rate },
    value, deltaForward: delta, gammaForward: gamma, vega, theta, rho, impliedVol: iv,
  };
});

/**
 * QuantLib subtracts the two Black terms, so its absolute error is about EPS·(F + K): it is only a 1e−12-relative
 * reference where that is below 1e−13 of the value. Elsewhere (far out of the money, short expiries, low vols)
 * QuantLib itself is the inaccurate side: it even returns −5.6e−15 for a put worth less than 1e−300.
 */
function qlAbsErr(i: Black76Input): number {
  return 8 * EPS * (i.forwardUsd + i.strikeUsd);
}
const wellConditioned = (r: QlRow): boolean => qlAbsErr(r.input) <= 1e-13 * Math.abs(r.value);

describe(`Black-76 against QuantLib ${fixture.quantlib}`, () => {
  it("has 1120 rows, of which a majority are well-conditioned for a 1e−12 comparison", () => {
    expect(rows.length).toBe(1120);
    expect(rows.filter(wellConditioned).length).toBeGreaterThan(500);
  });

  it("prices agree to 1e−12 relative where well-conditioned, and within QuantLib's EPS·(F+K) error elsewhere", () => {
    for (const r of rows) {
      const ours = black76PriceUsd(r.input);
      const tol = wellConditioned(r) ? 1e-12 * Math.abs(r.value) : qlAbsErr(r.input);
      expect(Math.abs(ours - r.value)).toBeLessThanOrEqual(tol);
    }
  });

  it("delta, gamma, vega, theta and rho agree to 1e−12 relative where well-conditioned", () => {
    let compared = 0;
    for (const r of rows) {
      if (!wellConditioned(r)) continue;
      const g = black76Greeks(r.input);
      const f = r.input.forwardUsd;
      const s = r.input.volDecimal * Math.sqrt(r.input.timeYears);
      const d1 = Math.log(f / r.input.strikeUsd) / s + s / 2;
      // QuantLib's φ(d1)-based Greeks drift from the exact value as |d1| grows (3.5e−13 relative at d1 = 3.6,
      // 1.5e−12 at d1 = 6.0, 2.2e−10 at d1 = 26: next test, against mpmath), so they are compared for |d1| <= 4
      // only; delta and rho everywhere well-conditioned.
      const phiOk = Math.abs(d1) <= 4;
      compared++;
      // Delta: QuantLib's put delta is D·(N(d1) − 1), absolute error EPS; allow that floor.
      expect(Math.abs(g.deltaCoin - r.deltaForward)).toBeLessThanOrEqual(1e-12 * Math.abs(r.deltaForward) + 4 * EPS);
      expect(Math.abs(g.rhoUsdPerRate - r.rho)).toBeLessThanOrEqual(1e-12 * Math.abs(r.rho) + 1e-300);
      if (!phiOk) continue;
      expect(Math.abs(g.gammaPerUsd - r.gammaForward)).toBeLessThanOrEqual(1e-12 * Math.abs(r.gammaForward));
      expect(Math.abs(g.vegaUsdPerVol - r.vega)).toBeLessThanOrEqual(1e-12 * Math.abs(r.vega));
      // Theta: QuantLib's −(ln D·V + ½σ²T·F²Γ)/T; its two parts can cancel when r > 0 (r·V vs the decay), so the
      // floor is 1e−12 of the larger part.
      const decay = 0.5 * r.input.volDecimal ** 2 * f * f * r.gammaForward;
      const thetaScale = Math.max(Math.abs(r.theta), decay, (r.input.rateDecimal ?? 0) * Math.abs(r.value));
      expect(Math.abs(g.thetaUsdPerYear - r.theta)).toBeLessThanOrEqual(1e-12 * thetaScale);
    }
    expect(compared).toBeGreaterThan(500);
  });

  it("is more accurate than QuantLib in the density's tail (mpmath references)", () => {
    // Γ = φ(d1)/(F·σ√T) at T = 1 hour, σ = 0.8, r = 0, from mpmath at 50 digits; QuantLib 1.29 is 2.2e−10 off at
    // d1 = 26.12 and 1.5e−12 off at d1 = 6.01; we must be within 1e−13 at both.
    const cases = [
      { f: 100, k: 80, exact: 3.34476882662135e-149 }, // d1 = 26.12
      { f: 90000, k: 85500, exact: 7.561505087521277e-12 }, // d1 = 6.007
    ];
    for (const { f, k, exact } of cases) {
      const row = rows.find((r) => r.input.isCall && r.input.forwardUsd === f && r.input.strikeUsd === k &&
        r.input.timeYears < 2e-4 && r.input.volDecimal === 0.8 && r.input.rateDecimal === 0);
      expect(row).toBeDefined();
      if (!row) return;
      expect(Math.abs(row.gammaForward / exact - 1)).toBeGreaterThan(1e-12);
      expect(Math.abs(black76Greeks(row.input).gammaPerUsd / exact - 1)).toBeLessThan(1e-13);
    }
  });

  it("implied vols agree with the input vol (and QuantLib's, where it converged) to 1e−10 where vega is not negligible", () => {
    let compared = 0;
    for (const r of rows) {
      if (!wellConditioned(r)) continue;
      // Vega not negligible: 64 EPS of price moves σ by less than 1e−12.
      if ((64 * EPS * Math.abs(r.value)) / r.vega > 1e-12) continue;
      const res = impliedVolUsd({ ...r.input, priceUsd: r.value });
      expect(res.ok).toBe(true);
      if (!res.ok) continue;
      expect(Math.abs(res.value - r.input.volDecimal)).toBeLessThanOrEqual(1e-10);
      if (r.impliedVol > 0) expect(Math.abs(res.value - r.impliedVol)).toBeLessThanOrEqual(1e-10);
      compared++;
    }
    expect(compared).toBeGreaterThan(400);
  });
});
