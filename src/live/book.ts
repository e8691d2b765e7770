/**
 * The book of a risk-matrix group: per margin bucket (`btc_btc`, `eth_usdc`, ...), every account's positions in CSR
 * form on SharedArrayBuffers (the risk-array row and the signed size in coin of each position, and its entry price),
 * sorted by instrument name inside the bucket: the order the model sums in, so the live sums are the model's to the
 * last bit. A coin balance the parameter set offsets is a position of its balance row (account/engine.ts).
 *
 * Each account's segment has a little spare capacity, padded with zero-size positions (which add exactly nothing to a
 * scenario sum), so a fill that opens a position usually fits in place. One that does not fit detaches the account's
 * bucket: its positions move to a small side list computed on the single-account path, until the next compaction
 * rebuilds the book with room for them.
 * @module
 */
import type { DerivativeInstrument } from "../market/types.js";
import { MIRROR_ACCOUNTS } from "../risk/wasm/kernel.js";
import { bucketKeyOf } from "../models/risk-matrix/scenario-set.js";
import type { LiveArrays } from "./arrays.js";
import { ROW_BALANCE } from "./arrays.js";

/** A position as the live core holds it. */
export interface LivePosition {
  readonly instrument: DerivativeInstrument;
  /** Signed size in coin. For a position held in USD contracts it is `notionalUsd` / the current mark. */
  readonly sizeCoin: number;
  /**
   * Inverse futures and perpetuals held as USD contracts (the account file's `sizeUsd`; every fill writes them so):
   * the signed USD notional. Its coin size moves with the mark, as a venue counts it.
   */
  readonly notionalUsd?: number;
  /** Entry price of a future or perpetual (USD per coin); options: informational (quote unit). */
  readonly averagePrice?: number;
  /** Linear perpetuals: P&L and funding not yet settled into cash, USDC. */
  readonly unrealisedPnlUsdc?: number;
  readonly unrealisedFundingUsdc?: number;
}

/** One account's positions of one bucket, outside the CSR arrays (detached). */
export interface SideList {
  readonly row: Int32Array;
  readonly size: Float64Array;
  readonly avg: Float64Array;
  readonly usd: Float64Array;
}

export interface BucketBook {
  readonly key: string;
  readonly base: string;
  readonly currency: string;
  readonly coinSettled: boolean;
  /** Segment of account a: [offsets[a], offsets[a] + len[a]), capacity up to offsets[a + 1]. */
  offsets: Int32Array;
  readonly len: Int32Array;
  row: Int32Array;
  size: Float64Array;
  /** Entry price per position, NaN when the position has none. */
  avg: Float64Array;
  /** USD notional per position held in contracts (inverse futures and perpetuals), NaN for a coin size. */
  usd: Float64Array;
  /** Accounts with a position held in USD contracts in this bucket (their coin sizes follow the mark). */
  readonly hasUsd: Uint8Array;
  readonly detached: Map<number, SideList>;
  /** Outputs per account, in the bucket currency: worst-case loss, IM, MM. */
  readonly worst: Float64Array;
  readonly im: Float64Array;
  readonly mm: Float64Array;
  /** Σ size × mark over the account's options in the bucket (bucket currency), set with IM and MM. */
  readonly optionValue: Float64Array;
  /**
   * Futures and perpetuals of the account in the bucket (live/fast-margin.ts sets it when first needed): −1 not yet
   * looked at, 0 none, 1 to {@link FUTURE_LIST} that many, listed in {@link futureSlot} and {@link futureList},
   * {@link FUTURE_LIST} + 1 more than that (the figures then walk the segment). Reset to −1 whenever the account's
   * positions in the bucket are replaced.
   */
  readonly futures: Int8Array;
  /**
   * {@link FUTURE_LIST} entries per account: where each listed future or perpetual sits in the account's segment
   * (k − offsets[a]: unchanged when a compaction moves the segment).
   */
  readonly futureSlot: Int16Array;
  /**
   * {@link FUTURE_STRIDE} doubles per account: per listed position its row, its size (coin) and its entry price
   * ({@link FUTURE_ROW}, {@link FUTURE_SIZE}, {@link FUTURE_ENTRY}), copies of `row`, `size` and `avg`, kept equal to
   * them (refreshUsdSizes updates the size of a position held in USD contracts). WHY: the equity needs these of every
   * future, and the figures run after the kernel pass has pushed the chunk's book out of the cache, so reading them in
   * the book was two or three cache misses per future (the hottest lines of the headline figures); here the lists of
   * consecutive accounts sit side by side, read in account order.
   */
  readonly futureList: Float64Array;
  /**
   * Identity of `offsets`, `row`, `size` and `len` for the kernels' mirrors of the book (risk/wasm/mirror.ts): new
   * whenever the arrays are replaced (compaction). A number, not the arrays: a helper thread gets new array objects
   * with every job.
   */
  stamp: number;
  /**
   * Per MIRROR_ACCOUNTS accounts, on a SharedArrayBuffer: bumped ({@link touchAccount}) after every write to the rows,
   * sizes or lengths of their segments, so a kernel looks at a chunk's accounts again only when one changed.
   */
  readonly generation: Int32Array;
  /** Per account, on a SharedArrayBuffer: bumped after every write to its segment (before its chunk's generation). */
  readonly accountGeneration: Int32Array;
}

