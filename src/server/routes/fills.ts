/**
 * `POST /v1/accounts/{id}/fills` (admin, feed): one fill or a list, applied once however often it is retried.
 * - `Idempotency-Key`: the first answer is stored with the write (same transaction); a retry with the same key and
 *   body gets that answer again (header `idempotent-replayed: true`), with another body a 422.
 * - A trade id already stored for the account is not applied again (listed under `duplicates`).
 * - The account's version increases; `If-Match` with another version is a 409 and writes nothing.
 * - A fill far from the mark is stored with a warning, never refused. A bad fill refuses the whole request.
 * The write path (idempotency, If-Match, retries, the live engine) is account-write.ts, shared with balance changes.
 * @module
 */
import { applyFills } from "../../account/fills.js";
import type { Fill } from "../../account/fills.js";
import { HttpError, httpFail, route } from "../http.js";
import type { AnyRoute } from "../http.js";
import type { ServiceDeps } from "../deps.js";
import { keyedSerial } from "../keyed-serial.js";
import { fillsBodySchema } from "../schemas.js";
import { idempotentAccountWrite } from "./account-write.js";
import { balanceRoutes } from "./balances.js";

type FillBody = Fill & { tradeId: string; timestamp?: string | undefined };

export function fillRoutes(deps: ServiceDeps): AnyRoute[] {
  // One account's writes (fills, balance changes) run one at a time in this process (keyed-serial.ts says why);
  // other accounts in parallel.
  const serial = keyedSerial();
  return [
    ...balanceRoutes(deps, serial),
    route({
      method: "POST",
      path: "/v1/accounts/{id}/fills",
      tag: "accounts",
      summary: "Apply executed fills (idempotent by Idempotency-Key and trade id; If-Match: version)",
      access: ["feed"],
      body: fillsBodySchema,
      response: { status: 200, description: "{ account, version, applied: [...], duplicates: [tradeId], warnings }" },
      handler: (ctx) => {
        const id = ctx.params.id as string;
        const fills = (Array.isArray(ctx.body) ? ctx.body : [ctx.body]) as FillBody[];
        return idempotentAccountWrite(deps, serial, ctx, "fills", async (account) => {
          const tradeIds = fills.map((f) => f.tradeId);
          const repeated = new Set(tradeIds.filter((t, i) => tradeIds.indexOf(t) !== i));
          if (repeated.size > 0) httpFail("duplicate", "body", `trade id ${[...repeated][0]} appears twice in this request`);
          const known = new Set(await deps.store.knownTrades(id, tradeIds));
          const todo = fills.filter((f) => !known.has(f.tradeId));
          const market = await deps.book.market();
          const applied = applyFills(account.document as { positions: [] }, todo, market.context);
          if (!applied.ok) throw new HttpError(applied.issues.map((i) => ({ ...i, path: i.path.replace(/^fills\[(\d+)\]/, (_m, k: string) => `body[${fills.indexOf(todo[Number(k)] as FillBody)}]`) })));
          const nothing = todo.length === 0;
          const body = {
            account: id,
            version: nothing ? account.version : account.version + 1,
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
          if (nothing) return { body, write: null };
          return {
            body,
            write: {
              document: applied.value.document as Record<string, unknown>,
              fills: todo.map((f) => ({ tradeId: f.tradeId, fill: { ...f } })),
              audit: { action: "fills.apply", detail: { marketId: market.stored.id, fills: todo, warnings: body.warnings, document: applied.value.document } },
              cause: (version) => `fills ${todo.map((f) => f.tradeId).join(", ")} (version ${version})`,
              event: "fills",
            },
          };
        });
      },
    }),
  ];
}
