/**
 * Insurance-fund sizing, Cover-2 and reverse stress (src/live/fund) against hand computations on books whose losses
 * are closed-form: a leveraged linear perpetual on USDC, no market impact, shocked past its bankruptcy in one tick, so
 * its shortfall is −(C + q·m₀·r) (collateral C, size q, perpetual mark m₀ of the example market, move r) and it pays no
 * liquidation fee (a bankrupt account has no equity to pay it from). Tolerance 1e-6 USD on ~1e5-USD amounts (a handful
 * of products and sums).
 */
import { describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { createCascadeCore, NO_IMPACT, runCascade } from "../../src/live/cascade/index.js";
import type { CascadeResult } from "../../src/live/cascade/index.js";
import { cover2, fundNeededUsd, reverseStress, sizeInsuranceFund } from "../../src/live/fund/index.js";
import type { FundDraw } from "../../src/live/fund/index.js";
import { account, MARKET, policy, shock } from "../cascade/helpers.js";

const M0 = MARKET.instruments["BTC_USDC-PERPETUAL"]?.markPrice as number;
const lev = (id: string, sizeCoin: number, usdc: number) => account(id, { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: sizeCoin }], collateral: { USDC: usdc } });
const newCore = (accounts: ReturnType<typeof lev>[]) => () => createCascadeCore({ market: MARKET, accounts });
const P = policy("deribit-incremental");
const draw = (label: string, r: number, source: FundDraw["source"] = "montecarlo"): FundDraw => ({ source, label, tick: shock({ BTC: r })[0] as FundDraw["tick"] });

describe("fund needed by a cascade", () => {
  it("peak of draws minus fees in step order: fees paid before a draw reduce it, fees after do not", () => {
    const step = (fee: number, drawn: number) => ({ feeToFundUsd: fee, fundDrawUsd: drawn }) as never;
    const r = { rounds: [{ steps: [step(10, 0), step(0, 50)] }, { steps: [step(5, 0), step(0, 30), step(100, 0)] }] } as unknown as CascadeResult;
    // cumulative draws − fees after each step: −10, 40, 35, 65, −35 → peak 65.
    expect(fundNeededUsd(r)).toBe(65);
  });

  it("a bankrupt leveraged perpetual: the fund is its negative equity −(C + q·m₀·r); a move it survives needs none", () => {
    const acct = lev("a", 2, 20_000);
    const moves = [-0.05, -0.2, -0.35, -0.5];
    const r = unwrap(sizeInsuranceFund({ newCore: newCore([acct]), draws: moves.map((m, i) => draw(`d${i}`, m)), policy: P, impact: NO_IMPACT }));
    r.outcomes.forEach((o, i) => {
      const m = moves[i] as number;
      const expected = Math.max(0, -(20_000 + 2 * M0 * m));
      expect(Math.abs(o.fundNeededUsd - expected), o.label).toBeLessThanOrEqual(1e-6);
    });
    expect(r.outcomes[0]?.fundNeededUsd).toBe(0);
    const s = r.bySource[0];
    expect(s?.source).toBe("montecarlo");
    expect(s?.maxUsd).toBeCloseTo(-(20_000 + 2 * M0 * -0.5), 6);
    expect(s?.worst?.label).toBe("d3");
    expect(s?.zeroDraws).toBe(1);
  });

  it("the cascade with the sized fund is not rescued by ADL or socialisation, with one USD less it is", () => {
    const acct = lev("a", 2, 20_000);
    const other = lev("b", -1, 500_000); // the opposite side ADL would take from
    const need = unwrap(sizeInsuranceFund({ newCore: newCore([acct, other]), draws: [draw("x", -0.4)], policy: P, impact: NO_IMPACT })).outcomes[0]?.fundNeededUsd as number;
    const run = (fund: number) => unwrap(runCascade({ core: unwrap(newCore([acct, other])()), path: shock({ BTC: -0.4 }), policy: P, impact: NO_IMPACT, insuranceFundUsd: fund })).summary;
    const enough = run(need);
    expect(enough.adlUsd + enough.socializedLossUsd).toBe(0);
    const short = run(need - 1);
    expect(short.adlUsd + short.socializedLossUsd).toBeCloseTo(1, 6);
  });
});

