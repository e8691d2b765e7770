/**
 * The per-account pass of a re-margin (live/group.ts remarginGroup) over a range of accounts, and the job that lets
 * other threads take ranges of it. The pass reads the group's typed arrays (books, rows, balance table: all on
 * SharedArrayBuffers) and writes each account's bucket margins and figures into shared outputs; every account is
 * computed by the same code whichever thread takes it, so the figures do not depend on the thread count or the split.
 *
 * A {@link RemarginJob} is plain data (typed arrays on SharedArrayBuffers, numbers, small records): posted to a worker
 * thread it is shared, not copied; {@link viewOfJob} turns it back into a {@link ChunkView} there. Ranges are claimed
 * from a shared counter ({@link claimRanges}), so a thread that gets less of a core (a shared machine) takes fewer of
 * them. The threads themselves are an adapter's (a {@link RemarginExecutor}); this module starts none.
 * @module
 */
import type { AccountRules } from "../account/rules.js";
import { createWasmAggregator } from "../risk/wasm/kernel.js";
import type { ExtrasLayout, WasmAggregator } from "../risk/wasm/kernel.js";
import type { BucketBook } from "./book.js";
import { countIn, refreshUsdSizes } from "./book.js";
import { accountTotals, bucketMarginFromSums, TOTAL_EQUITY, TOTAL_IM, TOTAL_MM } from "./fast-margin.js";
import { LIQUIDATION_INDEX, rawHealthIndex } from "./health.js";
import type { BucketConstants, CurrencyTables, FigureScratch, MarginParams, RowKinds, UnrealisedOf } from "./fast-margin.js";

/**
 * Accounts per chunk of the fused pass: the kernel, the bucket margins and the figures of a chunk's accounts run one
 * after the other while the chunk's outputs are still in the core's caches, instead of three passes over the whole
 * book from memory. 1,024 (a claim, group.ts CLAIM_ACCOUNTS; the chunk's book ~12 bytes × 33 slots × 1,024 ≈ 400 KB
 * per bucket) measured 2–4 % less CPU per all-moving tick at 100,000 accounts than 512 (bench/live-pair.js, three runs:
 * the per-chunk work per bucket, a kernel call and its copies, is halved; the figures read the book only for
 * unlisted futures), 2,048 no better than 1,024, 256 worse than 512.
 */
export const FUSED_CHUNK = 1024;

/**
 * Where a re-margin writes, by global account index: figures and a touched mark. The arrays belong to the caller and
 * are reused from input to input (only the touched entries are written); on SharedArrayBuffers when a
 * {@link RemarginExecutor} takes part.
 */
export interface RemarginSink {
  /** Global index of each local account of the group. */
  readonly global: ArrayLike<number>;
  readonly touched: Uint8Array;
  readonly equityUsd: Float64Array;
  readonly initialMarginUsd: Float64Array;
  readonly maintenanceMarginUsd: Float64Array;
  /**
   * The figures, health states and stale flags the core holds (by global index), given when no circuit breaker is in
   * force: the pass then settles the hand-off of an account whose raw health state is the one it holds (below
   * liquidation, or in it with the episode's trigger already out) and not flagged stale (state.ts takeFigures has nothing to do for it but take the numbers), and marks
   * it {@link HANDED_CHANGED} or {@link HANDED_SAME}; the calling thread then only copies the figures of the first.
   * Read, never written, by the pass: a claim run twice (finishClaims) marks the same.
   */
  readonly held?: HeldFigures;
}

/** What the core holds per account (state.ts CoreState), on SharedArrayBuffers when helpers read it. */
export interface HeldFigures {
  readonly equityUsd: Float64Array;
  readonly imUsd: Float64Array;
  readonly mmUsd: Float64Array;
  readonly health: Uint8Array;
  readonly staleShown: Uint8Array;
  /** 1 when the account's liquidation trigger was emitted for its current episode (state.ts maybeLiquidate). */
  readonly liquidationOpen: Uint8Array;
}

/** Touched marks of a re-margin (sink.touched): re-margined, its hand-off left to the calling thread. */
export const TOUCHED = 1;
/** Re-margined, hand-off settled by the pass: same health state, figures changed (to be copied and reported). */
export const HANDED_CHANGED = 3;
/** Re-margined, hand-off settled by the pass: same health state, the very same figures (nothing to do). */
export const HANDED_SAME = 4;

