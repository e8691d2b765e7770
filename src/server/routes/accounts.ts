/**
 * Accounts: `PUT /v1/accounts/{id}` (admin), `GET /v1/accounts/{id}` (the stored account and its figures: the
 * document `netrisk account --json --no-distance` prints), `GET /v1/accounts` (headline figures, filtered by health,
 * paged by id), `GET /v1/summary` (counts by health state, totals).
 * @module
 */
import { HEALTH_STATES } from "../../account/health.js";
import type { HealthState } from "../../account/health.js";
import type { StoredAccount } from "../../store/port.js";
import { canUseAccount, requireAccount } from "../auth.js";
import { HttpError, httpFail, route } from "../http.js";
import type { AnyRoute, Principal, RequestContext } from "../http.js";
import type { ServiceDeps } from "../deps.js";
import { writeContext } from "../deps.js";
import { accountBodySchema, accountIdSchema, listQuerySchema } from "../schemas.js";

/** The stored account or 404, after the caller's right to it is checked (403 first: ids are not secret-probed). */
export async function loadAccountFor(deps: ServiceDeps, principal: Principal | null, id: string): Promise<StoredAccount> {
  requireAccount(principal, id);
  const a = await deps.store.getAccount(id);
  if (a === null) httpFail("not_found", "id", `no account ${JSON.stringify(id)}`);
  return a as StoredAccount;
}

/** Parse `If-Match` (`"3"`, `3`, `W/"3"`) as an account version. */
export function ifMatchVersion(ctx: RequestContext): number | undefined {
  const h = ctx.headers["if-match"];
  if (typeof h !== "string") return undefined;
  const m = /^(?:W\/)?"?(\d+)"?$/.exec(h.trim());
  if (!m) httpFail("invalid_value", "if-match", `If-Match must be an account version, e.g. "3" (got ${JSON.stringify(h)})`);
  return Number(m?.[1]);
}

/** Record what a served figure was computed from (batched read audit). */
export function auditRead(deps: ServiceDeps, ctx: RequestContext, action: string, p: { accountId: string; accountVersion: number; marketId: string; model: string; parameterSet: { name: string; version: string } }): void {
  deps.readAudit.record({ action, accountId: p.accountId, accountVersion: p.accountVersion, detail: { route: ctx.path, marketId: p.marketId, model: p.model, parameterSet: p.parameterSet } }, writeContext(deps, ctx));
}

/**
 * The live engine's flags on an account's figures: `live` (its health state with hysteresis, `reduceOnly`,
 * `liquidationSuspended`) and `stale` (the figures rest on frozen or old inputs: age and underlyings), when it runs.
 */
function liveFlags(deps: ServiceDeps, id: string): { live?: { state: string; reduceOnly: boolean; liquidationSuspended: boolean }; stale?: unknown } {
  const f = deps.live?.figures(id);
  if (f === undefined) return {};
  return { live: { state: f.state, reduceOnly: f.reduceOnly === true, liquidationSuspended: f.liquidationSuspended === true }, ...(f.stale !== undefined ? { stale: f.stale } : {}) };
}

const headline = (deps: ServiceDeps, a: StoredAccount, doc: { model: string; figures: unknown; health: { state: string } }) => ({ id: a.id, version: a.version, model: doc.model, health: doc.health.state, figures: doc.figures, ...liveFlags(deps, a.id) });

