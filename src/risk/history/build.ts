/**
 * From rows of one history group (one file, or one symbol of a DVOL file) to validated daily series: the dates are
 * checked once per group (invalid, not a UTC day, duplicated, out of order, missing days), then every value column
 * (empty cells inside the series, non-numeric, non-positive). Nothing is filled silently: with `fillGaps: "forward"`
 * the previous value is carried into each missing day and every fill is listed in the notes.
 * @module
 */
import { issue } from "../../errors.js";
import type { Issue } from "../../errors.js";
import { isoDay, parseHistoryDate } from "./dates.js";
import { numericCell } from "./table.js";
import type { DailySeries, SeriesKind } from "./types.js";

/** A value column of a group: which cell, which factor, and the divisor to apply (DVOL percent → decimal: 100). */
export interface ColumnSpec {
  readonly factor: string;
  readonly kind: SeriesKind;
  readonly cell: number;
  readonly divisor: number;
  /** Column name as in the file, for messages. */
  readonly label: string;
}

/** Rows of one group, in file order. */
export interface GroupInput {
  readonly source: string;
  readonly dateCell: number;
  readonly rows: ReadonlyArray<{ readonly line: number; readonly cells: readonly string[] }>;
  readonly columns: readonly ColumnSpec[];
  /** Label for messages (`BTC` for a DVOL symbol group), empty for a whole file. */
  readonly label: string;
}

/** How missing days are handled: `none` (default, an issue each) or `forward` (carry the last value, with a note). */
export type FillGaps = "none" | "forward";

interface DatedRow {
  readonly line: number;
  readonly day: number;
  readonly cells: readonly string[];
}

const where = (source: string, line: number): string => `${source}:${line}`;

/** Validate a group's dates: rows sorted ascending, or issues. A file may be newest-first (DVOL): then `reversed`. */
function checkDates(g: GroupInput, issues: Issue[]): { rows: DatedRow[]; reversed: boolean } {
  const rows: DatedRow[] = [];
  for (const r of g.rows) {
    const d = parseHistoryDate(r.cells[g.dateCell] ?? "");
    if (d.kind === "invalid") issues.push(issue("invalid_value", where(g.source, r.line), d.reason));
    else if (d.kind === "misaligned") issues.push(issue("misaligned_date", where(g.source, r.line), d.reason));
    else rows.push({ line: r.line, day: d.day, cells: r.cells });
  }
  const first = rows[0], last = rows[rows.length - 1];
  const reversed = first !== undefined && last !== undefined && first.day > last.day;
  const seen = new Map<number, number>();
  let prev: DatedRow | undefined;
  for (const r of rows) {
    const dup = seen.get(r.day);
    if (dup !== undefined) {
      issues.push(issue("duplicate", where(g.source, r.line), `${g.label ? `${g.label}: ` : ""}date ${isoDay(r.day)} already on line ${dup}`));
    } else {
      seen.set(r.day, r.line);
      if (prev && (reversed ? r.day > prev.day : r.day < prev.day)) {
        issues.push(
          issue("misaligned_date", where(g.source, r.line), `${g.label ? `${g.label}: ` : ""}date ${isoDay(r.day)} out of order after ${isoDay(prev.day)} (line ${prev.line}); the file is ${reversed ? "newest first" : "oldest first"}`),
        );
      }
    }
    prev = r;
  }
  const sorted = rows.slice().sort((a, b) => a.day - b.day);
  // Drop duplicates (already reported) so downstream sees a strictly increasing day axis.
  return { rows: sorted.filter((r, i) => i === 0 || r.day !== sorted[i - 1]!.day), reversed };
}

const listDays = (days: number[]): string => (days.length <= 5 ? days.map(isoDay).join(", ") : `${days.slice(0, 5).map(isoDay).join(", ")}, … (${days.length} days)`);

