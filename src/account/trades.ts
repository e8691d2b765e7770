/**
 * Trades on an account, always on a copy: validation against the market, execution prices (given, at the mark, or
 * at the mark ± a slippage model), and the cash each trade books.
 *
 * Cash of a trade of q coin (signed, + buy) at price P when the mark is M, in the settlement currency:
 *   option                  −q·P            (the premium; the option is then worth q·M in equity)
 *   linear future/perp      q·(M − P)       (the position is held at the mark; the entry difference is realised)
 *   inverse future/perp     q·(M/P − 1)     (coin P&L at the mark of the USD notional q·M entered at P)
 * so the trade changes equity by q·(M − P) in value terms: zero at the mark, minus the slippage cost otherwise.
 *
 * Slippage: half the snapshot's bid/ask spread when quoted (and the rules allow it), else the rules' fraction of the
 * underlying's price per coin (5 bp by default). A sell never executes below 0.
 * @module
 */
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import { resolveInstrumentName } from "../market/venue-ids.js";
import type { DerivativeInstrument } from "../market/types.js";
import type { ResolvedPosition } from "../models/types.js";
import { currencyUsdRate, optionMarkPrice } from "../risk/marks.js";
import type { Account } from "./account.js";
import { fillLot, lotKindOf } from "./lots.js";
import type { AccountRules } from "./rules.js";

/** A trade as a user gives it: instrument name, signed size in coin, optional price in the instrument's quote unit. */
export interface TradeInput {
  readonly instrument: string;
  readonly sizeCoin: number;
  /** Options: settlement currency per coin of underlying (coin for inverse); futures/perpetuals: USD per coin. */
  readonly price?: number;
}

/** A validated, priced trade. */
export interface Trade {
  readonly instrument: DerivativeInstrument;
  readonly sizeCoin: number;
  readonly price: number;
  readonly priceSource: "given" | "mark" | "slippage";
  readonly markPrice: number;
  /** Cash booked into `cashCurrency` (see the module doc). */
  readonly cash: number;
  readonly cashCurrency: string;
  /** Equity given up by executing away from the mark, USD (≥ 0 for slippage; may be < 0 for a better given price). */
  readonly costUsd: number;
}

/** Mark of an instrument in its quote unit (options: settlement currency per coin; futures: USD per coin). */
export function markOf(inst: DerivativeInstrument, market: MarketContext): number {
  return inst.kind === "option" ? optionMarkPrice(inst, market) : market.futureMarkUsd(inst);
}

/** Half the bid/ask spread of an instrument in its quote unit, from the snapshot or the rules' default. */
export function halfSpreadOf(inst: DerivativeInstrument, market: MarketContext, rules: AccountRules): number {
  const q = market.snapshot.instruments[inst.name];
  const bid = q?.bidPrice;
  const ask = q?.askPrice;
  if (rules.slippage.useQuotedSpread && bid !== undefined && ask !== undefined && Number.isFinite(bid) && Number.isFinite(ask) && ask >= bid && bid >= 0)
    return (ask - bid) / 2;
  // One coin of underlying in the quote unit: 1 coin for inverse options, the forward in USD for linear options, the
  // mark in USD for futures.
  const unit = inst.kind === "option" ? (inst.settlement === "inverse" ? 1 : market.optionInputs(inst).forwardUsd) : market.futureMarkUsd(inst);
  return rules.slippage.defaultDecimalOfUnderlying * unit;
}

/** Price a trade at a given price (or the mark when undefined). */
export function priceTrade(inst: DerivativeInstrument, sizeCoin: number, market: MarketContext, price?: number, source?: Trade["priceSource"]): Trade {
  const mark = markOf(inst, market);
  const p = price ?? mark;
  const cash = inst.kind === "option" ? -sizeCoin * p : inst.settlement === "linear" ? sizeCoin * (mark - p) : sizeCoin * (mark / p - 1);
  const rate = currencyUsdRate(market, inst.settlementCurrency);
  const valueChange = inst.kind === "option" ? sizeCoin * mark + cash : cash;
  return {
    instrument: inst,
    sizeCoin,
    price: p,
    priceSource: source ?? (price === undefined ? "mark" : "given"),
    markPrice: mark,
    cash,
    cashCurrency: inst.settlementCurrency,
    costUsd: -valueChange * rate,
  };
}

