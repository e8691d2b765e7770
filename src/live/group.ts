/**
 * A risk-matrix group: the accounts that share one risk-matrix parameter set (and the coin-offset switch), their
 * live risk arrays and bucket books, and the incremental re-margin: a moved underlying's rows are rebuilt in place,
 * only its buckets are re-aggregated (WebAssembly SIMD kernel over the bucket's CSR book), and only accounts exposed
 * to a moved currency (a position in its buckets, or a balance in it) get new figures. A fill re-margins its account
 * alone on the single-account path, which gives the kernel's doubles.
 * @module
 */
import type { AccountRules } from "../account/rules.js";
import type { Result } from "../errors.js";
import { fail, issue, ok } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import type { RiskMatrixModel } from "../models/risk-matrix/model.js";
import { worstLossRange } from "../risk/aggregate-ts.js";
import { createWasmAggregator } from "../risk/wasm/kernel.js";
import type { WasmAggregator } from "../risk/wasm/kernel.js";
import type { LiveArrays } from "./arrays.js";
import { createLiveArrays, offsetCurrencies, rebuildRows, ROW_OPTION } from "./arrays.js";
import type { BucketBook, LivePosition } from "./book.js";
import { buildBucketBooks, buildBucketBooksBulk, compactBooks, countIn, entriesByBucket, positionsOf, setAccountEntries } from "./book.js";
import type { BucketConstants, HeadlineFigures, Scratch } from "./fast-margin.js";
import { accountFigures, bucketConstants, layBalances, bucketCurrencyIndex, bucketMargin, createFigureScratch, createScratch, currencyTables, marginFromSumsAllowed, worstOfOne } from "./fast-margin.js";
import type { CurrencyTables, FigureScratch, UnrealisedOf } from "./fast-margin.js";
import { aggregateFused, claimRanges, claimsDone, CONTROL_COUNT, CONTROL_FAILED, createControl, finishClaims, FUSED_CHUNK, remarginRange } from "./chunk.js";
import type { ChunkView, RemarginExecutor, RemarginJob, RemarginSink } from "./chunk.js";
import { USD_PEGGED_CURRENCIES } from "../risk/marks.js";
import type { Listing } from "./market.js";
import { maxOf } from "../math/extent.js";

/** One account as a group holds it. */
export interface GroupAccount {
  readonly rules: AccountRules;
  balances: Record<string, number>;
}

export interface RiskMatrixGroup {
  readonly kind: "risk-matrix";
  model: RiskMatrixModel;
  /** The parameter set the group started on; breaker widenings are applied to it to make each new version. */
  readonly baseParams: RiskMatrixModel["params"];
  /** Active scenario widenings per underlying (circuit breakers with widen_scenarios). */
  readonly widenings: Map<string, { readonly priceRangeFactor: number; readonly volRangeFactor?: number | undefined }>;
  /** Versions published by the group so far (suffix of widened versions). */
  paramsSerial: number;
  readonly offsetAllowed: boolean;
  readonly arrays: LiveArrays;
  readonly books: BucketBook[];
  constants: BucketConstants[];
  readonly accounts: GroupAccount[];
  /** Unrealised USDC fields of linear perpetual positions, by `${local}:${row}`. */
  readonly unrealised: Map<string, { pnl?: number; funding?: number }>;
  /** Currencies whose balances are offset positions (no haircut). */
  offsets: ReadonlySet<string>;
  readonly scratch: Scratch;
  /** Currency universe and per-currency scratch of the account figures; rebuilt when a new currency appears. */
  figureScratch: FigureScratch;
  bucketCurrency: Int32Array;
  /**
   * Every account's balances laid over the figure scratch's universe (account a at a × universe size; NaN: none), on
   * a SharedArrayBuffer; the records in `accounts` stay the source of truth, this is their copy for the tick loop.
   */
  balanceTable: Float64Array;
  /** USD rates of the market the figures were last computed on (rebuilt when the market or the universe changes). */
  tables: { readonly market: MarketContext; readonly scratch: FigureScratch; readonly value: CurrencyTables } | undefined;
  kernel: WasmAggregator | null;
  kernelVersion: number;
  /** The kernel's extra columns per row (see {@link kernelReady}) and its per-chunk output of their sums. */
  extras: Float64Array;
  sums: Float64Array;
  /** The rules every account of the group has, or null when they differ (then no other thread takes part). */
  readonly uniformRules: AccountRules | null;
}

