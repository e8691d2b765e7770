/**
 * A cluster worker (`netrisk worker`, docs/scale-out.md): owns some of the cluster's N account partitions through
 * KV leases (lease.ts) and runs one live core per owned partition over the cluster's input stream.
 *
 * Per partition, on taking it over:
 *  1. claim the partition's output subject: publish an owner marker with the subject's expected last sequence, so
 *     every later publish of the previous owner (a stalled one waking up) is refused by JetStream;
 *  2. claim the checkpoint: rewrite it from the version read (the previous owner's late checkpoint writes are
 *     refused by that version from then on);
 *  3. rebuild the core from the checkpoint (snapshot.ts), or from the stored accounts when there is none yet;
 *  4. read the input stream from the checkpoint's next sequence with a durable consumer of its own (ack policy
 *     all), deleting the previous owner's.
 * Then for each input in order: apply it (ticks and control inputs reach every partition; account inputs only the
 * account's partition), publish its figure updates and events with message id `<partition>:<seq>:<chunk>` unless
 * the previous owner already published them (the claim marker says how far it got), and, when caught up or every
 * `checkpointEvery` inputs, store the checkpoint with the events of the inputs it covers, THEN acknowledge.
 * A checkpoint is a progress write (the last input stored, one statement); the partition's book snapshot is written
 * after it every `snapshotIntervalMs` (or `checkpointEvery` inputs), and a new owner rebuilds from the snapshot and
 * re-applies the inputs since, which the stored progress says were already published and stored.
 * A refused publish, checkpoint or lease renewal means another worker owns the partition now: the worker stops it
 * (fenced) and acknowledges nothing more.
 * @module
 */
import { AckPolicy, DeliverPolicy, nanos } from "nats";
import type { ConsumerMessages, JetStreamClient, JetStreamManager, JsMsg, NatsConnection, NatsError } from "nats";
import type { Issue } from "../errors.js";
import { issue } from "../errors.js";
import { validateMarket } from "../io/market.js";
import type { ApplyOutcome, LiveCore } from "../live/core.js";
import type { BreakerRules } from "../live/breakers.js";
import type { LiveEvent } from "../live/events.js";
import type { LiveParams } from "../live/params.js";
import type { MarketSnapshot } from "../market/types.js";
import type { PartitionEvent, Store } from "../store/port.js";
import { ensureStream } from "../transport/nats.js";
import { accountOfInputSubject, clusterInputOf, marketIdOfInput, messageOf } from "./inputs.js";
import { openLeases } from "./lease.js";
import type { Leases } from "./lease.js";
import { clusterNames, partitionOf } from "./names.js";
import type { ClusterNames } from "./names.js";
import { coreFromSnapshot, coreOnMarket, noteAccountInput, partitionFromGenesis, snapshotOf, unheldOf } from "./snapshot.js";
import type { PartitionSnapshot, UnheldAccount } from "./snapshot.js";
import { inputTimer } from "./timings.js";
import type { InputTimer } from "./timings.js";
import type { RemarginExecutor } from "../live/chunk.js";

/** One output message: figure updates and events of one input in one partition (figures chunked). */
export interface OutputMessage {
  readonly type: "output";
  readonly partition: number;
  /** The input's sequence in the input stream. */
  readonly seq: number;
  readonly chunk: number;
  readonly chunks: number;
  readonly figures: readonly Record<string, unknown>[];
  /** The input's events (in chunk 0). */
  readonly events: readonly LiveEvent[];
  /**
   * The input's outcome in this partition and its issues (rejection, or warnings of an applied input), in chunk 0.
   * Every partition an input reaches publishes an output for it, empty or not, so a reader (the service in cluster
   * mode) knows when each partition is done with it. Seq 0: the partition's genesis figures (every account).
   */
  readonly status: "applied" | "ignored" | "rejected";
  readonly issues: readonly Issue[];
}

/** The owner marker a worker publishes when it takes a partition over. */
export interface OwnerMarker {
  readonly type: "owner";
  readonly partition: number;
  readonly owner: string;
  readonly epoch: number;
  /** How far outputs were published before: the last output's input and chunk (null: none). */
  readonly through: { readonly seq: number; readonly chunk: number; readonly chunks: number } | null;
}

export interface WorkerOptions {
  readonly connection: NatsConnection;
  readonly store: Store;
  readonly cluster: string;
  readonly partitions: number;
  readonly workerId: string;
  readonly params: LiveParams;
  /** Lease time (default 10 s): a dead or stalled worker's partitions move after this. */
  readonly leaseMs?: number;
  /** Inputs between checkpoints while behind (default 2,000; a caught-up partition checkpoints at once). */
  readonly checkpointEvery?: number;
  /** Bytes of figures and events per output message (default 256 KiB; NATS's default max payload is 1 MiB). */
  readonly maxMessageBytes?: number;
  /**
   * A caught-up partition checkpoints (and acknowledges) at most this often (default 0: at once; a checkpoint is one
   * small statement, and inputs arriving while one is written share the next). Inputs of other partitions (nothing
   * to store) are acknowledged lazily, after max(this, 1 s).
   */
  readonly checkpointIntervalMs?: number;
  /**
   * The partition's book snapshot is rewritten once this long has passed since the last one with inputs changing the
   * partition (default 10 s), and after `checkpointEvery` inputs: a new owner re-applies the inputs since it.
   */
  readonly snapshotIntervalMs?: number;
  /** Log every checkpoint too (tests, debugging). */
  readonly logCheckpoints?: boolean;
  /** Log the wall and CPU time of each phase of each input (`input_timing` lines, timings.ts; the cluster bench). */
  readonly logTimings?: boolean;
  /** One JSON-able record per notable thing (lease taken, lost, fenced, checkpoint errors). */
  readonly log?: (entry: Record<string, unknown>) => void;
  /**
   * Threads that share each partition's re-margin passes with this one (live/chunk.ts; `netrisk worker --threads`,
   * a live-pool.ts pool): one executor for every partition, whose inputs the worker applies one at a time.
   */
  readonly executor?: RemarginExecutor;
}

