/**
 * The live core (docs/live.md): the book (accounts, positions, balances), the current market, the risk arrays, each
 * account's last figures and health. It takes inputs in order (ticks, fills, balance changes, parameter versions,
 * time, breaker resets) and returns figure updates and events. No I/O, no clock: time comes with the inputs, and the
 * same inputs always give the same outputs, whichever transport carried them.
 *
 * Sequencing: every input has a `seq`, strictly increasing over all inputs (a tick's defaults to the tick's own);
 * a tick's own `seq` must also increase from tick to tick (the feed's order). An input out of order is ignored with a
 * counted warning, a bad one rejected with coded issues: either way nothing of it is applied.
 * @module
 */
import type { Account } from "../account/account.js";
import { isRiskMatrixModel } from "../account/engine.js";
import type { Issue, Result } from "../errors.js";
import { fail, issue, ok } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import type { MarketSnapshot } from "../market/types.js";
import type { RiskMatrixModel } from "../models/risk-matrix/model.js";
import { hasUsdRate } from "../risk/marks.js";
import { NO_BREAKERS, initialBreakers, onTime, resetBreaker } from "./breakers.js";
import type { BreakerRules, UnderlyingBreakers, UnderlyingState } from "./breakers.js";
import type { LivePosition } from "./book.js";
import { applyBalanceChange, applyFillInput, applyParameterVersion, replaceHoldings } from "./core-inputs.js";
import { applyHoldings, applyReduce } from "./core-reduce.js";
import { groupKeyOf } from "./regroup.js";
import type { Fill } from "../account/fills.js";
import type { AccountDocument } from "../account/document.js";
import { liveDocument } from "./documents.js";
import type { LiveWarning, StepResult } from "./core-breakers.js";
import { applyTick } from "./core-tick.js";
import { isoTime } from "./events.js";
import type { DraftEvent, LiveEvent, StaleFlag } from "./events.js";
import type { HeadlineFigures } from "./fast-margin.js";
import { createRiskMatrixGroup, createRiskMatrixGroupBulk } from "./group.js";
import type { BulkAccounts } from "./group.js";
import type { RiskMatrixGroup } from "./group.js";
import { createLiveMarket, unlistedIssues, volLevelOf } from "./market.js";
import type { LiveMarket } from "./market.js";
import { DEFAULT_LIVE_PARAMS } from "./params.js";
import type { LiveParams } from "./params.js";
import { accountOfCopy, breakerEffectOf, computeFigures, heldAccount, rulesOf, stateIndex, stateName, takeFigures } from "./state.js";
import type { CoreState, HeldAccount, Slot } from "./state.js";
import { rawHealthState } from "./health.js";
import type { Tick } from "./tick.js";
import type { HealthState } from "../account/health.js";
import { ratioToEquity } from "../account/health.js";
import type { AccountRules } from "../account/rules.js";
import type { MarginModel } from "../models/types.js";
import { applyBreakerTransitions, groupWidenings, widenedModelOf } from "./core-breakers.js";
import type { GroupWidening } from "./core-breakers.js";
import type { RemarginExecutor } from "./chunk.js";

/** An account given to the core: its id, model (bound to its parameter set), rules and holdings. */
export interface LiveAccountInput {
  readonly id: string;
  readonly model: MarginModel;
  readonly rules: AccountRules;
  readonly positions: readonly LivePosition[];
  readonly balances: Readonly<Record<string, number>>;
  /** Name of its parameter set, as documents name it (default: the model's parameter-set name). */
  readonly parameterSetName?: string;
}

/** Accounts given as typed arrays (a whole exchange loaded at once): one risk-matrix model and rules for all. */
export interface LiveBulkInput extends BulkAccounts {
  /** Account ids, one per balance record, after the `accounts`' in book order. */
  readonly ids: readonly string[];
  readonly model: MarginModel;
  readonly parameterSetName?: string;
}

export interface LiveCoreOptions {
  readonly market: MarketSnapshot;
  readonly accounts: readonly LiveAccountInput[];
  /** More accounts in bulk (see {@link LiveBulkInput}). */
  readonly bulk?: LiveBulkInput;
  readonly params?: LiveParams;
  readonly breakers?: BreakerRules;
  /** Attach the engine's least-cost liquidation plan to `liquidation` events (default true; a cascade turns it off). */
  readonly liquidationPlans?: boolean;
  /**
   * Resume a sequence after a restart (the service keeps them in its store): the last eventSeq already given out
   * (events continue from the next), and the feed's last tick seq (older ticks are ignored as out of order).
   */
  readonly resume?: LiveResume;
  /**
   * Other threads for the per-account pass of a re-margin (cluster/live-pool.ts: worker threads over the shared
   * book). Optional; the figures are the same doubles with or without it.
   */
  readonly executor?: RemarginExecutor;
}