/**
 * Stamps of the books made by this thread. WHY unique per thread is enough: a kernel only sees the books of the
 * thread that owns it or, on a helper thread, of the one thread that posts it jobs (cluster/live-pool.ts).
 */
let lastStamp = 0;
const nextStamp = (): number => ++lastStamp;

/**
 * Record a write to account `a`'s segment (after it): the kernels' mirrors copy the account again. The chunk's bump is
 * atomic, after the account's: a thread that reads the chunk's new generation (Atomics.load) then sees the write.
 */
export function touchAccount(book: BucketBook, a: number): void {
  book.accountGeneration[a] = (book.accountGeneration[a] as number) + 1;
  Atomics.add(book.generation, Math.floor(a / MIRROR_ACCOUNTS), 1);
}

/** The mirror fields of a new book of `n` accounts. */
const mirrorFields = (n: number): Pick<BucketBook, "stamp" | "generation" | "accountGeneration"> => ({
  stamp: nextStamp(),
  generation: new Int32Array(sab(Math.ceil(n / MIRROR_ACCOUNTS) * 4)),
  accountGeneration: new Int32Array(sab(n * 4)),
});

/** Futures and perpetuals per account and bucket listed beside the book (BucketBook.futureSlot / futureList). */
export const FUTURE_LIST = 2;
/** Doubles per listed position in BucketBook.futureList, and the offset of each field. */
export const FUTURE_FIELDS = 3;
export const FUTURE_ROW = 0;
export const FUTURE_SIZE = 1;
export const FUTURE_ENTRY = 2;
/** Doubles per account in BucketBook.futureList. */
export const FUTURE_STRIDE = FUTURE_LIST * FUTURE_FIELDS;

function sab(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(8, bytes));
}

/** Spare slots of a segment holding `n` positions. */
function slack(n: number): number {
  return n === 0 ? 0 : Math.max(2, Math.ceil(n / 16));
}

/** One entry of a bucket: a row, its size and entry price, and the name it sorts by. */
interface Entry {
  readonly name: string;
  readonly row: number;
  readonly size: number;
  readonly avg: number;
  readonly usd: number;
}

/**
 * An account's entries per bucket key, each list sorted by instrument name (positions, then its offset balances).
 * Positions whose instrument has no row are the caller's problem (validated before).
 */
