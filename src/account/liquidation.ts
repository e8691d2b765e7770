/**
 * Liquidation planning: for an account at or past the liquidation threshold, an ordered plan of partial reductions
 * that brings the maintenance ratio (MM / equity) below a target at the least cost.
 *
 * Method (greedy with full re-evaluation on the model, one step at a time):
 * 1. Candidate actions, each priced at mark ± slippage (trades.ts):
 *    - reduce one position towards 0 by `stepFraction` of its size when the plan started (sizes in steps);
 *    - reduce every position by `stepFraction` of its current size (the book keeps its shape: Paradex's move), and
 *      close every position (trimmed, below, to the share needed);
 *    - hedge the whole net delta of one underlying in one settlement family with its perpetual: the inverse
 *      perpetual for coin-settled exposure (offset coin balances included), the USDC one for linear;
 *    - repay a borrowed balance by converting a positive one (slippage `conversionDecimal`).
 * 2. Each candidate is applied to a copy and evaluated in full. Its benefit is the fall of the shortfall
 *    S = MM − target × equity (USD); its cost the slippage plus the uncapped liquidation fee. The action with the
 *    highest benefit per unit of cost is taken: what contributes most to the worst-scenario loss per unit of spread
 *    cost goes first, and a hedge wins where it is cheaper than closing. A benefit under 0.001 % of MM is ignored.
 * 3. The step that restores the target is trimmed: its sizes are scaled down by bisection (to 1/64 of the step) to
 *    the smallest that still restores, so the plan does not overshoot.
 * 4. Liquidation fee of a step = min(feeRate × notional, feeCapFraction × max(0, equity − MM / target)), both after
 *    the step: taken only from the equity in excess of the target, so it can never make a solvent account bankrupt,
 *    nor undo the restoration (re-checked on the model after the fee; halved until it holds, else 0).
 * 5. Repeat until MM < target × equity (restored), or no action lowers S, or `maxSteps`.
 * The plan lists each step's trades, cost, fee and the figures after it; `applyLiquidationPlan` replays it exactly.
 * Limits: greedy (one step of look-ahead: a hedge opened early may be unwound later), prices from the current
 * snapshot (no market impact beyond the half-spread, no move during the liquidation), fees collected at the end.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import type { DerivativeInstrument } from "../market/types.js";
import type { ResolvedPosition } from "../models/types.js";
import { currencyUsdRate } from "../risk/marks.js";
import { valuePortfolio } from "../risk/valuation.js";
import { evaluateAccount } from "./account.js";
import type { Account, AccountEvaluation, AccountFigures } from "./account.js";
import { healthEvents } from "./health.js";
import type { HealthEvent, HealthState } from "./health.js";
import { liquidationTargetOf } from "./rules.js";
import { adjustBalances, applyTrades, priceWithSlippage } from "./trades.js";
import type { Trade } from "./trades.js";
import { usdText } from "./what-if.js";

export interface LiquidationOptions {
  /** Target maintenance ratio in (0, 1]; default the rules' target, else the warning threshold. */
  readonly targetRatio?: number;
  readonly stepFraction?: number;
  readonly feeRateDecimal?: number;
  readonly maxSteps?: number;
  /** Plan even when the account is not yet liquidatable (de-risk to the target early). Default false. */
  readonly preemptive?: boolean;
  /** Consider perpetual delta hedges (default true). */
  readonly hedges?: boolean;
}

export type PlanActionKind = "reduce" | "reduce_all" | "hedge" | "convert";

export interface PlanStep {
  readonly step: number;
  readonly kind: PlanActionKind;
  readonly description: string;
  /** Trades of the step, priced at mark ± slippage (empty for a conversion). */
  readonly trades: readonly Trade[];
  /** Balance changes besides the trades' cash (a conversion's amounts), per currency. */
  readonly balanceChanges: Readonly<Record<string, number>>;
  /** The liquidation fee debited after the step, in its currency (null when 0). */
  readonly feeCharge: { readonly currency: string; readonly amount: number } | null;
  readonly slippageCostUsd: number;
  readonly feeUsd: number;
  /** USD notional of the step (Σ |size| × index of the trades, or the converted value). */
  readonly notionalUsd: number;
  /** Fall of the shortfall MM − target × equity achieved by the step, USD. */
  readonly shortfallReductionUsd: number;
  readonly after: AccountFigures;
  readonly state: HealthState;
}

