/**
 * Account books in CSR form ({@link AccountBook}): construction, validation at the boundary, and the split of a
 * book by margin bucket so that rows of different buckets are never summed together.
 *
 * Bucket rule (the caller's job, checked here): a risk-array row is a P&L in its instrument's bucket currency
 * (BTC for inverse BTC products, USDC for the linear family, …), and the aggregation kernels sum rows blindly. So
 * either give the kernels one {@link RiskArrays} per bucket with a book per bucket, or one RiskArrays holding every
 * instrument and one book per bucket from {@link splitBookByBucket} (same account numbering in every book).
 * {@link validateBook} with `bucketOfInstrument` rejects a book in which an account mixes buckets.
 * @module
 */
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import type { AccountBook, RiskArrays } from "./types.js";

/** At most this many issues are reported by {@link validateBook}: a million bad rows should not make a million issues. */
const MAX_ISSUES = 20;

/** A position of one account, as given to {@link bookFromPositions}: a risk-array row index and a signed size in coin. */
export interface BookPosition {
  readonly instrumentIndex: number;
  readonly sizeCoin: number;
}

/** Options for book allocation. `shared: true` puts the arrays on SharedArrayBuffers (zero-copy to worker threads). */
export interface BookAllocationOptions {
  readonly shared?: boolean;
}

/** A book whose arrays the caller fills in place (same shape as {@link AccountBook}, writable arrays). */
export interface MutableAccountBook extends AccountBook {
  readonly offsets: Int32Array;
  readonly instrumentIndex: Int32Array;
  readonly sizeCoin: Float64Array;
}

function buffer(bytes: number, shared: boolean): ArrayBuffer | SharedArrayBuffer {
  return shared ? new SharedArrayBuffer(bytes) : new ArrayBuffer(bytes);
}

/**
 * Allocate an empty book for `accountCount` accounts and `positionCount` positions in total (all zeros: fill
 * `offsets` with non-decreasing starts, `offsets[accountCount] = positionCount`). With `{ shared: true }` the
 * arrays live on SharedArrayBuffers, which `createAggregationPool` passes to workers without copying.
 */
export function allocateBook(accountCount: number, positionCount: number, options: BookAllocationOptions = {}): MutableAccountBook {
  const shared = options.shared === true;
  return {
    accountCount,
    offsets: new Int32Array(buffer((accountCount + 1) * 4, shared)),
    instrumentIndex: new Int32Array(buffer(positionCount * 4, shared)),
    sizeCoin: new Float64Array(buffer(positionCount * 8, shared)),
  };
}

/** Build a book from per-account position lists (account a = `accounts[a]`, positions kept in the given order). */
export function bookFromPositions(accounts: readonly (readonly BookPosition[])[], options: BookAllocationOptions = {}): MutableAccountBook {
  let total = 0;
  for (const positions of accounts) total += positions.length;
  const book = allocateBook(accounts.length, total, options);
  let k = 0;
  for (let a = 0; a < accounts.length; a++) {
    book.offsets[a] = k;
    for (const p of accounts[a] as readonly BookPosition[]) {
      book.instrumentIndex[k] = p.instrumentIndex;
      book.sizeCoin[k] = p.sizeCoin;
      k++;
    }
  }
  book.offsets[accounts.length] = k;
  return book;
}

/** Options of {@link validateBook}. */
export interface ValidateBookOptions {
  /** Bucket id of every risk-array row; when given, an account holding rows of two buckets is an issue. */
  readonly bucketOfInstrument?: Int32Array | readonly number[];
}

/**
 * Check a risk matrix and a book before they reach the kernels (which trust their input): shapes, offsets
 * (start at 0, non-decreasing, end at the position count), row indices in range, finite sizes and risk values, and
 * optionally that no account mixes buckets. Issue paths: `arrays.data[i]`, `book.offsets[a]`,
 * `book.instrumentIndex[k]`, `book.sizeCoin[k]`, `book.accounts[a]`. Reports at most 20 issues. O(positions).
 */
