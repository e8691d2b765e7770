// Service benchmark (issue 10): one `netrisk serve` process (the built dist/, in its own process) on embedded PGlite
// and then on PostgreSQL, in the same run, loaded over loopback with 32 connections by autocannon in its own process
// (bench/autocannon-child.js, one per measurement):
//   GET  /v1/accounts/{id}          the account and its figures (served from the book's cache per version and market)
//   POST /v1/accounts/{id}/whatif   one trade on a 50-position account (computed per request)
//   POST /v1/accounts/{id}/fills    one fill per request, committed (with its audit row and idempotency record)
//                                   and acknowledged: 1 connection (one writer) and 32 (over 32 accounts)
//   POST .../whatif at 2,000 req/s  the what-if offered at the target's rate, evenly spaced, over 32 connections (an
//                                   open loop, bench/open-loop-child.js): the p99 at that rate, each request's latency
//                                   counted from its intended send instant
// beside the same calls made in-process (the engine's cost, no HTTP, no store): the service overhead is the ratio.
//
//   npm run bench -- api [--seconds 5]   (or NETRISK_BENCH_API_SECONDS: seconds per measurement; NETRISK_BENCH_DATABASE_URL, default
//                                 postgres://postgres@127.0.0.1:5432/postgres: a database is created and dropped;
//                                 NETRISK_BENCH_SERVER_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/p" profiles the server;
//                                 NETRISK_BENCH_API_ONLY=whatif measures only the runs whose label contains it;
//                                 NETRISK_BENCH_API_RATE: the open-loop run's offered req/s, default 2000, the target)
//
// Data: the bundled SYNTHETIC example market (examples/market.json) and a seeded random 50-position account on it
// (options of every expiry, dated futures, perpetuals on BTC and ETH, sizes ±[0.1, 5) coin, ample collateral).
// Targets on the 2-core machine (the load generator shares it): what-if ≥ 2,000 req/s with p99 ≤ 20 ms on both
// backends (read at that rate: the open-loop run; the autocannon runs find the most the server serves, saturated, where
// the latency is the queue of 32 requests); a fill committed and acknowledged at p99 ≤ 10 ms on PGlite. Wall-clock on
// a shared machine: pessimistic.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { clearTimeout, setTimeout } from "node:timers";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { createAccountBinder } from "../dist/io/account-binder.js";
import { accountDocument, whatIfDocument } from "../dist/account/document.js";
import { evaluateAccount } from "../dist/account/account.js";
import { whatIf } from "../dist/account/what-if.js";
import { ok, unwrap } from "../dist/errors.js";
import { validateMarket } from "../dist/io/market.js";
import { loadPreset } from "../dist/io/presets.js";
import { parseInstrument } from "../dist/market/instrument.js";
import { buildMarketContext } from "../dist/pricing/build-context.js";
import { newKeyMaterial, secretBox, sha256Hex } from "../dist/server/secrets.js";
import { createWhatIfText } from "../dist/server/whatif-text.js";
import { openStore } from "../dist/store/open.js";
import { seededRandom, timeMedian } from "./lib.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const MAIN = join(ROOT, "dist/cli/main.js");
const LOADER = join(ROOT, "bench/autocannon-child.js");
const OPEN_LOOP_LOADER = join(ROOT, "bench/open-loop-child.js");
const CONNECTIONS = 32;
// The issue's what-if target is a rate and a latency together (≥ 2,000 req/s with p99 ≤ 20 ms): the open-loop run
// offers exactly that rate and reads the p99 at it (bench/open-loop-child.js); the autocannon run finds the most the
// server serves (at 32 connections it is saturated, and its p99 is then the queue of 32 requests, see docs/server.md).
const TARGET_WHATIF_PER_S = Number(process.env.NETRISK_BENCH_API_RATE ?? 2000);
const FILL_ACCOUNTS = 32;

