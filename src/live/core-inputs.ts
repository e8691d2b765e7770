/**
 * Account inputs of the live core: balance changes (deposits, withdrawals, transfers) re-margin their account alone.
 * @module
 */
import { applyFill, balanceChangeIssue } from "../account/fills.js";
import type { Fill } from "../account/fills.js";
import type { Result } from "../errors.js";
import { fail, issue, ok } from "../errors.js";
import { hasUsdRate } from "../risk/marks.js";
import type { StepResult } from "./core-breakers.js";
import type { DraftEvent } from "./events.js";
import type { GenericAccount } from "./generic.js";
import type { RiskMatrixGroup } from "./group.js";
import { groupPositions, setGroupAccount } from "./group.js";
import type { LivePosition } from "./book.js";
import { positionsDocument, positionsFromDocument } from "./documents.js";
import type { MarginModel } from "../models/types.js";
import { regroup } from "./regroup.js";
import type { CoreState, Slot } from "./state.js";
import { computeFigures, heldAccount, takeFigures } from "./state.js";

/** Replace account i's holdings and re-margin it alone; events to `drafts`. */
export function replaceHoldings(state: CoreState, i: number, positions: readonly LivePosition[], balances: Readonly<Record<string, number>>, cause: string, drafts: DraftEvent[]): Result<StepResult> {
  const slot = state.slots[i] as Slot;
  if (slot.group < 0) {
    const g = state.generic[slot.local] as GenericAccount;
    const before = { positions: g.positions, balances: g.balances };
    g.positions = [...positions];
    g.balances = { ...balances };
    const f = computeFigures(state, i);
    if (f === undefined) {
      g.positions = before.positions;
      g.balances = before.balances;
      return fail(issue("unsupported", "account", `model ${g.model.id} cannot margin the account after this change`));
    }
    const changed = takeFigures(state, i, f, cause, drafts);
    return ok({ changed: changed ? [i] : [], warnings: [], rowsRebuilt: 0, remargined: 1 });
  }
  setGroupAccount(state.groups[slot.group] as RiskMatrixGroup, slot.local, positions, balances);
  return takeNewFigures(state, i, cause, drafts);
}

/** Account i's figures after its risk-matrix group was given its new holdings (events to `drafts`). */
export function takeNewFigures(state: CoreState, i: number, cause: string, drafts: DraftEvent[]): Result<StepResult> {
  const f = computeFigures(state, i);
  if (f === undefined) return fail(issue("internal", "account", "figures lost"));
  const changed = takeFigures(state, i, f, cause, drafts);
  return ok({ changed: changed ? [i] : [], warnings: [], rowsRebuilt: 0, remargined: 1 });
}

/** Current positions of account i (canonical order for risk-matrix accounts). */
export function positionsNow(state: CoreState, i: number): LivePosition[] {
  const slot = state.slots[i] as Slot;
  if (slot.group < 0) return [...(state.generic[slot.local] as GenericAccount).positions];
  return groupPositions(state.groups[slot.group] as RiskMatrixGroup, slot.local);
}

export function balancesNow(state: CoreState, i: number): Record<string, number> {
  const slot = state.slots[i] as Slot;
  if (slot.group < 0) return { ...(state.generic[slot.local] as GenericAccount).balances };
  return { ...(state.groups[slot.group] as RiskMatrixGroup).accounts[slot.local]?.balances };
}

/**
 * A balance change: `amount` (signed, in `currency`) added to the account's balance. Issues: `unknown_account`
 * (path `account`), `missing_index` (a currency the market cannot price), `non_finite`/`invalid_value`/`out_of_range`
 * (amount: the amount or the balance it leaves outside ±1e15, market/bounds.ts).
 */
