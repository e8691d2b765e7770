/**
 * Helpers of the live-core tests: accounts from account files, and the from-scratch computation the live figures are
 * compared with (the market written as JSON and read back, a fresh engine that builds its own risk arrays, the
 * account layer's evaluation).
 */
import { readFileSync } from "node:fs";
import { createAccount, evaluateAccount } from "../../src/account/account.js";
import type { AccountEvaluation } from "../../src/account/account.js";
import { createMarginEngine } from "../../src/account/engine.js";
import { unwrap } from "../../src/errors.js";
import { loadAccount } from "../../src/io/account.js";
import { marketSnapshotToJson, validateMarket } from "../../src/io/market.js";
import type { LiveAccountInput, LiveCore } from "../../src/live/core.js";
import { resolvedPositions } from "../../src/live/generic.js";
import type { MarketContext } from "../../src/market/context.js";
import type { MarketSnapshot } from "../../src/market/types.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";

export const EXAMPLE_MARKET: MarketSnapshot = unwrap(validateMarket(JSON.parse(readFileSync("examples/market.json", "utf8"))));

/** A live account from an account file (loaded on `market` through the io layer). */
export function liveAccount(id: string, file: unknown, market: MarketContext): LiveAccountInput {
  const loaded = unwrap(loadAccount(file, market));
  return {
    id,
    model: loaded.model,
    rules: loaded.rules,
    positions: loaded.account.positions.map((p) => ({
      instrument: p.instrument as never,
      sizeCoin: p.sizeCoin,
      ...(p.unrealisedPnlUsdc !== undefined ? { unrealisedPnlUsdc: p.unrealisedPnlUsdc } : {}),
      ...(p.unrealisedFundingUsdc !== undefined ? { unrealisedFundingUsdc: p.unrealisedFundingUsdc } : {}),
    })),
    balances: loaded.account.balances,
  };
}

/** The market the core holds, written as a market file and read back (what `--markets DIR` gives a user). */
export function marketFromScratch(core: LiveCore): MarketContext {
  const text = JSON.stringify(marketSnapshotToJson(core.market()));
  return unwrap(buildMarketContext(unwrap(validateMarket(JSON.parse(text)))));
}

/** The account's evaluation from scratch: fresh market context, fresh engine (own risk arrays), account layer. */
export function evaluateFromScratch(core: LiveCore, id: string, market: MarketContext = marketFromScratch(core)): AccountEvaluation {
  const held = core.account(id);
  if (held === undefined) throw new Error(`no account ${id}`);
  const engine = createMarginEngine(held.model, market, { coinCollateralOffset: held.rules.coinCollateralOffset });
  const account = createAccount({ positions: resolvedPositions(held.positions), collateral: { ...held.balances }, notes: [] }, engine, held.rules);
  return unwrap(evaluateAccount(account));
}

/** Relative difference |a − b| / max(|a|, |b|) (0 when both are 0). */
export function relDiff(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}
