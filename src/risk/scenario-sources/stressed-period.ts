/**
 * The stressed period of the anti-procyclicality tool (b) (EMIR RTS 153/2013 Art. 28(1)(b), the stressed observations
 * of the Art. 26 look-back): the run of `periodDays` consecutive h-day windows, among those every price factor covers
 * and that end by a given day, whose moves are largest in mean square, Σ over factors of ln(P(t)/P(t−h))². Chosen from
 * the history known on the day only, so a backtest never borrows a crash before it happens.
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Result } from "../../errors.js";
import { isoDay } from "../history/dates.js";
import { lastDay, priceSeries } from "../history/types.js";
import type { DailySeries, History } from "../history/types.js";
import { maxOf, minOf } from "../../math/extent.js";

/** The chosen period: end days of its first and last window, and their mean squared log move. */
export interface StressedPeriod {
  readonly from: string;
  readonly to: string;
  readonly windows: number;
  /** Mean over the period's windows of Σ_f ln(P_f(t)/P_f(t−h))². */
  readonly meanSquaredLogMove: number;
}

/**
 * The most stressed period (see the module comment); first on ties. When fewer than `periodDays` windows are
 * available, the whole available range (and `windows` says how many).
 * @returns the period, or `required` (a factor without history) / `out_of_range` (no window ends by `upToDay`).
 */
export function mostStressedPeriod(history: History, priceFactors: readonly string[], horizonDays: number, periodDays: number, upToDay: number): Result<StressedPeriod> {
  const series: DailySeries[] = [];
  for (const f of priceFactors) {
    const s = priceSeries(history, f);
    if (s === undefined) return fail(issue("required", "priceFactors", `no price history for ${f}`));
    series.push(s);
  }
  if (series.length === 0) return fail(issue("required", "priceFactors", "no price factor"));
  const first = maxOf(series.map((s) => s.firstDay + horizonDays));
  const last = Math.min(upToDay, minOf(series.map(lastDay)));
  if (!(first <= last)) return fail(issue("out_of_range", "history", `no ${horizonDays}-day window of ${priceFactors.join(",")} ends by ${isoDay(upToDay)}`));
  const n = last - first + 1;
  const sq = new Float64Array(n);
  for (const s of series) {
    for (let i = 0; i < n; i++) {
      const k = first + i - s.firstDay;
      const r = Math.log((s.values[k] as number) / (s.values[k - horizonDays] as number));
      sq[i] = (sq[i] as number) + r * r;
    }
  }
  const w = Math.min(periodDays, n);
  let sum = 0;
  for (let i = 0; i < w; i++) sum += sq[i] as number;
  let best = sum, bestStart = 0;
  for (let i = w; i < n; i++) {
    sum += (sq[i] as number) - (sq[i - w] as number);
    if (sum > best) {
      best = sum;
      bestStart = i - w + 1;
    }
  }
  return ok({ from: isoDay(first + bestStart), to: isoDay(first + bestStart + w - 1), windows: w, meanSquaredLogMove: best / w });
}
