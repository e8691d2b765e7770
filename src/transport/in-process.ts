/**
 * The in-process Transport: an ordered log in memory with a global sequence, subject-filtered subscriptions that
 * start at any retained sequence, and publish deduplication by message id. What a single `netrisk serve` uses, and
 * the reference the NATS adapter is held to by the shared contract suite.
 *
 * Payloads are stored as JSON text (serialised at publish, parsed per delivery), so a subscriber can never change
 * what another one reads, and a value that is not JSON is refused at publish as a network transport would refuse it.
 * @module
 */
import { isPattern, publishPayload, subjectMatches, TransportError } from "./port.js";
import type { MessageHandler, PublishAck, PublishOptions, Subscription, SubscribeOptions, Transport, TransportMessage } from "./port.js";

export interface InProcessOptions {
  /**
   * Messages kept (oldest dropped first); default 1,000,000. A subscription from a dropped sequence fails. A message
   * that a running subscription has not yet passed is never dropped (kept past the bound until it has): a slow
   * subscriber loses nothing, as on the NATS adapter's stream, and holds the memory of what it has still to read.
   */
  readonly maxMessages?: number;
  /** How long a message id is remembered for deduplication, in publishes (default 100,000). */
  readonly duplicateWindow?: number;
  /** The log starts after this sequence (a service resuming its input sequence after a restart); default 0. */
  readonly startSeq?: number;
}

interface Stored {
  readonly subject: string;
  readonly seq: number;
  readonly text: string;
  readonly msgId?: string;
}

interface Sub {
  readonly pattern: string;
  readonly handler: MessageHandler;
  /** Next sequence to deliver. */
  next: number;
  lastSeq: number;
  running: Promise<void> | null;
  stopped: boolean;
}

/** Create an in-process transport. */
export function createInProcessTransport(options: InProcessOptions = {}): Transport {
  const maxMessages = options.maxMessages ?? 1_000_000;
  const window = options.duplicateWindow ?? 100_000;
  const log: Stored[] = [];
  let last = options.startSeq ?? 0;
  /** The first sequence this log ever held: below `first` but at or above it, messages were dropped. */
  const base = last + 1;
  let first = base;
  const ids = new Map<string, number>();
  const idOrder: string[] = [];
  const subs = new Set<Sub>();
  let closed = false;

  const at = (seq: number): Stored | undefined => log[seq - first];
  const deliver = (s: Stored): TransportMessage => ({ subject: s.subject, seq: s.seq, data: JSON.parse(s.text) as unknown, ...(s.msgId !== undefined ? { msgId: s.msgId } : {}) });

  /** Drain a subscription: deliver every retained matching message from `next`, one at a time, awaiting the handler. */
  const pump = (sub: Sub): void => {
    if (sub.running !== null || sub.stopped || sub.next > last) return;
    const run = async (): Promise<void> => {
      // Let the publisher's call return first: delivery is asynchronous, as on a network.
      await Promise.resolve();
      while (!sub.stopped && sub.next <= last) {
        const s = at(sub.next);
        sub.next++;
        if (s === undefined || !subjectMatches(sub.pattern, s.subject)) continue;
        await sub.handler(deliver(s));
        sub.lastSeq = s.seq;
      }
    };
    sub.running = run().then(
      () => {
        sub.running = null;
        pump(sub);
      },
      () => {
        // A handler that throws stops its own subscription, never the publisher; the error is the subscriber's.
        sub.running = null;
        sub.stopped = true;
        subs.delete(sub);
      },
    );
  };

  return {
    name: "in-process",
    async publish(subject: string, data: unknown, opts: PublishOptions = {}): Promise<PublishAck> {
      const text = publishPayload(closed, subject, data);
      if (opts.msgId !== undefined) {
        const seen = ids.get(opts.msgId);
        if (seen !== undefined) return { seq: seen, duplicate: true };
      }
      const seq = ++last;
      log.push({ subject, seq, text, ...(opts.msgId !== undefined ? { msgId: opts.msgId } : {}) });
      if (opts.msgId !== undefined) {
        ids.set(opts.msgId, seq);
        idOrder.push(opts.msgId);
        if (idOrder.length > window) ids.delete(idOrder.shift() as string);
      }
      // WHY the floor: dropping a message a subscriber has not reached made it skip that message silently (a tick or a
      // fill lost to a live core whose outputs filled the log faster than it read its inputs).
      let owed = Infinity;
      for (const x of subs) if (!x.stopped && x.next < owed) owed = x.next;
      const drop = Math.min(log.length - maxMessages, owed - first);
      for (let k = 0; k < drop; k++) log.shift();
      if (drop > 0) first += drop;
      for (const sub of subs) pump(sub);
      return { seq, duplicate: false };
    },
    async subscribe(pattern: string, handler: MessageHandler, opts: SubscribeOptions = {}): Promise<Subscription> {
      if (closed) throw new TransportError("closed", "the transport is closed");
      if (!isPattern(pattern)) throw new TransportError("invalid_subject", `not a subject pattern: ${JSON.stringify(pattern)}`);
      const from = opts.fromSeq ?? last + 1;
      if (from < first && first > base) throw new TransportError("sequence_unavailable", `sequence ${from} is no longer held (first held: ${first})`);
      const sub: Sub = { pattern, handler, next: Math.max(from, base), lastSeq: 0, running: null, stopped: false };
      subs.add(sub);
      pump(sub);
      return {
        async unsubscribe() {
          sub.stopped = true;
          subs.delete(sub);
          await sub.running?.catch(() => undefined);
        },
        get lastSeq() {
          return sub.lastSeq;
        },
      };
    },
    async read(pattern: string, fromSeq: number, limit: number): Promise<TransportMessage[]> {
      if (!isPattern(pattern)) throw new TransportError("invalid_subject", `not a subject pattern: ${JSON.stringify(pattern)}`);
      if (fromSeq < first && first > base) throw new TransportError("sequence_unavailable", `sequence ${fromSeq} is no longer held (first held: ${first})`);
      const out: TransportMessage[] = [];
      for (let seq = Math.max(fromSeq, first); seq <= last && out.length < limit; seq++) {
        const s = at(seq);
        if (s !== undefined && subjectMatches(pattern, s.subject)) out.push(deliver(s));
      }
      return out;
    },
    async lastSeq() {
      return last;
    },
    async close() {
      closed = true;
      const running = [...subs].map((s) => {
        s.stopped = true;
        return s.running?.catch(() => undefined);
      });
      subs.clear();
      await Promise.all(running);
    },
  };
}
