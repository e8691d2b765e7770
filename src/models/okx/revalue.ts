/**
 * What the OKX model needs of each position of a risk unit, in USD: its P&L when the underlying moves by m with the
 * vol shifted down / unchanged / up (MR1, MR6), its cash Greeks (OKX `greeksType: CASH`), and the option figures
 * behind MR2, MR3 and MR5.
 *
 * Prices, as the 2025-01-15 position-builder example pins them (crypto-venues.md §1.5):
 * - perpetuals move with the **index**: a linear perpetual of q coin gains q × index × m in its stablecoin, i.e.
 *   q × indexUsd × m in USD (BTC: −0.1 × 97,034.2437 × 0.12 = −1,164.4109, OKX's MR1); an inverse perpetual of USD
 *   notional N = q × mark gains N × m USD (coin P&L N(1/S − 1/S′) valued at S′);
 * - dated futures move with their own mark (the forward), options are repriced by Black-76 on the shocked forward;
 * - linear amounts are in the settlement stablecoin and converted at its USD index (USDT 0.99954 in the example);
 * - cash delta uses the **mark**: q × mark × USD rate (BTC: −0.1 × 97,093.7 × 0.99954 = −9,704.9037, OKX's delta).
 * @module
 */
import type { MarketContext } from "../../market/context.js";
import type { DerivativeInstrument, OptionInstrument } from "../../market/types.js";
import { MS_PER_DAY, MS_PER_YEAR } from "../../market/types.js";
import { black76PriceUsd } from "../../pricing/black76.js";
import { black76Greeks } from "../../pricing/greeks.js";
import { currencyUsdRate } from "../../risk/marks.js";
import type { VolShift } from "../../risk/scenarios.js";
import type { OkxParams } from "./params.js";

/** One position of a risk unit (a derivative, or the unit's spot balance) as the OKX components see it. */
export interface OkxExposure {
  readonly instrument: DerivativeInstrument | { readonly kind: "spot"; readonly name: string; readonly base: string };
  readonly sizeCoin: number;
  /** Mark in the instrument's price unit (futures: stablecoin or USD per coin; options: settlement currency per coin). */
  readonly markPrice: number;
  /** USD per unit of the settlement currency (the stablecoin's index for linear, 1 for inverse USD prices). */
  readonly usdPerPriceUnit: number;
  /** OKX CASH delta: USD value change per 1 USD move of the underlying × price, i.e. exposure in USD. */
  readonly deltaUsd: number;
  /** Change of `deltaUsd` for a 1 % move of the underlying, USD. */
  readonly gammaUsdPerPercent: number;
  /** USD per calendar day (options; 0 otherwise). */
  readonly thetaUsdPerDay: number;
  /** USD per vol point (options; 0 otherwise). */
  readonly vegaUsdPerVolPoint: number;
  /** USD per 1.00 of rate, forward held (options; 0 otherwise). */
  readonly rhoUsdPerRate: number;
  /** Years to expiry (0 for perpetuals and spot). */
  readonly timeYears: number;
  /** Expiry bucket key for MR3/MR4: the expiry in ms, or "perp" (perpetuals), or "spot". */
  readonly expiryKey: string;
  /** USD P&L for a relative move of the underlying and a vol shift. */
  pnlUsd(move: number, volShift: VolShift): number;
  /** USD change of value over `days` with spot and vol unchanged (options; 0 otherwise). */
  decayUsd(days: number): number;
}

/** Vol shift in decimals for an option `dteDays` from expiry: the table is linear in DTE between rows, flat outside. */
export function volShockPoints(dteDays: number, table: OkxParams["volShock"]["table"]): { up: number; down: number } {
  const first = table[0];
  if (first === undefined) return { up: 0, down: 0 };
  if (dteDays <= first.dteDays) return { up: first.upDecimal, down: first.downDecimal };
  for (let i = 1; i < table.length; i++) {
    const a = table[i - 1] as (typeof table)[number];
    const b = table[i] as (typeof table)[number];
    if (dteDays <= b.dteDays) {
      const w = (dteDays - a.dteDays) / (b.dteDays - a.dteDays);
      return { up: a.upDecimal + w * (b.upDecimal - a.upDecimal), down: a.downDecimal + w * (b.downDecimal - a.downDecimal) };
    }
  }
  const last = table[table.length - 1] as (typeof table)[number];
  return { up: last.upDecimal, down: last.downDecimal };
}

