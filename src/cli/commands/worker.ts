/**
 * `netrisk worker`: one worker of a netrisk cluster on NATS JetStream (docs/scale-out.md). It owns some of the
 * cluster's N account partitions through KV leases, rebuilds each from its checkpoint in PostgreSQL plus the input
 * stream since, and publishes figure updates and events. PostgreSQL is required (PGlite cannot be shared between
 * processes). Prints one JSON line per notable thing (started, lease taken or lost, fenced, stopped) on stdout;
 * SIGTERM/SIGINT checkpoint, release the leases and exit 0.
 * @module
 */
import { hostname } from "node:os";
import type { Command } from "commander";
import { connect } from "nats";
import { startWorker } from "../../cluster/worker.js";
import { isClusterName } from "../../cluster/names.js";
import { issue, NetriskError } from "../../errors.js";
import { validateLiveParams } from "../../io/live.js";
import { validateMarket } from "../../io/market.js";
import { DEFAULT_LIVE_PARAMS } from "../../live/params.js";
import { openStore } from "../../store/open.js";
import { readJson } from "../files.js";
import { DEFAULT_WORKER_THREADS, livePoolOf, threadsOption } from "./threads.js";
import { need, runCommand, type Io } from "../run.js";

interface WorkerFlags {
  nats: string;
  partitions: string;
  databaseUrl?: string;
  cluster: string;
  id?: string;
  leaseMs: string;
  checkpointEvery: string;
  checkpointIntervalMs: string;
  snapshotIntervalMs: string;
  liveParams?: string;
  logCheckpoints?: boolean;
  logTimings?: boolean;
  threads: string;
}

const intFlag = (name: string, text: string, min: number, max: number): number => {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || v < min || v > max) throw new NetriskError([issue("out_of_range", name, `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`)]);
  return v;
};

/** NATS server URLs (comma-separated, `nats://host:port`). */
export function natsServers(name: string, text: string): string[] {
  const urls = text.split(",").map((s) => s.trim());
  for (const u of urls) {
    let ok: boolean;
    try {
      const parsed = new URL(u);
      ok = (parsed.protocol === "nats:" || parsed.protocol === "tls:") && parsed.hostname !== "";
    } catch {
      ok = false;
    }
    if (!ok) throw new NetriskError([issue("invalid_value", name, `not a NATS URL: ${JSON.stringify(u)} (nats://HOST:PORT, comma-separated for a cluster)`)]);
  }
  return urls;
}