/** The synthetic example market and a seeded 50-position account document on it. */
function setup(seed) {
  const market = JSON.parse(readFileSync(join(ROOT, "examples/market.json"), "utf8"));
  const snapshot = unwrap(validateMarket(market));
  const names = Object.keys(snapshot.instruments).filter((n) => {
    const p = parseInstrument(n);
    return p.ok && p.value.kind !== "spot" && (p.value.kind === "perpetual" || p.value.expiryMs > snapshot.timestampMs);
  });
  const rnd = seededRandom(seed);
  const picked = new Set();
  while (picked.size < 50) picked.add(names[Math.floor(rnd() * names.length)]);
  const positions = [...picked].map((instrument) => ({ instrument, size: Number(((rnd() < 0.5 ? -1 : 1) * (0.1 + 4.9 * rnd())).toFixed(4)) }));
  const account = { model: "deribit", parameterSet: "deribit", positions, collateral: { BTC: 30, ETH: 400, USDC: 2000000 } };
  const option = names.find((n) => /^BTC-.*-C$/.test(n));
  return { market, snapshot, account, trade: { instrument: option, size: -1 } };
}

/** The engine's cost of the same calls, in this process: figures (uncached) and what-if. */
function inProcess(s) {
  const context = unwrap(buildMarketContext(s.snapshot));
  const resolve = (name) => {
    const p = loadPreset(name);
    return p.ok ? ok({ name, version: typeof p.value.version === "string" ? p.value.version : "preset", document: p.value }) : p;
  };
  const bound = unwrap(createAccountBinder(context, resolve).bind(s.account));
  const trades = [{ instrument: s.trade.instrument, sizeCoin: s.trade.size }];
  const figures = timeMedian(() => JSON.stringify(unwrap(accountDocument({ ...bound, accountRef: "bench-50", marketRef: "m" }, { distance: false }))), { warmup: 20, runs: 200 });
  const what = timeMedian(() => JSON.stringify(whatIfDocument(unwrap(whatIf(bound.account, trades)))), { warmup: 20, runs: 200 });
  // What the server computes per what-if: the account's evaluation before is kept per version, the answer printed with
  // its shared parts' text cached (src/server/whatif-text.ts).
  const before = unwrap(evaluateAccount(bound.account));
  const print = createWhatIfText();
  const kept = timeMedian(() => print(unwrap(whatIf(bound.account, trades, { before }))), { warmup: 200, runs: 1000 });
  return { figuresPerS: 1000 / figures.medianMs, figuresMs: figures.medianMs, whatifPerS: 1000 / what.medianMs, whatifMs: what.medianMs, whatifKeptBeforeMs: kept.medianMs };
}

async function postgresReachable(url) {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  try {
    await c.connect();
    await c.end();
    return true;
  } catch {
    return false;
  }
}

async function adminQuery(url, text) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(text);
  } finally {
    await c.end();
  }
}

