/**
 * The HTTP layer: a small router over node:http (docs/server.md says why no framework), request bodies with a size
 * limit and a content-type check, JSON answers that can never carry NaN, the error document shared with the CLI
 * (`{"error":{"code","issues":[...]}}`), and one pino line per request.
 *
 * A route is data ({@link Route}): method, path template, roles, zod schemas of its query and body (the same schemas
 * generate /openapi.json), and a handler. Route groups live one per file in routes/ and are listed in app.ts.
 * @module
 */
import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";
import { issue, NetriskError } from "../errors.js";
import type { Issue, IssueCode } from "../errors.js";
import { zodIssuesToIssues } from "../io/zod-issues.js";
import type { Role } from "../store/port.js";
import type { Logger } from "./ports.js";

/** HTTP status of each issue code the service answers with (anything else is a 400: bad input). */
const STATUS_OF: Partial<Record<IssueCode, number>> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  version_conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  idempotency_mismatch: 422,
  replayed: 401,
  unavailable: 503,
  internal: 500,
};

/** An error with its HTTP status (from the first issue's code). */
export class HttpError extends NetriskError {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  constructor(issues: readonly Issue[], options: { status?: number; headers?: Record<string, string> } = {}) {
    super(issues);
    this.status = options.status ?? statusOf(issues);
    this.headers = options.headers ?? {};
  }
}

export function statusOf(issues: readonly Issue[]): number {
  return STATUS_OF[issues[0]?.code ?? "internal"] ?? 400;
}

/** Throw a coded HTTP error: `fail("not_found", "id", "no account acc-9")`. */
export function httpFail(code: IssueCode, path: string, message: string, headers?: Record<string, string>): never {
  throw new HttpError([issue(code, path, message)], headers === undefined ? {} : { headers });
}

/** Who is calling: a key's client id, role and accounts; `null` on public routes without credentials. */
export interface Principal {
  readonly clientId: string;
  readonly role: Role;
  /** Trader keys: the accounts the key may use; null for every other role. */
  readonly accounts: readonly string[] | null;
  /** How the caller authenticated (bearer key, access token, signature, stream token). */
  readonly via: "key" | "token" | "signature" | "stream-token";
}

export interface RequestContext<Q = unknown, B = unknown> {
  readonly requestId: string;
  readonly method: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly query: Q;
  readonly body: B;
  /** The raw body text (signatures are computed over it). */
  readonly rawBody: string;
  readonly headers: IncomingMessage["headers"];
  readonly principal: Principal | null;
  readonly url: URL;
  /** When the request arrived (microseconds, for Deribit's usIn). */
  readonly usIn: number;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  /** The body already printed as JSON (checked as `jsonText` checks it) and encoded as UTF-8; sent instead of printing `body`. */
  readonly bytes?: Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  /** A streamed answer (server-sent events): takes over the response; the request stops counting as in flight. */
  readonly stream?: (res: ServerResponse) => void;
}

export type Access = "public" | readonly Role[];

/** One route: everything the router, the auth layer and the OpenAPI generator need. */
export interface Route<Q = unknown, B = unknown> {
  readonly method: "GET" | "POST" | "PUT" | "DELETE";
  /** Path template with `{name}` parameters: `/v1/accounts/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly tag: string;
  /** Roles allowed (admin is always allowed), or "public". */
  readonly access: Access;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** OpenAPI description of the success answer. */
  readonly response: { readonly status: number; readonly description: string; readonly schema?: z.ZodType };
  /** Accept the body as it comes (no JSON content-type check): Deribit's GET/POST forms. */
  readonly rawBody?: boolean;
  /** Accept a stream token in the `token` query parameter (the stream routes, which browsers open without headers). */
  readonly streamToken?: boolean;
  handler(ctx: RequestContext<Q, B>): Promise<Reply> | Reply;
}

/** A route with its types erased, for lists of routes. */
export type AnyRoute = Route<any, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Define a route with its query and body types inferred from its schemas. */
export function route<Q = undefined, B = undefined>(r: Route<Q, B>): Route<Q, B> {
  return r;
}

