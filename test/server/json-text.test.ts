/**
 * The service's JSON answers (http.ts `jsonText`): a plain document takes the native serialiser and prints exactly
 * what JSON.stringify prints; typed arrays print as arrays, `toJSON` is honoured, and a non-finite number anywhere is
 * refused (a 500, never `null` in an answer).
 */
import { describe, expect, it } from "vitest";
import { jsonText } from "../../src/server/http.js";

describe("jsonText", () => {
  it("prints a plain document as JSON.stringify does", () => {
    const doc = { a: 1.5e-300, b: [1, -0, "x\\u2028", null, true, { c: undefined, d: [] }], e: { f: 0.1 + 0.2 } };
    expect(jsonText(doc)).toBe(JSON.stringify(doc));
  });

  it("prints typed arrays as arrays and honours toJSON", () => {
    expect(JSON.parse(jsonText({ v: new Float64Array([1, 2.5]), at: new Date(0) }))).toEqual({ v: [1, 2.5], at: "1970-01-01T00:00:00.000Z" });
  });

  it("refuses a non-finite number wherever it is, naming its key", () => {
    for (const bad of [{ x: { deep: [1, Number.NaN] } }, { y: Number.POSITIVE_INFINITY }, { z: new Float64Array([Number.NEGATIVE_INFINITY]) }, Number.NaN]) {
      expect(() => jsonText(bad)).toThrow(/non-finite number/);
    }
  });
});
