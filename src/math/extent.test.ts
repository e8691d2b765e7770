import { describe, expect, it } from "vitest";
import { maxOf, minOf } from "./extent.js";

describe("maxOf / minOf", () => {
  it("agree with Math.max / Math.min on small lists, and take an empty value", () => {
    expect(maxOf([3, -1, 7, 2])).toBe(7);
    expect(minOf([3, -1, 7, 2])).toBe(-1);
    expect(maxOf([-Infinity])).toBe(-Infinity);
    expect(maxOf([], 0)).toBe(0);
    expect(minOf(new Float64Array([5, 4]))).toBe(4);
  });
  it("handle 1,000,000 elements, where Math.max(...list) overflows the stack", () => {
    const big = Array.from({ length: 1_000_000 }, (_v, i) => (i * 7919) % 1_000_003);
    expect(() => Math.max(...big)).toThrow(RangeError);
    expect(maxOf(big)).toBe(Math.max(...big.slice(0, 0), big.reduce((a, b) => (a > b ? a : b))));
    expect(minOf(big)).toBe(0);
  });
});
