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
 * next round starts from it, up to `maxTrades` trades (and `maxCostUsd` in total).
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
import type { Account, AccountFigures } from "./account.js";
import { applyTrades, priceWithSlippage } from "./trades.js";
import type { Trade } from "./trades.js";

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
    const largest = Math.max(0, ...sizes);
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
  const first = evaluateAccount(account);
  evaluations++;
  if (!first.ok) return first;
  let state = account;
  let current = first.value.figures;
  const steps: HedgeStep[] = [];
  let totalCost = 0;
  let stop = `budget of ${budget.maxTrades} trade${budget.maxTrades === 1 ? "" : "s"} used`;
  for (let k = 1; k <= budget.maxTrades; k++) {
    const v = valuePortfolio({ positions: state.positions, collateral: {}, notes: [] }, market);
    const netDelta = new Map<string, number>(Object.entries(v.byUnderlying).map(([b, u]) => [b, u.deltaCoin]));
    let best: { step: Omit<HedgeStep, "step">; next: Account; score: number } | undefined;
    for (const inst of instruments) {
      const ref = referenceSize(state, inst, netDelta);
      for (const side of [1, -1] as const) {
        // The size of this instrument and side that cuts IM the most (ties: the cheaper); then instruments and sides
        // compete on IM saved per unit of cost. Ranking every rung by the ratio alone would always pick the smallest
        // rung (the saving is concave in the size, the cost linear) and waste the trade budget on slivers.
        let pick: { step: Omit<HedgeStep, "step">; next: Account } | undefined;
        for (const m of ladder) {
          const t = priceWithSlippage(inst, side * m * ref, market, rules);
          const fee = rules.tradingFeeRateDecimal * Math.abs(t.sizeCoin) * market.indexUsd(inst.base);
          const cost = t.costUsd + fee;
          if (budget.maxCostUsd !== undefined && totalCost + cost > budget.maxCostUsd) continue;
          const next = applyTrades(state, [t]);
          const ev = evaluateAccount(next);
          evaluations++;
          if (!ev.ok) return ev;
          const after = ev.value.figures;
          const reduction = current.initialMarginUsd - after.initialMarginUsd;
          if (!(reduction > 1e-9 * Math.max(current.initialMarginUsd, 1))) continue;
          if (pick !== undefined && !(reduction > pick.step.reductionUsd || (reduction === pick.step.reductionUsd && cost < pick.step.costUsd))) continue;
          const premiumUsd = inst.kind === "option" ? t.sizeCoin * t.price * currencyUsdRate(market, inst.settlementCurrency) : 0;
          pick = {
            step: {
              trade: t,
              side: side > 0 ? "buy" : "sell",
              costUsd: cost,
              premiumUsd,
              initialMarginBeforeUsd: current.initialMarginUsd,
              initialMarginAfterUsd: after.initialMarginUsd,
              reductionUsd: reduction,
              reductionPerCost: reduction / Math.max(cost, MIN_COST_USD),
              after,
            },
            next,
          };
        }
        if (pick !== undefined && (best === undefined || pick.step.reductionPerCost > best.score)) best = { ...pick, score: pick.step.reductionPerCost };
      }
    }
    if (best === undefined) {
      stop = steps.length === 0 ? "no candidate trade reduces initial margin" : "no further candidate trade reduces initial margin";
      break;
    }
    steps.push({ step: k, ...best.step });
    totalCost += best.step.costUsd;
    state = best.next;
    current = best.step.after;
  }
  return ok({ before: first.value.figures, steps, after: current, totalCostUsd: totalCost, stop, evaluations });
}
