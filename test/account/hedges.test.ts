/**
 * Hedge suggestions (greedy, full re-evaluation). Checked: every reported "IM after" equals a what-if of the same
 * trades on the original account (exact: same prices, same model); the budget is respected; under an isolated model
 * (standard margin) a further OTM call does not reduce a short call's margin, while under the risk matrix it does (the
 * issue's example: a naked short call hedged by a further out-of-the-money call or a perpetual).
 */
import { describe, expect, it } from "vitest";
import { suggestHedges } from "../../src/account/hedges.js";
import { whatIf } from "../../src/account/what-if.js";
import { unwrap } from "../../src/errors.js";
import { loadAccount } from "../../src/io/account.js";
import { account, smallMarket } from "./helpers.js";
import { liquidationMarket, modelOf } from "./random-accounts.js";

const market = smallMarket();
const nakedCall = (model: string) =>
  account({ model, positions: [{ instrument: "BTC-30JAN26-60000-C", size: -5 }], collateral: { USDC: 120000 } }, market).account;

describe("suggestHedges", () => {
  it("hedges a naked short call under the risk matrix; each step's IM is the what-if of the trades so far", () => {
    const a = nakedCall("deribit");
    const h = unwrap(suggestHedges(a, ["BTC-30JAN26-70000-C", "BTC-PERPETUAL", "BTC-27MAR26"], { maxTrades: 3 }));
    expect(h.steps.length).toBeGreaterThan(0);
    expect(h.steps[0]?.reductionUsd).toBeGreaterThan(0.05 * h.before.initialMarginUsd);
    let prev = h.before.initialMarginUsd;
    h.steps.forEach((s, i) => {
      expect(s.initialMarginBeforeUsd).toBe(prev);
      expect(s.initialMarginAfterUsd).toBeLessThan(prev);
      prev = s.initialMarginAfterUsd;
      const trades = h.steps.slice(0, i + 1).map((x) => ({ instrument: x.trade.instrument.name, sizeCoin: x.trade.sizeCoin, price: x.trade.price }));
      const w = unwrap(whatIf(a, trades));
      expect(w.after.figures.initialMarginUsd).toBe(s.initialMarginAfterUsd);
      expect(s.reductionPerCost).toBeCloseTo(s.reductionUsd / Math.max(s.costUsd, 0.01), 9);
    });
    expect(h.after.initialMarginUsd).toBe(prev);
  });

  it("under standard (isolated) margin an OTM call does not help; buying back the call does", () => {
    const a = nakedCall("standard");
    const none = unwrap(suggestHedges(a, ["BTC-30JAN26-70000-C", "BTC-PERPETUAL"], { maxTrades: 2 }));
    expect(none.steps).toEqual([]);
    expect(none.stop).toBe("no candidate trade reduces initial margin");
    const back = unwrap(suggestHedges(a, ["BTC-30JAN26-60000-C"], { maxTrades: 1 }));
    expect(back.steps[0]?.side).toBe("buy");
    expect(back.steps[0]?.trade.sizeCoin).toBe(5);
    // The premium is paid in BTC, which this USDC account borrows: what is left is the borrow margin (10 % IM).
    const w = unwrap(whatIf(a, [{ instrument: "BTC-30JAN26-60000-C", sizeCoin: 5, price: back.steps[0]?.trade.price ?? 0 }]));
    expect(w.after.breakdown.tieredInitialMarginUsd).toBe(0);
    expect(back.after.initialMarginUsd).toBeCloseTo(w.after.breakdown.borrowImUsd, 9);
    expect(w.after.breakdown.borrowImUsd).toBeCloseTo(0.1 * 5 * (back.steps[0]?.trade.price ?? 0) * 60000, 6);
  });

  it("respects the budget and answers bad input with paths", () => {
    const a = nakedCall("deribit");
    expect(unwrap(suggestHedges(a, ["BTC-30JAN26-70000-C", "BTC-PERPETUAL"], { maxTrades: 1 })).steps).toHaveLength(1);
    const free = unwrap(suggestHedges(a, ["BTC-30JAN26-70000-C"], { maxTrades: 3, maxCostUsd: 0 }));
    expect(free.steps).toEqual([]);
    const r = suggestHedges(a, ["BTC-30JAN26-65000-C", "ETH", "BTC-XX"], { maxTrades: 0 });
    expect(r.ok ? [] : r.issues.map((i) => `${i.path}:${i.code}`)).toEqual([
      "budget.maxTrades:out_of_range",
      "candidates[0]:unknown_instrument",
      "candidates[1]:unsupported",
      "candidates[2]:malformed_instrument",
    ]);
    const empty = suggestHedges(a, [], { maxTrades: 1 });
    expect(empty.ok ? "" : empty.issues[0]?.code).toBe("required");
  });

  it("merges a repeated instrument into one trade and goes on to the next-best instrument (one trade per instrument)", () => {
    // Found by the fuzz run: three sells of BTC-PERPETUAL in a row used the whole budget of 3 trades.
    const positions = [
      { instrument: "BTC-30JAN26-70000-C", size: -12 },
      { instrument: "BTC-27MAR26-60000-P", size: -12 },
      { instrument: "ETH-PERPETUAL", size: -240 },
      { instrument: "ETH_USDC-PERPETUAL", size: -240 },
    ];
    const a = unwrap(loadAccount({ positions, collateral: { USDC: 500000 } }, liquidationMarket(0.05), { model: modelOf("deribit") })).account;
    const candidates = ["BTC-PERPETUAL", "ETH-PERPETUAL", "BTC_USDC-PERPETUAL", "BTC-27MAR26", "BTC-30JAN26-70000-C", "BTC-27MAR26-60000-P"];
    const h = unwrap(suggestHedges(a, candidates, { maxTrades: 3 }));
    const names = h.steps.map((s) => s.trade.instrument.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(3);
    // Every step is still exactly the what-if of the (merged) trades so far.
    h.steps.forEach((s, i) => {
      const trades = h.steps.slice(0, i + 1).map((x) => ({ instrument: x.trade.instrument.name, sizeCoin: x.trade.sizeCoin, price: x.trade.price }));
      expect(unwrap(whatIf(a, trades)).after.figures.initialMarginUsd).toBe(s.initialMarginAfterUsd);
    });
    expect(h.after.initialMarginUsd).toBeLessThan(0.7 * h.before.initialMarginUsd);
  });
});
