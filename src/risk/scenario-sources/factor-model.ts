/**
 * The Monte Carlo factor model: daily log-return volatilities and their correlation over price factors and vol
 * factors together (vol factors are the log changes of each base's vol index), so simulated vol moves are correlated
 * with price moves as in the data (crypto vols typically rise when prices fall). Estimated from history (sample or
 * EWMA) or given by the user (validated; repaired only on request).
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import { checkCorrelation, estimateCorrelation, matrixFromRows } from "../correlation.js";
import type { CorrelationMethod } from "../correlation.js";
import { isoDay } from "../history/dates.js";
import type { History } from "../history/types.js";
import { resolveFactors, windowEnds } from "./common.js";
import type { DateRange, FactorSelection } from "./common.js";
import { DEFAULT_EWMA_LAMBDA, DEFAULT_EWMA_SEED_DAYS } from "./ewma.js";

/** Daily volatilities and correlation of F price factors then V vol factors. */
export interface FactorModel {
  readonly priceFactors: readonly string[];
  /** Bases whose whole vol surface moves with the simulated vol factor. */
  readonly volFactors: readonly string[];
  /** Standard deviation of daily log returns, decimal per day; F price factors then V vol factors. */
  readonly volsDaily: Float64Array;
  /** Correlation of daily log returns, (F+V)×(F+V) row-major, same order as {@link factorKeys}. */
  readonly correlation: Float64Array;
  /** Bases asked for as vol factors that had no vol history (vols unchanged in every path). */
  readonly volFactorsMissing: readonly string[];
  readonly notes: readonly string[];
}

/** Factor names in model order: the price factors, then `vol:<BASE>` for each vol factor. */
export function factorKeys(model: Pick<FactorModel, "priceFactors" | "volFactors">): string[] {
  return [...model.priceFactors, ...model.volFactors.map((b) => `vol:${b}`)];
}

/** Options of {@link estimateFactorModel}. */
export interface EstimateOptions extends FactorSelection, DateRange {
  /** Default `ewma`. */
  readonly method?: CorrelationMethod;
  /** EWMA decay. Default 0.94. */
  readonly lambda?: number;
  /** EWMA seed length in days. Default 30. */
  readonly seedDays?: number;
  /** Use only the last N common days of returns (sample method; EWMA weights decay anyway). Default all. */
  readonly lookbackDays?: number;
}

/**
 * Estimate the factor model from daily log returns on the days where every chosen factor (prices and vol indices)
 * has a return, within from/to (dates of the returns). Including vol factors limits the sample to the vol index's
 * history (DVOL from 2021-03-24); the notes give the sample used.
 * @returns the model, or issues of the factor selection, out_of_range (too few common days, bad lambda).
 */
