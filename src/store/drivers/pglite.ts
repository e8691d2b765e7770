/**
 * Embedded PostgreSQL (PGlite, Postgres compiled to WebAssembly) as an SQL driver. One instance per process and per
 * data folder (PGlite is single-connection; two instances on one folder corrupt it, so the folder is locked:
 * store/lock.ts). PGlite serialises statements itself; transactions run one at a time.
 * @module
 */
import { PGlite } from "@electric-sql/pglite";
import type { SqlDriver, SqlRunner } from "./driver.js";

/**
 * The image of a freshly initialised cluster (a tarball of its data folder), made by the first in-memory open of the
 * process. Why: PGlite runs initdb at every in-memory open, ~3 s of WebAssembly here, where loading the image of one
 * takes ~1 s (the test suites open hundreds of in-memory stores). The image is taken before anything is written, so
 * every in-memory store still starts empty; a failed attempt is forgotten so that the next open tries again.
 */
let emptyClusterImage: Promise<Blob> | null = null;

async function inMemory(): Promise<PGlite> {
  if (emptyClusterImage === null) {
    const db = await PGlite.create();
    const image = db.dumpDataDir("none");
    emptyClusterImage = image;
    image.catch(() => (emptyClusterImage = null));
    await image.catch(() => undefined);
    return db;
  }
  const image = await emptyClusterImage;
  return PGlite.create({ loadDataDir: image });
}

/** Open PGlite in `dataDir` (created if missing), or in memory when `dataDir` is undefined. */
export async function openPgliteDriver(dataDir: string | undefined): Promise<SqlDriver> {
  const db = dataDir === undefined ? await inMemory() : await PGlite.create(dataDir);
  // PGlite runs with fsync off (its files are never synced, docs/server.md "Durability"), so zero-filling each new
  // 16 MB write-ahead-log segment buys nothing, and it is done on the server's only thread: a 140 ms stall in PGlite's
  // file writes in a CPU profile of the bench's server under the what-if load (the read audit's WAL), every request
  // queued behind it. The first statement after a segment switch took 7-91 ms with zero-filling and 1.3-3.6 ms
  // without (pg_switch_wal() then one INSERT, six times, twice each, here). A session setting (superuser context;
  // PGlite has one session).
  await db.exec("SET wal_init_zero = off");
  const runner = (q: Pick<PGlite, "query" | "exec">): SqlRunner => ({
    async query<T>(text: string, params: readonly unknown[] = []) {
      const r = await q.query<T>(text, params as unknown[]);
      return r.rows;
    },
    async exec(script: string) {
      await q.exec(script);
    },
    // PGlite reads a COPY's input from the blob given with the statement ('/dev/blob'). Why: parsing CSV costs the
    // server's thread ~40 % less than binding and unnesting seven arrays (the read audit: 2.2–3.2 ms against
    // 3.3–5.3 ms of CPU per 100 rows, measured here), and PGlite runs SQL on that thread.
    async copyCsv(table: string, columns: readonly string[], csv: string) {
      await q.query(`COPY ${table} (${columns.join(", ")}) FROM '/dev/blob' WITH (FORMAT csv)`, [], { blob: new Blob([csv]) });
    },
  });
  const base = runner(db);
  return {
    backend: "pglite",
    query: base.query,
    exec: base.exec,
    copyCsv: base.copyCsv,
    transaction: (fn) => db.transaction((tx) => fn(runner(tx))),
    close: () => db.close(),
  };
}
