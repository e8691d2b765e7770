// Cluster benchmark (issue 14, docs/scale-out.md): the live core as `netrisk worker` processes over NATS JetStream,
// beside the in-process live core, in the same run.
//
//   npm run bench -- cluster [--accounts 10000] [--ticks 20] [--workers 1,2,4] [--partitions 8] [--fills 100]
//
// Needs the nats-server binary (NETRISK_NATS_SERVER or /usr/sbin/nats-server: the bench starts its own on a free
// port with JetStream in a temporary folder) and PostgreSQL (NETRISK_BENCH_DATABASE_URL or
// postgres://postgres@127.0.0.1:5432/postgres: a scratch database is created and dropped).
//
// Book: SYNTHETIC accounts (seeded): a BTC USDC perpetual, a third with a short BTC put, USDC collateral (the cluster
// failure tests' generator). Ticks: the BTC index on a seeded ±1.5 % walk, one minute apart.
//
// Measured:
// - accounts re-margined per CPU-second: accounts × ticks over the CPU time (user + system, /proc/<pid>/stat) the
//   worker processes spent from the first tick published to the last tick checkpointed; beside the same ticks on the
//   in-process live core (process.cpuUsage around core.apply). CPU time, not wall-clock: NATS, PostgreSQL, the
//   publisher and the workers share this 2-core machine (and it is shared with other work).
// - scaling efficiency per worker: rate(W workers) / rate(1 worker), per CPU-second (1.0 = no overhead added by
//   splitting the book).
// - latency fill -> its outputs published and its checkpoint (with its events) stored, p50/p90/p99 (fills published
//   one at a time, 50 ms apart, workers checkpointing at once when caught up), beside in-process: the in-process
//   transport and live runner, events and a checkpoint row stored in the same PostgreSQL database per fill; measured
//   alone first, then once more interleaved with each cluster run's fills (one in-process fill 25 ms after each
//   cluster fill, 25 ms before the next), so "adds" can compare p99s taken in the same minutes under the same load
//   (both are printed: the alone one, as before, and the interleaved one). Clocks
//   in fractional ms (performance.timeOrigin + now, in the bench and the workers alike); "stored" is the instant the
//   worker's write returned (its checkpoint line's storedAtMs), the outputs' when the bench's subscriber got them.
//   Also printed: the same with "stored" when the bench read the checkpoint line (adds the log pipe's way), and the
//   fill's path (mean ms from publishing to: the input's ack, its server timestamp, received and started by its
//   partition, checkpoint stored, outputs seen) over all fills and over the slowest tenth. Use 200 fills or more:
//   with 40 the p99 is the slowest fill.
//   NETRISK_BENCH_FILLS_DUMP=<prefix>: each fill's path, the workers' checkpoint lines and their non-JSON lines (e.g.
//   --trace-gc in NETRISK_BENCH_WORKER_NODE_ARGS) written to <prefix>.<workers>.json, to look at single slow fills.
// - latency tick -> every figure update of the book published (all partitions' output chunks seen).
// - where a worker's time goes per input (`netrisk worker --log-timings`, src/cluster/timings.ts): mean wall and CPU
//   milliseconds per partition and input of each phase (apply, publish, snapshot, store, ack), for the ticks, for the
//   fills in their own partition, and for the fills other partitions skip; plus the whole-process CPU of the workers
//   per input (the phases' CPU of awaited steps includes other partitions' work meanwhile).
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { setTimeout as sleepFor } from "node:timers/promises";
import { TextDecoder } from "node:util";
import { fileURLToPath } from "node:url";
import { connect } from "nats";
import pg from "pg";
import { publishInput } from "../dist/cluster/inputs.js";
import { clusterNames, partitionOf } from "../dist/cluster/names.js";
import { coreFromGenesis } from "../dist/cluster/snapshot.js";
import { unwrap } from "../dist/errors.js";
import { validateMarket } from "../dist/io/market.js";
import { DEFAULT_LIVE_PARAMS } from "../dist/live/params.js";
import { openStore } from "../dist/store/open.js";
import { createInProcessTransport } from "../dist/transport/in-process.js";
import { startLiveRunner } from "../dist/transport/live-runner.js";
import { SUBJECTS } from "../dist/transport/port.js";
import { median, seededRandom } from "./lib.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const MARKET_DOC = JSON.parse(readFileSync(join(ROOT, "examples/market.json"), "utf8"));
const MARKET = unwrap(validateMarket(MARKET_DOC));
const CLK_TCK = 100;

