import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { describeWithSharedData, sharedData, whenSharedData } from "../../test/helpers/requires.js";
import fc from "fast-check";
import { black76PriceCoin, black76PriceUsd } from "./black76.js";
import type { Black76Input } from "./black76.js";
import { black76Greeks, black76InverseGreeks, DAYS_PER_YEAR } from "./greeks.js";
import { impliedVolCoin } from "./implied-vol.js";

// Well-conditioned inputs for finite differences: strike within 3 total standard deviations of the forward.
const inputArb = fc
  .record({
    isCall: fc.boolean(),
    forwardUsd: fc.double({ min: 10, max: 2e5, noNaN: true }),
    z: fc.double({ min: -3, max: 3, noNaN: true }),
    timeYears: fc.double({ min: 0.01, max: 3, noNaN: true }),
    volDecimal: fc.double({ min: 0.05, max: 3, noNaN: true }),
    rateDecimal: fc.double({ min: -0.02, max: 0.1, noNaN: true }),
  })
  .map((r): Black76Input => {
    const s = r.volDecimal * Math.sqrt(r.timeYears);
    return {
      isCall: r.isCall,
      forwardUsd: r.forwardUsd,
      strikeUsd: r.forwardUsd * Math.exp(r.z * s),
      timeYears: r.timeYears,
      volDecimal: r.volDecimal,
      rateDecimal: r.rateDecimal,
    };
  });

/** Central difference of g at a with step h. */
const central = (g: (v: number) => number, a: number, h: number): number => (g(a + h) - g(a - h)) / (2 * h);

/**
 * Finite-difference tolerance: steps are 1e−4 of the natural scale (F·min(s, 1) for F, σ, T, and 1e−4 for r), so
 * the O(step²) truncation is about 1e−8 relative; rounding adds EPS·|value|/step. Allow 1e−6 relative plus 100
 * times that rounding floor.
 */
function expectClose(analytic: number, fd: number, roundingFloor: number, scale = Math.abs(analytic)): void {
  expect(Math.abs(analytic - fd)).toBeLessThanOrEqual(1e-6 * scale + 100 * roundingFloor);
}

const EPS = Number.EPSILON;

describe("linear Greeks equal central finite differences of the price", () => {
  it("delta, gamma, vega, theta, rho", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const g = black76Greeks(i);
        const f = i.forwardUsd;
        const s = i.volDecimal * Math.sqrt(i.timeYears);
        const hF = 1e-4 * f * Math.min(s, 1);
        const vAt = (patch: Partial<Black76Input>): number => black76PriceUsd({ ...i, ...patch });
        const floor = (EPS * Math.max(g.priceUsd, 1e-12 * f)) / hF;
        expectClose(g.deltaCoin, central((F) => vAt({ forwardUsd: F }), f, hF), floor);
        expectClose(g.gammaPerUsd, central((F) => black76Greeks({ ...i, forwardUsd: F }).deltaCoin, f, hF), EPS / hF);
        const hV = 1e-4 * i.volDecimal;
        expectClose(g.vegaUsdPerVol, central((v) => vAt({ volDecimal: v }), i.volDecimal, hV), (EPS * g.priceUsd) / hV);
        const hT = 1e-4 * i.timeYears;
        // Theta is −∂V/∂T: the value as calendar time passes. It is r·V plus the (negative) decay, which can nearly
        // cancel, so the relative tolerance applies to the larger part (|θ| + 2·|r|·V bounds both).
        const rV = Math.abs(i.rateDecimal ?? 0) * g.priceUsd;
        expectClose(g.thetaUsdPerYear, -central((t) => vAt({ timeYears: t }), i.timeYears, hT), (EPS * g.priceUsd) / hT,
          Math.abs(g.thetaUsdPerYear) + 2 * rV);
        const hR = 1e-4;
        expectClose(g.rhoUsdPerRate, central((r) => vAt({ rateDecimal: r }), i.rateDecimal ?? 0, hR), (EPS * g.priceUsd) / hR);
        // Unit variants.
        expect(g.vegaUsdPerVolPoint).toBe(g.vegaUsdPerVol / 100);
        expect(g.thetaUsdPerDay).toBe(g.thetaUsdPerYear / DAYS_PER_YEAR);
        expect(g.rhoUsdPerPercent).toBe(g.rhoUsdPerRate / 100);
        expect(g.priceUsd).toBe(black76PriceUsd(i));
      }),
      { numRuns: 300 },
    );
  });
});

