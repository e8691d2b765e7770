/**
 * Book construction, validation (issue codes and paths) and the per-bucket split. Split checks are exact: the
 * risk values and sizes are small integers, so every sum is exact and the per-bucket vectors must add up to the
 * whole-book vector bit for bit.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aggregateAll } from "./aggregate.js";
import { allocateBook, bookFromPositions, splitBookByBucket, validateBook } from "./book.js";
import type { RiskArrays } from "./types.js";

const arrays: RiskArrays = { instrumentNames: ["BTC-PERPETUAL", "BTC-27DEC24", "ETH-PERPETUAL"], scenarioCount: 2, data: Float64Array.from([1, -1, 2, -2, 3, -3]) };

describe("validateBook", () => {
  it("accepts a good book (including empty accounts) and returns it", () => {
    const book = bookFromPositions([[{ instrumentIndex: 0, sizeCoin: 1 }], [], [{ instrumentIndex: 2, sizeCoin: -1 }]]);
    const r = validateBook(arrays, book);
    expect(r.ok && r.value).toBe(book);
  });

  it("reports bad offsets, indices, sizes and risk values with stable codes and paths", () => {
    const book = allocateBook(2, 3);
    book.offsets.set([0, 2, 3]);
    book.instrumentIndex.set([0, 3, -1]);
    book.sizeCoin.set([1, Number.NaN, 2]);
    const r = validateBook(arrays, book);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.issues.map((i) => `${i.path}:${i.code}`)).toEqual([
        "book.instrumentIndex[1]:out_of_range",
        "book.sizeCoin[1]:non_finite",
        "book.instrumentIndex[2]:out_of_range",
      ]);
    }
    const decreasing = allocateBook(2, 2);
    decreasing.offsets.set([0, 2, 1]);
    expect(validateBook(arrays, decreasing)).toMatchObject({ ok: false, issues: [{ code: "invalid_value", path: "book.offsets[2]" }] });
    const badEnd = allocateBook(1, 2);
    badEnd.offsets.set([0, 1]);
    expect(validateBook(arrays, badEnd)).toMatchObject({ ok: false, issues: [{ code: "invalid_value", path: "book.offsets[1]" }] });
    const badData: RiskArrays = { ...arrays, data: Float64Array.from([1, -1, 2, Infinity, 3, -3]) };
    expect(validateBook(badData, bookFromPositions([]))).toMatchObject({ ok: false, issues: [{ code: "non_finite", path: "arrays.data[3]" }] });
    const badShape: RiskArrays = { ...arrays, data: new Float64Array(5) };
    expect(validateBook(badShape, bookFromPositions([]))).toMatchObject({ ok: false, issues: [{ code: "invalid_value", path: "arrays.data" }] });
  });

  it("caps the issue list at 20", () => {
    const book = bookFromPositions([Array.from({ length: 100 }, () => ({ instrumentIndex: 9, sizeCoin: 1 }))]);
    const r = validateBook(arrays, book);
    expect(!r.ok && r.issues.length).toBe(20);
  });

  it("rejects an account that mixes margin buckets, naming both instruments", () => {
    const book = bookFromPositions([[{ instrumentIndex: 0, sizeCoin: 1 }, { instrumentIndex: 1, sizeCoin: 1 }], [{ instrumentIndex: 0, sizeCoin: 1 }, { instrumentIndex: 2, sizeCoin: 1 }]]);
    const bucketOfInstrument = Int32Array.from([0, 0, 1]);
    const r = validateBook(arrays, book, { bucketOfInstrument });
    expect(r).toMatchObject({ ok: false, issues: [{ code: "invalid_value", path: "book.accounts[1]" }] });
    expect(!r.ok && r.issues[0]?.message).toContain("BTC-PERPETUAL and ETH-PERPETUAL");
    for (const b of splitBookByBucket(book, bucketOfInstrument, 2)) expect(validateBook(arrays, b, { bucketOfInstrument }).ok).toBe(true);
  });
});

describe("splitBookByBucket", () => {
  it("keeps account numbering, keeps only the bucket's rows in order, and the bucket vectors add up to the whole", () => {
    const rows = 6;
    const S = 3;
    const data = Float64Array.from({ length: rows * S }, (_, k) => ((k * 7) % 11) - 5);
    const a: RiskArrays = { instrumentNames: Array.from({ length: rows }, (_, i) => `I${i}`), scenarioCount: S, data };
    const bucketOfInstrument = [0, 1, 2, 0, 1, 2];
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.record({ instrumentIndex: fc.integer({ min: 0, max: rows - 1 }), sizeCoin: fc.integer({ min: -50, max: 50 }) }), { maxLength: 8 }), { maxLength: 10 }),
        (accounts) => {
          const book = bookFromPositions(accounts);
          const parts = splitBookByBucket(book, bucketOfInstrument, 3, { shared: true });
          expect(parts.map((p) => p.accountCount)).toEqual([0, 1, 2].map(() => accounts.length));
          for (const [b, part] of parts.entries()) {
            expect(part.sizeCoin.buffer).toBeInstanceOf(SharedArrayBuffer);
            expect(validateBook(a, part).ok).toBe(true);
            accounts.forEach((positions, acc) => {
              const mine = positions.filter((p) => bucketOfInstrument[p.instrumentIndex] === b);
              const got = [];
              for (let k = part.offsets[acc]!; k < part.offsets[acc + 1]!; k++) got.push({ instrumentIndex: part.instrumentIndex[k], sizeCoin: part.sizeCoin[k] });
              expect(got).toEqual(mine);
            });
          }
          const whole = aggregateAll(a, book, new Float64Array(accounts.length * S));
          const sum = new Float64Array(accounts.length * S);
          for (const part of parts) aggregateAll(a, part, new Float64Array(accounts.length * S)).forEach((x, k) => (sum[k]! += x));
          expect(Array.from(sum)).toEqual(Array.from(whole).map((x) => x + 0));
        },
      ),
    );
  });
});
