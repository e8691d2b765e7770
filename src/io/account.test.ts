/**
 * The account file: model and parameter set binding, JSON Merge Patch overrides (RFC 7386, tested on its own in
 * test/account/rules.test.ts), issue paths, and the `--trade` syntax.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { evaluateAccount } from "../account/account.js";
import { unwrap } from "../errors.js";
import { buildMarketContext } from "../pricing/build-context.js";
import { loadAccount, parseTradeSpec, parseTradeSpecs } from "./account.js";
import { FILE_SCHEMAS } from "./json-schema.js";
import { validateMarket } from "./market.js";
import { loadModel, loadPreset } from "./presets.js";

const exampleMarket = unwrap(buildMarketContext(unwrap(validateMarket(JSON.parse(readFileSync("examples/market.json", "utf8"))))));
const book = {
  positions: [
    { instrument: "BTC-27MAR26-100000-C", size: -3 },
    { instrument: "BTC-PERPETUAL", size: 0.5 },
  ],
  collateral: { BTC: 1, USDC: 20000 },
};

const codes = (r: { ok: boolean; issues?: readonly { path: string; code: string }[] }) => (r.ok ? [] : (r.issues ?? []).map((i) => `${i.path}:${i.code}`));

describe("loadAccount", () => {
  it("reads the bundled example: model, preset, account overrides", () => {
    const file = JSON.parse(readFileSync("examples/account.json", "utf8")) as unknown;
    const a = unwrap(loadAccount(file, exampleMarket));
    expect(a.model.id).toBe("deribit");
    expect(a.parameterSetName).toBe("deribit");
    expect(a.rules.health.warningRatio).toBe(0.6);
    expect(a.rules.health.marginCallRatio).toBeCloseTo(1 / 1.2, 15); // untouched by the patch
    expect(a.rules.marginTiers).toHaveLength(2);
    expect(unwrap(evaluateAccount(a.account)).health.state).toBe("healthy");
  });

  it("patches the parameter set per account: mm_factor 0.75 scales every bucket's MM by 0.75 / 0.8", () => {
    const plain = unwrap(evaluateAccount(unwrap(loadAccount({ ...book, model: "deribit" }, exampleMarket)).account));
    const loaded = unwrap(loadAccount({ ...book, model: "deribit", overrides: { parameters: { general: { mm_factor: 0.75 } } } }, exampleMarket));
    expect(loaded.parameterSetName).toBe("deribit+overrides");
    const tier = unwrap(evaluateAccount(loaded.account));
    const before = plain.margin.byCurrency.btc_btc;
    const after = tier.margin.byCurrency.btc_btc;
    // Tolerance 1e-12 relative: one multiplication by a different factor.
    expect(Math.abs((after?.maintenanceMargin ?? 0) / (before?.maintenanceMargin ?? 1) - 0.75 / 0.8)).toBeLessThan(1e-12);
    expect(after?.initialMargin).toBe(before?.initialMargin);
  });

  it("takes an inline parameter set as well as a preset name", () => {
    const inline = unwrap(loadAccount({ ...book, model: "standard", parameterSet: unwrap(loadPreset("standard-deribit")) }, exampleMarket));
    const named = unwrap(loadAccount({ ...book, model: "standard", parameterSet: "standard-deribit" }, exampleMarket));
    expect(inline.parameterSetName).toBe("inline");
    expect(unwrap(evaluateAccount(inline.account)).figures).toEqual(unwrap(evaluateAccount(named.account)).figures);
  });

  it("takes a model built by the caller (how var and hybrid, which need history, are used)", () => {
    const model = unwrap(loadModel("standard"));
    const a = unwrap(loadAccount({ ...book, model: "deribit" }, exampleMarket, { model }));
    expect(a.model).toBe(model);
    expect(unwrap(evaluateAccount(a.account)).margin.model).toBe("standard");
  });

  it("reports problems with their paths", () => {
    expect(codes(loadAccount({ ...book, model: "nope" }, exampleMarket))).toEqual(["model:unknown_model"]);
    expect(codes(loadAccount({ ...book, parameterSet: "no-such-preset" }, exampleMarket))).toEqual(["parameterSet:file_not_found"]);
    expect(codes(loadAccount({ ...book, overrides: { parameters: { general: { mm_factor: 7 } } } }, exampleMarket))).toEqual([
      "overrides.parameters.general.mm_factor:invalid_parameter_set",
    ]);
    expect(codes(loadAccount({ ...book, overrides: { account: { health: { liquidationRatio: 2 } } } }, exampleMarket))).toEqual([
      "overrides.account.health.liquidationRatio:out_of_range",
    ]);
    expect(codes(loadAccount({ ...book, overrides: { colour: 1 } }, exampleMarket))).toEqual(["overrides.colour:invalid_value"]);
    expect(codes(loadAccount({ positions: [{ instrument: "BTC-27MAR26-100000-X", size: 1 }], model: 3 }, exampleMarket))).toEqual([
      "positions[0].instrument:malformed_instrument",
      "model:invalid_type",
    ]);
    expect(codes(loadAccount({ positions: [{ instrument: "SOL-PERPETUAL", size: 1 }] }, exampleMarket))).toEqual(["positions[0].instrument:missing_index"]);
  });

  it("Derive with risk-cancelling ETH collateral added by override: the model's IM, no account charge on top", () => {
    const file = {
      model: "derive-pmrm2",
      overrides: { parameters: { collaterals: { ETH: { ETH: { riskCancelling: true, mmHaircutDecimal: 0.02, imHaircutDecimal: 0.03 } } } } },
      positions: [{ instrument: "ETH_USDC-27MAR26-3400-C", size: -20 }],
      collateral: { ETH: 10, USDC: 5000 },
    };
    const e = unwrap(evaluateAccount(unwrap(loadAccount(file, exampleMarket)).account));
    expect(e.figures.initialMarginUsd).toBe(e.margin.totalUsd.initialMargin);
    expect(e.collateral.find((l) => l.currency === "ETH")?.treatment).toBe("model");
    // Derive charged its own collateral haircut (IM 3 % of 10 ETH on top of the MM 2 %).
    const details = e.margin.byCurrency.ETH?.components;
    expect(details?.collateralHaircutIm).toBeCloseTo(0.03 * 10 * 3000, 6);
  });

  it("has a JSON Schema entry", () => {
    expect(Object.keys(FILE_SCHEMAS)).toContain("account");
  });
});

describe("parseTradeSpec", () => {
  it("reads INSTRUMENT:SIZE[@PRICE]", () => {
    expect(unwrap(parseTradeSpec("BTC-28JUN24-70000-C:-5@0.012", "t"))).toEqual({ instrument: "BTC-28JUN24-70000-C", sizeCoin: -5, price: 0.012 });
    expect(unwrap(parseTradeSpec(" BTC-PERPETUAL:+2.5 ", "t"))).toEqual({ instrument: "BTC-PERPETUAL", sizeCoin: 2.5 });
    expect(unwrap(parseTradeSpec("ETH_USDC-PERPETUAL:1e-1@3e3", "t"))).toEqual({ instrument: "ETH_USDC-PERPETUAL", sizeCoin: 0.1, price: 3000 });
    // 1e999 is a number to the syntax; validateTrades then reports it as non_finite.
    expect(unwrap(parseTradeSpec("BTC-PERPETUAL:1e999", "t")).sizeCoin).toBe(Number.POSITIVE_INFINITY);
  });

  it("rejects malformed specs with paths, all at once", () => {
    const r = parseTradeSpecs(["BTC-PERPETUAL", "BTC-PERPETUAL:abc", "BTC-PERPETUAL:NaN", "BTC-PERPETUAL:1@inf", "BTC-PERPETUAL:1@@2"]);
    expect(codes(r)).toEqual(["trades[0]:invalid_value", "trades[1].size:invalid_value", "trades[2].size:non_finite", "trades[3].price:non_finite", "trades[4]:invalid_value"]);
  });
});