describe("inverse (coin) Greeks equal central finite differences of the coin price", () => {
  it("deltaCoinPerUsd, gammaCoinPerUsd2, vega/theta/rho in coin, and Deribit's delta = F·∂priceCoin/∂F", () => {
    fc.assert(
      fc.property(inputArb, (i) => {
        const g = black76InverseGreeks(i);
        const f = i.forwardUsd;
        const s = i.volDecimal * Math.sqrt(i.timeYears);
        const hF = 1e-4 * f * Math.min(s, 1);
        const cAt = (patch: Partial<Black76Input>): number => black76PriceCoin({ ...i, ...patch });
        const dFd = central((F) => cAt({ forwardUsd: F }), f, hF);
        const floor = (EPS * Math.max(g.priceCoin, 1e-12)) / hF;
        expectClose(g.deltaCoinPerUsd, dFd, floor);
        expectClose(g.deltaCoin, f * dFd, f * floor);
        const gFd = central((F) => black76InverseGreeks({ ...i, forwardUsd: F }).deltaCoinPerUsd, f, hF);
        // Coin gamma = (usd gamma − 2·NTD/F)/F can cancel to ~0 (seeds 7, 10: F = K, s ≈ 0.48), so the difference's
        // truncation error is relative to the size of those two terms, not to their near-zero difference.
        const gammaTerms = (Math.abs(g.usd.gammaPerUsd) + Math.abs((2 * g.deltaCoin) / f)) / f;
        expectClose(g.gammaCoinPerUsd2, gFd, (EPS * Math.abs(g.deltaCoinPerUsd) + EPS / f) / hF, Math.max(Math.abs(g.gammaCoinPerUsd2), gammaTerms));
        const hV = 1e-4 * i.volDecimal;
        expectClose(g.vegaCoinPerVol, central((v) => cAt({ volDecimal: v }), i.volDecimal, hV), (EPS * g.priceCoin) / hV);
        const hT = 1e-4 * i.timeYears;
        const rC = Math.abs(i.rateDecimal ?? 0) * g.priceCoin; // see the linear theta check
        expectClose(g.thetaCoinPerYear, -central((t) => cAt({ timeYears: t }), i.timeYears, hT), (EPS * g.priceCoin) / hT,
          Math.abs(g.thetaCoinPerYear) + 2 * rC);
        expectClose(g.rhoCoinPerRate, central((r) => cAt({ rateDecimal: r }), i.rateDecimal ?? 0, 1e-4), (EPS * g.priceCoin) / 1e-4);
        // NTD definition: Black delta (of the USD value) minus the coin price.
        expect(g.deltaCoin).toBe(g.usd.deltaCoin - g.priceCoin);
        expect(g.thetaCoinPerDay).toBe(g.thetaCoinPerYear / DAYS_PER_YEAR);
      }),
      { numRuns: 300 },
    );
  });

  it("matches Deribit's worked example: a deep ITM call with Black delta 1 and mark 0.3 BTC has delta 0.7", () => {
    // reference/deribit-pm.md W6: "delta 1.0 and mark 0.3": at expiry with F = 10,000 and K = 7,000 the coin price
    // is (F − K)/F = 0.3 and NTD = 1 − 0.3.
    const g = black76InverseGreeks({ isCall: true, forwardUsd: 10000, strikeUsd: 7000, timeYears: 0, volDecimal: 0.6 });
    expect(g.usd.deltaCoin).toBe(1);
    expect(g.priceCoin).toBeCloseTo(0.3, 15);
    expect(g.deltaCoin).toBeCloseTo(0.7, 15);
  });
});

describe("degenerate Greeks", () => {
  it("at T = 0: step delta, zero gamma/vega/theta/rho", () => {
    const base = { forwardUsd: 100, timeYears: 0, volDecimal: 0.5, rateDecimal: 0.03 };
    const itm = black76Greeks({ ...base, isCall: true, strikeUsd: 90 });
    expect(itm).toMatchObject({ priceUsd: 10, deltaCoin: 1, gammaPerUsd: 0, vegaUsdPerVol: 0, thetaUsdPerYear: 0 });
    expect(itm.rhoUsdPerRate === 0).toBe(true); // −0 is fine
    expect(black76Greeks({ ...base, isCall: false, strikeUsd: 90 }).deltaCoin === 0).toBe(true);
    expect(black76Greeks({ ...base, isCall: false, strikeUsd: 110 }).deltaCoin).toBe(-1);
    expect(black76Greeks({ ...base, isCall: true, strikeUsd: 100 }).deltaCoin).toBe(0.5);
  });

  it("stay finite when σ√T underflows the moneyness (d1 = ±Infinity)", () => {
    for (const isCall of [true, false]) {
      const g = black76InverseGreeks({ isCall, forwardUsd: 100, strikeUsd: 90, timeYears: 1, volDecimal: 1e-320 });
      for (const v of [g.priceCoin, g.deltaCoin, g.gammaCoinPerUsd2, g.vegaCoinPerVol, g.thetaCoinPerYear, g.rhoCoinPerRate]) {
        expect(Number.isFinite(v)).toBe(true);
      }
      expect(g.usd.deltaCoin).toBe(isCall ? 1 : -0);
    }
  });

  it("at σ = 0, T > 0: theta is r·V, vega is its σ → 0 limit (non-zero only at the money)", () => {
    const base = { forwardUsd: 100, timeYears: 1, volDecimal: 0, rateDecimal: 0.05 };
    const d = Math.exp(-0.05);
    const itm = black76Greeks({ ...base, isCall: true, strikeUsd: 90 });
    expect(itm.priceUsd).toBe(10 * d);
    expect(itm.thetaUsdPerYear).toBe(0.05 * itm.priceUsd);
    expect(itm.vegaUsdPerVol).toBe(0);
    const atm = black76Greeks({ ...base, isCall: true, strikeUsd: 100 });
    // lim σ→0 of D·F·φ(d1)·√T with d1 → 0: D·F/√(2π) at T = 1; equals the vega at σ = 1e−9 to 1e−12.
    const tiny = black76Greeks({ ...base, isCall: true, strikeUsd: 100, volDecimal: 1e-9 });
    expect(Math.abs(atm.vegaUsdPerVol / tiny.vegaUsdPerVol - 1)).toBeLessThan(1e-12);
  });
});

