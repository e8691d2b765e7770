// The fixed-rate load generator of `npm run bench -- api`, in its own process: requests at an offered rate, evenly
// spaced, over a fixed number of keep-alive connections, whatever the server's answers do (an open loop, as wrk2
// does it). autocannon is a closed loop: each connection sends its next request when the answer comes, so its latency
// at saturation is the connection count over the throughput, and its `overallRate` sends each connection's share of a
// second in a burst at the start of the second. Here each request has an intended send instant (start + k / rate) and
// its latency is counted from that instant, not from when a connection was free to send it: waiting for a connection
// counts, and a stall of the server shows in every request it delayed (no coordinated omission).
//
//   { url, connections, seconds, rate, method, path, headers, body? }
//
// Output, one JSON line on stdout: offered and completed req/s, total, latency p50/p90/p99/p99.9/max in ms (fractional),
// non-2xx, errors, the largest number of requests waiting for a connection, and cpuMs (this process's CPU while loading).
import { Buffer } from "node:buffer";
import { connect } from "node:net";
import { performance } from "node:perf_hooks";
import { setTimeout as sleep } from "node:timers/promises";

const o = JSON.parse(process.argv[2] ?? "{}");
for (const k of ["url", "connections", "seconds", "rate", "method", "path"])
  if (o[k] === undefined) {
    process.stderr.write(`open-loop-child: missing ${k}\n`);
    process.exit(2);
  }
const target = new URL(o.url);
// One request's bytes, the same for every request (HTTP/1.1 keep-alive; the server answers with a content-length).
// A raw socket client, not node:http: that costs ~0.3 ms of this process's CPU per request, which on a 2-core machine
// is taken from the server it measures.
const body = o.body === undefined ? Buffer.alloc(0) : Buffer.from(o.body);
const head = [`${o.method} ${o.path} HTTP/1.1`, `host: ${target.host}`, "connection: keep-alive", ...Object.entries(o.headers ?? {}).map(([k, v]) => `${k}: ${v}`), ...(body.length > 0 ? [`content-length: ${body.length}`] : []), "", ""].join("\r\n");
const requestBytes = Buffer.concat([Buffer.from(head, "latin1"), body]);
const HEADER_END = Buffer.from("\r\n\r\n", "latin1");

let non2xx = 0;
let errors = 0;
let maxWaiting = 0;
const latenciesMs = [];
/** Requests due but waiting for a free connection: their intended instants and whether they are measured. */
const waiting = [];
const idle = [];
let outstanding = 0;
let onDrained = null;
let live = 0;

/** A keep-alive connection with at most one request in flight; answers parsed by content-length. */
function openConnection() {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: target.hostname, port: Number(target.port) });
    socket.setNoDelay(true);
    const c = { socket, intendedMs: 0, record: false, buffered: null, status: 0, bodyLeft: -1, inFlight: false, dead: false };
    let connected = false;
    const finish = (ok) => {
      c.inFlight = false;
      if (c.record) {
        if (ok) {
          latenciesMs.push(performance.now() - c.intendedMs);
          if (c.status < 200 || c.status >= 300) non2xx++;
        } else errors++;
      }
      outstanding--;
      if (outstanding === 0 && onDrained !== null) onDrained();
      if (ok) next(c);
    };
    socket.on("data", (chunk) => {
      let b = c.buffered === null ? chunk : Buffer.concat([c.buffered, chunk]);
      c.buffered = null;
      if (c.bodyLeft < 0) {
        const end = b.indexOf(HEADER_END);
        if (end < 0) {
          c.buffered = b;
          return;
        }
        const text = b.toString("latin1", 0, end);
        c.status = Number(text.slice(9, 12));
        const m = /\r\ncontent-length:\s*(\d+)/i.exec(text);
        c.bodyLeft = m === null ? 0 : Number(m[1]);
        b = b.subarray(end + 4);
      }
      if (b.length < c.bodyLeft) {
        c.bodyLeft -= b.length;
        return;
      }
      c.bodyLeft = -1;
      finish(true);
    });
    // A connection that fails is not used again: its request in flight counts as an error, and the requests it
    // would have taken wait for the others (or, with none left, count as errors when the run ends).
    const fail = (e) => {
      if (c.dead) return;
      c.dead = true;
      if (!connected) return reject(e);
      live--;
      if (c.inFlight) finish(false);
      if (live === 0) failWaiting();
    };
    socket.once("connect", () => {
      connected = true;
      resolve(c);
    });
    socket.on("error", fail);
    socket.on("close", () => fail(new Error("connection closed")));
  });
}

