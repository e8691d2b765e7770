/**
 * The service with the live engine, run against both stores (live-pglite.test.ts, live-postgres.test.ts): ticks in
 * (POST, WebSocket), accounts re-margined with their figures equal between the service and the live core, events
 * stored with a global eventSeq and streamed (SSE and WebSocket) filtered and resumable without loss across a
 * reconnect and a server restart, auth, and every route's bad input answered with a coded error and nothing written.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compareDocuments } from "../live/helpers.js";
import type { Backend, LiveTestData, LiveTestServer } from "./live-helpers.js";
import { liveTestData, sse, wsClient } from "./live-helpers.js";

const MARKET = JSON.parse(readFileSync("examples/market.json", "utf8")) as { timestamp: string; index: Record<string, number> };
const T0 = Date.parse(MARKET.timestamp);
const tick = (seq: number, btc: number, minutes = seq) => ({ seq, ts: new Date(T0 + minutes * 60_000).toISOString(), index: { BTC: btc } });

/** A linear BTC perpetual long on USDC: healthy at 90,000, warning at 86,000, margin call at 82,000, liquidation at 78,000. */
const LEVERED = { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 5, averagePrice: 90000 }], collateral: { USDC: 100_000 } };
const ETH_ONLY = { positions: [{ instrument: "ETH-PERPETUAL", size: -20 }], collateral: { ETH: 10 } };

