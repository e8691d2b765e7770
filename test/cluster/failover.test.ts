/**
 * Failure tests of the cluster (issue 14), each on a nats-server of its own (test/helpers/nats-server.ts) and a
 * scratch PostgreSQL database: three `netrisk worker` processes over 6 partitions of a 10,000-account SYNTHETIC
 * book, a seeded stream of ticks and fills, and one failure injected mid-stream. After recovery, every
 * (account, input) has exactly one figure update in the output stream, equal (to 1e-9 relative: the same doubles
 * unless a rebuilt core's risk arrays sum in another order) to the single-process reference over the same inputs, and
 * every event of the reference is published exactly once. Skipped with one notice without the nats-server binary or
 * PostgreSQL; under NETRISK_REQUIRE_ALL (.ci/run) their absence fails the run.
 */
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { NatsConnection } from "nats";
import { afterEach, describe, expect, it } from "vitest";
import { jsonDifferences } from "../helpers/close-json.js";
import { startOwnNatsServer, tcpProxy } from "../helpers/nats-server.js";
import type { OwnNatsServer } from "../helpers/nats-server.js";
import { createScratchDatabase } from "../helpers/postgres.js";
import type { ScratchDatabase } from "../helpers/postgres.js";
import { testEnv } from "../helpers/requires.js";
import { allCheckpointed, clusterNames, natsConnection, publishAll, publishedFigures, referenceRun, spawnWorker, storeBook, syntheticBook, syntheticInputs, until } from "./harness.js";
import type { WorkerProcess } from "./harness.js";

const ACCOUNTS = Number(process.env.NETRISK_CLUSTER_TEST_ACCOUNTS ?? 10_000);
const PARTITIONS = 6;
const LEASE_MS = 5000;

interface World {
  server: OwnNatsServer;
  db: ScratchDatabase;
  nc: NatsConnection;
  workers: WorkerProcess[];
  cluster: string;
}

const worlds: World[] = [];

afterEach(async (ctx) => {
  for (const w of worlds.splice(0)) {
    // What the workers said, when a test failed or NETRISK_CLUSTER_KEEP_LOGS=1 (the only window into another process).
    if (ctx.task.result?.state === "fail") console.error("nats-server:", w.server.log());
    if (ctx.task.result?.state === "fail" || process.env.NETRISK_CLUSTER_KEEP_LOGS === "1") {
      const file = join(tmpdir(), `netrisk-cluster-${w.cluster}.jsonl`);
      writeFileSync(file, w.workers.flatMap((p) => p.lines.map((l) => JSON.stringify(l))).join("\n"));
      console.error(`worker lines: ${file}`);
    }
    for (const p of w.workers) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    await Promise.all(w.workers.map((p) => p.exited));
    await w.nc.close().catch(() => undefined);
    await w.server.dispose();
    await w.db.drop();
  }
});

/** The SIGKILL test's book (the 10,000 accounts); the other failures run on 3,000 to keep the suite short. */
const book = syntheticBook(ACCOUNTS);
const inputs = syntheticInputs(
  book.map((a) => a.id),
  8,
  40,
);
const smallBook = syntheticBook(3000, 15);
const smallInputs = syntheticInputs(
  smallBook.map((a) => a.id),
  8,
  30,
  8,
);

async function world(theBook = book, urlFor: (id: string, serverUrl: string) => string = (_, url) => url): Promise<World> {
  const server = await startOwnNatsServer(testEnv.natsServerBin as string);
  const db = await createScratchDatabase(testEnv.postgresUrl as string, "netrisk_cluster");
  const nc = await natsConnection(server.url);
  const w: World = { server, db, nc, workers: [], cluster: `T${randomBytes(4).toString("hex")}` };
  worlds.push(w);
  await storeBook(db.url, theBook);
  w.workers = ["w1", "w2", "w3"].map((id) => spawnWorker(id, urlFor(id, server.url), db.url, w.cluster, PARTITIONS, LEASE_MS));
  // Every partition owned before the stream starts (the streams exist once a worker has started).
  await until("6 partitions owned", () => w.workers.flatMap((p) => p.lines.filter((l) => l.event === "partition_owned")).length >= PARTITIONS, 30_000);
  return w;
}