/** The buckets and balance columns (universe currencies) whose holders a re-margin concerns. */
export interface Exposure {
  readonly books: Int32Array;
  readonly balanceColumns: Int32Array;
}

/** What the pass reads and writes of a group, for one re-margin. */
export interface ChunkView {
  readonly rows: RowKinds;
  readonly books: readonly BucketBook[];
  readonly constants: readonly BucketConstants[];
  /**
   * Which accounts the re-margin concerns: those holding a position in one of `books` (the buckets of a moved
   * underlying or currency) or a balance in one of the universe currencies `balanceColumns`.
   */
  readonly exposure: Exposure;
  /** Coin-settled buckets among `aggregate` whose USD-contract sizes follow the moved mark (refreshed per range). */
  readonly refresh: readonly number[];
  readonly balanceTable: Float64Array;
  /** This thread's scratch (its universe orders the balance table's columns). */
  readonly figureScratch: FigureScratch;
  readonly bucketCurrency: Int32Array;
  readonly tables: CurrencyTables;
  readonly sink: RemarginSink;
  /** Buckets whose worst losses and margins are recomputed (their underlying moved). */
  readonly aggregate: readonly number[];
  rulesAt(a: number): AccountRules;
  unrealisedAt(a: number): UnrealisedOf;
  /** Worst losses and bucket margins of accounts [a0, a1) of book `b`. */
  aggregateRange(b: number, a0: number, a1: number): void;
}

/**
 * Re-margin accounts [a0, a1): aggregation of the moved buckets, then the figures of the exposed accounts.
 * @param exclusive - no other thread can be running the same accounts (a claim taken from the job's counter, or a pass
 * without helpers); false for a claim taken over by {@link finishClaims} (see fast-margin.ts accountTotals).
 */
export function remarginRange(v: ChunkView, a0: number, a1: number, exclusive = true): number {
  const { exposure, sink, books, constants, balanceTable, figureScratch: scratch, bucketCurrency, tables } = v;
  const { global, touched, equityUsd, initialMarginUsd, maintenanceMarginUsd, held } = sink;
  const U = scratch.currencies.length;
  const { books: exposedBooks, balanceColumns: columns } = exposure;
  let count = 0;
  for (let c0 = a0; c0 < a1; c0 += FUSED_CHUNK) {
    const c1 = Math.min(a1, c0 + FUSED_CHUNK);
    for (const b of v.refresh) refreshUsdSizes(books[b] as BucketBook, v.rows.markValue, c0, c1, exclusive);
    for (const b of v.aggregate) v.aggregateRange(b, c0, c1);
    for (let a = c0; a < c1; a++) {
      if (!exposed(books, exposedBooks, balanceTable, columns, a, a * U)) continue;
      const rules = v.rulesAt(a);
      accountTotals(v.rows, books, constants, a, balanceTable, a * U, rules, v.unrealisedAt(a), scratch, bucketCurrency, tables, exclusive);
      const i = global[a] as number;
      const totals = scratch.totals;
      equityUsd[i] = totals[TOTAL_EQUITY] as number;
      initialMarginUsd[i] = totals[TOTAL_IM] as number;
      maintenanceMarginUsd[i] = totals[TOTAL_MM] as number;
      touched[i] = held === undefined ? TOUCHED : handOff(held, i, totals, rules);
      count++;
    }
  }
  return count;
}

/**
 * The touched mark of global account `i` with its new figures (`totals`, FigureScratch.totals): {@link HANDED_CHANGED}
 * / {@link HANDED_SAME} when the hand-off to its health state has nothing to decide (state.ts takeFigures' first case,
 * with no breaker in force: the raw state is the one held, below liquidation or with its trigger out, no stale flag
 * shown), else
 * {@link TOUCHED}. The figures come in a typed array, not as arguments: V8 boxes the double arguments of a call it
 * does not inline (three heap numbers per account of every tick).
 */
