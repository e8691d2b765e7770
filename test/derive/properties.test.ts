/**
 * Properties of the Derive PMRM_2 kernel (fast-check, fixed seeds, small run counts to stay fast).
 *
 * What holds exactly, and why:
 * - positive homogeneity: every piece is positively homogeneous of degree 1 in the sizes (the static discount picks δ⁺
 *   or δ⁻ by the sign of the expiry value, which a factor k > 0 keeps; naked shorts, |n_perp|, Σ|q| and haircuts are
 *   linear for k > 0), so all figures scale by k. Not for k < 0: δ⁺ ≠ δ⁻ and naked shorts are one-sided.
 * - order independence: sums over legs, expiries and collaterals.
 * - superadditivity of every spot/vol scenario and of the basis contingency, subadditivity of the contingencies, when
 *   δ⁺ ≤ δ⁻ (true for the test set): disc(v) = min(δ⁺v, δ⁻v) is concave and homogeneous. The skew scenarios
 *   (−|P&L| per expiry) are NOT superadditive in general, so the full required margin is not tested for it. The
 *   oracle contingency is subadditive only when the vol confidence is one per expiry (Derive's feed); with per-strike
 *   confidences a leg would pull its whole expiry down to its own confidence.
 * Checked empirically over a stated domain (not theorems): a call spread needs no more than its naked short leg; a
 * covered call (short call + 1 coin of risk-cancelling collateral, no haircut) needs no more than the naked short call
 * when the call is at or in the money. An out-of-the-money covered call can need MORE (it is long delta: at −18 % the
 * coin loses 18 % of spot while the short call gains only its premium); a test pins one such case.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateDeriveBucket, type DeriveBucketReport } from "../../src/models/derive-pmrm2/bucket.js";
import type { DeriveBucketInput, DeriveCollateralInput, DeriveExpiryInput, DeriveOptionLeg } from "../../src/models/derive-pmrm2/inputs.js";
import type { DerivePmrm2Params } from "../../src/models/derive-pmrm2/params.js";
import { loadPreset } from "./fixtures.js";

const params = loadPreset();
const withCoinCollateral: DerivePmrm2Params = {
  ...params,
  collaterals: { ETH: { ETH: { riskCancelling: true, mmHaircutDecimal: 0, imHaircutDecimal: 0 } } },
};
const DAY = 86_400;

// One vol confidence per expiry, as Derive's vol feed (one SVI per expiry) publishes it.
const legArb = (forwardUsd: number, i: number, volConfidence: number): fc.Arbitrary<DeriveOptionLeg> =>
  fc.record({
    moneyness: fc.double({ min: 0.5, max: 2, noNaN: true }),
    sizeCoin: fc.double({ min: -5, max: 5, noNaN: true }).filter((q) => Math.abs(q) > 1e-3),
    isCall: fc.boolean(),
    volDecimal: fc.double({ min: 0.1, max: 2, noNaN: true }),
  }).map((x) => ({
    name: `L${i}-${x.moneyness}`,
    sizeCoin: x.sizeCoin,
    isCall: x.isCall,
    strikeUsd: forwardUsd * x.moneyness,
    volDecimal: x.volDecimal,
    volConfidence,
  }));

const expiryArb = (spotUsd: number, e: number): fc.Arbitrary<DeriveExpiryInput> =>
  fc
    .record({
      secondsToExpiry: fc.oneof(fc.integer({ min: 60, max: 1799 }), fc.integer({ min: 1800, max: 400 * DAY })),
      carry: fc.double({ min: 0.95, max: 1.1, noNaN: true }),
      rateDecimal: fc.double({ min: -0.02, max: 0.2, noNaN: true }),
      forwardConfidence: fc.double({ min: 0.3, max: 1, noNaN: true }),
      rateConfidence: fc.double({ min: 0.3, max: 1, noNaN: true }),
      volConfidence: fc.double({ min: 0.3, max: 1, noNaN: true }),
      legCount: fc.integer({ min: 1, max: 4 }),
    })
    .chain((x) => {
      const forwardUsd = spotUsd * x.carry;
      return fc.tuple(...Array.from({ length: x.legCount }, (_, i) => legArb(forwardUsd, e * 10 + i, x.volConfidence))).map((legs) => ({
        expiryMs: e,
        secondsToExpiry: x.secondsToExpiry,
        forwardUsd,
        rateDecimal: x.rateDecimal,
        forwardConfidence: x.forwardConfidence,
        rateConfidence: x.rateConfidence,
        legs,
      }));
    });

const collateralArb = (spotUsd: number): fc.Arbitrary<DeriveCollateralInput> =>
  fc.record({
    amount: fc.double({ min: 0, max: 10, noNaN: true }),
    priceRatio: fc.double({ min: 0.5, max: 1.5, noNaN: true }),
    confidence: fc.double({ min: 0.3, max: 1, noNaN: true }),
    riskCancelling: fc.boolean(),
    mm: fc.double({ min: 0, max: 0.3, noNaN: true }),
    im: fc.double({ min: 0, max: 0.3, noNaN: true }),
  }).map((x) => ({
    currency: "COLL",
    amount: x.amount,
    priceUsd: spotUsd * x.priceRatio,
    confidence: x.confidence,
    params: { riskCancelling: x.riskCancelling, mmHaircutDecimal: x.mm, imHaircutDecimal: x.im },
  }));

const bucketArb: fc.Arbitrary<DeriveBucketInput> = fc
  .record({
    spotUsd: fc.double({ min: 1, max: 100_000, noNaN: true }),
    spotConfidence: fc.double({ min: 0.3, max: 1, noNaN: true }),
    perpConfidence: fc.double({ min: 0.3, max: 1, noNaN: true }),
    stableUsd: fc.double({ min: 0.95, max: 1.02, noNaN: true }),
    cashUsdc: fc.double({ min: -1e4, max: 1e4, noNaN: true }),
    expiryCount: fc.integer({ min: 0, max: 3 }),
    perpSize: fc.option(fc.double({ min: -5, max: 5, noNaN: true }), { nil: undefined }),
    perpPremium: fc.double({ min: 0.98, max: 1.02, noNaN: true }),
    upnl: fc.double({ min: -500, max: 500, noNaN: true }),
    collateralCount: fc.integer({ min: 0, max: 2 }),
  })
  .chain((x) =>
    fc
      .tuple(
        fc.tuple(...Array.from({ length: x.expiryCount }, (_, e) => expiryArb(x.spotUsd, e))),
        fc.tuple(...Array.from({ length: x.collateralCount }, () => collateralArb(x.spotUsd))),
      )
      .map(([expiries, collaterals]) => ({
        base: "ETH",
        spotUsd: x.spotUsd,
        spotConfidence: x.spotConfidence,
        perpConfidence: x.perpConfidence,
        stableUsd: x.stableUsd,
        cashUsdc: x.cashUsdc,
        ...(x.perpSize === undefined
          ? {}
          : { perp: { name: "ETH_USDC-PERPETUAL", sizeCoin: x.perpSize, priceUsd: x.spotUsd * x.perpPremium, unrealisedPnlUsdc: x.upnl, unrealisedFundingUsdc: -x.upnl / 3 } }),
        expiries,
        collaterals: collaterals.map((c, i) => ({ ...c, currency: `C${i}` })),
      })),
  );

/** Scale every size, balance and unrealised amount by k. */
function scaled(b: DeriveBucketInput, k: number): DeriveBucketInput {
  return {
    ...b,
    cashUsdc: b.cashUsdc * k,
    ...(b.perp === undefined
      ? {}
      : { perp: { ...b.perp, sizeCoin: b.perp.sizeCoin * k, unrealisedPnlUsdc: b.perp.unrealisedPnlUsdc * k, unrealisedFundingUsdc: b.perp.unrealisedFundingUsdc * k } }),
    expiries: b.expiries.map((e) => ({ ...e, legs: e.legs.map((l) => ({ ...l, sizeCoin: l.sizeCoin * k })) })),
    collaterals: b.collaterals.map((c) => ({ ...c, amount: c.amount * k })),
  };
}

