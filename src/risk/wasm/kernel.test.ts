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
    expect(kernelModule(35)).toBe(kernelModule(35));
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
});
