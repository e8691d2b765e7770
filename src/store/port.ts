/**
 * The Store port: everything the service persists, as one interface with two adapters (embedded PGlite and
 * PostgreSQL) over one SQL schema (schema.ts) and one implementation (sql-store.ts). ONE contract test suite
 * (test/store/store.contract.ts) runs against both. No business rule lives here: callers compute new documents with
 * the engine (account/fills.ts, io/account.ts) and the store commits them atomically with their audit rows.
 *
 * Concurrency: every write that depends on a read is optimistic. An account write names the version it was computed
 * from and fails with `version_conflict` when another write got there first; the caller re-reads and retries (or
 * answers 409 when the client named the version with If-Match).
 * @module
 */

/** Who did a write and under which request, stamped on its audit row. */
export interface WriteContext {
  /** The key's client id (`admin-1a2b...`), or `cli` / `system` for local tools. */
  readonly actor: string;
  readonly requestId: string | null;
  /** When (ISO 8601 from the server's Clock). */
  readonly at: string;
}

export interface StoredAccount {
  readonly id: string;
  /** Starts at 1; +1 on every write. */
  readonly version: number;
  /** The account in the account file format (docs/formats.md), numbers as the engine's doubles. */
  readonly document: Record<string, unknown>;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface StoredMarket {
  /** Content id: the first 16 hex digits of the SHA-256 of the snapshot's JSON text. */
  readonly id: string;
  readonly timestampMs: number;
  /** The snapshot in the market file format. */
  readonly document: Record<string, unknown>;
  readonly receivedAt: string;
  readonly current: boolean;
}

export interface StoredParameterSet {
  readonly name: string;
  readonly version: string;
  /** YYYY-MM-DD: from this UTC day on the version is in force (and can no longer change). */
  readonly effective: string;
  /** The model the set is for (deribit, standard, ...). */
  readonly model: string;
  readonly document: Record<string, unknown>;
  readonly createdAt: string;
  readonly createdBy: string;
}

export type Role = "admin" | "risk" | "trader" | "feed";
export const ROLES: readonly Role[] = ["admin", "risk", "trader", "feed"];

export interface StoredKey {
  /** Public id of the key (Deribit's client_id). */
  readonly clientId: string;
  readonly role: Role;
  /** Accounts a trader key may use (null: not restricted by account, i.e. every other role). */
  readonly accounts: readonly string[] | null;
  /** SHA-256 (hex) of the API key; the key itself is never stored. */
  readonly keyHash: string;
  /** The client secret encrypted under the server key (AES-256-GCM, `v1:iv:tag:ciphertext` base64url). */
  readonly secretEnc: string;
  readonly label: string | null;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly revokedAt: string | null;
}

export type TokenKind = "access" | "refresh" | "stream";

export interface StoredToken {
  readonly tokenHash: string;
  readonly kind: TokenKind;
  readonly clientId: string;
  readonly expiresAtMs: number;
}

export interface StoredFill {
  readonly accountId: string;
  readonly tradeId: string;
  readonly fill: Record<string, unknown>;
  /** The account version the fill produced. */
  readonly accountVersion: number;
  readonly createdAt: string;
}

/** A stored answer to a request with an Idempotency-Key. */
export interface IdempotencyRecord {
  readonly scope: string;
  readonly key: string;
  /** SHA-256 of the request (method, path, body): the same key with another body is refused. */
  readonly requestHash: string;
  readonly status: number;
  readonly response: unknown;
  readonly createdAt: string;
}

export interface AuditInput {
  readonly action: string;
  readonly accountId?: string | null;
  readonly accountVersion?: number | null;
  /** What was written or what a served figure was computed from (market id, model, parameter-set version, ...). */
  readonly detail: Record<string, unknown>;
}

export interface AuditEntry {
  readonly seq: number;
  readonly at: string;
  readonly actor: string;
  readonly action: string;
  readonly accountId: string | null;
  readonly accountVersion: number | null;
  readonly requestId: string | null;
  readonly detail: Record<string, unknown>;
}

/** An account write computed from `expectedVersion` (0: the account must not exist yet). */
export interface AccountWrite {
  readonly id: string;
  readonly expectedVersion: number;
  readonly document: Record<string, unknown>;
  readonly audit: AuditInput;
  /** Fills this write applies (stored with the new version; a trade id already stored for the account conflicts). */
  readonly fills?: readonly { readonly tradeId: string; readonly fill: Record<string, unknown> }[];
  /** The answer to store under the request's Idempotency-Key, in the same transaction. */
  readonly idempotency?: Omit<IdempotencyRecord, "createdAt">;
}

export type AccountWriteResult =
  | { readonly ok: true; readonly account: StoredAccount }
  | { readonly ok: false; readonly reason: "version_conflict"; readonly currentVersion: number }
  | { readonly ok: false; readonly reason: "duplicate_trade"; readonly tradeIds: readonly string[] }
  | { readonly ok: false; readonly reason: "idempotency_taken"; readonly record: IdempotencyRecord };

export type ParameterSetWriteResult =
  | { readonly ok: true; readonly created: boolean; readonly set: StoredParameterSet }
  | { readonly ok: false; readonly reason: "immutable"; readonly set: StoredParameterSet };

/** A cluster partition's checkpoint (docs/scale-out.md): the last input applied and the book after it. */
export interface PartitionCheckpoint {
  /** The cluster (its input stream's name): several clusters can share one database. */
  readonly cluster: string;
  readonly partition: number;
  /** +1 on every write: the fencing token (a write names the version it read). */
  readonly version: number;
  /** Stream sequence of the last input applied, its events stored (0: none yet). */
  readonly lastSeq: number;
  /** The input the book snapshot is after (≤ lastSeq: a rebuild re-applies the inputs after it). */
  readonly snapshotSeq: number;
  /** Worker id of the writer. */
  readonly owner: string;
  /** The book snapshot (the cluster's own format). */
  readonly snapshot: Record<string, unknown>;
  readonly updatedAt: string;
}

/** A checkpoint as a write leaves it, without its snapshot (the writer has it). */
export type CheckpointHead = Omit<PartitionCheckpoint, "snapshot">;

/** An event stored with the checkpoint that covers its input. */
export interface PartitionEvent {
  readonly inputSeq: number;
  /** Position among its input's events. */
  readonly n: number;
  readonly accountId: string | null;
  readonly event: Record<string, unknown>;
}

export interface CheckpointWrite {
  readonly cluster: string;
  readonly partition: number;
  /** The version read (0: the partition has no checkpoint yet). */
  readonly expectedVersion: number;
  readonly lastSeq: number;
  readonly owner: string;
  /**
   * The book after `lastSeq` (then snapshotSeq = lastSeq). Absent: a progress write, which moves lastSeq and stores
   * the events but keeps the stored snapshot and its snapshotSeq (a partition's first write must carry one).
   */
  readonly snapshot?: Record<string, unknown>;
  /** Events of the inputs after the previous checkpoint up to `lastSeq` (a rewritten one is kept, not doubled). */
  readonly events?: readonly PartitionEvent[];
  readonly at: string;
}

export type CheckpointWriteResult =
  | { readonly ok: true; readonly checkpoint: CheckpointHead }
  /** Fenced: someone else wrote since (`currentVersion`), or the write would move `lastSeq` backwards. */
  | { readonly ok: false; readonly reason: "version_conflict"; readonly currentVersion: number }
  | { readonly ok: false; readonly reason: "seq_regression"; readonly currentLastSeq: number };

/** An event of the live engine as stored: its global `eventSeq`, the input `seq`, its type, account and the whole event. */
export interface StoredLiveEvent {
  readonly eventSeq: number;
  readonly seq: number;
  readonly type: string;
  readonly accountId: string | null;
  /** The event exactly as the stream and the replay print it. */
  readonly document: Record<string, unknown>;
}

/** What one step of the live engine commits at once: its events, the market it moved to, and named state. */
export interface LiveCommit {
  readonly events: readonly StoredLiveEvent[];
  /** The market as the live core holds it after the step (stored and made current, audited as `market.tick`). */
  readonly market?: Omit<StoredMarket, "receivedAt" | "current">;
  /** Named values (`tickSeq`, ...) replaced in the same transaction. */
  readonly state?: Readonly<Record<string, unknown>>;
}

export interface Store {
  readonly backend: "pglite" | "postgres";
  /** Flush and close (the server calls it after draining requests). */
  close(): Promise<void>;

