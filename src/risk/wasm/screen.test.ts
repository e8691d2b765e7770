/**
 * The delta-groups kernel's incremental screen (ScreenRecords): over sequences of small row moves, the kernel that
 * continues from its records gives the very doubles (worst losses and extra columns) of the kernel that screens every
 * account, and it does take the incremental path for most accounts; a large move (the worst scenario changes), a
 * dampener move, positions replaced (records invalidated) and non-finite sizes fall back to the screen.
 */
import { describe, expect, it } from "vitest";
import { createWasmAggregator, RECORD_I32 } from "./kernel.js";
import type { WasmAggregator } from "./kernel.js";

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32 - 0.5;
  };
}

const bits = (x: Float64Array): bigint[] => Array.from(new BigUint64Array(x.buffer, x.byteOffset, x.length));

/** max_j |new − old| per row, and the rounding slack the live rows' bounds carry (live/arrays.ts). */
function moveBounds(next: Float64Array, prev: Float64Array, R: number, S: number, scale = 1): Float64Array {
  const out = new Float64Array(R);
  for (let r = 0; r < R; r++) {
    let d = 0, m = 0;
    for (let j = 0; j < S; j++) {
      d = Math.max(d, Math.abs((next[r * S + j] as number) - (prev[r * S + j] as number)));
      m = Math.max(m, Math.abs(next[r * S + j] as number), Math.abs(prev[r * S + j] as number));
    }
    out[r] = (d + 2e-11 * m) * scale;
  }
  return out;
}

interface Case {
  S: number;
  G: number;
  R: number;
  A: number;
  seed: number;
}

function setup({ S, G, R, A, seed }: Case) {
  const rnd = rng(seed);
  const E = G + 2;
  const extras = new Float64Array(R * E);
  for (let r = 0; r < R; r++) {
    const d = r % 7 === 0 ? 0 : rnd();
    const g = Math.floor((rnd() + 0.5) * G) % G;
    extras[r * E] = d;
    extras[r * E + 1 + g] = d;
    extras[r * E + 1 + G] = r % 3 === 0 ? 0 : rnd();
  }
  const data = Float64Array.from({ length: R * S }, () => rnd() * 100);
  // Accounts of 0 to 40 positions (a few empty), sorted rows, a few zero sizes.
  const off = new Int32Array(A + 1);
  const rows: number[] = [];
  for (let a = 0; a < A; a++) {
    off[a] = rows.length;
    const n = a % 11 === 0 ? 0 : 1 + Math.floor((rnd() + 0.5) * 40);
    rows.push(...Array.from({ length: n }, () => Math.floor((rnd() + 0.5) * R) % R).sort((x, y) => x - y));
  }
  off[A] = rows.length;
  const idx = Int32Array.from(rows);
  const size = Float64Array.from({ length: idx.length }, (_, k) => (k % 13 === 0 ? 0 : rnd() * 10));
  const damp = Float64Array.from({ length: S }, (_, j) => (j >= S - 2 ? Math.abs(rnd()) * 50 : 0));
  return { rnd, E, extras, data, off, idx, size, damp };
}

