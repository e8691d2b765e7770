/**
 * Properties of the cascade (issue 15) over random books and moves (fast-check; CASCADE_RUNS sets the runs, default
 * small: `npm run fuzz`-sized runs belong outside the suite):
 * - money is conserved to the cent in every run: bankrupt shortfall = fund used + ADL + socialised, and the fund never
 *   pays more than its start balance plus the fees it received;
 * - with zero impact and a fund that covers every shortfall, the cascade is exactly each account liquidated alone;
 * - on books of futures and perpetuals only, a larger move never lowers the shortfall (same policy).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NO_IMPACT } from "../../src/live/cascade/index.js";
import type { CascadeResult, CascadeStep, ImpactModel } from "../../src/live/cascade/index.js";
import type { LiveAccountInput } from "../../src/live/core.js";
import { account, cascade, DEFAULT_IMPACT, policy, POLICY_NAMES, shock } from "./helpers.js";

const RUNS = Number(process.env.CASCADE_RUNS ?? 8);
const FUTURES = ["BTC-PERPETUAL", "BTC_USDC-PERPETUAL", "BTC-27MAR26", "BTC-26JUN26", "ETH-PERPETUAL", "ETH-27MAR26"];
const OPTIONS = ["BTC-27MAR26-80000-P", "BTC-27MAR26-100000-C", "BTC-26JUN26-80000-P", "ETH-27MAR26-3000-P"];
/** A thin market, so that impact matters in books of a few accounts. */
const THIN: ImpactModel = { ...DEFAULT_IMPACT, name: "thin", underlyings: { BTC: { coefficient: 1, dailyVolatility: 0.0343, dailyVolumeUsd: 5e7, recoveryHalfLifeSeconds: 600 }, ETH: { coefficient: 1, dailyVolatility: 0.0436, dailyVolumeUsd: 2e7, recoveryHalfLifeSeconds: 600 } } };

const position = (withOptions: boolean) =>
  fc.record({
    instrument: fc.constantFrom(...(withOptions ? [...FUTURES, ...OPTIONS] : FUTURES)),
    size: fc.integer({ min: -400, max: 400 }).filter((x) => x !== 0).map((x) => x / 10),
  });
const book = (withOptions: boolean) =>
  fc.array(
    fc.record({
      positions: fc.array(position(withOptions), { minLength: 1, maxLength: 3 }),
      btc: fc.integer({ min: 0, max: 80 }).map((x) => x / 10),
      usdc: fc.integer({ min: 0, max: 60 }).map((x) => x * 10_000),
    }),
    { minLength: 1, maxLength: 6 },
  ).map((docs) =>
    docs.map((d, i): LiveAccountInput => {
      const collateral: Record<string, number> = {};
      if (d.btc > 0) collateral.BTC = d.btc;
      if (d.usdc > 0 || d.btc === 0) collateral.USDC = Math.max(d.usdc, 10_000);
      return account(`acct-${String(i).padStart(2, "0")}`, { positions: d.positions, collateral });
    }),
  );
const move = fc.record({ BTC: fc.integer({ min: -60, max: 40 }).map((x) => x / 100), ETH: fc.integer({ min: -60, max: 40 }).map((x) => x / 100) });

function conserved(r: CascadeResult): void {
  const s = r.summary;
  expect(Math.abs(s.bankruptShortfallUsd - (s.insuranceFundUsedUsd + s.adlUsd + s.socializedLossUsd))).toBeLessThan(0.005);
  expect(s.insuranceFundUsedUsd).toBeLessThanOrEqual(s.insuranceFundStartUsd + s.insuranceFundFeesUsd + 0.005);
  expect(s.insuranceFundEndUsd).toBeGreaterThanOrEqual(-0.005);
  for (const round of r.rounds) {
    expect(Math.abs(round.shortfallUsd - (round.insuranceFundDrawUsd + round.adlUsd + round.socializedUsd))).toBeLessThan(0.005);
    for (const st of round.steps ?? []) expect(Math.abs(st.shortfallUsd - (st.fundDrawUsd + st.adlUsd + st.socializedUsd))).toBeLessThan(0.005);
  }
  expect(s.truncated).toBe(false);
}

describe("cascade properties", () => {
  it.each(POLICY_NAMES)("%s: money conserved in every run (random books with options, random moves, funds and impact)", (name) => {
    let bankrupt = 0;
    fc.assert(
      fc.property(book(true), move, fc.integer({ min: 0, max: 2_000_000 }), fc.boolean(), (accounts, m, fund, thin) => {
        const r = cascade(accounts, shock(m), policy(name), thin ? THIN : DEFAULT_IMPACT, fund);
        conserved(r);
        if (r.summary.bankruptShortfallUsd > 0) bankrupt++;
      }),
      { numRuns: RUNS, seed: 15 },
    );
    // The generator makes bankruptcies: the property is not vacuous.
    expect(bankrupt).toBeGreaterThan(0);
  });

  it.each(POLICY_NAMES)("%s: zero impact and an ample fund = each account liquidated alone", (name) => {
    const steps = (r: CascadeResult): Map<string, (CascadeStep & { round: number })[]> => {
      const out = new Map<string, (CascadeStep & { round: number })[]>();
      for (const round of r.rounds) for (const st of round.steps ?? []) out.set(st.account, [...(out.get(st.account) ?? []), { ...st, round: round.round }]);
      return out;
    };
    fc.assert(
      fc.property(book(true), move, (accounts, m) => {
        const together = steps(cascade(accounts, shock(m), policy(name), NO_IMPACT, 1e12));
        for (const a of accounts) {
          const alone = steps(cascade([a], shock(m), policy(name), NO_IMPACT, 1e12)).get(a.id) ?? [];
          const mine = together.get(a.id) ?? [];
          expect(mine.length).toBe(alone.length);
          mine.forEach((st, k) => {
            const b = alone[k] as CascadeStep & { round: number };
            expect(st.round).toBe(b.round);
            expect(st.keepFraction).toBe(b.keepFraction);
            for (const f of ["feeUsd", "shortfallUsd", "equityAfterUsd", "closedNotionalUsd", "fundDrawUsd"] as const) expect(Math.abs(st[f] - b[f])).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(b[f])));
            expect(st.adlUsd).toBe(0);
            expect(st.socializedUsd).toBe(0);
          });
        }
      }),
      { numRuns: Math.max(3, Math.floor(RUNS / 2)), seed: 1515 },
    );
  });

  it.each(POLICY_NAMES)("%s: on futures-only books a larger move never lowers the shortfall", (name) => {
    let bankrupt = 0;
    fc.assert(
      fc.property(book(false), move, fc.integer({ min: 101, max: 200 }).map((x) => x / 100), fc.boolean(), (accounts, m, k, thin) => {
        const impact = thin ? THIN : DEFAULT_IMPACT;
        const small = cascade(accounts, shock(m), policy(name), impact, 0).summary.bankruptShortfallUsd;
        const larger = { BTC: Math.max(-0.95, m.BTC * k), ETH: Math.max(-0.95, m.ETH * k) };
        const big = cascade(accounts, shock(larger), policy(name), impact, 0).summary.bankruptShortfallUsd;
        expect(big).toBeGreaterThanOrEqual(small - 1e-6 * Math.max(1, small));
        if (small > 0) bankrupt++;
      }),
      { numRuns: RUNS, seed: 151515 },
    );
    expect(bankrupt).toBeGreaterThan(0);
  });
});
