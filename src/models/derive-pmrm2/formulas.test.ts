/**
 * Unit checks of the Derive PMRM_2 formula pieces. References: the TC-D2 intermediates of derive-pmrm2.md §4 (1e-12
 * relative: closed forms, only rounding differs) and hand calculations written out in each test.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { expiryBasisContingency } from "./basis.js";
import { deriveContingencies, nakedShortCoins } from "./contingencies.js";
import type { DeriveBucketInput, DeriveExpiryInput, DeriveOptionLeg } from "./inputs.js";
import { parseDerivePmrm2Params, type DerivePmrm2Params } from "./params.js";
import { deriveScenarioId, deriveTauYears, forwardPortions, shockedForwardUsd, volMultipliers } from "./scenarios.js";
import { skewShape, skewShockedVolDecimal } from "./skew.js";
import { discountExpiryValue, staticDiscounts } from "./static-discount.js";

const params: DerivePmrm2Params = (() => {
  const r = parseDerivePmrm2Params(JSON.parse(readFileSync(new URL("../../../presets/derive-pmrm2.json", import.meta.url), "utf8")));
  if (!r.ok) throw new Error("preset invalid");
  return r.value;
})();
const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
const T_D2 = 794_852;

describe("time and vol multipliers", () => {
  it("τ uses a 365-day year; TC-D2's D = exp(−0.15 τ) matches the note", () => {
    expect(deriveTauYears(31_536_000)).toBe(1);
    expect(deriveTauYears(-5)).toBe(0);
    expect(rel(Math.exp(-0.15 * deriveTauYears(T_D2)), 0.9962264490688729)).toBeLessThan(1e-14);
  });

  it("TC-D2 up/down multipliers (note §4)", () => {
    const m = volMultipliers(T_D2, params.volShock);
    expect(rel(m.up, 1.712811375927374)).toBeLessThan(1e-12);
    expect(rel(m.down, 0.6079537432399443)).toBeLessThan(1e-12);
  });

  it("DTE floor of 1 day and the 30-day power boundary", () => {
    // Below the floor the multiplier is the 1-day one: 30^0.3.
    expect(rel(volMultipliers(3600, params.volShock).scale, Math.pow(30, 0.3))).toBeLessThan(1e-14);
    expect(volMultipliers(-100, params.volShock).scale).toBe(volMultipliers(86_400, params.volShock).scale);
    // Exactly 30 d: scale 1; just beyond, the long-term power 0.13 applies: (30/31)^0.13.
    expect(volMultipliers(30 * 86_400, params.volShock).scale).toBe(1);
    expect(rel(volMultipliers(31 * 86_400, params.volShock).scale, Math.pow(30 / 31, 0.13))).toBeLessThan(1e-14);
    expect(rel(volMultipliers(29 * 86_400, params.volShock).scale, Math.pow(30 / 29, 0.3))).toBeLessThan(1e-14);
  });

  it("down multiplier floors at 0", () => {
    const m = volMultipliers(86_400, { ...params.volShock, volRangeDownDecimal: 0.5 }); // 0.5 × 30^0.3 = 1.39 > 1
    expect(m.down).toBe(0);
  });
});

describe("forward portions (last 30 minutes)", () => {
  it("all variable before the window, half fixed at T = 900 s, all fixed at expiry", () => {
    expect(forwardPortions(100, 1800)).toEqual({ fixedUsd: 0, variableUsd: 100 });
    const half = forwardPortions(100, 900);
    expect(half).toEqual({ fixedUsd: 50, variableUsd: 50 });
    expect(shockedForwardUsd(half, 1.18)).toBeCloseTo(109, 12); // 50 + 50 × 1.18
    expect(forwardPortions(100, 0)).toEqual({ fixedUsd: 100, variableUsd: 0 });
    expect(forwardPortions(100, -60)).toEqual({ fixedUsd: 100, variableUsd: 0 });
  });
});

describe("static discount", () => {
  it("TC-D2 δ⁺ / δ⁻ (δ⁻ capped at 1/D), note §4", () => {
    const tau = deriveTauYears(T_D2);
    const D = Math.exp(-0.15 * tau);
    const d = staticDiscounts(tau, 0.15, D, params.staticDiscount);
    expect(rel(d.long, 0.9445087287221925)).toBeLessThan(1e-12);
    expect(rel(d.short, 1.0037878445554764)).toBeLessThan(1e-12);
    expect(d.short).toBe(1 / D);
    expect(rel(discountExpiryValue(-1186.4185694587657, d), -1190.9125385776063)).toBeLessThan(1e-12);
  });

  it("uncapped when the rate is high and τ long: 1.04 × exp(1 × (0.5 × 0.5 + 0.08)) < 1/D = e^0.5", () => {
    const d = staticDiscounts(1, 0.5, Math.exp(-0.5), params.staticDiscount);
    expect(rel(d.short, 1.04 * Math.exp(0.33))).toBeLessThan(1e-14);
    expect(rel(d.long, 0.95 * Math.exp(-(0.5 + 0.08)))).toBeLessThan(1e-14);
    expect(discountExpiryValue(0, d)).toBe(0);
    expect(discountExpiryValue(10, d)).toBe(10 * d.long);
  });
});

describe("skew", () => {
  it("cap, k* and the clamp (hand calculation at τ = 0.25)", () => {
    const s = skewShape(0.25, params.skew);
    expect(s.cap).toBeCloseTo(-0.05 * 0.5 + 0.15, 14); // 0.125
    expect(s.kStar).toBeCloseTo(0.5 * 4 * (0.6 - 0.5 * 0.1), 14); // 1.1
    // k = ln(1.1) = 0.0953: tilt = 0.0953 × 0.125 / 1.1 = 0.01083 (inside ±cap)
    const k = Math.log(1.1);
    expect(skewShockedVolDecimal(0.5, 110, 100, "linear", s)).toBeCloseTo(0.5 * (1 + (k * 0.125) / 1.1), 14);
    expect(skewShockedVolDecimal(0.5, 100 / 1.1, 100, "linear", s)).toBeCloseTo(0.5 * (1 - (k * 0.125) / 1.1), 14);
    expect(skewShockedVolDecimal(0.5, 100 / 1.1, 100, "abs", s)).toBeCloseTo(0.5 * (1 + (k * 0.125) / 1.1), 14);
    // Far strike: clamped at ±cap.
    expect(skewShockedVolDecimal(0.5, 1e6, 100, "linear", s)).toBeCloseTo(0.5 * 1.125, 14);
    expect(skewShockedVolDecimal(0.5, 1e-3, 100, "linear", s)).toBeCloseTo(0.5 * 0.875, 14);
  });

  it("k* floors at minKStar at expiry", () => {
    expect(skewShape(0, params.skew)).toEqual({ cap: 0.15, kStar: 0.01 });
  });
});

describe("basis contingency of an expiry", () => {
  it("min(up − base, down − base, 0) × weight", () => {
    expect(expiryBasisContingency(90, 120, 100, 0.6)).toEqual({ contingencyUsdc: -6, side: "up" });
    expect(expiryBasisContingency(130, 70, 100, 0.5)).toEqual({ contingencyUsdc: -15, side: "down" });
    expect(expiryBasisContingency(101, 102, 100, 0.5)).toEqual({ contingencyUsdc: 0, side: "none" });
  });
});

const leg = (strikeUsd: number, sizeCoin: number, isCall = true, volConfidence = 1): DeriveOptionLeg => ({
  name: `X-${strikeUsd}-${isCall ? "C" : "P"}`,
  sizeCoin,
  isCall,
  strikeUsd,
  volDecimal: 0.5,
  volConfidence,
});
const expiry = (legs: DeriveOptionLeg[], forwardConfidence = 1): DeriveExpiryInput => ({
  expiryMs: 0,
  secondsToExpiry: 10 * 86_400,
  forwardUsd: 100,
  rateDecimal: 0,
  forwardConfidence,
  rateConfidence: 1,
  legs,
});

describe("contingencies", () => {
  it("naked shorts net per strike (calls and puts together), not across strikes", () => {
    expect(nakedShortCoins(expiry([leg(100, -1), leg(110, 1)]))).toBe(1); // call spread: short leg pays
    expect(nakedShortCoins(expiry([leg(100, -2), leg(100, 1, false)]))).toBe(1); // same strike, put offsets call
    expect(nakedShortCoins(expiry([leg(100, -1), leg(100, 3)]))).toBe(0);
    expect(nakedShortCoins(expiry([leg(90, -1, false), leg(110, -2)]))).toBe(3);
  });

  it("perp, option, collateral and oracle contingencies (hand calculation)", () => {
    const b: DeriveBucketInput = {
      base: "ETH",
      spotUsd: 2000,
      spotConfidence: 0.9,
      perpConfidence: 0.5, // below 0.55: perp and every expiry charged
      stableUsd: 1,
      cashUsdc: 0,
      perp: { name: "ETH_USDC-PERPETUAL", sizeCoin: -2, priceUsd: 2010, unrealisedPnlUsdc: 0, unrealisedFundingUsdc: 0 },
      expiries: [expiry([leg(100, -1), leg(110, 1)])],
      collaterals: [
        { currency: "ETH", amount: 1, priceUsd: 2000, confidence: 0.2, params: { riskCancelling: true, mmHaircutDecimal: 0.1, imHaircutDecimal: 0.2 } },
      ],
    };
    const c = deriveContingencies(b, params);
    expect(c.perpMm).toBeCloseTo(2 * 2000 * 0.015, 10); // 60
    expect(c.perpIm).toBeCloseTo(2 * 2000 * 0.005, 10); // 20
    expect(c.optionMm).toBeCloseTo(1 * 2000 * 0.003, 10); // 6
    expect(c.optionIm).toBeCloseTo(1 * 2000 * 0.002, 10); // 4
    expect(c.collateralMm).toBeCloseTo(200, 10);
    expect(c.collateralIm).toBeCloseTo(400, 10);
    // Oracle: perp (1 − 0.5) × 4000 = 2000; expiry (1 − 0.5) × 2 coins × 2000 = 2000; collateral (1 − 0.2) × 2000 = 1600.
    expect(c.oracleIm).toBeCloseTo(5600, 10);
    expect(c.mm).toBeCloseTo(60 + 6 + 200, 10);
    expect(c.im).toBeCloseTo(20 + 4 + 400 + 5600, 10);
  });
});

describe("scenario ids", () => {
  it("follow the risk layer's format", () => {
    expect(deriveScenarioId({ spotMultiplier: 1.18, vol: "up", dampeningDecimal: 1, tail: false })).toBe("std:+18%:up");
    expect(deriveScenarioId({ spotMultiplier: 0.955, vol: "down", dampeningDecimal: 1, tail: false })).toBe("std:-4.5%:down");
    expect(deriveScenarioId({ spotMultiplier: 4, vol: "up", dampeningDecimal: 0.012, tail: true })).toBe("ext:+300%:up");
  });
});
