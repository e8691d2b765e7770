/**
 * applyTickToMarket's shortcuts give the market a tick computed in full gives: the model prices a tick keeps for the
 * next one (an option's mark keeps its offset to the model price, which needs the price at the held inputs), and the
 * copy of the chain's quotes (a plain object, same keys, same order).
 */
import { describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { applyTickToMarket } from "../../src/live/apply-tick.js";
import { createLiveMarket, marketOf } from "../../src/live/market.js";
import type { BaseTables, LiveMarket } from "../../src/live/market.js";
import { DEFAULT_LIVE_PARAMS } from "../../src/live/params.js";
import type { LiveParams } from "../../src/live/params.js";
import type { Tick } from "../../src/live/tick.js";
import { EXAMPLE_MARKET } from "./helpers.js";

const T0 = EXAMPLE_MARKET.timestampMs;
const APPLY = new Set(["BTC", "ETH", "USDC"]);

/** The same market with no model price kept: the next tick computes every one again. */
function withoutKeptPrices(m: LiveMarket): LiveMarket {
  const tables = new Map<string, BaseTables>();
  for (const [base, t] of m.tables) tables.set(base, { base: t.base, valuationTimeMs: t.valuationTimeMs, curve: t.curve, options: t.options });
  return marketOf(m.version, m.snapshot, m.listing, tables);
}

const TICKS: Omit<Tick, "seq" | "timestampMs">[] = [
  { indexUsd: { BTC: 90500 } },
  { indexUsd: { BTC: 89800, ETH: 3010 } },
  { indexUsd: { ETH: 2990 }, volMoves: { ETH: 0.02 } },
  { instruments: { "BTC-27MAR26": { markPrice: 91500 } } },
  { indexUsd: { BTC: 90100 }, instruments: { "BTC-27MAR26-100000-C": { markPrice: 0.03 } } },
  { indexUsd: { BTC: 90300, ETH: 3005 } },
];

function run(params: LiveParams): void {
  let kept = unwrap(createLiveMarket(EXAMPLE_MARKET));
  let full = kept;
  TICKS.forEach((t, k) => {
    const tick: Tick = { seq: k + 1, timestampMs: T0 + (k + 1) * 60_000, ...t };
    kept = unwrap(applyTickToMarket(kept, tick, APPLY, params)).market;
    full = unwrap(applyTickToMarket(withoutKeptPrices(full), tick, APPLY, params)).market;
    // JSON writes every double exactly (shortest round-trip form) and the keys in order.
    expect(JSON.stringify(kept.snapshot)).toBe(JSON.stringify(full.snapshot));
  });
  expect(kept.tables.get("BTC")?.modelPrices?.some((x) => !Number.isNaN(x))).toBe(true);
}

describe("applyTickToMarket", () => {
  it("model prices kept from the last tick give the market of prices computed again (sticky strike)", () => {
    run(DEFAULT_LIVE_PARAMS);
  });

  it("model prices kept from the last tick give the market of prices computed again (sticky moneyness)", () => {
    run({ ...DEFAULT_LIVE_PARAMS, volConvention: "sticky-moneyness" });
  });

  it("the quotes are a plain object with the held snapshot's keys in its order", () => {
    const m = unwrap(createLiveMarket(EXAMPLE_MARKET));
    const next = unwrap(applyTickToMarket(m, { seq: 1, timestampMs: T0 + 1000, indexUsd: { BTC: 90500 } }, APPLY, DEFAULT_LIVE_PARAMS)).market;
    expect(Object.getPrototypeOf(next.snapshot.instruments)).toBe(Object.prototype);
    expect(Object.keys(next.snapshot.instruments)).toEqual(Object.keys(m.snapshot.instruments));
    expect(next.snapshot.instruments).not.toBe(m.snapshot.instruments);
  });
});
