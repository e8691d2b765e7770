/**
 * The straightforward full revaluation, position by position and scenario by scenario, with the scalar pricing
 * functions (`black76PriceUsd` with the exact `normCdf`, the futures P&L helpers) and the market context's own
 * surface. It states the model of revaluation.ts in its plainest form: the fast kernel must agree with it
 * (revaluation.test.ts), and the VaR benchmark measures its speed-up against it.
 * @module
 */
import type { MarketContext } from "../market/context.js";
import type { OptionInstrument } from "../market/types.js";
import { black76PriceUsd } from "../pricing/black76.js";
import { inverseFuturePnlCoin, linearFuturePnlUsd } from "../pricing/futures.js";
import type { JointScenarioSet } from "./joint.js";
import { currencyUsdRate } from "./marks.js";
import { assertSameFactors } from "./revaluation.js";
import type { RevaluationBook, RevalueOptions } from "./revaluation.js";

/** Relative move of `currency` in scenario s (0 when the set has no factor for it). */
function moveOf(set: JointScenarioSet, s: number, currency: string): number {
  const f = set.priceFactors.indexOf(currency);
  return f < 0 ? 0 : (set.priceRelativeMove[s * set.priceFactors.length + f] as number);
}

/** Vol ratio of `base` in scenario s (1 when the set has no vol factor for it). */
function ratioOf(set: JointScenarioSet, s: number, base: string): number {
  const v = set.volFactors.indexOf(base);
  return v < 0 ? 1 : (set.volRatio[s * set.volFactors.length + v] as number);
}

/** The vol of an option after its forward moved by g = 1 + m, before the scenario's vol ratio. */
function movedVol(inst: OptionInstrument, market: MarketContext, volDecimal: number, g: number, stickyMoneyness: boolean): number {
  if (!stickyMoneyness) return volDecimal;
  let today: number;
  let moved: number;
  try {
    today = market.surfaceVol(inst.base, inst.strikeUsd, inst.expiryMs);
    moved = market.surfaceVol(inst.base, inst.strikeUsd / g, inst.expiryMs);
  } catch {
    return volDecimal; // no surface for this base: sticky-strike, as the fast path does
  }
  return (volDecimal * moved) / today;
}

/** USD P&L of one leg in scenario s. */
function legPnlUsd(book: RevaluationBook, leg: number, market: MarketContext, set: JointScenarioSet, s: number): number {
  const { instrument: inst, sizeCoin } = book.legs[leg] as RevaluationBook["legs"][number];
  if (inst.kind === "spot") return sizeCoin * currencyUsdRate(market, inst.currency) * moveOf(set, s, inst.currency);
  const m = moveOf(set, s, inst.base);
  const indexUsd = market.indexUsd(inst.base);
  const movedIndexUsd = indexUsd * (1 + m);
  if (inst.kind !== "option") {
    if (inst.settlement === "inverse") return inverseFuturePnlCoin(sizeCoin, m) * movedIndexUsd;
    const markUsd = market.futureMarkUsd(inst);
    const rate = currencyUsdRate(market, inst.settlementCurrency);
    return linearFuturePnlUsd(sizeCoin, markUsd, markUsd * (1 + m)) * rate * (1 + moveOf(set, s, inst.settlementCurrency));
  }
  const inputs = market.optionInputs(inst);
  const base = { isCall: inst.optionKind === "call", strikeUsd: inst.strikeUsd, timeYears: inputs.timeYears, rateDecimal: inputs.rateDecimal };
  const valueUsd = black76PriceUsd({ ...base, forwardUsd: inputs.forwardUsd, volDecimal: inputs.volDecimal });
  const movedForwardUsd = inputs.forwardUsd * (1 + m);
  const vol = movedVol(inst, market, inputs.volDecimal, 1 + m, book.volConvention === "sticky-moneyness") * ratioOf(set, s, inst.base);
  const movedValueUsd = black76PriceUsd({ ...base, forwardUsd: movedForwardUsd, volDecimal: vol });
  if (inst.settlement === "inverse") {
    // Coin value V/F, converted at the coin's USD price before and after the move.
    return sizeCoin * ((movedValueUsd / movedForwardUsd) * movedIndexUsd - (valueUsd / inputs.forwardUsd) * indexUsd);
  }
  const rate = currencyUsdRate(market, inst.settlementCurrency);
  return sizeCoin * (movedValueUsd * rate * (1 + moveOf(set, s, inst.settlementCurrency)) - valueUsd * rate);
}

/**
 * Same output as `revalue` (layout `out[g·n + j]`), computed the plain way. Slow by design (an object and two exact
 * Black-76 prices per option and scenario); for tests and the benchmark's baseline.
 */
export function revalueReference(book: RevaluationBook, market: MarketContext, set: JointScenarioSet, options: RevalueOptions = {}): Float64Array {
  assertSameFactors(book, set);
  const groups = options.groups ?? { names: ["all"], groupOfLeg: new Int32Array(book.legs.length) };
  const n = options.scenarioIndices ? options.scenarioIndices.length : set.count;
  const out = new Float64Array(groups.names.length * n);
  for (let j = 0; j < n; j++) {
    const s = options.scenarioIndices ? (options.scenarioIndices[j] as number) : j;
    for (let leg = 0; leg < book.legs.length; leg++) {
      const o = (groups.groupOfLeg[leg] as number) * n + j;
      out[o] = (out[o] as number) + legPnlUsd(book, leg, market, set, s);
    }
  }
  return out;
}
