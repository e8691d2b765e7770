import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { DEFAULT_PRESETS, MODEL_IDS } from "../models/registry.js";
import { loadModel, loadPreset, presetPath } from "./presets.js";
import type * as presets from "./presets.js";

describe("loadPreset", () => {
  it("reads presets/<name>.json relative to the package root", () => {
    expect(presetPath("deribit")).toBe(fileURLToPath(new URL("../../presets/deribit.json", import.meta.url)));
    const r = loadPreset("standard-deribit");
    expect(r.ok && (r.value as { name: string }).name).toBe("standard-deribit");
  });

  it("reports a missing preset as file_not_found with the file path", () => {
    const r = loadPreset("no-such-preset");
    expect(r.ok ? null : [r.issues[0]?.code, r.issues[0]?.path]).toEqual(["file_not_found", "presets/no-such-preset.json"]);
  });

  it("rejects names that are not plain file stems (no path traversal)", () => {
    for (const name of ["../package", "a/b", "Deribit", "", ".hidden", "x..y"]) {
      const r = loadPreset(name);
      expect(r.ok ? null : r.issues[0]?.code, name).toBe("invalid_value");
    }
  });
});

describe("loadModel", () => {
  // The statistical models also need joint scenarios, which the caller builds from history files (netrisk var).
  const STATISTICAL = ["var", "hybrid"];
  it.each(MODEL_IDS.filter((id) => !STATISTICAL.includes(id)).map((id) => [id]))("builds %s from its default preset", (id) => {
    const r = loadModel(id);
    expect(r.ok, JSON.stringify(r.ok ? null : r.issues.slice(0, 3))).toBe(true);
    if (r.ok) expect(r.value.id).toBe(id);
  });

  it.each(STATISTICAL.map((id) => [id]))("reads %s's default preset, then asks for its scenario sets", (id) => {
    const r = loadModel(id);
    expect(r.ok ? null : [r.issues[0]?.code, r.issues[0]?.path]).toEqual(["required", "statistical"]);
  });

  it("takes another preset by name and reports unknown models", () => {
    const r = loadModel("derive-pmrm2", "derive-pmrm2-mainnet-2025-06");
    expect(r.ok && r.value.parameterSet.name).toBeTruthy();
    const u = loadModel("no-such-model");
    expect(u.ok ? null : u.issues[0]?.code).toBe("unknown_model");
    const m = loadModel("standard", "deribit");
    expect(m.ok ? null : m.issues[0]?.code).toBe("invalid_parameter_set");
  });
});

// The same helper after `npm run build` (dist/io/presets.js, as `npm test` runs it): the presets/ path must resolve
// from dist/ too. Skipped when there is no build.
const distModule = fileURLToPath(new URL("../../dist/io/presets.js", import.meta.url));
describe.runIf(existsSync(distModule))("loadPreset from the built package (dist/)", () => {
  it("finds every default preset", async () => {
    const dist = (await import(distModule)) as typeof presets;
    for (const id of MODEL_IDS) {
      const r = dist.loadPreset(DEFAULT_PRESETS[id] ?? "");
      expect(r.ok, id).toBe(true);
    }
    expect(dist.presetPath("deribit")).toBe(presetPath("deribit"));
  });
});
