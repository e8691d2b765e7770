/**
 * Fuzz targets of the live engine's and the cascade's input boundaries (issues 11 and 15, "Bad input"): tick JSON
 * through validateTick into a live core, breaker-rule files into a core that then takes ticks, fills and balance
 * changes at the core's own boundary, and liquidation-policy and market-impact files into a cascade. Every outcome must
 * be a finite result or a coded error (harness.ts), and each target checks its own property:
 * - a tick, fill or balance change that is not applied leaves every account's figures, the market's time and the
 *   book exactly as they were (a bad input never corrupts the book);
 * - a cascade conserves money to the cent (bankrupt shortfall = fund used + ADL + socialised) and the fund never pays
 *   out more than it started with plus the fees it received, whatever valid parameters the files hold.
 * Small and seeded here (seconds); `npm run fuzz -- --runs N` runs N × weight inputs per target.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fail, ok, unwrap } from "../../src/errors.js";
import type { Issue } from "../../src/errors.js";
import { validateImpactModel, validateLiquidationPolicy } from "../../src/io/cascade.js";
import { liveAccountOf } from "../../src/io/live-accounts.js";
import { validateBreakerRules, validateTick } from "../../src/io/live.js";
import { validateMarket } from "../../src/io/market.js";
import { createCascadeCore, runCascade } from "../../src/live/cascade/index.js";
import type { BreakerRules } from "../../src/live/breakers.js";
import { createLiveCore } from "../../src/live/core.js";
import type { ApplyOutcome, LiveCore, LiveInput } from "../../src/live/core.js";
import type { Tick } from "../../src/live/tick.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { anyDouble, anyJson, applyMutations, failuresOf, fuzz, runsFor, type FuzzCounts } from "./harness.js";

const json = (p: string): unknown => JSON.parse(readFileSync(p, "utf8")) as unknown;
const MARKET = unwrap(validateMarket(json("examples/market.json")));
const CONTEXT = unwrap(buildMarketContext(MARKET));
const T0 = MARKET.timestampMs;
const BREAKERS = json("presets/breakers-default.json");
const POLICIES = ["deribit-incremental", "derive-auction", "paradex-steps", "hyperliquid-backstop"].map((n) => json(`presets/liquidation-${n}.json`));
const IMPACT = json("presets/impact-default.json");

/** Three accounts on three buckets (coin-settled BTC with a USD contract, coin-settled ETH, USDC-settled ETH). */
const ACCOUNTS = [
  unwrap(liveAccountOf("btc", { model: "deribit", parameterSet: "deribit", positions: [{ instrument: "BTC-PERPETUAL", sizeUsd: -180000 }, { instrument: "BTC-27MAR26-100000-C", size: -5 }], collateral: { BTC: 3 } }, CONTEXT)),
  unwrap(liveAccountOf("eth", { model: "deribit", parameterSet: "deribit", positions: [{ instrument: "ETH-PERPETUAL", size: 10 }, { instrument: "ETH-27MAR26-3000-C", size: 20 }], collateral: { ETH: 5 } }, CONTEXT)),
  unwrap(liveAccountOf("usdc", { model: "deribit", parameterSet: "deribit", positions: [{ instrument: "ETH_USDC-PERPETUAL", size: 5 }], collateral: { USDC: 20000 } }, CONTEXT)),
];

const expectClean = (c: FuzzCounts): void => {
  expect(failuresOf(c), `${c.target}: ${JSON.stringify({ ...c, examples: undefined })}\n${c.examples.join("\n")}`).toBe(0);
  expect(c.inputs).toBeGreaterThan(0);
};

/** A value to put in a document: anything (validation runs) or a number in a plausible range (the engine runs). */
const anyValue = fc.oneof(
  { weight: 2, arbitrary: anyDouble() },
  { weight: 1, arbitrary: anyJson() },
  { weight: 3, arbitrary: fc.double({ min: 0, max: 2, noNaN: true }) },
  { weight: 1, arbitrary: fc.constantFrom(0, 1, 1e-12, 1e12, -1, 0.5) },
);
/** None half of the time (the engine runs on a valid document), else 1 to 3 mutations (validation runs). */
type Mutation = { path: number[]; value: unknown; key: string };
const mutations = fc.oneof(
  fc.constant<Mutation[]>([]),
  fc.array(fc.record({ path: fc.array(fc.nat(1000), { minLength: 1, maxLength: 5 }), value: anyValue, key: fc.string({ maxLength: 8 }) }), { minLength: 1, maxLength: 3 }),
);