function handOff(held: HeldFigures, i: number, totals: Float64Array, rules: AccountRules): number {
  const e = totals[TOTAL_EQUITY] as number;
  const im = totals[TOTAL_IM] as number;
  const mm = totals[TOTAL_MM] as number;
  const h = held.health[i] as number;
  if (held.staleShown[i] !== 0 || rawHealthIndex(e, mm, rules.health) !== h) return TOUCHED;
  // In liquidation (or bankrupt) and staying there: nothing to decide once the episode's trigger is out (takeFigures
  // then only asks maybeLiquidate, which has nothing to emit); without it, the calling thread emits the trigger.
  if (h >= LIQUIDATION_INDEX && held.liquidationOpen[i] !== 1) return TOUCHED;
  return sameDouble(held.equityUsd[i] as number, e) && sameDouble(held.imUsd[i] as number, im) && sameDouble(held.mmUsd[i] as number, mm) ? HANDED_SAME : HANDED_CHANGED;
}

/** Object.is for two numbers, as plain comparisons (inlined; the builtin call boxes its double arguments). */
export function sameDouble(x: number, y: number): boolean {
  return x === y ? x !== 0 || 1 / x === 1 / y : Number.isNaN(x) && Number.isNaN(y);
}

/**
 * True when account `a` holds a position in one of `exposedBooks` or a balance in one of `columns` (countIn: a
 * detached account's side list would count too, though a re-margin compacts the books before its pass).
 */
function exposed(books: readonly BucketBook[], exposedBooks: Int32Array, balanceTable: Float64Array, columns: Int32Array, a: number, at: number): boolean {
  for (let k = 0; k < exposedBooks.length; k++) if (countIn(books[exposedBooks[k] as number] as BucketBook, a) > 0) return true;
  for (let k = 0; k < columns.length; k++) if (!Number.isNaN(balanceTable[at + (columns[k] as number)] as number)) return true;
  return false;
}

/**
 * Worst losses of accounts [a0, a1) of `book` and their bucket margins from the kernel's sums, in one pass per
 * {@link FUSED_CHUNK} (only where marginFromSumsAllowed and the book has no detached account).
 * @param groups - the kernel's expiry-group columns; `sums`: scratch of FUSED_CHUNK × kernel.extraStride.
 */
export function aggregateFused(params: MarginParams, kernel: WasmAggregator, book: BucketBook, c: BucketConstants, groups: number, sums: Float64Array, a0: number, a1: number): void {
  kernel.setDampener(c.dampener);
  const stride = kernel.extraStride;
  const len = book.len;
  for (let s0 = a0; s0 < a1; s0 += FUSED_CHUNK) {
    const s1 = Math.min(a1, s0 + FUSED_CHUNK);
    // book.len: a segment's spare capacity (zero sizes, which add nothing) is not walked; `book` as the mirror source:
    // a chunk unchanged since this thread's kernel last read it is not copied again (risk/wasm/mirror.ts).
    kernel.worstLossExtras(book.offsets, book.row, book.size, s0, s1, book.worst, s0, sums, 0, book.len, book);
    for (let a = s0; a < s1; a++) if ((len[a] as number) > 0) bucketMarginFromSums(params, book, a, c, sums, (a - s0) * stride, groups);
  }
}

/** Control words of a job (an Int32Array on a SharedArrayBuffer). */
export const CONTROL_NEXT = 0;
/** Helpers inside a claim (or about to take one): the next input waits until it is 0 ({@link RemarginExecutor.settle}). */
export const CONTROL_ACTIVE = 1;
export const CONTROL_COUNT = 2;
/** Set to 1 by a thread whose claim threw: the caller then redoes the whole pass itself. */
export const CONTROL_FAILED = 3;
/** Claims finished by helper threads (a pool's statistics: how much of the pass the other threads took). */
export const CONTROL_HELPED = 4;
const CONTROL_WORDS = 5;

/** Claim states: free, running on a helper, done (by whoever finished first: the same doubles either way). */
export const CLAIM_FREE = 0;
export const CLAIM_HELPER = 1;
export const CLAIM_DONE = 2;

/** The kernel's rows as a job carries them: a worker re-lays them for its own kernel when `version` changes. */
export interface KernelRows {
  readonly data: Float64Array;
  readonly extras: Float64Array;
  readonly rowCount: number;
  readonly scenarioCount: number;
  readonly extraCount: number;
  readonly layout: ExtrasLayout;
  readonly version: number;
}

