/**
 * The live core with other threads taking part in its re-margins (live/chunk.ts; cluster/live-pool.ts): the figures
 * and events are the same doubles as on one thread at every input, and equal a from-scratch computation to 1e-9.
 *
 * Two executors: one running the "helper" in this thread on a structured clone of the job (what a worker receives:
 * the SharedArrayBuffers shared, the rest copied), taking a share of the claims before the caller; and the real pool
 * of worker threads (its worker transpiled from the sources, test/helpers/transpile-worker.ts).
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_RULES, parseAccountRules } from "../../src/account/rules.js";
import { unwrap } from "../../src/errors.js";
import { loadModel } from "../../src/io/presets.js";
import { CLAIM_DONE, CLAIM_FREE, CLAIM_HELPER, CONTROL_ACTIVE, CONTROL_FAILED, CONTROL_NEXT, FUSED_CHUNK, remarginRange, viewOfJob } from "../../src/live/chunk.js";
import { createWasmAggregator } from "../../src/risk/wasm/kernel.js";
import type { RemarginExecutor, RemarginJob } from "../../src/live/chunk.js";
import { createLiveCore } from "../../src/live/core.js";
import { nextHealthState } from "../../src/live/health.js";
import { DEFAULT_LIVE_PARAMS } from "../../src/live/params.js";
import type { LiveCore, LiveInput } from "../../src/live/core.js";
import { Xoshiro256StarStar } from "../../src/math/rng.js";
import { inThreadExecutor, workerPool } from "./executors.js";
import { EXAMPLE_MARKET, evaluateFromScratch, marketFromScratch, relDiff } from "./helpers.js";

const model = unwrap(loadModel("deribit"));
const rules = unwrap(parseAccountRules(DEFAULT_ACCOUNT_RULES));
const names = Object.keys(EXAMPLE_MARKET.instruments);

/** A seeded bulk book of `n` accounts of 12 positions of one underlying, with a coin balance and some USDC. */
function bulkBook(n: number) {
  const rng = Xoshiro256StarStar.fromSeed(5);
  const offsets = new Int32Array(n + 1);
  const idx: number[] = [];
  const size: number[] = [];
  const balances: Record<string, number>[] = [];
  for (let a = 0; a < n; a++) {
    offsets[a] = idx.length;
    const base = rng.nextDouble() < 0.6 ? "BTC" : "ETH";
    const pool = names.filter((x) => x.startsWith(base));
    for (let k = 0; k < 12; k++) {
      idx.push(names.indexOf(pool[Math.floor(rng.nextDouble() * pool.length)] as string));
      size.push((rng.nextDouble() - 0.5) * 10);
    }
    balances.push({ [base]: 1 + rng.nextDouble() * 40, ...(a % 3 === 0 ? { USDC: rng.nextDouble() * 50_000 } : {}) });
  }
  offsets[n] = idx.length;
  return { ids: Array.from({ length: n }, (_, a) => `a${a}`), model, rules, instruments: names, offsets, instrumentIndex: Int32Array.from(idx), sizeCoin: Float64Array.from(size), balances };
}

/**
 * A helper that takes the first claims and stalls (a descheduled thread): the caller takes the rest, then redoes the
 * stalled ones (`finish`); the helper wakes up afterwards and writes its claims too, before the next input (`settle`).
 */
