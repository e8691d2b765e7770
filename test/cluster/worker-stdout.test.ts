/**
 * `netrisk worker` whose stdout reader goes away (the process that spawned it died: the bench, a supervisor): the
 * next log line fails with EPIPE, which unhandled ended the worker with a Node stack trace. It now stops cleanly, as
 * on SIGTERM: one line on stderr, leases released, exit 0 (src/cli/commands/worker.ts says why it stops rather than
 * runs on unseen). The built CLI (dist/), a nats-server of the test's own and a scratch PostgreSQL database with a
 * small SYNTHETIC book. Skipped with one notice without them; under NETRISK_REQUIRE_ALL (.ci/run) that fails the run.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startOwnNatsServer } from "../helpers/nats-server.js";
import type { OwnNatsServer } from "../helpers/nats-server.js";
import { createScratchDatabase } from "../helpers/postgres.js";
import type { ScratchDatabase } from "../helpers/postgres.js";
import { testEnv } from "../helpers/requires.js";
import { clusterNames, natsConnection, ROOT, storeBook, syntheticBook } from "./harness.js";

describe.skipIf(testEnv.natsServerBin === null || testEnv.postgresUrl === null)("netrisk worker: stdout closed", () => {
  let server: OwnNatsServer;
  let db: ScratchDatabase;
  beforeAll(async () => {
    server = await startOwnNatsServer(testEnv.natsServerBin as string);
    db = await createScratchDatabase(testEnv.postgresUrl as string, "netrisk_worker_stdout");
    await storeBook(db.url, syntheticBook(40, 21));
  });
  afterAll(async () => {
    await server?.dispose();
    await db?.drop();
  });

  it("stops cleanly (exit 0, no stack trace, its leases released) when the reader of its stdout is gone", async () => {
    const main = join(ROOT, "dist/cli/main.js");
    if (!existsSync(main)) throw new Error("dist/ is not built: run `npm run build` before the cluster tests");
    const cluster = `S${Date.now().toString(36)}`;
    const partitions = 4;
    const child = spawn(process.execPath, [main, "worker", "--nats", server.url, "--partitions", String(partitions), "--database-url", db.url, "--cluster", cluster, "--id", "w-stdout", "--lease-ms", "4000", "--log-checkpoints"], {
      cwd: ROOT,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stderr = "";
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
    });
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    try {
      // The first line (it is logging), then the reader goes: its next line (a partition taken) meets a closed pipe.
      await new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
      child.stdout.destroy();
      const code = await Promise.race([exited, new Promise<"running">((r) => setTimeout(() => r("running"), 30_000))]);
      expect({ code, stderr }).toMatchObject({ code: 0 });
      expect(stderr).toMatch(/stdout closed \(.*EPIPE.*\): stopping/);
      expect(stderr).not.toMatch(/\n\s+at /);
      // Stopped cleanly: right after the exit, well within the 4 s lease time, no partition lease is left behind.
      const nc = await natsConnection(server.url);
      try {
        const kv = await nc.jetstream().views.kv(clusterNames(cluster).leaseBucket);
        const held: string[] = [];
        for (let p = 0; p < partitions; p++) {
          const e = await kv.get(`p.${p}`);
          if (e !== null && e.operation === "PUT") held.push(`p.${p}`);
        }
        expect(held).toEqual([]);
      } finally {
        await nc.close();
      }
    } finally {
      if (child.exitCode === null) child.kill("SIGKILL");
      await exited;
    }
  }, 60_000);
});