/** SYNTHETIC accounts (the failure tests' generator, test/cluster/harness.ts). */
function syntheticBook(count, seed = 14) {
  const r = seededRandom(seed);
  return Array.from({ length: count }, (_, k) => {
    const size = Math.round((r() * 4 - 2) * 100) / 100 || 0.5;
    const positions = [{ instrument: "BTC_USDC-PERPETUAL", size }];
    if (k % 3 === 0) positions.push({ instrument: "BTC_USDC-6MAR26-85000-P", size: -Math.round(r() * 20) / 10 - 0.1 });
    const usdc = Math.round(Math.abs(size) * 90000 * (0.15 + r() * 0.35) + (k % 3 === 0 ? 40_000 : 1500));
    return { id: `acct-${String(k).padStart(6, "0")}`, document: { source: "SYNTHETIC bench account", model: "deribit", parameterSet: "deribit", positions, collateral: { USDC: usdc } } };
  });
}

function ticksFrom(count, startSeq, r, state) {
  return Array.from({ length: count }, (_, k) => {
    state.btc = Math.round(state.btc * (1 + (r() - 0.5) * 0.03) * 100) / 100;
    const seq = startSeq + k;
    return { seq, ts: new Date(MARKET.timestampMs + seq * 60_000).toISOString(), index: { BTC: state.btc }, source: "SYNTHETIC bench tick" };
  });
}

const pct = (xs, q) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
};
const sleep = (ms) => sleepFor(ms);
/** Wall clock in epoch ms with a fraction (the workers stamp their lines the same way): latencies to 0.01 ms. */
const nowMs = () => performance.timeOrigin + performance.now();
async function until(what, pred, ms) {
  const t0 = Date.now();
  while (!(await pred())) {
    if (Date.now() - t0 > ms) throw new Error(`bench: timed out waiting for ${what}`);
    await sleep(50);
  }
}
const cpuSeconds = (pid) => {
  const f = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
};

async function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startNats(bin) {
  const dir = mkdtempSync(join(tmpdir(), "netrisk-bench-nats-"));
  const port = await freePort();
  writeFileSync(join(dir, "nats.conf"), `listen: 127.0.0.1:${port}\njetstream { store_dir: "${join(dir, "js")}" }\n`);
  const child = spawn(bin, ["-c", join(dir, "nats.conf")], { stdio: "ignore" });
  const url = `nats://127.0.0.1:${port}`;
  await until("nats-server", async () => {
    try {
      const nc = await connect({ servers: url, reconnect: false });
      await (await nc.jetstreamManager()).getAccountInfo();
      await nc.close();
      return true;
    } catch {
      return false;
    }
  }, 15_000);
  // The store folder is removed once the server has exited: removing it while the server still writes its streams
  // fails (ENOTEMPTY), which ended a finished run with a stack trace.
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const dispose = async () => {
    if (child.exitCode === null) child.kill("SIGTERM");
    await Promise.race([exited, sleep(10_000)]);
    if (child.exitCode === null) child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 200 });
  };
  return { url, child, dispose };
}