export interface LiquidationPlan {
  readonly status: "nothing_to_do" | "restored" | "not_restored";
  readonly reason: string;
  readonly targetRatio: number;
  readonly before: AccountFigures;
  readonly beforeState: HealthState;
  readonly steps: readonly PlanStep[];
  readonly after: AccountFigures;
  readonly afterState: HealthState;
  readonly totals: { readonly slippageUsd: number; readonly feeUsd: number; readonly notionalUsd: number };
  readonly events: readonly HealthEvent[];
  readonly evaluations: number;
}

interface Candidate {
  readonly kind: PlanActionKind;
  readonly description: string;
  readonly trades: Trade[];
  readonly balanceChanges: Record<string, number>;
  readonly slippageCostUsd: number;
  readonly notionalUsd: number;
  readonly feeCurrency: string;
  /** The same action with every size × λ (λ in (0, 1]), for trimming the step that restores the target. */
  readonly scale: (lambda: number) => Candidate;
}

function optionIssues(o: LiquidationOptions): Issue[] {
  const out: Issue[] = [];
  const check = (name: string, v: number | undefined, okFn: (x: number) => boolean, what: string): void => {
    if (v === undefined) return;
    if (!Number.isFinite(v)) out.push(issue("non_finite", name, `${name} must be a finite number`));
    else if (!okFn(v)) out.push(issue("out_of_range", name, `${name} must be ${what}, got ${v}`));
  };
  check("targetRatio", o.targetRatio, (x) => x > 0 && x <= 1, "in (0, 1]");
  check("stepFraction", o.stepFraction, (x) => x > 0 && x <= 1, "in (0, 1]");
  check("feeRateDecimal", o.feeRateDecimal, (x) => x >= 0 && x <= 1, "in [0, 1]");
  check("maxSteps", o.maxSteps, (x) => Number.isInteger(x) && x >= 1 && x <= 100_000, "an integer in [1, 100000]");
  return out;
}

/** Smallest benefit of a step, relative to the margin (see the loop). */
const MIN_RELATIVE_BENEFIT = 1e-5;
/** Bisection steps when trimming the step that restores the target: its size is found to 1/64 of the step. */
const TRIM_BISECTIONS = 6;

const shortfall = (f: AccountFigures, target: number): number => f.maintenanceMarginUsd - target * f.equityUsd;
const restoredAt = (f: AccountFigures, target: number): boolean => f.maintenanceMarginUsd < target * f.equityUsd;

function tradeNotionalUsd(trades: readonly Trade[], account: Account): number {
  const market = account.engine.market;
  return trades.reduce((s, t) => s + Math.abs(t.sizeCoin) * market.indexUsd(t.instrument.base), 0);
}

function describeTrade(t: Trade): string {
  return `${t.sizeCoin > 0 ? "buy" : "sell"} ${Number(Math.abs(t.sizeCoin).toPrecision(10))} ${t.instrument.name} @ ${Number(t.price.toPrecision(10))} (mark ${Number(t.markPrice.toPrecision(10))})`;
}

function tradeCandidate(kind: PlanActionKind, describe: (trades: readonly Trade[]) => string, trades: Trade[], account: Account): Candidate {
  const market = account.engine.market;
  return {
    kind,
    description: describe(trades),
    trades,
    balanceChanges: {},
    slippageCostUsd: trades.reduce((s, t) => s + t.costUsd, 0),
    notionalUsd: tradeNotionalUsd(trades, account),
    feeCurrency: trades[0]?.cashCurrency ?? "USDC",
    scale: (lambda) =>
      tradeCandidate(kind, describe, trades.map((t) => priceWithSlippage(t.instrument, t.sizeCoin * lambda, market, account.rules)), account),
  };
}

