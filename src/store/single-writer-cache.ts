/**
 * A read cache for a store with a single writer. An embedded PGlite folder is held by one process (lock.ts), so
 * every write to it goes through this object and a cache of what it read is exact. It keeps the two reads of every
 * request, the account and the caller's key: a PGlite statement costs ~0.4 ms of the server's only thread, which
 * capped what-if at a few hundred requests a second. Never used for PostgreSQL, where other servers write.
 *
 * A read that started before a write to the same id is not cached when it ends (a generation per id), whatever the
 * order in which the two settle. Unknown ids are not cached (callers could otherwise fill the memory). Cached rows
 * are shared: the service treats stored rows as immutable (writes build new documents).
 * @module
 */
import type { Store, StoredAccount, StoredKey } from "./port.js";

function cacheOf<T>(): { read(id: string, load: () => Promise<T | null>): Promise<T | null>; set(id: string, value: T | null): void; drop(id: string): void } {
  const rows = new Map<string, T>();
  const generation = new Map<string, number>();
  const bump = (id: string): void => {
    generation.set(id, (generation.get(id) ?? 0) + 1);
  };
  return {
    async read(id, load) {
      const hit = rows.get(id);
      if (hit !== undefined) return hit;
      const gen = generation.get(id) ?? 0;
      const value = await load();
      if (value !== null && (generation.get(id) ?? 0) === gen) rows.set(id, value);
      return value;
    },
    set(id, value) {
      bump(id);
      if (value === null) rows.delete(id);
      else rows.set(id, value);
    },
    drop(id) {
      bump(id);
      rows.delete(id);
    },
  };
}

export function singleWriterCache(store: Store): Store {
  const accounts = cacheOf<StoredAccount>();
  const keys = cacheOf<StoredKey>();
  return {
    ...store,
    getAccount: (id) => accounts.read(id, () => store.getAccount(id)),
    async writeAccount(write, ctx) {
      accounts.drop(write.id);
      let r: Awaited<ReturnType<Store["writeAccount"]>>;
      try {
        r = await store.writeAccount(write, ctx);
      } finally {
        // Whatever happened (committed, refused, failed), reads in flight meanwhile are not cached.
        accounts.drop(write.id);
      }
      if (r.ok) accounts.set(write.id, r.account);
      return r;
    },
    getKey: (clientId) => keys.read(clientId, () => store.getKey(clientId)),
    async createKey(key, ctx) {
      keys.drop(key.clientId);
      const k = await store.createKey(key, ctx);
      keys.set(key.clientId, k);
      return k;
    },
    async revokeKey(clientId, ctx) {
      keys.drop(clientId);
      const k = await store.revokeKey(clientId, ctx);
      keys.drop(clientId);
      return k;
    },
  };
}