/**
 * Where a core resumes. The service keeps the last eventSeq given out and the feed's last tick seq; a cluster
 * partition rebuilt from its checkpoint (docs/scale-out.md) gives everything a core carries beyond its book and
 * market, so that it continues exactly as the original would: the input sequence, time, each account's held health
 * state (hysteresis makes it more than a function of the figures) and its open liquidation episode.
 */
export interface LiveResume {
  /** The last eventSeq already given out (events continue from the next). */
  readonly lastEventSeq?: number;
  /** The feed's last tick seq (older ticks are ignored as out of order). */
  readonly lastTickSeq?: number;
  /** The last input seq applied. */
  readonly lastSeq?: number;
  readonly nowMs?: number;
  /** Held health state per account (accounts not named: from their figures, as at creation). */
  readonly health?: Readonly<Record<string, HealthState>>;
  /** Accounts whose liquidation trigger was emitted for the current episode. */
  readonly liquidationOpen?: readonly string[];
  /**
   * Circuit-breaker state per underlying: trips in force, the price and vol windows its bands are anchored on, the
   * last fresh tick, a pending re-anchor (underlyings not named: as at creation, anchored on the market).
   */
  readonly breakers?: Readonly<Record<string, UnderlyingBreakers>>;
  /** Breaker stale flags last shown per account (accounts not named: none). */
  readonly staleShown?: Readonly<Record<string, number>>;
  /** Parameter versions published by breakers (widenings in force) per group. */
  readonly widenings?: readonly GroupWidening[];
}

/** An input. `seq` is the core's input sequence (see the module doc); `timestampMs` the input's market time. */
export type LiveInput =
  | { readonly kind: "tick"; readonly tick: Tick; readonly seq?: number }
  | { readonly kind: "fill"; readonly seq: number; readonly timestampMs: number; readonly account: string; readonly fill: Fill }
  | { readonly kind: "parameters"; readonly seq: number; readonly timestampMs: number; readonly parameterSetName: string; readonly model: MarginModel }
  | { readonly kind: "balance"; readonly seq: number; readonly timestampMs: number; readonly account: string; readonly currency: string; readonly amount: number; readonly reason?: string }
  | { readonly kind: "time"; readonly seq: number; readonly timestampMs: number }
  | { readonly kind: "breaker_reset"; readonly seq: number; readonly timestampMs: number; readonly underlying: string; readonly rule?: string }
  /**
   * An account created or replaced as a whole (the service's `PUT /v1/accounts/{id}` and fills it committed): same
   * model and rules re-margin it alone; a new account or another model or rules rebuilds the book around it (the
   * breakers, health states and sequences carry over). `cause` is the events' cause text.
   */
  /** New circuit-breaker rules in force (a new version); trips in force stay until they reset. */
  | { readonly kind: "breaker_rules"; readonly seq: number; readonly timestampMs: number; readonly rules: BreakerRules }
  | { readonly kind: "account"; readonly seq: number; readonly timestampMs: number; readonly account: LiveAccountInput; readonly cause?: string }
  | ReduceInput
  | { readonly kind: "holdings"; readonly seq: number; readonly timestampMs: number; readonly account: string; readonly positions: readonly LivePosition[]; readonly balances: Readonly<Record<string, number>>; readonly reason?: string };

/**
 * A liquidation step: every position of the account cut to `keepFraction` of its size at the current marks (the value
 * of the closed part realised into `currency`, so equity is unchanged by the cut itself), then `cashUsd` (signed, USD,
 * converted at the index) added to `currency`: fees, penalties, slippage, or the insurance fund's credit.
 */
export interface ReduceInput {
  readonly kind: "reduce";
  readonly seq: number;
  readonly timestampMs: number;
  readonly account: string;
  /** In [0, 1]: 0 closes everything, 1 cuts nothing. */
  readonly keepFraction: number;
  readonly currency: string;
  readonly cashUsd: number;
  readonly reason?: string;
}