export function entriesByBucket(arrays: LiveArrays, positions: readonly LivePosition[], balances: Readonly<Record<string, number>>, offsets: readonly string[]): Map<string, Entry[]> {
  const out = new Map<string, Entry[]>();
  const add = (key: string, e: Entry): void => {
    const list = out.get(key) ?? [];
    list.push(e);
    out.set(key, list);
  };
  for (const p of positions) {
    const row = arrays.rowOf.get(p.instrument.name) as number;
    add(bucketKeyOf(p.instrument), { name: p.instrument.name, row, size: p.sizeCoin, avg: p.averagePrice ?? NaN, usd: p.notionalUsd ?? NaN });
  }
  for (const c of offsets) {
    const amount = balances[c] ?? 0;
    const row = arrays.balanceRowOf.get(c);
    if (amount === 0 || row === undefined) continue;
    const inst = arrays.instruments[row] as DerivativeInstrument;
    add(bucketKeyOf(inst), { name: inst.name, row, size: amount, avg: NaN, usd: NaN });
  }
  for (const list of out.values()) list.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return out;
}

/** The bucket keys a group's rows can fall in, sorted (the model's bucket order). */
export function bucketKeysOf(arrays: LiveArrays): string[] {
  return [...new Set(arrays.instruments.map((i) => bucketKeyOf(i)))].sort();
}

/** Allocate the bucket books of `accountCount` accounts from their entries (index = account). */
export function buildBucketBooks(arrays: LiveArrays, entries: readonly Map<string, Entry[]>[]): BucketBook[] {
  const n = entries.length;
  return bucketKeysOf(arrays).map((key) => {
    const sample = arrays.instruments.find((i) => bucketKeyOf(i) === key) as DerivativeInstrument;
    let total = 0;
    for (const e of entries) {
      const k = e.get(key)?.length ?? 0;
      total += k + slack(k);
    }
    const book: BucketBook = {
      key,
      base: sample.base,
      currency: sample.settlementCurrency,
      coinSettled: sample.settlement === "inverse",
      offsets: new Int32Array(sab((n + 1) * 4)),
      len: new Int32Array(sab(n * 4)),
      row: new Int32Array(sab(total * 4)),
      size: new Float64Array(sab(total * 8)),
      avg: new Float64Array(sab(total * 8)),
      usd: new Float64Array(sab(total * 8)),
      hasUsd: new Uint8Array(sab(n)),
      detached: new Map(),
      worst: new Float64Array(sab(n * 8)),
      im: new Float64Array(sab(n * 8)),
      mm: new Float64Array(sab(n * 8)),
      optionValue: new Float64Array(sab(n * 8)),
      futures: new Int8Array(sab(n)).fill(-1),
      futureSlot: new Int16Array(sab(n * FUTURE_LIST * 2)),
      futureList: new Float64Array(sab(n * FUTURE_STRIDE * 8)),
      ...mirrorFields(n),
    };
    book.avg.fill(NaN);
    book.usd.fill(NaN);
    let k = 0;
    for (let a = 0; a < n; a++) {
      book.offsets[a] = k;
      const list = entries[a]?.get(key) ?? [];
      writeSegment(book, k, list);
      book.len[a] = list.length;
      book.hasUsd[a] = list.some((e) => !Number.isNaN(e.usd)) ? 1 : 0;
      k += list.length + slack(list.length);
    }
    book.offsets[n] = k;
    return book;
  });
}

function writeSegment(book: BucketBook, at: number, list: readonly Entry[]): void {
  for (let i = 0; i < list.length; i++) {
    const e = list[i] as Entry;
    book.row[at + i] = e.row;
    book.size[at + i] = e.size;
    book.avg[at + i] = e.avg;
    book.usd[at + i] = e.usd;
  }
}

/**
 * Replace account `a`'s positions in every bucket with `entries` (from {@link entriesByBucket}). A bucket whose new
 * list does not fit the segment is detached (side list). Returns true when something was detached.
 */
