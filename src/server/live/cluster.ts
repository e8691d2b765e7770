/**
 * The cluster live engine (`netrisk serve --cluster nats://...`, docs/scale-out.md "The service in cluster mode"):
 * the service's live core runs in `netrisk worker` processes behind NATS JetStream. This adapter of the LiveEngine
 * port publishes every input (ticks, whole accounts after a write or a fill, parameter versions as re-bound
 * accounts, breaker resets and rules, a market replaced wholesale as a `market` control input naming it) to the
 * cluster's input stream with `publishInput`, reads the workers' outputs back from the output stream, and commits
 * each step to the store exactly as the in-process engine does: the same events with the same global `eventSeq`, the
 * same stored market, the same figures.
 *
 * What it holds itself is a **market-only core**: the live core with no accounts, fed the ticks and control inputs
 * (never account inputs). Ticks and breakers do not depend on accounts, so it holds the market, the breaker states
 * and the tick outcome the partitions hold, at the cost of applying a tick to a market (no re-margin). The accounts'
 * figures and events come from the workers.
 *
 * A step: publish the input (its stream sequence is its input seq), apply it to the market core when it is a tick or
 * a control input, wait until every partition it reaches has published its output for it (every partition for a tick
 * or control input, the account's partition for an account input: workers publish an output, empty or not, for every
 * input they apply), then merge: the market core's events without an account (breakers) first, then the partitions'
 * account events in book order (the in-process core's order: stored accounts by id, then accounts in the order they
 * were created), renumbered from the store's last eventSeq, and commit. Steps commit in input order whether or not
 * their caller still waits (a caller gives up after `stepTimeoutMs`; the step still commits when the workers answer).
 *
 * The service must be the only publisher of ticks and control inputs of its cluster (the market core sees only what
 * it published); feeds publish through the service's API.
 * @module
 */
import type { JetStreamClient, JsMsg, NatsConnection } from "nats";
import { connect } from "nats";
import { accountDocument } from "../../account/document.js";
import type { AccountDocument } from "../../account/document.js";
import { clusterInputOf, marketInput, publishInput } from "../../cluster/inputs.js";
import type { ClusterInput } from "../../cluster/inputs.js";
import { clusterNames, partitionOf } from "../../cluster/names.js";
import type { OutputMessage, OwnerMarker } from "../../cluster/worker.js";
import { ensureCluster } from "../../cluster/worker.js";
import type { Issue, Result } from "../../errors.js";
import { fail, issue } from "../../errors.js";
import { createAccountBinder } from "../../io/account-binder.js";
import type { AccountBinder, ParameterSetResolver } from "../../io/account-binder.js";
import { tickToJson } from "../../io/live.js";
import { createLiveCore, NO_BREAKERS } from "../../live/index.js";
import type { BreakerRules, LiveCore, LiveEvent, LiveFigures, LiveParams } from "../../live/index.js";
import type { ApplyOutcome } from "../../live/core.js";
import type { Store, StoredAccount, WriteContext } from "../../store/port.js";
import type { Book } from "../book.js";
import { HttpError } from "../http.js";
import type { Logger } from "../ports.js";
import type { LiveEngine, LiveStatus, LiveStep } from "./engine.js";
import { accountMessageOf, applyParameterChange, breakerViewOf, commitStep, forEachBound, LIVE_KEYS, liveMarketOf, pinEntriesOn, storedLiveState, writePinned } from "./in-process.js";

/** Live state key: a market replacement some partition refused, to publish again at the next start (true) or none (null). */
const MARKET_OWED = "cluster.marketOwed";

export interface ClusterLiveOptions {
  readonly store: Store;
  readonly book: Book;
  readonly logger: Logger;
  /** NATS server URLs (a cluster's), or `connection`. */
  readonly servers?: readonly string[];
  readonly connection?: NatsConnection;
  /** The cluster's name (its streams and buckets) and partition count: the workers' `--cluster` and `--partitions`. */
  readonly cluster: string;
  readonly partitions: number;
  readonly params?: LiveParams;
  /** Breaker rules when the store holds none in force (`serve --breakers FILE`): published as a control input at start. */
  readonly breakers?: BreakerRules;
  /** How long a caller waits for the workers' outputs of its input (default 60 s); the step commits later anyway. */
  readonly stepTimeoutMs?: number;
}

