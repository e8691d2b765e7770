/**
 * THE contract of the Store port (src/store/port.ts), run against every adapter: PGlite in-process
 * (store-pglite.test.ts) and the real PostgreSQL server (store-postgres.test.ts), each in a fresh database. An
 * adapter is correct when it passes this suite unchanged.
 */
import { describe, expect, it } from "vitest";
import type { Store, WriteContext } from "../../src/store/port.js";

const ctx = (n = 0): WriteContext => ({ actor: "admin-test", requestId: `req-${n}`, at: new Date(Date.UTC(2026, 0, 2, 8, 0, n)).toISOString() });

export function storeContract(name: string, open: () => Promise<Store>): void {
  describe(`Store contract: ${name}`, () => {
    let store: Store;
    // PGlite's first start runs initdb in WebAssembly: seconds, and far more on a busy 2-core machine.
    it("opens (migrations applied)", async () => {
      store = await open();
      expect(["pglite", "postgres"]).toContain(store.backend);
    }, 180_000);

    it("creates an account at version 1, updates it only from the version it was read at", async () => {
      const doc = { positions: [{ instrument: "BTC-PERPETUAL", size: 0.1 + 0.2 }], collateral: { BTC: 1 }, model: "deribit" };
      const created = await store.writeAccount({ id: "acc-1", expectedVersion: 0, document: doc, audit: { action: "account.put", detail: {} } }, ctx(1));
      expect(created.ok && created.account.version).toBe(1);
      // Documents round-trip exactly: field order and every double's digits.
      const got = await store.getAccount("acc-1");
      expect(JSON.stringify(got?.document)).toBe(JSON.stringify(doc));
      const again = await store.writeAccount({ id: "acc-1", expectedVersion: 0, document: doc, audit: { action: "account.put", detail: {} } }, ctx(2));
      expect(again).toEqual({ ok: false, reason: "version_conflict", currentVersion: 1 });
      const stale = await store.writeAccount({ id: "acc-1", expectedVersion: 7, document: doc, audit: { action: "account.put", detail: {} } }, ctx(3));
      expect(stale).toEqual({ ok: false, reason: "version_conflict", currentVersion: 1 });
      const next = await store.writeAccount({ id: "acc-1", expectedVersion: 1, document: { ...doc, collateral: { BTC: 2 } }, audit: { action: "account.put", detail: {} } }, ctx(4));
      expect(next.ok && next.account.version).toBe(2);
      expect((await store.getAccount("acc-1"))?.document.collateral).toEqual({ BTC: 2 });
      expect(await store.getAccount("missing")).toBeNull();
    });

    it("commits fills with their idempotency record and audit row, or nothing", async () => {
      const doc = { positions: [], collateral: { USDC: 1 } };
      const w = (v: number, tradeIds: string[], key: string, hash = "h1") => ({
        id: "acc-1",
        expectedVersion: v,
        document: doc,
        audit: { action: "fills.apply", detail: { tradeIds } },
        fills: tradeIds.map((tradeId) => ({ tradeId, fill: { tradeId, size: 1 } })),
        idempotency: { scope: "fills:acc-1", key, requestHash: hash, status: 200, response: { ok: true, tradeIds } },
      });
      const a = await store.writeAccount(w(2, ["t1", "t2"], "k1"), ctx(5));
      expect(a.ok && a.account.version).toBe(3);
      expect(await store.knownTrades("acc-1", ["t1", "t9"])).toEqual(["t1"]);
      expect((await store.getIdempotency("fills:acc-1", "k1"))?.response).toEqual({ ok: true, tradeIds: ["t1", "t2"] });
      // The same key again: the stored record comes back and nothing is written.
      const b = await store.writeAccount(w(3, ["t3"], "k1", "h2"), ctx(6));
      expect(b.ok).toBe(false);
      if (!b.ok && b.reason === "idempotency_taken") expect(b.record.requestHash).toBe("h1");
      else throw new Error(`expected idempotency_taken, got ${JSON.stringify(b)}`);
      // A trade id already stored: rolled back whole (no version bump, no idempotency record for k2).
      const c = await store.writeAccount(w(3, ["t4", "t2"], "k2"), ctx(7));
      expect(c).toEqual({ ok: false, reason: "duplicate_trade", tradeIds: ["t2"] });
      expect((await store.getAccount("acc-1"))?.version).toBe(3);
      expect(await store.getIdempotency("fills:acc-1", "k2")).toBeNull();
      expect((await store.listFills("acc-1")).map((f) => f.tradeId)).toEqual(["t1", "t2"]);
    });

    it("lists accounts by id with a cursor", async () => {
      for (const id of ["b", "a", "c"]) await store.writeAccount({ id, expectedVersion: 0, document: { positions: [] }, audit: { action: "account.put", detail: {} } }, ctx(8));
      const first = await store.listAccounts({ limit: 2 });
      expect(first.map((a) => a.id)).toEqual(["a", "acc-1"]);
      const next = await store.listAccounts({ afterId: "acc-1", limit: 10 });
      expect(next.map((a) => a.id)).toEqual(["b", "c"]);
    });

    it("keeps market snapshots, one current", async () => {
      expect(await store.currentMarket()).toBeNull();
      const m1 = await store.putMarket({ id: "m1", timestampMs: 1767340800000, document: { timestamp: "2026-01-02T08:00:00Z", index: { BTC: 60000 } } }, ctx(9));
      expect(m1.created && m1.market.current).toBe(true);
      await store.putMarket({ id: "m2", timestampMs: 1767340801000, document: { index: { BTC: 60001 } } }, ctx(10));
      expect((await store.currentMarket())?.id).toBe("m2");
      const back = await store.putMarket({ id: "m1", timestampMs: 1767340800000, document: {} }, ctx(11));
      expect(back.created).toBe(false);
      expect((await store.currentMarket())?.id).toBe("m1");
      expect((await store.getMarket("m2"))?.current).toBe(false);
    });

    it("versions parameter sets; a version is immutable from its effective day", async () => {
      const set = { name: "deribit", version: "2026.03.01-1", effective: "2026-03-01", model: "deribit", document: { a: 1 } };
      const a = await store.putParameterSet(set, "2026-02-01", ctx(12));
      expect(a.ok && a.created).toBe(true);
      const b = await store.putParameterSet({ ...set, document: { a: 2 } }, "2026-02-15", ctx(13));
      expect(b.ok && !b.created && b.set.document).toEqual({ a: 2 });
      const c = await store.putParameterSet({ ...set, document: { a: 3 } }, "2026-03-01", ctx(14));
      expect(c.ok).toBe(false);
      expect((await store.getParameterSet("deribit", "2026.03.01-1"))?.document).toEqual({ a: 2 });
      expect((await store.listParameterSets()).map((s) => `${s.name}/${s.version}@${s.effective}`)).toEqual(["deribit/2026.03.01-1@2026-03-01"]);
    });

    it("stores keys (hash and encrypted secret only), revokes them and their tokens", async () => {
      const k = await store.createKey({ clientId: "trader-1", role: "trader", accounts: ["a", "b"], keyHash: "e7".repeat(32), secretEnc: "v1:x:y:z", label: null }, ctx(15));
      expect(k.revokedAt).toBeNull();
      expect((await store.getKey("trader-1"))?.accounts).toEqual(["a", "b"]);
      await store.putToken({ tokenHash: "t-hash", kind: "access", clientId: "trader-1", expiresAtMs: 1e13 });
      expect((await store.getToken("t-hash"))?.clientId).toBe("trader-1");
      const r = await store.revokeKey("trader-1", ctx(16));
      expect(r?.revokedAt).not.toBeNull();
      expect(await store.getToken("t-hash")).toBeNull();
      expect(await store.revokeKey("nobody", ctx(17))).toBeNull();
      expect((await store.listKeys()).map((x) => x.clientId)).toEqual(["trader-1"]);
    });

    it("refuses a reused nonce", async () => {
      expect(await store.useNonce("c", "n1", 1000, 0)).toBe(true);
      expect(await store.useNonce("c", "n1", 1000, 0)).toBe(false);
      expect(await store.useNonce("c", "n2", 1000, 0)).toBe(true);
    });

    it("keeps an append-only audit log of every write, readable per account", async () => {
      await store.appendAudit([{ action: "figures.read", accountId: "acc-1", accountVersion: 3, detail: { marketId: "m1" }, ctx: ctx(18) }]);
      const rows = await store.listAudit({ accountId: "acc-1", limit: 100 });
      expect(rows.map((r) => `${r.action}@${r.accountVersion}`)).toEqual(["account.put@1", "account.put@2", "fills.apply@3", "figures.read@3"]);
      expect(rows.every((r, i) => i === 0 || r.seq > (rows[i - 1]?.seq ?? 0))).toBe(true);
      expect(rows[0]?.actor).toBe("admin-test");
      const all = await store.listAudit({ limit: 1000 });
      expect(all.some((r) => r.action === "market.put")).toBe(true);
      const after = await store.listAudit({ accountId: "acc-1", afterSeq: rows[1]?.seq ?? 0, limit: 100 });
      expect(after.length).toBe(2);
      const some = await store.listAudit({ limit: 1000, actions: ["market.put", "fills.apply"] });
      expect(some.length).toBeGreaterThan(1);
      expect(new Set(some.map((r) => r.action))).toEqual(new Set(["market.put", "fills.apply"]));
      expect(await store.listAudit({ accountId: "acc-1", limit: 100, actions: ["figures.read"] })).toHaveLength(1);
      expect(await store.listAudit({ limit: 100, actions: [] })).toEqual([]);
    });

    it("writes partition checkpoints only from the version read (fencing), never backwards, with their events once", async () => {
      const at = ctx(20).at;
      expect(await store.getCheckpoint("c1", 3)).toBeNull();
      const ev = (inputSeq: number, n: number, accountId: string | null) => ({ inputSeq, n, accountId, event: { type: "health_changed", seq: inputSeq, x: 0.1 + 0.2 } });
      const a = await store.writeCheckpoint({ cluster: "c1", partition: 3, expectedVersion: 0, lastSeq: 10, owner: "w1", snapshot: { book: [1, 2] }, events: [ev(7, 0, "a1"), ev(9, 0, null)], at });
      expect(a.ok && a.checkpoint.version).toBe(1);
      // A second creator (the row exists now) is fenced.
      expect(await store.writeCheckpoint({ cluster: "c1", partition: 3, expectedVersion: 0, lastSeq: 11, owner: "w2", snapshot: {}, at })).toEqual({ ok: false, reason: "version_conflict", currentVersion: 1 });
      // The new owner claims at version 1 → 2; the old owner's late write from version 1 is refused, nothing of it stored.
      const claim = await store.writeCheckpoint({ cluster: "c1", partition: 3, expectedVersion: 1, lastSeq: 10, owner: "w2", snapshot: { book: [1, 2] }, at });
      expect(claim.ok && claim.checkpoint.version).toBe(2);
      const late = await store.writeCheckpoint({ cluster: "c1", partition: 3, expectedVersion: 1, lastSeq: 12, owner: "w1", snapshot: { book: ["late"] }, events: [ev(12, 0, "a1")], at });
      expect(late).toEqual({ ok: false, reason: "version_conflict", currentVersion: 2 });
      expect(await store.writeCheckpoint({ cluster: "c1", partition: 3, expectedVersion: 2, lastSeq: 9, owner: "w2", snapshot: {}, at })).toEqual({ ok: false, reason: "seq_regression", currentLastSeq: 10 });
      // Redone inputs (events already stored) add nothing twice.
      const next = await store.writeCheckpoint({ cluster: "c1", partition: 3, expectedVersion: 2, lastSeq: 14, owner: "w2", snapshot: { book: [3] }, events: [ev(9, 0, null), ev(14, 0, "a1"), ev(14, 1, "a2")], at });
      expect(next.ok && next.checkpoint.version).toBe(3);
      const got = await store.getCheckpoint("c1", 3);
      expect(got).toMatchObject({ cluster: "c1", partition: 3, version: 3, lastSeq: 14, snapshotSeq: 14, owner: "w2", snapshot: { book: [3] } });
      // A progress write (no snapshot) moves lastSeq and stores its events; the snapshot and the input it is after stay.
      const progress = await store.writeCheckpoint({ cluster: "c1", partition: 3, expectedVersion: 3, lastSeq: 16, owner: "w2", events: [ev(16, 0, "a2")], at });
      expect(progress).toMatchObject({ ok: true, checkpoint: { version: 4, lastSeq: 16, snapshotSeq: 14 } });
      expect(await store.getCheckpoint("c1", 3)).toMatchObject({ version: 4, lastSeq: 16, snapshotSeq: 14, snapshot: { book: [3] } });
      // A fenced progress write stores none of its events; one backwards is refused too.
      expect(await store.writeCheckpoint({ cluster: "c1", partition: 3, expectedVersion: 3, lastSeq: 17, owner: "w1", events: [ev(17, 0, "a1")], at })).toEqual({ ok: false, reason: "version_conflict", currentVersion: 4 });
      expect(await store.writeCheckpoint({ cluster: "c1", partition: 3, expectedVersion: 4, lastSeq: 15, owner: "w2", events: [ev(15, 0, "a1")], at })).toEqual({ ok: false, reason: "seq_regression", currentLastSeq: 16 });
      // A snapshot written at the same lastSeq (after the progress) is after lastSeq again.
      const snap = await store.writeCheckpoint({ cluster: "c1", partition: 3, expectedVersion: 4, lastSeq: 16, owner: "w2", snapshot: { book: [4] }, at });
      expect(snap).toMatchObject({ ok: true, checkpoint: { version: 5, lastSeq: 16, snapshotSeq: 16 } });
      expect(await store.getCheckpoint("c1", 3)).toMatchObject({ version: 5, lastSeq: 16, snapshotSeq: 16, snapshot: { book: [4] } });
      // A partition's first write carries its snapshot.
      await expect(store.writeCheckpoint({ cluster: "c1", partition: 9, expectedVersion: 0, lastSeq: 1, owner: "w1", at })).rejects.toThrow(/first checkpoint needs a snapshot/);
      expect(await store.getCheckpoint("c1", 9)).toBeNull();
      expect(await store.getCheckpoint("c2", 3)).toBeNull();
      const all = await store.listPartitionEvents({ cluster: "c1", limit: 100 });
      expect(all.map((e) => [e.inputSeq, e.n, e.accountId])).toEqual([[7, 0, "a1"], [9, 0, null], [14, 0, "a1"], [14, 1, "a2"], [16, 0, "a2"]]);
      expect(all[0]?.event).toEqual({ type: "health_changed", seq: 7, x: 0.1 + 0.2 });
      expect((await store.listPartitionEvents({ cluster: "c1", accountId: "a1", afterInputSeq: 7, limit: 100 })).map((e) => e.inputSeq)).toEqual([14]);
      expect((await store.listPartitionEvents({ cluster: "c1", accountId: "a2", afterInputSeq: 14, limit: 100 })).map((e) => e.inputSeq)).toEqual([16]);
      // Many events in one write (chunked statements), atomically.
      const many = Array.from({ length: 1200 }, (_, k) => ev(20, k, `b${k}`));
      const big = await store.writeCheckpoint({ cluster: "c1", partition: 4, expectedVersion: 0, lastSeq: 20, owner: "w1", snapshot: {}, events: many, at });
      expect(big.ok).toBe(true);
      expect(await store.listPartitionEvents({ cluster: "c1", afterInputSeq: 19, limit: 5000 })).toHaveLength(1200);
    });

    it("a read racing a write never leaves the old row to later reads; a revoked key reads revoked", async () => {
      const w0 = await store.writeAccount({ id: "race-1", expectedVersion: 0, document: { positions: [], collateral: { BTC: 1 } }, audit: { action: "account.put", detail: {} } }, ctx(40));
      expect(w0.ok).toBe(true);
      for (let v = 1; v <= 5; v++) {
        const read = store.getAccount("race-1");
        const write = store.writeAccount({ id: "race-1", expectedVersion: v, document: { positions: [], collateral: { BTC: v + 1 } }, audit: { action: "account.put", detail: {} } }, ctx(41));
        await Promise.all([read, write]);
        expect((await store.getAccount("race-1"))?.version).toBe(v + 1);
      }
      expect((await store.getAccount("race-1"))?.document).toEqual({ positions: [], collateral: { BTC: 6 } });
      await store.createKey({ clientId: "risk-0000000000aa", role: "risk", accounts: null, keyHash: "5a".repeat(32), secretEnc: "v1:x:y:z", label: null }, ctx(42));
      expect((await store.getKey("risk-0000000000aa"))?.revokedAt).toBeNull();
      await store.revokeKey("risk-0000000000aa", ctx(43));
      expect((await store.getKey("risk-0000000000aa"))?.revokedAt).not.toBeNull();
    });

    it("appends a batch of read audit rows in order, each with its own fields (batches beyond one statement too)", async () => {
      const batch = Array.from({ length: 1201 }, (_, i) => ({ action: "whatif.read", accountId: `batch-${i % 3}`, accountVersion: i, detail: { i, marketId: "m1" }, ctx: { ...ctx(i % 60), requestId: `r-${i}` } }));
      await store.appendAudit(batch);
      const rows = await store.listAudit({ limit: 10_000, actions: ["whatif.read"] });
      expect(rows).toHaveLength(1201);
      rows.forEach((r, i) => {
        expect(r.accountVersion).toBe(i);
        expect(r.accountId).toBe(`batch-${i % 3}`);
        expect(r.requestId).toBe(`r-${i}`);
        expect(r.detail).toEqual({ i, marketId: "m1" });
        if (i > 0) expect(r.seq).toBeGreaterThan(rows[i - 1]?.seq ?? Infinity);
      });
    });

    it("appends read audit rows whose text needs quoting (in an array parameter or CSV), and missing fields as null", async () => {
      const odd = 'quote " backslash \\ braces {a,b} comma, NULL \\N ünïcode \u2028 new\nline crlf\r\n"" end';
      const batch = [
        { action: "odd.read", accountId: odd, accountVersion: 1, detail: { text: odd, list: ["{", "}", ","], n: null }, ctx: { ...ctx(1), actor: odd, requestId: odd } },
        { action: "odd.read", detail: { empty: "" }, ctx: { ...ctx(2), requestId: null } },
        // An empty string is not a missing field (CSV: a quoted empty field, not an unquoted one).
        { action: "odd.read", accountId: "", accountVersion: 0, detail: {}, ctx: { ...ctx(3), requestId: "" } },
      ];
      await store.appendAudit(batch);
      const rows = await store.listAudit({ limit: 100, actions: ["odd.read"] });
      expect(rows.map((r) => ({ actor: r.actor, accountId: r.accountId, accountVersion: r.accountVersion, requestId: r.requestId, detail: r.detail, at: r.at }))).toEqual([
        { actor: odd, accountId: odd, accountVersion: 1, requestId: odd, detail: batch[0]?.detail, at: ctx(1).at },
        { actor: ctx(2).actor, accountId: null, accountVersion: null, requestId: null, detail: { empty: "" }, at: ctx(2).at },
        { actor: ctx(3).actor, accountId: "", accountVersion: 0, requestId: "", detail: {}, at: ctx(3).at },
      ]);
    });

    it("commits live steps atomically: events with a unique global eventSeq, the market made current, named state", async () => {
      expect(await store.lastLiveEventSeq()).toBe(0);
      expect(await store.getLiveState("tickSeq")).toBeNull();
      const ev = (eventSeq: number, type: string, account: string | null) => ({ eventSeq, seq: 10 + eventSeq, type, accountId: account, document: { eventSeq, seq: 10 + eventSeq, type, ...(account ? { account } : {}), x: 0.1 + 0.2 } });
      const a = await store.commitLive({ events: [ev(1, "health_changed", "acc-1"), ev(2, "margin_call", "acc-1"), ev(3, "breaker", null)], market: { id: "live-1", timestampMs: 1767340900000, document: { index: { BTC: 50000 } } }, state: { tickSeq: 7 } }, ctx(19));
      expect(a).toEqual({ ok: true });
      expect((await store.currentMarket())?.id).toBe("live-1");
      expect(await store.getLiveState("tickSeq")).toBe(7);
      expect(await store.lastLiveEventSeq()).toBe(3);
      // A commit reusing an eventSeq fails whole: no event, no market, no state of it is there.
      const b = await store.commitLive({ events: [ev(4, "health_changed", "b"), ev(3, "breaker", null)], market: { id: "live-2", timestampMs: 1767340901000, document: {} }, state: { tickSeq: 8 } }, ctx(20));
      expect(b).toEqual({ ok: false, reason: "duplicate_event", eventSeq: 3 });
      expect(await store.lastLiveEventSeq()).toBe(3);
      expect((await store.currentMarket())?.id).toBe("live-1");
      expect(await store.getLiveState("tickSeq")).toBe(7);
      expect(await store.commitLive({ events: [ev(4, "health_changed", "b")], state: { tickSeq: 9, rules: { name: "r", version: "1" } } }, ctx(21))).toEqual({ ok: true });
      expect(await store.getLiveState("rules")).toEqual({ name: "r", version: "1" });
      // A step of state only (no event, no market: a fill that moved no health state) writes and replaces its keys.
      expect(await store.commitLive({ events: [], state: { inputSeq: 41, rules: { name: "r", version: "2" } } }, ctx(22))).toEqual({ ok: true });
      expect(await store.commitLive({ events: [], state: { inputSeq: 42 } }, ctx(23))).toEqual({ ok: true });
      expect([await store.getLiveState("inputSeq"), await store.getLiveState("rules"), await store.getLiveState("tickSeq")]).toEqual([42, { name: "r", version: "2" }, 9]);
      expect(await store.lastLiveEventSeq()).toBe(4);
      // Reads: in eventSeq order, after a position, filtered by account and type; documents exactly as written.
      const all = await store.readLiveEvents({ afterEventSeq: 0, limit: 100 });
      expect(all.map((e) => e.eventSeq)).toEqual([1, 2, 3, 4]);
      expect(JSON.stringify(all[0]?.document)).toBe(JSON.stringify(ev(1, "health_changed", "acc-1").document));
      expect(all[2]?.accountId).toBeNull();
      expect((await store.readLiveEvents({ afterEventSeq: 1, limit: 2 })).map((e) => e.eventSeq)).toEqual([2, 3]);
      expect((await store.readLiveEvents({ afterEventSeq: 0, limit: 100, accounts: ["acc-1"] })).map((e) => e.eventSeq)).toEqual([1, 2]);
      expect((await store.readLiveEvents({ afterEventSeq: 0, limit: 100, types: ["breaker", "margin_call"] })).map((e) => e.eventSeq)).toEqual([2, 3]);
      expect((await store.readLiveEvents({ afterEventSeq: 0, limit: 100, accounts: ["b"], types: ["health_changed"] })).map((e) => e.eventSeq)).toEqual([4]);
      expect(await store.readLiveEvents({ afterEventSeq: 0, limit: 100, accounts: [] })).toEqual([]);
      expect((await store.listAudit({ limit: 1000, actions: ["market.tick"] })).length).toBe(1);
    });

    it("closes", async () => {
      await store.close();
    });
  });
}
