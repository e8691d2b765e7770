/**
 * Realised P&L of a day's book over the margin period of risk: every position revalued at the end day's market
 * (prices, forwards and vols of that day, time to expiry h days shorter), in USD, with the conventions of full
 * revaluation (src/risk/revaluation.ts) so the statistical models and the backtest measure the same thing:
 *
 * - option: USD value = Black-76 USD price × USD rate of the settlement currency (linear), or the coin price
 *   (USD price / F) × the coin's index (inverse); an option that expires inside the window is worth its intrinsic
 *   value at the end day's index (daily closes have no 08:00 fixing);
 * - inverse future/perpetual of size q coin: coin P&L q·(1 − F₀/F₁), at the end day's coin price;
 * - linear future/perpetual: q·(F₁ − F₀) at the end day's USD rate of the settlement currency;
 * - spot balance: q·(rate₁ − rate₀).
 * Collateral balances are not part of the loss (the margin models margin positions; collateral risk is the account
 * layer's haircut).
 * @module
 */
import type { Instrument, OptionInstrument } from "../market/types.js";
import { black76PriceUsd } from "../pricing/black76.js";
import type { ResolvedPosition } from "../risk/portfolio.js";
import type { DayState } from "./day-market.js";
import { futureMarkOn, isPegged, optionInputsOn } from "./day-market.js";

/** USD per unit of `currency` on the day (its index, or 1 for a USD stablecoin without history). */
export function usdRateOn(state: DayState, currency: string): number {
  const v = state.indexUsd[currency];
  if (v !== undefined) return v;
  if (isPegged(currency)) return 1;
  throw new Error(`no USD rate for ${currency} on day ${state.day} (the walk checks currencies first)`);
}

/** USD value of +1 coin of an option on the day (intrinsic when expired at the day's time). */
export function optionValueUsd(state: DayState, inst: OptionInstrument, rateDecimal: number): number {
  const settleRate = inst.settlement === "inverse" ? 1 : usdRateOn(state, inst.settlementCurrency);
  if (!(inst.expiryMs > state.asOfMs)) {
    const s = usdRateOn(state, inst.base);
    const intrinsic = Math.max(inst.optionKind === "call" ? s - inst.strikeUsd : inst.strikeUsd - s, 0);
    return intrinsic * settleRate;
  }
  const m = optionInputsOn(state, inst, rateDecimal);
  const usd = black76PriceUsd({ isCall: inst.optionKind === "call", forwardUsd: m.forwardUsd, strikeUsd: inst.strikeUsd, timeYears: m.timeYears, volDecimal: m.volDecimal, rateDecimal: m.rateDecimal });
  // Inverse: the option is worth usd / F coin, and a coin is worth the index.
  return inst.settlement === "inverse" ? (usd / m.forwardUsd) * usdRateOn(state, inst.base) : usd * settleRate;
}

/** P&L in USD of holding `sizeCoin` of `inst` from `start` to `end`. */
export function positionPnlUsd(inst: Instrument, sizeCoin: number, start: DayState, end: DayState, rateOf: (currency: string) => number): number {
  switch (inst.kind) {
    case "spot":
      return sizeCoin * (usdRateOn(end, inst.currency) - usdRateOn(start, inst.currency));
    case "option": {
      const r = rateOf(inst.settlementCurrency);
      return sizeCoin * (optionValueUsd(end, inst, r) - optionValueUsd(start, inst, r));
    }
    default: {
      const f0 = futureMarkOn(start, inst), f1 = futureMarkOn(end, inst);
      if (inst.settlement === "inverse") return sizeCoin * (1 - f0 / f1) * usdRateOn(end, inst.base);
      return sizeCoin * (f1 - f0) * usdRateOn(end, inst.settlementCurrency);
    }
  }
}

/** Realised loss in USD (positive = loss) of positions held from `start` to `end`. */
export function realisedLossUsd(positions: readonly ResolvedPosition[], start: DayState, end: DayState, rateOf: (currency: string) => number): number {
  let pnl = 0;
  for (const p of positions) pnl += positionPnlUsd(p.instrument, p.sizeCoin, start, end, rateOf);
  return -pnl;
}
