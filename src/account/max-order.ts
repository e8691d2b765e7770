/**
 * Maximum order size, buying power and borrowing power: the largest size an account can still take under its current
 * equity, found by search on the full model (every trial is a complete what-if, so every add-on, tier and
 * collateral charge is in it).
 *
 * Search: from a first guess s₀ (the size whose notional equals the available funds), grow ×4 while accepted, shrink
 * ÷4 while rejected, then bisect the bracket to a relative width of `relativeTolerance` (default 1e-5), and round
 * down to the lot. About 20 full evaluations. It assumes the accepted sizes form an interval [0, s*]: true when IM
 * grows with the size beyond s* (a position that first reduces risk and then adds it is covered, as long as IM does
 * not dip again further out). A size accepted as risk-reducing (see what-if.ts) counts as accepted.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";
import { currencyUsdRate, hasUsdRate } from "../risk/marks.js";
import { evaluateAccount } from "./account.js";
import type { Account, AccountFigures } from "./account.js";
import { adjustBalances, priceTrade, validateTrades } from "./trades.js";
import { whatIfTrades } from "./what-if.js";
import { tradePriceBandOf } from "./rules.js";

export type Side = "buy" | "sell";

export interface MaxOrderOptions {
  /** Limit price in the instrument's quote unit; default the mark. */
  readonly price?: number;
  /** Round the size down to a multiple of this (coin), e.g. 0.1 for Deribit BTC options. */
  readonly lotCoin?: number;
  /** Largest size tried, coin (default 1e6). */
  readonly maxSizeCoin?: number;
  /** Relative width of the final bracket (default 1e-5). */
  readonly relativeTolerance?: number;
  /** Band of a given price around the mark, fraction of one coin of the underlying (default: the account rules'). */
  readonly priceBandDecimal?: number;
}

export interface MaxOrderResult {
  readonly instrument: string;
  readonly side: Side;
  /** Largest accepted size, coin (≥ 0). */
  readonly maxSizeCoin: number;
  /** Its notional at the underlying's index, USD (the buying power for this instrument and side). */
  readonly notionalUsd: number;
  /** `initial_margin`: IM would exceed equity beyond it; `size_cap`: still accepted at maxSizeCoin; `none`: no size is. */
  readonly limitedBy: "initial_margin" | "size_cap" | "none";
  readonly reason: string;
  /** Figures after trading the maximum size (absent when it is 0). */
  readonly after?: AccountFigures;
  readonly evaluations: number;
}

interface SearchResult {
  readonly size: number;
  readonly capped: boolean;
  readonly evaluations: number;
}

/** Largest x in [0, cap] with accept(x), assuming an accepted interval [0, x*] (see the module doc). */
export function searchLargestAccepted(accept: (x: number) => boolean, guess: number, cap: number, relTol: number, lot = 0): SearchResult {
  let evaluations = 0;
  const test = (x: number): boolean => {
    evaluations++;
    return accept(x);
  };
  let lo: number;
  let hi: number;
  const start = Math.min(Math.max(guess, 1e-9), cap);
  if (test(start)) {
    lo = start;
    hi = Math.min(start * 4, cap);
    while (lo < cap && test(hi)) {
      lo = hi;
      hi = Math.min(hi * 4, cap);
    }
    if (lo >= cap) return { size: roundDown(cap, lot), capped: true, evaluations };
  } else {
    hi = start;
    lo = start / 4;
    // Stop shrinking at a size far below any lot: the answer is then 0.
    const floor = Math.max(start * 1e-12, lot > 0 ? lot / 2 : 0);
    while (!test(lo)) {
      hi = lo;
      lo /= 4;
      if (lo < floor) return { size: 0, capped: false, evaluations };
    }
  }
  while (hi - lo > relTol * hi) {
    const mid = 0.5 * (lo + hi);
    if (test(mid)) lo = mid;
    else hi = mid;
  }
  // A lot multiple may sit between lo and the true maximum (inside the last bracket): try it.
  const down = roundDown(lo, lot);
  const up = roundDown(hi, lot);
  return { size: lot > 0 && up > down && up < hi && test(up) ? up : down, capped: false, evaluations };
}

function roundDown(x: number, lot: number): number {
  if (!(lot > 0)) return x;
  // The tiny epsilon keeps 2.9999999999 lots at 3 lots when x was exactly on a lot before float noise.
  return Math.floor(x / lot + 1e-9) * lot;
}

function optionIssues(options: MaxOrderOptions): Result<{ cap: number; tol: number; lot: number }> {
  const cap = options.maxSizeCoin ?? 1e6;
  const tol = options.relativeTolerance ?? 1e-5;
  const lot = options.lotCoin ?? 0;
  if (!(Number.isFinite(cap) && cap > 0)) return fail(issue("not_positive", "maxSizeCoin", "must be a finite number > 0"));
  if (!(Number.isFinite(tol) && tol > 0 && tol < 1)) return fail(issue("out_of_range", "relativeTolerance", "must be in (0, 1)"));
  if (!(Number.isFinite(lot) && lot >= 0)) return fail(issue("out_of_range", "lotCoin", "must be a finite number ≥ 0"));
  return ok({ cap, tol, lot });
}

