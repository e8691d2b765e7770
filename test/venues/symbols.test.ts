/**
 * The venue symbol table (src/venues/symbols.ts, docs/cross-venue.md): each rule on the venues' documented symbols.
 * Bybit's inverse quarterly BTCUSDH25 expires on the last Friday of March 2025 (the 28th); Binance's CM
 * BTCUSD_201225 on 25 Dec 2020 (the docs example's symbol).
 */
import { describe, expect, it } from "vitest";
import { binanceSymbol, bybitSymbol, ccxtSymbol, deriveName, hyperliquidCoin, nameOf } from "../../src/venues/symbols.js";
import type { MappedSymbol } from "../../src/venues/symbols.js";
import type { Result } from "../../src/errors.js";

const name = (r: Result<MappedSymbol>): string => (r.ok ? `${nameOf(r.value)}${r.value.unitsPerVenueUnit !== 1 ? ` ×${r.value.unitsPerVenueUnit}` : ""}` : `ERROR ${r.issues[0]?.code}`);

describe("venue symbols → netrisk names", () => {
  it.each([
    ["BTCUSDT", "linear", "BTC_USDT-PERPETUAL"],
    ["ETHUSDC", "linear", "ETH_USDC-PERPETUAL"],
    ["BTCPERP", "linear", "BTC_USDC-PERPETUAL"],
    ["BTC-28MAR25", "linear", "BTC_USDC-28MAR25"],
    ["BTCUSDT-28MAR25", "linear", "BTC_USDT-28MAR25"],
    ["BTCUSD", "inverse", "BTC-PERPETUAL"],
    ["BTCUSDH25", "inverse", "BTC-28MAR25"],
    ["ETHUSDZ24", "inverse", "ETH-27DEC24"],
    ["BTC-28MAR25-100000-C", "option", "BTC_USDC-28MAR25-100000-C"],
    ["SOL-28MAR25-180-P-USDT", "option", "SOL_USDT-28MAR25-180-P"],
    ["BTC/USDT", "linear", "ERROR unknown_instrument"],
  ])("bybit %s (%s) → %s", (s, c, want) => expect(name(bybitSymbol(s, c, "x"))).toBe(want));

  it.each([
    ["BTCUSDT", "um", "BTC_USDT-PERPETUAL"],
    ["BTCUSDC", "um", "BTC_USDC-PERPETUAL"],
    ["BTCUSDT_250328", "um", "BTC_USDT-28MAR25"],
    ["BTCUSD_PERP", "cm", "BTC-PERPETUAL"],
    ["BTCUSD_201225", "cm", "BTC-25DEC20"],
    ["BTCUSD_201231", "cm", "BTC-31DEC20"],
    ["BTCUSD_201232", "cm", "ERROR unknown_instrument"],
  ] as const)("binance %s (%s) → %s", (s, b, want) => expect(name(binanceSymbol(s, b, "x"))).toBe(want));

  it.each([
    ["BTC", "BTC_USDC-PERPETUAL"],
    ["kPEPE", "PEPE_USDC-PERPETUAL ×1000"],
    ["xyz:TSLA", "ERROR unknown_instrument"],
  ])("hyperliquid %s → %s", (s, want) => expect(name(hyperliquidCoin(s, "x"))).toBe(want));

  it.each([
    ["ETH-PERP", "ETH_USDC-PERPETUAL"],
    ["ETH-20250328-3500-C", "ETH_USDC-28MAR25-3500-C"],
    ["ETH-20250230-3500-C", "ERROR unknown_instrument"],
  ])("derive %s → %s", (s, want) => expect(name(deriveName(s, "x"))).toBe(want));

  it.each([
    ["BTC/USDT:USDT", "BTC_USDT-PERPETUAL"],
    ["BTC/USD:BTC", "BTC-PERPETUAL"],
    ["BTC/USDT:USDT-250328", "BTC_USDT-28MAR25"],
    ["BTC/USD:BTC-250328-100000-C", "BTC-28MAR25-100000-C"],
    ["BTC/USDT", "ERROR unknown_instrument"],
  ])("ccxt %s → %s", (s, want) => expect(name(ccxtSymbol(s, "x"))).toBe(want));
});
