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
import type { NatsConnection } from "nats";
import { afterEach, describe, expect, it } from "vitest";
import { jsonDifferences } from "../helpers/close-json.js";
import { startOwnNatsServer } from "../helpers/nats-server.js";
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
    // What the workers said, when a test failed (the only window into another process).
    if (ctx.task.result?.state === "fail") console.error("nats-server:", w.server.log());
    if (ctx.task.result?.state === "fail") for (const p of w.workers) console.error(p.id, JSON.stringify(p.lines.filter((l, i) => i < 25 || (l.event !== "lease_lost" && l.event !== "retry")).slice(0, 60), null, 0));
    for (const p of w.workers) if (p.child.exitCode === null) p.child.kill("SIGKILL");
    await Promise.all(w.workers.map((p) => p.exited));
    await w.nc.close().catch(() => undefined);
    await w.server.dispose();
    await w.db.drop();
  }
});

const book = syntheticBook(ACCOUNTS);
const inputs = syntheticInputs(
  book.map((a) => a.id),
  8,
  40,
);

async function world(): Promise<World> {
  const server = await startOwnNatsServer(testEnv.natsServerBin as string);
  const db = await createScratchDatabase(testEnv.postgresUrl as string, "netrisk_cluster");
  const nc = await natsConnection(server.url);
  const w: World = { server, db, nc, workers: [], cluster: `T${randomBytes(4).toString("hex")}` };
  worlds.push(w);
  await storeBook(db.url, book);
  w.workers = ["w1", "w2", "w3"].map((id) => spawnWorker(id, server.url, db.url, w.cluster, PARTITIONS, LEASE_MS));
  // Every partition owned before the stream starts (the streams exist once a worker has started).
  await until("6 partitions owned", () => w.workers.flatMap((p) => p.lines.filter((l) => l.event === "partition_owned")).length >= PARTITIONS, 30_000);
  return w;
}

/** The exactly-once check against the single-process reference. */
async function expectExactlyOnce(w: World, lastSeq: number): Promise<void> {
  await until("every partition checkpointed at the last input", () => allCheckpointed(w.db.url, w.cluster, PARTITIONS, lastSeq), 60_000);
  const names = clusterNames(w.cluster);
  const got = await publishedFigures(w.nc, names);
  const want = await referenceRun(w.nc, names, book);
  expect(want.figures.size).toBeGreaterThan(ACCOUNTS * 8);
  const twice = [...got.figures].filter(([, v]) => v.length !== 1).map(([k]) => k);
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
  }, 120_000);
});
