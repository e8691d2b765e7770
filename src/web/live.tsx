/**
 * Live updates over the service's event stream (`GET /v1/stream`, server-sent events, docs/live.md): a short-lived
 * stream token from `POST /v1/stream-tokens` (EventSource cannot send an Authorization header) in `?token=`,
 * filtered by `account` and `type`, resumed after a drop from the last `eventSeq` seen, so no event is lost. A new
 * token is taken on every (re)connection. When the server has no stream route (no live engine), `capabilities`
 * says so and the pages show "live: off" instead of guessing.
 * @module
 */
import { post } from "./api";

/** Paths the server documents (/openapi.json, public): what this server can do. */
let caps: Promise<ReadonlySet<string>> | null = null;
export function capabilities(): Promise<ReadonlySet<string>> {
  caps ??= fetch("/openapi.json")
    .then((r) => (r.ok ? (r.json() as Promise<{ paths?: Record<string, unknown> }>) : { paths: {} }))
    .then((d) => new Set(Object.keys(d.paths ?? {})))
    .catch(() => new Set<string>());
  return caps;
}

/** One event of the stream (the replay's JSON lines have the same shape). */
export interface LiveEvent {
  readonly type: string;
  readonly eventSeq?: number;
  readonly seq?: number;
  readonly ts?: string;
  readonly account?: string;
  readonly [k: string]: unknown;
}

export type LiveStatus = "off" | "connecting" | "live" | "retrying";

export interface Subscription {
  close(): void;
}

/**
 * Subscribe to the stream. `onEvent` gets every event in order (each once: events at or below the last `eventSeq`
 * seen are dropped after a resume); `onStatus` the connection state.
 */
export function subscribe(filter: { account?: string; types?: readonly string[] }, onEvent: (e: LiveEvent) => void, onStatus: (s: LiveStatus) => void): Subscription {
  let closed = false;
  let source: EventSource | null = null;
  let lastEventSeq: number | null = null;
  let retryMs = 500;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const open = async (): Promise<void> => {
    if (closed) return;
    const paths = await capabilities();
    if (!paths.has("/v1/stream")) {
      onStatus("off");
      return;
    }
    onStatus(lastEventSeq === null ? "connecting" : "retrying");
    let token: string;
    try {
      token = (await post<{ token: string }>("/v1/stream-tokens", {})).token;
    } catch {
      schedule();
      return;
    }
    if (closed) return;
    const q = new URLSearchParams({ token });
    if (filter.account !== undefined) q.set("account", filter.account);
    if (filter.types !== undefined && filter.types.length > 0) q.set("type", filter.types.join(","));
    if (lastEventSeq !== null) q.set("from", String(lastEventSeq + 1));
    const es = new EventSource(`/v1/stream?${q.toString()}`);
    source = es;
    es.onopen = () => {
      retryMs = 500;
      onStatus("live");
    };
    es.onmessage = (m: MessageEvent<string>) => {
      let e: LiveEvent;
      try {
        e = JSON.parse(m.data) as LiveEvent;
      } catch {
        return;
      }
      if (typeof e.eventSeq === "number") {
        if (lastEventSeq !== null && e.eventSeq <= lastEventSeq) return;
        lastEventSeq = e.eventSeq;
      }
      onEvent(e);
    };
    es.onerror = () => {
      es.close();
      if (source === es) source = null;
      schedule();
    };
  };
  const schedule = (): void => {
    if (closed) return;
    onStatus("retrying");
    timer = setTimeout(() => void open(), retryMs);
    retryMs = Math.min(retryMs * 2, 10_000);
  };
  void open();
  return {
    close() {
      closed = true;
      if (timer !== undefined) clearTimeout(timer);
      source?.close();
    },
  };
}

export function LiveDot({ status }: { status: LiveStatus }) {
  const text = { off: "live: off (no event stream on this server)", connecting: "live: connecting", live: "live", retrying: "live: reconnecting" }[status];
  return (
    <span class={`live-dot live-${status}`} data-testid="live-status" data-status={status} title={text}>
      {text}
    </span>
  );
}
