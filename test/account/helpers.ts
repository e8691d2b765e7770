/**
 * Markets and accounts for the account-layer tests: a small hand-written snapshot (every number stated here, built by
 * the real `buildMarketContext`), and loading an account file against it through the io layer.
 */
import { unwrap } from "../../src/errors.js";
import { loadAccount } from "../../src/io/account.js";
import type { LoadedAccount } from "../../src/io/account.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import type { MarketContext } from "../../src/market/context.js";
import type { InstrumentQuote, MarketSnapshot } from "../../src/market/types.js";

/** 2026-01-02T08:00Z; expiries 30JAN26 (28 days) and 27MAR26 (84 days). */
export const AS_OF_MS = Date.parse("2026-01-02T08:00:00.000Z");

/**
 * BTC 60,000 and ETH 3,000 USD, USDC 1; inverse and USDC perpetuals at the index; one BTC future; BTC options at
 * three strikes and two expiries, both families, with mark IV and forward (no mark price: priced by Black-76).
 */
export function smallSnapshot(overrides: { indexUsd?: Record<string, number>; instruments?: Record<string, InstrumentQuote> } = {}): MarketSnapshot {
  const btc = overrides.indexUsd?.BTC ?? 60000;
  const eth = overrides.indexUsd?.ETH ?? 3000;
  const instruments: Record<string, InstrumentQuote> = {
    "BTC-PERPETUAL": { markPrice: btc, bidPrice: btc - 5, askPrice: btc + 5 },
    "BTC_USDC-PERPETUAL": { markPrice: btc },
    "ETH-PERPETUAL": { markPrice: eth },
    "ETH_USDC-PERPETUAL": { markPrice: eth },
    "BTC-27MAR26": { markPrice: btc * 1.01 },
  };
  for (const [code, fwd, vol] of [
    ["30JAN26", btc * 1.003, 0.55],
    ["27MAR26", btc * 1.01, 0.6],
  ] as const) {
    for (const k of [50000, 60000, 70000]) {
      for (const cp of ["C", "P"]) {
        const q = { markIv: vol + (k === 60000 ? 0 : 0.04), underlyingPrice: fwd };
        instruments[`BTC-${code}-${k}-${cp}`] = q;
        instruments[`BTC_USDC-${code}-${k}-${cp}`] = q;
      }
    }
  }
  return {
    timestampMs: AS_OF_MS,
    indexUsd: { BTC: btc, ETH: eth, USDC: 1, ...overrides.indexUsd },
    instruments: { ...instruments, ...overrides.instruments },
  };
}

export function smallMarket(overrides: Parameters<typeof smallSnapshot>[0] = {}): MarketContext {
  return unwrap(buildMarketContext(smallSnapshot(overrides)));
}

/** Load an account file (the io layer's reader: presets from presets/, overrides applied). */
export function account(file: Record<string, unknown>, market: MarketContext): LoadedAccount {
  return unwrap(loadAccount(file, market));
}

/** |a − b| ≤ rel·max(|a|, |b|) + abs. */
export function close(a: number, b: number, rel: number, abs = 0): boolean {
  return Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b)) + abs;
}
