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
import type { Account } from "../../src/account/account.js";
import type { PortfolioFile } from "../../src/io/portfolio.js";
import { resolvePortfolio } from "../../src/io/portfolio.js";
import { positionsDocument } from "../../src/live/documents.js";
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
      ...(p.averagePrice !== undefined ? { averagePrice: p.averagePrice } : {}),
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

/**
 * The account as a from-scratch computation sees it: its file (positions, USD contracts as sizeUsd, collateral) read
 * back through the io layer's portfolio reader on the market, a fresh engine building its own risk arrays.
 */
export function accountFromScratch(core: LiveCore, id: string, market: MarketContext = marketFromScratch(core)): Account {
  const held = core.account(id);
  if (held === undefined) throw new Error(`no account ${id}`);
  const file = JSON.parse(JSON.stringify(positionsDocument(held))) as PortfolioFile;
  const portfolio = unwrap(resolvePortfolio(file, market));
  const engine = createMarginEngine(held.model, market, { coinCollateralOffset: held.rules.coinCollateralOffset });
  return createAccount(portfolio, engine, held.rules);
}

/** The account's evaluation from scratch (see {@link accountFromScratch}). */
export function evaluateFromScratch(core: LiveCore, id: string, market: MarketContext = marketFromScratch(core)): AccountEvaluation {
  return unwrap(evaluateAccount(accountFromScratch(core, id, market)));
}

/** Relative difference |a − b| / max(|a|, |b|) (0 when both are 0). */
export function relDiff(a: number, b: number): number {
  const scale = Math.max(Math.abs(a), Math.abs(b));
  return scale === 0 ? 0 : Math.abs(a - b) / scale;
}

/**
 * Differences between two JSON documents: every number compared to `rel` relative (0 = 0), every other leaf equal,
 * the same keys. Returns the paths that differ (empty: equal), with the largest relative difference seen.
 */
export function compareDocuments(a: unknown, b: unknown, rel: number, path = ""): { diffs: string[]; worst: number } {
  const diffs: string[] = [];
  let worst = 0;
  const walk = (x: unknown, y: unknown, p: string): void => {
    if (typeof x === "number" && typeof y === "number") {
      const d = relDiff(x, y);
      worst = Math.max(worst, d);
      if (!(d <= rel) && !(Number.isNaN(x) && Number.isNaN(y))) diffs.push(`${p}: ${x} vs ${y}`);
      return;
    }
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length) diffs.push(`${p}: length ${x.length} vs ${y.length}`);
      else x.forEach((v, i) => walk(v, y[i], `${p}[${i}]`));
      return;
    }
    if (x !== null && y !== null && typeof x === "object" && typeof y === "object") {
      const kx = Object.keys(x).sort();
      const ky = Object.keys(y).sort();
      if (kx.join() !== ky.join()) diffs.push(`${p}: keys ${kx.join(",")} vs ${ky.join(",")}`);
      else for (const k of kx) walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], p ? `${p}.${k}` : k);
      return;
    }
    if (x !== y) diffs.push(`${p}: ${JSON.stringify(x)} vs ${JSON.stringify(y)}`);
  };
  walk(a, b, path);
  return { diffs, worst };
}
