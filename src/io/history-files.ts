/**
 * Read daily history files for the statistical margin (the io layer reads; src/risk/history parses and validates).
 * Formats: docs/formats.md, `## History files`.
 * @module
 */
import { readText } from "./files.js";
import { fail, issue, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { combineHistories, parseHistoryCsv } from "../risk/history/parse.js";
import type { HistoryFormat } from "../risk/history/parse.js";
import type { FillGaps } from "../risk/history/build.js";
import type { History } from "../risk/history/types.js";

/** One history file to read, with the factor code of a single-series file (else inferred from the file name). */
export interface HistoryFileSpec {
  readonly path: string;
  readonly factor?: string;
  readonly format?: HistoryFormat;
}

/**
 * A command-line history argument: `path.csv` or `FACTOR=path.csv` (e.g. `BTC=btc_usd_daily_close.csv`). The prefix
 * is taken as a factor only when it is a currency code, so paths containing `=` still work.
 */
export function parseHistoryArg(arg: string): HistoryFileSpec {
  const m = /^([A-Z][A-Z0-9]{1,9})=(.+)$/.exec(arg);
  return m ? { path: m[2]!, factor: m[1]! } : { path: arg };
}

/**
 * Read, parse and combine history files. Every file is read and checked before failing, so one run lists every
 * problem (issue paths are `file:line`).
 * @returns the combined history, or issues: file_not_found, file_unreadable and the parser's codes
 *   (see `parseHistoryCsv`), duplicate (a factor in two files).
 */
export function loadHistoryFiles(files: ReadonlyArray<HistoryFileSpec | string>, options: { readonly fillGaps?: FillGaps } = {}): Result<History> {
  if (files.length === 0) return fail(issue("required", "history", "at least one history file is needed"));
  const histories: History[] = [];
  const issues: Issue[] = [];
  for (const f of files) {
    const spec = typeof f === "string" ? parseHistoryArg(f) : f;
    const read = readText(spec.path);
    if (!read.ok) {
      issues.push(...read.issues);
      continue;
    }
    const parsed = parseHistoryCsv(read.value, spec.path, {
      ...(spec.factor !== undefined ? { factor: spec.factor } : {}),
      ...(spec.format !== undefined ? { format: spec.format } : {}),
      ...(options.fillGaps !== undefined ? { fillGaps: options.fillGaps } : {}),
    });
    if (parsed.ok) histories.push(parsed.value);
    else issues.push(...parsed.issues);
  }
  if (issues.length > 0) return fail(...issues);
  const combined = combineHistories(histories);
  return combined.ok ? ok(combined.value) : combined;
}
