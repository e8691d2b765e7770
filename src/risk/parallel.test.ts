/**
 * Parallel aggregation: identical (Object.is per element, i.e. EXACT) to the single-thread kernels for N = 1, 2, 3
 * worker threads. Exactness is the specification: every account is computed by the same code independently, so
 * the number of threads and the task split cannot change a bit.
 *
 * Workers from TypeScript sources: vitest transforms the sources in its own thread only, so the tests transpile
 * src/risk/aggregate-worker.ts and its imports once into a temporary directory (test/helpers/transpile-worker.ts)
 * and point the pool's `workerUrl` there: the workers run exactly the current sources. The default worker path
 * (dist/risk/aggregate-worker.js next to dist/risk/parallel.js) is exercised by the last test against the build
 * output (`npm test` builds before running vitest; the test is skipped when dist/ has no build of these files).
 */
import { existsSync } from "node:fs";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { aggregateAll, worstCaseAll } from "./aggregate.js";
import { createTaskState, runAggregateTask } from "./aggregate-task.js";
import { allocateBook, bookFromPositions } from "./book.js";
import type { BookPosition } from "./book.js";
import { createAggregationPool, splitAccountRanges, worstCaseAllParallel } from "./parallel.js";
import type { AggregationPool } from "./parallel.js";
import type { AccountBook, RiskArrays } from "./types.js";
import { transpileWorker } from "../../test/helpers/transpile-worker.js";
import type { TranspiledWorker } from "../../test/helpers/transpile-worker.js";

let transpiled: TranspiledWorker;
let bootstrap: URL;
beforeAll(() => {
  transpiled = transpileWorker(new URL("./aggregate-worker.ts", import.meta.url), new URL("../", import.meta.url));
  bootstrap = transpiled.url;
});
afterAll(() => transpiled.dispose());

function expectSame(actual: ArrayLike<number>, expected: ArrayLike<number>): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    if (!Object.is(actual[i], expected[i])) expect.fail(`index ${i}: got ${actual[i]}, expected ${expected[i]}`);
  }
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** 40,000 accounts (0 to 40 positions, some empty) over 200 instruments × 35 scenarios: several tasks per thread. */
function makeCase(seed: number, shared: boolean): { arrays: RiskArrays; book: AccountBook } {
  const rnd = lcg(seed);
  const S = 35;
  const rows = 200;
  const arrays: RiskArrays = { instrumentNames: Array.from({ length: rows }, (_, i) => `I${i}`), scenarioCount: S, data: new Float64Array(rows * S).map(() => rnd() - 0.5) };
  const accounts: BookPosition[][] = [];
  for (let a = 0; a < 40_000; a++) {
    const n = a % 17 === 0 ? 0 : Math.floor(rnd() * 41);
    accounts.push(Array.from({ length: n }, () => ({ instrumentIndex: Math.floor(rnd() * rows), sizeCoin: (rnd() - 0.5) * 10 })));
  }
  return { arrays, book: bookFromPositions(accounts, { shared }) };
}

describe("splitAccountRanges", () => {
  it("covers [0, n) with strictly increasing cuts and at most `parts` ranges", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 5000 }), { maxLength: 300 }), fc.integer({ min: 1, max: 40 }), (counts, parts) => {
        const book = bookFromPositions(counts.map((c) => Array.from({ length: c }, () => ({ instrumentIndex: 0, sizeCoin: 1 }))));
        const cuts = splitAccountRanges(book.offsets, book.accountCount, parts);
        expect(cuts[0]).toBe(0);
        expect(cuts[cuts.length - 1]).toBe(counts.length);
        expect(cuts.length - 1).toBeLessThanOrEqual(parts);
        for (let i = 1; i < cuts.length; i++) expect(cuts[i]!).toBeGreaterThan(cuts[i - 1]!);
      }),
    );
  });
});

describe("aggregation task (in-process, no thread)", () => {
  it("a task over a sub-range writes exactly that range, same values as worstCaseAll, and publishes its flag", () => {
    const { arrays, book } = makeCase(1, true);
    const expected = worstCaseAll(arrays, book, new Float64Array(book.accountCount));
    for (const kernel of ["wasm", "typescript"] as const) {
      const out = new Float64Array(new SharedArrayBuffer(book.accountCount * 8)).fill(-1);
      const doneFlags = new Int32Array(new SharedArrayBuffer(8));
      const state = createTaskState();
      const base = { type: "task" as const, mode: "worst" as const, kernel, arraysId: 0, data: arrays.data, scenarioCount: 35, rowCount: 200, ...book, dampener: null, out, doneFlags };
      runAggregateTask({ ...base, taskIndex: 1, a0: 1000, a1: 2500 }, state);
      expect(Atomics.load(doneFlags, 1)).toBe(1);
      expectSame(out.subarray(1000, 2500), expected.subarray(1000, 2500));
      expect(out[999]).toBe(-1);
      expect(out[2500]).toBe(-1);
    }
  });
});

