import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { buildVolSurface } from "./surface.js";
import { sviTotalVariance } from "./svi.js";
import type { SviParams, VolQuote, VolSurface } from "./types.js";
import { MS_PER_YEAR } from "../types.js";
import type { Result } from "../../errors.js";

const AS_OF = Date.UTC(2025, 11, 30, 17, 31, 15);
const DAY = 86_400_000;
const expiry = (days: number) => AS_OF + days * DAY;
const years = (days: number) => (days * DAY) / MS_PER_YEAR;

/** Quotes drawn from a known arbitrage-free smile per expiry (total variance w(k) = T·v(k)²). */
function quotesFrom(smiles: { days: number; forwardUsd: number; p: SviParams }[], ks: number[]): VolQuote[] {
  return smiles.flatMap(({ days, forwardUsd, p }) =>
    ks.map((k) => ({
      strikeUsd: forwardUsd * Math.exp(k),
      expiryMs: expiry(days),
      forwardUsd,
      volDecimal: Math.sqrt(sviTotalVariance(p, k) / years(days)),
    })),
  );
}

const value = <T>(r: Result<T>): T => {
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.value;
};

// Three expiries whose total variance grows with T at every k (calendar-free by construction).
const ks = Array.from({ length: 17 }, (_, i) => -0.8 + 0.1 * i);
const smiles = [
  { days: 7, forwardUsd: 88_600, p: { a: 0.004, b: 0.03, rho: -0.2, m: 0, sigma: 0.1 } },
  { days: 30, forwardUsd: 88_900, p: { a: 0.012, b: 0.07, rho: -0.2, m: 0.02, sigma: 0.2 } },
  { days: 180, forwardUsd: 90_500, p: { a: 0.06, b: 0.15, rho: -0.15, m: 0.05, sigma: 0.3 } },
];
const surface: VolSurface = value(buildVolSurface("BTC", quotesFrom(smiles, ks), AS_OF, { weighting: "uniform" }));

describe("buildVolSurface input validation (errors as data)", () => {
  const good: VolQuote = { strikeUsd: 90_000, expiryMs: expiry(30), forwardUsd: 88_000, volDecimal: 0.5 };
  const codes = (r: Result<unknown>) => (r.ok ? [] : r.issues.map((i) => `${i.path}:${i.code}`));

  it("rejects an empty quote list with missing_vol", () => {
    expect(codes(buildVolSurface("BTC", [], AS_OF))).toEqual(["quotes:missing_vol"]);
  });

  it("reports every bad field with its path and stable code", () => {
    const r = buildVolSurface(
      "BTC",
      [
        good,
        { ...good, strikeUsd: Number.NaN },
        { ...good, forwardUsd: 0 },
        { ...good, volDecimal: -0.1 },
        { ...good, volDecimal: 12 },
        { ...good, expiryMs: AS_OF - 1 },
        { ...good, weight: 0 },
        { ...good, expiryMs: Number.POSITIVE_INFINITY },
      ],
      AS_OF,
    );
    expect(codes(r)).toEqual([
      "quotes[1].strikeUsd:non_finite",
      "quotes[2].forwardUsd:not_positive",
      "quotes[3].volDecimal:not_positive",
      "quotes[4].volDecimal:out_of_range",
      "quotes[5].expiryMs:expired_instrument",
      "quotes[6].weight:not_positive",
      "quotes[7].expiryMs:non_finite",
    ]);
  });

  it("checks the base, the time and the options", () => {
    expect(codes(buildVolSurface("", [good], AS_OF))).toEqual(["base:invalid_value"]);
    expect(codes(buildVolSurface("BTC", [good], Number.NaN))).toEqual(["asOfMs:non_finite"]);
    expect(
      codes(
        buildVolSurface("BTC", [good], AS_OF, {
          weighting: "price" as never,
          vegaWeightFloor: 2,
          calendarFix: "min" as never,
          maxWingSlope: 2,
          spotUsd: -1,
        }),
      ),
    ).toEqual([
      "options.weighting:invalid_value",
      "options.vegaWeightFloor:out_of_range",
      "options.calendarFix:invalid_value",
      "options.maxWingSlope:out_of_range",
      "options.spotUsd:not_positive",
    ]);
  });
});

