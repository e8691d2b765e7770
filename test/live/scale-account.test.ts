/**
 * A liquidation step cut in place (src/live/scale-account.ts) holds the same book as the same holdings re-laid: the
 * twin core given the reduced account's positions and balances as a `holdings` input (group.ts setGroupAccount over
 * entriesByBucket) has the same figures, to the bit, and reads back the same positions. The cut itself: every size,
 * USD notional and unrealised USDC field times the kept fraction, nothing else.
 */
import { describe, expect, it } from "vitest";
import { positionValue } from "../../src/account/valuation.js";
import { unwrap } from "../../src/errors.js";
import { currencyUsdRate } from "../../src/risk/marks.js";
import { loadLiveAccounts } from "../../src/io/live-accounts.js";
import { createCascadeCore } from "../../src/live/cascade/index.js";
import type { LiveCore } from "../../src/live/core.js";
import { account, CONTEXT, MARKET } from "../cascade/helpers.js";
import { evaluateFromScratch, relDiff } from "./helpers.js";

/** Accounts with what the in-place cut must handle: offset coin balances, USD contracts, unrealised funding. */
function crafted() {
  return [
    // BTC collateral is an offset entry of the BTC bucket: its amount changes in place with the closed inverse P&L.
    account("offset-usd", {
      positions: [
        { instrument: "BTC-PERPETUAL", sizeUsd: 250_000, averagePrice: 95_000 },
        { instrument: "BTC-27MAR26-80000-P", size: -4 },
        { instrument: "BTC-27MAR26-120000-C", size: 2 },
        { instrument: "BTC_USDC-PERPETUAL", size: -2, averagePrice: 85_000, unrealisedFundingUsdc: 125.5 },
      ],
      collateral: { BTC: 4, USDC: 20_000 },
    }),
    // No BTC balance: closing an inverse BTC position books one, which adds an offset entry (the account is re-laid).
    account("offset-appears", { positions: [{ instrument: "BTC-PERPETUAL", size: 3, averagePrice: 80_000 }, { instrument: "ETH-PERPETUAL", size: -20 }], collateral: { USDC: 150_000 } }),
  ];
}

function twins(n: number): { a: LiveCore; b: LiveCore; ids: string[] } {
  const demo = unwrap(loadLiveAccounts("examples/demo-exchange", CONTEXT)).slice(0, n);
  const accounts = [...crafted(), ...demo];
  const a = unwrap(createCascadeCore({ market: MARKET, accounts }));
  const b = unwrap(createCascadeCore({ market: MARKET, accounts }));
  return { a, b, ids: accounts.map((x) => x.id) };
}

const sizes = (core: LiveCore, id: string) => core.account(id)?.positions.map((p) => [p.instrument.name, p.sizeCoin, p.notionalUsd, p.unrealisedFundingUsdc]) ?? [];

describe("a reduce cut in place", () => {
  it("gives the figures and positions of the same holdings re-laid, step after step, on a moved market", () => {
    const { a, b, ids } = twins(40);
    let seq = Math.max(a.lastSeq(), b.lastSeq()) + 1;
    const ts = MARKET.timestampMs;
    const tick = { seq, timestampMs: ts + 60_000, indexUsd: { BTC: (MARKET.indexUsd.BTC as number) * 0.93, ETH: (MARKET.indexUsd.ETH as number) * 0.9 } };
    for (const core of [a, b]) expect(core.apply({ kind: "tick", tick, seq }).status).toBe("applied");
    seq++;
    const keeps = [0.5, 1, 0.37, 0.999, 0];
    for (const [step, keep] of keeps.entries()) {
      for (const id of ids) {
        const before = sizes(a, id);
        const cashUsd = step === 1 ? -250.25 : -12.5 * step;
        // The balances it must leave: each position's closed value in its settlement currency, in the held order, then
        // the cash (core-reduce.ts as written over the held positions).
        const prior = a.account(id);
        if (prior === undefined) throw new Error(id);
        const market = a.marketContext();
        const expected: Record<string, number> = { ...prior.balances };
        if (keep < 1) {
          for (const p of prior.positions) {
            const closed = (1 - keep) * positionValue(p, market).value;
            if (closed !== 0) expected[p.instrument.settlementCurrency] = (expected[p.instrument.settlementCurrency] ?? 0) + closed;
          }
        }
        if (cashUsd !== 0) expected.USDC = (expected.USDC ?? 0) + cashUsd / currencyUsdRate(market, "USDC");
        const out = a.apply({ kind: "reduce", seq, timestampMs: ts + 60_000, account: id, keepFraction: keep, currency: "USDC", cashUsd, reason: "test" });
        expect(out.status).toBe("applied");
        // The cut: each size (and USD notional, unrealised field) times keep; all gone at 0.
        const after = sizes(a, id);
        if (keep === 0) expect(after).toEqual([]);
        else expect(after).toEqual(before.map(([n, s, usd, f]) => [n, (s as number) * keep, usd === undefined ? undefined : (usd as number) * keep, f === undefined ? undefined : (f as number) * keep]));
        // The twin is given the same holdings whole (re-laid): the same figures, to the bit, and the same positions.
        const held = a.account(id);
        if (held === undefined) throw new Error(id);
        expect(held.balances).toEqual(expected);
        expect(b.apply({ kind: "holdings", seq, timestampMs: ts + 60_000, account: id, positions: held.positions, balances: held.balances }).status).toBe("applied");
        seq++;
        const fa = a.figures(id);
        const fb = b.figures(id);
        expect([fa?.equityUsd, fa?.initialMarginUsd, fa?.maintenanceMarginUsd, fa?.state]).toEqual([fb?.equityUsd, fb?.initialMarginUsd, fb?.maintenanceMarginUsd, fb?.state]);
        expect(sizes(b, id)).toEqual(after);
      }
    }
    // And a later tick re-margins both books to the same figures (the in-place book is read by the kernel path too).
    const next = { seq, timestampMs: ts + 120_000, indexUsd: { BTC: (MARKET.indexUsd.BTC as number) * 0.9, ETH: (MARKET.indexUsd.ETH as number) * 0.88 } };
    for (const core of [a, b]) expect(core.apply({ kind: "tick", tick: next, seq }).status).toBe("applied");
    for (const id of ids) expect(a.figures(id)).toEqual(b.figures(id));
  }, 60_000);

  it("equals a from-scratch evaluation of the account it leaves", () => {
    const { a } = twins(0);
    const out = a.apply({ kind: "reduce", seq: a.lastSeq() + 1, timestampMs: MARKET.timestampMs, account: "offset-usd", keepFraction: 0.4, currency: "USDC", cashUsd: -1_000 });
    expect(out.status).toBe("applied");
    const f = a.figures("offset-usd");
    const scratch = evaluateFromScratch(a, "offset-usd");
    expect(relDiff(scratch.figures.equityUsd, f?.equityUsd ?? NaN)).toBeLessThan(1e-12);
    expect(relDiff(scratch.figures.maintenanceMarginUsd, f?.maintenanceMarginUsd ?? NaN)).toBeLessThan(1e-12);
    expect(relDiff(scratch.figures.initialMarginUsd, f?.initialMarginUsd ?? NaN)).toBeLessThan(1e-12);
  });
});
