/**
 * The Transport port on NATS JetStream (docs/scale-out.md): the log is one stream capturing `<prefix>.>`, so the
 * stream sequence is the port's global, gap-free sequence; a port subject `netrisk.in.tick` travels as
 * `<prefix>.netrisk.in.tick` (several deployments, or test runs, share one server without their streams'
 * subjects overlapping). Publish deduplication is JetStream's own (`Nats-Msg-Id` within the stream's duplicate
 * window); subscriptions and reads are ordered consumers (ephemeral, flow-controlled, recreated by the client at the
 * right sequence after a gap or a reconnect), so delivery is in sequence order without loss.
 *
 * Works on nats-server 2.9 (single filter subject per consumer) and later.
 * @module
 */
import { DeliverPolicy, JSONCodec, RetentionPolicy, StorageType, connect, nanos } from "nats";
import type { ConsumerMessages, JetStreamClient, JetStreamManager, MsgRequest, NatsConnection, OrderedConsumerOptions } from "nats";
import { isPattern, publishPayload, TransportError } from "./port.js";
import type { MessageHandler, PublishAck, PublishOptions, Subscription, SubscribeOptions, Transport, TransportMessage } from "./port.js";

export interface NatsTransportOptions {
  /** Server URL(s), `nats://127.0.0.1:4222`; or an open connection (then `close()` leaves it open). */
  readonly servers?: string | readonly string[];
  readonly connection?: NatsConnection;
  /** The stream (created when missing). */
  readonly stream: string;
  /** Subject prefix of this log (one token or more, e.g. `nr1`); the stream captures `<prefix>.>`. */
  readonly prefix: string;
  /** Publish-deduplication window in ms (JetStream `duplicate_window`; default 2 minutes, the server's default). */
  readonly duplicateWindowMs?: number;
  /** `file` (default, durable) or `memory`. */
  readonly storage?: "file" | "memory";
}

const codec = JSONCodec<unknown>();
/** JetStream's error code for a message get that finds nothing (JSNoMessageFoundErr). */
const NO_MESSAGE_FOUND = 10037;

/** Ensure the stream exists with our subject; an existing stream is used as it is. */
export async function ensureStream(jsm: JetStreamManager, name: string, subjects: string[], duplicateWindowMs: number, storage: "file" | "memory"): Promise<void> {
  try {
    await jsm.streams.info(name);
  } catch {
    await jsm.streams.add({
      name,
      subjects,
      retention: RetentionPolicy.Limits,
      storage: storage === "file" ? StorageType.File : StorageType.Memory,
      duplicate_window: nanos(duplicateWindowMs),
    });
  }
}

