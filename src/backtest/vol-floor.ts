/**
 * The look-back floor (EMIR RTS 153/2013 Art. 28(1)(c)) for a model without historical scenarios (the risk-matrix
 * presets, SPAN, ...): margins "not lower than those that would be calculated using volatility estimated over a 10 year
 * historical lookback period". What moves such a model's margin through the cycle is the implied vol the day's market
 * carries (docs/methodology.md "Backtesting": the snapshot's surface × vol index(t) / vol index(snapshot day)); its
 * price scan is a fixed percentage. So the floor on day t is the same model's margin on the same day's book and prices
 * with each base's vol multiplier replaced by its long-run level over the look-back:
 *
 * ```
 * ratio_LR(t) = √( mean over the look-back days d with a vol index value of (index(d) / reference)² )
 * charged(t) = max(margin(t), margin(t) with ratio_LR(t) in place of the day's ratio)
 * ```
 * (the root mean square: variances, not volatilities, average over time). The look-back is the `years` before t,
 * capped at the vol history available (Deribit DVOL from 2021-03-24 in ../shared/data), and the result says so. A base
 * whose vol index has no value in the look-back keeps the day's vols (no floor from it); a book whose model ignores
 * implied vols (futures and perpetuals only) gets a floor equal to its margin. Methodology: docs/methodology.md
 * "Anti-procyclical margin".
 * @module
 */
import { isoDay } from "../risk/history/dates.js";
import { lastDay } from "../risk/history/types.js";
import type { HistoricalPath } from "./day-market.js";

/** Days of a look-back of `years` (as the statistical models' floor counts them). */
export function lookbackDays(years: number): number {
  return Math.round(years * 365.25);
}

/** Long-run vol multipliers per base, by prefix sums of the squared ratios (O(1) per day and base). */
export interface VolFloor {
  /** The multiplier per base on `day` (bases whose index has no value in the look-back are left out). */
  ratiosOn(day: number): Map<string, number>;
  /** Per base: the look-back's first and last day with a value on `day`, for the notes. */
  spanOn(day: number): { base: string; from: string; to: string; days: number }[];
  readonly years: number;
}

export function volFloor(path: HistoricalPath, years: number): VolFloor {
  const span = lookbackDays(years);
  const sums = new Map<string, { first: number; last: number; prefix: Float64Array }>();
  for (const [base, vp] of path.vols) {
    const v = vp.series.values;
    const prefix = new Float64Array(v.length + 1);
    for (let i = 0; i < v.length; i++) {
      const r = (v[i] as number) / vp.reference;
      prefix[i + 1] = (prefix[i] as number) + r * r;
    }
    sums.set(base, { first: vp.series.firstDay, last: lastDay(vp.series), prefix });
  }
  const windowOf = (s: { first: number; last: number }, day: number): [number, number] => [Math.max(day - span + 1, s.first), Math.min(day, s.last)];
  return {
    years,
    ratiosOn(day) {
      const out = new Map<string, number>();
      for (const [base, s] of sums) {
        const [lo, hi] = windowOf(s, day);
        if (hi < lo) continue;
        const sumSq = (s.prefix[hi - s.first + 1] as number) - (s.prefix[lo - s.first] as number);
        out.set(base, Math.sqrt(sumSq / (hi - lo + 1)));
      }
      return out;
    },
    spanOn(day) {
      return [...sums].flatMap(([base, s]) => {
        const [lo, hi] = windowOf(s, day);
        return hi < lo ? [] : [{ base, from: isoDay(lo), to: isoDay(hi), days: hi - lo + 1 }];
      });
    },
  };
}
