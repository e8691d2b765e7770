/**
 * The Derive PMRM_2 MarginModel end to end: market.json and portfolio.json readers, market context, registry preset,
 * model. TC-D1/TC-D2 (derive-pmrm2.md §4) at 1e-8 relative, the tolerance of Derive's own harness.
 */
import { describe, expect, it } from "vitest";
import { NetriskError, unwrap } from "../../src/errors.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { loadModel } from "../../src/io/presets.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import type { MarketContext } from "../../src/market/context.js";
import { parseInstrument } from "../../src/market/instrument.js";
import type { MarketSnapshot } from "../../src/market/types.js";
import { arrangeDerivePortfolio } from "../../src/models/derive-pmrm2/arrange.js";
import { computeDerivePmrm2 } from "../../src/models/derive-pmrm2/model.js";
import type { MarginResult, ResolvedPortfolio } from "../../src/models/types.js";
import { loadPreset, loadVector, vectorSnapshot, type DeriveVector } from "./fixtures.js";

const params = loadPreset();
const model = unwrap(loadModel("derive-pmrm2"));

function run(v: DeriveVector): { result: MarginResult; market: MarketContext } {
  const market = unwrap(buildMarketContext(vectorSnapshot(v)));
  const portfolio = unwrap(validatePortfolio(v.portfolio, market));
  return { result: model.compute(portfolio, market), market };
}

function expectRel(actual: unknown, expected: number, tol: number): void {
  expect(typeof actual).toBe("number");
  const a = actual as number;
  if (!(Math.abs(a - expected) <= tol * Math.abs(expected))) expect.fail(`${a} vs ${expected}`);
}

