/**
 * Statistical margin models (VaR/ES, hybrid) in a backtest: re-bound every day to historical scenarios from the
 * rolling window of h-day moves ENDING that day (a two-year window by default), and to the named stress periods that
 * had ENDED by that day (the stress floor never knows a crash before it happens). Built only from the history the walk
 * passes, which is cut after the day.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";
import type { MarginModel, ParameterSetInfo } from "../models/types.js";
import type { StatisticalInputs } from "../models/var/report.js";
import { dayNumber, isoDay } from "../risk/history/dates.js";
import type { History } from "../risk/history/types.js";
import type { JointScenarioSet } from "../risk/joint.js";
import { historicalScenarios } from "../risk/scenario-sources/historical.js";
import { namedStressScenarios } from "../risk/stress/named.js";
import { NAMED_STRESS_PERIODS } from "../risk/stress/periods.js";
import { hasTool } from "../models/var/apc.js";
import type { AntiProcyclicalityParams } from "../models/var/apc.js";
import type { VarParams } from "../models/var/params.js";
import { mostStressedPeriod } from "../risk/scenario-sources/stressed-period.js";
import type { DailyModel } from "./types.js";
import { minOf } from "../math/extent.js";

/** Default window of the daily historical scenarios: two years of overlapping h-day moves. */
export const DEFAULT_WINDOW_DAYS = 730;

/** Options of {@link statisticalDailyModel}. */
export interface StatisticalDailyOptions {
  readonly id: string;
  readonly parameterSet: ParameterSetInfo;
  /** The model's horizon (its parameter set's `horizonDays`): the scenarios' window length. */
  readonly horizonDays: number;
  /** Price factors of the scenarios (the portfolio's currencies that the history has). */
  readonly priceFactors: readonly string[];
  /** Number of h-day windows (one per end day) in each day's scenario set; default {@link DEFAULT_WINDOW_DAYS}. */
  readonly windowDays?: number;
  /** Fewest windows accepted on a day (an expanding window until `windowDays` is reached); default `windowDays`. */
  readonly minWindowDays?: number;
  /** Bind the named stresses that ended by each day as the stress floor (default true). */
  readonly stress?: boolean;
  /**
   * Anti-procyclicality tools (EMIR Art. 28): (b) and (c) get their scenario sets built here each day, from the history
   * known that day; (a), the buffer, is applied to the margin SERIES by the walk (it is a rule over time), so `bind`
   * must bind the model without it ({@link withoutBuffer}).
   */
  readonly antiProcyclicality?: AntiProcyclicalityParams;
  /** Build the model from the day's scenario sets (e.g. `(inputs) => createVarModel(params, inputs)`). */
  readonly bind: (inputs: StatisticalInputs, options: { readonly buffer: boolean }) => Result<MarginModel>;
}

/** A {@link DailyModel} re-binding a statistical model every day (see the module comment). */
export function statisticalDailyModel(o: StatisticalDailyOptions): DailyModel {
  const windowDays = o.windowDays ?? DEFAULT_WINDOW_DAYS;
  const minWindowDays = o.minWindowDays ?? windowDays;
  const withStress = o.stress ?? true;
  const stressCache = new Map<string, Result<JointScenarioSet>>();
  const ended = NAMED_STRESS_PERIODS.map((p) => ({ id: p.id, end: dayNumber(p.end) ?? Infinity }));
  const apc = o.antiProcyclicality;
  const stressedCache = new Map<string, Result<JointScenarioSet>>();
  return {
    id: o.id,
    parameterSet: o.parameterSet,
    // The window ending on day d needs the close h days earlier: minWindowDays windows first exist on first + h + min − 1.
    warmUpDays: o.horizonDays + minWindowDays - 1,
    ...(apc !== undefined && hasTool(apc, "buffer") ? { buffer: { bufferDecimal: apc.bufferDecimal, rebuildDays: apc.bufferRebuildDays } } : {}),
    notes: [
      ...(apc !== undefined ? apcNotes(apc, o.id) : []),
      `${o.id}: re-bound every day to the historical scenarios of the ${windowDays} overlapping ${o.horizonDays}-day windows ending that day${minWindowDays < windowDays ? ` (fewer, down to ${minWindowDays}, while the history is shorter)` : ""}`,
      withStress ? `${o.id}: stress floor from the named stress periods that had ended by each day (none before ${isoDay(minOf(ended.map((e) => e.end)))})` : `${o.id}: no stress floor in the backtest`,
    ],
    modelOn(day: number, known: History): Result<MarginModel> {
      return build(day, known, false);
    },
    modelAt(day: number, known: History): Result<MarginModel> {
      return build(day, known, true);
    },
  };
  /** The model of `day`; `buffered`: with the buffer inside the model (today's margin) rather than over the series. */
  function build(day: number, known: History, buffered: boolean): Result<MarginModel> {
    if (!Number.isInteger(windowDays) || windowDays < 1 || !Number.isInteger(minWindowDays) || minWindowDays < 1 || minWindowDays > windowDays) {
      return fail(issue("out_of_range", "windowDays", `expected integers 1 ≤ minWindowDays (${minWindowDays}) ≤ windowDays (${windowDays})`));
    }
    const scenarios = historicalScenarios(known, { priceFactors: o.priceFactors, horizonDays: o.horizonDays, from: isoDay(day - windowDays + 1), to: isoDay(day) });
    if (!scenarios.ok) return scenarios;
    if (scenarios.value.count < minWindowDays) {
      return fail(issue("out_of_range", "windowDays", `only ${scenarios.value.count} ${o.horizonDays}-day windows of history end by ${isoDay(day)}; at least ${minWindowDays} are required (start the backtest later, or lower the minimum window)`));
    }
    let stress: JointScenarioSet | undefined;
    if (withStress) {
      const ids = ended.filter((e) => e.end <= day).map((e) => e.id);
      if (ids.length > 0) {
        const key = ids.join(",");
        // The stress moves only use days up to each period's end, all known by now: one set per list of periods.
        let s = stressCache.get(key);
        if (s === undefined) stressCache.set(key, (s = namedStressScenarios(known, { priceFactors: o.priceFactors, ids })));
        if (!s.ok) return s;
        stress = s.value;
      }
    }
    const extra = apc !== undefined ? apcScenarioSets(known, o.priceFactors, o.horizonDays, apc, day, stressedCache) : ok({});
    if (!extra.ok) return extra;
    return o.bind({ scenarios: scenarios.value, ...(stress !== undefined ? { stress } : {}), ...extra.value }, { buffer: buffered });
  }
}

