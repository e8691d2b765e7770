/**
 * Fills on an account document (src/account/fills.ts) and the lot arithmetic under them (src/account/lots.ts):
 * properties of fill sequences (a fill and its exact reverse restore the size and realise the P&L of the price
 * difference; a fill changes equity at any mark by exactly its value change there; a sequence's realised plus
 * remaining P&L equals the sum of its fills' P&L), the document written back, fees, warnings, funding, settlement,
 * and every refused fill with its code and path.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateAccount } from "../../src/account/account.js";
import { applyFill, applyFills, applyFunding, settlePnl, settlementInstants } from "../../src/account/fills.js";
import type { Fill } from "../../src/account/fills.js";
import { fillLot, lotPnl } from "../../src/account/lots.js";
import type { Lot, LotKind } from "../../src/account/lots.js";
import { unwrap } from "../../src/errors.js";
import { account, close, smallMarket } from "./helpers.js";

const market = smallMarket();
const size = fc.double({ min: -50, max: 50, noNaN: true }).filter((x) => Math.abs(x) > 1e-4);
const price = fc.double({ min: 100, max: 200000, noNaN: true });
const kind = fc.constantFrom<LotKind>("linear", "inverse");
const value = (k: LotKind, lot: Lot | undefined, mark: number): number => (lot === undefined ? 0 : lotPnl(k, lot.size, lot.averagePrice, mark));
const asLot = (a: { size: number; averagePrice: number | undefined }): Lot | undefined => (a.averagePrice === undefined ? undefined : { size: a.size, averagePrice: a.averagePrice });

describe("lot arithmetic (properties)", () => {
  it("a fill and its exact reverse restore the size and realise the P&L of the price difference", () => {
    fc.assert(
      fc.property(kind, size, price, price, fc.option(fc.record({ s: size, a: price }), { nil: undefined }), (k, s, p1, p2, start) => {
        const lot0 = start === undefined ? undefined : { size: start.s, averagePrice: start.a };
        const a = fillLot(k, lot0, { size: s, averagePrice: p1 });
        const b = fillLot(k, asLot(a), { size: -s, averagePrice: p2 });
        expect(close(b.size, lot0?.size ?? 0, 1e-12, 1e-9)).toBe(true);
        if (lot0 === undefined) {
          // From flat: everything realised, exactly the round trip's P&L.
          expect(close(b.realised, lotPnl(k, s, p1, p2), 1e-9, 1e-9)).toBe(true);
        } else {
          // Realised plus what the remaining position is worth at p2 equals the start's and the round trip's P&L.
          const total = a.realised + b.realised + value(k, asLot(b), p2);
          expect(close(total, value(k, lot0, p2) + lotPnl(k, s, p1, p2), 1e-9, 1e-6)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
  });

  it("a fill changes realised + position value at any mark by exactly the fill's own P&L to that mark", () => {
    fc.assert(
      fc.property(kind, fc.record({ s: size, a: price }), size, price, price, (k, start, s, p, mark) => {
        const lot0 = { size: start.s, averagePrice: start.a };
        const after = fillLot(k, lot0, { size: s, averagePrice: p });
        const change = after.realised + value(k, asLot(after), mark) - value(k, lot0, mark);
        expect(close(change, lotPnl(k, s, p, mark), 1e-9, 1e-6)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });

  it("over a sequence, realised + remaining P&L equals the sum of the fills' P&L", () => {
    fc.assert(
      fc.property(kind, fc.array(fc.record({ s: size, p: price }), { minLength: 1, maxLength: 12 }), price, (k, fills, mark) => {
        let lot: Lot | undefined;
        let realised = 0;
        let sizeSum = 0;
        for (const f of fills) {
          const a = fillLot(k, lot, { size: f.s, averagePrice: f.p });
          realised += a.realised;
          lot = asLot(a);
          sizeSum += f.s;
        }
        expect(close(lot?.size ?? 0, sizeSum, 1e-9, 1e-7)).toBe(true);
        const sum = fills.reduce((t, f) => t + lotPnl(k, f.s, f.p, mark), 0);
        const scale = fills.reduce((t, f) => t + Math.abs(lotPnl(k, f.s, f.p, mark)), 0);
        expect(close(realised + value(k, lot, mark), sum, 1e-9, 1e-9 * scale + 1e-7)).toBe(true);
      }),
      { numRuns: 200 },
    );
  });
});

describe("applyFill on an account document", () => {
  const doc = { model: "deribit", positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 2, averagePrice: 58000, id: "p1" }], collateral: { USDC: 5000 } };

  it("reduces a linear position, realises its P&L into USDC, takes the fee, keeps other fields", () => {
    const r = unwrap(applyFill(doc, { instrument: "BTC_USDC-PERPETUAL", size: -0.5, price: 61000, fee: 3, tradeId: "t1" }, market));
    expect(r.position).toEqual({ id: "p1", instrument: "BTC_USDC-PERPETUAL", size: 1.5, averagePrice: 58000 });
    expect(r.realisedPnl).toBeCloseTo(0.5 * 3000, 9);
    expect(r.document.collateral).toEqual({ USDC: 5000 + 1500 - 3 });
    expect(r.document.model).toBe("deribit");
    expect(r.warnings).toEqual([]);
  });

  it("equity after a fill at price P changes by q(M − P) − fee (evaluated through the account layer)", () => {
    const f: Fill = { instrument: "BTC-PERPETUAL", size: 0.8, price: 59000, fee: 0.0001 };
    const before = unwrap(evaluateAccount(account({ ...doc, collateral: { USDC: 5000, BTC: 1 } }, market).account)).figures.equityUsd;
    const after = unwrap(applyFill({ ...doc, collateral: { USDC: 5000, BTC: 1 } }, f, market));
    const afterEq = unwrap(evaluateAccount(account(after.document, market).account)).figures.equityUsd;
    // Inverse: notional 0.8 × 59,000 entered at 59,000, worth N(1/P − 1/M) coin at the mark 60,000.
    const expectedChange = (0.8 * 59000 * (1 / 59000 - 1 / 60000) - 0.0001) * 60000;
    expect(close(afterEq - before, expectedChange, 1e-9)).toBe(true);
    expect(after.position).toEqual({ instrument: "BTC-PERPETUAL", sizeUsd: 0.8 * 59000, averagePrice: 59000 });
  });

  it("a closing fill removes the position; a flip opens the rest at the fill price; duplicates merge first", () => {
    const closed = unwrap(applyFill(doc, { instrument: "BTC_USDC-PERPETUAL", size: -2, price: 57000 }, market));
    expect(closed.position).toBeNull();
    expect(closed.document.positions).toEqual([]);
    expect(closed.document.collateral.USDC).toBeCloseTo(5000 - 2000, 9);
    const dup = { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 1, averagePrice: 50000 }, { instrument: "ETH-PERPETUAL", size: 1 }, { instrument: "BTC_USDC-PERPETUAL", size: 1, averagePrice: 60000 }] };
    const flip = unwrap(applyFill(dup, { instrument: "BTC_USDC-PERPETUAL", size: -3, price: 62000 }, market));
    expect(flip.document.positions).toEqual([{ instrument: "BTC_USDC-PERPETUAL", size: -1, averagePrice: 62000 }, { instrument: "ETH-PERPETUAL", size: 1 }]);
    expect(flip.realisedPnl).toBeCloseTo(2 * 62000 - 50000 - 60000, 9);
  });

  it("an option fill moves the premium; a far price is stored with a warning", () => {
    const r = unwrap(applyFill({ positions: [] }, { instrument: "BTC-30JAN26-70000-C", size: -3, price: 0.5 }, market));
    expect(r.document.collateral).toEqual({ BTC: 1.5 });
    expect(r.position).toEqual({ instrument: "BTC-30JAN26-70000-C", size: -3, averagePrice: 0.5 });
    expect(r.warnings.map((w) => w.code)).toEqual(["price_far_from_mark"]);
  });

  it("a linear perpetual's unrealisedPnlUsdc becomes its average price; its funding is realised with the closed part", () => {
    const d = { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 2, unrealisedPnlUsdc: 400, unrealisedFundingUsdc: -10 }] };
    const r = unwrap(applyFill(d, { instrument: "BTC_USDC-PERPETUAL", size: -1, price: 60000 }, market));
    expect(r.position?.averagePrice).toBeCloseTo(59800, 9);
    expect(r.position?.unrealisedFundingUsdc).toBeCloseTo(-5, 12);
    expect(r.document.collateral.USDC).toBeCloseTo(200 - 5, 9);
  });

  it("refuses bad fills with a code and a path, writing nothing", () => {
    const bad = (f: Partial<Fill> & { instrument: string }) => {
      const r = applyFills(doc, [f as Fill], market);
      return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.code}`);
    };
    expect(bad({ instrument: "BTC-29FEB28", size: 1, price: 1 })).toEqual(["fills[0].instrument: unknown_instrument"]);
    expect(bad({ instrument: "BTC-PERP", size: 1, price: 1 })).toEqual(["fills[0].instrument: malformed_instrument"]);
    expect(bad({ instrument: "USDC", size: 1, price: 1 })).toEqual(["fills[0].instrument: unsupported"]);
    expect(bad({ instrument: "BTC-PERPETUAL", price: 1 })).toEqual(["fills[0].size: required"]);
    expect(bad({ instrument: "BTC-PERPETUAL", size: 0, price: 1 })).toEqual(["fills[0].size: invalid_value"]);
    expect(bad({ instrument: "BTC-PERPETUAL", size: 1, price: 0 })).toEqual(["fills[0].price: not_positive"]);
    expect(bad({ instrument: "BTC-PERPETUAL", size: 1, price: Number.NaN })).toEqual(["fills[0].price: non_finite"]);
    expect(bad({ instrument: "BTC_USDC-PERPETUAL", sizeUsd: 100, price: 60000 })).toEqual(["fills[0].sizeUsd: unsupported"]);
    expect(bad({ instrument: "BTC-PERPETUAL", size: 1, price: 60000, fee: Infinity })).toEqual(["fills[0].fee: non_finite"]);
  });

  it("refuses fills outside the engine's bounds, and fills that would leave a position or a balance outside them", () => {
    const bad = (f: Partial<Fill> & { instrument: string }) => {
      const r = applyFills(doc, [f as Fill], market);
      return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.code}`);
    };
    // The fields themselves (market/bounds.ts: 1e9 coin, 1e15 currency units, 1e9 USD per coin).
    expect(bad({ instrument: "BTC_USDC-PERPETUAL", size: 2e9, price: 60000 })).toEqual(["fills[0].size: out_of_range"]);
    expect(bad({ instrument: "BTC-PERPETUAL", sizeUsd: -2e15, price: 60000 })).toEqual(["fills[0].sizeUsd: out_of_range"]);
    expect(bad({ instrument: "BTC_USDC-PERPETUAL", size: 1, price: 2e9 })).toEqual(["fills[0].price: out_of_range"]);
    expect(bad({ instrument: "BTC-27MAR26-60000-C", size: 1, price: 2e9 })).toEqual(["fills[0].price: out_of_range"]);
    expect(bad({ instrument: "BTC_USDC-PERPETUAL", size: 1, price: 60000, fee: 1e16 })).toEqual(["fills[0].fee: out_of_range"]);
    // Inside the bounds, but what is left is not: a position grown past 1e9 coin, a premium of 9e8 × 1e8 > 1e15 USDC.
    const big = { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 9e8, averagePrice: 60000 }], collateral: { USDC: 1e6 } };
    const left = (d: typeof big, f: Fill) => {
      const r = applyFills(d, [f], market);
      return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.code}`);
    };
    expect(left(big, { instrument: "BTC_USDC-PERPETUAL", size: 9e8, price: 60000 })).toEqual(["fills[0].size: out_of_range"]);
    expect(left(big, { instrument: "BTC_USDC-27MAR26-60000-C", size: -9e8, price: 9e8 })).toContain("fills[0].size: out_of_range");
    expect(left({ ...big, collateral: { USDC: 9.99e14 } }, { instrument: "BTC_USDC-PERPETUAL", size: -1, price: 60000, fee: -2e12 })).toEqual(["fills[0].fee: out_of_range"]);
    // At the bounds' edge a fill is taken.
    expect(left(big, { instrument: "BTC_USDC-PERPETUAL", size: 1e8, price: 60000 })).toEqual([]);
  });
});

describe("funding and periodic settlement", () => {
  it("funding: longs pay rate × notional (linear in USDC, inverse in coin)", () => {
    const d = { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 2, averagePrice: 58000 }, { instrument: "BTC-PERPETUAL", sizeUsd: -120000, averagePrice: 61000 }] };
    const lin = unwrap(applyFunding(d, "BTC_USDC-PERPETUAL", 0.0001, market));
    expect(lin.paid).toBeCloseTo(-2 * 60000 * 0.0001, 12);
    const inv = unwrap(applyFunding(d, "BTC-PERPETUAL", 0.0001, market));
    expect(inv.paid).toBeCloseTo((120000 * 0.0001) / 60000, 15);
    expect(applyFunding(d, "BTC-27MAR26", 0.0001, market).ok).toBe(false);
  });

  it("settlement moves P&L since the average into the balance and leaves equity unchanged", () => {
    const d = { model: "deribit", positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 2, averagePrice: 58000 }, { instrument: "BTC-27MAR26", size: -1, averagePrice: 64000 }, { instrument: "ETH-PERPETUAL", size: 3 }], collateral: { USDC: 1000 } };
    const s = settlePnl(d, market);
    expect(s.settled.USDC).toBeCloseTo(4000, 9);
    expect(s.document.positions[0]).toEqual({ instrument: "BTC_USDC-PERPETUAL", size: 2, averagePrice: 60000 });
    expect(s.document.positions[2]).toEqual({ instrument: "ETH-PERPETUAL", size: 3 });
    const eq = (x: typeof d) => unwrap(evaluateAccount(account(x, market).account)).figures.equityUsd;
    expect(close(eq(s.document as typeof d), eq(d), 1e-12)).toBe(true);
  });

  it("settlement instants follow the schedule (daily at 08:00 UTC; never with period 0)", () => {
    const from = Date.parse("2026-01-01T07:00:00Z");
    const to = Date.parse("2026-01-03T08:00:00Z");
    expect(settlementInstants(from, to, { periodHours: 24, anchorUtcHour: 8 }).map((t) => new Date(t).toISOString())).toEqual([
      "2026-01-01T08:00:00.000Z",
      "2026-01-02T08:00:00.000Z",
      "2026-01-03T08:00:00.000Z",
    ]);
    expect(settlementInstants(from, to, { periodHours: 0, anchorUtcHour: 8 })).toEqual([]);
  });
});