describe("reproduction of quotes and interpolation in time", () => {
  it("reproduces quotes drawn from SVI smiles to 1e-4 vol points at every quote", () => {
    expect(surface.expiriesMs).toEqual(smiles.map((s) => expiry(s.days)));
    for (const q of surface.fit.quotes) expect(Math.abs(q.errorVolPoints)).toBeLessThan(1e-4);
    for (const s of surface.fit.slices) expect(s.rmsErrorVolPoints).toBeLessThan(1e-4);
    expect(surface.fit.calendarViolations).toEqual([]);
    expect(surface.fit.calendarArbitrageFree).toBe(true);
    expect(surface.fit.butterflyArbitrageFree).toBe(true);
  });

  it("interpolates total variance linearly in T at fixed log-moneyness between expiries", () => {
    const [t1, t2] = [years(30), years(180)];
    for (const k of [-0.5, 0, 0.3]) {
      const w1 = surface.totalVariance(k, t1);
      const w2 = surface.totalVariance(k, t2);
      const t = 0.3 * t1 + 0.7 * t2;
      expect(surface.totalVariance(k, t)).toBeCloseTo(0.3 * w1 + 0.7 * w2, 14);
      // Reference values straight from the generating smiles (the fit reproduces them to ~1e-10).
      expect(w1).toBeCloseTo(sviTotalVariance(smiles[1]!.p, k), 8);
    }
  });

  it("before the first expiry each k keeps the first slice's implied vol", () => {
    const t1 = years(7);
    for (const k of [-0.4, 0, 0.4]) {
      for (const t of [t1 / 1000, t1 / 7, t1 / 2]) expect(surface.volAtLogMoneyness(k, t)).toBeCloseTo(surface.volAtLogMoneyness(k, t1), 12);
    }
  });

  it("after the last expiry the ATM vol stays constant and variance grows at that rate at every k", () => {
    const tn = years(180);
    const atm = surface.volAtLogMoneyness(0, tn);
    for (const t of [1, 2, 5, 30]) expect(surface.volAtLogMoneyness(0, t)).toBeCloseTo(atm, 12);
    for (const k of [-1, 0.5]) {
      expect(surface.totalVariance(k, 2) - surface.totalVariance(k, tn)).toBeCloseTo((2 - tn) * atm * atm, 12);
    }
  });

  it("the forward is log-linear in T between expiries, flat before T₁ without a spot, carry-extrapolated after", () => {
    const [t1, t2, t3] = [years(7), years(30), years(180)];
    expect(surface.forwardUsd(t2)).toBeCloseTo(88_900, 8);
    const mid = 0.5 * (t2 + t3);
    expect(surface.forwardUsd(mid)).toBeCloseTo(Math.sqrt(88_900 * 90_500), 6);
    expect(surface.forwardUsd(t1 / 2)).toBeCloseTo(88_600, 8);
    const carry = Math.log(90_500 / 88_900) / (t3 - t2);
    expect(surface.forwardUsd(2)).toBeCloseTo(90_500 * Math.exp(carry * (2 - t3)), 6);
    const withSpot = value(buildVolSurface("BTC", quotesFrom(smiles, ks), AS_OF, { spotUsd: 88_500 }));
    expect(withSpot.forwardUsd(0)).toBeCloseTo(88_500, 8);
    expect(withSpot.forwardUsd(t1 / 2)).toBeCloseTo(Math.sqrt(88_500 * 88_600), 6);
  });

  it("vol(K, T) is the smile at k = ln(K/F(T)) with the surface's own forward", () => {
    for (const [K, t] of [[70_000, years(30)], [120_000, years(100)], [50_000, 3]] as const) {
      expect(surface.vol(K, t)).toBeCloseTo(surface.volAtLogMoneyness(Math.log(K / surface.forwardUsd(t)), t), 13);
    }
  });
});