/** Gross USDC scale of a bucket, for absolute tolerances: Σ|q|·S + |n|·S + collateral + |cash| + 1. */
function grossUsdc(b: DeriveBucketInput): number {
  let g = Math.abs(b.cashUsdc) + Math.abs(b.perp?.sizeCoin ?? 0) * b.spotUsd + 1;
  for (const e of b.expiries) for (const l of e.legs) g += Math.abs(l.sizeCoin) * Math.max(b.spotUsd, e.forwardUsd, l.strikeUsd);
  for (const c of b.collaterals) g += c.amount * c.priceUsd;
  return g;
}

const headline = (r: DeriveBucketReport): number[] => [
  r.requiredImUsdc,
  r.requiredMmUsdc,
  r.netImUsdc,
  r.netMmUsdc,
  r.minSpanUsdc,
  r.basisContingencyUsdc,
  r.contingencies.mm,
  r.contingencies.im,
  r.mtmUsdc,
];

describe("Derive PMRM_2 properties", () => {
  it("positive homogeneity: scaling every size by k > 0 scales every figure by k (1e-9 of gross)", () => {
    fc.assert(
      fc.property(bucketArb, fc.double({ min: 0.05, max: 20, noNaN: true }), (b, k) => {
        const one = headline(evaluateDeriveBucket(b, params));
        const many = headline(evaluateDeriveBucket(scaled(b, k), params));
        const tol = 1e-9 * grossUsdc(b) * k;
        one.forEach((v, i) => expect(Math.abs((many[i] ?? Number.NaN) - k * v)).toBeLessThanOrEqual(tol));
      }),
      { numRuns: 60, seed: 5 },
    );
  });

  it("order independence: legs, expiries and collaterals in any order give the same margins (1e-12 of gross)", () => {
    fc.assert(
      fc.property(bucketArb, (b) => {
        const reversed: DeriveBucketInput = {
          ...b,
          expiries: [...b.expiries].reverse().map((e) => ({ ...e, legs: [...e.legs].reverse() })),
          collaterals: [...b.collaterals].reverse(),
        };
        const a = headline(evaluateDeriveBucket(b, params));
        const c = headline(evaluateDeriveBucket(reversed, params));
        const tol = 1e-12 * grossUsdc(b);
        a.forEach((v, i) => expect(Math.abs((c[i] ?? Number.NaN) - v)).toBeLessThanOrEqual(tol));
      }),
      { numRuns: 60, seed: 6 },
    );
  });

  it("splitting a portfolio: scenarios and basis superadditive, contingencies subadditive (δ⁺ ≤ δ⁻)", () => {
    fc.assert(
      fc.property(bucketArb, fc.infiniteStream(fc.boolean()), fc.double({ min: 0, max: 1, noNaN: true }), (b, coin, perpShare) => {
        const sideA: boolean[] = b.expiries.flatMap((e) => e.legs.map(() => coin.next().value as boolean));
        let n = 0;
        const part = (takeA: boolean): DeriveBucketInput => {
          n = 0;
          const share = takeA ? perpShare : 1 - perpShare;
          return {
            ...b,
            cashUsdc: 0,
            ...(b.perp === undefined ? {} : { perp: { ...b.perp, sizeCoin: b.perp.sizeCoin * share } }),
            expiries: b.expiries.map((e) => ({ ...e, legs: e.legs.filter(() => sideA[n++] === takeA) })),
            collaterals: b.collaterals.filter((_, i) => (i % 2 === 0) === takeA),
          };
        };
        const whole = evaluateDeriveBucket({ ...b, cashUsdc: 0 }, params);
        const a = evaluateDeriveBucket(part(true), params);
        const c = evaluateDeriveBucket(part(false), params);
        const tol = 1e-9 * grossUsdc(b);
        whole.scenarios.forEach((s, j) => {
          if (s.kind === "skew") return; // −|P&L| per expiry: not superadditive (see the module doc)
          const sum = (a.scenarios[j]?.pnlUsdc ?? Number.NaN) + (c.scenarios[j]?.pnlUsdc ?? Number.NaN);
          expect(s.pnlUsdc).toBeGreaterThanOrEqual(sum - tol);
        });
        expect(whole.contingencies.mm).toBeLessThanOrEqual(a.contingencies.mm + c.contingencies.mm + tol);
        expect(whole.contingencies.im).toBeLessThanOrEqual(a.contingencies.im + c.contingencies.im + tol);
      }),
      { numRuns: 60, seed: 7 },
    );
  });

  const single = (legs: DeriveOptionLeg[], secondsToExpiry: number, rateDecimal: number, extra: Partial<DeriveBucketInput> = {}): DeriveBucketInput => ({
    base: "ETH",
    spotUsd: 2997,
    spotConfidence: 1,
    perpConfidence: 1,
    stableUsd: 1,
    cashUsdc: 0,
    expiries: [{ expiryMs: 0, secondsToExpiry, forwardUsd: 3000, rateDecimal, forwardConfidence: 1, rateConfidence: 1, legs }],
    collaterals: [],
    ...extra,
  });
  const call = (strikeUsd: number, sizeCoin: number, volDecimal: number): DeriveOptionLeg => ({
    name: `C-${strikeUsd}`,
    sizeCoin,
    isCall: true,
    strikeUsd,
    volDecimal,
    volConfidence: 1,
  });
  const coin = (amount: number): DeriveCollateralInput => ({
    currency: "ETH",
    amount,
    priceUsd: 2997,
    confidence: 1,
    params: { riskCancelling: true, mmHaircutDecimal: 0, imHaircutDecimal: 0 },
  });
  const termsArb = fc.record({
    vol: fc.double({ min: 0.2, max: 1.5, noNaN: true }),
    secondsToExpiry: fc.integer({ min: 3600, max: 400 * DAY }),
    rate: fc.double({ min: 0, max: 0.2, noNaN: true }),
  });

  it("a call spread needs no more IM or MM than its naked short leg (K1 ∈ [0.7, 1.5] F, K2 ∈ (1.01, 1.6] K1, flat vol)", () => {
    fc.assert(
      fc.property(termsArb, fc.double({ min: 0.7, max: 1.5, noNaN: true }), fc.double({ min: 1.01, max: 1.6, noNaN: true }), (t, m1, m2) => {
        const k1 = 3000 * m1;
        const naked = evaluateDeriveBucket(single([call(k1, -1, t.vol)], t.secondsToExpiry, t.rate), params);
        const spread = evaluateDeriveBucket(single([call(k1, -1, t.vol), call(k1 * m2, 1, t.vol)], t.secondsToExpiry, t.rate), params);
        expect(spread.requiredImUsdc).toBeLessThanOrEqual(naked.requiredImUsdc);
        expect(spread.requiredMmUsdc).toBeLessThanOrEqual(naked.requiredMmUsdc);
      }),
      { numRuns: 150, seed: 8 },
    );
  });

  it("a covered call (coin collateral, no haircut) needs no more than the naked short call at or in the money (K ∈ [0.5, 1] F)", () => {
    fc.assert(
      fc.property(termsArb, fc.double({ min: 0.5, max: 1, noNaN: true }), (t, m) => {
        const naked = evaluateDeriveBucket(single([call(3000 * m, -1, t.vol)], t.secondsToExpiry, t.rate), withCoinCollateral);
        const covered = evaluateDeriveBucket(single([call(3000 * m, -1, t.vol)], t.secondsToExpiry, t.rate, { collaterals: [coin(1)] }), withCoinCollateral);
        expect(covered.requiredImUsdc).toBeLessThanOrEqual(naked.requiredImUsdc);
        expect(covered.requiredMmUsdc).toBeLessThanOrEqual(naked.requiredMmUsdc);
      }),
      { numRuns: 150, seed: 9 },
    );
  });

  it("an out-of-the-money covered call can need more than the naked call (long delta: the −18 % scenario binds)", () => {
    const naked = evaluateDeriveBucket(single([call(4200, -1, 0.6)], 30 * DAY, 0.05), withCoinCollateral);
    const covered = evaluateDeriveBucket(single([call(4200, -1, 0.6)], 30 * DAY, 0.05, { collaterals: [coin(1)] }), withCoinCollateral);
    expect(covered.requiredImUsdc).toBeGreaterThan(naked.requiredImUsdc);
    expect(covered.worst.id).toBe("std:-18%:up");
    expect(naked.worst.spotMultiplier).toBeGreaterThan(1);
  });

  it("offsetting positions cancel: long and short the same option need nothing (confidences 1)", () => {
    fc.assert(
      fc.property(termsArb, fc.double({ min: 0.5, max: 2, noNaN: true }), fc.double({ min: 0.01, max: 10, noNaN: true }), (t, m, q) => {
        const r = evaluateDeriveBucket(single([call(3000 * m, q, t.vol), call(3000 * m, -q, t.vol)], t.secondsToExpiry, t.rate, { cashUsdc: 123 }), params);
        expect(r.requiredImUsdc).toBe(0);
        expect(r.requiredMmUsdc).toBe(0);
        expect(r.netImUsdc).toBe(123);
      }),
      { numRuns: 40, seed: 10 },
    );
  });

  it("the required margins are ≥ 0 and equal mtm + cash − net margin (1e-9 of gross)", () => {
    fc.assert(
      fc.property(bucketArb, (b) => {
        const r = evaluateDeriveBucket(b, params);
        const tol = 1e-9 * grossUsdc(b);
        expect(r.requiredImUsdc).toBeGreaterThanOrEqual(0);
        expect(r.requiredMmUsdc).toBeGreaterThanOrEqual(0);
        expect(r.minSpanUsdc).toBeLessThanOrEqual(0);
        expect(Math.abs(r.requiredImUsdc - (r.mtmUsdc + r.cashUsdc - r.netImUsdc))).toBeLessThanOrEqual(tol);
        expect(Math.abs(r.requiredMmUsdc - (r.mtmUsdc + r.cashUsdc - r.netMmUsdc))).toBeLessThanOrEqual(tol);
        for (const v of headline(r)) expect(Number.isFinite(v)).toBe(true);
        expect(Math.abs(r.contributions.reduce((a, c) => a + c.pnlUsdc, 0) - r.minSpanUsdc)).toBeLessThanOrEqual(tol);
      }),
      { numRuns: 80, seed: 11 },
    );
  });
});
