/**
 * Daily OHLC rows for the replay's tick generator: a day's open, high, low and close, and the closes before it, from
 * a Yahoo-style OHLCV CSV (`Date,Open,High,Low,Close,...`, the files in ../shared/data) or a Deribit DVOL CSV
 * (`date,symbol,open,high,low,close`, DVOL in percent, newest first). Text in, values out; problems as coded issues
 * with `file:line` paths.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";

export interface DailyRow {
  readonly date: string;
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** Every row of a daily OHLC CSV (Yahoo OHLCV or DVOL layout), oldest first. */
export function parseDailyOhlc(text: string, sourceName: string): Result<DailyRow[]> {
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  const header = (lines[0] ?? "").split(",").map((h) => h.trim().toLowerCase());
  const col = (name: string): number => header.indexOf(name);
  const [d, o, h, l, c] = [col("date"), col("open"), col("high"), col("low"), col("close")];
  if ([d, o, h, l, c].some((i) => i < 0)) return fail(issue("unsupported", `${sourceName}:1`, "expected a header with date, open, high, low and close columns (Yahoo OHLCV or Deribit DVOL)"));
  const rows: DailyRow[] = [];
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k] as string;
    if (line.trim() === "") continue;
    const cells = line.split(",");
    const date = (cells[d] ?? "").trim().slice(0, 10);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) return fail(issue("invalid_value", `${sourceName}:${k + 1}`, `not a date: ${JSON.stringify(cells[d])}`));
    const num = (i: number): number => Number(cells[i]);
    const row = { date, open: num(o), high: num(h), low: num(l), close: num(c) };
    if (![row.open, row.high, row.low, row.close].every((x) => Number.isFinite(x) && x > 0)) return fail(issue("invalid_value", `${sourceName}:${k + 1}`, "open, high, low and close must be positive numbers"));
    if (!(row.low <= Math.min(row.open, row.close) && row.high >= Math.max(row.open, row.close))) return fail(issue("invalid_value", `${sourceName}:${k + 1}`, "high and low must bracket open and close"));
    rows.push(row);
  }
  rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  for (let k = 1; k < rows.length; k++) if ((rows[k] as DailyRow).date === (rows[k - 1] as DailyRow).date) return fail(issue("duplicate", sourceName, `${(rows[k] as DailyRow).date} appears twice`));
  return ok(rows);
}

/** The row of `day`, and the rows before it (oldest first). */
export function dayAndBefore(rows: readonly DailyRow[], day: string): { row: DailyRow; before: DailyRow[] } | undefined {
  const k = rows.findIndex((r) => r.date === day);
  return k < 0 ? undefined : { row: rows[k] as DailyRow, before: rows.slice(0, k) };
}

/** Close-to-close log returns of consecutive rows (the last `count + 1` rows give `count` returns). */
export function logReturns(rows: readonly DailyRow[], count: number): number[] {
  const tail = rows.slice(-(count + 1));
  const out: number[] = [];
  for (let k = 1; k < tail.length; k++) out.push(Math.log((tail[k] as DailyRow).close / (tail[k - 1] as DailyRow).close));
  return out;
}

/** Sample standard deviation of daily returns, annualised with √365 (crypto trades every day). */
export function annualisedVol(returns: readonly number[]): number {
  const n = returns.length;
  const mean = returns.reduce((s, x) => s + x, 0) / n;
  const v = returns.reduce((s, x) => s + (x - mean) ** 2, 0) / (n - 1);
  return Math.sqrt(v * 365);
}

/** Pearson correlation of two return series of equal length. */
export function correlation(a: readonly number[], b: readonly number[]): number {
  const n = Math.min(a.length, b.length);
  const ma = a.slice(0, n).reduce((s, x) => s + x, 0) / n;
  const mb = b.slice(0, n).reduce((s, x) => s + x, 0) / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let k = 0; k < n; k++) {
    const x = (a[k] as number) - ma;
    const y = (b[k] as number) - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb);
}
