/**
 * The backtest walk: for every margin day t, the snapshot's portfolio rolled to t (book.ts), the day's market from
 * the day's data only (day-market.ts), the model's margin on it, and the realised loss of that book from the close of
 * t to the close of t + h (realised.ts); a breach is a loss strictly above the margin. Then the coverage tests
 * (stats.ts) and procyclicality (procyclicality.ts). Pure: data in, result out; progress through a callback.
 * Methodology: docs/methodology.md "Backtesting".
 * @module
 */
import { fail, issue, NetriskError, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import type { MarginModel } from "../models/types.js";
import { isoDay } from "../risk/history/dates.js";
import type { DailySeries, History } from "../risk/history/types.js";
import { rollPortfolio } from "./book.js";
import { dayContext, dayState } from "./day-market.js";
import type { DayState } from "./day-market.js";
import { releasableBuffer } from "../models/var/apc.js";
import { procyclicality } from "./procyclicality.js";
import { realisedLossUsd } from "./realised.js";
import { volFloor } from "./vol-floor.js";
import { prepareBacktest } from "./setup.js";
import type { PreparedBacktest } from "./setup.js";
import { christoffersenIndependence, conditionalCoverage, kupiecPof } from "./stats.js";
import type { BacktestCoverage, BacktestInput, BacktestOptions, BacktestResult, BacktestSeries, Breach, DailyModel } from "./types.js";

/** True for a {@link DailyModel} (re-bound every day) rather than a fixed {@link MarginModel}. */
export function isDailyModel(m: MarginModel | DailyModel): m is DailyModel {
  return typeof (m as DailyModel).modelOn === "function";
}

/** The history as known at the close of `day`: every series cut after `day` (views, no copy); later series dropped. */
export function historyUpTo(history: History, day: number): History {
  const cut = (list: readonly DailySeries[]): DailySeries[] =>
    list.flatMap((s) => (s.firstDay > day ? [] : [{ ...s, values: s.values.subarray(0, Math.min(s.values.length, day - s.firstDay + 1)) }]));
  return { prices: cut(history.prices), vols: cut(history.vols), notes: history.notes };
}

const ASSUMPTIONS = (h: number): string[] => [
  "each day's book is the snapshot's portfolio rolled to that day: same time to expiry, options at the same moneyness K/F (strikes to 6 significant digits)",
  "day t's market: index = close of t; forwards = index × the snapshot's basis at the same time to expiry (or flat); implied vols = the snapshot's fitted surface at the same moneyness and time to expiry × DVOL(t)/DVOL(snapshot day)",
  `realised loss: day t's book revalued from the close of t to the close of t + ${h} (time to expiry ${h} day(s) shorter), positions only, in USD; breach = loss > margin`,
  ...(h > 1 ? [`${h}-day windows overlap from one day to the next, so breaches cluster by construction: the independence test over-rejects; read its p-value with that in mind`] : []),
];

/** The walk itself over a prepared backtest. */
function walk(input: BacktestInput, prep: PreparedBacktest, options: BacktestOptions): Result<{ series: BacktestSeries; modelNotes: readonly string[]; floorNotes: readonly string[] }> {
  const onProgress = options.onProgress;
  const { path, options: o } = prep;
  const h = o.horizonDays;
  const rateOf = (currency: string): number => path.snapshot.snapshot.ratesDecimal?.[currency] ?? 0;
  const total = prep.lastDay - prep.firstDay + 1;
  const dates: string[] = [];
  const marginUsd: number[] = [];
  const lossUsd: number[] = [];
  let modelNotes: readonly string[] = [];
  const daily = isDailyModel(input.model) ? input.model : undefined;
  const fixed = daily === undefined ? (input.model as MarginModel) : undefined;
  const floor = fixed !== undefined && options.lookbackFloor !== undefined ? volFloor(path, options.lookbackFloor.years) : undefined;
  const calculatedUsd: number[] = [];
  const floorNotes: string[] = [];
  for (let t = prep.firstDay; t <= prep.lastDay; t++) {
    const date = isoDay(t);
    const at = (issues: readonly Issue[]): Issue[] => issues.map((i) => ({ ...i, path: `days.${date}${i.path ? `.${i.path}` : ""}` }));
    const start = dayState(path, t);
    const book = rollPortfolio(path, start, input.portfolio, o.rebalance);
    if ("failedPosition" in book) {
      const p = input.portfolio.positions[book.failedPosition];
      return fail(issue("out_of_range", `days.${date}.positions[${book.failedPosition}]`, `${p?.instrument.name ?? "position"}: the strike rolled to this day cannot be written as an instrument name`));
    }
    const oi = new Map<string, number>();
    input.portfolio.positions.forEach((_p, i) => {
      const v = prep.openInterest.get(i);
      const inst = book.portfolio.positions[i]?.instrument;
      if (v !== undefined && inst !== undefined) oi.set(inst.name, v);
    });
    const context = dayContext(path, start, book.derivatives, oi);
    let model = fixed;
    if (daily !== undefined) {
      const m = daily.modelOn(t, historyUpTo(input.history, t));
      if (!m.ok) return fail(...at(m.issues));
      model = m.value;
    }
    let margin: number;
    let calculated: number;
    try {
      const r = (model as MarginModel).compute(book.portfolio, context);
      margin = o.margin === "initial" ? r.totalUsd.initialMargin : r.totalUsd.maintenanceMargin;
      calculated = margin;
      if (t === prep.firstDay) modelNotes = r.notes;
      const ratios = floor?.ratiosOn(t);
      if (ratios !== undefined && ratios.size > 0) {
        // (c) for a fixed model: the same book and prices, the vols at their look-back level (vol-floor.ts).
        const f = (model as MarginModel).compute(book.portfolio, dayContext(path, dayState(path, t, { volRatioOverride: ratios }), book.derivatives, oi));
        margin = Math.max(margin, o.margin === "initial" ? f.totalUsd.initialMargin : f.totalUsd.maintenanceMargin);
      }
      if (floor !== undefined && t === prep.firstDay) floorNotes.push(...floorNotesOf(floor, t, path.vols.size));
    } catch (e) {
      if (e instanceof NetriskError) return fail(...at(e.issues));
      throw e;
    }
    const end = endState(prep, start, t + h);
    const loss = realisedLossUsd(book.portfolio.positions, start, end, rateOf);
    if (!Number.isFinite(margin) || !Number.isFinite(loss)) {
      return fail(issue("internal", `days.${date}`, `non-finite ${Number.isFinite(margin) ? "realised loss" : "margin"} (a bug: please report)`));
    }
    dates.push(date);
    marginUsd.push(margin);
    calculatedUsd.push(calculated);
    lossUsd.push(loss);
    onProgress?.({ done: t - prep.firstDay + 1, total, date });
  }
  return ok({ series: { dates, marginUsd, ...(floor !== undefined ? { calculatedMarginUsd: calculatedUsd } : {}), lossUsd }, modelNotes, floorNotes });
}

/** What the look-back floor of a fixed model reached on the first margin day (the cap at the vol history, said). */
function floorNotesOf(floor: ReturnType<typeof volFloor>, day: number, volBases: number): string[] {
  const head = `anti-procyclicality (c): margin ≥ the same model's margin with implied vols at their root-mean-square level over a ${floor.years}-year look-back, CAPPED at the vol-index history available`;
  if (volBases === 0) return [`${head}: the book holds no option (or no vol index is given), so the floor equals the margin`];
  const spans = floor.spanOn(day);
  return [
    head,
    ...spans.map((s) => `vol:${s.base}: look-back on the first margin day ${s.from}..${s.to} (${(s.days / 365.25).toFixed(1)} of ${floor.years} years)`),
    ...(spans.length === 0 ? ["no vol-index value in the look-back on the first margin day: no floor until the index starts"] : []),
  ];
}

/**
 * The end of a window: day t + h, except that a base whose vol index lacks a value at either end keeps the margin
 * day's vol multiplier (vols held over that window, rather than a jump when the index starts).
 */
function endState(prep: PreparedBacktest, start: DayState, endDay: number): DayState {
  const plain = dayState(prep.path, endDay);
  let override: Map<string, number> | undefined;
  for (const base of prep.path.vols.keys()) {
    if (start.volKnown.has(base) && plain.volKnown.has(base)) continue;
    override ??= new Map();
    override.set(base, start.volRatio.get(base) ?? 1);
  }
  return override === undefined ? plain : dayState(prep.path, endDay, { volRatioOverride: override });
}

/** The series with the buffer rule applied: the charged margin, and the calculated one kept beside it. */
function bufferedSeries(series: BacktestSeries, b: { bufferDecimal: number; rebuildDays: number }): BacktestSeries {
  return { ...series, marginUsd: releasableBuffer(series.marginUsd, b.bufferDecimal, b.rebuildDays), calculatedMarginUsd: series.calculatedMarginUsd ?? series.marginUsd };
}

/** Coverage figures of a series. */
export function coverageOf(series: BacktestSeries, confidence: number): { coverage: BacktestCoverage; breaches: Breach[]; flags: boolean[] } {
  const n = series.dates.length;
  const breaches: Breach[] = [];
  const flags: boolean[] = [];
  let worst: number | null = null;
  for (let i = 0; i < n; i++) {
    const m = series.marginUsd[i] as number, l = series.lossUsd[i] as number;
    const b = l > m;
    flags.push(b);
    if (b) breaches.push({ date: series.dates[i] as string, marginUsd: m, lossUsd: l, excessUsd: l - m });
    if (m > 0 && (worst === null || l / m > worst)) worst = l / m;
  }
  const meanExcessUsd = breaches.length > 0 ? breaches.reduce((s, b) => s + b.excessUsd, 0) / breaches.length : 0;
  return {
    coverage: { observations: n, breaches: breaches.length, coverageRatio: n > 0 ? 1 - breaches.length / n : 1, expectedBreaches: n * (1 - confidence), meanExcessUsd, worstLossToMargin: worst },
    breaches,
    flags,
  };
}

/**
 * Backtest a margin model over real history (see the module comment and docs/methodology.md "Backtesting").
 * Domain: `input.portfolio` validated against `input.market`.
 * @returns the result, or issues: those of the preparation (`required` history, `out_of_range` / `invalid_value`
 *   options and dates), and the model's own issues on the first day it fails (path `days.<date>...`).
 */
export function runBacktest(input: BacktestInput, options: BacktestOptions = {}): Result<BacktestResult> {
  const prepared = prepareBacktest(input, options);
  if (!prepared.ok) return prepared;
  const prep = prepared.value;
  const walked = walk(input, prep, options);
  if (!walked.ok) return walked;
  const { modelNotes, floorNotes } = walked.value;
  const daily = isDailyModel(input.model) ? input.model : undefined;
  const buffer = daily?.buffer ?? options.buffer;
  const series = buffer === undefined ? walked.value.series : bufferedSeries(walked.value.series, buffer);
  const o = prep.options;
  const { coverage, breaches, flags } = coverageOf(series, o.confidence);
  const kupiec = kupiecPof(flags, 1 - o.confidence);
  const christoffersen = christoffersenIndependence(flags);
  return ok({
    model: input.model.id,
    parameterSet: input.model.parameterSet,
    settings: {
      from: isoDay(prep.firstDay),
      to: isoDay(prep.lastDay),
      horizonDays: o.horizonDays,
      rebalance: o.rebalance,
      confidence: o.confidence,
      margin: o.margin,
      basis: o.basis,
      snapshotAsOf: new Date(input.market.asOfMs).toISOString(),
    },
    series,
    coverage,
    breaches,
    kupiec,
    christoffersen,
    conditionalCoverage: conditionalCoverage(kupiec, christoffersen),
    procyclicality: procyclicality(series.dates, series.marginUsd),
    notes: [
      ...ASSUMPTIONS(o.horizonDays),
      ...prep.notes,
      ...(daily?.notes ?? []),
      ...floorNotes,
      ...(buffer !== undefined && daily?.buffer === undefined ? [`anti-procyclicality (a): a ${(buffer.bufferDecimal * 100).toFixed(0)} % buffer over the daily margin, exhausted while the margin rises and rebuilt over ${buffer.rebuildDays} days`] : []),
      ...modelNotes.map((n) => `model (first day): ${n}`),
    ],
  });
}
