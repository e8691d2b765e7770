/**
 * A liquidation cascade on the live core (docs/cascade.md): the exogenous path (ticks) moves the market; each round
 * the accounts the core holds in liquidation (or bankrupt) are liquidated by the policy's own rule (policy.ts) as
 * `reduce` inputs into the core; their orders move the market by the impact model (impact.ts), and that move is the
 * next round's tick, so the next accounts are re-margined on it. A bankrupt account's shortfall (negative equity once
 * its positions are closed) is paid by the insurance fund, then by ADL (adl.ts) or socialised.
 *
 * Money is conserved by construction and checked by property tests: shortfall = fund used + ADL + socialised; the
 * fund pays at most its start balance plus the fees it received. Pure: the core is the caller's (build it with
 * `liquidationPlans: false`: the policy decides, not the least-cost planner); no I/O, no clock.
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import { currencyUsdRate } from "../../risk/marks.js";
import type { Issue, Result } from "../../errors.js";
import type { LiveCore, LiveFigures, LiveInput } from "../core.js";
import type { LiveEvent } from "../events.js";
import type { HeldAccount } from "../state.js";
import type { MarketContext } from "../../market/context.js";
import type { Tick } from "../tick.js";
import { AdlBook } from "./adl.js";
import { decayed, logImpact, slippageUsd } from "./impact.js";
import type { ImpactModel } from "./impact.js";
import type { LiquidationPolicy } from "./policy.js";
import { planStep } from "./steps.js";
import { plannerStep } from "./planner.js";
import type { PlannerStep } from "./planner.js";
import type { Account } from "../../account/account.js";
import type { StepPlan } from "./steps.js";

export interface CascadeOptions {
  /** The book on its start market (the caller's; the cascade feeds it inputs). */
  readonly core: LiveCore;
  /** The exogenous move: ticks in order (an instant shock is one tick). Their `seq` is renumbered after the core's. */
  readonly path: readonly Tick[];
  readonly policy: LiquidationPolicy;
  readonly impact: ImpactModel;
  /** Insurance fund at the start, USD (≥ 0). */
  readonly insuranceFundUsd: number;
  /** Stop after this many rounds (default 10,000); the summary says `truncated`. */
  readonly maxRounds?: number;
  /** Keep each account's steps in the rounds (default true). */
  readonly details?: boolean;
  /**
   * How an account in liquidation with positive equity is cut: `policy` (default: the policy's own rule, as the venue
   * does it) or `least-cost` (the engine's planner, planner.ts; far slower). Bankrupt accounts are closed whole either way.
   */
  readonly planner?: "policy" | "least-cost";
  /**
   * Called after each round with (the path's ticks consumed, path length + 1) and with (path length + 1, path length
   * + 1) once the book has settled (the last unit is the rounds after the path's last tick): a progress bar.
   */
  readonly onProgress?: (done: number, total: number) => void;
}

/** One account's liquidation step in a round. */
export interface CascadeStep {
  readonly account: string;
  readonly action: StepPlan["action"];
  readonly keepFraction: number;
  readonly closedNotionalUsd: number;
  readonly slippageUsd: number;
  readonly discountUsd: number;
  readonly feeUsd: number;
  readonly feeToFundUsd: number;
  readonly equityBeforeUsd: number;
  readonly equityAfterUsd: number;
  /** Negative equity once its positions are closed (0 when solvent), and who paid it. */
  readonly shortfallUsd: number;
  readonly fundDrawUsd: number;
  readonly adlUsd: number;
  readonly socializedUsd: number;
}

/** A round as `netrisk cascade --json` prints it (one JSON line, `type: "round"`). */
export interface CascadeRound {
  readonly type: "round";
  readonly round: number;
  readonly ts: string;
  /** Index per underlying after this round's tick (exogenous path × impact), USD. */
  readonly indexUsd: Readonly<Record<string, number>>;
  /** Log move the previous round's orders added this round, per underlying (before recovery). */
  readonly impactLogMove: Readonly<Record<string, number>>;
  /** Net order this round's liquidations send, per underlying, USD (+ buy). */
  readonly orderUsd: Readonly<Record<string, number>>;
  /** Accounts liquidated for the first time in this round. */
  readonly liquidatedAccounts: number;
  /** Accounts liquidated this round (first or later step). */
  readonly liquidationSteps: number;
  readonly bankruptAccounts: number;
  readonly liquidatedNotionalUsd: number;
  readonly slippageUsd: number;
  readonly feesUsd: number;
  readonly insuranceFundFeesUsd: number;
  readonly shortfallUsd: number;
  readonly insuranceFundDrawUsd: number;
  readonly adlUsd: number;
  readonly socializedUsd: number;
  readonly insuranceFundBalanceUsd: number;
  readonly steps?: readonly CascadeStep[];
}

