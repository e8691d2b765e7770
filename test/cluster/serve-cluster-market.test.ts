/**
 * `netrisk serve --cluster` and a market replacement, beside the in-process service (issue 14, docs/scale-out.md "A
 * new market"). SYNTHETIC book and markets.
 *
 * 1. A stored account the start market cannot hold (a SOL balance it does not price) is skipped by both engines; a
 *    partition keeps it aside, also across a takeover from its snapshot, with the version written later (which the
 *    cores refuse alike), and a `PUT /v1/market` that prices SOL brings it into both: same answers, figures, events,
 *    market and status (two workers, one SIGKILLed before the replacement once its snapshot covers the refusal).
 * 2. A market replacement the partitions refuse: the cluster service stops as the in-process engine does when its
 *    core does not start on a replaced market (not running, saying why, ticks answered 503), instead of running on
 *    the new market over partitions on the old one; the next `PUT /v1/market` (or a restart of the service) publishes
 *    the current market to every partition again. The partitions are played by the test (the worker's output
 *    format), since a market the service can store is one every real worker can hold.
 * Skipped with one notice without the nats-server binary or PostgreSQL.
 */
import { randomBytes } from "node:crypto";
import type { NatsConnection } from "nats";
import { afterAll, describe, expect, it } from "vitest";
import { marketIdOfInput } from "../../src/cluster/inputs.js";
import { ensureCluster } from "../../src/cluster/worker.js";
import { partitionOf } from "../../src/cluster/names.js";
import { createClusterLiveEngine } from "../../src/server/live/cluster.js";
import { jsonDifferences } from "../helpers/close-json.js";
import { startOwnNatsServer } from "../helpers/nats-server.js";
import type { OwnNatsServer } from "../helpers/nats-server.js";
import { testEnv } from "../helpers/requires.js";
import { liveTestData } from "../server/live-helpers.js";
import type { LiveTestData, LiveTestServer } from "../server/live-helpers.js";
import { clusterNames, MARKET, MARKET_DOC, natsConnection, spawnWorker, storeBook, syntheticBook, until } from "./harness.js";
import type { WorkerProcess } from "./harness.js";

const PARTITIONS = 2;
const solAccount = (sol: number): Record<string, unknown> => ({ source: "SYNTHETIC", model: "deribit", parameterSet: "deribit", positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 0.4 }], collateral: { USDC: 9_000, SOL: sol } });
const book = [...syntheticBook(40, 23), { id: "sol-1", document: solAccount(100) }];
const index = MARKET_DOC.index as Record<string, number>;
const marketAt = (minutes: number, extra: Record<string, number> = {}): Record<string, unknown> => ({ ...MARKET_DOC, source: `SYNTHETIC market at +${minutes} min`, timestamp: new Date(MARKET.timestampMs + minutes * 60_000).toISOString(), index: { ...index, ...extra } });
const tick = (seq: number, btc: number): Record<string, unknown> => ({ seq, ts: new Date(MARKET.timestampMs + seq * 60_000).toISOString(), index: { BTC: btc } });

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

const backend = (): { kind: "postgres"; serverUrl: string } => ({ kind: "postgres", serverUrl: testEnv.postgresUrl as string });
const urlOf = (d: LiveTestData): string => (d.location as { url: string }).url;

/** The same requests to a service: ticks, a fill, sol-1 written again, a market pricing SOL, a fill of sol-1. */
async function drive(s: LiveTestServer, feedKey: string, beforeReplacement: () => Promise<void> = async () => undefined): Promise<unknown[]> {
  const answers: unknown[] = [];
  const post = async (method: string, path: string, body: unknown, key?: string): Promise<void> => {
    const r = await s.call(method, path, { body, ...(key !== undefined ? { key } : {}) });
    answers.push({ path, status: r.status, body: r.body });
  };
  const live = async (): Promise<void> => {
    const l = (await s.call("GET", "/v1/live")).body as Record<string, unknown>;
    answers.push({ path: "/v1/live", running: l.running, skipped: l.skipped, accounts: l.accounts, lastSeq: l.lastSeq, marketId: l.marketId });
  };
  await live();
  await post("POST", "/v1/ticks", [tick(1, 88_900), tick(2, 87_700)], feedKey);
  await post("POST", "/v1/accounts/acct-00003/fills", { instrument: "BTC_USDC-PERPETUAL", size: -0.5, price: 87_700, tradeId: "f-1" });
  // sol-1 written again: stored, refused by both live cores (SOL is not priced); the partition keeps this version.
  await post("PUT", "/v1/accounts/sol-1", solAccount(250));
  await beforeReplacement();
  await post("PUT", "/v1/market", marketAt(3, { SOL: 150, BTC: 87_700 }), feedKey);
  await live();
  answers.push({ path: "/v1/accounts/sol-1", body: (await s.call("GET", "/v1/accounts/sol-1")).body });
  await post("POST", "/v1/ticks", [tick(4, 86_200)], feedKey);
  await post("POST", "/v1/accounts/sol-1/fills", { instrument: "BTC_USDC-PERPETUAL", size: 0.3, price: 86_200, tradeId: "f-2" });
  await post("POST", "/v1/ticks", [tick(5, 85_100)], feedKey);
  return answers;
}

