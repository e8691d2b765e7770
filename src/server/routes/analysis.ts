/**
 * Analysis of one account on the current market: the risk matrix with its per-position breakdown, Greeks per
 * underlying and expiry, the shock curve, the distance to liquidation; and the what-if family: what-if (the
 * document of `netrisk whatif --json`), maximum order, liquidation plan, hedge suggestions. Reads only.
 * @module
 */
import { z } from "zod";
import { accountGreeks, scenarioMatrix, shockCurve } from "../../account/analytics.js";
import { tradeJson, whatIfDocument } from "../../account/document.js";
import { distanceToLiquidation } from "../../account/distance.js";
import { suggestHedges } from "../../account/hedges.js";
import { planLiquidation } from "../../account/liquidation.js";
import { maxOrderSize } from "../../account/max-order.js";
import { whatIf } from "../../account/what-if.js";
import type { Result } from "../../errors.js";
import { HttpError, route } from "../http.js";
import type { AnyRoute, RequestContext } from "../http.js";
import type { ServiceDeps } from "../deps.js";
import type { LiveEngine } from "../live/engine.js";
import { reduceOnlyVerdict } from "../live/reduce-only.js";
import type { ReduceOnlyRestriction } from "../live/reduce-only.js";

/** Underlyings a breaker holds reduce-only, with the rules imposing it. */
function restrictionsOf(live: LiveEngine): ReduceOnlyRestriction[] {
  const view = live.breakers();
  const out: ReduceOnlyRestriction[] = [];
  for (const u of view.underlyings) {
    const rules = u.trips.filter((t) => view.rules.rules.find((r) => r.id === t.rule)?.actions.includes("reduce_only")).map((t) => t.rule);
    if (rules.length > 0) out.push({ underlying: u.underlying, rules });
  }
  return out;
}
import { hedgesBodySchema, liquidationBodySchema, maxOrderBodySchema, tradesBodySchema } from "../schemas.js";
import { auditRead, loadAccountFor } from "./accounts.js";
import { createWhatIfText } from "../whatif-text.js";

const need = <T>(r: Result<T>): T => {
  if (r.ok) return r.value;
  throw new HttpError(r.issues);
};

