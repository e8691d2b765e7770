/**
 * Distance to liquidation, moved markets and projected margin.
 * Reference: Hyperliquid's published liquidation price of an isolated position (crypto-venues.md §4):
 *   liq_price = price − side × margin_available / size / (1 − l × side),  l = MM rate (1 / maintenance leverage),
 * which is exact for a single linear perpetual with a constant MM rate: the standard model's rate 1 % + |size| ×
 * 0.005 % does not change with the price. The search runs to a bracket of 1e-9 in the move; tolerance 1e-8.
 * "All together" with betas is checked against the same linear equation solved for the common factor.
 */
import { describe, expect, it } from "vitest";
import { evaluateAccount, inEngine } from "../../src/account/account.js";
import { distanceToLiquidation } from "../../src/account/distance.js";
import { createMarginEngine } from "../../src/account/engine.js";
import { moveMarket } from "../../src/account/market-move.js";
import { projectedMargin } from "../../src/account/projected.js";
import { unwrap } from "../../src/errors.js";
import { parseInstrument } from "../../src/market/instrument.js";
import type { OptionInstrument } from "../../src/market/types.js";
import { optionMarkPrice } from "../../src/risk/marks.js";
import { account, close, smallMarket } from "./helpers.js";

const market = smallMarket();

/** Hyperliquid's formula (see the file comment), for a position of `size` coin (signed) at `price`. */
function hyperliquidLiqPrice(price: number, size: number, equity: number, mmRate: number): number {
  const side = Math.sign(size);
  const marginAvailable = equity - Math.abs(size) * price * mmRate;
  return price - (side * marginAvailable) / Math.abs(size) / (1 - mmRate * side);
}

describe("distanceToLiquidation", () => {
  it.each([
    [2, 20000],
    [-3, 15000],
  ])("one linear perpetual of %d BTC with %d USDC: Hyperliquid's liquidation price", (size, usdc) => {
    const a = account({ model: "standard", positions: [{ instrument: "BTC_USDC-PERPETUAL", size }], collateral: { USDC: usdc } }, market).account;
    const d = unwrap(distanceToLiquidation(a, { tolerance: 1e-9 }));
    const mmRate = 0.01 + Math.abs(size) * 0.00005;
    const expected = hyperliquidLiqPrice(60000, size, usdc, mmRate);
    const btc = d.underlyings.BTC;
    const hit = size > 0 ? btc?.down.liquidation : btc?.up.liquidation;
    const miss = size > 0 ? btc?.up : btc?.down;
    expect(close(hit?.indexUsd.BTC ?? 0, expected, 1e-8)).toBe(true);
    expect(miss?.liquidation).toBeNull();
    // At the reported point the account is liquidatable (MM ≥ equity): the reported end is the liquidated one.
    expect((hit?.maintenanceMarginUsd ?? 0) >= (hit?.equityUsd ?? 1)).toBe(true);
  });

  it("all together along betas solves the same linear equation for the common move", () => {
    const file = {
      model: "standard",
      positions: [
        { instrument: "BTC_USDC-PERPETUAL", size: 1 },
        { instrument: "ETH_USDC-PERPETUAL", size: 10 },
      ],
      collateral: { USDC: 12000 },
    };
    const a = account(file, market).account;
    const betas = { BTC: 1, ETH: 1.5 };
    const d = unwrap(distanceToLiquidation(a, { betas, tolerance: 1e-10 }));
    // Equity C + Σ q·M·β·m equals MM Σ q·M·(1 + β·m)·r (rates: BTC 1.005 %, ETH 1.004 %): linear in m.
    const legs = [
      { qm: 60000, beta: 1, r: 0.01 + 1 * 0.00005 },
      { qm: 30000, beta: 1.5, r: 0.01 + 10 * 0.000004 },
    ];
    const mm0 = legs.reduce((s, l) => s + l.qm * l.r, 0);
    const slope = legs.reduce((s, l) => s + l.qm * l.beta * (1 - l.r), 0);
    const m = (mm0 - 12000) / slope;
    expect(d.together?.down.liquidation?.moveDecimal).toBeCloseTo(m, 8);
    expect(d.together?.betas).toEqual(betas);
    // Each alone is further away than both together.
    expect(Math.abs(d.underlyings.BTC?.down.liquidation?.moveDecimal ?? -1)).toBeGreaterThan(Math.abs(m));
  });

  it("on the risk matrix, the reported move brackets the first liquidation to the tolerance", () => {
    const a = account(
      { model: "deribit", positions: [{ instrument: "BTC-30JAN26-60000-P", size: -4 }, { instrument: "BTC-PERPETUAL", size: -1 }], collateral: { USDC: 40000, BTC: 0.2 } },
      market,
    ).account;
    const d = unwrap(distanceToLiquidation(a, { tolerance: 1e-5 }));
    const down = d.underlyings.BTC?.down.liquidation;
    expect(down).not.toBeNull();
    const at = (m: number) => {
      const engine = createMarginEngine(a.engine.model, moveMarket(market, { BTC: m }, a.positions.map((p) => p.instrument.name)));
      return unwrap(evaluateAccount(inEngine(a, engine))).figures;
    };
    const hit = at(down?.moveDecimal ?? 0);
    const before = at((down?.moveDecimal ?? 0) + 2e-5);
    expect(hit.maintenanceMarginUsd).toBeGreaterThanOrEqual(hit.equityUsd);
    expect(before.maintenanceMarginUsd).toBeLessThan(before.equityUsd);
    expect(d.evaluations).toBeLessThan(150);
  });

  it("an account already liquidatable is at distance 0; bad betas are issues", () => {
    const a = account({ model: "standard", positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 10 }], collateral: { USDC: 1000 } }, market).account;
    const d = unwrap(distanceToLiquidation(a));
    expect(d.alreadyLiquidatable).toBe(true);
    expect(d.underlyings.BTC?.down.liquidation?.moveDecimal).toBe(0);
    const r = distanceToLiquidation(a, { betas: { BTC: 0, SOL: 1, ETH: Number.NaN } });
    expect(r.ok ? [] : r.issues.map((i) => `${i.path}:${i.code}`)).toEqual(["betas.BTC:out_of_range", "betas.SOL:invalid_value", "betas.ETH:non_finite"]);
  });
});

