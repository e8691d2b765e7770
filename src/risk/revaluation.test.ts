import { expect, it } from "vitest";
import fc from "fast-check";
import { contractMarket, portfolioOf } from "../../test/contract/markets.js";
import { describeWithSharedData, whenSharedData } from "../../test/helpers/requires.js";
import { randomJointSet } from "../../test/var/sets.js";
import type { JointScenarioSet } from "./joint.js";
import { checkJointScenarioSet, compileRevaluationBook, groupsByLeg, groupsByUnderlying, revalue } from "./revaluation.js";
import type { RevaluationBook, RevaluationLeg, VolConvention } from "./revaluation.js";
import { revalueReference } from "./revaluation-reference.js";
import type { ResolvedPortfolio } from "./portfolio.js";

const market = whenSharedData(() => contractMarket().market);

/** Every kind of leg: inverse and linear options (calls, puts, two expiries, two bases), futures, perps, spot. */
const BOOK = {
  positions: [
    { instrument: "BTC-30JAN26-100000-C", size: -5 },
    { instrument: "BTC-30JAN26-80000-P", size: -5 },
    { instrument: "BTC-27MAR26-90000-C", size: 2 },
    { instrument: "BTC-27MAR26-90000-P", size: 2 },
    { instrument: "BTC-26JUN26", size: -1.5 },
    { instrument: "BTC-PERPETUAL", sizeUsd: 40000 },
    { instrument: "ETH-30JAN26-3500-C", size: -20 },
    { instrument: "ETH-PERPETUAL", size: 8 },
    { instrument: "BTC_USDC-PERPETUAL", size: -0.5 },
    { instrument: "BTC_USDC-30JAN26-90000-C", size: -1 },
    { instrument: "BTC_USDC-30JAN26-80000-P", size: 1.5 },
    { instrument: "ETH_USDC-30JAN26-2600-P", size: 10 },
    { instrument: "ETH", size: 3 },
  ],
};

function legsOf(p: ResolvedPortfolio): RevaluationLeg[] {
  return p.positions.map((x, i) => ({ label: x.instrument.name, instrument: x.instrument, sizeCoin: x.sizeCoin, path: `positions[${i}].instrument` }));
}

const portfolio = whenSharedData(() => portfolioOf(BOOK, market));
const set = randomJointSet({ seed: 7, count: 400, priceFactors: ["BTC", "ETH", "USDC"], logVol: [0.12, 0.16, 0.004], volFactors: ["BTC", "ETH"], withZero: true });

function compile(convention: VolConvention, s: JointScenarioSet = set, legs = legsOf(portfolio)): RevaluationBook {
  const r = compileRevaluationBook(legs, market, s, { volConvention: convention });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
}

/** Σ|size| × 2e5 USD (≈ forward + strike of a BTC option): the scale of an absolute price error of the book, in USD. */
function bookScaleUsd(p: ResolvedPortfolio): number {
  return p.positions.reduce((s, x) => s + Math.abs(x.sizeCoin) * 2 * 1e5, 0);
}

describeWithSharedData("full revaluation: fast kernel vs straightforward reference", () => {
  it("the test set is valid", () => {
    expect(checkJointScenarioSet(set)).toEqual([]);
  });

  // Sticky-strike: both compute Black-76 on the same inputs; the kernel's tabulated Φ has ≤ 2e-15 absolute error
  // and its arrangement (per unit of forward, parity for puts) rounds differently: a few 1e-15 relative to
  // (F + K) × |size| per option. Bound: 1e-13 × Σ|size|·2e5 USD (≈ 1e-6 USD here); measured worst 5e-10 USD.
  it("agrees per leg and per scenario (sticky-strike) within 1e-13 of the book's notional scale", () => {
    const book = compile("sticky-strike");
    const groups = groupsByLeg(book);
    const fast = revalue(book, set, { groups });
    const ref = revalueReference(book, market, set, { groups });
    let worst = 0;
    for (let i = 0; i < fast.length; i++) worst = Math.max(worst, Math.abs((fast[i] as number) - (ref[i] as number)));
    expect(worst).toBeLessThanOrEqual(1e-13 * bookScaleUsd(portfolio));
  });

  // Sticky-moneyness: the kernel reads the smile from a cubic-Hermite table (step 1/128 in ln K), the reference asks
  // the fitted surface directly. Table error O(h⁴·σ'''') ≈ 1e-9 vol, times vega (≤ 0.4·F·√T per coin) and the sizes:
  // bound 1e-9 × Σ|size|·2e5 USD (≈ 0.01 USD here); measured worst 2e-4 USD on P&Ls up to 1e5 USD.
  it("agrees per leg and per scenario (sticky-moneyness) within 1e-9 of the book's notional scale", () => {
    const book = compile("sticky-moneyness");
    const groups = groupsByLeg(book);
    const fast = revalue(book, set, { groups });
    const ref = revalueReference(book, market, set, { groups });
    let worst = 0;
    for (let i = 0; i < fast.length; i++) worst = Math.max(worst, Math.abs((fast[i] as number) - (ref[i] as number)));
    expect(worst).toBeLessThanOrEqual(1e-9 * bookScaleUsd(portfolio));
  });

  it("gives exactly 0 in the scenario that moves nothing, for both conventions", () => {
    for (const c of ["sticky-strike", "sticky-moneyness"] as const) {
      const book = compile(c);
      const pnl = revalue(book, set, { groups: groupsByLeg(book), scenarioIndices: Int32Array.of(0) });
      expect(Array.from(pnl).every((v) => v === 0), c).toBe(true);
    }
  });

  it("sums groups to the total, and a selection of scenarios equals the same columns of the full run", () => {
    const book = compile("sticky-strike");
    const total = revalue(book, set);
    const byUnderlying = groupsByUnderlying(book);
    expect(byUnderlying.names).toEqual(["BTC", "ETH"]);
    const split = revalue(book, set, { groups: byUnderlying });
    const pick = Int32Array.of(5, 3, 399, 5);
    const picked = revalue(book, set, { scenarioIndices: pick });
    for (let s = 0; s < set.count; s++) {
      const sum = (split[s] as number) + (split[set.count + s] as number);
      expect(Math.abs(sum - (total[s] as number))).toBeLessThanOrEqual(1e-9 * (1 + Math.abs(total[s] as number)));
    }
    pick.forEach((s, j) => expect(picked[j]).toBe(total[s]));
  });
});

