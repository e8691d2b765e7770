/**
 * Tick semantics (docs/live.md, "Ticks") and the incremental work a tick does: what a tick names replaces the held
 * value; unnamed futures keep their basis ratio, unnamed options their vol (sticky strike or sticky moneyness) with
 * their forward moved; time passes for the underlyings a tick moves; only the moved underlying's rows are rebuilt and
 * only exposed accounts re-margined. Bad ticks each have their defined outcome and never change the book.
 */
import { describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { marketSnapshotToJson, validateMarket } from "../../src/io/market.js";
import { createLiveCore } from "../../src/live/core.js";
import type { LiveCore } from "../../src/live/core.js";
import { DEFAULT_LIVE_PARAMS } from "../../src/live/params.js";
import type { Tick } from "../../src/live/tick.js";
import { parseInstrument } from "../../src/market/instrument.js";
import type { InstrumentQuote, OptionInstrument } from "../../src/market/types.js";
import { MS_PER_YEAR } from "../../src/market/types.js";
import { black76PriceCoin } from "../../src/pricing/black76.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { EXAMPLE_MARKET, evaluateFromScratch, liveAccount, relDiff } from "./helpers.js";

const CONTEXT = unwrap(buildMarketContext(EXAMPLE_MARKET));
const T0 = EXAMPLE_MARKET.timestampMs;
const q = (core: LiveCore, name: string): InstrumentQuote => core.market().instruments[name] as InstrumentQuote;

function core(params = DEFAULT_LIVE_PARAMS): LiveCore {
  const btc = liveAccount("btc", { positions: [{ instrument: "BTC-PERPETUAL", size: -2 }, { instrument: "BTC-27MAR26-100000-C", size: -5 }], collateral: { BTC: 3 } }, CONTEXT);
  const eth = liveAccount("eth", { positions: [{ instrument: "ETH-PERPETUAL", size: 10 }, { instrument: "ETH-27MAR26-3000-C", size: 20 }], collateral: { ETH: 5 } }, CONTEXT);
  const usdc = liveAccount("usdc", { positions: [{ instrument: "ETH_USDC-PERPETUAL", size: 5 }], collateral: { USDC: 20000 } }, CONTEXT);
  return unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [btc, eth, usdc], params }));
}

const tick = (seq: number, dtSeconds: number, rest: Omit<Tick, "seq" | "timestampMs">): { kind: "tick"; tick: Tick } => ({ kind: "tick", tick: { seq, timestampMs: T0 + dtSeconds * 1000, ...rest } });