describe("moved markets", () => {
  it("a move of 0 reproduces the account's figures exactly", () => {
    const a = account(
      { model: "deribit", positions: [{ instrument: "BTC-27MAR26-70000-C", size: -2 }, { instrument: "BTC-27MAR26", size: 1 }, { instrument: "BTC_USDC-30JAN26-50000-P", size: 3 }], collateral: { BTC: 1, USDC: 5000 } },
      market,
    ).account;
    const moved = moveMarket(market, { BTC: 0, ETH: 0 }, a.positions.map((p) => p.instrument.name));
    const e0 = unwrap(evaluateAccount(a)).figures;
    const e1 = unwrap(evaluateAccount(inEngine(a, createMarginEngine(a.engine.model, moved)))).figures;
    expect(e1).toEqual(e0);
  });

  it("moves every price of the base: index, futures, forwards; options repriced at the same strike vol", () => {
    const moved = moveMarket(market, { BTC: -0.1 }, ["BTC-27MAR26", "BTC-30JAN26-60000-C"]);
    expect(moved.indexUsd("BTC")).toBeCloseTo(54000, 9);
    expect(moved.indexUsd("ETH")).toBe(3000);
    expect(moved.snapshot.instruments["BTC-27MAR26"]?.markPrice).toBeCloseTo(60600 * 0.9, 9);
    const inst = { kind: "option", name: "BTC-30JAN26-60000-C", base: "BTC", settlement: "inverse", settlementCurrency: "BTC", expiryMs: Date.parse("2026-01-30T08:00:00Z"), strikeUsd: 60000, optionKind: "call" } as const;
    expect(moved.optionInputs(inst).forwardUsd).toBeCloseTo(60180 * 0.9, 9);
    expect(moved.optionInputs(inst).volDecimal).toBe(market.optionInputs(inst).volDecimal);
  });
});

describe("projectedMargin", () => {
  it("drops the nearest expiry, settles it into cash at its value, keeps equity", () => {
    const file = {
      model: "deribit",
      positions: [
        { instrument: "BTC-30JAN26-70000-C", size: -3 },
        { instrument: "BTC_USDC-30JAN26-50000-P", size: 2 },
        { instrument: "BTC-27MAR26-60000-P", size: -1 },
      ],
      collateral: { BTC: 1, USDC: 10000 },
    };
    const p = unwrap(projectedMargin(account(file, market).account));
    expect(p.expiry).toBe("30JAN26");
    expect(p.expiring).toEqual(["BTC-30JAN26-70000-C", "BTC_USDC-30JAN26-50000-P"]);
    expect(close(p.projected.figures.equityUsd, p.current.figures.equityUsd, 1e-12)).toBe(true);
    // The same as the remaining position with the expiring ones' values (size × mark, risk/marks.ts) in cash.
    const mark = (name: string) => optionMarkPrice(unwrap(parseInstrument(name)) as OptionInstrument, market);
    const rest = unwrap(
      evaluateAccount(
        account(
          { ...file, positions: [file.positions[2]], collateral: { BTC: 1 - 3 * mark("BTC-30JAN26-70000-C"), USDC: 10000 + 2 * mark("BTC_USDC-30JAN26-50000-P") } },
          market,
        ).account,
      ),
    );
    expect(close(p.projected.figures.maintenanceMarginUsd, rest.figures.maintenanceMarginUsd, 1e-12)).toBe(true);
    expect(close(p.projected.figures.initialMarginUsd, rest.figures.initialMarginUsd, 1e-12)).toBe(true);
    expect(p.projected.figures.initialMarginUsd).toBeLessThan(p.current.figures.initialMarginUsd);
    const none = unwrap(projectedMargin(account({ model: "deribit", positions: [{ instrument: "BTC-PERPETUAL", size: 1 }], collateral: { BTC: 1 } }, market).account));
    expect(none.expiry).toBeNull();
  });
});
