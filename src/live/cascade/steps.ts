/**
 * One account's liquidation step under a policy (policy.ts): how much of its positions it keeps, the orders that
 * sends to the market, and its costs. Pure arithmetic on the account's figures and positions at the round's market.
 * @module
 */
import type { LiveFigures } from "../core.js";
import type { LivePosition } from "../book.js";
import type { MarketContext } from "../../market/context.js";
import type { LiquidationPolicy } from "./policy.js";

/** Share of the notional at the start of an account's liquidation below which what is left is closed at once. */
export const DUST_SHARE = 0.01;

/** What the policy does to one account this round, before the market's impact is known. */
export interface StepPlan {
  readonly account: string;
  /** Share of every position kept, [0, 1]. */
  readonly keepFraction: number;
  readonly action: "partial" | "close" | "auction" | "takeover" | "planner";
  /** Σ |closed size| × mark (futures, perpetuals) or × index (options), USD. */
  readonly closedNotionalUsd: number;
  /** Signed USD order per underlying sent to the market (+ buy): futures and perpetuals, `market` execution only. */
  readonly ordersUsd: ReadonlyMap<string, number>;
  /** The Dutch auction's discount to the bidder, USD. */
  readonly discountUsd: number;
  /** The fee before its cap at the equity left, USD. */
  readonly nominalFeeUsd: number;
  readonly equityBeforeUsd: number;
  readonly maintenanceMarginBeforeUsd: number;
  /** Σ notional of the positions before the step, USD. */
  readonly notionalBeforeUsd: number;
  /** Net futures/perpetual size per underlying before the step (the side ADL looks at), coin. */
  readonly sideCoin: ReadonlyMap<string, number>;
}

/** The underlying notional (USD) of a position: futures at their mark, options at the index of their base. */
export function notionalUsd(p: LivePosition, market: MarketContext): number {
  if (p.instrument.kind === "option") return Math.abs(p.sizeCoin) * (market.snapshot.indexUsd[p.instrument.base] ?? 0);
  return Math.abs(p.notionalUsd ?? p.sizeCoin * market.futureMarkUsd(p.instrument));
}

/**
 * The share of the current positions kept under the policy's rule, for an account with equity E and maintenance
 * margin MM that has already had `cutSoFar` of its positions at its first liquidation cut (partial rules count their
 * steps in shares of that size, as Paradex's "liquidation share" does, so a liquidation ends in at most 1/step steps).
 */
export function keepUnderRule(policy: LiquidationPolicy, equityUsd: number, mmUsd: number, notionalNowUsd: number, cutSoFar: number): { keep: number; discountUsd: number } {
  const rule = policy.rule;
  if (equityUsd <= 0) return { keep: 0, discountUsd: 0 };
  switch (rule.kind) {
    case "takeover":
      return { keep: 0, discountUsd: 0 };
    case "dutch-auction": {
      // Derive DutchAuction.sol: f = BM / (BM − MtM·d), BM = MtM − (1 + b)·MM (derive-pmrm2.md §2.11, R = 0).
      const bm = equityUsd - (1 + rule.bufferFactor) * mmUsd;
      if (bm >= 0) return { keep: 1, discountUsd: 0 };
      const f = Math.min(1, bm / (bm - equityUsd * rule.bidPriceRatio));
      return { keep: 1 - f, discountUsd: (1 - rule.bidPriceRatio) * f * equityUsd };
    }
    case "partial": {
      const step = rule.shareStep;
      const left = 1 - cutSoFar;
      if (left <= 1e-9) return { keep: 0, discountUsd: 0 };
      const keepAfter = (k: number): number => {
        const remaining = 1 - cutSoFar - k * step;
        return remaining <= 1e-9 ? 0 : remaining / left;
      };
      if (rule.stepsPerRound === "one") return { keep: keepAfter(1), discountUsd: 0 };
      // Smallest number of steps whose maintenance ratio MM·keep / (E − fee) reaches the target: a uniform cut scales
      // the risk-matrix worst loss linearly, and closing at the mark leaves equity unchanged but for the fee.
      for (let k = 1; ; k++) {
        const keep = keepAfter(k);
        const fee = feeOf(policy, 1 - keep, notionalNowUsd, mmUsd, equityUsd);
        const e = equityUsd - fee;
        if (keep === 0 || (e > 0 && (mmUsd * keep) / e <= rule.targetRatio)) return { keep, discountUsd: 0 };
      }
    }
  }
}

/** The nominal fee of closing `share` of the positions (USD). */
export function feeOf(policy: LiquidationPolicy, share: number, notionalAllUsd: number, mmUsd: number, equityUsd: number): number {
  const base = policy.fee.base === "notional" ? share * notionalAllUsd : policy.fee.base === "maintenance-margin" ? share * mmUsd : share * Math.max(0, equityUsd);
  return policy.fee.rate * base;
}

/** Plan one account's step (see {@link StepPlan}). */
export function planStep(policy: LiquidationPolicy, figures: LiveFigures, positions: readonly LivePosition[], market: MarketContext, cutSoFar: number, firstNotionalUsd: number | undefined): StepPlan {
  const e = figures.equityUsd;
  const mm = figures.maintenanceMarginUsd;
  let notionalAll = 0;
  const sideCoin = new Map<string, number>();
  for (const p of positions) {
    notionalAll += notionalUsd(p, market);
    if (p.instrument.kind !== "option") sideCoin.set(p.instrument.base, (sideCoin.get(p.instrument.base) ?? 0) + p.sizeCoin);
  }
  const rule = keepUnderRule(policy, e, mm, notionalAll, cutSoFar);
  // Dust: a step that would leave less than 1 % of the notional the account had when its liquidation began closes it.
  const keep = rule.keep > 0 && rule.keep * notionalAll < DUST_SHARE * (firstNotionalUsd ?? notionalAll) ? 0 : rule.keep;
  const discountUsd = keep === 0 && rule.keep > 0 && policy.rule.kind === "dutch-auction" ? (1 - policy.rule.bidPriceRatio) * Math.max(0, e) : rule.discountUsd;
  const share = 1 - keep;
  const orders = new Map<string, number>();
  if (policy.execution === "market" && policy.rule.kind !== "takeover" && share > 0) {
    for (const p of positions) {
      if (p.instrument.kind === "option") continue;
      // Closing a long sells: the order is the opposite of the closed size.
      const usd = -share * (p.notionalUsd ?? p.sizeCoin * market.futureMarkUsd(p.instrument));
      orders.set(p.instrument.base, (orders.get(p.instrument.base) ?? 0) + usd);
    }
  }
  const action = policy.rule.kind === "takeover" ? "takeover" : policy.rule.kind === "dutch-auction" && keep < 1 ? "auction" : keep === 0 ? "close" : "partial";
  return {
    account: figures.account,
    keepFraction: keep,
    action,
    closedNotionalUsd: share * notionalAll,
    ordersUsd: orders,
    discountUsd,
    nominalFeeUsd: feeOf(policy, share, notionalAll, mm, e),
    equityBeforeUsd: e,
    maintenanceMarginBeforeUsd: mm,
    notionalBeforeUsd: notionalAll,
    sideCoin,
  };
}