  getAccount(id: string): Promise<StoredAccount | null>;
  /** Accounts in id order after `afterId` (exclusive), at most `limit`. */
  listAccounts(options: { afterId?: string | null; limit: number }): Promise<StoredAccount[]>;
  /** Write an account (and its fills, idempotency record and audit row) atomically. */
  writeAccount(write: AccountWrite, ctx: WriteContext): Promise<AccountWriteResult>;
  listFills(accountId: string): Promise<StoredFill[]>;
  /** Trade ids among `tradeIds` already stored for the account. */
  knownTrades(accountId: string, tradeIds: readonly string[]): Promise<string[]>;

  getIdempotency(scope: string, key: string): Promise<IdempotencyRecord | null>;

  /** Store a snapshot (kept if its id is already stored) and make it current; audited. */
  putMarket(market: Omit<StoredMarket, "receivedAt" | "current">, ctx: WriteContext): Promise<{ created: boolean; market: StoredMarket }>;
  currentMarket(): Promise<StoredMarket | null>;
  getMarket(id: string): Promise<StoredMarket | null>;

  /** Create a version, or replace one not yet effective (`asOfDay`: today, YYYY-MM-DD); audited. */
  putParameterSet(set: Omit<StoredParameterSet, "createdAt" | "createdBy">, asOfDay: string, ctx: WriteContext): Promise<ParameterSetWriteResult>;
  listParameterSets(): Promise<StoredParameterSet[]>;
  getParameterSet(name: string, version: string): Promise<StoredParameterSet | null>;

