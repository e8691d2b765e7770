// The crypto SPAN model against an independent scipy computation (test/fixtures/span/generate.py) in a hand-fixed
// market built from real Deribit quotes of 2025-12-30: risk arrays, composite deltas, option values, tiers, and every
// component of two portfolios' requirements under presets/span-crypto.json.
//
// Tolerance: 1e-6 USD absolute + 1e-10 relative. The arrays are differences of Black-76 values of up to ~10^4 USD
// computed by two implementations (our normalised Black function, scipy's norm.cdf), which agree to ~1e-12 relative
// of the option value (a few 1e-9 USD here); the requirements add a few such terms times spread rates. A bug in a
// scenario, a unit (coin vs USD delta) or a tier shows up as dollars, not micro-dollars.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixedMarket } from "../../../test/contract/fixed-market.js";
import { unwrap } from "../../errors.js";
import { validatePortfolio } from "../../io/portfolio.js";
import { parseInstrument } from "../../market/instrument.js";
import type { DerivativeInstrument, MarketSnapshot } from "../../market/types.js";
import { spanContractArray } from "./arrays.js";
import { computeSpanMargin, tierOf } from "./model.js";
import { parseSpanParams } from "./params.js";

interface Fixture {
  market: { timestamp: string; index: Record<string, number>; instruments: MarketSnapshot["instruments"] };
  contracts: Record<string, { riskArrayUsd: number[]; compositeDeltaCoin: number; optionValueUsd: number | null; tier: string }>;
  portfolios: Record<string, { positions: { instrument: string; size: number }[]; expected: Record<string, Record<string, number>> }>;
}

const fixture = JSON.parse(readFileSync(new URL("../../../test/fixtures/span/span_crypto.json", import.meta.url), "utf8")) as Fixture;
const params = unwrap(parseSpanParams(JSON.parse(readFileSync(new URL("../../../presets/span-crypto.json", import.meta.url), "utf8"))));
const market = fixedMarket({ timestampMs: Date.parse(fixture.market.timestamp), indexUsd: fixture.market.index, instruments: fixture.market.instruments });

const close = (actual: number, expected: number, what: string): void => {
  expect(Math.abs(actual - expected), `${what}: ${actual} vs ${expected}`).toBeLessThanOrEqual(1e-6 + 1e-10 * Math.abs(expected));
};

describe("crypto SPAN risk arrays (scipy reference)", () => {
  it.each(Object.entries(fixture.contracts))("%s", (name, want) => {
    const inst = unwrap(parseInstrument(name)) as DerivativeInstrument;
    const c = params.commodities[inst.base];
    if (c === undefined) throw new Error(`no commodity ${inst.base}`);
    const a = spanContractArray(inst, market, {
      scenarios: params.scenarios,
      priceScanRangeDecimal: c.priceScanRangeDecimal,
      volScanRangeDecimal: c.volScanRangeDecimal,
      lookAheadDays: params.lookAheadDays,
      compositeDeltaPoints: params.compositeDeltaPoints,
    });
    want.riskArrayUsd.forEach((v, j) => close(a.riskArrayUsd[j] as number, v, `scenario ${j + 1}`));
    close(a.compositeDeltaCoin, want.compositeDeltaCoin, "composite delta");
    if (want.optionValueUsd === null) expect(a.optionValueUsd).toBeNull();
    else close(a.optionValueUsd ?? NaN, want.optionValueUsd, "option value");
    expect(tierOf(a.daysToExpiry, params)).toBe(want.tier);
  });
});

describe("crypto SPAN requirements (scipy reference)", () => {
  it.each(Object.entries(fixture.portfolios))("%s", (_name, p) => {
    const portfolio = unwrap(validatePortfolio({ positions: p.positions }, market));
    const r = unwrap(computeSpanMargin(portfolio, market, params));
    expect(Object.keys(r.byCurrency).sort()).toEqual(Object.keys(p.expected).sort());
    let total = 0;
    for (const [cc, want] of Object.entries(p.expected)) {
      const b = r.byCurrency[cc];
      if (b === undefined) throw new Error(`no bucket ${cc}`);
      for (const k of ["scanRisk", "intraSpreadCharge", "deliveryCharge", "interCommodityCredit", "shortOptionMinimum", "netOptionValue", "requirement"])
        close(b.components[k] as number, want[k] as number, `${cc}.${k}`);
      close(b.maintenanceMargin, want.requirement as number, `${cc} MM`);
      close(b.initialMargin, want.initialMargin as number, `${cc} IM`);
      expect(b.worstScenario?.id).toBe(`span:${(want.scanIndex as number) + 1}`);
      total += want.requirement as number;
    }
    close(r.totalUsd.maintenanceMargin, total, "total MM");
  });

  it("covers each component at least once (the fixture is not trivially zero)", () => {
    const all = Object.values(fixture.portfolios).flatMap((p) => Object.values(p.expected));
    for (const k of ["intraSpreadCharge", "deliveryCharge", "interCommodityCredit", "shortOptionMinimum", "netOptionValue"])
      expect(all.some((e) => (e[k] as number) !== 0), k).toBe(true);
    // SOM binds in one portfolio, the scan plus spreads in the other.
    expect(all.some((e) => e.requirement === e.shortOptionMinimum)).toBe(true);
    expect(all.some((e) => (e.requirement as number) > (e.shortOptionMinimum as number))).toBe(true);
  });
});

