/**
 * The `account` input of the live runner binds its document with the parameter set it carries. Binders are kept per
 * market and carried set (live-runner.ts: a fill's message no longer builds the model again), so the same set gives
 * the same model, and a set replaced under the same name and version (a version not yet in force may be) its own.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { validateMarket } from "../../src/io/market.js";
import { paramsFingerprint } from "../../src/live/regroup.js";
import type { RiskMatrixModel } from "../../src/models/risk-matrix/model.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { accountOfMessage } from "../../src/transport/live-runner.js";

const preset = JSON.parse(readFileSync("presets/deribit.json", "utf8")) as Record<string, unknown>;
const market = unwrap(buildMarketContext(unwrap(validateMarket(JSON.parse(readFileSync("examples/market.json", "utf8"))))));
const document = { positions: [{ instrument: "BTC-PERPETUAL", size: 1 }], collateral: { BTC: 1 } };
const carrying = (set: unknown) => ({ document, parameterSet: { name: "deribit", version: "v9", document: set } });
const modelOf = (d: Record<string, unknown>) => {
  const a = accountOfMessage(market, "a", d);
  if (Array.isArray(a)) throw new Error(`did not bind: ${JSON.stringify(a)}`);
  return a.model;
};

describe("account input", () => {
  it("reuses the model of a set it has bound on this market", () => {
    const first = modelOf(carrying(preset));
    // Another message carries the same set as new JSON (as it arrives from a transport).
    expect(modelOf(carrying(JSON.parse(JSON.stringify(preset))))).toBe(first);
  });

  it("binds a set replaced under the same name and version with its new document", () => {
    const general = preset.general as Record<string, unknown>;
    const before = modelOf(carrying(preset));
    const after = modelOf(carrying({ ...preset, general: { ...general, mm_factor: 0.7 } }));
    expect(after).not.toBe(before);
    expect(paramsFingerprint((after as RiskMatrixModel).params)).not.toBe(paramsFingerprint((before as RiskMatrixModel).params));
  });

  it("refuses a message without a set, with the path", () => {
    const a = accountOfMessage(market, "a", { document, parameterSet: null });
    expect(Array.isArray(a) ? a[0] : a).toMatchObject({ code: "required", path: "document.parameterSet" });
  });
});