export function validateBook(arrays: RiskArrays, book: AccountBook, options: ValidateBookOptions = {}): Result<AccountBook> {
  const issues: Issue[] = [];
  const add = (code: Issue["code"], path: string, message: string): boolean => {
    issues.push(issue(code, path, message));
    return issues.length >= MAX_ISSUES;
  };
  const S = arrays.scenarioCount;
  const rows = arrays.instrumentNames.length;
  if (!Number.isInteger(S) || S < 1) return fail(issue("invalid_value", "arrays.scenarioCount", `must be a positive integer, got ${S}`));
  if (arrays.data.length !== rows * S) {
    return fail(issue("invalid_value", "arrays.data", `length ${arrays.data.length} ≠ ${rows} instruments × ${S} scenarios`));
  }
  for (let i = 0; i < arrays.data.length; i++) {
    if (!Number.isFinite(arrays.data[i] as number) && add("non_finite", joinPath("arrays", "data", i), "risk value is not finite")) return fail(...issues);
  }
  const { offsets, instrumentIndex, sizeCoin, accountCount } = book;
  if (!Number.isInteger(accountCount) || accountCount < 0) return fail(...issues, issue("invalid_value", "book.accountCount", `must be a non-negative integer, got ${accountCount}`));
  if (offsets.length !== accountCount + 1) {
    return fail(...issues, issue("invalid_value", "book.offsets", `length ${offsets.length} ≠ accountCount + 1 = ${accountCount + 1}`));
  }
  if (instrumentIndex.length !== sizeCoin.length) {
    return fail(...issues, issue("invalid_value", "book.sizeCoin", `length ${sizeCoin.length} ≠ instrumentIndex length ${instrumentIndex.length}`));
  }
  if (offsets[0] !== 0) add("invalid_value", joinPath("book", "offsets", 0), `must be 0, got ${offsets[0]}`);
  if (offsets[accountCount] !== instrumentIndex.length) {
    add("invalid_value", joinPath("book", "offsets", accountCount), `must equal the position count ${instrumentIndex.length}, got ${offsets[accountCount]}`);
  }
  if (issues.length > 0) return fail(...issues);
  for (let a = 0; a < accountCount; a++) {
    if ((offsets[a + 1] as number) < (offsets[a] as number) && add("invalid_value", joinPath("book", "offsets", a + 1), "offsets must be non-decreasing")) return fail(...issues);
  }
  if (issues.length > 0) return fail(...issues);
  for (let k = 0; k < instrumentIndex.length; k++) {
    const i = instrumentIndex[k] as number;
    if ((i < 0 || i >= rows) && add("out_of_range", joinPath("book", "instrumentIndex", k), `row ${i} not in [0, ${rows})`)) return fail(...issues);
    if (!Number.isFinite(sizeCoin[k] as number) && add("non_finite", joinPath("book", "sizeCoin", k), "size is not finite")) return fail(...issues);
  }
  const bucketOf = options.bucketOfInstrument;
  if (bucketOf !== undefined && issues.length === 0) {
    if (bucketOf.length !== rows) return fail(issue("invalid_value", "bucketOfInstrument", `length ${bucketOf.length} ≠ ${rows} instruments`));
    for (let a = 0; a < accountCount; a++) {
      const k0 = offsets[a] as number;
      const k1 = offsets[a + 1] as number;
      if (k1 === k0) continue;
      const first = bucketOf[instrumentIndex[k0] as number];
      for (let k = k0 + 1; k < k1; k++) {
        if (bucketOf[instrumentIndex[k] as number] !== first) {
          const names = `${arrays.instrumentNames[instrumentIndex[k0] as number]} and ${arrays.instrumentNames[instrumentIndex[k] as number]}`;
          if (add("invalid_value", joinPath("book", "accounts", a), `mixes margin buckets (${names}); split the book per bucket`)) return fail(...issues);
          break;
        }
      }
    }
  }
  return issues.length > 0 ? fail(...issues) : ok(book);
}

/**
 * Split a book into one book per bucket: book b holds, for every account (same numbering, same `accountCount`), only
 * its positions whose row is in bucket b, in their original order. Row indices are unchanged, so each bucket's book is
 * used with the same RiskArrays. `bucketOfInstrument[i]` in [0, bucketCount) is the bucket of risk-array row i.
 */
export function splitBookByBucket(
  book: AccountBook,
  bucketOfInstrument: Int32Array | readonly number[],
  bucketCount: number,
  options: BookAllocationOptions = {},
): MutableAccountBook[] {
  const { offsets, instrumentIndex, sizeCoin, accountCount } = book;
  const counts = new Array<number>(bucketCount).fill(0);
  for (let k = 0; k < instrumentIndex.length; k++) counts[bucketOfInstrument[instrumentIndex[k] as number] as number]! += 1;
  const books = counts.map((n) => allocateBook(accountCount, n, options));
  const cursor = new Array<number>(bucketCount).fill(0);
  for (let a = 0; a < accountCount; a++) {
    for (let b = 0; b < bucketCount; b++) (books[b] as MutableAccountBook).offsets[a] = cursor[b] as number;
    for (let k = offsets[a] as number; k < (offsets[a + 1] as number); k++) {
      const b = bucketOfInstrument[instrumentIndex[k] as number] as number;
      const target = books[b] as MutableAccountBook;
      const at = cursor[b] as number;
      target.instrumentIndex[at] = instrumentIndex[k] as number;
      target.sizeCoin[at] = sizeCoin[k] as number;
      cursor[b] = at + 1;
    }
  }
  for (let b = 0; b < bucketCount; b++) (books[b] as MutableAccountBook).offsets[accountCount] = cursor[b] as number;
  return books;
}