/**
 * Maximum order size of `instrument` on `side` under the account's current equity (see the module doc).
 * Issues: those of trade validation (paths `instrument`, `price`), `invalid_value` (side), bad options, the model's.
 */
export function maxOrderSize(account: Account, instrument: string, side: Side, options: MaxOrderOptions = {}): Result<MaxOrderResult> {
  if (side !== "buy" && side !== "sell") return fail(issue("invalid_value", "side", `side must be "buy" or "sell", got ${JSON.stringify(side)}`));
  const opts = optionIssues(options);
  if (!opts.ok) return opts;
  const market = account.engine.market;
  const checked = validateTrades([{ instrument, sizeCoin: 1, ...(options.price !== undefined ? { price: options.price } : {}) }], market, "", {
    priceBandDecimal: tradePriceBandOf(account.rules, options.priceBandDecimal),
  });
  if (!checked.ok) return fail(...checked.issues.map((i) => ({ ...i, path: i.path.replace(/^\[0\]\.?/, "").replace(/^sizeCoin$/, "size") })));
  const inst = (checked.value[0] ?? { instrument: undefined }).instrument;
  if (inst === undefined) return fail(issue("internal", "instrument", "trade validation returned nothing"));
  const before = evaluateAccount(account);
  if (!before.ok) return before;
  const sign = side === "buy" ? 1 : -1;
  let failure: Result<never> | undefined;
  const accept = (x: number): boolean => {
    const r = whatIfTrades(account, [priceTrade(inst, sign * x, market, options.price)], { before: before.value });
    if (!r.ok) {
      failure ??= r;
      return false;
    }
    return r.value.accepted;
  };
  const indexUsd = market.indexUsd(inst.base);
  const guess = Math.max(Math.abs(before.value.figures.availableFundsUsd), 1) / indexUsd;
  const found = searchLargestAccepted(accept, guess, opts.value.cap, opts.value.tol, opts.value.lot);
  if (failure !== undefined) return failure;
  let after: AccountFigures | undefined;
  if (found.size > 0) {
    const r = whatIfTrades(account, [priceTrade(inst, sign * found.size, market, options.price)], { before: before.value });
    if (!r.ok) return r;
    after = r.value.after.figures;
  }
  const limitedBy = found.capped ? "size_cap" : found.size > 0 ? "initial_margin" : "none";
  const reason =
    limitedBy === "size_cap"
      ? `still accepted at the size cap of ${opts.value.cap} coin`
      : limitedBy === "none"
        ? "no size is accepted: initial margin already exceeds equity and this side adds risk"
        : "a larger order would make initial margin exceed equity";
  return ok({
    instrument,
    side,
    maxSizeCoin: found.size,
    notionalUsd: found.size * indexUsd,
    limitedBy,
    reason,
    ...(after !== undefined ? { after } : {}),
    evaluations: found.evaluations + 1,
  });
}

export interface BorrowingPower {
  readonly currency: string;
  /** Largest amount that can be withdrawn or borrowed, in the currency (balance − amount may go negative). */
  readonly amount: number;
  readonly amountUsd: number;
  /** Of which borrowed (beyond the current positive balance). */
  readonly borrowed: number;
  readonly evaluations: number;
}

/**
 * Borrowing power of a currency: the largest amount x ≥ 0 whose withdrawal (taking the balance negative, i.e.
 * borrowing, if needed) keeps IM ≤ equity. Search as for {@link maxOrderSize}. Issues: `missing_index`, the model's.
 */
export function borrowingPower(account: Account, currency: string, options: { relativeTolerance?: number } = {}): Result<BorrowingPower> {
  const market = account.engine.market;
  const base = evaluateAccount(account);
  if (!base.ok) return base;
  if (!hasUsdRate(market, currency)) return fail(issue("missing_index", "currency", `no USD price for ${currency} in the market`));
  const price = currencyUsdRate(market, currency);
  let failure: Result<never> | undefined;
  const accept = (x: number): boolean => {
    const r = evaluateAccount(adjustBalances(account, { [currency]: -x }));
    if (!r.ok) {
      failure ??= r;
      return false;
    }
    return r.value.figures.availableFundsUsd >= 0;
  };
  if (base.value.figures.availableFundsUsd < 0) return ok({ currency, amount: 0, amountUsd: 0, borrowed: 0, evaluations: 1 });
  const guess = Math.max(base.value.figures.availableFundsUsd, 1) / price;
  const found = searchLargestAccepted(accept, guess, 1e15 / price, options.relativeTolerance ?? 1e-5);
  if (failure !== undefined) return failure;
  const balance = account.balances[currency] ?? 0;
  return ok({ currency, amount: found.size, amountUsd: found.size * price, borrowed: Math.max(found.size - Math.max(balance, 0), 0), evaluations: found.evaluations + 1 });
}