export function analysisRoutes(deps: ServiceDeps): AnyRoute[] {
  const whatIfText = createWhatIfText();
  const bound = async (ctx: RequestContext, action: string) => {
    const a = await loadAccountFor(deps, ctx.principal, ctx.params.id as string);
    const b = await deps.book.bound(a);
    auditRead(deps, ctx, action, b.provenance);
    return { account: b.bound.account, computedFrom: b.provenance };
  };
  const readers: AnyRoute[] = [
    route({
      method: "GET",
      path: "/v1/accounts/{id}/scenarios",
      tag: "analysis",
      summary: "Every scenario's P&L per bucket and per position (the risk matrix with its breakdown)",
      access: ["risk", "trader"],
      response: { status: 200, description: "{ buckets: [{ bucket, scenarios, worstScenario, positions: [{ instrument, sizeCoin, pnl[] }] }], computedFrom }" },
      async handler(ctx) {
        const { account, computedFrom } = await bound(ctx, "scenarios.read");
        return { status: 200, body: { ...need(scenarioMatrix(account)), computedFrom } };
      },
    }),
    route({
      method: "GET",
      path: "/v1/accounts/{id}/greeks",
      tag: "analysis",
      summary: "Greeks per underlying and expiry, in coin and USD",
      access: ["risk", "trader"],
      response: { status: 200, description: "{ lines: [{ underlying, expiry, deltaCoin, deltaUsd, gamma..., vega..., theta... }], byUnderlying, computedFrom }" },
      async handler(ctx) {
        const { account, computedFrom } = await bound(ctx, "greeks.read");
        return { status: 200, body: { ...need(accountGreeks(account)), computedFrom } };
      },
    }),
    route({
      method: "GET",
      path: "/v1/accounts/{id}/shock-curve",
      tag: "analysis",
      summary: "Equity and MM against a price shock of one underlying from −50 % to +50 %, with the breach points",
      access: ["risk", "trader"],
      query: z.strictObject({ underlying: z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/), steps: z.coerce.number().int().min(2).max(200).optional() }),
      response: { status: 200, description: "{ underlying, points: [{ moveDecimal, indexUsd, equityUsd, maintenanceMarginUsd, ... }], breach: { down, up }, computedFrom }" },
      async handler(ctx) {
        const { account, computedFrom } = await bound(ctx, "shock_curve.read");
        return { status: 200, body: { ...need(shockCurve(account, ctx.query.underlying, ctx.query.steps !== undefined ? { steps: ctx.query.steps } : {})), computedFrom } };
      },
    }),
    route({
      method: "GET",
      path: "/v1/accounts/{id}/distance",
      tag: "analysis",
      summary: "Distance to liquidation per underlying and all together (the search of netrisk account)",
      access: ["risk", "trader"],
      response: { status: 200, description: "the distanceToLiquidation document of netrisk account --json" },
      async handler(ctx) {
        const { account, computedFrom } = await bound(ctx, "distance.read");
        return { status: 200, body: { distanceToLiquidation: need(distanceToLiquidation(account)), computedFrom } };
      },
    }),
  ];
  const actions: AnyRoute[] = [
    route({
      method: "POST",
      path: "/v1/accounts/{id}/whatif",
      tag: "analysis",
      summary: "Figures before and after hypothetical trades, and the pre-trade decision (the document of netrisk whatif --json)",
      access: ["risk", "trader"],
      body: tradesBodySchema,
      response: { status: 200, description: "{ accepted, reason, trades, before, after, change, event?, afterDetail, analysis? }; with include: analysis.{before,after}.{greeks,distanceToLiquidation}" },
      async handler(ctx) {
        const stored = await loadAccountFor(deps, ctx.principal, ctx.params.id as string);
        // The account before the trades is evaluated once per version and market (book.ts), not per request.
        const { bound: b, evaluation: before, provenance } = await deps.book.evaluation(stored);
        auditRead(deps, ctx, "whatif.read", provenance);
        const account = b.account;
        const trades = ctx.body.trades.map((t) => ({ instrument: t.instrument, sizeCoin: t.size, ...(t.price !== undefined ? { price: t.price } : {}) }));
        const w = need(whatIf(account, trades, { before }));
        // A circuit breaker's reduce_only action: only pure reductions on the restricted underlyings pass.
        const ro = deps.live !== undefined ? reduceOnlyVerdict(account.positions, trades, restrictionsOf(deps.live)) : null;
        const restricted = ro !== null && ro.restricted.length > 0;
        const include = new Set(ctx.body.include ?? []);
        // The plain answer (no breaker restriction, no analysis asked) is printed with its shared parts' text cached.
        if (!restricted && include.size === 0) return { status: 200, body: undefined, bytes: whatIfText(w) };
        const decided = restricted ? { ...whatIfDocument(w), ...(ro.ok ? {} : { accepted: false, reason: ro.reason }), reduceOnly: { restricted: ro.restricted, passed: ro.ok } } : whatIfDocument(w);
        if (include.size === 0) return { status: 200, body: decided };
        const side = (a: typeof account) => ({
          ...(include.has("greeks") ? { greeks: need(accountGreeks(a)) } : {}),
          ...(include.has("distance") ? { distanceToLiquidation: need(distanceToLiquidation(a)) } : {}),
        });
        return { status: 200, body: { ...decided, analysis: { before: side(account), after: side(w.account) } } };
      },
    }),
    route({
      method: "POST",
      path: "/v1/accounts/{id}/max-order",
      tag: "analysis",
      summary: "The largest order of an instrument and side the account's equity allows",
      access: ["risk", "trader"],
      body: maxOrderBodySchema,
      response: { status: 200, description: "the document of netrisk max-order --json" },
      async handler(ctx) {
        const { account } = await bound(ctx, "max_order.read");
        const b = ctx.body;
        return { status: 200, body: need(maxOrderSize(account, b.instrument, b.side, { ...(b.price !== undefined ? { price: b.price } : {}), ...(b.lot !== undefined ? { lotCoin: b.lot } : {}) })) };
      },
    }),
    route({
      method: "POST",
      path: "/v1/accounts/{id}/liquidation-plan",
      tag: "analysis",
      summary: "A least-cost partial liquidation plan (netrisk liquidate --plan); nothing is executed",
      access: ["risk", "trader"],
      body: liquidationBodySchema,
      response: { status: 200, description: "the document of netrisk liquidate --plan --json" },
      async handler(ctx) {
        const { account } = await bound(ctx, "liquidation_plan.read");
        const b = ctx.body;
        const plan = need(
          planLiquidation(account, {
            ...(b.target !== undefined ? { targetRatio: b.target } : {}),
            ...(b.step !== undefined ? { stepFraction: b.step } : {}),
            ...(b.fee !== undefined ? { feeRateDecimal: b.fee } : {}),
            preemptive: b.preemptive ?? false,
            hedges: b.hedges ?? true,
          }),
        );
        return { status: 200, body: { ...plan, steps: plan.steps.map((s) => ({ ...s, trades: s.trades.map(tradeJson) })) } };
      },
    }),
    route({
      method: "POST",
      path: "/v1/accounts/{id}/hedges",
      tag: "analysis",
      summary: "Trades among candidates that cut IM the most per unit of cost (netrisk hedge)",
      access: ["risk", "trader"],
      body: hedgesBodySchema,
      response: { status: 200, description: "the document of netrisk hedge --json" },
      async handler(ctx) {
        const { account } = await bound(ctx, "hedges.read");
        const b = ctx.body;
        const h = need(suggestHedges(account, b.candidates, { maxTrades: b.maxTrades ?? 3, ...(b.maxCost !== undefined ? { maxCostUsd: b.maxCost } : {}) }));
        return { status: 200, body: { ...h, steps: h.steps.map((s) => ({ ...s, trade: tradeJson(s.trade) })) } };
      },
    }),
  ];
  return [...readers, ...actions];
}