describeWithSharedData("against Deribit's BTC/ETH chain of 2025-12-30 17:31 UTC (real marks and ticker Greeks)", () => {
  // ../shared/data (see data/SOURCES.md): mark IV as a decimal, underlying = the expiry's forward in USD,
  // time_to_maturity in ACT/365.25 years, delta = Deribit ticker delta, vega = USD per vol point. Ticker Greeks were
  // fetched seconds to minutes after the marks, and IVs are rounded to 4 decimals, so agreement is statistical.
  const csv = whenSharedData(() => readFileSync(sharedData("deribit_btc_eth_options_20251230T1731Z.csv"), "utf8")) ?? "";
  const [header = "", ...lines] = csv.trim().split("\n");
  const cols = header.split(",");
  const col = (name: string): number => cols.indexOf(name);
  const rows = lines.map((l) => {
    const c = l.split(",");
    const num = (name: string): number => Number(c[col(name)]);
    return {
      name: c[col("instrument_name")] ?? "",
      input: {
        isCall: c[col("option_type")] === "call",
        forwardUsd: num("underlying"),
        strikeUsd: num("strike"),
        timeYears: num("time_to_maturity"),
        volDecimal: num("implied_volatility"),
      } satisfies Black76Input,
      markCoin: num("mark_price"),
      delta: num("delta"),
      vegaUsd: num("vega"),
    };
  });
  const median = (a: number[]): number => [...a].sort((p, q) => p - q)[Math.floor(a.length / 2)] ?? NaN;

  it("Deribit's ticker delta is the plain Black delta usd.deltaCoin, not the NTD", () => {
    expect(rows.length).toBe(1304);
    const black = rows.map((r) => Math.abs(black76InverseGreeks(r.input).usd.deltaCoin - r.delta));
    // Every row within 0.01 (worst measured 0.0063), median 1.1e−4.
    expect(Math.max(...black)).toBeLessThan(0.01);
    expect(median(black)).toBeLessThan(5e-4);
    // The NTD differs from it by the coin price: > 0.05 wherever the option is worth more than 0.05 coin.
    for (const r of rows) {
      const g = black76InverseGreeks(r.input);
      if (g.priceCoin > 0.05) expect(Math.abs(g.deltaCoin - r.delta)).toBeGreaterThan(0.04);
    }
  });

  it("vega per vol point in USD matches Deribit's vega (median 0.08 % relative, all within 3 %)", () => {
    const rel = rows.filter((r) => r.vegaUsd > 1).map((r) => Math.abs(black76Greeks(r.input).vegaUsdPerVolPoint / r.vegaUsd - 1));
    expect(median(rel)).toBeLessThan(2e-3);
    expect(Math.max(...rel)).toBeLessThan(0.03);
  });

  it("the implied vol of each coin mark price is Deribit's mark IV (median 2e−4), and marks under intrinsic are refused", () => {
    const diffs: number[] = [];
    for (const r of rows) {
      const res = impliedVolCoin({ ...r.input, priceCoin: r.markCoin });
      if (res.ok) {
        diffs.push(Math.abs(res.value - r.input.volDecimal));
        continue;
      }
      // Five options expiring the next morning have marks below intrinsic against this forward: check it
      // independently and check the code.
      expect(res.issues[0]?.code).toBe("price_below_intrinsic");
      const { isCall, forwardUsd: f, strikeUsd: k } = r.input;
      expect(r.markCoin).toBeLessThan(Math.max(isCall ? f - k : k - f, 0) / f);
    }
    expect(diffs.length).toBeGreaterThanOrEqual(1299);
    expect(median(diffs)).toBeLessThan(1e-3);
  });
});
