/**
 * Versioned parameter sets and the change-impact preview (issue 10), on PGlite with a clock the test moves:
 * - a stored version is in force from its effective day (accounts follow it then, unless pinned), replaceable before
 *   that day and immutable from it (409);
 * - `POST /v1/parameter-sets/{name}/preview` gives, per account on the set, IM and MM now (equal to the figures the
 *   account route serves) and under the candidate (equal to the library's account document computed with the
 *   candidate set, as `netrisk account --params <file>` does), the accounts entering margin call / liquidation, and
 *   totals; pinned accounts are counted apart.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountDocument } from "../../src/account/document.js";
import { ok, unwrap } from "../../src/errors.js";
import { createAccountBinder } from "../../src/io/account-binder.js";
import { validateMarket } from "../../src/io/market.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { randomBytes } from "node:crypto";
import { startServer } from "../../src/server/app.js";
import { manualClock } from "../../src/server/ports.js";
import { exampleAccount, exampleMarket, startTestService } from "./helpers.js";
import type { TestService } from "./helpers.js";

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(a), Math.abs(b), 1e-300);
const preset = JSON.parse(readFileSync(new URL("../../presets/deribit.json", import.meta.url), "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
/** The candidate: Deribit's preset with a wider BTC price range (16 % → 24 %): more margin on BTC books. */
const VERSION = "2026.03.10-1";
const candidate = { ...preset, version: VERSION, effective: "2026-03-10", currency_pair: { ...preset.currency_pair, btc_usd: { ...preset.currency_pair.btc_usd, price_range: 0.24 } } };

/** The account document the library computes with a given deribit set document (what the CLI prints with --params). */
function libraryFigures(account: unknown, setDocument: Record<string, unknown>, version: string) {
  const ctx = unwrap(buildMarketContext(unwrap(validateMarket(exampleMarket()))));
  const binder = createAccountBinder(ctx, (name) => ok({ name, version, document: name === "deribit" ? setDocument : {} }));
  const bound = unwrap(binder.bind(account));
  return unwrap(accountDocument({ ...bound, accountRef: "x", marketRef: "x" }, { distance: false })).figures;
}

