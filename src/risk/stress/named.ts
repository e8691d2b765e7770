/**
 * Named stress scenarios DERIVED FROM THE DATA: for each period (periods.ts) the cumulative move of every factor over
 * the window, from the close of the day before `start` to the close of `end`, S' = S·P(end)/P(start − 1); implied
 * vols move by the vol index ratio V(end)/V(start − 1) where the index has data.
 *
 * Before a vol index exists (DVOL starts 2021-03-24, so Black Thursday 2020-03-12 has none) that base's vols stay
 * UNCHANGED and the notes say so: a vol-up stress for that date must be given as a user scenario. A price factor
 * with no history over a window (SOL before 2020-04-10, USDC before 2021-01-01 in the shared files) is unchanged
 * in that scenario, also noted — or an error with `requireAllFactors`.
 * Closes only: intraday extremes (USDC's 0.8774 low on 2023-03-11, close 0.9715) are not in daily-close files.
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import { dayNumber } from "../history/dates.js";
import { valueOn } from "../history/types.js";
import type { History } from "../history/types.js";
import type { JointScenarioSet } from "../joint.js";
import { resolveFactors } from "../scenario-sources/common.js";
import type { FactorSelection } from "../scenario-sources/common.js";
import { findStressPeriod, NAMED_STRESS_PERIODS } from "./periods.js";
import type { StressPeriod } from "./periods.js";

/** Options of {@link namedStressScenarios}. */
export interface NamedStressOptions extends FactorSelection {
  /** Period ids (`ftx`, `luna`, ...); default all named periods. */
  readonly ids?: readonly string[];
  /** Fail (instead of leaving the factor unchanged) when a price factor has no data for a period. Default false. */
  readonly requireAllFactors?: boolean;
  /** Extra or replacement periods (e.g. from a config); default the named ones. */
  readonly periods?: readonly StressPeriod[];
}

/**
 * One scenario per named period, in the order asked. `labels[n]` is the period id; `horizonDays` is the longest
 * window (the windows differ: 1 day for Black Thursday, 4 for LUNA; each is in the notes).
 * @returns the set, or issues: invalid_value (unknown id, listing the known ones), required (unknown factor, or a
 *   factor without data with `requireAllFactors`).
 */
export function namedStressScenarios(history: History, options: NamedStressOptions = {}): Result<JointScenarioSet> {
  const catalogue = options.periods ?? NAMED_STRESS_PERIODS;
  const issues: Issue[] = [];
  const periods: StressPeriod[] = [];
  for (const [i, id] of (options.ids ?? catalogue.map((p) => p.id)).entries()) {
    const p = options.periods ? catalogue.find((x) => x.id === id) : undefined;
    if (p) periods.push(p);
    else {
      const found = findStressPeriod(id, `ids[${i}]`);
      if (found.ok) periods.push(found.value);
      else issues.push(...found.issues);
    }
  }
  if (issues.length > 0) return fail(...issues);
  const factors = resolveFactors(history, options);
  if (!factors.ok) return factors;
  const { prices, vols, volMissing } = factors.value;
  const F = prices.length, V = vols.length, count = periods.length;
  const priceRelativeMove = new Float64Array(count * F);
  const volRatio = new Float64Array(count * V).fill(1);
  const notes: string[] = [];
  let horizonDays = 1;
  periods.forEach((p, n) => {
    const start = dayNumber(p.start), end = dayNumber(p.end);
    if (start === undefined || end === undefined || end < start) {
      issues.push(issue("invalid_value", `periods.${p.id}`, `bad window ${p.start}..${p.end}`));
      return;
    }
    const days = end - start + 1;
    horizonDays = Math.max(horizonDays, days);
    const unchanged: string[] = [];
    prices.forEach((s, f) => {
      const before = valueOn(s, start - 1), after = valueOn(s, end);
      if (before !== undefined && after !== undefined) priceRelativeMove[n * F + f] = after / before - 1;
      else if (options.requireAllFactors) issues.push(issue("required", `${p.id}.${s.factor}`, `no ${s.factor} history around ${p.start}..${p.end} (${s.source})`));
      else unchanged.push(s.factor);
    });
    const volUnchanged: string[] = [];
    vols.forEach((s, v) => {
      const before = valueOn(s, start - 1), after = valueOn(s, end);
      if (before !== undefined && after !== undefined) volRatio[n * V + v] = after / before;
      else volUnchanged.push(s.factor);
    });
    const moves = prices.map((s, f) => `${s.factor} ${(priceRelativeMove[n * F + f]! * 100).toFixed(1)} %`).join(", ");
    const volText = vols.map((s, v) => `vol:${s.factor} ×${volRatio[n * V + v]!.toFixed(3)}`).join(", ");
    notes.push(`${p.id} (${p.name}, ${p.start}..${p.end}, ${days} day(s), close of the day before to close of the last day): ${moves}${volText ? `; ${volText}` : ""}`);
    if (unchanged.length > 0) notes.push(`${p.id}: no price history over the window for ${unchanged.join(", ")}: UNCHANGED in this scenario`);
    if (volUnchanged.length > 0) notes.push(`${p.id}: no vol index over the window for ${volUnchanged.join(", ")} (DVOL starts 2021-03-24): implied vols UNCHANGED in this scenario`);
  });
  if (issues.length > 0) return fail(...issues);
  return ok({
    method: "stress",
    horizonDays,
    count,
    priceFactors: prices.map((s) => s.factor),
    priceRelativeMove,
    volFactors: vols.map((s) => s.factor),
    volRatio,
    volFactorsMissing: volMissing,
    labels: periods.map((p) => p.id),
    notes: [...notes, ...volMissing.map((b) => `vol:${b}: no vol history given: implied vols of ${b} UNCHANGED in every stress scenario`), ...history.notes],
  });
}
