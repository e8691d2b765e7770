/**
 * `netrisk worker --threads 2` (docs/cli.md): one worker owning the single partition of a 3,000-account SYNTHETIC
 * book (one risk-matrix group with one set of rules: three claims of 1,024 accounts per pass, so the helper thread
 * takes part) publishes, for every (account, input), exactly one figure update equal to the single-process reference
 * over the same inputs (1e-9 relative), and every reference event once. Skipped with one notice without the
 * nats-server binary or PostgreSQL; under NETRISK_REQUIRE_ALL (.ci/run) their absence fails the run.
 */
import { randomBytes } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import type { NatsConnection } from "nats";
import { jsonDifferences } from "../helpers/close-json.js";
import { startOwnNatsServer } from "../helpers/nats-server.js";
import type { OwnNatsServer } from "../helpers/nats-server.js";
import { createScratchDatabase } from "../helpers/postgres.js";
import type { ScratchDatabase } from "../helpers/postgres.js";
import { testEnv } from "../helpers/requires.js";
import { allCheckpointed, clusterNames, natsConnection, publishAll, publishedFigures, referenceRun, spawnWorker, storeBook, syntheticBook, syntheticInputs, until } from "./harness.js";
import type { WorkerProcess } from "./harness.js";

const book = syntheticBook(3000, 21);
const inputs = syntheticInputs(
  book.map((a) => a.id),
  6,
  10,
  9,
);

describe.skipIf(testEnv.natsServerBin === null || testEnv.postgresUrl === null)("netrisk worker --threads 2", () => {
  let server: OwnNatsServer | undefined;
  let db: ScratchDatabase | undefined;
  let nc: NatsConnection | undefined;
  let worker: WorkerProcess | undefined;
  afterAll(async () => {
    if (worker !== undefined && worker.child.exitCode === null) worker.child.kill("SIGKILL");
    await worker?.exited;
    await nc?.close().catch(() => undefined);
    await server?.dispose();
    await db?.drop();
  }, 60_000);

  it("the single-process figures and events, exactly once, with a helper thread", async () => {
    server = await startOwnNatsServer(testEnv.natsServerBin as string);
    db = await createScratchDatabase(testEnv.postgresUrl as string, "netrisk_threads");
    nc = await natsConnection(server.url);
    const cluster = `T${randomBytes(4).toString("hex")}`;
    await storeBook(db.url, book);
    const w = spawnWorker("w1", server.url, db.url, cluster, 1, 5000, ["--threads", "2"]);
    worker = w;
    await until("the partition owned", () => w.lines.some((l) => l.event === "partition_owned"), 30_000);
    expect(w.lines.find((l) => l.event === "started")?.threads).toBe(2);
    const names = clusterNames(cluster);
    const lastSeq = await publishAll(nc, names, 1, inputs);
    const url = db.url;
    await until("the partition checkpointed at the last input", () => allCheckpointed(url, cluster, 1, lastSeq), 60_000);
    const got = await publishedFigures(nc, names);
    const want = await referenceRun(nc, names, book);
    expect(want.figures.size).toBeGreaterThan(book.length * 6);
    for (const v of got.figures.values()) for (const f of v) delete f._from;
    expect([...got.figures].filter(([, v]) => v.length !== 1).slice(0, 5)).toEqual([]);
    expect(got.figures.size).toBe(want.figures.size);
    const diffs: string[] = [];
    for (const [k, f] of want.figures) {
      diffs.push(...jsonDifferences(got.figures.get(k)?.[0], f, 1e-9, k));
      if (diffs.length > 5) break;
    }
    expect(diffs).toEqual([]);
    expect([...got.events].filter(([, n]) => n !== 1)).toEqual([]);
    expect(new Map([...got.events].sort())).toEqual(new Map([...want.events].sort()));
    // Stopped: its re-margin passes went through the pool (a helper may take no claim on a busy machine).
    w.child.kill("SIGTERM");
    await until("the stopped line", () => w.lines.some((l) => l.event === "stopped"), 30_000);
    const stopped = w.lines.find((l) => l.event === "stopped") as { pool?: { passes: number; claims: number } };
    expect(stopped.pool?.passes).toBeGreaterThan(0);
    expect(stopped.pool?.claims).toBeGreaterThanOrEqual(3 * (stopped.pool?.passes ?? 0));
  }, 180_000);
});
