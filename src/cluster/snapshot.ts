/**
 * A partition's book snapshot (what its checkpoint stores, docs/scale-out.md "Checkpoints") and the live core
 * rebuilt from one. The snapshot holds what the core cannot get back from its inputs' history without replaying all
 * of it: the market it holds, each account's positions and balances (the account file format, entry prices pinned),
 * and its resume state (sequences, time, held health states with their hysteresis, open liquidation episodes, breaker
 * trips with their anchors, stale flags shown, widened parameter versions), and the parameter set each account is on
 * for every model bound on its parameters alone (a version a `parameters` input put in force is in no stored account
 * document): validated, or for `okx` (whose validated set holds functions) the document it was validated from,
 * validated again on a rebuild. An account's rules come from its stored account document (they do not change with
 * inputs); its model too when it is one not bound on its parameters alone (`var`, `hybrid`: see `modelOnParams`) or
 * in a snapshot without parameter sets (written before they were carried).
 * @module
 */
import type { AccountFileDocument } from "../account/fills.js";
import { fail, issue } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { liveAccountOf } from "../io/live-accounts.js";
import { marketSnapshotToJson, validateMarket } from "../io/market.js";
import { createLiveCore } from "../live/core.js";
import type { LiveAccountInput, LiveCore, LiveResume } from "../live/core.js";
import { positionsDocument, positionsFromDocument } from "../live/documents.js";
import type { MarketContext } from "../market/context.js";
import { accountOfMessage } from "../transport/live-runner.js";
import { listingOf } from "../live/market.js";
import type { LiveParams } from "../live/params.js";
import type { BreakerRules } from "../live/breakers.js";
import type { MarketSnapshot } from "../market/types.js";
import { buildMarketContext } from "../pricing/build-context.js";
import { hasUsdRate } from "../risk/marks.js";
import { createRiskMatrixModel, DERIBIT_MODEL_ID } from "../models/risk-matrix/model.js";
import { modelOnParams, validatedParamsOf } from "../models/registry.js";
import type { MarginModel, ParameterSetInfo } from "../models/types.js";
import type { HeldAccount } from "../live/state.js";
import type { RemarginExecutor } from "../live/chunk.js";

export interface PartitionSnapshot {
  readonly format: "netrisk.partition.v1";
  /** The market the core holds (market file format). */
  readonly market: unknown;
  /** Accounts in book order: id, positions and collateral. */
  readonly accounts: readonly SnapshotAccount[];
  readonly resume: LiveResume;
  /** The breaker rules in force (absent: none; the trips in force and their anchors are in `resume`). */
  readonly breakers?: BreakerRules;
  /**
   * The parameter sets the accounts are on (a risk-matrix group's before any breaker widening: that is in `resume`),
   * each once. Absent (an older snapshot): every account binds its stored document's set.
   */
  readonly parameterSets?: readonly SnapshotParameterSet[];
  /** The partition's accounts its core does not hold (absent: none), each as it last reached the partition. */
  readonly unheld?: readonly UnheldAccount[];
}

/**
 * An account of the partition that its market cannot hold (an instrument it does not list, a balance it cannot
 * price: the in-process engine skips such a stored account), kept aside as it last reached the partition, so a
 * later market that can hold it brings it in as the in-process engine's restart binds it from the store: the stored
 * document at genesis (`parameterSet` absent: bound as genesis binds it), or the `account` input's message since
 * (its document and the parameter set it carries), or, for an account a market replacement left out, its document
 * with the positions and balances it was held with.
 */
export interface UnheldAccount {
  readonly id: string;
  readonly document: unknown;
  readonly parameterSet?: unknown;
}

export interface SnapshotAccount {
  readonly id: string;
  readonly book: AccountFileDocument;
  /** Index in `parameterSets` of the set the account is on (absent: bound from its document, its model not being bound on its parameters alone). */
  readonly parameterSet?: number;
}

/** A parameter set as its model validated it (e.g. parseStandardParams; okx: its document), with its name and version for a reader. */
export interface SnapshotParameterSet {
  /** The model id (registry) bound on `params`; absent (a snapshot written when only risk-matrix sets were carried): `deribit`. */
  readonly model?: string;
  readonly name: string;
  readonly version: string;
  readonly params: object;
}

