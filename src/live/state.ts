/**
 * The live core's state and the account-level bookkeeping shared by every input: figures per account, health with
 * hysteresis, the events of a change (health, margin call, liquidation with the engine's plan), stale flags and the
 * circuit breakers' effect on an account. Pure; the state is owned by one core (./core.ts) and changed only inside
 * an input it accepted.
 * @module
 */
import type { Account } from "../account/account.js";
import { createMarginEngine, subsetRiskArrayRows } from "../account/engine.js";
import type { MarginEngine } from "../account/engine.js";
import { HEALTH_STATES, maintenanceRatioOf, severity } from "../account/health.js";
import type { HealthFigures, HealthState } from "../account/health.js";
import { planLiquidation } from "../account/liquidation.js";
import type { LiquidationPlan } from "../account/liquidation.js";
import type { AccountRules } from "../account/rules.js";
import type { Trade } from "../account/trades.js";
import type { MarginModel } from "../models/types.js";
import { actionsOf } from "./breakers.js";
import type { BreakerAction, BreakerRules, UnderlyingBreakers } from "./breakers.js";
import type { DraftEvent, StaleFlag } from "./events.js";
import type { HeadlineFigures } from "./fast-margin.js";
import type { GenericAccount } from "./generic.js";
import { atMarks, genericAccount, genericExposure, genericFigures, resolvedPositions } from "./generic.js";
import type { RiskMatrixGroup } from "./group.js";
import { groupExposure, groupFigures, groupPositions } from "./group.js";
import { healthyAmountUsd, marginCallAmountUsd, nextHealthState, nextHealthStateOnly, rawHealthState } from "./health.js";
import type { LiveMarket } from "./market.js";
import type { LiveParams } from "./params.js";
import type { LivePosition } from "./book.js";
import type { RemarginExecutor } from "./chunk.js";

/** Where an account lives: a risk-matrix group and its index there, or the generic list (group −1). */
export interface Slot {
  readonly id: string;
  readonly group: number;
  readonly local: number;
  /** Name of the account's parameter set (preset name, `inline`, `<preset>+overrides`, or a stored set's name). */
  readonly parameterSetName: string;
}

export interface CoreState {
  market: LiveMarket;
  params: LiveParams;
  rules: BreakerRules;
  breakers: Map<string, UnderlyingBreakers>;
  readonly groups: RiskMatrixGroup[];
  readonly generic: GenericAccount[];
  readonly slots: Slot[];
  readonly byId: Map<string, number>;
  readonly health: Uint8Array;
  /** Held figures per account. Replaced by a tick's re-margin (core-breakers.ts swaps in the pass's outputs). */
  equityUsd: Float64Array;
  imUsd: Float64Array;
  mmUsd: Float64Array;
  /** A liquidation event was emitted for the account's current liquidation episode. */
  readonly liquidationOpen: Uint8Array;
  /** Stale flag in force on the account's last figures (0/1), to report a change of it. */
  readonly staleShown: Uint8Array;
  lastSeq: number;
  lastTickSeq: number;
  nowMs: number;
  readonly counters: Map<string, number>;
  /** Margin engines per (group, market version), for plans and documents (seeded with the group's arrays). */
  engines: Map<number, MarginEngine>;
  enginesVersion: number;
  /** Global account index of each group's local accounts (group −1: the generic accounts), built on first use. */
  readonly globalOf: Map<number, Int32Array>;
  /** Per-account scratch arrays of the re-margin (core-breakers.ts), reused from input to input. */
  readonly scratch: Map<string, Float64Array>;
  /** Reusable array of changed account indices (core-breakers.ts). */
  changedScratch: Int32Array;
  /** Reusable per-account touched marks of a re-margin (core-breakers.ts; SharedArrayBuffer). */
  touchedScratch: Uint8Array;
  /** [changed, re-margined] counts of the hand-off loop of a re-margin (core-breakers.ts), reused. */
  readonly handOffCounts: Int32Array;
  /** Other threads for the per-account pass of a re-margin (an adapter's; none: this thread alone). */
  readonly executor: RemarginExecutor | undefined;
  /** Attach the least-cost planner's plan to liquidation events (off in a cascade, where the policy decides). */
  readonly liquidationPlans: boolean;
}

export const stateIndex = (s: HealthState): number => HEALTH_STATES.indexOf(s);
export const stateName = (i: number): HealthState => HEALTH_STATES[i] as HealthState;

export function count(state: CoreState, key: string): void {
  state.counters.set(key, (state.counters.get(key) ?? 0) + 1);
}

