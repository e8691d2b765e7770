/**
 * File reading with errors as data: a missing or unreadable file, or invalid JSON, becomes an issue whose path is the
 * file name, never a stack trace. Every loader in io/ and the CLI read through here.
 * @module
 */
import { readFileSync } from "node:fs";
import { fail, issue, ok, type Result } from "../errors.js";

/** Read a UTF-8 text file: `file_not_found` or `file_unreadable` (path = `displayPath`, default the path itself). */
export function readText(path: string, displayPath: string = path): Result<string> {
  try {
    return ok(readFileSync(path, "utf8"));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ENOENT") return fail(issue("file_not_found", displayPath, "no such file"));
    return fail(issue("file_unreadable", displayPath, (e as Error).message));
  }
}

/** Parse JSON text; `invalid_json` with `sourceName` as the path. (JSON.parse turns 1e999 into Infinity: validators reject it.) */
export function parseJsonText(text: string, sourceName: string): Result<unknown> {
  try {
    return ok(JSON.parse(text) as unknown);
  } catch (e) {
    return fail(issue("invalid_json", sourceName, (e as Error).message));
  }
}

/** Read and parse a JSON file. */
export function readJson(path: string, displayPath: string = path): Result<unknown> {
  const text = readText(path, displayPath);
  return text.ok ? parseJsonText(text.value, displayPath) : text;
}