export interface CascadeSummary {
  readonly accounts: number;
  readonly policy: { readonly name: string; readonly version: string };
  readonly impact: { readonly name: string; readonly version: string };
  readonly pathTicks: number;
  readonly rounds: number;
  readonly truncated: boolean;
  readonly startMarks: Readonly<Record<string, number>>;
  readonly finalMarks: Readonly<Record<string, number>>;
  readonly liquidatedAccounts: number;
  readonly bankruptAccounts: number;
  /** Accounts in liquidation the policy could not act on (no position left to cut, equity ≥ 0). */
  readonly stuckAccounts: number;
  readonly liquidatedNotionalUsd: number;
  readonly slippageUsd: number;
  readonly auctionDiscountUsd: number;
  readonly liquidationFeesUsd: number;
  readonly liquidatorFeesUsd: number;
  readonly bankruptShortfallUsd: number;
  readonly insuranceFundStartUsd: number;
  readonly insuranceFundUsedUsd: number;
  readonly insuranceFundFeesUsd: number;
  readonly insuranceFundEndUsd: number;
  readonly adlUsd: number;
  readonly adlAccounts: number;
  readonly socializedLossUsd: number;
}

export interface CascadeResult {
  readonly rounds: readonly CascadeRound[];
  readonly summary: CascadeSummary;
}

const LIQUIDATING = new Set(["liquidation", "bankrupt"]);
/** Negative equity this small after closing is floating-point rounding, not a shortfall (USD). */
const DUST_USD = 0.005;

