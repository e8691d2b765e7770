/**
 * Round trips (issue #13): an account written in a venue's own response shapes (exportVenue) and imported back gives
 * the same account: instruments, signed sizes (coin, or USD notional for inverse futures), entry prices, balances.
 * The accounts are synthetic, generated here by fast-check over instruments each venue lists; tolerance 1e-12
 * relative (sizes pass through decimal strings and contract counts).
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { exportVenue, importVenue } from "../../src/venues/index.js";
import type { CanonicalAccount, CanonicalPosition, VenueId } from "../../src/venues/index.js";

// Last Fridays of their months: Bybit's inverse quarterly symbols (BTCUSDM25) carry no day, the last Friday is implied.
const EXPIRIES = ["27JUN25", "26SEP25", "26DEC25"];
const expiry = fc.constantFrom(...EXPIRIES);
const strike = fc.constantFrom(80000, 100000, 120000, 0.625);
const cp = fc.constantFrom("C", "P");

const names: Record<VenueId, fc.Arbitrary<string>> = {
  deribit: fc.oneof(
    fc.constantFrom("BTC-PERPETUAL", "ETH-PERPETUAL", "BTC_USDC-PERPETUAL", "ETH_USDC-PERPETUAL"),
    expiry.map((e) => `BTC-${e}`),
    fc.tuple(expiry, fc.constantFrom(80000, 100000), cp).map(([e, k, c]) => `BTC-${e}-${k}-${c}`),
    fc.tuple(expiry, strike, cp).map(([e, k, c]) => `ETH_USDC-${e}-${String(k).replace(".", "d")}-${c}`),
  ),
  okx: fc.oneof(
    fc.constantFrom("BTC_USDT-PERPETUAL", "ETH_USDT-PERPETUAL", "LTC_USDT-PERPETUAL", "DOGE_USDT-PERPETUAL", "BTC-PERPETUAL", "ETH-PERPETUAL", "SOL_USDT-PERPETUAL"),
    expiry.map((e) => `ETH-${e}`),
    fc.tuple(expiry, fc.constantFrom(80000, 100000), cp).map(([e, k, c]) => `BTC-${e}-${k}-${c}`),
    expiry.map((e) => `BTC_USDT-${e}`),
  ),
  bybit: fc.oneof(
    fc.constantFrom("BTC_USDT-PERPETUAL", "ETH_USDC-PERPETUAL", "BTC-PERPETUAL"),
    expiry.map((e) => `BTC-${e}`),
    expiry.map((e) => `BTC_USDC-${e}`),
    expiry.map((e) => `ETH_USDT-${e}`),
    fc.tuple(expiry, strike, cp, fc.constantFrom("USDC", "USDT")).map(([e, k, c, s]) => `BTC_${s}-${e}-${String(k).replace(".", "d")}-${c}`),
  ),
  binance: fc.oneof(fc.constantFrom("BTC_USDT-PERPETUAL", "ETH_USDC-PERPETUAL", "BTC-PERPETUAL", "ETH-PERPETUAL"), expiry.map((e) => `BTC_USDT-${e}`), expiry.map((e) => `ETH-${e}`)),
  hyperliquid: fc.constantFrom("BTC_USDC-PERPETUAL", "ETH_USDC-PERPETUAL", "SOL_USDC-PERPETUAL", "HYPE_USDC-PERPETUAL"),
  derive: fc.oneof(fc.constantFrom("ETH_USDC-PERPETUAL", "BTC_USDC-PERPETUAL"), fc.tuple(expiry, strike, cp).map(([e, k, c]) => `ETH_USDC-${e}-${String(k).replace(".", "d")}-${c}`)),
  ccxt: fc.oneof(fc.constantFrom("BTC_USDT-PERPETUAL", "BTC-PERPETUAL", "ETH_USDC-PERPETUAL"), expiry.map((e) => `BTC-${e}`), fc.tuple(expiry, fc.constantFrom(80000, 100000), cp).map(([e, k, c]) => `BTC_USDC-${e}-${k}-${c}`)),
};

const COLLATERAL: Record<VenueId, readonly string[]> = {
  deribit: ["BTC", "ETH", "USDC"],
  okx: ["USDT", "BTC", "USDC"],
  bybit: ["USDT", "USDC", "BTC"],
  binance: ["USDT", "BNB", "BTC"],
  hyperliquid: ["USDC", "HYPE"],
  derive: ["USDC", "ETH"],
  ccxt: ["USDT", "BTC"],
};

const isInverseFuture = (name: string): boolean => !name.includes("_") && name.split("-").length === 2;

function account(venue: VenueId): fc.Arbitrary<CanonicalAccount> {
  const position = fc
    .record({
      instrument: names[venue],
      size: fc.double({ min: -50, max: 50, noNaN: true }).filter((x) => Math.abs(x) > 1e-3),
      mark: fc.double({ min: 0.5, max: 150000, noNaN: true }),
      entry: fc.double({ min: 0.5, max: 150000, noNaN: true }),
    })
    .map(({ instrument, size, mark, entry }): CanonicalPosition => ({
      instrument,
      size,
      markPrice: mark,
      averagePrice: entry,
      ...(isInverseFuture(instrument) ? { sizeUsd: size * mark } : {}),
    }));
  return fc.record({
    positions: fc.uniqueArray(position, { minLength: 0, maxLength: 6, selector: (p) => p.instrument }),
    collateral: fc.dictionary(fc.constantFrom(...COLLATERAL[venue]), fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((x) => x !== 0), { maxKeys: 3 }),
  });
}

const close = (a: number | undefined, b: number | undefined): boolean => a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-12 * Math.max(1, Math.abs(a), Math.abs(b));

describe("round trip: export to the venue's shapes, import back, same account (fast-check)", () => {
  it.each(["deribit", "okx", "bybit", "binance", "hyperliquid", "derive", "ccxt"] as const)("%s", (venue) => {
    fc.assert(
      fc.property(account(venue), (a) => {
        const r = importVenue(venue, exportVenue(venue, a));
        if (!r.ok) throw new Error(JSON.stringify(r.issues));
        const got = r.value;
        // Venues group positions (Bybit by category, Binance by book): compare by instrument.
        const byName = new Map(got.positions.map((p) => [p.instrument, p]));
        expect([...byName.keys()].sort()).toEqual(a.positions.map((p) => p.instrument).sort());
        a.positions.forEach((want) => {
          const p = byName.get(want.instrument);
          if (p === undefined) return;
          if (want.sizeUsd !== undefined) expect(close(p.sizeUsd, want.sizeUsd), `${want.instrument} sizeUsd ${p.sizeUsd} vs ${want.sizeUsd}`).toBe(true);
          else expect(close(p.size, want.size), `${want.instrument} size ${p.size} vs ${want.size}`).toBe(true);
          expect(close(p.averagePrice, want.averagePrice), `${want.instrument} averagePrice`).toBe(true);
        });
        expect(Object.keys(got.collateral).sort()).toEqual(Object.keys(a.collateral).sort());
        for (const [c, v] of Object.entries(a.collateral)) expect(close(got.collateral[c], v), c).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

});