describe("Derive PMRM_2 model (registry preset, market and portfolio readers)", () => {
  it("is registered with the test-set preset", () => {
    expect(model.id).toBe("derive-pmrm2");
    expect(model.parameterSet).toEqual({ name: "derive-pmrm2", version: params.version, effective: params.effective });
  });

  it("TC-D1 basic long perp: Derive's net margins in details, required margins in netrisk's convention", () => {
    const v = loadVector("tc-d1-basic-long-perp.json");
    const { result } = run(v);
    const b = result.byCurrency.ETH;
    expect(b?.currency).toBe("USDC");
    const d = b?.details ?? {};
    expectRel(d.netMm, -481.4, 1e-8);
    expectRel(d.netIm, -608.0, 1e-8);
    expectRel(d.mtm, 10, 1e-8);
    expectRel(d.mmContingency, 45, 1e-8);
    expectRel(d.imContingency, 15, 1e-8);
    expect(d.worstRegular).toEqual({ id: "std:-18%:up", pnl: expect.closeTo(-558, 6) as unknown });
    // required = mtm + cash − net: 10 + 481.4 and 10 + 608.
    expectRel(b?.maintenanceMargin, 491.4, 1e-12);
    expectRel(b?.initialMargin, 618, 1e-12);
    expectRel(result.totalUsd.initialMargin, 618 * 1.00019088635, 1e-12);
    expect(b?.worstScenario).toEqual({ id: "std:-18%:up", priceMove: expect.closeTo(-0.18, 12) as unknown, volMove: "up", tail: false });
    expect(b?.contributions).toEqual([{ instrument: "ETH_USDC-PERPETUAL", sizeCoin: 1, pnl: expect.closeTo(-558, 6) as unknown }]);
  });

  it("TC-D2 naked short call: every intermediate of the note", () => {
    const v = loadVector("tc-d2-naked-short-call.json");
    const { result } = run(v);
    const e = v.expected as Record<string, number> & Record<string, Record<string, number>>;
    const d = result.byCurrency.BTC?.details ?? {};
    const x = (d.expiries as Record<string, unknown>[])[0] ?? {};
    const o = (x.options as Record<string, unknown>[])[0] ?? {};
    expect(x.secondsToExpiry).toBe(794_852);
    expectRel(x.discountFactor, e.discountFactor as number, 1e-8);
    expectRel(d.mtm, e.mtm as number, 1e-8);
    expectRel(d.discountedMtm, e.discountedMtm as number, 1e-8);
    expectRel(x.staticDiscountLong, e.staticDiscountLong as number, 1e-8);
    expectRel(x.staticDiscountShort, e.staticDiscountShort as number, 1e-8);
    expectRel(x.volMultiplierUp, e.volMultiplierUp as number, 1e-8);
    expectRel(x.volMultiplierDown, e.volMultiplierDown as number, 1e-8);
    expectRel(o.volUpDecimal, e.volUpDecimal as number, 1e-8);
    expectRel(o.volDownDecimal, e.volDownDecimal as number, 1e-8);
    expectRel(d.basisContingency, e.basisContingency as number, 1e-8);
    expectRel((d.worstRegular as { pnl: number }).pnl, e.worstScenario?.pnl as number, 1e-8);
    expectRel((d.worstTail as { pnl: number }).pnl, e.worstTail?.pnl as number, 1e-8);
    expectRel((d.worstSkew as { pnl: number }).pnl, e.worstSkew?.pnl as number, 1e-8);
    expectRel(d.mmContingency, e.mmContingency as number, 1e-8);
    expectRel(d.imContingency, e.imContingency as number, 1e-8);
    expectRel(d.netMm, e.netMm as number, 1e-8);
    expectRel(d.netIm, e.netIm as number, 1e-8);
    const b = result.byCurrency.BTC;
    expectRel(b?.initialMargin, (e.mtm as number) - (e.netIm as number), 1e-8);
    expectRel(b?.maintenanceMargin, (e.mtm as number) - (e.netMm as number), 1e-8);
    expect(b?.scenarios).toHaveLength(23 + 6 + 3);
  });

  it("rejects what Derive cannot margin with unsupported issues and paths", () => {
    const v = loadVector("tc-d2-naked-short-call.json");
    const market = unwrap(buildMarketContext(vectorSnapshot(v)));
    const inverse = unwrap(parseInstrument("BTC-28FEB25-100000-C"));
    const future = unwrap(parseInstrument("BTC_USDC-28FEB25"));
    const portfolio: ResolvedPortfolio = {
      positions: [
        { instrument: inverse, sizeCoin: 1, sizeConvention: "coin", inputIndices: [0] },
        { instrument: future, sizeCoin: 1, sizeConvention: "coin", inputIndices: [1] },
      ],
      collateral: {},
      notes: [],
    };
    const r = arrangeDerivePortfolio(portfolio, market, params);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => [i.code, i.path])).toEqual([
      ["unsupported", "positions[0].instrument"],
      ["unsupported", "positions[1].instrument"],
    ]);
    expect(() => model.compute(portfolio, market)).toThrow(NetriskError);
  });

  it("collateral: a listed asset is valued and haircut, an unlisted one is noted and not counted; cash is net margin only", () => {
    const snapshot: MarketSnapshot = { ...vectorSnapshot(loadVector("tc-d2-naked-short-call.json")) };
    const market = unwrap(buildMarketContext({ ...snapshot, indexUsd: { ...snapshot.indexUsd, WBTC: 95000 } }));
    const call = unwrap(parseInstrument("BTC_USDC-28FEB25-100000-C"));
    const portfolio: ResolvedPortfolio = {
      positions: [{ instrument: call, sizeCoin: -1, sizeConvention: "coin", inputIndices: [0] }],
      collateral: { USDC: 5000, WBTC: 0.5, ETH: 2 },
      notes: [],
    };
    const withWbtc = { ...params, collaterals: { BTC: { WBTC: { riskCancelling: true, mmHaircutDecimal: 0.02, imHaircutDecimal: 0.03 } } } };
    const result = computeDerivePmrm2(portfolio, market, withWbtc);
    const b = result.byCurrency.BTC;
    const value = (0.5 * 95000) / 1.00019088635;
    expectRel(b?.details?.collateralValue, value, 1e-14);
    expectRel(b?.components.collateralHaircutMm, value * 0.02, 1e-14);
    expectRel(b?.components.collateralHaircutIm, value * 0.03, 1e-14);
    expect(result.notes.some((n) => n.includes("ETH balance 2"))).toBe(true);
    expect(b?.details?.cash).toBe(5000);
    // required = mtm + cash − net, whatever the cash
    expectRel(b?.initialMargin, (b?.details?.mtm as number) + 5000 - (b?.details?.netIm as number), 1e-12);
  });
});
