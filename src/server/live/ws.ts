/**
 * WebSockets on the service's own node:http server (the `ws` package, pure JS): `GET /v1/stream` upgraded (the same
 * subscription as the server-sent events: one JSON text message per event or figures document, exactly the replay's
 * lines) and `/v1/ticks` upgraded (a feed sends ticks, one or a list per message, and gets `POST /v1/ticks`'s answer
 * or its error document back per message, in order). Authentication as on the routes: `Authorization: Bearer`, or a
 * stream token in `?token=` for clients that cannot send headers; refused upgrades get a plain HTTP error answer.
 * @module
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { WebSocket } from "ws";
import { issue, NetriskError } from "../../errors.js";
import type { ServiceDeps } from "../deps.js";
import { errorBody, HttpError, jsonText, parseWith } from "../http.js";
import type { AnyRoute, Principal } from "../http.js";
import { applyTicks, resumePoint, streamFilter, streamQuerySchema } from "../routes/live.js";

/** The tick socket's access (a route object for the auth layer; not an HTTP route). */
const TICK_SOCKET: AnyRoute = {
  method: "GET",
  path: "/v1/ticks",
  summary: "tick WebSocket",
  tag: "live",
  access: ["feed"],
  streamToken: true,
  response: { status: 101, description: "switching protocols" },
  handler: () => ({ status: 405, body: undefined }),
};

/** Largest buffered output of a stream socket before the server drops a client that does not read. */
const MAX_BUFFERED_BYTES = 16 * 1024 * 1024;

function refuse(socket: Duplex, e: unknown): void {
  const err = e instanceof HttpError ? e : e instanceof NetriskError ? new HttpError(e.issues) : new HttpError([issue("internal", "", "internal error")], { status: 500 });
  const text = JSON.stringify(errorBody(err.issues));
  socket.end(`HTTP/1.1 ${err.status} ${err.status === 401 ? "Unauthorized" : err.status === 403 ? "Forbidden" : "Error"}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(text)}\r\nconnection: close\r\n\r\n${text}`);
}

export interface WebSockets {
  /** Close every socket (server shutdown). */
  close(): void;
}

export function attachWebSockets(server: Server, deps: ServiceDeps, streamRoute: AnyRoute, maxPayloadBytes: number): WebSockets {
  const wss = new WebSocketServer({ noServer: true, maxPayload: maxPayloadBytes });
  const sockets = new Set<WebSocket>();

  const authenticate = async (req: IncomingMessage, route: AnyRoute, url: URL): Promise<Principal> => {
    const principal = await deps.auth.authenticate(req, { route, url, rawBody: "", method: "GET" });
    deps.auth.authorise(route, principal);
    return principal as Principal;
  };

  const accept = (req: IncomingMessage, socket: Duplex, head: Buffer): Promise<WebSocket> =>
    new Promise((resolve) =>
      wss.handleUpgrade(req, socket, head, (ws) => {
        sockets.add(ws);
        ws.on("close", () => sockets.delete(ws));
        resolve(ws);
      }),
    );

  server.on("upgrade", (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    socket.on("error", () => socket.destroy());
    void (async () => {
      try {
        if (url.pathname === "/v1/stream") {
          const principal = await authenticate(req, streamRoute, url);
          const hub = deps.liveStream;
          if (deps.live === undefined || hub === undefined) throw new HttpError([issue("unavailable", "live", "this service runs without the live engine")]);
          const q = parseWith(streamQuerySchema, Object.fromEntries(url.searchParams), "query");
          const filter = streamFilter(principal, q);
          const after = resumePoint(q, undefined);
          const ws = await accept(req, socket, head);
          let handle: { close(): void } | null = null;
          let gone = false;
          ws.on("close", () => {
            gone = true;
            handle?.close();
          });
          ws.on("message", () => undefined);
          const sink = {
            send(m: { data: unknown }) {
              if (ws.readyState !== ws.OPEN) return;
              if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
                ws.close(1013, "the client does not keep up: resume with ?after=<last eventSeq>");
                return;
              }
              ws.send(jsonText(m.data));
            },
            end: () => ws.close(1001, "server shutting down"),
          };
          try {
            handle = await hub.open(filter, after, sink, q.figuresIntervalMs !== undefined ? { figuresIntervalMs: q.figuresIntervalMs } : {});
            if (gone) handle.close();
          } catch {
            ws.close(1011, "stream catch-up failed");
          }
          return;
        }
        if (url.pathname === "/v1/ticks") {
          const principal = await authenticate(req, TICK_SOCKET, url);
          if (deps.live === undefined) throw new HttpError([issue("unavailable", "live", "this service runs without the live engine")]);
          const ws = await accept(req, socket, head);
          let chain: Promise<void> = Promise.resolve();
          ws.on("message", (raw) => {
            const text = Buffer.isBuffer(raw) ? raw.toString("utf8") : Array.isArray(raw) ? Buffer.concat(raw).toString("utf8") : Buffer.from(raw).toString("utf8");
            chain = chain.then(async () => {
              let answer: unknown;
              try {
                let parsed: unknown;
                try {
                  parsed = JSON.parse(text);
                } catch (e) {
                  throw new HttpError([issue("invalid_json", "body", (e as Error).message)]);
                }
                answer = (await applyTicks(deps, parsed, { requestId: randomUUID(), principal })).body;
              } catch (e) {
                const err = e instanceof HttpError ? e : e instanceof NetriskError && e.code !== "internal" ? new HttpError(e.issues) : new HttpError([issue("internal", "", "internal error")], { status: 500 });
                if (err.status >= 500) deps.logger.error({ err: e instanceof Error ? e.message : String(e) }, "tick socket");
                answer = { status: err.status, ...errorBody(err.issues) };
              }
              if (ws.readyState === ws.OPEN) ws.send(jsonText(answer));
            });
          });
          return;
        }
        throw new HttpError([issue("not_found", "path", `no WebSocket at ${url.pathname} (/v1/stream, /v1/ticks)`)]);
      } catch (e) {
        refuse(socket, e);
      }
    })();
  });

  return {
    close() {
      for (const ws of sockets) ws.terminate();
      wss.close();
    },
  };
}