/** Create a group over `accounts` (positions validated against the listing and supported by the model). */
export function createRiskMatrixGroup(
  model: RiskMatrixModel,
  offsetAllowed: boolean,
  listing: Listing,
  market: MarketContext,
  accounts: readonly { rules: AccountRules; positions: readonly LivePosition[]; balances: Readonly<Record<string, number>> }[],
): Result<RiskMatrixGroup> {
  const arrays = createLiveArrays(model.params, listing, market);
  if (!arrays.ok) return arrays;
  const a = arrays.value;
  const offsets = offsetCurrencies(model.params, market, offsetAllowed);
  const books = buildBucketBooks(a, accounts.map((x) => entriesByBucket(a, x.positions, x.balances, offsets)));
  const group = groupOf(model, offsetAllowed, a, books, offsets, market, accounts.map((x) => ({ rules: x.rules, balances: { ...x.balances } })));
  accounts.forEach((x, i) => {
    for (const p of x.positions) {
      if (p.unrealisedPnlUsdc === undefined && p.unrealisedFundingUsdc === undefined) continue;
      group.unrealised.set(`${i}:${a.rowOf.get(p.instrument.name)}`, { ...(p.unrealisedPnlUsdc !== undefined ? { pnl: p.unrealisedPnlUsdc } : {}), ...(p.unrealisedFundingUsdc !== undefined ? { funding: p.unrealisedFundingUsdc } : {}) });
    }
  });
  for (let b = 0; b < books.length; b++) aggregateBook(group, b);
  return ok(group);
}

/** A book given as typed arrays: one model and rules for all, coin sizes, one balance record per account. */
export interface BulkAccounts {
  readonly rules: AccountRules;
  /** Instrument names the positions refer to by index (each listed in the market and supported by the model). */
  readonly instruments: readonly string[];
  readonly offsets: Int32Array;
  readonly instrumentIndex: Int32Array;
  readonly sizeCoin: Float64Array;
  readonly balances: readonly Readonly<Record<string, number>>[];
}

/**
 * A group from a bulk book, without an object per position (a million accounts of 30 positions load in seconds).
 * Futures and perpetuals are entered at the start market's marks, as {@link LivePosition}s without an entry price
 * are. Issues: `unknown_instrument` / `unsupported` for an instrument without a row.
 */