/**
 * Build the series of one group. Issues carry the path `source:line`. Leading and trailing empty cells of a column
 * are the factor's listing period (it starts or stops later than others), not gaps; an empty cell between its first
 * and last value is a gap, like a missing date row.
 */
export function buildGroupSeries(g: GroupInput, fillGaps: FillGaps, issues: Issue[], notes: string[]): DailySeries[] {
  const before = issues.length;
  const { rows, reversed } = checkDates(g, issues);
  if (reversed) notes.push(`${g.source}${g.label ? ` (${g.label})` : ""}: rows are newest first; read in date order`);
  if (issues.length > before || rows.length === 0) return [];
  const out: DailySeries[] = [];
  const reportedRowGaps = new Set<number>();
  for (const col of g.columns) {
    const badLines = new Set<number>(); // lines whose cell of this column already has an issue
    const values: Array<number | undefined> = rows.map((r) => {
      const v = numericCell(r.cells[col.cell] ?? "");
      if (v === undefined) return undefined;
      if (Number.isNaN(v)) {
        const text = r.cells[col.cell] ?? "";
        const code = /^[+-]?(nan|inf|infinity)$/i.test(text) ? "non_finite" : "invalid_value";
        issues.push(issue(code, where(g.source, r.line), `column ${col.label}: ${JSON.stringify(text)} is not a number`));
        badLines.add(r.line);
        return undefined;
      }
      if (!(v > 0)) {
        issues.push(issue("not_positive", where(g.source, r.line), `column ${col.label}: ${col.kind === "price" ? "price" : "vol"} must be > 0, got ${v}`));
        badLines.add(r.line);
        return undefined;
      }
      return v / col.divisor;
    });
    const firstIdx = values.findIndex((v) => v !== undefined);
    if (firstIdx < 0) {
      if (badLines.size === 0) {
        issues.push(issue("invalid_csv", g.source, `column ${col.label} has no values`));
      }
      continue;
    }
    let lastIdx = values.length - 1;
    while (values[lastIdx] === undefined) lastIdx -= 1;
    const firstDay = rows[firstIdx]!.day;
    const series = new Float64Array(rows[lastIdx]!.day - firstDay + 1);
    const filled: number[] = [];
    let prevValue = values[firstIdx]!;
    let prevDay = firstDay - 1;
    for (let i = firstIdx; i <= lastIdx; i++) {
      const r = rows[i]!;
      if (r.day > prevDay + 1) {
        const missing: number[] = [];
        for (let d = prevDay + 1; d < r.day; d++) missing.push(d);
        if (fillGaps === "forward") {
          for (const d of missing) series[d - firstDay] = prevValue;
          filled.push(...missing);
        } else if (!reportedRowGaps.has(r.line)) {
          // A missing date row is a gap of every column: report it once.
          reportedRowGaps.add(r.line);
          issues.push(issue("history_gap", where(g.source, r.line), `${g.label ? `${g.label}: ` : ""}${missing.length} missing day(s) before ${isoDay(r.day)}: ${listDays(missing)} (no row)`));
        }
      }
      const v = values[i];
      if (v === undefined) {
        if (fillGaps === "forward") {
          series[r.day - firstDay] = prevValue;
          filled.push(r.day);
        } else if (!badLines.has(r.line)) {
          issues.push(issue("history_gap", where(g.source, r.line), `column ${col.label}: no value on ${isoDay(r.day)} inside the series (${isoDay(firstDay)}..${isoDay(rows[lastIdx]!.day)})`));
        }
      } else {
        series[r.day - firstDay] = v;
        prevValue = v;
      }
      prevDay = r.day;
    }
    if (filled.length > 0) notes.push(`${g.source}#${col.label}: forward-filled ${filled.length} missing day(s) on request: ${listDays(filled)}`);
    out.push({ factor: col.factor, kind: col.kind, firstDay, values: series, source: `${g.source}#${col.label}`, ...(filled.length > 0 ? { filledDays: filled.length } : {}) });
  }
  return out;
}