function conversionCandidate(debt: string, asset: string, valueUsd: number, account: Account): Candidate {
  const market = account.engine.market;
  const pDebt = currencyUsdRate(market, debt);
  const pAsset = currencyUsdRate(market, asset);
  const cost = valueUsd * account.rules.slippage.conversionDecimal;
  return {
    kind: "convert",
    description: `repay ${Number((valueUsd / pDebt).toPrecision(10))} ${debt} with ${Number((valueUsd / pAsset).toPrecision(10))} ${asset}`,
    trades: [],
    balanceChanges: { [asset]: -valueUsd / pAsset, [debt]: (valueUsd - cost) / pDebt },
    slippageCostUsd: cost,
    notionalUsd: valueUsd,
    feeCurrency: debt,
    scale: (lambda) => conversionCandidate(debt, asset, valueUsd * lambda, account),
  };
}

/** Net delta (coin) per underlying and settlement family, offset coin balances included in the inverse family. */
function deltasOf(account: Account): Map<string, { base: string; family: "inverse" | "linear"; deltaCoin: number }> {
  const market = account.engine.market;
  const out = new Map<string, { base: string; family: "inverse" | "linear"; deltaCoin: number }>();
  const add = (base: string, family: "inverse" | "linear", d: number): void => {
    const key = `${base}:${family}`;
    const e = out.get(key);
    if (e === undefined) out.set(key, { base, family, deltaCoin: d });
    else e.deltaCoin += d;
  };
  const v = valuePortfolio({ positions: account.positions, collateral: {}, notes: [] }, market);
  account.positions.forEach((p, i) => {
    const inst = p.instrument;
    if (inst.kind === "spot") return;
    add(inst.base, inst.settlement, v.positions[i]?.deltaCoin ?? 0);
  });
  for (const [c, amount] of Object.entries(account.balances)) if (account.engine.offsetsCurrency(c)) add(c, "inverse", amount);
  return out;
}

function candidatesOf(account: Account, startSizes: ReadonlyMap<string, number>, stepFraction: number, hedges: boolean): Candidate[] {
  const market = account.engine.market;
  const rules = account.rules;
  const out: Candidate[] = [];
  const stepOf = (p: ResolvedPosition): number => {
    const start = startSizes.get(p.instrument.name) ?? Math.abs(p.sizeCoin);
    return Math.min(Math.abs(p.sizeCoin), stepFraction * start);
  };
  const live = account.positions.filter((p) => p.instrument.kind !== "spot" && p.sizeCoin !== 0);
  for (const p of live) {
    const t = priceWithSlippage(p.instrument as DerivativeInstrument, -Math.sign(p.sizeCoin) * stepOf(p), market, rules);
    out.push(tradeCandidate("reduce", (ts) => `reduce ${p.instrument.name}: ${ts.map(describeTrade).join("; ")}`, [t], account));
  }
  if (live.length > 1) {
    // The same share of every position (of its current size): the book keeps its shape, so a scale-invariant margin
    // falls in proportion. Then closing everything at once, which the trim below shrinks to the share needed.
    const share = (f: number): Trade[] => live.map((p) => priceWithSlippage(p.instrument as DerivativeInstrument, -f * p.sizeCoin, market, rules));
    const pct = Math.round(stepFraction * 100);
    out.push(tradeCandidate("reduce_all", (ts) => `reduce every position by ${pct} %: ${ts.map(describeTrade).join("; ")}`, share(stepFraction), account));
    if (stepFraction < 1) out.push(tradeCandidate("reduce_all", (ts) => `reduce every position by the same share: ${ts.map(describeTrade).join("; ")}`, share(1), account));
  }
  if (hedges) {
    for (const d of deltasOf(account).values()) {
      const perp = d.family === "inverse" ? `${d.base}-PERPETUAL` : `${d.base}_USDC-PERPETUAL`;
      if (market.snapshot.instruments[perp] === undefined || !(Math.abs(d.deltaCoin) > 0)) continue;
      const inst = (live.find((p) => p.instrument.name === perp)?.instrument as DerivativeInstrument | undefined) ?? parsePerp(d.base, d.family);
      // One hedge per delta: the whole net delta (a partial hedge would only split the same action into more steps).
      const t = priceWithSlippage(inst, -d.deltaCoin, market, rules);
      const delta = Number(d.deltaCoin.toPrecision(6));
      out.push(tradeCandidate("hedge", (ts) => `hedge the ${d.base} ${d.family} delta (${delta} coin): ${ts.map(describeTrade).join("; ")}`, [t], account));
    }
  }
  const negatives = Object.entries(account.balances).filter(([, a]) => a < 0);
  const positives = Object.entries(account.balances).filter(([, a]) => a > 0);
  for (const [debt, owed] of negatives) {
    for (const [asset, held] of positives) {
      if (asset === debt) continue;
      const valueUsd = Math.min(-owed * currencyUsdRate(market, debt), held * currencyUsdRate(market, asset));
      out.push(conversionCandidate(debt, asset, valueUsd, account));
    }
  }
  return out;
}

