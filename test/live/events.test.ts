/**
 * Health events with hysteresis, margin calls with the amount needed, liquidation triggers with the engine's plan,
 * the event sequence numbers, fills and parameter versions (docs/live.md, "Events").
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { assessHealth, HEALTH_STATES } from "../../src/account/health.js";
import { nextHealthState, nextHealthStateOnly, rawHealthState } from "../../src/live/health.js";
import { unwrap } from "../../src/errors.js";
import { createLiveCore } from "../../src/live/core.js";
import type { LiveCore, LiveInput } from "../../src/live/core.js";
import type { LiveEvent } from "../../src/live/events.js";
import { createModel } from "../../src/models/registry.js";
import { loadPreset } from "../../src/io/presets.js";
import { applyMergePatch } from "../../src/account/merge-patch.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { planLiquidation } from "../../src/account/liquidation.js";
import { planJson } from "../../src/live/state.js";
import { EXAMPLE_MARKET, accountFromScratch, compareDocuments, evaluateFromScratch, liveAccount, relDiff } from "./helpers.js";

const CONTEXT = unwrap(buildMarketContext(EXAMPLE_MARKET));
const T0 = EXAMPLE_MARKET.timestampMs;

/** A long linear BTC perpetual on USDC collateral: USDC has no haircut and no margin, so equity is set by deposits. */
function setup(): { core: LiveCore; mm: number; equity: () => number; seq: () => number } {
  const probe = liveAccount("lev", { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 5 }], collateral: { USDC: 100_000 } }, CONTEXT);
  const core = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [probe] }));
  const mm = core.figures("lev")?.maintenanceMarginUsd as number;
  let seq = 0;
  return { core, mm, equity: () => core.figures("lev")?.equityUsd as number, seq: () => ++seq };
}

/** A deposit (or withdrawal) that puts the maintenance ratio at `ratio`. */
function toRatio(s: ReturnType<typeof setup>, ratio: number): LiveInput {
  return { kind: "balance", seq: s.seq(), timestampMs: T0, account: "lev", currency: "USDC", amount: s.mm / ratio - s.equity(), reason: `to ratio ${ratio}` };
}

const types = (events: readonly LiveEvent[]): string[] => events.map((e) => (e.type === "health_changed" ? `${e.from}->${e.to}` : e.type));

