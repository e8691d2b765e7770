/**
 * Open the service's store: embedded PGlite in a data folder (the default, `./netrisk-data`), or PostgreSQL at a URL.
 * Runs the migrations; a PGlite folder is locked for the life of the store (lock.ts).
 * @module
 */
import { openPgliteDriver } from "./drivers/pglite.js";
import { openPostgresDriver } from "./drivers/postgres.js";
import { postgresChangeFeed } from "./drivers/postgres-changes.js";
import { acquireDataLock } from "./lock.js";
import type { Store } from "./port.js";
import { notifiedCache, singleWriterCache } from "./single-writer-cache.js";
import { migrate, sqlStore } from "./sql-store.js";

export type StoreLocation = { readonly kind: "pglite"; readonly dataDir: string | null } | { readonly kind: "postgres"; readonly url: string };

/** Where the store is, from the command's flags and DATABASE_URL (flags win). */
export function storeLocation(options: { data?: string | undefined; databaseUrl?: string | undefined }, env: NodeJS.ProcessEnv = process.env): StoreLocation {
  const url = options.databaseUrl ?? (options.data === undefined ? env.DATABASE_URL : undefined);
  if (url !== undefined && url !== "") return { kind: "postgres", url };
  return { kind: "pglite", dataDir: options.data ?? "./netrisk-data" };
}

/**
 * Open and migrate. `lockHint` completes the `data_locked` message (e.g. "use --url with an admin key instead").
 * A PGlite store with `dataDir: null` lives in memory (tests).
 */
export async function openStore(location: StoreLocation, options: { lockHint?: string } = {}): Promise<Store> {
  if (location.kind === "postgres") {
    const driver = await openPostgresDriver(location.url);
    try {
      await migrate(driver);
      // Other servers write the same database: the read cache follows their committed changes (NOTIFY).
      return notifiedCache(sqlStore(driver), await postgresChangeFeed(location.url));
    } catch (e) {
      await driver.close().catch(() => undefined);
      throw e;
    }
  }
  const release = location.dataDir === null ? () => undefined : acquireDataLock(location.dataDir, options.lockHint ?? "stop it first");
  try {
    const driver = await openPgliteDriver(location.dataDir ?? undefined);
    await migrate(driver);
    // One process holds the folder (the lock above), so its reads can be cached exactly (single-writer-cache.ts).
    const store = singleWriterCache(sqlStore(driver));
    return {
      ...store,
      close: async () => {
        try {
          await store.close();
        } finally {
          release();
        }
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}