export function createRiskMatrixGroupBulk(model: RiskMatrixModel, listing: Listing, market: MarketContext, bulk: BulkAccounts): Result<RiskMatrixGroup> {
  const arrays = createLiveArrays(model.params, listing, market);
  if (!arrays.ok) return arrays;
  const a = arrays.value;
  const rowOfIndex = new Int32Array(bulk.instruments.length);
  for (let k = 0; k < bulk.instruments.length; k++) {
    const row = a.rowOf.get(bulk.instruments[k] as string);
    if (row === undefined) return fail(issue("unsupported", `instruments[${k}]`, `${bulk.instruments[k]} is not a listed instrument the parameter set margins`));
    rowOfIndex[k] = row;
  }
  const offsetAllowed = bulk.rules.coinCollateralOffset;
  const offsets = offsetCurrencies(model.params, market, offsetAllowed);
  const n = bulk.balances.length;
  // The CSR with each account's offset balances appended as positions of their balance rows.
  let extra = 0;
  for (const bal of bulk.balances) for (const c of offsets) if ((bal[c] ?? 0) !== 0) extra++;
  const total = (bulk.offsets[n] as number) + extra;
  const csr = { accountCount: n, offsets: new Int32Array(n + 1), row: new Int32Array(total), sizeCoin: new Float64Array(total), avg: new Float64Array(total) };
  let w = 0;
  for (let acc = 0; acc < n; acc++) {
    csr.offsets[acc] = w;
    for (let k = bulk.offsets[acc] as number; k < (bulk.offsets[acc + 1] as number); k++) {
      const r = rowOfIndex[bulk.instrumentIndex[k] as number] as number;
      csr.row[w] = r;
      csr.sizeCoin[w] = bulk.sizeCoin[k] as number;
      csr.avg[w] = a.kind[r] === ROW_OPTION ? NaN : (a.markValue[r] as number);
      w++;
    }
    const bal = bulk.balances[acc] as Readonly<Record<string, number>>;
    for (const c of offsets) {
      const amount = bal[c] ?? 0;
      if (amount === 0) continue;
      csr.row[w] = a.balanceRowOf.get(c) as number;
      csr.sizeCoin[w] = amount;
      csr.avg[w] = NaN;
      w++;
    }
  }
  csr.offsets[n] = w;
  const books = buildBucketBooksBulk(a, csr);
  const group = groupOf(model, offsetAllowed, a, books, offsets, market, bulk.balances.map((b) => ({ rules: bulk.rules, balances: { ...b } })));
  for (let b = 0; b < books.length; b++) aggregateBook(group, b);
  return ok(group);
}

/** The balance table of `accounts` over `universe` (see {@link RiskMatrixGroup.balanceTable}). */
function balanceTableOf(accounts: readonly GroupAccount[], universe: readonly string[]): Float64Array {
  const U = universe.length;
  const table = new Float64Array(new SharedArrayBuffer(Math.max(8, accounts.length * U * 8)));
  accounts.forEach((acct, a) => layBalances(acct.balances, universe, table, a * U));
  return table;
}

/** The currencies a group's accounts can hold or settle in: the market's, the USD stablecoins, and their balances'. */
function currencyUniverse(market: MarketContext, books: readonly BucketBook[], accounts: readonly GroupAccount[]): Set<string> {
  const out = new Set<string>([...Object.keys(market.snapshot.indexUsd), ...USD_PEGGED_CURRENCIES, ...books.map((b) => b.currency)]);
  for (const acct of accounts) for (const c in acct.balances) out.add(c);
  return out;
}

function groupOf(model: RiskMatrixModel, offsetAllowed: boolean, a: LiveArrays, books: BucketBook[], offsets: readonly string[], market: MarketContext, accounts: GroupAccount[]): RiskMatrixGroup {
  const maxGroups = Math.max(1, maxOf([...a.groupCount.values()]));
  const offsetSet = new Set(offsets);
  const figureScratch = createFigureScratch(currencyUniverse(market, books, accounts), books.length, offsetSet);
  return {
    figureScratch,
    bucketCurrency: bucketCurrencyIndex(figureScratch, books),
    balanceTable: balanceTableOf(accounts, figureScratch.currencies),
    tables: undefined,
    kind: "risk-matrix",
    model,
    baseParams: model.params,
    widenings: new Map(),
    paramsSerial: 0,
    offsetAllowed,
    arrays: a,
    books,
    constants: books.map((b) => bucketConstants(model.params, b, market, a.scenarioCount, a)),
    accounts,
    unrealised: new Map(),
    offsets: offsetSet,
    scratch: createScratch(a.scenarioCount, maxGroups),
    kernel: null,
    kernelVersion: -1,
    extras: new Float64Array(0),
    sums: new Float64Array(0),
    uniformRules: accounts.every((x) => x.rules === accounts[0]?.rules) ? (accounts[0]?.rules ?? null) : null,
  };
}

/** Group columns of the kernel: the most expiry groups of an underlying. */
const groupColumns = (arrays: LiveArrays): number => Math.max(1, maxOf([...arrays.groupCount.values()]));

