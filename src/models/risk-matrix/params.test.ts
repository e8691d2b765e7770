import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseRiskMatrixParams } from "./params.js";

const preset = (): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL("../../../presets/deribit.json", import.meta.url), "utf8")) as Record<string, unknown>;

/** A deep copy of the preset with one edit applied at a path. */
function edited(path: readonly string[], value: unknown): unknown {
  const p = preset();
  let cur = p as Record<string, unknown>;
  for (const key of path.slice(0, -1)) cur = cur[key] as Record<string, unknown>;
  const last = path[path.length - 1] as string;
  if (value === undefined) delete cur[last];
  else cur[last] = value;
  return p;
}

function issuesOf(input: unknown): { code: string; path: string }[] {
  const r = parseRiskMatrixParams(input);
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.issues.map((i) => ({ code: i.code, path: i.path }));
}

describe("presets/deribit.json", () => {
  it("validates, with name, version, effective date and the dated BTC / ETH parameters", () => {
    const r = parseRiskMatrixParams(preset());
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.info).toEqual({ name: "deribit", version: "2026.02.15-1", effective: "2026-02-15" });
    expect(r.value.pairs.BTC?.priceRangeDecimal).toBe(0.16);
    expect(r.value.pairs.ETH?.priceRangeDecimal).toBe(0.18);
    expect(r.value.pairs.ETH?.volShock.rangeUpDecimal).toBe(0.4);
    expect(r.value.currencies.USDC?.block).toBe("usd");
    expect(r.value.currencies.ETH?.pnlOffsetDecimal).toBe(0.6);
    expect(r.value.margin).toEqual({ kind: "mm_from_matrix", mmFactor: 0.8 });
    expect(r.value.extendedMoves).toEqual([-0.66, -0.33, 0.5, 1, 2, 3, 4, 5]);
    const p = preset() as { currency_pair: Record<string, { as_of: string }> };
    expect(p.currency_pair.btc_usd?.as_of).toBe("2024-06-17");
    expect(p.currency_pair.eth_usd?.as_of).toBe("2026-02-15");
  });
});

describe("invalid parameter sets are rejected with the reason and path", () => {
  it.each([
    [["currency_pair", "btc_usd", "price_range"], 1.5, "currency_pair.btc_usd.price_range"],
    [["currency_pair", "eth_usd", "volatility_range_up"], -0.1, "currency_pair.eth_usd.volatility_range_up"],
    [["general", "vol_scenarios_count"], 5, "general.vol_scenarios_count"],
    [["general", "buckets_count"], 0, "general.buckets_count"],
    [["currency", "btc", "pnl_offset"], 2, "currency.btc.pnl_offset"],
    [["currency", "btc", "equity_side_impact"], "sideways", "currency.btc.equity_side_impact"],
    [["rules", "roll_shock", "growth"], "quadratic", "rules.roll_shock.growth"],
    [["rules", "extended_moves"], [-0.66, 0], "rules.extended_moves[1]"],
    [["version"], undefined, "version"],
    [["effective"], "June 2024", "effective"],
  ])("%j = %j → invalid_parameter_set at %s", (path, value, issuePath) => {
    expect(issuesOf(edited(path, value))).toContainEqual({ code: "invalid_parameter_set", path: issuePath });
  });

  it("cross-field rules: missing mm_factor, unknown currency block, correlation_set, tail inside the grid", () => {
    expect(issuesOf(edited(["general", "mm_factor"], undefined))).toContainEqual({ code: "invalid_parameter_set", path: "general.mm_factor" });
    expect(issuesOf(edited(["rules", "settlement_currency_block", "USDC"], "usdc"))).toContainEqual({
      code: "invalid_parameter_set",
      path: "rules.settlement_currency_block.USDC",
    });
    expect(issuesOf(edited(["currency", "eth", "correlation_set"], true))).toContainEqual({
      code: "invalid_parameter_set",
      path: "currency.eth.correlation_set",
    });
    expect(issuesOf(edited(["rules", "extended_moves"], [-0.1, 2]))).toContainEqual({ code: "invalid_parameter_set", path: "rules.extended_moves[0]" });
  });

  it("unknown fields are rejected (typos in a parameter set must not pass silently)", () => {
    expect(issuesOf(edited(["currency_pair", "btc_usd", "price_rnage"], 0.2))).toContainEqual({
      code: "invalid_parameter_set",
      path: "currency_pair.btc_usd",
    });
  });

  it("legacy orientation: IM = im_factor × MM with contingencies", () => {
    const p = edited(["rules", "margin_relation"], "im_from_mm") as Record<string, Record<string, unknown>>;
    expect(issuesOf(p)).toContainEqual({ code: "invalid_parameter_set", path: "general.im_factor" });
    (p.general as Record<string, unknown>).im_factor = 1.2;
    (p.rules as Record<string, unknown>).contingencies = { naked_short_option_coin: 0.01, futures: { rate: 0.006, basis: "gross" } };
    const r = parseRiskMatrixParams(p);
    expect(r.ok && r.value.margin).toEqual({ kind: "im_from_mm", imFactor: 1.2 });
    expect(r.ok && r.value.contingencies).toEqual({ nakedShortOptionCoin: 0.01, futures: { rateDecimal: 0.006, basis: "gross" } });
  });
});