describe("incremental screen", () => {
  for (const c of [
    { S: 35, G: 13, R: 60, A: 3000, seed: 7 },
    { S: 8, G: 2, R: 20, A: 1500, seed: 11 },
    { S: 5, G: 1, R: 9, A: 1500, seed: 3 },
  ]) {
    it(`gives the screen's doubles over a random tick sequence (S = ${c.S})`, () => {
      const { rnd, E, extras, data, off, idx, size, damp } = setup(c);
      const inc = createWasmAggregator(c.S, E, "delta-groups") as WasmAggregator;
      const ref = createWasmAggregator(c.S, E, "delta-groups") as WasmAggregator;
      const records = new Int32Array(RECORD_I32 * c.A).fill(-1);
      let prevRows = data.slice();
      let prevDamp = damp.slice();
      let rowsNow = data.slice();
      let dampNow = damp.slice();
      let epoch = 0;
      const run = (bound: Float64Array | undefined, step: number, prev: number) => {
        const out = [inc, ref].map((k) => {
          k.loadArrays(rowsNow, c.R, extras, k === inc ? bound : undefined);
          k.setDampener(dampNow);
          const w = new Float64Array(c.A);
          const x = new Float64Array(c.A * k.extraStride).fill(NaN);
          // Two calls (a range not starting at 0), as the live chunks make.
          const cut = 1000;
          for (const [a0, a1] of [[0, cut], [cut, c.A]] as const) k.worstLossExtras(off, idx, size, a0, a1, w, a0, x, a0 * k.extraStride, undefined, undefined, k === inc ? { records, prev, epoch, step, write: true } : undefined);
          return { w, x };
        });
        const [a, b] = out as [{ w: Float64Array; x: Float64Array }, { w: Float64Array; x: Float64Array }];
        expect(bits(a.w)).toEqual(bits(b.w));
        expect(bits(a.x)).toEqual(bits(b.x));
      };
      run(undefined, 0, -2);
      const seen = { incremental: 0, screened: 0 };
      for (let t = 1; t <= 40; t++) {
        // Mostly small moves (~0.2 %); every 10th tick a large one that changes many accounts' worst scenario.
        const large = t % 10 === 0;
        rowsNow = prevRows.map((v) => v * (1 + (large ? 0.6 : 0.004) * rnd()) + (large ? 20 : 0.01) * rnd());
        if (t % 7 === 0) dampNow = prevDamp.map((v) => (v === 0 ? 0 : v * (1 + 0.01 * rnd())));
        let step = 0, most = 0;
        for (let j = 0; j < c.S; j++) {
          step = Math.max(step, Math.abs((dampNow[j] as number) - (prevDamp[j] as number)));
          most = Math.max(most, Math.abs(dampNow[j] as number), Math.abs(prevDamp[j] as number));
        }
        const before = { ...inc.screenStats };
        epoch++;
        run(moveBounds(rowsNow, prevRows, c.R, c.S), step + 1e-11 * most, epoch - 1);
        seen.incremental += inc.screenStats.incremental - before.incremental;
        seen.screened += inc.screenStats.screened - before.screened;
        prevRows = rowsNow;
        prevDamp = dampNow;
      }
      // Most accounts of most ticks continue from their records.
      expect(seen.incremental).toBeGreaterThan(seen.screened);
      expect(seen.screened).toBeGreaterThan(0);
    });
  }

  it("falls back to the screen for records of another call, non-finite sizes, and replaced positions", () => {
    const c = { S: 35, G: 3, R: 30, A: 400, seed: 5 };
    const { E, extras, data, off, idx, size, damp } = setup(c);
    const k = createWasmAggregator(c.S, E, "delta-groups") as WasmAggregator;
    const ref = createWasmAggregator(c.S, E, "delta-groups") as WasmAggregator;
    const records = new Int32Array(RECORD_I32 * c.A).fill(-1);
    const zero = new Float64Array(c.R);
    const once = (kk: WasmAggregator, sz: Float64Array, screen?: { prev: number; epoch: number }) => {
      kk.loadArrays(data, c.R, extras, zero);
      kk.setDampener(damp);
      const w = new Float64Array(c.A);
      const x = new Float64Array(c.A * kk.extraStride);
      kk.worstLossExtras(off, idx, sz, 0, c.A, w, 0, x, 0, undefined, undefined, screen === undefined ? undefined : { records, ...screen, step: 0, write: true });
      return bits(w).concat(bits(x));
    };
    once(k, size, { prev: -2, epoch: 4 });
    // Records tagged 4, a call continuing from 3: all screened.
    let before = k.screenStats.incremental;
    expect(once(k, size, { prev: 3, epoch: 5 })).toEqual(once(ref, size));
    expect(k.screenStats.incremental).toBe(before);
    // From 5 with nothing moved: all incremental (non-empty accounts).
    before = k.screenStats.incremental;
    expect(once(k, size, { prev: 5, epoch: 6 })).toEqual(once(ref, size));
    expect(k.screenStats.incremental).toBeGreaterThan(before + c.A / 2);
    // A NaN and an infinite size: those accounts are screened (the same NaN / ∞ figures as the screen).
    const bad = size.slice();
    bad[off[1]! + 1] = NaN;
    bad[off[2]! + 1] = Infinity;
    before = k.screenStats.screened;
    expect(once(k, bad, { prev: 6, epoch: 7 })).toEqual(once(ref, bad));
    expect(k.screenStats.screened).toBe(before + 2);
    // Positions replaced (sizes negated, records of those accounts invalidated by the caller): the new worst.
    const flipped = size.map((v, i) => (i < off[100]! ? -v : v));
    for (let a = 0; a < 100; a++) records[RECORD_I32 * a] = -1;
    expect(once(k, flipped, { prev: 7, epoch: 8 })).toEqual(once(ref, flipped));
  });

  // Two near-ties built so that the certificate's parts are needed: the gap's 2E below the screened sums (a sum
  // rounded up in single precision), and the dampener's move in B.
  describe("is not continued past a move that changes the worst scenario", () => {
    const S = 35;
    const extras = new Float64Array(3);
    const off = Int32Array.of(0, 1);
    const idx = Int32Array.of(0);
    const size = Float64Array.of(1);
    const twice = (rows: readonly Float64Array[], damps: readonly Float64Array[], bounds: readonly number[], steps: readonly number[]) => {
      const k = createWasmAggregator(S, 3, "delta-groups") as WasmAggregator;
      const ref = createWasmAggregator(S, 3, "delta-groups") as WasmAggregator;
      const records = new Int32Array(RECORD_I32).fill(-1);
      const got: number[][] = [];
      rows.forEach((row, t) => {
        const w = [k, ref].map((kk) => {
          kk.loadArrays(row, 1, extras, Float64Array.of(bounds[t] as number));
          kk.setDampener(damps[t] as Float64Array);
          const out = new Float64Array(1);
          kk.worstLossExtras(off, idx, size, 0, 1, out, 0, new Float64Array(kk.extraStride), 0, undefined, undefined, kk === k ? { records, prev: t - 1, epoch: t, step: steps[t] as number, write: true } : undefined);
          return out[0] as number;
        });
        got.push(w);
      });
      return { got, incremental: k.screenStats.incremental };
    };
    it("the gap is taken 2E below the screened sums", () => {
      // s1 = −1 + 1e-5 + e, rounded up by ≥ 2e-8 in single precision: screened 1e-5 + e + 2e-8 above s0 = −1.
      let v = 0;
      for (let i = 0; i < 1000 && !(Math.fround(v) - v >= 2e-8); i++) v = -1 + 1e-5 + i * 1.1e-9;
      expect(Math.fround(v) - v).toBeGreaterThanOrEqual(2e-8);
      const d = (v + 1) / 2 + 5e-9;
      const r0 = new Float64Array(S);
      r0[0] = -1;
      r0[1] = v;
      const r1 = new Float64Array(S);
      r1[0] = -1 + d;
      r1[1] = v - d;
      const zero = new Float64Array(S);
      const { got } = twice([r0, r1], [zero, zero], [0, d + 1e-10], [0, 0]);
      for (const [a, b] of got) expect(a).toBe(b);
      expect(got[1]![1]).toBe(-(v - d));
    });
    it("the tail dampener's move counts in B", () => {
      // s0 = −10 (standard), s1 = −10.5 + 1 (tail): then the tail's dampener falls to 0.25 and s1 is the worst.
      const row = new Float64Array(S);
      row[0] = -10;
      row[1] = -10.5;
      const d0 = new Float64Array(S);
      d0[1] = 1;
      const d1 = new Float64Array(S);
      d1[1] = 0.25;
      const { got, incremental } = twice([row, row], [d0, d1], [0, 0], [0, 0.75]);
      for (const [a, b] of got) expect(a).toBe(b);
      expect(got.map((g) => g[1])).toEqual([10, 10.25]);
      expect(incremental).toBe(0);
    });
  });
});
