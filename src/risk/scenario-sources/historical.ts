/**
 * Historical scenarios: every h-day window of the history, overlapping (one per end date t), applied to today's
 * prices as S' = S·P(t)/P(t−h), jointly for every factor, so the scenario set carries the real co-movements.
 * Implied vols move by the ratio of the vol index over the same window, V(t)/V(t−h) (relative, the whole surface of
 * that base), or stay unchanged where the vol index has no data for that window (DVOL starts 2021-03-24) — the notes
 * say how many scenarios were in each case.
 * @module
 */
import { fail, ok } from "../../errors.js";
import type { Result } from "../../errors.js";
import { isoDay } from "../history/dates.js";
import { valueOn } from "../history/types.js";
import type { DailySeries, History } from "../history/types.js";
import type { JointScenarioSet } from "../joint.js";
import { checkHorizon, dayLabels, describeCoverage, resolveFactors, windowEnds } from "./common.js";
import type { DateRange, FactorSelection, ResolvedFactors } from "./common.js";

/** What to do with windows where a requested vol series has no data. */
export type MissingVolPolicy = "unchanged" | "restrict";

/** Options of {@link historicalScenarios}. */
export interface HistoricalOptions extends FactorSelection, DateRange {
  /** Margin period of risk in days, integer 1–10. */
  readonly horizonDays: number;
  /**
   * Windows where a vol series has no data: `unchanged` (default) keeps that base's vols (ratio 1) and says how many;
   * `restrict` uses only windows where every vol series has data.
   */
  readonly missingVol?: MissingVolPolicy;
}

/** The end-day range and resolved factors of a history-based set (shared with the filtered source). */
export interface WindowPlan {
  readonly factors: ResolvedFactors;
  readonly first: number;
  readonly last: number;
}

/** Resolve factors and the window end days of a historical or filtered set. */
export function planWindows(history: History, options: HistoricalOptions): Result<WindowPlan> {
  const h = checkHorizon(options.horizonDays);
  if (h.length > 0) return fail(...h);
  const factors = resolveFactors(history, options);
  if (!factors.ok) return factors;
  const covered: DailySeries[] = [...factors.value.prices, ...((options.missingVol ?? "unchanged") === "restrict" ? factors.value.vols : [])];
  const range = windowEnds(covered, options.horizonDays, options);
  if (!range.ok) return range;
  return ok({ factors: factors.value, first: range.value.first, last: range.value.last });
}

/** Vol-coverage notes: in how many scenarios each vol factor moved with its index, and where it stayed unchanged. */
export function volCoverageNotes(vols: readonly DailySeries[], missing: readonly string[], first: number, last: number, h: number): string[] {
  const notes: string[] = [];
  const total = last - first + 1;
  for (const v of vols) {
    let moved = 0;
    for (let t = first; t <= last; t++) if (valueOn(v, t) !== undefined && valueOn(v, t - h) !== undefined) moved += 1;
    notes.push(
      moved === total
        ? `vol:${v.factor}: implied vols move by the ratio of ${v.source} over each window in all ${total} scenarios`
        : `vol:${v.factor}: implied vols move by the ratio of ${v.source} in ${moved} of ${total} scenarios; UNCHANGED (ratio 1) in the ${total - moved} windows outside ${isoDay(v.firstDay)}..${isoDay(v.firstDay + v.values.length - 1)}`,
    );
  }
  for (const b of missing) notes.push(`vol:${b}: no vol history given: implied vols of ${b} UNCHANGED in every scenario`);
  return notes;
}

/**
 * Historical joint scenarios over h-day overlapping windows. `count` = number of end dates; `labels[n]` is the end
 * date of window n (`2020-03-12` for the move from the close of 2020-03-11 with h = 1).
 * @returns the set, or issues: out_of_range (horizon, no common window), required (unknown factor), invalid_value
 *   (bad from/to), duplicate.
 */
export function historicalScenarios(history: History, options: HistoricalOptions): Result<JointScenarioSet> {
  const plan = planWindows(history, options);
  if (!plan.ok) return plan;
  const { factors, first, last } = plan.value;
  const h = options.horizonDays;
  const count = last - first + 1;
  const F = factors.prices.length, V = factors.vols.length;
  const priceRelativeMove = new Float64Array(count * F);
  const volRatio = new Float64Array(count * V).fill(1);
  factors.prices.forEach((s, f) => {
    for (let n = 0; n < count; n++) {
      const i = first + n - s.firstDay;
      priceRelativeMove[n * F + f] = s.values[i]! / s.values[i - h]! - 1;
    }
  });
  factors.vols.forEach((s, v) => {
    for (let n = 0; n < count; n++) {
      const now = valueOn(s, first + n), then = valueOn(s, first + n - h);
      if (now !== undefined && then !== undefined) volRatio[n * V + v] = now / then;
    }
  });
  return ok({
    method: "historical",
    horizonDays: h,
    count,
    priceFactors: factors.prices.map((s) => s.factor),
    priceRelativeMove,
    volFactors: factors.vols.map((s) => s.factor),
    volRatio,
    volFactorsMissing: factors.volMissing,
    labels: dayLabels(first, last),
    notes: [
      `historical: ${count} overlapping ${h}-day windows ending ${isoDay(first)}..${isoDay(last)}, S' = S·P(t)/P(t−${h})`,
      `coverage: ${describeCoverage([...factors.prices, ...factors.vols])}`,
      ...volCoverageNotes(factors.vols, factors.volMissing, first, last, h),
      ...history.notes,
    ],
  });
}
