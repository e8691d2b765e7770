/**
 * `netrisk serve --cluster` (issue 14): the service publishing its live inputs to NATS JetStream and reading the
 * workers' figures and events back gives the same answers over the API as the in-process service for the same
 * requests. Two services, each on a scratch PostgreSQL database holding the same SYNTHETIC book and market: one with
 * the in-process live engine, one with the cluster engine and two `netrisk worker` processes (the built CLI) on a
 * nats-server of its own. The same ticks, fills, a new account, breaker rules, a market replaced wholesale
 * (`PUT /v1/market`) while a breaker is tripped, and a parameter version go to both; in the cluster, one worker is
 * SIGKILLed while the band is tripped again and the parameter version is in force, and the other takes its
 * partitions over from their snapshots (which must carry the version: no stored account document names it); then
 * every account's figures and live flags, the stored events, the stored market and the live status are compared
 * (1e-9 relative). Skipped with one notice without the nats-server binary or PostgreSQL.
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { createClusterLiveEngine } from "../../src/server/live/cluster.js";
import { jsonDifferences } from "../helpers/close-json.js";
import { startOwnNatsServer } from "../helpers/nats-server.js";
import type { OwnNatsServer } from "../helpers/nats-server.js";
import { testEnv } from "../helpers/requires.js";
import { liveTestData } from "../server/live-helpers.js";
import type { LiveTestData, LiveTestServer } from "../server/live-helpers.js";
import { MARKET, MARKET_DOC, spawnWorker, storeBook, syntheticBook, until } from "./harness.js";
import type { WorkerProcess } from "./harness.js";

const PARTITIONS = 4;
const book = syntheticBook(240, 21);

const cleanup: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c().catch(() => undefined);
});

/** The same requests to a service: ticks, fills, an account created after start, breaker rules, a new market, a parameter version. */
async function drive(s: LiveTestServer, feedKey: string, whileTripped: () => Promise<void> = async () => undefined): Promise<unknown[]> {
  const answers: unknown[] = [];
  const tick = (seq: number, btc: number): Record<string, unknown> => ({ seq, ts: new Date(MARKET.timestampMs + seq * 60_000).toISOString(), index: { BTC: btc } });
  const post = async (method: string, path: string, body: unknown, key?: string): Promise<void> => {
    const r = await s.call(method, path, { body, ...(key !== undefined ? { key } : {}) });
    // Who and when wrote a parameter set differ between the two services (keys, clocks); the rest must not.
    const { createdAt: _at, createdBy: _by, ...answer } = (r.body ?? {}) as Record<string, unknown>;
    answers.push({ path, status: r.status, body: answer });
  };
  await post("POST", "/v1/ticks", [tick(1, 88_500), tick(2, 86_800)], feedKey);
  await post("POST", "/v1/accounts/acct-00007/fills", { instrument: "BTC_USDC-PERPETUAL", size: -1.5, price: 86_800, tradeId: "f-1" });
  await post("POST", "/v1/accounts/acct-00100/fills", { instrument: "BTC_USDC-PERPETUAL", size: 2, price: 86_800, tradeId: "f-2" });
  // An account created after the engines started reaches its partition's worker.
  await post("PUT", "/v1/accounts/late-1", { model: "deribit", parameterSet: "deribit", positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 3 }], collateral: { USDC: 30_000 } });
  const rules = { name: "band", version: "1", effective: "2026-03-01", rules: [{ id: "band-4pct", underlyings: ["BTC"], trigger: { type: "price_band", moveDecimal: 0.04, windowSeconds: 3600 }, state: "halted", actions: ["freeze_marks", "reduce_only"], reset: { mode: "manual" } }] };
  await post("PUT", "/v1/breaker-rules/band/1", rules);
  await post("POST", "/v1/ticks", [tick(3, 84_100), tick(4, 85_900), tick(5, 83_000)], feedKey);
  // The market replaced wholesale while BTC is halted: every core restarts on it (breakers re-anchor); in the
  // cluster a `market` control input naming the stored market, which each partition loads at that input.
  await post("PUT", "/v1/market", { ...MARKET_DOC, source: "SYNTHETIC market replaced mid-run", timestamp: new Date(MARKET.timestampMs + 330_000).toISOString(), index: { ...(MARKET_DOC.index as Record<string, number>), BTC: 85_500 } }, feedKey);
  const live = (await s.call("GET", "/v1/live")).body as Record<string, unknown>;
  answers.push({ path: "/v1/live", running: live.running, lastSeq: live.lastSeq, marketId: live.marketId, marketTimestamp: live.marketTimestamp, accounts: live.accounts });
  answers.push({ path: "/v1/accounts/acct-00007", body: (await s.call("GET", "/v1/accounts/acct-00007")).body });
  answers.push({ path: "/v1/breakers", body: (await s.call("GET", "/v1/breakers")).body });
  await post("POST", "/v1/accounts/late-1/fills", { instrument: "BTC_USDC-PERPETUAL", size: -1, price: 83_000, tradeId: "f-3" });
  // 85,500 → 81,700 is 4.4 %: the band (anchored on the new market) trips again.
  await post("POST", "/v1/ticks", [tick(6, 81_700)], feedKey);
  // A parameter-set version in force while halted: one parameters input (every account on the set re-margined, one
  // event), before the cluster's takeover: the rebuilt partitions must be on it, not on the stored documents' set.
  const list = (await s.call("GET", "/v1/parameter-sets")).body as { bundled: { name: string; version: string }[]; today: string };
  const deribit = list.bundled.find((b) => b.name === "deribit") as { version: string };
  const doc = (await s.call("GET", `/v1/parameter-sets/deribit/${deribit.version}`)).body.document as { general: Record<string, unknown> };
  await post("PUT", "/v1/parameter-sets/deribit/live-1", { effective: list.today, parameters: { ...doc, general: { ...doc.general, mm_factor: 0.9 }, version: "live-1", effective: list.today } });
  // BTC halted (marks frozen, figures stale, reduce-only): the cluster run loses a worker here.
  await whileTripped();
  await post("POST", "/v1/breakers/BTC/reset", {});
  await post("POST", "/v1/ticks", [tick(7, 82_400)], feedKey);
  await post("POST", "/v1/ticks", [tick(8, 83_100)], feedKey);
  return answers;
}

