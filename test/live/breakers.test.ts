/**
 * Circuit breakers (docs/live.md, "Circuit breakers"): each trigger, each action, the state machine with its events,
 * automatic and manual resets.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { validateBreakerRules } from "../../src/io/live.js";
import type { BreakerRule, BreakerRules } from "../../src/live/breakers.js";
import { createLiveCore } from "../../src/live/core.js";
import type { LiveCore } from "../../src/live/core.js";
import type { LiveEvent } from "../../src/live/events.js";
import type { Tick } from "../../src/live/tick.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { EXAMPLE_MARKET, evaluateFromScratch, liveAccount, relDiff } from "./helpers.js";

const CONTEXT = unwrap(buildMarketContext(EXAMPLE_MARKET));
const T0 = EXAMPLE_MARKET.timestampMs;

function rules(...list: BreakerRule[]): BreakerRules {
  return unwrap(validateBreakerRules({ name: "test", version: "1", effective: "2026-03-01", rules: list }));
}

function core(r: BreakerRules): LiveCore {
  const btc = liveAccount("btc", { positions: [{ instrument: "BTC-27MAR26-100000-C", size: -5 }, { instrument: "BTC-PERPETUAL", size: 1 }], collateral: { BTC: 2 } }, CONTEXT);
  const eth = liveAccount("eth", { positions: [{ instrument: "ETH-PERPETUAL", size: 10 }], collateral: { ETH: 5 } }, CONTEXT);
  return unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [btc, eth], breakers: r }));
}

const at = (seq: number, seconds: number, rest: Omit<Tick, "seq" | "timestampMs">) => ({ kind: "tick" as const, tick: { seq, timestampMs: T0 + seconds * 1000, ...rest } });
const breakers = (events: readonly LiveEvent[]) => events.filter((e) => e.type === "breaker").map((e) => (e.type === "breaker" ? `${e.underlying} ${e.kind} ${e.rule} ${e.from}->${e.to}` : ""));

const band: BreakerRule = {
  id: "band",
  underlyings: ["BTC"],
  trigger: { type: "price_band", moveDecimal: 0.1, windowSeconds: 3600 },
  state: "halted",
  actions: ["freeze_marks", "suspend_liquidations", "reduce_only"],
  reset: { mode: "auto", afterSeconds: 120 },
};

describe("price band", () => {
  it("halts on a move beyond the band within the window: marks frozen, figures stale, reduce-only; resets after the pause", () => {
    const c = core(rules(band));
    expect(c.apply(at(1, 60, { indexUsd: { BTC: 85000 } })).status).toBe("applied");
    // 85,000 → 80,000 is 5.9 %, but 90,000 (an hour's window) → 80,000 is 11.1 %: trip.
    const trip = c.apply(at(2, 120, { indexUsd: { BTC: 80000, ETH: 2900 } }));
    expect(trip.status).toBe("applied");
    expect(breakers(trip.events)).toEqual(["BTC trip band normal->halted"]);
    expect(trip.issues.map((i) => i.code)).toEqual(["frozen_by_breaker"]);
    expect(c.market().indexUsd.BTC).toBe(85000);
    expect(c.market().indexUsd.ETH).toBe(2900);
    expect(c.breakerStates().BTC?.state).toBe("halted");
    const f = c.figures("btc");
    expect(f?.stale?.inputAgeMs).toBe(60_000);
    expect(f?.reduceOnly).toBe(true);
    expect(f?.liquidationSuspended).toBe(true);
    expect(c.figures("eth")?.stale).toBeUndefined();
    // Still halted at +3 min... (120 s pause from the trip at 120 s): reset at 240 s by the time input.
    expect(c.apply({ kind: "time", seq: 3, timestampMs: T0 + 200_000 }).events).toEqual([]);
    const reset = c.apply({ kind: "time", seq: 4, timestampMs: T0 + 240_000 });
    expect(breakers(reset.events)).toEqual(["BTC reset band halted->normal"]);
    expect(c.figures("btc")?.stale).toBeUndefined();
    // The reopening tick re-anchors the band: the genuine move is accepted now.
    expect(c.apply(at(5, 250, { indexUsd: { BTC: 78000 } })).status).toBe("applied");
    expect(c.market().indexUsd.BTC).toBe(78000);
    expect(relDiff(c.figures("btc")?.initialMarginUsd as number, evaluateFromScratch(c, "btc").figures.initialMarginUsd)).toBeLessThanOrEqual(1e-9);
  });

  it("a 90 % jump with a band configured trips the breaker instead of being rejected", () => {
    const c = core(rules(band));
    const r = c.apply(at(1, 60, { indexUsd: { BTC: 9000 } }));
    expect(r.status).toBe("applied");
    expect(breakers(r.events)).toEqual(["BTC trip band normal->halted"]);
    expect(c.market().indexUsd.BTC).toBe(90000);
  });

  it("suspends liquidation triggers while halted, and fires them deferred at the reset", () => {
    const r = rules({ ...band, reset: { mode: "manual" } });
    const lev = liveAccount("lev", { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 10 }], collateral: { USDC: 200_000 } }, CONTEXT);
    const c = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [lev], breakers: r }));
    // Step down 6 % a tick: the second step trips the band (halted), the third is frozen; then a manual reset.
    c.apply(at(1, 60, { indexUsd: { BTC: 84600 } }));
    const trip = c.apply(at(2, 120, { indexUsd: { BTC: 79000 } }));
    expect(breakers(trip.events)).toEqual(["BTC trip band normal->halted"]);
    // A withdrawal while BTC is halted takes the account to liquidation (ratio 1.05), but the trigger is suspended.
    const f = c.figures("lev");
    const amount = (f?.maintenanceMarginUsd as number) / 1.05 - (f?.equityUsd as number);
    const fall = c.apply({ kind: "balance", seq: 3, timestampMs: T0 + 130_000, account: "lev", currency: "USDC", amount });
    const health = fall.events.find((e) => e.type === "health_changed");
    expect(health?.type === "health_changed" ? [health.to, health.liquidationSuspended] : []).toEqual(["liquidation", true]);
    expect(fall.events.some((e) => e.type === "liquidation")).toBe(false);
    const reset = c.apply({ kind: "breaker_reset", seq: 4, timestampMs: T0 + 200_000, underlying: "BTC" });
    expect(breakers(reset.events)).toEqual(["BTC reset band halted->normal"]);
    const liq = reset.events.find((e) => e.type === "liquidation");
    expect(liq?.type === "liquidation" ? liq.deferred : undefined).toBe(true);
    expect(c.apply({ kind: "breaker_reset", seq: 5, timestampMs: T0 + 200_000, underlying: "BTC", rule: "band" }).status).toBe("rejected");
  });

  it("clamp_marks keeps the index inside the band (band_limited)", () => {
    const clamp: BreakerRule = { ...band, id: "clamp", state: "band_limited", actions: ["clamp_marks"], reset: { mode: "auto", afterSeconds: 60 } };
    const c = core(rules(clamp));
    const r = c.apply(at(1, 10, { indexUsd: { BTC: 70000 } }));
    expect(breakers(r.events)).toEqual(["BTC trip clamp normal->band_limited"]);
    expect(c.market().indexUsd.BTC).toBe(81000);
  });
});

describe("stale feed, index divergence, vol jump", () => {
  it("a stale index locks the underlying until a fresh tick", () => {
    const stale: BreakerRule = { id: "stale", underlyings: "*", trigger: { type: "stale_feed", maxAgeSeconds: 30 }, state: "index_locked", actions: ["freeze_marks", "suspend_liquidations"], reset: { mode: "auto" } };
    const c = core(rules(stale));
    c.apply(at(1, 20, { indexUsd: { BTC: 89000 } }));
    const t = c.apply({ kind: "time", seq: 2, timestampMs: T0 + 45_000 });
    // ETH has had no tick for 45 s, BTC for 25 s.
    expect(breakers(t.events)).toEqual(["ETH trip stale normal->index_locked"]);
    expect(c.figures("eth")?.stale?.inputAgeMs).toBe(45_000);
    expect(t.changed).toEqual(["eth"]);
    const fresh = c.apply(at(3, 50, { indexUsd: { ETH: 3010 } }));
    expect(breakers(fresh.events)).toEqual(["ETH reset stale index_locked->normal"]);
    expect(c.market().indexUsd.ETH).toBe(3010);
  });

  it("diverging index sources lock the underlying; converging sources unlock it", () => {
    const div: BreakerRule = { id: "div", underlyings: ["BTC"], trigger: { type: "index_divergence", maxDivergenceDecimal: 0.005 }, state: "index_locked", actions: ["freeze_marks"], reset: { mode: "auto" } };
    const c = core(rules(div));
    const r = c.apply(at(1, 10, { indexUsd: { BTC: 89000 }, indexSources: { BTC: { a: 89000, b: 89100, c: 90000 } } }));
    expect(breakers(r.events)).toEqual(["BTC trip div normal->index_locked"]);
    expect(c.market().indexUsd.BTC).toBe(90000);
    const ok = c.apply(at(2, 20, { indexUsd: { BTC: 89050 }, indexSources: { BTC: { a: 89000, b: 89100 } } }));
    expect(breakers(ok.events)).toEqual(["BTC reset div index_locked->normal"]);
    expect(c.market().indexUsd.BTC).toBe(89050);
  });

  it("a vol jump publishes a widened parameter version (the current one is not changed), restored at the reset", () => {
    const vol: BreakerRule = { id: "vol", underlyings: ["BTC"], trigger: { type: "vol_jump", moveDecimal: 0.2, windowSeconds: 600 }, state: "band_limited", actions: ["widen_scenarios"], widen: { priceRangeFactor: 1.5 }, reset: { mode: "auto", afterSeconds: 300 } };
    const c = core(rules(vol));
    const model0 = c.account("btc")?.model;
    const im0 = c.figures("btc")?.initialMarginUsd as number;
    c.apply(at(1, 10, { volMoves: { BTC: 0.05 } }));
    const jump = c.apply(at(2, 20, { volMoves: { BTC: 0.3 } }));
    expect(breakers(jump.events)).toEqual(["BTC trip vol normal->band_limited"]);
    const p = jump.events.find((e) => e.type === "parameters_changed");
    expect(p?.type === "parameters_changed" ? [p.parameterSet.from, p.parameterSet.to] : []).toEqual(["2026.02.15-1", "2026.02.15-1+breaker.1"]);
    const model1 = c.account("btc")?.model;
    expect(model1?.parameterSet.version).toBe("2026.02.15-1+breaker.1");
    expect(model0?.parameterSet.version).toBe("2026.02.15-1");
    expect(c.figures("btc")?.initialMarginUsd).toBeGreaterThan(im0);
    expect(relDiff(c.figures("btc")?.initialMarginUsd as number, evaluateFromScratch(c, "btc").figures.initialMarginUsd)).toBeLessThanOrEqual(1e-9);
    // ETH accounts are on the same set: their new version changes nothing for them (only BTC was widened).
    expect(relDiff(c.figures("eth")?.initialMarginUsd as number, evaluateFromScratch(c, "eth").figures.initialMarginUsd)).toBeLessThanOrEqual(1e-9);
    const reset = c.apply({ kind: "time", seq: 3, timestampMs: T0 + 400_000 });
    const restored = reset.events.find((e) => e.type === "parameters_changed");
    expect(restored?.type === "parameters_changed" ? restored.parameterSet.to : undefined).toBe("2026.02.15-1+breaker.2.restored");
    expect(relDiff(c.figures("btc")?.initialMarginUsd as number, evaluateFromScratch(c, "btc").figures.initialMarginUsd)).toBeLessThanOrEqual(1e-9);
  });
});

describe("rules files", () => {
  it("validates rules with coded issues and the bad field's path", () => {
    const bad = validateBreakerRules({ name: "x", version: "1", effective: "2026-03-01", rules: [{ ...band, trigger: { type: "price_band", moveDecimal: -1, windowSeconds: 60 } }, { ...band, id: "band2", actions: ["widen_scenarios"] }] });
    expect(bad.ok ? [] : bad.issues.map((i) => `${i.path}: ${i.code}`)).toEqual(["rules[0].trigger.moveDecimal: not_positive", "rules[1].widen: invalid_value"]);
    expect(unwrap(validateBreakerRules(JSON.parse(readFileSync("presets/breakers-default.json", "utf8")))).rules.length).toBe(4);
  });
});
