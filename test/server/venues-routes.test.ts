/**
 * The venue routes on the service (src/server/routes/venues.ts): import and the cross-venue report answer what the
 * library answers (`netrisk import --json`, `netrisk venues --json`), OKX's position builder answers OKX's published
 * 2025-01-15 example in OKX's envelope, errors are coded (the error document; OKX's envelope on /api/v5), roles hold.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { validateMarket } from "../../src/io/market.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { accountFileOf, crossVenueReport, exportVenue, importVenue, okxPositionBuilder } from "../../src/venues/index.js";
import { fixture } from "../venues/helpers.js";
import { exampleMarket, startTestService } from "./helpers.js";
import type { TestService } from "./helpers.js";

const json = (path: string): Record<string, unknown> => JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));

describe("venue routes (PGlite)", () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({ kind: "pglite" });
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it("lists the venue routes with their schemas in /openapi.json", async () => {
    const r = await t.call("GET", "/openapi.json", { key: null });
    expect(r.status).toBe(200);
    for (const path of ["/v1/import/{venue}", "/v1/venues/report", "/api/v5/account/position-builder"]) expect(r.body.paths[path]?.post, path).toBeDefined();
  });

  describe("POST /v1/import/{venue}", () => {
    it("answers the account file netrisk import --json prints", async () => {
      const files = [fixture("okx/positions.json"), fixture("okx/balance.json")];
      const r = await t.call("POST", "/v1/import/okx", { body: { files } });
      expect(r.status).toBe(200);
      expect(r.body).toEqual(plain(accountFileOf(unwrap(importVenue("okx", files)))));
    });

    it("codes bad input with the path of the record in the request body", async () => {
      const p = fixture("deribit/get_positions.json");
      const bad = plain(p.json) as { result: Record<string, unknown>[] };
      (bad.result[0] as Record<string, unknown>).size_currency = "lots";
      const r = await t.call("POST", "/v1/import/deribit", { body: { files: [{ name: "p.json", json: bad }] } });
      expect(r.status).toBe(400);
      expect(r.body.error.issues[0]).toMatchObject({ code: "invalid_type", path: "body.files[0].json.result[0].size_currency" });
      expect(r.body.error.issues[0].message).toMatch(/^deribit/);
      const wrong = await t.call("POST", "/v1/import/deribit", { body: { files: [fixture("okx/balance.json")] } });
      expect([wrong.status, wrong.body.error.code, wrong.body.error.issues[0].path]).toEqual([400, "wrong_venue", "body.files[0]"]);
      const unknown = await t.call("POST", "/v1/import/ftx", { body: { files: [p] } });
      expect([unknown.status, unknown.body.error.code]).toEqual([404, "not_found"]);
      const twice = await t.call("POST", "/v1/import/deribit", { body: { files: [p, p] } });
      expect([twice.status, twice.body.error.code, twice.body.error.issues[0].path]).toEqual([400, "duplicate", "body.files[1].name"]);
      const missing = await t.call("POST", "/v1/import/deribit", { body: { files: [{ name: "p.json" }] } });
      expect([missing.status, missing.body.error.code, missing.body.error.issues[0].path]).toEqual([400, "required", "body.files[0].json"]);
    });

    it("needs a key of an allowed role", async () => {
      const files = [fixture("okx/positions.json")];
      expect((await t.call("POST", "/v1/import/okx", { key: null, body: { files } })).status).toBe(401);
      const feed = await t.key("feed");
      expect((await t.call("POST", "/v1/import/okx", { key: feed.apiKey, body: { files } })).status).toBe(403);
      const trader = await t.key("trader", ["x"]);
      expect((await t.call("POST", "/v1/import/okx", { key: trader.apiKey, body: { files } })).status).toBe(200);
    });
  });

  describe("POST /v1/venues/report", () => {
    const deribit = exportVenue("deribit", { positions: [{ instrument: "BTC-27MAR26-100000-C", size: -10, averagePrice: 0.02, markPrice: 0.02 }], collateral: { BTC: 2, USDC: 5000 } });
    const hl = exportVenue("hyperliquid", { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 2, averagePrice: 90000, markPrice: 90000 }], collateral: { USDC: 20000 } });
    beforeAll(async () => {
      expect((await t.call("PUT", "/v1/market", { body: exampleMarket() })).status).toBe(200);
    });

    it("answers the report netrisk venues --json prints (files, an account file, a stored account), with what it was computed from", async () => {
      const hlAccount = accountFileOf(unwrap(importVenue("hyperliquid", hl)));
      const stored = { ...hlAccount, model: "standard" };
      expect((await t.call("PUT", "/v1/accounts/hl-1", { body: stored })).status).toBe(201);
      const body = {
        accounts: [
          { venue: "deribit", files: deribit },
          { venue: "hyperliquid", label: "hyperliquid:a", account: hlAccount },
          { venue: "hyperliquid", label: "hyperliquid:b", accountId: "hl-1" },
        ],
      };
      const r = await t.call("POST", "/v1/venues/report", { body });
      expect(r.status).toBe(200);
      const market = unwrap(buildMarketContext(unwrap(validateMarket(exampleMarket()))));
      const imported = unwrap(importVenue("deribit", deribit));
      const direct = unwrap(
        crossVenueReport([
          { venue: "deribit", account: accountFileOf(imported), market, accountRef: "body.accounts[0]", marketRef: r.body.computedFrom.markets.deribit, venueFigures: imported.venueFigures },
          { venue: "hyperliquid", label: "hyperliquid:a", account: hlAccount, market, accountRef: "body.accounts[1]", marketRef: r.body.computedFrom.markets.deribit },
          { venue: "hyperliquid", label: "hyperliquid:b", account: stored, market, accountRef: "hl-1", marketRef: r.body.computedFrom.markets.deribit },
        ]),
      );
      const { computedFrom, ...report } = r.body;
      expect(report).toEqual(plain(direct));
      expect(computedFrom.accounts).toEqual({ "hyperliquid:b": { id: "hl-1", version: 1 } });
      expect(report.venues.map((v: { label: string }) => v.label)).toEqual(["deribit", "hyperliquid:a", "hyperliquid:b"]);
      expect(report.capitalFreedUsd.initialMargin).toBeCloseTo(report.sum.initialMarginUsd - report.unified.figures.initialMarginUsd, 6);
    }, 60_000);

    it("codes bad input: two sources, an unknown model, a bad market, a bad record, a stored account the key may not use", async () => {
      const both = await t.call("POST", "/v1/venues/report", { body: { accounts: [{ venue: "deribit", files: deribit, accountId: "hl-1" }] } });
      expect([both.status, both.body.error.code, both.body.error.issues[0].path]).toEqual([400, "invalid_value", "body.accounts[0]"]);
      const model = await t.call("POST", "/v1/venues/report", { body: { model: "nope", accounts: [{ venue: "deribit", files: deribit }] } });
      expect([model.status, model.body.error.code]).toEqual([400, "unknown_model"]);
      const varModel = await t.call("POST", "/v1/venues/report", { body: { model: "var", accounts: [{ venue: "deribit", files: deribit }] } });
      expect([varModel.status, varModel.body.error.code]).toEqual([400, "unsupported"]);
      const market = await t.call("POST", "/v1/venues/report", { body: { accounts: [{ venue: "deribit", files: deribit, market: { timestamp: "x" } }] } });
      expect(market.status).toBe(400);
      expect(market.body.error.issues[0].path).toMatch(/^body\.accounts\[0\]\.market/);
      const bad = plain(deribit) as { name: string; json: { result: Record<string, unknown>[] } }[];
      const positions = bad.find((f) => f.name.includes("positions")) as { json: { result: Record<string, unknown>[] } };
      (positions.json.result[0] as Record<string, unknown>).instrument_name = "BTC-99XYZ99";
      const rec = await t.call("POST", "/v1/venues/report", { body: { accounts: [{ venue: "deribit", files: bad }] } });
      expect(rec.status).toBe(400);
      expect(rec.body.error.issues[0].path).toMatch(/^body\.accounts\[0\]\.files\[\d\]\.json\.result\[0\]\.instrument_name$/);
      const trader = await t.key("trader", ["other"]);
      const denied = await t.call("POST", "/v1/venues/report", { key: trader.apiKey, body: { accounts: [{ venue: "hyperliquid", accountId: "hl-1" }] } });
      expect([denied.status, denied.body.error.code, denied.body.error.issues[0].path]).toEqual([403, "forbidden", "body.accounts[0].accountId"]);
    }, 60_000);
  });

  describe("POST /api/v5/account/position-builder (OKX's envelope)", () => {
    const published = json("test/fixtures/okx/position-builder-2025-01-15.json") as { request: Record<string, unknown>; response: { data: Record<string, unknown>[] } };
    let svc: TestService;
    beforeAll(async () => {
      svc = t; // the same service, now on the example's market
      expect((await svc.call("PUT", "/v1/market", { body: json("examples/okx-2025-01-15/market.json") })).status).toBe(200);
    });

    it("answers OKX's published request with OKX's published figures, as the library does", async () => {
      const r = await svc.call("POST", "/api/v5/account/position-builder", { body: published.request });
      expect(r.status).toBe(200);
      expect([r.body.code, r.body.msg]).toEqual(["0", ""]);
      const market = unwrap(buildMarketContext(unwrap(validateMarket(json("examples/okx-2025-01-15/market.json")))));
      expect(r.body).toEqual(plain(unwrap(okxPositionBuilder({ request: published.request, market }))));
      const theirs = published.response.data[0] as Record<string, string>;
      for (const k of ["totalMmr", "totalImr", "marginRatio", "eq"]) expect(Number(r.body.data[0][k])).toBeCloseTo(Number(theirs[k]), 4);
    });

    it("counts the real positions and balances of the key's account (inclRealPosAndEq)", async () => {
      expect((await svc.call("PUT", "/v1/accounts/okx-1", { body: json("examples/okx-2025-01-15/account.json") })).status).toBe(201);
      const trader = await svc.key("trader", ["okx-1"]);
      const r = await svc.call("POST", "/api/v5/account/position-builder", { key: trader.apiKey, body: { inclRealPosAndEq: true, simPos: [] } });
      expect(r.status).toBe(200);
      const theirs = published.response.data[0] as Record<string, string>;
      for (const k of ["totalMmr", "totalImr", "marginRatio"]) expect(Number(r.body.data[0][k])).toBeCloseTo(Number(theirs[k]), 4);
      const admin = await svc.call("POST", "/api/v5/account/position-builder", { body: { account: "okx-1", simPos: [] } });
      expect(admin.body.data[0].totalMmr).toBe(r.body.data[0].totalMmr);
    });

    it("answers errors in OKX's envelope with OKX's codes and netrisk's error document", async () => {
      const lv3 = await svc.call("POST", "/api/v5/account/position-builder", { body: { acctLv: "3", inclRealPosAndEq: false, simPos: [] } });
      expect(lv3.status).toBe(400);
      expect(lv3.body).toMatchObject({ code: "51000", data: [], error: { code: "unsupported" } });
      expect(lv3.body.msg).toMatch(/^acctLv: /);
      const noAccount = await svc.call("POST", "/api/v5/account/position-builder", { body: { simPos: [] } });
      expect([noAccount.status, noAccount.body.code, noAccount.body.error.issues[0].path]).toEqual([400, "50014", "account"]);
      const unknown = await svc.call("POST", "/api/v5/account/position-builder", { body: { inclRealPosAndEq: false, simPos: [{ instId: "BTC-USDT-SWAPX", pos: "1" }] } });
      expect([unknown.status, unknown.body.code]).toEqual([400, "51001"]);
      const anonymous = await svc.call("POST", "/api/v5/account/position-builder", { key: null, body: { simPos: [] } });
      expect([anonymous.status, anonymous.body.code, anonymous.body.error.code]).toEqual([401, "50111", "unauthorized"]);
      const notJson = await svc.call("POST", "/api/v5/account/position-builder", { raw: "{" });
      expect([notJson.status, notJson.body.code]).toEqual([400, "50002"]);
    });
  });
});