/** The exactly-once check against the single-process reference. */
async function expectExactlyOnce(w: World, lastSeq: number, theBook = book): Promise<void> {
  await until("every partition checkpointed at the last input", () => allCheckpointed(w.db.url, w.cluster, PARTITIONS, lastSeq), 60_000);
  const names = clusterNames(w.cluster);
  const got = await publishedFigures(w.nc, names);
  const want = await referenceRun(w.nc, names, theBook);
  expect(want.figures.size).toBeGreaterThan(theBook.length * 8);
  const twice = [...got.figures].filter(([, v]) => v.length !== 1).map(([k, v]) => `${k} from ${v.map((f) => String(f._from)).join(" and ")}`);
  for (const v of got.figures.values()) for (const f of v) delete f._from;
  expect(twice.slice(0, 5)).toEqual([]);
  const missing = [...want.figures.keys()].filter((k) => !got.figures.has(k));
  expect(missing.slice(0, 5)).toEqual([]);
  expect(got.figures.size).toBe(want.figures.size);
  const diffs: string[] = [];
  for (const [k, f] of want.figures) {
    diffs.push(...jsonDifferences(got.figures.get(k)?.[0], f, 1e-9, k));
    if (diffs.length > 5) break;
  }
  expect(diffs).toEqual([]);
  expect([...got.events].filter(([, n]) => n !== 1)).toEqual([]);
  expect(new Map([...got.events].sort())).toEqual(new Map([...want.events].sort()));
}