async function observe(s: LiveTestServer): Promise<Record<string, unknown>> {
  const accounts: Record<string, unknown> = {};
  for (const { id } of book) {
    const r = (await s.call("GET", `/v1/accounts/${id}`)).body as Record<string, unknown>;
    accounts[id] = { account: r.account, version: r.version, figures: r.figures, live: r.live, marketId: (r.computedFrom as { marketId?: string } | undefined)?.marketId };
  }
  const events = (await s.call("GET", "/v1/events?limit=10000")).body as { events: unknown[]; lastEventSeq: number };
  const market = (await s.call("GET", "/v1/market")).body as { id: string };
  const live = (await s.call("GET", "/v1/live")).body as Record<string, unknown>;
  return { accounts, events: events.events, marketId: market.id, status: { running: live.running, lastSeq: live.lastSeq, lastEventSeq: live.lastEventSeq, marketId: live.marketId, accounts: live.accounts, skipped: live.skipped } };
}

describe.skipIf(testEnv.natsServerBin === null || testEnv.postgresUrl === null)("serve --cluster: market replacements (own nats-server)", () => {
  let server: OwnNatsServer | null = null;
  const nats = async (): Promise<OwnNatsServer> => {
    if (server === null) {
      const s = await startOwnNatsServer(testEnv.natsServerBin as string);
      cleanup.push(() => s.dispose());
      server = s;
    }
    return server;
  };

  it("a stored account the old market could not hold joins every engine on a market that holds it, across a takeover", async () => {
    const own = await nats();
    const datas: LiveTestData[] = [await liveTestData(backend()), await liveTestData(backend())];
    for (const d of datas) cleanup.push(() => d.drop());
    const [inProcessData, clusterData] = datas as [LiveTestData, LiveTestData];
    for (const d of datas) await storeBook(urlOf(d), book);

    const cluster = `M${randomBytes(4).toString("hex")}`;
    const workers: WorkerProcess[] = ["w1", "w2"].map((id) => spawnWorker(id, own.url, urlOf(clusterData), cluster, PARTITIONS, 5000, ["--snapshot-interval-ms", "0"]));
    cleanup.push(async () => {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
      await Promise.all(workers.map((w) => w.exited));
    });
    const ownedBy = (w: WorkerProcess): number[] => [...new Set(w.lines.filter((l) => l.event === "partition_owned").map((l) => l.partition as number))];
    await until("every partition owned", () => workers.flatMap((w) => ownedBy(w)).length >= PARTITIONS, 60_000);

    const inProcess = await inProcessData.start();
    cleanup.push(() => inProcess.close());
    const clustered = await clusterData.start({ live: (base) => createClusterLiveEngine({ store: base.store, book: base.book, logger: base.logger, servers: [own.url], cluster, partitions: PARTITIONS }) });
    cleanup.push(() => clustered.close());

    const answersA = await drive(inProcess, await inProcessData.key(inProcess, "feed"));
    // Before the replacement: SIGKILL the owner of sol-1's partition once its snapshot covers the refused version;
    // the other worker takes it over from that snapshot, which must keep sol-1 aside.
    const solPartition = partitionOf("sol-1", PARTITIONS);
    const takeover = async (): Promise<void> => {
      const refusedSeq = (await clustered.call("GET", "/v1/live")).body.lastSeq as number;
      const owner = workers.find((w) => ownedBy(w).includes(solPartition)) as WorkerProcess;
      const other = workers.find((w) => w !== owner) as WorkerProcess;
      await until("the snapshot covers the refused version", () => owner.lines.some((l) => l.event === "checkpoint" && l.partition === solPartition && l.snapshot === true && (l.lastSeq as number) >= refusedSeq), 30_000);
      owner.child.kill("SIGKILL");
      await owner.exited;
      await until("the other worker owns every partition", () => other.lines.filter((l) => l.event === "partition_owned" && l.partition === solPartition).length > 0 && ownedBy(other).length === PARTITIONS, 60_000);
    };
    const answersB = await drive(clustered, await clusterData.key(clustered, "feed"), takeover);
    expect(jsonDifferences(answersB, answersA, 1e-9, "answers").slice(0, 5)).toEqual([]);

    // Skipped at the start, refused once written again, in after the replacement, with its last version.
    const [before, after] = answersA.filter((a) => (a as { path: string }).path === "/v1/live") as { running: boolean; skipped: { id: string; code: string }[]; accounts: number }[];
    expect(before).toMatchObject({ running: true, skipped: [{ id: "sol-1", code: "missing_index" }], accounts: book.length - 1 });
    expect(after).toMatchObject({ running: true, skipped: [], accounts: book.length });
    const a = await observe(inProcess);
    const b = await observe(clustered);
    const sol = (a.accounts as Record<string, { live?: { equityUsd?: number }; version?: number }>)["sol-1"];
    expect(sol?.live).toBeDefined();
    expect(jsonDifferences(b, a, 1e-9, "api").slice(0, 10)).toEqual([]);
  }, 240_000);

  it("a market replacement the partitions refuse stops the cluster service as the in-process engine stops; the next market (or a restart) goes to every partition again", async () => {
    const own = await nats();
    const data = await liveTestData(backend());
    cleanup.push(() => data.drop());
    await storeBook(urlOf(data), syntheticBook(6, 31));
    const cluster = `R${randomBytes(4).toString("hex")}`;
    const names = clusterNames(cluster);
    const nc: NatsConnection = await natsConnection(own.url);
    cleanup.push(() => nc.drain());
    await ensureCluster(nc, names, PARTITIONS);

    // The partitions, played here: an output for every input each one answers (all of them for a tick or a control
    // input); a `market` input naming a market in `refuse` is refused by the partitions listed for it.
    const refuse = new Map<string, readonly number[]>();
    const seen: { seq: number; market: string | null; refusedBy: readonly number[] }[] = [];
    const js = nc.jetstream();
    const consumer = await js.consumers.get(names.inputStream, { filterSubjects: names.inputFilter });
    const inputs = await consumer.consume();
    void (async () => {
      for await (const m of inputs) {
        const market = marketIdOfInput(names, m.subject, m.data);
        const prefix = `${cluster}.in.acct.`;
        const answering = m.subject.startsWith(prefix) ? [Number(m.subject.slice(prefix.length).split(".")[0])] : [0, 1];
        const refusedBy = market !== null ? (refuse.get(market) ?? []) : [];
        seen.push({ seq: m.seq, market, refusedBy });
        for (const p of answering) {
          const refused = refusedBy.includes(p);
          const out = { type: "output", partition: p, seq: m.seq, chunk: 0, chunks: 1, status: refused ? "rejected" : "applied", issues: refused ? [{ code: "not_found", path: "market", message: `market ${market} is not in the store` }] : [], figures: [], events: [] };
          await js.publish(names.outputSubject(p), new TextEncoder().encode(JSON.stringify(out)), { msgID: `${p}:${m.seq}:0` });
        }
      }
    })();
    cleanup.push(async () => inputs.close());

    const options: Parameters<LiveTestData["start"]>[0] = { live: (base) => createClusterLiveEngine({ store: base.store, book: base.book, logger: base.logger, servers: [own.url], cluster, partitions: PARTITIONS }) };
    let s = await data.start(options);
    cleanup.push(() => s.close());
    const feed = await data.key(s, "feed");
    const put = async (doc: Record<string, unknown>): Promise<string> => {
      const r = await s.call("PUT", "/v1/market", { body: doc, key: feed });
      expect(r.status).toBe(200);
      return (r.body as { id: string }).id;
    };
    const live = async (): Promise<Record<string, unknown>> => (await s.call("GET", "/v1/live")).body as Record<string, unknown>;
    expect((await s.call("POST", "/v1/ticks", { body: [tick(1, 89_000)], key: feed })).status).toBe(200);

    // Every partition refuses: stored (the route answered), but the engine stops instead of running on it.
    const m2 = marketAt(2, { BTC: 88_000 });
    refuse.set((s.server.service.deps.book.buildMarket(m2) as { ok: true; value: { id: string } }).value.id, [0, 1]);
    const id2 = await put(m2);
    const stopped = await live();
    expect(stopped).toMatchObject({ running: false, marketId: null });
    expect(String(stopped.reason)).toMatch(new RegExp(`does not start on market ${id2}: .*market: not_found`));
    expect(stopped.lastSeq).toBe(seen.find((x) => x.market === id2)?.seq);
    const refusedTick = await s.call("POST", "/v1/ticks", { body: [tick(3, 88_100)], key: feed });
    expect([refusedTick.status, (refusedTick.body as { error: { code: string } }).error.code]).toEqual([503, "unavailable"]);
    expect(((await s.call("GET", "/v1/market")).body as { id: string }).id).toBe(id2);

    // A restart of the service publishes the current (refused) market again; one partition refuses it this time.
    refuse.set(id2, [1]);
    await s.close();
    s = await data.start(options);
    expect(seen.filter((x) => x.market === id2).map((x) => x.refusedBy)).toEqual([[0, 1], [1]]);
    expect(await live()).toMatchObject({ running: false, marketId: null });

    // The next market every partition takes: published to all, the engine runs on it, ticks flow again.
    const id4 = await put(marketAt(4, { BTC: 88_500 }));
    expect(seen.filter((x) => x.market !== null).map((x) => x.market)).toEqual([id2, id2, id4]);
    expect(await live()).toMatchObject({ running: true, marketId: id4, lastSeq: seen.at(-1)?.seq });
    const tick5 = await s.call("POST", "/v1/ticks", { body: [tick(5, 88_300)], key: feed });
    expect(tick5.status).toBe(200);
    expect((await live()).lastSeq).toBe(seen.at(-1)?.seq);
  }, 120_000);
});