/** The exposure of one derivative position (validated: unexpired, its base and settlement priced by the market). */
export function derivativeExposure(inst: DerivativeInstrument, sizeCoin: number, market: MarketContext, params: OkxParams): OkxExposure {
  const usdPerPriceUnit = inst.settlement === "linear" ? currencyUsdRate(market, inst.settlementCurrency) : 1;
  if (inst.kind === "option") return optionExposure(inst, sizeCoin, market, params, usdPerPriceUnit);
  const markPrice = market.futureMarkUsd(inst);
  // Perpetuals follow the index (the example's MR1 base); an inverse contract's USD notional is q × mark whatever the
  // index, so it gains notional × m.
  const basePrice = inst.settlement === "inverse" ? markPrice : inst.kind === "perpetual" ? market.indexUsd(inst.base) / usdPerPriceUnit : markPrice;
  const deltaUsd = sizeCoin * markPrice * usdPerPriceUnit;
  const timeYears = inst.kind === "future" ? (inst.expiryMs - market.asOfMs) / MS_PER_YEAR : 0;
  return {
    instrument: inst,
    sizeCoin,
    markPrice,
    usdPerPriceUnit,
    deltaUsd,
    gammaUsdPerPercent: 0,
    thetaUsdPerDay: 0,
    vegaUsdPerVolPoint: 0,
    rhoUsdPerRate: 0,
    timeYears,
    expiryKey: inst.kind === "future" ? String(inst.expiryMs) : "perp",
    pnlUsd: (move) => sizeCoin * basePrice * move * usdPerPriceUnit,
    decayUsd: () => 0,
  };
}

function optionExposure(inst: OptionInstrument, sizeCoin: number, market: MarketContext, params: OkxParams, usdPerPriceUnit: number): OkxExposure {
  const m = market.optionInputs(inst);
  const isCall = inst.optionKind === "call";
  const g = black76Greeks({ isCall, forwardUsd: m.forwardUsd, strikeUsd: inst.strikeUsd, timeYears: m.timeYears, volDecimal: m.volDecimal, rateDecimal: m.rateDecimal });
  const dteDays = (m.timeYears * MS_PER_YEAR) / MS_PER_DAY;
  const shock = volShockPoints(dteDays, params.volShock.table);
  const vols = {
    down: Math.max(m.volDecimal - shock.down, params.volShock.minVolDecimal),
    unchanged: m.volDecimal,
    up: m.volDecimal + shock.up,
  };
  const q = sizeCoin * usdPerPriceUnit;
  const priceAt = (forward: number, vol: number, timeYears: number): number =>
    black76PriceUsd({ isCall, forwardUsd: forward, strikeUsd: inst.strikeUsd, timeYears, volDecimal: vol, rateDecimal: m.rateDecimal });
  // Value in the option's price unit per coin: USD for inverse options (coin mark × forward), the stablecoin for linear.
  const markPrice = inst.settlement === "inverse" ? g.priceUsd / m.forwardUsd : g.priceUsd;
  return {
    instrument: inst,
    sizeCoin,
    markPrice,
    usdPerPriceUnit,
    deltaUsd: q * g.deltaCoin * m.forwardUsd,
    gammaUsdPerPercent: q * g.gammaPerUsd * m.forwardUsd * m.forwardUsd * 0.01,
    thetaUsdPerDay: q * g.thetaUsdPerDay,
    vegaUsdPerVolPoint: q * g.vegaUsdPerVolPoint,
    rhoUsdPerRate: q * g.rhoUsdPerRate,
    timeYears: m.timeYears,
    expiryKey: String(inst.expiryMs),
    pnlUsd: (move, volShift) => q * (priceAt(m.forwardUsd * (1 + move), vols[volShift], m.timeYears) - g.priceUsd),
    decayUsd: (days) => q * (priceAt(m.forwardUsd, m.volDecimal, Math.max(m.timeYears - days / 365.25, 0)) - g.priceUsd),
  };
}

/** The exposure of a spot balance of the unit's underlying (spot-derivatives offset inside the risk unit). */
export function spotExposure(base: string, amountCoin: number, market: MarketContext): OkxExposure {
  const indexUsd = market.indexUsd(base);
  return {
    instrument: { kind: "spot", name: base, base },
    sizeCoin: amountCoin,
    markPrice: indexUsd,
    usdPerPriceUnit: 1,
    deltaUsd: amountCoin * indexUsd,
    gammaUsdPerPercent: 0,
    thetaUsdPerDay: 0,
    vegaUsdPerVolPoint: 0,
    rhoUsdPerRate: 0,
    timeYears: 0,
    expiryKey: "spot",
    pnlUsd: (move) => amountCoin * indexUsd * move,
    decayUsd: () => 0,
  };
}
