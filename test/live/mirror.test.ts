/**
 * The kernels' mirrors of the books (src/risk/wasm/mirror.ts) never serve a chunk the book changed since they copied
 * it: each writer of a segment applied between two ticks (a fill opening a position, one closing a position, a
 * liquidation cut in place, the coin sizes of USD contracts moving with the mark, a compaction after a fill that
 * detached an account), then ticks that re-aggregate its bucket; the written accounts' figures equal a from-scratch
 * evaluation (1e-9) on one thread, with a helper in this thread whose kernel (and mirror) is kept from pass to pass,
 * and with the worker-thread pool. A stale mirror would give the old positions' worst loss: far more than 1e-9 off.
 */
import { describe, expect, it } from "vitest";
import type { RemarginExecutor } from "../../src/live/chunk.js";
import { unwrap } from "../../src/errors.js";
import { createLiveCore } from "../../src/live/core.js";
import type { LiveAccountInput, LiveCore, LiveInput } from "../../src/live/core.js";
import { Xoshiro256StarStar } from "../../src/math/rng.js";
import { account, MARKET } from "../cascade/helpers.js";
import { inThreadExecutor, workerPool } from "./executors.js";
import { evaluateFromScratch, marketFromScratch, relDiff } from "./helpers.js";

/** Three claims of 1,024 accounts: enough for a pass shared with helpers (group.ts jobOf). */
const N = 2600;
const OPTIONS = Object.keys(MARKET.instruments).filter((x) => /^BTC-27MAR26-\d+-[CP]$/.test(x) && (MARKET.instruments[x]?.markPrice ?? 0) > 0);

/**
 * Seeded accounts of BTC options; every fifth of the second claim (accounts 1,024 to 2,047) also holds the inverse
 * perpetual in USD contracts, whose coin sizes every tick writes: the other claims' chunks change only by the writers.
 */
function accounts(): LiveAccountInput[] {
  const rng = Xoshiro256StarStar.fromSeed(26);
  return Array.from({ length: N }, (_, a) => {
    const positions: Record<string, unknown>[] = [];
    for (let k = 0; k < 4; k++) positions.push({ instrument: OPTIONS[(a * 7 + k * 13) % OPTIONS.length], size: Math.round((rng.nextDouble() - 0.5) * 20) / 2 || 1 });
    if (a % 5 === 0 && a >= 1024 && a < 2048) positions.push({ instrument: "BTC-PERPETUAL", sizeUsd: Math.round((rng.nextDouble() - 0.5) * 400_000) || 10_000, averagePrice: 90_000 });
    return account(`a${a}`, { positions, collateral: { BTC: 5 + rng.nextDouble() * 20, USDC: 100_000 } });
  });
}

/** The accounts each writer changes: one in the first claim (a helper's, in this thread) and one in the last. */
const WRITTEN = { open: ["a3", "a2101"], close: ["a4", "a2102"], cut: ["a6", "a2103"], detach: ["a8", "a2104"], usd: ["a1030", "a2045"] };

let seq = 0;
let ts = MARKET.timestampMs;

function tick(core: LiveCore, btc: number): void {
  ts += 60_000;
  const out = core.apply({ kind: "tick", tick: { seq: ++seq, timestampMs: ts, indexUsd: { BTC: (MARKET.indexUsd.BTC as number) * btc, ETH: (MARKET.indexUsd.ETH as number) * (2 - btc) } } });
  expect(out.status).toBe("applied");
}

function apply(core: LiveCore, input: LiveInput): void {
  expect(core.apply(input).status).toBe("applied");
}

const fill = (id: string, instrument: string, size: number): LiveInput => ({ kind: "fill", seq: ++seq, timestampMs: ts, account: id, fill: { instrument, size, price: MARKET.instruments[instrument]?.markPrice as number, tradeId: `t${seq}` } });

/** The written accounts' figures from scratch (on the market as the core holds it). */
function check(core: LiveCore): void {
  const market = marketFromScratch(core);
  for (const id of Object.values(WRITTEN).flat()) {
    const f = core.figures(id);
    const e = evaluateFromScratch(core, id, market).figures;
    expect(relDiff(f?.initialMarginUsd as number, e.initialMarginUsd), `${id} IM`).toBeLessThan(1e-9);
    expect(relDiff(f?.maintenanceMarginUsd as number, e.maintenanceMarginUsd), `${id} MM`).toBeLessThan(1e-9);
    expect(relDiff(f?.equityUsd as number, e.equityUsd), `${id} equity`).toBeLessThan(1e-9);
  }
}

/**
 * Each writer in its own round between ticks (a compaction gives the book new arrays, which would hide a write
 * made in the same round), the figures checked after the two ticks that follow.
 */
function drive(core: LiveCore): void {
  const rounds: (() => void)[] = [
    () => {
      for (const id of WRITTEN.open) {
        const held = new Set(core.account(id)?.positions.map((p) => p.instrument.name));
        apply(core, fill(id, OPTIONS.find((x) => !held.has(x)) as string, 3));
      }
    },
    () => {
      for (const id of WRITTEN.close) {
        const p = core.account(id)?.positions[0];
        if (p === undefined) throw new Error(id);
        apply(core, fill(id, p.instrument.name, -p.sizeCoin));
      }
    },
    () => {
      for (const id of WRITTEN.cut) apply(core, { kind: "reduce", seq: ++seq, timestampMs: ts, account: id, keepFraction: 0.5, currency: "USDC", cashUsd: 0 });
    },
    () => {
      // More new positions than the segment's spare slots: detached, then compacted by the next tick.
      for (const id of WRITTEN.detach) {
        const held = new Set(core.account(id)?.positions.map((p) => p.instrument.name));
        for (const name of OPTIONS.filter((x) => !held.has(x)).slice(0, 6)) apply(core, fill(id, name, 1));
      }
    },
  ];
  tick(core, 0.99);
  for (const write of rounds) {
    write();
    for (const btc of [0.96, 1.03]) {
      tick(core, btc);
      check(core);
    }
  }
  // The writes reached the book as the test meant them.
  expect(core.account("a3")?.positions.length).toBe(5);
  expect(core.account("a4")?.positions.length).toBe(3);
  expect(core.account("a8")?.positions.length).toBe(10);
  expect(core.account("a1030")?.positions.some((p) => p.notionalUsd !== undefined)).toBe(true);
}

const core = (executor?: RemarginExecutor): LiveCore => unwrap(createLiveCore({ market: MARKET, accounts: accounts(), liquidationPlans: false, ...(executor !== undefined ? { executor } : {}) }));

describe("the kernels' book mirrors after every writer of a segment", () => {
  it("one thread", () => {
    drive(core());
  }, 60_000);

  it("a helper in this thread (the first claims, its kernel kept from pass to pass)", () => {
    const ex = inThreadExecutor(0.5);
    drive(core(ex));
    expect(ex.helperClaims).toBeGreaterThan(0);
  }, 60_000);

  describe("the worker-thread pool", () => {
    const poolOf = workerPool(1);
    it("one helper thread", () => {
      const pool = poolOf();
      drive(core(pool));
      expect(pool.failure).toBeUndefined();
      expect(pool.stats.passes).toBe(9);
    }, 60_000);
  });
});
