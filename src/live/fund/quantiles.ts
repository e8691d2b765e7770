/**
 * Quantiles of a sample of fund drawdowns and their Monte Carlo standard errors (insurance-fund sizing, docs/cascade.md
 * "Insurance-fund sizing"). The quantile is the inverse empirical CDF (numpy's `inverted_cdf`): the ⌈N·q⌉-th smallest
 * value. Its standard error, for N independent draws only, is distribution-free from the order statistics: the number
 * of draws below the true quantile is Binomial(N, q), so the ranks N·q ∓ z·√(N·q·(1 − q)) (z = 1.96) bracket it with
 * ≈ 95 % probability and SE ≈ (x₍hi₎ − x₍lo₎) / (2z) (the order-statistic interval of e.g. Hahn & Meeker, "Statistical
 * Intervals", 1991, §5.2). When a bracket rank falls outside 1..N the sample cannot bound the quantile: null, said so.
 * @module
 */

/** z of a two-sided 95 % interval. */
const Z95 = 1.959963984540054;

export interface QuantileEstimate {
  readonly level: number;
  /** The ⌈N·q⌉-th smallest drawdown, USD. */
  readonly valueUsd: number;
  /** Independent draws only: (upper − lower bracket) / (2 × 1.96); null otherwise or when the sample cannot bound it. */
  readonly standardErrorUsd: number | null;
  /** The order-statistic 95 % interval [lower, upper], USD (null with the standard error). */
  readonly intervalUsd: readonly [number, number] | null;
}

/** Ascending copy. */
export function sortedAscending(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

/**
 * The q-quantile of `sorted` (ascending, N ≥ 1) and, with `independent`, its order-statistic standard error.
 * @param level - q in (0, 1).
 */
export function quantileEstimate(sorted: Float64Array, level: number, independent: boolean): QuantileEstimate {
  const n = sorted.length;
  const rank = Math.min(n, Math.max(1, Math.ceil(n * level - 1e-9)));
  const valueUsd = sorted[rank - 1] as number;
  if (!independent) return { level, valueUsd, standardErrorUsd: null, intervalUsd: null };
  const half = Z95 * Math.sqrt(n * level * (1 - level));
  const lo = Math.floor(n * level - half), hi = Math.ceil(n * level + half);
  if (lo < 1 || hi > n) return { level, valueUsd, standardErrorUsd: null, intervalUsd: null };
  const a = sorted[lo - 1] as number, b = sorted[hi - 1] as number;
  return { level, valueUsd, standardErrorUsd: (b - a) / (2 * Z95), intervalUsd: [a, b] };
}

/** Mean and, for independent draws, its standard error s/√N (null for N < 2 or dependent draws). */
export function meanEstimate(values: readonly number[], independent: boolean): { meanUsd: number; standardErrorUsd: number | null } {
  const n = values.length;
  let s = 0;
  for (const v of values) s += v;
  const mean = n > 0 ? s / n : 0;
  if (!independent || n < 2) return { meanUsd: mean, standardErrorUsd: null };
  let ss = 0;
  for (const v of values) ss += (v - mean) * (v - mean);
  return { meanUsd: mean, standardErrorUsd: Math.sqrt(ss / (n - 1) / n) };
}
