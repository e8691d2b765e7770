/**
 * Margin optimisation: from a list of listed instruments, the trades (up to a budget) that reduce initial margin the
 * most per unit of cost, with the figures after each.
 *
 * Method: greedy with full re-evaluation. Each round tries every candidate instrument on both sides at a ladder of
 * sizes (¼, ½, 1, 2 × a reference size: the largest option position on that underlying for options, the underlying's
 * net delta for futures and perpetuals, 1 coin when the account has neither), priced at mark ± slippage (trades.ts),
 * each on a copy evaluated by the full model. Per instrument and side the size that cuts IM the most is kept; these
 * compete on IM reduction (USD) per unit of cost, cost = slippage + trading fee (an option's premium is not a cost:
 * cash is exchanged for an asset worth its mark; it is reported). The winner is taken, the account updated, and the
 * next round starts from it, up to `maxTrades` trades (and `maxCostUsd` in total). A winner on an instrument already
 * traded is merged into that trade (one trade per instrument, its size the sum, its price the one that books the same
 * cash) and does not spend the budget: the next rounds go on to the next-best instrument. At most 4 rounds per trade
 * of the budget.
 * Limits: greedy (a pair of trades that only helps together, like a spread, is not found unless one leg helps alone),
 * a fixed size ladder (the best size may lie between rungs), the current market only (a hedge that cuts IM today can
 * add risk after a move), and IM only (MM and available funds are reported, not optimised).
 * @module
 */
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { resolveInstrumentName } from "../market/venue-ids.js";
import type { DerivativeInstrument } from "../market/types.js";
import { currencyUsdRate } from "../risk/marks.js";
import { valuePortfolio } from "../risk/valuation.js";
import { evaluateAccount } from "./account.js";
import type { Account, AccountEvaluation, AccountFigures } from "./account.js";
import type { MarketContext } from "../market/context.js";
import { applyTrades, priceTrade, priceWithSlippage } from "./trades.js";
import type { Trade } from "./trades.js";
import { maxOf } from "../math/extent.js";

export interface HedgeBudget {
  /** Up to this many trades (N ≥ 1). */
  readonly maxTrades: number;
  /** Stop before the total cost would exceed this, USD (default: no limit). */
  readonly maxCostUsd?: number;
  /** Multipliers of the reference size tried per candidate (default [0.25, 0.5, 1, 2]). */
  readonly sizeLadder?: readonly number[];
}

export interface HedgeStep {
  readonly step: number;
  readonly trade: Trade;
  readonly side: "buy" | "sell";
  /** Slippage + trading fee, USD. */
  readonly costUsd: number;
  /** Cash paid (+) or received (−) for an option, USD (0 for futures). */
  readonly premiumUsd: number;
  readonly initialMarginBeforeUsd: number;
  readonly initialMarginAfterUsd: number;
  readonly reductionUsd: number;
  readonly reductionPerCost: number;
  readonly after: AccountFigures;
}

export interface HedgeSuggestions {
  readonly before: AccountFigures;
  readonly steps: readonly HedgeStep[];
  readonly after: AccountFigures;
  readonly totalCostUsd: number;
  /** Why the search stopped. */
  readonly stop: string;
  readonly evaluations: number;
}

/** Costs below 1 cent count as 1 cent in the ratio (a free trade would otherwise divide by 0). */
const MIN_COST_USD = 0.01;

/** Reference trade size of a candidate (see the module doc), coin > 0. */
function referenceSize(account: Account, inst: DerivativeInstrument, netDelta: ReadonlyMap<string, number>): number {
  if (inst.kind === "option") {
    const sizes = account.positions.filter((p) => p.instrument.kind === "option" && p.instrument.base === inst.base).map((p) => Math.abs(p.sizeCoin));
    const largest = Math.max(0, maxOf(sizes));
    if (largest > 0) return largest;
  }
  const d = Math.abs(netDelta.get(inst.base) ?? 0);
  return d > 0 ? d : 1;
}

/**
 * Suggest up to `budget.maxTrades` margin-reducing trades among `candidates` (instrument names listed in the market).
 * Issues: `malformed_instrument`, `unknown_instrument` (not listed), `unsupported` (a currency), `out_of_range` for the
 * budget; the model's.
 */