export function accountRoutes(deps: ServiceDeps): AnyRoute[] {
  const idParam = (ctx: RequestContext): string => {
    const r = accountIdSchema.safeParse(ctx.params.id);
    if (!r.success) httpFail("invalid_value", "id", r.error.issues[0]?.message ?? "bad account id");
    return ctx.params.id as string;
  };

  async function* allAccounts(): AsyncGenerator<StoredAccount> {
    let after: string | null = null;
    for (;;) {
      const page = await deps.store.listAccounts({ afterId: after, limit: 500 });
      for (const a of page) yield a;
      if (page.length < 500) return;
      after = page[page.length - 1]?.id ?? null;
    }
  }

  return [
    route({
      method: "PUT",
      path: "/v1/accounts/{id}",
      tag: "accounts",
      summary: "Create (201) or replace (200) an account, validated against the current market; If-Match: version",
      access: [],
      body: accountBodySchema,
      response: { status: 200, description: "{ account, version }" },
      async handler(ctx) {
        const id = idParam(ctx);
        // With the live engine, futures and perpetuals without an entry price get the live mark (the core's rule).
        const document = deps.live !== undefined ? deps.live.pinEntries(ctx.body as Record<string, unknown>) : (ctx.body as Record<string, unknown>);
        const bound = await deps.book.bindDocument(document);
        if (!bound.ok) throw new HttpError(bound.issues.map((i) => ({ ...i, path: i.path === "" ? "body" : `body.${i.path}` })));
        const expected = ifMatchVersion(ctx);
        const current = await deps.store.getAccount(id);
        const version = current?.version ?? 0;
        if (expected !== undefined && expected !== version) httpFail("version_conflict", "if-match", `account ${id} is at version ${version}, not ${expected}`);
        const r = await deps.store.writeAccount({ id, expectedVersion: version, document, audit: { action: version === 0 ? "account.create" : "account.replace", detail: { document } } }, writeContext(deps, ctx));
        if (!r.ok) httpFail("version_conflict", "if-match", `account ${id} changed while it was written; read it again`);
        const account = (r as { account: StoredAccount }).account;
        deps.events.publish({ type: "account.updated", accountId: id, version: account.version, cause: "put" });
        await deps.live?.accountChanged(account, `account ${id} ${version === 0 ? "created" : "replaced"} (version ${account.version})`, writeContext(deps, ctx));
        return { status: version === 0 ? 201 : 200, body: { account: account.document, version: account.version }, headers: { etag: `"${account.version}"` } };
      },
    }),
    route({
      method: "GET",
      path: "/v1/accounts/{id}",
      tag: "accounts",
      summary: "The stored account and its figures (the document of netrisk account --json --no-distance)",
      access: ["risk", "trader"],
      response: { status: 200, description: "{ account, version, figures, computedFrom }" },
      async handler(ctx) {
        const a = await loadAccountFor(deps, ctx.principal, idParam(ctx));
        const f = await deps.book.figures(a);
        auditRead(deps, ctx, "figures.read", f.provenance);
        return { status: 200, body: { account: a.document, version: a.version, figures: f.document, computedFrom: f.provenance, ...liveFlags(deps, a.id) }, headers: { etag: `"${a.version}"` } };
      },
    }),
    route({
      method: "GET",
      path: "/v1/accounts",
      tag: "accounts",
      summary: "Accounts with their headline figures, optionally by health state; paged by id (cursor)",
      access: ["risk", "trader"],
      query: listQuerySchema,
      response: { status: 200, description: "{ accounts: [{ id, version, model, health, figures }], nextCursor }" },
      async handler(ctx) {
        const limit = ctx.query?.limit ?? 100;
        const out: ReturnType<typeof headline>[] = [];
        let nextCursor: string | null = null;
        let after = ctx.query?.cursor ?? null;
        scan: for (;;) {
          const page = await deps.store.listAccounts({ afterId: after, limit: 200 });
          for (const a of page) {
            after = a.id;
            if (!canUseAccount(ctx.principal, a.id)) continue;
            const f = await deps.book.figures(a);
            if (ctx.query?.health !== undefined && f.document.health.state !== ctx.query.health) continue;
            out.push(headline(deps, a, f.document));
            if (out.length === limit) {
              nextCursor = a.id;
              break scan;
            }
          }
          if (page.length < 200) break;
        }
        return { status: 200, body: { accounts: out, nextCursor } };
      },
    }),
    route({
      method: "GET",
      path: "/v1/summary",
      tag: "accounts",
      summary: "Counts by health state and total equity, IM and MM (USD) over every account",
      access: ["risk"],
      response: { status: 200, description: "{ accounts, byHealth, totalUsd: { equity, initialMargin, maintenanceMargin }, failed }" },
      async handler() {
        const byHealth = Object.fromEntries(HEALTH_STATES.map((s) => [s, 0])) as Record<HealthState, number>;
        const totalUsd = { equity: 0, initialMargin: 0, maintenanceMargin: 0 };
        const failed: { id: string; code: string }[] = [];
        let n = 0;
        const m = await deps.book.market();
        for await (const a of allAccounts()) {
          n++;
          try {
            const f = await deps.book.figures(a);
            byHealth[f.document.health.state]++;
            totalUsd.equity += f.document.figures.equityUsd;
            totalUsd.initialMargin += f.document.figures.initialMarginUsd;
            totalUsd.maintenanceMargin += f.document.figures.maintenanceMarginUsd;
          } catch (e) {
            failed.push({ id: a.id, code: e instanceof HttpError ? e.code : "internal" });
          }
        }
        return { status: 200, body: { accounts: n, marketId: m.stored.id, byHealth, totalUsd, failed } };
      },
    }),
  ];
}

