// The Greeks-based margin against an independent scipy/numpy computation (test/fixtures/greeks/generate.py) in a
// hand-fixed market of real Deribit quotes (2025-12-30), and the SIMM aggregation kernel against the derived ISDA
// SIMM v2.6 examples of ../shared/reference/classic-methods.md §5.7.
//
// Tolerance 1e-9 relative + 1e-6 USD: sensitivities are sums of Black-76 Greeks from two implementations that agree
// to ~1e-13 relative; the square roots keep that relative accuracy. A wrong bucket, shock or correlation is off by
// percents.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixedMarket } from "../../../test/contract/fixed-market.js";
import { unwrap } from "../../errors.js";
import { validatePortfolio } from "../../io/portfolio.js";
import type { MarketSnapshot } from "../../market/types.js";
import { cappedNet, correlatedSum, isCorrelationMatrix } from "./aggregate.js";
import { computeGreeksMargin } from "./model.js";
import { parseGreeksParams } from "./params.js";

interface Fixture {
  market: { timestamp: string; index: Record<string, number>; instruments: MarketSnapshot["instruments"] };
  portfolios: Record<string, { positions: { instrument: string; size: number }[]; expected: Record<string, number> & { sensitivities: Record<string, { deltaUsd: number; gammaUsd: number; vegaUsd: number[] }> } }>;
}

const fixture = JSON.parse(readFileSync(new URL("../../../test/fixtures/greeks/greeks_margin.json", import.meta.url), "utf8")) as Fixture;
const params = unwrap(parseGreeksParams(JSON.parse(readFileSync(new URL("../../../presets/greeks-default.json", import.meta.url), "utf8"))));
const market = fixedMarket({ timestampMs: Date.parse(fixture.market.timestamp), indexUsd: fixture.market.index, instruments: fixture.market.instruments });
const close = (a: number, b: number, what: string): void => {
  expect(Math.abs(a - b), `${what}: ${a} vs ${b}`).toBeLessThanOrEqual(1e-6 + 1e-9 * Math.abs(b));
};

describe("SIMM aggregation kernel (classic-methods.md §5.7, derived v2.6 equity bucket 11 examples)", () => {
  // RW 19, s = ±1,000,000 per 1 %, CR = 1, ρ = 0.45: K = 19e6 × √(2 ∓ 0.9). Published to the cent: 0.005 tolerance.
  const rho = [
    [1, 0.45],
    [0.45, 1],
  ];
  it("opposite signs: K = 19,927,368.12", () => {
    expect(Math.abs(correlatedSum([19e6, -19e6], rho) - 19_927_368.12)).toBeLessThan(0.005);
  });
  it("same signs: K = 32,355,834.10", () => {
    expect(Math.abs(correlatedSum([19e6, 19e6], rho) - 32_355_834.1)).toBeLessThan(0.005);
  });
  it("caps the signed total S at ±K", () => {
    expect(cappedNet([3, 4], 5)).toBe(5);
    expect(cappedNet([-3, -4], 5)).toBe(-5);
    expect(cappedNet([3, -4], 5)).toBe(-1);
  });
  it("recognises correlation matrices (PSD, unit diagonal, symmetric) and rejects the rest", () => {
    expect(isCorrelationMatrix(rho)).toBe(true);
    expect(isCorrelationMatrix([[1, 1], [1, 1]])).toBe(true); // PSD, singular
    expect(isCorrelationMatrix([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1]])).toBe(false); // not PSD
    expect(isCorrelationMatrix([[1, 0.5], [0.4, 1]])).toBe(false);
    expect(isCorrelationMatrix([[2, 0], [0, 1]])).toBe(false);
  });
});

describe("Greeks-based margin (scipy/numpy reference)", () => {
  it.each(Object.entries(fixture.portfolios))("%s", (_name, p) => {
    const portfolio = unwrap(validatePortfolio({ positions: p.positions }, market));
    const r = unwrap(computeGreeksMargin(portfolio, market, params));
    const b = r.byCurrency.USD;
    if (b === undefined) throw new Error("no USD bucket");
    for (const k of ["deltaMargin", "vegaMargin", "curvatureMargin", "greeksMargin"]) close(b.components[k] as number, p.expected[k] as number, k);
    close(b.maintenanceMargin, p.expected.greeksMargin as number, "MM");
    close(b.initialMargin, p.expected.initialMargin as number, "IM");
    const under = (b.details?.underlyings ?? {}) as Record<string, { deltaUsd: number; gammaUsd: number; vegaUsdByBucket: Record<string, number> }>;
    for (const [base, s] of Object.entries(p.expected.sensitivities)) {
      close(under[base]?.deltaUsd ?? NaN, s.deltaUsd, `${base} delta`);
      close(under[base]?.gammaUsd ?? NaN, s.gammaUsd, `${base} gamma`);
      params.vegaBuckets.forEach((vb, i) => close(under[base]?.vegaUsdByBucket[vb.id] ?? NaN, s.vegaUsd[i] as number, `${base} vega ${vb.id}`));
    }
  });

  it("margins an outright perpetual at exactly |size × mark × price shock| (the Taylor expansion is exact for it)", () => {
    const r = unwrap(computeGreeksMargin(unwrap(validatePortfolio({ positions: [{ instrument: "ETH-PERPETUAL", size: -7 }] }, market)), market, params));
    close(r.totalUsd.maintenanceMargin, 7 * 2978.35 * (params.underlyings.ETH?.priceShockDecimal ?? NaN), "MM");
  });

  it("offsets BTC and ETH deltas through their correlation: long-short costs less than the sum of the legs", () => {
    const m = (positions: { instrument: string; size: number }[]) =>
      unwrap(computeGreeksMargin(unwrap(validatePortfolio({ positions }, market)), market, params)).totalUsd.maintenanceMargin;
    const btc = m([{ instrument: "BTC-PERPETUAL", size: 1 }]);
    const eth = m([{ instrument: "ETH-PERPETUAL", size: -30 }]);
    const both = m([
      { instrument: "BTC-PERPETUAL", size: 1 },
      { instrument: "ETH-PERPETUAL", size: -30 },
    ]);
    const rho = params.deltaCorrelation[0]?.[1] ?? NaN;
    close(both, Math.sqrt(btc * btc + eth * eth - 2 * rho * btc * eth), "SIMM two-factor");
    expect(both).toBeLessThan(btc + eth);
  });

  it("reports bases without parameters as unsupported", () => {
    const only = unwrap(parseGreeksParams({ ...JSON.parse(readFileSync(new URL("../../../presets/greeks-default.json", import.meta.url), "utf8")), underlyings: { BTC: { price_shock: 0.1, vega_shock: { W1: 0.3, M1: 0.2, Q1: 0.2, Q2: 0.1, Y1: 0.1 } } }, delta_correlation: [], vega_correlation: [] }));
    const r = computeGreeksMargin(unwrap(validatePortfolio({ positions: [{ instrument: "ETH-PERPETUAL", size: 1 }] }, market)), market, only);
    expect(r.ok ? null : [r.issues[0]?.code, r.issues[0]?.path]).toEqual(["unsupported", "positions[0].instrument"]);
  });
});
