/**
 * What the live core does with circuit-breaker transitions: breaker events; a widened parameter version when a rule
 * with `widen_scenarios` trips or resets (a new version is published, the current one is never changed); and the
 * re-margin of the accounts whose figures, stale flags or liquidation triggers the change affects.
 * @module
 */
import type { Issue, Result } from "../errors.js";
import { ok } from "../errors.js";
import { createRiskMatrixModel } from "../models/risk-matrix/model.js";
import type { RiskMatrixModel } from "../models/risk-matrix/model.js";
import type { RiskMatrixParams } from "../models/risk-matrix/params.js";
import type { BreakerRule, BreakerTransition } from "./breakers.js";
import type { DraftEvent } from "./events.js";
import { isoTime } from "./events.js";
import type { GenericAccount } from "./generic.js";
import { genericExposure } from "./generic.js";
import type { RiskMatrixGroup } from "./group.js";
import { remarginGroup } from "./group.js";
import { HANDED_CHANGED, HANDED_SAME } from "./chunk.js";
import type { HeldFigures } from "./chunk.js";
import type { CoreState, Slot } from "./state.js";
import { anyBreakerActive, computeFigures, exposureOf, takeFigures } from "./state.js";

/** A warning of an applied input: an issue, or a fill's `price_far_from_mark`. */
export interface LiveWarning {
  readonly code: Issue["code"] | "price_far_from_mark";
  readonly path: string;
  readonly message: string;
}

/** What an input did to the book, for its outcome. */
export interface StepResult {
  /** Accounts whose figures changed, increasing (a tick's can be the whole book: a typed array then). */
  readonly changed: readonly number[] | Int32Array;
  readonly warnings: LiveWarning[];
  readonly rowsRebuilt: number;
  readonly remargined: number;
}

/** A scenario widening in force on one underlying (a tripped rule with widen_scenarios). */
export type Widening = RiskMatrixGroup["widenings"] extends Map<string, infer W> ? W : never;

/** The pairs of `base` with every widening applied to its original pairs. */
function widenedPairs(base: RiskMatrixParams, widenings: ReadonlyMap<string, Widening>): RiskMatrixParams["pairs"] {
  const pairs = { ...base.pairs };
  for (const [b, w] of widenings) {
    const p = pairs[b];
    if (p === undefined) continue;
    const vol = w.volRangeFactor ?? 1;
    pairs[b] = {
      ...p,
      // Kept below 1: the coin rescale (1 + sign(m)·R) and a −100 % move are out of the model's domain.
      priceRangeDecimal: Math.min(p.priceRangeDecimal * w.priceRangeFactor, 0.95),
      volShock: { ...p.volShock, rangeUpDecimal: p.volShock.rangeUpDecimal * vol, rangeDownDecimal: Math.min(p.volShock.rangeDownDecimal * vol, 1) },
    };
  }
  return pairs;
}

/** The parameter set of a group with every active widening applied to its original pairs (a new version). */
function widenedParams(group: RiskMatrixGroup, ms: number): RiskMatrixParams {
  const base = group.baseParams;
  group.paramsSerial++;
  const version = group.widenings.size === 0 ? `${base.info.version}+breaker.${group.paramsSerial}.restored` : `${base.info.version}+breaker.${group.paramsSerial}`;
  return { ...base, pairs: widenedPairs(base, group.widenings), info: { ...base.info, version, effective: isoTime(ms).slice(0, 10) } };
}

/**
 * What a group's circuit breakers changed in its parameter set, for a rebuilt core to continue from (LiveResume):
 * the group by its place in book order and its base set, the widenings in force, the versions published so far and
 * the one in force.
 */
export interface GroupWidening {
  readonly group: number;
  readonly parameterSet: string;
  readonly baseVersion: string;
  readonly widenings: readonly (readonly [string, Widening])[];
  readonly paramsSerial: number;
  readonly version: string;
  readonly effective: string;
}