/** What must not move when an input is not applied: every account's figures, the market's time and the sequence. */
function snapshot(core: LiveCore): string {
  return JSON.stringify({ figures: core.accountIds().map((id) => core.figures(id)), ts: core.market().timestampMs, positions: core.accountIds().map((id) => core.account(id)) });
}

/**
 * Apply inputs one by one: each rejected or ignored one must leave the snapshot as it was (thrown as a violation,
 * which the harness counts as a crash with its input). Returns the outcomes and the figures, for the finiteness check,
 * or the first rejection's issues as a failed Result (classified coded / uncoded).
 */
function applyAll(core: LiveCore, inputs: readonly LiveInput[]): unknown {
  const outcomes: ApplyOutcome[] = [];
  const rejected: Issue[] = [];
  for (const input of inputs) {
    const before = snapshot(core);
    const o = core.apply(input);
    outcomes.push(o);
    if (o.status !== "applied" && snapshot(core) !== before) throw new Error(`violation: a ${o.status} ${input.kind} changed the book`);
    if (o.status === "rejected") rejected.push(...(o.issues as Issue[]));
  }
  const figures = core.accountIds().map((id) => core.figures(id));
  if (rejected.length > 0 && outcomes.every((o) => o.status === "rejected")) return fail(...rejected);
  return ok({ outcomes: outcomes.map((o) => ({ status: o.status, issues: o.issues, events: o.events })), figures });
}

/** A tick document of the tick file format, `k` seconds after the market, moving BTC and ETH. */
const tickDoc = (seq: number, k: number, btc: number, eth: number): Record<string, unknown> => ({
  seq,
  ts: new Date(T0 + k * 1000).toISOString(),
  index: { BTC: 90000 * btc, ETH: 3000 * eth },
  instruments: { "BTC-PERPETUAL": { markPrice: 90000 * btc * 1.0003 }, "BTC-27MAR26-100000-C": { markIv: 0.55 * btc } },
  indexSources: { BTC: { a: 90000 * btc, b: 90010 * btc } },
});
const factor = fc.oneof({ weight: 4, arbitrary: fc.double({ min: 0.3, max: 2, noNaN: true }) }, { weight: 1, arbitrary: anyDouble() });
const tickSeries = fc.array(fc.record({ seq: fc.integer({ min: -2, max: 40 }), k: fc.integer({ min: -100, max: 7200 }), btc: factor, eth: factor, ms: mutations }), { minLength: 1, maxLength: 4 });

/** Validate each tick document at the boundary; apply the valid ones. A core is new per input (they are independent). */
function runTicks(docs: readonly { seq: number; k: number; btc: number; eth: number; ms: Mutation[] }[], rules?: BreakerRules): unknown {
  const core = unwrap(createLiveCore({ market: MARKET, accounts: ACCOUNTS, ...(rules !== undefined ? { breakers: rules } : {}) }));
  const ticks: Tick[] = [];
  const issues: Issue[] = [];
  for (const d of docs) {
    const v = validateTick(applyMutations(tickDoc(d.seq, d.k, d.btc, d.eth), d.ms));
    if (v.ok) ticks.push(v.value);
    else issues.push(...v.issues);
  }
  if (ticks.length === 0) return fail(...issues);
  return applyAll(core, ticks.map((tick) => ({ kind: "tick", tick })));
}