export function suggestHedges(account: Account, candidates: readonly string[], budget: HedgeBudget): Result<HedgeSuggestions> {
  const market = account.engine.market;
  const rules = account.rules;
  const issues: Issue[] = [];
  if (!(Number.isInteger(budget.maxTrades) && budget.maxTrades >= 1 && budget.maxTrades <= 100))
    issues.push(issue("out_of_range", "budget.maxTrades", "must be an integer in [1, 100]"));
  if (budget.maxCostUsd !== undefined && !(Number.isFinite(budget.maxCostUsd) && budget.maxCostUsd >= 0))
    issues.push(issue("out_of_range", "budget.maxCostUsd", "must be a finite number ≥ 0"));
  const ladder = budget.sizeLadder ?? [0.25, 0.5, 1, 2];
  if (ladder.length === 0 || !ladder.every((x) => Number.isFinite(x) && x > 0)) issues.push(issue("out_of_range", "budget.sizeLadder", "must be positive finite multipliers"));
  if (candidates.length === 0) issues.push(issue("required", "candidates", "name at least one candidate instrument"));
  const instruments: DerivativeInstrument[] = [];
  candidates.forEach((name, i) => {
    const path = joinPath("candidates", i);
    const r = resolveInstrumentName(name, path);
    const p = r.ok ? { ok: true as const, value: r.value.instrument } : r;
    if (!p.ok) issues.push(...p.issues);
    else if (p.value.kind === "spot") issues.push(issue("unsupported", path, `${name} is a currency, not a tradable derivative`));
    else if (market.snapshot.instruments[p.value.name] === undefined) issues.push(issue("unknown_instrument", path, `${name} is not listed in the market`));
    else if (p.value.kind !== "perpetual" && p.value.expiryMs <= market.asOfMs) issues.push(issue("expired_instrument", path, `${name} expired before the market time`));
    else if (!market.bases.includes(p.value.base)) issues.push(issue("missing_index", path, `the market has no index price for ${p.value.base}`));
    else instruments.push(p.value);
  });
  if (issues.length > 0) return fail(...issues);

  let evaluations = 0;
  const evaluate = (a: Account) => {
    evaluations++;
    return evaluateAccount(a);
  };
  const first = evaluate(account);
  if (!first.ok) return first;
  const feeOf = (t: Trade): number => rules.tradingFeeRateDecimal * Math.abs(t.sizeCoin) * market.indexUsd(t.instrument.base);
  // The suggested trades, one per instrument in the order first chosen; a repeated choice grows its instrument's trade.
  let legs: Trade[] = [];
  let steps: HedgeStep[] = [];
  let state = account;
  let current = first.value.figures;
  let totalCost = 0;
  let stop = `budget of ${budget.maxTrades} trade${budget.maxTrades === 1 ? "" : "s"} used`;
  const maxRounds = MAX_ROUNDS_PER_TRADE * budget.maxTrades;
  let rounds = 0;
  for (; rounds < maxRounds; rounds++) {
    const v = valuePortfolio({ positions: state.positions, collateral: {}, notes: [] }, market);
    const netDelta = new Map<string, number>(Object.entries(v.byUnderlying).map(([b, u]) => [b, u.deltaCoin]));
    const full = legs.length >= budget.maxTrades;
    let best: { trade: Trade; cost: number; reduction: number; score: number } | undefined;
    for (const inst of instruments) {
      // With the budget of trades used, only the instruments already traded can still grow (merged, not a new trade).
      if (full && !legs.some((l) => l.instrument.name === inst.name)) continue;
      const ref = referenceSize(state, inst, netDelta);
      for (const side of [1, -1] as const) {
        // The size of this instrument and side that cuts IM the most (ties: the cheaper); then instruments and sides
        // compete on IM saved per unit of cost. Ranking every rung by the ratio alone would always pick the smallest
        // rung (the saving is concave in the size, the cost linear) and waste the trade budget on slivers.
        let pick: { trade: Trade; cost: number; reduction: number } | undefined;
        for (const m of ladder) {
          const t = priceWithSlippage(inst, side * m * ref, market, rules);
          const cost = t.costUsd + feeOf(t);
          if (budget.maxCostUsd !== undefined && totalCost + cost > budget.maxCostUsd) continue;
          const ev = evaluate(applyTrades(state, [t]));
          if (!ev.ok) return ev;
          const reduction = current.initialMarginUsd - ev.value.figures.initialMarginUsd;
          if (!(reduction > 1e-9 * Math.max(current.initialMarginUsd, 1))) continue;
          if (pick !== undefined && !(reduction > pick.reduction || (reduction === pick.reduction && cost < pick.cost))) continue;
          pick = { trade: t, cost, reduction };
        }
        const score = pick === undefined ? 0 : pick.reduction / Math.max(pick.cost, MIN_COST_USD);
        if (pick !== undefined && (best === undefined || score > best.score)) best = { ...pick, score };
      }
    }
    if (best === undefined) {
      if (!full) stop = legs.length === 0 ? "no candidate trade reduces initial margin" : "no further candidate trade reduces initial margin";
      break;
    }
    legs = mergeLeg(legs, best.trade, market);
    const replay = replayLegs(account, first.value.figures, legs, evaluate, feeOf, market);
    if (!replay.ok) return replay;
    ({ steps, state } = replay.value);
    current = steps.at(-1)?.after ?? first.value.figures;
    totalCost = steps.reduce((s, x) => s + x.costUsd, 0);
  }
  if (rounds === maxRounds) stop = `${maxRounds} rounds of search (the limit for ${budget.maxTrades} trade${budget.maxTrades === 1 ? "" : "s"})`;
  return ok({ before: first.value.figures, steps, after: current, totalCostUsd: totalCost, stop, evaluations });
}

