/**
 * Accounts on models without shared risk arrays (standard, SPAN, Greeks, VaR/ES, hybrid, Derive PMRM_2): each is
 * re-evaluated in full by the account layer when a currency it is exposed to moves. Slower than a risk-matrix group,
 * exactly the batch computation by construction.
 * @module
 */
import { evaluateAccount } from "../account/account.js";
import type { Account } from "../account/account.js";
import { createMarginEngine } from "../account/engine.js";
import type { AccountRules } from "../account/rules.js";
import type { Result } from "../errors.js";
import { ok } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import type { MarginModel, ResolvedPosition } from "../models/types.js";
import type { LivePosition } from "./book.js";
import type { HeadlineFigures } from "./fast-margin.js";

export interface GenericAccount {
  readonly model: MarginModel;
  readonly rules: AccountRules;
  positions: LivePosition[];
  balances: Record<string, number>;
}

/** Resolved positions of live positions (coin sizes, one input index each). */
export function resolvedPositions(positions: readonly LivePosition[]): ResolvedPosition[] {
  return positions.map((p, i) => ({
    instrument: p.instrument,
    sizeCoin: p.sizeCoin,
    sizeConvention: p.notionalUsd !== undefined ? ("usd" as const) : ("coin" as const),
    inputIndices: [i],
    ...(p.averagePrice !== undefined ? { averagePrice: p.averagePrice } : {}),
    ...(p.unrealisedPnlUsdc !== undefined ? { unrealisedPnlUsdc: p.unrealisedPnlUsdc } : {}),
    ...(p.unrealisedFundingUsdc !== undefined ? { unrealisedFundingUsdc: p.unrealisedFundingUsdc } : {}),
  }));
}

/** Positions with the coin size of USD-contract positions at the market's marks (notional / mark, as io reads them). */
export function atMarks(positions: readonly LivePosition[], market: MarketContext): LivePosition[] {
  return positions.map((p) => (p.notionalUsd === undefined ? p : { ...p, sizeCoin: p.notionalUsd / market.futureMarkUsd(p.instrument) }));
}

/** The account-layer {@link Account} of live holdings on a market (a fresh engine: generic engines hold no arrays). */
export function genericAccount(g: GenericAccount, market: MarketContext): Account {
  const engine = createMarginEngine(g.model, market, { coinCollateralOffset: g.rules.coinCollateralOffset });
  return { positions: resolvedPositions(atMarks(g.positions, market)), balances: g.balances, rules: g.rules, engine, notes: [] };
}

/** Headline figures of a generic account, or the evaluation's issues. */
export function genericFigures(g: GenericAccount, market: MarketContext): Result<HeadlineFigures> {
  const ev = evaluateAccount(genericAccount(g, market));
  if (!ev.ok) return ev;
  const f = ev.value.figures;
  return ok({
    equityUsd: f.equityUsd,
    initialMarginUsd: f.initialMarginUsd,
    maintenanceMarginUsd: f.maintenanceMarginUsd,
    availableFundsUsd: f.availableFundsUsd,
    maintenanceRatio: f.maintenanceRatio,
    initialMarginRatio: f.initialMarginRatio,
  });
}

/** The currencies a generic account is exposed to: its positions' underlyings and settlement currencies, its balances. */
export function genericExposure(g: GenericAccount): Set<string> {
  const out = new Set<string>(Object.keys(g.balances));
  for (const p of g.positions) {
    out.add(p.instrument.base);
    out.add(p.instrument.settlementCurrency);
  }
  return out;
}
