/**
 * The live engine's routes (docs/server.md, "Live"; docs/live.md for ticks, events and breakers):
 * - `POST /v1/ticks` (feed, admin): one tick or a list, applied in order; a malformed tick refuses the whole request
 *   (400, nothing applied); a well-formed tick the core ignores (older or repeated seq: a counted warning) or rejects
 *   (a move past the live parameters' limit) is reported per tick. A single rejected tick is a 422.
 * - `GET /v1/stream` (risk, trader; a stream token works too): server-sent events, or a WebSocket on upgrade.
 * - `GET /v1/events`: the stored events as a page (the stream's catch-up, for clients that poll).
 * - `GET /v1/live`: the engine's status (sequences, counters of ignored and rejected inputs, skipped accounts).
 * - `GET /v1/breakers`, `POST /v1/breakers/{underlying}/reset`, `PUT /v1/breaker-rules/{name}/{version}`.
 * @module
 */
import { z } from "zod";
import type { ServerResponse } from "node:http";
import type { Issue } from "../../errors.js";
import { tickSchema, validateBreakerRules, validateTick } from "../../io/live.js";
import { breakerRulesSchema, LIVE_EVENT_TYPES } from "../../live/index.js";
import type { BreakerRules } from "../../live/index.js";
import type { Tick } from "../../live/tick.js";
import { requirePrincipal } from "../auth.js";
import type { ServiceDeps } from "../deps.js";
import { writeContext } from "../deps.js";
import { HttpError, httpFail, jsonText, route } from "../http.js";
import type { AnyRoute, Principal, RequestContext } from "../http.js";
import type { LiveEngine, LiveStep } from "../live/engine.js";
import type { StreamFilter, StreamHub, StreamMessage } from "../live/stream.js";

export const STREAM_TYPES: readonly string[] = [...LIVE_EVENT_TYPES, "figures"];

export const ticksBodySchema = z
  .union([tickSchema, z.array(tickSchema).min(1).max(10_000)])
  .meta({ description: "One tick or a list of ticks (docs/live.md, \"Ticks\"), applied in order." });

const csv = z
  .string()
  .max(10_000)
  .transform((s) => s.split(",").map((x) => x.trim()).filter((x) => x !== ""));

const seqText = z.string().regex(/^\d{1,15}$/, "a non-negative integer").transform(Number);

export const streamQuerySchema = z.strictObject({
  account: csv.optional().meta({ description: "Comma-separated account ids: only their events (and figures). A trader key defaults to, and is limited to, its accounts." }),
  type: csv.optional().meta({ description: `Comma-separated event types (${STREAM_TYPES.join(", ")}); default every event type, without figures.` }),
  after: seqText.optional().meta({ description: "Resume: the events after this eventSeq (the last one received). Default: from now on." }),
  from: seqText.optional().meta({ description: "Resume: the events from this eventSeq on (inclusive)." }),
  figuresIntervalMs: z.string().regex(/^\d{2,6}$/).transform(Number).optional().meta({ description: "Figures channel: at most one document per account per this many ms (50-600000; default 500)." }),
  token: z.string().max(200).optional().meta({ description: "A stream token (POST /v1/stream-tokens), for clients that cannot send headers." }),
});
type StreamQuery = z.infer<typeof streamQuerySchema>;

const eventsQuerySchema = z.strictObject({
  account: csv.optional(),
  type: csv.optional(),
  after: seqText.optional(),
  limit: z.string().regex(/^\d{1,5}$/).transform(Number).optional(),
});

const resetBodySchema = z.strictObject({ rule: z.string().min(1).max(200).optional().meta({ description: "Reset this rule only (default: every trip of the underlying)." }) });

/** The engine, or 503 when the service runs without one. */
export function liveOf(deps: ServiceDeps): LiveEngine {
  if (deps.live === undefined) return httpFail("unavailable", "live", "this service runs without the live engine");
  return deps.live;
}

