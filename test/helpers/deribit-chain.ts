/**
 * Deribit's real BTC/ETH chain of 2025-12-30T17:31Z (../shared/data, provenance in SOURCES.md) with its futures and
 * perpetual marks, as a market context (built once per test file). Call it inside `whenSharedData`.
 */
import { unwrap } from "../../src/errors.js";
import { loadMarketFile } from "../../src/io/load-market.js";
import type { MarketContext } from "../../src/market/context.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { sharedData } from "./requires.js";

let cached: MarketContext | undefined;

export function deribitChain20251230(): MarketContext {
  cached ??= unwrap(
    buildMarketContext(
      unwrap(
        loadMarketFile(sharedData("deribit_btc_eth_options_20251230T1731Z.csv"), {
          futuresPath: sharedData("deribit_futures_marks_20251230T1731Z.csv"),
          perpetualsPath: sharedData("deribit_perpetual_prices_20251230T1731Z.csv"),
        }),
      ).snapshot,
    ),
  );
  return cached;
}