describe("tick semantics", () => {
  it("an index tick moves unnamed futures by the index ratio and options' forwards with it; vols stay", () => {
    const c = core();
    const before = { perp: q(c, "BTC-PERPETUAL"), fut: q(c, "BTC-27MAR26"), opt: q(c, "BTC-27MAR26-100000-C"), eth: q(c, "ETH-PERPETUAL") };
    const r = c.apply(tick(1, 60, { indexUsd: { BTC: 81000 } }));
    expect(r.status).toBe("applied");
    const ratio = 81000 / 90000;
    expect(q(c, "BTC-PERPETUAL").markPrice).toBe((before.perp.markPrice as number) * ratio);
    expect(q(c, "BTC-27MAR26").markPrice).toBe((before.fut.markPrice as number) * ratio);
    expect(q(c, "BTC-27MAR26-100000-C").underlyingPrice).toBe((before.opt.underlyingPrice as number) * ratio);
    expect(q(c, "BTC-27MAR26-100000-C").markIv).toBe(before.opt.markIv);
    expect(q(c, "ETH-PERPETUAL")).toEqual(before.eth);
    // The market's time moves; ETH, which the tick did not touch, keeps its valuation time.
    expect(c.market().timestampMs).toBe(T0 + 60_000);
    expect(c.market().valuationTimesMs).toEqual({ ETH: T0, USDC: T0 });
  });

  it("an option's mark keeps its offset to the model price: mark' = mark + V(F', σ, T') − V(F, σ, T)", () => {
    const c = core();
    const name = "BTC-27MAR26-100000-C";
    const inst = unwrap(parseInstrument(name)) as OptionInstrument;
    const held = q(c, name);
    c.apply(tick(1, 3600, { indexUsd: { BTC: 93000 } }));
    const v = (f: number, dt: number) => black76PriceCoin({ isCall: true, forwardUsd: f, strikeUsd: 100000, timeYears: (inst.expiryMs - T0 - dt) / MS_PER_YEAR, volDecimal: held.markIv as number, rateDecimal: 0 });
    const f1 = (held.underlyingPrice as number) * (93000 / 90000);
    expect(relDiff(q(c, name).markPrice as number, (held.markPrice as number) + v(f1, 3_600_000) - v(held.underlyingPrice as number, 0))).toBeLessThan(1e-12);
  });

  it("a named future moves the forwards of its expiry's options; named fields replace held ones", () => {
    const c = core();
    const fut = q(c, "BTC-27MAR26").markPrice as number;
    const opt = q(c, "BTC-27MAR26-100000-C");
    const other = q(c, "BTC-26JUN26-80000-P");
    c.apply(tick(1, 10, { instruments: { "BTC-27MAR26": { markPrice: fut * 1.02 }, "BTC-26JUN26-80000-P": { markIv: 0.77 } } }));
    expect(q(c, "BTC-27MAR26-100000-C").underlyingPrice).toBe((opt.underlyingPrice as number) * ((fut * 1.02) / fut));
    expect(q(c, "BTC-26JUN26-80000-P").markIv).toBe(0.77);
    expect(q(c, "BTC-26JUN26-80000-P").underlyingPrice).toBe(other.underlyingPrice);
    expect(c.market().indexUsd.BTC).toBe(EXAMPLE_MARKET.indexUsd.BTC);
  });

  it("volMoves scale every unnamed option's vol of the base; a named markPrice alone implies its vol", () => {
    const c = core();
    const a = q(c, "BTC-6MAR26-90000-C").markIv as number;
    c.apply(tick(1, 10, { volMoves: { BTC: 0.25 }, instruments: { "BTC-26JUN26-70000-P": { markPrice: 0.05 } } }));
    expect(q(c, "BTC-6MAR26-90000-C").markIv).toBe(a * 1.25);
    const p = q(c, "BTC-26JUN26-70000-P");
    const inst = unwrap(parseInstrument("BTC-26JUN26-70000-P")) as OptionInstrument;
    const price = black76PriceCoin({ isCall: false, forwardUsd: p.underlyingPrice as number, strikeUsd: 70000, timeYears: (inst.expiryMs - T0 - 10_000) / MS_PER_YEAR, volDecimal: p.markIv as number, rateDecimal: 0 });
    expect(relDiff(price, 0.05)).toBeLessThan(1e-9);
    expect(p.markPrice).toBe(0.05);
  });

  it("sticky moneyness: an unnamed option takes the vol its expiry's smile had at its new moneyness", () => {
    const c = core({ ...DEFAULT_LIVE_PARAMS, volConvention: "sticky-moneyness" });
    const strikes = [85000, 90000, 95000].map((k) => q(c, `BTC-27MAR26-${k}-C`));
    c.apply(tick(1, 10, { indexUsd: { BTC: 90000 * (95000 / 90000) } }));
    // The forward rose by 95/90: the 90,000 strike now sits where the 85,263 strike was, between 85,000 and 90,000.
    const f0 = strikes[1]?.underlyingPrice as number;
    const f1 = f0 * (95000 / 90000);
    const x = Math.log(90000 / f1);
    const x0 = Math.log(85000 / f0);
    const x1 = Math.log(90000 / f0);
    const s0 = strikes[0]?.markIv as number;
    const s1 = strikes[1]?.markIv as number;
    // Calls and puts of a strike share a vol in the example market, so the smile is the calls' vols, linear in x.
    const expected = s0 + ((s1 - s0) * (x - x0)) / (x1 - x0);
    expect(relDiff(q(c, "BTC-27MAR26-90000-C").markIv as number, expected)).toBeLessThan(1e-12);
  });

  it("the market written as a file reads back to the same numbers (valuation times included)", () => {
    const c = core();
    c.apply(tick(1, 7200, { indexUsd: { BTC: 88000 }, volMoves: { BTC: 0.1 } }));
    const text = JSON.stringify(marketSnapshotToJson(c.market()));
    expect(JSON.parse(text).valuationTimes).toEqual({ ETH: new Date(T0).toISOString(), USDC: new Date(T0).toISOString() });
    const back = unwrap(buildMarketContext(unwrap(validateMarket(JSON.parse(text)))));
    const inst = unwrap(parseInstrument("ETH-27MAR26-3000-C")) as OptionInstrument;
    const { forwardUsd, volDecimal, timeYears, rateDecimal } = back.optionInputs(inst);
    expect({ forwardUsd, volDecimal, timeYears, rateDecimal }).toEqual(c.marketContext().optionInputs(inst));
    expect(back.optionInputs(inst).timeYears).toBe((inst.expiryMs - T0) / MS_PER_YEAR);
  });
});

