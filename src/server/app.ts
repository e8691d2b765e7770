/**
 * The service, wired: ports in (Store, Clock, EventSink, Logger, server key), routes listed by group, one HTTP
 * handler out. `startServer` listens and drains on close. THIS is where the live engine plugs in (issue 11): its
 * routes (`POST /v1/ticks`, `GET /v1/stream`, breakers) join `routeGroups`, and its core subscribes to `events`.
 *
 *   Store ──┐                        routes/*.ts (one file per group)
 *   Clock ──┼── ServiceDeps ──> ─────────────────────────────────────── router ── http.ts ── node:http
 *   Events ─┤   (book, auth,        health, market, accounts, fills,
 *   Logger ─┘    read audit)         analysis, audit, keys, parameter sets, deribit, venues (+ OKX), openapi
 * @module
 */
import { createServer } from "node:http";
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Store } from "../store/port.js";
import { createReadAudit } from "./audit.js";
import { createAuth } from "./auth.js";
import { createBook } from "./book.js";
import type { ServiceDeps } from "./deps.js";
import { createHandler, createRouter } from "./http.js";
import type { AnyRoute, Router } from "./http.js";
import { openApiRoute } from "./openapi.js";
import { inProcessEvents, silentLogger, systemClock } from "./ports.js";
import type { Clock, EventSink, Logger } from "./ports.js";
import { accountRoutes } from "./routes/accounts.js";
import { analysisRoutes } from "./routes/analysis.js";
import { stressRoutes } from "./routes/stress.js";
import { auditRoutes } from "./routes/audit.js";
import { deribitErrorReply, deribitRoutes } from "./routes/deribit.js";
import { fillRoutes } from "./routes/fills.js";
import { healthRoutes } from "./routes/health.js";
import { historyRoutes } from "./routes/history.js";
import { keyRoutes } from "./routes/keys.js";
import { marketRoutes } from "./routes/market.js";
import { parameterSetRoutes } from "./routes/parameter-sets.js";
import { rankingRoutes } from "./routes/rankings.js";
import { sessionRoutes } from "./routes/session.js";
import { okxErrorReply, venueRoutes } from "./routes/venues.js";
import { secretBox } from "./secrets.js";
import type { BreakerRules, LiveParams } from "../live/index.js";
import type { RemarginExecutor } from "../live/chunk.js";
import type { LiveEngine } from "./live/engine.js";
import { createInProcessLiveEngine } from "./live/in-process.js";
import { createStreamHub } from "./live/stream.js";
import { attachWebSockets } from "./live/ws.js";
import { liveRoutes } from "./routes/live.js";

