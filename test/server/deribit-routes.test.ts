/**
 * Deribit compatibility of the service (issue 10): Deribit's documented `private/pme/simulate` example (W1,
 * test/fixtures/deribit/w1.json, transcribed from ../shared/reference/deribit-pm.md §5) through the JSON-RPC route
 * gives Deribit's published worst_case, roll_shock, risk_matrix_margin and maintenance_margin (1e-9 absolute, the
 * fixture's stated tolerance); `public/auth` client_credentials; `deri-hmac-sha256` signatures with a bounded clock
 * skew and nonce replay refused; GET and POST `/api/v2/{method}`; Deribit's envelope, errors included.
 */
import { createHmac, randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestService } from "./helpers.js";
import type { TestService } from "./helpers.js";

const readJson = (rel: string): any => JSON.parse(readFileSync(new URL(rel, import.meta.url), "utf8")); // eslint-disable-line @typescript-eslint/no-explicit-any
const w1 = readJson("../fixtures/deribit/w1.json");
const w1Market = readJson("../../examples/deribit-w1/market.json");
/** The fixture's tolerance: Deribit's own 4e-10 rounding gap on risk_matrix_margin (w1.json expected.tolerance). */
const TOL: number = w1.expected.tolerance.absolute;

/** Deribit's signature: HMAC-SHA256 with the client secret over `ts\nnonce\nMETHOD\nURI\nBODY\n`, lower-case hex. */
function deriSign(secret: string, clientId: string, ts: number, nonce: string, method: string, uri: string, body: string): string {
  const sig = createHmac("sha256", secret).update(`${ts}\n${nonce}\n${method}\n${uri}\n${body}\n`).digest("hex");
  return `deri-hmac-sha256 id=${clientId},ts=${ts},sig=${sig},nonce=${nonce}`;
}

