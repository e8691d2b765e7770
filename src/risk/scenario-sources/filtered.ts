/**
 * Filtered historical simulation (Barone-Adesi, Giannopoulos & Vosper 1999; Hull & White 1998 "Incorporating
 * volatility updating into the historical simulation method for VaR"), as CME SPAN 2 and Eurex Prisma do (volatility
 * scaling of historical scenarios, ../shared/reference/classic-methods.md §2 and §4):
 *
 * - each factor's daily log return rₛ is devolatilised by its EWMA volatility at the time, σₛ (forecast made the day
 *   before, λ = 0.94 by default), and revolatilised by today's EWMA volatility σ_now (the forecast after the as-of
 *   day): r*ₛ = rₛ·σ_now/σₛ;
 * - an h-day scenario ending t sums the filtered daily returns of its window: R*ₜ = Σ_{s=t−h+1..t} r*ₛ, and moves
 *   the price by exp(R*ₜ) − 1 (per-day filtering keeps each day's own volatility regime inside a window);
 * - vol factors (DVOL) are filtered the same way on their daily log changes; windows without DVOL keep vols unchanged.
 *
 * **Stress-period floor** (our choice among the two the issue allows, documented in docs/methodology.md): in calm times
 * σ_now/σₛ < 1 shrinks the crash days, so a calm spell would erase 2020-03-12. For every window that overlaps a named
 * stress period (stress/periods.ts), the scenario is the RAW historical move of that window (all factors and vol
 * ratios, as in historical.ts) whenever the raw move is larger than the filtered one (largest |log move| over the price
 * factors), so the set always contains at least the real stress moves; when today is more volatile than the stress
 * was, the larger filtered scenario stays. The notes list the floored windows.
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Result } from "../../errors.js";
import { dayNumber, isoDay } from "../history/dates.js";
import { lastDay, valueOn } from "../history/types.js";
import type { DailySeries, History } from "../history/types.js";
import type { JointScenarioSet } from "../joint.js";
import { NAMED_STRESS_PERIODS } from "../stress/periods.js";
import type { StressPeriod } from "../stress/periods.js";
import { dayLabels, describeCoverage } from "./common.js";
import { DEFAULT_EWMA_LAMBDA, DEFAULT_EWMA_SEED_DAYS, ewmaVarianceForecasts, logReturns } from "./ewma.js";
import { planWindows, volCoverageNotes } from "./historical.js";
import type { HistoricalOptions } from "./historical.js";

/** Options of {@link filteredHistoricalScenarios}. */
export interface FilteredOptions extends HistoricalOptions {
  /** EWMA decay, in (0, 1). Default 0.94 (RiskMetrics daily). */
  readonly lambda?: number;
  /** Returns averaged to seed the EWMA. Default 30. */
  readonly seedDays?: number;
  /** Apply the stress-period floor (module doc). Default true. */
  readonly stressFloor?: boolean;
  /** Periods the floor protects. Default the named stress periods. */
  readonly stressPeriods?: readonly StressPeriod[];
}

/** Per-series filtered daily returns: `scaled[k]` is r*ₖ, the return of day firstDay + k + 1, up to the as-of day. */
interface Filtered {
  readonly series: DailySeries;
  readonly scaled: Float64Array;
  /** σ_now, daily. */
  readonly volNow: number;
  /** Day whose close ends the EWMA (the as-of day, or the series' last day if it ends earlier). */
  readonly stateDay: number;
}

function filterSeries(s: DailySeries, asOf: number, lambda: number, seedDays: number): Filtered {
  const r = logReturns(s, asOf);
  const v = ewmaVarianceForecasts(r, lambda, seedDays);
  const volNow = Math.sqrt(v[r.length]!);
  const scaled = new Float64Array(r.length);
  // v[k] = 0 only for a constant series (every r = 0, see the EWMA floor): its filtered returns are 0 too.
  for (let k = 0; k < r.length; k++) scaled[k] = v[k]! > 0 ? (r[k]! * volNow) / Math.sqrt(v[k]!) : 0;
  return { series: s, scaled, volNow, stateDay: Math.min(asOf, lastDay(s)) };
}

/** Σ r* over the window ending t (h days), or undefined when the window is not fully inside the filtered returns. */
function windowSum(f: Filtered, t: number, h: number): number | undefined {
  const hi = t - f.series.firstDay - 1; // index of day t's return
  const lo = hi - h + 1;
  if (lo < 0 || hi >= f.scaled.length) return undefined;
  let sum = 0;
  for (let k = lo; k <= hi; k++) sum += f.scaled[k]!;
  return sum;
}

