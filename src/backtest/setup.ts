/**
 * Checks and preparation of a backtest before the walk: options resolved and checked, the history series each
 * currency of the portfolio needs, the range of margin days every series covers, the vol-index paths and their
 * reference levels. Errors as data.
 * @module
 */
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { MS_PER_DAY } from "../market/types.js";
import { dayNumber, isoDay } from "../risk/history/dates.js";
import { lastDay, priceSeries, valueOn, volSeries } from "../risk/history/types.js";
import type { DailySeries } from "../risk/history/types.js";
import { driverOf } from "./book.js";
import type { RebalanceMode } from "./book.js";
import { isPegged } from "./day-market.js";
import type { BasisMode, HistoricalPath, VolPath } from "./day-market.js";
import type { BacktestInput, BacktestOptions } from "./types.js";

/** Longest margin period of risk accepted, days. */
export const MAX_BACKTEST_HORIZON_DAYS = 30;
/** Time to expiry of the ATM vol that stands in for DVOL when the vol index has no value on the snapshot's day. */
const DVOL_TENOR_MS = 30 * MS_PER_DAY;

/** Options with their defaults resolved. */
export interface ResolvedOptions {
  readonly horizonDays: number;
  readonly rebalance: RebalanceMode;
  readonly confidence: number;
  readonly margin: "initial" | "maintenance";
  readonly basis: BasisMode;
}

/** A prepared backtest: the path, the margin days [first, last], and notes on the data used. */
export interface PreparedBacktest {
  readonly path: HistoricalPath;
  readonly options: ResolvedOptions;
  readonly firstDay: number;
  readonly lastDay: number;
  /** Open interest (coin) of each original position's quote, by position index, where the snapshot has one. */
  readonly openInterest: ReadonlyMap<number, number>;
  readonly notes: readonly string[];
}

/** Resolve and check the options (issue paths are the option names). */
export function resolveOptions(options: BacktestOptions): Result<ResolvedOptions> {
  const issues: Issue[] = [];
  const horizonDays = options.horizonDays ?? 2;
  if (!Number.isInteger(horizonDays) || horizonDays < 1 || horizonDays > MAX_BACKTEST_HORIZON_DAYS) {
    issues.push(issue("out_of_range", "horizonDays", `expected an integer number of days in [1, ${MAX_BACKTEST_HORIZON_DAYS}], got ${horizonDays}`));
  }
  const confidence = options.confidence ?? 0.99;
  if (!(confidence > 0 && confidence < 1)) issues.push(issue("out_of_range", "confidence", `expected a number in (0, 1), got ${confidence}`));
  const rebalance = options.rebalance ?? "coin";
  if (rebalance !== "coin" && rebalance !== "usd") issues.push(issue("invalid_value", "rebalance", `expected coin or usd, got ${JSON.stringify(rebalance)}`));
  const margin = options.margin ?? "initial";
  if (margin !== "initial" && margin !== "maintenance") issues.push(issue("invalid_value", "margin", `expected initial or maintenance, got ${JSON.stringify(margin)}`));
  const basis = options.basis ?? "snapshot";
  if (basis !== "snapshot" && basis !== "flat") issues.push(issue("invalid_value", "basis", `expected snapshot or flat, got ${JSON.stringify(basis)}`));
  const b = options.buffer;
  if (b !== undefined) {
    if (!(Number.isFinite(b.bufferDecimal) && b.bufferDecimal >= 0 && b.bufferDecimal <= 10)) issues.push(issue("out_of_range", "buffer.bufferDecimal", `expected a number in [0, 10], got ${b.bufferDecimal}`));
    if (!Number.isInteger(b.rebuildDays) || b.rebuildDays < 1) issues.push(issue("out_of_range", "buffer.rebuildDays", `expected a whole number of days ≥ 1, got ${b.rebuildDays}`));
  }
  return issues.length > 0 ? fail(...issues) : ok({ horizonDays, rebalance, confidence, margin, basis });
}

function optionalDay(text: string | undefined, path: string, issues: Issue[]): number | undefined {
  if (text === undefined) return undefined;
  const d = dayNumber(text);
  if (d === undefined) issues.push(issue("invalid_value", path, `${JSON.stringify(text)} is not a YYYY-MM-DD date`));
  return d;
}

/** The DVOL reference of a base: the index on the snapshot's day, else the snapshot's own 30-day ATM vol (noted). */
function volPath(input: BacktestInput, base: string, series: DailySeries, snapshotDay: number, notes: string[]): VolPath {
  const atDay = valueOn(series, snapshotDay);
  if (atDay !== undefined) {
    notes.push(`vol:${base}: the snapshot's surface is scaled by ${series.source} / ${(atDay * 100).toFixed(2)} % (its value on the snapshot's day ${isoDay(snapshotDay)})`);
    return { series, reference: atDay };
  }
  const m = input.market;
  const expiryMs = m.asOfMs + DVOL_TENOR_MS;
  const atm = m.surfaceVol(base, m.forwardUsd(base, expiryMs), expiryMs);
  notes.push(
    `vol:${base}: ${series.source} has no value on the snapshot's day ${isoDay(snapshotDay)}; the snapshot's 30-day at-the-money vol ${(atm * 100).toFixed(2)} % stands in as the reference level of the scaling`,
  );
  return { series, reference: atm };
}

/**
 * Check the input and options and prepare the walk.
 * @returns the prepared backtest, or issues: `out_of_range` / `invalid_value` (options, from/to, no margin day
 *   covered by every series), `required` (a currency of the portfolio without price history).
 */
