/** Model-level behaviour of the risk-matrix model: bad input, IM inputs, shared arrays, legacy orientation. */
import { describe, expect, it } from "vitest";
import { NetriskError, unwrap } from "../../errors.js";
import { parseInstrument } from "../../market/instrument.js";
import type { DerivativeInstrument, MarketSnapshot } from "../../market/types.js";
import { marketOf, paramsOf, portfolioOf, readFixture } from "../../../test/fixtures/deribit/load.js";
import { buildRiskMatrixArrays, createRiskMatrixModel, DERIBIT_MODEL_ID } from "./model.js";

interface Fixture {
  parameter_set: Record<string, unknown> & { general: Record<string, unknown>; rules: Record<string, unknown> };
  market: MarketSnapshot;
  vectors: Record<string, unknown>;
}
const fx = readFixture<Fixture>("option_vectors.json");
const market = marketOf(fx.market);
const params = paramsOf(fx.parameter_set);
const model = createRiskMatrixModel(params);

describe("bad input", () => {
  const solMarket = marketOf({
    ...fx.market,
    indexUsd: { ...fx.market.indexUsd, SOL: 190 },
    instruments: { ...fx.market.instruments, "SOL_USDC-PERPETUAL": { markPrice: 190.5 } },
  });
  const p = portfolioOf({ "BTC-PERPETUAL": 1, "SOL_USDC-PERPETUAL": 10 });

  it("a position in an underlying without parameters is `unsupported` at its path", () => {
    const r = model.computeResult(p, solMarket);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => ({ code: i.code, path: i.path }))).toEqual([{ code: "unsupported", path: "positions[1].instrument" }]);
    expect(r.issues[0]?.message).toContain("SOL");
  });

  it("compute (the MarginModel entry point) throws a NetriskError carrying the same issues", () => {
    expect(() => model.compute(p, solMarket)).toThrow(NetriskError);
    try {
      model.compute(p, solMarket);
    } catch (e) {
      expect((e as NetriskError).code).toBe("unsupported");
    }
  });

  it("negative IM inputs are `invalid_value`; an unknown bucket key is `unsupported`", () => {
    const r = model.computeResult(portfolioOf({ "BTC-PERPETUAL": 1 }), market, {
      initialMarginInputs: { btc_btc: { mmpMargin: -1 }, sol_usdc: { openOrdersMargin: 1 } },
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => `${i.code}@${i.path}`)).toEqual(["invalid_value@initialMarginInputs.btc_btc.mmpMargin"]);
    const r2 = model.computeResult(portfolioOf({ "BTC-PERPETUAL": 1 }), market, { initialMarginInputs: { sol_usdc: { openOrdersMargin: 1 } } });
    expect(!r2.ok && r2.issues.map((i) => `${i.code}@${i.path}`)).toEqual(["unsupported@initialMarginInputs.sol_usdc"]);
  });
});

describe("results", () => {
  it("spot positions are collateral: ignored by the matrix, with a note", () => {
    const base = unwrap(model.computeResult(portfolioOf({ "BTC-PERPETUAL": 1 }), market));
    const withSpot = unwrap(model.computeResult(portfolioOf({ "BTC-PERPETUAL": 1, BTC: 5 }), market));
    expect(withSpot.totalUsd).toEqual(base.totalUsd);
    expect(withSpot.notes.some((n) => n.includes("collateral"))).toBe(true);
    expect(withSpot.model).toBe(DERIBIT_MODEL_ID);
    expect(withSpot.parameterSet).toEqual(params.info);
  });

  it("a bucket with only open-orders / MMP margin has IM = their sum and MM = 0", () => {
    const r = unwrap(model.computeResult(portfolioOf({ "BTC-PERPETUAL": 1 }), market, { initialMarginInputs: { eth_eth: { openOrdersMargin: 0.5, mmpMargin: 0.25 } } }));
    expect(r.byCurrency.eth_eth).toMatchObject({ currency: "ETH", initialMargin: 0.75, maintenanceMargin: 0 });
    expect(r.byCurrency.eth_eth?.initialMarginUsd).toBeCloseTo(0.75 * 2978.18, 9);
  });

  it("linear buckets are in USDC, valued at 1 USD unless the market has a USDC index", () => {
    const book = portfolioOf({ "BTC_USDC-PERPETUAL": 2 });
    const r = unwrap(model.computeResult(book, market));
    const b = r.byCurrency.btc_usdc;
    expect(b?.currency).toBe("USDC");
    // 2 BTC long at mark 88,539: worst −16 % → 2 × 88,539 × 0.16 USDC; roll floor 1 % of 2 × index 88,530.46.
    expect(b?.components.worstCase).toBeCloseTo(2 * 88_539 * 0.16, 8);
    expect(b?.components.rollShock).toBeCloseTo(2 * 88_530.46 * 0.01, 8);
    expect(b?.initialMarginUsd).toBe(b?.initialMargin);
    const depeg = marketOf({ ...fx.market, indexUsd: { ...fx.market.indexUsd, USDC: 0.97 } });
    const r2 = unwrap(model.computeResult(book, depeg));
    expect(r2.byCurrency.btc_usdc?.initialMarginUsd).toBeCloseTo((b?.initialMargin ?? 0) * 0.97, 8);
  });

  it("prebuilt shared risk arrays give bit-identical results; instruments missing from them are reported", () => {
    const names = Object.keys(fx.vectors);
    const arrays = unwrap(buildRiskMatrixArrays(names.map((n) => unwrap(parseInstrument(n)) as DerivativeInstrument), market, params));
    const book = portfolioOf({ "BTC-25DEC26-40000-P": -30, "ETH-16JAN26-3000-C": 12, "BTC-PERPETUAL": 3 });
    expect(unwrap(model.computeResult(book, market, { arrays }))).toEqual(unwrap(model.computeResult(book, market)));
    const small = unwrap(buildRiskMatrixArrays([unwrap(parseInstrument("BTC-PERPETUAL")) as DerivativeInstrument], market, params));
    const r = model.computeResult(book, market, { arrays: small });
    expect(!r.ok && r.issues.map((i) => i.code)).toEqual(["unknown_instrument", "unknown_instrument"]);
  });
});

describe("legacy orientation and contingencies", () => {
  const legacy = createRiskMatrixModel(
    paramsOf({
      ...fx.parameter_set,
      general: { ...fx.parameter_set.general, im_factor: 1.2 },
      rules: {
        ...fx.parameter_set.rules,
        margin_relation: "im_from_mm",
        contingencies: { naked_short_option_coin: 0.01, futures: { rate: 0.01, basis: "offsetting" } },
      },
    }),
  );
  it("MM = matrix + contingencies, IM = 1.2 × MM; per-strike net short and offsetting futures (W4 shapes)", () => {
    const book = portfolioOf({ "BTC-31DEC25-88000-C": 10, "BTC-31DEC25-88000-P": -20, "BTC-PERPETUAL": 100, "BTC-25DEC26": -100 });
    const b = unwrap(legacy.computeResult(book, market)).byCurrency.btc_btc;
    expect(b?.components.nakedShortOptionContingency).toBeCloseTo(0.1, 15);
    expect(b?.components.futuresContingency).toBeCloseTo(1, 15);
    const c = b?.components ?? {};
    const matrix = (c.worstCase ?? 0) + (c.rollShock ?? 0) + (c.deltaShock ?? 0) + (c.correlationContingency ?? 0) + 0.1 + 1;
    expect(b?.maintenanceMargin).toBeCloseTo(matrix, 12);
    expect(b?.initialMargin).toBeCloseTo(1.2 * matrix, 12);
  });
});
