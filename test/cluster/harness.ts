/**
 * Cluster test harness: a synthetic book of many accounts in a scratch PostgreSQL database, a seeded stream of
 * ticks and fills, worker processes (`node dist/cli/main.js worker`, the built CLI as a user runs it), the outputs
 * read back from JetStream, and the single-process reference: one live core over the whole book applying the same
 * input stream (same input sequences). SYNTHETIC data, generated here.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { connect } from "nats";
import type { NatsConnection } from "nats";
import pg from "pg";
import { clusterInputOf, publishInput } from "../../src/cluster/inputs.js";
import type { ClusterInput } from "../../src/cluster/inputs.js";
import { clusterNames } from "../../src/cluster/names.js";
import type { ClusterNames } from "../../src/cluster/names.js";
import { coreFromGenesis } from "../../src/cluster/snapshot.js";
import type { OutputMessage, OwnerMarker } from "../../src/cluster/worker.js";
import { unwrap } from "../../src/errors.js";
import { validateMarket } from "../../src/io/market.js";
import { DEFAULT_LIVE_PARAMS } from "../../src/live/params.js";
import { openStore } from "../../src/store/open.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const MARKET_DOC = JSON.parse(readFileSync(join(ROOT, "examples/market.json"), "utf8")) as Record<string, unknown>;
export const MARKET = unwrap(validateMarket(MARKET_DOC));

/** Seeded uniform numbers in [0, 1) (mulberry32): the same book and stream in every run. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** SYNTHETIC accounts: a BTC USDC perpetual (long or short), a third of them a short put too, USDC collateral. */
export function syntheticBook(count: number, seed = 14): { id: string; document: Record<string, unknown> }[] {
  const r = rng(seed);
  return Array.from({ length: count }, (_, k) => {
    const size = Math.round((r() * 4 - 2) * 100) / 100 || 0.5;
    const positions: Record<string, unknown>[] = [{ instrument: "BTC_USDC-PERPETUAL", size }];
    if (k % 3 === 0) positions.push({ instrument: "BTC_USDC-6MAR26-85000-P", size: -Math.round(r() * 20) / 10 - 0.1 });
    // Collateral from thin to ample, so that ticks move some accounts across health states (few into liquidation:
    // each liquidation computes a plan, the costly part of an input).
    const usdc = Math.round(Math.abs(size) * 90000 * (0.15 + r() * 0.35) + (k % 3 === 0 ? 40_000 : 1500));
    return { id: `acct-${String(k).padStart(5, "0")}`, document: { source: "SYNTHETIC cluster test account", model: "deribit", parameterSet: "deribit", positions, collateral: { USDC: usdc } } };
  });
}

/** SYNTHETIC input stream: `ticks` BTC index ticks (a seeded walk, ±1.5 % steps), `fillsPerTick` fills after each. */
export function syntheticInputs(accounts: readonly string[], ticks: number, fillsPerTick: number, seed = 7): { input: ClusterInput; msgId: string }[] {
  const r = rng(seed);
  const t0 = MARKET.timestampMs;
  let btc = 90000;
  const out: { input: ClusterInput; msgId: string }[] = [];
  for (let k = 1; k <= ticks; k++) {
    btc = Math.round(btc * (1 + (r() - 0.5) * 0.03) * 100) / 100;
    const ts = new Date(t0 + k * 60_000).toISOString();
    out.push({ input: { kind: "tick", data: { seq: k, ts, index: { BTC: btc }, source: "SYNTHETIC cluster test tick" } }, msgId: `tick:${k}` });
    for (let j = 0; j < fillsPerTick; j++) {
      const account = accounts[Math.floor(r() * accounts.length)] as string;
      const size = Math.round((r() - 0.5) * 100) / 100 || 0.1;
      const tradeId = `t${k}-${j}`;
      out.push({ input: { kind: "account", account, data: { type: "fill", ts, fill: { instrument: "BTC_USDC-PERPETUAL", size, price: btc, tradeId } } }, msgId: `fill:${account}:${tradeId}` });
    }
  }
  return out;
}

/** Store the market and the book in a migrated PostgreSQL database (one multi-row statement per 1,000 accounts). */
export async function storeBook(url: string, book: readonly { id: string; document: Record<string, unknown> }[]): Promise<void> {
  const store = await openStore({ kind: "postgres", url });
  await store.putMarket({ id: "cluster-test-market", timestampMs: MARKET.timestampMs, document: MARKET_DOC }, { actor: "test", requestId: null, at: new Date().toISOString() });
  await store.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    for (let k = 0; k < book.length; k += 1000) {
      const chunk = book.slice(k, k + 1000);
      const params: unknown[] = [];
      const values = chunk.map((a, j) => {
        params.push(a.id, JSON.stringify(a.document));
        return `($${2 * j + 1}, 1, $${2 * j + 2}::json, now(), now())`;
      });
      await c.query(`INSERT INTO accounts (id, version, document, created_at, updated_at) VALUES ${values.join(", ")}`, params);
    }
  } finally {
    await c.end();
  }
}

export interface WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Parsed JSON lines the worker printed. */
  readonly lines: Record<string, unknown>[];
  readonly exited: Promise<number | null>;
}

