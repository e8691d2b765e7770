/**
 * Read parameter-set presets shipped in the package's presets/ folder, and build a model from one. The only I/O
 * around the (pure) model registry.
 * @module
 */
import { fileURLToPath } from "node:url";
import { fail, issue } from "../errors.js";
import type { Result } from "../errors.js";
import { readJson } from "./files.js";
import { createModel, DEFAULT_PRESETS, MODEL_IDS } from "../models/registry.js";
import type { MarginModel } from "../models/types.js";

/** Preset names are plain file stems (no path separators, no `..`): `deribit`, `standard-deribit`. */
const PRESET_NAME = /^[a-z0-9][a-z0-9._-]{0,99}$/;

/**
 * Absolute path of presets/<name>.json. Both src/io/presets.ts (under vitest) and dist/io/presets.js (after
 * `npm run build`, tsconfig.build.json maps src/ to dist/) sit two folders below the package root.
 */
export function presetPath(name: string): string {
  return fileURLToPath(new URL(`../../presets/${name}.json`, import.meta.url));
}

/**
 * Read and parse presets/<name>.json.
 * @returns the parsed JSON (not yet validated: the model does that), or `invalid_value` (bad name),
 *   `file_not_found`, `file_unreadable`, `invalid_json`, each with path `presets/<name>.json`.
 */
export function loadPreset(name: string): Result<unknown> {
  const path = `presets/${name}.json`;
  if (!PRESET_NAME.test(name) || name.includes("..")) {
    return fail(issue("invalid_value", "preset", `${JSON.stringify(name)} is not a preset name (lower-case letters, digits, '.', '_', '-')`));
  }
  const read = readJson(presetPath(name), path);
  if (!read.ok && read.issues[0]?.code === "file_not_found") return fail(issue("file_not_found", path, `no preset named ${JSON.stringify(name)}`));
  return read;
}

/**
 * Create a model from a preset file: `loadModel("standard")` reads presets/standard-deribit.json.
 * @param id - registered model id (see `MODEL_IDS`).
 * @param presetName - preset file stem; default {@link DEFAULT_PRESETS}[id].
 * @returns the model, or the issues of {@link loadPreset} and `createModel` (`unknown_model`, `invalid_parameter_set`).
 */
export function loadModel(id: string, presetName?: string): Result<MarginModel> {
  const name = presetName ?? DEFAULT_PRESETS[id];
  if (name === undefined || !MODEL_IDS.includes(id)) return createModel(id);
  const preset = loadPreset(name);
  return preset.ok ? createModel(id, { parameterSet: preset.value }) : preset;
}