describe("sticky-strike and sticky-moneyness shifts", () => {
  it("sticky strike leaves the vol of a strike unchanged; sticky moneyness moves the smile with the forward", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 20_000, max: 300_000, noNaN: true }),
        fc.double({ min: 0.001, max: 3, noNaN: true }),
        fc.double({ min: -0.6, max: 1.5, noNaN: true }),
        (K, t, move) => {
          expect(surface.volShifted(K, t, move, "sticky-strike")).toBe(surface.vol(K, t));
          // Same moneyness K/F' with F' = F(1 + move) as today's K/(1 + move) against F.
          const F = surface.forwardUsd(t);
          const shifted = surface.volShifted(K * (1 + move), t, move, "sticky-moneyness");
          expect(shifted).toBeCloseTo(surface.volAtLogMoneyness(Math.log(K / F), t), 10);
        },
      ),
      { numRuns: 200, seed: 41 },
    );
    expect(surface.volShifted(90_000, 0.1, 0, "sticky-moneyness")).toBe(surface.vol(90_000, 0.1));
  });
});

describe("domain and robustness", () => {
  it("returns a finite positive vol for any strike > 0 and time > 0 (K/F from 1e-6 to 1e6, T from 1 s to 50 y)", () => {
    fc.assert(
      fc.property(fc.double({ min: -14, max: 14, noNaN: true }), fc.double({ min: -17, max: 4, noNaN: true }), (lnKF, lnT) => {
        const t = Math.exp(lnT);
        const v = surface.vol(surface.forwardUsd(t) * Math.exp(lnKF), t);
        expect(Number.isFinite(v) && v > 0).toBe(true);
      }),
      { numRuns: 500, seed: 42 },
    );
  });

  it("guards out-of-domain inputs to finite values (documented clamps, never NaN)", () => {
    for (const K of [0, -1, Number.NaN, Number.POSITIVE_INFINITY, 1e300]) {
      for (const t of [0, -1, Number.NaN, 1e-300, 1e9, Number.POSITIVE_INFINITY]) {
        const v = surface.vol(K, t);
        expect(Number.isFinite(v) && v > 0).toBe(true);
      }
    }
    expect(Number.isFinite(surface.volShifted(90_000, 0.1, -1, "sticky-moneyness"))).toBe(true);
    expect(Number.isFinite(surface.volShifted(90_000, 0.1, Number.NaN, "sticky-moneyness"))).toBe(true);
  });

  it("total variance never decreases in T at fixed k (property over random k and time pairs)", () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 1e-4, max: 10, noNaN: true }),
        fc.double({ min: 1e-4, max: 10, noNaN: true }),
        (k, ta, tb) => {
          const [lo, hi] = ta < tb ? [ta, tb] : [tb, ta];
          expect(surface.totalVariance(k, hi)).toBeGreaterThanOrEqual(surface.totalVariance(k, lo) * (1 - 1e-14));
        },
      ),
      { numRuns: 500, seed: 43 },
    );
  });

  it("one quote per expiry works (flat smiles) and the report says so", () => {
    const s = value(
      buildVolSurface(
        "ETH",
        [
          { strikeUsd: 3000, expiryMs: expiry(10), forwardUsd: 2980, volDecimal: 0.6, instrument: "ETH-A" },
          { strikeUsd: 3200, expiryMs: expiry(40), forwardUsd: 2990, volDecimal: 0.65 },
        ],
        AS_OF,
      ),
    );
    expect(s.fit.slices.map((x) => x.method)).toEqual(["flat", "flat"]);
    expect(s.vol(3000, years(10))).toBeCloseTo(0.6, 12);
    expect(s.vol(1000, years(10))).toBeCloseTo(0.6, 12);
    expect(s.vol(3200, years(40))).toBeCloseTo(0.65, 12);
    expect(s.fit.quotes[0]?.instrument).toBe("ETH-A");
    expect(s.fit.quotes[1]?.instrument).toBeUndefined();
  });

  it("is deterministic: two builds give identical reports and values", () => {
    const q = quotesFrom(smiles, ks).map((x, i) => ({ ...x, volDecimal: x.volDecimal + 0.002 * Math.sin(i) }));
    const a = value(buildVolSurface("BTC", q, AS_OF));
    const b = value(buildVolSurface("BTC", q, AS_OF));
    expect(a.fit).toEqual(b.fit);
    expect(a.vol(77_777, 0.3)).toBe(b.vol(77_777, 0.3));
  });
});

