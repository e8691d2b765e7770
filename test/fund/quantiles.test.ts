/**
 * Quantiles of fund drawdowns and their standard errors (src/live/fund/quantiles.ts) against numpy
 * (test/fixtures/fund/generate.py: np.quantile(method="inverted_cdf"), np.std(ddof=1)/√N, the order-statistic interval
 * with scipy's normal quantile; SYNTHETIC samples). Tolerance 1e-12 relative (the same order statistics, one division).
 * And what the standard error means: over independent samples the spread of the 99 % quantile is what it says.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { meanEstimate, quantileEstimate, sortedAscending } from "../../src/live/fund/index.js";
import { Xoshiro256StarStar } from "../../src/math/rng.js";

interface Case {
  values: number[];
  meanUsd: number;
  meanStandardErrorUsd: number;
  quantiles: { level: number; valueUsd: number; standardErrorUsd: number | null; intervalUsd: [number, number] | null }[];
}
const fx = JSON.parse(readFileSync(new URL("../fixtures/fund/quantiles.json", import.meta.url), "utf8")) as { cases: Case[] };
const close = (a: number, b: number) => expect(Math.abs(a - b)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(b)));

describe("fund quantiles vs numpy", () => {
  for (const c of fx.cases) {
    it(`N = ${c.values.length}`, () => {
      const sorted = sortedAscending(c.values);
      for (const q of c.quantiles) {
        const e = quantileEstimate(sorted, q.level, true);
        close(e.valueUsd, q.valueUsd);
        if (q.standardErrorUsd === null) expect(e.standardErrorUsd).toBeNull();
        else {
          close(e.standardErrorUsd as number, q.standardErrorUsd);
          close(e.intervalUsd?.[0] as number, q.intervalUsd?.[0] as number);
          close(e.intervalUsd?.[1] as number, q.intervalUsd?.[1] as number);
        }
        expect(quantileEstimate(sorted, q.level, false).standardErrorUsd).toBeNull();
      }
      const m = meanEstimate(c.values, true);
      close(m.meanUsd, c.meanUsd);
      close(m.standardErrorUsd as number, c.meanStandardErrorUsd);
    });
  }
});

describe("the standard error means what it says", () => {
  it("over 300 independent samples of 2,000 exponential draws, the spread of the 99 % quantile is within 20 % of the mean reported error", () => {
    const rng = Xoshiro256StarStar.fromSeed(7);
    const estimates: number[] = [];
    const errors: number[] = [];
    for (let s = 0; s < 300; s++) {
      const x = Array.from({ length: 2000 }, () => -Math.log(1 - rng.nextDouble()));
      const e = quantileEstimate(sortedAscending(x), 0.99, true);
      estimates.push(e.valueUsd);
      errors.push(e.standardErrorUsd as number);
    }
    const mean = estimates.reduce((a, b) => a + b, 0) / estimates.length;
    const sd = Math.sqrt(estimates.reduce((a, b) => a + (b - mean) ** 2, 0) / (estimates.length - 1));
    const reported = errors.reduce((a, b) => a + b, 0) / errors.length;
    // True quantile of Exp(1) at 0.99 is ln 100; asymptotic SE = √(q(1−q)/N)/f(x_q) = √(0.0099/2000)/0.01 = 0.2225.
    expect(Math.abs(mean - Math.log(100))).toBeLessThan(0.05);
    expect(Math.abs(sd / reported - 1)).toBeLessThan(0.2);
    expect(Math.abs(reported / 0.2225 - 1)).toBeLessThan(0.15);
  });
});
