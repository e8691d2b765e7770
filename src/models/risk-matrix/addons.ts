/**
 * Add-ons of the risk-matrix model on top of the worst scenario loss (../shared/reference/deribit-pm.md §2.7 and the
 * legacy models of §1 / §5 W4). Every function returns an amount ≥ 0 in the bucket currency: coin for a
 * coin-settled bucket, USD(C) for a linear one (coin amounts × the index price, `unitUsd` = 1 for coin buckets).
 *
 * Exposure convention: `deltaCoin` of a position is its P&L sensitivity to a relative move of the underlying, in coin
 * of underlying (futures and perpetuals: the size; options: size × Black-76 delta, minus size × premium/forward for
 * coin-settled options, i.e. Deribit's "net transaction delta").
 * @module
 */

/** What the add-ons need to know about one position of a bucket. */
export interface AddonPosition {
  readonly kind: "perpetual" | "future" | "option";
  readonly sizeCoin: number;
  /** Delta exposure of the position, coin of underlying (see the module doc). */
  readonly deltaCoin: number;
  /** Expiry, ms since the epoch; undefined for a perpetual. */
  readonly expiryMs: number | undefined;
  /** Time to expiry in years (0 for a perpetual). */
  readonly timeYears: number;
  /** Option strike (USD) and kind; undefined for futures and perpetuals. */
  readonly strikeUsd: number | undefined;
}

/**
 * Roll (basis) shock: Σ over expiries e of |net delta_e| × max(min_annualised_move, g(a, T_e)), times `unitUsd`.
 * A perpetual is its own expiry with T = 0 (floor only). g is `linear` (a·T) or `exp` (e^{a·T} − 1): Deribit
 * publishes neither; the only public re-implementation uses exp and nets option deltas per expiry (INFERRED).
 * W1 check (floor 0.01 applies to both legs): 0.314538364 × 0.01 + 0.001187534 × 0.01 = 0.00315725898 BTC.
 */
export function rollShock(
  positions: readonly AddonPosition[],
  annualisedMoveRiskDecimal: number,
  minAnnualisedMoveDecimal: number,
  growth: "linear" | "exp",
  unitUsd: number,
): number {
  const byExpiry = new Map<number, { deltaCoin: number; timeYears: number }>();
  for (const p of positions) {
    // −1 keys the perpetual group: no real expiry is negative.
    const key = p.expiryMs ?? -1;
    const g = byExpiry.get(key);
    if (g === undefined) byExpiry.set(key, { deltaCoin: p.deltaCoin, timeYears: p.kind === "perpetual" ? 0 : p.timeYears });
    else g.deltaCoin += p.deltaCoin;
  }
  let total = 0;
  for (const g of byExpiry.values()) {
    const t = Math.max(g.timeYears, 0);
    const grown = growth === "linear" ? annualisedMoveRiskDecimal * t : Math.expm1(annualisedMoveRiskDecimal * t);
    total += Math.abs(g.deltaCoin) * Math.max(minAnnualisedMoveDecimal, grown);
  }
  return total * unitUsd;
}

/**
 * Delta shock (INFERRED form, deribit-pm.md §2.7): with D the bucket's net delta (coin),
 * rate = min(m_inc × max(|D| − threshold/index, 0), max_delta_shock) and shock = |D| × rate, times `unitUsd`.
 * @param thresholdUsd - `delta_total_liq_shock_threshold` (USD); @param indexUsd - index price, USD per coin (> 0).
 */
export function deltaShock(
  positions: readonly AddonPosition[],
  incrementPerCoin: number,
  thresholdUsd: number,
  maxDeltaShockDecimal: number,
  indexUsd: number,
  unitUsd: number,
): number {
  let d = 0;
  for (const p of positions) d += p.deltaCoin;
  const abs = Math.abs(d);
  const rate = Math.min(incrementPerCoin * Math.max(abs - thresholdUsd / indexUsd, 0), maxDeltaShockDecimal);
  return abs * rate * unitUsd;
}

/**
 * Legacy per-strike naked-short option contingency (Deribit legacy v3 and model deck, deribit-pm.md §1, W4): per
 * expiry and strike, calls and puts net; each coin of net short costs `coinPerNetShort` coin (0.01), times `unitUsd`.
 * W4: call +10 and put −20 at one strike → 10 × 0.01 = 0.1.
 */
export function nakedShortOptionContingency(positions: readonly AddonPosition[], coinPerNetShort: number, unitUsd: number): number {
  const net = new Map<string, number>();
  for (const p of positions) {
    if (p.kind !== "option") continue;
    const key = `${p.expiryMs ?? 0}:${p.strikeUsd ?? 0}`;
    net.set(key, (net.get(key) ?? 0) + p.sizeCoin);
  }
  let naked = 0;
  for (const q of net.values()) if (q < 0) naked -= q;
  return naked * coinPerNetShort * unitUsd;
}

/**
 * Legacy futures contingency: rate × Σ|size| of futures and perpetuals (`gross`, the model deck's 0.6 % of the
 * cumulative absolute position) or rate × min(Σ long, Σ short) (`offsetting`, legacy pages: +100 / −100 BTC at 1 % →
 * 1 BTC), in coin, times `unitUsd`.
 */
export function futuresContingency(
  positions: readonly AddonPosition[],
  rateDecimal: number,
  basis: "gross" | "offsetting",
  unitUsd: number,
): number {
  let longs = 0;
  let shorts = 0;
  for (const p of positions) {
    if (p.kind === "option") continue;
    if (p.sizeCoin > 0) longs += p.sizeCoin;
    else shorts -= p.sizeCoin;
  }
  const base = basis === "gross" ? longs + shorts : Math.min(longs, shorts);
  return rateDecimal * base * unitUsd;
}
