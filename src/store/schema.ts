/**
 * The one SQL schema of the service, as ordered migrations run by both adapters (PGlite and PostgreSQL) on open.
 * Plain SQL rather than an ORM's schema DSL: the statements are the contract the two backends must both accept, and
 * the contract suite runs them on both (docs/server.md says why). Never edit a released migration: add the next one.
 *
 * Documents are `json` (not `jsonb`): json keeps the text as written, so a stored account comes back with its fields
 * in their order and every number with its digits (the engine's doubles round-trip exactly).
 * @module
 */

export interface Migration {
  readonly version: number;
  readonly name: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "accounts, fills, markets, parameter sets, keys, tokens, nonces, idempotency, audit log",
    sql: `
CREATE TABLE accounts (
  id text PRIMARY KEY,
  version integer NOT NULL CHECK (version > 0),
  document json NOT NULL,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL
);
CREATE TABLE fills (
  account_id text NOT NULL REFERENCES accounts(id),
  trade_id text NOT NULL,
  fill json NOT NULL,
  account_version integer NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (account_id, trade_id)
);
CREATE TABLE market_snapshots (
  id text PRIMARY KEY,
  timestamp_ms double precision NOT NULL,
  document json NOT NULL,
  received_at timestamptz NOT NULL,
  is_current boolean NOT NULL DEFAULT false
);
CREATE UNIQUE INDEX market_snapshots_one_current ON market_snapshots (is_current) WHERE is_current;
CREATE TABLE parameter_sets (
  name text NOT NULL,
  version text NOT NULL,
  effective date NOT NULL,
  model text NOT NULL,
  document json NOT NULL,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  PRIMARY KEY (name, version)
);
CREATE TABLE api_keys (
  client_id text PRIMARY KEY,
  role text NOT NULL CHECK (role IN ('admin', 'risk', 'trader', 'feed')),
  accounts json,
  key_hash text NOT NULL UNIQUE,
  secret_enc text NOT NULL,
  label text,
  created_at timestamptz NOT NULL,
  created_by text NOT NULL,
  revoked_at timestamptz
);
CREATE TABLE tokens (
  token_hash text PRIMARY KEY,
  kind text NOT NULL CHECK (kind IN ('access', 'refresh', 'stream')),
  client_id text NOT NULL REFERENCES api_keys(client_id),
  expires_at_ms double precision NOT NULL
);
CREATE TABLE nonces (
  client_id text NOT NULL,
  nonce text NOT NULL,
  ts_ms double precision NOT NULL,
  PRIMARY KEY (client_id, nonce)
);
CREATE TABLE idempotency (
  scope text NOT NULL,
  key text NOT NULL,
  request_hash text NOT NULL,
  status integer NOT NULL,
  response json NOT NULL,
  created_at timestamptz NOT NULL,
  PRIMARY KEY (scope, key)
);
CREATE TABLE audit_log (
  seq bigserial PRIMARY KEY,
  at timestamptz NOT NULL,
  actor text NOT NULL,
  action text NOT NULL,
  account_id text,
  account_version integer,
  request_id text,
  detail json NOT NULL
);
CREATE INDEX audit_log_account ON audit_log (account_id, seq);
-- Append-only: the audit trail can be added to, never edited.
CREATE FUNCTION netrisk_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END
$$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION netrisk_audit_append_only();
`,
  },
  {
    version: 2,
    name: "live events (global eventSeq) and the live engine's state",
    sql: `
-- Events of the live engine (docs/live.md): the document is the event exactly as streamed and replayed.
CREATE TABLE live_events (
  event_seq bigint PRIMARY KEY CHECK (event_seq > 0),
  seq bigint NOT NULL,
  type text NOT NULL,
  account_id text,
  document json NOT NULL,
  created_at timestamptz NOT NULL
);
CREATE INDEX live_events_account ON live_events (account_id, event_seq);
CREATE INDEX live_events_type ON live_events (type, event_seq);
CREATE TRIGGER live_events_append_only BEFORE UPDATE OR DELETE ON live_events
  FOR EACH ROW EXECUTE FUNCTION netrisk_audit_append_only();
-- Small named values the live engine keeps across restarts (the feed's last tick seq, breaker rules in force).
CREATE TABLE live_state (
  key text PRIMARY KEY,
  value json NOT NULL,
  updated_at timestamptz NOT NULL
);
`,
  },
  {
    version: 3,
    name: "cluster partition checkpoints (fenced by version) and the events they stored",
    sql: `
-- One row per (cluster, partition): the last input applied and the book snapshot after it. version is the fence:
-- every write names the version it read, so an owner whose lease was taken over (and whose successor has written
-- since) is refused (docs/scale-out.md).
CREATE TABLE partition_checkpoints (
  cluster text NOT NULL,
  partition integer NOT NULL CHECK (partition >= 0),
  version integer NOT NULL CHECK (version > 0),
  last_seq bigint NOT NULL CHECK (last_seq >= 0),
  owner text NOT NULL,
  snapshot json NOT NULL,
  updated_at timestamptz NOT NULL,
  PRIMARY KEY (cluster, partition)
);
-- Events of the inputs a checkpoint covers, written in its transaction; (input, n) makes a rewrite a no-op.
CREATE TABLE partition_events (
  cluster text NOT NULL,
  partition integer NOT NULL,
  input_seq bigint NOT NULL,
  n integer NOT NULL,
  account_id text,
  event json NOT NULL,
  PRIMARY KEY (cluster, partition, input_seq, n)
);
CREATE INDEX partition_events_account ON partition_events (cluster, account_id, input_seq);
`,
  },
  {
    version: 4,
    name: "notify committed changes of accounts and keys (the read cache of servers sharing a PostgreSQL database)",
    sql: `
-- Every insert, update and delete of an account or a key NOTIFYs '<table>:<id>' on netrisk_changes, delivered when
-- its transaction commits: servers sharing the database drop the row from their read cache
-- (src/store/single-writer-cache.ts). On every write path, present and future, because it is a trigger.
CREATE FUNCTION netrisk_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('netrisk_changes', TG_TABLE_NAME || ':' || ((CASE WHEN TG_OP = 'DELETE' THEN to_jsonb(OLD) ELSE to_jsonb(NEW) END) ->> TG_ARGV[0]));
  RETURN NULL;
END
$$;
CREATE TRIGGER accounts_notify_change AFTER INSERT OR UPDATE OR DELETE ON accounts
  FOR EACH ROW EXECUTE FUNCTION netrisk_notify_change('id');
CREATE TRIGGER api_keys_notify_change AFTER INSERT OR UPDATE OR DELETE ON api_keys
  FOR EACH ROW EXECUTE FUNCTION netrisk_notify_change('client_id');
`,
  },
  {
    version: 5,
    name: "partition checkpoints keep the input their book snapshot is after (progress written without a snapshot)",
    sql: `
-- A checkpoint write may move last_seq (inputs stored and acknowledged) without rewriting the book snapshot: the
-- snapshot is after input snapshot_seq, and a new owner rebuilds from it and re-applies the inputs since
-- (docs/scale-out.md, "Checkpoints"). Rows written before: their snapshot is after last_seq.
ALTER TABLE partition_checkpoints ADD COLUMN snapshot_seq bigint;
UPDATE partition_checkpoints SET snapshot_seq = last_seq;
ALTER TABLE partition_checkpoints ALTER COLUMN snapshot_seq SET NOT NULL;
ALTER TABLE partition_checkpoints ADD CONSTRAINT partition_checkpoints_snapshot_seq CHECK (snapshot_seq >= 0 AND snapshot_seq <= last_seq);
`,
  },
];