/** The snapshot of a core (after its last input) and of the accounts the partition keeps aside. */
export function snapshotOf(core: LiveCore, unheld: ReadonlyMap<string, UnheldAccount> = new Map()): PartitionSnapshot {
  // The set an account is on: its group's base set under a breaker widening, else its model's. Accounts of a group
  // share one params object (looked up once per group); equal sets of other groups are stored once.
  const parameterSets: SnapshotParameterSet[] = [];
  const byObject = new Map<object, number>();
  const byContent = new Map<string, number>();
  const setOf = (model: MarginModel, params: object): number => {
    let k = byObject.get(params);
    if (k === undefined) {
      const content = JSON.stringify([model.id, params]);
      k = byContent.get(content);
      if (k === undefined) {
        k = parameterSets.length;
        // Name and version as the model bound on these parameters reports them (a breaker-widened group's model
        // reports its widened version, `params` being its base set).
        const info = (modelOnParams(model.id, params) ?? model).parameterSet;
        parameterSets.push({ model: model.id, name: info.name, version: info.version, params });
        byContent.set(content, k);
      }
      byObject.set(params, k);
    }
    return k;
  };
  const accounts = core.accountIds().map((id): SnapshotAccount => {
    const held = core.account(id);
    if (held === undefined) throw new Error(`account ${id} vanished from the core`);
    const params = held.baseParams ?? validatedParamsOf(held.model);
    return { id, book: positionsDocument(held), ...(params !== undefined ? { parameterSet: setOf(held.model, params) } : {}) };
  });
  const rules = core.breakerRules();
  return {
    format: "netrisk.partition.v1",
    market: marketSnapshotToJson(core.market()),
    accounts,
    resume: core.resumeState(),
    ...(rules.rules.length > 0 ? { breakers: rules } : {}),
    parameterSets,
    ...(unheld.size > 0 ? { unheld: [...unheld.values()] } : {}),
  };
}

/** The accounts a snapshot keeps aside, by id, or the issue of a malformed list (a snapshot is our own JSON: its shape is checked). */
export function unheldOf(snapshot: PartitionSnapshot): Result<Map<string, UnheldAccount>> {
  const list: unknown = snapshot.unheld;
  if (list === undefined) return { ok: true, value: new Map() };
  const ok = Array.isArray(list) && list.every((u: unknown) => u !== null && typeof u === "object" && typeof (u as UnheldAccount).id === "string" && typeof (u as UnheldAccount).document === "object");
  if (!ok) return fail(issue("invalid_value", "snapshot.unheld", "expected an array of {id, document, parameterSet?}"));
  return { ok: true, value: new Map((list as UnheldAccount[]).map((u) => [u.id, u])) };
}

/**
 * Keep `unheld` up to date after an `account` input of `account` (its message `message`, the whole account): aside
 * when the core does not hold the account after it (it was refused: the market cannot hold that version, as the
 * in-process engine refuses it while the store keeps it), or while the core holds an older version than the one
 * refused; no longer aside once the core took a version.
 */
export function noteAccountInput(unheld: Map<string, UnheldAccount>, account: string, message: unknown, taken: boolean): void {
  if (taken) {
    unheld.delete(account);
    return;
  }
  const m = message as { type?: unknown; document?: unknown; parameterSet?: unknown } | null;
  if (m === null || typeof m !== "object" || m.type !== "account" || m.document === null || typeof m.document !== "object") return;
  unheld.set(account, { id: account, document: m.document, parameterSet: m.parameterSet ?? null });
}

/** Whether `market` holds an account's positions (by instrument name) and balances. */
function holdable(ctx: MarketContext, listing: ReturnType<typeof listingOf>, a: { positions: readonly { instrument: { name: string } }[]; balances: Readonly<Record<string, number>> }): boolean {
  return a.positions.every((p) => listing.byName.has(p.instrument.name)) && Object.keys(a.balances).every((c) => hasUsdRate(ctx, c));
}

/** An account kept aside, bound on a market context (issues: it still does not bind there). */
function bindUnheld(u: UnheldAccount, ctx: MarketContext): Result<LiveAccountInput> {
  if (u.parameterSet === undefined) return liveAccountOf(u.id, u.document, ctx);
  const a = accountOfMessage(ctx, u.id, { document: u.document, parameterSet: u.parameterSet });
  return Array.isArray(a) ? fail(...a) : { ok: true, value: a };
}

