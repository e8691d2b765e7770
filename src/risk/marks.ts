/**
 * Marks and currency conversion shared by valuation and the margin models: the USD rate of a settlement or
 * collateral currency, and an option's mark price in its settlement currency.
 * @module
 */
import { NetriskError } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import type { DerivativeInstrument, OptionInstrument } from "../market/types.js";
import { black76PriceCoin, black76PriceUsd } from "../pricing/black76.js";

/**
 * USD stablecoins valued at 1 USD when the market gives no index for them. Deribit's USDC products are quoted in USD
 * and settled in USDC one for one; a snapshot that lists `index.USDC` (e.g. 0.9715 during the 2023-03-11 depeg)
 * overrides the peg.
 */
export const USD_PEGGED_CURRENCIES: readonly string[] = ["USD", "USDC", "USDT"];

/** True when {@link currencyUsdRate} can price `currency` in `market`. */
export function hasUsdRate(market: MarketContext, currency: string): boolean {
  const index = market.snapshot.indexUsd[currency];
  return (index !== undefined && Number.isFinite(index) && index > 0) || USD_PEGGED_CURRENCIES.includes(currency);
}

/**
 * USD per 1 unit of `currency`: the market's index price when it has one (BTC, ETH, or a quoted stablecoin), else 1
 * for a USD stablecoin. Throws for a currency with neither (a programming error: validation reports
 * `missing_index` first, see {@link hasUsdRate}).
 */
export function currencyUsdRate(market: MarketContext, currency: string): number {
  const index = market.snapshot.indexUsd[currency];
  if (index !== undefined && Number.isFinite(index) && index > 0) return index;
  if (USD_PEGGED_CURRENCIES.includes(currency)) return 1;
  throw new Error(`no USD rate for currency ${currency} (validate the portfolio against the market first)`);
}

/**
 * Mark price of an option per 1 coin of underlying, in its settlement currency (coin for inverse, USD(C) for linear):
 * the snapshot's `markPrice` when quoted (what Deribit margins with), otherwise Black-76 at the market's inputs
 * (forward, vol from the surface, time, rate). Finite and ≥ 0 for a validated, unexpired option.
 */
export function optionMarkPrice(inst: OptionInstrument, market: MarketContext): number {
  const quoted = market.snapshot.instruments[inst.name]?.markPrice;
  if (quoted !== undefined && Number.isFinite(quoted) && quoted >= 0) return quoted;
  const m = market.optionInputs(inst);
  const args = {
    isCall: inst.optionKind === "call",
    forwardUsd: m.forwardUsd,
    strikeUsd: inst.strikeUsd,
    timeYears: m.timeYears,
    volDecimal: m.volDecimal,
    rateDecimal: m.rateDecimal,
  };
  return inst.settlement === "inverse" ? black76PriceCoin(args) : black76PriceUsd(args);
}

/**
 * The one rule for an instrument that is well-formed but has no quote in the market (every command follows it:
 * margin, what-if, max order, hedge, liquidation): it is priced from the market, and a note says how. An option is
 * priced at the base's vol surface and forward curve (when the surface can give a finite vol), a dated future on the
 * forward curve, a perpetual at the index. Returns the note, or undefined when the instrument is quoted. Callers
 * check first that the base has an index (and an option a surface vol).
 */
export function unquotedPriceNote(inst: DerivativeInstrument, market: MarketContext): string | undefined {
  if (market.snapshot.instruments[inst.name] !== undefined) return undefined;
  if (inst.kind === "option") {
    const i = market.optionInputs(inst);
    return `${inst.name} is not quoted in the market: priced from the ${inst.base} vol surface (vol ${Number(i.volDecimal.toPrecision(4))}) at the forward ${Number(i.forwardUsd.toPrecision(8))} USD`;
  }
  if (inst.kind === "future") return `${inst.name} is not quoted in the market: marked on the ${inst.base} forward curve at ${Number(market.futureMarkUsd(inst).toPrecision(8))} USD`;
  return `${inst.name} is not quoted in the market: marked at the ${inst.base} index ${Number(market.indexUsd(inst.base).toPrecision(8))} USD (give the perpetual's mark in the market; with a Deribit option-chain CSV, --perpetuals FILE)`;
}

/** True when an option without a quote can be priced: the surface gives a finite positive vol (see unquotedPriceNote). */
export function surfaceCanPrice(inst: OptionInstrument, market: MarketContext): boolean {
  try {
    const vol = market.surfaceVol(inst.base, inst.strikeUsd, inst.expiryMs);
    return Number.isFinite(vol) && vol > 0;
  } catch (e) {
    // The context throws `missing_vol` when the snapshot quotes no option of the base to build a surface from: an
    // answer ("no vol"), not a failure. Anything else is a real error and propagates.
    if (e instanceof NetriskError && e.code === "missing_vol") return false;
    throw e;
  }
}
