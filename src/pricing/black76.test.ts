import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { black76PriceCoin, black76PriceUsd, inverseFuturePnlCoin } from "./black76.js";
import type { Black76Input } from "./black76.js";
import {
  coinToUsdNotional,
  inverseFuturePnlCoinFromNotional,
  linearFuturePnlUsd,
  usdNotionalToCoin,
} from "./futures.js";

const EPS = Number.EPSILON;

describe("published Black-76 examples", () => {
  it("Hull, Options, Futures and Other Derivatives, Black's model: F = K = 20, r = 9 %, σ = 25 %, T = 4/12: put 1.12", () => {
    const put = black76PriceUsd({
      isCall: false, forwardUsd: 20, strikeUsd: 20, timeYears: 4 / 12, volDecimal: 0.25, rateDecimal: 0.09,
    });
    // Published to 2 decimals: |error| < 0.005.
    expect(Math.abs(put - 1.12)).toBeLessThan(0.005);
  });

  it("Haug, The Complete Guide to Option Pricing Formulas, Black-76: F = K = 19, T = 0.75, r = 10 %, σ = 28 %: c = p = 1.7011", () => {
    const base = { forwardUsd: 19, strikeUsd: 19, timeYears: 0.75, volDecimal: 0.28, rateDecimal: 0.1 };
    // Published to 4 decimals: |error| < 0.00005.
    expect(Math.abs(black76PriceUsd({ ...base, isCall: true }) - 1.7011)).toBeLessThan(0.00005);
    expect(Math.abs(black76PriceUsd({ ...base, isCall: false }) - 1.7011)).toBeLessThan(0.00005);
  });

  it("inverse payoff at expiry (Deribit docs): a 10,000 call with delivery 12,500 pays 2,500/12,500 = 0.2 BTC", () => {
    const i = { isCall: true, forwardUsd: 12500, strikeUsd: 10000, timeYears: 0, volDecimal: 0.5 };
    expect(black76PriceCoin(i)).toBe(0.2);
  });
});

// Inputs where every quantity is well inside double range: F and K from 1 to 1e6 with K/F in [1/3, 3].
const inputArb = fc
  .record({
    isCall: fc.boolean(),
    forwardUsd: fc.double({ min: 1, max: 1e6, noNaN: true }),
    moneyness: fc.double({ min: 1 / 3, max: 3, noNaN: true }),
    timeYears: fc.double({ min: 1 / (24 * 365.25), max: 3, noNaN: true }),
    volDecimal: fc.double({ min: 0.01, max: 5, noNaN: true }),
    rateDecimal: fc.double({ min: -0.02, max: 0.2, noNaN: true }),
  })
  .map(
    (r): Black76Input => ({
      isCall: r.isCall,
      forwardUsd: r.forwardUsd,
      strikeUsd: r.forwardUsd * r.moneyness,
      timeYears: r.timeYears,
      volDecimal: r.volDecimal,
      rateDecimal: r.rateDecimal,
    }),
  );

