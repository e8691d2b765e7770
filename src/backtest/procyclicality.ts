/**
 * Procyclicality of a margin series, with the measures of the BCBS-CPMI-IOSCO "Review of margining practices"
 * (2022) and the CPMI-IOSCO procyclicality guidance: the largest n-day margin increase (1 and 5 days here), in USD
 * and relative to the margin n days before, and the peak-to-trough ratio (largest margin ÷ smallest margin over the
 * whole period).
 * @module
 */

/** The largest n-day margin increase. */
export interface MarginIncrease {
  readonly days: number;
  /** Start date (the margin n observations before) and end date of the increase. */
  readonly fromDate: string;
  readonly toDate: string;
  readonly fromUsd: number;
  readonly toUsd: number;
  /** toUsd − fromUsd (negative when the margin never rose over any n-day span). */
  readonly increaseUsd: number;
  /** toUsd / fromUsd − 1. */
  readonly increaseRelative: number;
}

/** Largest and smallest margin over the period. */
export interface PeakToTrough {
  readonly peakUsd: number;
  readonly peakDate: string;
  readonly troughUsd: number;
  readonly troughDate: string;
  /** peakUsd / troughUsd; null when the trough is 0 (a margin of 0 on some day: the ratio is unbounded). */
  readonly ratio: number | null;
}

export interface Procyclicality {
  /** Largest relative 1-day increase (null with fewer than 2 days or no positive margin to start from). */
  readonly largest1Day: MarginIncrease | null;
  /** Largest relative 5-day increase (null with fewer than 6 days or no positive margin to start from). */
  readonly largest5Day: MarginIncrease | null;
  /** Null on an empty series. */
  readonly peakToTrough: PeakToTrough | null;
}

/**
 * The largest relative n-day increase m[t]/m[t−n] − 1 over t ≥ n with m[t−n] > 0 (first on ties), counted in
 * observations (the backtest has one per calendar day). Relative, as the CPMI-IOSCO measures are, so a portfolio
 * held in coin does not rank a rise of the coin's price level as procyclicality alone; the USD change is reported too.
 * @param marginUsd - margins ≥ 0, one per date.
 * @param days - n ≥ 1.
 */
export function largestIncrease(dates: readonly string[], marginUsd: readonly number[], days: number): MarginIncrease | null {
  let best: MarginIncrease | null = null;
  for (let t = days; t < marginUsd.length; t++) {
    const from = marginUsd[t - days] as number, to = marginUsd[t] as number;
    if (!(from > 0)) continue;
    const rel = to / from - 1;
    if (best === null || rel > best.increaseRelative) {
      best = { days, fromDate: dates[t - days] as string, toDate: dates[t] as string, fromUsd: from, toUsd: to, increaseUsd: to - from, increaseRelative: rel };
    }
  }
  return best;
}

/** Peak (largest) and trough (smallest) margin over the period and their ratio; first date on ties. */
export function peakToTrough(dates: readonly string[], marginUsd: readonly number[]): PeakToTrough | null {
  if (marginUsd.length === 0) return null;
  let hi = 0, lo = 0;
  for (let t = 1; t < marginUsd.length; t++) {
    if ((marginUsd[t] as number) > (marginUsd[hi] as number)) hi = t;
    if ((marginUsd[t] as number) < (marginUsd[lo] as number)) lo = t;
  }
  const peakUsd = marginUsd[hi] as number, troughUsd = marginUsd[lo] as number;
  return { peakUsd, peakDate: dates[hi] as string, troughUsd, troughDate: dates[lo] as string, ratio: troughUsd > 0 ? peakUsd / troughUsd : null };
}

/** The procyclicality measures of a margin series (see the module comment). */
export function procyclicality(dates: readonly string[], marginUsd: readonly number[]): Procyclicality {
  return { largest1Day: largestIncrease(dates, marginUsd, 1), largest5Day: largestIncrease(dates, marginUsd, 5), peakToTrough: peakToTrough(dates, marginUsd) };
}
