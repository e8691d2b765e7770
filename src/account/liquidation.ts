/**
 * Liquidation planning: for an account at or past the liquidation threshold, an ordered plan of partial reductions
 * that brings the maintenance ratio (MM / equity) below a target at the least cost, never making a solvent account
 * insolvent, and restoring every account that a full close-out would restore.
 *
 * Method (greedy with full re-evaluation on the model, one step at a time; actions in liquidation-actions.ts):
 * 1. Each candidate action (reduce one position, reduce it and settle the coin it pays or owes, reduce every
 *    position, hedge a delta with a perpetual, repay a borrowed balance) is applied to a copy and evaluated in full.
 *    A candidate that would leave a solvent account with negative equity is never taken (each step is checked before
 *    it is taken). Its benefit is the fall of the shortfall S = MM − target × equity (USD); its cost the slippage plus
 *    the uncapped liquidation fee. Candidates whose cost is below the maintenance margin they release rank first;
 *    among equals the highest benefit per unit of cost wins. A benefit under 0.001 % of MM is ignored.
 * 2. The step that restores the target is trimmed: its sizes are scaled down by bisection (to 1/64 of the step) to
 *    the smallest that still restores, so the plan does not overshoot.
 * 3. Liquidation fee of a step = min(feeRate × notional, feeCapFraction × max(0, equity − MM / target)), both after
 *    the step: taken only from the equity in excess of the target, so it can never make a solvent account bankrupt,
 *    nor undo the restoration (re-checked on the model after the fee; halved until it holds, else 0).
 * 4. Repeat until MM < target × equity (restored), or no candidate lowers S, or `maxSteps`.
 * 5. Fallback (the look-ahead a greedy search lacks): if the target is not reached, a full close-out (close every
 *    position and convert every balance into USDC) is tried from where the greedy steps stopped, then from the start;
 *    the first that restores is taken, trimmed as in 2. If neither restores, the account cannot be restored: the plan
 *    is `insufficient`, lists the steps taken (none of which made equity negative), and says what a close-out leaves.
 * The plan lists each step's trades, cost, fee and the figures after it; `applyLiquidationPlan` replays it exactly.
 * Limits: prices from the current snapshot (no market impact beyond the half-spread, no move during the liquidation),
 * fees collected at the end.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { currencyUsdRate } from "../risk/marks.js";
import { evaluateAccount } from "./account.js";
import type { Account, AccountEvaluation, AccountFigures } from "./account.js";
import { healthEvents } from "./health.js";
import type { HealthEvent, HealthState } from "./health.js";
import { candidatesOf, closeOutCandidate } from "./liquidation-actions.js";
import type { Candidate, PlanActionKind } from "./liquidation-actions.js";
import { liquidationTargetOf } from "./rules.js";
import { adjustBalances, applyTrades } from "./trades.js";
import type { Trade } from "./trades.js";
import { usdText } from "./what-if.js";

export type { PlanActionKind } from "./liquidation-actions.js";

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
  /** Called after each step with the steps taken so far and the step budget, and with (budget, budget) at the end (a progress bar). */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface PlanStep {
  readonly step: number;
  readonly kind: PlanActionKind;
  readonly description: string;
  /** Trades of the step, priced at mark ± slippage (empty for a conversion). */
  readonly trades: readonly Trade[];
  /** Balance changes besides the trades' cash (conversions), per currency. */
  readonly balanceChanges: Readonly<Record<string, number>>;
  /** The liquidation fee debited after the step, in its currency (null when 0). */
  readonly feeCharge: { readonly currency: string; readonly amount: number } | null;
  readonly slippageCostUsd: number;
  readonly feeUsd: number;
  /** USD notional of the step (Σ |size| × index of the trades, plus the converted value). */
  readonly notionalUsd: number;
  /** Fall of the shortfall MM − target × equity achieved by the step, USD. */
  readonly shortfallReductionUsd: number;
  readonly after: AccountFigures;
  readonly state: HealthState;
}