export function prepareBacktest(input: BacktestInput, options: BacktestOptions): Result<PreparedBacktest> {
  const resolved = resolveOptions(options);
  if (!resolved.ok) return resolved;
  const o = resolved.value;
  const { portfolio, market, history } = input;
  const issues: Issue[] = [];
  const notes: string[] = [];
  const snapshotDay = Math.floor(market.asOfMs / MS_PER_DAY);
  const prices = new Map<string, DailySeries>();
  const needed = new Map<string, number>();
  portfolio.positions.forEach((p, i) => {
    const inst = p.instrument;
    const currencies = [driverOf(inst), ...(inst.kind !== "spot" && inst.settlement === "linear" ? [inst.settlementCurrency] : [])];
    for (const c of currencies) {
      if (prices.has(c) || needed.has(c)) continue;
      const s = priceSeries(history, c);
      // A USD stablecoin is optional (1 USD without history) and must not shorten the range: added below if it covers it.
      if (isPegged(c)) continue;
      if (s !== undefined) prices.set(c, s);
      else {
        needed.set(c, i);
        issues.push(issue("required", joinPath("positions", p.inputIndices[0] ?? i, "instrument"), `no price history for ${c} (${inst.name}): give a history file with daily ${c} closes (history has: ${history.prices.map((x) => x.factor).join(", ") || "none"})`));
      }
    }
  });
  if (portfolio.positions.length === 0) issues.push(issue("required", "positions", "the portfolio has no position to backtest"));
  if (issues.length > 0) return fail(...issues);

  const h = o.horizonDays;
  let first = -Infinity;
  let last = Infinity;
  for (const s of prices.values()) {
    first = Math.max(first, s.firstDay);
    last = Math.min(last, lastDay(s) - h);
  }
  const from = optionalDay(options.from, "from", issues);
  const to = optionalDay(options.to, "to", issues);
  if (issues.length > 0) return fail(...issues);
  if (from !== undefined) first = Math.max(first, from);
  else {
    // No --from: the first day the history supports for this model (a statistical model needs windows before it).
    const warm = "modelOn" in input.model ? (input.model.warmUpDays ?? 0) : 0;
    if (warm > 0 && Number.isFinite(first)) {
      first += warm;
      notes.push(`the first margin day is ${isoDay(first)}: ${warm} day(s) after the first day every series covers, the history ${input.model.id} needs for its windows (--from to choose)`);
    }
  }
  if (to !== undefined) last = Math.min(last, to);
  if (!(first <= last)) {
    const cover = [...prices.values()].map((s) => `${s.source} ${isoDay(s.firstDay)}..${isoDay(lastDay(s))}`).join("; ");
    return fail(issue("out_of_range", "history", `no margin day with a ${h}-day horizon is covered by every price series${options.from || options.to ? ` within ${options.from ?? "…"}..${options.to ?? "…"}` : ""} (coverage: ${cover})`));
  }
  if (to !== undefined && to > last) notes.push(`the last margin day is ${isoDay(last)}: later days have no close ${h} day(s) ahead`);

  // Optional currencies (USD stablecoins the positions settle in, collateral currencies): priced from history when
  // their series covers every day needed, else a stablecoin stays at 1 USD and other collateral is left unpriced.
  const optional = new Set<string>(Object.keys(portfolio.collateral));
  for (const p of portfolio.positions) {
    const inst = p.instrument;
    if (inst.kind === "spot" && isPegged(inst.currency)) optional.add(inst.currency);
    if (inst.kind !== "spot" && inst.settlement === "linear") optional.add(inst.settlementCurrency);
  }
  for (const c of [...optional].sort()) {
    if (prices.has(c)) continue;
    const s = priceSeries(history, c);
    if (s !== undefined && s.firstDay <= first && lastDay(s) >= last + h) prices.set(c, s);
    else if (s !== undefined) notes.push(`${c}: its history (${s.source}) does not cover ${isoDay(first)}..${isoDay(last + h)}: ${isPegged(c) ? "valued at 1 USD on every day" : "not priced on historical days"}`);
    else if (!isPegged(c)) notes.push(`collateral ${c}: no price history: not priced on historical days`);
  }

  const vols = new Map<string, VolPath>();
  const optionBases = new Set(portfolio.positions.flatMap((p) => (p.instrument.kind === "option" ? [p.instrument.base] : [])));
  for (const base of [...optionBases].sort()) {
    const s = volSeries(history, base);
    if (s === undefined) {
      notes.push(`vol:${base}: no vol index in the history: implied vols stay at the snapshot's surface on every day`);
      continue;
    }
    const vp = volPath(input, base, s, snapshotDay, notes);
    vols.set(base, vp);
    let known = 0;
    for (let d = first; d <= last; d++) if (valueOn(s, d) !== undefined) known += 1;
    const total = last - first + 1;
    if (known < total) {
      notes.push(`vol:${base}: scaled by the vol index on ${known} of ${total} margin days; on the other ${total - known} (outside ${isoDay(s.firstDay)}..${isoDay(lastDay(s))}) the snapshot's vols are used UNSCALED`);
    }
  }

  const openInterest = new Map<number, number>();
  portfolio.positions.forEach((p, i) => {
    const oi = market.snapshot.instruments[p.instrument.name]?.openInterest;
    if (oi !== undefined) openInterest.set(i, oi);
  });
  return ok({ path: { snapshot: market, snapshotDay, prices, vols, basis: o.basis }, options: o, firstDay: first, lastDay: last, openInterest, notes });
}
