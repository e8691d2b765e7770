/**
 * Mark-to-market value and Greeks of a portfolio: per position, per underlying and per expiry, in the settlement
 * currency and in USD. Conventions (docs/methodology.md "Valuation and Greeks"):
 *
 * - Options: value = size × mark (the quoted `markPrice`, else Black-76 at the market's inputs). Delta in coin as
 *   Deribit reports it: Black delta for linear options; for inverse options Black delta − coin price (Net
 *   Transaction Delta, src/pricing/greeks.ts). Gamma, vega and theta are those of the option's USD value (plain
 *   Black-76, as Deribit's ticker shows them for inverse options too), so they add up across inverse and linear:
 *   gamma in coin per USD (∂delta/∂F), vega in USD per vol point, theta in USD per calendar day.
 * - Futures and perpetuals: value 0. Their value is the unrealised P&L since entry, and the portfolio gives no entry
 *   price: marking at the current mark makes it 0 (what is owed is already in the collateral balance once settled).
 *   Delta = size in coin (Deribit's `delta_total` counts futures by their coin position), no gamma/vega/theta.
 * - Spot balances held as positions: value = amount × USD rate; a base currency (BTC, ETH) has delta = amount.
 * - deltaUsd = deltaCoin × the base's index price: the USD value of the equivalent spot position.
 * - Collateral is valued in USD (`collateral`), not included in the position totals or the Greeks.
 * @module
 */
import type { MarketContext } from "../market/context.js";
import { formatExpiryCode } from "../market/instrument.js";
import type { Instrument, OptionInstrument } from "../market/types.js";
import type { ResolvedPortfolio, ResolvedPosition } from "./portfolio.js";
import { black76Greeks, inverseGreeksFromUsd } from "../pricing/greeks.js";
import { currencyUsdRate, hasUsdRate } from "./marks.js";

/** Additive sensitivities of a position or a group. */
export interface Greeks {
  /** Delta in coin of underlying (inverse options: Deribit's Net Transaction Delta). */
  readonly deltaCoin: number;
  /** deltaCoin × index price, USD. */
  readonly deltaUsd: number;
  /** ∂deltaCoin/∂F of the USD value, coin per USD. */
  readonly gammaCoinPerUsd: number;
  /** USD per vol point (σ + 0.01). */
  readonly vegaUsdPerVolPoint: number;
  /** USD per calendar day (1/365.25 year), F and σ held; usually negative for long options. */
  readonly thetaUsdPerDay: number;
}

/** Where a mark came from. */
export type MarkSource = "quote" | "model" | "forward-curve" | "index";

export interface PositionValuation extends Greeks {
  readonly instrument: string;
  readonly kind: Instrument["kind"];
  /** Base currency the position is exposed to, or null (a USD stablecoin balance). */
  readonly underlying: string | null;
  /** Expiry group key: Deribit date code (`28JUN24`), `PERPETUAL`, or `SPOT`. */
  readonly expiry: string;
  readonly sizeCoin: number;
  readonly sizeConvention: "coin" | "usd";
  /** Currency of `value`: the settlement currency (the balance's currency for spot). */
  readonly currency: string;
  /** Options: settlement currency per coin of underlying; futures: USD per coin; spot: USD per unit. */
  readonly markPrice: number;
  readonly markSource: MarkSource;
  /** Mark-to-market value in `currency` (0 for futures and perpetuals). */
  readonly value: number;
  readonly valueUsd: number;
}

export interface GroupValuation extends Greeks {
  readonly valueUsd: number;
}

export interface ExpiryValuation extends GroupValuation {
  /** Expiry instant (08:00 UTC), or null for perpetuals and spot. */
  readonly expiryMs: number | null;
}

export interface UnderlyingValuation extends GroupValuation {
  /** Per expiry key (`28JUN24`, `PERPETUAL`, `SPOT`), in order of expiry (perpetual and spot first). */
  readonly byExpiry: Readonly<Record<string, ExpiryValuation>>;
}