/** The model, rules, positions and balances of an account as the core holds them. */
export interface HeldAccount {
  readonly id: string;
  readonly parameterSetName: string;
  readonly model: MarginModel;
  readonly rules: AccountRules;
  readonly positions: readonly LivePosition[];
  readonly balances: Readonly<Record<string, number>>;
  /** The parameter set the account's group started on, when a circuit breaker published a widened one since. */
  readonly baseParams?: RiskMatrixGroup["baseParams"];
}

export function heldAccount(state: CoreState, i: number): HeldAccount {
  const slot = state.slots[i] as Slot;
  if (slot.group < 0) {
    const g = state.generic[slot.local] as GenericAccount;
    return { id: slot.id, parameterSetName: slot.parameterSetName, model: g.model, rules: g.rules, positions: atMarks(g.positions, state.market.context), balances: g.balances };
  }
  const group = state.groups[slot.group] as RiskMatrixGroup;
  const acct = group.accounts[slot.local];
  if (acct === undefined) throw new Error(`slot ${slot.id} lost its account`);
  return { id: slot.id, parameterSetName: slot.parameterSetName, model: group.model, rules: acct.rules, positions: groupPositions(group, slot.local), balances: acct.balances, ...(group.paramsSerial > 0 ? { baseParams: group.baseParams } : {}) };
}

/** An account-layer {@link Account} of a held account on the current market (engine seeded with the live arrays). */
export function accountOf(state: CoreState, i: number): Account {
  const slot = state.slots[i] as Slot;
  if (slot.group < 0) return genericAccount(state.generic[slot.local] as GenericAccount, state.market.context);
  if (state.enginesVersion !== state.market.version) {
    state.engines = new Map();
    state.enginesVersion = state.market.version;
  }
  const group = state.groups[slot.group] as RiskMatrixGroup;
  let engine = state.engines.get(slot.group);
  if (engine === undefined || engine.model !== group.model) {
    engine = createMarginEngine(group.model, state.market.context, { coinCollateralOffset: group.offsetAllowed, seedArrays: group.arrays });
    state.engines.set(slot.group, engine);
  }
  const held = heldAccount(state, i);
  return { positions: resolvedPositions(held.positions), balances: held.balances, rules: held.rules, engine, notes: [] };
}

/** The account rules of account i (no copy of its holdings). */
export function rulesOf(state: CoreState, i: number): AccountRules {
  const slot = state.slots[i] as Slot;
  if (slot.group < 0) return (state.generic[slot.local] as GenericAccount).rules;
  return ((state.groups[slot.group] as RiskMatrixGroup).accounts[slot.local] as { rules: AccountRules }).rules;
}

/** True when some underlying's breaker is not normal (else no account has a breaker effect to compute). */
export function anyBreakerActive(state: CoreState): boolean {
  for (const u of state.breakers.values()) if (u.state !== "normal") return true;
  return false;
}

/** Currencies an account is exposed to. */
export function exposureOf(state: CoreState, i: number): Set<string> {
  const slot = state.slots[i] as Slot;
  return slot.group < 0 ? genericExposure(state.generic[slot.local] as GenericAccount) : groupExposure(state.groups[slot.group] as RiskMatrixGroup, slot.local);
}

/** Breaker actions in force on any currency of `exposure`, and the stale flag they imply. */
const NO_EFFECT: { actions: ReadonlySet<BreakerAction>; stale: StaleFlag | undefined } = { actions: new Set(), stale: undefined };

export function breakerEffectOf(state: CoreState, i: number): { actions: ReadonlySet<BreakerAction>; stale: StaleFlag | undefined } {
  return anyBreakerActive(state) ? breakerEffect(state, exposureOf(state, i)) : NO_EFFECT;
}

export function breakerEffect(state: CoreState, exposure: ReadonlySet<string>): { actions: Set<BreakerAction>; stale: StaleFlag | undefined } {
  const actions = new Set<BreakerAction>();
  const staleBases: string[] = [];
  let age = 0;
  for (const c of exposure) {
    const u = state.breakers.get(c);
    if (u === undefined || u.state === "normal") continue;
    const acts = actionsOf(u.trips);
    for (const a of acts) actions.add(a);
    if (acts.includes("freeze_marks") || u.trips.some((t) => state.rules.rules.find((r) => r.id === t.ruleId)?.trigger.type === "stale_feed")) {
      staleBases.push(c);
      age = Math.max(age, state.nowMs - (state.market.snapshot.valuationTimesMs?.[c] ?? state.market.snapshot.timestampMs));
    }
  }
  return { actions, stale: staleBases.length > 0 ? { stale: true, inputAgeMs: age, underlyings: staleBases.sort() } : undefined };
}