export function liveServiceContract(name: string, backend: () => Backend | null): void {
  describe(`live service: ${name}`, { timeout: 60_000 }, () => {
    let data: LiveTestData;
    let s: LiveTestServer;
    beforeAll(async () => {
      const b = backend();
      if (b === null) return;
      data = await liveTestData(b);
      s = await data.start();
    }, 120_000);
    afterAll(async () => {
      await s?.close();
      await data?.drop();
    }, 60_000);

    it("starts without a market (503 on ticks), then takes the market and accounts", async () => {
      expect((await s.call("GET", "/v1/live")).body.running).toBe(false);
      const t = await s.call("POST", "/v1/ticks", { body: tick(1, 89000) });
      expect([t.status, t.body.error.code]).toEqual([503, "unavailable"]);
      expect((await s.call("PUT", "/v1/market", { body: MARKET })).status).toBe(200);
      expect((await s.call("PUT", "/v1/accounts/lev", { body: LEVERED })).status).toBe(201);
      expect((await s.call("PUT", "/v1/accounts/eth", { body: ETH_ONLY })).status).toBe(201);
      const st = (await s.call("GET", "/v1/live")).body;
      expect([st.running, st.accounts]).toEqual([true, 2]);
      // An account stored without an entry price gets the live mark as its entry (the core's rule), so stored = live.
      const eth = (await s.call("GET", "/v1/accounts/eth")).body;
      expect(typeof eth.account.positions[0].averagePrice).toBe("number");
    });

    it("a tick moving BTC changes stored state and events; service figures equal the live core's", async () => {
      const before = (await s.call("GET", "/v1/accounts/lev")).body;
      const ethBefore = (await s.call("GET", "/v1/accounts/eth")).body;
      const r = await s.call("POST", "/v1/ticks", { key: await data.key(s, "feed"), body: [tick(1, 86000), tick(2, 82000)] });
      expect(r.status).toBe(200);
      expect([r.body.applied, r.body.ignored, r.body.rejected]).toEqual([2, 0, 0]);
      const after = (await s.call("GET", "/v1/accounts/lev")).body;
      expect(after.figures.figures.equityUsd).toBeLessThan(before.figures.figures.equityUsd);
      expect(after.figures.health.state).not.toBe(before.figures.health.state);
      expect(after.computedFrom.marketId).toBe(r.body.results[1].marketId);
      // The account not exposed to BTC did not move.
      expect((await s.call("GET", "/v1/accounts/eth")).body.figures.figures).toEqual(ethBefore.figures.figures);
      // The stored market is the one the core holds.
      const m = (await s.call("GET", "/v1/market")).body;
      expect(m.market.index.BTC).toBe(82000);
      expect(m.id).toBe(r.body.results[1].marketId);
      const st = (await s.call("GET", "/v1/live")).body;
      expect([st.marketId, st.lastTickSeq]).toEqual([m.id, 2]);
      // Figures served from the stored account on the stored market = the live core's document (1e-9 relative).
      const live = s.server.service.deps.live?.document("lev");
      expect(live?.ok).toBe(true);
      const cmp = compareDocuments((live as { value: { figures: unknown; health: { state: string } } }).value.figures, after.figures.figures, 1e-9);
      expect(cmp.diffs).toEqual([]);
      expect((live as { value: { health: { state: string } } }).value.health.state).toBe(after.figures.health.state);
      // A fill goes through the core too: the live figures follow the stored account.
      const f = await s.call("POST", "/v1/accounts/lev/fills", { body: { instrument: "BTC_USDC-PERPETUAL", size: -1, price: 82000, tradeId: "t-1" } });
      expect(f.status).toBe(200);
      const filled = (await s.call("GET", "/v1/accounts/lev")).body;
      const liveAfterFill = s.server.service.deps.live?.document("lev") as { ok: true; value: { figures: unknown } };
      expect(compareDocuments(liveAfterFill.value.figures, filled.figures.figures, 1e-9).diffs).toEqual([]);
      expect(filled.account.positions[0].size).toBe(4);
      const events = (await s.call("GET", "/v1/events")).body;
      expect(events.events.length).toBeGreaterThan(0);
      expect(events.events.map((e: { eventSeq: number }) => e.eventSeq)).toEqual(events.events.map((_: unknown, i: number) => i + 1));
      expect(events.events.some((e: { type: string; account?: string }) => e.type === "health_changed" && e.account === "lev")).toBe(true);
    });

    it("streams as server-sent events: catch-up from an eventSeq, live events, resume with Last-Event-ID without loss", async () => {
      const all0 = (await s.call("GET", "/v1/events")).body.events as { eventSeq: number }[];
      // From the start: the stored events first, in eventSeq order, with the SSE id = eventSeq.
      const a = await sse(`${s.url}/v1/stream?after=0`, { authorization: `Bearer ${data.adminKey}` });
      await a.until((e) => e.length >= all0.length);
      expect(a.events.map((e) => Number(e.id))).toEqual(all0.map((e) => e.eventSeq));
      expect(a.events.map((e) => e.data)).toEqual(all0);
      // Live: a tick's events arrive on the open stream.
      const r3 = await s.call("POST", "/v1/ticks", { body: tick(3, 72000) });
      expect(r3.body.results[0].events).toBeGreaterThan(0);
      await a.until((e) => e.length === all0.length + r3.body.results[0].events);
      const lastSeen = a.events[a.events.length - 1]?.id as string;
      a.close();
      // Events while disconnected, then a reconnect with Last-Event-ID: exactly the missed ones.
      await s.call("POST", "/v1/ticks", { body: [tick(4, 90000), tick(5, 95000)] });
      const all = (await s.call("GET", "/v1/events")).body.events as { eventSeq: number }[];
      const missed = all.filter((e) => e.eventSeq > Number(lastSeen));
      expect(missed.length).toBeGreaterThan(0);
      const b = await sse(`${s.url}/v1/stream`, { authorization: `Bearer ${data.adminKey}`, "last-event-id": lastSeen });
      await b.until((e) => e.length >= missed.length);
      expect(b.events.map((e) => e.data)).toEqual(missed);
      b.close();
      // `from` is inclusive.
      const c = await sse(`${s.url}/v1/stream?from=2&type=health_changed`, { authorization: `Bearer ${data.adminKey}` });
      const hc = all.filter((e) => e.eventSeq >= 2 && (e as { type?: string }).type === "health_changed");
      await c.until((e) => e.length >= hc.length);
      expect(c.events.map((e) => e.data)).toEqual(hc);
      c.close();
    });

    it("streams over a WebSocket filtered by account and type, with the figures channel at a bounded rate", async () => {
      const w = await wsClient(`${s.url.replace("http", "ws")}/v1/stream?account=lev&type=health_changed,figures&figuresIntervalMs=100`, { authorization: `Bearer ${data.adminKey}` });
      await s.call("POST", "/v1/ticks", { body: [tick(6, 84000), tick(7, 80000)] });
      await w.until((m) => m.some((x) => x.type === "health_changed") && m.some((x) => x.type === "figures"));
      for (const m of w.messages) {
        expect(m.account).toBe("lev");
        expect(["health_changed", "figures"]).toContain(m.type);
      }
      const f = w.messages.find((m) => m.type === "figures");
      // The replay's figures line: { seq, type: "figures", account, figures: the account document }.
      expect(Object.keys(f).sort()).toEqual(["account", "figures", "seq", "type"]);
      const served = (await s.call("GET", "/v1/accounts/lev")).body.figures;
      expect(compareDocuments(f.figures.figures, served.figures, 1e-9).diffs).toEqual([]);
      // Two ticks within one interval: at most one figures message per account per interval.
      expect(w.messages.filter((m) => m.type === "figures").length).toBeLessThanOrEqual(2);
      w.close();
    });

    it("lets a trader's key see only its accounts; feed keys write ticks but read no stream; stream tokens work", async () => {
      const trader = await data.key(s, "trader", ["eth"]);
      const feed = await data.key(s, "feed");
      const own = await s.call("GET", "/v1/events?after=0", { key: trader });
      expect(own.status).toBe(200);
      expect(own.body.events.every((e: { account?: string }) => e.account === "eth")).toBe(true);
      const other = await s.call("GET", "/v1/events?account=lev", { key: trader });
      expect([other.status, other.body.error.code, other.body.error.issues[0].path]).toEqual([403, "forbidden", "query.account[0]"]);
      const t = await sse(`${s.url}/v1/stream?account=lev`, { authorization: `Bearer ${trader}` });
      expect(t.status).toBe(403);
      expect((await sse(`${s.url}/v1/stream`, { authorization: `Bearer ${feed}` })).status).toBe(403);
      expect((await sse(`${s.url}/v1/stream`)).status).toBe(401);
      expect((await s.call("POST", "/v1/ticks", { key: trader, body: tick(100, 1) })).status).toBe(403);
      // A trader's WebSocket stream: only its account's events (an ETH move).
      const token = (await s.call("POST", "/v1/stream-tokens", { key: trader })).body.token as string;
      const w = await wsClient(`${s.url.replace("http", "ws")}/v1/stream?after=0&token=${token}`);
      await s.call("POST", "/v1/ticks", { key: feed, body: { seq: 8, ts: new Date(T0 + 8 * 60_000).toISOString(), index: { ETH: 4500, BTC: 80000 } } });
      await w.until((m) => m.length > 0);
      await new Promise((r) => setTimeout(r, 200));
      expect(w.messages.every((m) => m.account === "eth")).toBe(true);
      w.close();
      await expect(wsClient(`${s.url.replace("http", "ws")}/v1/stream?account=lev&token=${token}`)).rejects.toThrow("HTTP 403");
      await expect(wsClient(`${s.url.replace("http", "ws")}/v1/stream`)).rejects.toThrow("HTTP 401");
    });

    it("answers bad input with coded errors and applies nothing of a refused request", async () => {
      const before = (await s.call("GET", "/v1/live")).body;
      const market = (await s.call("GET", "/v1/market")).body.id;
      const bad = async (body: unknown, raw?: string) => s.call("POST", "/v1/ticks", raw !== undefined ? { raw } : { body });
      let r = await bad({ seq: 50, ts: "yesterday", index: { BTC: 80000 } });
      expect([r.status, r.body.error.issues[0].path]).toEqual([400, "body.ts"]);
      r = await bad([tick(50, 81000), { ...tick(51, 82000), index: { BTC: -5 } }]);
      expect([r.status, r.body.error.issues[0].path]).toEqual([400, "body[1].index.BTC"]);
      r = await bad(undefined, '{"seq": 50, "ts": ');
      expect([r.status, r.body.error.code]).toEqual([400, "invalid_json"]);
      r = await bad(undefined, '{"seq": 50, "ts": "2026-03-02T13:00:00Z", "index": {"BTC": 1e999}}');
      expect([r.status, r.body.error.code]).toEqual([400, "non_finite"]);
      r = await bad({ ...tick(50, 80000), instruments: { "NOT AN INSTRUMENT": { markPrice: 1 } } });
      expect(r.status).toBe(400);
      // Nothing of the refused requests was applied.
      const mid = (await s.call("GET", "/v1/live")).body;
      expect([mid.lastSeq, mid.lastEventSeq]).toEqual([before.lastSeq, before.lastEventSeq]);
      expect((await s.call("GET", "/v1/market")).body.id).toBe(market);
      // Well-formed ticks the core does not take: an older seq is ignored (counted), a 90 % jump rejected (422).
      r = await bad(tick(2, 70000, 60));
      expect([r.status, r.body.ignored, r.body.results[0].issues[0].code]).toEqual([200, 1, "out_of_order"]);
      r = await bad(tick(60, 8000, 60));
      expect([r.status, r.body.error.code]).toEqual([422, "implausible_move"]);
      const after = (await s.call("GET", "/v1/live")).body;
      expect(after.lastEventSeq).toBe(before.lastEventSeq);
      expect(after.counters["ignored:out_of_order"]).toBeGreaterThanOrEqual(1);
      expect((await s.call("GET", "/v1/market")).body.id).toBe(market);
      // An unknown instrument in a tick: applied without it, with a counted warning.
      r = await bad({ ...tick(61, 80500, 61), instruments: { "BTC-1JAN27": { markPrice: 80000 } } });
      expect([r.status, r.body.applied, r.body.results[0].issues[0].code]).toEqual([200, 1, "unknown_instrument"]);
      // Stream and events queries.
      expect((await s.call("GET", "/v1/events?type=nope")).body.error.issues[0].path).toBe("query.type[0]");
      expect((await s.call("GET", "/v1/events?after=-1")).status).toBe(400);
      expect((await s.call("GET", "/v1/events?bogus=1")).status).toBe(400);
      expect((await sse(`${s.url}/v1/stream`, { authorization: `Bearer ${data.adminKey}`, "last-event-id": "abc" })).status).toBe(400);
      expect((await sse(`${s.url}/v1/stream?figuresIntervalMs=1`, { authorization: `Bearer ${data.adminKey}` })).status).toBe(400);
      // Breaker routes.
      expect((await s.call("POST", "/v1/breakers/XYZ/reset", { body: {} })).status).toBe(404);
      expect((await s.call("POST", "/v1/breakers/btc/reset", { body: {} })).status).toBe(400);
      expect((await s.call("POST", "/v1/breakers/BTC/reset", { body: { rule: "nope" } })).status).toBe(422);
      const br = (await s.call("GET", "/v1/breakers")).body;
      expect(br.underlyings.find((u: { underlying: string }) => u.underlying === "BTC").state).toBe("normal");
    });

    it("takes ticks over a WebSocket, answering each message in order", async () => {
      const feed = await data.key(s, "feed");
      const w = await wsClient(`${s.url.replace("http", "ws")}/v1/ticks`, { authorization: `Bearer ${feed}` });
      w.ws.send(JSON.stringify(tick(70, 81000, 70)));
      w.ws.send("not json");
      w.ws.send(JSON.stringify([tick(71, 81500, 71), tick(72, 82000, 72)]));
      await w.until((m) => m.length === 3);
      expect(w.messages[0].applied).toBe(1);
      expect([w.messages[1].status, w.messages[1].error.code]).toEqual([400, "invalid_json"]);
      expect(w.messages[2].applied).toBe(2);
      w.close();
      await expect(wsClient(`${s.url.replace("http", "ws")}/v1/ticks`, { authorization: `Bearer ${await data.key(s, "risk")}` })).rejects.toThrow("HTTP 403");
    });

    it("versions breaker rules; a trip freezes marks, flags figures stale, makes what-if reduce-only; an admin reset re-anchors", async () => {
      const rules = { name: "band", version: "1", effective: "2026-03-01", rules: [{ id: "band-5pct", underlyings: ["BTC"], trigger: { type: "price_band", moveDecimal: 0.05, windowSeconds: 3600 }, state: "halted", actions: ["freeze_marks", "suspend_liquidations", "reduce_only"], reset: { mode: "manual" } }] };
      expect((await s.call("PUT", "/v1/breaker-rules/band/1", { body: rules })).status).toBe(201);
      expect((await s.call("PUT", "/v1/breaker-rules/band/1", { body: rules })).status).toBe(200);
      const changed = await s.call("PUT", "/v1/breaker-rules/band/1", { body: { ...rules, rules: [{ ...rules.rules[0], trigger: { type: "price_band", moveDecimal: 0.2, windowSeconds: 3600 } }] } });
      expect([changed.status, changed.body.error.code]).toEqual([409, "version_conflict"]);
      const badRule = await s.call("PUT", "/v1/breaker-rules/band/2", { body: { ...rules, version: "2", rules: [{ ...rules.rules[0], state: "closed" }] } });
      expect([badRule.status, badRule.body.error.issues[0].path]).toEqual([400, "body.rules[0].state"]);
      expect((await s.call("PUT", "/v1/breaker-rules/band/3", { body: rules })).body.error.issues[0].path).toBe("body.version");
      expect((await s.call("PUT", "/v1/breaker-rules/band/1", { key: await data.key(s, "risk"), body: rules })).status).toBe(403);
      const listed = (await s.call("GET", "/v1/breaker-rules")).body;
      expect(listed.inForce).toEqual({ name: "band", version: "1" });
      expect(listed.versions.map((v: { version: string }) => v.version)).toEqual(["1"]);
      expect((await s.call("GET", "/v1/breakers")).body.rules.name).toBe("band");

      const btcBefore = (await s.call("GET", "/v1/market")).body.market.index.BTC as number;
      const r = await s.call("POST", "/v1/ticks", { body: tick(73, btcBefore * 0.9, 73) });
      expect(r.status).toBe(200);
      const ev = (await s.call("GET", `/v1/events?after=${r.body.results[0].eventSeqs[0] - 1}&type=breaker`)).body.events;
      expect(ev[0]).toMatchObject({ type: "breaker", underlying: "BTC", to: "halted", rule: "band-5pct", kind: "trip" });
      const br = (await s.call("GET", "/v1/breakers")).body.underlyings.find((u: { underlying: string }) => u.underlying === "BTC");
      expect([br.state, br.rule, br.actions]).toEqual(["halted", "band-5pct", ["freeze_marks", "suspend_liquidations", "reduce_only"]]);
      // Marks frozen at the last good value; figures flagged stale with their input age; the account reduce-only.
      expect((await s.call("GET", "/v1/market")).body.market.index.BTC).toBe(btcBefore);
      await s.call("POST", "/v1/ticks", { body: tick(74, btcBefore * 0.89, 75) });
      const lev = (await s.call("GET", "/v1/accounts/lev")).body;
      expect(lev.stale).toMatchObject({ stale: true, underlyings: ["BTC"] });
      expect(lev.stale.inputAgeMs).toBeGreaterThan(0);
      expect(lev.live).toMatchObject({ reduceOnly: true, liquidationSuspended: true });
      expect((await s.call("GET", "/v1/accounts/eth")).body.stale).toBeUndefined();
      // What-if: adding to the long is refused, reducing it passes the reduce-only check.
      const add = (await s.call("POST", "/v1/accounts/lev/whatif", { body: { trades: [{ instrument: "BTC_USDC-PERPETUAL", size: 0.1 }] } })).body;
      expect(add.accepted).toBe(false);
      expect(add.reason).toMatch(/^reduce-only: BTC/);
      expect(add.reduceOnly.passed).toBe(false);
      const cut = (await s.call("POST", "/v1/accounts/lev/whatif", { body: { trades: [{ instrument: "BTC_USDC-PERPETUAL", size: -1 }] } })).body;
      expect(cut.reduceOnly.passed).toBe(true);
      const flip = (await s.call("POST", "/v1/accounts/lev/whatif", { body: { trades: [{ instrument: "BTC_USDC-PERPETUAL", size: -10 }] } })).body;
      expect([flip.accepted, flip.reduceOnly.passed]).toEqual([false, false]);
      expect((await s.call("POST", "/v1/accounts/eth/whatif", { body: { trades: [{ instrument: "BTC-PERPETUAL", size: 0.1 }] } })).body.accepted).toBe(false);
      expect((await s.call("POST", "/v1/accounts/eth/whatif", { body: { trades: [{ instrument: "ETH-PERPETUAL", size: -1 }] } })).body.reduceOnly.passed).toBe(true);
      // The admin reset: back to normal with a reset event; the next tick re-anchors the band and moves the marks.
      const reset = await s.call("POST", "/v1/breakers/BTC/reset", { body: { rule: "band-5pct" } });
      expect(reset.status).toBe(200);
      expect(reset.body.breakers.underlyings.find((u: { underlying: string }) => u.underlying === "BTC").state).toBe("normal");
      const after = await s.call("POST", "/v1/ticks", { body: tick(75, btcBefore * 0.88, 76) });
      expect(after.body.applied).toBe(1);
      expect((await s.call("GET", "/v1/market")).body.market.index.BTC).toBe(btcBefore * 0.88);
      expect((await s.call("GET", "/v1/accounts/lev")).body.stale).toBeUndefined();
      const resets = (await s.call("GET", "/v1/events?type=breaker")).body.events.filter((e: { kind: string }) => e.kind === "reset");
      expect(resets.length).toBeGreaterThan(0);
    });

    it("keeps eventSeq, the tick seq and the stream's resume point across a server restart", async () => {
      const before = (await s.call("GET", "/v1/events")).body.events as { eventSeq: number }[];
      const last = before[before.length - 1]?.eventSeq as number;
      const lev = (await s.call("GET", "/v1/accounts/lev")).body;
      await s.close();
      s = await data.start();
      const st = (await s.call("GET", "/v1/live")).body;
      expect([st.running, st.accounts, st.lastEventSeq]).toEqual([true, 2, last]);
      expect((await s.call("GET", "/v1/breaker-rules")).body.inForce).toEqual({ name: "band", version: "1" });
      // The figures after the restart are those before it (same stored market and accounts).
      expect(compareDocuments((await s.call("GET", "/v1/accounts/lev")).body.figures.figures, lev.figures.figures, 1e-12).diffs).toEqual([]);
      // An old tick seq stays old; a new one moves on, its events numbered after the last stored.
      expect((await s.call("POST", "/v1/ticks", { body: tick(72, 60000, 72) })).body.ignored).toBe(1);
      const r = await s.call("POST", "/v1/ticks", { body: [tick(80, 76000, 80), tick(81, 70000, 81)] });
      expect(r.body.applied).toBe(2);
      const all = (await s.call("GET", "/v1/events")).body.events as { eventSeq: number; seq: number }[];
      expect(all.length).toBeGreaterThan(before.length);
      expect(all.map((e) => e.eventSeq)).toEqual(all.map((_, i) => i + 1));
      // Input seqs keep increasing across the restart too.
      for (let i = 1; i < all.length; i++) expect((all[i] as { seq: number }).seq).toBeGreaterThanOrEqual((all[i - 1] as { seq: number }).seq);
      // A client that saw up to `last` before the restart resumes without loss.
      const b = await sse(`${s.url}/v1/stream?after=${last}`, { authorization: `Bearer ${data.adminKey}` });
      await b.until((e) => e.length >= all.length - before.length);
      expect(b.events.map((e) => e.data)).toEqual(all.slice(before.length));
      b.close();
    });

    it("takes deposits and withdrawals (POST .../balance-changes) through the live core: stored = live, events carry them, idempotent", async () => {
      expect((await s.call("PUT", "/v1/accounts/bal", { body: { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 5 }], collateral: { USDC: 100_000 } } })).status).toBe(201);
      const start = (await s.call("GET", "/v1/accounts/bal")).body.figures;
      expect(start.health.state).toBe("healthy");
      // A withdrawal leaving the maintenance ratio at 0.9: past the margin-call threshold (5/6), short of liquidation.
      const E = start.figures.equityUsd as number;
      const M = start.figures.maintenanceMarginUsd as number;
      const w = Math.round(E - M / 0.9);
      const feed = await data.key(s, "feed");
      const req = { key: feed, body: { currency: "USDC", amount: String(-w), reason: "withdrawal" }, headers: { "idempotency-key": "w-1" } };
      const out = await s.call("POST", "/v1/accounts/bal/balance-changes", req);
      expect(out.status).toBe(200);
      expect(out.body.balances.USDC).toBe(100_000 - w);
      expect(out.body.applied).toEqual([{ currency: "USDC", amount: -w, reason: "withdrawal", balanceAfter: 100_000 - w }]);
      const after = (await s.call("GET", "/v1/accounts/bal")).body;
      expect([after.version, after.account.collateral.USDC, after.figures.health.state]).toEqual([2, 100_000 - w, "margin_call"]);
      const live = s.server.service.deps.live?.document("bal") as { ok: true; value: { figures: unknown } };
      expect(compareDocuments(live.value.figures, after.figures.figures, 1e-9).diffs).toEqual([]);
      const events = (await s.call("GET", "/v1/events?account=bal")).body.events as { type: string; to?: string; cause?: string; amountNeededUsd?: number }[];
      const hc = events.find((e) => e.type === "health_changed" && e.to === "margin_call");
      expect(hc?.cause).toMatch(/^balance change USDC -\d+ \(withdrawal\)/);
      const call = events.find((e) => e.type === "margin_call");
      expect(call?.amountNeededUsd).toBeGreaterThan(0);
      // The same request again: the stored answer, nothing applied twice; the same key with another body: 422.
      const again = await s.call("POST", "/v1/accounts/bal/balance-changes", req);
      expect([again.status, again.headers.get("idempotent-replayed"), again.body]).toEqual([200, "true", out.body]);
      expect((await s.call("GET", "/v1/accounts/bal")).body.version).toBe(2);
      const other = await s.call("POST", "/v1/accounts/bal/balance-changes", { ...req, body: { currency: "USDC", amount: 1 } });
      expect([other.status, other.body.error.code]).toEqual([422, "idempotency_mismatch"]);
      // A deposit (a list, in order) brings it back; the recovery is an event too.
      const dep = await s.call("POST", "/v1/accounts/bal/balance-changes", { body: [{ currency: "USDC", amount: w / 2, reason: "deposit" }, { currency: "USDC", amount: w / 2 }] });
      expect(dep.body.applied.map((a: { balanceAfter: number }) => a.balanceAfter)).toEqual([100_000 - w / 2, 100_000]);
      expect((await s.call("GET", "/v1/accounts/bal")).body.figures.health.state).toBe("healthy");
      const back = (await s.call("GET", "/v1/events?account=bal&type=health_changed")).body.events as { to: string; cause: string }[];
      expect(back[back.length - 1]).toMatchObject({ to: "healthy" });
      expect(back[back.length - 1]?.cause).toMatch(/balance change USDC \+\d+(\.\d+)? \(deposit\), USDC \+/);
      // Bad input: coded, with the path, nothing written; roles as fills.
      const bad = async (body: unknown, key?: string) => (await s.call("POST", "/v1/accounts/bal/balance-changes", { body, ...(key !== undefined ? { key } : {}) })).body.error;
      expect((await bad({ currency: "DOGE", amount: 5 })).issues[0]).toMatchObject({ code: "missing_index", path: "body[0].currency" });
      expect((await bad([{ currency: "USDC", amount: 5 }, { currency: "USDC", amount: 0 }])).issues[0]).toMatchObject({ code: "invalid_value", path: "body[1].amount" });
      expect((await bad({ currency: "USDC", amount: "1e999" })).issues[0].path).toBe("body.amount");
      // Outside netrisk's bounds (±1e15): the amount itself, or the balance it would leave (a stored account must load again).
      expect((await bad({ currency: "USDC", amount: 1e300 })).issues[0]).toMatchObject({ code: "out_of_range", path: "body[0].amount" });
      expect((await bad([{ currency: "USDC", amount: 9e14 }, { currency: "USDC", amount: 9e14 }])).issues[0]).toMatchObject({ code: "out_of_range", path: "body[1].amount" });
      expect((await bad({ currency: "USDC" })).issues[0].path).toBe("body.amount");
      expect((await s.call("POST", "/v1/accounts/bal/balance-changes", { key: await data.key(s, "risk"), body: { currency: "USDC", amount: 5 } })).status).toBe(403);
      expect((await s.call("POST", "/v1/accounts/nobody/balance-changes", { body: { currency: "USDC", amount: 5 } })).status).toBe(404);
      expect((await s.call("GET", "/v1/accounts/bal")).body.version).toBe(3);
      // The history route walks balance changes like fills.
      const h = (await s.call("GET", "/v1/accounts/bal/history")).body;
      expect(h.points.map((p: { cause: string }) => p.cause)).toContain("balances.change");
    });

    it("a parameter-set version coming into force is one input to the core: every account on the set re-margined, a parameters_changed event; stored = live", async () => {
      const list = (await s.call("GET", "/v1/parameter-sets")).body;
      const deribit = list.bundled.find((b: { name: string }) => b.name === "deribit");
      const doc = (await s.call("GET", `/v1/parameter-sets/deribit/${deribit.version}`)).body.document;
      const today = list.today as string;
      const ids = ["lev", "eth", "bal"];
      const before = Object.fromEntries(await Promise.all(ids.map(async (id) => [id, (await s.call("GET", `/v1/accounts/${id}`)).body.figures.figures.maintenanceMarginUsd as number])));
      const lastEventSeq = (await s.call("GET", "/v1/live")).body.lastEventSeq as number;
      const params = { ...doc, general: { ...doc.general, mm_factor: 0.9 }, version: "live-1", effective: today };
      expect((await s.call("PUT", "/v1/parameter-sets/deribit/live-1", { body: { effective: today, parameters: params } })).status).toBe(201);
      const ev = (await s.call("GET", `/v1/events?after=${lastEventSeq}&type=parameters_changed`)).body.events;
      expect(ev).toHaveLength(1);
      expect(ev[0]).toMatchObject({ type: "parameters_changed", parameterSet: { name: "deribit", from: deribit.version, to: "live-1" }, accounts: 3 });
      for (const id of ids) {
        const served = (await s.call("GET", `/v1/accounts/${id}`)).body;
        expect(served.computedFrom.parameterSet.version).toBe("live-1");
        expect(served.figures.figures.maintenanceMarginUsd).not.toBe(before[id]);
        const live = s.server.service.deps.live?.document(id) as { ok: true; value: { figures: unknown } };
        expect(compareDocuments(live.value.figures, served.figures.figures, 1e-9).diffs).toEqual([]);
      }
      // An account pinned to the version before: the next version moves the others one by one, with no set-wide event.
      expect((await s.call("PUT", "/v1/accounts/pinned", { body: { positions: [{ instrument: "ETH-PERPETUAL", size: 2 }], collateral: { ETH: 5 }, parameterSetVersion: "live-1" } })).status).toBe(201);
      const seq2 = (await s.call("GET", "/v1/live")).body.lastEventSeq as number;
      expect((await s.call("PUT", "/v1/parameter-sets/deribit/live-2", { body: { effective: today, parameters: { ...params, general: { ...doc.general, mm_factor: 0.95 }, version: "live-2" } } })).status).toBe(201);
      expect((await s.call("GET", `/v1/events?after=${seq2}&type=parameters_changed`)).body.events).toEqual([]);
      for (const id of [...ids, "pinned"]) {
        const served = (await s.call("GET", `/v1/accounts/${id}`)).body;
        expect(served.computedFrom.parameterSet.version).toBe(id === "pinned" ? "live-1" : "live-2");
        const live = s.server.service.deps.live?.document(id) as { ok: true; value: { figures: unknown } };
        expect(compareDocuments(live.value.figures, served.figures.figures, 1e-9).diffs).toEqual([]);
      }
    });
  });
}
