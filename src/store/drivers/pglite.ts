/**
 * Embedded PostgreSQL (PGlite, Postgres compiled to WebAssembly) as an SQL driver. One instance per process and per
 * data folder (PGlite is single-connection; two instances on one folder corrupt it, so the folder is locked:
 * store/lock.ts). PGlite serialises statements itself; transactions run one at a time.
 * @module
 */
import { PGlite } from "@electric-sql/pglite";
import type { SqlDriver, SqlRunner } from "./driver.js";

/** Open PGlite in `dataDir` (created if missing), or in memory when `dataDir` is undefined. */
export async function openPgliteDriver(dataDir: string | undefined): Promise<SqlDriver> {
  const db = await PGlite.create(dataDir === undefined ? undefined : dataDir);
  const runner = (q: Pick<PGlite, "query" | "exec">): SqlRunner => ({
    async query<T>(text: string, params: readonly unknown[] = []) {
      const r = await q.query<T>(text, params as unknown[]);
      return r.rows;
    },
    async exec(script: string) {
      await q.exec(script);
    },
  });
  const base = runner(db);
  return {
    backend: "pglite",
    query: base.query,
    exec: base.exec,
    transaction: (fn) => db.transaction((tx) => fn(runner(tx))),
    close: () => db.close(),
  };
}
