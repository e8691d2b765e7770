import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { NetriskError, unwrap } from "../../errors.js";
import { parseInstrument } from "../../market/instrument.js";
import type { MarketSnapshot } from "../../market/types.js";
import type { ResolvedPortfolio, ResolvedPosition } from "../types.js";
import { fixedMarket } from "../../../test/contract/fixed-market.js";
import { computeStandard, createStandardModel, standardSupportIssues } from "./model.js";
import { parseStandardParams } from "./params.js";

const preset = JSON.parse(readFileSync(new URL("../../../presets/standard-deribit.json", import.meta.url), "utf8")) as unknown;
const params = unwrap(parseStandardParams(preset));

// 2024-06-17T10:22:20.501Z, the time of Deribit's pme/simulate example (reference/deribit-pm.md W1).
const snapshot: MarketSnapshot = {
  timestampMs: 1718619740501,
  indexUsd: { BTC: 100000, SOL: 200, ETH: 3500 },
  instruments: {
    // W3 (reference/deribit-pm.md §5, Deribit support "Linear Perpetual"): BTC_USDC at 100,000, SOL_USDC at 200.
    "BTC_USDC-PERPETUAL": { markPrice: 100000 },
    "SOL_USDC-PERPETUAL": { markPrice: 200 },
    "BTC-PERPETUAL": { markPrice: 100000 },
    "ETH-PERPETUAL": { markPrice: 3500 },
    "BTC-28JUN24-70000-C": { markPrice: 0.0123, markIv: 0.5, underlyingPrice: 67371.75 },
    "BTC-28JUN24-100000-C": { markPrice: 0.0021, markIv: 0.6, underlyingPrice: 65000 },
    "BTC-28JUN24-50000-C": { markPrice: 0.248, markIv: 0.6, underlyingPrice: 65000 },
    "BTC-28JUN24-60000-P": { markPrice: 0.015, markIv: 0.5, underlyingPrice: 65000 },
    "BTC-28JUN24-300000-P": { markPrice: 3.62, markIv: 0.5, underlyingPrice: 65000 },
    "BTC_USDC-28JUN24-70000-C": { markPrice: 828.67, markIv: 0.5, underlyingPrice: 67371.75 },
    "BTC_USDC-28JUN24-66000-P": { markPrice: 1500, markIv: 0.5, underlyingPrice: 67371.75 },
  },
};
const market = fixedMarket(snapshot);

function position(name: string, sizeCoin: number, index = 0): ResolvedPosition {
  return { instrument: unwrap(parseInstrument(name)), sizeCoin, sizeConvention: "coin", inputIndices: [index] };
}
function portfolio(...positions: ResolvedPosition[]): ResolvedPortfolio {
  return { positions, collateral: {}, notes: [] };
}
const margin = (name: string, size: number) => computeStandard(portfolio(position(name, size)), market, params);

// Published decimal figures; our binary arithmetic rounds each product once or twice: 1e-12 relative is ample.
const REL = 1e-12;
function expectRel(actual: number, expected: number): void {
  expect(Math.abs(actual - expected), `${actual} vs ${expected}`).toBeLessThanOrEqual(REL * Math.abs(expected));
}