/** Figures of account i on the current market (bucket margins of risk-matrix groups must be current). */
export function computeFigures(state: CoreState, i: number): HeadlineFigures | undefined {
  const slot = state.slots[i] as Slot;
  if (slot.group >= 0) return groupFigures(state.groups[slot.group] as RiskMatrixGroup, slot.local, state.market.context);
  const r = genericFigures(state.generic[slot.local] as GenericAccount, state.market.context);
  return r.ok ? r.value : undefined;
}

export function headlineOf(state: CoreState, i: number): HealthFigures {
  const e = state.equityUsd[i] as number;
  const mm = state.mmUsd[i] as number;
  return { equityUsd: e, initialMarginUsd: state.imUsd[i] as number, maintenanceMarginUsd: mm, maintenanceRatio: maintenanceRatioOf(e, mm) };
}

/** The liquidation plan of an account as JSON (trades flattened; the engine's plan otherwise as is). */
export function planJson(plan: LiquidationPlan): unknown {
  const trade = (t: Trade) => ({
    instrument: t.instrument.name,
    sizeCoin: t.sizeCoin,
    price: t.price,
    priceSource: t.priceSource,
    markPrice: t.markPrice,
    cash: t.cash,
    cashCurrency: t.cashCurrency,
    costUsd: t.costUsd,
  });
  return { ...plan, steps: plan.steps.map((s) => ({ ...s, trades: s.trades.map(trade) })) };
}

/**
 * The liquidation event of account i. Its plan is computed on first read (serialising the event reads it), not here:
 * a plan re-evaluates the account hundreds of times (~50–100 ms for 30 positions), far more than re-margining a whole
 * tick, and a tick that pushes many accounts into liquidation must not wait for all their plans. What the plan needs
 * is frozen now — a copy of the account with its own engine on the market of this input (rows copied, since the live
 * rows are patched in place by the next tick) — so the plan read later is the one planned at this input.
 */
function liquidationEvent(state: CoreState, i: number, deferred: boolean): DraftEvent {
  // A core that wants no plans (a cascade: the policy decides) does not even freeze the account for one.
  if (!state.liquidationPlans) {
    return {
      type: "liquidation",
      account: (state.slots[i] as Slot).id,
      state: stateName(state.health[i] as number),
      figures: headlineOf(state, i),
      plan: { status: "not_computed" },
      ...(deferred ? { deferred: true as const } : {}),
    };
  }
  let frozen: Account | undefined = accountOfCopy(state, i);
  let plan: unknown;
  const draft = {
    type: "liquidation" as const,
    account: (state.slots[i] as Slot).id,
    state: stateName(state.health[i] as number),
    figures: headlineOf(state, i),
    plan: undefined as unknown,
    ...(deferred ? { deferred: true as const } : {}),
  };
  Object.defineProperty(draft, "plan", {
    enumerable: true,
    configurable: true,
    get(): unknown {
      if (frozen !== undefined) {
        const r = planLiquidation(frozen, {});
        plan = r.ok ? planJson(r.value) : { status: "error", issues: r.issues };
        frozen = undefined;
      }
      return plan;
    },
  });
  return draft;
}

/**
 * An account-layer Account of account i that stays valid after later inputs: its engine is seeded with a copy of
 * the rows it needs (the live rows are patched in place by the next tick), its holdings are copies.
 */
export function accountOfCopy(state: CoreState, i: number): Account {
  const held = heldAccount(state, i);
  const slot = state.slots[i] as Slot;
  if (slot.group < 0) return { ...accountOf(state, i), balances: { ...held.balances } };
  const group = state.groups[slot.group] as RiskMatrixGroup;
  // The rows of its positions and the balance rows, in row order: looked up from the account's few positions, not by
  // a test on every row of the arrays (a tick's liquidation triggers each paid ~1 ms for that on the tick path).
  const { rowOf, balanceRowOf, instruments } = group.arrays;
  const keep = new Set<number>();
  for (const p of held.positions) {
    const r = rowOf.get(p.instrument.name);
    if (r !== undefined) keep.add(r);
  }
  for (const r of balanceRowOf.values()) if (balanceRowOf.get((instruments[r] as { base: string }).base) === r) keep.add(r);
  const seed = subsetRiskArrayRows(group.arrays, [...keep].sort((a, b) => a - b));
  const engine = createMarginEngine(group.model, state.market.context, { coinCollateralOffset: group.offsetAllowed, seedArrays: seed });
  // accountOf's account with this engine (not accountOf itself: it would build the group's engine for nothing).
  return { positions: resolvedPositions(held.positions), balances: { ...held.balances }, rules: held.rules, engine, notes: [] };
}