/** Start `netrisk worker` from the built CLI (`extraArgs`: more flags, e.g. `--snapshot-interval-ms 0`). */
export function spawnWorker(id: string, natsUrl: string, databaseUrl: string, cluster: string, partitions: number, leaseMs: number, extraArgs: readonly string[] = []): WorkerProcess {
  const main = join(ROOT, "dist/cli/main.js");
  if (!existsSync(main)) throw new Error("dist/ is not built: run `npm run build` (npm test does) before the cluster tests");
  const child = spawn(
    process.execPath,
    [main, "worker", "--nats", natsUrl, "--partitions", String(partitions), "--database-url", databaseUrl, "--cluster", cluster, "--id", id, "--lease-ms", String(leaseMs), "--checkpoint-every", "500", "--log-checkpoints", ...extraArgs],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  const lines: Record<string, unknown>[] = [];
  let buf = "";
  child.stdout?.on("data", (d: Buffer) => {
    buf += d.toString();
    let nl: number;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        lines.push({ event: "unparsed", line });
      }
    }
  });
  let err = "";
  child.stderr?.on("data", (d: Buffer) => {
    err = (err + d.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  void exited.then((code) => {
    if (code !== 0 && code !== null && err !== "") lines.push({ event: "stderr", text: err });
  });
  return { id, child, lines, exited };
}

/** Publish inputs in order (awaiting each ack: the stream order is the list's order). */
export async function publishAll(nc: NatsConnection, names: ClusterNames, partitions: number, inputs: readonly { input: ClusterInput; msgId: string }[]): Promise<number> {
  const js = nc.jetstream();
  let last = 0;
  for (const i of inputs) {
    for (let attempt = 0; ; attempt++) {
      try {
        last = (await publishInput(js, names, partitions, i.input, i.msgId)).seq;
        break;
      } catch (e) {
        // The server may be restarting under the test: a retry with the same msg id cannot duplicate.
        if (attempt > 200) throw e;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  }
  return last;
}

/** Wait until `predicate()` holds (polled every 200 ms), or fail naming `what` after `ms`. */
export async function until(what: string, predicate: () => Promise<boolean> | boolean, ms: number): Promise<void> {
  const t0 = Date.now();
  while (!(await predicate())) {
    if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Every partition's checkpoint is at `lastSeq` (all inputs applied, stored and acknowledged). */
export async function allCheckpointed(databaseUrl: string, cluster: string, partitions: number, lastSeq: number): Promise<boolean> {
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    const r = await c.query<{ n: string }>("SELECT count(*) AS n FROM partition_checkpoints WHERE cluster = $1 AND last_seq = $2", [cluster, lastSeq]);
    return Number(r.rows[0]?.n) === partitions;
  } finally {
    await c.end();
  }
}

/** Every stored message of a stream whose subject matches `filter` (`*` one token), in order, read by sequence. */
export async function readAll(nc: NatsConnection, stream: string, filter: string): Promise<{ subject: string; seq: number; data: Uint8Array; msgId: string }[]> {
  const jsm = await nc.jetstreamManager();
  const info = await jsm.streams.info(stream);
  const pattern = new RegExp(`^${filter.replace(/\./g, "\\.").replace(/\*/g, "[^.]+").replace(/>$/, ".+")}$`);
  const out: { subject: string; seq: number; data: Uint8Array; msgId: string }[] = [];
  for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
    const m = await jsm.streams.getMessage(stream, { seq });
    if (pattern.test(m.subject)) out.push({ subject: m.subject, seq: m.seq, data: m.data, msgId: m.header?.get("Nats-Msg-Id") ?? "" });
  }
  return out;
}

export type FigureRecord = Record<string, unknown> & { account: string; seq: number };

/** The figure updates in the output stream: (account@seq) → every update published for it. */
export async function publishedFigures(nc: NatsConnection, names: ClusterNames): Promise<{ figures: Map<string, FigureRecord[]>; events: Map<string, number>; markers: OwnerMarker[] }> {
  const figures = new Map<string, FigureRecord[]>();
  const events = new Map<string, number>();
  const markers: OwnerMarker[] = [];
  for (const m of await readAll(nc, names.outputStream, names.outputFilter)) {
    const data = JSON.parse(new TextDecoder().decode(m.data)) as OutputMessage | OwnerMarker;
    if (data.type === "owner") {
      markers.push(data);
      continue;
    }
    // Input 0: a partition's genesis figures (every account at the start), not an input's update.
    if (data.seq === 0) continue;
    for (const f of data.figures as FigureRecord[]) {
      f._from = `${m.subject}#${m.seq} id ${m.msgId}`;
      const key = `${f.account}@${f.seq}`;
      figures.set(key, [...(figures.get(key) ?? []), f]);
    }
    for (const e of data.events) {
      const key = `${e.type}:${"account" in e ? e.account : "_"}@${e.seq}`;
      events.set(key, (events.get(key) ?? 0) + 1);
    }
  }
  return { figures, events, markers };
}

/** The single-process reference: one core over the whole book, every input of the stream in order. */
export async function referenceRun(nc: NatsConnection, names: ClusterNames, book: readonly { id: string; document: Record<string, unknown> }[]): Promise<{ figures: Map<string, FigureRecord>; events: Map<string, number> }> {
  const core = unwrap(await coreFromGenesis(MARKET, book, DEFAULT_LIVE_PARAMS));
  const figures = new Map<string, FigureRecord>();
  const events = new Map<string, number>();
  for (const m of await readAll(nc, names.inputStream, names.inputFilter)) {
    const input = clusterInputOf(names, m.subject, m.seq, m.data, null, core);
    if (input === null || Array.isArray(input)) continue;
    const out = core.apply(input);
    for (const id of out.changed) figures.set(`${id}@${m.seq}`, { seq: m.seq, ...(core.figures(id) as unknown as Record<string, unknown>), account: id });
    for (const e of out.events) {
      const key = `${e.type}:${"account" in e ? e.account : "_"}@${e.seq}`;
      events.set(key, (events.get(key) ?? 0) + 1);
    }
  }
  return { figures, events };
}

export async function natsConnection(url: string): Promise<NatsConnection> {
  return connect({ servers: url, maxReconnectAttempts: -1, reconnectTimeWait: 200 });
}

export { clusterNames };
