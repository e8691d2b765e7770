/**
 * OKX components whose formulas nothing published pins (MR2, MR3, MR5, MR9's rates, the vol-shock table): their
 * documented structure and properties. MR9's tier arithmetic against the worked example of OKX's Dec 2024
 * announcement (as reposted, https://www.pastorq.com/13690.html): 1M × 0.75 % + 4M × 1.75 % + 5M × 2.5 % = 202,500 USD.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { mr9, parseOkxParams, volShockPoints } from "../../src/models/okx/index.js";
import type { OkxParams } from "../../src/models/okx/index.js";
import { computeOkxMargin } from "../../src/models/okx/model.js";
import type { BucketMargin } from "../../src/models/types.js";
import { smallMarket } from "../account/helpers.js";

const presetJson = JSON.parse(readFileSync("presets/okx.json", "utf8")) as Record<string, unknown>;
const params = unwrap(parseOkxParams(presetJson));
const market = smallMarket({ indexUsd: { USDT: 1 } });

function unit(positions: { instrument: string; size: number }[], collateral: Record<string, number> = {}, p: OkxParams = params): BucketMargin {
  const portfolio = unwrap(validatePortfolio({ positions, collateral }, market));
  const r = unwrap(computeOkxMargin(portfolio, market, p));
  return r.byCurrency.btc as BucketMargin;
}

describe("MR9: cross-stablecoin hedges", () => {
  it("tier arithmetic reproduces the announcement's example (202,500 USD on a 10M hedge)", () => {
    const band = { minIndex: 0, tiers: [{ upToUsd: 1e6, multiplier: 0.0075 }, { upToUsd: 5e6, multiplier: 0.0175 }, { upToUsd: null, multiplier: 0.025 }] };
    const p = { ...params, mr9Bands: [band] };
    const r = mr9({ USDT: 10e6, USD: -10e6, USDC: 0 }, p, () => 1);
    expect(r.total).toBeCloseTo(202_500, 6);
    expect(r.hedges).toEqual([{ pair: "USDT-USD", hedgeUsd: 10e6, index: 1, chargeUsd: r.total }]);
  });

  it("matches hedges in priority USDT-USD > USDT-USDC > USDC-USD and charges by the index band", () => {
    const r = mr9({ USDT: 3e6, USD: -2e6, USDC: -2e6 }, params, (pair) => (pair === "USDT-USD" ? 0.999 : 0.992));
    expect(r.hedges.map((h) => [h.pair, h.hedgeUsd])).toEqual([["USDT-USD", 2e6], ["USDT-USDC", 1e6]]);
    // 0.999 ≥ 0.995: 1M × 0.5 % + 1M × 1 %; 0.992 is in the 0.99 band: 1M × 0.5 %.
    expect(r.total).toBeCloseTo(5000 + 10000 + 5000, 6);
    // A de-pegged USDT (index 0.9) falls in the last band: 40 %.
    expect(mr9({ USDT: 1e6, USD: -1e6, USDC: 0 }, params, () => 0.9).total).toBeCloseTo(400_000, 6);
  });

  it("a unit hedged across settlement families pays MR9 and nets its price risk (risk-unit merge)", () => {
    const b = unit([{ instrument: "BTC-USD-SWAP", size: 1 }, { instrument: "BTC-USDT-SWAP", size: -1 }]);
    expect(b.components.mr1).toBeCloseTo(0, 6); // both perps at 60,000: flat in every scenario
    expect(b.components.mr9).toBeCloseTo(0.005 * 60000, 6);
    expect(b.components.mr4).toBeCloseTo(0, 9); // one expiry bucket (perpetuals), net delta 0
    expect(b.components.mr7Raw).toBeCloseTo(0.0045 * 120000, 6); // gross: closing both legs costs
  });
});

describe("MR2, MR3, MR5 (inferred structures)", () => {
  it("are 0 for a futures-only unit", () => {
    const b = unit([{ instrument: "BTC_USDC-PERPETUAL", size: 2 }, { instrument: "BTC-27MAR26", size: -1 }]);
    expect([b.components.mr2, b.components.mr3, b.components.mr5]).toEqual([0, 0, 0]);
  });

  it("MR2 charges a long option's one-day decay and not a short option's gain", () => {
    const long = unit([{ instrument: "BTC-30JAN26-60000-C", size: 1 }]);
    const short = unit([{ instrument: "BTC-30JAN26-60000-C", size: -1 }]);
    expect(long.components.mr2).toBeGreaterThan(0);
    expect(short.components.mr2).toBe(0);
    // ≈ one day of theta (USD per day) for an ATM option 28 days out.
    const theta = (long.details?.thetaUsdPerDay as number) ?? 0;
    expect(long.components.mr2).toBeGreaterThan(0.9 * Math.abs(theta));
    expect(long.components.mr2).toBeLessThan(1.1 * Math.abs(theta));
  });

  it("MR3 is 0 for one expiry and span × the smaller leg's vega for a calendar spread", () => {
    expect(unit([{ instrument: "BTC-30JAN26-60000-C", size: 1 }, { instrument: "BTC-30JAN26-70000-C", size: -2 }]).components.mr3).toBe(0);
    const near = unit([{ instrument: "BTC-30JAN26-60000-C", size: 1 }]).details?.vegaUsdPerVolPoint as number;
    const far = unit([{ instrument: "BTC-27MAR26-60000-C", size: -1 }]).details?.vegaUsdPerVolPoint as number;
    const cal = unit([{ instrument: "BTC-30JAN26-60000-C", size: 1 }, { instrument: "BTC-27MAR26-60000-C", size: -1 }]);
    expect(cal.components.mr3).toBeCloseTo(5 * Math.min(Math.abs(near), Math.abs(far)), 9);
  });

  it("MR5 is the rate shock times |Σ rho| (rho = −T × value)", () => {
    const b = unit([{ instrument: "BTC_USDC-27MAR26-60000-C", size: 3 }]);
    const value = (b.details?.portfolios as { markPrice: number }[])[0]?.markPrice as number;
    const t = (Date.parse("2026-03-27T08:00:00Z") - Date.parse("2026-01-02T08:00:00Z")) / (365.25 * 86400000);
    expect(b.components.mr5).toBeCloseTo(0.01 * t * 3 * value, 6);
  });

  it("every component is ≥ 0 and the unit MMR follows max(max(MR1, MR2, MR6) + MR3 + MR4 + MR5 + MR9, MR7) (fast-check)", () => {
    const names = ["BTC-PERPETUAL", "BTC_USDC-PERPETUAL", "BTC-27MAR26", "BTC-30JAN26-60000-C", "BTC-27MAR26-50000-P", "BTC_USDC-30JAN26-70000-C"];
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...names), fc.double({ min: -5, max: 5, noNaN: true }).filter((x) => Math.abs(x) > 1e-3)), { minLength: 1, maxLength: 5 }), (legs) => {
        const b = unit(legs.map(([instrument, size]) => ({ instrument, size })));
        const c = b.components as Record<string, number>;
        for (const k of ["mr1", "mr2", "mr3", "mr4", "mr5", "mr6", "mr7", "mr9"]) expect(c[k]).toBeGreaterThanOrEqual(0);
        const mmr = Math.max(Math.max(c.mr1 ?? 0, c.mr2 ?? 0, c.mr6 ?? 0) + (c.mr3 ?? 0) + (c.mr4 ?? 0) + (c.mr5 ?? 0) + (c.mr9 ?? 0), c.mr7 ?? 0);
        expect(b.maintenanceMarginUsd).toBeCloseTo(mmr, 9);
        expect(b.initialMarginUsd).toBeCloseTo(1.3 * mmr, 9);
      }),
      { numRuns: 60 },
    );
  });
});

describe("MR1 vol shocks, MR4 by expiry, MR7 tiers", () => {
  it("the vol-shock table is linear in DTE between rows and flat outside", () => {
    const t = params.volShock.table;
    expect(volShockPoints(0, t)).toEqual({ up: 0.3, down: 0.3 });
    expect(volShockPoints(3.5, t).up).toBeCloseTo(0.25, 12);
    expect(volShockPoints(1000, t)).toEqual({ up: 0.05, down: 0.05 });
  });

  it("MR4 charges a dated future AMR × T when that beats the floor", () => {
    const b = unit([{ instrument: "BTC-27MAR26", size: 1 }]);
    const t = (Date.parse("2026-03-27T08:00:00Z") - Date.parse("2026-01-02T08:00:00Z")) / (365.25 * 86400000);
    expect(b.components.mr4).toBeCloseTo(60600 * Math.max(0.002, 0.05 * t), 6);
  });

  it("MR7 is tiered on the raw charge (OKX's 2021 worked example shape: ×1 to 250k, ×2 above)", () => {
    const b = unit([{ instrument: "BTC_USDC-PERPETUAL", size: 1000 }]); // 60M USD of delta → raw 270,000
    expect(b.components.mr7Raw).toBeCloseTo(270_000, 6);
    expect(b.components.mr7).toBeCloseTo(250_000 + 2 * 20_000, 6);
  });

  it("a spot balance of the underlying joins its unit (risk-unit merge) and hedges a short perpetual", () => {
    const hedged = unit([{ instrument: "BTC_USDC-PERPETUAL", size: -2 }], { BTC: 2 });
    expect(hedged.components.mr1).toBeCloseTo(0, 9);
    const off = unwrap(parseOkxParams({ ...presetJson, riskUnit: { ...(presetJson.riskUnit as object), spotInRiskUnit: false } }));
    expect(unit([{ instrument: "BTC_USDC-PERPETUAL", size: -2 }], { BTC: 2 }, off).components.mr1).toBeCloseTo(2 * 60000 * 0.12, 6);
  });
});

describe("borrowing (MR8) and the collateral discount", () => {
  it("charge negative currency equity 2 % / 10 % and discount positive non-stablecoin collateral", () => {
    const portfolio = unwrap(validatePortfolio({ positions: [], collateral: { USDT: -1000, SOL: 10 } }, smallMarket({ indexUsd: { USDT: 1, SOL: 100 } })));
    const r = unwrap(computeOkxMargin(portfolio, smallMarket({ indexUsd: { USDT: 1, SOL: 100 } }), params));
    const a = r.byCurrency.account as BucketMargin;
    expect(a.components.borrowMmr).toBeCloseTo(20, 9);
    expect(a.components.borrowImr).toBeCloseTo(100, 9);
    expect(a.components.collateralDiscount).toBeCloseTo(100, 9); // 10 SOL × 100 × (1 − 0.9)
    // The SOL balance is also a SOL risk unit's spot leg: MR1 = 25 % of 1,000 USD (the "others" class), MR6 the same.
    expect(r.byCurrency.sol?.maintenanceMarginUsd).toBeCloseTo(250, 9);
    expect(r.totalUsd.maintenanceMargin).toBeCloseTo(120 + 250, 9);
  });

  it("rejects a parameter set with an underlying in two groups", () => {
    const bad = { ...presetJson, mr1: { ...(presetJson.mr1 as object), groups: [{ underlyings: ["BTC"], spotMovesDecimal: [0.1] }, { underlyings: ["BTC"], spotMovesDecimal: [0.2] }] } };
    const r = parseOkxParams(bad);
    expect(r.ok ? [] : r.issues.map((i) => [i.path, i.code])).toEqual([["mr1[1].underlyings[0]", "invalid_parameter_set"]]);
  });
});