interface Compiled {
  readonly route: AnyRoute;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

function compile(r: AnyRoute): Compiled {
  const names: string[] = [];
  const source = r.path.replace(/[.*+?^${}()|[\]\\]/g, (c) => (c === "{" || c === "}" ? c : `\\${c}`)).replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    // A `method` parameter (Deribit's public/ticker) may contain slashes; every other parameter is one segment.
    return name === "method" ? "(.+)" : "([^/]+)";
  });
  return { route: r, pattern: new RegExp(`^${source}$`), names };
}

export interface Router {
  readonly routes: readonly AnyRoute[];
  /** The route for a method and path, its parameters, or the methods the path allows (405) or null (404). */
  match(method: string, path: string): { route: AnyRoute; params: Record<string, string> } | { allowed: string[] } | null;
}

export function createRouter(routes: readonly AnyRoute[]): Router {
  const compiled = routes.map(compile);
  return {
    routes,
    match(method, path) {
      const allowed: string[] = [];
      for (const c of compiled) {
        const m = c.pattern.exec(path);
        if (!m) continue;
        if (c.route.method !== method && !(method === "HEAD" && c.route.method === "GET")) {
          allowed.push(c.route.method);
          continue;
        }
        const params: Record<string, string> = {};
        c.names.forEach((n, i) => {
          params[n] = decodeURIComponent(m[i + 1] ?? "");
        });
        return { route: c.route, params };
      }
      return allowed.length > 0 ? { allowed } : null;
    },
  };
}

/**
 * Whether JSON.stringify prints `value` as it is: every number finite, no typed array, no `toJSON`. A walk without
 * allocation, so the common answer takes V8's native serialiser: a replacer function costs a call per key, about half
 * the time of serialising a what-if (a 17 KB document).
 */
function plainJson(v: unknown, depth = 0): boolean {
  if (typeof v === "number") return Number.isFinite(v);
  if (typeof v !== "object" || v === null) return true;
  if (depth > 64 || ArrayBuffer.isView(v) || typeof (v as { toJSON?: unknown }).toJSON === "function") return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!plainJson(v[i], depth + 1)) return false;
    return true;
  }
  for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k) && !plainJson((v as Record<string, unknown>)[k], depth + 1)) return false;
  return true;
}

/** Serialise an answer; a non-finite number anywhere is a bug reported as a 500, never printed. */
export function jsonText(value: unknown): string {
  if (plainJson(value)) return JSON.stringify(value);
  let bad: string | undefined;
  const text = JSON.stringify(value, (key, v: unknown) => {
    if (typeof v === "number" && !Number.isFinite(v)) bad ??= key;
    return v instanceof Float64Array ? Array.from(v) : v;
  });
  if (bad !== undefined) throw new NetriskError([issue("internal", bad, "non-finite number in an answer (a bug: please report)")]);
  return text;
}

/** The error document of the CLI and the API. */
export function errorBody(issues: readonly Issue[]): { error: { code: IssueCode; issues: readonly Issue[] } } {
  return { error: { code: issues[0]?.code ?? "internal", issues } };
}

