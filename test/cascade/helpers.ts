/**
 * Helpers of the cascade tests: the example market, the bundled presets, books built from account documents, and a
 * cascade run on a fresh core.
 */
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { liveAccountOf } from "../../src/io/live-accounts.js";
import { validateMarket } from "../../src/io/market.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import type { LiveAccountInput } from "../../src/live/core.js";
import type { Tick } from "../../src/live/tick.js";
import { createCascadeCore, impactModelSchema, liquidationPolicySchema, runCascade } from "../../src/live/cascade/index.js";
import type { CascadeResult, ImpactModel, LiquidationPolicy } from "../../src/live/cascade/index.js";
import type { MarketSnapshot } from "../../src/market/types.js";

export const MARKET: MarketSnapshot = unwrap(validateMarket(JSON.parse(readFileSync("examples/market.json", "utf8"))));
export const CONTEXT = unwrap(buildMarketContext(MARKET));
export const POLICY_NAMES = ["deribit-incremental", "derive-auction", "paradex-steps", "hyperliquid-backstop"] as const;

export function policy(name: string): LiquidationPolicy {
  return liquidationPolicySchema.parse(JSON.parse(readFileSync(`presets/liquidation-${name}.json`, "utf8")));
}
export const DEFAULT_IMPACT: ImpactModel = impactModelSchema.parse(JSON.parse(readFileSync("presets/impact-default.json", "utf8")));

/** An account from its document (the account file format), on the example market. */
export function account(id: string, doc: Record<string, unknown>): LiveAccountInput {
  return unwrap(liveAccountOf(id, { model: "deribit", parameterSet: "deribit", ...doc }, CONTEXT));
}

/** An instant shock: relative index moves as one tick at the market's time. */
export function shock(moves: Readonly<Record<string, number>>): Tick[] {
  const indexUsd = Object.fromEntries(Object.entries(moves).map(([b, m]) => [b, (MARKET.indexUsd[b] as number) * (1 + m)]));
  return [{ seq: 0, timestampMs: MARKET.timestampMs, indexUsd }];
}

export function cascade(accounts: readonly LiveAccountInput[], path: readonly Tick[], p: LiquidationPolicy, impact: ImpactModel, fundUsd: number): CascadeResult {
  const core = unwrap(createCascadeCore({ market: MARKET, accounts }));
  return unwrap(runCascade({ core, path, policy: p, impact, insuranceFundUsd: fundUsd }));
}
