/**
 * Moving accounts to another model (a new parameter-set version): the accounts keep their holdings and rules; the
 * risk-matrix groups that held any of them are rebuilt on the models their accounts now have.
 * @module
 */
import { isRiskMatrixModel } from "../account/engine.js";
import type { Result } from "../errors.js";
import { fail, ok } from "../errors.js";
import type { RiskMatrixModel } from "../models/risk-matrix/model.js";
import type { MarginModel } from "../models/types.js";
import { createRiskMatrixGroup } from "./group.js";
import type { RiskMatrixGroup } from "./group.js";
import type { CoreState, HeldAccount, Slot } from "./state.js";
import { heldAccount } from "./state.js";

const fingerprints = new WeakMap<object, string>();

/** Content key of a parameter set (memoised per object: a million accounts may share a few). */
export function paramsFingerprint(params: object): string {
  let f = fingerprints.get(params);
  if (f === undefined) {
    f = JSON.stringify(params);
    fingerprints.set(params, f);
  }
  return f;
}

const groupKeys = new WeakMap<object, { false?: string; true?: string }>();

/**
 * Group key of a risk-matrix account: equal parameter sets (by content) and the same coin-offset switch. The same
 * string object per parameter-set object and switch: the key is the set's whole JSON, and a new concatenation per
 * account made every Map lookup hash it again (~5 µs per account: 56 ms of a 10,000-account core's 130 ms build).
 */
export function groupKeyOf(model: RiskMatrixModel, coinCollateralOffset: boolean): string {
  let keys = groupKeys.get(model.params);
  if (keys === undefined) {
    keys = {};
    groupKeys.set(model.params, keys);
  }
  const flag = coinCollateralOffset ? "true" : "false";
  return (keys[flag] ??= `${paramsFingerprint(model.params)}|${coinCollateralOffset}`);
}

/**
 * Give the accounts `moved` (global indices) the model `model`; rebuild every group that held one of them, and move
 * generic accounts. Returns the global indices of every account whose group was rebuilt (all need new figures).
 */
export function regroup(state: CoreState, moved: ReadonlySet<number>, model: MarginModel): Result<number[]> {
  const affectedGroups = new Set<number>();
  for (const i of moved) {
    const g = (state.slots[i] as Slot).group;
    if (g >= 0) affectedGroups.add(g);
  }
  const members: number[] = [];
  state.slots.forEach((s, i) => {
    if (moved.has(i) || affectedGroups.has(s.group)) members.push(i);
  });
  const held = new Map<number, HeldAccount>(members.map((i) => [i, heldAccount(state, i)]));
  const modelOf = (i: number): MarginModel => (moved.has(i) ? model : (held.get(i) as HeldAccount).model);
  // New groups for the risk-matrix members; generic members go (or stay) in the generic list.
  const built = new Map<string, { model: RiskMatrixModel; offset: boolean; members: number[] }>();
  for (const i of members) {
    const m = modelOf(i);
    const h = held.get(i) as HeldAccount;
    if (!isRiskMatrixModel(m)) continue;
    const key = groupKeyOf(m, h.rules.coinCollateralOffset);
    const entry = built.get(key) ?? { model: m, offset: h.rules.coinCollateralOffset, members: [] };
    entry.members.push(i);
    built.set(key, entry);
  }
  const freed = [...affectedGroups].sort((a, b) => a - b);
  const groups: RiskMatrixGroup[] = [];
  for (const entry of built.values()) {
    const accounts = entry.members.map((i) => held.get(i) as HeldAccount);
    const g = createRiskMatrixGroup(entry.model, entry.offset, state.market.listing, state.market.context, accounts);
    if (!g.ok) return fail(...g.issues);
    groups.push(g.value);
  }
  // Commit: rebuilt groups take the freed indices (then new ones); slots point at their new places.
  const indices: number[] = [];
  groups.forEach((g, k) => {
    const at = freed[k] ?? state.groups.length;
    state.groups[at] = g;
    indices.push(at);
  });
  // A freed index no rebuilt group took holds an empty group (indices of other groups must not shift).
  for (let k = groups.length; k < freed.length; k++) {
    const empty = createRiskMatrixGroup((state.groups[freed[k] as number] as RiskMatrixGroup).model, true, state.market.listing, state.market.context, []);
    if (empty.ok) state.groups[freed[k] as number] = empty.value;
  }
  [...built.values()].forEach((entry, k) => {
    entry.members.forEach((i, local) => {
      const s = state.slots[i] as Slot;
      state.slots[i] = { ...s, group: indices[k] as number, local };
    });
  });
  for (const i of members) {
    const m = modelOf(i);
    if (isRiskMatrixModel(m)) continue;
    const h = held.get(i) as HeldAccount;
    const s = state.slots[i] as Slot;
    if (s.group < 0) state.generic[s.local] = { model: m, rules: h.rules, positions: [...h.positions], balances: { ...h.balances } };
    else {
      state.slots[i] = { ...s, group: -1, local: state.generic.length };
      state.generic.push({ model: m, rules: h.rules, positions: [...h.positions], balances: { ...h.balances } });
    }
  }
  state.globalOf.clear();
  state.engines.clear();
  return ok(members);
}
