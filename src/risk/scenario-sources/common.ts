/**
 * Shared plumbing of the history-based scenario sources: which factors, which window end dates, and the checks on
 * options (horizon, dates). Errors as data.
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import { dayNumber, isoDay } from "../history/dates.js";
import { lastDay, priceSeries, volSeries } from "../history/types.js";
import type { DailySeries, History } from "../history/types.js";

/** Largest horizon (margin period of risk) accepted, days. The issue asks for 1–10; longer needs another method. */
export const MAX_HORIZON_DAYS = 10;

/** Factor selection common to every history-based source. */
export interface FactorSelection {
  /** Price factors (currency codes) to move; default every price series of the history. */
  readonly priceFactors?: readonly string[];
  /**
   * Bases whose implied vols move with their vol series (DVOL ratio). Default: every vol series whose base is one
   * of the price factors. A base asked for without a vol series keeps its vols unchanged (`volFactorsMissing`).
   */
  readonly volFactors?: readonly string[];
}

/** Window end dates to use (inclusive, `YYYY-MM-DD`); default the whole common history. */
export interface DateRange {
  readonly from?: string;
  readonly to?: string;
}

/** Resolved factors. */
export interface ResolvedFactors {
  readonly prices: readonly DailySeries[];
  readonly vols: readonly DailySeries[];
  /** Bases requested as vol factors that have no vol series. */
  readonly volMissing: readonly string[];
}

/** Check a horizon: an integer number of days in [1, MAX_HORIZON_DAYS]. */
export function checkHorizon(horizonDays: number, path = "horizonDays"): Issue[] {
  if (!Number.isInteger(horizonDays) || horizonDays < 1 || horizonDays > MAX_HORIZON_DAYS) {
    return [issue("out_of_range", path, `horizon must be an integer number of days in [1, ${MAX_HORIZON_DAYS}], got ${horizonDays}`)];
  }
  return [];
}

/** Look up the requested series. Unknown price factors are `required` issues listing what the history holds. */
export function resolveFactors(history: History, selection: FactorSelection): Result<ResolvedFactors> {
  const names = selection.priceFactors ?? history.prices.map((s) => s.factor);
  if (names.length === 0) return fail(issue("required", "priceFactors", "no price factor: give at least one price history"));
  const prices: DailySeries[] = [];
  const issues: Issue[] = [];
  const seen = new Set<string>();
  for (const [i, f] of names.entries()) {
    if (seen.has(f)) {
      issues.push(issue("duplicate", `priceFactors[${i}]`, `${f} listed twice`));
      continue;
    }
    seen.add(f);
    const s = priceSeries(history, f);
    if (s) prices.push(s);
    else issues.push(issue("required", `priceFactors[${i}]`, `no price history for ${f} (history has: ${history.prices.map((x) => x.factor).join(", ") || "none"})`));
  }
  if (issues.length > 0) return fail(...issues);
  const volNames = selection.volFactors ?? history.vols.map((s) => s.factor).filter((b) => seen.has(b));
  const vols: DailySeries[] = [];
  const volMissing: string[] = [];
  for (const b of new Set(volNames)) {
    const s = volSeries(history, b);
    if (s) vols.push(s);
    else volMissing.push(b);
  }
  return ok({ prices, vols, volMissing });
}

/** Parse an optional `YYYY-MM-DD` option into a day number. */
function optionalDay(text: string | undefined, path: string, issues: Issue[]): number | undefined {
  if (text === undefined) return undefined;
  const d = dayNumber(text);
  if (d === undefined) issues.push(issue("invalid_value", path, `${JSON.stringify(text)} is not a YYYY-MM-DD date`));
  return d;
}

/**
 * Window end days [first, last] for h-day windows over the common coverage of `series`: every series must have a
 * value at t − h and at t. Restricted further by `range` (from/to are window END dates). Fails with `out_of_range`
 * when nothing is left, naming the coverage of each series so the user sees which file limits it.
 */
export function windowEnds(series: readonly DailySeries[], horizonDays: number, range: DateRange): Result<{ first: number; last: number }> {
  const issues: Issue[] = [];
  const from = optionalDay(range.from, "from", issues);
  const to = optionalDay(range.to, "to", issues);
  if (issues.length > 0) return fail(...issues);
  let first = -Infinity;
  let last = Infinity;
  for (const s of series) {
    first = Math.max(first, s.firstDay + horizonDays);
    last = Math.min(last, lastDay(s));
  }
  if (from !== undefined) first = Math.max(first, from);
  if (to !== undefined) last = Math.min(last, to);
  if (!(first <= last)) {
    const cover = series.map((s) => `${s.source} ${isoDay(s.firstDay)}..${isoDay(lastDay(s))}`).join("; ");
    return fail(issue("out_of_range", "history", `no ${horizonDays}-day window is covered by every factor${range.from || range.to ? ` within ${range.from ?? "…"}..${range.to ?? "…"}` : ""} (coverage: ${cover})`));
  }
  return ok({ first, last });
}

/** Day numbers first..last as `YYYY-MM-DD` labels. */
export function dayLabels(first: number, last: number): string[] {
  const out: string[] = [];
  for (let d = first; d <= last; d++) out.push(isoDay(d));
  return out;
}

/** One-line coverage description of the factors used, for notes. */
export function describeCoverage(series: readonly DailySeries[]): string {
  return series.map((s) => `${s.kind === "vol" ? `vol:${s.factor}` : s.factor} ${isoDay(s.firstDay)}..${isoDay(lastDay(s))} (${s.source})`).join("; ");
}
