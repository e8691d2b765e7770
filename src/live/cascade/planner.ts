/**
 * The engine's least-cost liquidation planner as a cascade's liquidation rule (the option `planner: "least-cost"`;
 * the default is the policy's own rule, as the venue does it): account/liquidation.ts plans the cheapest partial
 * reduction to the target ratio on the account at the round's market (its trades at the mark ± half-spread, its
 * conversions), and the account's holdings after the plan go into the core. The policy still sets the execution
 * (orders to the market or to the fund), the fee and the bankruptcy waterfall; the planner's own fee is off.
 * @module
 */
import { applyLiquidationPlan, planLiquidation } from "../../account/liquidation.js";
import type { Account } from "../../account/account.js";
import type { MarketContext } from "../../market/context.js";
import type { DerivativeInstrument } from "../../market/types.js";
import type { LivePosition } from "../book.js";
import type { LiveFigures } from "../core.js";
import type { LiquidationPolicy } from "./policy.js";
import { feeOf, notionalUsd } from "./steps.js";
import type { StepPlan } from "./steps.js";

/** A step planned by the least-cost planner: the holdings after it, and the step's figures as a {@link StepPlan}. */
export interface PlannerStep {
  readonly plan: StepPlan;
  readonly positions: readonly LivePosition[];
  readonly balances: Readonly<Record<string, number>>;
}

function livePositions(account: Account, market: MarketContext): LivePosition[] {
  const out: LivePosition[] = [];
  for (const p of account.positions) {
    if (p.instrument.kind === "spot" || p.sizeCoin === 0) continue;
    const inst = p.instrument as DerivativeInstrument;
    out.push({
      instrument: inst,
      sizeCoin: p.sizeCoin,
      ...(p.sizeConvention === "usd" && inst.kind !== "option" ? { notionalUsd: p.sizeCoin * market.futureMarkUsd(inst) } : {}),
      ...(p.averagePrice !== undefined ? { averagePrice: p.averagePrice } : {}),
      ...(p.unrealisedPnlUsdc !== undefined ? { unrealisedPnlUsdc: p.unrealisedPnlUsdc } : {}),
      ...(p.unrealisedFundingUsdc !== undefined ? { unrealisedFundingUsdc: p.unrealisedFundingUsdc } : {}),
    });
  }
  return out;
}

/** Plan one account's step with the least-cost planner, or undefined when it has nothing to do or fails. */
export function plannerStep(policy: LiquidationPolicy, figures: LiveFigures, account: Account, market: MarketContext): PlannerStep | undefined {
  const r = planLiquidation(account, { feeRateDecimal: 0, ...(policy.rule.kind === "partial" ? { targetRatio: policy.rule.targetRatio } : {}) });
  // An account the planner cannot restore (or has nothing to do for) is left to the policy's own rule.
  if (!r.ok || r.value.status !== "restored" || r.value.steps.length === 0) return undefined;
  const after = applyLiquidationPlan(account, r.value);
  const before = livePositions(account, market);
  const positions = livePositions(after, market);
  const sizeOf = (ps: readonly LivePosition[]): Map<string, LivePosition> => new Map(ps.map((p) => [p.instrument.name, p]));
  const a = sizeOf(before);
  const b = sizeOf(positions);
  let notionalBefore = 0;
  let closed = 0;
  const orders = new Map<string, number>();
  const sideCoin = new Map<string, number>();
  for (const p of before) {
    notionalBefore += notionalUsd(p, market);
    if (p.instrument.kind !== "option") sideCoin.set(p.instrument.base, (sideCoin.get(p.instrument.base) ?? 0) + p.sizeCoin);
  }
  for (const name of new Set([...a.keys(), ...b.keys()])) {
    const p0 = a.get(name);
    const p1 = b.get(name);
    const inst = (p0 ?? p1)?.instrument as DerivativeInstrument;
    const delta = (p1?.sizeCoin ?? 0) - (p0?.sizeCoin ?? 0);
    if (delta === 0) continue;
    closed += notionalUsd({ instrument: inst, sizeCoin: delta }, market);
    if (policy.execution === "market" && inst.kind !== "option") orders.set(inst.base, (orders.get(inst.base) ?? 0) + delta * market.futureMarkUsd(inst));
  }
  const share = notionalBefore > 0 ? Math.min(1, closed / notionalBefore) : 1;
  const keep = positions.length === 0 ? 0 : 1 - share;
  return {
    positions,
    balances: after.balances,
    plan: {
      account: figures.account,
      keepFraction: keep,
      action: "planner",
      closedNotionalUsd: closed,
      ordersUsd: orders,
      discountUsd: 0,
      nominalFeeUsd: feeOf(policy, share, notionalBefore, figures.maintenanceMarginUsd, figures.equityUsd),
      equityBeforeUsd: figures.equityUsd,
      maintenanceMarginBeforeUsd: figures.maintenanceMarginUsd,
      notionalBeforeUsd: notionalBefore,
      sideCoin,
    },
  };
}