/** Start the server, wait for its listening line (bounded). */
async function serve(storeArgs, serverKeyHex) {
  const child = spawn(process.execPath, [...(process.env.NETRISK_BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter((a) => a !== ""), MAIN, "serve", "--port", "0", ...storeArgs], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NETRISK_SERVER_KEY: serverKeyHex, DATABASE_URL: "" } });
  let out = "";
  let err = "";
  child.stdout.on("data", (d) => (out += d.toString()));
  // Request logs go to stderr (one pino line per request): keep only the tail for error reports.
  child.stderr.on("data", (d) => (err = (err + d.toString()).slice(-4000)));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const m = /^listening on (http:\/\/\S+)$/m.exec(out);
    if (m) return { url: m[1], child };
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`netrisk serve did not start: ${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function stop(child) {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGTERM");
  const t = setTimeout(() => child.kill("SIGKILL"), 15_000);
  await exited;
  clearTimeout(t);
}

/** A load generator in its own process, bounded in time (its run's seconds + 60): the JSON line it prints last. */
function runLoader(script, settings, what) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script, JSON.stringify(settings)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d.toString()));
    child.stderr.on("data", (d) => (err = (err + d.toString()).slice(-4000)));
    const t = setTimeout(() => child.kill("SIGKILL"), (settings.seconds + 60) * 1000);
    child.once("exit", (code) => {
      clearTimeout(t);
      const line = out.trim().split("\n").pop() ?? "";
      if (code !== 0 || line === "") reject(new Error(`${what} failed (exit ${code}): ${err}`));
      else resolve(JSON.parse(line));
    });
  });
}

/** One autocannon run (bench/autocannon-child.js): its result and its CPU. */
const load = (url, o) => runLoader(LOADER, { url, connections: o.connections, seconds: o.seconds, ...o.request }, "the load generator");

/** One fixed-rate (open-loop) run (bench/open-loop-child.js). */
const loadAtRate = (url, o) =>
  runLoader(OPEN_LOOP_LOADER, { url, connections: o.connections, seconds: o.seconds, rate: o.rate, method: o.request.method, path: o.request.path, headers: o.request.headers, body: o.request.body }, "the open-loop load generator");

/**
 * CPU seconds the server process has used (user + system, /proc/PID/stat; null where /proc is missing). Per request it
 * is the service's cost whatever else loads the machine: wall-clock req/s on a shared 2-core machine is pessimistic.
 */
function cpuSecondsOf(pid, thread = false) {
  try {
    const fields = readFileSync(thread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100 on Linux)
  } catch {
    return null;
  }
}

const figuresOf = (r) => ({ reqPerS: r.average, p50Ms: r.p50, p99Ms: r.p99, maxMs: r.max, requests: r.total, non2xx: r.non2xx, errors: r.errors + r.timeouts, loaderCpuMsPerRequest: r.total > 0 ? r.cpuMs / r.total : null });

async function measureBackend(name, location, storeArgs, s, seconds, log) {
  const serverKey = randomBytes(32);
  const store = await openStore(location);
  const ctx = { actor: "bench", requestId: null, at: new Date().toISOString() };
  const admin = newKeyMaterial("admin");
  const feed = newKeyMaterial("feed");
  for (const [m, role] of [[admin, "admin"], [feed, "feed"]])
    await store.createKey({ clientId: m.clientId, role, accounts: null, keyHash: sha256Hex(m.apiKey), secretEnc: secretBox(serverKey).seal(m.clientSecret), label: "bench" }, ctx);
  await store.close();
  const { url, child } = await serve(storeArgs, serverKey.toString("hex"));
  try {
    const put = async (path, body, key = admin.apiKey) => {
      const r = await globalThis.fetch(`${url}${path}`, { method: "PUT", headers: { authorization: `Bearer ${key}`, "content-type": "application/json" }, body: JSON.stringify(body) });
      if (r.status >= 300) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    };
    await put("/v1/market", s.market);
    await put("/v1/accounts/bench-50", s.account);
    for (let i = 0; i < FILL_ACCOUNTS; i++) await put(`/v1/accounts/fill-${i}`, { positions: [], collateral: { USDC: "1000000000" } });
    const auth = (key) => ({ authorization: `Bearer ${key}`, "content-type": "application/json" });
    // autocannon takes the path in `requests` (a top-level `path` is ignored: it would load "/").
    const get = { method: "GET", headers: auth(admin.apiKey), path: "/v1/accounts/bench-50" };
    const what = { method: "POST", headers: auth(admin.apiKey), path: "/v1/accounts/bench-50/whatif", body: JSON.stringify({ trades: [s.trade] }) };
    // Fills: each run its own trade ids (the load generator numbers them from 0 after this prefix).
    let runNo = 0;
    const fill = (accounts) => () => ({ method: "POST", headers: auth(feed.apiKey), fill: { accounts, tradeIdPrefix: `b-${accounts}-${runNo++}-` } });
    const out = {};
    const runs = [
      ["GET /v1/accounts/{id}", CONNECTIONS, get],
      ["POST .../whatif", CONNECTIONS, what],
      ["POST .../fills (1 connection)", 1, fill(1)],
      [`POST .../fills (32 connections, ${FILL_ACCOUNTS} accounts)`, CONNECTIONS, fill(FILL_ACCOUNTS)],
    ];
    // NETRISK_BENCH_API_ONLY=whatif (a substring of the labels) measures only those runs: a profile of one route.
    const only = process.env.NETRISK_BENCH_API_ONLY;
    for (const [label, connections, spec] of runs.filter(([l]) => only === undefined || l.includes(only))) {
      const request = typeof spec === "function" ? spec : () => spec;
      // One request first: a refused request would otherwise be measured as a fast one.
      const r0 = request();
      const probe = await globalThis.fetch(`${url}${r0.fill !== undefined ? "/v1/accounts/fill-0/fills" : r0.path}`, {
        method: r0.method,
        headers: r0.headers,
        ...(r0.fill !== undefined ? { body: JSON.stringify({ instrument: "BTC_USDC-PERPETUAL", size: "0.01", price: "90000", fee: "0.01", tradeId: `${r0.fill.tradeIdPrefix}probe` }) } : r0.body !== undefined ? { body: r0.body } : {}),
      });
      if (probe.status >= 300) throw new Error(`${name} ${label}: ${probe.status} ${(await probe.text()).slice(0, 500)}`);
      await load(url, { connections, seconds: 1, request: request() }); // warm-up (JIT, caches, connections)
      const cpu0 = cpuSecondsOf(child.pid);
      const main0 = cpuSecondsOf(child.pid, true);
      const r = figuresOf(await load(url, { connections, seconds, request: request() }));
      const cpu1 = cpuSecondsOf(child.pid);
      const main1 = cpuSecondsOf(child.pid, true);
      const serverCpuMsPerRequest = cpu0 === null || cpu1 === null ? null : ((cpu1 - cpu0) * 1000) / r.requests;
      // The main thread alone (HTTP, routes, the engine): the one that saturates first; the rest is the garbage
      // collector's helpers and the live pool's threads.
      const serverMainThreadCpuMsPerRequest = main0 === null || main1 === null ? null : ((main1 - main0) * 1000) / r.requests;
      out[label] = { connections, ...r, serverCpuMsPerRequest, serverMainThreadCpuMsPerRequest };
      const cpuText = `${serverCpuMsPerRequest === null ? "" : `   server CPU ${serverCpuMsPerRequest.toFixed(3)} ms/request (main thread ${serverMainThreadCpuMsPerRequest.toFixed(3)})`}${r.loaderCpuMsPerRequest === null ? "" : `, load generator ${r.loaderCpuMsPerRequest.toFixed(3)}`}`;
      log(`${name.padEnd(10)} ${label.padEnd(42)} ${r.reqPerS.toFixed(0).padStart(7)} req/s   p50 ${String(r.p50Ms).padStart(4)} ms   p99 ${String(r.p99Ms).padStart(4)} ms${cpuText}   (${r.requests} requests, max ${r.maxMs} ms, non-2xx ${r.non2xx}, errors ${r.errors})`);
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`${name} ${label}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
    }
    const rateLabel = `POST .../whatif at ${TARGET_WHATIF_PER_S} req/s`;
    if (only === undefined || rateLabel.includes(only)) {
      // The what-if at the target's rate, offered at evenly spaced instants over 32 connections (open loop).
      const label = rateLabel;
      await loadAtRate(url, { connections: CONNECTIONS, seconds: 1, rate: TARGET_WHATIF_PER_S, request: what }); // warm-up
      const cpu0 = cpuSecondsOf(child.pid);
      const main0 = cpuSecondsOf(child.pid, true);
      const r = await loadAtRate(url, { connections: CONNECTIONS, seconds, rate: TARGET_WHATIF_PER_S, request: what });
      const cpu1 = cpuSecondsOf(child.pid);
      const main1 = cpuSecondsOf(child.pid, true);
      const mainUtilisation = main0 === null || main1 === null ? null : (main1 - main0) / (r.total / r.completedPerS);
      out[label] = { connections: CONNECTIONS, offeredPerS: r.offeredPerS, reqPerS: r.completedPerS, issuedPerS: r.issuedPerS, p50Ms: r.p50, p90Ms: r.p90, p99Ms: r.p99, p999Ms: r.p999, maxMs: r.max, requests: r.total, non2xx: r.non2xx, errors: r.errors, maxWaiting: r.maxWaiting, serverCpuMsPerRequest: cpu0 === null || cpu1 === null ? null : ((cpu1 - cpu0) * 1000) / r.total, serverMainThreadUtilisation: mainUtilisation, loaderCpuMsPerRequest: r.total > 0 ? r.cpuMs / r.total : null };
      log(`${name.padEnd(10)} ${label.padEnd(42)} ${r.completedPerS.toFixed(0).padStart(7)} req/s   p50 ${r.p50.toFixed(2)} ms   p99 ${r.p99.toFixed(2)} ms   p99.9 ${r.p999.toFixed(2)} ms   max ${r.max.toFixed(2)} ms   (open loop, latency from each request's intended send instant; ${r.total} requests, most waiting for a connection ${r.maxWaiting}; server main thread busy ${mainUtilisation === null ? "?" : (100 * mainUtilisation).toFixed(0)} %; load generator ${(r.cpuMs / Math.max(1, r.total)).toFixed(3)} ms/request; non-2xx ${r.non2xx}, errors ${r.errors})`);
      if (r.non2xx > 0 || r.errors > 0) throw new Error(`${name} ${label}: ${r.non2xx} non-2xx answers, ${r.errors} errors`);
    }
    return out;
  } finally {
    await stop(child);
  }
}

