/**
 * Progress (issue 9 §5): the callback contract of every engine a long command reports through (done never
 * decreases, every call has 0 ≤ done ≤ total with one total per run, the last call reaches the total), and the one
 * renderer of the CLI: a bar on a terminal's stderr, nothing in a pipe, nothing under --json. No timings here.
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { loadAccount } from "../../src/io/account.js";
import { unwrap } from "../../src/errors.js";
import { planLiquidation } from "../../src/account/liquidation.js";
import { createCascadeCore, NO_IMPACT, runCascade } from "../../src/live/cascade/index.js";
import { cover2, reverseStress, sizeInsuranceFund } from "../../src/live/fund/index.js";
import type { FundDraw } from "../../src/live/fund/index.js";
import { compileRevaluationBook, revalue } from "../../src/risk/revaluation.js";
import { main } from "../../src/cli/main.js";
import { parseInstrument } from "../../src/market/instrument.js";
import type { Tick } from "../../src/live/tick.js";
import { progressBar } from "../../src/cli/progress.js";
import { streamIo } from "../../src/cli/run.js";
import { randomJointSet } from "../var/sets.js";
import { account, MARKET, CONTEXT, policy, shock } from "../cascade/helpers.js";

/** A recorder of (done, total) calls and the contract check. */
function recorder(): { calls: [number, number][]; cb: (done: number, total: number) => void; check(): void } {
  const calls: [number, number][] = [];
  return {
    calls,
    cb: (done, total) => void calls.push([done, total]),
    check() {
      expect(calls.length).toBeGreaterThan(0);
      const total = calls[0]?.[1] as number;
      let last = -Infinity;
      for (const [done, t] of calls) {
        expect(t).toBe(total);
        expect(done).toBeGreaterThanOrEqual(0);
        expect(done).toBeLessThanOrEqual(total);
        expect(done).toBeGreaterThanOrEqual(last);
        last = done;
      }
      expect(calls[calls.length - 1]).toEqual([total, total]);
    },
  };
}

const lev = (id: string, sizeCoin: number, usdc: number) => account(id, { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: sizeCoin }], collateral: { USDC: usdc } });
const book = [lev("a", 2, 20_000), lev("b", -1, 500_000), lev("c", 4, 30_000)];
const newCore = () => createCascadeCore({ market: MARKET, accounts: book });
const P = policy("deribit-incremental");

describe("progress callbacks: monotone, one total, reaching it", () => {
  it("full revaluation (the var revaluation phase), over several reporting intervals", () => {
    const set = randomJointSet({ seed: 3, count: 5_000, priceFactors: ["BTC"], logVol: [0.1], volFactors: [], withZero: false });
    const legs = [
      { label: "BTC-PERPETUAL", instrument: unwrap(parseInstrument("BTC-PERPETUAL")), sizeCoin: 1, path: "positions[0]" },
    ];
    const compiled = unwrap(compileRevaluationBook(legs, CONTEXT, set, { volConvention: "sticky-strike" }));
    const r = recorder();
    const withBar = revalue(compiled, set, { onProgress: r.cb });
    r.check();
    expect(r.calls.length).toBeGreaterThan(3);
    // The callback changes nothing in the numbers.
    expect(Array.from(withBar)).toEqual(Array.from(revalue(compiled, set)));
  });

  it("liquidation plan (steps, reaching the step budget at the end)", () => {
    const acct = unwrap(loadAccount(JSON.parse(readFileSync("examples/account-stressed.json", "utf8")) as unknown, CONTEXT)).account;
    const r = recorder();
    const plan = unwrap(planLiquidation(acct, { onProgress: r.cb }));
    expect(plan.steps.length).toBeGreaterThan(0);
    r.check();
    expect(r.calls.length).toBe(plan.steps.length + 1);
  });

  it("cascade (path ticks, then the settling rounds)", () => {
    const r = recorder();
    const [t0, t1] = [shock({ BTC: -0.2 })[0] as Tick, shock({ BTC: -0.45 })[0] as Tick];
    const path = [t0, { ...t1, seq: 1, timestampMs: MARKET.timestampMs + 60_000 }];
    const out = unwrap(runCascade({ core: unwrap(newCore()), path, policy: P, impact: NO_IMPACT, insuranceFundUsd: 0, onProgress: r.cb }));
    r.check();
    expect(r.calls[0]?.[1]).toBe(path.length + 1);
    expect(r.calls.length).toBe(out.rounds.length + 1);
  });

  it("insurance-fund draws, Cover-2 scenarios and reverse-stress cascades", () => {
    const draws: FundDraw[] = [-0.1, -0.3, -0.5].map((m, i) => ({ source: "montecarlo", label: `d${i}`, tick: shock({ BTC: m })[0] as FundDraw["tick"] }));
    const sizing = recorder();
    unwrap(sizeInsuranceFund({ newCore, draws, policy: P, impact: NO_IMPACT, onDraw: sizing.cb }));
    sizing.check();
    const c2 = recorder();
    unwrap(cover2({ newCore, scenarios: draws.map((d) => ({ label: d.label, source: "named" as const, tick: d.tick })), onProgress: c2.cb }));
    c2.check();
    expect(c2.calls.length).toBe(draws.length + 1);
    for (const fundUsd of [1_000, 1e12]) {
      const rs = recorder();
      const res = unwrap(reverseStress({ newCore, market: MARKET, policy: P, impact: NO_IMPACT, fundUsd, factors: [{ currency: "BTC", sigmaLog: 0.05 }], correlation: [1], direction: "down", onProgress: rs.cb }));
      rs.check();
      expect(rs.calls.length).toBe(res.evaluations + 1);
    }
  });
});