describe("weights", () => {
  // A smile with one off-model mark at k = 0.3 (+3 vol points): whichever quote weighs more is matched more closely.
  const base = quotesFrom([smiles[1]!], ks).map((q, i) => (i === 11 ? { ...q, volDecimal: q.volDecimal + 0.03 } : q));
  const errorAt = (qs: VolQuote[], opts: Parameters<typeof buildVolSurface>[3]) =>
    Math.abs(value(buildVolSurface("BTC", qs, AS_OF, opts)).fit.quotes[11]?.errorVolPoints as number);

  it("a quote's own weight pulls the fit towards it", () => {
    const heavy = base.map((q, i) => (i === 11 ? { ...q, weight: 1000 } : q));
    expect(errorAt(heavy, { weighting: "uniform" })).toBeLessThan(0.2 * errorAt(base, { weighting: "uniform" }));
  });

  it("fit weights are normalised per expiry, vega weights favour the money and respect the floor", () => {
    const s = value(buildVolSurface("BTC", quotesFrom(smiles, ks), AS_OF, { weighting: "vega", vegaWeightFloor: 0.05 }));
    for (const e of s.expiriesMs) {
      const qs = s.fit.quotes.filter((q) => q.expiryMs === e);
      expect(qs.reduce((acc, q) => acc + q.fitWeight, 0)).toBeCloseTo(1, 12);
      const atm = qs.find((q) => Math.abs(q.logMoneyness - Math.log(q.strikeUsd / s.forwardUsd((e - AS_OF) / MS_PER_YEAR))) < 1e-9 && Math.abs(q.logMoneyness) < 0.05);
      const far = qs.reduce((x, y) => (Math.abs(y.logMoneyness) > Math.abs(x.logMoneyness) ? y : x));
      expect(atm!.fitWeight).toBeGreaterThan(far.fitWeight);
      expect(far.fitWeight / Math.max(...qs.map((q) => q.fitWeight))).toBeGreaterThanOrEqual(0.05 - 1e-12);
    }
  });
});

describe("calendar arbitrage", () => {
  // The later expiry's smile has less total variance in its wings than the earlier one's: crossing smiles.
  const crossing = [
    { days: 10, forwardUsd: 3000, p: { a: 0.002, b: 0.08, rho: 0, m: 0, sigma: 0.05 } },
    { days: 20, forwardUsd: 3000, p: { a: 0.02, b: 0.02, rho: 0, m: 0, sigma: 0.05 } },
  ];
  const kk = Array.from({ length: 13 }, (_, i) => -0.6 + 0.1 * i);

  it("reports the violation, and the running max removes it from the final surface", () => {
    const fixed = value(buildVolSurface("ETH", quotesFrom(crossing, kk), AS_OF, { weighting: "uniform" }));
    expect(fixed.fit.calendarViolations.length).toBeGreaterThan(0);
    const v = fixed.fit.calendarViolations[0]!;
    expect([v.earlierExpiryMs, v.laterExpiryMs]).toEqual([expiry(10), expiry(20)]);
    expect(v.maxExcessTotalVariance).toBeGreaterThan(0);
    expect(fixed.fit.calendarArbitrageFree).toBe(true);
    expect(fixed.fit.slices[1]?.calendarDominatedBy).toEqual([expiry(10)]);
    for (const k of [-0.6, -0.3, 0, 0.3, 0.6, 3]) {
      expect(fixed.totalVariance(k, years(20))).toBeGreaterThanOrEqual(fixed.totalVariance(k, years(10)));
      expect(fixed.totalVariance(k, years(20))).toBeCloseTo(
        Math.max(sviTotalVariance(fixed.fit.slices[0]!.svi, k), sviTotalVariance(fixed.fit.slices[1]!.svi, k)),
        14,
      );
    }
    // The max of two butterfly-free smiles is butterfly-free (max of convex call prices is convex).
    expect(fixed.fit.butterflyArbitrageFree).toBe(true);
  });

  it("with calendarFix: none the violation is reported and left in place", () => {
    const raw = value(buildVolSurface("ETH", quotesFrom(crossing, kk), AS_OF, { weighting: "uniform", calendarFix: "none" }));
    expect(raw.fit.calendarViolations.length).toBeGreaterThan(0);
    expect(raw.fit.calendarArbitrageFree).toBe(false);
    expect(raw.totalVariance(0.6, years(20))).toBeLessThan(raw.totalVariance(0.6, years(10)));
  });
});
