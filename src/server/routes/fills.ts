/**
 * `POST /v1/accounts/{id}/fills` (admin, feed): one fill or a list, applied once however often it is retried.
 * - `Idempotency-Key`: the first answer is stored with the write (same transaction); a retry with the same key and
 *   body gets that answer again (header `idempotent-replayed: true`), with another body a 422.
 * - A trade id already stored for the account is not applied again (listed under `duplicates`).
 * - The account's version increases; `If-Match` with another version is a 409 and writes nothing.
 * - A fill far from the mark is stored with a warning, never refused. A bad fill refuses the whole request.
 * @module
 */
import { createHash } from "node:crypto";
import { applyFills } from "../../account/fills.js";
import type { Fill } from "../../account/fills.js";
import { HttpError, httpFail, route } from "../http.js";
import type { AnyRoute, Reply, RequestContext } from "../http.js";
import type { IdempotencyRecord } from "../../store/port.js";
import type { ServiceDeps } from "../deps.js";
import { writeContext } from "../deps.js";
import { keyedSerial } from "../keyed-serial.js";
import { fillsBodySchema } from "../schemas.js";
import { ifMatchVersion, loadAccountFor } from "./accounts.js";

type FillBody = Fill & { tradeId: string; timestamp?: string | undefined };

function replay(ctx: RequestContext, record: IdempotencyRecord, requestHash: string): Reply {
  if (record.requestHash !== requestHash)
    httpFail("idempotency_mismatch", "idempotency-key", `Idempotency-Key ${JSON.stringify(ctx.headers["idempotency-key"])} was used with a different request`);
  return { status: record.status, body: record.response, headers: { "idempotent-replayed": "true" } };
}

export function fillRoutes(deps: ServiceDeps): AnyRoute[] {
  // One account's fills run one at a time in this process (keyed-serial.ts says why); other accounts in parallel.
  const serial = keyedSerial();
  return [
    route({
      method: "POST",
      path: "/v1/accounts/{id}/fills",
      tag: "accounts",
      summary: "Apply executed fills (idempotent by Idempotency-Key and trade id; If-Match: version)",
      access: ["feed"],
      body: fillsBodySchema,
      response: { status: 200, description: "{ account, version, applied: [...], duplicates: [tradeId], warnings }" },
      async handler(ctx) {
        const id = ctx.params.id as string;
        const fills = (Array.isArray(ctx.body) ? ctx.body : [ctx.body]) as FillBody[];
        const key = ctx.headers["idempotency-key"];
        if (key !== undefined && (typeof key !== "string" || !/^[\x21-\x7e]{1,200}$/.test(key))) httpFail("invalid_value", "idempotency-key", "Idempotency-Key must be 1-200 visible ASCII characters");
        const scope = `fills:${id}`;
        const requestHash = createHash("sha256").update(`POST ${ctx.path}\n${JSON.stringify(ctx.body)}`).digest("hex");
        return serial(id, async (): Promise<Reply> => {
          if (typeof key === "string") {
            const seen = await deps.store.getIdempotency(scope, key);
            if (seen !== null) return replay(ctx, seen, requestHash);
          }
          const expected = ifMatchVersion(ctx);
          for (let attempt = 0; attempt < 5; attempt++) {
            const account = await loadAccountFor(deps, { clientId: "", role: "admin", accounts: null, via: "key" }, id);
            if (expected !== undefined && expected !== account.version) httpFail("version_conflict", "if-match", `account ${id} is at version ${account.version}, not ${expected}`);
            const tradeIds = fills.map((f) => f.tradeId);
            const repeated = new Set(tradeIds.filter((t, i) => tradeIds.indexOf(t) !== i));
            if (repeated.size > 0) httpFail("duplicate", "body", `trade id ${[...repeated][0]} appears twice in this request`);
            const known = new Set(await deps.store.knownTrades(id, tradeIds));
            const todo = fills.filter((f) => !known.has(f.tradeId));
            const market = await deps.book.market();
            const applied = applyFills(account.document as { positions: [] }, todo, market.context);
            if (!applied.ok) throw new HttpError(applied.issues.map((i) => ({ ...i, path: i.path.replace(/^fills\[(\d+)\]/, (_m, k: string) => `body[${fills.indexOf(todo[Number(k)] as FillBody)}]`) })));
            const nothing = todo.length === 0;
            const version = nothing ? account.version : account.version + 1;
            const body = {
              account: id,
              version,
              marketId: market.stored.id,
              applied: applied.value.outcomes.map((o, i) => ({
                tradeId: (todo[i] as FillBody).tradeId,
                instrument: o.instrument,
                position: o.position,
                realisedPnl: o.realisedPnl,
                settlementCurrency: o.settlementCurrency,
                balanceChanges: o.balanceChanges,
                markPrice: o.markPrice,
                warnings: o.warnings,
              })),
              duplicates: [...known],
              warnings: applied.value.outcomes.flatMap((o) => o.warnings),
            };
            if (nothing) return { status: 200, body };
            const w = await deps.store.writeAccount(
              {
                id,
                expectedVersion: account.version,
                document: applied.value.document as Record<string, unknown>,
                fills: todo.map((f) => ({ tradeId: f.tradeId, fill: { ...f } })),
                audit: { action: "fills.apply", detail: { marketId: market.stored.id, fills: todo, warnings: body.warnings, document: applied.value.document } },
                ...(typeof key === "string" ? { idempotency: { scope, key, requestHash, status: 200, response: body } } : {}),
              },
              writeContext(deps, ctx),
            );
            if (w.ok) {
              deps.events.publish({ type: "account.updated", accountId: id, version: w.account.version, cause: "fills" });
              await deps.live?.accountChanged(w.account, `fills ${todo.map((f) => f.tradeId).join(", ")} (version ${w.account.version})`, writeContext(deps, ctx));
              return { status: 200, body, headers: { etag: `"${w.account.version}"` } };
            }
            if (w.reason === "idempotency_taken") return replay(ctx, w.record, requestHash);
            if (w.reason === "version_conflict" && expected !== undefined) httpFail("version_conflict", "if-match", `account ${id} is at version ${w.currentVersion}, not ${expected}`);
            if (w.reason === "version_conflict" && w.currentVersion === 0) httpFail("not_found", "id", `no account ${JSON.stringify(id)}`);
            // Another write got there first (or a concurrent request stored one of these trades): read again.
          }
          return httpFail("version_conflict", "id", `account ${id} is being written too often to apply the fills; retry`);
        });
      },
    }),
  ];
}
