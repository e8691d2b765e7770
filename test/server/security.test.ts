/**
 * Bad input and security of the service (issue 10), beyond the per-backend contract (service.contract.ts): bodies
 * over the size limit (413, declared or streamed), every refused write leaving the store as it was (no account
 * version, no audit row), a failing store answering a 500 without a stack trace, and no secret (API key, client
 * secret, access token, signature) in the request log, which is pino JSON with one line per request.
 */
import { createHash } from "node:crypto";
import { request } from "node:http";
import { Writable } from "node:stream";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Logger } from "../../src/server/ports.js";
import { sha256Hex } from "../../src/server/secrets.js";
import { exampleMarket, startTestService } from "./helpers.js";
import type { TestService } from "./helpers.js";

/** A real pino logger writing JSON lines into memory. */
function memoryLogger(): { logger: Logger; lines: () => Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      chunks.push(chunk.toString("utf8"));
      done();
    },
  });
  const logger = pino({ base: { service: "netrisk" } }, sink) as unknown as Logger;
  const text = (): string => chunks.join("");
  return { logger, text, lines: () => text().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>) };
}

/** POST a body without a content-length (chunked), as a client streaming a large upload would. */
function postChunked(url: string, path: string, key: string, chunks: string[]): Promise<{ status: number; body: any }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const req = request(`${url}${path}`, { method: "POST", headers: { authorization: `Bearer ${key}`, "content-type": "application/json", "transfer-encoding": "chunked" } }, (res) => {
      let text = "";
      res.on("data", (c: Buffer) => (text += c.toString("utf8")));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    // The server may close the connection once it has answered the 413; that is not a failure of the test.
    req.on("error", (e: NodeJS.ErrnoException) => (e.code === "EPIPE" || e.code === "ECONNRESET" ? undefined : reject(e)));
    for (const c of chunks) req.write(c);
    req.end();
  });
}

