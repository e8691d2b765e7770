/**
 * A minimal, strict CSV reader (RFC 4180): comma separator, optional double-quoted fields with `""` as an escaped
 * quote, quoted fields may hold commas and newlines, LF or CRLF line ends, optional UTF-8 BOM, optional final newline.
 * No type guessing: every cell is a string. Enough for venue exports and pandas `to_csv` files, no dependency.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";

/** A parsed CSV table: the header and the data records, each with the text line it starts on. */
export interface CsvTable {
  readonly header: readonly string[];
  /** Data records; `line` is the 1-based text line on which the record starts (the header is on line 1 or later). */
  readonly records: ReadonlyArray<{ readonly line: number; readonly cells: readonly string[] }>;
}

/**
 * Parse CSV text. Blank lines are skipped. Fails with `invalid_csv` (path = `sourceName`) on an unterminated quote,
 * a quote in the middle of an unquoted cell, text after a closing quote, an empty file, or a record whose cell count
 * differs from the header's.
 */
export function parseCsv(text: string, sourceName = ""): Result<CsvTable> {
  const rows: Array<{ line: number; cells: string[] }> = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let row: string[] = [];
  let cell = "";
  let i = 0;
  let line = 1; // current text line
  let rowLine = 1; // line on which the current record started
  let quoted = false; // the current cell started with a quote
  let inQuotes = false;
  let afterQuote = false; // the current quoted cell has been closed
  const bad = (why: string): Result<CsvTable> => fail(issue("invalid_csv", sourceName, `line ${line}: ${why}`));
  const endRow = (): void => {
    row.push(cell);
    // A line holding one empty unquoted cell is a blank line, not a record.
    if (!(row.length === 1 && row[0] === "" && !quoted)) rows.push({ line: rowLine, cells: row });
    row = [];
    cell = "";
    quoted = false;
    afterQuote = false;
  };
  while (i < src.length) {
    const c = src[i];
    if (inQuotes) {
      if (c === '"') {
        if (src[i + 1] === '"') {
          cell += '"';
          i += 2;
          continue;
        }
        inQuotes = false;
        afterQuote = true;
      } else {
        cell += c;
        if (c === "\n") line += 1;
      }
      i += 1;
      continue;
    }
    if (c === ",") {
      row.push(cell);
      cell = "";
      quoted = false;
      afterQuote = false;
    } else if (c === "\n" || c === "\r") {
      endRow();
      if (c === "\r" && src[i + 1] === "\n") i += 1;
      line += 1;
      rowLine = line;
    } else if (afterQuote) {
      return bad(`unexpected ${JSON.stringify(c)} after a closing quote`);
    } else if (c === '"') {
      if (cell !== "") return bad("quote inside an unquoted cell");
      quoted = true;
      inQuotes = true;
    } else cell += c;
    i += 1;
  }
  if (inQuotes) return bad("unterminated quoted cell");
  if (cell !== "" || row.length > 0 || quoted) endRow();
  const [header, ...data] = rows;
  if (!header) return fail(issue("invalid_csv", sourceName, "empty file"));
  for (const r of data) {
    if (r.cells.length !== header.cells.length) {
      return fail(issue("invalid_csv", sourceName, `line ${r.line}: ${r.cells.length} cells, header has ${header.cells.length}`));
    }
  }
  return ok({ header: header.cells, records: data });
}

/**
 * Column accessor for a table: `col("strike")` returns a function reading that column from a record's cells.
 * Fails with `invalid_csv` listing every missing column.
 */
export function columns<const K extends string>(
  table: CsvTable,
  names: readonly K[],
  sourceName = "",
): Result<Record<K, (cells: readonly string[]) => string>> {
  const missing = names.filter((n) => !table.header.includes(n));
  if (missing.length > 0) return fail(issue("invalid_csv", sourceName, `missing column(s): ${missing.join(", ")}`));
  const out = {} as Record<K, (cells: readonly string[]) => string>;
  for (const n of names) {
    const idx = table.header.indexOf(n);
    out[n] = (cells) => cells[idx] ?? "";
  }
  return ok(out);
}

/**
 * A cell as a finite number, or undefined when the cell is empty. Returns NaN for text that is not a finite decimal
 * number (`abc`, `nan`, `inf`), so callers can tell "absent" from "bad".
 */
export function numberCell(text: string): number | undefined {
  const t = text.trim();
  if (t === "") return undefined;
  // Number() accepts "0x1F", "Infinity" and whitespace-only; a CSV number is a plain decimal.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return NaN;
  const v = Number(t);
  return Number.isFinite(v) ? v : NaN;
}
