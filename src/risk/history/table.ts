/**
 * The small CSV subset history files use: comma-separated cells, one record per line, LF or CRLF, optional UTF-8 BOM,
 * optional final newline (the Yahoo stablecoin files have none), blank lines skipped. A cell may be wrapped in double
 * quotes (`"BTC"`) but may not contain a comma or a quote: history files hold dates and numbers only.
 *
 * Kept here rather than importing io/csv.ts because the engine layers (math → … → risk) must not import io.
 * @module
 */
import { issue } from "../../errors.js";
import type { Issue } from "../../errors.js";

/** A parsed history table: the header and the records with their 1-based text line. */
export interface HistoryTable {
  readonly header: readonly string[];
  readonly headerLine: number;
  readonly records: ReadonlyArray<{ readonly line: number; readonly cells: readonly string[] }>;
}

/** Split history CSV text. Issues (`invalid_csv`, path `source:line`) for quotes inside cells and ragged records. */
export function splitHistoryTable(text: string, source: string): { table?: HistoryTable; issues: Issue[] } {
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const lines = src.split("\n");
  const issues: Issue[] = [];
  let header: string[] | undefined;
  let headerLine = 0;
  const records: Array<{ line: number; cells: string[] }> = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = (lines[i] ?? "").replace(/\r$/, "");
    if (raw.trim() === "") continue;
    const line = i + 1;
    const cells: string[] = [];
    let bad = false;
    for (const part of raw.split(",")) {
      let c = part.trim();
      if (c.length >= 2 && c.startsWith('"') && c.endsWith('"')) c = c.slice(1, -1);
      if (c.includes('"')) bad = true;
      cells.push(c);
    }
    if (bad) {
      issues.push(issue("invalid_csv", `${source}:${line}`, "quoted cells containing commas or quotes are not supported in history files"));
      continue;
    }
    if (!header) {
      header = cells;
      headerLine = line;
      continue;
    }
    if (cells.length !== header.length) {
      issues.push(issue("invalid_csv", `${source}:${line}`, `${cells.length} cells, header has ${header.length}`));
      continue;
    }
    records.push({ line, cells });
  }
  if (!header) return { issues: [issue("invalid_csv", source, "empty file")] };
  return { table: { header, headerLine, records }, issues };
}

/**
 * A numeric cell: a plain decimal (`123.5`, `1e-3`), or undefined when empty; NaN for anything else (`abc`, `nan`,
 * `inf`, `0x1F`), so callers can tell "absent" from "bad".
 */
export function numericCell(text: string): number | undefined {
  if (text === "") return undefined;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return NaN;
  const v = Number(text);
  return Number.isFinite(v) ? v : NaN;
}