function parsePerp(base: string, family: "inverse" | "linear"): DerivativeInstrument {
  return family === "inverse"
    ? { kind: "perpetual", name: `${base}-PERPETUAL`, base, settlement: "inverse", settlementCurrency: base }
    : { kind: "perpetual", name: `${base}_USDC-PERPETUAL`, base, settlement: "linear", settlementCurrency: "USDC" };
}

function applyCandidate(account: Account, c: { trades: readonly Trade[]; balanceChanges: Readonly<Record<string, number>> }): Account {
  return adjustBalances(applyTrades(account, c.trades), c.balanceChanges);
}

/**
 * Plan the liquidation of an account (see the module doc). Issues: `out_of_range` / `non_finite` for bad options
 * (`targetRatio` outside (0, 1], ...), the model's. An account that is not liquidatable gets status `nothing_to_do`.
 */
export function planLiquidation(account: Account, options: LiquidationOptions = {}): Result<LiquidationPlan> {
  const bad = optionIssues(options);
  if (bad.length > 0) return fail(...bad);
  const rules = account.rules;
  const target = liquidationTargetOf(rules, options.targetRatio);
  const stepFraction = options.stepFraction ?? rules.liquidation.stepFraction;
  const feeRate = options.feeRateDecimal ?? rules.liquidation.feeRateDecimal;
  const maxSteps = options.maxSteps ?? rules.liquidation.maxSteps;
  const hedges = options.hedges ?? true;
  let evaluations = 0;
  const evaluate = (a: Account): Result<AccountEvaluation> => {
    evaluations++;
    return evaluateAccount(a);
  };
  const first = evaluate(account);
  if (!first.ok) return first;
  const start = first.value;
  const liquidatable = start.health.state === "liquidation" || start.health.state === "bankrupt";
  const done = (status: LiquidationPlan["status"], reason: string, steps: PlanStep[], end: AccountEvaluation): LiquidationPlan => ({
    status,
    reason,
    targetRatio: target,
    before: start.figures,
    beforeState: start.health.state,
    steps,
    after: end.figures,
    afterState: end.health.state,
    totals: {
      slippageUsd: steps.reduce((s, x) => s + x.slippageCostUsd, 0),
      feeUsd: steps.reduce((s, x) => s + x.feeUsd, 0),
      notionalUsd: steps.reduce((s, x) => s + x.notionalUsd, 0),
    },
    events: healthEvents(
      [{ figures: start.figures, cause: "start" }, ...steps.map((s) => ({ figures: s.after, cause: `step ${s.step}: ${s.description}` }))],
      rules.health,
    ),
    evaluations,
  });
  if (!liquidatable && !options.preemptive)
    return ok(done("nothing_to_do", `the account is ${start.health.state} (${start.health.reason}): nothing to do`, [], start));
  if (restoredAt(start.figures, target))
    return ok(done("nothing_to_do", `maintenance ratio already below the target ${(target * 100).toFixed(2)} %: nothing to do`, [], start));

  const startSizes = new Map(account.positions.map((p) => [p.instrument.name, Math.abs(p.sizeCoin)]));
  let state = account;
  let current = start;
  const steps: PlanStep[] = [];
  for (let k = 1; k <= maxSteps; k++) {
    if (restoredAt(current.figures, target)) break;
    const s0 = shortfall(current.figures, target);
    let best: { c: Candidate; next: Account; ev: AccountEvaluation; benefit: number; score: number } | undefined;
    for (const c of candidatesOf(state, startSizes, stepFraction, hedges)) {
      const next = applyCandidate(state, c);
      const ev = evaluate(next);
      if (!ev.ok) return ev;
      const benefit = s0 - shortfall(ev.value.figures, target);
      // A benefit under 0.001 % of the margin is noise, not a step worth a trade (and stops endless micro-steps).
      if (!(benefit > MIN_RELATIVE_BENEFIT * Math.max(Math.abs(s0), current.figures.maintenanceMarginUsd, 1))) continue;
      const cost = c.slippageCostUsd + feeRate * c.notionalUsd;
      // Zero-cost actions rank by benefit alone (the 1e-9 USD floor only avoids dividing by 0).
      const score = benefit / Math.max(cost, 1e-9);
      if (best === undefined || score > best.score) best = { c, next, ev: ev.value, benefit, score };
    }
    if (best === undefined) {
      const reason =
        current.figures.equityUsd < 0
          ? `insolvent: equity ${usdText(current.figures.equityUsd)} after the reductions; no action lowers the shortfall (the venue's insurance fund covers the rest)`
          : `no action lowers the shortfall MM − target × equity further (${usdText(s0)} left)`;
      return ok(done("not_restored", reason, steps, current));
    }
    if (restoredAt(best.ev.figures, target)) {
      // The restoring step usually overshoots: shrink it to the smallest fraction (to 1/64) that still restores.
      let lo = 0;
      let hi = 1;
      let trimmed = best;
      for (let b = 0; b < TRIM_BISECTIONS; b++) {
        const mid = 0.5 * (lo + hi);
        const c = best.c.scale(mid);
        const next = applyCandidate(state, c);
        const ev = evaluate(next);
        if (!ev.ok) return ev;
        if (restoredAt(ev.value.figures, target)) {
          hi = mid;
          trimmed = { c, next, ev: ev.value, benefit: s0 - shortfall(ev.value.figures, target), score: best.score };
        } else lo = mid;
      }
      best = trimmed;
    }
    let next = best.next;
    let ev = best.ev;
    let feeUsd = 0;
    let fee = 0;
    const feeCurrency = best.c.feeCurrency;
    const surplus = ev.figures.equityUsd - ev.figures.maintenanceMarginUsd / target;
    let tryFee = Math.min(feeRate * best.c.notionalUsd, rules.liquidation.feeCapFraction * Math.max(0, surplus));
    for (let h = 0; h < 20 && tryFee > 0; h++, tryFee /= 2) {
      const rate = currencyUsdRate(state.engine.market, feeCurrency);
      const charged = adjustBalances(best.next, { [feeCurrency]: -tryFee / rate });
      const r = evaluate(charged);
      if (!r.ok) return r;
      // The fee must leave a solvent account solvent and keep a restored account restored.
      const keepsRestored = !restoredAt(best.ev.figures, target) || restoredAt(r.value.figures, target);
      if (r.value.figures.equityUsd >= 0 && keepsRestored) {
        next = charged;
        ev = r.value;
        feeUsd = tryFee;
        fee = tryFee / rate;
        break;
      }
    }
    steps.push({
      step: k,
      kind: best.c.kind,
      description: best.c.description,
      trades: best.c.trades,
      balanceChanges: best.c.balanceChanges,
      feeCharge: fee > 0 ? { currency: feeCurrency, amount: fee } : null,
      slippageCostUsd: best.c.slippageCostUsd,
      feeUsd,
      notionalUsd: best.c.notionalUsd,
      shortfallReductionUsd: s0 - shortfall(ev.figures, target),
      after: ev.figures,
      state: ev.health.state,
    });
    state = next;
    current = ev;
  }
  if (restoredAt(current.figures, target))
    return ok(done("restored", `maintenance ratio ${((current.figures.maintenanceRatio ?? 0) * 100).toFixed(2)} % < target ${(target * 100).toFixed(2)} % after ${steps.length} step${steps.length === 1 ? "" : "s"}`, steps, current));
  return ok(done("not_restored", `stopped after ${maxSteps} steps (maxSteps) above the target`, steps, current));
}

/** The account after every step of a plan (a copy): the same trades and balance changes, in order. */
export function applyLiquidationPlan(account: Account, plan: LiquidationPlan): Account {
  let a = account;
  for (const s of plan.steps) {
    a = applyCandidate(a, s);
    // Separately from the step, exactly as the planner charged it, so the replay reproduces its figures bit for bit.
    if (s.feeCharge !== null) a = adjustBalances(a, { [s.feeCharge.currency]: -s.feeCharge.amount });
  }
  return a;
}

