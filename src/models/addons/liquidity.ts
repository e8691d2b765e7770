/**
 * Liquidity (close-out cost) add-on: closing a position crosses half the bid–ask spread, so the add-on is
 * half-spread × |size|, scaled up when the position is large against the market's open interest (a large close-out
 * walks the book). CME SPAN 2 and Eurex Prisma charge such a component from bid/ask and position size
 * (../shared/reference/classic-methods.md §2 and §4); their exact formulas are unpublished, so this one is ours:
 *
 * ```
 * halfSpreadUsd = (ask − bid)/2 in USD per coin of underlying     (from the snapshot; else a parameter × index)
 * scale         = 1 + slope × max(0, |size| − f·OI) / (f·OI)      (OI = open interest in coin; 1 when unknown)
 * addon         = halfSpreadUsd × |size| × scale
 * ```
 * Quote units follow the snapshot (market/types.ts): inverse options are quoted in coin (× index to USD), linear
 * options in USD(C) (× the settlement currency's USD rate), futures and perpetuals in USD per coin.
 * @module
 */
import type { MarketContext } from "../../market/context.js";
import type { DerivativeInstrument } from "../../market/types.js";
import { currencyUsdRate } from "../../risk/marks.js";

export interface LiquidityParams {
  /** f: size up to f × open interest pays the plain half-spread, in (0, 1]. */
  readonly openInterestFraction: number;
  /** Slope of the scale-up beyond f × OI (≥ 0): scale 2 at twice the threshold with slope 1. */
  readonly excessSlope: number;
  /** Half-spread as a fraction of the index price, per coin, when the snapshot has no usable bid/ask. */
  readonly fallbackHalfSpreadDecimal: { readonly future: number; readonly option: number };
}

/** One position's liquidity add-on and its inputs. */
export interface LiquidityLeg {
  readonly instrument: string;
  readonly sizeCoin: number;
  readonly halfSpreadUsdPerCoin: number;
  /** `quote`: from the snapshot's bid/ask; `parameter`: the fallback fraction × index. */
  readonly spreadSource: "quote" | "parameter";
  /** Open interest in coin, or null when the snapshot gives none (then scale = 1). */
  readonly openInterestCoin: number | null;
  readonly scale: number;
  readonly addonUsd: number;
}

/** USD per 1 unit of the instrument's quote currency (coin quotes of inverse options are in the base coin). */
function quoteUsdPerUnit(inst: DerivativeInstrument, market: MarketContext): number {
  if (inst.kind !== "option") return 1;
  return inst.settlement === "inverse" ? market.indexUsd(inst.base) : currencyUsdRate(market, inst.settlementCurrency);
}

/**
 * Liquidity add-on of each derivative position, in USD. Domain: positions validated against `market`.
 * A crossed or incomplete quote (no bid or ask, ask < bid) falls back to the parameter.
 */
export function liquidityAddon(
  positions: readonly { readonly instrument: DerivativeInstrument; readonly sizeCoin: number }[],
  market: MarketContext,
  params: LiquidityParams,
): { readonly totalUsd: number; readonly legs: readonly LiquidityLeg[] } {
  let totalUsd = 0;
  const legs = positions.map((p): LiquidityLeg => {
    const inst = p.instrument;
    const q = market.snapshot.instruments[inst.name];
    const bid = q?.bidPrice;
    const ask = q?.askPrice;
    const quoted = bid !== undefined && ask !== undefined && Number.isFinite(bid) && Number.isFinite(ask) && bid >= 0 && ask >= bid;
    const halfSpreadUsdPerCoin = quoted
      ? ((ask - bid) / 2) * quoteUsdPerUnit(inst, market)
      : (inst.kind === "option" ? params.fallbackHalfSpreadDecimal.option : params.fallbackHalfSpreadDecimal.future) * market.indexUsd(inst.base);
    const oi = q?.openInterest;
    const openInterestCoin = oi !== undefined && Number.isFinite(oi) && oi > 0 ? oi : null;
    const size = Math.abs(p.sizeCoin);
    const threshold = openInterestCoin === null ? 0 : params.openInterestFraction * openInterestCoin;
    const scale = threshold > 0 ? 1 + params.excessSlope * (Math.max(0, size - threshold) / threshold) : 1;
    const addonUsd = halfSpreadUsdPerCoin * size * scale;
    totalUsd += addonUsd;
    return { instrument: inst.name, sizeCoin: p.sizeCoin, halfSpreadUsdPerCoin, spreadSource: quoted ? "quote" : "parameter", openInterestCoin, scale, addonUsd };
  });
  return { totalUsd, legs };
}
