/**
 * PostgreSQL through node-postgres (`pg`, pure JavaScript) as an SQL driver: a small pool; a transaction holds one
 * client from BEGIN to COMMIT. int8 and numeric columns are parsed to numbers (counts and sequence numbers stay far
 * below 2^53).
 * @module
 */
import pg from "pg";
import { createHash } from "node:crypto";
import type { QueryOptions, SqlDriver, SqlRunner } from "./driver.js";

const INT8_OID = 20;

/** A prepared statement's name: from its text, so one text is one statement and two texts never share a name. */
const names = new Map<string, string>();
function statementName(text: string): string {
  let name = names.get(text);
  if (name === undefined) {
    name = `netrisk_${createHash("sha256").update(text).digest("hex").slice(0, 24)}`;
    names.set(text, name);
  }
  return name;
}

/** Connect to `url` (postgres://user@host:port/db). */
export async function openPostgresDriver(url: string, options: { poolSize?: number } = {}): Promise<SqlDriver> {
  const pool = new pg.Pool({ connectionString: url, max: options.poolSize ?? 8 });
  // A connection the server ends (restart, idle_in_transaction_session_timeout) fails its queries; it must not also
  // crash the process through an unheard 'error' event.
  pool.on("error", () => undefined);
  const types = { getTypeParser: (oid: number, format?: string) => (oid === INT8_OID ? (v: string) => Number(v) : pg.types.getTypeParser(oid, format as "text")) };
  // Fail now, with the server's reason, rather than on the first request.
  const probe = await pool.connect();
  probe.release();
  const runner = (c: pg.Pool | pg.PoolClient): SqlRunner => ({
    async query<T>(text: string, params: readonly unknown[] = [], options: QueryOptions = {}) {
      // pg prepares a named statement once per connection (it remembers which ones it parsed on each).
      const r = await c.query({ text, values: params as unknown[], types, ...(options.prepared === true ? { name: statementName(text) } : {}) });
      return r.rows as T[];
    },
    async exec(script: string) {
      await c.query(script);
    },
  });
  const base = runner(pool);
  return {
    backend: "postgres",
    query: base.query,
    exec: base.exec,
    async transaction(fn) {
      const client = await pool.connect();
      let broken: unknown = undefined;
      const onError = (e: unknown): void => {
        broken = e;
      };
      client.on("error", onError);
      try {
        await client.query("BEGIN");
        const out = await fn(runner(client));
        await client.query("COMMIT");
        return out;
      } catch (e) {
        await client.query("ROLLBACK").catch(() => undefined);
        broken ??= e;
        throw e;
      } finally {
        client.off("error", onError);
        // A client whose transaction failed is dropped, not pooled (its connection may be dead).
        client.release(broken !== undefined ? true : undefined);
      }
    },
    close: () => pool.end(),
  };
}
