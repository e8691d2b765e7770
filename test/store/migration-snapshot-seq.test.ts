/**
 * Migration 5 on a database written before it (PGlite and PostgreSQL): a partition checkpoint stored by migration 3's
 * schema reads back with its snapshot after its last input (snapshotSeq = lastSeq), and the column's check holds.
 */
import { afterAll, describe, expect, it } from "vitest";
import { openPgliteDriver } from "../../src/store/drivers/pglite.js";
import { openPostgresDriver } from "../../src/store/drivers/postgres.js";
import type { SqlDriver } from "../../src/store/drivers/driver.js";
import { MIGRATIONS } from "../../src/store/schema.js";
import { migrate, sqlStore } from "../../src/store/sql-store.js";
import { createScratchDatabase } from "../helpers/postgres.js";
import type { ScratchDatabase } from "../helpers/postgres.js";
import { testEnv } from "../helpers/requires.js";

async function upgradeFrom4(driver: SqlDriver): Promise<void> {
  await driver.exec(`CREATE TABLE IF NOT EXISTS netrisk_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  for (const m of MIGRATIONS.filter((x) => x.version <= 4)) {
    await driver.exec(m.sql);
    await driver.query("INSERT INTO netrisk_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
  }
  await driver.query("INSERT INTO partition_checkpoints (cluster, partition, version, last_seq, owner, snapshot, updated_at) VALUES ('c', 2, 7, 41, 'w1', '{\"book\":[1]}', now())");
  expect(await migrate(driver)).toEqual(MIGRATIONS.filter((x) => x.version > 4).map((x) => x.version));
  const store = sqlStore(driver);
  expect(await store.getCheckpoint("c", 2)).toMatchObject({ version: 7, lastSeq: 41, snapshotSeq: 41, snapshot: { book: [1] } });
  // A snapshot after its last input is refused by the schema itself.
  await expect(driver.query("UPDATE partition_checkpoints SET snapshot_seq = 42 WHERE cluster = 'c'")).rejects.toThrow(/partition_checkpoints_snapshot_seq/);
  const w = await store.writeCheckpoint({ cluster: "c", partition: 2, expectedVersion: 7, lastSeq: 45, owner: "w2", at: new Date(0).toISOString() });
  expect(w).toMatchObject({ ok: true, checkpoint: { version: 8, lastSeq: 45, snapshotSeq: 41 } });
}

describe("migration 5 (checkpoint snapshot_seq) on a database of migration 4", () => {
  it("PGlite", async () => {
    const driver = await openPgliteDriver(undefined);
    try {
      await upgradeFrom4(driver);
    } finally {
      await driver.close();
    }
  }, 180_000);

  describe.skipIf(testEnv.postgresUrl === null)("PostgreSQL", () => {
    let scratch: ScratchDatabase | undefined;
    afterAll(async () => {
      await scratch?.drop();
    });
    it("PostgreSQL", async () => {
      scratch = await createScratchDatabase(testEnv.postgresUrl as string);
      const driver = await openPostgresDriver(scratch.url);
      try {
        await upgradeFrom4(driver);
      } finally {
        await driver.close();
      }
    }, 60_000);
  });
});
