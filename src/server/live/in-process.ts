/**
 * The in-process live engine: one live core in this process, fed through the in-process transport by the live
 * runner (src/transport/live-runner.ts) exactly as a NATS-fed worker would be, its outputs committed to the store
 * (events with their global eventSeq, the market it moved to, the feed's tick seq and the input sequence) before any
 * listener hears of them. Every call is queued and applied in order.
 *
 * Start: the current stored market and every stored account (bound as the service binds them: stored parameter sets
 * in force), the sequences resumed from the store. Futures and perpetuals stored without `averagePrice` get the
 * start mark as their entry (the core's rule) and the account is written back once with it (`account.pin_entry`),
 * so the figures `GET /v1/accounts/{id}` computes from the stored account equal the live ones.
 * @module
 */
import type { Issue } from "../../errors.js";
import { issue } from "../../errors.js";
import { tickToJson } from "../../io/live.js";
import { liveAccountOfLoaded } from "../../io/live-accounts.js";
import { marketSnapshotToJson, validateMarket } from "../../io/market.js";
import { hasUsdRate } from "../../risk/marks.js";
import { formatInstrument } from "../../market/instrument.js";
import { canonicalName, resolveInstrumentName } from "../../market/venue-ids.js";
import { createLiveCore, NO_BREAKERS } from "../../live/index.js";
import type { BreakerRules, LiveAccountInput, LiveCore, LiveParams } from "../../live/index.js";
import type { ApplyOutcome } from "../../live/core.js";
import type { RemarginExecutor } from "../../live/chunk.js";
import type { Store, StoredAccount, StoredLiveEvent, StoredMarket, WriteContext } from "../../store/port.js";
import type { MarketSnapshot } from "../../market/types.js";
import { createInProcessTransport } from "../../transport/in-process.js";
import { startLiveRunner } from "../../transport/live-runner.js";
import type { LiveRunner } from "../../transport/live-runner.js";
import { SUBJECTS } from "../../transport/port.js";
import type { Transport, TransportMessage } from "../../transport/port.js";
import type { BoundAccount } from "../../io/account-binder.js";
import type { Book } from "../book.js";
import { marketIdOf } from "../book.js";
import { HttpError } from "../http.js";
import type { Logger } from "../ports.js";
import type { LiveBreakerView, LiveEngine, LiveStatus, LiveStep } from "./engine.js";

export interface InProcessLiveOptions {
  readonly store: Store;
  readonly book: Book;
  readonly logger: Logger;
  readonly params?: LiveParams;
  /** Breaker rules when the store holds none in force (`serve --breakers FILE`); default none. */
  readonly breakers?: BreakerRules;
  /** Threads that share the core's re-margin passes (`netrisk serve --threads`, a live-pool.ts pool); none: one thread. */
  readonly executor?: RemarginExecutor;
}

/** Live-state keys in the store. */
export const LIVE_KEYS = { inputSeq: "inputSeq", tickSeq: "tickSeq", breakerRules: "breakerRules" } as const;

interface Running {
  readonly core: LiveCore;
  readonly transport: Transport;
  readonly runner: LiveRunner;
  readonly marketId: string;
  readonly skipped: { id: string; code: string }[];
}

interface Waiter {
  resolve(s: LiveStep): void;
  reject(e: unknown): void;
  readonly kind: LiveStep["kind"];
  readonly ctx: WriteContext;
}

const KIND_OF: Record<string, LiveStep["kind"]> = { tick: "tick", account: "account", breaker_reset: "breaker_reset", breaker_rules: "breaker_rules", time: "time", parameters: "parameters" };

