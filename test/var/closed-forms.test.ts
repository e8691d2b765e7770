/**
 * Closed forms through the whole statistical path (scenario set → full revaluation → measures):
 * 1. normal relative moves (H8's seeded xoshiro256** normals) on a linear position: the P&L is normal, so
 *    VaR = σ·z and ES = σ·φ(z)/(1 − α) with σ = |size| · mark · σ_move;
 * 2. H8's Monte Carlo source (log-normal moves, antithetic pairs) on the same position: VaR and ES of a log-normal,
 *    long VaR = S(1 − e^(−s·z)), ES = S(1 − e^(s²/2)·Φ(−z − s)/(1 − α)); short VaR = S(e^(s·z) − 1),
 *    ES = S(e^(s²/2)·Φ(s − z)/(1 − α) − 1), s = σ_daily·√h.
 * Each estimate must be within 3 of its own standard errors (a 99.7 % band; the seed is fixed, so the test is
 * deterministic, and a wrong convention or a wrong standard error shows up as a miss).
 */
import { describe, expect, it } from "vitest";
import { fixedMarket } from "../contract/fixed-market.js";
import { unwrap } from "../../src/errors.js";
import { parseInstrument } from "../../src/market/instrument.js";
import { normCdf, normInv, normPdf } from "../../src/math/normal.js";
import { fillNormals, Xoshiro256StarStar } from "../../src/math/rng.js";
import type { JointScenarioSet } from "../../src/risk/joint.js";
import { tailMeasures } from "../../src/risk/measures.js";
import { compileRevaluationBook, revalue } from "../../src/risk/revaluation.js";
import { factorModelFromInput, monteCarloScenarios } from "../../src/risk/scenario-sources/index.js";

const S = 90_000;
const market = fixedMarket({ timestampMs: Date.parse("2026-01-01T00:00:00Z"), indexUsd: { BTC: S }, instruments: { "BTC_USDC-PERPETUAL": { markPrice: S } } });
const perp = unwrap(parseInstrument("BTC_USDC-PERPETUAL"));

function losses(set: JointScenarioSet, sizeCoin: number): Float64Array {
  const book = unwrap(compileRevaluationBook([{ label: perp.name, instrument: perp, sizeCoin, path: "p" }], market, set, { volConvention: "sticky-strike" }));
  return revalue(book, set).map((x) => -x);
}

describe("closed forms: linear position under Monte Carlo", () => {
  it("normal moves: VaR = σ·z, ES = σ·φ(z)/(1 − α) within 3 standard errors (N = 100,000; α = 0.99, 0.975)", () => {
    const N = 100_000;
    const sigmaMove = 0.05;
    const z = new Float64Array(N);
    fillNormals(Xoshiro256StarStar.fromSeed(424242), z);
    const set: JointScenarioSet = { method: "montecarlo", horizonDays: 1, count: N, priceFactors: ["BTC"], priceRelativeMove: z.map((x) => sigmaMove * x), volFactors: [], volRatio: new Float64Array(0), labels: Array.from({ length: N }, (_v, i) => `mc:${i}`), notes: [] };
    const size = 3;
    const sigma = size * S * sigmaMove;
    for (const alpha of [0.99, 0.975]) {
      const m = unwrap(tailMeasures(losses(set, size), alpha));
      const q = normInv(alpha);
      const varSe = Math.sqrt((alpha * (1 - alpha)) / N) / (normPdf(q) / sigma);
      expect(Math.abs(m.varUsd - sigma * q), `VaR ${alpha}`).toBeLessThanOrEqual(3 * varSe);
      expect(Math.abs(m.esUsd - (sigma * normPdf(q)) / (1 - alpha)), `ES ${alpha}`).toBeLessThanOrEqual(3 * (m.esStandardErrorUsd ?? 0));
    }
  });

  it("H8's Monte Carlo (log-normal, antithetic): long and short match the log-normal VaR and ES within 3 standard errors", () => {
    const daily = 0.03;
    const h = 2;
    const model = unwrap(factorModelFromInput({ priceFactors: ["BTC"], volsDaily: [daily], correlation: [[1]] }));
    const set = unwrap(monteCarloScenarios(model, { horizonDays: h, paths: 100_000, seed: 2026, antithetic: true }));
    expect(set.antithetic).toBe(true);
    const s = daily * Math.sqrt(h);
    const alpha = 0.99;
    const z = normInv(alpha);
    const cases = [
      { size: 1, varTrue: S * (1 - Math.exp(-s * z)), esTrue: S * (1 - (Math.exp((s * s) / 2) * normCdf(-z - s)) / (1 - alpha)), xAtVar: -s * z },
      { size: -1, varTrue: S * (Math.exp(s * z) - 1), esTrue: S * ((Math.exp((s * s) / 2) * normCdf(s - z)) / (1 - alpha) - 1), xAtVar: s * z },
    ];
    for (const c of cases) {
      const m = unwrap(tailMeasures(losses(set, c.size), alpha, { antithetic: true }));
      // VaR's standard error for i.i.d. draws: √(α(1 − α)/N)/f_L(VaR), f_L = f_X(x)/(S·e^x); antithetic pairs are not
      // both in one tail of a monotone loss, so the i.i.d. figure is used for this loose band.
      const fLoss = normPdf(c.xAtVar / s) / s / (S * Math.exp(c.xAtVar));
      const varSe = Math.sqrt((alpha * (1 - alpha)) / set.count) / fLoss;
      expect(Math.abs(m.varUsd - c.varTrue), `VaR size ${c.size}`).toBeLessThanOrEqual(3 * varSe);
      expect(Math.abs(m.esUsd - c.esTrue), `ES size ${c.size}: ${m.esUsd} vs ${c.esTrue} ± ${m.esStandardErrorUsd}`).toBeLessThanOrEqual(3 * (m.esStandardErrorUsd ?? 0));
    }
  });
});