export async function runApiBench(options = {}) {
  const log = options.log ?? console.log;
  const seconds = Number(options.seconds ?? process.env.NETRISK_BENCH_API_SECONDS ?? 5);
  const s = setup(options.seed ?? 20260302);
  const base = inProcess(s);
  log(`in-process (engine only, one thread): figures ${base.figuresPerS.toFixed(0)} calls/s (${base.figuresMs.toFixed(3)} ms), what-if ${base.whatifPerS.toFixed(0)} calls/s (${base.whatifMs.toFixed(3)} ms; with the account's "before" kept and the answer printed as the server does, ${base.whatifKeptBeforeMs.toFixed(3)} ms)`);
  log(`load: autocannon in its own process, the server in its own process, loopback, ${seconds} s per measurement after a 1 s warm-up; machine load average ${loadavg().map((x) => x.toFixed(2)).join(" ")} on ${cpus().length} cores`);
  const results = { inProcess: base, backends: {} };
  const dir = mkdtempSync(join(tmpdir(), "netrisk-bench-api-"));
  try {
    const dataDir = join(dir, "data");
    results.backends.PGlite = await measureBackend("PGlite", { kind: "pglite", dataDir }, ["--data", dataDir], s, seconds, log);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const pgServer = process.env.NETRISK_BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
  if (await postgresReachable(pgServer)) {
    const db = `netrisk_bench_${process.pid}_${randomBytes(3).toString("hex")}`;
    await adminQuery(pgServer, `CREATE DATABASE ${db}`);
    const u = new URL(pgServer);
    u.pathname = `/${db}`;
    try {
      results.backends.PostgreSQL = await measureBackend("PostgreSQL", { kind: "postgres", url: u.toString() }, ["--database-url", u.toString()], s, seconds, log);
    } finally {
      await adminQuery(pgServer, `DROP DATABASE IF EXISTS ${db} WITH (FORCE)`);
    }
  } else log(`PostgreSQL: no server at ${pgServer} (set NETRISK_BENCH_DATABASE_URL): not measured`);
  for (const [backend, r] of Object.entries(results.backends)) {
    const w = r["POST .../whatif"];
    const g = r["GET /v1/accounts/{id}"];
    const atRate = r[`POST .../whatif at ${TARGET_WHATIF_PER_S} req/s`];
    const fill1 = r["POST .../fills (1 connection)"];
    if (w === undefined || g === undefined || atRate === undefined) continue;
    log(`${backend}: what-if over HTTP / in-process = ${(w.reqPerS / base.whatifPerS).toFixed(2)}; GET / in-process figures = ${(g.reqPerS / base.figuresPerS).toFixed(2)} (GET is served from the per-version cache)`);
    // Served at the rate means every offered request answered, at the offered rate (1 % slack for the run's edges).
    const served = atRate.reqPerS >= 0.99 * TARGET_WHATIF_PER_S && atRate.requests >= 0.99 * TARGET_WHATIF_PER_S * seconds;
    log(
      `${backend}: targets what-if ≥ ${TARGET_WHATIF_PER_S} req/s with p99 ≤ 20 ms: ${served && atRate.p99Ms <= 20 ? "met" : "MISSED"} (${atRate.reqPerS.toFixed(0)} req/s served at p99 ${atRate.p99Ms.toFixed(2)} ms; most served, saturated at 32 connections: ${w.reqPerS.toFixed(0)} req/s, p99 ${w.p99Ms} ms)` +
        `${backend === "PGlite" && fill1 !== undefined ? `; fill p99 ≤ 10 ms (1 connection): ${fill1.p99Ms <= 10 ? "met" : "MISSED"}` : ""}`,
    );
  }
  return results;
}

if (import.meta.url === `file://${process.argv[1]}`) await runApiBench();