/** One re-margin's pass as data another thread can run (see the module comment). */
export interface RemarginJob {
  readonly control: Int32Array;
  /** Per claim: free, running on a helper, done (SharedArrayBuffer). */
  readonly claimState: Int32Array;
  readonly accountCount: number;
  readonly claimAccounts: number;
  readonly claims: number;
  readonly kernel: KernelRows;
  readonly groupColumns: number;
  readonly params: MarginParams;
  readonly rows: RowKinds;
  /** The group's books (no detached account: a job is made only then). */
  readonly books: readonly BucketBook[];
  readonly constants: readonly BucketConstants[];
  readonly aggregate: readonly number[];
  readonly refresh: readonly number[];
  readonly exposure: Exposure;
  readonly balanceTable: Float64Array;
  /** A copy becomes the worker's own scratch. */
  readonly figureScratch: FigureScratch;
  readonly bucketCurrency: Int32Array;
  readonly tables: CurrencyTables;
  /** Every account of the group has these rules (a job is made only then). */
  readonly rules: AccountRules;
  readonly sink: RemarginSink;
}

/**
 * Runs a job's claims on other threads while the caller runs its own: an adapter over worker threads
 * (cluster/live-pool.ts) or, in tests, in the same thread. Optional: without one the pass runs on the caller alone.
 */
export interface RemarginExecutor {
  /** Threads that take claims besides the caller. */
  readonly helpers: number;
  /**
   * Hand `job` to the helpers and call `local` (the caller's claims, until none is left); then, when helpers still
   * hold claims, wait for them a little and call `finish` (the caller redoes every claim not done yet: a helper
   * descheduled on a busy machine does not hold the input up). Returns false when the helpers could not be used
   * (the caller then redoes the pass itself).
   */
  run(job: RemarginJob, local: () => void, finish: () => void): boolean;
  /**
   * Wait until no helper is inside a claim of an earlier job (one overtaken by `finish` may still be writing the
   * same doubles): the core calls it before every input, since an input may change the book.
   */
  settle(): void;
}

/** A fresh control block and claim states for a job of `claims` claims (SharedArrayBuffers). */
export function createControl(claims: number): { control: Int32Array; claimState: Int32Array } {
  return { control: new Int32Array(new SharedArrayBuffer(CONTROL_WORDS * 4)), claimState: new Int32Array(new SharedArrayBuffer(Math.max(4, claims * 4))) };
}

type ClaimJob = Pick<RemarginJob, "control" | "claimState" | "accountCount" | "claimAccounts" | "claims">;

const rangeOf = (job: ClaimJob, k: number): [number, number] => [k * job.claimAccounts, Math.min(job.accountCount, (k + 1) * job.claimAccounts)];

/** The caller's claims: taken from the job's counter until none is left, each run and marked done. */
export function claimRanges(job: ClaimJob, run: (a0: number, a1: number) => number): void {
  const ctl = job.control;
  for (;;) {
    const k = Atomics.add(ctl, CONTROL_NEXT, 1);
    if (k >= job.claims) return;
    const [a0, a1] = rangeOf(job, k);
    Atomics.add(ctl, CONTROL_COUNT, run(a0, a1));
    Atomics.store(job.claimState, k, CLAIM_DONE);
  }
}

/**
 * The caller, after its own claims: every claim a helper has not finished, run here (the helper, if it finishes
 * too, writes the same doubles; whoever marks the claim done first counts its accounts).
 */
export function finishClaims(job: ClaimJob, run: (a0: number, a1: number) => number): void {
  Atomics.store(job.control, CONTROL_NEXT, job.claims);
  for (let k = 0; k < job.claims; k++) {
    if (Atomics.load(job.claimState, k) === CLAIM_DONE) continue;
    const [a0, a1] = rangeOf(job, k);
    const count = run(a0, a1);
    let prev = Atomics.compareExchange(job.claimState, k, CLAIM_FREE, CLAIM_DONE);
    if (prev === CLAIM_HELPER) prev = Atomics.compareExchange(job.claimState, k, CLAIM_HELPER, CLAIM_DONE) === CLAIM_HELPER ? CLAIM_FREE : CLAIM_DONE;
    if (prev === CLAIM_FREE) Atomics.add(job.control, CONTROL_COUNT, count);
  }
}

/** True when every claim of the job is done. */
export function claimsDone(job: ClaimJob): boolean {
  for (let k = 0; k < job.claims; k++) if (Atomics.load(job.claimState, k) !== CLAIM_DONE) return false;
  return true;
}

/**
 * A helper's claims: taken from the job's counter until none is left. A claim the caller already took over is
 * skipped; one that throws sets CONTROL_FAILED and ends this helper's claiming. CONTROL_ACTIVE counts the helper
 * in from before it claims until after its last write.
 */