describe("fuzz: live engine and cascade boundaries", () => {
  it("ticks (tick documents, mutated; out of order, repeated, extreme) into a live core", () => {
    const c = fuzz("live-ticks", tickSeries, (docs) => runTicks(docs), { numRuns: runsFor(60, 0.2), seed: 1101 });
    expectClean(c);
  });

  it("breaker rules (mutated default rules) into a live core taking ticks", () => {
    const c = fuzz(
      "live-breaker-rules",
      fc.record({ ms: mutations, ticks: tickSeries }),
      ({ ms, ticks }) => {
        const v = validateBreakerRules(applyMutations(BREAKERS, ms));
        if (!v.ok) return v;
        return runTicks(ticks, v.value);
      },
      { numRuns: runsFor(40, 0.1), seed: 1102 },
    );
    expectClean(c);
  });

  it("fills and balance changes at the core's boundary (any numbers, unknown accounts and instruments)", () => {
    const instrument = fc.constantFrom("BTC-PERPETUAL", "BTC-27MAR26-100000-C", "ETH-PERPETUAL", "ETH_USDC-PERPETUAL", "BTC-27MAR26", "NOPE-1", "");
    const input = fc.oneof(
      fc.record({ account: fc.constantFrom("btc", "eth", "usdc", "ghost"), instrument, size: anyDouble(), price: fc.oneof(anyDouble(), fc.double({ min: 1, max: 1e5, noNaN: true })), fee: fc.option(anyDouble(), { nil: undefined }), kind: fc.constant("fill" as const) }),
      fc.record({ account: fc.constantFrom("btc", "eth", "usdc", "ghost"), currency: fc.constantFrom("BTC", "ETH", "USDC", "XYZ"), amount: anyDouble(), kind: fc.constant("balance" as const) }),
    );
    const c = fuzz(
      "live-fills-balances",
      fc.array(input, { minLength: 1, maxLength: 4 }),
      (xs) => {
        const core = unwrap(createLiveCore({ market: MARKET, accounts: ACCOUNTS }));
        const inputs: LiveInput[] = xs.map((x, i): LiveInput => {
          const at = { seq: i + 1, timestampMs: T0 + i * 1000, account: x.account };
          if (x.kind === "balance") return { kind: "balance", ...at, currency: x.currency, amount: x.amount };
          return { kind: "fill", ...at, fill: { instrument: x.instrument, size: x.size, price: x.price, ...(x.fee !== undefined ? { fee: x.fee } : {}) } };
        });
        return applyAll(core, inputs);
      },
      { numRuns: runsFor(60, 0.2), seed: 1103 },
    );
    expectClean(c);
  });

  it("liquidation-policy and impact files (mutated presets) into a cascade: finite, coded, money conserved", () => {
    let ran = 0;
    const c = fuzz(
      "cascade-policy-impact",
      fc.record({ policy: fc.nat(3), pm: mutations, im: mutations, btc: fc.double({ min: -0.7, max: 0.5, noNaN: true }), fund: fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e7, noNaN: true })) }),
      (x) => {
        const p = validateLiquidationPolicy(applyMutations(POLICIES[x.policy], x.pm));
        if (!p.ok) return p;
        const im = validateImpactModel(applyMutations(IMPACT, x.im));
        if (!im.ok) return im;
        const core = unwrap(createCascadeCore({ market: MARKET, accounts: ACCOUNTS }));
        const r = runCascade({ core, path: [{ seq: 0, timestampMs: T0, indexUsd: { BTC: 90000 * (1 + x.btc), ETH: 3000 * (1 + x.btc) } }], policy: p.value, impact: im.value, insuranceFundUsd: x.fund });
        if (!r.ok) return r;
        ran++;
        const s = r.value.summary;
        if (Math.abs(s.bankruptShortfallUsd - (s.insuranceFundUsedUsd + s.adlUsd + s.socializedLossUsd)) >= 0.005) throw new Error(`violation: money not conserved ${JSON.stringify(s)}`);
        if (s.insuranceFundUsedUsd > s.insuranceFundStartUsd + s.insuranceFundFeesUsd + 0.005) throw new Error(`violation: the fund paid more than it held ${JSON.stringify(s)}`);
        return r;
      },
      { numRuns: runsFor(40, 0.1), seed: 1104 },
    );
    expectClean(c);
    // The inputs reach the cascade, not only validation: the target is not vacuous.
    expect(ran).toBeGreaterThan(0);
  });
});