/** Every account's served figures and live flags, the events, the market and the status: what the API answers. */
async function observe(s: LiveTestServer): Promise<Record<string, unknown>> {
  const accounts: Record<string, unknown> = {};
  for (const id of [...book.map((a) => a.id), "late-1"]) {
    const r = (await s.call("GET", `/v1/accounts/${id}`)).body as Record<string, unknown>;
    accounts[id] = { account: r.account, version: r.version, figures: r.figures, live: r.live, stale: r.stale, marketId: (r.computedFrom as { marketId?: string } | undefined)?.marketId };
  }
  const events = (await s.call("GET", "/v1/events?limit=10000")).body as { events: unknown[]; lastEventSeq: number };
  const market = (await s.call("GET", "/v1/market")).body as { id: string };
  const live = (await s.call("GET", "/v1/live")).body as Record<string, unknown>;
  const status = { lastSeq: live.lastSeq, lastTickSeq: live.lastTickSeq, lastEventSeq: live.lastEventSeq, marketId: live.marketId, accounts: live.accounts };
  const breakers = (await s.call("GET", "/v1/breakers")).body;
  return { accounts, events: events.events, lastEventSeq: events.lastEventSeq, marketId: market.id, status, breakers };
}

describe.skipIf(testEnv.natsServerBin === null || testEnv.postgresUrl === null)("serve --cluster (own nats-server)", () => {
  it("gives the same figures, events, market and status over the API as the in-process service for the same requests", async () => {
    const server: OwnNatsServer = await startOwnNatsServer(testEnv.natsServerBin as string);
    cleanup.push(() => server.dispose());
    const backend = { kind: "postgres" as const, serverUrl: testEnv.postgresUrl as string };
    const datas: LiveTestData[] = [await liveTestData(backend), await liveTestData(backend)];
    for (const d of datas) cleanup.push(() => d.drop());
    const [inProcessData, clusterData] = datas as [LiveTestData, LiveTestData];
    const urlOf = (d: LiveTestData): string => (d.location as { url: string }).url;
    for (const d of datas) await storeBook(urlOf(d), book);

    const cluster = `S${randomBytes(4).toString("hex")}`;
    // A snapshot after every input that changes a partition, so the takeover below rebuilds from one taken while
    // BTC's breaker is tripped (not from an older one re-applying the trip).
    const workers: WorkerProcess[] = ["w1", "w2"].map((id) => spawnWorker(id, server.url, urlOf(clusterData), cluster, PARTITIONS, 5000, ["--snapshot-interval-ms", "0"]));
    cleanup.push(async () => {
      for (const w of workers) if (w.child.exitCode === null) w.child.kill("SIGKILL");
      await Promise.all(workers.map((w) => w.exited));
    });
    await until("every partition owned", () => workers.flatMap((w) => w.lines.filter((l) => l.event === "partition_owned")).length >= PARTITIONS, 60_000);

    const inProcess = await inProcessData.start();
    cleanup.push(() => inProcess.close());
    const clustered = await clusterData.start({ live: (base) => createClusterLiveEngine({ store: base.store, book: base.book, logger: base.logger, servers: [server.url], cluster, partitions: PARTITIONS }) });
    cleanup.push(() => clustered.close());
    expect(clustered.server.service.deps.live?.status().engine).toBe("cluster");

    const answersA = await drive(inProcess, await inProcessData.key(inProcess, "feed"));
    // While BTC is halted: SIGKILL w1 once its partitions' snapshots cover the last input; w2 takes them over from
    // those snapshots (breaker trips and anchors included) and the rest of the run must still match in-process.
    const [w1, w2] = workers as [WorkerProcess, WorkerProcess];
    let trippedSeq = 0;
    let w2LinesAtKill = 0;
    const ownedBy = (w: WorkerProcess): number[] => [...new Set(w.lines.filter((l) => l.event === "partition_owned").map((l) => l.partition as number))];
    const takeover = async (): Promise<void> => {
      trippedSeq = (await clustered.call("GET", "/v1/live")).body.lastSeq as number;
      const mine = ownedBy(w1);
      await until("w1's snapshots cover the trip", () => mine.every((p) => w1.lines.some((l) => l.event === "checkpoint" && l.partition === p && l.snapshot === true && (l.lastSeq as number) >= trippedSeq)), 30_000);
      w2LinesAtKill = w2.lines.length;
      w1.child.kill("SIGKILL");
      await w1.exited;
      await until("w2 owns every partition", () => ownedBy(w2).length === PARTITIONS, 60_000);
    };
    const answersB = await drive(clustered, await clusterData.key(clustered, "feed"), takeover);
    const takenOver = w2.lines.slice(w2LinesAtKill).filter((l) => l.event === "partition_owned");
    expect(takenOver.length).toBeGreaterThan(0);
    expect(takenOver.every((l) => (l.snapshot as number) >= trippedSeq)).toBe(true);
    expect(answersB.map((a) => (a as { status: number }).status)).toEqual(answersA.map((a) => (a as { status: number }).status));
    expect(jsonDifferences(answersB, answersA, 1e-9, "answers").slice(0, 5)).toEqual([]);

    const a = await observe(inProcess);
    const b = await observe(clustered);
    // The run did something: events of several accounts, the late account live, a breaker rule in force.
    const events = a.events as { type: string; account?: string }[];
    expect(events.filter((e) => e.type === "breaker").length).toBeGreaterThan(0);
    // The band tripped again on the new market's anchor with tick 6 (the input after late-1's fill, which follows
    // the replacement).
    const afterReplacement = answersA.find((x) => (x as { path: string }).path === "/v1/live") as { lastSeq: number; running: boolean };
    expect(afterReplacement.running).toBe(true);
    expect(events.filter((e) => e.type === "breaker" && (e as { seq?: number }).seq === afterReplacement.lastSeq + 2).length).toBe(1);
    expect(events.filter((e) => e.type === "parameters_changed")).toMatchObject([{ parameterSet: { name: "deribit", to: "live-1" }, accounts: book.length + 1 }]);
    expect(new Set(events.filter((e) => e.account !== undefined).map((e) => e.account)).size).toBeGreaterThan(3);
    expect((a.accounts as Record<string, { live?: unknown }>)["late-1"]?.live).toBeDefined();
    expect(jsonDifferences(b, a, 1e-9, "api").slice(0, 10)).toEqual([]);
  }, 240_000);
});
