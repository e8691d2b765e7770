/**
 * `netrisk serve`: the margin service (src/server) on embedded PGlite in `--data` (default ./netrisk-data) or on
 * PostgreSQL (`--database-url` or DATABASE_URL). Prints `listening on http://HOST:PORT` once it accepts requests;
 * SIGTERM/SIGINT drain the requests in flight and close the store. `--demo` loads the bundled synthetic market and a
 * few hundred generated synthetic accounts (first start only) and prints a new admin key.
 * @module
 */
import { join } from "node:path";
import type { Command } from "commander";
import pino from "pino";
import { issue, NetriskError } from "../../errors.js";
import { demoAccounts } from "../../io/demo.js";
import { validateMarket } from "../../io/market.js";
import { startServer } from "../../server/app.js";
import { dashboardFiles } from "../../server/static.js";
import type { Logger } from "../../server/ports.js";
import { loadServerKey, newKeyMaterial, secretBox, sha256Hex } from "../../server/secrets.js";
import { marketIdOf } from "../../server/book.js";
import { openStore, storeLocation } from "../../store/open.js";
import type { StoreLocation } from "../../store/open.js";
import { packagePath, readJson, readText } from "../files.js";
import { need, runCommand, type Io } from "../run.js";
import { parseTickLines, validateBreakerRules } from "../../io/live.js";
import type { RunningServer } from "../../server/app.js";
import { EXAMPLE_MARKET } from "./context.js";
import { dueMs, feedPaceOf } from "./feed-pace.js";
import type { FeedPace } from "./feed-pace.js";
import { natsServers } from "./worker.js";
import { isClusterName } from "../../cluster/names.js";
import { createClusterLiveEngine } from "../../server/live/cluster.js";
import { defaultServeThreads, livePoolOf, threadsOption } from "./threads.js";

/** The key file of a store: beside the PGlite data, or NETRISK_SERVER_KEY_FILE / ./netrisk-server.key for PostgreSQL. */
export function serverKeyFile(location: StoreLocation, env: NodeJS.ProcessEnv = process.env): string {
  if (env.NETRISK_SERVER_KEY_FILE) return env.NETRISK_SERVER_KEY_FILE;
  return location.kind === "pglite" && location.dataDir !== null ? join(location.dataDir, "server.key") : "netrisk-server.key";
}

const intOption = (name: string, text: string, min: number, max: number): number => {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || v < min || v > max) throw new NetriskError([issue("out_of_range", name, `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`)]);
  return v;
};

/** `--cluster`, `--cluster-name`, `--partitions`: checked before anything opens (PostgreSQL only: workers share the store). */
function clusterFlags(urls: string, name: string, partitions: string | undefined, location: StoreLocation): { servers: string[]; cluster: string; partitions: number } {
  const servers = natsServers("--cluster", urls);
  if (!isClusterName(name)) throw new NetriskError([issue("invalid_value", "--cluster-name", "letters, digits, _ and -, at most 64")]);
  if (partitions === undefined) throw new NetriskError([issue("required", "--partitions", "--cluster needs the cluster's partition count (the workers' --partitions)")]);
  if (location.kind !== "postgres") throw new NetriskError([issue("required", "--database-url", "--cluster needs PostgreSQL (--database-url or DATABASE_URL): the workers read the accounts and write checkpoints there")]);
  return { servers, cluster: name, partitions: intOption("--partitions", partitions, 1, 4096) };
}

