/** The `parameters` control input of the live runner: a new parameter-set version, self-contained (model built here). */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { inputOfMessage } from "../../src/transport/live-runner.js";
import { SUBJECTS } from "../../src/transport/port.js";

const preset = JSON.parse(readFileSync("presets/deribit.json", "utf8")) as Record<string, unknown>;
const msg = (data: unknown) => ({ subject: SUBJECTS.control, seq: 7, data });
const ts = "2026-03-02T12:00:00Z";

describe("parameters control input", () => {
  it("becomes a core input with the model bound to the version it carries", () => {
    const input = inputOfMessage(msg({ type: "parameters", ts, model: "deribit", parameterSet: { name: "deribit", version: "v2", document: { ...preset, version: "v2" } } }));
    expect(Array.isArray(input)).toBe(false);
    if (Array.isArray(input) || input.kind !== "parameters") throw new Error("not a parameters input");
    expect([input.seq, input.parameterSetName, input.model.id, input.model.parameterSet.version]).toEqual([7, "deribit", "deribit", "v2"]);
  });

  it("refuses a message without a set, with an unknown model, or with a bad document, with the path", () => {
    const issues = (data: unknown) => inputOfMessage(msg({ type: "parameters", ts, ...(data as object) })) as { code: string; path: string }[];
    expect(issues({ model: "deribit" })[0]).toMatchObject({ code: "required", path: "parameterSet" });
    expect(issues({ model: "nope", parameterSet: { name: "x", version: "1", document: preset } })[0]).toMatchObject({ code: "unknown_model", path: "model" });
    const bad = issues({ model: "deribit", parameterSet: { name: "deribit", version: "1", document: { ...preset, general: "x" } } });
    expect(bad.length).toBeGreaterThan(0);
    expect(bad[0]?.path.startsWith("parameterSet.document")).toBe(true);
  });
});