/**
 * Re-lay the rows in the kernel's SIMD layout when they were rebuilt since (or create the kernel). Each row carries
 * 2 + G extra columns (G: {@link groupColumns}): its coin delta, its coin delta again in the column of its expiry
 * group (0 elsewhere), and an option's mark (0 for other rows), so the kernel's pass over a bucket also gives each
 * account the bucket's delta, each group's delta and its options' value (bucketMarginFromSums) in the order the
 * per-position loop sums them.
 */
function kernelReady(group: RiskMatrixGroup): void {
  const { arrays } = group;
  if (group.kernelVersion === arrays.version) return;
  const G = groupColumns(arrays);
  const E = 2 + G;
  // The delta-groups layout: each row's delta is in one group column only, so the kernel adds it there alone.
  group.kernel ??= createWasmAggregator(arrays.scenarioCount, E, "delta-groups");
  const rows = arrays.instrumentNames.length;
  // On a SharedArrayBuffer: the helper threads of a re-margin lay their own kernels from it.
  if (group.extras.length !== rows * E) group.extras = new Float64Array(new SharedArrayBuffer(Math.max(8, rows * E * 8)), 0, rows * E);
  const x = group.extras;
  x.fill(0);
  for (let r = 0; r < rows; r++) {
    const d = arrays.deltaCoin[r] as number;
    x[r * E] = d;
    x[r * E + 1 + (arrays.expiryGroup[r] as number)] = d;
    x[r * E + 1 + G] = arrays.kind[r] === ROW_OPTION ? (arrays.markValue[r] as number) : 0;
  }
  if (group.kernel !== null && group.sums.length !== FUSED_CHUNK * group.kernel.extraStride) group.sums = new Float64Array(FUSED_CHUNK * group.kernel.extraStride);
  group.kernel?.loadArrays(arrays.data, rows, x);
  group.kernelVersion = arrays.version;
}

/** Worst losses of accounts [a0, a1) of book `b` (kernel), then IM and MM of each of them holding the bucket. */
function aggregateRange(group: RiskMatrixGroup, b: number, a0: number, a1: number): void {
  const { arrays, kernel } = group;
  const book = group.books[b] as BucketBook;
  const c = group.constants[b] as BucketConstants;
  if (fusedAllowed(group, b)) {
    // The kernel's scenario and delta sums in one pass; per account only the margin's closing arithmetic in JS.
    aggregateFused(arrays.params, kernel as WasmAggregator, book, c, groupColumns(arrays), group.sums, a0, a1);
    return;
  }
  if (kernel !== null) {
    kernel.setDampener(c.dampener);
    kernel.worstLoss(book.offsets, book.row, book.size, a0, a1, book.worst, a0, book.len, book);
  } else {
    worstLossRange(arrays.data, arrays.scenarioCount, book.offsets, book.row, book.size, a0, a1, c.dampener, group.scratch.vec, book.worst, a0);
  }
  if (book.detached.size > 0) {
    for (const a of book.detached.keys()) if (a >= a0 && a < a1) book.worst[a] = worstOfOne(arrays, book, a, c, group.scratch);
    for (let a = a0; a < a1; a++) if (countIn(book, a) > 0) bucketMargin(arrays, book, a, c, group.scratch);
  } else {
    const len = book.len;
    for (let a = a0; a < a1; a++) if ((len[a] as number) > 0) bucketMargin(arrays, book, a, c, group.scratch);
  }
}

/** True when book `b` is aggregated by the fused kernel pass (kernel sums, no detached account, no contingency on positions). */
function fusedAllowed(group: RiskMatrixGroup, b: number): boolean {
  const { kernel } = group;
  return kernel !== null && kernel.extraCount > 0 && (group.books[b] as BucketBook).detached.size === 0 && marginFromSumsAllowed(group.arrays.params, group.constants[b] as BucketConstants);
}

/** Worst losses, IM and MM of every account of book `b`. */
function aggregateBook(group: RiskMatrixGroup, b: number): void {
  kernelReady(group);
  aggregateRange(group, b, 0, group.accounts.length);
}

export type { RemarginSink } from "./chunk.js";