describeWithSharedData("full revaluation: closed forms and properties", () => {
  const S_BTC = whenSharedData(() => market.indexUsd("BTC"));
  const S_ETH = whenSharedData(() => market.indexUsd("ETH"));

  it("linear legs: inverse perp q·S·m, linear perp q·mark·m·(1 + m_USDC), spot ETH amount·S·m", () => {
    const p = portfolioOf({ positions: [{ instrument: "BTC-PERPETUAL", size: 2 }, { instrument: "BTC_USDC-PERPETUAL", size: -3 }, { instrument: "ETH", size: 7 }] }, market);
    const book = compile("sticky-strike", set, legsOf(p));
    const pnl = revalue(book, set, { groups: groupsByLeg(book) });
    const n = set.count;
    const markLinear = market.futureMarkUsd(p.positions[1]?.instrument as never);
    for (const s of [1, 17, 250]) {
      const m = set.priceRelativeMove[s * 3] as number;
      const mEth = set.priceRelativeMove[s * 3 + 1] as number;
      const mUsdc = set.priceRelativeMove[s * 3 + 2] as number;
      // Legs are in label order: BTC-PERPETUAL, BTC_USDC-PERPETUAL, ETH.
      expect(pnl[s]).toBeCloseTo(2 * S_BTC * m, 6);
      expect(pnl[n + s]).toBeCloseTo(-3 * markLinear * m * (1 + mUsdc), 6);
      expect(pnl[2 * n + s]).toBeCloseTo(7 * S_ETH * mEth, 6);
    }
  });

  // Put-call parity holds scenario by scenario whatever the vol move: C' − P' = D·(F' − K) in USDC, so long call +
  // short put of one strike has USD P&L D·((F' − K)·(1 + m_USDC) − (F − K)) (USDC at 1 USD in this market).
  // Tolerance 1e-9 × F (the tabulated Φ's absolute error is 2e-15 × (F + K)).
  it("satisfies put-call parity per scenario for linear options (sticky-strike and sticky-moneyness)", () => {
    const p = portfolioOf({ positions: [{ instrument: "BTC_USDC-27MAR26-90000-C", size: 1 }, { instrument: "BTC_USDC-27MAR26-90000-P", size: -1 }] }, market);
    const inputs = market.optionInputs(p.positions[0]?.instrument as never);
    const F = inputs.forwardUsd;
    const K = 90000;
    const D = Math.exp(-inputs.rateDecimal * inputs.timeYears);
    for (const c of ["sticky-strike", "sticky-moneyness"] as const) {
      const book = compile(c, set, legsOf(p));
      const pnl = revalue(book, set);
      for (let s = 0; s < set.count; s++) {
        const m = set.priceRelativeMove[s * 3] as number;
        const g = 1 + (set.priceRelativeMove[s * 3 + 2] as number);
        const expected = D * ((F * (1 + m) - K) * g - (F - K));
        expect(Math.abs((pnl[s] as number) - expected), `${c} scenario ${s}`).toBeLessThanOrEqual(1e-9 * F);
      }
    }
  });

  it("is linear in the sizes (property: P&L of k × book = k × P&L of book)", () => {
    const base = compile("sticky-strike");
    const pnl = revalue(base, set);
    fc.assert(
      fc.property(fc.double({ min: -50, max: 50, noNaN: true }).filter((k) => Math.abs(k) > 1e-3), (k) => {
        const legs = legsOf(portfolio).map((l) => ({ ...l, sizeCoin: l.sizeCoin * k }));
        const scaled = revalue(compile("sticky-strike", set, legs), set);
        for (let s = 0; s < set.count; s += 7) {
          expect(Math.abs((scaled[s] as number) - k * (pnl[s] as number))).toBeLessThanOrEqual(1e-9 * Math.abs(k) * (1 + Math.abs(pnl[s] as number)));
        }
      }),
      { numRuns: 10, seed: 42 },
    );
  });

  it("does not depend on the order of the legs (canonical order by label)", () => {
    const a = revalue(compile("sticky-strike"), set);
    const b = revalue(compile("sticky-strike", set, legsOf(portfolio).reverse()), set);
    expect(Array.from(b)).toEqual(Array.from(a));
  });

  it("a long option never loses more than its premium, a vol-up scenario raises a long option's value", () => {
    const p = portfolioOf({ positions: [{ instrument: "BTC-27MAR26-90000-C", size: 1 }] }, market);
    const book = compile("sticky-strike", set, legsOf(p));
    const pnl = revalue(book, set);
    const inputs = market.optionInputs(p.positions[0]?.instrument as never);
    const premiumUsd = (book.arrays.amp[0] as number) * (book.arrays.u0[0] as number);
    for (let s = 0; s < set.count; s++) expect(pnl[s] as number).toBeGreaterThanOrEqual(-premiumUsd * (1 + 1e-12) * Math.max(1, 1 + (set.priceRelativeMove[s * 3] as number)));
    // Same move, vol × 1.5 vs × 1: higher value.
    const one: JointScenarioSet = { ...set, count: 2, labels: ["a", "b"], priceRelativeMove: Float64Array.of(0.01, 0, 0, 0.01, 0, 0), volRatio: Float64Array.of(1, 1, 1.5, 1) };
    const two = revalue(compile("sticky-strike", one, legsOf(p)), one);
    expect(two[1] as number).toBeGreaterThan(two[0] as number);
    expect(inputs.volDecimal).toBeGreaterThan(0);
  });
});

