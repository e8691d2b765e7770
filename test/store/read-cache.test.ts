/**
 * The read cache of accounts and keys (src/store/single-writer-cache.ts): with a change feed (PostgreSQL), rows are
 * kept only while the feed listens, dropped on every notified change, and everything starts over on a reset; on the
 * real PostgreSQL server, two stores on one database (two servers) see each other's committed account and key
 * changes, and each serves repeated reads from its cache.
 */
import { afterAll, describe, expect, it } from "vitest";
import type { Store, StoredAccount, WriteContext } from "../../src/store/port.js";
import { openStore } from "../../src/store/open.js";
import { notifiedCache } from "../../src/store/single-writer-cache.js";
import type { ChangeFeed, ChangeListener } from "../../src/store/single-writer-cache.js";
import { createScratchDatabase } from "../helpers/postgres.js";
import type { ScratchDatabase } from "../helpers/postgres.js";
import { testEnv } from "../helpers/requires.js";

const ctx: WriteContext = { actor: "test", requestId: null, at: "2026-01-02T08:00:00.000Z" };
const account = (id: string, version: number): StoredAccount => ({ id, version, document: { positions: [], collateral: { BTC: version } }, createdAt: ctx.at, updatedAt: ctx.at });

/** A store of one account whose reads are counted, and a feed the test drives. */
function fakes() {
  const state = { version: 1, reads: 0 };
  const store = { getAccount: async (id: string) => (state.reads++, account(id, state.version)), close: async () => undefined } as unknown as Store;
  let listener: ChangeListener | undefined;
  const feed: ChangeFeed & { on: boolean } = { on: true, listening: () => feed.on, subscribe: (l: ChangeListener) => void (listener = l), close: async () => undefined };
  return { state, store, feed, listener: () => listener as ChangeListener };
}

describe("notified read cache", () => {
  it("keeps rows while the feed listens, drops a notified change, reads through while the feed is down", async () => {
    const f = fakes();
    const s = notifiedCache(f.store, f.feed);
    expect((await s.getAccount("a"))?.version).toBe(1);
    expect((await s.getAccount("a"))?.version).toBe(1);
    expect(f.state.reads).toBe(1);
    f.state.version = 2;
    f.listener().drop("api_keys", "a");
    expect((await s.getAccount("a"))?.version).toBe(1);
    f.listener().drop("accounts", "a");
    expect((await s.getAccount("a"))?.version).toBe(2);
    expect(f.state.reads).toBe(2);
    f.feed.on = false;
    f.listener().reset();
    f.state.version = 3;
    expect((await s.getAccount("a"))?.version).toBe(3);
    expect((await s.getAccount("a"))?.version).toBe(3);
    expect(f.state.reads).toBe(4);
    f.feed.on = true;
    f.state.version = 4;
    expect((await s.getAccount("a"))?.version).toBe(4);
    expect((await s.getAccount("a"))?.version).toBe(4);
    expect(f.state.reads).toBe(5);
  });

  it("does not keep a read that a change or a reset overtook", async () => {
    for (const overtake of ["drop", "reset"] as const) {
      const f = fakes();
      const s = notifiedCache(f.store, f.feed);
      const read = s.getAccount("a");
      if (overtake === "drop") f.listener().drop("accounts", "a");
      else f.listener().reset();
      f.state.version = 2;
      expect((await read)?.version).toBe(1);
      expect((await s.getAccount("a"))?.version, overtake).toBe(2);
    }
  });
});

describe.skipIf(testEnv.postgresUrl === null)("read cache on PostgreSQL: two servers on one database", () => {
  let scratch: ScratchDatabase | undefined;
  const open: Store[] = [];
  afterAll(async () => {
    for (const s of open) await s.close();
    await scratch?.drop();
  });

  /** Poll until `f` holds (the notification of another server's commit arrives asynchronously). */
  async function eventually(f: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!(await f())) {
      if (Date.now() > deadline) throw new Error(`never: ${what}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  }

  it("each sees the other's committed account and key changes", async () => {
    scratch = await createScratchDatabase(testEnv.postgresUrl as string);
    const a = await openStore({ kind: "postgres", url: scratch.url });
    open.push(a);
    const b = await openStore({ kind: "postgres", url: scratch.url });
    open.push(b);
    const doc = (btc: number) => ({ positions: [], collateral: { BTC: btc } });
    expect((await a.writeAccount({ id: "x", expectedVersion: 0, document: doc(1), audit: { action: "account.put", detail: {} } }, ctx)).ok).toBe(true);
    expect((await b.getAccount("x"))?.version).toBe(1);
    for (let v = 1; v <= 3; v++) {
      expect((await a.writeAccount({ id: "x", expectedVersion: v, document: doc(v + 1), audit: { action: "account.put", detail: {} } }, ctx)).ok).toBe(true);
      // A server reads its own write at once; the other once the change is heard.
      expect((await a.getAccount("x"))?.version).toBe(v + 1);
      await eventually(async () => (await b.getAccount("x"))?.version === v + 1, `b reads version ${v + 1}`);
    }
    await b.createKey({ clientId: "risk-00000000000b", role: "risk", accounts: null, keyHash: "5a".repeat(32), secretEnc: "v1:x:y:z", label: null }, ctx);
    expect((await a.getKey("risk-00000000000b"))?.revokedAt).toBeNull();
    await b.revokeKey("risk-00000000000b", ctx);
    expect((await b.getKey("risk-00000000000b"))?.revokedAt).not.toBeNull();
    await eventually(async () => (await a.getKey("risk-00000000000b"))?.revokedAt !== null, "a reads the key revoked");
  });
});