/** The stream filter a principal may have: a trader only ever sees its own accounts. */
export function streamFilter(principal: Principal | null, q: { account?: string[] | undefined; type?: string[] | undefined }): StreamFilter {
  const p = requirePrincipal(principal);
  const types = q.type;
  for (const [i, t] of (types ?? []).entries()) if (!STREAM_TYPES.includes(t)) httpFail("invalid_value", `query.type[${i}]`, `unknown type ${JSON.stringify(t)} (${STREAM_TYPES.join(", ")})`);
  let accounts: string[] | null = q.account ?? null;
  if (p.role === "trader") {
    const own = p.accounts ?? [];
    for (const [i, a] of (accounts ?? []).entries()) if (!own.includes(a)) httpFail("forbidden", `query.account[${i}]`, `this key may not read account ${a}`);
    accounts = accounts ?? [...own];
  }
  const figures = (types ?? []).includes("figures");
  const eventTypes = types === undefined ? null : types.filter((t) => t !== "figures");
  return { accounts, types: eventTypes, figures };
}

/** Where a stream resumes: `after`, `from` − 1, or the Last-Event-ID header; null when none (from now on). */
export function resumePoint(q: { after?: number | undefined; from?: number | undefined }, lastEventId: string | string[] | undefined): number | null {
  if (q.after !== undefined) return q.after;
  if (q.from !== undefined) return Math.max(0, q.from - 1);
  if (typeof lastEventId === "string" && /^\d{1,15}$/.test(lastEventId.trim())) return Number(lastEventId.trim());
  if (typeof lastEventId === "string") httpFail("invalid_value", "last-event-id", "Last-Event-ID must be an eventSeq (a non-negative integer)");
  return null;
}

/** Serve a subscription as server-sent events on `res`. */
function sse(hub: StreamHub, filter: StreamFilter, after: number | null, q: StreamQuery, res: ServerResponse): void {
  res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" });
  res.write(": netrisk stream\n\n");
  const send = (m: StreamMessage): void => {
    // No `event:` field: every message is the default "message" event (EventSource's onmessage), its type in the data.
    res.write(`${m.id !== undefined ? `id: ${m.id}\n` : ""}data: ${jsonText(m.data)}\n\n`);
  };
  let handle: { close(): void } | null = null;
  let gone = false;
  const keepAlive = setInterval(() => res.write(": keep-alive\n\n"), 15_000);
  keepAlive.unref();
  res.on("close", () => {
    gone = true;
    clearInterval(keepAlive);
    handle?.close();
  });
  const end = (): void => {
    if (!res.writableEnded) res.end();
  };
  hub.open(filter, after, { send, end }, q.figuresIntervalMs !== undefined ? { figuresIntervalMs: q.figuresIntervalMs } : {}).then(
    (h) => {
      handle = h;
      if (gone) h.close();
    },
    end,
  );
}

const stepJson = (s: LiveStep) => ({
  seq: s.seq,
  ...(s.tickSeq !== undefined ? { tickSeq: s.tickSeq } : {}),
  status: s.status,
  issues: s.issues,
  events: s.events.length,
  eventSeqs: s.events.length > 0 ? [s.events[0]?.eventSeq, s.events[s.events.length - 1]?.eventSeq] : [],
  changed: s.changed.length,
  ...(s.marketId !== undefined ? { marketId: s.marketId } : {}),
});

/** Validate a parsed body of ticks (one or a list): the ticks, or 400 with every bad field's path. */
export function ticksOf(body: unknown): Tick[] {
  const list = Array.isArray(body) ? body : [body];
  const issues: Issue[] = [];
  const ticks: Tick[] = [];
  list.forEach((t, i) => {
    const r = validateTick(t);
    const prefix = Array.isArray(body) ? `body[${i}]` : "body";
    if (r.ok) ticks.push(r.value);
    else issues.push(...r.issues.map((x) => ({ ...x, path: x.path === "" ? prefix : `${prefix}.${x.path}` })));
  });
  if (issues.length > 0) throw new HttpError(issues);
  return ticks;
}