/**
 * Re-margin after a market move: rebuild the rows of `movedBases`, refresh the constants of buckets whose underlying
 * or currency moved, re-aggregate the moved underlyings' buckets, and compute the headline figures of every account
 * exposed to a moved currency (a position in one of its buckets, or a balance in it) into `sink`. Returns how many
 * accounts it re-margined. With an `executor`, other threads take ranges of the per-account pass (live/chunk.ts)
 * where the group allows it (see jobOf); the figures are the same doubles either way.
 */
export function remarginGroup(group: RiskMatrixGroup, market: MarketContext, movedBases: readonly string[], movedCurrencies: readonly string[], sink: RemarginSink, executor?: RemarginExecutor): Result<number> {
  const { arrays } = group;
  const bases = movedBases.filter((b) => arrays.rowsOfBase.has(b));
  if (bases.length > 0) {
    const r = rebuildRows(arrays, bases, market);
    if (!r.ok) return r;
  }
  const moved = new Set(movedCurrencies);
  const n = group.accounts.length;
  // Fills that outgrew their segments left accounts on side lists, which keep the whole book off the fused kernel
  // pass and off other threads: a re-margin first lays the books out again with room for them (one copy of the book).
  if (detachedCount(group) > 0) compactGroup(group);
  const aggregate: number[] = [];
  const refresh: number[] = [];
  const exposedBooks: number[] = [];
  group.books.forEach((book, b) => {
    if (!moved.has(book.base) && !moved.has(book.currency)) return;
    group.constants[b] = bucketConstants(group.model.params, book, market, arrays.scenarioCount, arrays);
    if (bases.includes(book.base)) {
      // Only a book with a position held in USD contracts has sizes to refresh (the pass would otherwise test every
      // account's flag per chunk: ~0.4 ms of an all-moving tick at 100,000 accounts; one builtin scan here instead).
      if (book.coinSettled && book.hasUsd.includes(1)) refresh.push(b);
      aggregate.push(b);
    }
    exposedBooks.push(b);
  });
  // Balances in a moved currency: columns of the balance table (NaN: none).
  const universe = group.figureScratch.currencies;
  const balanceColumns = Int32Array.from(movedCurrencies.map((c) => universe.indexOf(c)).filter((ci) => ci >= 0));
  // Read per account inside the pass (by every thread): no loop over the book here.
  const exposure = { books: Int32Array.from(exposedBooks), balanceColumns };
  if (aggregate.length > 0) kernelReady(group);
  const view = chunkView(group, tablesOf(group, market), aggregate, refresh, exposure, sink);
  const job = executor !== undefined && executor.helpers > 0 ? jobOf(group, view, executor.helpers) : undefined;
  if (job !== undefined) {
    const run = (a0: number, a1: number): number => remarginRange(view, a0, a1);
    // A claim taken over from a helper may still be running there: not exclusive.
    const shared = (a0: number, a1: number): number => remarginRange(view, a0, a1, false);
    const used = executor?.run(
      job,
      () => claimRanges(job, run),
      () => finishClaims(job, shared),
    );
    if (used === true && Atomics.load(job.control, CONTROL_FAILED) === 0 && claimsDone(job)) return ok(Atomics.load(job.control, CONTROL_COUNT));
  }
  // One thread: the whole pass here (also the redo after a helper failed: every write is a pure function of the book;
  // helpers may still be inside claims then, so not exclusive).
  return ok(remarginRange(view, 0, n, job === undefined));
}

/** The chunk view of a group for one re-margin on this thread. */
function chunkView(group: RiskMatrixGroup, tables: CurrencyTables, aggregate: readonly number[], refresh: readonly number[], exposure: ChunkView["exposure"], sink: RemarginSink): ChunkView {
  const uniform = group.uniformRules;
  return {
    rows: group.arrays,
    books: group.books,
    constants: group.constants,
    exposure,
    refresh,
    balanceTable: group.balanceTable,
    figureScratch: group.figureScratch,
    bucketCurrency: group.bucketCurrency,
    tables,
    sink,
    aggregate,
    rulesAt: uniform !== null ? () => uniform : (a) => (group.accounts[a] as GroupAccount).rules,
    unrealisedAt: (a) => unrealisedOf(group, a),
    aggregateRange: (b, a0, a1) => aggregateRange(group, b, a0, a1),
  };
}

