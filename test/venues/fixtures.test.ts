/**
 * The seven importers on the venues' own documented example responses (test/fixtures/venues, sources in its
 * SOURCES.md). Expected values are worked out by hand from the fixture numbers and each venue's documented units.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { importVenue } from "../../src/venues/index.js";
import type { ImportedAccount } from "../../src/venues/index.js";
import { fixture } from "./helpers.js";

const imp = (venue: string, ...paths: string[]): ImportedAccount => unwrap(importVenue(venue, paths.map(fixture)));
const rows = (a: ImportedAccount) => a.positions.map((p) => [p.instrument, p.venueId, p.size ?? null, p.sizeUsd ?? null, p.averagePrice ?? null]);

describe("Deribit (private/get_positions, get_account_summaries)", () => {
  const a = imp("deribit", "deribit/get_positions.json", "deribit/get_account_summaries.json");
  it("reads the futures size as USD (size 50 = size_currency 0.006687487 × mark 7,476.65) and the P&L since the last settlement", () => {
    expect(rows(a)).toEqual([["BTC-PERPETUAL", "BTC-PERPETUAL", null, 50, 7476.65]]);
    expect(a.positions[0]?.venueRecord).toMatchObject({ average_price: 7440.18 });
  });
  it("reads each currency's balance and keeps the venue's figures", () => {
    expect(a.collateral).toEqual({ BTC: 302.60065765, ETH: 100 });
    expect(a.venueFigures.other).toMatchObject({ "BTC.equity": 302.61869214, "BTC.maintenance_margin": 0.8857841, "ETH.initial_margin": 0.000402 });
    expect(a.model).toBe("deribit");
  });
});

describe("OKX (positions, positions push, balance, position-builder request)", () => {
  it("reads a MARGIN (spot margin) position as balances: the coin held and the USDT liability", () => {
    const a = imp("okx", "okx/positions.json");
    expect(a.positions).toEqual([]);
    expect(a.collateral).toEqual({ BTC: 0.00190433573, USDT: Number("-99.9998177776581948") });
  });
  it("reads an inverse futures position in 10-USD contracts (ETH-USD, the shipped contract value) and notes the example's inconsistent notionalUsd", () => {
    const a = imp("okx", "okx/positions-push.json");
    expect(rows(a)).toEqual([["ETH-30APR21", "ETH-USD-210430", null, 10, 2566.31]]);
    expect(a.notes.join("\n")).toMatch(/notionalUsd 2276\.2546609009605 differs from pos × ctVal = 10/);
  });
  it("reads cashBal per currency and the account figures", () => {
    const a = imp("okx", "okx/balance.json");
    expect(a.collateral).toEqual({ USDT: 4850.435693622894 });
    expect(a.venueFigures).toMatchObject({ equityUsd: 55837.43556134779, initialMarginUsd: 0, maintenanceMarginUsd: 0, other: { adjEq: 55415.624719833286 } });
  });
  it("reads the position-builder request into the account of examples/okx-2025-01-15 (pos × ctVal: −10 × 0.01 BTC, 10 × 1 LTC)", () => {
    const a = imp("okx", "okx/position-builder-request.json");
    expect(rows(a)).toEqual([
      ["BTC_USDT-PERPETUAL", "BTC-USDT-SWAP", -0.1, null, 100000],
      ["LTC_USDT-PERPETUAL", "LTC-USDT-SWAP", 10, null, 8000],
    ]);
    expect(a.collateral).toEqual({ USDT: 100 });
    const example = JSON.parse(readFileSync("examples/okx-2025-01-15/account.json", "utf8")) as { positions: { size: number; averagePrice: number }[]; collateral: unknown };
    expect(a.positions.map((p) => [p.size, p.averagePrice])).toEqual(example.positions.map((p) => [p.size, p.averagePrice]));
    expect(a.collateral).toEqual(example.collateral);
  });
});

describe("Bybit unified account (position/list, wallet-balance)", () => {
  const a = imp("bybit", "bybit/position-list.json", "bybit/wallet-balance.json");
  it("reads an inverse size in USD with the sign of side (Sell 300 BTCUSD)", () => {
    expect(rows(a)).toEqual([["BTC-PERPETUAL", "BTCUSD", null, -300, 27464.50441675]]);
  });
  it("takes walletBalance per coin (0 BTC: none) and the account-wide figures", () => {
    expect(a.collateral).toEqual({});
    expect(a.venueFigures).toMatchObject({ equityUsd: 3.31216591, initialMarginUsd: 0, maintenanceMarginUsd: 0, other: { accountMMRate: 0 } });
  });
});

describe("Binance portfolio margin (account, balance, UM and CM positionRisk)", () => {
  const a = imp("binance", "binance/account.json", "binance/balance.json", "binance/um-positionRisk.json", "binance/cm-positionRisk.json");
  it("reads UM sizes in coin and CM sizes as notionalValue × markPrice USD; skips the empty hedge side", () => {
    expect(rows(a)).toEqual([
      ["BTC_USDT-PERPETUAL", "BTCUSDT", 0.001, null, 22185.2],
      ["BTC-25DEC20", "BTCUSD_201225", null, 0.00084827 * 11788.66626667, 11707.70000003],
    ]);
    expect(a.notes.join("\n")).toMatch(/BTCUSDT SHORT: positionAmt 0, skipped/);
  });
  it("cash = free + locked + UM + CM wallet − borrowed − interest, with a note when totalWalletBalance disagrees", () => {
    expect(a.collateral.USDT).toBeCloseTo(100 + 3 + 0 + 23.72469206 - 10 - 0.72469206, 10);
    expect(a.notes.join("\n")).toMatch(/totalWalletBalance 122607\.35137903 is not/);
    expect(a.venueFigures).toMatchObject({ equityUsd: 122607.35137903, maintenanceMarginUsd: 23.72469206, other: { uniMMR: 5167.92171923, accountStatus: "NORMAL" } });
  });
});

describe("Hyperliquid (clearinghouseState, spotClearinghouseState)", () => {
  it("perps only: USDC cash = accountValue − unrealized P&L, so netrisk's equity is the account value", () => {
    const a = imp("hyperliquid", "hyperliquid/clearinghouseState.json");
    expect(rows(a)).toEqual([["ETH_USDC-PERPETUAL", "ETH", 0.0335, null, 2986.3]]);
    expect(a.collateral.USDC).toBeCloseTo(13109.482328 + 0.0134, 9);
    expect(a.venueFigures).toMatchObject({ equityUsd: 13109.482328, initialMarginUsd: 4.967826, maintenanceMarginUsd: 0 });
    expect(a.notes.join("\n")).toMatch(/isolated-margin position/);
  });
  it("unified account: balances from the spot state", () => {
    const a = imp("hyperliquid", "hyperliquid/clearinghouseState.json", "hyperliquid/spotClearinghouseState.json");
    expect(a.collateral).toEqual({ USDC: 14.625485, PURR: 2000 });
  });
});

describe("Derive (get_all_portfolios / margin_watch records)", () => {
  it("reads collaterals and the subaccount's figures", () => {
    const a = imp("derive", "derive/get_all_portfolios.json");
    expect(a.collateral).toEqual({ ETH: 0.1 });
    expect(a.positions).toEqual([]);
    expect(a.venueFigures.other).toMatchObject({ "130837:margin_type": "SM", "130837:subaccount_value": 318.0760325000001 });
    expect(a.model).toBe("derive-pmrm2");
  });
});

describe("ccxt (Deribit fetchPositions with contracts undefined, ccxt #26913)", () => {
  it("reads the raw info instead of ccxt's unified fields", () => {
    const a = imp("ccxt", "ccxt/deribit-fetchPositions-issue-26913.json");
    expect(rows(a)).toEqual([["BTC-PERPETUAL", "BTC-PERPETUAL", null, 40, 109351.31]]);
  });
});