describe("Deribit compatibility (PGlite)", () => {
  let t: TestService;
  let trader: { clientId: string; clientSecret: string; apiKey: string };
  beforeAll(async () => {
    t = await startTestService({ kind: "pglite" });
    expect((await t.call("PUT", "/v1/market", { body: w1Market })).status).toBe(200);
    // An empty account on the Deribit preset: W1's positions come in as simulated_positions.
    expect((await t.call("PUT", "/v1/accounts/w1", { body: { model: "deribit", parameterSet: "deribit", positions: [], collateral: {} } })).status).toBe(201);
    trader = await t.key("trader", ["w1"]);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  const rpc = (body: unknown, headers: Record<string, string> = {}) => t.call("POST", "/api/v2", { key: trader.apiKey, body, headers });

  it("W1 via private/pme/simulate (JSON-RPC): Deribit's published worst_case, roll_shock, risk_matrix_margin, MM; IM = risk-matrix margin", async () => {
    const r = await rpc({ jsonrpc: "2.0", id: 42, method: "private/pme/simulate", params: { currency: "BTC", add_positions: false, simulated_positions: w1.positions } });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ jsonrpc: "2.0", id: 42 });
    expect(r.body.error).toBeUndefined();
    const m = r.body.result.margins.btc;
    const d = m.initial_margin_details;
    expect(Math.abs(d.risk_matrix_margin_details.worst_case - w1.expected.worst_case)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(d.risk_matrix_margin_details.roll_shock - w1.expected.roll_shock)).toBeLessThanOrEqual(TOL);
    expect(d.risk_matrix_margin_details.delta_shock).toBe(w1.expected.delta_shock);
    expect(d.risk_matrix_margin_details.correlation_contingency).toBe(w1.expected.correlation_contingency);
    expect(Math.abs(d.risk_matrix_margin - w1.expected.risk_matrix_margin)).toBeLessThanOrEqual(TOL);
    expect(Math.abs(m.maintenance_margin - w1.expected.maintenance_margin)).toBeLessThanOrEqual(TOL);
    // Open-orders and MMP margin are 0 here (Deribit's published IM adds its 0.06 MMP and 1.8e-5 open-orders margin).
    expect(d.open_orders_margin).toBe(0);
    expect(d.mmp_margin).toBe(0);
    expect(m.initial_margin).toBe(d.risk_matrix_margin);
    // Risk vectors as published, per instrument (27 standard + 8 extended).
    for (const [name, v] of Object.entries(w1.expected.initial_risk_vectors as Record<string, { standard: number[]; extended: number[] }>)) {
      const got = r.body.result.initial_risk_vectors[name];
      expect(got.standard).toHaveLength(27);
      got.standard.forEach((x: number, i: number) => expect(Math.abs(x - (v.standard[i] as number)), `${name} standard[${i}]`).toBeLessThanOrEqual(TOL));
      got.extended.forEach((x: number, i: number) => expect(Math.abs(x - (v.extended[i] as number)), `${name} extended[${i}]`).toBeLessThanOrEqual(TOL));
    }
    expect(r.body.result.model_params.currency_pair.btc_usd).toMatchObject(w1.model_params.currency_pair.btc_usd);
    // Nothing was written: the stored account still has no positions.
    expect((await t.call("GET", "/v1/accounts/w1")).body.account.positions).toEqual([]);
  });

  it("the envelope: jsonrpc, id, result, usIn ≤ usOut, usDiff = usOut − usIn (microseconds)", async () => {
    const before = Date.now() * 1000;
    const r = await rpc({ jsonrpc: "2.0", id: "abc", method: "public/get_index_price", params: { index_name: "btc_usd" } });
    expect(r.status).toBe(200);
    expect(r.body.jsonrpc).toBe("2.0");
    expect(r.body.id).toBe("abc");
    expect(r.body.result.index_price).toBe(65666.19);
    for (const k of ["usIn", "usOut", "usDiff"]) expect(Number.isInteger(r.body[k]), k).toBe(true);
    expect(r.body.usIn).toBeGreaterThanOrEqual(before - 1000);
    expect(r.body.usOut).toBeGreaterThanOrEqual(r.body.usIn);
    expect(r.body.usDiff).toBe(r.body.usOut - r.body.usIn);
  });

  it("GET and POST /api/v2/{method} answer as JSON-RPC does (params as query parameters or a JSON body)", async () => {
    const get = await t.call("GET", "/api/v2/public/get_instruments?currency=BTC&kind=future", { key: null });
    const post = await t.call("POST", "/api/v2/public/get_instruments", { key: null, body: { currency: "BTC", kind: "future" } });
    const jr = await t.call("POST", "/api/v2", { key: null, body: { jsonrpc: "2.0", id: 1, method: "public/get_instruments", params: { currency: "BTC", kind: "future" } } });
    expect(get.status).toBe(200);
    expect(get.body.id).toBeNull();
    expect(get.body.result.map((i: { instrument_name: string }) => i.instrument_name).sort()).toEqual(["BTC-28JUN24", "BTC-PERPETUAL"]);
    expect(post.body.result).toEqual(get.body.result);
    expect(jr.body.result).toEqual(get.body.result);
    const sim = await t.call("GET", `/api/v2/private/pme/simulate?currency=BTC&add_positions=false&simulated_positions=${encodeURIComponent(JSON.stringify(w1.positions))}`, { key: trader.apiKey });
    expect(Math.abs(sim.body.result.margins.btc.initial_margin_details.risk_matrix_margin - w1.expected.risk_matrix_margin)).toBeLessThanOrEqual(TOL);
    const positions = await t.call("POST", "/api/v2/private/get_positions", { key: trader.apiKey, body: { currency: "BTC" } });
    expect(positions.body.result).toEqual([]);
  });

  it("errors answer in the envelope with the caller's id and a coded reason; private methods need a key", async () => {
    const unknown = await rpc({ jsonrpc: "2.0", id: 9, method: "private/buy", params: {} });
    expect(unknown.status).toBe(405);
    expect(unknown.body).toMatchObject({ jsonrpc: "2.0", id: 9, error: { code: -32601, data: { reason: "method_not_allowed" } } });
    expect(unknown.body.result).toBeUndefined();
    expect(Number.isInteger(unknown.body.usDiff)).toBe(true);
    const anon = await t.call("POST", "/api/v2", { key: null, body: { jsonrpc: "2.0", id: 10, method: "private/get_account_summary", params: { currency: "BTC" } } });
    expect(anon.status).toBe(401);
    expect(anon.body).toMatchObject({ id: 10, error: { code: 13009, data: { reason: "unauthorized" } } });
    const badJson = await t.call("POST", "/api/v2", { key: null, raw: "{nope" });
    expect(badJson.status).toBe(400);
    expect(badJson.body.error.code).toBe(-32700);
    // A key with several accounts (or all: admin, risk) names one with the netrisk extension param `account`.
    const two = await t.key("trader", ["w1", "w2"]);
    const noAccount = await t.call("POST", "/api/v2", { key: two.apiKey, body: { jsonrpc: "2.0", id: 12, method: "private/get_positions", params: { currency: "BTC" } } });
    expect(noAccount.status).toBe(400);
    expect(noAccount.body).toMatchObject({ id: 12, error: { data: { reason: "required", param: "account" } } });
    const named = await t.call("POST", "/api/v2", { key: two.apiKey, body: { jsonrpc: "2.0", id: 13, method: "private/get_positions", params: { currency: "BTC", account: "w1" } } });
    expect(named.body.result).toEqual([]);
    const adminNoAccount = await t.call("POST", "/api/v2", { body: { jsonrpc: "2.0", id: 14, method: "private/get_account_summary", params: { currency: "BTC" } } });
    expect(adminNoAccount.body.error.data.param).toBe("account");
    const other = await t.key("trader", ["someone-else"]);
    const forbidden = await t.call("POST", "/api/v2", { key: other.apiKey, body: { jsonrpc: "2.0", id: 11, method: "private/get_account_summary", params: { currency: "BTC", account: "w1" } } });
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.error.data.reason).toBe("forbidden");
  });

  it("public/auth client_credentials: Deribit's token fields; the access token works as a Bearer key; a wrong secret is refused", async () => {
    const q = new URLSearchParams({ grant_type: "client_credentials", client_id: trader.clientId, client_secret: trader.clientSecret });
    const r = await t.call("GET", `/api/v2/public/auth?${q}`, { key: null });
    expect(r.status).toBe(200);
    const g = r.body.result;
    expect(Object.keys(g).sort()).toEqual(["access_token", "expires_in", "refresh_token", "scope", "token_type"]);
    expect(g.token_type).toBe("bearer");
    expect(g.expires_in).toBeGreaterThan(0);
    const summary = await t.call("GET", "/api/v2/private/get_account_summary?currency=BTC", { key: g.access_token });
    expect(summary.status).toBe(200);
    expect(summary.body.result).toMatchObject({ currency: "BTC", equity: 0, initial_margin: 0 });
    const refreshed = await t.call("POST", "/api/v2", { key: null, body: { jsonrpc: "2.0", id: 3, method: "public/auth", params: { grant_type: "refresh_token", refresh_token: g.refresh_token } } });
    expect(typeof refreshed.body.result.access_token).toBe("string");
    const wrong = await t.call("POST", "/api/v2", { key: null, body: { jsonrpc: "2.0", id: 4, method: "public/auth", params: { grant_type: "client_credentials", client_id: trader.clientId, client_secret: "x".repeat(43) } } });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toMatchObject({ id: 4, error: { code: 13009 } });
    expect(wrong.body.result).toBeUndefined();
  });

  it("deri-hmac-sha256: a signed request passes once; a replayed nonce, a skewed timestamp and a bad signature are refused", async () => {
    const body = JSON.stringify({ jsonrpc: "2.0", id: 5, method: "private/get_account_summary", params: { currency: "BTC" } });
    const send = (auth: string) => t.call("POST", "/api/v2", { key: null, raw: body, headers: { authorization: auth, "content-type": "application/json" } });
    const nonce = randomBytes(8).toString("hex");
    const ts = Date.now();
    const ok = await send(deriSign(trader.clientSecret, trader.clientId, ts, nonce, "POST", "/api/v2", body));
    expect(ok.status).toBe(200);
    expect(ok.body.result.currency).toBe("BTC");
    const replay = await send(deriSign(trader.clientSecret, trader.clientId, ts, nonce, "POST", "/api/v2", body));
    expect(replay.status).toBe(401);
    expect(replay.body.error.data.reason).toBe("replayed");
    const skewed = await send(deriSign(trader.clientSecret, trader.clientId, Date.now() - 120_000, "n-skew", "POST", "/api/v2", body));
    expect(skewed.status).toBe(401);
    expect(skewed.body.error.message).toMatch(/from the server time/);
    const future = await send(deriSign(trader.clientSecret, trader.clientId, Date.now() + 120_000, "n-future", "POST", "/api/v2", body));
    expect(future.status).toBe(401);
    const wrongSecret = await send(deriSign("not-the-secret", trader.clientId, Date.now(), "n-bad", "POST", "/api/v2", body));
    expect(wrongSecret.status).toBe(401);
    expect(wrongSecret.body.error.message).toBe("bad signature");
    // The body is signed: the same header over another body fails.
    const tsB = Date.now();
    const tampered = await t.call("POST", "/api/v2", { key: null, raw: body.replace("BTC", "ETH"), headers: { authorization: deriSign(trader.clientSecret, trader.clientId, tsB, "n-body", "POST", "/api/v2", body), "content-type": "application/json" } });
    expect(tampered.status).toBe(401);
    // A bad signature does not spend its nonce: the genuine request with that nonce still passes.
    const genuine = await send(deriSign(trader.clientSecret, trader.clientId, Date.now(), "n-bad", "POST", "/api/v2", body));
    expect(genuine.status).toBe(200);
    // GET with the query string in the signed URI.
    const uri = "/api/v2/private/get_positions?currency=BTC";
    const get = await t.call("GET", uri, { key: null, headers: { authorization: deriSign(trader.clientSecret, trader.clientId, Date.now(), "n-get", "GET", uri, "") } });
    expect(get.status).toBe(200);
    expect(get.body.result).toEqual([]);
  });
});
