/**
 * `GET /v1/rankings` (admin, risk): what an exchange's risk desk watches first, in one pass over the book: the
 * margin-call and liquidation queue (accounts in margin call, liquidation or bankrupt, worst maintenance ratio first,
 * with the deposit that ends the margin call and the one that makes the account healthy: the same amounts as the
 * live `margin_call` event), the largest accounts by initial margin, and the accounts closest to liquidation.
 *
 * "Closest to liquidation": by maintenance ratio (MM / equity, 1 = liquidation), the margin-side distance every
 * venue shows; for each of those listed the price-side distance too (the smallest move of all underlyings together
 * that liquidates, account/distance.ts). The price search costs milliseconds per account, so it runs only for the
 * accounts listed, not the whole book: an account with a low ratio but a violent gamma profile may be closer in price
 * than one listed, and the docs say so.
 * @module
 */
import { z } from "zod";
import { distanceToLiquidation } from "../../account/distance.js";
import { healthyAmountUsd, marginCallAmountUsd } from "../../live/health.js";
import { DEFAULT_LIVE_PARAMS } from "../../live/params.js";
import type { StoredAccount } from "../../store/port.js";
import { canUseAccount } from "../auth.js";
import type { ServiceDeps } from "../deps.js";
import { HttpError, route } from "../http.js";
import type { AnyRoute } from "../http.js";

const QUEUE_STATES = ["margin_call", "liquidation", "bankrupt"] as const;

interface Row {
  readonly id: string;
  readonly version: number;
  readonly health: string;
  readonly figures: { equityUsd: number; initialMarginUsd: number; maintenanceMarginUsd: number; availableFundsUsd: number; maintenanceRatio: number | null };
  readonly thresholds: { warningRatio: number; marginCallRatio: number; liquidationRatio: number };
}

/** Sort key of the maintenance ratio: null (equity ≤ 0 with margin) is the worst. */
const ratioKey = (r: Row): number => r.figures.maintenanceRatio ?? Number.MAX_VALUE;

export function rankingRoutes(deps: ServiceDeps): AnyRoute[] {
  return [
    route({
      method: "GET",
      path: "/v1/rankings",
      tag: "accounts",
      summary: "Margin-call and liquidation queue, largest accounts by IM, accounts closest to liquidation (with the price move that liquidates)",
      access: ["risk"],
      query: z.strictObject({ limit: z.coerce.number().int().min(1).max(100).optional() }),
      response: {
        status: 200,
        description:
          "{ marketId, accounts, queue: { margin_call|liquidation|bankrupt: { count, accounts: [{ id, figures, amountNeededUsd, toHealthyUsd }] } }, largestByInitialMargin: [...], closestToLiquidation: [{ ..., distance: { down, up } }], failed }",
      },
      async handler(ctx) {
        const limit = ctx.query.limit ?? 10;
        const market = await deps.book.market();
        const rows: Row[] = [];
        const failed: { id: string; code: string }[] = [];
        let after: string | null = null;
        for (;;) {
          const page: StoredAccount[] = await deps.store.listAccounts({ afterId: after, limit: 500 });
          for (const a of page) {
            if (!canUseAccount(ctx.principal, a.id)) continue;
            try {
              const f = await deps.book.figures(a);
              const d = f.document;
              rows.push({ id: a.id, version: a.version, health: d.health.state, figures: d.figures, thresholds: d.health.thresholds });
            } catch (e) {
              failed.push({ id: a.id, code: e instanceof HttpError ? e.code : "internal" });
            }
          }
          if (page.length < 500) break;
          after = page[page.length - 1]?.id ?? null;
        }
        const h = DEFAULT_LIVE_PARAMS.hysteresis;
        const line = (r: Row) => ({ id: r.id, version: r.version, health: r.health, figures: r.figures });
        const queue = Object.fromEntries(
          QUEUE_STATES.map((s) => {
            const inState = rows.filter((r) => r.health === s).sort((a, b) => ratioKey(b) - ratioKey(a));
            return [s, { count: inState.length, accounts: inState.slice(0, limit).map((r) => ({ ...line(r), amountNeededUsd: marginCallAmountUsd(r.figures, r.thresholds, h), toHealthyUsd: healthyAmountUsd(r.figures, r.thresholds, h) })) }];
          }),
        );
        const largestByInitialMargin = [...rows].sort((a, b) => b.figures.initialMarginUsd - a.figures.initialMarginUsd).slice(0, limit).map(line);
        const notYet = rows.filter((r) => r.health !== "liquidation" && r.health !== "bankrupt").sort((a, b) => ratioKey(b) - ratioKey(a)).slice(0, limit);
        const closestToLiquidation = [];
        for (const r of notYet) {
          const stored = await deps.store.getAccount(r.id);
          let distance: { down: number | null; up: number | null } | null = null;
          if (stored !== null) {
            const b = await deps.book.bound(stored);
            const d = distanceToLiquidation(b.bound.account);
            if (d.ok && d.value.together !== undefined) distance = { down: d.value.together.down.liquidation?.moveDecimal ?? null, up: d.value.together.up.liquidation?.moveDecimal ?? null };
          }
          closestToLiquidation.push({ ...line(r), distance });
        }
        return { status: 200, body: { marketId: market.stored.id, accounts: rows.length, queue, largestByInitialMargin, closestToLiquidation, failed } };
      },
    }),
  ];
}
