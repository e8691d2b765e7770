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

/** Render rows as an aligned text table. Numbers are right-aligned, text left-aligned. */
export function table(header: readonly string[], rows: ReadonlyArray<ReadonlyArray<string | number>>): string {
  const cells = [header.map(String), ...rows.map((r) => r.map((c) => (typeof c === "number" ? fmt(c) : c)))];
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

/**
 * A progress bar on a raw terminal writer (`Io.progress`, present only when stderr is a TTY): `update(done, total)`
 * redraws one line with `\r` when the whole percent changes; `done()` clears it. Engines report progress through
 * callbacks (e.g. Monte Carlo `onProgress`); nothing is drawn when the output is not a terminal.
 */
export function progressBar(write: (text: string) => void, label: string): { update: (done: number, total: number) => void; done: () => void } {
  const width = 30;
  let shown = -1;
  let drawn = false;
  return {
    update: (done, total) => {
      const percent = total > 0 ? Math.min(100, Math.floor((100 * done) / total)) : 100;
      if (percent === shown) return;
      shown = percent;
      const filled = Math.round((width * percent) / 100);
      write(`\r${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${String(percent).padStart(3)}% (${done.toLocaleString("en-US")}/${total.toLocaleString("en-US")})`);
      drawn = true;
    },
    done: () => {
      if (drawn) write(`\r${" ".repeat(label.length + width + 40)}\r`);
    },
  };
}