describe("standard margin: futures and perpetuals (Deribit W3 worked examples)", () => {
  it.each([
    // [instrument, size, IM USDC, MM USDC, IM rate, MM rate] from reference/deribit-pm.md §5 W3.
    ["BTC_USDC-PERPETUAL", 25, 53125, 28125, 0.02125, 0.01125],
    ["BTC_USDC-PERPETUAL", -25, 53125, 28125, 0.02125, 0.01125],
    // (MM for 350 BTC and 6000 SOL is not in W3: 1 % + 350 × 0.005 % = 2.75 % and 2 % + 6000 × 0.0005 % = 5 %.)
    ["BTC_USDC-PERPETUAL", 350, 1312500, 962500, 0.0375, 0.0275],
    ["SOL_USDC-PERPETUAL", 25, 200.625, 100.625, 0.040125, 0.020125],
    ["SOL_USDC-PERPETUAL", 6000, 84000, 60000, 0.07, 0.05],
  ] as const)("%s size %d: IM %d USDC, MM %d USDC", (name, size, im, mm, imRate, mmRate) => {
    const r = margin(name, size);
    const b = r.byCurrency.USDC;
    expect(b).toBeDefined();
    expectRel(b?.initialMargin ?? NaN, im);
    expectRel(b?.maintenanceMargin ?? NaN, mm);
    expectRel(b?.initialMarginUsd ?? NaN, im); // USDC at its 1 USD peg (no USDC index in this market)
    const line = (b?.details?.positions as { initialRate: number; maintenanceRate: number }[])[0];
    expectRel(line?.initialRate ?? NaN, imRate);
    expectRel(line?.maintenanceRate ?? NaN, mmRate);
  });

  it("W3: 25 BTC is 0.53125 BTC of IM; the inverse BTC-PERPETUAL pays the same rate in coin", () => {
    // Deribit applies the BTC rates to inverse and BTC_USDC contracts alike (reference/deribit-pm.md §3.2).
    const r = margin("BTC-PERPETUAL", 25);
    expectRel(r.byCurrency.BTC?.initialMargin ?? NaN, 0.53125);
    expectRel(r.byCurrency.BTC?.maintenanceMargin ?? NaN, 0.28125);
    expectRel(r.totalUsd.initialMargin, 53125); // 0.53125 BTC × 100,000 USD index
  });

  it("ETH uses its own increment (0.0004 % per ETH, 11 Jan 2022)", () => {
    // 1000 ETH: IM rate 2 % + 1000 × 0.0004 % = 2.4 % → 24 ETH; MM 1.4 % → 14 ETH.
    const r = margin("ETH-PERPETUAL", -1000);
    expectRel(r.byCurrency.ETH?.initialMargin ?? NaN, 24);
    expectRel(r.byCurrency.ETH?.maintenanceMargin ?? NaN, 14);
  });

  it("does not offset a long against a short (isolated margin)", () => {
    const r = computeStandard(portfolio(position("BTC_USDC-PERPETUAL", 25), position("BTC-PERPETUAL", -25, 1)), market, params);
    expectRel(r.byCurrency.USDC?.initialMargin ?? NaN, 53125);
    expectRel(r.byCurrency.BTC?.initialMargin ?? NaN, 0.53125);
    expectRel(r.totalUsd.initialMargin, 2 * 53125);
  });

  it("rejects futures on a base without rates as unsupported, with the input path", () => {
    const p = portfolio(position("BTC-PERPETUAL", 1), position("XRP_USDC-PERPETUAL", 10, 3));
    const issues = standardSupportIssues(p, params);
    expect(issues.map((i) => [i.code, i.path])).toEqual([["unsupported", "positions[3].instrument"]]);
    expect(() => computeStandard(p, fixedMarket({ ...snapshot, indexUsd: { ...snapshot.indexUsd, XRP: 0.5 } }), params)).toThrow(NetriskError);
  });
});

describe("standard margin: options (hand-computed from the formulas of reference/deribit-pm.md §3.1)", () => {
  it.each([
    // Short call, OTM 2628.25 on S = 67371.75: 0.15 − 2628.25/67371.75 = 0.110989 > 0.10.
    // IM = 2 × (0.15 − 2628.25/67371.75 + 0.0123) = 0.24657768352462273; MM = 2 × (0.075 + 0.0123) = 0.1746.
    ["BTC-28JUN24-70000-C", -2, 0.24657768352462273, 0.1746],
    // Deep OTM call, OTM/S = 35000/65000 = 0.538: floor 0.10. IM = 3 × (0.10 + 0.0021) = 0.3063; MM = 3 × 0.0771.
    ["BTC-28JUN24-100000-C", -3, 0.3063, 0.2313],
    // ITM call, OTM = 0: IM = 1.5 × (0.15 + 0.248) = 0.597; MM = 1.5 × (0.075 + 0.248) = 0.4845.
    ["BTC-28JUN24-50000-C", -1.5, 0.597, 0.4845],
    // OTM put, OTM/S = 5000/65000 = 0.0769 → floor 0.10: IM = 4 × max(0.10 + 0.015, 0.075 + 0.015) = 0.46; MM = 0.36.
    ["BTC-28JUN24-60000-P", -4, 0.46, 0.36],
    // Deep ITM inverse put with coin mark 3.62 > 2: MM = 0.075 × 3.62 + 3.62 = 3.8915 exceeds 0.15 + 3.62 = 3.77,
    // so IM = max(3.77, MM) = 3.8915.
    ["BTC-28JUN24-300000-P", -1, 3.8915, 3.8915],
  ] as const)("short %s × %d: IM %d BTC, MM %d BTC", (name, size, im, mm) => {
    const b = margin(name, size).byCurrency.BTC;
    expectRel(b?.initialMargin ?? NaN, im);
    expectRel(b?.maintenanceMargin ?? NaN, mm);
    expectRel(b?.components.shortOptionsInitial ?? NaN, im);
  });

  it.each([
    // Linear (USDC) options: the coin formula × underlying price (assumption; no published USDC formula).
    // Call: 2 × (max(0.15 − 2628.25/67371.75, 0.1) × 67371.75 + 828.67) = 16612.365; MM 2 × (0.075 × 67371.75 + 828.67).
    ["BTC_USDC-28JUN24-70000-C", -2, 16612.365, 11763.1025],
    // Put, OTM 1371.75: 0.5 × max((0.15 − 1371.75/67371.75) × 67371.75 + 1500, 0.075 × 67371.75 + 1500) = 5117.00625.
    ["BTC_USDC-28JUN24-66000-P", -0.5, 5117.00625, 3276.440625],
  ] as const)("short %s × %d: IM %d USDC, MM %d USDC", (name, size, im, mm) => {
    const b = margin(name, size).byCurrency.USDC;
    expectRel(b?.initialMargin ?? NaN, im);
    expectRel(b?.maintenanceMargin ?? NaN, mm);
  });

  it("long options carry no margin; their premium is reported, not charged", () => {
    const b = margin("BTC-28JUN24-70000-C", 5).byCurrency.BTC;
    expect(b?.initialMargin).toBe(0);
    expect(b?.maintenanceMargin).toBe(0);
    expectRel(b?.details?.longOptionsValue as number, 5 * 0.0123);
  });
});

