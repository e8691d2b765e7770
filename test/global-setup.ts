/**
 * Vitest global setup: probes once, in the main process, for what some tests need beyond Node (the real data in
 * ../shared/data, a PostgreSQL server, a NATS server with JetStream, the nats-server binary, Chromium) and hands the
 * answers to every test file through `inject("testEnv")` (see test/helpers/requires.ts).
 *
 * WHY here: a missing component is announced by ONE notice for the whole run, not one per test file, and with
 * NETRISK_REQUIRE_ALL=1 (set by .ci/run) a missing component fails the run before any test starts, so CI can never
 * go green by skipping.
 */
import { existsSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import type { TestProject } from "vitest/node";
import { type TestEnv, type Requirement, requirementHelp } from "./helpers/test-env.js";

function tcpOpen(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once("connect", () => done(true));
    socket.once("error", () => done(false));
  });
}

function firstExisting(paths: readonly (string | undefined)[]): string | null {
  for (const p of paths) if (p !== undefined && p !== "" && existsSync(p)) return p;
  return null;
}

export default async function setup(project: TestProject): Promise<void> {
  const sharedData = fileURLToPath(new URL("../../shared/data/", import.meta.url));
  const pgUrl = process.env.NETRISK_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const pg = new URL(pgUrl);
  const natsUrl = process.env.NETRISK_TEST_NATS_URL ?? "nats://127.0.0.1:4222";
  const nats = new URL(natsUrl);
  const env: TestEnv = {
    sharedDataDir: existsSync(`${sharedData}SOURCES.md`) ? sharedData : null,
    postgresUrl: (await tcpOpen(pg.hostname, Number(pg.port || 5432), 1000)) ? pgUrl : null,
    natsUrl: (await tcpOpen(nats.hostname, Number(nats.port || 4222), 1000)) ? natsUrl : null,
    natsServerBin: firstExisting([process.env.NETRISK_NATS_SERVER, "/usr/sbin/nats-server", "/usr/bin/nats-server"]),
    chromiumBin: firstExisting([process.env.NETRISK_CHROMIUM, "/usr/bin/chromium", "/usr/bin/chromium-browser"]),
  };
  const missing: Requirement[] = [];
  if (env.sharedDataDir === null) missing.push("sharedData");
  if (env.postgresUrl === null) missing.push("postgres");
  if (env.natsUrl === null) missing.push("nats");
  if (env.natsServerBin === null) missing.push("natsServerBin");
  if (env.chromiumBin === null) missing.push("chromium");
  const required = process.env.NETRISK_REQUIRE_ALL === "1";
  for (const m of missing) {
    process.stderr.write(`netrisk tests: ${required ? "MISSING" : "skipping"} ${requirementHelp[m]}\n`);
  }
  if (required && missing.length > 0) {
    throw new Error(`NETRISK_REQUIRE_ALL=1 and ${missing.join(", ")} missing: every test must run in CI`);
  }
  project.provide("testEnv", env);
}