  createKey(key: Omit<StoredKey, "createdAt" | "createdBy" | "revokedAt">, ctx: WriteContext): Promise<StoredKey>;
  getKey(clientId: string): Promise<StoredKey | null>;
  listKeys(): Promise<StoredKey[]>;
  /** Revoke (idempotent); null when the key does not exist. */
  revokeKey(clientId: string, ctx: WriteContext): Promise<StoredKey | null>;

  putToken(token: StoredToken): Promise<void>;
  getToken(tokenHash: string): Promise<StoredToken | null>;
  /** Record a signature nonce; false when it was already used (a replay). Nonces older than `pruneBeforeMs` go. */
  useNonce(clientId: string, nonce: string, tsMs: number, pruneBeforeMs: number): Promise<boolean>;

  /**
   * Commit a live step atomically (events, market, state): all or nothing. An eventSeq already stored is a conflict
   * (the whole commit fails with `duplicate_event`), so two engines can never interleave one sequence.
   */
  commitLive(commit: LiveCommit, ctx: WriteContext): Promise<{ ok: true } | { ok: false; reason: "duplicate_event"; eventSeq: number }>;
  /** Events after `afterEventSeq` in eventSeq order, at most `limit`; filtered by accounts and types (null: all). */
  readLiveEvents(options: { afterEventSeq: number; limit: number; accounts?: readonly string[] | null; types?: readonly string[] | null }): Promise<StoredLiveEvent[]>;
  /** The largest stored eventSeq (0 when none). */
  lastLiveEventSeq(): Promise<number>;
  /** A named live value, or null. */
  getLiveState(key: string): Promise<unknown>;
  /** Every named live value whose key starts with `prefix`, by key. */
  listLiveState(prefix: string): Promise<{ key: string; value: unknown; updatedAt: string }[]>;

  /** Append audit rows in one transaction (the server batches read audit rows through it). */
  appendAudit(entries: readonly (AuditInput & { readonly ctx: WriteContext })[]): Promise<void>;
  /** Rows in sequence order after `afterSeq`, optionally of one account and of some actions only (`market.put`, ...). */
  listAudit(options: { accountId?: string | null; afterSeq?: number; limit: number; actions?: readonly string[] }): Promise<AuditEntry[]>;

  /** A partition's checkpoint, or null before its first. */
  getCheckpoint(cluster: string, partition: number): Promise<PartitionCheckpoint | null>;
  /** Write a checkpoint and its events atomically, only from the version read (fencing); nothing on refusal. */
  writeCheckpoint(write: CheckpointWrite): Promise<CheckpointWriteResult>;
  /** Stored events of a cluster in (input, partition, n) order after `afterInputSeq`, optionally of one account. */
  listPartitionEvents(options: { cluster: string; accountId?: string | null; afterInputSeq?: number; limit: number }): Promise<(PartitionEvent & { readonly partition: number })[]>;
}