describe("standard margin: properties", () => {
  const names = Object.keys(snapshot.instruments);
  const arbPortfolio = fc
    .array(fc.tuple(fc.constantFrom(...names), fc.double({ min: -500, max: 500, noNaN: true }).filter((x) => Math.abs(x) > 1e-6)), { minLength: 1, maxLength: 6 })
    .map((xs) => portfolio(...xs.map(([n, s], i) => position(n, s, i))));

  it("IM ≥ MM ≥ 0 in every bucket, and each bucket is the sum of its positions (no offsets)", () => {
    fc.assert(
      fc.property(arbPortfolio, (p) => {
        const r = computeStandard(p, market, params);
        let sumIm = 0;
        for (const b of Object.values(r.byCurrency)) {
          expect(b.maintenanceMargin).toBeGreaterThanOrEqual(0);
          expect(b.initialMargin).toBeGreaterThanOrEqual(b.maintenanceMargin);
          sumIm += b.initialMarginUsd;
        }
        const alone = p.positions.reduce((s, x) => s + computeStandard(portfolio(x), market, params).totalUsd.initialMargin, 0);
        expect(Math.abs(sumIm - alone)).toBeLessThanOrEqual(1e-9 * Math.max(1, alone));
      }),
      { numRuns: 200, seed: 42 },
    );
  });

  it("futures margin grows faster than size (rate rises with size), option margin exactly with size", () => {
    fc.assert(
      fc.property(fc.double({ min: 0.01, max: 1000, noNaN: true }), fc.double({ min: 1.01, max: 20, noNaN: true }), (size, k) => {
        const f1 = margin("BTC-PERPETUAL", size).totalUsd.initialMargin;
        const fk = margin("BTC-PERPETUAL", k * size).totalUsd.initialMargin;
        expect(fk).toBeGreaterThan(k * f1);
        const o1 = margin("BTC-28JUN24-70000-C", -size).totalUsd.initialMargin;
        const ok = margin("BTC-28JUN24-70000-C", -k * size).totalUsd.initialMargin;
        expect(Math.abs(ok - k * o1)).toBeLessThanOrEqual(1e-12 * ok);
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it("createStandardModel binds the parameter set", () => {
    const model = createStandardModel(params);
    expect(model.id).toBe("standard");
    expect(model.parameterSet).toEqual({ name: "standard-deribit", version: "2022-01-11.1", effective: "2022-01-11" });
    expect(model.compute(portfolio(position("BTC_USDC-PERPETUAL", 25)), market).totalUsd.initialMargin).toBeCloseTo(53125, 6);
  });
});

describe("standard parameter sets", () => {
  it("reject a malformed set with paths", () => {
    const bad = structuredClone(preset) as { futures: { BTC: Record<string, unknown> }; options: Record<string, unknown> };
    bad.futures.BTC.initialBaseDecimal = "2%";
    delete bad.options.maintenanceDecimal;
    const r = parseStandardParams(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => [i.code, i.path])).toEqual([
      ["invalid_parameter_set", "futures.BTC.initialBaseDecimal"],
      ["invalid_parameter_set", "options.maintenanceDecimal"],
    ]);
  });

  it("reject rates that would allow MM > IM", () => {
    const bad = structuredClone(preset) as { futures: { ETH: Record<string, unknown> }; options: Record<string, unknown> };
    bad.futures.ETH.maintenanceBaseDecimal = 0.03;
    bad.options.maintenanceDecimal = 0.12;
    const r = parseStandardParams(bad);
    expect(r.ok ? [] : r.issues.map((i) => i.path)).toEqual(["options.maintenanceDecimal", "futures.ETH.maintenanceBaseDecimal"]);
  });

  it("reject another model's parameter set", () => {
    const r = parseStandardParams({ ...(preset as object), model: "risk-matrix" });
    expect(r.ok ? "" : r.issues[0]?.path).toBe("model");
  });
});