/** Price a trade at the mark ± half-spread (buy above, sell below, never below 0). */
export function priceWithSlippage(inst: DerivativeInstrument, sizeCoin: number, market: MarketContext, rules: AccountRules): Trade {
  const mark = markOf(inst, market);
  const half = halfSpreadOf(inst, market, rules);
  // A future's price must stay positive for the inverse cash formula; an option's may reach 0.
  const floor = inst.kind === "option" ? 0 : mark * 1e-6;
  const price = sizeCoin > 0 ? mark + half : Math.max(mark - half, floor);
  return priceTrade(inst, sizeCoin, market, price, "slippage");
}

/**
 * Validate user trades against a market. Issues (path `trades[i]...` under `pathPrefix`): `malformed_instrument`,
 * `unsupported` (a currency code: spot trades are not modelled), `unknown_instrument` (not listed in the market),
 * `expired_instrument`, `non_finite` / `invalid_value` (a size that is not finite or is 0), `non_finite` /
 * `not_positive` / `out_of_range` for the price (futures > 0, options ≥ 0).
 */
export function validateTrades(inputs: readonly TradeInput[], market: MarketContext, pathPrefix = "trades"): Result<Trade[]> {
  const issues: Issue[] = [];
  const trades: Trade[] = [];
  inputs.forEach((t, i) => {
    const at = (field: string): string => joinPath(pathPrefix, i, field);
    const before = issues.length;
    // OKX ids (BTC-USDT-SWAP) resolve to netrisk names, which is how the market keys its quotes.
    const resolved = resolveInstrumentName(t.instrument, at("instrument"));
    const parsed = resolved.ok ? { ok: true as const, value: resolved.value.instrument } : resolved;
    let inst: DerivativeInstrument | undefined;
    if (!parsed.ok) issues.push(...parsed.issues);
    else if (parsed.value.kind === "spot") issues.push(issue("unsupported", at("instrument"), `${t.instrument} is a currency: trades are on derivatives (change a balance in the account file instead)`));
    else if (market.snapshot.instruments[parsed.value.name] === undefined) issues.push(issue("unknown_instrument", at("instrument"), `${t.instrument} is not listed in the market`));
    else if (parsed.value.kind !== "perpetual" && parsed.value.expiryMs <= market.asOfMs) issues.push(issue("expired_instrument", at("instrument"), `${t.instrument} expired before the market time`));
    else if (!market.bases.includes(parsed.value.base)) issues.push(issue("missing_index", at("instrument"), `the market has no index price for ${parsed.value.base}`));
    else inst = parsed.value;
    if (!Number.isFinite(t.sizeCoin)) issues.push(issue("non_finite", at("sizeCoin"), `size must be a finite number, got ${String(t.sizeCoin)}`));
    else if (t.sizeCoin === 0) issues.push(issue("invalid_value", at("sizeCoin"), "size must be non-zero (+ buy, − sell)"));
    if (t.price !== undefined) {
      if (!Number.isFinite(t.price)) issues.push(issue("non_finite", at("price"), `price must be a finite number, got ${String(t.price)}`));
      else if (inst?.kind === "option" && t.price < 0) issues.push(issue("out_of_range", at("price"), "an option price must be ≥ 0"));
      else if (inst !== undefined && inst.kind !== "option" && !(t.price > 0)) issues.push(issue("not_positive", at("price"), "a futures price must be > 0"));
    }
    if (issues.length === before && inst !== undefined) trades.push(priceTrade(inst, t.sizeCoin, market, t.price));
  });
  return issues.length > 0 ? fail(...issues) : ok(trades);
}

/** Relative size below which a netted position counts as closed (float noise of adding and subtracting sizes). */
const CLOSED_RELATIVE = 1e-12;

/**
 * The account after the trades (a copy): sizes added by instrument (a position netting to 0 is removed), each trade's
 * cash added to its currency. A linear perpetual's unrealised P&L and funding are realised into USDC in proportion to
 * the part of the position closed, so equity does not jump when a position shrinks or closes. A position with an
 * `averagePrice` takes the trade as a fill at the mark (the cash above already booked the difference to the trade
 * price): its average moves (account/lots.ts) and the P&L of a closed part is realised into its settlement currency,
 * so equity changes by the trade's value change alone.
 */