describe("incremental work", () => {
  it("a BTC tick rebuilds the BTC rows only and re-margins only accounts exposed to BTC", () => {
    const c = core();
    const btcRows = Object.keys(EXAMPLE_MARKET.instruments).filter((n) => n.startsWith("BTC")).length + 1; // + the BTC balance row
    const r = c.apply(tick(1, 60, { indexUsd: { BTC: 88000 } }));
    expect(r.rowsRebuilt).toBe(btcRows);
    expect(r.accountsRemargined).toBe(1);
    expect(r.changed).toEqual(["btc"]);
    const e = c.apply(tick(2, 120, { indexUsd: { ETH: 2900 } }));
    expect(e.changed).toEqual(["eth", "usdc"]);
    const u = c.apply(tick(3, 180, { indexUsd: { USDC: 0.999 } }));
    // A USDC move re-margins the USDC-settled and USDC-holding account without rebuilding any row.
    expect(u.rowsRebuilt).toBe(0);
    expect(u.changed).toEqual(["usdc"]);
    for (const id of c.accountIds()) {
      const live = c.figures(id);
      const scratch = evaluateFromScratch(c, id).figures;
      expect(relDiff(live?.initialMarginUsd as number, scratch.initialMarginUsd)).toBeLessThanOrEqual(1e-9);
    }
  });
});

describe("bad ticks: each a defined outcome, none changes the book", () => {
  const cases: [string, (c: LiveCore) => Tick, "ignored" | "rejected" | "applied", string][] = [
    ["an old seq", () => ({ seq: 0, timestampMs: T0 + 60_000, indexUsd: { BTC: 80000 } }), "ignored", "out_of_order"],
    ["a duplicate seq", () => ({ seq: 1, timestampMs: T0 + 60_000, indexUsd: { BTC: 80000 } }), "ignored", "duplicate"],
    ["a non-finite price", () => ({ seq: 2, timestampMs: T0 + 60_000, indexUsd: { BTC: Number.POSITIVE_INFINITY } }), "rejected", "non_finite"],
    ["a NaN mark", () => ({ seq: 2, timestampMs: T0 + 60_000, instruments: { "BTC-PERPETUAL": { markPrice: Number.NaN } } }), "rejected", "non_finite"],
    ["a negative price", () => ({ seq: 2, timestampMs: T0 + 60_000, instruments: { "BTC-PERPETUAL": { markPrice: -1 } } }), "rejected", "not_positive"],
    ["a 90 % jump", () => ({ seq: 2, timestampMs: T0 + 60_000, indexUsd: { BTC: 9000 } }), "rejected", "implausible_move"],
    ["a 90 % jump of a futures mark", (c) => ({ seq: 2, timestampMs: T0 + 60_000, instruments: { "BTC-27MAR26": { markPrice: (q(c, "BTC-27MAR26").markPrice as number) * 1.9 } } }), "rejected", "implausible_move"],
    ["time going backwards", () => ({ seq: 2, timestampMs: T0 - 1, indexUsd: { BTC: 88000 } }), "rejected", "out_of_order"],
    ["an option field on a future", () => ({ seq: 2, timestampMs: T0 + 60_000, instruments: { "BTC-PERPETUAL": { markIv: 0.5 } } }), "rejected", "invalid_value"],
    ["a tick past an expiry", () => ({ seq: 2, timestampMs: Date.parse("2026-03-06T08:00:00Z"), indexUsd: { BTC: 88000 } }), "rejected", "expired_instrument"],
    ["an unknown instrument (left out, counted)", () => ({ seq: 2, timestampMs: T0 + 60_000, instruments: { "BTC-27MAR26-123456-C": { markIv: 0.5 } } }), "applied", "unknown_instrument"],
    ["an unknown currency (left out, counted)", () => ({ seq: 2, timestampMs: T0 + 60_000, indexUsd: { DOGE: 0.1 } }), "applied", "missing_index"],
  ];
  for (const [what, make, status, code] of cases) {
    it(`${what}: ${status} (${code})`, () => {
      const c = core();
      c.apply(tick(1, 30, { indexUsd: { BTC: 89000 } }));
      const market = JSON.stringify(marketSnapshotToJson(c.market()));
      const figures = JSON.stringify(c.accountIds().map((id) => c.figures(id)));
      const r = c.apply({ kind: "tick", tick: make(c) });
      expect(r.status).toBe(status);
      expect(r.issues.map((i) => i.code)).toContain(code);
      expect(r.events).toEqual([]);
      expect(JSON.stringify(c.accountIds().map((id) => c.figures(id)))).toBe(figures);
      if (status !== "applied") expect(JSON.stringify(marketSnapshotToJson(c.market()))).toBe(market);
      const counted = Object.entries(c.counters()).find(([k]) => k.endsWith(`:${code}`));
      expect(counted?.[1]).toBe(1);
      // The feed goes on: the next good tick is applied.
      expect(c.apply(tick(5, 120, { indexUsd: { BTC: 88500 } })).status).toBe("applied");
    });
  }
});
