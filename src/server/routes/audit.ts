/** `GET /v1/audit?account=ID` (admin, risk): the append-only audit log, oldest first, paged by sequence number. */
import { z } from "zod";
import { route } from "../http.js";
import type { AnyRoute } from "../http.js";
import type { ServiceDeps } from "../deps.js";

export function auditRoutes(deps: ServiceDeps): AnyRoute[] {
  return [
    route({
      method: "GET",
      path: "/v1/audit",
      tag: "audit",
      summary: "Audit rows (every write, and what every served figure was computed from), optionally for one account",
      access: ["risk"],
      query: z.strictObject({ account: z.string().optional(), after: z.coerce.number().int().min(0).optional(), limit: z.coerce.number().int().min(1).max(10000).optional() }),
      response: { status: 200, description: "{ entries: [{ seq, at, actor, action, accountId, accountVersion, requestId, detail }], next }" },
      async handler(ctx) {
        // Read rows of the last second may still be buffered: commit them first so a reader sees its own reads.
        await deps.readAudit.flush();
        const limit = ctx.query.limit ?? 1000;
        const entries = await deps.store.listAudit({ accountId: ctx.query.account ?? null, afterSeq: ctx.query.after ?? 0, limit });
        return { status: 200, body: { entries, next: entries.length === limit ? (entries[entries.length - 1]?.seq ?? null) : null } };
      },
    }),
  ];
}