/**
 * Accounts per claim of a pass shared between threads: small enough that a thread slowed by a busy core leaves the
 * rest to the others, large enough that claiming (one atomic add) and the kernel's per-call set-up stay negligible.
 */
const CLAIM_ACCOUNTS = 1024;

/**
 * The pass as a job other threads can take part in, or undefined when it must run here: fewer than two claims, an
 * account with its own rules or unrealised P&L fields, a detached account (none after the compaction that starts a
 * re-margin), a bucket the fused kernel pass does not margin, or output arrays not on SharedArrayBuffers.
 */
function jobOf(group: RiskMatrixGroup, view: ChunkView, helpers: number): RemarginJob | undefined {
  const n = group.accounts.length;
  const { kernel, arrays } = group;
  const { sink } = view;
  if (helpers < 1 || n < 2 * CLAIM_ACCOUNTS || kernel === null || group.uniformRules === null || group.unrealised.size > 0) return undefined;
  if (group.books.some((book) => book.detached.size > 0) || view.aggregate.some((b) => !fusedAllowed(group, b))) return undefined;
  const held = sink.held === undefined ? [] : [sink.held.equityUsd, sink.held.imUsd, sink.held.mmUsd, sink.held.health, sink.held.staleShown, sink.held.liquidationOpen];
  const sharedOut = [sink.touched, sink.equityUsd, sink.initialMarginUsd, sink.maintenanceMarginUsd, sink.global, group.balanceTable, group.extras, ...held];
  if (!sharedOut.every((x) => ArrayBuffer.isView(x) && x.buffer instanceof SharedArrayBuffer)) return undefined;
  const claims = Math.ceil(n / CLAIM_ACCOUNTS);
  return {
    ...createControl(claims),
    accountCount: n,
    claimAccounts: CLAIM_ACCOUNTS,
    claims,
    kernel: { data: arrays.data, extras: group.extras, rowCount: arrays.instrumentNames.length, scenarioCount: arrays.scenarioCount, extraCount: kernel.extraCount, layout: kernel.layout, version: group.kernelVersion },
    groupColumns: groupColumns(arrays),
    params: { margin: arrays.params.margin, contingencies: arrays.params.contingencies },
    rows: { kind: arrays.kind, markValue: arrays.markValue },
    books: group.books,
    constants: group.constants,
    aggregate: view.aggregate,
    refresh: view.refresh,
    exposure: view.exposure,
    balanceTable: group.balanceTable,
    figureScratch: group.figureScratch,
    bucketCurrency: group.bucketCurrency,
    tables: view.tables,
    rules: group.uniformRules,
    sink,
  };
}

/** Replace an account's positions and balances and re-margin it alone (its buckets on the single-account path). */
export function setGroupAccount(group: RiskMatrixGroup, a: number, positions: readonly LivePosition[], balances: Readonly<Record<string, number>>): void {
  const { arrays } = group;
  setGroupBalances(group, a, balances);
  for (const key of [...group.unrealised.keys()]) if (key.startsWith(`${a}:`)) group.unrealised.delete(key);
  for (const p of positions) {
    if (p.unrealisedPnlUsdc === undefined && p.unrealisedFundingUsdc === undefined) continue;
    group.unrealised.set(`${a}:${arrays.rowOf.get(p.instrument.name)}`, { ...(p.unrealisedPnlUsdc !== undefined ? { pnl: p.unrealisedPnlUsdc } : {}), ...(p.unrealisedFundingUsdc !== undefined ? { funding: p.unrealisedFundingUsdc } : {}) });
  }
  setAccountEntries(group.books, a, entriesByBucket(arrays, positions, balances, [...group.offsets]));
  remarginGroupAccount(group, a);
}