export interface PortfolioValuation {
  readonly asOfMs: number;
  readonly positions: readonly PositionValuation[];
  /** Sum of position values per currency, in that currency. */
  readonly valueByCurrency: Readonly<Record<string, number>>;
  /** Sum of position values in USD. */
  readonly totalValueUsd: number;
  /** Greeks and value per underlying (base currency), sorted by name. */
  readonly byUnderlying: Readonly<Record<string, UnderlyingValuation>>;
  /** Collateral balances valued in USD (only currencies the market can price; others are in `notes`). */
  readonly collateral: Readonly<Record<string, { readonly amount: number; readonly valueUsd: number }>>;
  readonly collateralValueUsd: number;
  readonly notes: readonly string[];
}

const ZERO_GREEKS: Greeks = { deltaCoin: 0, deltaUsd: 0, gammaCoinPerUsd: 0, vegaUsdPerVolPoint: 0, thetaUsdPerDay: 0 };

function optionValuation(p: ResolvedPosition, inst: OptionInstrument, market: MarketContext): PositionValuation {
  const m = market.optionInputs(inst);
  const usd = black76Greeks({
    isCall: inst.optionKind === "call",
    forwardUsd: m.forwardUsd,
    strikeUsd: inst.strikeUsd,
    timeYears: m.timeYears,
    volDecimal: m.volDecimal,
    rateDecimal: m.rateDecimal,
  });
  const inverse = inst.settlement === "inverse";
  const inv = inverse ? inverseGreeksFromUsd(usd, m.forwardUsd) : undefined;
  const quoted = market.snapshot.instruments[inst.name]?.markPrice;
  const hasQuote = quoted !== undefined && Number.isFinite(quoted) && quoted >= 0;
  const modelMark = inv !== undefined ? inv.priceCoin : usd.priceUsd;
  const mark = hasQuote ? quoted : modelMark;
  const value = p.sizeCoin * mark;
  const indexUsd = market.indexUsd(inst.base);
  const deltaPerCoin = inv !== undefined ? inv.deltaCoin : usd.deltaCoin;
  return {
    ...common(p, inst.base, formatExpiryCode(inst.expiryMs), inst.settlementCurrency),
    markPrice: mark,
    markSource: hasQuote ? "quote" : "model",
    value,
    valueUsd: value * currencyUsdRate(market, inst.settlementCurrency),
    deltaCoin: p.sizeCoin * deltaPerCoin,
    deltaUsd: p.sizeCoin * deltaPerCoin * indexUsd,
    gammaCoinPerUsd: p.sizeCoin * usd.gammaPerUsd,
    vegaUsdPerVolPoint: p.sizeCoin * usd.vegaUsdPerVolPoint,
    thetaUsdPerDay: p.sizeCoin * usd.thetaUsdPerDay,
  };
}

function common(p: ResolvedPosition, underlying: string | null, expiry: string, currency: string) {
  return { instrument: p.instrument.name, kind: p.instrument.kind, underlying, expiry, sizeCoin: p.sizeCoin, sizeConvention: p.sizeConvention, currency };
}

function positionValuation(p: ResolvedPosition, market: MarketContext): PositionValuation {
  const inst = p.instrument;
  if (inst.kind === "option") return optionValuation(p, inst, market);
  if (inst.kind === "spot") {
    const rate = currencyUsdRate(market, inst.currency);
    const isBase = market.bases.includes(inst.currency);
    return {
      ...common(p, isBase ? inst.currency : null, "SPOT", inst.currency),
      ...ZERO_GREEKS,
      markPrice: rate,
      markSource: "index",
      value: p.sizeCoin,
      valueUsd: p.sizeCoin * rate,
      deltaCoin: isBase ? p.sizeCoin : 0,
      deltaUsd: isBase ? p.sizeCoin * rate : 0,
    };
  }
  const markUsd = market.futureMarkUsd(inst);
  const quoted = market.snapshot.instruments[inst.name]?.markPrice !== undefined;
  return {
    ...common(p, inst.base, inst.kind === "perpetual" ? "PERPETUAL" : formatExpiryCode(inst.expiryMs), inst.settlementCurrency),
    ...ZERO_GREEKS,
    markPrice: markUsd,
    // An unquoted perpetual is marked at the index by the market context, an unquoted future on the forward curve.
    markSource: quoted ? "quote" : inst.kind === "perpetual" ? "index" : "forward-curve",
    value: 0,
    valueUsd: 0,
    deltaCoin: p.sizeCoin,
    deltaUsd: p.sizeCoin * market.indexUsd(inst.base),
  };
}

