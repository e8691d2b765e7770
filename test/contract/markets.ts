/**
 * Markets and sample portfolios for the MarginModel contract suites: Deribit's real BTC/ETH chain of
 * 2025-12-30T17:31Z (../shared/data, provenance in SOURCES.md; inverse options, dated futures and perpetuals), plus
 * a linear (USDC) family mirrored from it, because the real file has no USDC products and Derive PMRM_2 margins
 * only those. The mirror is synthetic and labelled so: `<BASE>_USDC-PERPETUAL` at the inverse perpetual's mark,
 * and `<BASE>_USDC-<expiry>-<strike>-<C|P>` with the inverse option's mark IV and forward (USD mark = coin mark ×
 * forward, the same option in another settlement currency).
 */
import { unwrap } from "../../src/errors.js";
import { loadMarketFile } from "../../src/io/load-market.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import type { MarketContext } from "../../src/market/context.js";
import type { InstrumentQuote, MarketSnapshot } from "../../src/market/types.js";
import type { ResolvedPortfolio } from "../../src/models/types.js";
import { sharedData } from "../helpers/requires.js";
import type { SamplePortfolio } from "./margin-model.contract.js";

/** Inverse options whose linear twins are added (a few strikes around the money, two expiries, both bases). */
const MIRRORED_OPTIONS = [
  "BTC-30JAN26-100000-C",
  "BTC-30JAN26-90000-C",
  "BTC-30JAN26-80000-P",
  "BTC-27MAR26-90000-C",
  "BTC-27MAR26-90000-P",
  "ETH-30JAN26-3500-C",
  "ETH-30JAN26-2600-P",
];

let cached: { snapshot: MarketSnapshot; market: MarketContext } | undefined;

/** The real 2025-12-30 Deribit snapshot with the synthetic USDC mirror, and its market context (built once). */
export function contractMarket(): { snapshot: MarketSnapshot; market: MarketContext } {
  if (cached) return cached;
  const loaded = unwrap(
    loadMarketFile(sharedData("deribit_btc_eth_options_20251230T1731Z.csv"), {
      futuresPath: sharedData("deribit_futures_marks_20251230T1731Z.csv"),
      perpetualsPath: sharedData("deribit_perpetual_prices_20251230T1731Z.csv"),
    }),
  );
  const real = loaded.snapshot;
  const instruments: Record<string, InstrumentQuote> = { ...real.instruments };
  for (const base of ["BTC", "ETH"]) {
    const perp = real.instruments[`${base}-PERPETUAL`];
    if (perp?.markPrice === undefined) throw new Error(`contract market: no ${base}-PERPETUAL mark in the real snapshot`);
    instruments[`${base}_USDC-PERPETUAL`] = { markPrice: perp.markPrice };
  }
  for (const name of MIRRORED_OPTIONS) {
    const q = real.instruments[name];
    if (q?.markIv === undefined || q.underlyingPrice === undefined || q.markPrice === undefined) throw new Error(`contract market: ${name} lacks a quote`);
    const [base, ...rest] = name.split("-");
    instruments[`${base}_USDC-${rest.join("-")}`] = { markIv: q.markIv, underlyingPrice: q.underlyingPrice, markPrice: q.markPrice * q.underlyingPrice };
  }
  const snapshot: MarketSnapshot = { ...real, instruments };
  cached = { snapshot, market: unwrap(buildMarketContext(snapshot)) };
  return cached;
}

/** A portfolio JSON validated against the market by the project's own reader (so the io layer is exercised too). */
export function portfolioOf(json: unknown, market: MarketContext): ResolvedPortfolio {
  return unwrap(validatePortfolio(json, market));
}

const samples = (market: MarketContext, list: Record<string, unknown>): SamplePortfolio[] =>
  Object.entries(list).map(([name, json]) => ({ name, portfolio: portfolioOf(json, market) }));

/** Samples for models that margin Deribit's inverse and linear products (standard, Deribit risk matrix). */
export function deribitSamples(market: MarketContext): SamplePortfolio[] {
  return samples(market, {
    "outright long perpetual": { positions: [{ instrument: "BTC-PERPETUAL", size: 1 }] },
    "perpetual in USD notional": { positions: [{ instrument: "BTC-PERPETUAL", sizeUsd: -50000 }, { instrument: "ETH-27MAR26", sizeUsd: 20000 }] },
    "calendar spread": { positions: [{ instrument: "BTC-PERPETUAL", size: 10 }, { instrument: "BTC-27MAR26", size: -10 }] },
    "delta-hedged short strangle": {
      positions: [
        { instrument: "BTC-30JAN26-100000-C", size: -5 },
        { instrument: "BTC-30JAN26-80000-P", size: -5 },
        { instrument: "BTC-PERPETUAL", size: 0.4 },
      ],
      collateral: { BTC: 3 },
    },
    "straddle against futures, two bases, linear and inverse": {
      positions: [
        { instrument: "BTC-27MAR26-90000-C", size: 2 },
        { instrument: "BTC-27MAR26-90000-P", size: 2 },
        { instrument: "BTC-26JUN26", size: -1.5 },
        { instrument: "ETH-30JAN26-3500-C", size: -20 },
        { instrument: "ETH-PERPETUAL", size: 8 },
        { instrument: "BTC_USDC-PERPETUAL", size: -0.5 },
        { instrument: "BTC_USDC-30JAN26-90000-C", size: -1 },
      ],
      collateral: { BTC: 2, ETH: 10, USDC: 20000 },
    },
  });
}

/** Samples for models that margin only USDC-settled options and perpetuals (Derive PMRM_2). */
export function linearSamples(market: MarketContext): SamplePortfolio[] {
  return samples(market, {
    "outright long USDC perpetual": { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 1 }], collateral: { USDC: 20000 } },
    "covered short call": {
      positions: [
        { instrument: "BTC_USDC-30JAN26-100000-C", size: -2 },
        { instrument: "BTC_USDC-PERPETUAL", size: 1 },
      ],
      collateral: { USDC: 50000 },
    },
    "short strangle, two expiries": {
      positions: [
        { instrument: "BTC_USDC-30JAN26-100000-C", size: -1 },
        { instrument: "BTC_USDC-30JAN26-80000-P", size: -1 },
        { instrument: "BTC_USDC-27MAR26-90000-C", size: 0.5 },
        { instrument: "BTC_USDC-27MAR26-90000-P", size: 0.5 },
      ],
      collateral: { USDC: 40000 },
    },
    "two underlyings": {
      positions: [
        { instrument: "ETH_USDC-30JAN26-3500-C", size: -10 },
        { instrument: "ETH_USDC-30JAN26-2600-P", size: 10 },
        { instrument: "ETH_USDC-PERPETUAL", size: 3 },
        { instrument: "BTC_USDC-30JAN26-90000-C", size: 1 },
      ],
      collateral: { USDC: 30000 },
    },
  });
}
