/**
 * Aggregation kernels against a straightforward reference loop. Tolerance: EXACT (Object.is per element). The
 * reference below sums each scenario over the account's positions in book order starting from 0, one IEEE multiply
 * and one add per term; the kernels are specified to do the same operations in the same order (see aggregate-ts.ts),
 * so any difference, even in the last bit, is a bug.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { aggregateAll, aggregateScenarioPnl, reduceAll, wasmKernelAvailable, worstCaseAll } from "./aggregate.js";
import type { AggregationKernel } from "./aggregate.js";
import { allocateBook, bookFromPositions } from "./book.js";
import type { BookPosition } from "./book.js";
import type { AccountBook, RiskArrays } from "./types.js";
import { aggregateVector, worstCaseLoss } from "../models/risk-matrix/aggregation.js";
import type { AggregationRule } from "../models/risk-matrix/aggregation.js";

function referenceVector(arrays: RiskArrays, book: AccountBook, a: number): number[] {
  const S = arrays.scenarioCount;
  const v: number[] = [];
  for (let j = 0; j < S; j++) {
    let sum = 0;
    for (let k = book.offsets[a]!; k < book.offsets[a + 1]!; k++) sum = sum + book.sizeCoin[k]! * arrays.data[book.instrumentIndex[k]! * S + j]!;
    v.push(sum);
  }
  return v;
}

function referenceWorst(v: readonly number[], dampener?: Float64Array): number {
  let worst = 0;
  v.forEach((x, j) => {
    worst = Math.max(worst, -(x + (dampener?.[j] ?? 0)));
  });
  return worst;
}

function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`index ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}

const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true, noDefaultInfinity: true });

/** Random (RiskArrays, positions per account) with S in [1, 40] so odd/even and < 8 scenario counts are covered. */
const caseArb = fc
  .record({ S: fc.integer({ min: 1, max: 40 }), rows: fc.integer({ min: 1, max: 12 }) })
  .chain(({ S, rows }) =>
    fc.record({
      S: fc.constant(S),
      data: fc.array(finite, { minLength: rows * S, maxLength: rows * S }),
      accounts: fc.array(
        fc.array(fc.record({ instrumentIndex: fc.integer({ min: 0, max: rows - 1 }), sizeCoin: fc.oneof(finite, fc.constant(0)) }), { maxLength: 10 }),
        { maxLength: 12 },
      ),
      dampener: fc.array(fc.double({ min: 0, max: 1e5, noNaN: true }), { minLength: S, maxLength: S }),
    }),
  )
  .map(({ S, data, accounts, dampener }) => {
    const arrays: RiskArrays = { instrumentNames: Array.from({ length: data.length / S }, (_, i) => `I${i}`), scenarioCount: S, data: Float64Array.from(data) };
    return { arrays, book: bookFromPositions(accounts), dampener: Float64Array.from(dampener) };
  });

const kernels: AggregationKernel[] = ["typescript", "wasm"];

