import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { black76PriceCoin, black76PriceUsd } from "./black76.js";
import type { Black76Input } from "./black76.js";
import { black76GreeksBatch, black76PriceBatch, impliedVolBatch, inverseGreeksBatch, validateChain } from "./batch.js";
import type { OptionChainColumns } from "./batch.js";
import { black76Greeks, black76InverseGreeks } from "./greeks.js";
import { impliedVolCoin } from "./implied-vol.js";

const rowArb = fc.record({
  isCall: fc.boolean(),
  forwardUsd: fc.double({ min: 1, max: 2e5, noNaN: true }),
  strikeUsd: fc.double({ min: 1, max: 2e5, noNaN: true }),
  // Few distinct expiries and rates so that consecutive rows share them (the per-expiry cache is exercised).
  timeYears: fc.constantFrom(0, 1 / 8766, 0.02, 0.25, 1, 3),
  volDecimal: fc.constantFrom(0, 0.01, 0.3, 0.8, 5),
  rateDecimal: fc.constantFrom(0, 0.05),
});

function toColumns(rows: Black76Input[]): OptionChainColumns {
  return {
    isCall: Uint8Array.from(rows, (r) => (r.isCall ? 1 : 0)),
    forwardUsd: Float64Array.from(rows, (r) => r.forwardUsd),
    strikeUsd: Float64Array.from(rows, (r) => r.strikeUsd),
    timeYears: Float64Array.from(rows, (r) => r.timeYears),
    volDecimal: Float64Array.from(rows, (r) => r.volDecimal),
    rateDecimal: Float64Array.from(rows, (r) => r.rateDecimal ?? 0),
  };
}

describe("batch kernels equal the scalar API bit for bit", () => {
  it("prices of call/put pairs that share their out-of-the-money value (sorted chains) equal the scalar API", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 30 }), (rows) => {
        // Each row followed by its twin of the other type: the batch reuses the pair's OTM value on the second row.
        const paired = rows.flatMap((r) => [r, { ...r, isCall: !r.isCall }]);
        const chain = toColumns(paired);
        const usd = black76PriceBatch(chain, "linear");
        const coin = black76PriceBatch(chain, "inverse");
        paired.forEach((r, i) => {
          expect(usd[i]).toBe(black76PriceUsd(r));
          expect(coin[i]).toBe(black76PriceCoin(r));
        });
      }),
    );
  });

  it("prices (linear and inverse), USD Greeks and coin Greeks", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 40 }), (rows) => {
        const chain = toColumns(rows);
        const usd = black76PriceBatch(chain, "linear");
        const coin = black76PriceBatch(chain, "inverse");
        const g = black76GreeksBatch(chain);
        const c = inverseGreeksBatch(g, chain.forwardUsd);
        rows.forEach((r, i) => {
          expect(usd[i]).toBe(black76PriceUsd(r));
          expect(coin[i]).toBe(black76PriceCoin(r));
          const s = black76Greeks(r);
          expect([g.priceUsd[i], g.deltaCoin[i], g.gammaPerUsd[i], g.vegaUsdPerVol[i], g.thetaUsdPerYear[i], g.rhoUsdPerRate[i]])
            .toEqual([s.priceUsd, s.deltaCoin, s.gammaPerUsd, s.vegaUsdPerVol, s.thetaUsdPerYear, s.rhoUsdPerRate]);
          const ic = black76InverseGreeks(r);
          expect([c.priceCoin[i], c.deltaCoin[i], c.deltaCoinPerUsd[i], c.gammaCoinPerUsd2[i], c.vegaCoinPerVol[i], c.thetaCoinPerYear[i], c.rhoCoinPerRate[i]])
            .toEqual([ic.priceCoin, ic.deltaCoin, ic.deltaCoinPerUsd, ic.gammaCoinPerUsd2, ic.vegaCoinPerVol, ic.thetaCoinPerYear, ic.rhoCoinPerRate]);
        });
      }),
      { numRuns: 200 },
    );
  });

  it("implied vols equal impliedVolCoin row by row, with per-row issues for bad quotes", () => {
    const rows: Black76Input[] = [
      { isCall: true, forwardUsd: 90000, strikeUsd: 100000, timeYears: 0.1, volDecimal: 0.5 },
      { isCall: false, forwardUsd: 90000, strikeUsd: 80000, timeYears: 0.1, volDecimal: 0.45 },
      { isCall: true, forwardUsd: 90000, strikeUsd: 80000, timeYears: 0.1, volDecimal: 0.4 },
      { isCall: false, forwardUsd: 3000, strikeUsd: 2500, timeYears: 1, volDecimal: 0.7 },
    ];
    const chain = toColumns(rows);
    const price = black76PriceBatch(chain, "inverse");
    price[2] = 0.05; // below the intrinsic value (10000/90000 = 0.111 coin)
    price[3] = 1; // above a put's bound K/F = 0.833 coin
    const res = impliedVolBatch(chain, price, "inverse");
    expect(res.ok).toBe(true);
    if (!res.ok) return;
    for (const i of [0, 1]) {
      const r = rows[i] as Black76Input;
      const one = impliedVolCoin({ ...r, priceCoin: price[i] as number });
      expect(one.ok && res.value.volDecimal[i] === one.value).toBe(true);
    }
    expect(res.value.issues.map((x) => `${x.path}:${x.code}`)).toEqual(["price[2]:price_below_intrinsic", "price[3]:price_above_bound"]);
    expect(Number.isNaN(res.value.volDecimal[2])).toBe(true);
  });
});

describe("validateChain", () => {
  it("reports mismatched columns and out-of-domain rows with indexed paths", () => {
    const good = toColumns([{ isCall: true, forwardUsd: 100, strikeUsd: 100, timeYears: 1, volDecimal: 0.5 }]);
    expect(validateChain(good)).toEqual([]);
    expect(validateChain({ ...good, strikeUsd: new Float64Array(2) }).map((i) => i.code)).toEqual(["invalid_value"]);
    const bad = { ...good, forwardUsd: Float64Array.of(-1), timeYears: Float64Array.of(Number.NaN), volDecimal: Float64Array.of(-0.1) };
    expect(validateChain(bad).map((i) => `${i.path}:${i.code}`)).toEqual([
      "forwardUsd[0]:not_positive",
      "timeYears[0]:non_finite",
      "volDecimal[0]:out_of_range",
    ]);
    const noTime = impliedVolBatch({ ...good, timeYears: Float64Array.of(0) }, Float64Array.of(0.1), "inverse");
    expect(noTime.ok ? "ok" : noTime.issues[0]?.path).toBe("timeYears[0]");
  });
});