/** Entry prices pinned on a stored document: futures and perpetuals without `averagePrice` take the held one. */
export function pinnedDocument(document: Record<string, unknown>, entryOf: (instrument: string) => number | undefined): Record<string, unknown> | null {
  const positions = document.positions;
  if (!Array.isArray(positions)) return null;
  let changed = false;
  const next = positions.map((p: unknown) => {
    if (p === null || typeof p !== "object") return p;
    const pos = p as Record<string, unknown>;
    if (pos.averagePrice !== undefined || typeof pos.instrument !== "string") return p;
    const entry = entryOf(canonicalName(pos.instrument) ?? pos.instrument);
    if (entry === undefined) return p;
    changed = true;
    // A linear perpetual's unrealised P&L becomes its entry (as the core does): the two never count twice.
    const { unrealisedPnlUsdc: _dropped, ...rest } = pos;
    return { ...rest, averagePrice: entry };
  });
  return changed ? { ...document, positions: next } : null;
}

/**
 * The document to store for an account written while a core runs: futures and perpetuals without `averagePrice` get
 * the core's live mark as their entry (the core's rule, live/core.ts pinEntryPrices), so stored and live figures
 * stay equal. Shared by the in-process engine (its core) and the cluster one (its market-only core).
 */
export function pinEntriesOn(core: LiveCore, document: Record<string, unknown>): Record<string, unknown> {
  if (!Array.isArray(document.positions)) return document;
  const market = core.marketContext();
  let changed = false;
  const positions = (document.positions as unknown[]).map((p) => {
    if (p === null || typeof p !== "object") return p;
    const pos = p as Record<string, unknown>;
    if (pos.averagePrice !== undefined || typeof pos.instrument !== "string") return p;
    const resolved = resolveInstrumentName(pos.instrument);
    if (!resolved.ok || resolved.value.instrument.kind === "spot" || resolved.value.instrument.kind === "option") return p;
    const inst = resolved.value.instrument;
    if (core.market().instruments[formatInstrument(inst)] === undefined) return p;
    const mark = market.futureMarkUsd(inst);
    const sizeCoin = typeof pos.size === "number" ? pos.size : typeof pos.sizeUsd === "number" ? pos.sizeUsd / mark : Number.NaN;
    // The core's rule (live/core.ts pinEntryPrices): entry = mark, or mark − upnl/size for a linear perpetual's unrealised P&L.
    if (typeof pos.unrealisedPnlUsdc === "number") {
      const entry = mark - pos.unrealisedPnlUsdc / sizeCoin;
      if (!(entry > 0 && Number.isFinite(entry))) return p;
      const { unrealisedPnlUsdc: _upnl, ...rest } = pos;
      changed = true;
      return { ...rest, averagePrice: entry };
    }
    if (!Number.isFinite(mark) || mark <= 0) return p;
    changed = true;
    return { ...pos, averagePrice: mark };
  });
  return changed ? { ...document, positions } : document;
}

const storedEvent = (e: LiveStep["events"][number]): StoredLiveEvent => ({
  eventSeq: e.eventSeq,
  seq: e.seq,
  type: e.type,
  accountId: "account" in e ? e.account : null,
  document: JSON.parse(JSON.stringify(e)) as Record<string, unknown>,
});

/**
 * Commit one applied step to the store (its events with their global eventSeq, the market `core` moved to after a
 * tick, the input and tick sequences, new breaker rules) and make that market the book's current one. Nothing for
 * an ignored or rejected input. The stored market id after a tick, else undefined. Shared by both engines: the
 * cluster one's `core` holds the market only.
 */