describeWithSharedData("full revaluation: bad input", () => {
  it("a leg whose currency has no price factor is unsupported, or held unchanged when asked (with a note)", () => {
    const btcOnly = randomJointSet({ seed: 1, count: 10, priceFactors: ["BTC"], logVol: [0.1] });
    const r = compileRevaluationBook(legsOf(portfolio), market, btcOnly, { volConvention: "sticky-strike" });
    expect(r.ok ? [] : r.issues.map((i) => i.code)).toContain("unsupported");
    const u = compileRevaluationBook(legsOf(portfolio), market, btcOnly, { volConvention: "sticky-strike", missingFactor: "unchanged" });
    expect(u.ok).toBe(true);
    if (u.ok) {
      expect(u.value.notes.join("\n")).toMatch(/ETH has no price factor/);
      expect(u.value.notes.join("\n")).toMatch(/USDC has no price factor.*held at its current USD rate/);
      expect(u.value.volMoveByBase).toEqual({ BTC: "unchanged", ETH: "unchanged" });
    }
  });

  it("reports which bases' vols move", () => {
    expect(compile("sticky-strike").volMoveByBase).toEqual({ BTC: "vol-index-ratio", ETH: "vol-index-ratio" });
  });

  it("rejects two legs with one label", () => {
    const legs = legsOf(portfolio);
    const r = compileRevaluationBook([...legs, legs[0] as RevaluationLeg], market, set, { volConvention: "sticky-strike" });
    expect(r.ok ? null : r.issues[0]?.code).toBe("duplicate");
  });

  it("checkJointScenarioSet reports bad lengths, moves ≤ −1, non-positive vol ratios and bad weights", () => {
    const bad: JointScenarioSet = { ...set, count: 2, labels: ["a", "b"], priceRelativeMove: Float64Array.of(-1, 0, 0, 0.1, NaN, 0), volRatio: Float64Array.of(1, 0, 1, 1) };
    const codes = checkJointScenarioSet(bad).map((i) => `${i.code} ${i.path}`);
    expect(codes).toEqual(["out_of_range scenarios.priceRelativeMove[0]", "out_of_range scenarios.priceRelativeMove[4]", "out_of_range scenarios.volRatio[1]"]);
    expect(checkJointScenarioSet({ ...set, labels: ["x"] })[0]?.path).toBe("scenarios.labels");
    const w = new Float64Array(set.count).fill(1 / set.count);
    expect(checkJointScenarioSet({ ...set, weights: w })).toEqual([]);
    expect(checkJointScenarioSet({ ...set, weights: w.map((x) => 2 * x) })[0]?.code).toBe("invalid_value");
  });
});
