/**
 * `POST /v1/accounts/{id}/balance-changes` (admin, feed): deposits, withdrawals and transfers, one or a list, applied
 * once however often the request is retried (`Idempotency-Key`, as fills), `If-Match` on the account version.
 *
 * A balance change is a fact the venue reports, like a fill: it is recorded even when it leaves the account short of
 * margin (the live engine then says so with its health events), never refused for the figures it produces. Refused:
 * a currency the current market cannot price (`missing_index`: no balance netrisk could not value), an amount of 0, an
 * amount or a resulting balance outside netrisk's bounds (`out_of_range`: ±1e15, docs/formats.md "Bounds").
 * The account's new version goes to the live engine as every account write does (docs/server.md "Live"): the account
 * is re-margined alone and its events carry the change as their cause.
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Result } from "../../errors.js";
import type { MarketContext } from "../../market/context.js";
import { balanceChangeIssue } from "../../account/fills.js";
import { hasUsdRate } from "../../risk/marks.js";
import { HttpError, route } from "../http.js";
import type { AnyRoute } from "../http.js";
import type { ServiceDeps } from "../deps.js";
import type { keyedSerial } from "../keyed-serial.js";
import { balanceChangesBodySchema } from "../schemas.js";
import { idempotentAccountWrite } from "./account-write.js";

export interface BalanceChange {
  readonly currency: string;
  readonly amount: number;
  readonly reason?: string | undefined;
}

/**
 * The account document with the changes added to its `collateral` balances, in order; issues with paths
 * `body[i].currency` / `body[i].amount`. Pure: the route's whole computation, tested without a server.
 */
export function applyBalanceChanges(document: Record<string, unknown>, changes: readonly BalanceChange[], market: MarketContext): Result<{ document: Record<string, unknown>; balances: Record<string, number> }> {
  const balances: Record<string, number> = { ...((document.collateral ?? {}) as Record<string, number>) };
  const issues = [];
  for (const [i, c] of changes.entries()) {
    if (c.amount === 0) issues.push(issue("invalid_value", `body[${i}].amount`, "a balance change of 0 changes nothing"));
    if (!hasUsdRate(market, c.currency)) issues.push(issue("missing_index", `body[${i}].currency`, `the current market has no USD price for ${c.currency}: netrisk could not value this balance`));
    // The engine's bounds, as the account loader checks them: a stored balance must load again.
    const bad = balanceChangeIssue(balances[c.currency] ?? 0, c.amount, c.currency, `body[${i}].amount`);
    if (bad !== undefined) issues.push(bad);
    balances[c.currency] = (balances[c.currency] ?? 0) + c.amount;
  }
  if (issues.length > 0) return fail(...issues);
  return ok({ document: { ...document, collateral: balances }, balances });
}

export function balanceRoutes(deps: ServiceDeps, serial: ReturnType<typeof keyedSerial>): AnyRoute[] {
  return [
    route({
      method: "POST",
      path: "/v1/accounts/{id}/balance-changes",
      tag: "accounts",
      summary: "Apply deposits, withdrawals and transfers to an account's balances (idempotent by Idempotency-Key; If-Match: version)",
      access: ["feed"],
      body: balanceChangesBodySchema,
      response: { status: 200, description: "{ account, version, marketId, applied: [{ currency, amount, reason, balanceAfter }], balances }" },
      handler: (ctx) => {
        const id = ctx.params.id as string;
        const changes = (Array.isArray(ctx.body) ? ctx.body : [ctx.body]) as BalanceChange[];
        return idempotentAccountWrite(deps, serial, ctx, "balances", async (account) => {
          const market = await deps.book.market();
          const r = applyBalanceChanges(account.document, changes, market.context);
          if (!r.ok) throw new HttpError(r.issues);
          const running: Record<string, number> = { ...((account.document.collateral ?? {}) as Record<string, number>) };
          const applied = changes.map((c) => {
            running[c.currency] = (running[c.currency] ?? 0) + c.amount;
            return { currency: c.currency, amount: c.amount, reason: c.reason ?? null, balanceAfter: running[c.currency] as number };
          });
          const body = { account: id, version: account.version + 1, marketId: market.stored.id, applied, balances: r.value.balances };
          const text = changes.map((c) => `${c.currency} ${c.amount > 0 ? "+" : ""}${c.amount}${c.reason !== undefined ? ` (${c.reason})` : ""}`).join(", ");
          return {
            body,
            write: {
              document: r.value.document,
              audit: { action: "balances.change", detail: { marketId: market.stored.id, changes, document: r.value.document } },
              cause: (version) => `balance change ${text} (version ${version})`,
              event: "balances",
            },
          };
        });
      },
    }),
  ];
}
