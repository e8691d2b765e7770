// The api bench's fixed-rate load generator (bench/open-loop-child.js) against small local servers whose answers are
// known: every request counted once, latency never shorter than the server's own delay, a stall counted in every
// request it delayed (from the request's intended send instant, not from when a connection was free), non-2xx and
// dropped connections counted, never a hang. Bounds only in the direction a loaded machine cannot break.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const CHILD = fileURLToPath(new URL("../../bench/open-loop-child.js", import.meta.url));

interface LoadResult {
  offeredPerS: number;
  total: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  maxWaiting: number;
}

function run(url: string, o: { connections: number; seconds: number; rate: number; method?: string; path?: string; body?: string }): Promise<{ code: number | null; result: LoadResult | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify({ url, method: "POST", path: "/x", headers: { "content-type": "application/json" }, ...o })], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.once("exit", (code) => {
      const line = out.trim().split("\n").pop() ?? "";
      resolve({ code, result: line === "" ? null : (JSON.parse(line) as LoadResult), stderr: err });
    });
  });
}

let server: Server | null = null;
afterEach(async () => {
  const s = server;
  server = null;
  if (s !== null) await new Promise((r) => s.close(r));
});

async function listen(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<string> {
  server = createServer(handler);
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", () => r()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("bench/open-loop-child.js", () => {
  it("sends rate × seconds requests with their bodies, and no latency is shorter than the server's delay", async () => {
    let bodies = 0;
    const url = await listen((req, res) => {
      let body = "";
      req.on("data", (d: Buffer) => (body += d.toString()));
      req.on("end", () => {
        if (body === '{"a":1}') bodies++;
        const text = JSON.stringify({ ok: true, pad: "x".repeat(20_000) }); // larger than one read: the body parsed across chunks
        setTimeout(() => res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text), 20);
      });
    });
    const { code, result } = await run(url, { connections: 4, seconds: 1, rate: 100, body: '{"a":1}' });
    expect(code).toBe(0);
    expect(result).not.toBeNull();
    expect(result?.total).toBe(100);
    expect(result?.non2xx).toBe(0);
    expect(result?.errors).toBe(0);
    expect(bodies).toBe(100 + 4); // and one unmeasured request per connection first
    expect(result?.p50).toBeGreaterThanOrEqual(19.5);
  }, 30_000);

  it("counts a stall in every request it delayed, from each request's intended send instant", async () => {
    let n = 0;
    const url = await listen((req, res) => {
      req.resume();
      req.on("end", () => {
        // The 20th measured request (after 2 unmeasured ones) holds the server's thread for 300 ms.
        if (++n === 22) {
          const until = Date.now() + 300;
          while (Date.now() < until);
        }
        res.writeHead(200, { "content-length": "2" }).end("{}");
      });
    });
    const { result } = await run(url, { connections: 2, seconds: 1, rate: 200 });
    expect(result?.total).toBe(200);
    // Requests were due every 5 ms during the stall: ~60 of them (30 %) waited for it, latencies spread over 0-300 ms,
    // only 2 of them on a connection. Timed from the instant each was sent, only those 2 would have been slow.
    expect(result?.maxWaiting).toBeGreaterThanOrEqual(20);
    expect(result?.p90).toBeGreaterThanOrEqual(100);
    expect(result?.p50).toBeLessThan(result?.max ?? 0);
  }, 30_000);

  it("counts non-2xx answers, and a server that drops its connections ends the run with errors, not a hang", async () => {
    const failing = await listen((req, res) => {
      req.resume();
      req.on("end", () => res.writeHead(503, { "content-length": "0" }).end());
    });
    const a = await run(failing, { connections: 2, seconds: 1, rate: 50 });
    expect(a.result?.non2xx).toBe(50);
    await new Promise((r) => server?.close(r));
    let k = 0;
    const dropping = await listen((req, res) => {
      req.resume();
      // The first request on each connection answers (the generator's set-up); later ones lose their connection.
      req.on("end", () => (++k <= 2 ? res.writeHead(200, { "content-length": "0" }).end() : req.socket.destroy()));
    });
    const b = await run(dropping, { connections: 2, seconds: 1, rate: 20 });
    expect(b.code).toBe(0);
    expect(b.result?.total).toBe(0);
    expect(b.result?.errors).toBe(20);
  }, 60_000);

  it("refuses settings without a rate (exit 2)", async () => {
    const child = spawn(process.execPath, [CHILD, JSON.stringify({ url: "http://127.0.0.1:9", connections: 1, seconds: 1, method: "GET", path: "/" })], { stdio: ["ignore", "ignore", "pipe"] });
    let err = "";
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    const code = await new Promise((r) => child.once("exit", r));
    expect(code).toBe(2);
    expect(err).toContain("missing rate");
  });
});
