/**
 * The Store port over any {@link SqlDriver}: written once, so PGlite and PostgreSQL run the same statements. Every
 * write commits with its audit row in the same transaction; a rejected write rolls back whole (nothing half there).
 * @module
 */
import type { SqlDriver, SqlRunner } from "./drivers/driver.js";
import type {
  AccountWrite,
  AccountWriteResult,
  AuditEntry,
  AuditInput,
  CheckpointWrite,
  CheckpointHead,
  CheckpointWriteResult,
  PartitionCheckpoint,
  IdempotencyRecord,
  ParameterSetWriteResult,
  Role,
  Store,
  StoredAccount,
  StoredFill,
  StoredKey,
  StoredLiveEvent,
  StoredMarket,
  StoredParameterSet,
  StoredToken,
  TokenKind,
  WriteContext,
} from "./port.js";
import { MIGRATIONS } from "./schema.js";

type Row = Record<string, unknown>;

const iso = (v: unknown): string => (v instanceof Date ? v.toISOString() : new Date(String(v)).toISOString());
const isoOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : iso(v));
const obj = (v: unknown): Record<string, unknown> => (typeof v === "string" ? (JSON.parse(v) as Record<string, unknown>) : (v as Record<string, unknown>));

/** Thrown inside a transaction to roll it back and answer `result`. */
class Abort<T> extends Error {
  constructor(readonly result: T) {
    super("abort");
  }
}

