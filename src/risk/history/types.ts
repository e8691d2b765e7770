/**
 * Daily market history as the scenario sources consume it: validated, gap-free series on the UTC-day axis
 * (day numbers, see dates.ts). Built by the history parsers from CSV text (docs/formats.md, `## History files`);
 * the engine never reads files itself.
 * @module
 */

/** `price`: USD per coin (close of the UTC day); `vol`: an implied-volatility index of the base, decimal (0.55). */
export type SeriesKind = "price" | "vol";

/** One factor's daily values on consecutive UTC days (no gaps: a gap is an error unless filled on request). */
export interface DailySeries {
  /** Currency code of the factor: `BTC` (a price) or the base whose vol surface moves (`BTC` for a `vol` series). */
  readonly factor: string;
  readonly kind: SeriesKind;
  /** Day number (days since 1970-01-01 UTC) of `values[0]`. */
  readonly firstDay: number;
  /** One value per consecutive UTC day: USD per coin for prices, decimal vol for vols; all finite and > 0. */
  readonly values: Float64Array;
  /** Where it came from: the file name and column (`crypto_daily_close_wide_2014_2024.csv#BTC`). */
  readonly source: string;
  /** Days filled by forward-filling on request (`fillGaps: "forward"`); absent or 0 when none. */
  readonly filledDays?: number;
}

/** A set of series: at most one price and one vol series per factor. */
export interface History {
  readonly prices: readonly DailySeries[];
  readonly vols: readonly DailySeries[];
  /** Provenance and choices: inferred factor names, reversed files, forward-filled gaps. Reported in outputs. */
  readonly notes: readonly string[];
}

/** Last day number covered by a series. */
export function lastDay(s: DailySeries): number {
  return s.firstDay + s.values.length - 1;
}

/** The series value on a day, or undefined outside its range. */
export function valueOn(s: DailySeries, day: number): number | undefined {
  const i = day - s.firstDay;
  return i >= 0 && i < s.values.length ? s.values[i] : undefined;
}

/** The price series of a factor, if any. */
export function priceSeries(h: History, factor: string): DailySeries | undefined {
  return h.prices.find((s) => s.factor === factor);
}

/** The vol series of a base, if any. */
export function volSeries(h: History, base: string): DailySeries | undefined {
  return h.vols.find((s) => s.factor === base);
}
