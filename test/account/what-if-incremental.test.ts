/**
 * What-if evaluates the account after the trades from the account before (`evaluateAccount(next, { basis })`): the
 * values of untouched positions and the risk-matrix buckets whose positions did not change are taken over, not
 * recomputed. That must change only the work: the after-trade evaluation is checked against a from-scratch evaluation
 * of the same account (every field, bit for bit), over random books, trades and models, and a basis from another engine
 * or market must be ignored.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateAccount } from "../../src/account/account.js";
import { evaluationJson } from "../../src/account/document.js";
import { createMarginEngine } from "../../src/account/engine.js";
import { applyTrades } from "../../src/account/trades.js";
import { whatIf } from "../../src/account/what-if.js";
import { unwrap } from "../../src/errors.js";
import { loadAccount } from "../../src/io/account.js";
import { account, smallMarket } from "./helpers.js";
import { modelOf, universeOf } from "./random-accounts.js";

const market = smallMarket();

/** Everything an evaluation prints, with the model's scenario P&L and audit detail (lazy getters read). */
const full = (e: Parameters<typeof evaluationJson>[0]) => JSON.stringify({ ...evaluationJson(e), byCurrency: e.margin.byCurrency });

describe("what-if from the account before (incremental evaluation)", () => {
  it("keeps the untouched buckets and position values and equals a from-scratch evaluation", () => {
    const a = account(
      {
        model: "deribit",
        positions: [
          { instrument: "BTC-30JAN26-70000-C", size: -3 },
          { instrument: "BTC_USDC-PERPETUAL", size: 0.4 },
          { instrument: "ETH-PERPETUAL", size: 20 },
        ],
        collateral: { BTC: 1, USDC: 30000 },
      },
      market,
    ).account;
    const before = unwrap(evaluateAccount(a));
    // A linear trade: cash in USDC (not an offset currency), so only the btc_usdc bucket changes.
    const w = unwrap(whatIf(a, [{ instrument: "BTC_USDC-PERPETUAL", sizeCoin: 0.5 }], { before }));
    const scratch = unwrap(evaluateAccount(applyTrades(a, w.trades)));
    expect(full(w.after)).toBe(full(scratch));
    expect(w.after.margin.byCurrency.btc_btc).toBe(before.margin.byCurrency.btc_btc);
    expect(w.after.margin.byCurrency.eth_eth).toBe(before.margin.byCurrency.eth_eth);
    expect(w.after.margin.byCurrency.btc_usdc).not.toBe(before.margin.byCurrency.btc_usdc);
    expect(w.after.positions.find((p) => p.instrument === "ETH-PERPETUAL")).toBe(before.positions.find((p) => p.instrument === "ETH-PERPETUAL"));
  });

  it("ignores a basis evaluated on another engine or market (nothing is taken over, figures are the account's own)", () => {
    const file = { model: "deribit", positions: [{ instrument: "ETH-PERPETUAL", size: 20 }, { instrument: "BTC-PERPETUAL", size: 1 }], collateral: { USDC: 30000 } };
    const a = account(file, market).account;
    const moved = smallMarket({ indexUsd: { BTC: 50000, ETH: 2500 } });
    const elsewhere = unwrap(evaluateAccount(account(file, moved).account));
    const sameMarketOtherEngine = unwrap(evaluateAccount({ ...a, engine: createMarginEngine(a.engine.model, market) }));
    for (const basis of [elsewhere, sameMarketOtherEngine]) {
      const e = unwrap(evaluateAccount(a, { basis }));
      expect(full(e)).toBe(full(unwrap(evaluateAccount(a))));
      expect(e.margin.byCurrency.eth_eth).not.toBe(basis.margin.byCurrency.eth_eth);
      expect(e.positions[0]).not.toBe(basis.positions[0]);
    }
  });

  it("equals a from-scratch evaluation for random books, trades and models", () => {
    const models = ["deribit", "standard", "span", "derive-pmrm2"] as const;
    fc.assert(
      fc.property(
        fc.constantFrom(...models).chain((model) => {
          const universe = universeOf(model);
          const position = fc.record({ instrument: fc.constantFrom(...universe), size: fc.double({ min: -8, max: 8, noNaN: true }).filter((x) => Math.abs(x) >= 0.05) });
          return fc.record({
            model: fc.constant(model),
            positions: fc.uniqueArray(position, { minLength: 1, maxLength: 6, selector: (p) => p.instrument }),
            trades: fc.array(position, { minLength: 1, maxLength: 3 }),
            btc: fc.double({ min: 0, max: 3, noNaN: true }),
          });
        }),
        (c) => {
          const loaded = loadAccount({ positions: c.positions, collateral: { BTC: c.btc, USDC: 500000 } }, market, { model: modelOf(c.model) });
          if (!loaded.ok) return;
          const a = loaded.value.account;
          const before = evaluateAccount(a);
          if (!before.ok) return;
          // Some trades close a position exactly (the size taken from the book): buckets then lose a position.
          const trades = c.trades.map((t, i) => ({ instrument: t.instrument, sizeCoin: i === 0 ? -(a.positions.find((p) => p.instrument.name === t.instrument)?.sizeCoin ?? t.size) : t.size }));
          const w = whatIf(a, trades, { before: before.value });
          if (!w.ok) return;
          const scratch = unwrap(evaluateAccount(applyTrades(a, w.value.trades)));
          expect(full(w.value.after)).toBe(full(scratch));
        },
      ),
      { numRuns: 150, seed: 20261207 },
    );
  });
});