/** One published input on its way to being committed. */
interface Pending {
  readonly seq: number;
  readonly kind: LiveStep["kind"];
  /** Partitions that answer it. */
  readonly partitions: readonly number[];
  /** The market core's outcome (ticks and control inputs). */
  readonly local: ApplyOutcome | null;
  readonly tickSeq?: number;
  readonly ctx: WriteContext;
  readonly done: Promise<LiveStep>;
  resolve(s: LiveStep): void;
  reject(e: unknown): void;
}

/** What the partitions published for one input so far. */
interface Collected {
  readonly events: { readonly partition: number; readonly event: LiveEvent }[];
  readonly changed: string[];
  /** Each answering partition's outcome and issues (chunk 0). */
  readonly outcomes: { readonly status: LiveStep["status"]; readonly issues: readonly Issue[] }[];
}

const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

export function createClusterLiveEngine(o: ClusterLiveOptions): LiveEngine {
  const { store, book, logger } = o;
  const names = clusterNames(o.cluster);
  const n = o.partitions;
  const all = Array.from({ length: n }, (_, p) => p);
  const stepTimeoutMs = o.stepTimeoutMs ?? 60_000;
  let nc: NatsConnection | null = null;
  let js: JetStreamClient | null = null;
  let outputs: { close(): Promise<void | Error> } | null = null;
  let core: LiveCore | null = null;
  let reason: string | null = "not started";
  let rules: BreakerRules = o.breakers ?? NO_BREAKERS;
  let queue: Promise<unknown> = Promise.resolve();
  const listeners = new Set<(s: LiveStep) => void>();
  /** Latest figures per account, from the outputs (genesis figures, then every update). */
  const figures = new Map<string, LiveFigures>();
  /** Stored accounts the engine holds (bound at start or taken since), for documents and re-binding. */
  const accounts = new Map<string, StoredAccount>();
  const bindingOf = new Map<string, string>();
  /** Book order: the position of each account in the in-process core's book (stored by id, then as created). */
  const order = new Map<string, number>();
  let skipped: { id: string; code: string }[] = [];
  /** Per partition: the last input whose output is complete. */
  const done: number[] = all.map(() => 0);
  const collected = new Map<number, Collected>();
  /** Inputs published and not committed yet, in input order. */
  const pending: Pending[] = [];
  /** Inputs up to this one were published before this engine started (history: their outputs are not merged). */
  let baseSeq = 0;
  let inputSeq = 0;
  let lastEventSeq = 0;
  let lastTickSeq: number | null = null;
  let currentMarketId: string | null = null;
  let resolver: ParameterSetResolver | null = null;
  let binder: { market: unknown; binder: AccountBinder } | null = null;
  let committing = false;

  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = queue.then(fn, fn);
    queue = next.catch(() => undefined);
    return next;
  };

  const collectedOf = (seq: number): Collected => {
    let c = collected.get(seq);
    if (c === undefined) {
      c = { events: [], changed: [], outcomes: [] };
      collected.set(seq, c);
    }
    return c;
  };

  /** One output message of a worker: figures always; events, changes and outcome for inputs of this engine's time. */
  const onOutput = (m: JsMsg): void => {
    let data: OutputMessage | OwnerMarker;
    try {
      data = m.json<OutputMessage | OwnerMarker>();
    } catch {
      logger.warn({ subject: m.subject, seq: m.seq }, "cluster output not JSON: skipped");
      return;
    }
    if (data.type !== "output") return;
    for (const f of data.figures) {
      const { seq: _seq, ...rest } = f as { seq?: number } & Record<string, unknown>;
      figures.set(String(rest.account), rest as unknown as LiveFigures);
    }
    if (data.seq > baseSeq) {
      const c = collectedOf(data.seq);
      for (const f of data.figures) c.changed.push(String(f.account));
      for (const e of data.events) c.events.push({ partition: data.partition, event: e });
      if (data.chunk === 0 && data.status !== undefined) c.outcomes.push({ status: data.status, issues: data.issues ?? [] });
    }
    if (data.chunk === data.chunks - 1) done[data.partition] = Math.max(done[data.partition] ?? 0, data.seq);
    void commitReady();
  };

  /** Commit every pending input whose partitions have all answered, in input order. */
  async function commitReady(): Promise<void> {
    if (committing) return;
    committing = true;
    try {
      for (;;) {
        const next = pending[0];
        if (next === undefined || !next.partitions.every((p) => (done[p] ?? 0) >= next.seq)) return;
        pending.shift();
        try {
          next.resolve(await commitPending(next));
        } catch (e) {
          logger.error({ err: e instanceof Error ? e.message : String(e), seq: next.seq }, "cluster live commit failed");
          next.reject(e);
        }
      }
    } finally {
      committing = false;
    }
  }

  const orderOf = (id: string): number => order.get(id) ?? Number.MAX_SAFE_INTEGER;

  async function commitPending(p: Pending): Promise<LiveStep> {
    const c = collectedOf(p.seq);
    collected.delete(p.seq);
    const local = p.local;
    // A tick's or a control input's outcome is the market core's; an account input's, its partition's; a parameter
    // version is applied when a partition holding accounts on the set applied it (the others have none: refused).
    const applied = c.outcomes.filter((x) => x.status === "applied");
    // A market replacement is taken when every partition took it (the in-process core holds every account: it
    // starts on the new market or not at all).
    const answer = p.kind === "market" ? (c.outcomes.find((x) => x.status !== "applied") ?? c.outcomes[0]) : (applied[0] ?? c.outcomes[0]);
    const status = local?.status ?? answer?.status ?? "ignored";
    // Breaker events from the market core (every partition has the same ones); a parameter version's one
    // parameters_changed event, counting the accounts of every partition; account events from the partitions, in
    // book order (stable: one account's events keep their partition's order).
    const accountEvents = c.events
      .filter((x) => "account" in x.event)
      .map((x, k) => ({ ...x, k }))
      .sort((a, b) => orderOf((a.event as { account: string }).account) - orderOf((b.event as { account: string }).account) || a.k - b.k)
      .map((x) => x.event);
    // Each partition says it of its own accounts (a version in force, or a breaker widening its risk-matrix groups):
    // one event per (set, from, to, reason), counting them all, in order of first appearance.
    const versions = new Map<string, Extract<LiveEvent, { type: "parameters_changed" }>>();
    for (const { event: e } of c.events) {
      if (e.type !== "parameters_changed") continue;
      const key = JSON.stringify([e.parameterSet, e.reason]);
      const seen = versions.get(key);
      versions.set(key, seen === undefined ? e : { ...seen, accounts: seen.accounts + e.accounts });
    }
    const parameterEvents = [...versions.values()];
    const merged = [...(local?.events ?? []).filter((e) => !("account" in e)), ...parameterEvents, ...accountEvents];
    const events = merged.map((e, k) => ({ ...e, eventSeq: lastEventSeq + k + 1 }) as LiveEvent);
    const changed = [...new Set(c.changed)].sort((a, b) => orderOf(a) - orderOf(b));
    const m = core as LiveCore;
    const marketId = await commitStep(store, book, m, { seq: p.seq, kind: p.kind, status, events, ...(p.tickSeq !== undefined ? { tickSeq: p.tickSeq } : {}) }, p.ctx);
    // A refused replacement uses up its input sequence number too, as the in-process engine's does (it counts it
    // before its core starts or fails to), and is owed to the partitions: see publishMarket.
    if (p.kind === "market" && status !== "applied") await store.commitLive({ events: [], state: { [LIVE_KEYS.inputSeq]: p.seq, [MARKET_OWED]: true } }, p.ctx);
    inputSeq = p.seq;
    if (status === "applied") {
      lastEventSeq += events.length;
      if (p.tickSeq !== undefined) lastTickSeq = p.tickSeq;
      if (marketId !== undefined) currentMarketId = marketId;
    }
    const step: LiveStep = {
      seq: p.seq,
      kind: p.kind,
      status,
      issues: local !== null ? (local.issues as readonly Issue[]) : (answer?.issues ?? []),
      events,
      changed,
      ...(p.tickSeq !== undefined ? { tickSeq: p.tickSeq } : {}),
      ...(marketId !== undefined ? { marketId } : {}),
    };
    // A market replacement is not a step listeners hear of (the in-process engine restarts its core silently).
    for (const l of p.kind === "market" ? [] : listeners) {
      try {
        l(step);
      } catch (e) {
        logger.error({ err: String(e) }, "live step listener failed");
      }
    }
    return step;
  }

  /** Publish one input, apply it to the market core if it is not an account's, and wait for its committed step. */
  async function input(ci: ClusterInput, kind: LiveStep["kind"], ctx: WriteContext, replacement?: LiveCore): Promise<LiveStep> {
    const m = core;
    if (m === null || js === null) throw new HttpError([issue("unavailable", "live", `the live engine is not running: ${reason ?? "stopped"}`)]);
    const ack = await publishInput(js, names, n, ci);
    if (ack.seq !== inputSeqPublished + 1) logger.warn({ seq: ack.seq, expected: inputSeqPublished + 1 }, "another publisher wrote to the cluster's input stream: the service's market core missed its inputs");
    inputSeqPublished = ack.seq;
    let local: ApplyOutcome | null = null;
    if (replacement !== undefined) {
      // A market replacement: the market core starts over on the new market at this input, as every partition does.
      core = replacement;
    }
    // The market core holds no accounts: a parameter version (accounts' business) is the partitions' alone.
    else if (ci.kind !== "account" && kind !== "parameters") {
      const subject = ci.kind === "tick" ? names.tickSubject : names.controlSubject;
      const parsed = clusterInputOf(names, subject, ack.seq, bytes(ci.data), null, m);
      local = parsed === null ? null : Array.isArray(parsed) ? { seq: ack.seq, status: "rejected", issues: parsed, events: [], changed: [], rowsRebuilt: 0, accountsRemargined: 0 } : m.apply(parsed);
    }
    const tickSeq = ci.kind === "tick" ? (ci.data as { seq?: number }).seq : undefined;
    let resolve!: (s: LiveStep) => void;
    let reject!: (e: unknown) => void;
    const doneP = new Promise<LiveStep>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    const p: Pending = { seq: ack.seq, kind, partitions: ci.kind === "account" ? [partitionOf(ci.account, n)] : all, local, ...(tickSeq !== undefined ? { tickSeq } : {}), ctx, done: doneP, resolve, reject };
    pending.push(p);
    void commitReady();
    let timer: NodeJS.Timeout | undefined;
    try {
      return await Promise.race([
        doneP,
        new Promise<never>((_, rej) => {
          timer = setTimeout(() => rej(new HttpError([issue("unavailable", "live", `the cluster's workers did not answer input ${ack.seq} within ${stepTimeoutMs} ms (it commits when they do)`)])), stepTimeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
    }
  }
  let inputSeqPublished = 0;

  /** Bind every stored account as the service does (those that do not bind are skipped), in book order. */
  async function loadAccounts(): Promise<void> {
    accounts.clear();
    order.clear();
    skipped = await forEachBound(store, book, (a, b) => {
      accounts.set(a.id, a);
      bindingOf.set(a.id, b.bindingKey);
      order.set(a.id, order.size);
    });
  }

  async function start(ctx: WriteContext): Promise<void> {
    if (nc === null) {
      nc = o.connection ?? (await connect({ servers: [...(o.servers ?? [])], name: "netrisk-serve", maxReconnectAttempts: -1, reconnectTimeWait: 250 }));
      js = nc.jetstream();
      await ensureCluster(nc, names, n);
    }
    const current = await liveMarketOf(store);
    if (!current.ok) {
      reason = current.reason;
      return;
    }
    const { stored, snap } = current;
    const saved = await storedLiveState(store);
    if (saved.rules !== null) rules = saved.rules;
    const { tickSeq } = saved;
    inputSeq = saved.inputSeq;
    lastEventSeq = saved.lastEventSeq;
    const jsm = await nc.jetstreamManager();
    baseSeq = (await jsm.streams.info(names.inputStream)).state.last_seq;
    inputSeqPublished = baseSeq;
    const created = createLiveCore({ market: snap.value, accounts: [], ...(o.params !== undefined ? { params: o.params } : {}), breakers: rules, resume: { lastEventSeq: 0, lastSeq: baseSeq, ...(tickSeq !== undefined ? { lastTickSeq: tickSeq } : {}) } });
    if (!created.ok) {
      reason = `the market core does not start: ${created.issues.map((i: Issue) => `${i.path}: ${i.code}`).join("; ")}`;
      return;
    }
    core = created.value;
    currentMarketId = stored.id;
    lastTickSeq = tickSeq ?? null;
    resolver = await book.resolver();
    await loadAccounts();
    await pinAccounts(ctx);
    // Read the outputs from the start (figures of every account), and wait until the history is read.
    // A start after the engine stopped (a refused market) reads them again from the start: one reader at a time.
    await outputs?.close();
    outputs = null;
    const outInfo = await jsm.streams.info(names.outputStream);
    const consumer = await js!.consumers.get(names.outputStream, { filterSubjects: names.outputFilter });
    const messages = await consumer.consume();
    outputs = messages;
    let caughtUp!: () => void;
    const history = new Promise<void>((r) => (caughtUp = r));
    if (outInfo.state.last_seq === 0) caughtUp();
    void (async () => {
      for await (const m of messages) {
        onOutput(m);
        if (m.seq >= outInfo.state.last_seq) caughtUp();
      }
    })().catch((e: unknown) => logger.error({ err: String(e) }, "cluster output reader stopped"));
    await history;
    reason = null;
    // A market replacement the partitions refused before: the current market goes to every partition again.
    if ((await store.getLiveState(MARKET_OWED)) === true) {
      await publishMarket(stored.id, core, ctx);
      if (core === null) return;
    }
    if (saved.rules === null && o.breakers !== undefined && o.breakers.rules.length > 0) await input({ kind: "control", data: { type: "breaker_rules", ts: new Date(core.market().timestampMs).toISOString(), rules: o.breakers } }, "breaker_rules", ctx);
    logger.info({ cluster: names.name, partitions: n, accounts: accounts.size, skipped: skipped.length, inputSeq: baseSeq, lastEventSeq }, "cluster live engine started");
  }

  /**
   * `PUT /v1/market` while running: a `market` control input naming the stored market (inputs.ts marketInput); every
   * partition rebuilds its core on it at that input, the market core here too, and the accounts are bound again on it
   * (the in-process engine's restart on a replaced market: entry prices pinned and written back, book order by id).
   */
  async function replaceMarket(ctx: WriteContext): Promise<void> {
    const current = await liveMarketOf(store);
    if (!current.ok) {
      reason = current.reason;
      return;
    }
    const held = core as LiveCore;
    const created = createLiveCore({ market: current.snap.value, accounts: [], params: held.params, breakers: held.breakerRules(), resume: { lastEventSeq: 0, lastSeq: inputSeqPublished, lastTickSeq: held.resumeState().lastTickSeq } });
    if (!created.ok) {
      reason = `the market core does not start on the new market: ${created.issues.map((i: Issue) => `${i.path}: ${i.code}`).join("; ")}`;
      logger.error({ issues: created.issues }, "cluster market core not restarted");
      return;
    }
    await publishMarket(current.stored.id, created.value, ctx);
  }

  /**
   * Publish the `market` input of stored market `marketId` (its market core `next`). When a partition refuses it (it
   * cannot read or hold that market), the engine stops as the in-process one does when its core does not start on a
   * replaced market: not running, saying why, nothing published until the next `PUT /v1/market` (or a restart of
   * the service), which publishes the current market to every partition again (the refusal is stored as owed, so a
   * restarted service does it too). Partitions that took the refused market hold it until then.
   */
  async function publishMarket(marketId: string, next: LiveCore, ctx: WriteContext): Promise<void> {
    const step = await input(marketInput(marketId, next.market().timestampMs), "market", ctx, next);
    if (step.status !== "applied") {
      core = null;
      reason = `the live core does not start on market ${marketId}: the cluster's partitions refused it: ${step.issues.map((i) => `${i.path}: ${i.code}`).join("; ")}`;
      logger.error({ market: marketId, issues: step.issues }, "cluster partitions refused a market replacement: live engine stopped");
      return;
    }
    await store.commitLive({ events: [], state: { [MARKET_OWED]: null } }, ctx);
    currentMarketId = marketId;
    binder = null;
    await loadAccounts();
    await pinAccounts(ctx);
  }

  /** Entry prices of futures and perpetuals stored without them: the market core's marks, written back once (as in-process). */
  async function pinAccounts(ctx: WriteContext): Promise<void> {
    for (const [id, a] of accounts) {
      const doc = pinEntriesOn(core as LiveCore, a.document);
      if (doc === a.document) continue;
      const written = await writePinned(store, logger, a, doc, ctx);
      if (written !== null) accounts.set(id, written);
    }
  }

  const accountInput = async (account: StoredAccount, cause: string, ctx: WriteContext): Promise<LiveStep> => {
    const data = await accountMessageOf(book, account, cause, core?.market().timestampMs ?? Date.now());
    if (!order.has(account.id)) order.set(account.id, order.size);
    return input({ kind: "account", account: account.id, data }, "account", ctx);
  };

  /** The binder on the market core's market (rebuilt when the market moves or parameter sets change). */
  const binderNow = (m: LiveCore): AccountBinder | null => {
    if (resolver === null) return null;
    const market = m.marketContext();
    if (binder === null || binder.market !== market) binder = { market, binder: createAccountBinder(market, resolver) };
    return binder.binder;
  };

  return {
    name: "cluster",
    start: (ctx) => serial(() => start(ctx)),
    ticks: (ticks, ctx) =>
      serial(async () => {
        const out: LiveStep[] = [];
        for (const t of ticks) out.push(await input({ kind: "tick", data: tickToJson(t) }, "tick", ctx));
        return out;
      }),
    accountChanged: (account, cause, ctx) =>
      serial(async () => {
        if (core === null) return null;
        const step = await accountInput(account, cause, ctx);
        if (step.status === "applied") {
          accounts.set(account.id, account);
          bindingOf.set(account.id, (await book.bound(account)).bound.bindingKey);
        } else logger.warn({ account: account.id, issues: step.issues }, "the cluster did not take an account version");
        return step;
      }),
    pinEntries: (document) => (core === null ? document : pinEntriesOn(core, document)),
    parametersChanged: (ctx) =>
      serial(async () => {
        if (core === null) return [];
        resolver = await book.resolver();
        binder = null;
        return applyParameterChange(store, book, [...accounts.keys()], bindingOf, core.market().timestampMs, logger, {
          whole: (message) => input({ kind: "control", data: message }, "parameters", ctx),
          each: (m) => accountInput(m.account, `parameter set ${m.ref.name} ${m.ref.version} in force`, ctx),
          applied: (m) => {
            bindingOf.set(m.account.id, m.key);
            accounts.set(m.account.id, m.account);
          },
        });
      }),
    marketReplaced: (ctx) => serial(() => (core === null ? start(ctx) : replaceMarket(ctx))),
    resetBreaker: (underlying, rule, ctx) => serial(() => input({ kind: "control", data: { type: "breaker_reset", ts: new Date(core?.market().timestampMs ?? 0).toISOString(), underlying, ...(rule !== undefined ? { rule } : {}) } }, "breaker_reset", ctx)),
    setBreakerRules: (next, ctx) =>
      serial(async () => {
        const step = await input({ kind: "control", data: { type: "breaker_rules", ts: new Date(core?.market().timestampMs ?? 0).toISOString(), rules: next } }, "breaker_rules", ctx);
        if (step.status === "applied") rules = next;
        return step;
      }),
    breakers: () => breakerViewOf(core, rules),
    figures: (id) => (accounts.has(id) ? figures.get(id) : undefined),
    document(id): Result<AccountDocument> | undefined {
      const a = accounts.get(id);
      const m = core;
      if (a === undefined || m === null) return undefined;
      const b = binderNow(m)?.bind(a.document);
      if (b === undefined) return undefined;
      if (!b.ok) return fail(...b.issues);
      return accountDocument({ ...b.value, accountRef: id, marketRef: `live:seq ${inputSeq}` }, { distance: false });
    },
    status(): LiveStatus {
      const m = core?.market();
      return {
        engine: "cluster",
        running: core !== null,
        reason,
        accounts: accounts.size,
        skipped,
        lastSeq: inputSeq,
        lastTickSeq,
        lastEventSeq,
        marketId: core !== null ? currentMarketId : null,
        marketTimestamp: m !== undefined ? new Date(m.timestampMs).toISOString() : null,
        counters: core?.counters() ?? {},
      };
    },
    onStep(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    close: () =>
      serial(async () => {
        core = null;
        reason = "closed";
        for (const p of pending.splice(0)) p.reject(new HttpError([issue("unavailable", "live", "the live engine closed")]));
        await outputs?.close();
        outputs = null;
        if (o.connection === undefined) await nc?.drain().catch(() => undefined);
        nc = null;
        js = null;
      }),
  };
}
