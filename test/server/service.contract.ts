/**
 * The HTTP contract of issue 10, run on both backends (service-pglite.test.ts, service-postgres.test.ts): health,
 * market, accounts with figures equal to the library's (hence the CLI's) document, fills (idempotency, If-Match, trade
 * ids), roles, and the bad-input cases, each with its coded error and nothing written.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountDocument } from "../../src/account/document.js";
import { unwrap } from "../../src/errors.js";
import { loadAccount } from "../../src/io/account.js";
import { validateMarket } from "../../src/io/market.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { exampleAccount, exampleMarket } from "./helpers.js";
import type { TestService } from "./helpers.js";

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);

export function serviceContract(name: string, start: () => Promise<TestService>): void {
  describe(`service contract: ${name}`, () => {
    let t: TestService;
    beforeAll(async () => {
      t = await start();
    }, 180_000);
    afterAll(async () => {
      await t?.close();
    });

    it("health is public; everything else needs a key (401) and the right role (403)", async () => {
      expect(await t.call("GET", "/health", { key: null })).toMatchObject({ status: 200, body: { status: "ok" } });
      const r = await t.call("GET", "/v1/summary", { key: null });
      expect(r.status).toBe(401);
      expect(r.body.error.code).toBe("unauthorized");
      const bad = await t.call("GET", "/v1/summary", { key: "nr.admin-000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" });
      expect(bad.status).toBe(401);
    });

    it("503 before a market; PUT /v1/market makes one current", async () => {
      const before = await t.call("GET", "/v1/market");
      expect(before.status).toBe(503);
      const feed = await t.key("feed");
      const put = await t.call("PUT", "/v1/market", { key: feed.apiKey, body: exampleMarket() });
      expect(put.status).toBe(200);
      expect(put.body.id).toMatch(/^[0-9a-f]{16}$/);
      expect((await t.call("GET", "/v1/market")).body.id).toBe(put.body.id);
    });

    it("PUT then GET an account: figures equal the library's account document (1e-9 relative)", async () => {
      const doc = exampleAccount();
      const created = await t.call("PUT", "/v1/accounts/acc-1", { body: doc });
      expect(created.status).toBe(201);
      expect(created.body.version).toBe(1);
      expect((await t.call("PUT", "/v1/accounts/acc-1", { body: doc })).status).toBe(200);
      const got = await t.call("GET", "/v1/accounts/acc-1");
      expect(got.status).toBe(200);
      expect(got.body.version).toBe(2);
      const ctx = unwrap(buildMarketContext(unwrap(validateMarket(exampleMarket()))));
      const loaded = unwrap(loadAccount(doc, ctx));
      const ref = unwrap(accountDocument({ ...loaded, accountRef: "acc-1", marketRef: "x" }, { distance: false }));
      for (const k of ["equityUsd", "initialMarginUsd", "maintenanceMarginUsd", "availableFundsUsd"] as const) expect(rel(got.body.figures.figures[k], ref.figures[k])).toBeLessThan(1e-9);
      expect(got.body.figures.health.state).toBe(ref.health.state);
      expect(got.body.computedFrom).toMatchObject({ accountId: "acc-1", accountVersion: 2, model: "deribit", parameterSet: { name: "deribit" } });
    });

    it("fills: applied once per Idempotency-Key and trade id; 422 on another body; 409 on a stale If-Match", async () => {
      await t.call("PUT", "/v1/accounts/f-1", { body: { positions: [], collateral: { USDC: "100000" } } });
      const feed = await t.key("feed");
      const fill = { instrument: "BTC_USDC-PERPETUAL", size: "0.5", price: "90000", fee: "1.5", tradeId: "T-1" };
      const a = await t.call("POST", "/v1/accounts/f-1/fills", { key: feed.apiKey, body: fill, headers: { "idempotency-key": "k-1" } });
      expect(a.status).toBe(200);
      expect(a.body.version).toBe(2);
      const again = await t.call("POST", "/v1/accounts/f-1/fills", { key: feed.apiKey, body: fill, headers: { "idempotency-key": "k-1" } });
      expect(again.status).toBe(200);
      expect(again.headers.get("idempotent-replayed")).toBe("true");
      expect(again.body).toEqual(a.body);
      const other = await t.call("POST", "/v1/accounts/f-1/fills", { key: feed.apiKey, body: { ...fill, price: "1" }, headers: { "idempotency-key": "k-1" } });
      expect(other.status).toBe(422);
      expect(other.body.error.code).toBe("idempotency_mismatch");
      const sameTrade = await t.call("POST", "/v1/accounts/f-1/fills", { key: feed.apiKey, body: fill, headers: { "idempotency-key": "k-2" } });
      expect(sameTrade.body).toMatchObject({ version: 2, duplicates: ["T-1"], applied: [] });
      const stale = await t.call("POST", "/v1/accounts/f-1/fills", { key: feed.apiKey, body: { ...fill, tradeId: "T-2" }, headers: { "if-match": '"1"' } });
      expect(stale.status).toBe(409);
      const acc = await t.call("GET", "/v1/accounts/f-1");
      expect(acc.body.version).toBe(2);
      expect(acc.body.account.positions).toEqual([{ instrument: "BTC_USDC-PERPETUAL", size: 0.5, averagePrice: 90000 }]);
      expect(acc.body.account.collateral.USDC).toBeCloseTo(100000 - 1.5, 9);
      const far = await t.call("POST", "/v1/accounts/f-1/fills", { key: feed.apiKey, body: [{ ...fill, tradeId: "T-3", price: "50000" }] });
      expect(far.status).toBe(200);
      expect(far.body.warnings.map((w: { code: string }) => w.code)).toEqual(["price_far_from_mark"]);
    });

    it("bad input: each a coded 4xx, nothing written", async () => {
      const feed = await t.key("feed");
      const before = await t.call("GET", "/v1/accounts/f-1");
      const cases: [string, Promise<{ status: number; body: any }>, number, string][] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
        ["malformed JSON", t.call("POST", "/v1/accounts/f-1/fills", { key: feed.apiKey, raw: "{not json" }), 400, "invalid_json"],
        ["wrong content type", t.call("POST", "/v1/accounts/f-1/fills", { key: feed.apiKey, raw: "{}", headers: { "content-type": "text/plain" } }), 415, "unsupported_media_type"],
        ["unknown account", t.call("POST", "/v1/accounts/nope/fills", { key: feed.apiKey, body: { instrument: "BTC-PERPETUAL", size: 1, price: 90000, tradeId: "X" } }), 404, "not_found"],
        ["instrument not in the market", t.call("POST", "/v1/accounts/f-1/fills", { key: feed.apiKey, body: { instrument: "BTC-29DEC28", size: 1, price: 90000, tradeId: "X" } }), 400, "unknown_instrument"],
        ["non-finite price", t.call("POST", "/v1/accounts/f-1/fills", { key: feed.apiKey, body: { instrument: "BTC-PERPETUAL", size: 1, price: "1e999", tradeId: "X" } }), 400, "non_finite"],
        ["feed key reading an account", t.call("GET", "/v1/accounts/f-1", { key: feed.apiKey }), 403, "forbidden"],
        ["unknown route", t.call("GET", "/v1/nothing"), 404, "not_found"],
      ];
      for (const [what, p, status, code] of cases) {
        const r = await p;
        expect(r.status, what).toBe(status);
        expect(r.body.error.code, what).toBe(code);
      }
      expect((await t.call("GET", "/v1/accounts/f-1")).body.version).toBe(before.body.version);
    });

    it("a trader key reads its own account only; a revoked key is refused", async () => {
      const trader = await t.key("trader", ["acc-1"]);
      expect((await t.call("GET", "/v1/accounts/acc-1", { key: trader.apiKey })).status).toBe(200);
      expect((await t.call("GET", "/v1/accounts/f-1", { key: trader.apiKey })).status).toBe(403);
      expect((await t.call("DELETE", `/v1/keys/${trader.clientId}`)).status).toBe(200);
      const r = await t.call("GET", "/v1/accounts/acc-1", { key: trader.apiKey });
      expect(r.status).toBe(401);
    });

    it("what-if answers the whatif document; lists, summary, audit", async () => {
      const w = await t.call("POST", "/v1/accounts/acc-1/whatif", { body: { trades: [{ instrument: "BTC-PERPETUAL", size: -1 }] } });
      expect(w.status).toBe(200);
      expect(typeof w.body.accepted).toBe("boolean");
      const list = await t.call("GET", "/v1/accounts?limit=1");
      expect(list.body.accounts).toHaveLength(1);
      expect(list.body.nextCursor).toBe("acc-1");
      const s = await t.call("GET", "/v1/summary");
      expect(s.body.accounts).toBe(2);
      const audit = await t.call("GET", "/v1/audit?account=f-1");
      expect(audit.body.entries.map((e: { action: string }) => e.action)).toContain("fills.apply");
      expect(audit.body.entries.some((e: { action: string }) => e.action === "figures.read")).toBe(true);
    });

    it("serves OpenAPI 3.1 generated from the routes", async () => {
      const r = await t.call("GET", "/openapi.json", { key: null });
      expect(r.body.openapi).toBe("3.1.0");
      expect(Object.keys(r.body.paths)).toEqual(expect.arrayContaining(["/health", "/v1/accounts/{id}", "/v1/accounts/{id}/fills", "/v1/accounts/{id}/balance-changes", "/v1/parameter-sets/{name}/preview", "/api/v2/{method}"]));
      expect(r.body.paths["/v1/accounts/{id}/balance-changes"].post.requestBody.content["application/json"].schema).toBeDefined();
      expect(r.body.paths["/v1/accounts/{id}/fills"].post.requestBody.content["application/json"].schema).toBeDefined();
    });
  });
}
