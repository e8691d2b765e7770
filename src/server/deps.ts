/**
 * What every route group is built from: the ports (store, clock, events, logger) and the service's parts (book,
 * auth, read audit, secrets). A route file exports `xxxRoutes(deps): AnyRoute[]`; app.ts lists them.
 * @module
 */
import type { Store, WriteContext } from "../store/port.js";
import type { ReadAudit } from "./audit.js";
import type { Auth } from "./auth.js";
import type { Book } from "./book.js";
import type { Principal, RequestContext } from "./http.js";
import type { Clock, EventSink, Logger } from "./ports.js";
import type { SecretBox } from "./secrets.js";
import type { LiveEngine } from "./live/engine.js";
import type { StreamHub } from "./live/stream.js";

export interface ServiceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly book: Book;
  readonly auth: Auth;
  readonly readAudit: ReadAudit;
  readonly box: SecretBox;
  /** The live engine (issue 11), when the service runs one: ticks, events, breakers; routes feed it their writes. */
  readonly live?: LiveEngine;
  /** The event stream over the live engine's stored and committed events. */
  readonly liveStream?: StreamHub;
}

/** The write context of a request: who (the key's client id), which request, when (the Clock). */
export function writeContext(deps: ServiceDeps, ctx: Pick<RequestContext, "requestId" | "principal">): WriteContext {
  return { actor: actorOf(ctx.principal), requestId: ctx.requestId, at: isoOf(deps.clock.nowMs()) };
}

// Every read writes an audit row with its time: thousands a second fall in the same millisecond, so the last one's
// text is reused instead of formatting a Date per request.
let lastMs = Number.NaN;
let lastIso = "";
function isoOf(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}

export const actorOf = (p: Principal | null): string => p?.clientId ?? "anonymous";
