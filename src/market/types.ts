/**
 * Core market types shared by every layer: instruments (parsed from Deribit-style names) and market snapshots.
 *
 * Units are in the names: `...Usd` is US dollars per coin, `...Coin` is base-coin units, `...Ms` is milliseconds
 * since the Unix epoch (UTC), `...Decimal` is a plain fraction (0.55 = 55 %), `...Years` is ACT/365.25 years
 * unless a model states otherwise.
 * @module
 */

/**
 * How a derivative settles.
 * - `inverse`: coin-settled ("reversed" at Deribit): P&L and premium are paid in the base coin (BTC, ETH);
 *   futures/perps have USD notional and coin P&L N·(1/entry − 1/price).
 * - `linear`: settled in a USD stablecoin (USDC): P&L in USD(C), size in base coin.
 */
export type Settlement = "inverse" | "linear";

export type OptionKind = "call" | "put";

interface DerivativeBase {
  /** Canonical Deribit-style name, e.g. `BTC-27DEC24-60000-C` or `BTC_USDC-PERPETUAL`. */
  readonly name: string;
  /** Base currency (the coin whose USD price drives the contract), e.g. `BTC`. */
  readonly base: string;
  readonly settlement: Settlement;
  /** Currency P&L and premium are paid in: the base coin for inverse, `USDC` for the linear family. */
  readonly settlementCurrency: string;
}

export interface PerpetualInstrument extends DerivativeBase {
  readonly kind: "perpetual";
}

export interface FutureInstrument extends DerivativeBase {
  readonly kind: "future";
  /** Expiry: 08:00 UTC on the named date. */
  readonly expiryMs: number;
}

export interface OptionInstrument extends DerivativeBase {
  readonly kind: "option";
  readonly expiryMs: number;
  readonly strikeUsd: number;
  readonly optionKind: OptionKind;
}

/** A spot balance of a currency (`BTC`, `USDC`), as held in collateral. */
export interface SpotInstrument {
  readonly kind: "spot";
  readonly name: string;
  readonly currency: string;
}

export type DerivativeInstrument = PerpetualInstrument | FutureInstrument | OptionInstrument;
export type Instrument = DerivativeInstrument | SpotInstrument;

/** Quote of one instrument in a snapshot. Which fields are present depends on the kind. */
export interface InstrumentQuote {
  /**
   * Mark price. Futures and perpetuals: USD per coin (both families). Options: in the settlement currency per
   * 1 coin of underlying: coin for inverse options (as Deribit quotes them), USD(C) for linear options.
   */
  readonly markPrice?: number;
  /** Mark implied volatility of an option, decimal (0.55 = 55 %). */
  readonly markIv?: number;
  /** Forward (underlying) price in USD for the option's expiry, as Deribit's `underlying_price`. */
  readonly underlyingPrice?: number;
  /** Best bid / ask, in the same unit as `markPrice`. Optional; used by liquidity add-ons and slippage models. */
  readonly bidPrice?: number;
  readonly askPrice?: number;
  /** Open interest in base-coin units. */
  readonly openInterest?: number;
  /**
   * Oracle confidences in [0, 1] of this quote's feeds, as on-chain venues publish them (Derive PMRM_2 charges an
   * IM contingency when one is low). Missing = 1 (fully trusted). `markPriceConfidence`: the perpetual/future price
   * feed; `underlyingPriceConfidence`, `rateConfidence`, `markIvConfidence`: an option's forward, interest-rate and
   * volatility feeds for its expiry.
   */
  readonly markPriceConfidence?: number;
  readonly underlyingPriceConfidence?: number;
  readonly rateConfidence?: number;
  readonly markIvConfidence?: number;
}

/** A market at one instant. Immutable by convention: what-if and scenarios build new snapshots. */
export interface MarketSnapshot {
  readonly timestampMs: number;
  /** USD index (spot) price per base currency, e.g. `{ BTC: 65666.19 }`. Stablecoins may be listed too. */
  readonly indexUsd: Readonly<Record<string, number>>;
  readonly instruments: Readonly<Record<string, InstrumentQuote>>;
  /** Continuously-compounded interest rate per currency, decimal; missing means 0 (as at Deribit). */
  readonly ratesDecimal?: Readonly<Record<string, number>>;
  /**
   * Oracle confidence in [0, 1] of each `indexUsd` feed (spot of a base, price of a collateral asset), keyed like
   * `indexUsd`; missing = 1. Used by Derive PMRM_2. (The stablecoin price itself is `indexUsd.USDC`, default 1.)
   */
  readonly indexConfidence?: Readonly<Record<string, number>>;
  /**
   * Per base currency: the instant its quotes (index, futures, options) were observed, ms since the epoch; ≤
   * `timestampMs`. Time to expiry and the forward curve of the base's instruments count from there. Missing = the
   * snapshot time. Written by the live core, whose ticks re-time only the underlyings they move (docs/live.md).
   */
  readonly valuationTimesMs?: Readonly<Record<string, number>>;
}

/** Milliseconds per year on the ACT/365.25 basis used for option time to expiry (Deribit's `time_to_maturity`). */
export const MS_PER_YEAR = 365.25 * 24 * 3600 * 1000;
/** Milliseconds per day. */
export const MS_PER_DAY = 24 * 3600 * 1000;

/** Time to expiry in years (ACT/365.25) from `asOfMs` to `expiryMs`; negative when expired. */
export function yearsBetween(asOfMs: number, expiryMs: number): number {
  return (expiryMs - asOfMs) / MS_PER_YEAR;
}