export function setAccountEntries(books: readonly BucketBook[], a: number, entries: Map<string, Entry[]>): boolean {
  let detachedAny = false;
  for (const book of books) {
    const list = entries.get(book.key) ?? [];
    const k0 = book.offsets[a] as number;
    const cap = (book.offsets[a + 1] as number) - k0;
    // Clear the old segment: zero sizes are exact no-ops in every sum.
    for (let k = k0; k < k0 + cap; k++) {
      book.size[k] = 0;
      book.avg[k] = NaN;
      book.usd[k] = NaN;
    }
    book.hasUsd[a] = list.some((e) => !Number.isNaN(e.usd)) ? 1 : 0;
    book.futures[a] = -1;
    if (list.length <= cap) {
      book.detached.delete(a);
      writeSegment(book, k0, list);
      // Padding keeps the first row of the segment (any valid row; its size is 0).
      for (let k = k0 + list.length; k < k0 + cap; k++) book.row[k] = list[0]?.row ?? book.row[k0] ?? 0;
      book.len[a] = list.length;
    } else {
      book.len[a] = 0;
      book.detached.set(a, {
        row: Int32Array.from(list, (e) => e.row),
        size: Float64Array.from(list, (e) => e.size),
        avg: Float64Array.from(list, (e) => e.avg),
        usd: Float64Array.from(list, (e) => e.usd),
      });
      detachedAny = true;
    }
    touchAccount(book, a);
  }
  return detachedAny;
}

/** The positions of account `a` in one bucket: the CSR segment or the side list. */
export function segmentOf(book: BucketBook, a: number): { row: Int32Array; size: Float64Array; avg: Float64Array; usd: Float64Array; from: number; to: number } {
  const side = book.detached.get(a);
  if (side !== undefined) return { row: side.row, size: side.size, avg: side.avg, usd: side.usd, from: 0, to: side.row.length };
  const from = book.offsets[a] as number;
  return { row: book.row, size: book.size, avg: book.avg, usd: book.usd, from, to: from + (book.len[a] as number) };
}

/**
 * Coin sizes of the positions held in USD contracts, after their marks moved: size = notional / mark, the
 * conversion the account file's reader makes (io/portfolio.ts), so the sizes equal a from-scratch reading.
 * @param exclusive - no other thread runs these accounts: the sizes in the futures lists are updated too; otherwise
 * (a claim run twice, live/chunk.ts finishClaims) a listed account's list is dropped (−1: listed again when next
 * needed), as only a thread holding the account alone writes a list.
 */
export function refreshUsdSizes(book: BucketBook, markValue: Float64Array, a0: number, a1: number, exclusive = true): void {
  let first = -1;
  let last = -1;
  for (let a = a0; a < a1; a++) {
    if (book.hasUsd[a] !== 1) continue;
    const s = segmentOf(book, a);
    for (let k = s.from; k < s.to; k++) {
      const usd = s.usd[k] as number;
      if (!Number.isNaN(usd)) s.size[k] = usd / (markValue[s.row[k] as number] as number);
    }
    // The account's bump now (plain), its chunk's (atomic) once per chunk after the loop.
    book.accountGeneration[a] = (book.accountGeneration[a] as number) + 1;
    if (first < 0) first = a;
    last = a;
    const listed = book.futures[a] as number;
    if (listed <= 0 || listed > FUTURE_LIST) continue;
    if (!exclusive) {
      book.futures[a] = -1;
      continue;
    }
    const at = a * FUTURE_STRIDE;
    for (let j = 0; j < listed; j++) book.futureList[at + j * FUTURE_FIELDS + FUTURE_SIZE] = s.size[s.from + (book.futureSlot[a * FUTURE_LIST + j] as number)] as number;
  }
  if (first >= 0) for (let c = Math.floor(first / MIRROR_ACCOUNTS); c <= Math.floor(last / MIRROR_ACCOUNTS); c++) Atomics.add(book.generation, c, 1);
}

/** Number of positions of account `a` in the bucket (0: the account has no such bucket). */
export function countIn(book: BucketBook, a: number): number {
  // The Map lookup only when something is detached (it runs per account and per bucket on the tick path).
  if (book.detached.size === 0) return book.len[a] as number;
  return book.detached.get(a)?.row.length ?? (book.len[a] as number);
}