export async function commitStep(
  store: Store,
  book: Book,
  core: LiveCore,
  step: { seq: number; kind: LiveStep["kind"]; status: LiveStep["status"]; events: LiveStep["events"]; tickSeq?: number },
  ctx: WriteContext,
): Promise<string | undefined> {
  if (step.status !== "applied") return undefined;
  let market: { id: string; timestampMs: number; document: Record<string, unknown> } | undefined;
  if (step.kind === "tick") {
    const document = marketSnapshotToJson(core.market(), `the market as the netrisk live engine held it after input ${step.seq}`) as unknown as Record<string, unknown>;
    market = { id: marketIdOf(document), timestampMs: core.market().timestampMs, document };
  }
  const state: Record<string, unknown> = { [LIVE_KEYS.inputSeq]: step.seq };
  if (step.tickSeq !== undefined) state[LIVE_KEYS.tickSeq] = step.tickSeq;
  if (step.kind === "breaker_rules") state[LIVE_KEYS.breakerRules] = core.breakerRules();
  const c = await store.commitLive({ events: step.events.map(storedEvent), ...(market !== undefined ? { market } : {}), state }, ctx);
  if (!c.ok) throw new Error(`live commit refused: eventSeq ${c.eventSeq} is already stored (another engine on this store?)`);
  if (market === undefined) return undefined;
  const built = book.buildMarket(market.document);
  if (!built.ok) throw new Error(`the live market does not rebuild: ${built.issues[0]?.code} ${built.issues[0]?.path}`);
  book.setMarket({ ...market, receivedAt: ctx.at, current: true }, built.value.context);
  return market.id;
}

/** The breaker view of a core (null: not running, the rules in force only). */
export function breakerViewOf(core: LiveCore | null, rules: BreakerRules): LiveBreakerView {
  const inForce = core?.breakerRules() ?? rules;
  const states = core?.breakerStates() ?? {};
  const actionsOf = (rule: string): readonly string[] => inForce.rules.find((x) => x.id === rule)?.actions ?? [];
  return {
    rules: inForce,
    underlyings: Object.entries(states).map(([underlying, u]) => {
      const latest = u.trips[u.trips.length - 1];
      return {
        underlying,
        state: u.state,
        rule: latest?.rule ?? null,
        reason: latest?.reason ?? null,
        since: latest?.since ?? null,
        actions: [...new Set(u.trips.flatMap((t) => actionsOf(t.rule)))],
        trips: u.trips,
      };
    }),
  };
}

/**
 * The `account` input of a stored account (the live runner's format, docs/live.md): its document and the parameter
 * set it binds to (self-contained: a core with no store, a cluster worker, binds it the same way), at `tsMs`.
 */
export async function accountMessageOf(book: Book, account: StoredAccount, cause: string, tsMs: number): Promise<Record<string, unknown>> {
  const b = await book.bound(account);
  const ref = b.bound.parameterSetRef;
  let parameterSet: { name: string; version: string; document: unknown } | null = null;
  if (ref.name !== "inline") {
    const resolved = (await book.resolver())(ref.name, ref.version);
    if (resolved.ok) parameterSet = { name: resolved.value.name, version: resolved.value.version, document: resolved.value.document };
  }
  return { type: "account", ts: new Date(tsMs).toISOString(), document: account.document, parameterSet, cause };
}

/**
 * Bind every stored account (by id) as the service does; those that do not bind, or hold a balance the market cannot
 * price (`missing_index`: the live core cannot hold it; a cluster partition keeps such an account aside, and both
 * take it in on a market that prices it), are returned with their code.
 */
export async function forEachBound(store: Store, book: Book, onBound: (account: StoredAccount, bound: BoundAccount) => void): Promise<{ id: string; code: string }[]> {
  const skipped: { id: string; code: string }[] = [];
  let after: string | null = null;
  for (;;) {
    const page = await store.listAccounts({ afterId: after, limit: 500 });
    for (const a of page) {
      try {
        const { bound, market } = await book.bound(a);
        if (Object.keys(bound.account.balances).every((c) => hasUsdRate(market.context, c))) onBound(a, bound);
        else skipped.push({ id: a.id, code: "missing_index" });
      } catch (e) {
        skipped.push({ id: a.id, code: e instanceof HttpError ? e.code : "internal" });
      }
    }
    if (page.length < 500) break;
    after = page[page.length - 1]?.id ?? null;
  }
  return skipped;
}