function stalledHelperExecutor(): RemarginExecutor & { overtaken: number } {
  let late: (() => void) | undefined;
  const ex = {
    helpers: 1,
    overtaken: 0,
    run(job: RemarginJob, local: () => void, finish: () => void): boolean {
      const clone = structuredClone(job);
      const taken: number[] = [];
      for (let i = 0; i < 2; i++) {
        Atomics.add(job.control, CONTROL_ACTIVE, 1);
        const k = Atomics.add(job.control, CONTROL_NEXT, 1);
        expect(Atomics.compareExchange(job.claimState, k, CLAIM_FREE, CLAIM_HELPER)).toBe(CLAIM_FREE);
        taken.push(k);
      }
      local();
      finish();
      ex.overtaken += taken.length;
      late = () => {
        const kernel = createWasmAggregator(job.kernel.scenarioCount, job.kernel.extraCount);
        if (kernel === null) throw new Error("no WebAssembly SIMD");
        kernel.loadArrays(clone.kernel.data, clone.kernel.rowCount, clone.kernel.extras);
        const view = viewOfJob(clone, kernel, new Float64Array(FUSED_CHUNK * kernel.extraStride));
        for (const k of taken) {
          remarginRange(view, k * job.claimAccounts, Math.min(job.accountCount, (k + 1) * job.claimAccounts));
          // The caller marked it done first: the late helper counts nothing.
          expect(Atomics.compareExchange(job.claimState, k, CLAIM_HELPER, CLAIM_DONE)).toBe(CLAIM_DONE);
          Atomics.sub(job.control, CONTROL_ACTIVE, 1);
        }
      };
      return true;
    },
    settle(): void {
      late?.();
      late = undefined;
    },
  };
  return ex;
}

const N = 9000;
// Liquidation events without the planner's plan (computed when read; hundreds of ms each): this file compares events.
const T0 = EXAMPLE_MARKET.timestampMs;

/** Ticks (BTC alone, then both), a fill and a balance change, the same for every core. */
function inputs(): LiveInput[] {
  const out: LiveInput[] = [];
  const moves = [0.99, 0.97, 1.02, 0.93, 1.04];
  moves.forEach((m, k) => {
    const indexUsd: Record<string, number> = k % 2 === 0 ? { BTC: (EXAMPLE_MARKET.indexUsd.BTC as number) * m } : { BTC: (EXAMPLE_MARKET.indexUsd.BTC as number) * m, ETH: (EXAMPLE_MARKET.indexUsd.ETH as number) * (2 - m) };
    // Input seqs increase across kinds (a tick's seq is its input seq).
    out.push({ kind: "tick", tick: { seq: 10 * k + 1, timestampMs: T0 + (k + 1) * 60_000, indexUsd } });
    if (k === 1) out.push({ kind: "fill", seq: 10 * k + 2, timestampMs: T0 + (k + 1) * 60_000, account: "a7", fill: { instrument: "BTC-PERPETUAL", size: 2, price: EXAMPLE_MARKET.instruments["BTC-PERPETUAL"]?.markPrice as number, tradeId: "f1" } });
    if (k === 2) out.push({ kind: "balance", seq: 10 * k + 3, timestampMs: T0 + (k + 1) * 60_000, account: "a4001", currency: "USDC", amount: 1234.5 });
  });
  return out;
}

/** Every account's equity, IM, MM and state, in book order. */
function snapshot(core: LiveCore): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < N; i++) {
    const f = core.figures(`a${i}`);
    out.push([f?.equityUsd, f?.initialMarginUsd, f?.maintenanceMarginUsd, f?.state]);
  }
  return out;
}

interface Step {
  readonly events: unknown;
  readonly remargined: number | undefined;
  readonly figures: unknown[];
}

let reference: { readonly start: unknown[]; readonly steps: Step[] } | undefined;

/** The one-thread core's trajectory through the inputs (computed once). */
function oneThread(): { readonly start: unknown[]; readonly steps: Step[] } {
  if (reference !== undefined) return reference;
  const single = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], liquidationPlans: false, bulk: bulkBook(N) }));
  const start = snapshot(single);
  const steps = inputs().map((input) => {
    const s = single.apply(input);
    return { events: s.events, remargined: s.accountsRemargined, figures: snapshot(single) };
  });
  reference = { start, steps };
  return reference;
}