/** The widening state of every group a breaker changed (published a version for). */
export function groupWidenings(groups: readonly RiskMatrixGroup[]): GroupWidening[] {
  const out: GroupWidening[] = [];
  groups.forEach((g, group) => {
    if (g.paramsSerial === 0) return;
    const info = g.model.params.info;
    out.push({ group, parameterSet: g.baseParams.info.name, baseVersion: g.baseParams.info.version, widenings: [...g.widenings], paramsSerial: g.paramsSerial, version: info.version, effective: info.effective });
  });
  return out;
}

/** The model a group with base parameters `base` had under `w` (undefined when `w` was another base set). */
export function widenedModelOf(base: RiskMatrixParams, w: GroupWidening): RiskMatrixModel | undefined {
  if (base.info.name !== w.parameterSet || base.info.version !== w.baseVersion) return undefined;
  return createRiskMatrixModel({ ...base, pairs: widenedPairs(base, new Map(w.widenings)), info: { ...base.info, version: w.version, effective: w.effective } });
}

/**
 * Emit the transitions as breaker events and publish widened (or restored) parameter versions. Returns the
 * underlyings whose rows must be rebuilt under a new version, and every underlying whose actions changed.
 */
export function breakerPhase(state: CoreState, transitions: readonly BreakerTransition[], drafts: DraftEvent[]): { widened: Set<string>; recheck: Set<string> } {
  const widened = new Set<string>();
  const recheck = new Set<string>();
  for (const t of transitions) {
    drafts.push({
      type: "breaker",
      underlying: t.underlying,
      from: t.from,
      to: t.to,
      rule: t.ruleId,
      kind: t.kind,
      reason: t.reason,
      actions: t.actions,
      rules: { name: state.rules.name, version: state.rules.version },
    });
    recheck.add(t.underlying);
    if (t.widen === undefined) continue;
    const rule = state.rules.rules.find((r) => r.id === t.ruleId) as BreakerRule | undefined;
    if (rule === undefined || !rule.actions.includes("widen_scenarios")) continue;
    for (const group of state.groups) {
      if (group.baseParams.pairs[t.underlying] === undefined) continue;
      const before = group.model.params.info;
      if (t.kind === "trip") group.widenings.set(t.underlying, t.widen);
      else group.widenings.delete(t.underlying);
      const params = widenedParams(group, state.nowMs);
      group.model = createRiskMatrixModel(params);
      group.arrays.params = params;
      widened.add(t.underlying);
      drafts.push({
        type: "parameters_changed",
        parameterSet: { name: params.info.name, from: before.version, to: params.info.version, effective: params.info.effective },
        reason: `${t.kind === "trip" ? "widened" : "restored"} by breaker rule ${t.ruleId} on ${t.underlying}: ${t.reason}`,
        accounts: group.accounts.length,
      });
    }
  }
  return { widened, recheck };
}

/**
 * Re-margin every account exposed to the moved currencies (rows of `movedBases` rebuilt first), then look again at
 * the accounts exposed to `recheck` (stale flags, deferred liquidation triggers). Events go to `drafts`.
 */
