import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { NetriskError } from "../errors.js";
import { black76PriceCoin, black76PriceUsd } from "./black76.js";
import { buildMarketContext } from "./build-context.js";
import type { BuiltMarketContext } from "./build-context.js";
import { parseInstrument } from "../market/instrument.js";
import type { FutureInstrument, MarketSnapshot, OptionInstrument, PerpetualInstrument } from "../market/types.js";
import { MS_PER_YEAR } from "../market/types.js";

// The minimum format's example (Deribit pme/simulate docs, ../shared/reference/deribit-pm.md §5 W1).
const TS = Date.parse("2024-06-17T10:22:20.501Z");
const EXAMPLE: MarketSnapshot = {
  timestampMs: TS,
  indexUsd: { BTC: 65666.19 },
  instruments: {
    "BTC-PERPETUAL": { markPrice: 65910.57 },
    "BTC-28JUN24": { markPrice: 67371.75 },
    "BTC-28JUN24-70000-C": { markIv: 0.55, underlyingPrice: 67371.75 },
  },
};

function inst<T>(name: string): T {
  const r = parseInstrument(name);
  if (!r.ok) throw new Error(name);
  return r.value as T;
}

function build(snapshot: MarketSnapshot): BuiltMarketContext {
  const r = buildMarketContext(snapshot);
  if (!r.ok) throw new NetriskError(r.issues);
  return r.value;
}

describe("buildMarketContext: the minimal example", () => {
  const ctx = build(EXAMPLE);

  it("exposes time, bases and index", () => {
    expect(ctx.asOfMs).toBe(TS);
    expect(ctx.bases).toEqual(["BTC"]);
    expect(ctx.indexUsd("BTC")).toBe(65666.19);
    expect(() => ctx.indexUsd("ETH")).toThrow(NetriskError);
  });

  it("gives a quoted option its own forward, mark IV, ACT/365.25 time and rate 0", () => {
    const expiry = Date.UTC(2024, 5, 28, 8);
    expect(ctx.optionInputs(inst<OptionInstrument>("BTC-28JUN24-70000-C"))).toEqual({
      forwardUsd: 67371.75,
      volDecimal: 0.55,
      timeYears: (expiry - TS) / MS_PER_YEAR,
      rateDecimal: 0,
      volSource: "mark-iv",
    });
  });

  it("marks futures and perpetuals from quotes, else on the curve / at the index", () => {
    expect(ctx.futureMarkUsd(inst<PerpetualInstrument>("BTC-PERPETUAL"))).toBe(65910.57);
    expect(ctx.futureMarkUsd(inst<FutureInstrument>("BTC-28JUN24"))).toBe(67371.75);
    expect(ctx.futureMarkUsd(inst<PerpetualInstrument>("BTC_USDC-PERPETUAL"))).toBe(65666.19);
    // Unquoted BTC-27SEP24: one node (28JUN24), its carry rate continued. By hand:
    // r = ln(67371.75/65666.19)/T1, F = 65666.19·exp(r·T2).
    const t1 = (Date.UTC(2024, 5, 28, 8) - TS) / MS_PER_YEAR;
    const t2 = (Date.UTC(2024, 8, 27, 8) - TS) / MS_PER_YEAR;
    const want = 65666.19 * Math.exp((Math.log(67371.75 / 65666.19) / t1) * t2);
    expect(Math.abs(ctx.futureMarkUsd(inst<FutureInstrument>("BTC-27SEP24")) / want - 1)).toBeLessThan(1e-12);
    expect(() => ctx.futureMarkUsd(inst<OptionInstrument>("BTC-28JUN24-70000-C"))).toThrow(NetriskError);
  });

  it("prices unquoted options with the curve forward and the surface vol (one quote: a flat smile)", () => {
    const put = ctx.optionInputs(inst<OptionInstrument>("BTC-28JUN24-60000-P"));
    expect(put.forwardUsd).toBe(67371.75);
    // A single quote makes a flat slice: the surface returns the quoted vol at any strike (fit tolerance 1e-9).
    expect(Math.abs(put.volDecimal - 0.55)).toBeLessThan(1e-9);
    expect(Math.abs(ctx.surfaceVol("BTC", 70000, Date.UTC(2024, 5, 28, 8)) - 0.55)).toBeLessThan(1e-9);
    expect(ctx.volSurface("BTC")?.base).toBe("BTC");
  });

  it("throws a NetriskError (not NaN) where no surface or forward can exist", () => {
    const noOptions = build({ ...EXAMPLE, indexUsd: { BTC: 65666.19, ETH: 3500 }, instruments: { "ETH-PERPETUAL": { markPrice: 3501 } } });
    expect(noOptions.volSurface("ETH")).toBeUndefined();
    expect(() => noOptions.surfaceVol("ETH", 3500, Date.UTC(2024, 5, 28, 8))).toThrow(/missing_vol/);
    expect(() => noOptions.optionInputs(inst<OptionInstrument>("ETH-28JUN24-3500-C"))).toThrow(/missing_vol/);
    expect(() => ctx.surfaceVol("BTC", 70000, TS)).toThrow(/expired_instrument/);
    expect(() => ctx.forwardUsd("SOL", TS + 1)).toThrow(/missing_index/);
  });
});

