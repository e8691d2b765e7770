/**
 * Output helpers for the CLI: JSON that can never carry NaN/Infinity, and plain-text tables.
 * @module
 */
import { assertFinite } from "../errors.js";
import { maxOf } from "../math/extent.js";

/**
 * Serialise to JSON, refusing any non-finite number: the project's rule is that no NaN or Infinity ever reaches an
 * output. A non-finite value here is a bug upstream, reported as `non_finite_result` with the path where it was found.
 */
export function toJson(value: unknown, indent = 2): string {
  assertFinite(value, "the output");
  return JSON.stringify(value, (_k, v: unknown) => (v instanceof Float64Array ? Array.from(v) : v), indent);
}

/** Format a number for humans: fixed significant digits, thousands separators for large magnitudes. */
export function fmt(x: number, digits = 6): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return "0";
  const abs = Math.abs(x);
  if (abs >= 1000) return x.toLocaleString("en-US", { maximumFractionDigits: 2 });
  return Number(x.toPrecision(digits)).toString();
}

/** Percent with sign, e.g. -0.16 → "-16%". */
export function pct(x: number, digits = 2): string {
  const v = Number((x * 100).toFixed(digits));
  return `${v > 0 ? "+" : ""}${v}%`;
}

/**
 * Figures this much smaller than the largest of their column (or than the two figures a change is taken between)
 * are floating-point rounding of sums and differences, not amounts: printed as 0, never as dust like `5.82077e-11`.
 * Doubles carry 16 digits; the engines' sums lose a few; 1e-12 leaves real small figures (a gamma of 1e-10 beside
 * a price of 0.03) alone.
 */
const DUST_RELATIVE = 1e-12;

/** after − before for a "change" column: 0 when the difference is rounding of the two figures (see DUST_RELATIVE). */
export function change(after: number, before: number): number {
  const d = after - before;
  return Math.abs(d) <= DUST_RELATIVE * Math.max(Math.abs(after), Math.abs(before)) ? 0 : d;
}

/** Each number column with its dust (relative to the column's largest magnitude) printed as 0. */
function withoutDust(rows: ReadonlyArray<ReadonlyArray<string | number>>): ReadonlyArray<ReadonlyArray<string | number>> {
  const scale: number[] = [];
  for (const r of rows) r.forEach((c, j) => {
    if (typeof c === "number" && Number.isFinite(c)) scale[j] = Math.max(scale[j] ?? 0, Math.abs(c));
  });
  return rows.map((r) => r.map((c, j) => (typeof c === "number" && c !== 0 && Math.abs(c) <= DUST_RELATIVE * (scale[j] ?? 0) ? 0 : c)));
}

/** Render rows as an aligned text table. Numbers are right-aligned, text left-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [header.map(String), ...withoutDust(rows).map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : c)))];
  const numeric = header.map((_h, j) => rows.length > 0 && rows.every((r) => typeof r[j] === "number"));
  const widths = header.map((_h, j) => maxOf(cells.map((r) => (r[j] ?? "").length)));
  const line = (r: readonly string[]) =>
    r.map((c, j) => (numeric[j] ? c.padStart(widths[j] ?? 0) : c.padEnd(widths[j] ?? 0))).join("  ").trimEnd();
  return [line(cells[0] ?? []), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** Word-wrap one line of prose to `width` columns; continuation lines start with `indent`. */
export function wrap(text: string, width: number, indent = "  "): string[] {
  if (text.length <= width) return [text];
  const out: string[] = [];
  let line = "";
  for (const word of text.split(" ")) {
    const next = line === "" ? word : `${line} ${word}`;
    if (next.length <= width || line.trim() === "") line = next;
    else {
      out.push(line);
      line = `${indent}${word}`;
    }
  }
  if (line !== "") out.push(line);
  // A single word longer than the width (a long path) is cut rather than overflow.
  return out.flatMap((l) => (l.length <= width ? [l] : [l.slice(0, width - 1) + "…"]));
}

/**
 * {@link table} that fits `width` columns by shortening the text of one column (`flexColumn`, e.g. a description)
 * to what the other columns leave (at least 12 characters), ending cut cells with "…".
 */
export function fitTable(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>, flexColumn: number, width: number): string {
  const cells = rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : c)));
  const others = header.reduce((s, h, j) => (j === flexColumn ? s : s + Math.max(h.length, maxOf(cells.map((r) => (r[j] ?? "").length)))), 0);
  const room = Math.max(12, width - others - 2 * (header.length - 1));
  const cut = (t: string): string => (t.length <= room ? t : `${t.slice(0, room - 1)}…`);
  return table(header, rows.map((r) => r.map((c, j) => (j === flexColumn && typeof c === "string" ? cut(c) : c))));
}