describe("aggregation kernels vs reference loop (exact)", () => {
  it("WebAssembly SIMD is available on the supported Node versions (20.19+, 24)", () => {
    expect(wasmKernelAvailable(35)).toBe(true);
  });

  it("aggregateScenarioPnl equals the reference for every account", () => {
    fc.assert(
      fc.property(caseArb, ({ arrays, book }) => {
        const out = new Float64Array(arrays.scenarioCount);
        for (let a = 0; a < book.accountCount; a++) expectSame(aggregateScenarioPnl(arrays, book, a, out), referenceVector(arrays, book, a));
      }),
      { numRuns: 200 },
    );
  });

  for (const kernel of kernels) {
    it(`aggregateAll (${kernel}) equals the reference vectors`, () => {
      fc.assert(
        fc.property(caseArb, ({ arrays, book }) => {
          const out = aggregateAll(arrays, book, new Float64Array(book.accountCount * arrays.scenarioCount), { kernel });
          const expected: number[] = [];
          for (let a = 0; a < book.accountCount; a++) expected.push(...referenceVector(arrays, book, a));
          expectSame(out, expected);
        }),
        { numRuns: 200 },
      );
    });

    it(`worstCaseAll (${kernel}) equals max(0, −min(v + d)), with and without dampener`, () => {
      fc.assert(
        fc.property(caseArb, ({ arrays, book, dampener }) => {
          const plain = worstCaseAll(arrays, book, new Float64Array(book.accountCount), { kernel });
          const damped = worstCaseAll(arrays, book, new Float64Array(book.accountCount), { kernel, dampener });
          for (let a = 0; a < book.accountCount; a++) {
            const v = referenceVector(arrays, book, a);
            // +0 (never −0) when nothing loses: Object.is distinguishes them.
            expectSame([plain[a]!, damped[a]!], [referenceWorst(v) + 0, referenceWorst(v, dampener) + 0]);
          }
        }),
        { numRuns: 200 },
      );
    });

    it(`reduceAll (${kernel}) hands each account's exact vector to the reducer, in account order`, () => {
      fc.assert(
        fc.property(caseArb, ({ arrays, book }) => {
          const seen: number[] = [];
          const out = reduceAll(
            arrays,
            book,
            (vec, a) => {
              seen.push(a);
              expectSame(vec, referenceVector(arrays, book, a));
              return vec.reduce((s, x) => s + x, 0);
            },
            new Float64Array(book.accountCount),
            { kernel },
          );
          expect(seen).toEqual(Array.from({ length: book.accountCount }, (_, a) => a));
          for (let a = 0; a < book.accountCount; a++) expect(out[a]).toBe(referenceVector(arrays, book, a).reduce((s, x) => s + x, 0));
        }),
        { numRuns: 100 },
      );
    });
  }
});

