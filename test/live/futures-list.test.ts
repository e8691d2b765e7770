/**
 * The equity's futures term (live/fast-margin.ts): an account's first futures and perpetuals of a bucket are listed
 * beside the book with their entry prices (book.ts FUTURE_LIST), more than that are walked in the segment. Both ways,
 * and the list after a fill changed an entry price or added a future, give the from-scratch figures. The list also
 * carries each future's row and size: a size held in USD contracts follows the mark (refreshUsdSizes), in the list too.
 */
import { describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { createLiveCore } from "../../src/live/core.js";
import type { LiveInput } from "../../src/live/core.js";
import { FUTURE_FIELDS, FUTURE_LIST, FUTURE_ROW, FUTURE_SIZE, FUTURE_STRIDE, refreshUsdSizes } from "../../src/live/book.js";
import type { BucketBook } from "../../src/live/book.js";
import { createRiskMatrixGroup, groupFigures } from "../../src/live/group.js";
import { createLiveMarket } from "../../src/live/market.js";
import { DEFAULT_ACCOUNT_RULES } from "../../src/account/rules.js";
import { loadModel } from "../../src/io/presets.js";
import type { RiskMatrixModel } from "../../src/models/risk-matrix/model.js";
import type { DerivativeInstrument } from "../../src/market/types.js";
import type { InstrumentQuote } from "../../src/market/types.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { EXAMPLE_MARKET, evaluateFromScratch, liveAccount, relDiff } from "./helpers.js";

const CONTEXT = unwrap(buildMarketContext(EXAMPLE_MARKET));
// The inverse futures and perpetual of one bucket (btc_btc), more of them than the list holds.
const BTC_FUTURES = ["BTC-25SEP26", "BTC-26JUN26", "BTC-27MAR26", "BTC-PERPETUAL"];

function markOf(name: string): number {
  return (EXAMPLE_MARKET.instruments[name] as InstrumentQuote).markPrice as number;
}

/** Account k: the first k BTC futures (entry prices 2 % to 8 % off the mark), an option and a linear perpetual. */
function accountFile(k: number): unknown {
  const futures = BTC_FUTURES.slice(0, k).map((instrument, i) => ({ instrument, size: i % 2 === 0 ? 3 + i : -2 - i, averagePrice: markOf(instrument) * (1 + (i % 2 === 0 ? 0.02 : -0.03) * (i + 1)) }));
  return {
    model: "deribit",
    positions: [...futures, { instrument: "BTC-27MAR26-100000-C", size: -2 }, { instrument: "BTC_USDC-PERPETUAL", size: 1.5, averagePrice: markOf("BTC_USDC-PERPETUAL") * 0.97 }],
    collateral: { BTC: 25, USDC: 40_000 },
  };
}

describe("futures listed beside the book", () => {
  it("0 to 4 futures in a bucket (listed and walked), through fills and ticks: the from-scratch figures (1e-9)", () => {
    expect(BTC_FUTURES.length).toBeGreaterThan(FUTURE_LIST);
    const accounts = [0, 1, 2, 3, 4].map((k) => liveAccount(`f${k}`, accountFile(k), CONTEXT));
    const core = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts }));
    const check = (): void => {
      for (const a of accounts) {
        const live = core.figures(a.id);
        const scratch = evaluateFromScratch(core, a.id).figures;
        expect(relDiff(live?.equityUsd as number, scratch.equityUsd), a.id).toBeLessThanOrEqual(1e-9);
        expect(relDiff(live?.maintenanceMarginUsd as number, scratch.maintenanceMarginUsd), a.id).toBeLessThanOrEqual(1e-9);
      }
    };
    let seq = 0;
    let t = EXAMPLE_MARKET.timestampMs;
    const tick = (btc: number): void => {
      t += 60_000;
      const r = core.apply({ kind: "tick", tick: { seq: ++seq, timestampMs: t, indexUsd: { BTC: (core.market().indexUsd.BTC as number) * btc } } });
      expect(r.status).toBe("applied");
    };
    const fill = (account: string, instrument: string, size: number, away: number): void => {
      const price = (core.market().instruments[instrument] as InstrumentQuote).markPrice as number;
      const input: LiveInput = { kind: "fill", seq: ++seq, timestampMs: t, account, fill: { instrument, size, price: price * (1 + away), fee: 0, feeCurrency: "USDC", tradeId: `t${seq}` } };
      const r = core.apply(input);
      expect(r.status, JSON.stringify(r.issues)).toBe("applied");
    };
    tick(1.03);
    check();
    // A listed future's entry price moves (adding to it at another price), then the list grows past its size.
    fill("f1", "BTC-25SEP26", 4, 0.05);
    tick(0.96);
    check();
    fill("f2", "BTC-27MAR26", 1, -0.04);
    fill("f0", "BTC-PERPETUAL", -3, 0.01);
    tick(1.02);
    check();
    // Closing a future: the list shrinks.
    const held = core.account("f3")?.positions.find((p) => p.instrument.name === "BTC-25SEP26");
    fill("f3", "BTC-25SEP26", -(held?.sizeCoin as number), 0.02);
    tick(0.99);
    check();
  });

  it("a future held in USD contracts: its listed size follows the mark with the book's (a thread holding the account alone), or the list is dropped (a claim run twice)", () => {
    const market = unwrap(createLiveMarket(EXAMPLE_MARKET));
    const model = unwrap(loadModel("deribit")) as RiskMatrixModel;
    const name = "BTC-25SEP26";
    const inst = market.listing.byName.get(name) as DerivativeInstrument;
    const notionalUsd = 10_000;
    const position = { instrument: inst, sizeCoin: notionalUsd / markOf(name), notionalUsd, averagePrice: markOf(name) * 1.03 };
    const group = unwrap(createRiskMatrixGroup(model, true, market.listing, market.context, [{ rules: DEFAULT_ACCOUNT_RULES, positions: [position], balances: { BTC: 5 } }]));
    const book = group.books.find((b) => b.key === "btc_btc") as BucketBook;
    const marks = group.arrays.markValue;
    const r = group.arrays.rowOf.get(name) as number;
    groupFigures(group, 0, market.context);
    expect(book.futures[0]).toBe(1);
    // The future's place in the segment (after the offset balance's row, which sorts first).
    const k = (book.offsets[0] as number) + (book.futureSlot[0] as number);
    expect(book.row[k]).toBe(r);
    expect(book.futureList[FUTURE_ROW]).toBe(r);
    expect(book.futureList[FUTURE_SIZE]).toBe(book.size[k]);
    expect(FUTURE_STRIDE).toBe(FUTURE_LIST * FUTURE_FIELDS);
    marks[r] = (marks[r] as number) * 1.05;
    refreshUsdSizes(book, marks, 0, 1, true);
    expect(book.size[k]).toBe(notionalUsd / (marks[r] as number));
    expect(book.futures[0]).toBe(1);
    expect(book.futureList[FUTURE_SIZE]).toBe(book.size[k]);
    marks[r] = (marks[r] as number) * 0.97;
    refreshUsdSizes(book, marks, 0, 1, false);
    expect(book.size[k]).toBe(notionalUsd / (marks[r] as number));
    expect(book.futures[0]).toBe(-1);
    groupFigures(group, 0, market.context);
    expect(book.futures[0]).toBe(1);
    expect(book.futureList[FUTURE_SIZE]).toBe(book.size[k]);
  });
});
