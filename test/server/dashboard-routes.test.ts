/**
 * The routes the dashboard added to the API (docs/server.md): the static files at / and /assets/* (no auth, security
 * headers, nothing outside the folder), GET /v1/whoami, GET /v1/rankings (its queue agrees with GET /v1/summary and
 * its amounts with the live core's formula), GET /v1/accounts/{id}/history (recomputed from the audit log; its last
 * point equals the figures served now; a parameter version shows as a change of set), POST .../whatif with include
 * (the analysis equals the Greeks and distance routes), and the bundled presets of GET /v1/parameter-sets.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { healthyAmountUsd, marginCallAmountUsd } from "../../src/live/health.js";
import { DEFAULT_LIVE_PARAMS } from "../../src/live/params.js";
import { dashboardFiles } from "../../src/server/static.js";
import { exampleAccount, exampleMarket, startTestService } from "./helpers.js";
import type { TestService } from "./helpers.js";

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(1, Math.abs(b));

describe("dashboard routes", () => {
  let t: TestService;
  let dir: string;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "netrisk-web-"));
    mkdirSync(join(dir, "assets"));
    writeFileSync(join(dir, "index.html"), "<!doctype html><title>x</title>");
    writeFileSync(join(dir, "assets", "index-abc.js"), "console.log(1)");
    writeFileSync(join(dir, "secret.txt"), "not served");
    t = await startTestService({ kind: "pglite" }, { fallback: dashboardFiles(dir) });
    expect((await t.call("PUT", "/v1/market", { body: exampleMarket() })).status).toBe(200);
    const base = exampleAccount();
    // A book in every state: the example account, a stressed copy (short perpetuals, little collateral), a small one.
    expect((await t.call("PUT", "/v1/accounts/a-ok", { body: base })).status).toBe(201);
    expect((await t.call("PUT", "/v1/accounts/b-call", { body: { positions: [{ instrument: "BTC-PERPETUAL", size: -10 }], collateral: { BTC: 0.9 } } })).status).toBe(201);
    expect((await t.call("PUT", "/v1/accounts/c-liq", { body: { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 10 }], collateral: { USDC: 40000 } } })).status).toBe(201);
    expect((await t.call("PUT", "/v1/accounts/d-flat", { body: { positions: [], collateral: { USDC: 1000 } } })).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("serves / and /assets/* without a key, with security headers and ETags; nothing else from the folder", async () => {
    const root = await fetch(`${t.url}/`);
    expect(root.status).toBe(200);
    expect(root.headers.get("content-type")).toMatch(/^text\/html/);
    expect(root.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(root.headers.get("x-content-type-options")).toBe("nosniff");
    expect(root.headers.get("cache-control")).toBe("no-cache");
    const asset = await fetch(`${t.url}/assets/index-abc.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get("content-type")).toMatch(/^text\/javascript/);
    expect(asset.headers.get("cache-control")).toContain("immutable");
    const etag = asset.headers.get("etag") ?? "";
    expect((await fetch(`${t.url}/assets/index-abc.js`, { headers: { "if-none-match": etag } })).status).toBe(304);
    expect((await fetch(`${t.url}/`, { method: "HEAD" })).status).toBe(200);
    for (const p of ["/secret.txt", "/assets/missing.js", "/assets/..%2fsecret.txt", "/assets/../secret.txt"]) {
      const r = await fetch(`${t.url}${p}`);
      expect(r.status, p).toBe(404);
      expect(await r.text(), p).not.toContain("not served");
    }
    expect((await fetch(`${t.url}/`, { method: "POST" })).status).toBe(404);
    // The API still needs its key.
    expect((await fetch(`${t.url}/v1/summary`)).status).toBe(401);
  });

  it("without a built folder, / says how to build it", async () => {
    const f = dashboardFiles(join(dir, "nowhere"));
    const s = await startTestService({ kind: "pglite" }, { fallback: f });
    try {
      const r = await fetch(`${s.url}/`);
      expect(r.status).toBe(404);
      expect(await r.text()).toContain("npm run build");
    } finally {
      await s.close();
    }
  }, 60_000);

  it("the new routes are in /openapi.json", async () => {
    const doc = (await t.call("GET", "/openapi.json", { key: null })).body;
    for (const p of ["/v1/whoami", "/v1/rankings", "/v1/accounts/{id}/history"]) expect(Object.keys(doc.paths), p).toContain(p);
    expect(JSON.stringify(doc.paths["/v1/accounts/{id}/whatif"])).toContain("include");
  });

  it("GET /v1/whoami names the key's role and accounts", async () => {
    expect((await t.call("GET", "/v1/whoami")).body).toMatchObject({ role: "admin", accounts: null });
    const trader = await t.key("trader", ["a-ok"]);
    expect((await t.call("GET", "/v1/whoami", { key: trader.apiKey })).body).toEqual({ clientId: trader.clientId, role: "trader", accounts: ["a-ok"] });
    expect((await t.call("GET", "/v1/whoami", { key: null })).status).toBe(401);
  });

  it("GET /v1/rankings: the queue agrees with /v1/summary, sorted worst first, with the live core's deposit amounts", async () => {
    const summary = (await t.call("GET", "/v1/summary")).body;
    const r = await t.call("GET", "/v1/rankings?limit=3");
    expect(r.status).toBe(200);
    expect(r.body.accounts).toBe(summary.accounts);
    for (const s of ["margin_call", "liquidation", "bankrupt"]) expect(r.body.queue[s].count, s).toBe(summary.byHealth[s]);
    const queued = [...r.body.queue.margin_call.accounts, ...r.body.queue.liquidation.accounts, ...r.body.queue.bankrupt.accounts];
    expect(queued.length).toBeGreaterThan(0);
    for (const q of queued) {
      const doc = (await t.call("GET", `/v1/accounts/${q.id}`)).body.figures;
      expect(q.figures).toEqual(doc.figures);
      expect(q.amountNeededUsd).toBe(marginCallAmountUsd(doc.figures, doc.health.thresholds, DEFAULT_LIVE_PARAMS.hysteresis));
      expect(q.toHealthyUsd).toBe(healthyAmountUsd(doc.figures, doc.health.thresholds, DEFAULT_LIVE_PARAMS.hysteresis));
      expect(q.amountNeededUsd).toBeGreaterThan(0);
    }
    const ims = r.body.largestByInitialMargin.map((a: { figures: { initialMarginUsd: number } }) => a.figures.initialMarginUsd);
    expect(ims).toEqual([...ims].sort((a, b) => b - a));
    expect(r.body.largestByInitialMargin).toHaveLength(3);
    for (const c of r.body.closestToLiquidation) {
      expect(["healthy", "warning", "margin_call"]).toContain(c.health);
      const d = (await t.call("GET", `/v1/accounts/${c.id}/distance`)).body.distanceToLiquidation;
      expect(c.distance).toEqual(d.together === undefined ? null : { down: d.together.down.liquidation?.moveDecimal ?? null, up: d.together.up.liquidation?.moveDecimal ?? null });
    }
    const risk = await t.key("risk");
    expect((await t.call("GET", "/v1/rankings", { key: risk.apiKey })).status).toBe(200);
    const trader = await t.key("trader", ["a-ok"]);
    expect((await t.call("GET", "/v1/rankings", { key: trader.apiKey })).status).toBe(403);
    expect((await t.call("GET", "/v1/rankings?limit=0")).status).toBe(400);
  }, 60_000);

  it("GET .../history: a point per input change from the audit log; the last equals the figures served now", async () => {
    await t.call("PUT", "/v1/accounts/h-1", { body: { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 1 }], collateral: { USDC: 50000 } } });
    const feed = await t.key("feed");
    expect((await t.call("POST", "/v1/accounts/h-1/fills", { key: feed.apiKey, body: { instrument: "BTC_USDC-PERPETUAL", size: "2", price: "90000", tradeId: "H-1" } })).status).toBe(200);
    const moved = exampleMarket() as { timestamp: string; index: Record<string, number> };
    const market2 = { ...moved, timestamp: "2026-03-02T13:00:00.000Z", index: { ...moved.index, BTC: 84000 } };
    expect((await t.call("PUT", "/v1/market", { body: market2 })).status).toBe(200);
    const h = await t.call("GET", "/v1/accounts/h-1/history");
    expect(h.status).toBe(200);
    const causes = h.body.points.map((p: { cause: string }) => p.cause);
    expect(causes).toEqual(["account.create", "fills.apply", "market.put"]);
    expect(h.body.points.map((p: { accountVersion: number }) => p.accountVersion)).toEqual([1, 2, 2]);
    const now = (await t.call("GET", "/v1/accounts/h-1")).body;
    const last = h.body.points[h.body.points.length - 1];
    expect(last.marketId).toBe(now.computedFrom.marketId);
    for (const k of ["equityUsd", "initialMarginUsd", "maintenanceMarginUsd"]) expect(rel(last.figures[k], now.figures.figures[k]), k).toBeLessThan(1e-12);
    expect(last.state).toBe(now.figures.health.state);
    // The first point was on the first market: IM of one contract there is below IM of three contracts after.
    expect(h.body.points[0].figures.initialMarginUsd).toBeLessThan(h.body.points[1].figures.initialMarginUsd);
    expect(h.body.thresholds).toEqual(now.figures.health.thresholds);
    expect((await t.call("GET", "/v1/accounts/h-1/history?limit=1")).body.points).toHaveLength(1);
    expect((await t.call("GET", "/v1/accounts/nobody/history")).status).toBe(404);
    const trader = await t.key("trader", ["a-ok"]);
    expect((await t.call("GET", "/v1/accounts/h-1/history", { key: trader.apiKey })).status).toBe(403);
    // Restore the first market for the other tests.
    expect((await t.call("PUT", "/v1/market", { body: exampleMarket() })).status).toBe(200);
  }, 60_000);

  it("GET /v1/parameter-sets lists the bundled presets, readable by name and version; a stored version is a marker in the history", async () => {
    const list = (await t.call("GET", "/v1/parameter-sets")).body;
    const deribit = list.bundled.find((b: { name: string }) => b.name === "deribit");
    expect(deribit).toMatchObject({ model: "deribit", inForce: true });
    const doc = await t.call("GET", `/v1/parameter-sets/deribit/${deribit.version}`);
    expect(doc.status).toBe(200);
    expect(doc.body).toMatchObject({ name: "deribit", version: deribit.version, bundled: true });
    expect((await t.call("GET", "/v1/parameter-sets/deribit/no-such")).status).toBe(404);
    const params = { ...doc.body.document, general: { ...doc.body.document.general, mm_factor: 0.85 } };
    const today = list.today as string;
    expect((await t.call("PUT", "/v1/parameter-sets/deribit/test-1", { body: { effective: today, parameters: { ...params, version: "test-1", effective: today } } })).status).toBe(201);
    const h = (await t.call("GET", "/v1/accounts/a-ok/history")).body;
    const sets = h.points.map((p: { parameterSet: { version: string } }) => p.parameterSet.version);
    expect(sets[0]).toBe(deribit.version);
    expect(sets[sets.length - 1]).toBe("test-1");
    expect(h.parameterChanges.map((p: { version: string }) => p.version)).toContain("test-1");
    const now = (await t.call("GET", "/v1/accounts/a-ok")).body;
    expect(now.computedFrom.parameterSet.version).toBe("test-1");
    expect(rel(h.points[h.points.length - 1].figures.maintenanceMarginUsd, now.figures.figures.maintenanceMarginUsd)).toBeLessThan(1e-12);
  }, 60_000);

  it("POST .../whatif with include: Greeks and distance before equal the account's routes; after differ with the trade", async () => {
    const w = await t.call("POST", "/v1/accounts/a-ok/whatif", { body: { trades: [{ instrument: "BTC-PERPETUAL", size: -2 }], include: ["greeks", "distance"] } });
    expect(w.status).toBe(200);
    const g = (await t.call("GET", "/v1/accounts/a-ok/greeks")).body;
    const d = (await t.call("GET", "/v1/accounts/a-ok/distance")).body;
    expect(w.body.analysis.before.greeks.byUnderlying).toEqual(g.byUnderlying);
    expect(w.body.analysis.before.distanceToLiquidation).toEqual(d.distanceToLiquidation);
    expect(w.body.analysis.after.greeks.byUnderlying.BTC.deltaCoin).toBeCloseTo(g.byUnderlying.BTC.deltaCoin - 2, 9);
    const plain = await t.call("POST", "/v1/accounts/a-ok/whatif", { body: { trades: [{ instrument: "BTC-PERPETUAL", size: -2 }] } });
    expect(plain.body.analysis).toBeUndefined();
    expect(plain.body.after).toEqual(w.body.after);
    expect((await t.call("POST", "/v1/accounts/a-ok/whatif", { body: { trades: [{ instrument: "BTC-PERPETUAL", size: 1 }], include: ["vanna"] } })).body.error.issues[0].path).toBe("body.include[0]");
  }, 60_000);
});