/** A pseudo-terminal stream: what a TTY's stderr offers the CLI (isTTY and write), recorded. */
function ttyStream(isTTY: boolean): { isTTY: boolean; text: string; write(t: string): boolean } {
  return {
    isTTY,
    text: "",
    write(t: string) {
      this.text += t;
      return true;
    },
  };
}

const STRESSED = ["liquidate", "--plan", "--account", "examples/account-stressed.json", "--market", "examples/market.json"];

describe("the progress renderer", () => {
  it("draws one redrawn line per percent and clears it", () => {
    let out = "";
    const bar = progressBar((t) => void (out += t), "work");
    bar.update(0, 200);
    bar.update(1, 200); // 0 % again: no redraw
    bar.update(100, 200, "half");
    bar.update(200, 200);
    bar.done();
    const frames = out.split("\r").filter((f) => f.trim() !== "");
    expect(frames.map((f) => f.trim())).toEqual([
      "work [------------------------------]   0% (0/200)",
      "work [###############---------------]  50% half (100/200)",
      "work [##############################] 100% (200/200)",
    ]);
    expect(out.endsWith("\r")).toBe(true);
    expect(out.split("\r").at(-2)?.trim()).toBe("");
  });

  it("a command on a terminal's stderr draws the bar and leaves stdout to the result", async () => {
    const out = ttyStream(false);
    const err = ttyStream(true);
    const code = await main(STRESSED, streamIo(out, err));
    expect(code).toBe(0);
    expect(err.text).toMatch(/\rliquidation plan steps \[#+-*\]\s+\d+%/);
    expect(err.text).toMatch(/100% \(\d+\/\d+\)/);
    expect(out.text).not.toContain("\r");
    expect(out.text).toContain("RESTORED");
  });

  it("every command that reads a market draws the two-stage loading bar first, and clears it", async () => {
    for (const args of [["margin", "--example"], ["surface", "--market", "examples/market.json", "--base", "BTC"], STRESSED]) {
      const err = ttyStream(true);
      const out = ttyStream(false);
      expect(await main(args, streamIo(out, err))).toBe(0);
      expect(err.text).toContain("\rloading market [------------------------------]   0% reading and validating market.json (0/2)");
      expect(err.text).toMatch(/\rloading market \[#+-+\]\s+50% building the market context \(1\/2\)/);
      expect(err.text).toMatch(/\rloading market \[#{30}\] 100% \(2\/2\)/);
      // Cleared: the last thing on stderr is a blank redraw ending in \r, and stdout has no bar.
      expect(err.text.endsWith("\r")).toBe(true);
      expect(out.text).not.toContain("loading market");
    }
  });

  it("nothing on stderr in a pipe, and nothing under --json on a terminal", async () => {
    const piped = ttyStream(false);
    expect(await main(STRESSED, streamIo(ttyStream(false), piped))).toBe(0);
    expect(piped.text).toBe("");
    const err = ttyStream(true);
    const out = ttyStream(false);
    expect(await main([...STRESSED, "--json"], streamIo(out, err))).toBe(0);
    expect(err.text).toBe("");
    expect(JSON.parse(out.text).status).toBe("restored");
  });
});
