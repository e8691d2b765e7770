import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { createModel, DEFAULT_PRESETS, MODEL_IDS, modelOnParams, validatedParamsOf } from "./registry.js";
import type { JointScenarioSet } from "../risk/joint.js";

const presetJson = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../presets/${name}.json`, import.meta.url), "utf8"));

/** The statistical models (var, hybrid) are bound to joint scenarios: 200 BTC moves of −10 % … +9.9 % over 2 days. */
const scenarios: JointScenarioSet = {
  method: "historical",
  horizonDays: 2,
  count: 200,
  priceFactors: ["BTC"],
  priceRelativeMove: Float64Array.from({ length: 200 }, (_v, i) => (i - 100) / 1000),
  volFactors: [],
  volRatio: new Float64Array(0),
  labels: Array.from({ length: 200 }, (_v, i) => `s${i}`),
  notes: [],
};
const statisticalOptions = { statistical: { scenarios }, riskMatrixParameterSet: presetJson("deribit") };

describe("model registry", () => {
  it("registers deribit, derive-pmrm2 and standard, each with a default preset", () => {
    expect([...MODEL_IDS].sort()).toEqual(["deribit", "derive-pmrm2", "greeks", "hybrid", "okx", "span", "standard", "var"]);
    for (const id of MODEL_IDS) expect(DEFAULT_PRESETS[id], id).toBeDefined();
  });

  it.each(MODEL_IDS.map((id) => [id]))("creates %s from its default preset", (id) => {
    const r = createModel(id, { parameterSet: presetJson(DEFAULT_PRESETS[id] ?? ""), ...statisticalOptions });
    expect(r.ok, JSON.stringify(r.ok ? null : r.issues.slice(0, 3))).toBe(true);
    if (!r.ok) return;
    expect(r.value.id).toBe(id);
    expect(r.value.parameterSet.effective).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it("answers unknown_model for an unknown id (also for inherited property names)", () => {
    for (const id of ["no-such-model", "", "toString", "__proto__"]) {
      const r = createModel(id, { parameterSet: {} });
      expect(r.ok ? null : [r.issues[0]?.code, r.issues[0]?.path], id).toEqual(["unknown_model", "model"]);
    }
  });

  it("needs a parameter set (the registry does no I/O)", () => {
    const r = createModel("standard");
    expect(r.ok ? null : [r.issues[0]?.code, r.issues[0]?.path]).toEqual(["required", "parameterSet"]);
  });

  it("passes on the model's invalid_parameter_set issues, and rejects another model's preset", () => {
    const r = createModel("standard", { parameterSet: presetJson("deribit") });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.every((i) => i.code === "invalid_parameter_set")).toBe(true);
    const d = createModel("deribit", { parameterSet: presetJson("standard-deribit") });
    expect(d.ok).toBe(false);
  });

  it("var and hybrid need their scenario sets (and hybrid its risk-matrix parameter set)", () => {
    const v = createModel("var", { parameterSet: presetJson("var-default") });
    expect(v.ok ? null : [v.issues[0]?.code, v.issues[0]?.path]).toEqual(["required", "statistical"]);
    const h = createModel("hybrid", { parameterSet: presetJson("hybrid-default"), statistical: { scenarios } });
    expect(h.ok ? null : [h.issues[0]?.code, h.issues[0]?.path]).toEqual(["required", "riskMatrixParameterSet"]);
  });

  it.each(MODEL_IDS.map((id) => [id]))("%s: its validated parameters, stored as JSON, bind the same model again (not var, hybrid; okx's as the document its set was validated from)", (id) => {
    const model = createModel(id, { parameterSet: presetJson(DEFAULT_PRESETS[id] ?? ""), ...statisticalOptions });
    if (!model.ok) throw new Error(`no ${id} model`);
    const params = validatedParamsOf(model.value);
    if (id === "var" || id === "hybrid") {
      expect(params).toBeUndefined();
      return;
    }
    // As a partition snapshot stores them: nothing lost in JSON (no Map, typed array or non-finite number).
    const stored = JSON.parse(JSON.stringify(params)) as object;
    expect(stored).toStrictEqual(params);
    const again = modelOnParams(id, stored);
    expect([again?.id, again?.parameterSet]).toEqual([id, model.value.parameterSet]);
    expect(validatedParamsOf(again as NonNullable<typeof again>)).toStrictEqual(params);
  });

  it("okx: a stored parameter document is validated again when bound (a bad one binds nothing)", () => {
    const model = createModel("okx", { parameterSet: presetJson("okx") });
    if (!model.ok) throw new Error("no okx model");
    const params = JSON.parse(JSON.stringify(validatedParamsOf(model.value))) as Record<string, unknown>;
    expect(modelOnParams("okx", { ...params, imr: { factor: 0.5, inferred: "below 1" } })).toBeUndefined();
    expect(modelOnParams("okx", { ...params, extra: 1 })).toBeUndefined();
  });
});
