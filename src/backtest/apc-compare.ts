/**
 * The anti-procyclicality comparison of the backtest (EMIR RTS 153/2013 Art. 28; docs/methodology.md
 * "Anti-procyclical margin"): the same book over the same days without any tool and with each tool alone, side by
 * side: how often the margin was breached, its mean level (the cost of the tool), the largest 30-day rise, the
 * peak-to-trough ratio and the trough-to-peak increase over each named stress episode.
 * @module
 */
import type { EpisodeIncrease, MarginIncrease, PeakToTrough } from "./procyclicality.js";
import type { BacktestResult } from "./types.js";

/** One variant's figures. */
export interface ApcComparisonRow {
  /** `none` or the tool switched on alone (`buffer`, `stressed-weight`, `lookback-floor`). */
  readonly variant: string;
  readonly observations: number;
  readonly breaches: number;
  /** Mean margin over the days, USD. */
  readonly meanMarginUsd: number;
  readonly largest1Day: MarginIncrease | null;
  readonly largest30Day: MarginIncrease | null;
  readonly peakToTrough: PeakToTrough | null;
  readonly episodes: readonly EpisodeIncrease[];
}

/** The figures of one variant's backtest. */
export function apcComparisonRow(variant: string, r: BacktestResult): ApcComparisonRow {
  const m = r.series.marginUsd;
  const mean = m.length > 0 ? m.reduce((s, x) => s + x, 0) / m.length : 0;
  const p = r.procyclicality;
  return { variant, observations: r.coverage.observations, breaches: r.coverage.breaches, meanMarginUsd: mean, largest1Day: p.largest1Day, largest30Day: p.largest30Day, peakToTrough: p.peakToTrough, episodes: p.episodes };
}