/**
 * The models a snapshot's parameter sets bind, or the issues of its sets and of the accounts' references to them (a
 * snapshot is our own JSON: its shape is checked, and that each set binds its model under the name and version it
 * lists, not the parameters' values).
 */
function snapshotModels(snapshot: PartitionSnapshot): Result<MarginModel[]> {
  const sets: unknown = snapshot.parameterSets;
  if (sets === undefined) return { ok: true, value: [] };
  if (!Array.isArray(sets)) return fail(issue("invalid_value", "snapshot.parameterSets", "expected an array of parameter sets"));
  const issues: Issue[] = [];
  const models = sets.map((s: unknown, k): MarginModel => {
    const set = s as Partial<SnapshotParameterSet> | null;
    const id = set?.model ?? DERIBIT_MODEL_ID;
    const model = set !== null && typeof set === "object" && typeof set.params === "object" && set.params !== null ? modelOnParams(id, set.params) : undefined;
    // A model over parameters of another shape may have no parameter set info at all.
    const info = model?.parameterSet as ParameterSetInfo | undefined;
    if (model === undefined || info === undefined || info.name !== set?.name || info.version !== set.version)
      issues.push(issue("invalid_value", `snapshot.parameterSets[${k}]`, `expected {model, name, version, params}: params binding model ${JSON.stringify(id)} on the same set and version`));
    return model as MarginModel;
  });
  for (const a of snapshot.accounts) {
    const k: unknown = a.parameterSet;
    if (k !== undefined && !(Number.isInteger(k) && (k as number) >= 0 && (k as number) < sets.length))
      issues.push(issue("invalid_value", `snapshot.accounts.${a.id}.parameterSet`, `no parameter set ${JSON.stringify(k)} in the snapshot`));
  }
  return issues.length > 0 ? fail(...issues) : { ok: true, value: models };
}

/** Let timers and I/O run (lease renewals) between slices of a long build. */
const yieldNow = (): Promise<void> => new Promise((r) => setImmediate(r));

/**
 * Accounts bound for a core: model and rules from each stored document (bound once per distinct set of model
 * fields: binding a parameter set costs more than the account), the model replaced by `model` when given (the set
 * a snapshot says the account is on), positions and balances from `book` when given (a snapshot's, in the format
 * positionsDocument writes), otherwise read from the document by the account reader. Yields to the event loop
 * every 200 accounts.
 */
async function bindAccounts(
  entries: readonly { id: string; document: unknown; book?: AccountFileDocument; model?: MarginModel }[],
  market: MarketSnapshot,
  /** Given: an entry that does not bind goes here instead of failing the whole (a partition keeps it aside). */
  aside?: (id: string) => void,
): Promise<Result<LiveAccountInput[]>> {
  const built = buildMarketContext(market);
  if (!built.ok) return built;
  const ctx = built.value;
  const listing = listingOf(market);
  const bindings = new Map<string, Result<LiveAccountInput>>();
  const accounts: LiveAccountInput[] = [];
  const issues: Issue[] = [];
  for (const [k, e] of entries.entries()) {
    if (k % 200 === 199) await yieldNow();
    const { positions: _p, collateral: _c, source: _s, ...modelFields } = (e.document ?? {}) as Record<string, unknown>;
    const key = JSON.stringify(modelFields);
    let bound = bindings.get(key);
    if (bound === undefined) {
      bound = liveAccountOf("binding", { ...modelFields, positions: [], collateral: {} }, ctx);
      bindings.set(key, bound);
    }
    if (!bound.ok) {
      if (aside !== undefined) aside(e.id);
      else issues.push(...bound.issues.map((i) => ({ ...i, path: `accounts.${e.id}.${i.path}` })));
      continue;
    }
    const model = bound.value;
    if (e.book === undefined) {
      // The stored document read by the account reader, on the model bound once for its model fields.
      const a = liveAccountOf(e.id, e.document, ctx, { model: model.model });
      if (a.ok) accounts.push({ ...a.value, rules: model.rules, ...(model.parameterSetName !== undefined ? { parameterSetName: model.parameterSetName } : {}) });
      else if (aside !== undefined) aside(e.id);
      else issues.push(...a.issues.map((i) => ({ ...i, path: `accounts.${e.id}.${i.path}` })));
      continue;
    }
    const positions = positionsFromDocument(e.book, ctx, listing);
    if (!positions.ok) issues.push(...positions.issues.map((i) => ({ ...i, path: `snapshot.accounts.${e.id}.${i.path}` })));
    else accounts.push({ ...model, ...(e.model !== undefined ? { model: e.model } : {}), id: e.id, positions: positions.value, balances: { ...e.book.collateral } });
  }
  return issues.length > 0 ? fail(...issues) : { ok: true, value: accounts };
}

