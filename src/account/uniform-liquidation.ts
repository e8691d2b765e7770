/**
 * Paradex-style partial liquidation, for comparison with the least-cost planner (liquidation.ts): every position is
 * cut by the same share, a multiple of `shareStep` (20 %), the smallest share that brings the maintenance ratio
 * below the target (90 %); the insurance fund takes the positions over at the mark, and the account pays a penalty of
 * share × penaltyRate × MM (MM before the liquidation) in its cash currency (crypto-venues.md §6, Paradex
 * docs/pages/risk-system/liquidations.mdx).
 *
 * Paradex's text says the fee is 70 % of MMR, but its worked example (0.1 BTC long, 1 ETH short, 1,000 USDC, MM
 * 88.8, account value 80: 20 % → 99.9 %, 40 % → 85.6 % chosen with penalty 17.76) only adds up with 50 %: the rate is
 * a parameter here, and the test reproduces the example with 0.5.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import type { DerivativeInstrument } from "../market/types.js";
import { currencyUsdRate } from "../risk/marks.js";
import { evaluateAccount } from "./account.js";
import type { Account, AccountFigures } from "./account.js";
import { adjustBalances, applyTrades, priceTrade } from "./trades.js";

export interface UniformShareOptions {
  /** Share step, in (0, 1] (Paradex 0.2). */
  readonly shareStep?: number;
  /** Target maintenance ratio, in (0, 1] (Paradex 0.9). */
  readonly targetRatio?: number;
  /** Penalty = share × penaltyRate × MM (Paradex's example implies 0.5; its text says 0.7). */
  readonly penaltyRate?: number;
  /** Currency the penalty is paid in (default USDC). */
  readonly penaltyCurrency?: string;
}

export interface UniformShareRow {
  readonly share: number;
  readonly penaltyUsd: number;
  readonly figures: AccountFigures;
}

export interface UniformShareResult {
  /** The chosen share, or null when even 100 % does not reach the target. */
  readonly share: number | null;
  readonly rows: readonly UniformShareRow[];
  /** The account after the chosen share (the input account when none). */
  readonly account: Account;
}

/** Evaluate every share step and choose the smallest that restores the target (see the module doc). */
export function uniformShareLiquidation(account: Account, options: UniformShareOptions = {}): Result<UniformShareResult> {
  const step = options.shareStep ?? 0.2;
  const target = options.targetRatio ?? 0.9;
  const rate = options.penaltyRate ?? 0.5;
  const currency = options.penaltyCurrency ?? "USDC";
  const issues: Issue[] = [];
  if (!(step > 0 && step <= 1)) issues.push(issue("out_of_range", "shareStep", "must be in (0, 1]"));
  if (!(target > 0 && target <= 1)) issues.push(issue("out_of_range", "targetRatio", "must be in (0, 1]"));
  if (!(rate >= 0 && rate <= 10)) issues.push(issue("out_of_range", "penaltyRate", "must be in [0, 10]"));
  if (issues.length > 0) return fail(...issues);
  const start = evaluateAccount(account);
  if (!start.ok) return start;
  const mm0 = start.value.figures.maintenanceMarginUsd;
  const market = account.engine.market;
  const rows: UniformShareRow[] = [];
  let chosen: { share: number; account: Account } | undefined;
  const count = Math.round(1 / step);
  for (let k = 1; k <= count; k++) {
    // k·step, and exactly 1 at the end even when 1/step is not an integer.
    const share = k === count ? 1 : k * step;
    const trades = account.positions
      .filter((p) => p.instrument.kind !== "spot" && p.sizeCoin !== 0)
      .map((p) => priceTrade(p.instrument as DerivativeInstrument, -share * p.sizeCoin, market));
    const penaltyUsd = share * rate * mm0;
    const next = adjustBalances(applyTrades(account, trades), { [currency]: -penaltyUsd / currencyUsdRate(market, currency) });
    const ev = evaluateAccount(next);
    if (!ev.ok) return ev;
    rows.push({ share, penaltyUsd, figures: ev.value.figures });
    const f = ev.value.figures;
    if (chosen === undefined && f.maintenanceMarginUsd < target * f.equityUsd) chosen = { share, account: next };
  }
  return ok({ share: chosen?.share ?? null, rows, account: chosen?.account ?? account });
}
