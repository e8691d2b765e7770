/**
 * Option risk vectors and option-portfolio margins against an independent recomputation
 * (test/fixtures/deribit/generate_option_vectors.py: Python + scipy, formulas of deribit-pm.md, real quotes of
 * 2025-12-30 from ../shared/data). Deribit publishes no option example, so this is the check of full revaluation.
 */
import { describe, expect, it } from "vitest";
import { unwrap } from "../../errors.js";
import { parseInstrument } from "../../market/instrument.js";
import type { DerivativeInstrument, MarketSnapshot } from "../../market/types.js";
import { marketOf, paramsOf, portfolioOf, readFixture } from "../../../test/fixtures/deribit/load.js";
import { buildRiskMatrixArrays, createRiskMatrixModel } from "./model.js";

interface Fixture {
  parameter_set: unknown;
  market: MarketSnapshot;
  vectors: Record<string, { standard: number[]; extended: number[]; delta_coin: number; time_years: number }>;
  portfolios: Record<
    string,
    {
      positions: Record<string, number>;
      expected: Record<
        string,
        {
          pre_aggregated: number[];
          aggregated: number[];
          worst_case: number;
          worst_value_index: number;
          roll_shock: number;
          delta_shock: number;
          net_delta_coin: number;
          risk_matrix_margin: number;
          initial_margin: number;
          maintenance_margin: number;
        }
      >;
      total_usd: { initial_margin: number; maintenance_margin: number };
    }
  >;
}

const fx = readFixture<Fixture>("option_vectors.json");
const params = paramsOf(fx.parameter_set);
const market = marketOf(fx.market);
const names = Object.keys(fx.vectors);
const instruments = names.map((n) => unwrap(parseInstrument(n)) as DerivativeInstrument);

/**
 * Tolerance of one risk-array entry: 1e-12 absolute. Both sides evaluate the same closed form in doubles; entries are
 * ≤ 1 coin for inverse rows (V/F terms ~0.1, error ~1e-16 each) and ≤ ~10^5 USD for linear rows, where 1e-12 relative
 * is used instead (~1e-7 USD absolute at these prices).
 */
function tolOf(value: number, linear: boolean): number {
  return linear ? Math.max(1e-12, 1e-12 * Math.abs(value)) : 1e-12;
}

describe("option risk vectors vs independent scipy recomputation", () => {
  const arrays = unwrap(buildRiskMatrixArrays(instruments, market, params));
  it("has 27 + 8 scenarios per instrument", () => {
    expect(arrays.scenarioCount).toBe(35);
  });
  it.each(names)("%s: every standard and extended entry per +1 coin", (name) => {
    const row = arrays.rowOf.get(name) ?? -1;
    const v = fx.vectors[name];
    if (v === undefined || row < 0) throw new Error(name);
    const expected = [...v.standard, ...v.extended];
    const linear = name.includes("_USDC");
    for (let j = 0; j < 35; j++) {
      const got = arrays.data[row * 35 + j] as number;
      expect(Math.abs(got - (expected[j] as number)), `${name} scenario ${j}`).toBeLessThanOrEqual(tolOf(expected[j] as number, linear));
    }
    // Delta (net transaction delta for inverse options): same closed form, 1e-12.
    expect(Math.abs((arrays.deltaCoin[row] as number) - v.delta_coin)).toBeLessThanOrEqual(1e-12);
  });
});

describe("option portfolios: margins vs independent recomputation", () => {
  const model = createRiskMatrixModel(params);
  for (const [pname, pf] of Object.entries(fx.portfolios)) {
    it(`${pname}: per-bucket vectors, worst case, roll and delta shocks, IM, MM`, () => {
      const r = model.computeResult(portfolioOf(pf.positions), market);
      if (!r.ok) throw new Error(JSON.stringify(r.issues));
      expect(Object.keys(r.value.byCurrency).sort()).toEqual(Object.keys(pf.expected).sort());
      for (const [key, e] of Object.entries(pf.expected)) {
        const b = r.value.byCurrency[key];
        if (b === undefined) throw new Error(key);
        const d = b.details as { pre_aggregated_risk_vectors: { standard: number[]; extended: number[] }; aggregated_risk_vectors: { standard: number[]; extended: number[] }; net_delta_coin: number };
        const linear = key.endsWith("_usdc");
        // Sums of up to 10 positions × sizes up to 3000: relative 1e-12 of the largest term (sizes ≤ 3000, terms ≤ 1).
        const scale = linear ? 1e6 : 3000;
        const tol = 1e-12 * scale;
        const pre = [...d.pre_aggregated_risk_vectors.standard, ...d.pre_aggregated_risk_vectors.extended];
        const agg = [...d.aggregated_risk_vectors.standard, ...d.aggregated_risk_vectors.extended];
        pre.forEach((v, j) => expect(Math.abs(v - (e.pre_aggregated[j] as number)), `${key} pre ${j}`).toBeLessThanOrEqual(tol));
        agg.forEach((v, j) => expect(Math.abs(v - (e.aggregated[j] as number)), `${key} agg ${j}`).toBeLessThanOrEqual(tol));
        expect(Math.abs((b.components.worstCase ?? NaN) - e.worst_case)).toBeLessThanOrEqual(tol);
        expect(b.scenarios?.findIndex((s) => s.id === b.worstScenario?.id)).toBe(e.worst_value_index);
        expect(Math.abs((b.components.rollShock ?? NaN) - e.roll_shock)).toBeLessThanOrEqual(tol);
        expect(Math.abs((b.components.deltaShock ?? NaN) - e.delta_shock)).toBeLessThanOrEqual(tol);
        expect(Math.abs(d.net_delta_coin - e.net_delta_coin)).toBeLessThanOrEqual(tol);
        expect(Math.abs(b.initialMargin - e.initial_margin)).toBeLessThanOrEqual(tol);
        expect(Math.abs(b.maintenanceMargin - e.maintenance_margin)).toBeLessThanOrEqual(tol);
        const contributions = (b.contributions ?? []).reduce((s, c) => s + c.pnl, 0);
        expect(Math.abs(contributions - (e.pre_aggregated[e.worst_value_index] as number))).toBeLessThanOrEqual(tol);
      }
      expect(Math.abs(r.value.totalUsd.initialMargin - pf.total_usd.initial_margin)).toBeLessThanOrEqual(1e-12 * 1e8);
      expect(Math.abs(r.value.totalUsd.maintenanceMargin - pf.total_usd.maintenance_margin)).toBeLessThanOrEqual(1e-12 * 1e8);
    });
  }

  it("the tail portfolio's worst scenario is the −66 % extended one (it survives the dampener)", () => {
    const r = model.computeResult(portfolioOf(fx.portfolios.tail?.positions ?? {}), market);
    expect(r.ok && r.value.byCurrency.btc_btc?.worstScenario?.id).toBe("ext:-66%:up");
  });
});