/** The account's positions back as {@link LivePosition}s in canonical order (bucket key, then name), balances left out. */
export function positionsOf(books: readonly BucketBook[], arrays: LiveArrays, a: number, unrealised: (row: number) => { pnl?: number; funding?: number } | undefined): LivePosition[] {
  const out: LivePosition[] = [];
  for (const book of books) {
    const s = segmentOf(book, a);
    for (let k = s.from; k < s.to; k++) {
      const r = s.row[k] as number;
      if (arrays.kind[r] === ROW_BALANCE) continue;
      const avg = s.avg[k] as number;
      const usd = s.usd[k] as number;
      const u = unrealised(r);
      out.push({
        instrument: arrays.instruments[r] as DerivativeInstrument,
        sizeCoin: s.size[k] as number,
        ...(Number.isNaN(usd) ? {} : { notionalUsd: usd }),
        ...(Number.isNaN(avg) ? {} : { averagePrice: avg }),
        ...(u?.pnl !== undefined ? { unrealisedPnlUsdc: u.pnl } : {}),
        ...(u?.funding !== undefined ? { unrealisedFundingUsdc: u.funding } : {}),
      });
    }
  }
  return out;
}

/** Rebuild the books with room for every detached list (the same accounts and entries, new arrays). */
export function compactBooks(books: BucketBook[], accountCount: number): void {
  for (const book of books) {
    if (book.detached.size === 0) continue;
    let total = 0;
    for (let a = 0; a < accountCount; a++) {
      const k = countIn(book, a);
      total += k + slack(k);
    }
    const offsets = new Int32Array(sab((accountCount + 1) * 4));
    const row = new Int32Array(sab(total * 4));
    const size = new Float64Array(sab(total * 8));
    const avg = new Float64Array(sab(total * 8));
    const usd = new Float64Array(sab(total * 8));
    avg.fill(NaN);
    usd.fill(NaN);
    let k = 0;
    for (let a = 0; a < accountCount; a++) {
      offsets[a] = k;
      const s = segmentOf(book, a);
      const n = s.to - s.from;
      for (let i = 0; i < n; i++) {
        row[k + i] = s.row[s.from + i] as number;
        size[k + i] = s.size[s.from + i] as number;
        avg[k + i] = s.avg[s.from + i] as number;
        usd[k + i] = s.usd[s.from + i] as number;
      }
      for (let i = n; i < n + slack(n); i++) row[k + i] = n > 0 ? (row[k] as number) : 0;
      book.len[a] = n;
      k += n + slack(n);
    }
    offsets[accountCount] = k;
    book.offsets = offsets;
    book.row = row;
    book.size = size;
    book.avg = avg;
    book.usd = usd;
    book.stamp = nextStamp();
    book.detached.clear();
  }
}

/** A book given as typed arrays (a bulk load): positions of account a are [offsets[a], offsets[a + 1]). */
export interface BulkPositions {
  readonly accountCount: number;
  readonly offsets: Int32Array;
  /** Risk-array row of each position (rows of the group's arrays). */
  readonly row: Int32Array;
  readonly sizeCoin: Float64Array;
  /** Entry price per position, NaN for none (offset balances are positions of their balance row, NaN). */
  readonly avg: Float64Array;
}

/**
 * Bucket books of a bulk book without an object per position: per account, its positions (and offset balances) sorted
 * by bucket and instrument name, duplicates of an instrument merged (sizes summed, as the portfolio reader merges
 * them; entry prices must agree), then written with the same slack as {@link buildBucketBooks}.
 */
