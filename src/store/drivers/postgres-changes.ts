/**
 * The committed changes of `accounts` and `api_keys` on a PostgreSQL database, heard on one dedicated connection
 * (`LISTEN netrisk_changes`; the trigger of schema.ts migration 4 sends `<table>:<id>` on every insert, update and
 * delete, delivered when its transaction commits). The read cache (single-writer-cache.ts `notifiedCache`) trusts
 * its rows only while this connection listens: when it breaks, the cache is reset and bypassed, and the connection
 * is retried; once listening again the cache restarts empty.
 * @module
 */
import pg from "pg";
import type { ChangeFeed, ChangeListener } from "../single-writer-cache.js";

/** The channel the migration-4 trigger notifies. */
export const CHANGES_CHANNEL = "netrisk_changes";

export interface PostgresChangeFeedOptions {
  /** Wait before reconnecting a broken listening connection (default 1 s). */
  readonly retryMs?: number;
}

/** Listen to `url`'s changes; resolves once the first attempt to listen has succeeded or failed (then it retries). */
export async function postgresChangeFeed(url: string, options: PostgresChangeFeedOptions = {}): Promise<ChangeFeed> {
  const retryMs = options.retryMs ?? 1000;
  const listeners: ChangeListener[] = [];
  let client: pg.Client | null = null;
  let listening = false;
  let closed = false;
  let timer: NodeJS.Timeout | null = null;

  const lost = (c: pg.Client): void => {
    if (client !== c) return;
    client = null;
    listening = false;
    for (const l of listeners) l.reset();
    c.end().catch(() => undefined);
    if (!closed) {
      timer = setTimeout(() => {
        timer = null;
        void connect();
      }, retryMs);
      timer.unref();
    }
  };

  async function connect(): Promise<void> {
    const c = new pg.Client({ connectionString: url });
    client = c;
    c.on("error", () => lost(c));
    c.on("end", () => lost(c));
    c.on("notification", (n) => {
      if (n.channel !== CHANGES_CHANNEL || n.payload === undefined) return;
      const at = n.payload.indexOf(":");
      if (at < 0) return;
      const table = n.payload.slice(0, at);
      const id = n.payload.slice(at + 1);
      for (const l of listeners) l.drop(table, id);
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${CHANGES_CHANNEL}`);
      if (client !== c || closed) return;
      // Whatever was cached before (nothing, or rows from before a break) starts over now that changes are heard.
      for (const l of listeners) l.reset();
      listening = true;
    } catch {
      lost(c);
    }
  }

  await connect();
  return {
    listening: () => listening,
    subscribe(listener) {
      listeners.push(listener);
    },
    async close() {
      closed = true;
      listening = false;
      if (timer !== null) clearTimeout(timer);
      const c = client;
      client = null;
      await c?.end().catch(() => undefined);
    },
  };
}
