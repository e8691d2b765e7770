/**
 * The cascade engine (src/live/cascade): the policy presets, the rules against their venues' published numbers, and
 * the bookkeeping of a cascade on the demo exchange.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { loadLiveAccounts } from "../../src/io/live-accounts.js";
import { createCascadeCore, keepUnderRule, logImpact, NO_IMPACT, runCascade, slippageUsd } from "../../src/live/cascade/index.js";
import { account, cascade, CONTEXT, DEFAULT_IMPACT, MARKET, policy, POLICY_NAMES, shock } from "./helpers.js";

describe("liquidation policy presets", () => {
  it.each(POLICY_NAMES)("%s parses and names its source", (name) => {
    const p = policy(name);
    expect(p.name).toBe(name);
    expect(p.source.length).toBeGreaterThan(20);
    expect(JSON.parse(readFileSync(`presets/liquidation-${name}.json`, "utf8")).$comment).toMatch(/\.md|docs/);
  });
});

describe("rules against the venues' numbers", () => {
  it("Paradex steps: the published example (MM 88.8, account value 80) chooses 40 % with the penalty 17.76 at a 50 % rate", () => {
    // crypto-venues.md §6: share 20 % → ratio 99.9 %, 40 % → 85.6 % (chosen; penalty 17.76). The example implies a
    // 50 % rate (src/account/uniform-liquidation.ts): the preset's 70 % is the text's.
    const p = { ...policy("paradex-steps"), fee: { rate: 0.5, base: "maintenance-margin" as const, toInsuranceFund: 1 } };
    const r = keepUnderRule(p, 80, 88.8, 0, 0);
    expect(r.keep).toBeCloseTo(0.6, 12);
    const penalty = 0.4 * 0.5 * 88.8;
    expect(penalty).toBeCloseTo(17.76, 12);
    expect((88.8 * 0.6) / (80 - penalty)).toBeCloseTo(0.856, 3);
    // One step (20 %) is not enough: 99.9 %.
    expect((88.8 * 0.8) / (80 - 0.2 * 0.5 * 88.8)).toBeCloseTo(0.999, 3);
  });

  it("Derive auction: the fraction taken restores the buffer margin to 0 (DutchAuction.sol's design, derive-pmrm2.md §2.11)", () => {
    // A USDC-settled perpetual on USDC: MM is linear in a uniform cut (no coin collateral in the risk matrix), so the
    // core's figures after the step show BM = E − 1.15·MM = 0.
    const a = account("a", { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 40 }], collateral: { USDC: 360_000 } });
    const p = { ...policy("derive-auction"), fee: { rate: 0, base: "equity" as const, toInsuranceFund: 1 } };
    const core = unwrap(createCascadeCore({ market: MARKET, accounts: [a] }));
    const r = unwrap(runCascade({ core, path: shock({ BTC: -0.05 }), policy: p, impact: NO_IMPACT, insuranceFundUsd: 0 }));
    const step = r.rounds[0]?.steps?.[0];
    expect(step?.action).toBe("auction");
    expect(step?.keepFraction).toBeGreaterThan(0);
    expect(step?.keepFraction).toBeLessThan(1);
    const f = core.figures("a");
    if (f === undefined) throw new Error("no figures");
    expect(f.equityUsd - 1.15 * f.maintenanceMarginUsd).toBeCloseTo(0, 6);
    // The bidder's discount: (1 − d)·f·E with d = 0.95.
    expect(step?.discountUsd).toBeCloseTo(0.05 * (1 - (step?.keepFraction ?? 0)) * (step?.equityBeforeUsd ?? 0), 6);
  });

  it("square-root impact: Δ = Y·σ·√(Q/V), signed, and slippage at 2/3 of it", () => {
    // 2 bn USD volume, σ 0.0343: selling 20 M USD moves the log price by −0.0343·√0.01 = −0.00343.
    expect(logImpact(DEFAULT_IMPACT, "BTC", -20e6)).toBeCloseTo(-0.00343, 12);
    expect(logImpact(DEFAULT_IMPACT, "BTC", 20e6)).toBeCloseTo(0.00343, 12);
    expect(logImpact(NO_IMPACT, "BTC", -20e6)).toBe(0);
    expect(slippageUsd(-20e6, -0.00343)).toBeCloseTo(20e6 * (1 - Math.exp((-2 / 3) * 0.00343)), 6);
  });
});

describe("a cascade on the demo exchange", () => {
  const accounts = unwrap(loadLiveAccounts("examples/demo-exchange", CONTEXT));
  it.each(POLICY_NAMES)("%s: money conserved to the cent, the fund within its means, rounds consistent", (name) => {
    const r = cascade(accounts, shock({ BTC: -0.35, ETH: -0.35 }), policy(name), DEFAULT_IMPACT, 500_000);
    const s = r.summary;
    expect(s.liquidatedAccounts).toBeGreaterThan(0);
    expect(s.bankruptShortfallUsd).toBeGreaterThan(0);
    expect(Math.abs(s.bankruptShortfallUsd - (s.insuranceFundUsedUsd + s.adlUsd + s.socializedLossUsd))).toBeLessThan(0.005);
    expect(s.insuranceFundUsedUsd).toBeLessThanOrEqual(s.insuranceFundStartUsd + s.insuranceFundFeesUsd + 0.005);
    expect(Math.abs(s.insuranceFundEndUsd - (s.insuranceFundStartUsd + s.insuranceFundFeesUsd - s.insuranceFundUsedUsd))).toBeLessThan(0.005);
    const sum = (k: "shortfallUsd" | "insuranceFundDrawUsd" | "adlUsd" | "socializedUsd" | "liquidatedAccounts"): number => r.rounds.reduce((t, x) => t + x[k], 0);
    expect(sum("shortfallUsd")).toBeCloseTo(s.bankruptShortfallUsd, 6);
    expect(sum("insuranceFundDrawUsd")).toBeCloseTo(s.insuranceFundUsedUsd, 6);
    expect(sum("liquidatedAccounts")).toBe(s.liquidatedAccounts);
    expect(r.rounds.at(-1)?.insuranceFundBalanceUsd).toBeCloseTo(s.insuranceFundEndUsd, 6);
    expect(s.rounds).toBe(r.rounds.length);
    expect(s.truncated).toBe(false);
    expect(JSON.stringify(r)).not.toMatch(/NaN|Infinity|null/);
    // Market execution moves the marks below the shock; the fund's execution does not.
    if (policy(name).execution === "market") expect(s.finalMarks.BTC).toBeLessThan(90_000 * 0.65);
    else expect(s.finalMarks.BTC).toBeCloseTo(90_000 * 0.65, 6);
  });

  it("ADL takes from the opposite side only, never more than its profit", () => {
    const accounts2 = [
      account("long", { positions: [{ instrument: "BTC-PERPETUAL", size: 50 }], collateral: { BTC: 2 } }),
      account("short", { positions: [{ instrument: "BTC-PERPETUAL", size: -10 }], collateral: { BTC: 5 } }),
      account("long2", { positions: [{ instrument: "BTC-PERPETUAL", size: 1 }], collateral: { BTC: 5 } }),
    ];
    const r = cascade(accounts2, shock({ BTC: -0.2 }), policy("hyperliquid-backstop"), NO_IMPACT, 0);
    const s = r.summary;
    // Coin-sized inverse perpetual (docs/methodology.md): P&L q·(M/A − 1) coin. The long loses 50 × 0.2 = 10 BTC
    // (720,000 USD at 72,000) against 2 BTC (144,000): shortfall 576,000. The short gained 10 × 0.2 = 2 BTC (144,000):
    // ADL takes all of it; long2 is on the same side and pays nothing; the rest, 432,000, is socialised.
    expect(s.bankruptShortfallUsd).toBeCloseTo(576_000, 3);
    expect(s.adlUsd).toBeCloseTo(144_000, 3);
    expect(s.socializedLossUsd).toBeCloseTo(432_000, 3);
    expect(s.adlAccounts).toBe(1);
  });
});

describe("the core's reduce input", () => {
  it("cuts at the mark without changing equity, books the cash, equals a from-scratch evaluation, and rejects bad input whole", async () => {
    const { evaluateFromScratch, relDiff } = await import("../live/helpers.js");
    const a = account("a", { positions: [{ instrument: "BTC-PERPETUAL", size: 3, averagePrice: 95_000 }, { instrument: "BTC-27MAR26-80000-P", size: -4 }, { instrument: "BTC_USDC-PERPETUAL", size: -2, averagePrice: 85_000 }], collateral: { BTC: 4, USDC: 20_000 } });
    const core = unwrap(createCascadeCore({ market: MARKET, accounts: [a] }));
    const before = core.figures("a")?.equityUsd ?? NaN;
    const out = core.apply({ kind: "reduce", seq: 1, timestampMs: MARKET.timestampMs, account: "a", keepFraction: 0.25, currency: "USDC", cashUsd: -1_000 });
    expect(out.status).toBe("applied");
    const after = core.figures("a");
    expect(after?.equityUsd).toBeCloseTo(before - 1_000, 6);
    expect(Object.fromEntries(core.account("a")?.positions.map((p) => [p.instrument.name, p.sizeCoin]) ?? [])).toEqual({ "BTC-PERPETUAL": 0.75, "BTC-27MAR26-80000-P": -1, "BTC_USDC-PERPETUAL": -0.5 });
    const scratch = evaluateFromScratch(core, "a");
    expect(relDiff(scratch.figures.equityUsd, after?.equityUsd ?? NaN)).toBeLessThan(1e-12);
    expect(relDiff(scratch.figures.maintenanceMarginUsd, after?.maintenanceMarginUsd ?? NaN)).toBeLessThan(1e-12);
    for (const bad of [{ keepFraction: 1.5 }, { keepFraction: Number.NaN }, { cashUsd: Number.POSITIVE_INFINITY }, { currency: "XYZ" }, { account: "nobody" }]) {
      const r = core.apply({ kind: "reduce", seq: 2, timestampMs: MARKET.timestampMs, account: "a", keepFraction: 0, currency: "USDC", cashUsd: 0, ...bad });
      expect(r.status).toBe("rejected");
      expect(r.issues[0]?.path).toBe(Object.keys(bad)[0]);
    }
    expect(core.figures("a")?.equityUsd).toBe(after?.equityUsd);
  });
});

describe("the least-cost planner as an option", () => {
  it("cuts by the engine's plan (action planner), keeps money conserved, and is not the default", () => {
    const accounts = unwrap(loadLiveAccounts("examples/demo-exchange", CONTEXT)).slice(0, 60);
    const path = shock({ BTC: -0.25, ETH: -0.25 });
    const core = unwrap(createCascadeCore({ market: MARKET, accounts }));
    const r = unwrap(runCascade({ core, path, policy: policy("deribit-incremental"), impact: DEFAULT_IMPACT, insuranceFundUsd: 100_000, planner: "least-cost" }));
    const steps = r.rounds.flatMap((x) => x.steps ?? []);
    expect(steps.some((s) => s.action === "planner")).toBe(true);
    const s = r.summary;
    expect(Math.abs(s.bankruptShortfallUsd - (s.insuranceFundUsedUsd + s.adlUsd + s.socializedLossUsd))).toBeLessThan(0.005);
    expect(s.truncated).toBe(false);
    const byDefault = cascade(accounts, path, policy("deribit-incremental"), DEFAULT_IMPACT, 100_000);
    expect(byDefault.rounds.flatMap((x) => x.steps ?? []).some((st) => st.action === "planner")).toBe(false);
  }, 60_000);
});

describe("the core's holdings input", () => {
  it("replaces an account's holdings, and rejects unlisted instruments, non-finite sizes and unpriced balances whole", () => {
    const a = account("a", { positions: [{ instrument: "BTC-PERPETUAL", size: 3 }], collateral: { BTC: 4 } });
    const core = unwrap(createCascadeCore({ market: MARKET, accounts: [a] }));
    const held = core.account("a");
    if (held === undefined) throw new Error("no account");
    const p0 = held.positions[0] as (typeof held.positions)[number];
    const ok = core.apply({ kind: "holdings", seq: 1, timestampMs: MARKET.timestampMs, account: "a", positions: [{ ...p0, sizeCoin: 1 }], balances: { BTC: 5 } });
    expect(ok.status).toBe("applied");
    expect(core.account("a")?.positions[0]?.sizeCoin).toBe(1);
    expect(core.account("a")?.balances).toEqual({ BTC: 5 });
    const before = core.figures("a")?.equityUsd;
    const bad: { positions: (typeof held.positions)[number][]; balances: Record<string, number>; path: string }[] = [
      { positions: [{ ...p0, instrument: { ...p0.instrument, name: "BTC-1JAN99" } }], balances: {}, path: "positions[0].instrument" },
      { positions: [{ ...p0, sizeCoin: Number.NaN }], balances: {}, path: "positions[0].sizeCoin" },
      { positions: [], balances: { XYZ: 1 }, path: "balances.XYZ" },
    ];
    for (const [k, b] of bad.entries()) {
      const r = core.apply({ kind: "holdings", seq: 2 + k, timestampMs: MARKET.timestampMs, account: "a", positions: b.positions, balances: b.balances });
      expect(r.status).toBe("rejected");
      expect(r.issues[0]?.path).toBe(b.path);
    }
    expect(core.figures("a")?.equityUsd).toBe(before);
  });
});
