/**
 * What-if and pre-trade check: the account's figures and health before and after a list of hypothetical trades,
 * computed on a copy, and whether a venue would accept the order list.
 *
 * Acceptance rule (the usual pre-trade check: Deribit's available funds, Zeta's "IM after the order",
 * crypto-venues.md §7): accepted when available funds after the trades are ≥ 0; otherwise accepted only as
 * risk-reducing when the trades lower the initial margin and leave the account solvent (a reduce-only order in a
 * margin call); otherwise rejected, with the shortfall: "IM would exceed equity by 1,204 USD".
 * @module
 */
import { ok } from "../errors.js";
import type { Result } from "../errors.js";
import { evaluateAccount } from "./account.js";
import type { Account, AccountEvaluation } from "./account.js";
import { healthEvent } from "./health.js";
import type { HealthEvent } from "./health.js";
import { applyTrades, validateTrades } from "./trades.js";
import { tradePriceBandOf } from "./rules.js";
import type { Trade, TradeInput } from "./trades.js";

export interface WhatIfResult {
  readonly trades: readonly Trade[];
  readonly before: AccountEvaluation;
  readonly after: AccountEvaluation;
  readonly accepted: boolean;
  readonly reason: string;
  /** after − before, USD. */
  readonly change: {
    readonly equityUsd: number;
    readonly initialMarginUsd: number;
    readonly maintenanceMarginUsd: number;
    readonly availableFundsUsd: number;
  };
  /** The change of health state, if any. */
  readonly event?: HealthEvent;
  /** The account after the trades (a copy; the input account is unchanged). */
  readonly account: Account;
}

/**
 * USD amount for a message: thousands separators, no decimals from 1,000 up, two below ("1,204 USD", "12.50 USD").
 * Written by hand because `toLocaleString` costs microseconds per call, and searches format a decision per trial.
 */
export function usdText(x: number): string {
  const digits = Math.abs(x) >= 1000 ? 0 : 2;
  const [int = "0", frac] = Math.abs(x).toFixed(digits).split(".");
  const grouped = int.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${x < 0 && Number(x.toFixed(digits)) !== 0 ? "-" : ""}${grouped}${frac !== undefined ? `.${frac}` : ""} USD`;
}

/** The pre-trade decision for a before/after pair (see the module doc). */
export function preTradeDecision(before: AccountEvaluation, after: AccountEvaluation): { accepted: boolean; reason: string } {
  const a = after.figures;
  const b = before.figures;
  if (a.availableFundsUsd >= 0) return { accepted: true, reason: `available funds after the trades: ${usdText(a.availableFundsUsd)}` };
  if (a.initialMarginUsd < b.initialMarginUsd && a.equityUsd >= 0)
    return { accepted: true, reason: `reduces initial margin by ${usdText(b.initialMarginUsd - a.initialMarginUsd)} (risk-reducing; IM still exceeds equity by ${usdText(-a.availableFundsUsd)})` };
  return { accepted: false, reason: `IM would exceed equity by ${usdText(-a.availableFundsUsd)}` };
}

/** Describe trades for an event cause: "trade BTC-PERPETUAL +2 @ 90027". */
export function describeTrades(trades: readonly Trade[]): string {
  return trades.map((t) => `${t.sizeCoin > 0 ? "buy" : "sell"} ${Math.abs(t.sizeCoin)} ${t.instrument.name} @ ${t.price}`).join(", ");
}

/**
 * Figures and health before and after `trades`, on a copy of the account, with the pre-trade decision.
 * Issues: those of {@link validateTrades} (paths `trades[i]...`; a given price outside the band around the mark, the
 * account rules' `trades.priceBandDecimalOfUnderlying` unless `options.priceBandDecimal` is given), and the model's.
 */
export function whatIf(account: Account, trades: readonly TradeInput[], options: { before?: AccountEvaluation; priceBandDecimal?: number } = {}): Result<WhatIfResult> {
  const valid = validateTrades(trades, account.engine.market, "trades", { priceBandDecimal: tradePriceBandOf(account.rules, options.priceBandDecimal) });
  if (!valid.ok) return valid;
  return whatIfTrades(account, valid.value, options);
}

/** {@link whatIf} for trades already validated and priced (e.g. by a planner). */
export function whatIfTrades(account: Account, trades: readonly Trade[], options: { before?: AccountEvaluation } = {}): Result<WhatIfResult> {
  let before = options.before;
  if (before === undefined) {
    const r = evaluateAccount(account);
    if (!r.ok) return r;
    before = r.value;
  }
  const next = applyTrades(account, trades);
  // Only the traded positions and their buckets are computed again; the rest is the before's (identical numbers).
  const after = evaluateAccount(next, { basis: before });
  if (!after.ok) return after;
  const a = after.value.figures;
  const b = before.figures;
  const decision = preTradeDecision(before, after.value);
  const event = healthEvent(b, a, account.rules.health, describeTrades(trades));
  return ok({
    trades,
    before,
    after: after.value,
    ...decision,
    change: {
      equityUsd: a.equityUsd - b.equityUsd,
      initialMarginUsd: a.initialMarginUsd - b.initialMarginUsd,
      maintenanceMarginUsd: a.maintenanceMarginUsd - b.maintenanceMarginUsd,
      availableFundsUsd: a.availableFundsUsd - b.availableFundsUsd,
    },
    ...(event !== undefined ? { event } : {}),
    account: next,
  });
}
