/**
 * Standard (isolated) margin kernels, one position at a time, as Deribit's standard margin does it
 * (methodology: docs/methodology.md "Standard margin"; sources in presets/standard-deribit.json).
 * Pure functions of validated, finite inputs.
 * @module
 */
import type { OptionKind } from "../../market/types.js";
import type { StandardFuturesRates, StandardOptionRates } from "./params.js";

/** IM and MM as decimals of notional (0.02125 = 2.125 %). */
export interface MarginRates {
  readonly initialDecimal: number;
  readonly maintenanceDecimal: number;
}

/**
 * Futures/perpetual margin rates for a position of `absSizeCoin` (≥ 0) base coins:
 * IM = initialBase + absSizeCoin × perCoinIncrement, MM = maintenanceBase + absSizeCoin × perCoinIncrement.
 * The rate grows with size (Deribit: BTC 25 coins → 2.125 %, 350 coins → 3.75 %), so margin is not linear in size.
 */
export function futureMarginRates(rates: StandardFuturesRates, absSizeCoin: number): MarginRates {
  const increment = absSizeCoin * rates.perCoinIncrementDecimal;
  return {
    initialDecimal: rates.initialBaseDecimal + increment,
    maintenanceDecimal: rates.maintenanceBaseDecimal + increment,
  };
}

/** Inputs of the short-option formula, per 1 coin of underlying. */
export interface ShortOptionInputs {
  readonly optionKind: OptionKind;
  readonly strikeUsd: number;
  /** Underlying (forward) price of the option's expiry, USD per coin; > 0. */
  readonly underlyingUsd: number;
  /** Option mark price in coin per 1 coin of underlying (inverse quote; linear: USD mark ÷ underlying); ≥ 0. */
  readonly markCoin: number;
}

/** IM and MM of a short option per 1 coin of underlying, in coin (multiply by the underlying price for USD). */
export interface OptionMarginPerCoin {
  readonly initialCoin: number;
  readonly maintenanceCoin: number;
}

/**
 * Standard margin of a SHORT option per 1 coin of underlying, in coin (mark included):
 * - call: IM = max(initialMax − OTM/S, initialMin) + mark, MM = maintenance + mark, OTM = max(K − S, 0);
 * - put:  MM = max(maintenance, maintenance × mark) + mark, IM = max(max(initialMax − OTM/S, initialMin) + mark, MM),
 *         OTM = max(S − K, 0).
 * With Deribit's 0.15 / 0.10 / 0.075. The put's `maintenance × mark` term only matters for a deep in-the-money
 * inverse put whose coin mark exceeds 1 (its coin payoff K/S_T − 1 is unbounded). Long options are not margined
 * here: their premium is paid upfront (see the model).
 */
export function shortOptionMarginPerCoin(rates: StandardOptionRates, o: ShortOptionInputs): OptionMarginPerCoin {
  const isCall = o.optionKind === "call";
  const otmUsd = isCall ? Math.max(o.strikeUsd - o.underlyingUsd, 0) : Math.max(o.underlyingUsd - o.strikeUsd, 0);
  const initialRate = Math.max(rates.initialMaxDecimal - otmUsd / o.underlyingUsd, rates.initialMinDecimal);
  if (isCall) {
    return { initialCoin: initialRate + o.markCoin, maintenanceCoin: rates.maintenanceDecimal + o.markCoin };
  }
  const maintenanceCoin = Math.max(rates.maintenanceDecimal, rates.maintenanceDecimal * o.markCoin) + o.markCoin;
  return { initialCoin: Math.max(initialRate + o.markCoin, maintenanceCoin), maintenanceCoin };
}
