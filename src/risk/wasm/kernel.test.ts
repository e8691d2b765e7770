/**
 * The WebAssembly encoder and kernel module. LEB128 vectors are the worked examples of the DWARF/WebAssembly
 * LEB128 definition (Wikipedia "LEB128": 624485 → E5 8E 26, −123456 → C0 BB 78) plus the boundary cases of the
 * 7-bit groups; the generated modules must pass the engine's own validator for every scenario count.
 * The kernels' numbers are tested (exactly, against a reference loop) in ../aggregate.test.ts.
 */
import { describe, expect, it } from "vitest";
import { sleb128, uleb128 } from "../../math/wasm/encoder.js";
import { buildKernelModuleBytes, createWasmAggregator, kernelModule, laneBlocks } from "./kernel.js";

describe("LEB128", () => {
  it("unsigned: published example and 7-bit boundaries", () => {
    expect(uleb128(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(uleb128(0)).toEqual([0x00]);
    expect(uleb128(127)).toEqual([0x7f]);
    expect(uleb128(128)).toEqual([0x80, 0x01]);
    expect(uleb128(2 ** 32 - 1)).toEqual([0xff, 0xff, 0xff, 0xff, 0x0f]);
  });
  it("signed: published example and sign-bit boundaries", () => {
    expect(sleb128(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb128(0)).toEqual([0x00]);
    expect(sleb128(-1)).toEqual([0x7f]);
    expect(sleb128(63)).toEqual([0x3f]);
    expect(sleb128(64)).toEqual([0xc0, 0x00]);
    expect(sleb128(-64)).toEqual([0x40]);
    expect(sleb128(-65)).toEqual([0xbf, 0x7f]);
  });
});

describe("kernel module", () => {
  it("validates for every scenario count 1..80 and starts with the wasm magic and version 1", () => {
    const validate = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly.validate;
    for (let S = 1; S <= 80; S++) {
      const bytes = buildKernelModuleBytes(S);
      expect(Array.from(bytes.subarray(0, 8))).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
      expect(validate(bytes)).toBe(true);
    }
    for (const S of [1, 2, 3, 35]) for (let E = 1; E <= 20; E++) expect(validate(buildKernelModuleBytes(S, E))).toBe(true);
    expect(kernelModule(35)).toBe(kernelModule(35));
    expect(kernelModule(35, 14)).not.toBe(kernelModule(35));
  });

  it("splits accumulators into balanced blocks of at most 6 covering every lane", () => {
    for (let lanes = 1; lanes <= 60; lanes++) {
      const blocks = laneBlocks(lanes);
      expect(blocks.reduce((a, b) => a + b, 0)).toBe(lanes);
      expect(Math.max(...blocks)).toBeLessThanOrEqual(6);
      expect(Math.max(...blocks) - Math.min(...blocks)).toBeLessThanOrEqual(1);
      expect(blocks.length).toBe(Math.ceil(lanes / 6));
    }
    expect(laneBlocks(18)).toEqual([6, 6, 6]);
  });

  it("computes a hand-checked 2-account, 3-scenario example", () => {
    const k = createWasmAggregator(3);
    expect(k).not.toBeNull();
    // rows: r0 = [1, −2, 0.5], r1 = [−4, 3, 0]; account 0 = 2·r0 − 1·r1 = [6, −7, 1]; account 1 = 0.5·r1 = [−2, 1.5, 0].
    k!.loadArrays(Float64Array.from([1, -2, 0.5, -4, 3, 0]), 2);
    const offsets = Int32Array.from([0, 2, 3]);
    const idx = Int32Array.from([0, 1, 1]);
    const size = Float64Array.from([2, -1, 0.5]);
    const vectors = new Float64Array(6);
    k!.vectors(offsets, idx, size, 0, 2, vectors, 0);
    expect(Array.from(vectors)).toEqual([6, -7, 1, -2, 1.5, 0]);
    const worst = new Float64Array(2);
    k!.setDampener(null);
    k!.worstLoss(offsets, idx, size, 0, 2, worst, 0);
    expect(Array.from(worst)).toEqual([7, 2]);
    k!.setDampener(Float64Array.from([0, 5, 0]));
    k!.worstLoss(offsets, idx, size, 0, 2, worst, 0);
    expect(Array.from(worst)).toEqual([2, 2]);
  });

  it("sums extra columns beside the worst loss, exactly as a position-order loop (hand-checked 3-scenario example)", () => {
    // The rows above with 3 extra columns each: r0 = [0.25, 1, 0], r1 = [−1, 0, −1].
    const k = createWasmAggregator(3, 3);
    expect(k).not.toBeNull();
    expect(k!.extraStride).toBe(4);
    k!.loadArrays(Float64Array.from([1, -2, 0.5, -4, 3, 0]), 2, Float64Array.from([0.25, 1, 0, -1, 0, -1]));
    const offsets = Int32Array.from([0, 2, 3]);
    const idx = Int32Array.from([0, 1, 1]);
    const size = Float64Array.from([2, -1, 0.5]);
    const worst = new Float64Array(2);
    const sums = new Float64Array(8).fill(NaN);
    k!.setDampener(Float64Array.from([0, 5, 0]));
    k!.worstLossExtras(offsets, idx, size, 0, 2, worst, 0, sums, 0);
    // The extras never enter the worst case: the same worst losses as the kernel without extras.
    expect(Array.from(worst)).toEqual([2, 2]);
    // account 0: 2·[0.25, 1, 0] − [−1, 0, −1] = [1.5, 2, 1]; account 1: 0.5·[−1, 0, −1] = [−0.5, 0, −0.5]; pad lane 0.
    expect(Array.from(sums)).toEqual([1.5, 2, 1, 0, -0.5, 0, -0.5, 0]);
    // With lengths, an account's positions end at offsets[a] + lengths[a]: what lies after (a segment's spare
    // capacity; here non-zero sizes, so walking it would show) is skipped, for the worst loss and the extras alike.
    const padded = Int32Array.from([0, 3, 5]);
    const pIdx = Int32Array.from([0, 1, 0, 1, 1]);
    const pSize = Float64Array.from([2, -1, 99, 0.5, -99]);
    const lengths = Int32Array.from([2, 1]);
    const pWorst = new Float64Array(2);
    const pSums = new Float64Array(8).fill(NaN);
    k!.worstLossExtras(padded, pIdx, pSize, 0, 2, pWorst, 0, pSums, 0, lengths);
    expect(Array.from(pWorst)).toEqual([2, 2]);
    expect(Array.from(pSums)).toEqual([1.5, 2, 1, 0, -0.5, 0, -0.5, 0]);
    k!.worstLoss(padded, pIdx, pSize, 0, 2, pWorst, 0, lengths);
    expect(Array.from(pWorst)).toEqual([2, 2]);
    k!.worstLoss(padded, pIdx, pSize, 0, 2, pWorst, 0);
    expect(Array.from(pWorst)).not.toEqual([2, 2]);
    // Random rows and books: every lane bit-equal to the scalar loop in position order.
    let seed = 7;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const S = 35, E = 14, R = 50, A = 300;
    const big = createWasmAggregator(S, E)!;
    const data = Float64Array.from({ length: R * S }, rnd);
    const extras = Float64Array.from({ length: R * E }, rnd);
    big.loadArrays(data, R, extras);
    big.setDampener(null);
    const off = Int32Array.from({ length: A + 1 }, (_, a) => a * 30);
    const rows = Int32Array.from({ length: A * 30 }, () => Math.floor(((rnd() + 1) / 2) * R) % R);
    const sz = Float64Array.from({ length: A * 30 }, () => rnd() * 10);
    const w = new Float64Array(A);
    const got = new Float64Array(A * big.extraStride);
    big.worstLossExtras(off, rows, sz, 0, A, w, 0, got, 0);
    for (let a = 0; a < A; a++) {
      for (let e = 0; e < E; e++) {
        let x = 0;
        for (let k2 = off[a]!; k2 < off[a + 1]!; k2++) x += sz[k2]! * extras[rows[k2]! * E + e]!;
        expect(got[a * big.extraStride + e]).toBe(x);
      }
      let m = 0;
      for (let j = 0; j < S; j++) {
        let x = 0;
        for (let k2 = off[a]!; k2 < off[a + 1]!; k2++) x += sz[k2]! * data[rows[k2]! * S + j]!;
        m = Math.min(m, x);
      }
      expect(w[a]).toBe(0 - m);
    }
  });

  it("delta-groups extras: the same worst losses and sums as the columns layout (group sums exactly a position-order loop over their own positions); malformed rows throw", () => {
    let seed = 11;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    for (const [S, G] of [[35, 13], [7, 1], [4, 2]] as const) {
      const E = G + 2, R = 40, A = 257;
      const data = Float64Array.from({ length: R * S }, rnd);
      const extras = new Float64Array(R * E);
      const groupOf = new Int32Array(R);
      for (let r = 0; r < R; r++) {
        // Some rows with a zero delta (a balance row): its group does not matter.
        const d = r % 9 === 0 ? 0 : rnd();
        groupOf[r] = Math.floor(((rnd() + 1) / 2) * G) % G;
        extras[r * E] = d;
        extras[r * E + 1 + groupOf[r]!] = d;
        extras[r * E + 1 + G] = r % 3 === 0 ? 0 : rnd();
      }
      const cols = createWasmAggregator(S, E, "columns")!;
      const grouped = createWasmAggregator(S, E, "delta-groups")!;
      expect(grouped.layout).toBe("delta-groups");
      expect(grouped.extraStride).toBe(cols.extraStride);
      const damp = Float64Array.from({ length: S }, (_, j) => (j > S - 3 ? Math.abs(rnd()) : 0));
      for (const k of [cols, grouped]) {
        k.loadArrays(data, R, extras);
        k.setDampener(damp);
      }
      // Positions sorted by row within an account, as the books hold them (runs of one group), with a few zero sizes.
      const off = Int32Array.from({ length: A + 1 }, (_, a) => a * 31);
      const rows = new Int32Array(A * 31);
      for (let a = 0; a < A; a++) rows.set(Array.from({ length: 31 }, () => Math.floor(((rnd() + 1) / 2) * R) % R).sort((x, y) => x - y), a * 31);
      const sz = Float64Array.from({ length: A * 31 }, (_, k) => (k % 17 === 0 ? 0 : rnd() * 10));
      const out = (k: typeof cols) => {
        const w = new Float64Array(A);
        const x = new Float64Array(A * k.extraStride).fill(NaN);
        k.worstLossExtras(off, rows, sz, 0, A, w, 0, x, 0);
        return { w, x };
      };
      const a1 = out(cols);
      const a2 = out(grouped);
      expect(Array.from(a2.w)).toEqual(Array.from(a1.w));
      for (let a = 0; a < A; a++) {
        const at = a * cols.extraStride;
        // Delta and mark: the same doubles; each group's sum: its own positions' products in order (the columns layout
        // also adds the zeros of other groups' positions, which can only turn −0 into +0).
        expect(a2.x[at]).toBe(a1.x[at]);
        expect(a2.x[at + 1 + G]).toBe(a1.x[at + 1 + G]);
        for (let g = 0; g < G; g++) {
          let own = 0;
          for (let k2 = off[a]!; k2 < off[a + 1]!; k2++) if (groupOf[rows[k2]!] === g && extras[rows[k2]! * E] !== 0) own += sz[k2]! * extras[rows[k2]! * E]!;
          expect(Math.abs(a2.x[at + 1 + g]!)).toBe(Math.abs(own));
          expect(a2.x[at + 1 + g]).toBe(a1.x[at + 1 + g]);
        }
      }
    }
    const bad = createWasmAggregator(3, 4, "delta-groups")!;
    expect(() => bad.loadArrays(Float64Array.from([1, 2, 3]), 1, Float64Array.from([0.5, 0.5, 0.5, 1]))).toThrow(/2 group columns/);
    expect(() => bad.loadArrays(Float64Array.from([1, 2, 3]), 1, Float64Array.from([0.5, 0.25, 0, 1]))).toThrow(/not its delta/);
    expect(() => createWasmAggregator(3, 2, "delta-groups")).toThrow();
  });
  it("delta-groups worst losses are the f64 kernel's doubles through its single-precision screen: ties, zero scenarios, empty accounts, a large dampener, huge sizes", () => {
    let seed = 5;
    const rnd = () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 2 - 1;
    const S = 35, G = 3, E = G + 2, R = 24, A = 300;
    // Scenario columns with structure: 0–2 equal (an exact tie), 13 all zero (the unmoved scenario), 20 and 21 equal
    // but for one ulp-sized step, the rest random; some rows all zero.
    const data = new Float64Array(R * S);
    for (let r = 0; r < R; r++) {
      if (r % 7 === 3) continue;
      for (let j = 0; j < S; j++) data[r * S + j] = rnd();
      data[r * S + 1] = data[r * S] as number;
      data[r * S + 2] = data[r * S] as number;
      data[r * S + 13] = 0;
      data[r * S + 21] = (data[r * S + 20] as number) * (1 + 2 ** -50);
    }
    const extras = new Float64Array(R * E);
    for (let r = 0; r < R; r++) {
      const d = rnd();
      extras[r * E] = d;
      extras[r * E + 1 + (r % G)] = d;
      extras[r * E + 1 + G] = rnd();
    }
    const cols = createWasmAggregator(S, E, "columns")!;
    const grouped = createWasmAggregator(S, E, "delta-groups")!;
    for (const [damp, scale] of [[null, 1], [Float64Array.from({ length: S }, (_, j) => (j >= 27 ? 1e4 * Math.abs(rnd()) : 0)), 1], [null, 1e28], [null, 1e-30]] as const) {
      for (const k of [cols, grouped]) {
        k.loadArrays(data, R, extras);
        k.setDampener(damp);
      }
      // Accounts of 0 to 40 positions (every fifth empty), a few sizes zero, some accounts long and short one row.
      const lens = Array.from({ length: A }, (_, a) => (a % 5 === 0 ? 0 : 1 + (a % 40)));
      const off = new Int32Array(A + 1);
      for (let a = 0; a < A; a++) off[a + 1] = off[a]! + lens[a]!;
      const rows = Int32Array.from({ length: off[A]! }, () => Math.floor(((rnd() + 1) / 2) * R) % R);
      const sz = Float64Array.from({ length: off[A]! }, (_, k) => (k % 13 === 0 ? 0 : rnd() * 10 * scale));
      for (let a = 1; a < A; a += 11) if (lens[a]! >= 2) {
        rows[off[a]! + 1] = rows[off[a]!]!;
        sz[off[a]! + 1] = -sz[off[a]!]!;
      }
      const w1 = new Float64Array(A), w2 = new Float64Array(A);
      cols.worstLossExtras(off, rows, sz, 0, A, w1, 0, new Float64Array(A * cols.extraStride), 0);
      grouped.worstLossExtras(off, rows, sz, 0, A, w2, 0, new Float64Array(A * grouped.extraStride), 0);
      for (let a = 0; a < A; a++) expect(Object.is(w2[a], w1[a]), `account ${a} (scale ${scale}): ${w2[a]} against ${w1[a]}`).toBe(true);
    }
    // Two positions whose scenarios 20 and 21 round to single precision in the opposite order of their exact sums
    // (each value a hair either side of a rounding midpoint): a screen bound too tight to keep both fails here.
    const two = new Float64Array(2 * S).fill(-5);
    const m1 = 1.5 + 2 ** -24, m2 = 0.1875 + 2 ** -27, eps = 2 ** -40;
    [two[20], two[S + 20], two[21], two[S + 21]] = [m1 + eps, m2 - 3 * eps, m1 - eps, m2 + eps];
    const w = [new Float64Array(1), new Float64Array(1)];
    [cols, grouped].forEach((k, i) => {
      k.loadArrays(two, 2, new Float64Array(2 * E));
      k.setDampener(null);
      k.worstLossExtras(Int32Array.of(0, 2), Int32Array.of(0, 1), Float64Array.of(-1, -1), 0, 1, w[i]!, 0, new Float64Array(k.extraStride), 0);
    });
    expect(w[0]![0]).toBe(m1 - eps + (m2 + eps));
    expect(w[1]![0]).toBe(w[0]![0]);
  });
});
