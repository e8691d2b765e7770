/**
 * Output helpers for the CLI: JSON that can never carry NaN/Infinity, and plain-text tables.
 * @module
 */
import { assertFinite } from "../errors.js";

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

/** Render rows as an aligned text table. Numbers are right-aligned, text left-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [header.map(String), ...rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : c)))];
  const numeric = header.map((_h, j) => rows.length > 0 && rows.every((r) => typeof r[j] === "number"));
  const widths = header.map((_h, j) => Math.max(...cells.map((r) => (r[j] ?? "").length)));
  const line = (r: readonly string[]) =>
    r.map((c, j) => (numeric[j] ? c.padStart(widths[j] ?? 0) : c.padEnd(widths[j] ?? 0))).join("  ").trimEnd();
  return [line(cells[0] ?? []), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}