/** Connect (or adopt a connection) and return a Transport over the stream. */
export async function createNatsTransport(options: NatsTransportOptions): Promise<Transport> {
  const owned = options.connection === undefined;
  const nc = options.connection ?? (await connect({ servers: options.servers as string | string[], maxReconnectAttempts: -1, reconnectTimeWait: 250 }));
  const jsm = await nc.jetstreamManager();
  const js: JetStreamClient = nc.jetstream();
  const prefix = options.prefix;
  await ensureStream(jsm, options.stream, [`${prefix}.>`], options.duplicateWindowMs ?? 120_000, options.storage ?? "file");
  const subs = new Set<{ stop: () => Promise<void> }>();
  let closed = false;
  // At most this many publishes wait for their acks at once (FIFO, so the log keeps the callers' order): a burst of
  // thousands of concurrent publishes otherwise times out on a loaded machine instead of waiting its turn.
  const MAX_IN_FLIGHT = 512;
  let inFlight = 0;
  const queue: (() => void)[] = [];
  const slot = async (): Promise<void> => {
    if (inFlight < MAX_IN_FLIGHT && queue.length === 0) {
      inFlight++;
      return;
    }
    await new Promise<void>((resolve) => queue.push(resolve));
  };
  const release = (): void => {
    const next = queue.shift();
    if (next !== undefined) next();
    else inFlight--;
  };

  const wire = (subject: string): string => `${prefix}.${subject}`;
  const portSubject = (subject: string): string => subject.slice(prefix.length + 1);

  const streamState = async (): Promise<{ first: number; last: number }> => {
    const info = await jsm.streams.info(options.stream);
    return { first: info.state.first_seq, last: info.state.last_seq };
  };
  const checkHeld = async (fromSeq: number): Promise<void> => {
    const { first, last } = await streamState();
    // An empty stream that once held messages reports first = last + 1: nothing before it is held.
    if (fromSeq < first && first > 1) throw new TransportError("sequence_unavailable", `sequence ${fromSeq} is no longer held (first held: ${first}, last: ${last})`);
  };
  const orderedFrom = (pattern: string, fromSeq: number | undefined): Partial<OrderedConsumerOptions> =>
    fromSeq === undefined
      ? { filterSubjects: wire(pattern), deliver_policy: DeliverPolicy.New }
      : { filterSubjects: wire(pattern), deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: Math.max(1, fromSeq) };
  const messageOf = (m: { subject: string; seq: number; data: Uint8Array; headers?: { get(k: string): string } | undefined }): TransportMessage => {
    const id = m.headers?.get("Nats-Msg-Id");
    return { subject: portSubject(m.subject), seq: m.seq, data: codec.decode(m.data), ...(id !== undefined && id !== "" ? { msgId: id } : {}) };
  };
  /** The stored message a subject-filtered get finds (`next_by_subj` from a sequence, or `last_by_subj`), or null. */
  const matching = async (query: MsgRequest | { readonly seq: number; readonly next_by_subj: string }): Promise<TransportMessage | null> => {
    try {
      // The client types only the direct-get API with `next_by_subj`; the stream's message get takes it too (2.9+).
      const m = await jsm.streams.getMessage(options.stream, query as MsgRequest);
      return messageOf({ subject: m.subject, seq: m.seq, data: m.data, headers: m.header });
    } catch (e) {
      if ((e as { api_error?: { err_code?: number } }).api_error?.err_code === NO_MESSAGE_FOUND) return null;
      throw e;
    }
  };

  return {
    name: "nats",
    async publish(subject: string, data: unknown, opts: PublishOptions = {}): Promise<PublishAck> {
      const text = publishPayload(closed, subject, data);
      await slot();
      try {
        const ack = await js.publish(wire(subject), new TextEncoder().encode(text), { timeout: 30_000, ...(opts.msgId !== undefined ? { msgID: opts.msgId } : {}) });
        return { seq: ack.seq, duplicate: ack.duplicate };
      } finally {
        release();
      }
    },
    async subscribe(pattern: string, handler: MessageHandler, opts: SubscribeOptions = {}): Promise<Subscription> {
      if (closed) throw new TransportError("closed", "the transport is closed");
      if (!isPattern(pattern)) throw new TransportError("invalid_subject", `not a subject pattern: ${JSON.stringify(pattern)}`);
      if (opts.fromSeq !== undefined) await checkHeld(opts.fromSeq);
      const consumer = await js.consumers.get(options.stream, orderedFrom(pattern, opts.fromSeq));
      const messages: ConsumerMessages = await consumer.consume({ max_messages: 1000 });
      let lastSeq = 0;
      let stopped = false;
      const loop = (async () => {
        for await (const m of messages) {
          if (stopped) break;
          const msg = messageOf({ subject: m.subject, seq: m.seq, data: m.data, headers: m.headers });
          await handler(msg);
          lastSeq = msg.seq;
        }
      })().catch(() => {
        // A handler that throws stops its own subscription, never the publisher (as in-process).
        stopped = true;
      });
      const entry = {
        stop: async () => {
          stopped = true;
          await messages.close().catch(() => undefined);
          await loop;
        },
      };
      subs.add(entry);
      return {
        async unsubscribe() {
          subs.delete(entry);
          await entry.stop();
        },
        get lastSeq() {
          return lastSeq;
        },
      };
    },
    async read(pattern: string, fromSeq: number, limit: number): Promise<TransportMessage[]> {
      if (!isPattern(pattern)) throw new TransportError("invalid_subject", `not a subject pattern: ${JSON.stringify(pattern)}`);
      await checkHeld(fromSeq);
      if (limit <= 0) return [];
      // Never the filtered consumer's pending count: nats-server 2.9.10 miscounts it for a wildcard filter starting
      // mid-stream (over: a read waiting for messages that never come; under: too few; docs/scale-out.md). The stream
      // itself says where the matches are: the first at or after `fromSeq` and the last one now (message get by
      // subject, which scans the store), and the read delivers until it reaches that last one.
      const first = await matching({ next_by_subj: wire(pattern), seq: Math.max(1, fromSeq) });
      if (first === null) return [];
      if (limit === 1) return [first];
      const last = await matching({ last_by_subj: wire(pattern) });
      if (last === null || last.seq === first.seq) return [first];
      const out: TransportMessage[] = [];
      const consumer = await js.consumers.get(options.stream, orderedFrom(pattern, first.seq));
      const messages = await consumer.consume({ max_messages: Math.min(limit, 1000) });
      for await (const m of messages) {
        out.push(messageOf({ subject: m.subject, seq: m.seq, data: m.data, headers: m.headers }));
        if (out.length >= limit || m.seq >= last.seq) break;
      }
      await messages.close().catch(() => undefined);
      return out;
    },
    async lastSeq() {
      return (await streamState()).last;
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...subs].map((s) => s.stop()));
      subs.clear();
      if (owned) await nc.drain().catch(() => undefined);
    },
  };
}
