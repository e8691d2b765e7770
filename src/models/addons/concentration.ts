/**
 * Concentration add-on with incremental tiers, like tax brackets: OKX's MR7 ("position reduction cost") scales a raw
 * charge by tier multipliers applied to the part of the charge inside each bracket
 * (../shared/reference/crypto-venues.md §1.2–1.3: BTC/ETH tiers before 15 Jan 2025 [0, 10k] ×1, (10k, 70k] ×2, ...;
 * worked example raw 30,000 → 10,000×1 + 20,000×2 = 50,000).
 *
 * Here, per position: notional N = |size| × index price (USD), raw charge c = rate × N, tier-adjusted charge
 * T(c) = Σ over brackets of (part of c in the bracket) × multiplier, and the add-on is T(c) − c: the part that exists
 * only because the position is large. The unadjusted c itself is a close-out cost, which the liquidity add-on already
 * charges; subtracting it avoids counting it twice. Brackets on c are brackets on the notional scaled by 1/rate, so this
 * is "incremental tiers on the position's notional".
 * @module
 */

/** One bracket: the charge from the previous bracket's end up to `upToUsd` (null = no end) is × `multiplier`. */
export interface ChargeTier {
  readonly upToUsd: number | null;
  readonly multiplier: number;
}

/** Rate and tiers of one base (or the default). */
export interface ConcentrationTiers {
  /** Raw charge per USD of notional, decimal (OKX 2025 API example: 0.45 % for BTC, INFERRED). */
  readonly rawRateDecimal: number;
  /** Ascending brackets of the raw charge; the last one has no end. */
  readonly tiers: readonly ChargeTier[];
}

export interface ConcentrationParams {
  readonly default: ConcentrationTiers;
  /** Per base currency (BTC, ETH, ...), replacing the default. */
  readonly byBase: Readonly<Record<string, ConcentrationTiers>>;
}

/**
 * Incremental (tax-bracket) amount: Σ_i multiplier_i × |[lower_i, upper_i) ∩ [0, amount)|, amount ≥ 0 in USD.
 * Domain: tiers ascending, the last without an end (validated by the parameter schema). Example (OKX):
 * tieredAmount(30000, okx) = 10000×1 + 20000×2 = 50000.
 */
export function tieredAmount(amountUsd: number, tiers: readonly ChargeTier[]): number {
  let total = 0;
  let lower = 0;
  for (const t of tiers) {
    if (amountUsd <= lower) break;
    const upper = t.upToUsd ?? Infinity;
    total += (Math.min(amountUsd, upper) - lower) * t.multiplier;
    lower = upper;
  }
  return total;
}

/** One position's concentration add-on and how it was reached. */
export interface ConcentrationLeg {
  readonly instrument: string;
  readonly sizeCoin: number;
  readonly notionalUsd: number;
  readonly rawChargeUsd: number;
  readonly tieredChargeUsd: number;
  /** tiered − raw, USD (≥ 0 when every multiplier is ≥ 1). */
  readonly addonUsd: number;
}

/**
 * Concentration add-on of each position (derivatives; spot balances are not charged).
 * @param positions - instrument name, base, signed size in coin, and the base's USD index price (> 0).
 */
export function concentrationAddon(
  positions: readonly { readonly instrument: string; readonly base: string; readonly sizeCoin: number; readonly indexUsd: number }[],
  params: ConcentrationParams,
): { readonly totalUsd: number; readonly legs: readonly ConcentrationLeg[] } {
  let totalUsd = 0;
  const legs = positions.map((p): ConcentrationLeg => {
    const t = params.byBase[p.base] ?? params.default;
    const notionalUsd = Math.abs(p.sizeCoin) * p.indexUsd;
    const rawChargeUsd = t.rawRateDecimal * notionalUsd;
    const tieredChargeUsd = tieredAmount(rawChargeUsd, t.tiers);
    const addonUsd = tieredChargeUsd - rawChargeUsd;
    totalUsd += addonUsd;
    return { instrument: p.instrument, sizeCoin: p.sizeCoin, notionalUsd, rawChargeUsd, tieredChargeUsd, addonUsd };
  });
  return { totalUsd, legs };
}
