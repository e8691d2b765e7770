/**
 * Mark-to-market with `averagePrice`: futures and perpetual P&L since the average price counts in equity (inverse in
 * coin, linear in the settlement currency), checked against an independent exact-rational computation
 * (test/fixtures/mtm/generate.py); the linear-perpetual conflict with `unrealisedPnlUsdc`; duplicates merged with a
 * size-weighted average price that keeps every position's P&L; what-if on a position with an average price.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateAccount } from "../../src/account/account.js";
import { whatIf } from "../../src/account/what-if.js";
import { unwrap } from "../../src/errors.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { account, close, smallMarket } from "./helpers.js";

interface Expected {
  account: { positions: Record<string, unknown>[]; collateral: Record<string, number> };
  positions: { instrument: string; value: number; currency: string; valueUsd: number }[];
  equityUsd: number;
}
const expected = JSON.parse(readFileSync(new URL("../fixtures/mtm/expected.json", import.meta.url), "utf8")) as Expected;
const market = smallMarket();

describe("futures P&L since averagePrice in equity", () => {
  it("equals the exact-rational reference per position and in total (1e-12 relative)", () => {
    const ev = unwrap(evaluateAccount(account({ model: "deribit", ...expected.account }, market).account));
    for (const want of expected.positions) {
      const got = ev.positions.find((p) => p.instrument === want.instrument);
      expect(got, want.instrument).toBeDefined();
      expect(got?.currency).toBe(want.currency);
      expect(close(got?.value ?? NaN, want.value, 1e-12, 1e-12), `${want.instrument}: ${got?.value} vs ${want.value}`).toBe(true);
    }
    expect(close(ev.figures.equityUsd, expected.equityUsd, 1e-12)).toBe(true);
  });

  it("is 0 at the mark, and a long perpetual's equity falls with its mark (a leveraged long reaches liquidation)", () => {
    const file = { model: "deribit", positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 10, averagePrice: 60000 }], collateral: { USDC: 30000 } };
    const at = (btc: number) => unwrap(evaluateAccount(account(file, smallMarket({ indexUsd: { BTC: btc } })).account));
    expect(at(60000).figures.equityUsd).toBeCloseTo(30000, 9);
    expect(at(58000).figures.equityUsd).toBeCloseTo(30000 - 20000, 9);
    expect(at(57500).health.state).toBe("liquidation");
    // Without averagePrice the same position is worth 0 whatever the mark (the previous behaviour).
    const flat = { ...file, positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 10 }] };
    expect(unwrap(evaluateAccount(account(flat, smallMarket({ indexUsd: { BTC: 50000 } })).account)).figures.equityUsd).toBeCloseTo(30000, 9);
  });

  it("options keep their mark value: averagePrice is informational", () => {
    const withAvg = { model: "deribit", positions: [{ instrument: "BTC-30JAN26-70000-C", size: -2, averagePrice: 0.5 }], collateral: { BTC: 1 } };
    const without = { ...withAvg, positions: [{ instrument: "BTC-30JAN26-70000-C", size: -2 }] };
    const a = unwrap(evaluateAccount(account(withAvg, market).account)).figures.equityUsd;
    const b = unwrap(evaluateAccount(account(without, market).account)).figures.equityUsd;
    expect(a).toBe(b);
  });
});

describe("averagePrice validation", () => {
  it("refuses averagePrice with unrealisedPnlUsdc on a linear perpetual (the same P&L twice)", () => {
    const r = validatePortfolio({ positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 1, averagePrice: 59000, unrealisedPnlUsdc: 1000 }] }, market);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues.map((i) => `${i.path}: ${i.code}`)).toEqual(["positions[0]: invalid_value"]);
  });

  it("refuses a non-positive futures averagePrice, a negative option one, and one on a balance", () => {
    const r = validatePortfolio(
      {
        positions: [
          { instrument: "BTC-PERPETUAL", size: 1, averagePrice: 0 },
          { instrument: "BTC-30JAN26-70000-C", size: 1, averagePrice: -0.1 },
          { instrument: "BTC", size: 1, averagePrice: 60000 },
        ],
      },
      market,
    );
    expect(r.ok).toBe(false);
    if (!r.ok)
      expect(r.issues.map((i) => `${i.path}: ${i.code}`)).toEqual([
        "positions[0].averagePrice: not_positive",
        "positions[1].averagePrice: not_positive",
        "positions[2].averagePrice: unsupported",
      ]);
  });
});

describe("duplicates with average prices", () => {
  const valueOf = (positions: Record<string, unknown>[], collateral: Record<string, number> = {}) =>
    unwrap(evaluateAccount(account({ model: "deribit", positions, collateral }, market).account)).figures.equityUsd;

  it("merge on one side with the size-weighted average (inverse: weighted by coin at each entry)", () => {
    const lin = unwrap(validatePortfolio({ positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 1, averagePrice: 50000 }, { instrument: "BTC_USDC-PERPETUAL", size: 3, averagePrice: 62000 }] }, market));
    expect(lin.positions[0]?.averagePrice).toBeCloseTo((50000 + 3 * 62000) / 4, 9);
    expect(lin.notes[0]).toMatch(/average price/);
    // Inverse: notionals 1·M and 3·M at 50,000 and 62,000: A = 4M / (M/50000 + 3M/62000).
    const inv = unwrap(validatePortfolio({ positions: [{ instrument: "BTC-PERPETUAL", size: 1, averagePrice: 50000 }, { instrument: "BTC-PERPETUAL", size: 3, averagePrice: 62000 }] }, market));
    expect(inv.positions[0]?.averagePrice).toBeCloseTo(4 / (1 / 50000 + 3 / 62000), 9);
  });

  it("keep the total P&L of the parts in equity, whatever their sides (property)", () => {
    const names = ["BTC-PERPETUAL", "BTC_USDC-PERPETUAL", "BTC-27MAR26", "ETH-PERPETUAL"];
    fc.assert(
      fc.property(
        fc.constantFrom(...names),
        fc.array(fc.record({ size: fc.double({ min: -5, max: 5, noNaN: true }).filter((x) => Math.abs(x) > 1e-3), avg: fc.double({ min: 0.5, max: 1.5, noNaN: true }), given: fc.boolean() }), { minLength: 2, maxLength: 5 }),
        (name, parts) => {
          const mark = name.startsWith("ETH") ? 3000 : name === "BTC-27MAR26" ? 60600 : 60000;
          const positions = parts.map((p) => ({ instrument: name, size: p.size, ...(p.given ? { averagePrice: p.avg * mark } : {}) }));
          const merged = valueOf(positions);
          const separately = positions.reduce((sum, p) => sum + valueOf([p]), 0);
          expect(close(merged, separately, 1e-9, 1e-6)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("what-if on positions with an average price", () => {
  it("changes equity by the trade's value change only (0 at the mark), and realises a closed part", () => {
    const file = { model: "deribit", positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 2, averagePrice: 55000 }, { instrument: "BTC-PERPETUAL", size: 1, averagePrice: 50000 }], collateral: { USDC: 10000, BTC: 1 } };
    const a = account(file, market).account;
    const w = unwrap(whatIf(a, [{ instrument: "BTC_USDC-PERPETUAL", sizeCoin: -1.5 }, { instrument: "BTC-PERPETUAL", sizeCoin: 0.5 }]));
    expect(Math.abs(w.change.equityUsd)).toBeLessThan(1e-7);
    const perp = w.account.positions.find((p) => p.instrument.name === "BTC_USDC-PERPETUAL");
    expect(perp?.sizeCoin).toBeCloseTo(0.5, 12);
    expect(perp?.averagePrice).toBe(55000);
    expect(w.account.balances.USDC).toBeCloseTo(10000 + 1.5 * 5000, 9);
    // Inverse increase at the mark 60,000: notionals 1 × 60,000 entered at 50,000 and 0.5 × 60,000 at 60,000.
    const inv = w.account.positions.find((p) => p.instrument.name === "BTC-PERPETUAL");
    expect(inv?.averagePrice).toBeCloseTo(90000 / (60000 / 50000 + 30000 / 60000), 9);
  });
});