const LIQUIDATION = stateIndex("liquidation");

/**
 * Take new figures for account i: store them, move its health state (with hysteresis) and append the events of the
 * change to `out`. Returns true when the figures (or the stale flag) changed.
 * @param breakersActive - {@link anyBreakerActive} of the state, when the caller knows it (a tick's re-margin asks
 * once for all its accounts, not once per account).
 */
export function takeFigures(state: CoreState, i: number, f: HeadlineFigures, cause: string, out: DraftEvent[], breakersActive = anyBreakerActive(state)): boolean {
  const e0 = state.equityUsd[i] as number;
  const im0 = state.imUsd[i] as number;
  const mm0 = state.mmUsd[i] as number;
  const changed = !Object.is(e0, f.equityUsd) || !Object.is(im0, f.initialMarginUsd) || !Object.is(mm0, f.maintenanceMarginUsd);
  state.equityUsd[i] = f.equityUsd;
  state.imUsd[i] = f.initialMarginUsd;
  state.mmUsd[i] = f.maintenanceMarginUsd;
  const effect = breakersActive ? breakerEffect(state, exposureOf(state, i)) : NO_EFFECT;
  const staleNow = effect.stale !== undefined ? 1 : 0;
  const staleChanged = staleNow !== state.staleShown[i];
  state.staleShown[i] = staleNow;
  const heldIndex = state.health[i] as number;
  const held = stateName(heldIndex);
  const rules = rulesOf(state, i);
  // The common case: the raw state is the held one, nothing to explain (the reason strings cost more than the math).
  if (rawHealthState(f, rules.health) === held) {
    // Below liquidation with the state unchanged there is no trigger to emit (maybeLiquidate's first test).
    if (heldIndex >= LIQUIDATION) maybeLiquidate(state, i, effect.actions.has("suspend_liquidations"), true, out);
    return changed || staleChanged;
  }
  const suspended = effect.actions.has("suspend_liquidations");
  // Held by the hysteresis: no transition, so no reason to build.
  if (nextHealthStateOnly(held, f, rules.health, state.params.hysteresis) === held) {
    maybeLiquidate(state, i, suspended, severity(held) >= severity("liquidation"), out);
    return changed || staleChanged;
  }
  const next = nextHealthState(held, f, rules.health, state.params.hysteresis);
  const id = (state.slots[i] as Slot).id;
  if (next.state !== held) {
    state.health[i] = stateIndex(next.state);
    const worse = severity(next.state) > severity(held);
    out.push({
      type: "health_changed",
      account: id,
      from: held,
      to: next.state,
      direction: worse ? "worse" : "better",
      reason: next.reason,
      cause,
      before: { equityUsd: e0, initialMarginUsd: im0, maintenanceMarginUsd: mm0, maintenanceRatio: e0 > 0 ? mm0 / e0 : e0 === 0 && mm0 === 0 ? 0 : null },
      after: headlineOf(state, i),
      ...(suspended && severity(next.state) >= severity("liquidation") ? { liquidationSuspended: true as const } : {}),
      ...(effect.stale !== undefined ? { stale: effect.stale } : {}),
    });
    if (next.state === "margin_call" && worse) {
      const now = headlineOf(state, i);
      out.push({ type: "margin_call", account: id, amountNeededUsd: marginCallAmountUsd(now, rules.health, state.params.hysteresis), toHealthyUsd: healthyAmountUsd(now, rules.health, state.params.hysteresis), figures: now });
    }
    if (severity(next.state) < severity("liquidation")) state.liquidationOpen[i] = 0;
  }
  // Already in liquidation before this input without a trigger: it had been suspended (or the account started there).
  maybeLiquidate(state, i, suspended, severity(held) >= severity("liquidation"), out);
  return changed || staleChanged;
}

/** Emit the liquidation trigger of an account in liquidation (or bankrupt) that has not had one in this episode. */
export function maybeLiquidate(state: CoreState, i: number, suspended: boolean, deferred: boolean, out: DraftEvent[]): void {
  const s = stateName(state.health[i] as number);
  if (severity(s) < severity("liquidation") || state.liquidationOpen[i] === 1 || suspended) return;
  state.liquidationOpen[i] = 1;
  out.push(liquidationEvent(state, i, deferred));
}