export function estimateFactorModel(history: History, options: EstimateOptions = {}): Result<FactorModel> {
  const method = options.method ?? "ewma";
  const lambda = options.lambda ?? DEFAULT_EWMA_LAMBDA;
  const seedDays = options.seedDays ?? DEFAULT_EWMA_SEED_DAYS;
  if (!(lambda > 0 && lambda < 1)) return fail(issue("out_of_range", "lambda", `EWMA decay must be in (0, 1), got ${lambda}`));
  const factors = resolveFactors(history, options);
  if (!factors.ok) return factors;
  const series = [...factors.value.prices, ...factors.value.vols];
  const range = windowEnds(series, 1, options);
  if (!range.ok) return range;
  let { first } = range.value;
  const { last } = range.value;
  if (options.lookbackDays !== undefined) {
    if (!Number.isInteger(options.lookbackDays) || options.lookbackDays < 2) return fail(issue("out_of_range", "lookbackDays", `must be an integer ≥ 2, got ${options.lookbackDays}`));
    first = Math.max(first, last - options.lookbackDays + 1);
  }
  const T = last - first + 1;
  if (T < 2 || T < series.length + 1) return fail(issue("out_of_range", "history", `${T} common daily returns for ${series.length} factors: too few to estimate a correlation`));
  const returns = series.map((s) => {
    const r = new Float64Array(T);
    for (let t = 0; t < T; t++) {
      const i = first + t - s.firstDay;
      r[t] = Math.log(s.values[i]! / s.values[i - 1]!);
    }
    return r;
  });
  const est = estimateCorrelation(returns, { method, lambda, seedDays });
  const keys = factorKeys({ priceFactors: factors.value.prices.map((s) => s.factor), volFactors: factors.value.vols.map((s) => s.factor) });
  const notes = [
    `factor model: ${method === "ewma" ? `EWMA (λ = ${lambda}, seeded with the first ${Math.min(seedDays, T)} days)` : "sample"} volatilities and correlation of daily log returns ${isoDay(first)}..${isoDay(last)} (${T} days) over ${keys.join(", ")}`,
    `daily vols: ${keys.map((k, i) => `${k} ${(est.volsDaily[i]! * 100).toFixed(2)} %`).join(", ")}`,
    ...est.constantFactors.map((i) => `${keys[i]}: constant over the sample (zero volatility): correlations set to 0`),
    ...factors.value.volMissing.map((b) => `vol:${b}: no vol history given: implied vols of ${b} UNCHANGED in every path`),
  ];
  return ok({
    priceFactors: factors.value.prices.map((s) => s.factor),
    volFactors: factors.value.vols.map((s) => s.factor),
    volsDaily: est.volsDaily,
    correlation: est.correlation,
    volFactorsMissing: factors.value.volMissing,
    notes,
  });
}

/** A user-given factor model (e.g. from a JSON file). */
export interface FactorModelInput {
  readonly priceFactors: readonly string[];
  readonly volFactors?: readonly string[];
  /** Daily log-return standard deviations, prices then vol factors, decimal per day (> 0). */
  readonly volsDaily: readonly number[];
  /** Correlation rows in {@link factorKeys} order. */
  readonly correlation: readonly (readonly number[])[];
}

/**
 * Validate a given factor model: sizes agree, vols finite and > 0, correlation symmetric with unit diagonal (errors)
 * and PSD (error unless `repair: true`, then Higham's repair with the distance in the notes).
 */
export function factorModelFromInput(input: FactorModelInput, options: { readonly repair?: boolean } = {}): Result<FactorModel> {
  const volFactors = input.volFactors ?? [];
  const n = input.priceFactors.length + volFactors.length;
  const issues: Issue[] = [];
  if (input.volsDaily.length !== n) issues.push(issue("invalid_value", "volsDaily", `${input.volsDaily.length} vols for ${n} factors`));
  input.volsDaily.forEach((v, i) => {
    if (!Number.isFinite(v)) issues.push(issue("non_finite", `volsDaily[${i}]`, `got ${v}`));
    else if (!(v > 0)) issues.push(issue("not_positive", `volsDaily[${i}]`, `must be > 0, got ${v}`));
  });
  if (input.correlation.length !== n) issues.push(issue("invalid_value", "correlation", `${input.correlation.length} rows for ${n} factors`));
  if (issues.length > 0) return fail(...issues);
  const flat = matrixFromRows(input.correlation);
  if (!flat.ok) return flat;
  const checked = checkCorrelation(flat.value, n, { repair: options.repair ?? false });
  if (!checked.ok) return checked;
  return ok({
    priceFactors: [...input.priceFactors],
    volFactors: [...volFactors],
    volsDaily: Float64Array.from(input.volsDaily),
    correlation: checked.value.matrix,
    volFactorsMissing: [],
    notes: ["factor model: given by the user", ...checked.value.notes],
  });
}

/** The same model with another correlation matrix (a breakdown stress), noting why. */
export function withCorrelation(model: FactorModel, correlation: Float64Array, notes: readonly string[]): FactorModel {
  return { ...model, correlation, notes: [...model.notes, ...notes] };
}