/** Run a cascade (see the module doc). Issues: `invalid_value` (options), a tick the core rejects (path `path[r]`). */
export function runCascade(options: CascadeOptions): Result<CascadeResult> {
  const { core, policy, impact, path } = options;
  const maxRounds = options.maxRounds ?? 10_000;
  const details = options.details ?? true;
  if (!(Number.isFinite(options.insuranceFundUsd) && options.insuranceFundUsd >= 0)) return fail(issue("invalid_value", "insuranceFundUsd", `must be a finite amount ≥ 0, got ${options.insuranceFundUsd}`));
  if (!(Number.isSafeInteger(maxRounds) && maxRounds >= 1)) return fail(issue("invalid_value", "maxRounds", `must be an integer ≥ 1, got ${maxRounds}`));
  const start = core.market();
  const bases = [...new Set(Object.keys(start.instruments).map((n) => n.split("-")[0] as string))].filter((b) => start.indexUsd[b] !== undefined).sort();
  const startMarks = Object.fromEntries(bases.map((b) => [b, start.indexUsd[b] as number]));
  const exogenous: Record<string, number> = { ...startMarks };
  const displacement = new Map<string, number>(bases.map((b) => [b, 0]));
  let pendingOrders = new Map<string, number>();
  let seq = core.lastSeq() + 1;
  let ts = start.timestampMs;

  // Accounts the cascade is done with (bankrupt and settled, or nothing left to cut), and the ones in liquidation.
  const done = new Set<string>();
  const stuck = new Set<string>();
  const liquidating = new Set<string>();
  const everLiquidated = new Set<string>();
  const bankrupt = new Set<string>();
  const adlAccounts = new Set<string>();
  /** Share of its positions at the start of its liquidation an account has had cut, and its notional then. */
  const cut = new Map<string, number>();
  const firstNotional = new Map<string, number>();
  // The accounts in liquidation, kept from the core's health_changed events (a scan of every account's figures after
  // each tick would cost more than the tick itself on a large book).
  const ids = core.accountIds();
  const order = new Map(ids.map((id, k) => [id, k]));
  for (const id of ids) if (LIQUIDATING.has(core.figures(id)?.state ?? "healthy")) liquidating.add(id);
  const watch = (events: readonly LiveEvent[]): void => {
    for (const e of events) {
      if (e.type !== "health_changed") continue;
      if (LIQUIDATING.has(e.to)) liquidating.add(e.account);
      else liquidating.delete(e.account);
    }
  };

  let fund = options.insuranceFundUsd;
  const totals = { notional: 0, slippage: 0, discount: 0, fees: 0, feesToFund: 0, shortfall: 0, draw: 0, adl: 0, socialized: 0 };
  const rounds: CascadeRound[] = [];
  const issues: Issue[] = [];
  const feed = (input: LiveInput, where: string): boolean => {
    const out = core.apply(input);
    if (out.status !== "applied") {
      issues.push(...out.issues.map((i) => issue(i.code as Issue["code"], `${where}.${i.path}`, i.message)));
      return false;
    }
    watch(out.events);
    return true;
  };
  const reduce = (account: string, keepFraction: number, cashUsd: number, reason: string, where: string, currency = cashCurrencyOf(core, account)): boolean => {
    return feed({ kind: "reduce", seq: seq++, timestampMs: ts, account, keepFraction, currency, cashUsd, reason }, where);
  };

  let truncated = false;
  // Rounds: the path's ticks in order; after a round that liquidated, the policy's next round comes `roundSeconds`
  // later with the impact of its orders, unless the path's next tick comes first. Quiet rounds jump to the next tick.
  let next = 0;
  let busy = false;
  for (let r = 0; ; r++) {
    if (r >= maxRounds) {
      truncated = true;
      break;
    }
    const due = path[next];
    const pathTick = due !== undefined && (!busy || due.timestampMs <= ts + policy.roundSeconds * 1000) ? due : undefined;
    if (pathTick !== undefined) next++;
    const nextTs = pathTick !== undefined ? Math.max(ts, pathTick.timestampMs) : ts + policy.roundSeconds * 1000;
    const dt = (nextTs - ts) / 1000;
    const impactLogMove: Record<string, number> = {};
    const moved = new Set<string>();
    for (const b of bases) {
      const before = displacement.get(b) ?? 0;
      const added = logImpact(impact, b, pendingOrders.get(b) ?? 0);
      const d = decayed(impact, b, before, dt) + added;
      if (added !== 0) impactLogMove[b] = added;
      if (d !== before) moved.add(b);
      displacement.set(b, d);
    }
    for (const [b, v] of Object.entries(pathTick?.indexUsd ?? {})) {
      exogenous[b] = v;
      moved.add(b);
    }
    ts = nextTs;
    if (pathTick !== undefined || moved.size > 0) {
      const indexUsd: Record<string, number> = {};
      for (const [c, v] of Object.entries(pathTick?.indexUsd ?? {})) indexUsd[c] = v;
      for (const b of moved) if (exogenous[b] !== undefined) indexUsd[b] = (exogenous[b] as number) * Math.exp(displacement.get(b) ?? 0);
      const tick: Tick = { ...(pathTick ?? {}), seq, timestampMs: ts, indexUsd };
      if (!feed({ kind: "tick", tick, seq: seq++ }, `path[${r}]`)) return fail(...issues);
    }
    // This round's liquidations, in book order.
    const plans: { plan: StepPlan; figures: LiveFigures; currency: string; holdings?: PlannerStep }[] = [];
    const market = core.marketContext();
    for (const id of [...liquidating].sort((a, b) => (order.get(a) as number) - (order.get(b) as number))) {
      if (done.has(id)) continue;
      const f = core.figures(id) as LiveFigures;
      if (f.liquidationSuspended) continue;
      const held = core.account(id);
      if (held === undefined) continue;
      if (held.positions.length === 0 && f.equityUsd >= 0) {
        stuck.add(id);
        done.add(id);
        continue;
      }
      const planned = options.planner === "least-cost" && f.equityUsd > 0 ? plannerStep(policy, f, core.accountForEngine(id) as Account, market) : undefined;
      const plan = planned?.plan ?? planStep(policy, f, held.positions, market, cut.get(id) ?? 0, firstNotional.get(id));
      // In liquidation by the core's hysteresis but past the policy's own end (an auction's buffer restored): wait.
      if (plan.keepFraction === 1 && f.equityUsd >= 0) continue;
      if (!firstNotional.has(id)) firstNotional.set(id, plan.notionalBeforeUsd);
      plans.push({ plan, figures: f, currency: cashCurrencyOfHeld(held, market), ...(planned !== undefined ? { holdings: planned } : {}) });
    }
    const orders = new Map<string, number>();
    for (const { plan } of plans) for (const [b, usd] of plan.ordersUsd) orders.set(b, (orders.get(b) ?? 0) + usd);
    const roundMove = new Map([...orders].map(([b, usd]) => [b, logImpact(impact, b, usd)]));
    const adl = new AdlBook(core, (id) => done.has(id) || liquidating.has(id));
    const steps: CascadeStep[] = [];
    const sum = { notional: 0, slippage: 0, fees: 0, feesToFund: 0, shortfall: 0, draw: 0, adl: 0, socialized: 0, bankrupt: 0, first: 0 };
    for (const { plan, currency, holdings } of plans) {
      let slip = 0;
      for (const [b, usd] of plan.ordersUsd) slip += slippageUsd(usd, roundMove.get(b) ?? 0);
      const left = plan.equityBeforeUsd - slip - plan.discountUsd;
      const fee = Math.min(plan.nominalFeeUsd, Math.max(0, left));
      const feeToFund = fee * policy.fee.toInsuranceFund;
      if (holdings !== undefined) {
        if (!feed({ kind: "holdings", seq: seq++, timestampMs: ts, account: plan.account, positions: holdings.positions, balances: holdings.balances, reason: `cascade round ${r}, least-cost plan` }, `round[${r}].${plan.account}`)) return fail(...issues);
        if (!reduce(plan.account, 1, -(slip + fee), `cascade round ${r}, costs`, `round[${r}].${plan.account}`, currency)) return fail(...issues);
      } else if (!reduce(plan.account, plan.keepFraction, -(slip + plan.discountUsd + fee), `cascade round ${r}, ${plan.action}`, `round[${r}].${plan.account}`, currency)) return fail(...issues);
      fund += feeToFund;
      if (policy.rule.kind === "partial") {
        const before = cut.get(plan.account) ?? 0;
        cut.set(plan.account, plan.keepFraction === 0 ? 1 : 1 - (1 - before) * plan.keepFraction);
      }
      if (!everLiquidated.has(plan.account)) {
        everLiquidated.add(plan.account);
        sum.first++;
      }
      let equityAfter = (core.figures(plan.account) as LiveFigures).equityUsd;
      let shortfall = 0;
      let draw = 0;
      let adlPaid = 0;
      let socialized = 0;
      // Below half a cent of negative equity is rounding (a takeover's fee is the whole equity), not a bankruptcy.
      if (plan.keepFraction === 0 && equityAfter < -DUST_USD) {
        // Bankrupt: the waterfall pays the negative equity, and the account is settled at 0.
        shortfall = -equityAfter;
        draw = Math.min(fund, shortfall);
        fund -= draw;
        let rest = shortfall - draw;
        if (rest > 0 && policy.bankruptcy.then === "adl") {
          for (const d of adl.take(rest, plan.sideCoin)) {
            if (!reduce(d.account, 1, -d.usd, `ADL for ${plan.account} in cascade round ${r}`, `round[${r}].adl.${d.account}`)) return fail(...issues);
            adlPaid += d.usd;
            adlAccounts.add(d.account);
          }
          rest = Math.max(0, rest - adlPaid);
        }
        socialized = rest;
        if (!reduce(plan.account, 1, shortfall, `bankruptcy settled in cascade round ${r}`, `round[${r}].${plan.account}`)) return fail(...issues);
        equityAfter = (core.figures(plan.account) as LiveFigures).equityUsd;
        bankrupt.add(plan.account);
        done.add(plan.account);
        sum.bankrupt++;
      } else if (plan.keepFraction === 0) done.add(plan.account);
      sum.notional += plan.closedNotionalUsd;
      sum.slippage += slip + plan.discountUsd;
      sum.fees += fee;
      sum.feesToFund += feeToFund;
      sum.shortfall += shortfall;
      sum.draw += draw;
      sum.adl += adlPaid;
      sum.socialized += socialized;
      totals.discount += plan.discountUsd;
      totals.slippage += slip;
      if (details) {
        steps.push({
          account: plan.account,
          action: plan.action,
          keepFraction: plan.keepFraction,
          closedNotionalUsd: plan.closedNotionalUsd,
          slippageUsd: slip,
          discountUsd: plan.discountUsd,
          feeUsd: fee,
          feeToFundUsd: feeToFund,
          equityBeforeUsd: plan.equityBeforeUsd,
          equityAfterUsd: equityAfter,
          shortfallUsd: shortfall,
          fundDrawUsd: draw,
          adlUsd: adlPaid,
          socializedUsd: socialized,
        });
      }
    }
    totals.notional += sum.notional;
    totals.fees += sum.fees;
    totals.feesToFund += sum.feesToFund;
    totals.shortfall += sum.shortfall;
    totals.draw += sum.draw;
    totals.adl += sum.adl;
    totals.socialized += sum.socialized;
    const now = core.market();
    rounds.push({
      type: "round",
      round: r,
      ts: new Date(ts).toISOString(),
      indexUsd: Object.fromEntries(bases.map((b) => [b, now.indexUsd[b] as number])),
      impactLogMove,
      orderUsd: Object.fromEntries(orders),
      liquidatedAccounts: sum.first,
      liquidationSteps: plans.length,
      bankruptAccounts: sum.bankrupt,
      liquidatedNotionalUsd: sum.notional,
      slippageUsd: sum.slippage,
      feesUsd: sum.fees,
      insuranceFundFeesUsd: sum.feesToFund,
      shortfallUsd: sum.shortfall,
      insuranceFundDrawUsd: sum.draw,
      adlUsd: sum.adl,
      socializedUsd: sum.socialized,
      insuranceFundBalanceUsd: fund,
      ...(details ? { steps } : {}),
    });
    pendingOrders = orders;
    busy = plans.length > 0;
    options.onProgress?.(next, path.length + 1);
    // The end: the path is over and the round liquidated nobody (so no order is left to move the market).
    if (next >= path.length && !busy) break;
  }
  options.onProgress?.(path.length + 1, path.length + 1);
  const end = core.market();
  return ok({
    rounds,
    summary: {
      accounts: ids.length,
      policy: { name: policy.name, version: policy.version },
      impact: { name: impact.name, version: impact.version },
      pathTicks: path.length,
      rounds: rounds.length,
      truncated,
      startMarks,
      finalMarks: Object.fromEntries(bases.map((b) => [b, end.indexUsd[b] as number])),
      liquidatedAccounts: everLiquidated.size,
      bankruptAccounts: bankrupt.size,
      stuckAccounts: stuck.size + [...liquidating].filter((id) => !done.has(id)).length,
      liquidatedNotionalUsd: totals.notional,
      slippageUsd: totals.slippage,
      auctionDiscountUsd: totals.discount,
      liquidationFeesUsd: totals.fees,
      liquidatorFeesUsd: totals.fees - totals.feesToFund,
      bankruptShortfallUsd: totals.shortfall,
      insuranceFundStartUsd: options.insuranceFundUsd,
      insuranceFundUsedUsd: totals.draw,
      insuranceFundFeesUsd: totals.feesToFund,
      insuranceFundEndUsd: fund,
      adlUsd: totals.adl,
      adlAccounts: adlAccounts.size,
      socializedLossUsd: totals.socialized,
    },
  });
}

/**
 * The currency an account's cash flows are booked in: its largest balance by USD value (the one a venue would debit
 * first), else the settlement currency of its first position, else USDC.
 */
function cashCurrencyOf(core: LiveCore, id: string): string {
  const held = core.account(id);
  return held === undefined ? "USDC" : cashCurrencyOfHeld(held, core.marketContext());
}

function cashCurrencyOfHeld(held: HeldAccount, market: MarketContext): string {
  let best: string | undefined;
  let bestUsd = 0;
  for (const [c, amount] of Object.entries(held.balances)) {
    const usd = amount * currencyUsdRate(market, c);
    if (usd > bestUsd) {
      best = c;
      bestUsd = usd;
    }
  }
  return best ?? held.positions[0]?.instrument.settlementCurrency ?? "USDC";
}