export interface WorkerStats {
  readonly owned: readonly number[];
  readonly inputsApplied: number;
  readonly accountsRemargined: number;
  readonly outputsPublished: number;
  readonly checkpoints: number;
  readonly fenced: number;
}

export interface Worker {
  stats(): WorkerStats;
  /** Checkpoint, release the leases, stop. */
  stop(): Promise<void>;
}

/** Thrown inside a partition's run when another owner has taken over. */
class Fenced extends Error {
  constructor(readonly by: string) {
    super(`fenced by ${by}`);
  }
}

const WRONG_LAST_SEQUENCE = 10071;
const CONSUMER_NOT_FOUND = 10014;
const isWrongLastSequence = (e: unknown): boolean => (e as NatsError).api_error?.err_code === WRONG_LAST_SEQUENCE || /wrong last sequence/i.test(String((e as Error).message));
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const jsonBytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

/**
 * An input's outputs cut into messages of at most `maxBytes` of JSON (an item larger than that goes alone), in a
 * deterministic way: a new owner re-running the input cuts the same chunks, so it can resume after the last chunk
 * its predecessor published.
 */
export function chunkOutputs(figures: readonly unknown[], events: readonly unknown[], maxBytes: number): { figures: string[]; events: string[] }[] {
  const out: { figures: string[]; events: string[] }[] = [];
  let cur = { figures: [] as string[], events: [] as string[] };
  let size = 0;
  const add = (kind: "figures" | "events", text: string): void => {
    if (size + text.length > maxBytes && size > 0) {
      out.push(cur);
      cur = { figures: [], events: [] };
      size = 0;
    }
    cur[kind].push(text);
    size += text.length + 1;
  };
  for (const f of figures) add("figures", JSON.stringify(f));
  for (const e of events) add("events", JSON.stringify(e));
  out.push(cur);
  return out;
}

/** Create the cluster's streams and config when missing; check the partition count against the stored one. */
export async function ensureCluster(nc: NatsConnection, names: ClusterNames, partitions: number): Promise<void> {
  const jsm = await nc.jetstreamManager();
  await ensureStream(jsm, names.inputStream, [names.inputFilter], 120_000, "file");
  await ensureStream(jsm, names.outputStream, [`${names.name}.out.>`], 120_000, "file");
  const config = await nc.jetstream().views.kv(names.configBucket, { history: 1 });
  try {
    await config.create("partitions", jsonBytes(partitions));
  } catch {
    const e = await config.get("partitions");
    const stored = e === null ? null : (JSON.parse(new TextDecoder().decode(e.value)) as number);
    if (stored !== partitions) throw new Error(`cluster ${names.name} has ${stored} partitions, not ${partitions}: every worker and publisher must use the same count`);
  }
}

/** The genesis book: every stored account and the current market (read once per worker). */
interface Genesis {
  readonly market: MarketSnapshot;
  readonly documents: Map<string, unknown>;
  /** The breaker rules in force in the store (the service's `breakerRules` live state), if any. */
  readonly breakers: BreakerRules | undefined;
}

async function loadGenesis(store: Store, market: MarketSnapshot): Promise<Genesis> {
  const documents = new Map<string, unknown>();
  let after: string | null = null;
  for (;;) {
    const page = await store.listAccounts({ afterId: after, limit: 1000 });
    for (const a of page) documents.set(a.id, a.document);
    if (page.length < 1000) break;
    after = page[page.length - 1]?.id ?? null;
  }
  const breakers = (await store.getLiveState("breakerRules")) as BreakerRules | null;
  return { market, documents, breakers: breakers ?? undefined };
}

