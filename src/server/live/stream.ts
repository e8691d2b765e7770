/**
 * The event stream behind `GET /v1/stream` (server-sent events and WebSocket alike): a subscriber gets the stored
 * events after its resume point, then every committed event as it comes, without loss or repeat. It listens to the
 * engine first and buffers, reads the store up to its end, then drains the buffer skipping what it already sent
 * (events are stored before the engine announces them, so the two overlap and never leave a gap).
 *
 * The figures channel (`type=figures`, Deribit's `user.portfolio` counterpart): the live figures document of each
 * account whose figures changed, at most once per account per interval; not stored, not resumable (it is state, not
 * history: a reconnecting client reads `GET /v1/accounts/{id}`).
 * @module
 */
import type { AccountDocument } from "../../account/document.js";
import type { Result } from "../../errors.js";
import type { Store } from "../../store/port.js";
import type { Logger } from "../ports.js";
import type { LiveEngine, LiveStep } from "./engine.js";

export interface StreamFilter {
  /** Accounts whose events are sent (null: every event, accounts or not). */
  readonly accounts: readonly string[] | null;
  /** Event types sent (null: every event type). */
  readonly types: readonly string[] | null;
  /** Send the figures channel. */
  readonly figures: boolean;
}

/** One message: a stored event (with its eventSeq as the SSE id) or a figures document. */
export interface StreamMessage {
  readonly id?: number;
  readonly type: string;
  readonly data: unknown;
}

export interface StreamSink {
  send(m: StreamMessage): void;
  /** The hub ends the subscription (server shutdown): close the connection. */
  end?(): void;
}

export interface StreamHub {
  /** Start a subscription after `afterEventSeq` (null: from now). Resolves once the catch-up is sent. */
  open(filter: StreamFilter, afterEventSeq: number | null, sink: StreamSink, options?: { figuresIntervalMs?: number }): Promise<{ close(): void }>;
  /** End every subscription (server shutdown). */
  closeAll(): void;
  readonly count: number;
}

const PAGE = 500;

export function createStreamHub(store: Store, engine: LiveEngine, logger: Logger, defaults: { figuresIntervalMs?: number } = {}): StreamHub {
  const open = new Set<{ close(): void; sink: StreamSink }>();
  /** Figures documents by account, for the step they were computed at (shared by every subscriber). */
  const docs = new Map<string, { seq: number; doc: Result<AccountDocument> | undefined }>();
  let lastSeq = 0;
  const documentOf = (id: string): Result<AccountDocument> | undefined => {
    const hit = docs.get(id);
    if (hit !== undefined && hit.seq === lastSeq) return hit.doc;
    const doc = engine.document(id);
    docs.set(id, { seq: lastSeq, doc });
    return doc;
  };
  engine.onStep((s) => {
    lastSeq = Math.max(lastSeq, s.seq);
  });

  return {
    get count() {
      return open.size;
    },
    async open(filter, afterEventSeq, sink, options = {}) {
      const accounts = filter.accounts === null ? null : new Set(filter.accounts);
      const types = filter.types === null ? null : new Set(filter.types);
      const wants = (e: { type: string; account?: string }): boolean => (types === null || types.has(e.type)) && (accounts === null || (e.account !== undefined && accounts.has(e.account)));
      let sent = afterEventSeq ?? (await store.lastLiveEventSeq());
      let catchingUp = true;
      let closed = false;
      const buffered: LiveStep[] = [];
      const pendingFigures = new Set<string>();
      let figuresSeq = 0;
      const deliver = (step: LiveStep): void => {
        for (const e of step.events) {
          if (e.eventSeq <= sent) continue;
          sent = e.eventSeq;
          if (wants(e as { type: string; account?: string })) sink.send({ id: e.eventSeq, type: e.type, data: e });
        }
        if (filter.figures) {
          for (const id of step.changed) if (accounts === null || accounts.has(id)) pendingFigures.add(id);
          figuresSeq = step.seq;
        }
      };
      const unsubscribe = engine.onStep((step) => {
        if (closed) return;
        if (catchingUp) buffered.push(step);
        else deliver(step);
      });
      const interval = Math.max(50, options.figuresIntervalMs ?? defaults.figuresIntervalMs ?? 500);
      const timer = filter.figures
        ? setInterval(() => {
            for (const id of pendingFigures) {
              const doc = documentOf(id);
              if (doc === undefined) continue;
              const figures = doc.ok ? doc.value : { error: { code: doc.issues[0]?.code ?? "internal", issues: doc.issues } };
              sink.send({ type: "figures", data: { seq: figuresSeq, type: "figures", account: id, figures } });
            }
            pendingFigures.clear();
          }, interval)
        : undefined;
      timer?.unref();
      const handle = {
        sink,
        close() {
          if (closed) return;
          closed = true;
          unsubscribe();
          if (timer !== undefined) clearInterval(timer);
          open.delete(handle);
        },
      };
      open.add(handle);
      try {
        for (;;) {
          const rows = await store.readLiveEvents({ afterEventSeq: sent, limit: PAGE, accounts: accounts === null ? null : [...accounts], types: types === null ? null : [...types] });
          for (const r of rows) {
            if (closed) break;
            sink.send({ id: r.eventSeq, type: r.type, data: r.document });
            sent = r.eventSeq;
          }
          if (rows.length < PAGE || closed) break;
        }
      } catch (e) {
        logger.error({ err: e instanceof Error ? e.message : String(e) }, "stream catch-up failed");
        handle.close();
        throw e;
      }
      catchingUp = false;
      for (const s of buffered.splice(0)) deliver(s);
      return handle;
    },
    closeAll() {
      for (const h of [...open]) {
        h.close();
        h.sink.end?.();
      }
    },
  };
}