/** What an input did. */
export interface ApplyOutcome {
  readonly seq: number;
  readonly status: "applied" | "ignored" | "rejected";
  /** Rejection issues, or the warnings of an applied input (an unknown instrument left out of a tick, a fill far from the mark). */
  readonly issues: readonly LiveWarning[];
  readonly events: readonly LiveEvent[];
  /**
   * Accounts whose figures (or stale flag) changed, in book order. A long list is frozen and may be the very array of
   * the previous outcome (when the same accounts changed): read it, do not keep it for changing.
   */
  readonly changed: readonly string[];
  /** Risk-array rows rebuilt and accounts re-margined by the input. */
  readonly rowsRebuilt: number;
  readonly accountsRemargined: number;
}

/** An account's live figures: the headline figures, health state, stale flag and breaker restrictions. */
export interface LiveFigures extends HeadlineFigures {
  readonly account: string;
  readonly state: HealthState;
  readonly stale?: StaleFlag;
  readonly reduceOnly?: true;
  readonly liquidationSuspended?: true;
}

export interface LiveCore {
  apply(input: LiveInput): ApplyOutcome;
  /** Ids of the accounts, in book order. */
  accountIds(): readonly string[];
  figures(id: string): LiveFigures | undefined;
  /** The account's model, rules, positions (canonical order) and balances as the core holds them. */
  account(id: string): HeldAccount | undefined;
  /** An account-layer Account on the live market (for documents, what-if, plans): a copy, safe to use. */
  accountForEngine(id: string): Account | undefined;
  /**
   * The live figures document of an account: what `netrisk account --json --no-distance` prints for the account held
   * as its file on the market held now (computed on demand: the headline figures above are the per-tick ones).
   */
  document(id: string): Result<AccountDocument> | undefined;
  /** The market as the core holds it (write it with marketSnapshotToJson to recompute any figure from scratch). */
  market(): MarketSnapshot;
  marketContext(): MarketContext;
  breakerRules(): BreakerRules;
  breakerStates(): Readonly<Record<string, { state: UnderlyingState; trips: readonly { rule: string; since: string; reason: string }[] }>>;
  lastSeq(): number;
  lastEventSeq(): number;
  /** What a rebuilt core needs beyond the book and the market ({@link LiveResume}, every field given). */
  resumeState(): Required<LiveResume>;
  /** Counted warnings and rejections by code (`ignored:out_of_order`, `rejected:non_finite`, `warning:unknown_instrument`, ...). */
  counters(): Readonly<Record<string, number>>;
  readonly params: LiveParams;
}

/**
 * Create a core. Issues: the market's (normalised as docs/live.md says), `duplicate` account ids (`accounts[i].id`),
 * `unknown_instrument` for a position the market does not list, and an account's evaluation issues (the model
 * cannot margin it), with paths under `accounts[i]`.
 */
export function createLiveCore(options: LiveCoreOptions): Result<LiveCore> {
  const m = createLiveMarket(options.market);
  if (!m.ok) return fail(...m.issues.map((i) => issue(i.code, `market.${i.path}`, i.message)));
  const state = buildState(m.value, options);
  if (!state.ok) return state;
  const resume = options.resume;
  const st = state.value;
  if (resume?.lastTickSeq !== undefined) st.lastTickSeq = resume.lastTickSeq;
  if (resume?.lastSeq !== undefined) st.lastSeq = resume.lastSeq;
  if (resume?.nowMs !== undefined) st.nowMs = resume.nowMs;
  for (const [id, h] of Object.entries(resume?.health ?? {})) {
    const i = st.byId.get(id);
    if (i !== undefined) st.health[i] = stateIndex(h);
  }
  for (const id of resume?.liquidationOpen ?? []) {
    const i = st.byId.get(id);
    if (i !== undefined) st.liquidationOpen[i] = 1;
  }
  for (const [base, u] of Object.entries(resume?.breakers ?? {})) if (st.breakers.has(base)) st.breakers.set(base, u);
  for (const [id, shown] of Object.entries(resume?.staleShown ?? {})) {
    const i = st.byId.get(id);
    if (i !== undefined) st.staleShown[i] = shown;
  }
  return ok(coreOf(st, resume?.lastEventSeq ?? 0));
}

/** The state of a book of `options.accounts` (and bulk) on a live market, every account's figures computed. */
/** Zeroed arrays of exactly `n` elements on SharedArrayBuffers (a buffer is never empty: at least 8 bytes). */
const sharedF64 = (n: number): Float64Array => new Float64Array(new SharedArrayBuffer(Math.max(8, n * 8)), 0, n);
const sharedU8 = (n: number): Uint8Array => new Uint8Array(new SharedArrayBuffer(Math.max(8, n)), 0, n);