/** With no connection left, what waits (and what comes) can never be sent: each counts as an error at once. */
function failWaiting() {
  for (const w of waiting.splice(0)) {
    if (w.record) errors++;
    outstanding--;
  }
  if (outstanding === 0 && onDrained !== null) onDrained();
}

/** The connection takes the oldest waiting request, or goes idle. */
function next(c) {
  const w = waiting.shift();
  if (w === undefined) idle.push(c);
  else start(c, w.intendedMs, w.record);
}

function start(c, intendedMs, record) {
  c.intendedMs = intendedMs;
  c.record = record;
  c.inFlight = true;
  c.socket.write(requestBytes);
}

/** A request due at `intendedMs`: on an idle connection now, else queued (its wait counts in its latency). */
function send(intendedMs, record) {
  outstanding++;
  if (live === 0) {
    waiting.push({ intendedMs, record });
    return failWaiting();
  }
  const c = idle.pop();
  if (c !== undefined) start(c, intendedMs, record);
  else {
    waiting.push({ intendedMs, record });
    maxWaiting = Math.max(maxWaiting, waiting.length);
  }
}

const connections = await Promise.all(Array.from({ length: o.connections }, () => openConnection()));
idle.push(...connections);
live = connections.length;
const drain = (limitMs) =>
  outstanding === 0 ? Promise.resolve(true) : Promise.race([new Promise((resolve) => (onDrained = () => resolve(true))), sleep(limitMs).then(() => false)]);

// One unmeasured request on each connection first: the server's side of each connection set up before timing.
for (let i = 0; i < o.connections; i++) send(performance.now(), false);
await drain(30_000);

const intervalMs = 1000 / o.rate;
const total = Math.round(o.rate * o.seconds);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let issued = 0;
while (issued < total) {
  const due = Math.min(total, Math.floor((performance.now() - t0) / intervalMs) + 1);
  for (; issued < due; issued++) send(t0 + issued * intervalMs, true);
  // ~1 ms timer turns: the requests due in between go out together, still timed from their own intended instants.
  await sleep(1);
}
const issueEndMs = performance.now();
// Bounded: a server that stops answering ends the run after 30 s with the rest counted as errors.
const drained = await drain(30_000);
const endMs = performance.now();
const cpu = process.cpuUsage(cpu0);
const sorted = Float64Array.from(latenciesMs).sort();
const at = (q) => (sorted.length === 0 ? null : sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
const r3 = (x) => (x === null ? null : Math.round(x * 1000) / 1000);
process.stdout.write(
  `${JSON.stringify({
    offeredPerS: o.rate,
    issuedPerS: (issued * 1000) / (issueEndMs - t0),
    completedPerS: (latenciesMs.length * 1000) / (endMs - t0),
    total: latenciesMs.length,
    p50: r3(at(0.5)),
    p90: r3(at(0.9)),
    p99: r3(at(0.99)),
    p999: r3(at(0.999)),
    max: r3(sorted.length === 0 ? null : sorted[sorted.length - 1]),
    non2xx,
    errors: errors + (drained ? 0 : outstanding),
    maxWaiting,
    cpuMs: (cpu.user + cpu.system) / 1000,
  })}\n`,
);
for (const c of connections) c.socket.destroy();
process.exit(0);