/** Drive `pooled` through the inputs: the one-thread core's events and doubles (toEqual: Object.is per number) at every step. */
function driveAndCompare(pooled: LiveCore): void {
  const ref = oneThread();
  expect(snapshot(pooled)).toEqual(ref.start);
  inputs().forEach((input, k) => {
    const p = pooled.apply(input);
    const step = ref.steps[k] as Step;
    expect(p.status).toBe("applied");
    expect(p.events).toEqual(step.events);
    expect(p.accountsRemargined).toBe(step.remargined);
    expect(snapshot(pooled)).toEqual(step.figures);
  });
  // And from scratch (the market as held, a fresh engine per account): one account in every claim.
  const market = marketFromScratch(pooled);
  for (let i = 7; i < N; i += 2048) {
    const id = `a${i}`;
    const f = pooled.figures(id);
    const e = evaluateFromScratch(pooled, id, market).figures;
    expect(relDiff(f?.equityUsd as number, e.equityUsd)).toBeLessThan(1e-9);
    expect(relDiff(f?.initialMarginUsd as number, e.initialMarginUsd)).toBeLessThan(1e-9);
    expect(relDiff(f?.maintenanceMarginUsd as number, e.maintenanceMarginUsd)).toBeLessThan(1e-9);
  }
}

describe("the hand-off to health states settled inside the shared pass (chunk.ts HeldFigures)", () => {
  it("every input: each account's state is the hysteresis rule on its held state and new figures, health events exactly for those that moved, changed = figures or state changed", () => {
    const core = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], liquidationPlans: false, bulk: bulkBook(N), executor: inThreadExecutor(0.5) }));
    const thresholds = rules.health;
    let transitions = 0;
    let kept = 0;
    // Accounts whose liquidation trigger is out for their current episode, and how often one stayed in liquidation
    // (settled by the pass once its trigger is out: no second trigger).
    const open = new Set<string>();
    const inLiquidation = (s: string): boolean => s === "liquidation" || s === "bankrupt";
    let stayed = 0;
    for (const input of inputs()) {
      const before = Array.from({ length: N }, (_, i) => core.figures(`a${i}`) as NonNullable<ReturnType<LiveCore["figures"]>>);
      const out = core.apply(input);
      expect(out.status).toBe("applied");
      const moved = new Set(out.events.filter((e) => e.type === "health_changed").map((e) => (e as { account: string }).account));
      const changed = new Set(out.changed);
      for (const e of out.events) {
        if (e.type !== "liquidation") continue;
        const id = (e as { account: string }).account;
        expect(open.has(id), `second trigger for ${id} in one episode`).toBe(false);
        open.add(id);
      }
      for (let i = 0; i < N; i++) {
        const id = `a${i}`;
        const b = before[i] as NonNullable<ReturnType<LiveCore["figures"]>>;
        const f = core.figures(id) as NonNullable<ReturnType<LiveCore["figures"]>>;
        const expected = nextHealthState(b.state, f, thresholds, DEFAULT_LIVE_PARAMS.hysteresis).state;
        expect(f.state, id).toBe(expected);
        expect(moved.has(id), id).toBe(expected !== b.state);
        const figuresMoved = !Object.is(b.equityUsd, f.equityUsd) || !Object.is(b.initialMarginUsd, f.initialMarginUsd) || !Object.is(b.maintenanceMarginUsd, f.maintenanceMarginUsd);
        expect(changed.has(id), id).toBe(figuresMoved);
        if (expected !== b.state) transitions++;
        else if (figuresMoved) kept++;
        // No breaker in force: every account in liquidation that the input re-margined has its trigger out, one per
        // episode (one that starts there gets it with the first input that concerns it).
        if (!inLiquidation(f.state)) open.delete(id);
        else if (figuresMoved) {
          expect(open.has(id), id).toBe(true);
          if (inLiquidation(b.state)) stayed++;
        }
      }
    }
    expect(stayed).toBeGreaterThan(0);
    // The inputs move accounts across thresholds both ways, and leave most where they were.
    expect(transitions).toBeGreaterThan(10);
    expect(kept).toBeGreaterThan(10 * transitions);
  });
});