interface Acc {
  deltaCoin: number;
  deltaUsd: number;
  gammaCoinPerUsd: number;
  vegaUsdPerVolPoint: number;
  thetaUsdPerDay: number;
  valueUsd: number;
}

const newAcc = (): Acc => ({ deltaCoin: 0, deltaUsd: 0, gammaCoinPerUsd: 0, vegaUsdPerVolPoint: 0, thetaUsdPerDay: 0, valueUsd: 0 });

function add(acc: Acc, v: PositionValuation): void {
  acc.deltaCoin += v.deltaCoin;
  acc.deltaUsd += v.deltaUsd;
  acc.gammaCoinPerUsd += v.gammaCoinPerUsd;
  acc.vegaUsdPerVolPoint += v.vegaUsdPerVolPoint;
  acc.thetaUsdPerDay += v.thetaUsdPerDay;
  acc.valueUsd += v.valueUsd;
}

function expiryOrder(key: string, expiryMs: number | null): number {
  if (key === "SPOT") return -2;
  return expiryMs ?? -1;
}

/**
 * Value a validated portfolio in `market` (see the module comment for every convention).
 * Domain: a portfolio from `validatePortfolio` against the same market. Every output number is finite.
 */
export function valuePortfolio(portfolio: ResolvedPortfolio, market: MarketContext): PortfolioValuation {
  const positions = portfolio.positions.map((p) => positionValuation(p, market));
  const valueByCurrency: Record<string, number> = {};
  let totalValueUsd = 0;
  const groups = new Map<string, { total: Acc; expiries: Map<string, { acc: Acc; expiryMs: number | null }> }>();
  positions.forEach((v, i) => {
    valueByCurrency[v.currency] = (valueByCurrency[v.currency] ?? 0) + v.value;
    totalValueUsd += v.valueUsd;
    if (v.underlying === null) return;
    let g = groups.get(v.underlying);
    if (g === undefined) groups.set(v.underlying, (g = { total: newAcc(), expiries: new Map() }));
    add(g.total, v);
    const inst = portfolio.positions[i]?.instrument;
    const expiryMs = inst !== undefined && (inst.kind === "future" || inst.kind === "option") ? inst.expiryMs : null;
    let e = g.expiries.get(v.expiry);
    if (e === undefined) g.expiries.set(v.expiry, (e = { acc: newAcc(), expiryMs }));
    add(e.acc, v);
  });
  const byUnderlying: Record<string, UnderlyingValuation> = {};
  for (const base of [...groups.keys()].sort()) {
    const g = groups.get(base);
    if (g === undefined) continue;
    const byExpiry: Record<string, ExpiryValuation> = {};
    const keys = [...g.expiries.entries()].sort(([ka, a], [kb, b]) => expiryOrder(ka, a.expiryMs) - expiryOrder(kb, b.expiryMs));
    for (const [key, e] of keys) byExpiry[key] = { ...e.acc, expiryMs: e.expiryMs };
    byUnderlying[base] = { ...g.total, byExpiry };
  }
  const collateral: Record<string, { amount: number; valueUsd: number }> = {};
  const notes: string[] = [];
  let collateralValueUsd = 0;
  for (const [currency, amount] of Object.entries(portfolio.collateral)) {
    if (!hasUsdRate(market, currency)) {
      notes.push(`collateral ${currency} ${amount}: no USD price in the market, not valued`);
      continue;
    }
    const valueUsd = amount * currencyUsdRate(market, currency);
    collateral[currency] = { amount, valueUsd };
    collateralValueUsd += valueUsd;
  }
  return { asOfMs: market.asOfMs, positions, valueByCurrency, totalValueUsd, byUnderlying, collateral, collateralValueUsd, notes };
}
