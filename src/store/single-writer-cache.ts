/**
 * A read cache of the two reads of every request, the account and the caller's key: a statement costs ~0.4 ms of
 * the server's only thread on PGlite (it capped what-if at a few hundred requests a second), and two round trips
 * and two backend executions per request on PostgreSQL, whose server shares the machine.
 *
 * - PGlite (`singleWriterCache`): one process holds the folder (lock.ts), so every write goes through this object
 *   and the cache is exact; a committed write puts its row in the cache.
 * - PostgreSQL (`notifiedCache`): other servers write too. A trigger on `accounts` and `api_keys` NOTIFYs every
 *   committed change (schema.ts migration 4) and a listening connection ({@link ChangeFeed}, drivers/
 *   postgres-changes.ts) drops the row here. Nothing is cached or served from the cache while that connection is
 *   down (changes may be missed then); when it is back, the cache starts empty. A change another server commits is
 *   seen here once its notification arrives (sub-millisecond on one network); this server's own writes drop the row
 *   at once, so it reads its own writes.
 *
 * A read that started before a write to the same id (or a reset) is not cached when it ends (a generation per id and
 * an epoch), whatever the order in which the two settle. Unknown ids are not cached (callers could otherwise fill the
 * memory). Cached rows are shared: the service treats stored rows as immutable (writes build new documents).
 * @module
 */
import type { Store, StoredAccount, StoredKey } from "./port.js";

/** What a cache is told of changes it did not make itself. */
export interface ChangeListener {
  /** A row of `table` (`accounts`, `api_keys`) with this id was inserted, updated or deleted and committed. */
  drop(table: string, id: string): void;
  /** Changes may have been missed (the listening connection broke, or it was just established). */
  reset(): void;
}

/** A source of committed changes (PostgreSQL LISTEN/NOTIFY). */
export interface ChangeFeed {
  /** True while changes are heard: the cache neither keeps nor serves rows otherwise. */
  listening(): boolean;
  subscribe(listener: ChangeListener): void;
  close(): Promise<void>;
}

interface RowCache<T> {
  read(id: string, load: () => Promise<T | null>): Promise<T | null>;
  set(id: string, value: T | null): void;
  drop(id: string): void;
  reset(): void;
}

function cacheOf<T>(enabled: () => boolean): RowCache<T> {
  const rows = new Map<string, T>();
  const generation = new Map<string, number>();
  let epoch = 0;
  const bump = (id: string): void => {
    generation.set(id, (generation.get(id) ?? 0) + 1);
  };
  return {
    async read(id, load) {
      if (!enabled()) return load();
      const hit = rows.get(id);
      if (hit !== undefined) return hit;
      const gen = generation.get(id) ?? 0;
      const at = epoch;
      const value = await load();
      if (value !== null && enabled() && epoch === at && (generation.get(id) ?? 0) === gen) rows.set(id, value);
      return value;
    },
    set(id, value) {
      bump(id);
      if (value === null || !enabled()) rows.delete(id);
      else rows.set(id, value);
    },
    drop(id) {
      bump(id);
      rows.delete(id);
    },
    reset() {
      epoch++;
      rows.clear();
      generation.clear();
    },
  };
}

/**
 * The cached store. `keepWrites`: a committed write's row goes into the cache (exact with a single writer only:
 * with other writers a newer version may have been committed and heard before this write returns).
 */
function cachedStore(store: Store, accounts: RowCache<StoredAccount>, keys: RowCache<StoredKey>, keepWrites: boolean): Store {
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
      if (r.ok && keepWrites) accounts.set(write.id, r.account);
      return r;
    },
    getKey: (clientId) => keys.read(clientId, () => store.getKey(clientId)),
    async createKey(key, ctx) {
      keys.drop(key.clientId);
      try {
        const k = await store.createKey(key, ctx);
        if (keepWrites) keys.set(key.clientId, k);
        return k;
      } finally {
        if (!keepWrites) keys.drop(key.clientId);
      }
    },
    async revokeKey(clientId, ctx) {
      keys.drop(clientId);
      try {
        return await store.revokeKey(clientId, ctx);
      } finally {
        keys.drop(clientId);
      }
    },
  };
}

/** The cache of a store only this process writes (an embedded PGlite folder). */
export function singleWriterCache(store: Store): Store {
  return cachedStore(store, cacheOf<StoredAccount>(() => true), cacheOf<StoredKey>(() => true), true);
}

/** The cache of a store other processes write too, kept true by their notified changes (PostgreSQL). */
export function notifiedCache(store: Store, feed: ChangeFeed): Store {
  const accounts = cacheOf<StoredAccount>(() => feed.listening());
  const keys = cacheOf<StoredKey>(() => feed.listening());
  feed.subscribe({
    drop(table, id) {
      if (table === "accounts") accounts.drop(id);
      else if (table === "api_keys") keys.drop(id);
    },
    reset() {
      accounts.reset();
      keys.reset();
    },
  });
  const cached = cachedStore(store, accounts, keys, false);
  return {
    ...cached,
    async close() {
      try {
        await feed.close();
      } finally {
        await store.close();
      }
    },
  };
}