/** The stored current market a live core starts on, or why there is none to start on. */
export async function liveMarketOf(store: Store): Promise<{ ok: true; stored: StoredMarket; snap: { ok: true; value: MarketSnapshot } } | { ok: false; reason: string }> {
  const stored = await store.currentMarket();
  if (stored === null) return { ok: false, reason: "no market yet: PUT /v1/market first" };
  const snap = validateMarket(stored.document);
  if (!snap.ok) return { ok: false, reason: `the stored market does not validate: ${snap.issues[0]?.code} at ${snap.issues[0]?.path}` };
  return { ok: true, stored, snap };
}

/** Write back an account whose entry prices a live engine pinned at its start (`account.pin_entry`): the new version, or null (logged). */
export async function writePinned(store: Store, logger: Logger, stored: StoredAccount, doc: Record<string, unknown>, ctx: WriteContext): Promise<StoredAccount | null> {
  const w = await store.writeAccount({ id: stored.id, expectedVersion: stored.version, document: doc, audit: { action: "account.pin_entry", detail: { reason: "the live engine pinned entry prices of futures and perpetuals stored without averagePrice (the mark at its start)", document: doc } } }, ctx);
  if (w.ok) return w.account;
  logger.warn({ account: stored.id, reason: w.reason }, "entry prices not written back");
  return null;
}

/** What the store keeps of a live engine across restarts: the rules in force, the sequences. */
export async function storedLiveState(store: Store): Promise<{ rules: BreakerRules | null; inputSeq: number; tickSeq: number | undefined; lastEventSeq: number }> {
  const rules = (await store.getLiveState(LIVE_KEYS.breakerRules)) as BreakerRules | null;
  const tickSeq = await store.getLiveState(LIVE_KEYS.tickSeq);
  return { rules, inputSeq: Number((await store.getLiveState(LIVE_KEYS.inputSeq)) ?? 0), tickSeq: typeof tickSeq === "number" ? tickSeq : undefined, lastEventSeq: await store.lastLiveEventSeq() };
}

/** A held account whose binding moved (a parameter version came into force): its new binding key and set. */
export interface MovedAccount {
  readonly account: StoredAccount;
  readonly key: string;
  readonly ref: { readonly name: string; readonly version: string };
}

/**
 * Parameter sets changed: the held accounts (`ids`) whose binding moved reach the core, per set: when every account
 * of the set moved to one version and none patches it, as ONE `parameters` control input (the core re-margins them
 * all, one `parameters_changed` event); otherwise (pinned or patched accounts, or the core refused the whole set)
 * each moved account is re-bound on its own (an `account` input). `applied` hears of each account moved. Shared by
 * both engines, so the cluster's inputs are the in-process core's.
 */
export async function applyParameterChange(
  store: Store,
  book: Book,
  ids: readonly string[],
  bindingOf: ReadonlyMap<string, string>,
  tsMs: number,
  logger: Logger,
  send: { whole(message: Record<string, unknown>): Promise<LiveStep>; each(m: MovedAccount): Promise<LiveStep>; applied(m: MovedAccount): void },
): Promise<LiveStep[]> {
  const out: LiveStep[] = [];
  // Every held account's binding now; accounts grouped by the set they are on.
  const bySet = new Map<string, { all: string[]; moved: (MovedAccount & { model: string; overrides: boolean })[] }>();
  for (const id of ids) {
    const a = await store.getAccount(id);
    if (a === null) continue;
    let b: Awaited<ReturnType<Book["bound"]>>;
    try {
      b = await book.bound(a);
    } catch {
      continue;
    }
    const ref = b.bound.parameterSetRef;
    const group = bySet.get(ref.name) ?? { all: [], moved: [] };
    bySet.set(ref.name, group);
    group.all.push(id);
    const overrides = (a.document.overrides as { parameters?: unknown } | undefined)?.parameters !== undefined;
    if (bindingOf.get(id) !== b.bound.bindingKey) group.moved.push({ account: a, key: b.bound.bindingKey, ref, model: b.bound.model.id, overrides });
  }
  for (const [name, group] of bySet) {
    if (group.moved.length === 0) continue;
    const first = group.moved[0] as (typeof group.moved)[number];
    const whole = name !== "inline" && group.moved.length === group.all.length && group.moved.every((m) => m.key === first.key && !m.overrides);
    if (whole) {
      const resolved = (await book.resolver())(name, first.ref.version);
      if (resolved.ok) {
        const step = await send.whole({ type: "parameters", ts: new Date(tsMs).toISOString(), model: first.model, parameterSet: { name, version: resolved.value.version, document: resolved.value.document } });
        out.push(step);
        if (step.status === "applied") {
          for (const m of group.moved) send.applied(m);
          continue;
        }
        logger.warn({ set: name, issues: step.issues }, "the live core did not take a parameter version whole; re-binding its accounts one by one");
      }
    }
    for (const m of group.moved) {
      const step = await send.each(m);
      if (step.status === "applied") send.applied(m);
      out.push(step);
    }
  }
  return out;
}

