/**
 * Maximum order size and borrowing power, found by search on the full model.
 * References: Deribit's published standard-margin worked examples for BTC_USDC linear perpetuals (presets/
 * standard-deribit.json source: 25 BTC → IM 2.125 %, 350 BTC → IM 3.75 %): with exactly that IM as collateral the
 * maximum buy is 25 (350) BTC; the search is run to a relative bracket of 1e-10, so the answer must match to 1e-9.
 * Borrowing power against the closed form of the same linear rules (haircut and borrow rates of the account rules).
 */
import { describe, expect, it } from "vitest";
import { evaluateAccount } from "../../src/account/account.js";
import { borrowingPower, maxOrderSize } from "../../src/account/max-order.js";
import { whatIf } from "../../src/account/what-if.js";
import { unwrap } from "../../src/errors.js";
import { account, close, smallMarket } from "./helpers.js";

const market = smallMarket();

describe("maxOrderSize", () => {
  it.each([
    [25, 0.02125],
    [350, 0.0375],
  ])("Deribit's worked example: collateral = IM of %d BTC at %d of notional → the maximum is that size", (size, rate) => {
    const collateral = size * 60000 * rate;
    const a = account({ model: "standard", positions: [], collateral: { USDC: collateral } }, market).account;
    for (const side of ["buy", "sell"] as const) {
      const r = unwrap(maxOrderSize(a, "BTC_USDC-PERPETUAL", side, { relativeTolerance: 1e-10 }));
      expect(close(r.maxSizeCoin, size, 1e-9)).toBe(true);
      expect(r.limitedBy).toBe("initial_margin");
      expect(r.notionalUsd).toBeCloseTo(r.maxSizeCoin * 60000, 6);
      expect(r.evaluations).toBeLessThan(80);
    }
  });

  it("on the risk matrix: the maximum is accepted and 0.1 % more is not; lots round down", () => {
    const a = account(
      { model: "deribit", positions: [{ instrument: "BTC-PERPETUAL", size: 1 }, { instrument: "BTC-30JAN26-50000-P", size: 2 }], collateral: { BTC: 0.5, USDC: 40000 } },
      market,
    ).account;
    const r = unwrap(maxOrderSize(a, "BTC-30JAN26-70000-C", "sell"));
    expect(r.maxSizeCoin).toBeGreaterThan(0);
    const at = unwrap(whatIf(a, [{ instrument: "BTC-30JAN26-70000-C", sizeCoin: -r.maxSizeCoin }]));
    const beyond = unwrap(whatIf(a, [{ instrument: "BTC-30JAN26-70000-C", sizeCoin: -r.maxSizeCoin * 1.001 }]));
    expect(at.accepted).toBe(true);
    expect(beyond.accepted).toBe(false);
    const lots = unwrap(maxOrderSize(a, "BTC-30JAN26-70000-C", "sell", { lotCoin: 0.1 }));
    expect(Math.abs(lots.maxSizeCoin / 0.1 - Math.round(lots.maxSizeCoin / 0.1))).toBeLessThan(1e-9);
    expect(lots.maxSizeCoin).toBeLessThanOrEqual(r.maxSizeCoin + 0.1 * 1e-6);
    expect(lots.maxSizeCoin).toBeGreaterThan(r.maxSizeCoin - 0.1 - 1e-9);
  });

  it("answers 0 when IM already exceeds equity and the side adds risk", () => {
    const a = account({ model: "standard", positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 10 }], collateral: { USDC: 1000 } }, market).account;
    expect(unwrap(evaluateAccount(a)).figures.availableFundsUsd).toBeLessThan(0);
    const r = unwrap(maxOrderSize(a, "BTC_USDC-PERPETUAL", "buy"));
    expect(r.maxSizeCoin).toBe(0);
    expect(r.limitedBy).toBe("none");
  });

  it("rejects bad input with paths", () => {
    const a = account({ model: "standard", positions: [], collateral: { USDC: 1000 } }, market).account;
    const side = maxOrderSize(a, "BTC-PERPETUAL", "hold" as "buy");
    expect(side.ok ? [] : side.issues.map((i) => `${i.path}:${i.code}`)).toEqual(["side:invalid_value"]);
    const unknown = maxOrderSize(a, "DOGE-PERPETUAL", "buy");
    expect(unknown.ok ? [] : unknown.issues.map((i) => `${i.path}:${i.code}`)).toEqual(["instrument:missing_index"]);
    const price = maxOrderSize(a, "BTC-PERPETUAL", "buy", { price: Number.NaN });
    expect(price.ok ? [] : price.issues.map((i) => `${i.path}:${i.code}`)).toEqual(["price:non_finite"]);
  });
});

describe("borrowingPower", () => {
  it("matches the closed form: withdraw, then borrow at 10 % IM", () => {
    // Equity 31,000 (1,000 USDC + 10 ETH); IM = perp 60,000 × 2.005 % + ETH haircut 10 % × 30,000 = 4,203.
    const a = account({ model: "standard", positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 1 }], collateral: { USDC: 1000, ETH: 10 } }, market).account;
    const e = unwrap(evaluateAccount(a));
    expect(e.figures.initialMarginUsd).toBeCloseTo(1203 + 3000, 9);
    // 31,000 − x − 4,203 − 0.1·(x − 1,000) = 0.
    const x = (31000 - 4203 + 100) / 1.1;
    const r = unwrap(borrowingPower(a, "USDC", { relativeTolerance: 1e-11 }));
    expect(close(r.amount, x, 1e-9)).toBe(true);
    expect(close(r.borrowed, x - 1000, 1e-9)).toBe(true);
  });

  it("is 0 when available funds are already negative; a currency without price is an issue", () => {
    const a = account({ model: "standard", positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 10 }], collateral: { USDC: 1000 } }, market).account;
    expect(unwrap(borrowingPower(a, "USDC")).amount).toBe(0);
    const r = borrowingPower(a, "DOGE");
    expect(r.ok ? "" : r.issues[0]?.code).toBe("missing_index");
  });
});