describe("health events with hysteresis", () => {
  it("enters a state at its threshold, leaves it only past the buffer; margin calls and liquidations carry what to do", () => {
    const s = setup();
    const { core } = s;
    const all: LiveEvent[] = [];
    const step = (ratio: number): LiveEvent[] => {
      const r = core.apply(toRatio(s, ratio));
      expect(r.status).toBe("applied");
      expect(relDiff(core.figures("lev")?.maintenanceRatio as number, ratio)).toBeLessThan(1e-9);
      all.push(...r.events);
      return [...r.events];
    };
    expect(core.figures("lev")?.state).toBe("healthy");
    expect(types(step(0.6))).toEqual([]);
    expect(types(step(0.7))).toEqual(["healthy->warning"]);
    // 0.65 is below the warning threshold 2/3 but above its exit level 2/3 × 0.95 = 0.633: no flapping.
    expect(types(step(0.65))).toEqual([]);
    expect(core.figures("lev")?.state).toBe("warning");
    expect(types(step(0.62))).toEqual(["warning->healthy"]);
    const call = step(0.9);
    expect(types(call)).toEqual(["healthy->margin_call", "margin_call"]);
    const mc = call[1];
    if (mc?.type !== "margin_call") throw new Error("no margin call");
    // Depositing the amount needed ends the margin call (the ratio falls below the margin-call exit level 0.79).
    expect(mc.amountNeededUsd).toBeGreaterThan(0);
    const paid = core.apply({ kind: "balance", seq: s.seq(), timestampMs: T0, account: "lev", currency: "USDC", amount: mc.amountNeededUsd * (1 + 1e-9) });
    expect(types(paid.events)).toEqual(["margin_call->warning"]);
    const liq = step(1.1);
    expect(types(liq)).toEqual(["warning->liquidation", "liquidation"]);
    const plan = liq[1]?.type === "liquidation" ? (liq[1].plan as { status: string; steps: unknown[] }) : undefined;
    expect(plan?.status).toBe("restored");
    expect(plan?.steps.length).toBeGreaterThan(0);
    // Below the liquidation threshold but not past its buffer: still in liquidation, no second trigger.
    expect(types(step(0.97))).toEqual([]);
    expect(types(step(0.9))).toEqual(["liquidation->margin_call"]);
    // A new episode gets a new trigger.
    expect(types(step(1.05))).toEqual(["margin_call->liquidation", "liquidation"]);
    const bankrupt = core.apply({ kind: "balance", seq: s.seq(), timestampMs: T0, account: "lev", currency: "USDC", amount: -s.equity() - 1000 });
    expect(types(bankrupt.events)).toEqual(["liquidation->bankrupt"]);
    all.push(...paid.events, ...bankrupt.events);
    // eventSeq counts every event once, in order; seq names the input.
    const seqs = all.map((e) => e.eventSeq).sort((a, b) => a - b);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    for (const e of all) expect(e.ts).toBe(new Date(T0).toISOString());
    expect(all.every((e) => e.type === "breaker" || e.type === "parameters_changed" || ("account" in e && e.account === "lev"))).toBe(true);
  });

  it("a liquidation's plan, read after later inputs, is the plan of the market that triggered it", () => {
    const s = setup();
    s.core.apply(toRatio(s, 0.95));
    const r = s.core.apply({ kind: "tick", tick: { seq: 10, timestampMs: T0 + 60_000, indexUsd: { BTC: 86000 } } });
    const e = r.events.find((x) => x.type === "liquidation");
    if (e?.type !== "liquidation") throw new Error(`expected a liquidation, got ${JSON.stringify(r.events)}`);
    // The plan from scratch on the trigger's market, before anything else happens.
    const expected = planJson(unwrap(planLiquidation(accountFromScratch(s.core, "lev"), {})));
    // The market moves back and the account is topped up: the event's plan (computed on first read) does not follow.
    s.core.apply({ kind: "tick", tick: { seq: 11, timestampMs: T0 + 120_000, indexUsd: { BTC: 90000 } } });
    s.core.apply(toRatio(s, 0.5));
    const plan = JSON.parse(JSON.stringify(e)).plan as { status: string; steps: unknown[] };
    expect(plan.status).toBe("restored");
    expect(plan.steps.length).toBeGreaterThan(0);
    const cmp = compareDocuments(plan, JSON.parse(JSON.stringify(expected)), 1e-9);
    expect(cmp.diffs).toEqual([]);
    expect(e.plan).toBe(e.plan);
  });

  it("a health event names its cause and carries the figures before and after", () => {
    const s = setup();
    s.core.apply(toRatio(s, 0.6));
    const r = s.core.apply({ kind: "tick", tick: { seq: 10, timestampMs: T0 + 60_000, indexUsd: { BTC: 84000 } } });
    const e = r.events[0];
    if (e?.type !== "health_changed") throw new Error(`expected a health event, got ${JSON.stringify(r.events)}`);
    expect(e.seq).toBe(10);
    expect(e.cause).toMatch(/^tick 10: BTC -6\.67 %/);
    expect(e.before.maintenanceRatio).toBeCloseTo(0.6, 12);
    expect(e.after.equityUsd).toBe(s.core.figures("lev")?.equityUsd);
  });
});

describe("fills", () => {
  it("a fill re-margins its account alone; a price far from the mark is applied with a warning", () => {
    const s = setup();
    const other = liveAccount("other", { positions: [{ instrument: "ETH-PERPETUAL", size: 1 }], collateral: { ETH: 1 } }, CONTEXT);
    const core = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [liveAccount("lev", { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 5 }], collateral: { USDC: s.mm / 0.6 } }, CONTEXT), other] }));
    const im0 = core.figures("lev")?.initialMarginUsd as number;
    const r = core.apply({ kind: "fill", seq: 1, timestampMs: T0, account: "lev", fill: { instrument: "BTC_USDC-PERPETUAL", size: 1, price: 90027, fee: 3, tradeId: "t1" } });
    expect(r.status).toBe("applied");
    expect(r.accountsRemargined).toBe(1);
    expect(r.changed).toEqual(["lev"]);
    expect(core.figures("lev")?.initialMarginUsd).toBeGreaterThan(im0);
    expect(core.account("lev")?.balances.USDC).toBe(s.mm / 0.6 - 3);
    const far = core.apply({ kind: "fill", seq: 2, timestampMs: T0, account: "lev", fill: { instrument: "BTC_USDC-PERPETUAL", size: -1, price: 120000, tradeId: "t2" } });
    expect(far.status).toBe("applied");
    expect(far.issues.map((i) => i.code)).toEqual(["price_far_from_mark"]);
    for (const id of ["lev", "other"]) expect(relDiff(core.figures(id)?.equityUsd as number, evaluateFromScratch(core, id).figures.equityUsd)).toBeLessThanOrEqual(1e-9);
    const bad = core.apply({ kind: "fill", seq: 3, timestampMs: T0, account: "nobody", fill: { instrument: "BTC_USDC-PERPETUAL", size: 1, price: 90000 } });
    expect([bad.status, bad.issues[0]?.code]).toEqual(["rejected", "unknown_account"]);
    const unlisted = core.apply({ kind: "fill", seq: 3, timestampMs: T0, account: "lev", fill: { instrument: "BTC-27MAR26-123456-C", size: 1, price: 0.01 } });
    expect([unlisted.status, unlisted.issues[0]?.code]).toEqual(["rejected", "unknown_instrument"]);
  });
});

