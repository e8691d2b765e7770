/**
 * The live core's main test: random books driven by random sequences of ticks (index moves, vol moves, named marks
 * and vols, time passing, bad ticks), fills (the service's fill function: sizes, average prices, realised P&L, fees)
 * and balance changes; at every step, every account's live figures equal a
 * from-scratch computation on the same account and the market as the core holds it (written as a market file and
 * read back, a fresh engine building its own risk arrays, the account layer), to 1e-9 relative. Health is left out:
 * it carries hysteresis by design (tested in core.test.ts).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { createLiveCore } from "../../src/live/core.js";
import type { LiveAccountInput, LiveInput } from "../../src/live/core.js";
import type { Tick } from "../../src/live/tick.js";
import type { InstrumentQuote } from "../../src/market/types.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { accountDocument } from "../../src/account/document.js";
import { accountFromScratch, compareDocuments, EXAMPLE_MARKET, evaluateFromScratch, liveAccount, marketFromScratch, relDiff } from "./helpers.js";

const CONTEXT = unwrap(buildMarketContext(EXAMPLE_MARKET));
const NAMES = Object.keys(EXAMPLE_MARKET.instruments);
const FUTURES = NAMES.filter((n) => !/-[CP]$/.test(n));
const OPTIONS = NAMES.filter((n) => /-[CP]$/.test(n));
const TOLERANCE = 1e-9;

/** A random account file: positions of one or both underlyings, both settlement families, balances, some overrides. */
const accountFile = fc.record({
  positions: fc.array(fc.record({ instrument: fc.constantFrom(...NAMES), size: fc.double({ min: 0.05, max: 40, noNaN: true }), short: fc.boolean() }), { minLength: 1, maxLength: 12 }),
  btc: fc.option(fc.double({ min: -2, max: 20, noNaN: true }), { nil: undefined }),
  eth: fc.option(fc.double({ min: -20, max: 200, noNaN: true }), { nil: undefined }),
  usdc: fc.option(fc.double({ min: -50_000, max: 2_000_000, noNaN: true }), { nil: undefined }),
  model: fc.constantFrom("deribit", "deribit", "deribit", "standard"),
  tiers: fc.boolean(),
  offset: fc.boolean(),
});

type AccountDraft = typeof accountFile extends fc.Arbitrary<infer T> ? T : never;

function toFile(a: AccountDraft, i: number): unknown {
  const collateral: Record<string, number> = {};
  if (a.btc !== undefined && a.btc !== 0) collateral.BTC = a.btc;
  if (a.eth !== undefined && a.eth !== 0) collateral.ETH = a.eth;
  if (a.usdc !== undefined && a.usdc !== 0) collateral.USDC = a.usdc;
  const account: Record<string, unknown> = {};
  if (a.tiers) account.marginTiers = [{ aboveUsd: 0, multiplier: 1 }, { aboveUsd: 50_000 + 1000 * i, multiplier: 1.5 }];
  if (!a.offset) account.coinCollateralOffset = false;
  return {
    model: a.model,
    positions: a.positions.map((p) => ({ instrument: p.instrument, size: p.short ? -p.size : p.size })),
    collateral,
    ...(Object.keys(account).length > 0 ? { overrides: { account } } : {}),
  };
}

/** One step: a tick (good or bad) or a balance change. */
const step = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant("move" as const), btc: fc.option(fc.double({ min: -0.08, max: 0.08, noNaN: true }), { nil: undefined }), eth: fc.option(fc.double({ min: -0.08, max: 0.08, noNaN: true }), { nil: undefined }), usdc: fc.option(fc.double({ min: -0.03, max: 0.005, noNaN: true }), { nil: undefined }), vol: fc.option(fc.double({ min: -0.2, max: 0.3, noNaN: true }), { nil: undefined }), dtSeconds: fc.integer({ min: 0, max: 6 * 3600 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("named" as const), future: fc.constantFrom(...FUTURES), basis: fc.double({ min: -0.02, max: 0.02, noNaN: true }), option: fc.constantFrom(...OPTIONS), iv: fc.double({ min: 0.2, max: 1.5, noNaN: true }), dtSeconds: fc.integer({ min: 0, max: 600 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("bad" as const), which: fc.constantFrom("old", "nan", "negative", "jump", "unknown") }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("fill" as const), account: fc.nat(), instrument: fc.constantFrom(...NAMES), size: fc.double({ min: 0.01, max: 20, noNaN: true }), sell: fc.boolean(), away: fc.double({ min: -0.03, max: 0.03, noNaN: true }), fee: fc.double({ min: 0, max: 5, noNaN: true }), usd: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("balance" as const), account: fc.nat(), currency: fc.constantFrom("BTC", "ETH", "USDC"), amount: fc.double({ min: -5, max: 50, noNaN: true }) }) },
);

