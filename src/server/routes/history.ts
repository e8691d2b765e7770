/**
 * `GET /v1/accounts/{id}/history`: an account's equity, IM, MM and health over time, recomputed from the audit log.
 *
 * The audit log holds every input a figure depends on: the account document at each version (`account.create`,
 * `account.replace`, `fills.apply` and `balances.change`, whose rows carry the document they produced), every market snapshot
 * made current (`market.put`, the snapshot itself kept in the store by its id), and every parameter-set version with
 * its effective day. Walking those rows in order and recomputing the figures wherever an input changed gives the
 * history exactly as the service would have served it then (the parameter-set version in force on that day among
 * those stored by then), and anyone can check a point by recomputing it from the same rows. A version that becomes
 * effective at midnight has no row at that instant, so its effective day adds a point of its own.
 *
 * This is wiring: every number comes from account/ through the same binder the service uses.
 * @module
 */
import { z } from "zod";
import { evaluateAccount } from "../../account/account.js";
import { createAccountBinder } from "../../io/account-binder.js";
import type { AccountBinder } from "../../io/account-binder.js";
import type { AuditEntry } from "../../store/port.js";
import type { ServiceDeps } from "../deps.js";
import { route } from "../http.js";
import type { AnyRoute } from "../http.js";
import { loadAccountFor } from "./accounts.js";

const ACCOUNT_ACTIONS = ["account.create", "account.replace", "fills.apply", "balances.change"];
const GLOBAL_ACTIONS = ["market.put", "parameter_set.create", "parameter_set.replace"];

interface Candidate {
  readonly seq: number;
  readonly atMs: number;
  readonly cause: string;
  readonly accountVersion: number;
  readonly marketId: string;
  readonly document: Record<string, unknown>;
}

export function historyRoutes(deps: ServiceDeps): AnyRoute[] {
  async function rows(options: { accountId?: string; actions: readonly string[] }): Promise<AuditEntry[]> {
    const out: AuditEntry[] = [];
    let after = 0;
    for (;;) {
      const page = await deps.store.listAudit({ accountId: options.accountId ?? null, afterSeq: after, limit: 5000, actions: options.actions });
      out.push(...page);
      if (page.length < 5000) return out;
      after = page[page.length - 1]?.seq ?? after;
    }
  }

  return [
    route({
      method: "GET",
      path: "/v1/accounts/{id}/history",
      tag: "analysis",
      summary: "Equity, IM, MM and health at every change of the account's inputs, recomputed from the audit log",
      access: ["risk", "trader"],
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(2000).optional() }),
      response: {
        status: 200,
        description: "{ account, points: [{ seq, at, cause, accountVersion, marketId, parameterSet, figures, state } | { ..., error }], parameterChanges: [{ seq, at, name, version, effective }], thresholds, truncated }",
      },
      async handler(ctx) {
        const id = ctx.params.id as string;
        const stored = await loadAccountFor(deps, ctx.principal, id);
        const limit = ctx.query.limit ?? 500;
        const own = await rows({ accountId: id, actions: ACCOUNT_ACTIONS });
        const global = await rows({ actions: GLOBAL_ACTIONS });
        const all = [...own, ...global].sort((a, b) => a.seq - b.seq);
        const nowMs = deps.clock.nowMs();
        const parameterChanges = global
          .filter((r) => r.action.startsWith("parameter_set."))
          .map((r) => ({ seq: r.seq, at: r.at, name: String(r.detail.name), version: String(r.detail.version), effective: String(r.detail.effective) }));
        // Effective days in the past become instants of their own (midnight UTC, after the version was stored).
        const effectiveAt = parameterChanges
          .map((p) => ({ ...p, atMs: Math.max(Date.parse(`${p.effective}T00:00:00Z`), Date.parse(p.at) + 1) }))
          .filter((p) => p.atMs <= nowMs);

        const candidates: Candidate[] = [];
        let document: Record<string, unknown> | null = null;
        let accountVersion = 0;
        let marketId: string | null = null;
        const push = (seq: number, atMs: number, cause: string): void => {
          if (document !== null && marketId !== null) candidates.push({ seq, atMs, cause, accountVersion, marketId, document });
        };
        let e = 0;
        const sortedEffective = [...effectiveAt].sort((a, b) => a.atMs - b.atMs);
        for (const r of all) {
          const atMs = Date.parse(r.at);
          while (e < sortedEffective.length && (sortedEffective[e]?.atMs ?? Infinity) < atMs) {
            const p = sortedEffective[e++];
            if (p !== undefined && p.atMs > Date.parse(p.at)) push(p.seq, p.atMs, `parameter_set.effective ${p.name} ${p.version}`);
          }
          if (r.action === "market.put") marketId = String(r.detail.marketId);
          else if (r.action.startsWith("parameter_set.")) {
            /* the version in force is resolved per point below */
          } else {
            accountVersion = r.accountVersion ?? accountVersion;
            const doc = r.detail.document;
            // A row without its document (written before documents were audited): the stored account is that
            // version's document when the versions agree; otherwise the history cannot go on from this row.
            document = doc !== null && typeof doc === "object" ? (doc as Record<string, unknown>) : accountVersion === stored.version ? stored.document : null;
          }
          push(r.seq, atMs, r.action);
        }
        for (; e < sortedEffective.length; e++) {
          const p = sortedEffective[e];
          if (p !== undefined) push(p.seq, p.atMs, `parameter_set.effective ${p.name} ${p.version}`);
        }
        const truncated = candidates.length > limit;
        const kept = candidates.slice(-limit);

        const contexts = new Map<string, Awaited<ReturnType<typeof contextOf>>>();
        async function contextOf(mid: string) {
          const stored = await deps.store.getMarket(mid);
          if (stored === null) return null;
          const built = deps.book.buildMarket(stored.document);
          return built.ok ? built.value.context : null;
        }
        const binders = new Map<string, AccountBinder>();
        let thresholds: unknown = null;
        const points = [];
        for (const c of kept) {
          const base = { seq: c.seq, at: new Date(c.atMs).toISOString(), cause: c.cause, accountVersion: c.accountVersion, marketId: c.marketId };
          if (!contexts.has(c.marketId)) contexts.set(c.marketId, await contextOf(c.marketId));
          const market = contexts.get(c.marketId);
          if (market === null || market === undefined) {
            points.push({ ...base, error: { code: "not_found", message: `market ${c.marketId} is not in the store` } });
            continue;
          }
          // One binder per market and set of versions known at the time (engines are shared inside a binder).
          const known = parameterChanges.filter((p) => Date.parse(p.at) <= c.atMs).length;
          const key = `${c.marketId}|${new Date(c.atMs).toISOString().slice(0, 10)}|${known}`;
          let binder = binders.get(key);
          if (binder === undefined) {
            binder = createAccountBinder(market, await deps.book.resolver(undefined, c.atMs));
            binders.set(key, binder);
          }
          const bound = binder.bind(c.document);
          const ev = bound.ok ? evaluateAccount(bound.value.account) : bound;
          if (!bound.ok || !ev.ok) {
            const first = (ev.ok ? [] : ev.issues)[0];
            points.push({ ...base, error: { code: first?.code ?? "internal", message: first?.message ?? "could not evaluate" } });
            continue;
          }
          thresholds = ev.value.health.thresholds;
          points.push({ ...base, parameterSet: bound.value.parameterSetRef, model: bound.value.model.id, figures: ev.value.figures, state: ev.value.health.state });
        }
        return { status: 200, body: { account: id, points, parameterChanges, thresholds, truncated } };
      },
    }),
  ];
}