describe.skipIf(testEnv.natsServerBin === null || testEnv.postgresUrl === null)("cluster failure tests (own nats-server)", () => {
  it("SIGKILL of one of three workers mid-stream: its partitions fail over; every (account, input) has exactly one figure update, equal to a single-process run", async () => {
    const w = await world();
    const names = clusterNames(w.cluster);
    const third = Math.floor(inputs.length / 3);
    await publishAll(w.nc, names, PARTITIONS, inputs.slice(0, third));
    const victim = w.workers[0] as WorkerProcess;
    await until("the victim has applied inputs", () => victim.lines.some((l) => l.event === "partition_owned") && w.workers.length > 0, 10_000);
    const rest = publishAll(w.nc, names, PARTITIONS, inputs.slice(third));
    await new Promise((r) => setTimeout(r, 300));
    victim.child.kill("SIGKILL");
    const lastSeq = await rest;
    await expectExactlyOnce(w, lastSeq);
    // The survivors took the victim's partitions over.
    const taken = w.workers.slice(1).flatMap((p) => p.lines.filter((l) => l.event === "partition_owned"));
    expect(taken.length).toBeGreaterThan(PARTITIONS - 2);
    // A takeover rebuilt from a book snapshot older than the stored progress (snapshots every 10 s) and re-applied
    // the inputs in between without publishing or storing them twice (the exactly-once check above).
    expect(taken.some((l) => (l.checkpoint as number) > (l.snapshot as number))).toBe(true);
  }, 120_000);

  // The restart makes leases expire mid-stream, so partitions are taken over from a checkpoint there. Such a partition
  // once applied every input and never stored the last ones (checkpoint stuck at 125 for 60 s, no error): it waited to
  // be told it was caught up, and nats-server 2.9.10 miscounts the pending inputs of a consumer with a wildcard filter
  // that starts mid-stream. Fixed in worker.ts: the consumers have no filter (exact counts), and a partition that
  // received nothing for a checkpoint interval stores what it applied whatever the count says (docs/scale-out.md
  // "nats-server restart"). A pull consumer gone silent after the restart is rebuilt by the consumer watchdog.
  it("nats-server restarted mid-run: workers reconnect, nothing lost or duplicated", async () => {
    const w = await world(smallBook);
    const names = clusterNames(w.cluster);
    const third = Math.floor(smallInputs.length / 3);
    await publishAll(w.nc, names, PARTITIONS, smallInputs.slice(0, third));
    await w.server.stop();
    await new Promise((r) => setTimeout(r, 1000));
    await w.server.start();
    const lastSeq = await publishAll(w.nc, names, PARTITIONS, smallInputs.slice(third));
    await expectExactlyOnce(w, lastSeq, smallBook);
  }, 120_000);

  it("a worker stalled with SIGSTOP past its lease loses its partitions; resumed, its late writes are fenced", async () => {
    const w = await world(smallBook);
    const names = clusterNames(w.cluster);
    const victim = w.workers[0] as WorkerProcess;
    const held = victim.lines.filter((l) => l.event === "partition_owned").map((l) => l.partition as number);
    expect(held.length).toBeGreaterThan(0);
    const third = Math.floor(smallInputs.length / 3);
    await publishAll(w.nc, names, PARTITIONS, smallInputs.slice(0, third));
    victim.child.kill("SIGSTOP");
    // While it sleeps: the rest of the stream, and its partitions taken over once its leases expire.
    const lastSeq = await publishAll(w.nc, names, PARTITIONS, smallInputs.slice(third));
    await until(
      "the stalled worker's partitions taken over",
      () => held.every((p) => w.workers.slice(1).some((o) => o.lines.some((l) => l.event === "partition_owned" && l.partition === p))),
      60_000,
    );
    const resumedAt = new Date().toISOString();
    victim.child.kill("SIGCONT");
    await expectExactlyOnce(w, lastSeq, smallBook);
    // Resumed, it found every partition it held lost (lease renewal refused) or was fenced writing.
    await until("the resumed worker gave its partitions up", () => held.every((p) => victim.lines.some((l) => (l.event === "lease_lost" || l.event === "fenced") && l.partition === p)), 20_000);
    // No checkpoint of its old epochs was accepted after the takeover: any it reports (one committed just before the
    // stop is logged after the resume) has a version below the one its successor claimed.
    const claimed = (p: number): number => Math.max(...w.workers.slice(1).flatMap((o) => o.lines.filter((l) => l.event === "partition_owned" && l.partition === p).map((l) => l.version as number)));
    const late = victim.lines.filter((l) => l.event === "checkpoint" && String(l.at) > resumedAt && held.includes(l.partition as number) && (l.version as number) >= claimed(l.partition as number) && !victim.lines.some((o) => o.event === "partition_owned" && o.partition === l.partition && String(o.at) > resumedAt));
    expect(late).toEqual([]);
  }, 150_000);

  it("one worker cut off from NATS (its connection through a proxy the test closes): the same exactly-once outcome", async () => {
    const proxy = await tcpProxy();
    const w = await world(smallBook, (id, url) => (id === "w1" ? proxy.urlFor(url) : url));
    const names = clusterNames(w.cluster);
    const victim = w.workers[0] as WorkerProcess;
    const held = victim.lines.filter((l) => l.event === "partition_owned").map((l) => l.partition as number);
    const third = Math.floor(smallInputs.length / 3);
    await publishAll(w.nc, names, PARTITIONS, smallInputs.slice(0, third));
    await proxy.cut();
    const lastSeq = await publishAll(w.nc, names, PARTITIONS, smallInputs.slice(third));
    await until(
      "the cut-off worker's partitions taken over",
      () => held.every((p) => w.workers.slice(1).some((o) => o.lines.some((l) => l.event === "partition_owned" && l.partition === p))),
      60_000,
    );
    await proxy.restore();
    await expectExactlyOnce(w, lastSeq, smallBook);
    await proxy.close();
  }, 150_000);
});