describe("parameter versions", () => {
  it("a new version of a parameter set re-margins its accounts on it, with an event", () => {
    const s = setup();
    const preset = unwrap(loadPreset("deribit"));
    const v2 = unwrap(createModel("deribit", { parameterSet: applyMergePatch(preset, { version: "2026.03.02-1", general: { mm_factor: 0.9 } }) }));
    const mm0 = s.core.figures("lev")?.maintenanceMarginUsd as number;
    const r = s.core.apply({ kind: "parameters", seq: 1, timestampMs: T0, parameterSetName: "deribit", model: v2 });
    expect(r.status).toBe("applied");
    const e = r.events.find((x) => x.type === "parameters_changed");
    expect(e?.type === "parameters_changed" ? e.parameterSet : undefined).toEqual({ name: "deribit", from: "2026.02.15-1", to: "2026.03.02-1", effective: "2026-02-15" });
    expect(relDiff(s.core.figures("lev")?.maintenanceMarginUsd as number, (mm0 * 0.9) / 0.8)).toBeLessThan(1e-12);
    expect(relDiff(s.core.figures("lev")?.maintenanceMarginUsd as number, evaluateFromScratch(s.core, "lev").figures.maintenanceMarginUsd)).toBeLessThanOrEqual(1e-9);
    expect(s.core.apply({ kind: "parameters", seq: 2, timestampMs: T0, parameterSetName: "nope", model: v2 }).status).toBe("rejected");
  });
});

describe("the live health state", () => {
  it("is the account layer's assessment, state for state, over random figures", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -1e6, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.constantFrom(0, 1, 0.5),
        (equity, mm, zeroIt) => {
          const e = zeroIt === 0 ? 0 : equity;
          const f = { equityUsd: e, initialMarginUsd: mm * 1.25, maintenanceMarginUsd: zeroIt === 0.5 ? 0 : mm, maintenanceRatio: null };
          const t = { warningRatio: 1 / 1.5, marginCallRatio: 1 / 1.2, liquidationRatio: 1 };
          expect(rawHealthState(f, t)).toBe(assessHealth(f, t).state);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("after hysteresis is the state nextHealthState gives, from every held state, without its reason", () => {
    const hysteresis = { warning: 0.05, marginCall: 0.05, liquidation: 0.1, bankrupt: 1.02 };
    fc.assert(
      fc.property(
        fc.constantFrom(...HEALTH_STATES),
        fc.double({ min: -1e6, max: 1e7, noNaN: true }),
        fc.double({ min: 0, max: 1e7, noNaN: true }),
        fc.constantFrom(0, 1, 0.5),
        (held, equity, mm, zeroIt) => {
          const e = zeroIt === 0 ? 0 : equity;
          const f = { equityUsd: e, initialMarginUsd: mm * 1.25, maintenanceMarginUsd: zeroIt === 0.5 ? 0 : mm, maintenanceRatio: null };
          const t = { warningRatio: 1 / 1.5, marginCallRatio: 1 / 1.2, liquidationRatio: 1 };
          expect(nextHealthStateOnly(held, f, t, hysteresis)).toBe(nextHealthState(held, f, t, hysteresis).state);
        },
      ),
      { numRuns: 5000 },
    );
    // The boundaries themselves: just inside and outside each exit level.
    const t = { warningRatio: 0.5, marginCallRatio: 0.8, liquidationRatio: 1 };
    for (const held of HEALTH_STATES) {
      for (const ratio of [0.44, 0.475, 0.476, 0.5, 0.75, 0.76, 0.8, 0.89, 0.9, 0.91, 1, 1.01]) {
        const f = { equityUsd: 1000, initialMarginUsd: 0, maintenanceMarginUsd: 1000 * ratio, maintenanceRatio: ratio };
        expect(nextHealthStateOnly(held, f, t, hysteresis)).toBe(nextHealthState(held, f, t, hysteresis).state);
      }
    }
  });
});