/** Account `a`'s balances: its record and its row of the balance table (a new currency widens the universe). */
export function setGroupBalances(group: RiskMatrixGroup, a: number, balances: Readonly<Record<string, number>>): void {
  const acct = group.accounts[a] as GroupAccount;
  acct.balances = { ...balances };
  if (Object.keys(balances).some((c) => !group.figureScratch.currencies.includes(c))) {
    group.figureScratch = createFigureScratch([...group.figureScratch.currencies, ...Object.keys(balances)], group.books.length, group.offsets);
    group.bucketCurrency = bucketCurrencyIndex(group.figureScratch, group.books);
    group.balanceTable = balanceTableOf(group.accounts, group.figureScratch.currencies);
  } else {
    const U = group.figureScratch.currencies.length;
    layBalances(acct.balances, group.figureScratch.currencies, group.balanceTable, a * U);
  }
}

/** Account `a`'s bucket margins again on the single-account path, after its entries changed. */
export function remarginGroupAccount(group: RiskMatrixGroup, a: number): void {
  const { arrays } = group;
  group.books.forEach((book, b) => {
    if (countIn(book, a) === 0) return;
    const c = group.constants[b] as BucketConstants;
    book.worst[a] = worstOfOne(arrays, book, a, c, group.scratch);
    bucketMargin(arrays, book, a, c, group.scratch);
  });
}

/** Detached account buckets over all books (a compaction is due when this grows). */
export function detachedCount(group: RiskMatrixGroup): number {
  let n = 0;
  for (const b of group.books) n += b.detached.size;
  return n;
}

/** Rebuild the books with room for every detached account (same figures; the kernel path again for them). */
export function compactGroup(group: RiskMatrixGroup): void {
  compactBooks(group.books, group.accounts.length);
}

const NONE = (): undefined => undefined;
// Unrealised USDC fields are rare (a loaded linear perpetual whose P&L could not become an entry price): skip the
// per-position lookup when no account of the group has one.
// The closure is made in its own function: one capturing `group` and `a` here would make V8 allocate a context on every
// call, on the common path too (per account of every tick).
const unrealisedOf = (group: RiskMatrixGroup, a: number): UnrealisedOf => (group.unrealised.size === 0 ? NONE : unrealisedLookup(group.unrealised, a));
const unrealisedLookup = (fields: RiskMatrixGroup["unrealised"], a: number): UnrealisedOf => (row: number) => fields.get(`${a}:${row}`);

/** Headline figures of local account `a` (bucket margins must be current). */
export function groupFigures(group: RiskMatrixGroup, a: number, market: MarketContext): HeadlineFigures {
  const acct = group.accounts[a] as GroupAccount;
  return accountFigures(group.arrays, group.books, group.constants, a, group.balanceTable, a * group.figureScratch.currencies.length, acct.rules, unrealisedOf(group, a), group.figureScratch, group.bucketCurrency, tablesOf(group, market));
}

/** The USD rates of `market` for the group's universe and buckets (kept until the market or the universe changes). */
function tablesOf(group: RiskMatrixGroup, market: MarketContext): CurrencyTables {
  let t = group.tables;
  if (t === undefined || t.market !== market || t.scratch !== group.figureScratch) {
    t = { market, scratch: group.figureScratch, value: currencyTables(group.figureScratch, group.books, market) };
    group.tables = t;
  }
  return t.value;
}

/** The positions of local account `a` in canonical order (bucket key, then name). */
export function groupPositions(group: RiskMatrixGroup, a: number): LivePosition[] {
  return positionsOf(group.books, group.arrays, a, unrealisedOf(group, a));
}

/** The underlyings and currencies local account `a` is exposed to. */
export function groupExposure(group: RiskMatrixGroup, a: number): Set<string> {
  const out = new Set<string>(Object.keys((group.accounts[a] as GroupAccount).balances));
  for (const book of group.books) {
    if (countIn(book, a) === 0) continue;
    out.add(book.base);
    out.add(book.currency);
  }
  return out;
}