describe("the changed-account list of an outcome (reused while the same accounts change)", () => {
  it("is the accounts whose figures changed, in book order, the same frozen array when the next input changes the same accounts", () => {
    const core = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], liquidationPlans: false, bulk: bulkBook(N), executor: inThreadExecutor(0.5) }));
    const figures = (): unknown[] => Array.from({ length: N }, (_, i) => core.figures(`a${i}`));
    const expectChanged = (before: unknown[], out: { changed: readonly string[] }): void => {
      const after = figures();
      const moved: string[] = [];
      for (let i = 0; i < N; i++) {
        const b = before[i] as { equityUsd: number; initialMarginUsd: number; maintenanceMarginUsd: number };
        const f = after[i] as typeof b;
        if (!Object.is(b.equityUsd, f.equityUsd) || !Object.is(b.initialMarginUsd, f.initialMarginUsd) || !Object.is(b.maintenanceMarginUsd, f.maintenanceMarginUsd)) moved.push(`a${i}`);
      }
      expect(out.changed).toEqual(moved);
    };
    const tick = (seq: number, indexUsd: Record<string, number>): LiveInput => ({ kind: "tick", tick: { seq, timestampMs: T0 + seq * 1000, indexUsd } });
    const btc = EXAMPLE_MARKET.indexUsd.BTC as number;
    const eth = EXAMPLE_MARKET.indexUsd.ETH as number;
    let before = figures();
    const first = core.apply(tick(1, { BTC: btc * 0.99 }));
    expectChanged(before, first);
    expect(first.changed.length).toBeGreaterThan(4096);
    before = figures();
    const second = core.apply(tick(2, { BTC: btc * 0.985 }));
    expectChanged(before, second);
    expect(second.changed).toBe(first.changed);
    expect(Object.isFrozen(second.changed)).toBe(true);
    // Other accounts change: a new list, and the one handed out before is left as it was.
    const kept = [...first.changed];
    before = figures();
    const third = core.apply(tick(3, { ETH: eth * 1.01 }));
    expectChanged(before, third);
    expect(third.changed).not.toBe(first.changed);
    expect(first.changed).toEqual(kept);
  });

  it("is a new list when as many accounts change as before, but others", () => {
    // Half the book on BTC, half on ETH, one position each: a BTC tick and an ETH tick change as many accounts.
    const half = 5000;
    const btcName = names.find((x) => x.startsWith("BTC-") && x.endsWith("-C")) as string;
    const ethName = names.find((x) => x.startsWith("ETH-") && x.endsWith("-C")) as string;
    const n = 2 * half;
    const bulk = {
      ids: Array.from({ length: n }, (_, a) => `h${a}`),
      model,
      rules,
      instruments: [btcName, ethName],
      offsets: Int32Array.from({ length: n + 1 }, (_, a) => a),
      instrumentIndex: Int32Array.from({ length: n }, (_, a) => (a < half ? 0 : 1)),
      sizeCoin: Float64Array.from({ length: n }, (_, a) => 1 + (a % 7)),
      balances: Array.from({ length: n }, (_, a): Record<string, number> => (a < half ? { BTC: 5 } : { ETH: 50 })),
    };
    const core = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], liquidationPlans: false, bulk }));
    const btcTick = core.apply({ kind: "tick", tick: { seq: 1, timestampMs: T0 + 1000, indexUsd: { BTC: (EXAMPLE_MARKET.indexUsd.BTC as number) * 0.99 } } });
    const ethTick = core.apply({ kind: "tick", tick: { seq: 2, timestampMs: T0 + 2000, indexUsd: { ETH: (EXAMPLE_MARKET.indexUsd.ETH as number) * 0.99 } } });
    expect(btcTick.changed).toEqual(bulk.ids.slice(0, half));
    expect(ethTick.changed).toEqual(bulk.ids.slice(half));
  });
});