export function registerServe(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command("serve")
    .description("start the margin service (HTTP API, Deribit-compatible methods) on embedded PGlite or PostgreSQL")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port (0: a free one)", "8080")
    .option("--data <dir>", "embedded PGlite data folder (default ./netrisk-data)")
    .option("--database-url <url>", "PostgreSQL URL (or DATABASE_URL) instead of PGlite")
    .option("--demo", "load the synthetic example market and generated synthetic accounts (first start), print an admin key")
    .option("--demo-accounts <n>", "how many demo accounts", "300")
    .option("--breakers <file>", "circuit-breaker rules (docs/live.md) when the store holds none in force")
    .option("--feed <file>", "replay a tick file (JSON lines, docs/live.md) through the live engine once the service listens")
    .option("--feed-rate <ticks-per-second>", "--feed at most this many ticks a second (default: as fast as they commit)")
    .option("--feed-realtime [speed]", "--feed following the ticks' own times (ts), SPEED times faster (default 1)")
    .option("--cluster <urls>", "run the live core in `netrisk worker` processes over NATS JetStream (nats://HOST:PORT, comma-separated; docs/scale-out.md): needs PostgreSQL and --partitions")
    .option("--cluster-name <name>", "the cluster's name (the workers' --cluster)", "NETRISK")
    .option("--partitions <n>", "the cluster's partition count (the workers' --partitions)")
    .option("--threads <n>", "threads re-margining the live core's accounts: this one plus N − 1 helper threads (default 2 on two cores or more, 1 on one; docs/live.md)")
    .action(async (opts: { host: string; port: string; data?: string; databaseUrl?: string; demo?: boolean; demoAccounts: string; breakers?: string; feed?: string; feedRate?: string; feedRealtime?: string | boolean; cluster?: string; clusterName: string; partitions?: string; threads?: string }) => {
      setExit(
        await runCommand(io, false, async () => {
          const port = intOption("--port", opts.port, 0, 65535);
          const demoCount = intOption("--demo-accounts", opts.demoAccounts, 1, 100_000);
          const location = storeLocation({ data: opts.data, databaseUrl: opts.databaseUrl });
          const cluster = opts.cluster !== undefined ? clusterFlags(opts.cluster, opts.clusterName, opts.partitions, location) : undefined;
          const threads = opts.threads !== undefined ? threadsOption(opts.threads) : defaultServeThreads();
          if (cluster !== undefined && opts.threads !== undefined) throw new NetriskError([issue("invalid_value", "--threads", "with --cluster the live core runs in the workers: give --threads to netrisk worker")]);
          // Read the live inputs first: a bad rules or tick file stops the command before it opens the store.
          const breakers = opts.breakers !== undefined ? need(validateBreakerRules(need(readJson(opts.breakers)))) : undefined;
          const feedText = opts.feed !== undefined ? need(readText(opts.feed)) : undefined;
          const pace = feedPaceOf(opts.feedRate, opts.feedRealtime);
          if (pace.kind !== "asap" && opts.feed === undefined) throw new NetriskError([issue("required", "--feed", `${pace.kind === "rate" ? "--feed-rate" : "--feed-realtime"} paces a --feed FILE: give one`)]);
          const serverKey = loadServerKey(serverKeyFile(location));
          const store = await openStore(location, { lockHint: "stop that server first (one server per PGlite folder)" });
          // Request lines (one per request) are buffered up to 4 KB and flushed at least every 100 ms: written one by
          // one, each line was a write on the thread pool per request (the other core's time, and a wake-up of this
          // thread). A line reaches stderr within 0.1 s; on SIGTERM/SIGINT the buffer is flushed (below).
          const destination = pino.destination({ fd: 2, sync: false, minLength: 4096, periodicFlush: 100 });
          const base = pino({ base: { service: "netrisk" } }, destination);
          const logger = base as unknown as Logger;
          const ctx = { actor: "netrisk-serve", requestId: null, at: new Date().toISOString() };
          let adminKey: string | undefined;
          if (opts.demo) {
            if ((await store.currentMarket()) === null) {
              const doc = need(readJson(packagePath(EXAMPLE_MARKET))) as Record<string, unknown>;
              const snap = need(validateMarket(doc));
              await store.putMarket({ id: marketIdOf(doc), timestampMs: snap.timestampMs, document: doc }, ctx);
              if ((await store.listAccounts({ limit: 1 })).length === 0) {
                for (const a of demoAccounts(snap, demoCount)) await store.writeAccount({ id: a.id, expectedVersion: 0, document: a.document, audit: { action: "account.create", detail: { demo: true, document: a.document } } }, ctx);
              }
            }
            const m = newKeyMaterial("admin");
            await store.createKey({ clientId: m.clientId, role: "admin", accounts: null, keyHash: sha256Hex(m.apiKey), secretEnc: secretBox(serverKey).seal(m.clientSecret), label: "demo admin (netrisk serve --demo)" }, ctx);
            adminKey = m.apiKey;
          }
          // The pool's helper threads start with the service (a tick never waits for a thread to start).
          const pool = cluster === undefined ? await livePoolOf(threads) : undefined;
          if (pool !== undefined) logger.info({ threads }, "live core: re-margin passes shared by a pool of threads");
          const server = await startServer({ store, serverKey, logger, host: opts.host, port, fallback: dashboardFiles(packagePath("dist/web")), live: cluster === undefined ? true : (base) => createClusterLiveEngine({ store: base.store, book: base.book, logger: base.logger, ...cluster, ...(breakers !== undefined ? { breakers } : {}) }), ...(breakers !== undefined || pool !== undefined ? { liveOptions: { ...(breakers !== undefined ? { breakers } : {}), ...(pool !== undefined ? { executor: pool } : {}) } } : {}) });
          // The demo's lines are ready before the listening line, and written right after it with nothing awaited in
          // between: a script that reads the admin key once it sees the listening line (.ci/smoke-start.sh) finds it.
          const demoAccountCount = adminKey !== undefined ? (await store.listAccounts({ limit: 100_000 })).length : 0;
          io.out(`listening on ${server.url}`);
          if (adminKey !== undefined) {
            io.out(`demo exchange: the synthetic example market and ${demoAccountCount} synthetic accounts (${location.kind === "pglite" ? `PGlite in ${location.dataDir ?? "memory"}` : "PostgreSQL"})`);
            io.out(`admin key (shown once): ${adminKey}`);
            io.out(`dashboard: ${server.url}/#key=${adminKey}`);
            io.out(`try: curl -H "Authorization: Bearer $KEY" ${server.url}/v1/summary   (API: ${server.url}/openapi.json, docs/server.md)`);
          }
          if (feedText !== undefined && opts.feed !== undefined) void replayFeed(io, server, opts.feed, feedText, pace);
          await new Promise<void>((resolve) => {
            const stop = (signal: string): void => {
              io.err(`netrisk: ${signal}: draining requests and closing the store`);
              // The pool's threads end after the last request (an in-flight tick may still be sharing a pass).
              void server
                .close()
                .then(() => pool?.close())
                .then(resolve, resolve);
            };
            process.once("SIGTERM", () => stop("SIGTERM"));
            process.once("SIGINT", () => stop("SIGINT"));
          });
          // Synchronously: the process may exit as soon as this returns, and the buffer holds the last lines.
          destination.flushSync();
        }),
      );
    });
}

