/**
 * Exact reproduction of Deribit's published `private/pme/simulate` documentation example (W1): a BTC perpetual long
 * and a short June future, test/fixtures/deribit/w1.json (transcribed from deribit-pm.md §5 with its source).
 */
import { describe, expect, it } from "vitest";
import type { MarketSnapshot } from "../../market/types.js";
import { marketOf, paramsOf, portfolioOf, readFixture, readPreset } from "../../../test/fixtures/deribit/load.js";
import { createRiskMatrixModel } from "./model.js";

interface Vectors {
  standard: number[];
  extended: number[];
}
interface W1 {
  model_params: { general: Record<string, unknown>; currency_pair: Record<string, Record<string, unknown>>; currency: Record<string, Record<string, unknown>> };
  market: MarketSnapshot;
  positions: Record<string, number>;
  initial_margin_inputs: Record<string, { mmp_margin: number; open_orders_margin: number }>;
  expected: {
    initial_risk_vectors: Record<string, Vectors>;
    aggregated_risk_vectors: Record<string, Vectors>;
    worst_case: number;
    worst_case_bucket: { index: number; source: string; bucket: number; side: string };
    roll_shock: number;
    delta_shock: number;
    correlation_contingency: number;
    risk_matrix_margin: number;
    initial_margin: number;
    maintenance_margin: number;
  };
}

const w1 = readFixture<W1>("w1.json");
/** Tolerance of the fixture: 1e-9 absolute (Deribit's 4e-10 internal rounding gap on risk_matrix_margin, note §5). */
const TOL = 1e-9;

/** The Deribit preset with W1's model_params blocks pasted over it (the response's own parameters). */
function w1ParameterSet(): unknown {
  const preset = readPreset("deribit") as {
    general: Record<string, unknown>;
    currency_pair: Record<string, Record<string, unknown>>;
    currency: Record<string, Record<string, unknown>>;
  };
  const mp = w1.model_params;
  return {
    ...preset,
    general: { ...preset.general, ...mp.general },
    currency_pair: { btc_usd: { ...preset.currency_pair.btc_usd, ...mp.currency_pair.btc_usd } },
    currency: {
      ...preset.currency,
      btc: { ...preset.currency.btc, ...mp.currency.btc },
      usd: { ...preset.currency.usd, ...mp.currency.usd },
    },
  };
}

function expectClose(actual: readonly number[], expected: readonly number[], tol: number): void {
  expect(actual).toHaveLength(expected.length);
  actual.forEach((a, i) => expect(Math.abs(a - (expected[i] as number)), `entry ${i}: ${a} vs ${expected[i]}`).toBeLessThanOrEqual(tol));
}

describe("Deribit pme/simulate docs example W1 (to 1e-9 absolute)", () => {
  const model = createRiskMatrixModel(paramsOf(w1ParameterSet()));
  const market = marketOf(w1.market);
  const ims = w1.initial_margin_inputs.btc_btc;
  const r = model.computeResult(portfolioOf(w1.positions), market, {
    initialMarginInputs: { btc_btc: { mmpMargin: ims?.mmp_margin ?? NaN, openOrdersMargin: ims?.open_orders_margin ?? NaN } },
  });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const b = r.value.byCurrency.btc_btc;
  if (b === undefined) throw new Error("no btc_btc bucket");
  const d = b.details as {
    initial_risk_vectors: Record<string, Vectors>;
    aggregated_risk_vectors: Vectors;
    pre_aggregated_risk_vectors: Vectors;
    risk_matrix_margin_details: { worst_case_bucket: unknown };
  };
  const e = w1.expected;

  it("the preset's BTC blocks are W1's model_params (the preset is dated 2024-06-17 for BTC)", () => {
    const preset = readPreset("deribit") as { currency_pair: Record<string, object>; currency: Record<string, object> };
    expect(preset.currency_pair.btc_usd).toMatchObject(w1.model_params.currency_pair.btc_usd ?? {});
    expect(preset.currency.btc).toMatchObject(w1.model_params.currency.btc ?? {});
  });

  it("initial risk vectors: 27 standard + 8 extended per instrument", () => {
    for (const [name, v] of Object.entries(e.initial_risk_vectors)) {
      const got = d.initial_risk_vectors[name];
      expect(got, name).toBeDefined();
      expectClose(got?.standard ?? [], v.standard, TOL);
      expectClose(got?.extended ?? [], v.extended, TOL);
    }
  });

  it("aggregated risk vectors of btc_btc (positives → 0 with pnl_offset 0; extended dampened to 0)", () => {
    expectClose(d.aggregated_risk_vectors.standard, e.aggregated_risk_vectors.btc_btc?.standard ?? [], TOL);
    expectClose(d.aggregated_risk_vectors.extended, e.aggregated_risk_vectors.btc_btc?.extended ?? [], TOL);
  });

  it("worst case 0.05968587238095239 BTC at −16 % (index 1, bucket 1, side left, source standard)", () => {
    expect(Math.abs((b.components.worstCase ?? NaN) - e.worst_case)).toBeLessThanOrEqual(TOL);
    expect(d.risk_matrix_margin_details.worst_case_bucket).toEqual(e.worst_case_bucket);
    expect(b.worstScenario).toEqual({ id: "std:-16%:unchanged", priceMove: -0.16, volMove: "unchanged", tail: false });
  });

  it("roll shock, delta shock, correlation contingency, risk-matrix margin, MM and IM", () => {
    expect(Math.abs((b.components.rollShock ?? NaN) - e.roll_shock)).toBeLessThanOrEqual(TOL);
    expect(b.components.deltaShock).toBe(e.delta_shock);
    expect(b.components.correlationContingency).toBe(e.correlation_contingency);
    expect(Math.abs((b.components.riskMatrixMargin ?? NaN) - e.risk_matrix_margin)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(b.maintenanceMargin - e.maintenance_margin)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(b.initialMargin - e.initial_margin)).toBeLessThanOrEqual(TOL);
    expect(b.currency).toBe("BTC");
    // USD figures at the index 65,666.19 (relative 1e-12: one multiplication).
    expect(b.initialMarginUsd).toBeCloseTo(b.initialMargin * 65_666.19, 6);
    expect(r.value.totalUsd.initialMargin).toBe(b.initialMarginUsd);
  });

  it("contributions sum to the worst raw P&L and the scenario list is the 35-entry matrix", () => {
    const sum = (b.contributions ?? []).reduce((s, c) => s + c.pnl, 0);
    expect(Math.abs(sum + e.worst_case)).toBeLessThanOrEqual(TOL);
    expect(b.scenarios).toHaveLength(35);
    expect(b.scenarios?.[27]?.id).toBe("ext:-66%:up");
    expect(b.scenarios?.[34]?.id).toBe("ext:+500%:up");
  });
});