describe("crypto SPAN model behaviour", () => {
  const margin = (positions: { instrument: string; size: number }[]) => unwrap(computeSpanMargin(unwrap(validatePortfolio({ positions }, market)), market, params));

  it("an outright perpetual needs exactly its scan: PSR × mark, the worst of scenarios 13/14", () => {
    const r = margin([{ instrument: "BTC-PERPETUAL", size: 1 }]);
    const psr = params.commodities.BTC?.priceScanRangeDecimal ?? NaN;
    expect(r.byCurrency.BTC?.maintenanceMargin).toBeCloseTo(psr * 88539, 9);
    expect(r.byCurrency.BTC?.worstScenario?.id).toBe("span:13");
  });

  it("a perpetual against a March future scans to zero and pays only the W1/Q1 calendar charge", () => {
    const r = margin([
      { instrument: "BTC-PERPETUAL", size: 1 },
      { instrument: "BTC-27MAR26", size: -1 },
    ]);
    const b = r.byCurrency.BTC;
    // The two legs have different marks, so the scan is the mark difference times the PSR (tiered outrights, E3).
    const psr = params.commodities.BTC?.priceScanRangeDecimal ?? NaN;
    close(b?.components.scanRisk as number, (89706.5 - 88539) * psr, "scan");
    const w1q1 = params.commodities.BTC?.intraSpreads.find((s) => s.legs[0]?.tier === "W1" && s.legs[1]?.tier === "Q1")?.chargeDecimal ?? NaN;
    // The spread is 1 coin × index of USD delta on each leg; the near leg is the smaller.
    close(b?.components.intraSpreadCharge as number, 88524.21 * w1q1, "calendar charge");
  });

  it("margins SOL (no SOL quotes in the real data: a fixed SOL_USDC perpetual) and credits BTC/SOL at the preset rate", () => {
    const withSol = fixedMarket({
      timestampMs: Date.parse(fixture.market.timestamp),
      indexUsd: { ...fixture.market.index, SOL: 124.5 },
      instruments: { ...fixture.market.instruments, "SOL_USDC-PERPETUAL": { markPrice: 124.6 } },
    });
    const run = (positions: { instrument: string; size: number }[]) => unwrap(computeSpanMargin(unwrap(validatePortfolio({ positions }, withSol)), withSol, params));
    const psrSol = params.commodities.SOL?.priceScanRangeDecimal ?? NaN;
    const psrBtc = params.commodities.BTC?.priceScanRangeDecimal ?? NaN;
    close(run([{ instrument: "SOL_USDC-PERPETUAL", size: -100 }]).totalUsd.maintenanceMargin, 100 * 124.6 * psrSol, "SOL outright");
    // Long 1 BTC perpetual against short SOL sized to the spread ratio (USD delta 1 : PSR_BTC/PSR_SOL): both legs are
    // fully consumed, so each CC's credit is rate × WPR × its USD delta.
    const spread = params.interSpreads.find((x) => x.legs[0]?.commodity === "BTC" && x.legs[1]?.commodity === "SOL");
    const ratio = spread?.legs[1]?.ratio ?? NaN;
    const solCoins = (88524.21 * ratio) / 124.5;
    const r = run([
      { instrument: "BTC-PERPETUAL", size: 1 },
      { instrument: "SOL_USDC-PERPETUAL", size: -solCoins },
    ]);
    close(r.byCurrency.BTC?.components.interCommodityCredit as number, (spread?.creditRate ?? NaN) * psrBtc * 88524.21, "BTC leg credit");
    close(r.byCurrency.SOL?.components.interCommodityCredit as number, (spread?.creditRate ?? NaN) * psrSol * solCoins * 124.5, "SOL leg credit");
  });

  it("reports unsupported bases, and spot balances as notes", () => {
    const sol = { ...market, bases: [...market.bases, "SOL"] };
    const noSol = { ...params, commodities: { BTC: params.commodities.BTC as NonNullable<typeof params.commodities.BTC> } };
    const p = unwrap(validatePortfolio({ positions: [{ instrument: "ETH-PERPETUAL", size: 1 }] }, sol));
    const r = computeSpanMargin(p, market, noSol);
    expect(r.ok ? null : [r.issues[0]?.code, r.issues[0]?.path]).toEqual(["unsupported", "positions[0].instrument"]);
    const spot = unwrap(computeSpanMargin(unwrap(validatePortfolio({ positions: [{ instrument: "BTC", size: 1 }] }, market)), market, params));
    expect(spot.totalUsd.maintenanceMargin).toBe(0);
    expect(spot.notes.some((n) => n.includes("spot balances"))).toBe(true);
  });
});
