/**
 * What-if and pre-trade checks. The "after" side is checked against the same account written directly as a file
 * (positions and balances after the trades, cash computed by hand from the trade rules in trades.ts), so the copy,
 * the merge of positions and the cash booking are verified independently of the what-if code path.
 */
import { describe, expect, it } from "vitest";
import { evaluateAccount } from "../../src/account/account.js";
import { usdText, whatIf } from "../../src/account/what-if.js";
import { unwrap } from "../../src/errors.js";
import { account, close, smallMarket } from "./helpers.js";

const market = smallMarket();
const base = {
  model: "deribit",
  positions: [
    { instrument: "BTC-30JAN26-70000-C", size: -3 },
    { instrument: "BTC_USDC-PERPETUAL", size: 0.4 },
  ],
  collateral: { BTC: 1, USDC: 30000 },
};

describe("whatIf", () => {
  it("equals the account written with the trades applied (option premium, futures entry away from the mark)", () => {
    const a = account(base, market).account;
    const w = unwrap(
      whatIf(a, [
        { instrument: "BTC-30JAN26-70000-C", sizeCoin: -2, price: 0.012 },
        { instrument: "BTC_USDC-PERPETUAL", sizeCoin: 0.6, price: 59000 },
        { instrument: "BTC-PERPETUAL", sizeCoin: 1, price: 59500 },
      ]),
    );
    // Cash by hand: option −q·P = +0.024 BTC; linear q·(M − P) = 0.6·1000 USDC; inverse q·(M/P − 1) BTC.
    const expected = account(
      {
        model: "deribit",
        positions: [
          { instrument: "BTC-30JAN26-70000-C", size: -5 },
          { instrument: "BTC_USDC-PERPETUAL", size: 1 },
          { instrument: "BTC-PERPETUAL", size: 1 },
        ],
        collateral: { BTC: 1 + 0.024 + (60000 / 59500 - 1), USDC: 30000 + 600 },
      },
      market,
    ).account;
    const e = unwrap(evaluateAccount(expected));
    // Tolerance 1e-12 relative: identical inputs up to the order of float additions in the balances.
    for (const k of ["equityUsd", "initialMarginUsd", "maintenanceMarginUsd"] as const) expect(close(w.after.figures[k], e.figures[k], 1e-12)).toBe(true);
    expect(w.change.equityUsd).toBeCloseTo(w.after.figures.equityUsd - w.before.figures.equityUsd, 9);
    // The trades at a better price than the mark add equity: each is q·(M − P) in value.
    expect(w.trades.map((t) => t.priceSource)).toEqual(["given", "given", "given"]);
  });

  it("never changes the input account", () => {
    const a = account(base, market).account;
    const snapshot = JSON.stringify({ positions: a.positions, balances: a.balances });
    unwrap(whatIf(a, [{ instrument: "BTC-30JAN26-70000-C", sizeCoin: 3 }]));
    expect(JSON.stringify({ positions: a.positions, balances: a.balances })).toBe(snapshot);
  });

  it("closing a position at the mark removes it and leaves equity unchanged", () => {
    const a = account(base, market).account;
    const w = unwrap(whatIf(a, [{ instrument: "BTC-30JAN26-70000-C", sizeCoin: 3 }]));
    expect(w.account.positions.map((p) => p.instrument.name)).toEqual(["BTC_USDC-PERPETUAL"]);
    expect(close(w.after.figures.equityUsd, w.before.figures.equityUsd, 1e-12)).toBe(true);
    expect(w.accepted).toBe(true);
  });

  it("rejects with the shortfall in the message, accepts a risk-reducing trade in a deficit", () => {
    const a = account({ ...base, collateral: { USDC: 40000 } }, market).account;
    const w = unwrap(whatIf(a, [{ instrument: "BTC-30JAN26-60000-C", sizeCoin: -10 }]));
    expect(w.accepted).toBe(false);
    const shortfall = -w.after.figures.availableFundsUsd;
    expect(shortfall).toBeGreaterThan(1000);
    expect(w.reason).toBe(`IM would exceed equity by ${usdText(shortfall)}`);
    expect(w.reason).toMatch(/^IM would exceed equity by \d{1,3}(,\d{3})* USD$/);
    expect(w.event).toMatchObject({ from: "healthy", to: "liquidation", direction: "worse" });
    // The same account is already short of IM; buying back one call lowers IM: accepted as risk-reducing.
    const deficit = account({ ...base, collateral: { USDC: 10000 } }, market).account;
    expect(unwrap(evaluateAccount(deficit)).figures.availableFundsUsd).toBeLessThan(0);
    const back = unwrap(whatIf(deficit, [{ instrument: "BTC-30JAN26-70000-C", sizeCoin: 1 }]));
    expect(back.accepted).toBe(true);
    expect(back.reason).toMatch(/^reduces initial margin by/);
  });

  it("formats USD amounts like the issue's example", () => {
    expect(usdText(1204)).toBe("1,204 USD");
    expect(usdText(1204.4)).toBe("1,204 USD");
    expect(usdText(12.5)).toBe("12.50 USD");
  });

  it("answers bad trades with codes and paths", () => {
    const a = account(base, market).account;
    const r = whatIf(a, [
      // Unquoted options are priced from the surface (one rule with margin); a base without an index cannot be.
      { instrument: "DOGE-30JAN26-1-C", sizeCoin: 1 },
      { instrument: "BTC-FOO", sizeCoin: 1 },
      { instrument: "BTC-PERPETUAL", sizeCoin: 0 },
      { instrument: "BTC-PERPETUAL", sizeCoin: Number.NaN },
      { instrument: "BTC", sizeCoin: 1 },
      { instrument: "BTC-30JAN26-70000-C", sizeCoin: 1, price: -0.1 },
      { instrument: "BTC-PERPETUAL", sizeCoin: 1, price: 0 },
      { instrument: "BTC-PERPETUAL", sizeCoin: Number.POSITIVE_INFINITY },
    ]);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues.map((i) => `${i.path}:${i.code}`)).toEqual([
      "trades[0].instrument:missing_index",
      "trades[1].instrument:malformed_instrument",
      "trades[2].sizeCoin:invalid_value",
      "trades[3].sizeCoin:non_finite",
      "trades[4].instrument:unsupported",
      "trades[5].price:out_of_range",
      "trades[6].price:not_positive",
      "trades[7].sizeCoin:non_finite",
    ]);
  });

  it("takes OKX instrument ids in trades (BTC-USD-SWAP is BTC-PERPETUAL), same result as the netrisk name", () => {
    const a = account(base, market).account;
    const byId = unwrap(whatIf(a, [{ instrument: "BTC-USD-SWAP", sizeCoin: -0.5 }, { instrument: "BTC-USD-260130-70000-C", sizeCoin: 1 }]));
    const byName = unwrap(whatIf(a, [{ instrument: "BTC-PERPETUAL", sizeCoin: -0.5 }, { instrument: "BTC-30JAN26-70000-C", sizeCoin: 1 }]));
    expect(byId.trades.map((t) => t.instrument.name)).toEqual(["BTC-PERPETUAL", "BTC-30JAN26-70000-C"]);
    expect(byId.after.figures).toEqual(byName.after.figures);
  });
});