/** Run the migrations not yet applied, each in its own transaction, under an advisory lock (concurrent servers). */
export async function migrate(db: SqlDriver): Promise<number[]> {
  await db.exec(`CREATE TABLE IF NOT EXISTS netrisk_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    const done = await db.transaction(async (sql) => {
      await sql.query("SELECT pg_advisory_xact_lock(7340021)");
      const seen = await sql.query("SELECT 1 FROM netrisk_migrations WHERE version = $1", [m.version]);
      if (seen.length > 0) return false;
      await sql.exec(m.sql);
      await sql.query("INSERT INTO netrisk_migrations (version, name) VALUES ($1, $2)", [m.version, m.name]);
      return true;
    });
    if (done) applied.push(m.version);
  }
  return applied;
}

const accountOf = (r: Row): StoredAccount => ({
  id: String(r.id),
  version: Number(r.version),
  document: obj(r.document),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

const marketOf = (r: Row): StoredMarket => ({
  id: String(r.id),
  timestampMs: Number(r.timestamp_ms),
  document: obj(r.document),
  receivedAt: iso(r.received_at),
  current: Boolean(r.is_current),
});

const PARAMETER_SET_COLUMNS = "name, version, to_char(effective, 'YYYY-MM-DD') AS effective, model, document, created_at, created_by";
const parameterSetOf = (r: Row): StoredParameterSet => ({
  name: String(r.name),
  version: String(r.version),
  effective: String(r.effective),
  model: String(r.model),
  document: obj(r.document),
  createdAt: iso(r.created_at),
  createdBy: String(r.created_by),
});

const keyOf = (r: Row): StoredKey => ({
  clientId: String(r.client_id),
  role: String(r.role) as Role,
  accounts: r.accounts === null || r.accounts === undefined ? null : (obj(r.accounts) as unknown as string[]),
  keyHash: String(r.key_hash),
  secretEnc: String(r.secret_enc),
  label: r.label === null || r.label === undefined ? null : String(r.label),
  createdAt: iso(r.created_at),
  createdBy: String(r.created_by),
  revokedAt: isoOrNull(r.revoked_at),
});

const idempotencyOf = (r: Row): IdempotencyRecord => ({
  scope: String(r.scope),
  key: String(r.key),
  requestHash: String(r.request_hash),
  status: Number(r.status),
  response: typeof r.response === "string" ? (JSON.parse(r.response) as unknown) : r.response,
  createdAt: iso(r.created_at),
});

const auditOf = (r: Row): AuditEntry => ({
  seq: Number(r.seq),
  at: iso(r.at),
  actor: String(r.actor),
  action: String(r.action),
  accountId: r.account_id === null ? null : String(r.account_id),
  accountVersion: r.account_version === null ? null : Number(r.account_version),
  requestId: r.request_id === null ? null : String(r.request_id),
  detail: obj(r.detail),
});

/** Write live-state keys (replacing what they held) in one statement; nothing for none. */
async function upsertLiveState(sql: SqlRunner, state: readonly [string, unknown][], at: string): Promise<void> {
  if (state.length === 0) return;
  const params: unknown[] = [at];
  const rows = state.map(([key, value]) => `($${params.push(key)}, $${params.push(JSON.stringify(value))}::json, $1::timestamptz)`);
  await sql.query(`INSERT INTO live_state (key, value, updated_at) VALUES ${rows.join(", ")} ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`, params);
}

async function insertAudit(sql: SqlRunner, a: AuditInput, ctx: WriteContext): Promise<void> {
  await sql.query(
    "INSERT INTO audit_log (at, actor, action, account_id, account_version, request_id, detail) VALUES ($1, $2, $3, $4, $5, $6, $7::json)",
    [ctx.at, ctx.actor, a.action, a.accountId ?? null, a.accountVersion ?? null, ctx.requestId, JSON.stringify(a.detail)],
  );
}

const checkpointHeadOf = (r: Row): CheckpointHead => ({
  cluster: String(r.cluster),
  partition: Number(r.partition),
  version: Number(r.version),
  lastSeq: Number(r.last_seq),
  snapshotSeq: Number(r.snapshot_seq),
  owner: String(r.owner),
  updatedAt: iso(r.updated_at),
});
const checkpointOf = (r: Row): PartitionCheckpoint => ({ ...checkpointHeadOf(r), snapshot: obj(r.snapshot) });
const HEAD_COLUMNS = "cluster, partition, version, last_seq, snapshot_seq, owner, updated_at";

/**
 * The checkpoint write: version-checked (the fence), never backwards, events idempotent by (input, n). ONE statement
 * (a data-modifying CTE: the checkpoint row, then its events only when the row was written), so a write costs one
 * round trip and holds no transaction open between round trips; a refusal reads the row once more to say why.
 */
async function writeCheckpointIn(db: SqlDriver, w: CheckpointWrite): Promise<CheckpointWriteResult> {
  if (w.expectedVersion === 0 && w.snapshot === undefined) throw new Error(`partition ${w.partition}: a first checkpoint needs a snapshot`);
  const params: unknown[] = [w.cluster, w.partition, w.lastSeq, w.owner, w.at];
  const snapshotParam = (): string => `$${params.push(JSON.stringify(w.snapshot))}::json`;
  const row =
    w.expectedVersion === 0
      ? `INSERT INTO partition_checkpoints (cluster, partition, version, last_seq, snapshot_seq, owner, snapshot, updated_at) VALUES ($1, $2, 1, $3, $3, $4, ${snapshotParam()}, $5) ON CONFLICT DO NOTHING RETURNING ${HEAD_COLUMNS}`
      : `UPDATE partition_checkpoints SET version = version + 1, last_seq = $3, owner = $4, updated_at = $5${w.snapshot !== undefined ? `, snapshot = ${snapshotParam()}, snapshot_seq = $3` : ""} WHERE cluster = $1 AND partition = $2 AND version = $${params.push(w.expectedVersion)} AND last_seq <= $3 RETURNING ${HEAD_COLUMNS}`;
  const events = w.events ?? [];
  const text =
    events.length === 0
      ? row
      : `WITH cp AS (${row}), ev AS (INSERT INTO partition_events (cluster, partition, input_seq, n, account_id, event) SELECT $1, $2, e.input_seq, e.n, e.account_id, e.event FROM json_to_recordset($${params.push(JSON.stringify(events.map((e) => ({ input_seq: e.inputSeq, n: e.n, account_id: e.accountId, event: e.event }))))}::json) AS e(input_seq bigint, n integer, account_id text, event json) WHERE EXISTS (SELECT 1 FROM cp) ON CONFLICT DO NOTHING) SELECT * FROM cp`;
  // Prepared: the statement runs once per input of a caught-up partition, and its parse and plan (a CTE over
  // json_to_recordset) were a good part of its time; its texts are few (first or not, snapshot or not, events or not).
  const rows = await db.query<Row>(text, params, { prepared: true });
  if (rows[0] !== undefined) return { ok: true, checkpoint: checkpointHeadOf(rows[0]) };
  // Refused: another writer moved the version (or created the row first), or lastSeq would go backwards.
  const cur = (await db.query<Row>("SELECT version, last_seq FROM partition_checkpoints WHERE cluster = $1 AND partition = $2", [w.cluster, w.partition]))[0];
  const currentVersion = cur === undefined ? 0 : Number(cur.version);
  if (cur !== undefined && currentVersion === w.expectedVersion) return { ok: false, reason: "seq_regression", currentLastSeq: Number(cur.last_seq) };
  return { ok: false, reason: "version_conflict", currentVersion };
}

const liveEventOf = (r: Row): StoredLiveEvent => ({
  eventSeq: Number(r.event_seq),
  seq: Number(r.seq),
  type: String(r.type),
  accountId: r.account_id === null || r.account_id === undefined ? null : String(r.account_id),
  document: obj(r.document),
});

/** A Store on an open driver (migrations already run: {@link migrate}). */
export function sqlStore(db: SqlDriver): Store {
  const one = async <T>(text: string, params: readonly unknown[], map: (r: Row) => T): Promise<T | null> => {
    const rows = await db.query<Row>(text, params);
    return rows[0] === undefined ? null : map(rows[0]);
  };

  async function writeAccount(w: AccountWrite, ctx: WriteContext): Promise<AccountWriteResult> {
    try {
      return await db.transaction(async (sql) => {
        if (w.idempotency !== undefined) {
          const i = w.idempotency;
          const inserted = await sql.query(
            "INSERT INTO idempotency (scope, key, request_hash, status, response, created_at) VALUES ($1, $2, $3, $4, $5::json, $6) ON CONFLICT DO NOTHING RETURNING key",
            [i.scope, i.key, i.requestHash, i.status, JSON.stringify(i.response), ctx.at],
          );
          if (inserted.length === 0) {
            const rows = await sql.query<Row>("SELECT * FROM idempotency WHERE scope = $1 AND key = $2", [i.scope, i.key]);
            throw new Abort<AccountWriteResult>({ ok: false, reason: "idempotency_taken", record: idempotencyOf(rows[0] as Row) });
          }
        }
        const doc = JSON.stringify(w.document);
        const rows =
          w.expectedVersion === 0
            ? await sql.query<Row>(
                "INSERT INTO accounts (id, version, document, created_at, updated_at) VALUES ($1, 1, $2::json, $3, $3) ON CONFLICT DO NOTHING RETURNING *",
                [w.id, doc, ctx.at],
              )
            : await sql.query<Row>(
                "UPDATE accounts SET version = version + 1, document = $3::json, updated_at = $4 WHERE id = $1 AND version = $2 RETURNING *",
                [w.id, w.expectedVersion, doc, ctx.at],
              );
        if (rows.length === 0) {
          const cur = await sql.query<Row>("SELECT version FROM accounts WHERE id = $1", [w.id]);
          throw new Abort<AccountWriteResult>({ ok: false, reason: "version_conflict", currentVersion: cur[0] === undefined ? 0 : Number(cur[0].version) });
        }
        const account = accountOf(rows[0] as Row);
        const duplicates: string[] = [];
        for (const f of w.fills ?? []) {
          const r = await sql.query(
            "INSERT INTO fills (account_id, trade_id, fill, account_version, created_at) VALUES ($1, $2, $3::json, $4, $5) ON CONFLICT DO NOTHING RETURNING trade_id",
            [w.id, f.tradeId, JSON.stringify(f.fill), account.version, ctx.at],
          );
          if (r.length === 0) duplicates.push(f.tradeId);
        }
        if (duplicates.length > 0) throw new Abort<AccountWriteResult>({ ok: false, reason: "duplicate_trade", tradeIds: duplicates });
        await insertAudit(sql, { ...w.audit, accountId: w.id, accountVersion: account.version }, ctx);
        return { ok: true, account } as const;
      });
    } catch (e) {
      if (e instanceof Abort) return e.result as AccountWriteResult;
      throw e;
    }
  }

  return {
    backend: db.backend,
    close: () => db.close(),

    getAccount: (id) => one("SELECT * FROM accounts WHERE id = $1", [id], accountOf),
    async listAccounts({ afterId, limit }) {
      const rows = await db.query<Row>("SELECT * FROM accounts WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2", [afterId ?? null, limit]);
      return rows.map(accountOf);
    },
    writeAccount,
    async listFills(accountId) {
      const rows = await db.query<Row>("SELECT * FROM fills WHERE account_id = $1 ORDER BY account_version, trade_id", [accountId]);
      return rows.map(
        (r): StoredFill => ({ accountId: String(r.account_id), tradeId: String(r.trade_id), fill: obj(r.fill), accountVersion: Number(r.account_version), createdAt: iso(r.created_at) }),
      );
    },
    async knownTrades(accountId, tradeIds) {
      if (tradeIds.length === 0) return [];
      const rows = await db.query<Row>("SELECT trade_id FROM fills WHERE account_id = $1 AND trade_id = ANY($2::text[])", [accountId, [...tradeIds]]);
      return rows.map((r) => String(r.trade_id));
    },

    getIdempotency: (scope, key) => one("SELECT * FROM idempotency WHERE scope = $1 AND key = $2", [scope, key], idempotencyOf),

    async putMarket(m, ctx) {
      return db.transaction(async (sql) => {
        const inserted = await sql.query<Row>(
          "INSERT INTO market_snapshots (id, timestamp_ms, document, received_at, is_current) VALUES ($1, $2, $3::json, $4, false) ON CONFLICT DO NOTHING RETURNING id",
          [m.id, m.timestampMs, JSON.stringify(m.document), ctx.at],
        );
        await sql.query("UPDATE market_snapshots SET is_current = false WHERE is_current AND id <> $1", [m.id]);
        const rows = await sql.query<Row>("UPDATE market_snapshots SET is_current = true WHERE id = $1 RETURNING *", [m.id]);
        await insertAudit(sql, { action: "market.put", detail: { marketId: m.id, timestampMs: m.timestampMs, created: inserted.length > 0 } }, ctx);
        return { created: inserted.length > 0, market: marketOf(rows[0] as Row) };
      });
    },
    currentMarket: () => one("SELECT * FROM market_snapshots WHERE is_current", [], marketOf),
    getMarket: (id) => one("SELECT * FROM market_snapshots WHERE id = $1", [id], marketOf),

    async putParameterSet(set, asOfDay, ctx) {
      try {
        return await db.transaction(async (sql) => {
          const existing = await sql.query<Row>(`SELECT ${PARAMETER_SET_COLUMNS} FROM parameter_sets WHERE name = $1 AND version = $2 FOR UPDATE`, [set.name, set.version]);
          const old = existing[0] === undefined ? undefined : parameterSetOf(existing[0]);
          if (old !== undefined && old.effective <= asOfDay) throw new Abort<ParameterSetWriteResult>({ ok: false, reason: "immutable", set: old });
          const rows =
            old === undefined
              ? await sql.query<Row>(
                  `INSERT INTO parameter_sets (name, version, effective, model, document, created_at, created_by) VALUES ($1, $2, $3::date, $4, $5::json, $6, $7) RETURNING ${PARAMETER_SET_COLUMNS}`,
                  [set.name, set.version, set.effective, set.model, JSON.stringify(set.document), ctx.at, ctx.actor],
                )
              : await sql.query<Row>(
                  `UPDATE parameter_sets SET effective = $3::date, model = $4, document = $5::json, created_at = $6, created_by = $7 WHERE name = $1 AND version = $2 RETURNING ${PARAMETER_SET_COLUMNS}`,
                  [set.name, set.version, set.effective, set.model, JSON.stringify(set.document), ctx.at, ctx.actor],
                );
          await insertAudit(sql, { action: old === undefined ? "parameter_set.create" : "parameter_set.replace", detail: { name: set.name, version: set.version, effective: set.effective, model: set.model } }, ctx);
          return { ok: true, created: old === undefined, set: parameterSetOf(rows[0] as Row) } as const;
        });
      } catch (e) {
        if (e instanceof Abort) return e.result as ParameterSetWriteResult;
        throw e;
      }
    },
    async listParameterSets() {
      const rows = await db.query<Row>(`SELECT ${PARAMETER_SET_COLUMNS} FROM parameter_sets ORDER BY name, effective, version`);
      return rows.map(parameterSetOf);
    },
    getParameterSet: (name, version) => one(`SELECT ${PARAMETER_SET_COLUMNS} FROM parameter_sets WHERE name = $1 AND version = $2`, [name, version], parameterSetOf),

    async createKey(k, ctx) {
      return db.transaction(async (sql) => {
        const rows = await sql.query<Row>(
          "INSERT INTO api_keys (client_id, role, accounts, key_hash, secret_enc, label, created_at, created_by) VALUES ($1, $2, $3::json, $4, $5, $6, $7, $8) RETURNING *",
          [k.clientId, k.role, k.accounts === null ? null : JSON.stringify(k.accounts), k.keyHash, k.secretEnc, k.label, ctx.at, ctx.actor],
        );
        await insertAudit(sql, { action: "key.create", detail: { clientId: k.clientId, role: k.role, accounts: k.accounts } }, ctx);
        return keyOf(rows[0] as Row);
      });
    },
    getKey: (clientId) => one("SELECT * FROM api_keys WHERE client_id = $1", [clientId], keyOf),
    async listKeys() {
      return (await db.query<Row>("SELECT * FROM api_keys ORDER BY created_at, client_id")).map(keyOf);
    },
    async revokeKey(clientId, ctx) {
      return db.transaction(async (sql) => {
        const rows = await sql.query<Row>("UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $2) WHERE client_id = $1 RETURNING *", [clientId, ctx.at]);
        if (rows[0] === undefined) return null;
        await sql.query("DELETE FROM tokens WHERE client_id = $1", [clientId]);
        await insertAudit(sql, { action: "key.revoke", detail: { clientId } }, ctx);
        return keyOf(rows[0]);
      });
    },

    async putToken(t) {
      await db.query("INSERT INTO tokens (token_hash, kind, client_id, expires_at_ms) VALUES ($1, $2, $3, $4)", [t.tokenHash, t.kind, t.clientId, t.expiresAtMs]);
    },
    getToken: (tokenHash) =>
      one("SELECT * FROM tokens WHERE token_hash = $1", [tokenHash], (r): StoredToken => ({
        tokenHash: String(r.token_hash),
        kind: String(r.kind) as TokenKind,
        clientId: String(r.client_id),
        expiresAtMs: Number(r.expires_at_ms),
      })),
    async useNonce(clientId, nonce, tsMs, pruneBeforeMs) {
      return db.transaction(async (sql) => {
        await sql.query("DELETE FROM nonces WHERE ts_ms < $1", [pruneBeforeMs]);
        const r = await sql.query("INSERT INTO nonces (client_id, nonce, ts_ms) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING RETURNING nonce", [clientId, nonce, tsMs]);
        return r.length > 0;
      });
    },

    async commitLive(c, ctx) {
      const state = Object.entries(c.state ?? {});
      if (c.events.length === 0 && c.market === undefined) {
        // Only state (a fill or balance change that moved no health state: the commonest step): one statement, atomic
        // by itself, without BEGIN and COMMIT around it (on PGlite two more statements on the server's thread per fill).
        await upsertLiveState(db, state, ctx.at);
        return { ok: true as const };
      }
      try {
        return await db.transaction(async (sql) => {
          for (const e of c.events) {
            const r = await sql.query(
              "INSERT INTO live_events (event_seq, seq, type, account_id, document, created_at) VALUES ($1, $2, $3, $4, $5::json, $6) ON CONFLICT DO NOTHING RETURNING event_seq",
              [e.eventSeq, e.seq, e.type, e.accountId, JSON.stringify(e.document), ctx.at],
            );
            if (r.length === 0) throw new Abort({ ok: false as const, reason: "duplicate_event" as const, eventSeq: e.eventSeq });
          }
          if (c.market !== undefined) {
            const m = c.market;
            const inserted = await sql.query(
              "INSERT INTO market_snapshots (id, timestamp_ms, document, received_at, is_current) VALUES ($1, $2, $3::json, $4, false) ON CONFLICT DO NOTHING RETURNING id",
              [m.id, m.timestampMs, JSON.stringify(m.document), ctx.at],
            );
            await sql.query("UPDATE market_snapshots SET is_current = false WHERE is_current AND id <> $1", [m.id]);
            await sql.query("UPDATE market_snapshots SET is_current = true WHERE id = $1", [m.id]);
            await insertAudit(sql, { action: "market.tick", detail: { marketId: m.id, timestampMs: m.timestampMs, created: inserted.length > 0, events: c.events.length } }, ctx);
          }
          await upsertLiveState(sql, state, ctx.at);
          return { ok: true as const };
        });
      } catch (e) {
        if (e instanceof Abort) return e.result as { ok: false; reason: "duplicate_event"; eventSeq: number };
        throw e;
      }
    },
    async readLiveEvents({ afterEventSeq, limit, accounts, types }) {
      const rows = await db.query<Row>(
        "SELECT * FROM live_events WHERE event_seq > $1 AND ($3::text[] IS NULL OR account_id = ANY($3::text[])) AND ($4::text[] IS NULL OR type = ANY($4::text[])) ORDER BY event_seq LIMIT $2",
        [afterEventSeq, limit, accounts === undefined || accounts === null ? null : [...accounts], types === undefined || types === null ? null : [...types]],
      );
      return rows.map(liveEventOf);
    },
    async lastLiveEventSeq() {
      const rows = await db.query<Row>("SELECT COALESCE(MAX(event_seq), 0) AS last FROM live_events");
      return Number(rows[0]?.last ?? 0);
    },
    async getLiveState(key) {
      const rows = await db.query<Row>("SELECT value FROM live_state WHERE key = $1", [key]);
      const v = rows[0]?.value;
      return v === undefined ? null : typeof v === "string" ? (JSON.parse(v) as unknown) : v;
    },

    async listLiveState(prefix) {
      const rows = await db.query<Row>("SELECT key, value, updated_at FROM live_state WHERE starts_with(key, $1) ORDER BY key", [prefix]);
      return rows.map((r) => ({ key: String(r.key), value: typeof r.value === "string" ? (JSON.parse(r.value) as unknown) : r.value, updatedAt: iso(r.updated_at) }));
    },

    async appendAudit(entries) {
      if (entries.length === 0) return;
      // One INSERT of column arrays per 500 rows: the read audit commits thousands of rows a second under load, and a
      // statement per row cost more than the reads it records (PGlite runs every statement on the server's thread).
      // Seven array parameters instead of seven per row: PGlite binds and plans a 100-row chunk's VALUES list of 700
      // parameters at ~20 % more CPU than unnest of seven arrays (4.7–5.9 ms against 3.7–4.6 ms per chunk, measured
      // on the loaded 2-core machine), all of it on the server's only thread.
      if (db.copyCsv !== undefined) {
        // In the batch's order (seq follows the file's): one COPY, CSV parsed by the database (PGlite, in process).
        // One statement is atomic by itself: no BEGIN and COMMIT around it (two more statements on the server's
        // thread, ~0.1 ms of a chunk's ~0.25 ms fixed cost on PGlite).
        const text = (v: string | null | undefined): string => (v === null || v === undefined ? "" : `"${v.replaceAll('"', '""')}"`);
        let csv = "";
        for (const e of entries)
          csv += `${text(e.ctx.at)},${text(e.ctx.actor)},${text(e.action)},${text(e.accountId)},${e.accountVersion ?? ""},${text(e.ctx.requestId)},${text(JSON.stringify(e.detail))}\n`;
        await db.copyCsv("audit_log", ["at", "actor", "action", "account_id", "account_version", "request_id", "detail"], csv);
        return;
      }
      await db.transaction(async (sql) => {
        for (let from = 0; from < entries.length; from += 500) {
          const chunk = entries.slice(from, from + 500);
          const at: string[] = [];
          const actor: string[] = [];
          const action: string[] = [];
          const accountId: (string | null)[] = [];
          const accountVersion: (number | null)[] = [];
          const requestId: (string | null)[] = [];
          const detail: string[] = [];
          for (const e of chunk) {
            at.push(e.ctx.at);
            actor.push(e.ctx.actor);
            action.push(e.action);
            accountId.push(e.accountId ?? null);
            accountVersion.push(e.accountVersion ?? null);
            requestId.push(e.ctx.requestId);
            detail.push(JSON.stringify(e.detail));
          }
          await sql.query(
            // In the batch's order (seq follows it): WITH ORDINALITY says so rather than relying on the plan.
            "INSERT INTO audit_log (at, actor, action, account_id, account_version, request_id, detail) SELECT at, actor, action, account_id, account_version, request_id, detail FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $5::integer[], $6::text[], $7::json[]) WITH ORDINALITY AS u(at, actor, action, account_id, account_version, request_id, detail, n) ORDER BY n",
            [at, actor, action, accountId, accountVersion, requestId, detail],
          );
        }
      });
    },
    async listAudit({ accountId, afterSeq, limit, actions }) {
      const rows = await db.query<Row>(
        "SELECT * FROM audit_log WHERE ($1::text IS NULL OR account_id = $1) AND seq > $2 AND ($4::text[] IS NULL OR action = ANY($4::text[])) ORDER BY seq LIMIT $3",
        [accountId ?? null, afterSeq ?? 0, limit, actions === undefined ? null : [...actions]],
      );
      return rows.map(auditOf);
    },

    getCheckpoint: (cluster, partition) => one("SELECT * FROM partition_checkpoints WHERE cluster = $1 AND partition = $2", [cluster, partition], checkpointOf),
    writeCheckpoint: (w) => writeCheckpointIn(db, w),
    async listPartitionEvents({ cluster, accountId, afterInputSeq, limit }) {
      const rows = await db.query<Row>(
        "SELECT * FROM partition_events WHERE cluster = $1 AND ($2::text IS NULL OR account_id = $2) AND input_seq > $3 ORDER BY input_seq, partition, n LIMIT $4",
        [cluster, accountId ?? null, afterInputSeq ?? 0, limit],
      );
      return rows.map((r) => ({ partition: Number(r.partition), inputSeq: Number(r.input_seq), n: Number(r.n), accountId: r.account_id === null ? null : String(r.account_id), event: obj(r.event) }));
    },
  };
}