export interface LiquidationPlan {
  /**
   * `restored`: the maintenance ratio is below the target after the steps; `insufficient`: the account cannot be
   * restored (even closing everything would not), the steps listed never make equity negative; `nothing_to_do`.
   */
  readonly status: "nothing_to_do" | "restored" | "insufficient";
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

function applyCandidate(account: Account, c: { trades: readonly Trade[]; balanceChanges: Readonly<Record<string, number>> }): Account {
  return adjustBalances(applyTrades(account, c.trades), c.balanceChanges);
}

interface Trial {
  readonly c: Candidate;
  readonly next: Account;
  readonly ev: AccountEvaluation;
}

/**
 * Plan the liquidation of an account (see the module doc). Issues: `out_of_range` / `non_finite` for bad options
 * (`targetRatio` outside (0, 1], ...), the model's. An account that is not liquidatable gets status `nothing_to_do`.
 */
export function planLiquidation(account: Account, options: LiquidationOptions = {}): Result<LiquidationPlan> {
  const r = planSteps(account, options);
  // The progress contract: the last call reaches the total, whether the plan took every step of the budget or not.
  const total = options.maxSteps ?? account.rules.liquidation.maxSteps;
  if (r.ok) options.onProgress?.(total, total);
  return r;
}

function planSteps(account: Account, options: LiquidationOptions): Result<LiquidationPlan> {
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
  const done = (status: LiquidationPlan["status"], reason: string, steps: readonly PlanStep[], end: AccountEvaluation): LiquidationPlan => ({
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

  /** A solvent account must stay solvent: a trial leaving equity < 0 (from ≥ 0) is never taken. */
  const keepsSolvency = (from: AccountFigures, to: AccountFigures): boolean => from.equityUsd < 0 || to.equityUsd >= 0;

  /** Shrink a restoring trial to the smallest fraction (to 1/64) that still restores and keeps solvency. */
  const trim = (state: Account, current: AccountFigures, best: Trial): Result<Trial> => {
    let lo = 0;
    let hi = 1;
    let trimmed = best;
    for (let b = 0; b < TRIM_BISECTIONS; b++) {
      const mid = 0.5 * (lo + hi);
      const c = best.c.scale(mid);
      const next = applyCandidate(state, c);
      const ev = evaluate(next);
      if (!ev.ok) return ev;
      if (restoredAt(ev.value.figures, target) && keepsSolvency(current, ev.value.figures)) {
        hi = mid;
        trimmed = { c, next, ev: ev.value };
      } else lo = mid;
    }
    return ok(trimmed);
  };

  /** Charge the step's capped fee and record it. */
  const takeStep = (k: number, state: Account, current: AccountFigures, t: Trial): Result<{ step: PlanStep; state: Account; ev: AccountEvaluation }> => {
    let next = t.next;
    let ev = t.ev;
    let feeUsd = 0;
    let fee = 0;
    const feeCurrency = t.c.feeCurrency;
    const surplus = ev.figures.equityUsd - ev.figures.maintenanceMarginUsd / target;
    let tryFee = Math.min(feeRate * t.c.notionalUsd, rules.liquidation.feeCapFraction * Math.max(0, surplus));
    const rate = currencyUsdRate(state.engine.market, feeCurrency);
    for (let h = 0; h < 20 && tryFee > 0; h++, tryFee /= 2) {
      const charged = adjustBalances(t.next, { [feeCurrency]: -tryFee / rate });
      const r = evaluate(charged);
      if (!r.ok) return r;
      // The fee must leave a solvent account solvent and keep a restored account restored.
      const keepsRestored = !restoredAt(t.ev.figures, target) || restoredAt(r.value.figures, target);
      if (r.value.figures.equityUsd >= 0 && keepsRestored) {
        next = charged;
        ev = r.value;
        feeUsd = tryFee;
        fee = tryFee / rate;
        break;
      }
    }
    const step: PlanStep = {
      step: k,
      kind: t.c.kind,
      description: t.c.description,
      trades: t.c.trades,
      balanceChanges: t.c.balanceChanges,
      feeCharge: fee > 0 ? { currency: feeCurrency, amount: fee } : null,
      slippageCostUsd: t.c.slippageCostUsd,
      feeUsd,
      notionalUsd: t.c.notionalUsd,
      shortfallReductionUsd: shortfall(current, target) - shortfall(ev.figures, target),
      after: ev.figures,
      state: ev.health.state,
    };
    return ok({ step, state: next, ev });
  };

  /** A full close-out from `state` as the next step, trimmed, when it restores the target without insolvency. */
  const closeOutFrom = (state: Account, current: AccountFigures, k: number): Result<{ step: PlanStep; ev: AccountEvaluation } | undefined> => {
    const c = closeOutCandidate(state);
    const next = applyCandidate(state, c);
    const ev = evaluate(next);
    if (!ev.ok) return ev;
    if (!restoredAt(ev.value.figures, target) || !keepsSolvency(current, ev.value.figures)) return ok(undefined);
    const trimmed = trim(state, current, { c, next, ev: ev.value });
    if (!trimmed.ok) return trimmed;
    const taken = takeStep(k, state, current, trimmed.value);
    return taken.ok ? ok({ step: taken.value.step, ev: taken.value.ev }) : taken;
  };

  const startSizes = new Map(account.positions.map((p) => [p.instrument.name, Math.abs(p.sizeCoin)]));
  let state = account;
  let current = start;
  const steps: PlanStep[] = [];
  let stop = `stopped after ${maxSteps} steps (maxSteps)`;
  for (let k = 1; k <= maxSteps; k++) {
    if (restoredAt(current.figures, target)) break;
    const s0 = shortfall(current.figures, target);
    let best: (Trial & { releases: boolean; score: number }) | undefined;
    for (const c of candidatesOf(state, startSizes, stepFraction, hedges)) {
      const next = applyCandidate(state, c);
      const ev = evaluate(next);
      if (!ev.ok) return ev;
      if (!keepsSolvency(current.figures, ev.value.figures)) continue;
      const benefit = s0 - shortfall(ev.value.figures, target);
      // A benefit under 0.001 % of the margin is noise, not a step worth a trade (and stops endless micro-steps).
      if (!(benefit > MIN_RELATIVE_BENEFIT * Math.max(Math.abs(s0), current.figures.maintenanceMarginUsd, 1))) continue;
      const cost = c.slippageCostUsd + feeRate * c.notionalUsd;
      // A step that costs less than the maintenance margin it releases is preferred to one that does not.
      const releases = cost <= current.figures.maintenanceMarginUsd - ev.value.figures.maintenanceMarginUsd;
      // Zero-cost actions rank by benefit alone (the 1e-9 USD floor only avoids dividing by 0).
      const score = benefit / Math.max(cost, 1e-9);
      if (best === undefined || (releases && !best.releases) || (releases === best.releases && score > best.score)) best = { c, next, ev: ev.value, releases, score };
    }
    if (best === undefined) {
      stop = `no action lowers the shortfall MM − target × equity further without making equity negative (${usdText(s0)} left)`;
      break;
    }
    let chosen: Trial = best;
    if (restoredAt(best.ev.figures, target)) {
      const t = trim(state, current.figures, best);
      if (!t.ok) return t;
      chosen = t.value;
    }
    const taken = takeStep(k, state, current.figures, chosen);
    if (!taken.ok) return taken;
    steps.push(taken.value.step);
    state = taken.value.state;
    current = taken.value.ev;
    options.onProgress?.(k, maxSteps);
  }
  const restoredReason = (list: readonly PlanStep[], end: AccountEvaluation, how = ""): string =>
    `maintenance ratio ${((end.figures.maintenanceRatio ?? 0) * 100).toFixed(2)} % < target ${(target * 100).toFixed(2)} % after ${list.length} step${list.length === 1 ? "" : "s"}${how}`;
  if (restoredAt(current.figures, target)) return ok(done("restored", restoredReason(steps, current), steps, current));

  // Fallback: a full close-out from where the greedy steps stopped, else from the start.
  const here = closeOutFrom(state, current.figures, steps.length + 1);
  if (!here.ok) return here;
  if (here.value !== undefined) {
    const all = [...steps, here.value.step];
    return ok(done("restored", restoredReason(all, here.value.ev, " (the last closes out what the greedy steps left)"), all, here.value.ev));
  }
  if (steps.length > 0) {
    const fromStart = closeOutFrom(account, start.figures, 1);
    if (!fromStart.ok) return fromStart;
    if (fromStart.value !== undefined) {
      const one = [fromStart.value.step];
      return ok(done("restored", restoredReason(one, fromStart.value.ev, ": a close-out from the start (the cheaper steps could not restore it)"), one, fromStart.value.ev));
    }
  }
  const end = evaluate(applyCandidate(account, closeOutCandidate(account)));
  if (!end.ok) return end;
  const e = end.value.figures;
  const why =
    start.figures.equityUsd < 0
      ? `insolvent: equity ${usdText(start.figures.equityUsd)} before any step (the venue's insurance fund covers the rest)`
      : `closing every position and converting every balance would leave equity ${usdText(e.equityUsd)} and MM ${usdText(e.maintenanceMarginUsd)}, above the target ${(target * 100).toFixed(2)} % or insolvent`;
  return ok(done("insufficient", `cannot be restored: ${why}; ${stop}; no step makes equity negative`, steps, current));
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