function buildState(market: LiveMarket, options: Omit<LiveCoreOptions, "market">): Result<CoreState> {
  const issues: Issue[] = [];
  const byId = new Map<string, number>();
  options.accounts.forEach((a, i) => {
    if (byId.has(a.id)) issues.push(issue("duplicate", `accounts[${i}].id`, `account ${a.id} appears twice`));
    byId.set(a.id, i);
    issues.push(...unlistedIssues(a.positions.map((p) => p.instrument.name), market.listing, (k) => `accounts[${i}].positions[${k}].instrument`));
    for (const c of Object.keys(a.balances)) if (!hasUsdRate(market.context, c)) issues.push(issue("missing_index", `accounts[${i}].balances.${c}`, `no USD price for ${c} in the market`));
  });
  if (issues.length > 0) return fail(...issues);
  const accounts = options.accounts.map((a) => ({ ...a, positions: pinEntryPrices(a.positions, market.context) }));
  // Accounts share a group when their parameter sets are equal (by content: every account file binds its own model
  // object) and their coin-offset switch agrees.
  const groupMembers: { key: string; model: RiskMatrixModel; offset: boolean; members: number[] }[] = [];
  const groupOfKey = new Map<string, number>();
  const slots: Slot[] = new Array(options.accounts.length);
  const generic: CoreState["generic"] = [];
  accounts.forEach((a, i) => {
    if (isRiskMatrixModel(a.model)) {
      const key = groupKeyOf(a.model, a.rules.coinCollateralOffset);
      let g = groupOfKey.get(key);
      if (g === undefined) {
        g = groupMembers.length;
        groupMembers.push({ key, model: a.model, offset: a.rules.coinCollateralOffset, members: [] });
        groupOfKey.set(key, g);
      }
      const members = (groupMembers[g] as { members: number[] }).members;
      slots[i] = { id: a.id, group: g, local: members.length, parameterSetName: a.parameterSetName ?? a.model.parameterSet.name };
      members.push(i);
    } else {
      slots[i] = { id: a.id, group: -1, local: generic.length, parameterSetName: a.parameterSetName ?? a.model.parameterSet.name };
      generic.push({ model: a.model, rules: a.rules, positions: [...a.positions], balances: { ...a.balances } });
    }
  });
  const groups: RiskMatrixGroup[] = [];
  for (const gm of groupMembers) {
    const accts = gm.members.map((i) => accounts[i] as LiveAccountInput);
    // A rebuilt core's group under a breaker's widened version starts on it (figures as the original had them).
    const w = options.resume?.widenings?.find((x) => x.group === groups.length);
    const widened = w === undefined ? undefined : widenedModelOf(gm.model.params, w);
    const g = createRiskMatrixGroup(widened ?? gm.model, gm.offset, market.listing, market.context, accts);
    if (!g.ok) return fail(...g.issues);
    if (w !== undefined && widened !== undefined) groups.push({ ...g.value, baseParams: gm.model.params, widenings: new Map(w.widenings), paramsSerial: w.paramsSerial });
    else groups.push(g.value);
  }
  const bulk = options.bulk;
  if (bulk !== undefined) {
    if (!isRiskMatrixModel(bulk.model)) return fail(issue("unsupported", "bulk.model", "a bulk book needs a risk-matrix model"));
    if (bulk.ids.length !== bulk.balances.length || bulk.offsets.length !== bulk.ids.length + 1) return fail(issue("invalid_value", "bulk", "ids, balances and offsets disagree on the account count"));
    const g = createRiskMatrixGroupBulk(bulk.model, market.listing, market.context, bulk);
    if (!g.ok) return fail(...g.issues.map((i) => ({ ...i, path: `bulk.${i.path}` })));
    const name = bulk.parameterSetName ?? bulk.model.parameterSet.name;
    bulk.ids.forEach((id, local) => {
      if (byId.has(id)) issues.push(issue("duplicate", `bulk.ids[${local}]`, `account ${id} appears twice`));
      byId.set(id, slots.length);
      slots.push({ id, group: groups.length, local, parameterSetName: name });
    });
    if (issues.length > 0) return fail(...issues);
    groups.push(g.value);
  }
  const n = slots.length;
  const state: CoreState = {
    market,
    params: options.params ?? DEFAULT_LIVE_PARAMS,
    rules: options.breakers ?? NO_BREAKERS,
    breakers: new Map([...market.listing.byBase.keys()].map((b) => [b, initialBreakers(market.snapshot.timestampMs, market.snapshot.indexUsd[b], volLevelOf(market, b))])),
    groups,
    generic,
    slots,
    byId,
    // On SharedArrayBuffers: the helper threads of a re-margin read the figures and states held (live/chunk.ts).
    health: sharedU8(n),
    equityUsd: sharedF64(n),
    imUsd: sharedF64(n),
    mmUsd: sharedF64(n),
    liquidationOpen: sharedU8(n),
    staleShown: sharedU8(n),
    lastSeq: -1,
    lastTickSeq: -1,
    nowMs: market.snapshot.timestampMs,
    counters: new Map(),
    engines: new Map(),
    enginesVersion: -1,
    globalOf: new Map(),
    scratch: new Map(),
    changedScratch: new Int32Array(0),
    touchedScratch: new Uint8Array(0),
    handOffCounts: new Int32Array(2),
    executor: options.executor,
    liquidationPlans: options.liquidationPlans ?? true,
  };
  for (let i = 0; i < n; i++) {
    const f = computeFigures(state, i);
    if (f === undefined) {
      const held = heldAccount(state, i);
      return fail(issue("unsupported", `accounts[${i}]`, `model ${held.model.id} cannot margin account ${held.id} on this market`));
    }
    state.equityUsd[i] = f.equityUsd;
    state.imUsd[i] = f.initialMarginUsd;
    state.mmUsd[i] = f.maintenanceMarginUsd;
    state.health[i] = stateIndex(rawHealthState(f, rulesOf(state, i).health));
    // An account already in liquidation at the start has its trigger with the first input, not before.
  }
  return ok(state);
}