/**
 * `--feed FILE`: the tick file replayed through the live engine, in file order, at the pace asked (feed-pace.ts; by
 * default as fast as it commits), each tick one step: events stored and streamed. An unreadable line is reported and
 * skipped; a summary line goes to stderr.
 */
async function replayFeed(io: Io, server: RunningServer, name: string, text: string, pace: FeedPace): Promise<void> {
  const live = server.service.deps.live;
  if (live === undefined) return;
  const counts = { applied: 0, ignored: 0, rejected: 0, unreadable: 0 };
  const ctx = { actor: "netrisk-serve --feed", requestId: null, at: new Date().toISOString() };
  const started = Date.now();
  let k = 0;
  let firstMs: number | undefined;
  let previousDue = 0;
  try {
    for (const l of parseTickLines(text, name)) {
      if (!l.result.ok) {
        counts.unreadable++;
        io.err(`netrisk: ${l.result.issues.map((i) => `${i.path}: ${i.code}: ${i.message}`).join("; ")}`);
        continue;
      }
      firstMs ??= l.result.value.timestampMs;
      previousDue = dueMs(pace, k++, l.result.value.timestampMs, firstMs, previousDue);
      const wait = started + previousDue - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const [step] = await live.ticks([l.result.value], ctx);
      if (step !== undefined) counts[step.status]++;
    }
    io.err(`netrisk: feed ${name}: ${counts.applied} ticks applied, ${counts.ignored} ignored, ${counts.rejected} rejected, ${counts.unreadable} unreadable`);
  } catch (e) {
    io.err(`netrisk: feed ${name} stopped: ${e instanceof Error ? e.message : String(e)}`);
  }
}