describe("Black-76 properties", () => {
  it("linear put–call parity: C − P = D·(F − K)", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const c = black76PriceUsd({ ...i, isCall: true });
        const p = black76PriceUsd({ ...i, isCall: false });
        const d = Math.exp(-(i.rateDecimal ?? 0) * i.timeYears);
        // Each price is accurate to a few EPS of max(F, K) in absolute terms (the intrinsic part dominates the
        // error of the in-the-money leg): allow 16 EPS·D·(F + K).
        expect(Math.abs(c - p - d * (i.forwardUsd - i.strikeUsd))).toBeLessThanOrEqual(16 * EPS * d * (i.forwardUsd + i.strikeUsd));
      }),
      { numRuns: 1000 },
    );
  });

  it("inverse put–call parity: C − P = D·(F − K)/F in coin", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const c = black76PriceCoin({ ...i, isCall: true });
        const p = black76PriceCoin({ ...i, isCall: false });
        const d = Math.exp(-(i.rateDecimal ?? 0) * i.timeYears);
        const f = i.forwardUsd;
        expect(Math.abs(c - p - (d * (f - i.strikeUsd)) / f)).toBeLessThanOrEqual((16 * EPS * d * (f + i.strikeUsd)) / f);
      }),
      { numRuns: 1000 },
    );
  });

  it("is non-decreasing in volatility and monotone in strike (calls fall, puts rise)", () => {
    fc.assert(
      fc.property(inputArb, fc.double({ min: 1.0001, max: 2, noNaN: true }), (i, factor) => {
        const v0 = black76PriceUsd(i);
        expect(black76PriceUsd({ ...i, volDecimal: i.volDecimal * factor })).toBeGreaterThanOrEqual(v0);
        const higherK = black76PriceUsd({ ...i, strikeUsd: i.strikeUsd * factor });
        if (i.isCall) expect(higherK).toBeLessThanOrEqual(v0);
        else expect(higherK).toBeGreaterThanOrEqual(v0);
      }),
      { numRuns: 1000 },
    );
  });

  it("stays within its no-arbitrage bounds and is finite and non-negative", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const v = black76PriceUsd(i);
        const d = Math.exp(-(i.rateDecimal ?? 0) * i.timeYears);
        const intrinsic = d * Math.max(i.isCall ? i.forwardUsd - i.strikeUsd : i.strikeUsd - i.forwardUsd, 0);
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(intrinsic - 8 * EPS * d * (i.forwardUsd + i.strikeUsd));
        expect(v).toBeLessThanOrEqual(d * (i.isCall ? i.forwardUsd : i.strikeUsd));
      }),
      { numRuns: 1000 },
    );
  });

  it("degenerates to the discounted intrinsic value at T = 0 and at σ = 0", () => {
    const base = { forwardUsd: 100, strikeUsd: 90, rateDecimal: 0.05 };
    expect(black76PriceUsd({ ...base, isCall: true, timeYears: 0, volDecimal: 0.5 })).toBe(10);
    expect(black76PriceUsd({ ...base, isCall: false, timeYears: 0, volDecimal: 0.5 })).toBe(0);
    expect(black76PriceUsd({ ...base, isCall: true, timeYears: 2, volDecimal: 0 })).toBe(10 * Math.exp(-0.1));
    expect(black76PriceUsd({ ...base, isCall: false, timeYears: 2, volDecimal: 0 })).toBe(0);
    // Continuity: a vol of 1e−9 is indistinguishable from 0 for an option 10 % in the money (the intrinsic value
    // then comes from √(FK)·2·sinh(x/2), a few roundings from F − K: 4 EPS of F).
    const nearZeroVol = black76PriceUsd({ ...base, isCall: true, timeYears: 2, volDecimal: 1e-9 });
    expect(Math.abs(nearZeroVol - 10 * Math.exp(-0.1))).toBeLessThanOrEqual(4 * EPS * 100);
  });
});

describe("futures and perpetual P&L conventions", () => {
  it("reproduces Deribit's pme/simulate risk vector: 0.314538364 BTC at −16 % gives −0.0599120693 BTC", () => {
    // reference/deribit-pm.md §2.9, 10-decimal figure from the API response.
    expect(Math.abs(inverseFuturePnlCoin(0.314538364, -0.16) - -0.0599120693)).toBeLessThan(1e-10);
  });

  it("USD-notional and coin-size forms of the inverse P&L agree: N·(1/P0 − 1/P1) = q·m/(1+m) with q = N/P0", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -1e7, max: 1e7 }), // USD notionals (whole dollars, as orders are)
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        fc.double({ min: -0.9, max: 5, noNaN: true }),
        (notionalUsd, p0, m) => {
          const p1 = p0 * (1 + m);
          const fromNotional = inverseFuturePnlCoinFromNotional(notionalUsd, p0, p1);
          const fromCoin = inverseFuturePnlCoin(usdNotionalToCoin(notionalUsd, p0), p1 / p0 - 1);
          // Both forms are a handful of roundings apart; scale by the P&L size |q|·max(1, |m|/(1+m)).
          const scale = (Math.abs(notionalUsd) / p0) * Math.max(1, Math.abs(m) / (1 + m));
          expect(Math.abs(fromNotional - fromCoin)).toBeLessThanOrEqual(16 * EPS * scale);
        },
      ),
      { numRuns: 1000 },
    );
  });

  it("linear P&L is size × price change in USD; a long inverse future gains less coin than it loses on the way down", () => {
    expect(linearFuturePnlUsd(2, 60000, 63000)).toBe(6000);
    expect(linearFuturePnlUsd(-0.5, 3000, 2900)).toBe(50);
    // +10 % then −10 % in coin for 1 BTC of exposure: 0.1/1.1 and −0.1/0.9.
    expect(inverseFuturePnlCoin(1, 0.1)).toBeCloseTo(0.0909090909, 9);
    expect(inverseFuturePnlCoin(1, -0.1)).toBeCloseTo(-0.1111111111, 9);
    expect(coinToUsdNotional(usdNotionalToCoin(10000, 80000), 80000)).toBeCloseTo(10000, 9);
    // 10,000 USD long from 80,000 to 100,000: 10000·(1/80000 − 1/100000) = 0.025 BTC.
    expect(inverseFuturePnlCoinFromNotional(10000, 80000, 100000)).toBeCloseTo(0.025, 15);
  });
});
