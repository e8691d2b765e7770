/**
 * The Transport port: how inputs reach a live core and how its outputs leave it, whatever carries them (in-process
 * here; NATS JetStream in the scale-out issue). ONE contract test suite (test/transport/contract.ts) runs against
 * every adapter, so the live core and its runner never depend on which one they run on.
 *
 * Model (JetStream's, so the NATS adapter maps one to one): one ordered log per transport with a global sequence
 * (a stream capturing every subject), subjects dotted like `netrisk.in.tick` with `*` (one token) and `>` (the rest)
 * wildcards in subscriptions, publish deduplication by message id within a window (JetStream's `msgID` and its
 * duplicate window), and subscriptions that start at a sequence number, so a consumer that stopped resumes without
 * loss. Payloads are JSON values: what one adapter delivers, every adapter delivers.
 * @module
 */

/** A message as delivered. */
export interface TransportMessage {
  readonly subject: string;
  /** Position in the transport's log: unique, increasing, gap-free over all subjects. */
  readonly seq: number;
  readonly data: unknown;
  /** The publisher's message id, when it gave one. */
  readonly msgId?: string;
}

export interface PublishOptions {
  /**
   * Idempotency key: a second publish with the same id within the duplicate window is acknowledged with the first
   * one's sequence and `duplicate: true`, and not delivered again.
   */
  readonly msgId?: string;
}

export interface PublishAck {
  readonly seq: number;
  readonly duplicate: boolean;
}

export interface SubscribeOptions {
  /** Deliver from this sequence (inclusive; default: only messages published after subscribing). */
  readonly fromSeq?: number;
}

/** A live subscription. Messages reach the handler one at a time, in sequence order; an async handler is awaited. */
export interface Subscription {
  /** Stop delivery (messages in flight finish); resolves when the handler will not be called again. */
  unsubscribe(): Promise<void>;
  /** Sequence of the last message handled (0 before the first). */
  readonly lastSeq: number;
}

export type MessageHandler = (message: TransportMessage) => void | Promise<void>;

/** Errors a transport reports with a stable code (as the rest of netrisk reports issues). */
export class TransportError extends Error {
  readonly code: "closed" | "sequence_unavailable" | "invalid_subject" | "invalid_payload";
  constructor(code: TransportError["code"], message: string) {
    super(message);
    this.name = "TransportError";
    this.code = code;
  }
}

export interface Transport {
  /** Adapter name (`in-process`, `nats`). */
  readonly name: string;
  /** Publish one JSON value; resolves once the transport has it (durably, for a durable adapter). */
  publish(subject: string, data: unknown, options?: PublishOptions): Promise<PublishAck>;
  /** Subscribe to a subject pattern. `sequence_unavailable` when `fromSeq` is older than what the log still holds. */
  subscribe(pattern: string, handler: MessageHandler, options?: SubscribeOptions): Promise<Subscription>;
  /** Messages matching `pattern` with seq ≥ `fromSeq`, at most `limit` (a bounded read for resumption and audits). */
  read(pattern: string, fromSeq: number, limit: number): Promise<TransportMessage[]>;
  /** The last sequence in the log (0 when empty). */
  lastSeq(): Promise<number>;
  /** Stop every subscription and refuse later publishes (`closed`). */
  close(): Promise<void>;
}

const TOKEN = /^[A-Za-z0-9_~-]+$/;

/**
 * A subject token for any string (an account id): letters, digits, `_` and `-` as they are, anything else as `~` and
 * its UTF-16 code in 4 hex digits (`a.b` → `a~002eb`), so ids with dots or spaces never split or widen a subject.
 */
export function subjectToken(text: string): string {
  let out = "";
  for (const ch of text) {
    if (/[A-Za-z0-9_-]/.test(ch)) out += ch;
    else for (let i = 0; i < ch.length; i++) out += `~${ch.charCodeAt(i).toString(16).padStart(4, "0")}`;
  }
  return out.length > 0 ? out : "~";
}

/** True when `subject` is a concrete subject: dot-separated tokens of letters, digits, `_`, `-` and `~`. */
export function isSubject(subject: string): boolean {
  return subject.length > 0 && subject.length <= 256 && subject.split(".").every((t) => TOKEN.test(t));
}

/** True when `pattern` is a subject with `*` tokens and an optional final `>`. */
/**
 * The checks every adapter makes before it publishes, and the payload's JSON text: one rule of the port's contract,
 * so the in-process and NATS adapters refuse exactly the same inputs with the same codes.
 */
export function publishPayload(closed: boolean, subject: string, data: unknown): string {
  if (closed) throw new TransportError("closed", "the transport is closed");
  if (!isSubject(subject)) throw new TransportError("invalid_subject", `not a subject: ${JSON.stringify(subject)}`);
  let text: string | undefined;
  try {
    text = JSON.stringify(data);
  } catch (e) {
    throw new TransportError("invalid_payload", `payload is not JSON: ${(e as Error).message}`);
  }
  if (text === undefined) throw new TransportError("invalid_payload", "payload is not JSON (undefined or a function)");
  return text;
}

export function isPattern(pattern: string): boolean {
  const tokens = pattern.split(".");
  return pattern.length > 0 && pattern.length <= 256 && tokens.every((t, i) => TOKEN.test(t) || t === "*" || (t === ">" && i === tokens.length - 1));
}

/** NATS subject matching: `*` matches one token, a final `>` one or more. */
export function subjectMatches(pattern: string, subject: string): boolean {
  const p = pattern.split(".");
  const s = subject.split(".");
  for (let i = 0; i < p.length; i++) {
    const t = p[i];
    if (t === ">") return s.length > i;
    if (i >= s.length) return false;
    if (t !== "*" && t !== s[i]) return false;
  }
  return p.length === s.length;
}

/** The subjects the live runner uses (docs/live.md, "Transport"). */
export const SUBJECTS = {
  /** Ticks, one JSON tick per message (the tick file's format). */
  ticks: "netrisk.in.tick",
  /** Account inputs (fills, balance changes) of one account. */
  accountInput: (account: string) => `netrisk.in.account.${subjectToken(account)}`,
  /** Parameter versions and breaker resets. */
  control: "netrisk.in.control",
  /** Events, by type and account (`_` when none): `netrisk.out.event.<type>.<account>`. */
  event: (type: string, account: string | undefined) => `netrisk.out.event.${type}.${account === undefined ? "_" : subjectToken(account)}`,
  /** Figure updates of one account. */
  figures: (account: string) => `netrisk.out.figures.${subjectToken(account)}`,
} as const;
