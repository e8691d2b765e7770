/**
 * The read-only view of a market that pricing, risk and models use. Built once per snapshot by
 * `buildMarketContext` (in `pricing/build-context.ts`) from a validated {@link MarketSnapshot}: forward curves,
 * volatility surfaces and quote look-ups are resolved there, so kernels never see a missing field.
 * @module
 */
import type { DerivativeInstrument, MarketSnapshot, OptionInstrument } from "./types.js";

/** Everything needed to price one option in this market. */
export interface OptionMarketInputs {
  /** Forward (underlying) price for the option's expiry, USD per coin. */
  readonly forwardUsd: number;
  /** Volatility to price with (the option's mark IV when quoted, otherwise the surface's), decimal. */
  readonly volDecimal: number;
  /** Time to expiry in years (ACT/365.25) from the snapshot timestamp; > 0. */
  readonly timeYears: number;
  /** Continuously-compounded rate of the settlement currency, decimal (0 at Deribit). */
  readonly rateDecimal: number;
}

export interface MarketContext {
  readonly snapshot: MarketSnapshot;
  readonly asOfMs: number;
  /** Base currencies with an index price. */
  readonly bases: readonly string[];
  /** USD index (spot) price of a base currency. Throws only on a programming error (validated beforehand). */
  indexUsd(base: string): number;
  /** Forward price in USD for a base and expiry, from the forward curve (falls back to the index). */
  forwardUsd(base: string, expiryMs: number): number;
  /** Mark price of a future or perpetual in USD per coin (from the quote, or the forward curve if unquoted). */
  futureMarkUsd(instrument: DerivativeInstrument): number;
  /** Pricing inputs for an option. */
  optionInputs(instrument: OptionInstrument): OptionMarketInputs;
  /** Implied vol from the surface for any strike and expiry (decimal). */
  surfaceVol(base: string, strikeUsd: number, expiryMs: number): number;
  /**
   * The instant a base's quotes were observed (ms): its instruments' time to expiry counts from there. Absent or
   * equal to `asOfMs` for an ordinary snapshot; see `MarketSnapshot.valuationTimesMs`.
   */
  valuationTimeMs?(base: string): number;
}

/** The valuation time of a base in a market: its own when the market has one, else the market's time. */
export function valuationTimeOf(market: MarketContext, base: string): number {
  return market.valuationTimeMs?.(base) ?? market.asOfMs;
}
