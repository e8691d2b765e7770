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
import { currencyUsdRate, optionMarkPrice, surfaceCanPrice, unquotedPriceNote } from "../risk/marks.js";
import type { Account } from "./account.js";
import { fillLot, lotKindOf } from "./lots.js";
import { DEFAULT_TRADE_PRICE_BAND, tradePriceBandOf } from "./rules.js";
import type { AccountRules } from "./rules.js";
import { checkBound } from "../market/bounds.js";

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
  return rules.slippage.defaultDecimalOfUnderlying * underlyingUnitOf(inst, market);
}

/** One coin of underlying in the instrument's quote unit: 1 coin (inverse options), the forward (linear options), the mark in USD (futures). */
export function underlyingUnitOf(inst: DerivativeInstrument, market: MarketContext): number {
  return inst.kind === "option" ? (inst.settlement === "inverse" ? 1 : market.optionInputs(inst).forwardUsd) : market.futureMarkUsd(inst);
}

/**
 * The price band of hypothetical trades: [mark − b·U, mark + b·U] with U one coin of the underlying in the quote unit
 * ({@link underlyingUnitOf}) and b the band (account rules `trades.priceBandDecimalOfUnderlying`, or the call's). A
 * futures band never reaches 0 (the inverse cash formula divides by the price); an option's floor is 0.
 */
export function priceBandOf(inst: DerivativeInstrument, market: MarketContext, bandDecimal: number): { low: number; high: number; mark: number } {
  const mark = markOf(inst, market);
  const half = bandDecimal * underlyingUnitOf(inst, market);
  const floor = inst.kind === "option" ? 0 : mark * 1e-6;
  return { low: Math.max(mark - half, floor), high: mark + half, mark };
}

/** An `outside_price_band` issue at `path` when `price` is outside the band, with the band in the message. */
export function priceBandIssue(inst: DerivativeInstrument, price: number, market: MarketContext, bandDecimal: number, path: string): Issue | undefined {
  const band = priceBandOf(inst, market, bandDecimal);
  if (price >= band.low && price <= band.high) return undefined;
  const unit = inst.kind === "option" ? `${inst.settlementCurrency} per coin` : "USD per coin";
  return issue(
    "outside_price_band",
    path,
    `${inst.name} at ${price} is outside the band [${sig(band.low)}, ${sig(band.high)}] ${unit} around the mark ${sig(band.mark)} (±${bandDecimal * 100} % of the underlying; account rules trades.priceBandDecimalOfUnderlying, or --price-band)`,
  );
}

const sig = (x: number): string => String(Number(x.toPrecision(8)));

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
  const half = halfSpreadOf(inst, market, rules);
  // A quoted spread wider than the band (a stale or fat-fingered bid) is cut at the band's edge: a planned step is a
  // hypothetical trade and stays inside the band like any other. The band's floor also keeps a future's price > 0.
  const band = priceBandOf(inst, market, tradePriceBandOf(rules));
  const price = sizeCoin > 0 ? Math.min(band.mark + half, band.high) : Math.max(band.mark - half, band.low);
  return priceTrade(inst, sizeCoin, market, price, "slippage");
}

/**
 * Validate user trades against a market. Issues (path `trades[i]...` under `pathPrefix`): `malformed_instrument`,
 * `unsupported` (a currency code: spot trades are not modelled), `unknown_instrument` (an option neither quoted nor
 * priceable from the vol surface; an unquoted instrument is otherwise priced from the market with a note),
 * `expired_instrument`, `non_finite` / `invalid_value` (a size that is not finite or is 0), `non_finite` /
 * `not_positive` / `out_of_range` for the price (futures > 0, options ≥ 0), `out_of_range` for a size beyond the
 * engine's bounds (market/bounds.ts), `outside_price_band` for a price outside the band around the mark
 * (`options.priceBandDecimal`, a fraction of one coin of the underlying; default {@link DEFAULT_TRADE_PRICE_BAND}).
 */
export function validateTrades(inputs: readonly TradeInput[], market: MarketContext, pathPrefix = "trades", options: { priceBandDecimal?: number } = {}): Result<Trade[]> {
  const bandDecimal = options.priceBandDecimal ?? DEFAULT_TRADE_PRICE_BAND;
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
    else if (parsed.value.kind !== "perpetual" && parsed.value.expiryMs <= market.asOfMs) issues.push(issue("expired_instrument", at("instrument"), `${t.instrument} expired before the market time`));
    else if (!market.bases.includes(parsed.value.base)) issues.push(issue("missing_index", at("instrument"), `the market has no index price for ${parsed.value.base}`));
    // Unquoted but well-formed: priced from the market as a position on it would be (risk/marks.ts unquotedPriceNote).
    else if (parsed.value.kind === "option" && market.snapshot.instruments[parsed.value.name] === undefined && !surfaceCanPrice(parsed.value, market))
      issues.push(issue("unknown_instrument", at("instrument"), `${t.instrument} is not quoted in the market and the ${parsed.value.base} vol surface cannot price it`));
    else inst = parsed.value;
    if (!Number.isFinite(t.sizeCoin)) issues.push(issue("non_finite", at("sizeCoin"), `size must be a finite number, got ${String(t.sizeCoin)}`));
    else if (t.sizeCoin === 0) issues.push(issue("invalid_value", at("sizeCoin"), "size must be non-zero (+ buy, − sell)"));
    else checkBound(issues, t.sizeCoin, "sizeCoin", at("sizeCoin"), "size");
    if (t.price !== undefined) {
      if (!Number.isFinite(t.price)) issues.push(issue("non_finite", at("price"), `price must be a finite number, got ${String(t.price)}`));
      else if (inst?.kind === "option" && t.price < 0) issues.push(issue("out_of_range", at("price"), "an option price must be ≥ 0"));
      else if (inst !== undefined && inst.kind !== "option" && !(t.price > 0)) issues.push(issue("not_positive", at("price"), "a futures price must be > 0"));
      else if (inst !== undefined) {
        const band = priceBandIssue(inst, t.price, market, bandDecimal, at("price"));
        if (band !== undefined) issues.push(band);
      }
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
  // The same note as a position on an unquoted instrument gets (one rule for every command).
  const notes = [...account.notes];
  for (const t of trades) {
    const note = unquotedPriceNote(t.instrument, account.engine.market);
    if (note !== undefined && !notes.includes(note)) notes.push(note);
  }
  return { ...account, positions, balances, notes };
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