describe("reverse stress", () => {
  it("one account: the move that exhausts F solves C + q·m₀·(e^{kσ} − 1) = −F, to the bisection's tolerance", () => {
    const acct = lev("a", 2, 20_000);
    const sigma = 0.05, F = 30_000;
    const r = unwrap(reverseStress({ newCore: newCore([acct]), market: MARKET, policy: P, impact: NO_IMPACT, fundUsd: F, factors: [{ currency: "BTC", sigmaLog: sigma }], correlation: [1], direction: "down" }));
    const kStar = Math.log(1 - (20_000 + F) / (2 * M0)) / sigma;
    expect(r.found).toBe(true);
    expect(Math.abs(r.kSigma - kStar)).toBeLessThanOrEqual(1e-3);
    expect(r.kSigma).toBeLessThanOrEqual(kStar + 1e-12); // the answer is on the exhausting side
    expect(r.fundNeededUsd).toBeGreaterThanOrEqual(F);
    expect(r.fundNeededBelowUsd).toBeLessThan(F);
    expect(r.mahalanobis).toBeCloseTo(-r.kSigma, 12);
    expect(r.moves.BTC).toBeCloseTo(Math.expm1(r.kSigma * sigma), 12);
  });

  it("two correlated factors: Mahalanobis length √(2/(1+ρ)) per σ; a long-only book is never exhausted upwards", () => {
    const acct = lev("a", 2, 20_000);
    const rho = 0.8;
    const r = unwrap(reverseStress({ newCore: newCore([acct]), market: MARKET, policy: P, impact: NO_IMPACT, fundUsd: 10_000, factors: [{ currency: "BTC", sigmaLog: 0.05 }, { currency: "ETH", sigmaLog: 0.06 }], correlation: [1, rho, rho, 1], direction: "up", maxSigma: 3 }));
    expect(r.found).toBe(false);
    expect(r.kSigma).toBeCloseTo(3, 12);
    expect(r.mahalanobis).toBeCloseTo(3 * Math.sqrt(2 / (1 + rho)), 12);
  });

  it("bad input: issues, not a crash", () => {
    const base = { newCore: newCore([lev("a", 1, 1000)]), market: MARKET, policy: P, impact: NO_IMPACT, direction: "down" as const };
    expect(reverseStress({ ...base, fundUsd: 0, factors: [{ currency: "BTC", sigmaLog: 0.05 }], correlation: [1] }).ok).toBe(false);
    expect(reverseStress({ ...base, fundUsd: 1, factors: [{ currency: "BTC", sigmaLog: 0.05 }, { currency: "ETH", sigmaLog: 0.05 }], correlation: [1, 1, 1, 1] }).ok).toBe(false);
  });
});

describe("Cover-2", () => {
  it("the two largest uncovered losses (groups summed) under the worst scenario, by hand", () => {
    const accounts = [lev("a", 1, 10_000), lev("b", 2, 20_000), lev("c", -1, 5_000), lev("d", 0.5, 1_000)];
    const r = unwrap(
      cover2({
        newCore: newCore(accounts),
        scenarios: [
          { label: "down30", source: "named", tick: shock({ BTC: -0.3 })[0] as FundDraw["tick"] },
          { label: "up30", source: "historical", tick: shock({ BTC: 0.3 })[0] as FundDraw["tick"] },
        ],
        groupOf: (id) => (id === "d" ? "a" : id),
      }),
    );
    const unc = (q: number, c: number, m: number) => Math.max(0, -(c + q * M0 * m));
    const down = r.scenarios[0];
    // a and d form one group.
    const groupA = unc(1, 10_000, -0.3) + unc(0.5, 1_000, -0.3);
    const groupB = unc(2, 20_000, -0.3);
    expect(down?.top.map((g) => g.group)).toEqual(["b", "a"]);
    expect(Math.abs((down?.top[0]?.uncoveredUsd as number) - groupB)).toBeLessThanOrEqual(1e-6);
    expect(Math.abs((down?.top[1]?.uncoveredUsd as number) - groupA)).toBeLessThanOrEqual(1e-6);
    expect(down?.top[1]?.accounts).toEqual(["a", "d"]);
    const up = r.scenarios[1];
    expect(up?.top.map((g) => g.group)).toEqual(["c"]);
    expect(Math.abs((up?.cover2Usd as number) - unc(-1, 5_000, 0.3))).toBeLessThanOrEqual(1e-6);
    expect(r.worst.label).toBe("down30");
    expect(Math.abs(r.fundUsd - (groupA + groupB))).toBeLessThanOrEqual(1e-6);
  });
});
