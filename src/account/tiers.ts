/**
 * Incremental margin tiers ("rates that rise with position size"), applied like tax brackets: the part of a margin
 * amount that falls inside tier k is multiplied by that tier's multiplier. OKX applies this to its position-reduction
 * charge MR7 per risk unit; its 2021 worked example: tiers [0, 10k] ×1, (10k, 70k] ×2, raw 30,000 → 10,000 × 1 +
 * 20,000 × 2 = 50,000 (../shared/reference/crypto-venues.md §1.2–1.3). netrisk applies the account's tiers to each
 * bucket's model IM and MM in USD, so a larger book pays a progressively higher rate; institutional accounts get
 * other tiers through `overrides.account.marginTiers`.
 * @module
 */
import type { MarginTier } from "./rules.js";

/** A margin amount after tiers, and the tier it reached. */
export interface TieredAmount {
  readonly rawUsd: number;
  readonly tieredUsd: number;
  /** Index of the highest tier the amount reaches (0 with no tiers). */
  readonly tier: number;
  /** Multiplier of that tier (1 with no tiers). */
  readonly marginalMultiplier: number;
}

/**
 * Apply incremental tiers to an amount ≥ 0 (USD). Tiers: first `aboveUsd` is 0, strictly increasing (validated by
 * the rules schema); the last tier is open-ended. No tiers: the amount unchanged. Monotone and continuous in the
 * amount, so IM ≥ MM is preserved.
 */
export function applyTiers(amountUsd: number, tiers: readonly MarginTier[]): TieredAmount {
  if (tiers.length === 0 || !(amountUsd > 0)) return { rawUsd: amountUsd, tieredUsd: amountUsd, tier: 0, marginalMultiplier: tiers[0]?.multiplier ?? 1 };
  let total = 0;
  let tier = 0;
  for (let k = 0; k < tiers.length; k++) {
    const t = tiers[k] as MarginTier;
    if (amountUsd <= t.aboveUsd) break;
    const upper = tiers[k + 1]?.aboveUsd ?? Infinity;
    total += t.multiplier * (Math.min(amountUsd, upper) - t.aboveUsd);
    tier = k;
  }
  return { rawUsd: amountUsd, tieredUsd: total, tier, marginalMultiplier: tiers[tier]?.multiplier ?? 1 };
}