export function buildBucketBooksBulk(arrays: LiveArrays, bulk: BulkPositions): BucketBook[] {
  const keys = bucketKeysOf(arrays);
  const bucketOfRow = new Int32Array(arrays.instruments.length);
  arrays.instruments.forEach((inst, r) => (bucketOfRow[r] = keys.indexOf(bucketKeyOf(inst))));
  const names = arrays.instrumentNames;
  const byName = [...names.keys()].sort((x, y) => ((names[x] as string) < (names[y] as string) ? -1 : (names[x] as string) > (names[y] as string) ? 1 : 0));
  const rank = new Int32Array(names.length);
  byName.forEach((r, k) => (rank[r] = k));
  const n = bulk.accountCount;
  const B = keys.length;
  // Pass 1: per account, the sorted, merged entries; counts per bucket.
  const order = new Int32Array(256);
  const counts = new Int32Array(n * B);
  const tmpRow: number[] = [];
  const tmpSize: number[] = [];
  const tmpAvg: number[] = [];
  const perAccount: { rows: Int32Array; sizes: Float64Array; avgs: Float64Array }[] = new Array(n);
  for (let a = 0; a < n; a++) {
    tmpRow.length = 0;
    tmpSize.length = 0;
    tmpAvg.length = 0;
    for (let k = bulk.offsets[a] as number; k < (bulk.offsets[a + 1] as number); k++) {
      tmpRow.push(bulk.row[k] as number);
      tmpSize.push(bulk.sizeCoin[k] as number);
      tmpAvg.push(bulk.avg[k] as number);
    }
    const m = tmpRow.length;
    const idx = m <= order.length ? order.subarray(0, m) : new Int32Array(m);
    for (let i = 0; i < m; i++) idx[i] = i;
    idx.sort((x, y) => {
      const rx = tmpRow[x] as number;
      const ry = tmpRow[y] as number;
      return (bucketOfRow[rx] as number) - (bucketOfRow[ry] as number) || (rank[rx] as number) - (rank[ry] as number) || x - y;
    });
    const rows: number[] = [];
    const sizes: number[] = [];
    const avgs: number[] = [];
    for (let i = 0; i < m; i++) {
      const j = idx[i] as number;
      const r = tmpRow[j] as number;
      if (rows.length > 0 && rows[rows.length - 1] === r) sizes[sizes.length - 1] = (sizes[sizes.length - 1] as number) + (tmpSize[j] as number);
      else {
        rows.push(r);
        sizes.push(tmpSize[j] as number);
        avgs.push(tmpAvg[j] as number);
        counts[a * B + (bucketOfRow[r] as number)] = (counts[a * B + (bucketOfRow[r] as number)] as number) + 1;
      }
    }
    perAccount[a] = { rows: Int32Array.from(rows), sizes: Float64Array.from(sizes), avgs: Float64Array.from(avgs) };
  }
  // Pass 2: allocate and write each bucket's CSR.
  return keys.map((key, b) => {
    const sample = arrays.instruments.find((i) => bucketKeyOf(i) === key) as DerivativeInstrument;
    let total = 0;
    for (let a = 0; a < n; a++) {
      const c = counts[a * B + b] as number;
      total += c + slack(c);
    }
    const book: BucketBook = {
      key,
      base: sample.base,
      currency: sample.settlementCurrency,
      coinSettled: sample.settlement === "inverse",
      offsets: new Int32Array(sab((n + 1) * 4)),
      len: new Int32Array(sab(n * 4)),
      row: new Int32Array(sab(total * 4)),
      size: new Float64Array(sab(total * 8)),
      avg: new Float64Array(sab(total * 8)),
      usd: new Float64Array(sab(total * 8)),
      hasUsd: new Uint8Array(sab(n)),
      detached: new Map(),
      worst: new Float64Array(sab(n * 8)),
      im: new Float64Array(sab(n * 8)),
      mm: new Float64Array(sab(n * 8)),
      optionValue: new Float64Array(sab(n * 8)),
      futures: new Int8Array(sab(n)).fill(-1),
      futureSlot: new Int16Array(sab(n * FUTURE_LIST * 2)),
      futureList: new Float64Array(sab(n * FUTURE_STRIDE * 8)),
      ...mirrorFields(n),
    };
    book.avg.fill(NaN);
    book.usd.fill(NaN);
    let k = 0;
    for (let a = 0; a < n; a++) {
      book.offsets[a] = k;
      const p = perAccount[a] as { rows: Int32Array; sizes: Float64Array; avgs: Float64Array };
      let w = k;
      for (let i = 0; i < p.rows.length; i++) {
        const r = p.rows[i] as number;
        if (bucketOfRow[r] !== b) continue;
        book.row[w] = r;
        book.size[w] = p.sizes[i] as number;
        book.avg[w] = p.avgs[i] as number;
        w++;
      }
      const c = w - k;
      for (let i = w; i < k + c + slack(c); i++) book.row[i] = c > 0 ? (book.row[k] as number) : 0;
      book.len[a] = c;
      k += c + slack(c);
    }
    book.offsets[n] = k;
    return book;
  });
}
