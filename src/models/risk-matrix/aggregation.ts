/**
 * From a bucket's pre-aggregated scenario vector (Σ size × risk-array row: `standard` then `extended` entries) to the
 * aggregated vector and the worst case, as Deribit does (../shared/reference/deribit-pm.md §2.5–2.6):
 *
 * ```
 * standard:  agg_j = pre_j                                   if pre_j < 0
 *            agg_j = min(pnl_offset × pre_j, cap)            otherwise   (cap = max_offsetable_pnl, INFERRED)
 * extended:  agg_e = sign(pre_e) × max(|pre_e| − damp_e, 0)  damp_e = (max(|m_e|/R, 1) − 1) × dampener, in the
 *                                                            bucket currency (coin: / ((1 + sign(m)·R)·index))
 * worst_case = −min(min_j agg_j, min_e agg_e, 0)
 * ```
 * VERIFIED on Deribit's W1 example (offset 0) and on the ETH capture (offset 0.6); the dampener's exact form is not
 * pinned down by any published number (only that it zeroes small tails). A positive entry never sets the worst case,
 * so within one bucket `pnl_offset` and its cap only change the reported vectors, not the margin.
 * @module
 */

/** How one bucket aggregates its vector. All money amounts are in the bucket currency. */
export interface AggregationRule {
  /** Number of standard entries; the rest of the vector is the extended table. */
  readonly standardCount: number;
  /** Fraction of a positive standard entry that is credited, in [0, 1]. */
  readonly pnlOffsetDecimal: number;
  /** Cap on that credit per scenario, ≥ 0 (bucket currency). */
  readonly maxOffsetablePnl: number;
  /** Dampener of each extended entry, ≥ 0 (bucket currency); length = vector length − standardCount. */
  readonly extendedDampener: Float64Array;
  /** Vol-shift slot order used to break ties in the standard table (see {@link worstIndex}). */
  readonly volSlots: number;
}

/**
 * Dampening amount of one tail move in the bucket currency: (max(|m|/R, 1) − 1) × dampenerUsd, divided by the
 * grid-edge price (1 + sign(m)·R)·indexUsd when the bucket is coin-settled (deribit-pm.md §2.5).
 * BTC check (index 65,666.19, 100,000 USD): 5.665 BTC at −66 %, 39.71 BTC at +500 %.
 */
export function extendedDampenerAmount(
  move: number,
  rangeDecimal: number,
  dampenerUsd: number,
  coinSettled: boolean,
  indexUsd: number,
): number {
  const usd = (Math.max(Math.abs(move) / rangeDecimal, 1) - 1) * dampenerUsd;
  return coinSettled ? usd / ((1 + Math.sign(move) * rangeDecimal) * indexUsd) : usd;
}

/** Write the aggregated vector of `pre` into `out` (same length). Allocation-free. */
export function aggregateVector(pre: Float64Array, rule: AggregationRule, out: Float64Array): void {
  const n = rule.standardCount;
  for (let j = 0; j < n; j++) {
    const v = pre[j] as number;
    out[j] = v < 0 ? v : Math.min(rule.pnlOffsetDecimal * v, rule.maxOffsetablePnl);
  }
  for (let j = n; j < pre.length; j++) {
    const v = pre[j] as number;
    const d = rule.extendedDampener[j - n] as number;
    // sign(v)·max(|v| − d, 0), written without Math.sign so that 0 stays +0.
    out[j] = v < 0 ? Math.min(v + d, 0) : Math.max(v - d, 0);
  }
}

const TRIPLE_ORDER = [1, 0, 2] as const;

/**
 * Index of the worst (lowest) entry of an aggregated vector. Ties: inside each price point's triple of the standard
 * table the unchanged-vol slot (1) is looked at first, then down (0), then up (2), and only a strictly lower value
 * replaces the current pick; then the extended entries in order, also strictly. This reproduces Deribit's picks in
 * both captured responses, where a three-way tie of a linear portfolio was reported at index ≡ 1 (mod 3)
 * (deribit-pm.md §2.3); across price points and against the extended table the first one wins.
 */
export function worstIndex(agg: Float64Array, standardCount: number, volSlots: number): number {
  let best = -1;
  let bestValue = Infinity;
  for (let k = 0; k * volSlots < standardCount; k++) {
    for (let t = 0; t < volSlots; t++) {
      // Slot visiting order 1, 0, 2 for a triple (unchanged first); plain order for any other count.
      const v = volSlots === 3 ? (TRIPLE_ORDER[t] as number) : t;
      const j = k * volSlots + v;
      const value = agg[j] as number;
      if (value < bestValue) {
        bestValue = value;
        best = j;
      }
    }
  }
  for (let j = standardCount; j < agg.length; j++) {
    const value = agg[j] as number;
    if (value < bestValue) {
      bestValue = value;
      best = j;
    }
  }
  return best;
}

/** Worst-case loss ≥ 0 of an aggregated vector: −min(min_j agg_j, 0), as +0 when nothing loses. */
export function worstCaseLoss(agg: Float64Array): number {
  let m = 0;
  for (let j = 0; j < agg.length; j++) {
    const v = agg[j] as number;
    if (v < m) m = v;
  }
  return 0 - m;
}