/**
 * The scenario sets of the anti-procyclicality tools (b) and (c) on `day`, from `known` (history up to the day):
 * the most stressed period's windows ({@link mostStressedPeriod}) and the windows of the long look-back, capped at
 * the first window every price factor covers. `cache` (optional) keeps stressed sets by period.
 */
export function apcScenarioSets(
  known: History,
  priceFactors: readonly string[],
  horizonDays: number,
  apc: AntiProcyclicalityParams,
  day: number,
  cache?: Map<string, Result<JointScenarioSet>>,
): Result<{ stressed?: JointScenarioSet; lookback?: JointScenarioSet }> {
  const out: { stressed?: JointScenarioSet; lookback?: JointScenarioSet } = {};
  if (hasTool(apc, "stressed-weight")) {
    const period = mostStressedPeriod(known, priceFactors, horizonDays, apc.stressedPeriodDays, day);
    if (!period.ok) return period;
    const key = `${period.value.from}..${period.value.to}`;
    let s = cache?.get(key);
    if (s === undefined) {
      s = historicalScenarios(known, { priceFactors, horizonDays, from: period.value.from, to: period.value.to });
      cache?.set(key, s);
    }
    if (!s.ok) return s;
    out.stressed = s.value;
  }
  if (hasTool(apc, "lookback-floor")) {
    // Capped at the history: the scenario source starts at the first window every factor covers when `from` is earlier.
    const l = historicalScenarios(known, { priceFactors, horizonDays, from: isoDay(day - Math.round(apc.lookbackFloorYears * 365.25) + 1), to: isoDay(day) });
    if (!l.ok) return l;
    out.lookback = l.value;
  }
  return ok(out);
}

/** The parameter set without the buffer tool: in a backtest the walk applies the buffer to the series instead. */
export function withoutBuffer<P extends VarParams>(params: P): P {
  const a = params.antiProcyclicality;
  return hasTool(a, "buffer") ? { ...params, antiProcyclicality: { ...a, tools: a.tools.filter((t) => t !== "buffer") } } : params;
}

function apcNotes(apc: AntiProcyclicalityParams, id: string): string[] {
  const notes: string[] = [];
  if (hasTool(apc, "buffer")) notes.push(`${id}: anti-procyclicality (a): a ${(apc.bufferDecimal * 100).toFixed(0)} % buffer over the daily margin, exhausted while the margin rises and rebuilt over ${apc.bufferRebuildDays} days`);
  if (hasTool(apc, "stressed-weight")) notes.push(`${id}: anti-procyclicality (b): ${(apc.stressedWeightDecimal * 100).toFixed(0)} % of the ES weight on the ${apc.stressedPeriodDays} windows of the most volatile period known each day`);
  if (hasTool(apc, "lookback-floor")) {
    notes.push(`${id}: anti-procyclicality (c): margin ≥ the ES over a ${apc.lookbackFloorYears}-year look-back, CAPPED at the history available (every price factor must cover a window: with the shared data BTC from 2014-09-17, ETH from 2017-11-09, so a BTC+ETH book never has ten years)`);
  }
  return notes;
}