describe("live figures equal a from-scratch computation at every step", () => {
  it("random books, ticks, fills and balance changes (1e-9 relative)", () => {
    fc.assert(
      fc.property(fc.array(accountFile, { minLength: 2, maxLength: 8 }), fc.array(step, { minLength: 4, maxLength: 14 }), (files, steps) => {
        const accounts: LiveAccountInput[] = files.map((f, i) => liveAccount(`acct-${i}`, toFile(f, i), CONTEXT));
        const core = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts }));
        let seq = 0;
        let t = EXAMPLE_MARKET.timestampMs;
        let worst = 0;
        const compare = (): void => {
          const market = marketFromScratch(core);
          for (const id of core.accountIds()) {
            const live = core.figures(id);
            const scratch = evaluateFromScratch(core, id, market).figures;
            if (live === undefined) throw new Error(`no figures for ${id}`);
            for (const [a, b] of [
              [live.equityUsd, scratch.equityUsd],
              [live.initialMarginUsd, scratch.initialMarginUsd],
              [live.maintenanceMarginUsd, scratch.maintenanceMarginUsd],
              [live.availableFundsUsd, scratch.availableFundsUsd],
            ] as const) {
              worst = Math.max(worst, relDiff(a, b));
              expect(relDiff(a, b), `${id} after seq ${core.lastSeq()}: ${a} vs ${b}`).toBeLessThanOrEqual(TOLERANCE);
            }
          }
        };
        compare();
        for (const s of steps) {
          const snap = core.market();
          let input: LiveInput;
          if (s.kind === "move") {
            t += s.dtSeconds * 1000;
            const index: Record<string, number> = {};
            if (s.btc !== undefined) index.BTC = (snap.indexUsd.BTC as number) * (1 + s.btc);
            if (s.eth !== undefined) index.ETH = (snap.indexUsd.ETH as number) * (1 + s.eth);
            if (s.usdc !== undefined) index.USDC = (snap.indexUsd.USDC as number) * (1 + s.usdc);
            input = { kind: "tick", tick: { seq: ++seq, timestampMs: t, indexUsd: index, ...(s.vol !== undefined ? { volMoves: { BTC: s.vol } } : {}) } };
          } else if (s.kind === "named") {
            t += s.dtSeconds * 1000;
            const fut = snap.instruments[s.future] as InstrumentQuote;
            input = { kind: "tick", tick: { seq: ++seq, timestampMs: t, instruments: { [s.future]: { markPrice: (fut.markPrice as number) * (1 + s.basis) }, [s.option]: { markIv: s.iv } } } };
          } else if (s.kind === "bad") {
            const bad = ({
              old: { seq: Math.max(0, seq - 1), timestampMs: t, indexUsd: { BTC: 1 } },
              nan: { seq: seq + 1, timestampMs: t, indexUsd: { BTC: Number.NaN } },
              negative: { seq: seq + 1, timestampMs: t, instruments: { "BTC-PERPETUAL": { markPrice: -5 } } },
              jump: { seq: seq + 1, timestampMs: t, indexUsd: { BTC: (snap.indexUsd.BTC as number) * 0.1 } },
              unknown: { seq: seq + 1, timestampMs: t, instruments: { "BTC-27MAR26-123456-C": { markIv: 0.5 } } },
            } as Record<string, Tick>)[s.which] as Tick;
            const before = JSON.stringify(core.market());
            const r = core.apply({ kind: "tick", tick: bad });
            if (s.which === "unknown") {
              expect(r.status).toBe("applied");
              seq++;
            } else {
              expect(r.status).not.toBe("applied");
              expect(JSON.stringify(core.market())).toBe(before);
            }
            compare();
            continue;
          } else if (s.kind === "fill") {
            const id = `acct-${s.account % files.length}`;
            const q = snap.instruments[s.instrument] as InstrumentQuote;
            const inverseFuture = !/-[CP]$/.test(s.instrument) && !s.instrument.includes("_USD");
            const mark = /-[CP]$/.test(s.instrument) ? (q.markPrice ?? 0.01) : (q.markPrice as number);
            const price = mark * (1 + s.away);
            const size = s.sell ? -s.size : s.size;
            const fill = inverseFuture && s.usd ? { instrument: s.instrument, sizeUsd: Math.round(size * mark), price, fee: s.fee / mark, tradeId: `t${seq + 1}` } : { instrument: s.instrument, size, price, fee: s.fee, feeCurrency: "USDC", tradeId: `t${seq + 1}` };
            input = { kind: "fill", seq: ++seq, timestampMs: t, account: id, fill };
          } else {
            const id = `acct-${s.account % files.length}`;
            input = { kind: "balance", seq: ++seq, timestampMs: t, account: id, currency: s.currency, amount: s.amount === 0 ? 1 : s.amount };
          }
          const r = core.apply(input);
          expect(r.status, JSON.stringify(r.issues)).toBe("applied");
          compare();
        }
        // The whole live document (figures, breakdown, buckets, projected margin, borrowing power) against the same
        // document computed from scratch, for every account at the end of the run.
        const market = marketFromScratch(core);
        for (const id of core.accountIds()) {
          const held = core.account(id);
          const live = core.document(id);
          if (held === undefined || live === undefined) throw new Error(`no ${id}`);
          const scratch = unwrap(accountDocument({ account: accountFromScratch(core, id, market), model: held.model, parameterSetName: held.parameterSetName, accountRef: id, marketRef: `live:seq ${core.lastSeq()}` }, { distance: false }));
          const d = compareDocuments(JSON.parse(JSON.stringify(unwrap(live))), JSON.parse(JSON.stringify(scratch)), TOLERANCE);
          expect(d.diffs, id).toEqual([]);
        }
        return worst <= TOLERANCE;
      }),
      { numRuns: Number(process.env.LIVE_RUNS ?? 12) },
    );
  });
});