/** Read a request body up to `limitBytes`; beyond it a 413 (the rest is not read). */
export function readBody(req: IncomingMessage, limitBytes: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers["content-length"] ?? NaN);
    if (Number.isFinite(declared) && declared > limitBytes) {
      reject(new HttpError([issue("payload_too_large", "body", `the body is ${declared} bytes; the limit is ${limitBytes}`)], { headers: { connection: "close" } }));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > limitBytes) {
        req.removeAllListeners("data");
        reject(new HttpError([issue("payload_too_large", "body", `the body exceeds the limit of ${limitBytes} bytes`)], { headers: { connection: "close" } }));
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/** Validate with a zod schema; issues carry the field's path under `prefix` (`body`, `query`). */
export function parseWith<T>(schema: z.ZodType<T>, value: unknown, prefix: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  // A union (one fill or a list) reports the branch the value has the shape of, not "no branch matched".
  const zodIssues = r.error.issues.flatMap((zi): z.core.$ZodIssue[] => {
    if (zi.code !== "invalid_union" || zi.errors.length === 0) return [zi];
    const wrongShape = (b: readonly z.core.$ZodIssue[]): boolean => b.length === 1 && b[0]?.path.length === 0 && b[0]?.code === "invalid_type";
    const branch = zi.errors.find((b) => !wrongShape(b)) ?? zi.errors[0] ?? [];
    return branch.map((b) => ({ ...b, path: [...zi.path, ...b.path] }));
  });
  const issues = zodIssuesToIssues(zodIssues, value).map((i, k) => {
    // A decimal string too large for a double ("1e999") is a non-finite number, not a malformed one.
    const raw = (zodIssues[k]?.path ?? []).reduce<unknown>((v, key) => (v !== null && typeof v === "object" ? (v as Record<PropertyKey, unknown>)[key] : undefined), value);
    const nonFinite = typeof raw === "string" && /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/.test(raw.trim()) && !Number.isFinite(Number(raw));
    return { ...i, ...(nonFinite ? { code: "non_finite" as const, message: `must be a finite number, got ${raw}` } : {}), path: i.path === "" ? prefix : i.path.startsWith("[") ? `${prefix}${i.path}` : `${prefix}.${i.path}` };
  });
  throw new HttpError(issues.length > 0 ? issues : [issue("invalid_value", prefix, "invalid")]);
}

export interface HandlerOptions {
  readonly router: Router;
  readonly logger: Logger;
  readonly bodyLimitBytes: number;
  /** Resolve the caller from the request (null when no credentials were given); throws 401 on bad ones. */
  authenticate(req: IncomingMessage, ctx: { route: AnyRoute; url: URL; rawBody: string; method: string }): Promise<Principal | null>;
  /** Check the route's access for the principal (throws 401 / 403). */
  authorise(route: AnyRoute, principal: Principal | null): void;
  /** A route's own error envelope (Deribit answers errors in JSON-RPC form); default the error document. */
  errorReply?: (route: AnyRoute | null, ctx: { requestId: string; usIn: number; rawBody: string; url: URL }, error: HttpError) => Reply | undefined;
  /** Requests in flight, for the drain on shutdown. */
  readonly inFlight: { count: number };
  /** Serve a path no route matches (static files later); return false to answer 404. */
  fallback?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

function send(res: ServerResponse, reply: Reply, head: boolean): void {
  // Encoded once: the length is the buffer's, and the socket writes the bytes as they are (a string would be measured,
  // then encoded again on write: a what-if answer is ~18 KB).
  const bytes = reply.bytes ?? Buffer.from(reply.body === undefined ? "" : jsonText(reply.body), "utf8");
  res.writeHead(reply.status, { "content-type": "application/json; charset=utf-8", "content-length": bytes.length, ...reply.headers });
  res.end(head ? undefined : bytes);
}

/** A path that WHATWG URL parsing leaves as it is: `/`-separated segments of unreserved characters, none starting with a dot (so no `.` or `..` segment), no query. */
const PLAIN_PATH = /^(?:\/[A-Za-z0-9_~-][A-Za-z0-9_.~-]*)+$/;

/** The pathname of a request target that is a plain path (itself), or undefined (the URL parser says). */
export const plainPathname = (target: string): string | undefined => (PLAIN_PATH.test(target) ? target : undefined);

/** The request listener: route, authenticate, validate, run, answer, log. */
export function createHandler(o: HandlerOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = process.hrtime.bigint();
    const usIn = Math.round(Date.now() * 1000);
    const requestId = typeof req.headers["x-request-id"] === "string" && /^[\w.-]{1,100}$/.test(req.headers["x-request-id"]) ? req.headers["x-request-id"] : randomUUID();
    const method = req.method ?? "GET";
    // The URL object is made when something asks for it (a query, a signature, a stream token): a plain path, segments
    // of unreserved characters none starting with a dot, is its own pathname, and parsing every request's URL was
    // ~1 % of the server's thread under the what-if load.
    const target = req.url ?? "/";
    let parsed: URL | undefined;
    const urlOf = (): URL => (parsed ??= new URL(target, "http://localhost"));
    const pathname = plainPathname(target) ?? urlOf().pathname;
    let routeName = "(unmatched)";
    let actor: string | null = null;
    let rawBody = "";
    o.inFlight.count++;
    res.setHeader("x-request-id", requestId);
    res.on("finish", () => {
      o.inFlight.count--;
      // One line per request: never the query string, headers or body (they may carry keys and tokens).
      o.logger.info({ reqId: requestId, method, route: routeName, status: res.statusCode, durationMs: Number(process.hrtime.bigint() - started) / 1e6, actor }, "request");
    });
    const fail = (route: AnyRoute | null, e: unknown): void => {
      let err: HttpError;
      if (e instanceof HttpError) err = e;
      else if (e instanceof NetriskError && e.code !== "internal") err = new HttpError(e.issues);
      else {
        o.logger.error({ reqId: requestId, route: routeName, err: e instanceof Error ? { message: e.message, stack: e.stack } : String(e) }, "internal error");
        err = new HttpError([issue("internal", "", `internal error (request ${requestId}); the server log has the details`)], { status: 500 });
      }
      const custom = o.errorReply?.(route, { requestId, usIn, rawBody, get url() { return urlOf(); } }, err);
      if (res.headersSent) {
        res.destroy();
        return;
      }
      send(res, custom ?? { status: err.status, body: errorBody(err.issues), headers: err.headers }, method === "HEAD");
    };
    const m = o.router.match(method, pathname);
    if (m === null) {
      if (o.fallback?.(req, res)) return;
      req.resume();
      fail(null, new HttpError([issue("not_found", "path", `no route ${method} ${pathname}`)]));
      return;
    }
    if ("allowed" in m) {
      req.resume();
      fail(null, new HttpError([issue("method_not_allowed", "method", `${method} is not allowed on ${pathname}; allowed: ${m.allowed.join(", ")}`)], { headers: { allow: m.allowed.join(", ") } }));
      return;
    }
    const { route: r, params } = m;
    routeName = `${r.method} ${r.path}`;
    void (async () => {
      try {
        const hasBody = method === "POST" || method === "PUT";
        rawBody = hasBody ? await readBody(req, o.bodyLimitBytes) : "";
        if (!hasBody) req.resume();
        const principal = await o.authenticate(req, { route: r, get url() { return urlOf(); }, rawBody, method });
        actor = principal?.clientId ?? null;
        o.authorise(r, principal);
        let body: unknown;
        if (r.body !== undefined && !r.rawBody) {
          const type = String(req.headers["content-type"] ?? "");
          if (!/^application\/json\s*(;|$)/i.test(type))
            throw new HttpError([issue("unsupported_media_type", "content-type", `send the body as application/json (got ${type === "" ? "no content type" : JSON.stringify(type)})`)]);
          let parsed: unknown;
          try {
            parsed = JSON.parse(rawBody);
          } catch (e) {
            throw new HttpError([issue("invalid_json", "body", (e as Error).message)]);
          }
          body = parseWith(r.body, parsed, "body");
        }
        const query = r.query === undefined ? undefined : parseWith(r.query, Object.fromEntries(urlOf().searchParams), "query");
        const reply = await r.handler({ requestId, method, path: pathname, params, query, body, rawBody, headers: req.headers, principal, get url() { return urlOf(); }, usIn });
        if (reply.stream !== undefined) {
          // A stream lasts as long as its client: logged when it starts, not drained on shutdown (the hub ends it).
          o.inFlight.count--;
          res.removeAllListeners("finish");
          o.logger.info({ reqId: requestId, method, route: routeName, status: reply.status, durationMs: Number(process.hrtime.bigint() - started) / 1e6, actor, stream: true }, "request");
          reply.stream(res);
          return;
        }
        send(res, reply, method === "HEAD");
      } catch (e) {
        fail(r, e);
      }
    })();
  };
}