describe("re-margin passes shared with other threads", () => {
  it("a helper taking part (a clone of the job, in this thread) gives the one-thread doubles and events at every input", () => {
    const ex = inThreadExecutor(0.5);
    driveAndCompare(unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], liquidationPlans: false, bulk: bulkBook(N), executor: ex })));
    // Both sides took claims on every tick (9 claims of 1,024 accounts per pass).
    expect(ex.helperClaims).toBeGreaterThan(0);
    expect(ex.callerClaims).toBeGreaterThan(0);
  });

  it("a helper taking every claim, or none, changes nothing", () => {
    driveAndCompare(unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], liquidationPlans: false, bulk: bulkBook(N), executor: inThreadExecutor(1) })));
    driveAndCompare(unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], liquidationPlans: false, bulk: bulkBook(N), executor: inThreadExecutor(0) })));
  });

  it("a helper that stalls inside its claims: the caller redoes them, the late helper's writes change nothing", () => {
    const ex = stalledHelperExecutor();
    driveAndCompare(unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], liquidationPlans: false, bulk: bulkBook(N), executor: ex })));
    expect(ex.overtaken).toBe(10);
  });

  it("fills that detach an account (more new positions than its spare slots): the next tick compacts the book and the pass is shared again", () => {
    const ex = inThreadExecutor(0.5);
    const pooled = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], liquidationPlans: false, bulk: bulkBook(N), executor: ex }));
    const single = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], liquidationPlans: false, bulk: bulkBook(N) }));
    const held = new Set(pooled.account("a3")?.positions.map((p) => p.instrument.name));
    const base = [...held][0]?.slice(0, 3) as string;
    const fresh = names.filter((x) => x.startsWith(base) && !held.has(x) && (EXAMPLE_MARKET.instruments[x]?.markPrice ?? 0) > 0).slice(0, 5);
    expect(fresh.length).toBe(5);
    let seq = 0;
    for (const [k, name] of fresh.entries()) {
      const fill: LiveInput = { kind: "fill", seq: ++seq, timestampMs: T0, account: "a3", fill: { instrument: name, size: 1, price: EXAMPLE_MARKET.instruments[name]?.markPrice as number, tradeId: `d${k}` } };
      expect(pooled.apply(fill).status).toBe("applied");
      single.apply(fill);
    }
    const before = ex.helperClaims;
    const tick: LiveInput = { kind: "tick", tick: { seq: seq + 1, timestampMs: T0 + 60_000, indexUsd: { BTC: (EXAMPLE_MARKET.indexUsd.BTC as number) * 0.98, ETH: (EXAMPLE_MARKET.indexUsd.ETH as number) * 1.01 } } };
    const p = pooled.apply(tick);
    expect(p.events).toEqual(single.apply(tick).events);
    expect(ex.helperClaims).toBeGreaterThan(before);
    expect(snapshot(pooled)).toEqual(snapshot(single));
    expect(pooled.account("a3")?.positions.length).toBe(held.size + 5);
    const e = evaluateFromScratch(pooled, "a3").figures;
    const f = pooled.figures("a3");
    expect(relDiff(f?.initialMarginUsd as number, e.initialMarginUsd)).toBeLessThan(1e-9);
    expect(relDiff(f?.equityUsd as number, e.equityUsd)).toBeLessThan(1e-9);
  });

  it("a failed helper or an unusable pool: the caller redoes the pass alone, same figures", () => {
    const failing: RemarginExecutor = {
      helpers: 1,
      run(job, local) {
        local();
        Atomics.store(job.control, CONTROL_FAILED, 1);
        return true;
      },
      settle: () => undefined,
    };
    driveAndCompare(unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], liquidationPlans: false, bulk: bulkBook(N), executor: failing })));
    const unusable: RemarginExecutor = { helpers: 1, run: () => false, settle: () => undefined };
    driveAndCompare(unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], liquidationPlans: false, bulk: bulkBook(N), executor: unusable })));
  });

  describe("the worker-thread pool", () => {
    const poolOf = workerPool(2);
    it("two helper threads: the one-thread doubles and events at every input, from-scratch figures to 1e-9", () => {
      const pool = poolOf();
      expect(pool.failure).toBeUndefined();
      expect(pool.helpers).toBe(2);
      driveAndCompare(unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], liquidationPlans: false, bulk: bulkBook(N), executor: pool })));
      // Every tick went through the pool (whether a helper got a core in time to take a claim depends on the machine).
      expect(pool.stats.passes).toBe(5);
      expect(pool.stats.claims).toBe(5 * Math.ceil(N / 1024));
    });
  });
});