/** Deterministic LCG (Numerical Recipes constants) for the larger fixed cases below. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

function randomCase(seed: number, S: number, rows: number, accounts: number, maxPositions: number) {
  const rnd = lcg(seed);
  const data = new Float64Array(rows * S).map(() => rnd() - 0.5);
  const positions: BookPosition[][] = [];
  for (let a = 0; a < accounts; a++) {
    const n = Math.floor(rnd() * (maxPositions + 1));
    positions.push(Array.from({ length: n }, () => ({ instrumentIndex: Math.floor(rnd() * rows), sizeCoin: (rnd() - 0.5) * 20 })));
  }
  const arrays: RiskArrays = { instrumentNames: Array.from({ length: rows }, (_, i) => `I${i}`), scenarioCount: S, data };
  return { arrays, book: bookFromPositions(positions) };
}

describe("chunking, empty accounts, re-entrancy", () => {
  it("10,000 accounts (several WebAssembly chunks of 4,096) match the TypeScript kernel exactly", () => {
    const { arrays, book } = randomCase(7, 35, 300, 10_000, 40);
    const ts = worstCaseAll(arrays, book, new Float64Array(book.accountCount), { kernel: "typescript" });
    const wasm = worstCaseAll(arrays, book, new Float64Array(book.accountCount), { kernel: "wasm" });
    expectSame(wasm, ts);
    const vts = aggregateAll(arrays, book, new Float64Array(book.accountCount * 35), { kernel: "typescript" });
    const vwasm = aggregateAll(arrays, book, new Float64Array(book.accountCount * 35), { kernel: "wasm" });
    expectSame(vwasm, vts);
    expect(ts.some((x) => x > 0)).toBe(true);
  });

  it("one account larger than the initial WebAssembly scratch (200,000 positions) grows it and still matches", () => {
    const rnd = lcg(11);
    const S = 27;
    const rows = 50;
    const arrays: RiskArrays = { instrumentNames: Array.from({ length: rows }, (_, i) => `I${i}`), scenarioCount: S, data: new Float64Array(rows * S).map(() => rnd() - 0.5) };
    const n = 200_000;
    const book = allocateBook(3, n + 2);
    book.offsets.set([0, 1, n + 1, n + 2]);
    for (let k = 0; k < n + 2; k++) {
      book.instrumentIndex[k] = Math.floor(rnd() * rows);
      book.sizeCoin[k] = rnd() - 0.5;
    }
    const ts = aggregateAll(arrays, book, new Float64Array(3 * S), { kernel: "typescript" });
    expectSame(aggregateAll(arrays, book, new Float64Array(3 * S), { kernel: "wasm" }), ts);
    for (let a = 0; a < 3; a++) expectSame(ts.subarray(a * S, (a + 1) * S), referenceVector(arrays, book, a));
  });

  it("accounts with zero positions give +0 loss and a zero vector", () => {
    const { arrays } = randomCase(3, 35, 10, 0, 0);
    const book = bookFromPositions([[], [{ instrumentIndex: 2, sizeCoin: -3 }], [], []]);
    for (const kernel of kernels) {
      const worst = worstCaseAll(arrays, book, new Float64Array(4).fill(Number.NaN), { kernel });
      expectSame([worst[0]!, worst[2]!, worst[3]!], [0, 0, 0]);
      const vectors = aggregateAll(arrays, book, new Float64Array(4 * 35).fill(Number.NaN), { kernel });
      expectSame(vectors.subarray(0, 35), new Float64Array(35));
      expectSame(vectors.subarray(70), new Float64Array(70));
    }
    const empty = bookFromPositions([]);
    expect(worstCaseAll(arrays, empty, new Float64Array(0)).length).toBe(0);
  });

  it("a reducer may itself aggregate (re-entrant call gets its own WebAssembly scratch)", () => {
    const { arrays, book } = randomCase(5, 35, 40, 5_000, 30);
    const expected = worstCaseAll(arrays, book, new Float64Array(book.accountCount), { kernel: "typescript" });
    const inner = worstCaseAll(arrays, book, new Float64Array(book.accountCount), { kernel: "wasm" });
    const out = reduceAll(
      arrays,
      book,
      (vec, a) => {
        // Re-enter on the first account of each chunk: clobbering would corrupt the outer chunk's vectors.
        if (a % 4096 === 0) worstCaseAll(arrays, book, new Float64Array(book.accountCount), { kernel: "wasm" });
        let m = 0;
        for (const x of vec) m = Math.min(m, x);
        return 0 - m;
      },
      new Float64Array(book.accountCount),
      { kernel: "wasm" },
    );
    expectSame(out, expected);
    expectSame(inner, expected);
  });

  it("rejects outputs that are too short and out-of-range accounts (programming errors)", () => {
    const { arrays, book } = randomCase(9, 35, 5, 10, 3);
    expect(() => worstCaseAll(arrays, book, new Float64Array(9))).toThrow(RangeError);
    expect(() => aggregateAll(arrays, book, new Float64Array(10 * 35 - 1))).toThrow(RangeError);
    expect(() => aggregateScenarioPnl(arrays, book, 10, new Float64Array(35))).toThrow(RangeError);
    expect(() => worstCaseAll(arrays, book, new Float64Array(10), { dampener: new Float64Array(34) })).toThrow(RangeError);
  });
});

describe("the dampener form is the Deribit model's worst case (models/risk-matrix/aggregation.ts)", () => {
  it("worstCaseAll with d = [0 × standard, extended dampener] equals worstCaseLoss(aggregateVector(v, rule)) exactly, and so does reduceAll with the model's own functions", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 1_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1e6, noNaN: true }),
        fc.array(fc.double({ min: 0, max: 2, noNaN: true }), { minLength: 8, maxLength: 8 }),
        (seed, pnlOffsetDecimal, maxOffsetablePnl, damp) => {
          const { arrays, book } = randomCase(seed, 35, 60, 300, 30);
          const rule: AggregationRule = { standardCount: 27, pnlOffsetDecimal, maxOffsetablePnl, extendedDampener: Float64Array.from(damp), volSlots: 3 };
          const dampener = Float64Array.from([...new Array<number>(27).fill(0), ...damp]);
          const agg = new Float64Array(35);
          const model = reduceAll(arrays, book, (vec) => (aggregateVector(vec, rule, agg), worstCaseLoss(agg)), new Float64Array(book.accountCount));
          for (const kernel of kernels) expectSame(worstCaseAll(arrays, book, new Float64Array(book.accountCount), { kernel, dampener }), model);
        },
      ),
      { numRuns: 50 },
    );
  });
});