export async function startWorker(options: WorkerOptions, market: MarketSnapshot): Promise<Worker> {
  const names = clusterNames(options.cluster);
  const nc = options.connection;
  const n = options.partitions;
  const leaseMs = options.leaseMs ?? 10_000;
  const checkpointEvery = options.checkpointEvery ?? 2000;
  const checkpointIntervalMs = options.checkpointIntervalMs ?? 0;
  const snapshotIntervalMs = options.snapshotIntervalMs ?? 10_000;
  /** Inputs of other partitions are acknowledged at most this often (nothing of theirs is stored here). */
  const lazyAckMs = Math.max(checkpointIntervalMs, 1000);
  const maxBytes = options.maxMessageBytes ?? 256 * 1024;
  const log = options.log ?? (() => undefined);
  await ensureCluster(nc, names, n);
  const jsm: JetStreamManager = await nc.jetstreamManager();
  const js: JetStreamClient = nc.jetstream();
  const leases: Leases = await openLeases(nc, names.leaseBucket, options.workerId, leaseMs, Date.now);
  const genesis = await loadGenesis(options.store, market);
  const stats = { inputsApplied: 0, accountsRemargined: 0, outputsPublished: 0, checkpoints: 0, fenced: 0 };

  interface Task {
    readonly partition: number;
    revision: number;
    stopped: boolean;
    /** Why it was stopped: a clean stop (shutdown, rebalance) checkpoints and releases; a lost lease does neither. */
    reason: "shutdown" | "rebalance" | "lease_lost" | null;
    renewedAtMs: number;
    messages: ConsumerMessages | null;
    done: Promise<void>;
    /** The network or database step under way (retrying), for the `step_slow` line. */
    step: { readonly what: string; readonly sinceMs: number; said: boolean } | null;
  }
  const tasks = new Map<number, Task>();
  let stopping = false;

  /** Retry a step while the task runs: transient failures (a NATS reconnect, a database hiccup) are waited out. */
  const retrying = async <T>(task: Task, what: string, step: () => Promise<T>): Promise<T> => {
    for (let attempt = 0; ; attempt++) {
      if (task.stopped) throw new Fenced("stop");
      task.step = { what, sinceMs: Date.now(), said: false };
      try {
        return await step();
      } catch (e) {
        if (e instanceof Fenced || isWrongLastSequence(e)) throw e;
        if (attempt % 10 === 0) log({ event: "retry", partition: task.partition, what, error: String((e as Error).message) });
        await sleep(Math.min(1000, 50 * (attempt + 1)));
      } finally {
        task.step = null;
      }
    }
  };

  /** Step 1: the owner marker; returns the output subject's sequence after it and how far outputs went. */
  const claimOutputs = async (task: Task): Promise<{ outSeq: number; through: OwnerMarker["through"] }> => {
    const subject = names.outputSubject(task.partition);
    for (;;) {
      const last = await retrying(task, "read last output", async () => {
        try {
          return await jsm.streams.getMessage(names.outputStream, { last_by_subj: subject });
        } catch (e) {
          if ((e as NatsError).api_error?.err_code === 10037 || /no message found/i.test(String((e as Error).message))) return null;
          throw e;
        }
      });
      const data = last === null ? null : (JSON.parse(new TextDecoder().decode(last.data)) as OutputMessage | OwnerMarker);
      const through = data === null ? null : data.type === "owner" ? data.through : { seq: data.seq, chunk: data.chunk, chunks: data.chunks };
      const marker: OwnerMarker = { type: "owner", partition: task.partition, owner: options.workerId, epoch: task.revision, through };
      try {
        const ack = await retrying(task, "claim outputs", () => js.publish(subject, jsonBytes(marker), { expect: { lastSubjectSequence: last?.seq ?? 0 } }));
        return { outSeq: ack.seq, through };
      } catch (e) {
        // Someone published in between (the previous owner, still running): read again.
        if (!isWrongLastSequence(e)) throw e;
      }
    }
  };

  /**
   * Step 2 and 3: claim the checkpoint (write it from the version read: a progress write, its snapshot kept) and
   * rebuild the core from its snapshot (after input `snapshotSeq`; inputs up to `lastSeq` are stored already).
   */
  const claimCheckpoint = async (task: Task): Promise<{ core: LiveCore; unheld: Map<string, UnheldAccount>; version: number; lastSeq: number; snapshotSeq: number }> => {
    for (;;) {
      const cp = await retrying(task, "read checkpoint", () => options.store.getCheckpoint(names.name, task.partition));
      let core: LiveCore;
      let unheld: Map<string, UnheldAccount>;
      let snapshot: PartitionSnapshot;
      if (cp === null) {
        const docs = [...genesis.documents].filter(([id]) => partitionOfId(id) === task.partition).map(([id, document]) => ({ id, document }));
        const built = await partitionFromGenesis(genesis.market, docs, options.params, genesis.breakers, options.executor);
        if (!built.ok) throw new Error(`partition ${task.partition}: the stored accounts cannot be held: ${built.issues.map((i) => `${i.path}: ${i.code}: ${i.message}`).join("; ")}`);
        ({ core, unheld } = built.value);
        if (unheld.size > 0) log({ event: "unheld_accounts", partition: task.partition, accounts: [...unheld.keys()] });
        snapshot = snapshotOf(core, unheld);
      } else {
        snapshot = cp.snapshot as unknown as PartitionSnapshot;
        // Accounts created after this worker started (an `account` input): their documents from the store.
        for (const a of snapshot.accounts) {
          if (genesis.documents.has(a.id)) continue;
          const stored = await retrying(task, "read account", () => options.store.getAccount(a.id));
          if (stored !== null) genesis.documents.set(a.id, stored.document);
        }
        const built = await coreFromSnapshot(snapshot, genesis.documents, options.params, options.executor);
        const aside = unheldOf(snapshot);
        if (!built.ok || !aside.ok) throw new Error(`partition ${task.partition}: checkpoint v${cp.version} cannot be rebuilt: ${[...(built.ok ? [] : built.issues), ...(aside.ok ? [] : aside.issues)].map((i) => `${i.path}: ${i.code}: ${i.message}`).join("; ")}`);
        core = built.value;
        unheld = aside.value;
      }
      const lastSeq = cp?.lastSeq ?? 0;
      const w = await retrying(task, "claim checkpoint", () =>
        options.store.writeCheckpoint({ cluster: names.name, partition: task.partition, expectedVersion: cp?.version ?? 0, lastSeq, owner: options.workerId, ...(cp === null ? { snapshot: snapshot as unknown as Record<string, unknown> } : {}), at: new Date().toISOString() }),
      );
      if (w.ok) return { core, unheld, version: w.checkpoint.version, lastSeq, snapshotSeq: cp?.snapshotSeq ?? 0 };
      // The previous owner wrote in between: read the newer checkpoint.
    }
  };

  /**
   * A `market` control input: the named stored market read, and the partition's core rebuilt on it (snapshot.ts
   * coreOnMarket), or the issues (a partition that cannot read or build on it refuses it; the service then stops).
   */
  const marketReplacement = async (task: Task, held: LiveCore, unheld: ReadonlyMap<string, UnheldAccount>, marketId: string, seq: number): Promise<{ core: LiveCore; unheld: Map<string, UnheldAccount> } | Issue[]> => {
    const stored = await retrying(task, "read market", () => options.store.getMarket(marketId));
    if (stored === null) return [issue("not_found", "market", `market ${marketId} is not in the store`)];
    const snap = validateMarket(stored.document);
    if (!snap.ok) return snap.issues.map((i) => ({ ...i, path: `market.${i.path}` }));
    // The stored documents (model fields, rules) of held accounts created after this worker started: an account the
    // new market leaves out is kept aside with them.
    for (const id of held.accountIds()) {
      if (genesis.documents.has(id)) continue;
      const a = await retrying(task, "read account", () => options.store.getAccount(id));
      if (a !== null) genesis.documents.set(id, a.document);
    }
    const next = coreOnMarket(held, snap.value, seq, unheld, genesis.documents, options.executor);
    if (!next.ok) return [...next.issues];
    const { skipped, joined } = next.value;
    if (skipped.length > 0 || joined.length > 0) log({ event: "market_accounts", partition: task.partition, seq, skipped, joined });
    return { core: next.value.core, unheld: next.value.unheld };
  };

  const partitionOfId = (id: string): number => partitionOf(id, n);
  const inputKind = (subject: string, mine: boolean): string => (subject === names.tickSubject ? "tick" : subject === names.controlSubject ? "control" : mine ? "account" : "other_partition");

  const run = async (task: Task): Promise<void> => {
    const p = task.partition;
    const subject = names.outputSubject(p);
    const claimed = await claimOutputs(task);
    const through = claimed.through;
    let outSeq = claimed.outSeq;
    const rebuilt = await claimCheckpoint(task);
    /** The partition's core: rebuilt on a new market by a `market` input. */
    let core = rebuilt.core;
    /** The partition's accounts its core does not hold (the market cannot), as they last reached it. */
    let unheld = rebuilt.unheld;
    let version = rebuilt.version;
    /** The last input the core holds applied (from the snapshot's on). */
    let applied = rebuilt.snapshotSeq;
    /** The last input whose checkpoint and events are stored: inputs up to it are re-applied, never written again. */
    let storedThrough = rebuilt.lastSeq;
    let snapshotSeq = rebuilt.snapshotSeq;
    let snapshotAtMs = Date.now();
    /** An input changed the partition (not only another partition's input) since the snapshot. */
    let changedSinceSnapshot = false;
    log({ event: "partition_owned", partition: p, epoch: task.revision, checkpoint: storedThrough, snapshot: snapshotSeq, version, publishedThrough: through?.seq ?? 0 });
    // Step 4: a durable consumer of this owner's own, from the snapshot on; the previous owners' go. No filter
    // subject: the input stream holds only this cluster's inputs (its one subject is `<C>.in.>`), and nats-server 2.9.10
    // miscounts a filtered consumer's pending messages when it starts past the stream's first one (too many or too
    // few, restart or not; docs/scale-out.md "nats-server restart"), while an unfiltered one's count is exact.
    const durable = `p${p}_${task.revision}`;
    await retrying(task, "create consumer", () =>
      jsm.consumers.add(names.inputStream, {
        durable_name: durable,
        ack_policy: AckPolicy.All,
        deliver_policy: DeliverPolicy.StartSequence,
        opt_start_seq: applied + 1,
        ack_wait: nanos(60_000),
        max_ack_pending: checkpointEvery * 4,
        // The consumer's state (delivered and acknowledged positions) in the server's memory, not in a file: nats-server
        // rewrites a file-backed consumer's state file after deliveries (up to 10 times a second per consumer, and every
        // partition's consumer gets every input), each rewrite a disk write on the machine's disk, where PostgreSQL
        // waits for its WAL flush at every checkpoint (measured by the cluster bench with 8 partitions: ~115-130 disk
        // writes a second during the fills against ~40-47 with memory state). Nothing depends on that state surviving:
        // a partition's position is its checkpoint (every owner starts a consumer of its own from the snapshot on, and
        // skips what it has applied), and a consumer lost with a nats-server restart ends the run (the client's
        // `abort_on_missing_resource`, or the watchdog below), so the partition is rebuilt from its checkpoint like
        // after a takeover. The input stream itself stays on file.
        mem_storage: true,
      }),
    );
    for await (const c of await jsm.consumers.list(names.inputStream)) {
      if (c.name.startsWith(`p${p}_`) && c.name !== durable) await jsm.consumers.delete(names.inputStream, c.name).catch(() => undefined);
    }
    const consumer = await js.consumers.get(names.inputStream, durable);
    const messages = await consumer.consume({ max_messages: Math.min(1000, checkpointEvery), abort_on_missing_resource: true });
    task.messages = messages;
    let pending: PartitionEvent[] = [];
    let sinceCheckpoint = 0;
    let lastMsg: JsMsg | null = null;
    // Watchdog: a pull consumer whose pull requests were lost (a nats-server restart between a pull and its answer)
    // can sit silent with inputs waiting and no error from the client. When nothing was delivered for a while and the
    // server says inputs are waiting (undelivered, or delivered past what this partition applied), end the iterator:
    // the run ends, the partition is released and rebuilt from its checkpoint with a fresh consumer.
    let deliveredAtMs = Date.now();
    /** An input (or the genesis figures) is being handled: not silence. */
    let busy = false;
    let silentSince: number | null = null;
    const stallMs = Math.max(2000, leaseMs / 2);
    const watchdog = setInterval(() => {
      // Caught up by the clock too, not only by the server's count of pending inputs (a hint carried by each delivered
      // message): inputs applied but not yet stored while nothing arrived for a checkpoint interval are stored and
      // acknowledged now (after the lazy acknowledgement's wait, so another partition's inputs stay batched), so a
      // partition at the end of the stream never holds them back.
      if (!busy && !task.stopped && lastMsg !== null && Date.now() - deliveredAtMs >= lazyAckMs) scheduleIdle(Date.now());
      if (busy || Date.now() - deliveredAtMs < stallMs || task.stopped) return;
      void jsm.consumers
        .info(names.inputStream, durable)
        .then((info) => {
          const waiting = info.num_pending > 0 || info.delivered.stream_seq > applied;
          if (!waiting) {
            silentSince = null;
            return;
          }
          silentSince ??= Date.now();
          if (!busy && Date.now() - deliveredAtMs >= stallMs && Date.now() - silentSince >= stallMs / 2) {
            log({ event: "consumer_stalled", partition: p, applied, pending: info.num_pending, delivered: info.delivered.stream_seq, silentMs: Date.now() - deliveredAtMs });
            void messages.close().catch(() => undefined);
          }
        })
        .catch((e: unknown) => {
          // The consumer is gone (its memory state lost with a nats-server restart) and the client has not said so:
          // end the run, the partition is rebuilt from its checkpoint with a new consumer.
          if ((e as NatsError).api_error?.err_code === CONSUMER_NOT_FOUND || /consumer not found/i.test(String((e as Error).message))) {
            log({ event: "consumer_lost", partition: p, applied });
            void messages.close().catch(() => undefined);
          }
        });
    }, stallMs / 4);
    watchdog.unref();

    const publishOutputs = async (seq: number, figures: Record<string, unknown>[], outcome: Pick<ApplyOutcome, "status" | "issues" | "events">): Promise<void> => {
      if (through !== null && seq < through.seq) return;
      const chunks = chunkOutputs(figures, outcome.events, maxBytes);
      const from = through !== null && seq === through.seq ? through.chunk + 1 : 0;
      const head = `"status":${JSON.stringify(outcome.status)},"issues":${JSON.stringify(outcome.issues)}`;
      for (let k = from; k < chunks.length; k++) {
        const c = chunks[k] as { figures: string[]; events: string[] };
        const text = `{"type":"output","partition":${p},"seq":${seq},"chunk":${k},"chunks":${chunks.length},${k === 0 ? head : `"status":${JSON.stringify(outcome.status)},"issues":[]`},"figures":[${c.figures.join(",")}],"events":[${c.events.join(",")}]}`;
        try {
          const ack = await retrying(task, "publish", () => js.publish(subject, new TextEncoder().encode(text), { msgID: `${p}:${seq}:${k}`, expect: { lastSubjectSequence: outSeq } }));
          outSeq = ack.seq;
          stats.outputsPublished++;
        } catch (e) {
          if (isWrongLastSequence(e)) throw new Fenced("publish");
          throw e;
        }
      }
    };

    let lastCheckpointAtMs = Date.now();
    const write = async (timer: InputTimer, withSnapshot: boolean): Promise<void> => {
      const writeStartMs = performance.now();
      const snapshot = withSnapshot ? timer.timeSync("snapshot", () => snapshotOf(core, unheld) as unknown as Record<string, unknown>) : undefined;
      const events = pending;
      const w = await timer.time("store", () =>
        retrying(task, "checkpoint", () =>
          options.store.writeCheckpoint({ cluster: names.name, partition: p, expectedVersion: version, lastSeq: applied, owner: options.workerId, ...(snapshot !== undefined ? { snapshot } : {}), events, at: new Date().toISOString() }),
        ),
      );
      if (!w.ok) throw new Fenced("checkpoint");
      version = w.checkpoint.version;
      storedThrough = applied;
      if (withSnapshot) {
        snapshotSeq = applied;
        snapshotAtMs = Date.now();
        changedSinceSnapshot = false;
      }
      stats.checkpoints++;
      // With timings: the instant it was stored (epoch ms, fractional), so a bench need not count the log's own way.
      if (options.logCheckpoints === true) log({ event: "checkpoint", partition: p, lastSeq: applied, version, ...(withSnapshot ? { snapshot: true } : {}), ...(options.logTimings === true ? { storedAtMs: performance.timeOrigin + performance.now(), writeMs: performance.now() - writeStartMs } : {}) });
      pending = [];
      sinceCheckpoint = 0;
    };
    const snapshotDue = (): boolean => applied > snapshotSeq && (applied - snapshotSeq >= checkpointEvery || (changedSinceSnapshot && Date.now() - snapshotAtMs >= snapshotIntervalMs));
    /**
     * Store what was applied since the last checkpoint (progress and events) while the last input's outputs are
     * being published (`publish`, started once the write is under way), THEN acknowledge; a book snapshot due is
     * written after the acknowledgement, so the input just stored does not wait for it. The two may overlap because a rebuild re-applies every input
     * after the SNAPSHOT and publishes what the owner marker says is missing: progress stored before its outputs
     * are out loses nothing, while a snapshot is only written once they are. `final`: a clean stop, which writes the
     * snapshot with the progress (the next owner re-applies nothing).
     */
    const checkpoint = async (timer: InputTimer, final = false, publish: () => Promise<void> = () => Promise.resolve()): Promise<void> => {
      if (idleTimer !== null) {
        clearTimeout(idleTimer);
        idleTimer = null;
      }
      // Re-applying inputs a predecessor stored: nothing to write until past them.
      if (broken || applied < storedThrough || (lastMsg === null && !(final && applied > snapshotSeq))) {
        await publish();
        return;
      }
      lastCheckpointAtMs = Date.now();
      // The write first: its query is on the wire before the outputs are serialised and sent, so the commit (a WAL
      // flush, the critical path of a fill) is not queued behind them; both end before the acknowledgement.
      const writing = write(timer, final);
      await Promise.all([writing, publish()]);
      // Acknowledge only now that the checkpoint and its events are stored (ack policy all: everything up to it).
      // Not awaited: a lost acknowledgement means a redelivery, which is skipped (its seq is applied), and the next
      // acknowledgement covers it.
      const m = lastMsg;
      lastMsg = null;
      if (m !== null) timer.timeSync("ack", () => m.ack());
      if (!final && snapshotDue()) await write(timer, true);
    };

    // The loop's steps and the idle checkpoint run one at a time: a checkpoint never sees an input half handled.
    let chain: Promise<void> = Promise.resolve();
    // A step that failed may have applied its input to the core without finishing it: from then on the core is
    // ahead of `applied`, and nothing more of this run may be checkpointed (the next owner redoes the input).
    let broken = false;
    const serial = (fn: () => Promise<void>): Promise<void> => {
      const r = chain.then(fn);
      chain = r.catch(() => {
        broken = true;
      });
      return r;
    };
    let idleTimer: NodeJS.Timeout | null = null;
    let idleAtMs = Infinity;
    let timerError: unknown = null;
    /** A checkpoint at `atMs` at the latest (an earlier one scheduled stays). */
    const scheduleIdle = (atMs: number): void => {
      if (idleTimer !== null && idleAtMs <= atMs) return;
      if (idleTimer !== null) clearTimeout(idleTimer);
      idleAtMs = atMs;
      idleTimer = setTimeout(
        () => {
          idleTimer = null;
          const timer = inputTimer(options.logTimings === true);
          serial(async () => {
            await checkpoint(timer);
            if (options.logTimings === true) log({ event: "input_timing", partition: p, seq: applied, kind: "idle_checkpoint", phases: timer.take() });
          }).catch((e: unknown) => {
            timerError = e;
            void messages.close().catch(() => undefined);
          });
        },
        Math.max(0, atMs - Date.now()),
      );
    };

    try {
      // A partition at its genesis book says every account's figures once (input 0), so readers start from them; a
      // predecessor that got part of the way is resumed like any input (the claim marker says how far).
      busy = true;
      if (applied === 0) await publishOutputs(0, core.accountIds().map((id) => ({ seq: 0, ...(core.figures(id) as unknown as Record<string, unknown>) })), { status: "applied", issues: [], events: [] });
      busy = false;
      deliveredAtMs = Date.now();
      for await (const m of messages) {
        busy = true;
        if (task.stopped) break;
        /** When the input reached this partition (epoch ms, fractional: the bench lines it up with its own clock). */
        const receivedAtMs = options.logTimings === true ? performance.timeOrigin + performance.now() : 0;
        await serial(async () => {
          const seq = m.seq;
          if (seq <= applied) return;
          if (seq !== applied + 1) throw new Error(`partition ${p}: input ${applied + 1} missing (got ${seq})`);
          const timer = inputTimer(options.logTimings === true);
          const startedAtMs = options.logTimings === true ? performance.timeOrigin + performance.now() : 0;
          const marketId = marketIdOfInput(names, m.subject, m.data);
          const input = marketId !== null ? await marketReplacement(task, core, unheld, marketId, seq) : clusterInputOf(names, m.subject, seq, m.data, p, core);
          // The input's outputs, published while its checkpoint is written (see checkpoint): started only once the
          // checkpoint write is on its way, so the PostgreSQL commit (the longer of the two) starts first.
          let publish: (() => Promise<void>) | null = null;
          if (Array.isArray(input)) {
            log({ event: "input_rejected", partition: p, seq, issues: input });
            // An account version the market cannot hold: kept aside, as the store keeps it (snapshot.ts noteAccountInput).
            const refused = accountOfInputSubject(names, m.subject);
            if (refused !== null) noteAccountInput(unheld, refused, messageOf(m.data), false);
            // Rejected at the boundary: said once, by the input's own partition (every partition for a tick or control).
            publish = () => timer.time("publish", () => publishOutputs(seq, [], { status: "rejected", issues: input, events: [] }));
          } else if (input !== null) {
            const { outcome, figures } = timer.timeSync("apply", () => {
              if ("core" in input) {
                // A market replacement: the rebuilt core from now on, every account's figures on the new market.
                core = input.core;
                unheld = input.unheld;
                return { outcome: { seq, status: "applied" as const, issues: [], events: [], changed: core.accountIds(), rowsRebuilt: 0, accountsRemargined: core.accountIds().length }, figures: core.accountIds().map((id) => ({ seq, ...(core.figures(id) as unknown as Record<string, unknown>) })) };
              }
              const outcome = core.apply(input);
              if (input.kind === "account" && (unheld.size > 0 || outcome.status !== "applied")) noteAccountInput(unheld, input.account.id, outcome.status === "applied" ? null : messageOf(m.data), outcome.status === "applied");
              return { outcome, figures: outcome.changed.map((id) => ({ seq, ...(core.figures(id) as unknown as Record<string, unknown>) })) };
            });
            stats.inputsApplied++;
            stats.accountsRemargined += outcome.accountsRemargined;
            publish = () => timer.time("publish", () => publishOutputs(seq, figures, outcome));
            outcome.events.forEach((e, k) => pending.push({ inputSeq: seq, n: k, accountId: "account" in e ? e.account : null, event: e as unknown as Record<string, unknown> }));
          }
          // Another partition's account input: nothing to publish or store here.
          const mine = input !== null;
          if (mine) changedSinceSnapshot = true;
          applied = seq;
          lastMsg = m;
          sinceCheckpoint++;
          // Behind: every checkpointEvery inputs. Caught up: at once (or at the end of the interval since the last);
          // another partition's input only lazily (its acknowledgement waits for nothing of this partition's).
          if (sinceCheckpoint >= checkpointEvery || (m.info.pending === 0 && mine && Date.now() - lastCheckpointAtMs >= checkpointIntervalMs)) await checkpoint(timer, false, publish ?? undefined);
          else {
            if (publish !== null) await publish();
            if (m.info.pending === 0) scheduleIdle(mine ? lastCheckpointAtMs + checkpointIntervalMs : Date.now() + lazyAckMs);
          }
          // The input's way here: stored by the server (its timestamp, the same machine's clock) -> received -> started
          // (after the partition's previous step) -> done.
          // Not for another partition's account input: nothing happens for it here, and a line per partition per fill
          // (8 pipe writes per fill with one worker, each waking the reader) took the worker's one thread and the
          // cores while the fill's own partition waited for its commit.
          if (options.logTimings === true && mine) {
            const nowMs = performance.timeOrigin + performance.now();
            log({ event: "input_timing", partition: p, seq, kind: inputKind(m.subject, mine), phases: timer.take(), storedAtMs: m.info.timestampNanos / 1e6, receivedAtMs, startedAtMs, doneAtMs: nowMs });
          }
        });
        busy = false;
        deliveredAtMs = Date.now();
      }
      clearInterval(watchdog);
      if (idleTimer !== null) clearTimeout(idleTimer);
      await chain;
      if (timerError !== null) throw timerError;
      if (!task.stopped) throw new Error(`partition ${p}: the input consumer ended`);
      // A clean stop (shutdown, rebalance): store what was applied.
      if (task.reason === "shutdown" || task.reason === "rebalance") await checkpoint(inputTimer(false), true).catch(() => undefined);
    } catch (e) {
      if (e instanceof Fenced) {
        if (e.by !== "stop") {
          stats.fenced++;
          log({ event: "fenced", partition: p, by: e.by, applied });
        }
      } else throw e;
    } finally {
      clearInterval(watchdog);
      await closeBounded(p, messages);
    }
  };

  /**
   * Close a partition's consumer iterator, waiting a bounded time: close() resolves only once the iterator has ended,
   * which a consumer deleted or a pull lost across a nats-server restart can delay indefinitely; a run pinned there
   * keeps its task, and a worker counting its tasks takes no free partition (seen as partitions never taken again in
   * the restart failure test). Past the bound the run ends anyway (`consumer_close_slow` line).
   */
  const closeBounded = async (p: number, messages: ConsumerMessages): Promise<void> => {
    let timer: NodeJS.Timeout | undefined;
    const closed = await Promise.race([
      messages.close().then(
        () => true,
        () => true,
      ),
      new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), Math.min(leaseMs, 2000));
      }),
    ]);
    clearTimeout(timer);
    if (!closed) log({ event: "consumer_close_slow", partition: p, ms: Math.min(leaseMs, 2000) });
  };

  const start = (p: number, revision: number): void => {
    const task: Task = { partition: p, revision, stopped: false, reason: null, renewedAtMs: Date.now(), messages: null, done: Promise.resolve(), step: null };
    tasks.set(p, task);
    task.done = run(task)
      .catch((e: unknown) => log({ event: "partition_failed", partition: p, error: String((e as Error).message) }))
      .finally(async () => {
        if (tasks.get(p) === task) tasks.delete(p);
        // A failed run or a clean stop hands the partition on at once; a lost lease is someone else's already.
        if (task.reason !== "lease_lost") await leases.release(p, task.revision);
        task.stopped = true;
      });
  };

  const stopTask = async (task: Task, why: "shutdown" | "rebalance" | "lease_lost"): Promise<void> => {
    task.stopped = true;
    task.reason = why;
    if (why === "rebalance") log({ event: why, partition: task.partition });
    if (task.messages !== null) await closeBounded(task.partition, task.messages);
    await task.done;
  };

  /** One round: heartbeat, renew every lease held (a lost one stops its partition), take a fair share of free ones. */
  /** Keep what is held: heartbeat and every lease renewed at once (a lost one stops its partition, unacknowledged). */
  const renewAll = async (): Promise<void> => {
    const now = Date.now();
    await Promise.all([
      leases.heartbeat(),
      ...[...tasks.values()]
        .filter((t) => t.reason === null)
        .map(async (task) => {
          const r = await leases.renew(task.partition, task.revision);
          // No answer: still ours unless the lease time has passed since the last renewal (then assume the worst).
          if (r === undefined && now - task.renewedAtMs < leaseMs) return;
          if (r === null || r === undefined) {
            log({ event: "lease_lost", partition: task.partition, sinceRenewMs: now - task.renewedAtMs });
            void stopTask(task, "lease_lost");
          } else {
            task.revision = r;
            task.renewedAtMs = now;
          }
        }),
    ]);
  };

  /**
   * A balance round's time limit: the next round comes only after this one ends, so one request that never answers
   * (the old filtered-consumer listing of live workers stalled 10-30 s on nats-server 2.9.10) must not freeze
   * partition taking. Past it the round gives up (`balance_slow` line) and the next one starts a period later.
   */
  const balanceLimitMs = Math.max(1000, leaseMs / 2);
  /** Take a fair share of free partitions (one per round), hand one over when holding more than a fair share. */
  const balance = async (): Promise<void> => {
    if (stopping) return;
    const t0 = Date.now();
    let limit: NodeJS.Timeout | undefined;
    const live = await Promise.race([
      leases.liveWorkers(),
      new Promise<null>((resolve) => {
        limit = setTimeout(() => resolve(null), balanceLimitMs);
      }),
    ]).finally(() => clearTimeout(limit));
    if (live === null) {
      log({ event: "balance_slow", what: "live workers", ms: Date.now() - t0 });
      return;
    }
    const workers = Math.max(1, live.length);
    const share = Math.ceil(n / workers);
    // Start the scan at a worker-specific offset so that workers starting together try different partitions first;
    // one new partition per round at most, so that workers starting a little apart share them out.
    const offset = partitionOfId(options.workerId) % n;
    for (let k = 0; k < n && tasks.size < share; k++) {
      if (Date.now() - t0 > balanceLimitMs) {
        // Each acquire is bounded by the client's request limit, but many in a row are not: the next round goes on.
        log({ event: "balance_slow", what: "acquire", ms: Date.now() - t0 });
        break;
      }
      const p = (offset + k) % n;
      if (tasks.has(p)) continue;
      const r = await leases.acquire(p);
      if (r !== null && stopping) {
        // Stopped while acquiring: hand it straight back.
        await leases.release(p, r);
        return;
      }
      if (r !== null) {
        log({ event: "lease_taken", partition: p, revision: r });
        start(p, r);
        break;
      }
    }
    // More than a fair share (a worker joined): hand one over, checkpointed, for the newcomer to take.
    const active = [...tasks.values()].filter((t) => t.reason === null);
    if (active.length > share) {
      const extra = active.sort((a, b) => b.partition - a.partition)[0];
      if (extra !== undefined) void stopTask(extra, "rebalance");
    }
  };

  const timers = new Map<string, NodeJS.Timeout>();
  const running: Promise<void>[] = [];
  const every = (ms: number, what: string, step: () => Promise<void>): void => {
    const loop = (): void => {
      const t = setTimeout(() => {
        const r = step()
          .catch((e: unknown) => log({ event: `${what}_failed`, error: String((e as Error).message) }))
          .finally(() => {
            running.splice(running.indexOf(r), 1);
            if (!stopping) loop();
          });
        running.push(r);
      }, ms);
      timers.set(what, t);
    };
    loop();
  };
  // The event loop's lag: a worker whose loop stalls past its lease loses its partitions (logged to see why).
  let tickAt = Date.now();
  const lagTimer = setInterval(() => {
    const lag = Date.now() - tickAt - 500;
    if (lag > leaseMs / 4) log({ event: "stall", ms: lag });
    tickAt = Date.now();
    // A step that neither ends nor fails is said once: past both the lease and twice the NATS client's request time
    // limit (5 s), so a request that times out in a server outage is not reported, a database query (no limit) is.
    for (const t of tasks.values()) {
      if (t.step === null || t.step.said || tickAt - t.step.sinceMs < Math.max(leaseMs, 10_000)) continue;
      t.step.said = true;
      log({ event: "step_slow", partition: t.partition, what: t.step.what, ms: tickAt - t.step.sinceMs });
    }
  }, 500);
  lagTimer.unref();
  // Announce first and wait a round before taking partitions, so that workers starting together see each other.
  await leases.heartbeat();
  every(leaseMs / 5, "renew", renewAll);
  every(leaseMs / 2, "balance", balance);

  return {
    stats: () => ({ owned: [...tasks.keys()].sort((a, b) => a - b), ...stats }),
    async stop() {
      stopping = true;
      for (const t of timers.values()) clearTimeout(t);
      clearInterval(lagTimer);
      await Promise.all([...running]);
      const held = [...tasks.values()];
      await Promise.all(held.map((t) => stopTask(t, "shutdown")));
      await leases.leave();
    },
  };
}
