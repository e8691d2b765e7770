/**
 * The live core's liquidation step (a `reduce` input, core.ts): every position of one account cut to a fraction of
 * its size at the current marks, and a cash amount booked. What a venue's liquidation engine does to the account in
 * one round, whatever its policy: a cascade (live/cascade) feeds its rounds to the core as these inputs.
 * @module
 */
import { positionValue } from "../account/valuation.js";
import type { Result } from "../errors.js";
import { fail, issue } from "../errors.js";
import { currencyUsdRate, hasUsdRate } from "../risk/marks.js";
import type { LivePosition } from "./book.js";
import type { StepResult } from "./core-breakers.js";
import { balancesNow, replaceHoldings, takeNewFigures } from "./core-inputs.js";
import type { DraftEvent } from "./events.js";
import type { CoreState, Slot } from "./state.js";
import type { RiskMatrixGroup } from "./group.js";
import { addClosedValues, scaleGroupAccount } from "./scale-account.js";
import { heldAccount } from "./state.js";
import { unlistedIssues } from "./market.js";

/** A position scaled by k: sizes, contracts and the P&L it carries (entry price unchanged). */
export function scalePosition(p: LivePosition, k: number): LivePosition {
  return {
    ...p,
    sizeCoin: p.sizeCoin * k,
    ...(p.notionalUsd !== undefined ? { notionalUsd: p.notionalUsd * k } : {}),
    ...(p.unrealisedPnlUsdc !== undefined ? { unrealisedPnlUsdc: p.unrealisedPnlUsdc * k } : {}),
    ...(p.unrealisedFundingUsdc !== undefined ? { unrealisedFundingUsdc: p.unrealisedFundingUsdc * k } : {}),
  };
}

/**
 * Cut account `account`'s positions to `keepFraction` of their size: the closed part's mark-to-market value (an
 * option's mark, a future's P&L since entry) is realised into its settlement currency, so the cut alone leaves the
 * equity unchanged; then `cashUsd` (signed) is added to `currency` at its USD rate. Issues: `unknown_account`
 * (path `account`), `invalid_value` (`keepFraction` outside [0, 1]), `non_finite` (`cashUsd`), `missing_index`
 * (`currency`). Nothing is applied on an issue.
 */
export function applyReduce(
  state: CoreState,
  input: { readonly account: string; readonly keepFraction: number; readonly currency: string; readonly cashUsd: number; readonly reason?: string; readonly seq: number },
  drafts: DraftEvent[],
): Result<StepResult> {
  const i = state.byId.get(input.account);
  if (i === undefined) return fail(issue("unknown_account", "account", `no account ${input.account} in the live book`));
  const keep = input.keepFraction;
  if (typeof keep !== "number" || !(keep >= 0 && keep <= 1)) return fail(issue("invalid_value", "keepFraction", `must be in [0, 1], got ${keep}`));
  if (!Number.isFinite(input.cashUsd)) return fail(issue("non_finite", "cashUsd", `must be finite, got ${input.cashUsd}`));
  const market = state.market.context;
  if (!hasUsdRate(market, input.currency)) return fail(issue("missing_index", "currency", `no USD price for ${input.currency} in the market`));
  const slot = state.slots[i] as Slot;
  const group = slot.group >= 0 ? (state.groups[slot.group] as RiskMatrixGroup) : undefined;
  const balances = balancesNow(state, i);
  if (keep < 1) {
    if (group !== undefined) addClosedValues(group, slot.local, keep, market, balances);
    else {
      for (const p of heldAccount(state, i).positions) {
        const closed = (1 - keep) * positionValue(p, market).value;
        const c = p.instrument.settlementCurrency;
        if (closed !== 0) balances[c] = (balances[c] ?? 0) + closed;
      }
    }
  }
  if (input.cashUsd !== 0) balances[input.currency] = (balances[input.currency] ?? 0) + input.cashUsd / currencyUsdRate(market, input.currency);
  const cause = `liquidation step: keep ${(keep * 100).toFixed(2)} %${input.cashUsd !== 0 ? `, cash ${input.cashUsd.toFixed(2)} USD` : ""}${input.reason ? ` (${input.reason})` : ""} at input ${input.seq}`;
  // A risk-matrix account is cut where it lies (the same book as re-laying the scaled positions); otherwise re-laid.
  if (group !== undefined && scaleGroupAccount(group, slot.local, keep, balances)) return takeNewFigures(state, i, cause, drafts);
  const positions = heldAccount(state, i).positions;
  const kept = keep === 0 ? [] : keep === 1 ? positions : positions.map((p) => scalePosition(p, keep));
  return replaceHoldings(state, i, kept, balances, cause, drafts);
}

/**
 * Replace an account's positions and balances (a `holdings` input, core.ts): what an external liquidation engine
 * (the engine's least-cost planner in a cascade) decided the account holds now. Issues: `unknown_account`,
 * `unknown_instrument` (a position the market does not list, path `positions[k].instrument`), `non_finite` (a size or
 * balance), `missing_index` (a balance the market cannot price). Nothing is applied on an issue.
 */
export function applyHoldings(
  state: CoreState,
  input: { readonly account: string; readonly positions: readonly LivePosition[]; readonly balances: Readonly<Record<string, number>>; readonly reason?: string; readonly seq: number },
  drafts: DraftEvent[],
): Result<StepResult> {
  const i = state.byId.get(input.account);
  if (i === undefined) return fail(issue("unknown_account", "account", `no account ${input.account} in the live book`));
  const issues = unlistedIssues(
    input.positions.map((p) => p.instrument.name),
    state.market.listing,
    (k) => `positions[${k}].instrument`,
  );
  input.positions.forEach((p, k) => {
    if (!Number.isFinite(p.sizeCoin) || (p.notionalUsd !== undefined && !Number.isFinite(p.notionalUsd))) issues.push(issue("non_finite", `positions[${k}].sizeCoin`, "sizes must be finite"));
  });
  for (const [c, v] of Object.entries(input.balances)) {
    if (!Number.isFinite(v)) issues.push(issue("non_finite", `balances.${c}`, `must be finite, got ${v}`));
    else if (!hasUsdRate(state.market.context, c)) issues.push(issue("missing_index", `balances.${c}`, `no USD price for ${c} in the market`));
  }
  if (issues.length > 0) return fail(...issues);
  const kept = input.positions.filter((p) => p.sizeCoin !== 0);
  return replaceHoldings(state, i, kept, { ...input.balances }, `holdings replaced${input.reason ? ` (${input.reason})` : ""} at input ${input.seq}`, drafts);
}
