// The Greeks-based margin parameter set: the shipped preset parses; bad sets come back as issues with paths.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseGreeksParams } from "./params.js";

const preset = JSON.parse(readFileSync(new URL("../../../presets/greeks-default.json", import.meta.url), "utf8")) as Record<string, unknown>;
type Raw = {
  underlyings: Record<string, { price_shock: number; vega_shock: Record<string, number> }>;
  delta_correlation: { pair: [string, string]; rho: number }[];
  vega_correlation: { pair: [string, string]; rho: number }[];
  vega_buckets: { id: string; max_days: number | null }[];
  vega_bucket_correlation: number[][];
};
const clone = (): Raw & Record<string, unknown> => structuredClone(preset) as Raw & Record<string, unknown>;
const paths = (input: unknown): string[] => {
  const r = parseGreeksParams(input);
  return r.ok ? [] : r.issues.map((i) => `${i.code} ${i.path}`).sort();
};

describe("parseGreeksParams", () => {
  it("accepts the shipped preset: BTC, ETH, SOL, five vega buckets, PSD correlation matrices", () => {
    const r = parseGreeksParams(preset);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.underlyingNames).toEqual(["BTC", "ETH", "SOL"]);
    expect(r.value.vegaBuckets.map((b) => b.id)).toEqual(["W1", "M1", "Q1", "Q2", "Y1"]);
    expect(r.value.deltaCorrelation[0]?.[0]).toBe(1);
  });

  it("reports a missing or duplicated correlation and a missing or unknown vega shock", () => {
    const p = clone();
    p.delta_correlation = p.delta_correlation.filter((e) => e.pair.join() !== "BTC,SOL");
    p.vega_correlation.push({ pair: ["ETH", "BTC"], rho: 0.5 });
    delete p.underlyings.ETH!.vega_shock.Q2;
    p.underlyings.SOL!.vega_shock.Z9 = 0.1;
    expect(paths(p)).toEqual(
      [
        "invalid_parameter_set delta_correlation",
        "invalid_parameter_set underlyings.ETH.vega_shock.Q2",
        "invalid_parameter_set underlyings.SOL.vega_shock.Z9",
        `invalid_parameter_set vega_correlation[${p.vega_correlation.length - 1}].pair`,
      ].sort(),
    );
  });

  it("rejects correlations that are not positive semidefinite, and a bad bucket matrix or order", () => {
    const p = clone();
    p.delta_correlation = [
      { pair: ["BTC", "ETH"], rho: 0.9 },
      { pair: ["BTC", "SOL"], rho: 0.9 },
      { pair: ["ETH", "SOL"], rho: -0.9 },
    ];
    expect(paths(p)).toEqual(["invalid_parameter_set delta_correlation"]);
    const q = clone();
    q.vega_bucket_correlation[0]![1] = 0.1; // no longer symmetric
    q.vega_buckets[3]!.max_days = 50; // below Q1's 100
    expect(paths(q)).toEqual(["invalid_parameter_set vega_bucket_correlation", "invalid_parameter_set vega_buckets[3].max_days"]);
  });
});
