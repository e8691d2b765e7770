/**
 * Collateral valuation and charges.
 * References: OKX's position-builder API example (crypto-venues.md §1.5: 78,553.2189 USDT borrowed → borrowImr
 * 7855.3219, borrowMmr 1571.0644, published to 4 decimals, hence the 5e-5 USD tolerance); Derive's peg-loss rule
 * pegAdj = (threshold − stable) × factor (derive-pmrm2.md §2.10) on the real USDC close of 2023-03-11 (0.9715,
 * ../shared/data/usdc_usd_daily_ohlcv_yahoo.csv); Aevo's collateral ratios behind the default haircuts.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { evaluateAccount } from "../../src/account/account.js";
import { unwrap } from "../../src/errors.js";
import { itWithSharedData, sharedData } from "../helpers/requires.js";
import { account, smallMarket } from "./helpers.js";

/** Close of a date in a Yahoo daily CSV (Date,Open,High,Low,Close,...). */
function closeOn(file: string, date: string): number {
  const line = readFileSync(sharedData(file), "utf8").split("\n").find((l) => l.startsWith(`${date},`));
  if (line === undefined) throw new Error(`${date} not in ${file}`);
  return Number(line.split(",")[4]);
}

describe("collateral charges", () => {
  it("borrow margin reproduces OKX's MR8 example (10 % IM, 2 % MM of the borrowed USDT)", () => {
    const a = account({ model: "standard", positions: [], collateral: { USDT: -78553.2189 } }, smallMarket()).account;
    const e = unwrap(evaluateAccount(a));
    expect(e.breakdown.borrowImUsd).toBeCloseTo(7855.3219, 4);
    expect(e.breakdown.borrowMmUsd).toBeCloseTo(1571.0644, 4);
    // A borrowed balance counts in full in equity (no haircut on a liability).
    expect(e.figures.equityUsd).toBe(-78553.2189);
    expect(e.health.state).toBe("bankrupt");
  });

  it("haircuts positive balances only, and charges them to IM and MM (defaults from Aevo's ratios)", () => {
    const a = account({ model: "standard", positions: [], collateral: { ETH: 10, USDT: 1000, USDC: 500 } }, smallMarket()).account;
    const e = unwrap(evaluateAccount(a));
    // ETH 90 % → 10 % IM haircut (5 % MM); USDT 99 % → 1 % (0.5 %); USDC 100 % → 0.
    expect(e.breakdown.haircutImUsd).toBeCloseTo(0.1 * 30000 + 0.01 * 1000, 9);
    expect(e.breakdown.haircutMmUsd).toBeCloseTo(0.05 * 30000 + 0.005 * 1000, 9);
    expect(e.figures.equityUsd).toBe(31500);
    expect(e.figures.initialMarginUsd).toBeCloseTo(3010, 9);
  });

  itWithSharedData("charges a de-pegged stablecoin Derive's peg loss: USDC at its 2023-03-11 close", () => {
    const usdc = closeOn("usdc_usd_daily_ohlcv_yahoo.csv", "2023-03-11");
    expect(usdc).toBe(0.9715);
    const market = smallMarket({ indexUsd: { USDC: usdc } });
    const e = unwrap(evaluateAccount(account({ model: "standard", positions: [], collateral: { USDC: 100000 } }, market).account));
    const pegAdj = (0.98 - usdc) * 2; // 0.017
    expect(e.figures.equityUsd).toBeCloseTo(100000 * usdc, 9);
    expect(e.breakdown.depegImUsd).toBeCloseTo(pegAdj * 100000 * usdc, 6);
    expect(e.breakdown.depegImUsd).toBeCloseTo(1651.55, 6);
    // IM only, as at Derive.
    expect(e.figures.maintenanceMarginUsd).toBe(0);
    // At 0.99 (above the 0.98 threshold) there is no charge.
    const calm = unwrap(evaluateAccount(account({ model: "standard", positions: [], collateral: { USDC: 100000 } }, smallMarket({ indexUsd: { USDC: 0.99 } })).account));
    expect(calm.breakdown.depegImUsd).toBe(0);
  });

  it("the de-peg charge also scales the IM of the buckets settled in that stablecoin", () => {
    const market = smallMarket({ indexUsd: { USDC: 0.97 } });
    const e = unwrap(evaluateAccount(account({ model: "standard", positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 1 }], collateral: { USDC: 0 } }, market).account));
    const bucketIm = e.breakdown.tieredInitialMarginUsd;
    expect(bucketIm).toBeGreaterThan(0);
    expect(e.breakdown.depegImUsd).toBeCloseTo((0.98 - 0.97) * 2 * bucketIm, 9);
  });

  it("a model that values collateral itself (Derive PMRM_2) gets no account charge", () => {
    const market = smallMarket({ indexUsd: { USDC: 0.97 } });
    const file = { model: "derive-pmrm2", positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 1 }], collateral: { USDC: 20000, USDT: -100 } };
    const e = unwrap(evaluateAccount(account(file, market).account));
    expect(e.breakdown.depegImUsd + e.breakdown.borrowImUsd + e.breakdown.haircutImUsd).toBe(0);
    expect(e.collateral.every((l) => l.treatment === "model")).toBe(true);
    // The account's IM is the model's (no tiers by default): Derive applies its own peg adjustment inside.
    expect(e.figures.initialMarginUsd).toBe(e.margin.totalUsd.initialMargin);
  });

  it("a balance the market cannot price is a missing_index issue at collateral.<currency>", () => {
    const file = { model: "standard", positions: [], collateral: { DOGE: 5 } };
    const r = evaluateAccount({ ...account({ model: "standard", positions: [] }, smallMarket()).account, balances: file.collateral });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ code: "missing_index", path: "collateral.DOGE" });
  });
});
