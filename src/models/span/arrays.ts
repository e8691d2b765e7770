/**
 * Crypto SPAN risk arrays by full revaluation (classic-methods.md §7: "for crypto we must generate our own arrays").
 * Per instrument, for ONE LONG COIN of underlying, in USD (the performance-bond currency), loss positive:
 *
 * - future / perpetual (inverse or linear): loss_j = −mark × f_j × PSR × cover_j. An inverse contract's coin P&L
 *   q·m/(1 + m), converted to USD at the shocked price mark·(1 + m), is the same q·mark·m, so both families agree.
 * - option: loss_j = −(V(F·(1 + f_j·PSR), σ·(1 + v_j·VSR), T − lookAhead) − V(F, σ, T)) × cover_j with V the Black-76
 *   USD value (an inverse option's coin value × F: SPAN margins the option's USD value; the coin premium is
 *   collateral, which SPAN does not shock), T − lookAhead floored at 0 (intrinsic value).
 * - composite delta (coin per coin): futures 1; options Σ_p w_p · Δ(F·(1 + f_p·PSR), σ, T − lookAhead), the Black
 *   delta of the USD value at the delta points (CME: "probability-weighted estimate of what each contract's delta
 *   will be one day in the future", classic-methods.md §1.4; CME's point weights were not retrieved, the preset
 *   carries ours).
 * @module
 */
import type { MarketContext } from "../../market/context.js";
import type { DerivativeInstrument, OptionInstrument } from "../../market/types.js";
import { MS_PER_DAY, MS_PER_YEAR } from "../../market/types.js";
import { black76PriceUsd } from "../../pricing/black76.js";
import { black76Greeks } from "../../pricing/greeks.js";
import type { SpanScenario } from "./scenarios.js";

/** What the array builder needs besides the instrument and the market. */
export interface SpanArrayParams {
  readonly scenarios: readonly SpanScenario[];
  /** PSR, decimal of the price in (0, 1); extreme multiplier × PSR < 1. */
  readonly priceScanRangeDecimal: number;
  /** VSR, relative vol move in [0, 1). */
  readonly volScanRangeDecimal: number;
  /** Days of time decay in the arrays, ≥ 0. */
  readonly lookAheadDays: number;
  /** Composite-delta points: price fraction of the PSR and weight (weights sum to 1). */
  readonly compositeDeltaPoints: readonly { readonly priceFraction: number; readonly weight: number }[];
}

/** Risk array and SPAN data of one long coin of an instrument. */
export interface SpanContractArray {
  /** 16 losses in USD per coin (loss positive), extreme rows weighted. */
  readonly riskArrayUsd: Float64Array;
  /** Composite delta in coin per coin. */
  readonly compositeDeltaCoin: number;
  /** Options: Black-76 USD value per coin at the market's inputs (for the net option value); null otherwise. */
  readonly optionValueUsd: number | null;
  /** Days to expiry (ACT), or null for a perpetual. */
  readonly daysToExpiry: number | null;
}

/** Risk array of one long coin of a future or perpetual, USD. */
function futureArray(inst: DerivativeInstrument, market: MarketContext, p: SpanArrayParams): SpanContractArray {
  const markUsd = market.futureMarkUsd(inst);
  const ra = new Float64Array(p.scenarios.length);
  p.scenarios.forEach((s, j) => {
    ra[j] = -markUsd * s.priceFraction * p.priceScanRangeDecimal * s.coverFraction + 0;
  });
  const daysToExpiry = inst.kind === "future" ? (inst.expiryMs - market.asOfMs) / MS_PER_DAY : null;
  return { riskArrayUsd: ra, compositeDeltaCoin: 1, optionValueUsd: null, daysToExpiry };
}

/** Risk array of one long coin of an option, USD. */
function optionArray(inst: OptionInstrument, market: MarketContext, p: SpanArrayParams): SpanContractArray {
  const { forwardUsd, volDecimal, timeYears, rateDecimal } = market.optionInputs(inst);
  const isCall = inst.optionKind === "call";
  const strikeUsd = inst.strikeUsd;
  const base = black76PriceUsd({ isCall, forwardUsd, strikeUsd, timeYears, volDecimal, rateDecimal });
  const lookAheadYears = (p.lookAheadDays * MS_PER_DAY) / MS_PER_YEAR;
  const tAhead = Math.max(timeYears - lookAheadYears, 0);
  const ra = new Float64Array(p.scenarios.length);
  p.scenarios.forEach((s, j) => {
    const v = black76PriceUsd({
      isCall,
      forwardUsd: forwardUsd * (1 + s.priceFraction * p.priceScanRangeDecimal),
      strikeUsd,
      timeYears: tAhead,
      volDecimal: volDecimal * (1 + s.volDirection * p.volScanRangeDecimal),
      rateDecimal,
    });
    ra[j] = -(v - base) * s.coverFraction + 0;
  });
  let delta = 0;
  for (const pt of p.compositeDeltaPoints) {
    const g = black76Greeks({ isCall, forwardUsd: forwardUsd * (1 + pt.priceFraction * p.priceScanRangeDecimal), strikeUsd, timeYears: tAhead, volDecimal, rateDecimal });
    delta += pt.weight * g.deltaCoin;
  }
  return { riskArrayUsd: ra, compositeDeltaCoin: delta, optionValueUsd: base, daysToExpiry: (timeYears * MS_PER_YEAR) / MS_PER_DAY };
}

/**
 * SPAN risk array of one long coin of `inst` in `market` (see the module comment). Domain: a validated, unexpired
 * instrument whose underlying has an index in `market`; parameters as documented on {@link SpanArrayParams}. Every
 * output number is finite on that domain.
 */
export function spanContractArray(inst: DerivativeInstrument, market: MarketContext, p: SpanArrayParams): SpanContractArray {
  return inst.kind === "option" ? optionArray(inst, market, p) : futureArray(inst, market, p);
}