/**
 * Entry prices of futures and perpetuals, pinned when the core takes an account: a position without `averagePrice`
 * counts as entered at the start market's mark (what an account file without one means), so its P&L runs from there
 * as the market moves; a linear perpetual's `unrealisedPnlUsdc` becomes the equivalent entry A = M − upnl/q (as a
 * fill does, account/fills.ts). Values are unchanged at the start.
 */
function pinEntryPrices(positions: readonly LivePosition[], market: MarketContext): LivePosition[] {
  return positions.map((p) => {
    if (p.instrument.kind === "option" || p.averagePrice !== undefined) return p;
    const mark = market.futureMarkUsd(p.instrument);
    if (p.unrealisedPnlUsdc !== undefined) {
      const { unrealisedPnlUsdc, ...rest } = p;
      const entry = mark - unrealisedPnlUsdc / p.sizeCoin;
      // An entry that is not a price (a P&L larger than the notional) stays an unrealised amount, as given.
      return entry > 0 && Number.isFinite(entry) ? { ...rest, averagePrice: entry } : p;
    }
    return { ...p, averagePrice: mark };
  });
}

/** Lists of changed accounts at least this long are kept for reuse by the next input (see changedIds in coreOf). */
const CHANGED_REUSE_MIN = 4096;

function sameIndices(a: readonly number[] | Int32Array, b: Int32Array): boolean {
  for (let k = 0; k < b.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

function coreOf(state: CoreState, firstEventSeq: number): LiveCore {
  let eventSeq = firstEventSeq;
  // A liquidation event's fields are copied by descriptor, not spread: its plan is a getter computed on first read
  // (state.ts, the only event with one), and a spread would read it here, on the tick path. The others are copied
  // plainly (same keys, same order), and the time is formatted once per input: a cascade's round stamps thousands of
  // events, and descriptors cost ~10x a plain copy (8 % of a cascade's time, sizing profile at 10,000 accounts).
  const stamp = (drafts: readonly DraftEvent[], seq: number, ms: number): LiveEvent[] => {
    if (drafts.length === 0) return [];
    const ts = isoTime(ms);
    return drafts.map((d) =>
      d.type === "liquidation"
        ? (Object.defineProperties({ eventSeq: ++eventSeq, seq, ts }, Object.getOwnPropertyDescriptors(d)) as LiveEvent)
        : (Object.assign({ eventSeq: ++eventSeq, seq, ts }, d) as LiveEvent),
    );
  };
  // The ids of the last long list of changed accounts, frozen, and its account indices: a tick that changes the same
  // accounts as the one before (every tick of a steady feed: each exposed account's figures move) gives the same list
  // again. A new JavaScript array of more than ~16,000 elements is a large-object allocation, ~3 ms for 100,000 on this
  // project's machine (fresh pages), and the copy of the ids ~1 ms more, on the tick's serial path.
  let lastIds: readonly string[] = [];
  let lastIndices = new Int32Array(0);
  let lastSlots: readonly Slot[] | undefined;
  const changedIds = (indices: readonly number[] | Int32Array): readonly string[] => {
    const n = indices.length;
    const reuse = n >= CHANGED_REUSE_MIN && n === lastIndices.length && state.slots === lastSlots && sameIndices(indices, lastIndices);
    if (reuse) return lastIds;
    const ids: string[] = new Array<string>(n);
    for (let k = 0; k < n; k++) ids[k] = (state.slots[indices[k] as number] as Slot).id;
    if (n >= CHANGED_REUSE_MIN) {
      lastIds = Object.freeze(ids);
      lastIndices = Int32Array.from(indices);
      lastSlots = state.slots;
    }
    return ids;
  };
  const outcome = (seq: number, status: ApplyOutcome["status"], issues: readonly LiveWarning[], events: LiveEvent[] = [], changed: readonly string[] = [], rowsRebuilt = 0, accountsRemargined = 0): ApplyOutcome => ({
    seq,
    status,
    issues,
    events,
    changed,
    rowsRebuilt,
    accountsRemargined,
  });
  const figuresOf = (i: number): LiveFigures => {
    const e = state.equityUsd[i] as number;
    const im = state.imUsd[i] as number;
    const mm = state.mmUsd[i] as number;
    const effect = breakerEffectOf(state, i);
    return {
      account: (state.slots[i] as Slot).id,
      equityUsd: e,
      initialMarginUsd: im,
      maintenanceMarginUsd: mm,
      availableFundsUsd: e - im,
      maintenanceRatio: ratioToEquity(mm, e),
      initialMarginRatio: ratioToEquity(im, e),
      state: stateName(state.health[i] as number),
      ...(effect.stale !== undefined ? { stale: effect.stale } : {}),
      ...(effect.actions.has("reduce_only") ? { reduceOnly: true as const } : {}),
      ...(effect.actions.has("suspend_liquidations") ? { liquidationSuspended: true as const } : {}),
    };
  };

  const apply = (input: LiveInput): ApplyOutcome => {
    // Helper threads overtaken in the last re-margin may still be writing its (same) doubles: none may touch the book now.
    state.executor?.settle();
    const seq = input.kind === "tick" ? (input.seq ?? input.tick.seq) : input.seq;
    if (!Number.isSafeInteger(seq) || seq <= state.lastSeq) {
      const code = seq === state.lastSeq ? "duplicate" : "out_of_order";
      state.counters.set(`ignored:${code}`, (state.counters.get(`ignored:${code}`) ?? 0) + 1);
      return outcome(seq, "ignored", [issue(code === "duplicate" ? "duplicate" : "out_of_order", "seq", `input seq ${seq} is not after the last input ${state.lastSeq}: ignored`)]);
    }
    const ts = input.kind === "tick" ? input.tick.timestampMs : input.timestampMs;
    if (!Number.isFinite(ts)) return reject(seq, [issue("invalid_value", "ts", "not a valid time")]);
    const drafts: DraftEvent[] = [];
    let result: Result<StepResult>;
    switch (input.kind) {
      case "tick":
        result = applyTick(state, input.tick, drafts);
        break;
      case "balance":
        result = applyBalanceChange(state, input, drafts);
        break;
      case "fill":
        result = applyFillInput(state, input, drafts);
        break;
      case "parameters":
        result = applyParameterVersion(state, input, drafts);
        break;
      case "time":
        result = timeStep(ts, drafts);
        break;
      case "breaker_reset":
        result = breakerReset(input.underlying, input.rule, ts, drafts);
        break;
      case "reduce":
        result = applyReduce(state, input, drafts);
        break;
      case "account":
        result = upsertAccount(state, input, drafts);
        break;
      case "breaker_rules":
        state.rules = input.rules;
        result = ok({ changed: [], warnings: [], rowsRebuilt: 0, remargined: 0 });
        break;
      case "holdings":
        result = applyHoldings(state, input, drafts);
        break;
    }
    if (!result.ok) {
      // A tick that came before its time, or any bad input: the state is untouched (nothing was committed).
      const ignoredTick = input.kind === "tick" && result.issues.some((i) => i.code === "duplicate" || i.code === "out_of_order") && result.issues.every((i) => i.path === "seq");
      if (ignoredTick) {
        for (const i of result.issues) state.counters.set(`ignored:${i.code}`, (state.counters.get(`ignored:${i.code}`) ?? 0) + 1);
        return outcome(seq, "ignored", result.issues);
      }
      return reject(seq, result.issues);
    }
    state.lastSeq = seq;
    state.nowMs = Math.max(state.nowMs, ts);
    for (const w of result.value.warnings) state.counters.set(`warning:${w.code}`, (state.counters.get(`warning:${w.code}`) ?? 0) + 1);
    // Steps report changed accounts in increasing book order, each once.
    // A plain loop, not Array.from(typed array, mapper): the latter goes through the iterator protocol and a call per
    // element (~9 ms for the 100,000 ids of an all-moving tick of a 100k book, on the tick's serial path).
    return outcome(seq, "applied", result.value.warnings, stamp(drafts, seq, ts), changedIds(result.value.changed), result.value.rowsRebuilt, result.value.remargined);
  };

  const reject = (seq: number, issues: readonly Issue[]): ApplyOutcome => {
    for (const i of issues) state.counters.set(`rejected:${i.code}`, (state.counters.get(`rejected:${i.code}`) ?? 0) + 1);
    return outcome(seq, "rejected", issues);
  };

  const timeStep = (ts: number, drafts: DraftEvent[]): Result<StepResult> => {
    if (ts < state.nowMs) return ok({ changed: [], warnings: [issue("out_of_order", "ts", "time input before the core's time: nothing to do")], rowsRebuilt: 0, remargined: 0 });
    state.nowMs = ts;
    const t = onTime(state.breakers, state.rules, [...state.market.listing.byBase.keys()], ts);
    state.breakers = t.next;
    return applyBreakerTransitions(state, t.transitions, drafts);
  };

  const breakerReset = (underlying: string, rule: string | undefined, ts: number, drafts: DraftEvent[]): Result<StepResult> => {
    if (!state.breakers.has(underlying)) return fail(issue("unknown_instrument", "underlying", `no underlying ${underlying} in the market`));
    const u = state.breakers.get(underlying);
    if (rule !== undefined && !u?.trips.some((t) => t.ruleId === rule)) return fail(issue("invalid_value", "rule", `rule ${rule} is not tripped on ${underlying}`));
    state.nowMs = Math.max(state.nowMs, ts);
    const r = resetBreaker(state.breakers, state.rules, underlying, rule, state.nowMs);
    state.breakers = r.next;
    return applyBreakerTransitions(state, r.transitions, drafts);
  };

  return {
    apply,
    params: state.params,
    accountIds: () => state.slots.map((s) => s.id),
    figures: (id) => {
      const i = state.byId.get(id);
      return i === undefined ? undefined : figuresOf(i);
    },
    account: (id) => {
      const i = state.byId.get(id);
      return i === undefined ? undefined : heldAccount(state, i);
    },
    accountForEngine: (id) => {
      const i = state.byId.get(id);
      return i === undefined ? undefined : accountOfCopy(state, i);
    },
    document: (id) => {
      const i = state.byId.get(id);
      return i === undefined ? undefined : liveDocument(heldAccount(state, i), accountOfCopy(state, i), `live:seq ${state.lastSeq}`);
    },
    market: () => state.market.snapshot,
    marketContext: () => state.market.context,
    breakerRules: () => state.rules,
    breakerStates: () => {
      const out: Record<string, { state: UnderlyingState; trips: { rule: string; since: string; reason: string }[] }> = {};
      for (const [b, u] of [...state.breakers].sort(([a], [c]) => (a < c ? -1 : 1))) out[b] = { state: u.state, trips: u.trips.map((t) => ({ rule: t.ruleId, since: isoTime(t.sinceMs), reason: t.reason })) };
      return out;
    },
    lastSeq: () => state.lastSeq,
    lastEventSeq: () => eventSeq,
    resumeState: () => {
      const health: Record<string, HealthState> = {};
      const liquidationOpen: string[] = [];
      state.slots.forEach((slot, i) => {
        health[slot.id] = stateName(state.health[i] as number);
        if (state.liquidationOpen[i] === 1) liquidationOpen.push(slot.id);
      });
      const staleShown: Record<string, number> = {};
      state.slots.forEach((slot, i) => {
        if (state.staleShown[i] !== 0) staleShown[slot.id] = state.staleShown[i] as number;
      });
      const breakers = Object.fromEntries(state.breakers);
      return { lastSeq: state.lastSeq, lastTickSeq: state.lastTickSeq, nowMs: state.nowMs, lastEventSeq: eventSeq, health, liquidationOpen, breakers, staleShown, widenings: groupWidenings(state.groups) };
    },
    counters: () => Object.fromEntries([...state.counters].sort(([a], [b]) => (a < b ? -1 : 1))),
  };
}

/** Same model (by content), rules and parameter-set name: an account replaced with these keeps its place in the book. */
function samePlace(held: HeldAccount, a: LiveAccountInput): boolean {
  if (held.parameterSetName !== (a.parameterSetName ?? a.model.parameterSet.name) || held.model.id !== a.model.id) return false;
  if (JSON.stringify(held.rules) !== JSON.stringify(a.rules)) return false;
  if (isRiskMatrixModel(held.model) && isRiskMatrixModel(a.model)) return groupKeyOf(held.model, held.rules.coinCollateralOffset) === groupKeyOf(a.model, a.rules.coinCollateralOffset);
  return held.model === a.model || JSON.stringify(held.model.parameterSet) === JSON.stringify(a.model.parameterSet);
}

/**
 * Create or replace an account (the `account` input). Issues: `unknown_instrument` (a position the market does not
 * list, paths under `account.positions`), `missing_index` (a balance the market cannot price), the model's.
 */
function upsertAccount(state: CoreState, input: { readonly seq: number; readonly account: LiveAccountInput; readonly cause?: string }, drafts: DraftEvent[]): Result<StepResult> {
  const a = input.account;
  const issues: Issue[] = [...unlistedIssues(a.positions.map((p) => p.instrument.name), state.market.listing, (k) => `account.positions[${k}].instrument`)];
  for (const c of Object.keys(a.balances)) if (!hasUsdRate(state.market.context, c)) issues.push(issue("missing_index", `account.balances.${c}`, `no USD price for ${c} in the market`));
  if (issues.length > 0) return fail(...issues);
  // Instruments as the live market lists them (the caller may have bound the account on another context).
  const positions = pinEntryPrices(
    a.positions.map((p) => ({ ...p, instrument: state.market.listing.byName.get(p.instrument.name) ?? p.instrument })),
    state.market.context,
  );
  const cause = input.cause ?? `account ${a.id} replaced at input ${input.seq}`;
  const i = state.byId.get(a.id);
  if (i !== undefined && samePlace(heldAccount(state, i), a)) return replaceHoldings(state, i, positions, a.balances, cause, drafts);
  // A new account, or another model or rules: rebuild the book's groups with it (O(book); docs/live.md says when).
  const accounts: LiveAccountInput[] = state.slots.map((s, j) => {
    const h = heldAccount(state, j);
    return { id: s.id, model: h.model, rules: h.rules, positions: h.positions, balances: h.balances, parameterSetName: h.parameterSetName };
  });
  const replacement: LiveAccountInput = { ...a, positions };
  if (i === undefined) accounts.push(replacement);
  else accounts[i] = replacement;
  const built = buildState(state.market, { accounts, params: state.params, breakers: state.rules, liquidationPlans: state.liquidationPlans, ...(state.executor !== undefined ? { executor: state.executor } : {}) });
  if (!built.ok) return fail(...built.issues.map((x) => ({ ...x, path: x.path.replace(/^accounts\[\d+\]/, "account") })));
  const next = built.value;
  const k = next.byId.get(a.id) as number;
  const fresh = { e: next.equityUsd[k] as number, im: next.imUsd[k] as number, mm: next.mmUsd[k] as number, h: next.health[k] as number };
  // Carry over what the book had: breakers, sequences, counters, every account's health and figures as last taken.
  next.breakers = state.breakers;
  next.lastSeq = state.lastSeq;
  next.lastTickSeq = state.lastTickSeq;
  next.nowMs = state.nowMs;
  for (const [key, v] of state.counters) next.counters.set(key, v);
  state.slots.forEach((s, j) => {
    const to = next.byId.get(s.id) as number;
    next.health[to] = state.health[j] as number;
    next.liquidationOpen[to] = state.liquidationOpen[j] as number;
    next.staleShown[to] = state.staleShown[j] as number;
    next.equityUsd[to] = state.equityUsd[j] as number;
    next.imUsd[to] = state.imUsd[j] as number;
    next.mmUsd[to] = state.mmUsd[j] as number;
  });
  if (i === undefined) {
    // A new account starts in its raw state, without a transition (as at the core's start).
    next.equityUsd[k] = fresh.e;
    next.imUsd[k] = fresh.im;
    next.mmUsd[k] = fresh.mm;
    next.health[k] = fresh.h;
  }
  Object.assign(state as object, next);
  const f = computeFigures(state, k);
  if (f === undefined) return fail(issue("internal", "account", "figures lost"));
  const changed = takeFigures(state, k, f, cause, drafts);
  return ok({ changed: changed || i === undefined ? [k] : [], warnings: [], rowsRebuilt: 0, remargined: state.slots.length });
}