/** A core over the genesis book (the stored account documents of the partition on the cluster's start market), yielding to the event loop while it binds (a worker keeps renewing its leases). */
export async function coreFromGenesis(market: MarketSnapshot, documents: readonly { id: string; document: unknown }[], params: LiveParams, breakers?: BreakerRules, executor?: RemarginExecutor): Promise<Result<LiveCore>> {
  const accounts = await bindAccounts(documents, market);
  if (!accounts.ok) return accounts;
  await yieldNow();
  return createLiveCore({ market, accounts: accounts.value, params, ...(breakers !== undefined ? { breakers } : {}), ...(executor !== undefined ? { executor } : {}) });
}

/**
 * A partition at its genesis book: the stored account documents it can hold on the cluster's start market in its
 * core, the others (an instrument the market does not list, a balance it cannot price) kept aside as the in-process
 * engine skips them, so that a later market holding them brings them in ({@link coreOnMarket}).
 */
export async function partitionFromGenesis(
  market: MarketSnapshot,
  documents: readonly { id: string; document: unknown }[],
  params: LiveParams,
  breakers?: BreakerRules,
  executor?: RemarginExecutor,
): Promise<Result<{ core: LiveCore; unheld: Map<string, UnheldAccount> }>> {
  const unheld = new Map<string, UnheldAccount>();
  const documentOf = new Map(documents.map((d) => [d.id, d.document]));
  const bound = await bindAccounts(documents, market, (id) => unheld.set(id, { id, document: documentOf.get(id) }));
  if (!bound.ok) return bound;
  const built = buildMarketContext(market);
  if (!built.ok) return built;
  const listing = listingOf(market);
  const accounts = bound.value.filter((a) => {
    if (holdable(built.value, listing, a)) return true;
    unheld.set(a.id, { id: a.id, document: documentOf.get(a.id) });
    return false;
  });
  await yieldNow();
  const core = createLiveCore({ market, accounts, params, ...(breakers !== undefined ? { breakers } : {}), ...(executor !== undefined ? { executor } : {}) });
  return core.ok ? { ok: true, value: { core: core.value, unheld } } : core;
}

/**
 * The core a snapshot describes (each account's rules from its stored document, its model on the parameter set the
 * snapshot names, from the document for a model not bound on its parameters alone or in a snapshot without sets),
 * yielding to the event loop while it binds.
 */
export async function coreFromSnapshot(snapshot: PartitionSnapshot, documents: ReadonlyMap<string, unknown>, params: LiveParams, executor?: RemarginExecutor): Promise<Result<LiveCore>> {
  if (snapshot.format !== "netrisk.partition.v1") return fail(issue("invalid_value", "snapshot.format", `unknown snapshot format ${JSON.stringify(snapshot.format)}`));
  const market = validateMarket(snapshot.market);
  if (!market.ok) return fail(...market.issues.map((i) => ({ ...i, path: `snapshot.market.${i.path}` })));
  const missing = snapshot.accounts.filter((a) => !documents.has(a.id));
  if (missing.length > 0) return fail(...missing.map((a) => issue("not_found", `snapshot.accounts.${a.id}`, `account ${a.id} is in the checkpoint but not in the store`)));
  const models = snapshotModels(snapshot);
  if (!models.ok) return models;
  const accounts = await bindAccounts(
    snapshot.accounts.map((a) => ({ id: a.id, document: documents.get(a.id), book: a.book, ...(a.parameterSet !== undefined ? { model: models.value[a.parameterSet] } : {}) })),
    market.value,
  );
  if (!accounts.ok) return accounts;
  await yieldNow();
  return createLiveCore({ market: market.value, accounts: accounts.value, params, resume: snapshot.resume, ...(snapshot.breakers !== undefined ? { breakers: snapshot.breakers } : {}), ...(executor !== undefined ? { executor } : {}) });
}

