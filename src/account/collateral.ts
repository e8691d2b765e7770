/**
 * Collateral valuation: each balance at its USD price, and the charges the account layer adds to IM and MM.
 *
 * - Positive balance, plain collateral: IM += value × imHaircut, MM += value × mmHaircut (a haircut charged as margin,
 *   as Derive does, so equity stays one number; OKX/Binance subtract it from equity instead, which triggers at the
 *   same point: E − h·V ≤ MM ⟺ E ≤ MM + h·V).
 * - Negative balance (borrowed): counts at 100 % in equity (Binance's min(x·p·rate, x·p) leaves negatives unhaircut)
 *   and carries borrow margin: IM += |value| × borrowIm, MM += |value| × borrowMm (OKX MR8).
 * - Offset coin (risk-matrix "both" currency, see engine.ts): its price risk is in the risk matrix, so no haircut;
 *   a borrowed coin still pays borrow margin.
 * - USD stablecoin below its peg threshold: IM += (threshold − price) × lossFactor × exposure, where exposure = the
 *   positive balance's value + the IM (USD) of the model buckets settled in that stablecoin. The second term is
 *   Derive's peg-loss rule (IM = minSPAN × (imFactor + pegAdj), derive-pmrm2.md §2.10), the first OKX's MR9 idea
 *   that stablecoin holdings themselves carry de-peg risk (crypto-venues.md §1.2). IM only, as at Derive.
 * - A model that values collateral itself (Derive PMRM_2): no charge here; the model's margin already has them.
 * @module
 */
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import { currencyUsdRate, hasUsdRate } from "../risk/marks.js";
import type { MarginEngine } from "./engine.js";
import { collateralRuleOf } from "./rules.js";
import type { AccountRules } from "./rules.js";

export interface CollateralLine {
  readonly currency: string;
  readonly amount: number;
  readonly priceUsd: number;
  readonly valueUsd: number;
  /** `collateral`: haircut/borrow by the account; `offset`: spot exposure in the risk matrix; `model`: the model's. */
  readonly treatment: "collateral" | "offset" | "model";
  readonly imHaircutUsd: number;
  readonly mmHaircutUsd: number;
  readonly borrowImUsd: number;
  readonly borrowMmUsd: number;
  readonly depegImUsd: number;
}

export interface CollateralCharges {
  readonly lines: readonly CollateralLine[];
  /** Σ balance values, USD (part of equity). */
  readonly valueUsd: number;
  readonly haircutImUsd: number;
  readonly haircutMmUsd: number;
  readonly borrowImUsd: number;
  readonly borrowMmUsd: number;
  readonly depegImUsd: number;
}

/** `missing_index` issues (path `collateral.<currency>`) for balances the market cannot price. */
export function unpricedBalances(balances: Readonly<Record<string, number>>, market: MarketContext): Issue[] {
  return Object.keys(balances)
    .filter((c) => !hasUsdRate(market, c))
    .map((c) => issue("missing_index", joinPath("collateral", c), `no USD price for ${c}: add it to the market's "index"`));
}

/**
 * Value the balances and compute the collateral charges (see the module doc).
 * @param stableBucketImUsd - per settlement currency, the model IM (USD) of its buckets (for the de-peg charge).
 */
export function collateralCharges(
  balances: Readonly<Record<string, number>>,
  market: MarketContext,
  rules: AccountRules,
  engine: MarginEngine,
  stableBucketImUsd: Readonly<Record<string, number>>,
): Result<CollateralCharges> {
  const missing = unpricedBalances(balances, market);
  if (missing.length > 0) return fail(...missing);
  const byModel = engine.collateralHandling === "model";
  const lines: CollateralLine[] = [];
  let valueUsd = 0;
  let haircutImUsd = 0;
  let haircutMmUsd = 0;
  let borrowImUsd = 0;
  let borrowMmUsd = 0;
  let depegImUsd = 0;
  const currencies = new Set([...Object.keys(balances), ...Object.keys(stableBucketImUsd)]);
  for (const currency of [...currencies].sort()) {
    const amount = balances[currency] ?? 0;
    if (!hasUsdRate(market, currency)) continue; // a bucket currency without a price was rejected by the model
    const priceUsd = currencyUsdRate(market, currency);
    const value = amount * priceUsd;
    const offset = !byModel && engine.offsetsCurrency(currency);
    const rule = collateralRuleOf(rules, currency);
    const positive = Math.max(value, 0);
    const borrowed = Math.max(-value, 0);
    const imHaircut = byModel || offset ? 0 : positive * rule.imHaircutDecimal;
    const mmHaircut = byModel || offset ? 0 : positive * rule.mmHaircutDecimal;
    const bIm = byModel ? 0 : borrowed * rule.borrowImDecimal;
    const bMm = byModel ? 0 : borrowed * rule.borrowMmDecimal;
    const peg = rules.pegs[currency];
    let depeg = 0;
    if (!byModel && peg !== undefined && priceUsd < peg.thresholdUsd) {
      depeg = (peg.thresholdUsd - priceUsd) * peg.lossFactor * (positive + (stableBucketImUsd[currency] ?? 0));
    }
    if (amount === 0 && depeg === 0) continue;
    lines.push({
      currency,
      amount,
      priceUsd,
      valueUsd: value,
      treatment: byModel ? "model" : offset ? "offset" : "collateral",
      imHaircutUsd: imHaircut,
      mmHaircutUsd: mmHaircut,
      borrowImUsd: bIm,
      borrowMmUsd: bMm,
      depegImUsd: depeg,
    });
    valueUsd += value;
    haircutImUsd += imHaircut;
    haircutMmUsd += mmHaircut;
    borrowImUsd += bIm;
    borrowMmUsd += bMm;
    depegImUsd += depeg;
  }
  return ok({ lines, valueUsd, haircutImUsd, haircutMmUsd, borrowImUsd, borrowMmUsd, depegImUsd });
}