export function registerWorker(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command("worker")
    .description("run a cluster worker: own some account partitions over NATS JetStream, checkpoints in PostgreSQL (docs/scale-out.md)")
    .requiredOption("--nats <urls>", "NATS server URL(s), nats://HOST:PORT, comma-separated")
    .requiredOption("--partitions <n>", "number of account partitions of the cluster (fixed at its creation)")
    .option("--database-url <url>", "PostgreSQL URL (or DATABASE_URL): accounts, market, checkpoints")
    .option("--cluster <name>", "cluster name (its streams and buckets are named after it)", "NETRISK")
    .option("--id <id>", "worker id (default HOSTNAME-PID)")
    .option("--lease-ms <ms>", "partition lease time: a dead or stalled worker's partitions move after it", "10000")
    .option("--checkpoint-every <n>", "inputs between checkpoints while catching up", "2000")
    .option("--checkpoint-interval-ms <ms>", "a caught-up partition checkpoints at most this often (0: after each input)", "0")
    .option("--snapshot-interval-ms <ms>", "a partition's book snapshot is written at most this often (a new owner re-applies the inputs since)", "10000")
    .option("--log-checkpoints", "print a line per checkpoint written")
    .option("--log-timings", "print the wall and CPU time of each phase of each input (input_timing lines)")
    .option("--live-params <file>", "live parameter set (default: the live core's defaults, presets/live.json)")
    .option("--threads <n>", "threads re-margining each partition's accounts: this one plus N − 1 helper threads (docs/live.md; default 1: several workers share a machine)", String(DEFAULT_WORKER_THREADS))
    .action(async (opts: WorkerFlags) => {
      setExit(
        await runCommand(io, true, async () => {
          const servers = natsServers("--nats", opts.nats);
          const partitions = intFlag("--partitions", opts.partitions, 1, 4096);
          const leaseMs = intFlag("--lease-ms", opts.leaseMs, 500, 600_000);
          const checkpointEvery = intFlag("--checkpoint-every", opts.checkpointEvery, 1, 1_000_000);
          const checkpointIntervalMs = intFlag("--checkpoint-interval-ms", opts.checkpointIntervalMs, 0, 600_000);
          const snapshotIntervalMs = intFlag("--snapshot-interval-ms", opts.snapshotIntervalMs, 0, 3_600_000);
          const threads = threadsOption(opts.threads);
          if (!isClusterName(opts.cluster)) throw new NetriskError([issue("invalid_value", "--cluster", "letters, digits, _ and -, at most 64")]);
          const url = opts.databaseUrl ?? process.env.DATABASE_URL;
          if (url === undefined || url === "") throw new NetriskError([issue("required", "--database-url", "a worker needs PostgreSQL (--database-url or DATABASE_URL): PGlite cannot be shared between processes")]);
          const params = opts.liveParams !== undefined ? need(validateLiveParams(need(readJson(opts.liveParams)))) : DEFAULT_LIVE_PARAMS;
          const workerId = opts.id ?? `${hostname()}-${process.pid}`;
          // A worker stalled inside a transaction (SIGSTOP, a long GC) must not hold its partition's checkpoint row
          // locked past its lease: the server ends such a session, and the successor's claim goes through.
          const session = new URL(url);
          session.searchParams.set("options", `-c idle_in_transaction_session_timeout=${leaseMs}`);
          const store = await openStore({ kind: "postgres", url: session.toString() });
          const stored = await store.currentMarket();
          if (stored === null) {
            await store.close();
            throw new NetriskError([issue("required", "market", "the store has no current market (PUT /v1/market on the service, or netrisk serve --demo once)")]);
          }
          const market = need(validateMarket(stored.document));
          const nc = await connect({ servers, name: `netrisk-worker ${workerId}`, maxReconnectAttempts: -1, reconnectTimeWait: 250, pingInterval: 2000 });
          const line = (entry: Record<string, unknown>): void => io.out(JSON.stringify({ at: new Date().toISOString(), worker: workerId, ...entry }));
          const pool = await livePoolOf(threads);
          const worker = await startWorker({ connection: nc, store, cluster: opts.cluster, partitions, workerId, params, leaseMs, checkpointEvery, checkpointIntervalMs, snapshotIntervalMs, log: line, logCheckpoints: opts.logCheckpoints === true, logTimings: opts.logTimings === true, ...(pool !== undefined ? { executor: pool } : {}) }, market);
          line({ event: "started", cluster: opts.cluster, partitions, leaseMs, threads, pid: process.pid });
          await new Promise<void>((resolve) => {
            const stop = (): void => resolve();
            process.once("SIGTERM", stop);
            process.once("SIGINT", stop);
          });
          // Bounded: a shutdown that hangs (a server gone, a request never answered) must not keep the process up;
          // what was not checkpointed is redone by the next owner anyway.
          const bounded = (p: Promise<unknown>): Promise<unknown> => Promise.race([p, new Promise((r) => setTimeout(r, 2 * leaseMs).unref())]);
          await bounded(worker.stop());
          // The pool's passes and the claims its helpers took (how much of the re-margins the other threads shared).
          line({ event: "stopped", ...worker.stats(), ...(pool !== undefined ? { pool: { ...pool.stats } } : {}) });
          await bounded(nc.drain().catch(() => undefined));
          await bounded(store.close());
          await bounded(pool?.close() ?? Promise.resolve());
          // Anything still scheduled (a consumer's pull, a pool timer) must not keep a stopped worker alive.
          setTimeout(() => process.exit(0), 100).unref();
        }),
      );
    });
}