describe("service security and bad input (PGlite)", () => {
  let t: TestService;
  const log = memoryLogger();
  beforeAll(async () => {
    t = await startTestService({ kind: "pglite" }, { bodyLimitBytes: 64 * 1024, logger: log.logger });
    expect((await t.call("PUT", "/v1/market", { body: exampleMarket() })).status).toBe(200);
    expect((await t.call("PUT", "/v1/accounts/s-1", { body: { positions: [{ instrument: "BTC-PERPETUAL", size: 1 }], collateral: { BTC: "1" } } })).status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    // The store was closed by the last test on purpose; closing it again may fail.
    await t?.close().catch(() => undefined);
  });

  /** Every write the store has recorded (the audit log of writes: reads are batched and excluded). */
  const writes = async (): Promise<number> => (await t.store.listAudit({ limit: 100_000 })).filter((e) => e.action !== "figures.read" && !e.action.endsWith(".read")).length;

  it("every refused request writes nothing: no new account version, no audit row", async () => {
    const feed = await t.key("feed");
    const trader = await t.key("trader", ["s-1"]);
    const revoked = await t.key("admin");
    expect((await t.call("DELETE", `/v1/keys/${revoked.clientId}`)).status).toBe(200);
    const fill = { instrument: "BTC-PERPETUAL", size: "1", price: "90000", tradeId: "T-1" };
    const ok = await t.call("POST", "/v1/accounts/s-1/fills", { key: feed.apiKey, body: fill, headers: { "idempotency-key": "idem-1" } });
    expect(ok.status).toBe(200);
    const version = ok.body.version as number;
    const stored = (await t.call("GET", "/v1/accounts/s-1")).body.account as unknown;
    const before = await writes();
    const big = JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ ...fill, tradeId: `B-${i}` })));
    expect(big.length).toBeGreaterThan(64 * 1024);
    const cases: [string, () => Promise<{ status: number; body: any }>, number, string][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
      ["malformed JSON", () => t.call("POST", "/v1/accounts/s-1/fills", { key: feed.apiKey, raw: '{"instrument":' }), 400, "invalid_json"],
      ["wrong content type", () => t.call("PUT", "/v1/accounts/s-1", { raw: "{}", headers: { "content-type": "application/x-www-form-urlencoded" } }), 415, "unsupported_media_type"],
      ["body over the limit (declared)", () => t.call("POST", "/v1/accounts/s-1/fills", { key: feed.apiKey, raw: big }), 413, "payload_too_large"],
      ["body over the limit (streamed)", () => postChunked(t.url, "/v1/accounts/s-1/fills", feed.apiKey, Array.from({ length: Math.ceil(big.length / 8192) }, (_, i) => big.slice(i * 8192, (i + 1) * 8192))), 413, "payload_too_large"],
      ["unknown account", () => t.call("POST", "/v1/accounts/none/whatif", { body: { trades: [{ instrument: "BTC-PERPETUAL", size: 1 }] } }), 404, "not_found"],
      ["unknown account (fills)", () => t.call("POST", "/v1/accounts/none/fills", { key: feed.apiKey, body: fill }), 404, "not_found"],
      ["trader key on another account", () => t.call("POST", "/v1/accounts/other/whatif", { key: trader.apiKey, body: { trades: [{ instrument: "BTC-PERPETUAL", size: 1 }] } }), 403, "forbidden"],
      ["trader key writing its own account", () => t.call("PUT", "/v1/accounts/s-1", { key: trader.apiKey, body: { positions: [], collateral: {} } }), 403, "forbidden"],
      ["revoked key", () => t.call("PUT", "/v1/accounts/s-1", { key: revoked.apiKey, body: { positions: [], collateral: {} } }), 401, "unauthorized"],
      ["stale If-Match", () => t.call("POST", "/v1/accounts/s-1/fills", { key: feed.apiKey, body: { ...fill, tradeId: "T-2" }, headers: { "if-match": `"${version - 1}"` } }), 409, "version_conflict"],
      ["instrument not in the market", () => t.call("POST", "/v1/accounts/s-1/fills", { key: feed.apiKey, body: { ...fill, instrument: "BTC-29DEC28", tradeId: "T-3" } }), 400, "unknown_instrument"],
      ["instrument of an underlying not in the market (account)", () => t.call("PUT", "/v1/accounts/s-2", { body: { positions: [{ instrument: "SOL-PERPETUAL", size: 1 }], collateral: {} } }), 400, "missing_index"],
      ["idempotency key replayed with another body", () => t.call("POST", "/v1/accounts/s-1/fills", { key: feed.apiKey, body: { ...fill, size: "2" }, headers: { "idempotency-key": "idem-1" } }), 422, "idempotency_mismatch"],
      ["a fill outside netrisk's bounds (1e9 coin)", () => t.call("POST", "/v1/accounts/s-1/fills", { key: feed.apiKey, body: { ...fill, size: 1e300, tradeId: "T-6" } }), 400, "out_of_range"],
      ["one bad fill in a list refuses the list", () => t.call("POST", "/v1/accounts/s-1/fills", { key: feed.apiKey, body: [{ ...fill, tradeId: "T-4" }, { ...fill, tradeId: "T-5", size: "abc" }] }), 400, "invalid_value"],
    ];
    for (const [what, run, status, code] of cases) {
      const r = await run();
      expect(r.status, what).toBe(status);
      expect(r.body.error.code, what).toBe(code);
      expect(Array.isArray(r.body.error.issues) && r.body.error.issues.every((i: { code: string; path: string; message: string }) => typeof i.path === "string" && typeof i.message === "string"), what).toBe(true);
    }
    expect(await writes()).toBe(before);
    const acc = await t.call("GET", "/v1/accounts/s-1");
    expect(acc.body.version).toBe(version);
    expect(acc.body.account).toEqual(stored);
    expect((await t.call("GET", "/v1/accounts/s-2")).status).toBe(404);
  });

  it("no secret in the request log; one pino JSON line per request with its id, route, status and duration", async () => {
    const created = await t.call("POST", "/v1/keys", { body: { role: "trader", accounts: ["s-1"] } });
    expect(created.status).toBe(201);
    const { apiKey, clientId, clientSecret } = created.body as { apiKey: string; clientId: string; clientSecret: string };
    const auth = await t.call("GET", `/api/v2/public/auth?grant_type=client_credentials&client_id=${clientId}&client_secret=${clientSecret}`, { key: null });
    const access = auth.body.result.access_token as string;
    expect((await t.call("GET", "/v1/accounts/s-1", { key: apiKey })).status).toBe(200);
    expect((await t.call("GET", "/api/v2/private/get_positions?currency=BTC", { key: access })).status).toBe(200);
    expect((await t.call("GET", "/v1/accounts/s-1", { key: `${apiKey.slice(0, -3)}AAA` })).status).toBe(401);
    const stream = await t.call("POST", "/v1/stream-tokens", { key: apiKey });
    await t.call("GET", "/v1/summary", { key: null, headers: { "x-request-id": "req-probe-1" } });
    const text = log.text();
    for (const secret of [apiKey, clientSecret, access, auth.body.result.refresh_token as string, stream.body.token as string, t.adminKey, apiKey.split(".")[2] as string])
      expect(text.includes(secret), `a secret (${secret.slice(0, 6)}…) is in the log`).toBe(false);
    const requests = log.lines().filter((l) => l.msg === "request");
    expect(requests.length).toBeGreaterThan(10);
    for (const l of requests) {
      expect(typeof l.reqId).toBe("string");
      expect(typeof l.route).toBe("string");
      expect(Number.isInteger(l.status)).toBe(true);
      expect(typeof l.durationMs).toBe("number");
    }
    expect(requests.find((l) => l.reqId === "req-probe-1")).toMatchObject({ route: "GET /v1/summary", status: 401 });
    // The stored key holds a hash and a sealed secret, never the secret or the key in the clear.
    const stored = await t.store.getKey(clientId);
    expect(JSON.stringify(stored)).not.toContain(clientSecret);
    expect(JSON.stringify(stored)).not.toContain(apiKey);
    expect(JSON.stringify(await t.store.listAudit({ limit: 100_000 }))).not.toContain(clientSecret);
  });

  it("a failing store answers 500 with a coded error and the request id, never a stack trace (the log has it)", async () => {
    // The last test of the file: the database goes away under the running server (afterAll closes what is left).
    await t.store.close();
    const r = await t.call("GET", "/v1/accounts/never-read", { headers: { "x-request-id": "req-500" } });
    expect(r.status).toBe(500);
    expect(r.body.error.code).toBe("internal");
    const text = JSON.stringify(r.body);
    expect(text).toContain("req-500");
    expect(text).not.toMatch(/\bat .+\(|node_modules|\.js:\d+|\.ts:\d+|Error:/);
    const logged = log.lines().find((l) => l.msg === "internal error" && l.reqId === "req-500") as { err?: { stack?: string } } | undefined;
    expect(logged?.err?.stack).toBeDefined();
  });
});

describe("stored key hashes", () => {
  it("are SHA-256 of the key's UTF-8 text in lower-case hex (keys stored before stay valid)", () => {
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    expect(sha256Hex("é")).toBe(createHash("sha256").update(Buffer.from("é", "utf8")).digest("hex"));
  });
});