/**
 * The core a partition holds after a wholesale market replacement (the `market` control input at `seq`), as the
 * in-process engine restarts its core on a replaced market from the stored accounts: its accounts as it holds them
 * (model, rules, positions, balances: what the store holds of them, every write having reached the partition as an
 * input before this one) on the new market, breakers re-anchored on the new market under the rules in force, health
 * states from the new figures, no liquidation episode open, the event and tick sequences carried on; `seq` is its
 * last input. The accounts kept aside (`unheld`: the stored version the core could not hold) are bound on the new
 * market and join when it holds them, as the in-process restart binds every stored account; an account the new
 * market cannot hold (an instrument it does not list, a balance it cannot price) is left out and kept aside (its
 * stored document from `documents`, positions and balances as held), as the in-process engine skips it. Built from
 * what the partition holds, not the store's current documents, so a new owner re-applying this input later builds
 * the same core whatever was written since.
 */
export function coreOnMarket(
  held: LiveCore,
  market: MarketSnapshot,
  seq: number,
  unheld: ReadonlyMap<string, UnheldAccount> = new Map(),
  documents: ReadonlyMap<string, unknown> = new Map(),
  executor?: RemarginExecutor,
): Result<{ core: LiveCore; skipped: string[]; joined: string[]; unheld: Map<string, UnheldAccount> }> {
  const built = buildMarketContext(market);
  if (!built.ok) return built;
  const ctx = built.value;
  const listing = listingOf(market);
  const accounts: LiveAccountInput[] = [];
  const skipped: string[] = [];
  const joined: string[] = [];
  const aside = new Map<string, UnheldAccount>();
  // A group under a breaker's widened version goes back to the set it started on (the in-process restart binds the
  // stored set); one model per base set.
  const bases = new Map<object, MarginModel>();
  const modelOf = (a: HeldAccount): MarginModel => {
    if (a.baseParams === undefined) return a.model;
    let m = bases.get(a.baseParams);
    if (m === undefined) {
      m = createRiskMatrixModel(a.baseParams);
      bases.set(a.baseParams, m);
    }
    return m;
  };
  /** An account kept aside: in when the new market holds its version, else aside still. */
  const tryUnheld = (u: UnheldAccount): void => {
    const a = bindUnheld(u, ctx);
    if (a.ok && holdable(ctx, listing, a.value)) {
      accounts.push(a.value);
      joined.push(u.id);
    } else aside.set(u.id, u);
  };
  for (const id of held.accountIds()) {
    const a = held.account(id);
    if (a === undefined) continue;
    // A newer version refused (the store's): bound from it, as the in-process restart does.
    const newer = unheld.get(id);
    if (newer !== undefined) {
      tryUnheld(newer);
      continue;
    }
    const positions = a.positions.map((p) => ({ ...p, instrument: listing.byName.get(p.instrument.name) }));
    if (holdable(ctx, listing, a)) {
      accounts.push({ id, model: modelOf(a), rules: a.rules, parameterSetName: a.parameterSetName, positions: positions as LiveAccountInput["positions"], balances: { ...a.balances } });
      continue;
    }
    skipped.push(id);
    // Its stored document (model fields, rules) with what it holds; without one, its model and set by name.
    const stored = documents.get(id);
    const fields = stored !== null && typeof stored === "object" ? (stored as Record<string, unknown>) : { model: a.model.id, parameterSet: a.parameterSetName };
    aside.set(id, { id, document: { ...fields, ...positionsDocument(a) } });
  }
  // The others kept aside, in id order (the in-process restart binds the store's accounts by id).
  for (const id of [...unheld.keys()].sort()) if (held.account(id) === undefined) tryUnheld(unheld.get(id) as UnheldAccount);
  const resume = held.resumeState();
  const core = createLiveCore({ market, accounts, params: held.params, breakers: held.breakerRules(), resume: { lastSeq: seq, lastTickSeq: resume.lastTickSeq, lastEventSeq: resume.lastEventSeq }, ...(executor !== undefined ? { executor } : {}) });
  return core.ok ? { ok: true, value: { core: core.value, skipped, joined, unheld: aside } } : core;
}