describe("worker pool from the TypeScript sources", () => {
  const pools: AggregationPool[] = [];
  beforeAll(() => {
    for (const threads of [1, 2, 3]) pools.push(createAggregationPool({ threads, workerUrl: bootstrap }));
  });
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it("N = 1, 2, 3 threads give the single-thread worst losses exactly (shared and non-shared books, dampener)", async () => {
    for (const shared of [true, false]) {
      const { arrays, book } = makeCase(2, shared);
      const dampener = new Float64Array(35).map((_, j) => (j >= 27 ? 0.3 : 0));
      const expected = worstCaseAll(arrays, book, new Float64Array(book.accountCount), { kernel: "typescript" });
      const expectedDamped = worstCaseAll(arrays, book, new Float64Array(book.accountCount), { kernel: "typescript", dampener });
      expect(expected.filter((x) => x > 0).length).toBeGreaterThan(30_000);
      for (const pool of pools) {
        expectSame(await pool.worstCaseAll(arrays, book), expected);
        expectSame(await pool.worstCaseAll(arrays, book, { dampener }), expectedDamped);
      }
    }
  });

  it("vectors (aggregateAll) agree exactly, and overlapping calls on one pool do not interfere", async () => {
    const a = makeCase(3, true);
    const b = makeCase(4, false);
    const pool = pools[1]!;
    const [va, wb] = await Promise.all([pool.aggregateAll(a.arrays, a.book), pool.worstCaseAll(b.arrays, b.book)]);
    expectSame(va, aggregateAll(a.arrays, a.book, new Float64Array(a.book.accountCount * 35)));
    expectSame(wb, worstCaseAll(b.arrays, b.book, new Float64Array(b.book.accountCount)));
  });

  it("sees a risk matrix changed in place (workers re-prepare it) and handles an empty book", async () => {
    const { arrays, book } = makeCase(5, true);
    const pool = pools[2]!;
    const before = Float64Array.from(await pool.worstCaseAll(arrays, book));
    (arrays.data as Float64Array).set(arrays.data.map((x) => x * 2));
    const after = await pool.worstCaseAll(arrays, book);
    expectSame(after, worstCaseAll(arrays, book, new Float64Array(book.accountCount)));
    expect(after.some((x, i) => x !== before[i])).toBe(true);
    expect((await pool.worstCaseAll(arrays, allocateBook(0, 0))).length).toBe(0);
  });

  it("the one-shot helper with the TypeScript kernel in the workers agrees too; a wrong dampener length rejects", async () => {
    const { arrays, book } = makeCase(6, false);
    const out = await worstCaseAllParallel(arrays, book, { threads: 2, workerUrl: bootstrap, kernel: "typescript" });
    expectSame(out, worstCaseAll(arrays, book, new Float64Array(book.accountCount)));
    await expect(pools[0]!.worstCaseAll(arrays, book, { dampener: new Float64Array(3) })).rejects.toThrow(RangeError);
  });

  it("a worker that cannot start rejects the call instead of hanging", async () => {
    const { arrays, book } = makeCase(7, true);
    const pool = createAggregationPool({ threads: 1, workerUrl: new URL("./does-not-exist.js", bootstrap) });
    await expect(pool.worstCaseAll(arrays, book)).rejects.toThrow(/aggregation worker/);
    await pool.close();
  });
});

const distParallel = new URL("../../dist/risk/parallel.js", import.meta.url);
const distWorker = new URL("../../dist/risk/aggregate-worker.js", import.meta.url);

describe("worker pool from the build output (dist/, default worker URL)", () => {
  it.skipIf(!existsSync(distParallel) || !existsSync(distWorker))("resolves ./aggregate-worker.js next to dist/risk/parallel.js and agrees exactly", async () => {
    const dist = (await import(distParallel.href)) as { worstCaseAllParallel: typeof worstCaseAllParallel };
    const { arrays, book } = makeCase(8, true);
    const out = await dist.worstCaseAllParallel(arrays, book, { threads: 2 });
    expectSame(out, worstCaseAll(arrays, book, new Float64Array(book.accountCount)));
  });
});