/** Apply ticks and answer as `POST /v1/ticks` does. */
export async function applyTicks(deps: ServiceDeps, body: unknown, ctx: Pick<RequestContext, "requestId" | "principal">): Promise<{ status: number; body: unknown }> {
  const ticks = ticksOf(body);
  const steps = await liveOf(deps).ticks(ticks, writeContext(deps, ctx));
  if (!Array.isArray(body) && steps[0]?.status === "rejected") throw new HttpError(steps[0].issues.map((i) => ({ ...i, path: i.path === "" ? "body" : `body.${i.path}` })), { status: 422 });
  const count = (s: LiveStep["status"]) => steps.filter((x) => x.status === s).length;
  return { status: 200, body: { applied: count("applied"), ignored: count("ignored"), rejected: count("rejected"), results: steps.map(stepJson) } };
}

/** live_state key of a stored breaker-rules version. */
const rulesKey = (name: string, version: string): string => `breakerRules/${name}/${version}`;
const NAME = /^[A-Za-z0-9._-]{1,64}$/;

export function liveRoutes(deps: ServiceDeps): AnyRoute[] {
  return [
    route({
      method: "PUT",
      path: "/v1/breaker-rules/{name}/{version}",
      tag: "live",
      summary: "Store a version of the circuit-breaker rules (a version never changes) and put it in force",
      access: [],
      body: breakerRulesSchema.meta({ description: "A circuit-breaker rules file (docs/live.md); name and version as in the URL." }) as z.ZodType<unknown>,
      response: { status: 201, description: "{ rules, inForce } (200 when the same version with the same content was stored before)" },
      async handler(ctx) {
        const { name, version } = ctx.params as { name: string; version: string };
        if (!NAME.test(name)) httpFail("invalid_value", "name", "a rules name is 1-64 of A-Z a-z 0-9 . _ -");
        if (!NAME.test(version)) httpFail("invalid_value", "version", "a version is 1-64 of A-Z a-z 0-9 . _ -");
        const r = validateBreakerRules(ctx.body);
        if (!r.ok) throw new HttpError(r.issues.map((i) => ({ ...i, path: i.path === "" ? "body" : `body.${i.path}` })));
        for (const [field, want] of [["name", name], ["version", version]] as const)
          if (r.value[field] !== want) httpFail("invalid_value", `body.${field}`, `the rules say ${field} ${JSON.stringify(r.value[field])}; the URL says ${JSON.stringify(want)}`);
        const live = liveOf(deps);
        const stored = await deps.store.getLiveState(rulesKey(name, version));
        if (stored !== null && JSON.stringify(stored) !== JSON.stringify(r.value)) httpFail("version_conflict", "version", `breaker rules ${name} ${version} are stored with other content: a version never changes (store a new version)`);
        const wctx = writeContext(deps, ctx);
        if (stored === null) {
          const c = await deps.store.commitLive({ events: [], state: { [rulesKey(name, version)]: r.value } }, wctx);
          if (!c.ok) httpFail("internal", "", "rules not stored");
        }
        const step = await live.setBreakerRules(r.value, wctx);
        if (step.status !== "applied") throw new HttpError(step.issues.map((i) => ({ ...i, path: `body.${i.path}` })), { status: 422 });
        return { status: stored === null ? 201 : 200, body: { rules: r.value, inForce: { name, version } } };
      },
    }),
    route({
      method: "GET",
      path: "/v1/breaker-rules",
      tag: "live",
      summary: "Every stored version of the circuit-breaker rules, and the one in force",
      access: ["risk", "trader", "feed"],
      response: { status: 200, description: "{ inForce: { name, version }, versions: [{ name, version, effective, storedAt, rules }] }" },
      async handler() {
        const live = liveOf(deps);
        const rows = await deps.store.listLiveState("breakerRules/");
        const inForce = live.breakers().rules;
        return {
          status: 200,
          body: {
            inForce: { name: inForce.name, version: inForce.version },
            versions: rows.map((x) => {
              const v = x.value as BreakerRules;
              return { name: v.name, version: v.version, effective: v.effective, storedAt: x.updatedAt, rules: v.rules };
            }),
          },
        };
      },
    }),
    route({
      method: "POST",
      path: "/v1/ticks",
      tag: "live",
      summary: "Apply market ticks (one or a list, in order): accounts re-margined, events stored and streamed",
      access: ["feed"],
      body: ticksBodySchema as z.ZodType<unknown>,
      response: { status: 200, description: "{ applied, ignored, rejected, results: [{ seq, tickSeq, status, issues, events, eventSeqs, changed, marketId }] }" },
      handler: (ctx) => applyTicks(deps, ctx.body, ctx),
    }),
    route({
      method: "GET",
      path: "/v1/stream",
      tag: "live",
      summary: "Events (and the figures channel) as server-sent events, or a WebSocket on upgrade; filtered, resumable from an eventSeq",
      access: ["risk", "trader"],
      streamToken: true,
      query: streamQuerySchema,
      response: { status: 200, description: "text/event-stream: `id: <eventSeq>` and `data: <the event as the replay prints it>` (figures messages have no id)" },
      async handler(ctx) {
        const hub = deps.liveStream;
        liveOf(deps);
        if (hub === undefined) return httpFail("unavailable", "live", "no stream on this service");
        const q = ctx.query as StreamQuery;
        const filter = streamFilter(ctx.principal, q);
        const after = resumePoint(q, ctx.headers["last-event-id"]);
        return { status: 200, body: undefined, stream: (res) => sse(hub, filter, after, q, res) };
      },
    }),
    route({
      method: "GET",
      path: "/v1/events",
      tag: "live",
      summary: "Stored events after an eventSeq (a page), filtered by account and type",
      access: ["risk", "trader"],
      query: eventsQuerySchema,
      response: { status: 200, description: "{ events: [...], lastEventSeq }" },
      async handler(ctx) {
        const q = ctx.query as z.infer<typeof eventsQuerySchema>;
        const f = streamFilter(ctx.principal, q);
        const limit = Math.min(q.limit ?? 1000, 10_000);
        const rows = await deps.store.readLiveEvents({ afterEventSeq: q.after ?? 0, limit, accounts: f.accounts, types: f.types });
        return { status: 200, body: { events: rows.map((r) => r.document), lastEventSeq: await deps.store.lastLiveEventSeq() } };
      },
    }),
    route({
      method: "GET",
      path: "/v1/live",
      tag: "live",
      summary: "The live engine's status: sequences, market, counters of ignored and rejected inputs, accounts it could not take",
      access: ["risk", "feed"],
      response: { status: 200, description: "LiveStatus (docs/server.md)" },
      handler: () => ({ status: 200, body: liveOf(deps).status() }),
    }),
    route({
      method: "GET",
      path: "/v1/breakers",
      tag: "live",
      summary: "Circuit-breaker rules in force (name, version) and the state of every underlying with its trips",
      access: ["risk", "trader", "feed"],
      response: { status: 200, description: "{ rules, underlyings: [{ underlying, state, rule, reason, since, actions, trips: [{ rule, since, reason }] }] }" },
      handler: () => ({ status: 200, body: liveOf(deps).breakers() }),
    }),
    route({
      method: "POST",
      path: "/v1/breakers/{underlying}/reset",
      tag: "live",
      summary: "Reset a tripped breaker (one rule or all of the underlying); the next tick re-anchors its price band",
      access: [],
      body: resetBodySchema,
      response: { status: 200, description: "{ step, breakers }" },
      async handler(ctx) {
        const underlying = ctx.params.underlying as string;
        if (!/^[A-Z0-9]{1,16}$/.test(underlying)) httpFail("invalid_value", "underlying", "an underlying is 1-16 of A-Z 0-9");
        const live = liveOf(deps);
        const step = await live.resetBreaker(underlying, ctx.body.rule, writeContext(deps, ctx));
        if (step.status === "rejected") {
          const status = step.issues[0]?.code === "unknown_instrument" ? 404 : 422;
          throw new HttpError(step.issues.map((i) => ({ ...i, code: i.code === "unknown_instrument" ? ("not_found" as const) : i.code, path: i.path === "underlying" ? "underlying" : `body.${i.path}` })), { status });
        }
        return { status: 200, body: { step: stepJson(step), breakers: live.breakers() } };
      },
    }),
  ];
}