export function helperClaims(job: ClaimJob, run: (a0: number, a1: number) => number): void {
  const ctl = job.control;
  for (;;) {
    Atomics.add(ctl, CONTROL_ACTIVE, 1);
    try {
      if (Atomics.load(ctl, CONTROL_FAILED) !== 0) return;
      const k = Atomics.add(ctl, CONTROL_NEXT, 1);
      if (k >= job.claims) return;
      if (Atomics.compareExchange(job.claimState, k, CLAIM_FREE, CLAIM_HELPER) !== CLAIM_FREE) continue;
      const [a0, a1] = rangeOf(job, k);
      let count: number;
      try {
        count = run(a0, a1);
      } catch {
        Atomics.store(ctl, CONTROL_FAILED, 1);
        return;
      }
      if (Atomics.compareExchange(job.claimState, k, CLAIM_HELPER, CLAIM_DONE) === CLAIM_HELPER) {
        Atomics.add(ctl, CONTROL_COUNT, count);
        Atomics.add(ctl, CONTROL_HELPED, 1);
      }
    } finally {
      Atomics.sub(ctl, CONTROL_ACTIVE, 1);
      Atomics.notify(ctl, CONTROL_ACTIVE);
    }
  }
}

/** A helper thread's kernel, kept from job to job: re-laid when the rows' version (or the arrays) change. */
export interface HelperKernel {
  kernel: WasmAggregator | null;
  /** Key of the rows last loaded (arrays identity given by the adapter, and version). */
  loaded: string;
  sums: Float64Array;
}

export function createHelperKernel(): HelperKernel {
  return { kernel: null, loaded: "", sums: new Float64Array(0) };
}

const noUnrealised: UnrealisedOf = () => undefined;

/**
 * Run a job's claims on this thread (a helper: a worker thread, or the in-thread executor of the tests).
 * @param arraysKey - identifies the job's arrays across jobs (the adapter's: a posted SharedArrayBuffer is a new
 * object on every message).
 */
export function runHelper(job: RemarginJob, arraysKey: string, cache: HelperKernel): void {
  const k = job.kernel;
  const key = `${arraysKey}:${k.version}:${k.scenarioCount}:${k.extraCount}:${k.layout}`;
  let view: ChunkView | undefined;
  helperClaims(job, (a0, a1) => {
    if (job.aggregate.length > 0 && cache.loaded !== key) {
      // Loaded only once a claim is held: the caller is then waiting, so the rows cannot change under the copy.
      if (cache.kernel === null || cache.kernel.scenarioCount !== k.scenarioCount || cache.kernel.extraCount !== k.extraCount || cache.kernel.layout !== k.layout) cache.kernel = createWasmAggregator(k.scenarioCount, k.extraCount, k.layout);
      if (cache.kernel === null) throw new Error("no WebAssembly SIMD kernel in this thread");
      cache.kernel.loadArrays(k.data, k.rowCount, k.extras);
      cache.loaded = key;
    }
    const kernel = cache.kernel;
    if (kernel !== null && cache.sums.length < FUSED_CHUNK * kernel.extraStride) cache.sums = new Float64Array(FUSED_CHUNK * kernel.extraStride);
    view ??= viewOfJob(job, kernel, cache.sums);
    return remarginRange(view, a0, a1);
  });
}

/** The chunk view of a job on a helper thread (its kernel and sums scratch). */
export function viewOfJob(job: RemarginJob, kernel: WasmAggregator | null, sums: Float64Array): ChunkView {
  const { params, books, constants, groupColumns, rules } = job;
  return {
    rows: job.rows,
    books,
    constants,
    exposure: job.exposure,
    refresh: job.refresh,
    balanceTable: job.balanceTable,
    figureScratch: job.figureScratch,
    bucketCurrency: job.bucketCurrency,
    tables: job.tables,
    sink: job.sink,
    aggregate: job.aggregate,
    rulesAt: () => rules,
    unrealisedAt: () => noUnrealised,
    aggregateRange: (b, a0, a1) => {
      if (kernel === null) throw new Error("a job with buckets to aggregate reached a helper without its kernel");
      aggregateFused(params, kernel, books[b] as BucketBook, constants[b] as BucketConstants, groupColumns, sums, a0, a1);
    },
  };
}
