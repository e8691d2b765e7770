/**
 * Exponentially weighted moving average (RiskMetrics, J.P. Morgan/Reuters "RiskMetrics — Technical Document", 4th ed.,
 * 1996, §5.2: daily decay λ = 0.94) variance forecasts of a daily log-return series, and log returns of a series.
 * @module
 */
import type { DailySeries } from "../history/types.js";

/** RiskMetrics' daily decay factor. */
export const DEFAULT_EWMA_LAMBDA = 0.94;
/** Returns averaged (mean of r²) to seed the recursion. */
export const DEFAULT_EWMA_SEED_DAYS = 30;

/** Daily log returns of a series: `r[k] = ln(v[k+1]/v[k])`, the return OF day `firstDay + k + 1`. */
export function logReturns(s: DailySeries, upToDay = Number.POSITIVE_INFINITY): Float64Array {
  const n = Math.max(0, Math.min(s.values.length, upToDay - s.firstDay + 1) - 1);
  const r = new Float64Array(n);
  for (let k = 0; k < n; k++) r[k] = Math.log(s.values[k + 1]! / s.values[k]!);
  return r;
}

/**
 * EWMA variance forecasts: `out[k]` is σ²ₖ, the forecast for return k made after return k − 1
 * (σ²ₖ₊₁ = λσ²ₖ + (1 − λ)r²ₖ), and `out[n]` the forecast for the day after the last return ("today's" variance).
 * σ²₀ = mean of r² over the first min(seedDays, n) returns (a documented choice; its weight decays as λᵏ: 0.2 %
 * after 100 days at λ = 0.94). Floored at 1e−6 × the mean r² of the whole series so that a run of identical prices
 * (a stablecoin, a forward-filled gap) cannot make a later devolatilised return divide by zero. n ≥ 1.
 */
export function ewmaVarianceForecasts(r: Float64Array, lambda: number, seedDays: number): Float64Array {
  const n = r.length;
  const out = new Float64Array(n + 1);
  let meanSq = 0;
  for (let k = 0; k < n; k++) meanSq += r[k]! * r[k]!;
  meanSq /= Math.max(1, n);
  const floor = 1e-6 * meanSq;
  const m = Math.min(seedDays, n);
  let seed = 0;
  for (let k = 0; k < m; k++) seed += r[k]! * r[k]!;
  let v = m > 0 ? seed / m : 0;
  for (let k = 0; k < n; k++) {
    out[k] = Math.max(v, floor);
    v = lambda * v + (1 - lambda) * r[k]! * r[k]!;
  }
  out[n] = Math.max(v, floor);
  return out;
}