export function applyBalanceChange(
  state: CoreState,
  input: { readonly account: string; readonly currency: string; readonly amount: number; readonly reason?: string; readonly seq: number },
  drafts: DraftEvent[],
): Result<StepResult> {
  const i = state.byId.get(input.account);
  if (i === undefined) return fail(issue("unknown_account", "account", `no account ${input.account} in the live book`));
  if (!Number.isFinite(input.amount)) return fail(issue("non_finite", "amount", `amount must be finite, got ${input.amount}`));
  if (input.amount === 0) return fail(issue("invalid_value", "amount", "a balance change of 0"));
  if (!hasUsdRate(state.market.context, input.currency)) return fail(issue("missing_index", "currency", `no USD price for ${input.currency} in the market`));
  const balances = balancesNow(state, i);
  // Inside the engine's bounds every figure stays finite (market/bounds.ts); outside, nothing is written.
  const bad = balanceChangeIssue(balances[input.currency] ?? 0, input.amount, input.currency, "amount");
  if (bad !== undefined) return fail(bad);
  balances[input.currency] = (balances[input.currency] ?? 0) + input.amount;
  const cause = `balance ${input.currency} ${input.amount > 0 ? "+" : ""}${input.amount}${input.reason ? ` (${input.reason})` : ""} at input ${input.seq}`;
  return replaceHoldings(state, i, positionsNow(state, i), balances, cause, drafts);
}

/**
 * A fill on an account: the service's pure fill function (account/fills.ts) on the account's file, then the account
 * re-margined alone. A fill is a fact: a price far from the mark is a warning (`price_far_from_mark`), never a refusal.
 * Issues: `unknown_account` (path `account`), the fill function's (paths under `fill`).
 */
export function applyFillInput(
  state: CoreState,
  input: { readonly account: string; readonly fill: Fill; readonly seq: number },
  drafts: DraftEvent[],
): Result<StepResult> {
  const i = state.byId.get(input.account);
  if (i === undefined) return fail(issue("unknown_account", "account", `no account ${input.account} in the live book`));
  const held = heldAccount(state, i);
  const market = state.market.context;
  const r = applyFill(positionsDocument(held), input.fill, market, { priceBandDecimal: held.rules.fills.priceBandDecimal, path: "fill" });
  if (!r.ok) return r;
  const positions = positionsFromDocument(r.value.document, market, state.market.listing);
  if (!positions.ok) return positions;
  const f = input.fill;
  const size = f.size !== undefined ? `${f.size}` : `${f.sizeUsd} USD`;
  const cause = `fill${f.tradeId !== undefined ? ` ${f.tradeId}` : ""}: ${r.value.instrument} ${size} @ ${f.price} at input ${input.seq}`;
  const step = replaceHoldings(state, i, positions.value, r.value.document.collateral, cause, drafts);
  if (!step.ok) return step;
  const warnings = r.value.warnings.map((w) => ({ code: w.code, path: w.path, message: w.message }));
  return ok({ ...step.value, warnings: [...step.value.warnings, ...warnings] });
}

/**
 * A new version of a parameter set: every account on the set `name` moves to `model` (bound to the new version).
 * Risk-matrix groups holding such accounts are rebuilt on the new parameters (rows, books); every account of them is
 * re-margined. A scenario widening in force by a circuit breaker does not carry over: the new version replaces it. Issues: `invalid_value` when no account is on the set.
 */
export function applyParameterVersion(
  state: CoreState,
  input: { readonly parameterSetName: string; readonly model: MarginModel; readonly seq: number },
  drafts: DraftEvent[],
): Result<StepResult> {
  const matching = state.slots.map((s, i) => (s.parameterSetName === input.parameterSetName ? i : -1)).filter((i) => i >= 0);
  if (matching.length === 0) return fail(issue("invalid_value", "parameterSetName", `no account is on the parameter set ${input.parameterSetName}`));
  const from = heldAccount(state, matching[0] as number).model.parameterSet;
  const replaced = regroup(state, new Set(matching), input.model);
  if (!replaced.ok) return replaced;
  drafts.push({
    type: "parameters_changed",
    parameterSet: { name: input.parameterSetName, from: from.version, to: input.model.parameterSet.version, effective: input.model.parameterSet.effective },
    reason: "a new version of the parameter set was published",
    accounts: matching.length,
  });
  const cause = `parameter set ${input.parameterSetName} ${from.version} → ${input.model.parameterSet.version} at input ${input.seq}`;
  const changed: number[] = [];
  for (const i of replaced.value) {
    const f = computeFigures(state, i);
    if (f === undefined) return fail(issue("internal", "model", "figures lost"));
    if (takeFigures(state, i, f, cause, drafts)) changed.push(i);
  }
  return ok({ changed, warnings: [], rowsRebuilt: 0, remargined: replaced.value.length });
}