export function remarginExposed(
  state: CoreState,
  movedBases: readonly string[],
  movedCurrencies: readonly string[],
  recheck: ReadonlySet<string>,
  cause: string,
  drafts: DraftEvent[],
): Result<StepResult> {
  const n = state.slots.length;
  // 1: re-margined by its group (figures in `eq`/`im`/`mm`), 2: a generic account to evaluate.
  if (state.touchedScratch.length < n) state.touchedScratch = new Uint8Array(new SharedArrayBuffer(Math.max(8, n)));
  const touched = state.touchedScratch.subarray(0, n);
  touched.fill(0);
  const eq = scratchOf(state, "eq", n);
  const im = scratchOf(state, "im", n);
  const mm = scratchOf(state, "mm", n);
  let rowsRebuilt = 0;
  const breakersActive = anyBreakerActive(state);
  // Without a breaker in force the shared pass settles most hand-offs itself (chunk.ts HeldFigures).
  const held: HeldFigures | undefined = breakersActive ? undefined : { equityUsd: state.equityUsd, imUsd: state.imUsd, mmUsd: state.mmUsd, health: state.health, staleShown: state.staleShown, liquidationOpen: state.liquidationOpen };
  if (movedCurrencies.length > 0) {
    for (let g = 0; g < state.groups.length; g++) {
      const group = state.groups[g] as RiskMatrixGroup;
      const v0 = group.arrays.version;
      const rows = movedBases.reduce((s, b) => s + (group.arrays.rowsOfBase.get(b)?.length ?? 0), 0);
      const r = remarginGroup(group, state.market.context, movedBases, movedCurrencies, { global: globalIndexOf(state, g), touched, equityUsd: eq, initialMarginUsd: im, maintenanceMarginUsd: mm, ...(held !== undefined ? { held } : {}) }, state.executor);
      if (!r.ok) return r;
      if (group.arrays.version !== v0) rowsRebuilt += rows;
    }
    const moved = new Set(movedCurrencies);
    state.generic.forEach((ga: GenericAccount, local) => {
      for (const c of genericExposure(ga)) {
        if (moved.has(c)) {
          touched[globalIndex(state, -1, local)] = 2;
          break;
        }
      }
    });
  }
  // Changed accounts into a reused typed array (a tick can change every account of the book).
  const changedAll = scratchIndices(state, n);
  // counts[0]: changed accounts so far, counts[1]: accounts re-margined so far.
  const counts = state.handOffCounts;
  counts[0] = 0;
  counts[1] = 0;
  // One figures object reused for every account: takeFigures reads it and keeps numbers only.
  const f = { equityUsd: 0, initialMarginUsd: 0, maintenanceMarginUsd: 0, availableFundsUsd: 0, maintenanceRatio: null as number | null, initialMarginRatio: null as number | null };
  const rechecking = recheck.size > 0;
  // Every group's pass ran with the held figures: its outputs hold every one of its accounts' figures (those it did
  // not re-margin carried over, chunk.ts RemarginSink.held), so they become the held arrays below (swapped, not
  // copied: the copy of the changed accounts' figures was ~1 ms of a tick at 100,000 accounts on this thread alone).
  // (Only such a pass marks hand-offs it settled: without the swap there are none to list.)
  const swap = held !== undefined && movedCurrencies.length > 0;
  for (let i = 0; i < n; i++) {
    // The accounts the pass settled (and the untouched ones) in a tight loop of their own, up to the next account
    // this thread must hand off itself. WHY a function: a loop over the whole book inside this one was compiled on
    // stack replacement before the code after it had run, and that code then deoptimised on every input (seen with
    // --trace-deopt: once per tick), leaving the rest of each pass to the interpreter.
    if (!rechecking) i = listHandedRun(touched, changedAll, counts, i, n);
    if (i >= n) break;
    const t = touched[i] as number;
    if (t === HANDED_SAME || t === HANDED_CHANGED) {
      // Only while rechecking (listHandedRun takes these otherwise): the same as it does.
      listHandedRun(touched, changedAll, counts, i, i + 1);
      continue;
    }
    if (t === 0 && !(rechecking && [...exposureOf(state, i)].some((c) => recheck.has(c)))) continue;
    if (t === 1) {
      f.equityUsd = eq[i] as number;
      f.initialMarginUsd = im[i] as number;
      f.maintenanceMarginUsd = mm[i] as number;
    } else {
      const g = t === 2 ? computeFigures(state, i) : undefined;
      f.equityUsd = g?.equityUsd ?? (state.equityUsd[i] as number);
      f.initialMarginUsd = g?.initialMarginUsd ?? (state.imUsd[i] as number);
      f.maintenanceMarginUsd = g?.maintenanceMarginUsd ?? (state.mmUsd[i] as number);
    }
    if (t !== 0) counts[1]++;
    // With the swap, a group account's outputs already hold the figures taken here (f is read from them, or from the
    // held ones they carry); a generic account's are set below.
    if (takeFigures(state, i, f, cause, drafts, breakersActive)) changedAll[counts[0]++] = i;
  }
  if (swap) {
    // The generic accounts are in no group's pass: their held figures (taken above when re-margined; or left by other
    // inputs since the last tick) carried over.
    for (let local = 0; local < state.generic.length; local++) {
      const i = globalIndex(state, -1, local);
      eq[i] = state.equityUsd[i] as number;
      im[i] = state.imUsd[i] as number;
      mm[i] = state.mmUsd[i] as number;
    }
    state.scratch.set("eq", state.equityUsd);
    state.scratch.set("im", state.imUsd);
    state.scratch.set("mm", state.mmUsd);
    state.equityUsd = eq;
    state.imUsd = im;
    state.mmUsd = mm;
  }
  const changedCount = counts[0] as number;
  const remargined = counts[1] as number;
  return ok({ changed: changedAll.subarray(0, changedCount), warnings: [], rowsRebuilt, remargined });
}

