import { describe, expect, it } from "vitest";
import { fixedMarket } from "../../../test/contract/fixed-market.js";
import { unwrap } from "../../errors.js";
import { parseInstrument } from "../../market/instrument.js";
import type { DerivativeInstrument } from "../../market/types.js";
import { concentrationAddon, tieredAmount } from "./concentration.js";
import type { ChargeTier } from "./concentration.js";
import { liquidityAddon } from "./liquidity.js";

/** OKX MR7 BTC/ETH tiers before 15 Jan 2025 (../shared/reference/crypto-venues.md §1.2), on the raw charge in USD. */
const OKX: ChargeTier[] = [
  { upToUsd: 10_000, multiplier: 1 },
  { upToUsd: 70_000, multiplier: 2 },
  { upToUsd: 170_000, multiplier: 4 },
  { upToUsd: 300_000, multiplier: 6 },
  { upToUsd: 470_000, multiplier: 8 },
  { upToUsd: 700_000, multiplier: 10 },
  { upToUsd: null, multiplier: 12 },
];

const inst = (name: string): DerivativeInstrument => unwrap(parseInstrument(name)) as DerivativeInstrument;

describe("concentration add-on: incremental tiers (tax brackets)", () => {
  it("reproduces OKX's worked example: raw 30,000 → 10,000×1 + 20,000×2 = 50,000", () => {
    expect(tieredAmount(30_000, OKX)).toBe(50_000);
  });

  it("matches hand-computed brackets", () => {
    // 10k×1 + 60k×2 + 100k×4 + 30k×6 = 710,000.
    expect(tieredAmount(200_000, OKX)).toBe(710_000);
    // 10k + 120k + 400k + 130k×6 + 170k×8 + 230k×10 + 100k×12 = 6,170,000.
    expect(tieredAmount(800_000, OKX)).toBe(6_170_000);
    expect(tieredAmount(10_000, OKX)).toBe(10_000);
    expect(tieredAmount(0, OKX)).toBe(0);
  });

  it("charges per position the tiered raw charge minus the raw charge (0 below the first bracket's end)", () => {
    const params = { default: { rawRateDecimal: 0.0045, tiers: OKX }, byBase: { ETH: { rawRateDecimal: 0.01, tiers: OKX } } };
    const r = concentrationAddon(
      [
        { instrument: "BTC-PERPETUAL", base: "BTC", sizeCoin: -10, indexUsd: 100_000 }, // notional 1M, raw 4,500: inside ×1
        { instrument: "BTC-27MAR26", base: "BTC", sizeCoin: 200, indexUsd: 100_000 }, // notional 20M, raw 90,000
        { instrument: "ETH-PERPETUAL", base: "ETH", sizeCoin: 1000, indexUsd: 3_000 }, // notional 3M, ETH rate 1 %: raw 30,000
      ],
      params,
    );
    expect(r.legs.map((l) => l.rawChargeUsd)).toEqual([4_500, 90_000, 30_000]);
    // raw 90,000: 10k + 60k×2 + 20k×4 = 210,000 → add-on 120,000; raw 30,000 → 50,000 → add-on 20,000.
    expect(r.legs.map((l) => l.addonUsd)).toEqual([0, 120_000, 20_000]);
    expect(r.totalUsd).toBe(140_000);
  });
});

describe("liquidity add-on: half-spread × |size|, scaled up beyond a fraction of open interest", () => {
  const market = fixedMarket({
    timestampMs: Date.parse("2025-12-30T00:00:00Z"),
    indexUsd: { BTC: 90_000 },
    instruments: {
      "BTC-27MAR26-90000-C": { markPrice: 0.011, markIv: 0.5, underlyingPrice: 90_000, bidPrice: 0.01, askPrice: 0.012, openInterest: 200 },
      "BTC_USDC-27MAR26-90000-P": { markPrice: 900, markIv: 0.5, underlyingPrice: 90_000, bidPrice: 880, askPrice: 920 },
      "BTC-PERPETUAL": { markPrice: 90_010, bidPrice: 90_005, askPrice: 90_000 },
    },
  });
  const params = { openInterestFraction: 0.1, excessSlope: 1, fallbackHalfSpreadDecimal: { future: 0.0002, option: 0.0005 } };

  it("hand example: 50 coins of an inverse option, spread 0.002 BTC, OI 200 → 90 × 50 × 2.5 = 11,250 USD", () => {
    // Half-spread 0.001 BTC × 90,000 = 90 USD per coin; threshold 0.1 × 200 = 20; scale 1 + (50 − 20)/20 = 2.5.
    const r = liquidityAddon([{ instrument: inst("BTC-27MAR26-90000-C"), sizeCoin: -50 }], market, params);
    expect(r.legs[0]?.halfSpreadUsdPerCoin).toBeCloseTo(90, 9);
    expect(r.legs[0]?.scale).toBe(2.5);
    expect(r.totalUsd).toBeCloseTo(11_250, 6);
    // Below the threshold the scale is 1: 10 coins → 900 USD.
    expect(liquidityAddon([{ instrument: inst("BTC-27MAR26-90000-C"), sizeCoin: 10 }], market, params).totalUsd).toBeCloseTo(900, 6);
  });

  it("linear option in USD, no open interest → scale 1; a crossed quote falls back to the parameter", () => {
    const r = liquidityAddon(
      [
        { instrument: inst("BTC_USDC-27MAR26-90000-P"), sizeCoin: 3 },
        { instrument: inst("BTC-PERPETUAL"), sizeCoin: -2 },
      ],
      market,
      params,
    );
    expect(r.legs[0]).toMatchObject({ halfSpreadUsdPerCoin: 20, spreadSource: "quote", openInterestCoin: null, scale: 1, addonUsd: 60 });
    // Crossed perp quote (ask < bid): 0.0002 × 90,000 = 18 USD per coin × 2.
    expect(r.legs[1]).toMatchObject({ spreadSource: "parameter", addonUsd: 36 });
    expect(r.totalUsd).toBeCloseTo(96, 9);
  });
});
