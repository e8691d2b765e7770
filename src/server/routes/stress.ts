/**
 * `POST /v1/stress/cascade` (admin, risk): a liquidation cascade over the stored book on the current market
 * (docs/cascade.md), as `netrisk cascade --json` computes it: every stored account bound by the service's binder (its
 * parameter set as in force), the exogenous move (`move`, an instant shock, or `ticks`), a policy (a bundled preset's
 * name or a policy document) and an impact model. Reads only; nothing is stored. Named stresses need price history,
 * which the service does not hold: the CLI's `--stress` does that.
 * @module
 */
import { z } from "zod";
import { DEFAULT_LIQUIDATION_PRESET, LIQUIDATION_PRESETS, validateImpactModel, validateLiquidationPolicy } from "../../io/cascade.js";
import { liveAccountOfLoaded } from "../../io/live-accounts.js";
import { tickSchema, validateTick } from "../../io/live.js";
import { loadPreset } from "../../io/presets.js";
import { createCascadeCore, impactModelSchema, liquidationPolicySchema, NO_IMPACT, runCascade, shockTick } from "../../live/cascade/index.js";
import type { LiveAccountInput } from "../../live/core.js";
import type { Tick } from "../../live/tick.js";
import type { Issue, Result } from "../../errors.js";
import type { StoredAccount } from "../../store/port.js";
import type { ServiceDeps } from "../deps.js";
import { HttpError, httpFail, route } from "../http.js";
import type { AnyRoute } from "../http.js";
import { BOUNDS } from "../../market/bounds.js";

const relativeMove = z.number().gt(-1).finite();

export const cascadeBodySchema = z
  .strictObject({
    move: z.record(z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/), relativeMove).optional().meta({ description: "Instant shock: relative index moves, {\"BTC\": -0.3}, applied as one tick. Give move or ticks." }),
    ticks: z.array(tickSchema).min(1).max(10_000).optional().meta({ description: "The exogenous path as ticks (docs/live.md), one round per tick. Give move or ticks." }),
    policy: z.union([z.enum(LIQUIDATION_PRESETS), liquidationPolicySchema]).optional().meta({ description: `A bundled policy's name or a policy document (default ${DEFAULT_LIQUIDATION_PRESET}).` }),
    impact: z.union([z.literal("none"), z.literal("default"), impactModelSchema]).optional().meta({ description: "none, default (presets/impact-default.json) or an impact model document." }),
    insuranceFundUsd: z.number().min(0).max(BOUNDS.amount.max).finite().optional(),
    maxRounds: z.number().int().min(1).max(100_000).optional(),
    steps: z.boolean().optional().meta({ description: "Each account's steps in the rounds (default false: rounds and summary only)." }),
  })
  .meta({ description: "A liquidation cascade over the stored book (docs/cascade.md)." });

const need = <T>(r: Result<T>, prefix?: string): T => {
  if (r.ok) return r.value;
  throw new HttpError(prefix === undefined ? r.issues : r.issues.map((i): Issue => ({ ...i, path: `${prefix}.${i.path}` })));
};

export function stressRoutes(deps: ServiceDeps): AnyRoute[] {
  return [
    route({
      method: "POST",
      path: "/v1/stress/cascade",
      tag: "analysis",
      summary: "A liquidation cascade over the stored book: rounds, insurance fund, ADL and socialised loss (netrisk cascade)",
      access: ["risk"],
      body: cascadeBodySchema,
      response: { status: 200, description: "{ rounds: [the round lines of netrisk cascade --json], summary, notes, computedFrom: { marketId, accounts } }" },
      async handler(ctx) {
        const b = ctx.body;
        if ((b.move === undefined) === (b.ticks === undefined)) httpFail("invalid_value", "body.move", "give exactly one of move and ticks");
        const policy = typeof b.policy === "object" ? b.policy : need(validateLiquidationPolicy(need(loadPreset(`liquidation-${b.policy ?? DEFAULT_LIQUIDATION_PRESET}`))));
        const impact = b.impact === "none" ? NO_IMPACT : typeof b.impact === "object" ? b.impact : need(validateImpactModel(need(loadPreset("impact-default"))));
        const market = await deps.book.market();
        const snapshot = market.context.snapshot;
        const path: Tick[] = b.move !== undefined ? [need(shockTick(snapshot, b.move, {}, "body.move"))] : (b.ticks ?? []).map((t, k) => need(validateTick(t), `body.ticks[${k}]`));
        const accounts: LiveAccountInput[] = [];
        let after: string | null = null;
        for (;;) {
          const page: StoredAccount[] = await deps.store.listAccounts({ afterId: after, limit: 500 });
          for (const a of page) accounts.push(liveAccountOfLoaded(a.id, a.document, (await deps.book.bound(a)).bound));
          if (page.length < 500) break;
          after = page[page.length - 1]?.id ?? null;
        }
        if (accounts.length === 0) httpFail("required", "accounts", "the book holds no account");
        const core = need(createCascadeCore({ market: snapshot, accounts }), "book");
        const result = need(runCascade({ core, path, policy, impact, insuranceFundUsd: b.insuranceFundUsd ?? 0, ...(b.maxRounds !== undefined ? { maxRounds: b.maxRounds } : {}), details: b.steps === true }), "body");
        return {
          status: 200,
          body: { rounds: result.rounds, summary: result.summary, notes: [`policy source: ${policy.source}`, `impact source: ${impact.source}`], computedFrom: { marketId: market.stored.id, accounts: accounts.length } },
        };
      },
    }),
  ];
}