describe("parameter sets and the change-impact preview (PGlite)", () => {
  let t: TestService;
  const clock = manualClock(Date.parse("2026-03-02T12:00:00Z"));
  const stressed = { positions: [{ instrument: "BTC-PERPETUAL", size: -10 }, { instrument: "BTC-27MAR26", size: 4 }], collateral: { BTC: 1.05 } };
  beforeAll(async () => {
    t = await startTestService({ kind: "pglite" }, { clock });
    expect((await t.call("PUT", "/v1/market", { body: exampleMarket() })).status).toBe(200);
    expect((await t.call("PUT", "/v1/accounts/a-1", { body: exampleAccount() })).status).toBe(201);
    expect((await t.call("PUT", "/v1/accounts/a-2", { body: stressed })).status).toBe(201);
    expect((await t.call("PUT", "/v1/accounts/a-pinned", { body: { ...stressed, parameterSetVersion: preset.version } })).status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it("a version is stored with its effective date; before that day accounts stay on the version in force", async () => {
    const put = await t.call("PUT", `/v1/parameter-sets/deribit/${VERSION}`, { body: { effective: "2026-03-10", parameters: candidate } });
    expect(put.status).toBe(201);
    expect(put.body).toMatchObject({ name: "deribit", version: VERSION, effective: "2026-03-10" });
    // Not yet effective: it may be replaced (200).
    expect((await t.call("PUT", `/v1/parameter-sets/deribit/${VERSION}`, { body: { effective: "2026-03-10", parameters: candidate } })).status).toBe(200);
    const list = await t.call("GET", "/v1/parameter-sets");
    expect(list.body.today).toBe("2026-03-02");
    expect(list.body.sets).toEqual([expect.objectContaining({ name: "deribit", version: VERSION, inForce: false })]);
    expect(list.body.bundled).toContainEqual(expect.objectContaining({ name: "deribit", version: preset.version, inForce: true }));
    const got = await t.call("GET", `/v1/parameter-sets/deribit/${VERSION}`);
    expect(got.body.document.currency_pair.btc_usd.price_range).toBe(0.24);
    const acc = await t.call("GET", "/v1/accounts/a-1");
    expect(acc.body.computedFrom.parameterSet).toEqual({ name: "deribit", version: preset.version });
    // A set the model rejects is refused with the path of the bad field, nothing stored.
    const bad = await t.call("PUT", "/v1/parameter-sets/deribit/bad-1", { body: { effective: "2026-03-10", parameters: { ...candidate, version: "bad-1", currency_pair: { btc_usd: { ...candidate.currency_pair.btc_usd, price_range: -1 } } } } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toMatch(/^body\.parameters\.currency_pair\.btc_usd\.price_range/);
    expect((await t.call("GET", "/v1/parameter-sets/deribit/bad-1")).status).toBe(404);
  });

  it("preview: IM and MM now (as served) and under the candidate (as the library computes with that set), who enters margin call, totals", async () => {
    const p = await t.call("POST", "/v1/parameter-sets/deribit/preview", { body: { version: VERSION } });
    expect(p.status).toBe(200);
    expect(p.body.candidate.version).toBe(VERSION);
    expect(p.body.pinned).toBe(1);
    expect(p.body.failed).toEqual([]);
    expect(p.body.accounts.map((a: { id: string }) => a.id).sort()).toEqual(["a-1", "a-2"]);
    const docs: Record<string, unknown> = { "a-1": exampleAccount(), "a-2": stressed };
    for (const row of p.body.accounts as { id: string; now: Record<string, number | string>; candidate: Record<string, number | string>; change: Record<string, number> }[]) {
      const served = (await t.call("GET", `/v1/accounts/${row.id}`)).body.figures;
      expect(rel(row.now.initialMarginUsd as number, served.figures.initialMarginUsd), row.id).toBeLessThan(1e-9);
      expect(rel(row.now.maintenanceMarginUsd as number, served.figures.maintenanceMarginUsd), row.id).toBeLessThan(1e-9);
      expect(row.now.state).toBe(served.health.state);
      const lib = libraryFigures(docs[row.id], candidate, VERSION);
      expect(rel(row.candidate.initialMarginUsd as number, lib.initialMarginUsd), row.id).toBeLessThan(1e-9);
      expect(rel(row.candidate.maintenanceMarginUsd as number, lib.maintenanceMarginUsd), row.id).toBeLessThan(1e-9);
      expect(row.change.initialMarginUsd).toBeCloseTo((row.candidate.initialMarginUsd as number) - (row.now.initialMarginUsd as number), 6);
    }
    const a2 = p.body.accounts.find((a: { id: string }) => a.id === "a-2");
    expect(a2.candidate.initialMarginUsd).toBeGreaterThan(a2.now.initialMarginUsd);
    const sum = (k: "now" | "candidate", f: string) => p.body.accounts.reduce((s: number, a: Record<string, Record<string, number>>) => s + (a[k]?.[f] ?? 0), 0);
    expect(rel(p.body.totals.now.initialMarginUsd, sum("now", "initialMarginUsd"))).toBeLessThan(1e-12);
    expect(rel(p.body.totals.candidate.maintenanceMarginUsd, sum("candidate", "maintenanceMarginUsd"))).toBeLessThan(1e-12);
    const entering = p.body.accounts.filter((a: { now: { state: string }; candidate: { state: string } }) => ["margin_call", "liquidation", "bankrupt"].includes(a.candidate.state) && !["margin_call", "liquidation", "bankrupt"].includes(a.now.state)).map((a: { id: string }) => a.id);
    expect(p.body.enteringMarginCall).toEqual(entering);
    // A changed account is previewed as it is now (the preview's kept "now" figures follow the account version).
    expect((await t.call("PUT", "/v1/accounts/a-2", { body: { ...stressed, collateral: { BTC: 2 } } })).status).toBe(200);
    const again = (await t.call("POST", "/v1/parameter-sets/deribit/preview", { body: { version: VERSION } })).body.accounts.find((a: { id: string }) => a.id === "a-2");
    const served2 = (await t.call("GET", "/v1/accounts/a-2")).body.figures.figures;
    expect(rel(again.now.equityUsd, served2.equityUsd)).toBeLessThan(1e-9);
    expect(again.now.equityUsd).not.toBe(a2.now.equityUsd);
    expect((await t.call("PUT", "/v1/accounts/a-2", { body: stressed })).status).toBe(200);
    // An inline candidate gives the same rows; an unknown version is a 404; a trader key may not preview.
    const inline = await t.call("POST", "/v1/parameter-sets/deribit/preview", { body: { parameters: candidate } });
    expect(inline.body.accounts).toEqual(p.body.accounts);
    expect((await t.call("POST", "/v1/parameter-sets/deribit/preview", { body: { version: "nope" } })).status).toBe(404);
    const trader = await t.key("trader", ["a-1"]);
    expect((await t.call("POST", "/v1/parameter-sets/deribit/preview", { key: trader.apiKey, body: { version: VERSION } })).status).toBe(403);
  });

  it("from its effective day the version is in force (pinned accounts stay) and can no longer change", async () => {
    const p = (await t.call("POST", "/v1/parameter-sets/deribit/preview", { body: { version: VERSION } })).body;
    clock.set(Date.parse("2026-03-10T00:00:01Z"));
    const acc = await t.call("GET", "/v1/accounts/a-2");
    expect(acc.body.computedFrom.parameterSet).toEqual({ name: "deribit", version: VERSION });
    const row = p.accounts.find((a: { id: string }) => a.id === "a-2");
    expect(rel(acc.body.figures.figures.initialMarginUsd, row.candidate.initialMarginUsd)).toBeLessThan(1e-9);
    const pinned = await t.call("GET", "/v1/accounts/a-pinned");
    expect(pinned.body.computedFrom.parameterSet).toEqual({ name: "deribit", version: preset.version });
    const again = await t.call("PUT", `/v1/parameter-sets/deribit/${VERSION}`, { body: { effective: "2026-03-10", parameters: { ...preset, version: VERSION, effective: "2026-03-10" } } });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe("version_conflict");
    expect((await t.call("GET", `/v1/parameter-sets/deribit/${VERSION}`)).body.document.currency_pair.btc_usd.price_range).toBe(0.24);
  });
});

describe("the preview right after a start (PGlite)", () => {
  it("is refused with 503 and Retry-After while the book binds the stored accounts, then answers", async () => {
    // A first server stores the market and an account; a second one on the same store starts with its account listing
    // held back, so its background binding (book.prewarm) is still running when the preview comes.
    const first = await startTestService({ kind: "pglite" });
    try {
      expect((await first.call("PUT", "/v1/market", { body: exampleMarket() })).status).toBe(200);
      expect((await first.call("PUT", "/v1/accounts/a-1", { body: exampleAccount() })).status).toBe(201);
      let release = (): void => undefined;
      const gate = new Promise<void>((r) => (release = r));
      const store = first.store;
      const held = { ...store, listAccounts: async (q: Parameters<typeof store.listAccounts>[0]) => (await gate, store.listAccounts(q)), close: async () => undefined };
      const second = await startServer({ store: held, serverKey: randomBytes(32), host: "127.0.0.1", port: 0 });
      try {
        const preview = () => fetch(`${second.url}/v1/parameter-sets/deribit/preview`, { method: "POST", headers: { authorization: `Bearer ${first.adminKey}`, "content-type": "application/json" }, body: JSON.stringify({ parameters: candidate }) });
        const refused = await preview();
        expect(refused.status).toBe(503);
        expect(refused.headers.get("retry-after")).toBe("1");
        expect(((await refused.json()) as { error: { code: string; issues: { path: string }[] } }).error).toMatchObject({ code: "unavailable", issues: [{ path: "accounts" }] });
        release();
        await second.prewarmed;
        const answered = await preview();
        expect(answered.status).toBe(200);
        expect(((await answered.json()) as { accounts: { id: string }[] }).accounts.map((a) => a.id)).toEqual(["a-1"]);
      } finally {
        release();
        await second.close();
      }
    } finally {
      await first.close();
    }
  }, 180_000);
});

describe("after a market or parameter-set change (PGlite)", () => {
  it("a new day binds every account again in the background: a version coming into force is followed by no request but the first", async () => {
    const clock = manualClock(Date.parse("2026-03-09T23:59:00Z"));
    const first = await startTestService({ kind: "pglite" }, { clock });
    try {
      expect((await first.call("PUT", "/v1/market", { body: exampleMarket() })).status).toBe(200);
      for (const id of ["d-1", "d-2", "d-3"]) expect((await first.call("PUT", `/v1/accounts/${id}`, { body: exampleAccount() })).status).toBe(201);
      // Effective tomorrow (2026-03-10): not in force yet, every binding on the preset.
      expect((await first.call("PUT", `/v1/parameter-sets/deribit/${VERSION}`, { body: { effective: "2026-03-10", parameters: candidate } })).status).toBe(201);
      // A second server on the same store and clock whose account listings (one per background pass) are counted.
      let listings = 0;
      const store = first.store;
      const counted = { ...store, listAccounts: async (q: Parameters<typeof store.listAccounts>[0]) => (listings++, store.listAccounts(q)), close: async () => undefined };
      const second = await startServer({ store: counted, serverKey: randomBytes(32), host: "127.0.0.1", port: 0, clock });
      const book = second.service.deps.book;
      const get = async (path: string) => (await (await fetch(`${second.url}${path}`, { headers: { authorization: `Bearer ${first.adminKey}` } })).json()) as any; // eslint-disable-line @typescript-eslint/no-explicit-any
      try {
        await second.prewarmed;
        const before = await get("/v1/accounts/d-1");
        expect(before.computedFrom.parameterSet.version).not.toBe(VERSION);
        const listed = listings;
        // Midnight passes. The first request after it follows the new day, and every account is bound again in the
        // background: one more listing (without it, none: the bindings are dropped and made one request at a time).
        clock.advance(2 * 60_000);
        const after = await get("/v1/accounts/d-1");
        expect(after.computedFrom.parameterSet).toEqual({ name: "deribit", version: VERSION });
        for (const deadline = Date.now() + 10_000; listings === listed && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 5));
        expect(listings).toBe(listed + 1);
        await book.warmed();
        expect(book.warming()).toBeNull();
        // The same day again: nothing more is bound.
        await get("/v1/accounts/d-2");
        expect(listings).toBe(listed + 1);
      } finally {
        await second.close();
      }
    } finally {
      await first.close();
    }
  }, 180_000);

  it("binds every account again in the background: the preview answers 503 + Retry-After until done, then the figures served", async () => {
    const first = await startTestService({ kind: "pglite" });
    try {
      expect((await first.call("PUT", "/v1/market", { body: exampleMarket() })).status).toBe(200);
      expect((await first.call("PUT", "/v1/accounts/a-1", { body: exampleAccount() })).status).toBe(201);
      // A second server on the same store whose account listings are counted and can be held back.
      let gate: Promise<void> | null = null;
      let release = (): void => undefined;
      let listings = 0;
      const store = first.store;
      const held = { ...store, listAccounts: async (q: Parameters<typeof store.listAccounts>[0]) => (listings++, gate !== null && (await gate), store.listAccounts(q)), close: async () => undefined };
      const second = await startServer({ store: held, serverKey: randomBytes(32), host: "127.0.0.1", port: 0 });
      const book = second.service.deps.book;
      const call = async (method: string, path: string, body?: unknown) => {
        const r = await fetch(`${second.url}${path}`, { method, headers: { authorization: `Bearer ${first.adminKey}`, "content-type": "application/json" }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
        return { status: r.status, retryAfter: r.headers.get("retry-after"), body: (await r.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
      };
      const preview = () => call("POST", "/v1/parameter-sets/deribit/preview", { parameters: candidate });
      /** A change through `change()` while listings are held: bound again in the background, by no request. */
      const changeAndRebind = async (change: () => Promise<{ status: number }>, status: number) => {
        gate = new Promise<void>((r) => (release = r));
        const listed = listings;
        expect((await change()).status).toBe(status);
        expect(book.warming()).toEqual({ accountsDone: 0 });
        for (const deadline = Date.now() + 10_000; listings === listed && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 5));
        expect(listings).toBe(listed + 1);
        const refused = await preview();
        expect(refused.status).toBe(503);
        expect(refused.retryAfter).toBe("1");
        expect(refused.body.error).toMatchObject({ code: "unavailable", issues: [{ path: "accounts" }] });
        gate = null;
        release();
        await book.warmed();
        expect(book.warming()).toBeNull();
        const answered = await preview();
        expect(answered.status).toBe(200);
        const served = await call("GET", "/v1/accounts/a-1");
        expect(answered.body.marketId).toBe(served.body.computedFrom.marketId);
        expect(answered.body.accounts.map((a: { id: string }) => a.id)).toEqual(["a-1"]);
        expect(answered.body.accounts[0].now.initialMarginUsd).toBe(served.body.figures.figures.initialMarginUsd);
        return served.body;
      };
      try {
        await second.prewarmed;
        expect(book.warming()).toBeNull();
        const atStart = (await call("GET", "/v1/accounts/a-1")).body;
        // A new market (another snapshot id): every binding was on the old one.
        const moved = { ...(exampleMarket() as Record<string, unknown>), source: "a later snapshot of the example market" };
        const onMoved = await changeAndRebind(() => call("PUT", "/v1/market", moved), 200);
        expect(onMoved.computedFrom.marketId).not.toBe(atStart.computedFrom.marketId);
        // The same market again changes no binding: nothing is bound again.
        const listed = listings;
        expect((await call("PUT", "/v1/market", moved)).status).toBe(200);
        expect(book.warming()).toBeNull();
        expect(listings).toBe(listed);
        // A parameter-set version in force from today: every binding followed the old version.
        const today = new Date().toISOString().slice(0, 10);
        const wider = await changeAndRebind(() => call("PUT", `/v1/parameter-sets/deribit/${VERSION}`, { effective: today, parameters: { ...candidate, effective: today } }), 201);
        expect(wider.computedFrom.parameterSet).toEqual({ name: "deribit", version: VERSION });
        expect(wider.figures.figures.initialMarginUsd).toBeGreaterThan(onMoved.figures.figures.initialMarginUsd);
      } finally {
        gate = null;
        release();
        await second.close();
      }
    } finally {
      await first.close();
    }
  }, 180_000);
});