describe("buildMarketContext: vol implied from a mark price", () => {
  const expiry = Date.UTC(2024, 5, 28, 8);
  const T = (expiry - TS) / MS_PER_YEAR;

  it("inverts inverse (coin) and linear (USD) prices back to the vol that produced them (fast-check)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0.1, max: 2, noNaN: true }),
        fc.integer({ min: 50, max: 90 }).map((k) => k * 1000),
        fc.boolean(),
        fc.double({ min: -0.05, max: 0.1, noNaN: true }),
        (vol, strike, isCall, usdcRate) => {
          const F = 67371.75;
          const coin = black76PriceCoin({ isCall, forwardUsd: F, strikeUsd: strike, timeYears: T, volDecimal: vol });
          const usd = black76PriceUsd({ isCall, forwardUsd: F, strikeUsd: strike, timeYears: T, volDecimal: vol, rateDecimal: usdcRate });
          const cp = isCall ? "C" : "P";
          const ctx = buildMarketContext({
            ...EXAMPLE,
            ratesDecimal: { USDC: usdcRate },
            instruments: {
              [`BTC-28JUN24-${strike}-${cp}`]: { markPrice: coin, underlyingPrice: F },
              [`BTC_USDC-28JUN24-${strike}-${cp}`]: { markPrice: usd, underlyingPrice: F },
            },
          });
          // Standardised distance from the money: beyond ~4 the time value is below 1e-4 of the price and the vol is
          // ill-conditioned (many vols give the same double price), so only the repriced value is compared there.
          const distance = Math.abs(Math.log(F / strike)) / (vol * Math.sqrt(T));
          if (!ctx.ok) {
            // Only there may the rounded price fall on or below intrinsic; that is reported as data, never NaN.
            expect(distance).toBeGreaterThan(4);
            for (const i of ctx.issues) expect(["price_below_intrinsic", "no_implied_vol"]).toContain(i.code);
            return;
          }
          for (const [name, price, linear] of [[`BTC-28JUN24-${strike}-${cp}`, coin, false], [`BTC_USDC-28JUN24-${strike}-${cp}`, usd, true]] as const) {
            const q = ctx.value.quotedOptions[name];
            expect(q?.volSource).toBe("implied-from-price");
            const input = { isCall, forwardUsd: F, strikeUsd: strike, timeYears: T, volDecimal: q?.volDecimal ?? NaN };
            const repriced = linear ? black76PriceUsd({ ...input, rateDecimal: usdcRate }) : black76PriceCoin(input);
            // Repricing at the implied vol gives the quoted price back to 1e-12 relative (a few ulps).
            expect(Math.abs(repriced / price - 1)).toBeLessThan(1e-12);
            // And the vol itself to 1e-7 where it is well conditioned.
            if (distance < 4) expect(Math.abs((q?.volDecimal ?? NaN) - vol)).toBeLessThan(1e-7);
          }
          expect(ctx.value.quotedOptions[`BTC_USDC-28JUN24-${strike}-${cp}`]?.rateDecimal).toBe(usdcRate);
          expect(ctx.value.quotedOptions[`BTC-28JUN24-${strike}-${cp}`]?.rateDecimal).toBe(0);
        },
      ),
      { numRuns: 200 },
    );
  });

  it("reports an impossible price at instruments.<name>.markPrice", () => {
    // An inverse call is worth less than 1 coin (its USD value is below the forward).
    const r = buildMarketContext({ ...EXAMPLE, instruments: { "BTC-28JUN24-60000-C": { markPrice: 1.2, underlyingPrice: 67371.75 } } });
    expect(r.ok || r.issues[0]).toMatchObject({ code: "price_above_bound", path: "instruments.BTC-28JUN24-60000-C.markPrice" });
    // Below intrinsic: (F − K)/F = 0.1094 coin for this call.
    const low = buildMarketContext({ ...EXAMPLE, instruments: { "BTC-28JUN24-60000-C": { markPrice: 0.1, underlyingPrice: 67371.75 } } });
    expect(low.ok || low.issues[0]).toMatchObject({ code: "price_below_intrinsic", path: "instruments.BTC-28JUN24-60000-C.markPrice" });
  });
});

describe("buildMarketContext: input checks and eager surfaces", () => {
  it("returns checkSnapshot's issues for a snapshot built in code", () => {
    const r = buildMarketContext({ ...EXAMPLE, indexUsd: { BTC: NaN } });
    expect(r.ok || r.issues[0]).toMatchObject({ code: "non_finite", path: "index.BTC" });
  });

  it("fits surfaces up front with volSurfaces: eager", () => {
    const r = buildMarketContext(EXAMPLE, { volSurfaces: "eager", volSurface: { weighting: "uniform" } });
    expect(r.ok && r.value.volSurface("BTC")?.expiriesMs).toEqual([Date.UTC(2024, 5, 28, 8)]);
    const bad = buildMarketContext(EXAMPLE, { volSurfaces: "eager", volSurface: { maxWingSlope: 3 } });
    expect(bad.ok || bad.issues[0]).toMatchObject({ code: "out_of_range", path: "volSurface.BTC.options.maxWingSlope" });
  });
});