export function createInProcessLiveEngine(o: InProcessLiveOptions): LiveEngine {
  const { store, book, logger } = o;
  let running: Running | null = null;
  let reason: string | null = "not started";
  let queue: Promise<unknown> = Promise.resolve();
  /** The caller waiting for the input in flight (one at a time: every call goes through `serial`). */
  let inFlight: Waiter | null = null;
  const listeners = new Set<(s: LiveStep) => void>();
  let inputSeq = 0;
  let rules: BreakerRules = o.breakers ?? NO_BREAKERS;
  let closed = false;
  /** The stored market the core is at, and the feed's last applied tick seq (for status). */
  let currentMarketId: string | null = null;
  let lastTickSeq: number | null = null;

  /** Run `fn` after every call queued before it (the core takes one input at a time, in call order). */
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  /** Commit an outcome, then tell the waiter and the listeners. Runs inside the runner (one input at a time). */
  async function onOutcome(r: Running, outcome: ApplyOutcome, m: TransportMessage): Promise<void> {
    const w = inFlight;
    inFlight = null;
    const kind = w?.kind ?? KIND_OF[(m.data as { type?: string }).type ?? ""] ?? (m.subject === SUBJECTS.ticks ? "tick" : "account");
    const tickSeq = m.subject === SUBJECTS.ticks ? (m.data as { seq?: number }).seq : undefined;
    const ctx = w?.ctx ?? { actor: "live-engine", requestId: null, at: new Date().toISOString() };
    try {
      const marketId = await commitStep(store, book, r.core, { seq: outcome.seq, kind, status: outcome.status, events: outcome.events, ...(tickSeq !== undefined ? { tickSeq } : {}) }, ctx);
      if (marketId !== undefined) currentMarketId = marketId;
      if (outcome.status === "applied" && tickSeq !== undefined) lastTickSeq = tickSeq;
      const step: LiveStep = {
        seq: outcome.seq,
        kind,
        status: outcome.status,
        issues: outcome.issues as readonly Issue[],
        events: outcome.events,
        changed: outcome.changed,
        ...(tickSeq !== undefined ? { tickSeq } : {}),
        ...(marketId !== undefined ? { marketId } : {}),
      };
      for (const l of listeners) {
        try {
          l(step);
        } catch (e) {
          logger.error({ err: String(e) }, "live step listener failed");
        }
      }
      w?.resolve(step);
    } catch (e) {
      logger.error({ err: e instanceof Error ? e.message : String(e), seq: m.seq }, "live commit failed");
      w?.reject(e);
    }
  }

  /** Publish one input and wait for its committed step (calls are serial: one input in flight at a time). */
  async function input(subject: string, data: unknown, kind: LiveStep["kind"], ctx: WriteContext): Promise<LiveStep> {
    const r = running;
    if (r === null) throw new HttpError([issue("unavailable", "live", `the live engine is not running: ${reason ?? "stopped"}`)]);
    const step = await new Promise<LiveStep>((resolve, reject) => {
      inFlight = { resolve, reject, kind, ctx };
      r.transport.publish(subject, data).catch((e: unknown) => {
        inFlight = null;
        reject(e);
      });
    });
    inputSeq = Math.max(inputSeq, step.seq);
    return step;
  }

  /** Every stored account bound on the book's (the stored current) market; those that do not bind are skipped. */
  async function bindAll(): Promise<{ accounts: LiveAccountInput[]; skipped: { id: string; code: string }[] }> {
    const accounts: LiveAccountInput[] = [];
    const skipped = await forEachBound(store, book, (a, b) => accounts.push(liveAccountOfLoaded(a.id, a.document, b)));
    return { accounts, skipped };
  }

  /** Write back entry prices the core pinned on accounts stored without them (once per account). */
  async function pinStored(core: LiveCore, ctx: WriteContext): Promise<void> {
    for (const id of core.accountIds()) {
      const stored = await store.getAccount(id);
      if (stored === null) continue;
      const held = core.account(id);
      const entries = new Map(held?.positions.filter((p) => p.averagePrice !== undefined && p.instrument.kind !== "option").map((p) => [p.instrument.name, p.averagePrice as number]) ?? []);
      const doc = pinnedDocument(stored.document, (name) => entries.get(name));
      if (doc === null) continue;
      await writePinned(store, logger, stored, doc, ctx);
    }
  }

  async function startCore(ctx: WriteContext): Promise<void> {
    await stopCore();
    const current = await liveMarketOf(store);
    if (!current.ok) {
      reason = current.reason;
      return;
    }
    const { stored, snap } = current;
    const saved = await storedLiveState(store);
    if (saved.rules !== null) rules = saved.rules;
    const { accounts, skipped } = await bindAll();
    inputSeq = Math.max(inputSeq, saved.inputSeq);
    const { tickSeq, lastEventSeq } = saved;
    const created = createLiveCore({
      market: snap.value,
      accounts,
      ...(o.params !== undefined ? { params: o.params } : {}),
      breakers: rules,
      resume: { lastEventSeq, ...(typeof tickSeq === "number" ? { lastTickSeq: tickSeq } : {}) },
      ...(o.executor !== undefined ? { executor: o.executor } : {}),
    });
    if (!created.ok) {
      reason = `the live core does not start: ${created.issues.map((i: Issue) => `${i.path}: ${i.code}`).join("; ")}`;
      logger.error({ issues: created.issues }, "live core not started");
      return;
    }
    const core = created.value;
    await pinStored(core, ctx);
    const transport = createInProcessTransport({ startSeq: inputSeq, maxMessages: 100_000 });
    const holder: { r: Running | null } = { r: null };
    const runner = await startLiveRunner(core, transport, {
      fromSeq: inputSeq + 1,
      publishFigures: false,
      // Events are committed by onOutcome: the transport's sequence is then the input sequence (one per input).
      publishEvents: false,
      onOutcome: (outcome, m) => onOutcome(holder.r as Running, outcome, m),
    });
    holder.r = { core, transport, runner, marketId: stored.id, skipped };
    currentMarketId = stored.id;
    lastTickSeq = typeof tickSeq === "number" ? tickSeq : null;
    running = holder.r;
    reason = null;
    logger.info({ accounts: accounts.length, skipped: skipped.length, inputSeq, lastEventSeq }, "live engine started");
  }

  async function stopCore(): Promise<void> {
    const r = running;
    running = null;
    if (r === null) return;
    await r.runner.stop();
    await r.transport.close();
    inFlight?.reject(new HttpError([issue("unavailable", "live", "the live engine restarted")]));
    inFlight = null;
  }

  const accountMessage = (account: StoredAccount, cause: string): Promise<Record<string, unknown>> => accountMessageOf(book, account, cause, running?.core.market().timestampMs ?? Date.now());

  const bindingOf = new Map<string, string>();

  return {
    name: "in-process",
    start: (ctx) =>
      serial(async () => {
        closed = false;
        await startCore(ctx);
        if (running !== null) for (const id of running.core.accountIds()) {
          const a = await store.getAccount(id);
          if (a !== null) bindingOf.set(id, (await book.bound(a)).bound.bindingKey);
        }
      }),
    ticks: (ticks, ctx) =>
      serial(async () => {
        const out: LiveStep[] = [];
        for (const t of ticks) out.push(await input(SUBJECTS.ticks, tickToJson(t), "tick", ctx));
        return out;
      }),
    accountChanged: (account, cause, ctx) =>
      serial(async () => {
        if (running === null) return null;
        const step = await input(SUBJECTS.accountInput(account.id), await accountMessage(account, cause), "account", ctx);
        if (step.status === "applied") bindingOf.set(account.id, (await book.bound(account)).bound.bindingKey);
        else logger.warn({ account: account.id, issues: step.issues }, "the live core did not take an account version");
        return step;
      }),
    pinEntries: (document) => (running === null ? document : pinEntriesOn(running.core, document)),
    parametersChanged: (ctx) =>
      serial(async () => {
        const r = running;
        if (r === null) return [];
        return applyParameterChange(store, book, r.core.accountIds(), bindingOf, r.core.market().timestampMs, logger, {
          whole: (message) => input(SUBJECTS.control, message, "parameters", ctx),
          each: async (m) => input(SUBJECTS.accountInput(m.account.id), await accountMessage(m.account, `parameter set ${m.ref.name} ${m.ref.version} in force`), "account", ctx),
          applied: (m) => bindingOf.set(m.account.id, m.key),
        });
      }),
    marketReplaced: (ctx) =>
      serial(async () => {
        // A replacement while running takes one input sequence number, as the cluster's `market` control input does
        // (docs/scale-out.md), so both engines number later inputs and their events alike.
        if (running !== null) {
          inputSeq = Math.max(inputSeq, running.runner.lastSeq) + 1;
          await store.commitLive({ events: [], state: { [LIVE_KEYS.inputSeq]: inputSeq } }, ctx);
        }
        await startCore(ctx);
      }),
    resetBreaker: (underlying, rule, ctx) =>
      serial(() => input(SUBJECTS.control, { type: "breaker_reset", ts: new Date(running?.core.market().timestampMs ?? 0).toISOString(), underlying, ...(rule !== undefined ? { rule } : {}) }, "breaker_reset", ctx)),
    setBreakerRules: (next, ctx) =>
      serial(async () => {
        const step = await input(SUBJECTS.control, { type: "breaker_rules", ts: new Date(running?.core.market().timestampMs ?? 0).toISOString(), rules: next }, "breaker_rules", ctx);
        if (step.status === "applied") rules = next;
        return step;
      }),
    breakers: (): LiveBreakerView => breakerViewOf(running?.core ?? null, rules),
    figures: (id) => running?.core.figures(id),
    document: (id) => running?.core.document(id),
    status(): LiveStatus {
      const r = running;
      const m = r?.core.market();
      return {
        engine: "in-process",
        running: r !== null && !closed,
        reason,
        accounts: r?.core.accountIds().length ?? 0,
        skipped: r?.skipped ?? [],
        lastSeq: Math.max(inputSeq, r?.core.lastSeq() ?? 0),
        lastTickSeq,
        lastEventSeq: r?.core.lastEventSeq() ?? 0,
        marketId: r !== null ? currentMarketId : null,
        marketTimestamp: m !== undefined ? new Date(m.timestampMs).toISOString() : null,
        counters: r?.core.counters() ?? {},
      };
    },
    onStep(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: () =>
      serial(async () => {
        closed = true;
        await stopCore();
      }),
  };
}