/**
 * Filtered historical joint scenarios (module doc). The as-of day is the last window end (the common coverage end or
 * `to`): EWMA states use data up to that day only. Labels are window end dates as in the historical set.
 * @returns the set, or the issues of {@link historicalScenarios} plus out_of_range (lambda, seedDays).
 */
export function filteredHistoricalScenarios(history: History, options: FilteredOptions): Result<JointScenarioSet> {
  const lambda = options.lambda ?? DEFAULT_EWMA_LAMBDA;
  const seedDays = options.seedDays ?? DEFAULT_EWMA_SEED_DAYS;
  if (!(lambda > 0 && lambda < 1)) return fail(issue("out_of_range", "lambda", `EWMA decay must be in (0, 1), got ${lambda}`));
  if (!Number.isInteger(seedDays) || seedDays < 1) return fail(issue("out_of_range", "seedDays", `must be an integer ≥ 1, got ${seedDays}`));
  const plan = planWindows(history, options);
  if (!plan.ok) return plan;
  const { factors, first, last } = plan.value;
  const h = options.horizonDays;
  const asOf = last;
  const prices = factors.prices.map((s) => filterSeries(s, asOf, lambda, seedDays));
  const vols = factors.vols.map((s) => filterSeries(s, asOf, lambda, seedDays));
  const count = last - first + 1;
  const F = prices.length, V = vols.length;
  const priceRelativeMove = new Float64Array(count * F);
  const volRatio = new Float64Array(count * V).fill(1);
  const periods = (options.stressFloor ?? true) ? (options.stressPeriods ?? NAMED_STRESS_PERIODS) : [];
  const periodDays = periods.map((p) => ({ id: p.id, start: dayNumber(p.start) ?? NaN, end: dayNumber(p.end) ?? NaN }));
  const floored: string[] = [];
  for (let n = 0; n < count; n++) {
    const t = first + n;
    let maxScaled = 0;
    for (let f = 0; f < F; f++) {
      // Every price series covers [t − h, t] by construction of the window range.
      const sum = windowSum(prices[f]!, t, h)!;
      priceRelativeMove[n * F + f] = Math.expm1(sum);
      maxScaled = Math.max(maxScaled, Math.abs(sum));
    }
    for (let v = 0; v < V; v++) {
      const sum = windowSum(vols[v]!, t, h);
      if (sum !== undefined) volRatio[n * V + v] = Math.exp(sum);
    }
    const hit = periodDays.find((p) => t - h + 1 <= p.end && t >= p.start);
    if (!hit) continue;
    let maxRaw = 0;
    for (const p of prices) maxRaw = Math.max(maxRaw, Math.abs(Math.log(valueOn(p.series, t)! / valueOn(p.series, t - h)!)));
    if (maxRaw <= maxScaled) continue;
    // Floor: the raw historical scenario of this window, exactly as historical.ts computes it.
    prices.forEach((p, f) => {
      priceRelativeMove[n * F + f] = valueOn(p.series, t)! / valueOn(p.series, t - h)! - 1;
    });
    vols.forEach((p, v) => {
      const now = valueOn(p.series, t), then = valueOn(p.series, t - h);
      volRatio[n * V + v] = now !== undefined && then !== undefined ? now / then : 1;
    });
    floored.push(`${isoDay(t)} (${hit.id})`);
  }
  const volText = (f: Filtered): string => `${f.series.kind === "vol" ? `vol:${f.series.factor}` : f.series.factor} ${(f.volNow * 100).toFixed(2)} %/day (${(f.volNow * Math.sqrt(365) * 100).toFixed(1)} % annualised, state at ${isoDay(f.stateDay)})`;
  return ok({
    method: "filtered",
    horizonDays: h,
    count,
    priceFactors: prices.map((p) => p.series.factor),
    priceRelativeMove,
    volFactors: vols.map((p) => p.series.factor),
    volRatio,
    volFactorsMissing: factors.volMissing,
    labels: dayLabels(first, last),
    notes: [
      `filtered historical: ${count} overlapping ${h}-day windows ending ${isoDay(first)}..${isoDay(last)}; daily log returns devolatilised by EWMA σ at the time and rescaled to σ at ${isoDay(asOf)}; λ = ${lambda}, EWMA seeded with the mean r² of the first ${seedDays} returns`,
      `today's EWMA volatility: ${[...prices, ...vols].map(volText).join("; ")}`,
      periods.length === 0
        ? "stress-period floor: OFF"
        : `stress-period floor (${periods.map((p) => p.id).join(", ")}): ${floored.length} window(s) use the raw historical move because it exceeds the filtered one${floored.length > 0 ? `: ${floored.join(", ")}` : ""}`,
      `coverage: ${describeCoverage([...factors.prices, ...factors.vols])}`,
      ...volCoverageNotes(factors.vols, factors.volMissing, first, last, h),
      ...history.notes,
    ],
  });
}