async function scratchDatabase(serverUrl) {
  const name = `netrisk_bench_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const u = new URL(serverUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

async function storeBook(url, book) {
  const store = await openStore({ kind: "postgres", url });
  await store.putMarket({ id: "bench-market", timestampMs: MARKET.timestampMs, document: MARKET_DOC }, { actor: "bench", requestId: null, at: new Date().toISOString() });
  await store.close();
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  for (let k = 0; k < book.length; k += 1000) {
    const chunk = book.slice(k, k + 1000);
    const params = [];
    const values = chunk.map((a, j) => (params.push(a.id, JSON.stringify(a.document)), `($${2 * j + 1}, 1, $${2 * j + 2}::json, now(), now())`));
    await c.query(`INSERT INTO accounts (id, version, document, created_at, updated_at) VALUES ${values.join(", ")}`, params);
  }
  await c.end();
}

function spawnWorker(id, natsUrl, dbUrl, cluster, partitions, extra = []) {
  // NETRISK_BENCH_WORKER_NODE_ARGS: extra node flags for the workers (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof").
  const nodeArgs = (process.env.NETRISK_BENCH_WORKER_NODE_ARGS ?? "").split(" ").filter((a) => a !== "");
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, "dist/cli/main.js"), "worker", "--nats", natsUrl, "--partitions", String(partitions), "--database-url", dbUrl, "--cluster", cluster, "--id", id, "--lease-ms", "4000", "--log-checkpoints", "--log-timings", ...extra], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = [];
  const other = [];
  let buf = "";
  child.stdout.on("data", (d) => {
    buf += d.toString();
    let nl;
    while ((nl = buf.indexOf("\n")) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      try {
        const l = JSON.parse(line);
        l.seenMs = nowMs();
        lines.push(l);
      } catch {
        // not a log line (--trace-gc output through NETRISK_BENCH_WORKER_NODE_ARGS): kept with its instant for the dump
        if (process.env.NETRISK_BENCH_FILLS_DUMP !== undefined) other.push({ seenMs: nowMs(), line });
      }
    }
  });
  return { child, lines, other };
}

/** Mean wall and CPU ms per phase over `input_timing` lines (a phase that did not run counts 0). */
function phaseMeans(lines) {
  const out = { inputs: lines.length };
  for (const phase of ["apply", "publish", "snapshot", "store", "ack"]) {
    const wall = lines.reduce((a, l) => a + (l.phases[phase]?.wallMs ?? 0), 0);
    const cpu = lines.reduce((a, l) => a + (l.phases[phase]?.cpuMs ?? 0), 0);
    out[phase] = { wallMs: lines.length > 0 ? wall / lines.length : 0, cpuMs: lines.length > 0 ? cpu / lines.length : 0 };
  }
  return out;
}

const phaseText = (m) =>
  `${m.inputs} inputs: ${["apply", "publish", "snapshot", "store", "ack"].map((k) => `${k} ${m[k].wallMs.toFixed(2)}/${m[k].cpuMs.toFixed(2)}`).join(", ")}`;

/** One cluster run: W workers, ticks for throughput, then fills for latency. */
async function clusterRun(o, nats, db, book, workers, nc, base) {
  const cluster = `B${workers}_${Date.now().toString(36)}`;
  const names = clusterNames(cluster);
  const procs = Array.from({ length: workers }, (_, k) => spawnWorker(`w${k + 1}`, nats.url, db.url, cluster, o.partitions, ["--checkpoint-interval-ms", "0"]));
  const owned = () => new Set(procs.flatMap((p) => p.lines.filter((l) => l.event === "partition_owned").map((l) => l.partition))).size;
  await until(`${o.partitions} partitions owned by ${workers} worker(s)`, () => owned() === o.partitions, 120_000);
  await sleep(1500);
  const js = nc.jetstream();
  // Outputs seen on the core subject (JetStream delivers each stored message to core subscribers too).
  const seen = new Map(); // seq -> { figures, atMs }
  const sub = nc.subscribe(names.outputFilter, {
    callback: (_, m) => {
      const d = JSON.parse(new TextDecoder().decode(m.data));
      if (d.type !== "output") return;
      const s = seen.get(d.seq) ?? { figures: 0, events: 0, atMs: 0 };
      s.figures += d.figures.length;
      s.events += d.events.length;
      s.atMs = nowMs();
      seen.set(d.seq, s);
    },
  });
  const checkpointedAt = (seq) => {
    // Every partition's first checkpoint at or after seq (partitions with no output for it checkpoint too).
    const byPart = new Map();
    for (const p of procs) for (const l of p.lines) if (l.event === "checkpoint" && l.lastSeq >= seq) byPart.set(l.partition, Math.min(byPart.get(l.partition) ?? Infinity, l.seenMs));
    return byPart;
  };
  // Throughput: ticks, CPU of the workers from the first publish to the last checkpoint.
  const r = seededRandom(99);
  const state = { btc: 90000 };
  const cpu0 = procs.reduce((a, p) => a + cpuSeconds(p.child.pid), 0);
  const tickLatencies = [];
  let lastSeq = 0;
  for (const t of ticksFrom(o.ticks, 1, r, state)) {
    const t0 = Date.now();
    lastSeq = (await publishInput(js, names, o.partitions, { kind: "tick", data: t }, `tick:${t.seq}`)).seq;
    await until("tick outputs", () => (seen.get(lastSeq)?.figures ?? 0) >= book.length, 120_000);
    tickLatencies.push(seen.get(lastSeq).atMs - t0);
  }
  await until("ticks checkpointed", () => checkpointedAt(lastSeq).size === o.partitions, 120_000);
  const cpu = procs.reduce((a, p) => a + cpuSeconds(p.child.pid), 0) - cpu0;
  const tickTimings = procs.flatMap((p) => p.lines.filter((l) => l.event === "input_timing" && l.kind === "tick"));
  // Latency: fills one at a time.
  const fillCpu0 = procs.reduce((a, p) => a + cpuSeconds(p.child.pid), 0);
  const fillLatency = [];
  /** In-process fills, one after each cluster fill (same minutes, same load): the fair baseline of "adds". */
  const inProcessLatency = [];
  // The same, with "stored" when the bench reads the checkpoint line on the worker's stdout (the measure before the
  // workers stamped the instant: it adds the log pipe's way and the bench's own event loop).
  const fillLatencySeen = [];
  /** Per fill, where its time went (ms from t0): the tail's breakdown. */
  const fillPaths = [];
  const ids = book.map((a) => a.id);
  for (let k = 0; k < o.fills; k++) {
    const account = ids[Math.floor(r() * ids.length)];
    const t0 = nowMs();
    const ack = await publishInput(js, names, o.partitions, { kind: "account", account, data: { type: "fill", ts: new Date(MARKET.timestampMs + (o.ticks + 1) * 60_000).toISOString(), fill: { instrument: "BTC_USDC-PERPETUAL", size: 0.1, price: state.btc, tradeId: `b${k}` } } }, `fill:${account}:b${k}`);
    const ackMs = nowMs() - t0;
    const part = partitionOf(account, o.partitions);
    const stored = () => procs.flatMap((p) => p.lines.filter((l) => l.event === "checkpoint" && l.partition === part && l.lastSeq >= ack.seq))[0];
    await until("fill stored and published", () => seen.has(ack.seq) && stored() !== undefined, 30_000);
    const cp = stored();
    const outMs = seen.get(ack.seq).atMs - t0;
    fillLatency.push(Math.max(outMs, (cp.storedAtMs ?? cp.seenMs) - t0));
    fillLatencySeen.push(Math.max(outMs, cp.seenMs - t0));
    const timing = procs.flatMap((p) => p.lines.filter((l) => l.event === "input_timing" && l.partition === part && l.seq === ack.seq))[0];
    if (timing !== undefined && timing.receivedAtMs !== undefined) {
      // Book snapshots being written (any partition) while this fill was on its way: the event loop and PostgreSQL
      // they take are shared with it.
      const t0Epoch = t0;
      const tEnd = t0 + fillLatency[fillLatency.length - 1];
      const snapshotsMeanwhile = procs.flatMap((p) => p.lines.filter((l) => l.event === "checkpoint" && l.snapshot === true && l.storedAtMs !== undefined && l.storedAtMs >= t0Epoch && l.storedAtMs - l.writeMs <= tEnd)).length;
      // Other partitions' checkpoints (their lazy acknowledgements: a PostgreSQL commit each) meanwhile.
      const othersMeanwhile = procs.flatMap((p) => p.lines.filter((l) => l.event === "checkpoint" && l.partition !== part && l.storedAtMs !== undefined && l.storedAtMs >= t0Epoch && l.storedAtMs - l.writeMs <= tEnd)).length;
      fillPaths.push({ k, t0, partition: part, worker: procs.findIndex((p) => p.lines.includes(timing)), snapshotsMeanwhile, othersMeanwhile, total: fillLatency[fillLatency.length - 1], ack: ackMs, serverStored: timing.storedAtMs - t0, received: timing.receivedAtMs - t0, started: timing.startedAtMs - t0, apply: timing.phases.apply?.wallMs ?? 0, publish: timing.phases.publish?.wallMs ?? 0, store: timing.phases.store?.wallMs ?? 0, cpStored: (cp.storedAtMs ?? cp.seenMs) - t0, out: outMs });
    }
    await sleep(25);
    inProcessLatency.push(await base.fill());
    await sleep(25);
  }
  const fillCpu = procs.reduce((a, p) => a + cpuSeconds(p.child.pid), 0) - fillCpu0;
  // NETRISK_BENCH_FILLS_DUMP=<file>: each fill's path and the workers' non-JSON lines (e.g. --trace-gc), for a look at the tail.
  if (process.env.NETRISK_BENCH_FILLS_DUMP !== undefined) writeFileSync(`${process.env.NETRISK_BENCH_FILLS_DUMP}.${workers}.json`, JSON.stringify({ fillPaths, other: procs.map((p) => p.other), checkpoints: procs.map((p) => p.lines.filter((l) => l.event === "checkpoint" && l.storedAtMs !== undefined)) }));
  const fillTimings = procs.flatMap((p) => p.lines.filter((l) => l.event === "input_timing" && l.seq > lastSeq));
  sub.unsubscribe();
  for (const p of procs) p.child.kill("SIGTERM");
  await Promise.race([Promise.all(procs.map((p) => new Promise((res) => (p.child.exitCode !== null ? res() : p.child.once("exit", res))))), sleep(15_000)]);
  for (const p of procs) if (p.child.exitCode === null) p.child.kill("SIGKILL");
  const breakdown = {
    tick: phaseMeans(tickTimings),
    fillOwn: phaseMeans(fillTimings.filter((l) => l.kind === "account")),
    fillOther: phaseMeans(fillTimings.filter((l) => l.kind === "other_partition")),
    idleCheckpoint: phaseMeans(fillTimings.filter((l) => l.kind === "idle_checkpoint")),
    tickCpuMsPerTick: (cpu * 1000) / o.ticks,
    fillCpuMsPerFill: (fillCpu * 1000) / o.fills,
  };
  // The slowest tenth of the fills: the mean instant (ms from publishing) each step ended at, to see where p99 goes.
  const tail = [...fillPaths].sort((a, b) => b.total - a.total).slice(0, Math.max(1, Math.ceil(fillPaths.length / 10)));
  const all = fillPaths;
  const meanOf = (xs, k) => (xs.length > 0 ? xs.reduce((a, x) => a + x[k], 0) / xs.length : 0);
  const path = (xs) => Object.fromEntries(["snapshotsMeanwhile", "othersMeanwhile", "total", "ack", "serverStored", "received", "started", "apply", "publish", "store", "cpStored", "out"].map((k) => [k, meanOf(xs, k)]));
  return { workers, cpuSeconds: cpu, rate: (book.length * o.ticks) / cpu, breakdown, tickP50: pct(tickLatencies, 0.5), tickP99: pct(tickLatencies, 0.99), fillP50: pct(fillLatency, 0.5), fillP90: pct(fillLatency, 0.9), fillP99: pct(fillLatency, 0.99), inProcessP50: pct(inProcessLatency, 0.5), inProcessP90: pct(inProcessLatency, 0.9), inProcessP99: pct(inProcessLatency, 0.99), fillSeenP50: pct(fillLatencySeen, 0.5), fillSeenP99: pct(fillLatencySeen, 0.99), fillPath: { all: path(all), tail: path(tail), tailCount: tail.length } };
}

/**
 * The in-process baseline: the same ticks on one core; fills through the in-process transport, events stored. Its
 * runner stays open (`fill`, `stop`): the cluster runs interleave one in-process fill after each of theirs, so both
 * are measured under the same load (this machine is shared; a p99 of separate minutes moves by several ms).
 */
async function inProcessRun(o, db, book) {
  const core = unwrap(await coreFromGenesis(MARKET, book, DEFAULT_LIVE_PARAMS));
  const r = seededRandom(99);
  const state = { btc: 90000 };
  const c0 = process.cpuUsage();
  const tickMs = [];
  for (const t of ticksFrom(o.ticks, 1, r, state)) {
    const t0 = performance.now();
    core.apply({ kind: "tick", seq: t.seq, tick: { seq: t.seq, timestampMs: Date.parse(t.ts), indexUsd: t.index } });
    tickMs.push(performance.now() - t0);
  }
  const c = process.cpuUsage(c0);
  const cpu = (c.user + c.system) / 1e6;
  // Fills: transport publish -> runner -> figures published -> events and a checkpoint row stored.
  const store = await openStore({ kind: "postgres", url: db.url });
  const transport = createInProcessTransport();
  let version = 0;
  const done = new Map();
  const runner = await startLiveRunner(core, transport, {
    fromSeq: 1,
    onOutcome: async (outcome) => {
      const w = await store.writeCheckpoint({ cluster: "inprocess", partition: 0, expectedVersion: version, lastSeq: outcome.seq, owner: "bench", snapshot: {}, events: outcome.events.map((e, n) => ({ inputSeq: outcome.seq, n, accountId: e.account ?? null, event: e })), at: new Date().toISOString() });
      version = w.ok ? w.checkpoint.version : version;
      done.set(outcome.seq, nowMs());
    },
  });
  // The transport's sequence continues the core's: seed it past the ticks applied directly.
  for (let k = 0; k <= o.ticks; k++) await transport.publish("netrisk.in.control", { type: "time", ts: new Date(MARKET.timestampMs + k * 1000).toISOString() });
  await runner.idle();
  const ids = book.map((a) => a.id);
  let fills = 0;
  /** One fill of a random account, its latency (ms). */
  const fill = async () => {
    const account = ids[Math.floor(r() * ids.length)];
    const k = fills++;
    const t0 = nowMs();
    const ack = await transport.publish(SUBJECTS.accountInput(account), { type: "fill", ts: new Date(MARKET.timestampMs + (o.ticks + 1) * 60_000).toISOString(), fill: { instrument: "BTC_USDC-PERPETUAL", size: 0.1, price: state.btc, tradeId: `b${k}` } });
    await until("in-process fill", () => done.has(ack.seq), 30_000);
    return done.get(ack.seq) - t0;
  };
  const fillLatency = [];
  for (let k = 0; k < o.fills; k++) {
    fillLatency.push(await fill());
    await sleep(50);
  }
  return {
    cpuSeconds: cpu,
    rate: (book.length * o.ticks) / cpu,
    tickP50: median(tickMs),
    tickP99: pct(tickMs, 0.99),
    fillP50: pct(fillLatency, 0.5),
    fillP90: pct(fillLatency, 0.9),
    fillP99: pct(fillLatency, 0.99),
    fill,
    async stop() {
      await runner.stop();
      await store.close();
    },
  };
}

export async function runClusterBench(options = {}) {
  const o = { accounts: 10_000, ticks: 20, workers: [1, 2, 4], partitions: 8, fills: 100, ...options };
  if (!Array.isArray(o.workers)) o.workers = [o.workers];
  const bin = process.env.NETRISK_NATS_SERVER ?? "/usr/sbin/nats-server";
  if (!existsSync(bin)) throw new Error(`bench cluster: no nats-server binary at ${bin} (set NETRISK_NATS_SERVER)`);
  const pgUrl = process.env.NETRISK_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  const book = syntheticBook(o.accounts);
  const nats = await startNats(bin);
  const db = await scratchDatabase(pgUrl);
  const nc = await connect({ servers: nats.url });
  try {
    await storeBook(db.url, book);
    const base = await inProcessRun(o, db, book);
    const runs = [];
    try {
      for (const w of o.workers) runs.push(await clusterRun(o, nats, db, book, w, nc, base));
    } finally {
      await base.stop();
    }
    const one = runs.find((x) => x.workers === 1) ?? runs[0];
    const f = (x, d = 0) => x.toLocaleString("en-US", { maximumFractionDigits: d, minimumFractionDigits: d });
    if (o.print) {
      console.log(`book: ${f(o.accounts)} SYNTHETIC accounts, ${o.ticks} ticks, ${o.fills} fills, ${o.partitions} partitions; nats-server ${bin}, PostgreSQL`);
      console.log(`in-process live core: ${f(base.rate)} accounts re-margined per CPU-second (tick p50 ${f(base.tickP50, 1)} ms, p99 ${f(base.tickP99, 1)} ms); fill -> events stored + figures published p50 ${f(base.fillP50, 2)} ms, p90 ${f(base.fillP90, 2)} ms, p99 ${f(base.fillP99, 2)} ms`);
      for (const x of runs) {
        console.log(
          `${x.workers} worker(s): ${f(x.rate)} accounts/CPU-s (${f(x.rate / base.rate, 2)}x in-process; scaling efficiency per worker ${f(x.rate / one.rate, 2)}); tick -> all ${f(o.accounts)} figure updates published p50 ${f(x.tickP50)} ms, p99 ${f(x.tickP99)} ms; fill -> published + checkpoint stored p50 ${f(x.fillP50, 2)} ms, p90 ${f(x.fillP90, 2)} ms, p99 ${f(x.fillP99, 2)} ms (NATS path adds ${f(x.fillP99 - base.fillP99, 2)} ms p99 over the in-process run above); in-process fills interleaved with these p50 ${f(x.inProcessP50, 2)} ms, p90 ${f(x.inProcessP90, 2)} ms, p99 ${f(x.inProcessP99, 2)} ms (NATS path adds ${f(x.fillP99 - x.inProcessP99, 2)} ms p99, ${f(x.fillP50 - x.inProcessP50, 2)} ms p50, under the same load)`,
        );
        const b = x.breakdown;
        console.log(`  per partition and input, mean ms wall/CPU — tick (${phaseText(b.tick)}); fill, own partition (${phaseText(b.fillOwn)}); fill, other partitions (${b.fillOther.inputs > 0 ? phaseText(b.fillOther) : "not logged: nothing to do"}); lazy checkpoints (${phaseText(b.idleCheckpoint)})`);
        const pathText = (m) => `total ${f(m.total, 2)}: input acked ${f(m.ack, 2)}, stored by the server ${f(m.serverStored, 2)}, received ${f(m.received, 2)}, started ${f(m.started, 2)}, (apply ${f(m.apply, 2)}, publish ${f(m.publish, 2)} || store ${f(m.store, 2)}), checkpoint stored ${f(m.cpStored, 2)}, outputs seen ${f(m.out, 2)}; book snapshots written meanwhile ${f(m.snapshotsMeanwhile, 2)}, other partitions' checkpoints ${f(m.othersMeanwhile, 2)}`;
        console.log(`  fill path, mean ms from publishing — all: ${pathText(x.fillPath.all)}; slowest ${x.fillPath.tailCount}: ${pathText(x.fillPath.tail)}; stored as seen on the worker's stdout p50 ${f(x.fillSeenP50, 2)}, p99 ${f(x.fillSeenP99, 2)}`);
        console.log(`  workers' process CPU: ${f(b.tickCpuMsPerTick, 1)} ms per tick (in-process core ${f((base.cpuSeconds * 1000) / o.ticks, 1)} ms), ${f(b.fillCpuMsPerFill, 2)} ms per fill`);
      }
    }
    return { inProcess: base, cluster: runs };
  } finally {
    await nc.close();
    await nats.dispose();
    await db.drop();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await runClusterBench({ print: true });
