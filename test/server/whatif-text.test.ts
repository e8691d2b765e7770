/**
 * The what-if answer printed with cached fragments (src/server/whatif-text.ts) is exactly what `jsonText` prints for
 * `whatIfDocument`: same keys, same order, same digits, on first print and on later prints that take fragments from
 * the cache, with and without a health event, over several models and trades.
 */
import { describe, expect, it } from "vitest";
import { evaluateAccount } from "../../src/account/account.js";
import { whatIfDocument } from "../../src/account/document.js";
import { whatIf } from "../../src/account/what-if.js";
import type { TradeInput } from "../../src/account/trades.js";
import { unwrap } from "../../src/errors.js";
import { jsonText } from "../../src/server/http.js";
import { createWhatIfText } from "../../src/server/whatif-text.js";
import { account, smallMarket } from "../account/helpers.js";

const market = smallMarket();
const book = {
  positions: [
    { instrument: "BTC-30JAN26-70000-C", size: -3 },
    { instrument: "BTC_USDC-PERPETUAL", size: 0.4 },
    { instrument: "ETH-PERPETUAL", size: 20 },
    { instrument: "BTC-27MAR26-60000-P", size: 2 },
  ],
  collateral: { BTC: 1, USDC: 30000 },
};
const trades: TradeInput[][] = [
  [{ instrument: "BTC_USDC-PERPETUAL", sizeCoin: 0.5 }],
  [{ instrument: "BTC-30JAN26-70000-C", sizeCoin: -1, price: 0.012 }],
  [{ instrument: "ETH_USDC-PERPETUAL", sizeCoin: 10 }],
  [{ instrument: "ETH-PERPETUAL", sizeCoin: -20 }],
  // Large enough to change the health state: the answer carries an `event`.
  [{ instrument: "BTC-PERPETUAL", sizeCoin: 400 }],
];

describe("what-if answer text", () => {
  for (const model of ["deribit", "standard", "span"]) {
    it(`equals jsonText(whatIfDocument) for every trade, first print and cached (${model})`, () => {
      const a = account({ ...book, model }, market).account;
      const before = unwrap(evaluateAccount(a));
      const print = createWhatIfText();
      let events = 0;
      for (let round = 0; round < 2; round++) {
        for (const t of trades) {
          const w = unwrap(whatIf(a, t, { before }));
          if (w.event !== undefined) events++;
          expect(print(w).toString("utf8")).toBe(jsonText(whatIfDocument(w)));
        }
      }
      if (model === "deribit") expect(events).toBeGreaterThan(0);
    });
  }

  it("refuses a non-finite number in a fragment as jsonText does", () => {
    const a = account({ ...book, model: "deribit" }, market).account;
    const w = unwrap(whatIf(a, trades[0] as TradeInput[]));
    const broken = { ...w, after: { ...w.after, positions: [{ ...(w.after.positions[0] as (typeof w.after.positions)[number]), valueUsd: Number.NaN }] } };
    expect(() => createWhatIfText()(broken)).toThrow(/non-finite number/);
  });
});