export function applyTrades(account: Account, trades: readonly Trade[]): Account {
  const positions: ResolvedPosition[] = [...account.positions];
  const balances: Record<string, number> = { ...account.balances };
  const credit = (currency: string, amount: number): void => {
    if (amount !== 0) balances[currency] = (balances[currency] ?? 0) + amount;
  };
  for (const t of trades) {
    credit(t.cashCurrency, t.cash);
    const k = positions.findIndex((p) => p.instrument.name === t.instrument.name);
    if (k < 0) {
      positions.push({ instrument: t.instrument, sizeCoin: t.sizeCoin, sizeConvention: "coin", inputIndices: [] });
      continue;
    }
    const old = positions[k] as ResolvedPosition;
    if (old.averagePrice !== undefined) {
      const moved = fillAtMark(old, t, account.reference);
      if (moved.realised !== 0) credit(t.cashCurrency, moved.realised);
      if (moved.position === undefined) positions.splice(k, 1);
      else positions[k] = moved.position;
      continue;
    }
    const size = old.sizeCoin + t.sizeCoin;
    const closed = Math.abs(size) <= CLOSED_RELATIVE * Math.max(Math.abs(old.sizeCoin), Math.abs(t.sizeCoin));
    // Share of the old position that remains (same sign and smaller): the rest of its unrealised P&L is realised.
    const keep = closed ? 0 : Math.sign(size) === Math.sign(old.sizeCoin) ? Math.min(Math.abs(size / old.sizeCoin), 1) : 0;
    const unrealised = (old.unrealisedPnlUsdc ?? 0) + (old.unrealisedFundingUsdc ?? 0);
    if (unrealised !== 0) credit("USDC", unrealised * (1 - keep));
    if (closed) {
      positions.splice(k, 1);
      continue;
    }
    const next: ResolvedPosition = { instrument: old.instrument, sizeCoin: size, sizeConvention: old.sizeConvention, inputIndices: old.inputIndices };
    positions[k] =
      old.unrealisedPnlUsdc === undefined && old.unrealisedFundingUsdc === undefined
        ? next
        : {
            ...next,
            ...(old.unrealisedPnlUsdc !== undefined ? { unrealisedPnlUsdc: old.unrealisedPnlUsdc * keep } : {}),
            ...(old.unrealisedFundingUsdc !== undefined ? { unrealisedFundingUsdc: old.unrealisedFundingUsdc * keep } : {}),
          };
  }
  return { ...account, positions, balances };
}

/** A trade applied to a position with an average price, as a fill at the trade's mark (see applyTrades). */
function fillAtMark(old: ResolvedPosition, t: Trade, reference: MarketContext | undefined): { position: ResolvedPosition | undefined; realised: number } {
  const kind = lotKindOf(t.instrument);
  // Inverse sizes are notionals at the mark the coin sizes were resolved at (valuation.ts).
  const scale = kind === "inverse" ? (reference?.futureMarkUsd(t.instrument) ?? t.markPrice) : 1;
  const after = fillLot(kind, { size: old.sizeCoin * scale, averagePrice: old.averagePrice as number }, {
    size: t.sizeCoin * scale,
    // An option's average is informational and follows the premium actually paid (the trade price).
    averagePrice: kind === "premium" ? t.price : t.markPrice,
  });
  const realised = kind === "premium" ? 0 : after.realised;
  if (after.averagePrice === undefined) return { position: undefined, realised };
  return { position: { ...old, sizeCoin: old.sizeCoin + t.sizeCoin, averagePrice: after.averagePrice }, realised };
}

/** Change balances on a copy (e.g. a fee, a conversion): `deltas` per currency, in that currency. */
export function adjustBalances(account: Account, deltas: Readonly<Record<string, number>>): Account {
  const balances: Record<string, number> = { ...account.balances };
  for (const [c, d] of Object.entries(deltas)) if (d !== 0) balances[c] = (balances[c] ?? 0) + d;
  return { ...account, balances };
}
