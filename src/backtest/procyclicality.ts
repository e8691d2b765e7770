/**
 * Procyclicality of a margin series, with the measures of the BCBS-CPMI-IOSCO "Review of margining practices"
 * (2022) and the CPMI-IOSCO procyclicality guidance: the largest n-day margin increase (1 and 5 days here), in USD
 * and relative to the margin n days before, and the peak-to-trough ratio (largest margin ÷ smallest margin over the
 * whole period). For the anti-procyclicality comparison (EMIR RTS 153/2013 Art. 28, docs/methodology.md
 * "Anti-procyclical margin"): the largest 30-day increase, and the trough-to-peak increase over each named stress
 * episode (the stress period ± 30 days).
 * @module
 */
import { dayNumber, isoDay } from "../risk/history/dates.js";
import { NAMED_STRESS_PERIODS } from "../risk/stress/periods.js";

/** Days before the start and after the end of a named stress period that its episode spans. */
export const EPISODE_MARGIN_DAYS = 30;

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
  /** Largest relative 30-day increase (null with fewer than 31 days or no positive margin to start from). */
  readonly largest30Day: MarginIncrease | null;
  /** Null on an empty series. */
  readonly peakToTrough: PeakToTrough | null;
  /** Each named stress episode the series covers at least partly, in period order. */
  readonly episodes: readonly EpisodeIncrease[];
}

/** The largest margin increase from a trough to a LATER peak within a stress episode. */
export interface EpisodeIncrease {
  /** Named stress period id (src/risk/stress/periods.ts). */
  readonly id: string;
  /** The episode's span (the period ± {@link EPISODE_MARGIN_DAYS}), clipped to the series. */
  readonly from: string;
  readonly to: string;
  readonly troughDate: string;
  readonly troughUsd: number;
  readonly peakDate: string;
  readonly peakUsd: number;
  /** peakUsd − troughUsd (0 when the margin only fell). */
  readonly increaseUsd: number;
  /** peakUsd / troughUsd − 1 (null when no positive trough precedes a peak). */
  readonly increaseRelative: number | null;
}

/**
 * Trough-to-peak increase over observations [lo, hi]: the pair i ≤ j maximising m[j]/m[i] over m[i] > 0 (first on
 * ties), or, when no margin is positive, the pair maximising m[j] − m[i].
 */
export function troughToPeak(dates: readonly string[], marginUsd: readonly number[], lo: number, hi: number): Omit<EpisodeIncrease, "id" | "from" | "to"> {
  let minI = -1, best: [number, number] | null = null, bestRel = -Infinity;
  for (let j = lo; j <= hi; j++) {
    const m = marginUsd[j] as number;
    if (m > 0 && (minI < 0 || m < (marginUsd[minI] as number))) minI = j;
    if (minI >= 0) {
      const rel = m / (marginUsd[minI] as number) - 1;
      if (rel > bestRel) {
        bestRel = rel;
        best = [minI, j];
      }
    }
  }
  const [i, j] = best ?? [lo, lo];
  const troughUsd = marginUsd[i] as number, peakUsd = marginUsd[j] as number;
  return { troughDate: dates[i] as string, troughUsd, peakDate: dates[j] as string, peakUsd, increaseUsd: peakUsd - troughUsd, increaseRelative: best === null ? null : bestRel };
}

/** The trough-to-peak increase over every named stress episode the series (one observation per day) overlaps. */
export function episodeIncreases(dates: readonly string[], marginUsd: readonly number[]): EpisodeIncrease[] {
  if (dates.length === 0) return [];
  const d0 = dayNumber(dates[0] as string) as number;
  const dn = d0 + dates.length - 1;
  const out: EpisodeIncrease[] = [];
  for (const p of NAMED_STRESS_PERIODS) {
    const from = Math.max(d0, (dayNumber(p.start) as number) - EPISODE_MARGIN_DAYS);
    const to = Math.min(dn, (dayNumber(p.end) as number) + EPISODE_MARGIN_DAYS);
    if (from > to) continue;
    out.push({ id: p.id, from: isoDay(from), to: isoDay(to), ...troughToPeak(dates, marginUsd, from - d0, to - d0) });
  }
  return out;
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
  return {
    largest1Day: largestIncrease(dates, marginUsd, 1),
    largest5Day: largestIncrease(dates, marginUsd, 5),
    largest30Day: largestIncrease(dates, marginUsd, 30),
    peakToTrough: peakToTrough(dates, marginUsd),
    episodes: episodeIncreases(dates, marginUsd),
  };
}