export interface ServiceOptions {
  readonly store: Store;
  /** 32-byte key sealing client secrets (secrets.ts `loadServerKey`). */
  readonly serverKey: Buffer;
  readonly clock?: Clock;
  readonly events?: EventSink;
  readonly logger?: Logger;
  /** Largest request body, bytes (default 1 MiB). */
  readonly bodyLimitBytes?: number;
  /** Largest |ts − now| of a signed request (default 60 s). */
  readonly signatureSkewMs?: number;
  /** More route groups (the live engine's), built from the same deps. */
  readonly extraRoutes?: (deps: ServiceDeps) => AnyRoute[];
  /**
   * Run the live engine (issue 11): `true` for the in-process one (a live core in this process), or a factory (the
   * scale-out's engine behind NATS). Off by default for an embedded service; `netrisk serve` turns it on.
   */
  readonly live?: boolean | ((base: Omit<ServiceDeps, "live" | "liveStream">) => LiveEngine);
  /** Options of the in-process live engine. */
  readonly liveOptions?: { readonly params?: LiveParams; readonly breakers?: BreakerRules; readonly figuresIntervalMs?: number; readonly executor?: RemarginExecutor };
  /** Serve what no route matches (the dashboard's built folder: static.ts `dashboardFiles`); return false for a 404. */
  readonly fallback?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

export interface Service {
  readonly deps: ServiceDeps;
  readonly router: Router;
  readonly handler: (req: IncomingMessage, res: ServerResponse) => void;
  readonly inFlight: { count: number };
}

/** Every route group of the service, in the order they are matched. */
export function routeGroups(deps: ServiceDeps): AnyRoute[] {
  return [
    ...healthRoutes(),
    ...marketRoutes(deps),
    ...accountRoutes(deps),
    ...fillRoutes(deps),
    ...analysisRoutes(deps),
    ...historyRoutes(deps),
    ...rankingRoutes(deps),
    ...stressRoutes(deps),
    ...auditRoutes(deps),
    ...keyRoutes(deps),
    ...sessionRoutes(deps),
    ...parameterSetRoutes(deps),
    ...deribitRoutes(deps),
    ...venueRoutes(deps),
    ...liveRoutes(deps),
  ];
}

export function createService(o: ServiceOptions): Service {
  const clock = o.clock ?? systemClock;
  const logger = o.logger ?? silentLogger;
  const box = secretBox(o.serverKey);
  const base = {
    store: o.store,
    clock,
    events: o.events ?? inProcessEvents(),
    logger,
    book: createBook(o.store, clock, (e) => logger.error({ err: String(e) }, "binding the accounts in the background failed")),
    auth: createAuth({ store: o.store, box, clock, ...(o.signatureSkewMs !== undefined ? { signatureSkewMs: o.signatureSkewMs } : {}) }),
    readAudit: createReadAudit(o.store, logger),
    box,
  };
  const live =
    o.live === true
      ? createInProcessLiveEngine({ store: o.store, book: base.book, logger, ...(o.liveOptions?.params !== undefined ? { params: o.liveOptions.params } : {}), ...(o.liveOptions?.breakers !== undefined ? { breakers: o.liveOptions.breakers } : {}), ...(o.liveOptions?.executor !== undefined ? { executor: o.liveOptions.executor } : {}) })
      : typeof o.live === "function"
        ? o.live(base)
        : undefined;
  const deps: ServiceDeps = live === undefined ? base : { ...base, live, liveStream: createStreamHub(o.store, live, logger, o.liveOptions?.figuresIntervalMs !== undefined ? { figuresIntervalMs: o.liveOptions.figuresIntervalMs } : {}) };
  const routes: AnyRoute[] = [...routeGroups(deps), ...(o.extraRoutes?.(deps) ?? [])];
  routes.push(openApiRoute(() => routes));
  const router = createRouter(routes);
  const inFlight = { count: 0 };
  const handler = createHandler({
    router,
    logger,
    bodyLimitBytes: o.bodyLimitBytes ?? 1024 * 1024,
    authenticate: deps.auth.authenticate,
    authorise: deps.auth.authorise,
    errorReply: (r, c, e) => deribitErrorReply(r, c, e) ?? okxErrorReply(r, c, e),
    inFlight,
    ...(o.fallback !== undefined ? { fallback: o.fallback } : {}),
  });
  return { deps, router, handler, inFlight };
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly service: Service;
  /** Settles when the background binding of every account after the start (book.prewarm) has finished or stopped. */
  readonly prewarmed: Promise<void>;
  /** Stop accepting, finish the requests in flight (up to `timeoutMs`), flush the read audit, close the store. */
  close(timeoutMs?: number): Promise<void>;
}

/** Listen on host:port (port 0: a free one). */
export async function startServer(o: ServiceOptions & { host?: string; port?: number }): Promise<RunningServer> {
  const service = createService(o);
  const server: Server = createServer({ keepAliveTimeout: 5000 }, service.handler);
  const live = service.deps.live;
  // The live core is loaded before the first request: a tick or a read never meets a half-started engine.
  if (live !== undefined) await live.start({ actor: "netrisk-serve", requestId: null, at: new Date(service.deps.clock.nowMs()).toISOString() });
  const streamRoute = service.router.routes.find((r) => r.path === "/v1/stream") as AnyRoute;
  const sockets = attachWebSockets(server, service.deps, streamRoute, o.bodyLimitBytes ?? 1024 * 1024);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(o.port ?? 8080, o.host ?? "127.0.0.1", () => resolve());
  });
  // Bindings and the preview's "now" figures of every account, computed while the server already answers (again
  // after each market or parameter-set change: routes/market.ts, routes/parameter-sets.ts).
  const prewarmed = service.deps.book.rewarm();
  const addr = server.address() as AddressInfo;
  const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${addr.port}`,
    port: addr.port,
    service,
    prewarmed,
    close(timeoutMs = 10_000) {
      closing ??= (async () => {
        const closed = new Promise<void>((resolve) => server.close(() => resolve()));
        server.closeIdleConnections();
        // Streams last as long as their clients: end them, so the drain below only waits for requests.
        service.deps.liveStream?.closeAll();
        sockets.close();
        const deadline = Date.now() + timeoutMs;
        while (service.inFlight.count > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
        server.closeAllConnections();
        await closed;
        await service.deps.book.stopWarming();
        await live?.close();
        await service.deps.readAudit.flush();
        await o.store.close();
      })();
      return closing;
    },
  };
}