/**
 * From account `from`, the hand-offs the shared pass settled (chunk.ts HANDED_SAME, HANDED_CHANGED) and the untouched
 * accounts, up to the first account that needs takeFigures (its index is returned) or `to`: the changed ones listed in
 * `changed`, their figures not copied (a pass marks these only when given the held figures, and its outputs then
 * become the held arrays: remarginExposed's swap). `counts`: [changed so far, re-margined so far], updated.
 */
function listHandedRun(touched: Uint8Array, changed: Int32Array, counts: Int32Array, from: number, to: number): number {
  let c = counts[0] as number;
  let r = counts[1] as number;
  let i = from;
  for (; i < to; i++) {
    const t = touched[i] as number;
    if (t === 0) continue;
    if (t === HANDED_CHANGED) changed[c++] = i;
    else if (t !== HANDED_SAME) break;
    r++;
  }
  counts[0] = c;
  counts[1] = r;
  return i;
}

/**
 * A per-account scratch array of the state (reused from input to input; its values are only read where written). On a
 * SharedArrayBuffer: the helper threads of a re-margin write figures into it (live/chunk.ts).
 */
function scratchOf(state: CoreState, name: string, n: number): Float64Array {
  let a = state.scratch.get(name);
  // Exactly n: a tick swaps these with the held figures (remarginExposed).
  if (a === undefined || a.length !== n) {
    a = new Float64Array(new SharedArrayBuffer(Math.max(8, n * 8)), 0, n);
    state.scratch.set(name, a);
  }
  return a;
}

/** The state's reusable account-index array (valid until the next input). */
function scratchIndices(state: CoreState, n: number): Int32Array {
  if (state.changedScratch.length < n) state.changedScratch = new Int32Array(n);
  return state.changedScratch;
}

/** Global account indices of a group's local accounts. */
function globalIndexOf(state: CoreState, group: number): Int32Array {
  globalIndex(state, group, 0);
  return state.globalOf.get(group) as Int32Array;
}

/** Global account index of a group's local account (group −1: the generic accounts), from a table built on first use. */
function globalIndex(state: CoreState, group: number, local: number): number {
  let idx = state.globalOf.get(group);
  if (idx === undefined) {
    let count = 0;
    for (const s of state.slots) if (s.group === group) count = Math.max(count, s.local + 1);
    // On a SharedArrayBuffer: helper threads map local to global indices with it.
    const table = new Int32Array(new SharedArrayBuffer(Math.max(8, count * 4)), 0, count);
    state.slots.forEach((s: Slot, i) => {
      if (s.group === group) table[s.local] = i;
    });
    idx = table;
    state.globalOf.set(group, idx);
  }
  return idx[local] as number;
}

/** Breaker transitions outside a tick (time, reset): events, widened versions, re-margin and rechecks. */
export function applyBreakerTransitions(state: CoreState, transitions: readonly BreakerTransition[], drafts: DraftEvent[]): Result<StepResult> {
  if (transitions.length === 0) return ok({ changed: [], warnings: [], rowsRebuilt: 0, remargined: 0 });
  const { widened, recheck } = breakerPhase(state, transitions, drafts);
  const bases = [...widened].sort();
  const cause = `circuit breaker ${transitions.map((t) => `${t.underlying} ${t.from} → ${t.to}`).join(", ")}`;
  return remarginExposed(state, bases, bases, recheck, cause, drafts);
}
