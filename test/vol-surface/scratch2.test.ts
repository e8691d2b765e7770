import { it } from "vitest";
import { fitSviSlice, sviTotalVariance, checkButterfly, butterflyCheckGrid } from "../../src/market/vol-surface.js";
it("scratch2", () => {
  const volOf = (p: any, k: number, T: number) => Math.sqrt(sviTotalVariance(p, k) / T);
  const vogt = { a: -0.041, b: 0.1331, rho: 0.306, m: 0.3586, sigma: 0.4153 };
  const kk = Array.from({ length: 31 }, (_, i) => -1 + 0.08 * i);
  const fit = fitSviSlice({ logMoneyness: kk, volDecimal: kk.map((k) => volOf(vogt, k, 1)), weight: kk.map(() => 1), timeYears: 1, maxWingSlopeLeft: 1.99, maxWingSlopeRight: 1.99 });
  const rms = Math.sqrt(kk.reduce((s, k) => s + (volOf(fit.params, k, 1) - volOf(vogt, k, 1)) ** 2, 0) / kk.length) * 100;
  console.log("vogt", fit, rms, checkButterfly(fit.params, butterflyCheckGrid(-3, 3, 0.3, 40001)).minG);
  const T = 0.25;
  const p = { a: 0.01, b: 0.2, rho: 0, m: 0, sigma: 0.1 };
  const k2 = [-0.2, -0.1, 0, 0.1, 0.2];
  const base = { logMoneyness: k2, volDecimal: k2.map((k) => volOf(p, k, T)), weight: k2.map(() => 1), timeYears: T, maxWingSlopeLeft: 1.99, maxWingSlopeRight: 1.99 };
  const free = fitSviSlice(base);
  const bound = sviTotalVariance(free.params, 0.8) * 0.9;
  const capped = fitSviSlice({ ...base, upperBound: { logMoneyness: [0.8], totalVariance: [bound] } });
  console.log("cal", sviTotalVariance(free.params, 0.8), bound, sviTotalVariance(capped.params, 0.8), Math.max(...k2.map((k) => Math.abs(volOf(capped.params, k, T) - volOf(p, k, T)) * 100)));
});
