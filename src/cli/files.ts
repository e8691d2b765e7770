/**
 * File reading for the CLI with errors as data: a missing or unreadable file, or invalid JSON, becomes an issue with
 * the file name as its path instead of a stack trace.
 * @module
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { fail, issue, ok, type Result } from "../errors.js";

/** Read a UTF-8 text file. */
export function readText(path: string): Result<string> {
  try {
    return ok(readFileSync(path, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return fail(issue("file_not_found", path, "no such file"));
    return fail(issue("file_unreadable", path, (e as Error).message));
  }
}

/** Read and parse a JSON file (JSON.parse turns 1e999 into Infinity: validators reject it later). */
export function readJson(path: string): Result<unknown> {
  const text = readText(path);
  if (!text.ok) return text;
  try {
    return ok(JSON.parse(text.value) as unknown);
  } catch (e) {
    return fail(issue("invalid_json", path, (e as Error).message));
  }
}

/** Absolute path of a file shipped with the package (examples/, presets/), from src/ or dist/ alike. */
export function packagePath(relative: string): string {
  // Both src/cli/*.ts (under vitest) and dist/cli/*.js sit two levels below the package root.
  return fileURLToPath(new URL(`../../${relative}`, import.meta.url));
}