/** Rounds of search per trade of the budget: a repeated instrument grows its trade instead of spending the budget. */
const MAX_ROUNDS_PER_TRADE = 4;

/**
 * Add `t` to the legs: a new leg for a new instrument, else the instrument's leg grows by t's size at the price that
 * books the same cash as the two trades did (size-weighted for options and linear futures, harmonic for inverse
 * futures, whose cash is q·(M/P − 1)); a leg netting to 0 is dropped.
 */
function mergeLeg(legs: readonly Trade[], t: Trade, market: MarketContext): Trade[] {
  const k = legs.findIndex((l) => l.instrument.name === t.instrument.name);
  if (k < 0) return [...legs, t];
  const old = legs[k] as Trade;
  const size = old.sizeCoin + t.sizeCoin;
  if (Math.abs(size) <= 1e-12 * Math.max(Math.abs(old.sizeCoin), Math.abs(t.sizeCoin))) return legs.filter((_, i) => i !== k);
  const inverseFuture = t.instrument.kind !== "option" && t.instrument.settlement === "inverse";
  const price = inverseFuture ? size / (old.sizeCoin / old.price + t.sizeCoin / t.price) : (old.sizeCoin * old.price + t.sizeCoin * t.price) / size;
  const merged = priceTrade(t.instrument, size, market, price, "slippage");
  return legs.map((l, i) => (i === k ? merged : l));
}

/** The steps of the legs applied one after the other to the account: each step's figures are a what-if of the legs so far. */
function replayLegs(
  account: Account,
  before: AccountFigures,
  legs: readonly Trade[],
  evaluate: (a: Account) => Result<AccountEvaluation>,
  feeOf: (t: Trade) => number,
  market: MarketContext,
): Result<{ steps: HedgeStep[]; state: Account }> {
  const steps: HedgeStep[] = [];
  let state = account;
  let prev = before;
  for (const [i, t] of legs.entries()) {
    state = applyTrades(state, [t]);
    const ev = evaluate(state);
    if (!ev.ok) return ev;
    const after = ev.value.figures;
    const cost = t.costUsd + feeOf(t);
    const reduction = prev.initialMarginUsd - after.initialMarginUsd;
    steps.push({
      step: i + 1,
      trade: t,
      side: t.sizeCoin > 0 ? "buy" : "sell",
      costUsd: cost,
      premiumUsd: t.instrument.kind === "option" ? t.sizeCoin * t.price * currencyUsdRate(market, t.instrument.settlementCurrency) : 0,
      initialMarginBeforeUsd: prev.initialMarginUsd,
      initialMarginAfterUsd: after.initialMarginUsd,
      reductionUsd: reduction,
      reductionPerCost: reduction / Math.max(cost, MIN_COST_USD),
      after,
    });
    prev = after;
  }
  return ok({ steps, state });
}
