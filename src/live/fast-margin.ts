/**
 * The live figures of a risk-matrix account, computed from the shared arrays and the bucket books: the same
 * operations as the model and the account layer (models/risk-matrix/bucket.ts, addons.ts, aggregation.ts;
 * account/account.ts, collateral.ts, tiers.ts, valuation.ts), in the same order, so the results are the model's
 * doubles, not an approximation of them (one exception: the roll shock's per-group terms, all ≥ 0, are summed in
 * expiry order where the model takes first-seen name order; a few ulps). The live-equals-batch property test holds
 * them together.
 *
 * Per bucket: worst loss = max(0, −min_j(Σ size·row_j + dampener_j)) (the kernel's form of Deribit's aggregation:
 * a positive standard entry never sets the worst case), roll shock over expiry groups, delta shock, the legacy
 * contingencies, IM and MM. On the tick path the kernel sums the bucket's delta and each expiry group's delta in the
 * same pass as the scenarios (extra columns, group.ts), so no JavaScript loop runs over the positions for the margin.
 * Per account: tiers per bucket, collateral charges, equity.
 * @module
 */
import type { AccountRules } from "../account/rules.js";
import { collateralRuleOf } from "../account/rules.js";
import { applyTiers } from "../account/tiers.js";
import { maintenanceRatioOf } from "../account/health.js";
import type { MarketContext } from "../market/context.js";
import type { DerivativeInstrument } from "../market/types.js";
import { aggregationRuleOf, standardCount } from "../models/risk-matrix/scenario-set.js";
import type { CurrencyParams, PairParams, RiskMatrixParams } from "../models/risk-matrix/params.js";
import { currencyUsdRate, hasUsdRate } from "../risk/marks.js";
import type { LiveArrays } from "./arrays.js";
import { ROW_BALANCE, ROW_OPTION } from "./arrays.js";
import type { BucketBook } from "./book.js";
import { FUTURE_ENTRY, FUTURE_FIELDS, FUTURE_LIST, FUTURE_ROW, FUTURE_SIZE, FUTURE_STRIDE, segmentOf } from "./book.js";

/** What a bucket's margin needs from the market, recomputed when its underlying or currency moves. */
export interface BucketConstants {
  readonly indexUsd: number;
  readonly usdPerUnit: number;
  /** 1 for a coin bucket, the index for a linear one (add-ons are coin amounts × this). */
  readonly unitUsd: number;
  /** Per scenario: 0 on the standard table, the extended dampener on the tail (bucket currency). */
  readonly dampener: Float64Array;
  readonly pair: PairParams;
  readonly ccy: CurrencyParams;
  /**
   * Roll-shock factor of each expiry group of the bucket (every row of a group has the same; null when they differ
   * or no rows were given: then the per-position path, which takes each group's factor from its first position).
   */
  readonly groupFactor: Float64Array | null;
}

const bucketRowsMemo = new WeakMap<BucketBook, { readonly arrays: LiveArrays; readonly rows: Int32Array }>();

/** The rows of the book's bucket (its underlying's rows that settle in its currency, balance row included). */
function bucketRows(arrays: LiveArrays, book: BucketBook): Int32Array {
  const memo = bucketRowsMemo.get(book);
  if (memo !== undefined && memo.arrays === arrays) return memo.rows;
  const rows = Int32Array.from((arrays.rowsOfBase.get(book.base) ?? []).filter((r) => (arrays.instruments[r] as DerivativeInstrument).settlementCurrency === book.currency));
  bucketRowsMemo.set(book, { arrays, rows });
  return rows;
}

/** Roll factor per expiry group of the bucket's rows, or null when two rows of one group disagree. */
function groupFactorsOf(arrays: LiveArrays, book: BucketBook): Float64Array | null {
  const count = arrays.groupCount.get(book.base) ?? 0;
  const factor = new Float64Array(count).fill(NaN);
  for (const r of bucketRows(arrays, book)) {
    const g = arrays.expiryGroup[r] as number;
    const f = arrays.rollFactor[r] as number;
    if (Number.isNaN(factor[g] as number)) factor[g] = f;
    else if (factor[g] !== f) return null;
  }
  // A group without a row in this bucket has a zero delta in every account: its factor only has to be finite.
  for (let g = 0; g < count; g++) if (Number.isNaN(factor[g] as number)) factor[g] = 0;
  return factor;
}

/** Constants of a bucket on `market`; with `arrays` (rows current), also its per-group roll factors. */
export function bucketConstants(params: RiskMatrixParams, book: BucketBook, market: MarketContext, scenarioCount: number, arrays?: LiveArrays): BucketConstants {
  const indexUsd = market.indexUsd(book.base);
  const usdPerUnit = book.coinSettled ? indexUsd : currencyUsdRate(market, book.currency);
  const rule = aggregationRuleOf(params, book.base, book.currency, book.coinSettled, indexUsd, usdPerUnit);
  const pair = params.pairs[book.base];
  const ccy = params.currencies[book.currency];
  if (rule === undefined || pair === undefined || ccy === undefined) throw new Error(`bucket ${book.key} has no parameters (a bug: rows exist only for supported instruments)`);
  const dampener = new Float64Array(scenarioCount);
  const n = standardCount(params);
  for (let j = n; j < scenarioCount; j++) dampener[j] = rule.extendedDampener[j - n] as number;
  return { indexUsd, usdPerUnit, unitUsd: book.coinSettled ? 1 : indexUsd, dampener, pair, ccy, groupFactor: arrays === undefined ? null : groupFactorsOf(arrays, book) };
}

/** Scratch space for the per-account loops (one per group; not re-entrant). */
export interface Scratch {
  vec: Float64Array;
  groupDelta: Float64Array;
  groupFactor: Float64Array;
  groupStamp: Int32Array;
  stamp: number;
}

export function createScratch(scenarioCount: number, maxGroups: number): Scratch {
  return {
    vec: new Float64Array(scenarioCount),
    groupDelta: new Float64Array(maxGroups),
    groupFactor: new Float64Array(maxGroups),
    groupStamp: new Int32Array(maxGroups),
    stamp: 0,
  };
}

/**
 * Worst loss of one account's bucket on the single-account path: the same sums as the kernels (per scenario, the
 * positions in segment order, one rounding per product and per sum), then the dampened minimum.
 */
export function worstOfOne(arrays: LiveArrays, book: BucketBook, a: number, c: BucketConstants, scratch: Scratch): number {
  const S = arrays.scenarioCount;
  const vec = scratch.vec;
  vec.fill(0);
  const s = segmentOf(book, a);
  const data = arrays.data;
  for (let k = s.from; k < s.to; k++) {
    const size = s.size[k] as number;
    const base = (s.row[k] as number) * S;
    for (let j = 0; j < S; j++) vec[j] = (vec[j] as number) + size * (data[base + j] as number);
  }
  let m = 0;
  for (let j = 0; j < S; j++) {
    const v = (vec[j] as number) + (c.dampener[j] as number);
    if (v < m) m = v;
  }
  return 0 - m;
}

/**
 * IM and MM (bucket currency) of account `a`'s bucket from its worst loss (`book.worst[a]`, set by the kernel or
 * {@link worstOfOne}); written to `book.im[a]`, `book.mm[a]`.
 */
export function bucketMargin(arrays: LiveArrays, book: BucketBook, a: number, c: BucketConstants, scratch: Scratch): void {
  const side = book.detached.size > 0 ? book.detached.get(a) : undefined;
  if (side === undefined) {
    const from = book.offsets[a] as number;
    bucketMarginOf(arrays, book, a, c, scratch, book.row, book.size, from, from + (book.len[a] as number));
  } else bucketMarginOf(arrays, book, a, c, scratch, side.row, side.size, 0, side.row.length);
}

function bucketMarginOf(arrays: LiveArrays, book: BucketBook, a: number, c: BucketConstants, scratch: Scratch, rowOf: Int32Array, sizeOf: Float64Array, from: number, to: number): void {
  const params = arrays.params;
  const s = { row: rowOf, size: sizeOf, from, to };
  const stamp = ++scratch.stamp;
  let delta = 0;
  let futLong = 0;
  let futShort = 0;
  const naked = params.contingencies.nakedShortOptionCoin !== undefined ? new Map<string, number>() : undefined;
  // Typed arrays in locals: the loop runs once per position of every re-margined account.
  const { deltaCoin, expiryGroup, rollFactor, kind: kinds, markValue } = arrays;
  let options = 0;
  const { groupStamp, groupDelta, groupFactor } = scratch;
  for (let k = s.from; k < s.to; k++) {
    const r = s.row[k] as number;
    const size = s.size[k] as number;
    const d = size * (deltaCoin[r] as number);
    const g = expiryGroup[r] as number;
    if (groupStamp[g] !== stamp) {
      groupStamp[g] = stamp;
      groupDelta[g] = d;
      groupFactor[g] = rollFactor[r] as number;
    } else groupDelta[g] = (groupDelta[g] as number) + d;
    delta += d;
    const kind = kinds[r];
    if (kind === ROW_OPTION) {
      options += size * (markValue[r] as number);
      if (naked !== undefined) {
        const inst = arrays.instruments[r] as DerivativeInstrument & { expiryMs: number; strikeUsd: number };
        const key = `${inst.expiryMs}:${inst.strikeUsd}`;
        naked.set(key, (naked.get(key) ?? 0) + size);
      }
    } else if (size > 0) futLong += size;
    else futShort -= size;
  }
  // Groups in index (expiry) order into four partial sums (group g into sum g mod 4), as bucketMarginFromSums sums
  // them; the model sums them one by one in first-seen order, which differs only in the rounding of a sum of
  // non-negative terms.
  let r0 = 0;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  for (let g = 0; g < groupStamp.length; g++) {
    if (groupStamp[g] !== stamp) continue;
    const t = Math.abs(groupDelta[g] as number) * (groupFactor[g] as number);
    const j = g & 3;
    if (j === 0) r0 += t;
    else if (j === 1) r1 += t;
    else if (j === 2) r2 += t;
    else r3 += t;
  }
  const roll = r0 + r1 + (r2 + r3);
  book.optionValue[a] = options;
  marginTail(params, book, a, c, delta, roll, futLong, futShort, naked);
}

/** The part of a parameter set a bucket margin's closing arithmetic reads (all a worker thread is sent of it). */
export type MarginParams = Pick<RiskMatrixParams, "margin" | "contingencies">;

/** True when bucket margins can come from the kernel's delta sums (no contingency needs the positions themselves). */
export function marginFromSumsAllowed(params: MarginParams, c: BucketConstants): boolean {
  return c.groupFactor !== null && params.contingencies.nakedShortOptionCoin === undefined && params.contingencies.futures === undefined;
}

/**
 * IM and MM of account `a`'s bucket from the kernel's sums (`sums[at]`: the bucket's coin delta, `sums[at + 1 + g]`:
 * the delta of expiry group g, `sums[at + 1 + groups]`: Σ size × mark over its options), the same numbers as
 * {@link bucketMargin} gives (same sums, groups in the same order). Only where {@link marginFromSumsAllowed}.
 * @param groups - the number of group columns of the kernel (the most expiry groups of an underlying of the group).
 */
export function bucketMarginFromSums(params: MarginParams, book: BucketBook, a: number, c: BucketConstants, sums: Float64Array, at: number, groups: number): void {
  const factor = c.groupFactor as Float64Array;
  // Four partial sums (group g into sum g mod 4), as bucketMargin adds them: one chain of ~13 dependent adds per
  // account and bucket was ~3 % of an all-moving tick. A group without positions adds +0 here and nothing there.
  const n = factor.length;
  const x = at + 1;
  let r0 = 0;
  let r1 = 0;
  let r2 = 0;
  let r3 = 0;
  let g = 0;
  for (; g + 3 < n; g += 4) {
    r0 += Math.abs(sums[x + g] as number) * (factor[g] as number);
    r1 += Math.abs(sums[x + g + 1] as number) * (factor[g + 1] as number);
    r2 += Math.abs(sums[x + g + 2] as number) * (factor[g + 2] as number);
    r3 += Math.abs(sums[x + g + 3] as number) * (factor[g + 3] as number);
  }
  if (g < n) r0 += Math.abs(sums[x + g] as number) * (factor[g] as number);
  if (g + 1 < n) r1 += Math.abs(sums[x + g + 1] as number) * (factor[g + 1] as number);
  if (g + 2 < n) r2 += Math.abs(sums[x + g + 2] as number) * (factor[g + 2] as number);
  const roll = r0 + r1 + (r2 + r3);
  book.optionValue[a] = sums[at + 1 + groups] as number;
  // marginTail's arithmetic without its contingencies (none here: marginFromSumsAllowed), written out: a call with
  // double arguments that V8 does not inline boxes them (two heap numbers per account and bucket on the tick path).
  const delta = sums[at] as number;
  const rollUsd = roll * c.unitUsd;
  const abs = Math.abs(delta);
  const rate = Math.min(c.pair.deltaShockIncrementPerCoin * Math.max(abs - c.pair.deltaShockThresholdUsd / c.indexUsd, 0), c.pair.maxDeltaShockDecimal);
  const deltaShock = abs * rate * c.unitUsd;
  let rmm = 0;
  rmm += book.worst[a] as number;
  rmm += rollUsd;
  rmm += deltaShock;
  rmm += 0;
  if (params.margin.kind === "mm_from_matrix") {
    book.mm[a] = params.margin.mmFactor * rmm;
    book.im[a] = rmm + 0;
  } else {
    book.mm[a] = rmm;
    book.im[a] = params.margin.imFactor * rmm + 0;
  }
}

/**
 * The bucket's risk-matrix margin from its components (models/risk-matrix: worst case, roll, delta, contingencies).
 * bucketMarginFromSums repeats its arithmetic without contingencies: keep the two in step.
 */
function marginTail(params: MarginParams, book: BucketBook, a: number, c: BucketConstants, delta: number, rollCoin: number, futLong: number, futShort: number, naked: Map<string, number> | undefined): void {
  const roll = rollCoin * c.unitUsd;
  const abs = Math.abs(delta);
  const rate = Math.min(c.pair.deltaShockIncrementPerCoin * Math.max(abs - c.pair.deltaShockThresholdUsd / c.indexUsd, 0), c.pair.maxDeltaShockDecimal);
  const deltaShock = abs * rate * c.unitUsd;
  // The model sums its components in insertion order: worstCase, rollShock, deltaShock, correlation (0), then the
  // contingencies its parameter set has.
  let rmm = 0;
  rmm += book.worst[a] as number;
  rmm += roll;
  rmm += deltaShock;
  rmm += 0;
  const cont = params.contingencies;
  if (naked !== undefined) {
    let short = 0;
    for (const q of naked.values()) if (q < 0) short -= q;
    rmm += short * (cont.nakedShortOptionCoin as number) * c.unitUsd;
  }
  if (cont.futures !== undefined) rmm += cont.futures.rateDecimal * (cont.futures.basis === "gross" ? futLong + futShort : Math.min(futLong, futShort)) * c.unitUsd;
  if (params.margin.kind === "mm_from_matrix") {
    book.mm[a] = params.margin.mmFactor * rmm;
    book.im[a] = rmm + 0;
  } else {
    book.mm[a] = rmm;
    book.im[a] = params.margin.imFactor * rmm + 0;
  }
}

/** What the figures loop reads of the rows: their kind and mark (a worker thread gets these two arrays only). */
export type RowKinds = Pick<LiveArrays, "kind" | "markValue">;

/** The headline figures of an account, USD. */
export interface HeadlineFigures {
  readonly equityUsd: number;
  readonly initialMarginUsd: number;
  readonly maintenanceMarginUsd: number;
  readonly availableFundsUsd: number;
  readonly maintenanceRatio: number | null;
  readonly initialMarginRatio: number | null;
}

const ratio = (x: number, equity: number): number | null => (equity > 0 ? x / equity : equity === 0 && x === 0 ? 0 : null);

/** Extra per-position mark-to-market fields of a linear perpetual (USDC), by row. */
export type UnrealisedOf = (row: number) => { readonly pnl?: number; readonly funding?: number } | undefined;

/** Reusable per-group space of {@link accountFigures}: the sorted currency universe and per-currency scratch. */
export interface FigureScratch {
  /** Every currency an account of the group can hold or settle in, sorted (the collateral loop's order). */
  currencies: string[];
  /** Per universe currency: 1 when its balance is an offset position of the group (no haircut). */
  offset: Uint8Array;
  stableIm: Float64Array;
  /**
   * Per universe currency: {@link stableStamp} when a bucket settled in it was seen for the current account (a stamp,
   * not a flag reset per account: clearing the whole array was ~1 % of an all-moving tick).
   */
  stableSeen: Int32Array;
  stableStamp: number;
  present: Int32Array;
  /**
   * The last {@link accountTotals}: equity, IM and MM, USD, at {@link TOTAL_EQUITY}, {@link TOTAL_IM},
   * {@link TOTAL_MM}. A typed array, not number fields: a double stored in an object field can be boxed (a heap
   * number per store when the field's representation is not a double one), which was megabytes of garbage per tick.
   */
  readonly totals: Float64Array;
}

export const TOTAL_EQUITY = 0;
export const TOTAL_IM = 1;
export const TOTAL_MM = 2;

export function createFigureScratch(currencies: Iterable<string>, bucketCount: number, offsets: ReadonlySet<string>): FigureScratch {
  const list = [...new Set(currencies)].sort();
  return {
    currencies: list,
    offset: Uint8Array.from(list, (c) => (offsets.has(c) ? 1 : 0)),
    stableIm: new Float64Array(list.length),
    stableSeen: new Int32Array(list.length),
    stableStamp: 0,
    present: new Int32Array(Math.max(1, bucketCount)),
    totals: new Float64Array(3),
  };
}

/**
 * An account's balances laid over a universe (`out[at + ci]`: the balance in `universe[ci]`, NaN when the account
 * has none), so the figures loop reads numbers, not a record per currency.
 */
export function layBalances(balances: Readonly<Record<string, number>>, universe: readonly string[], out: Float64Array, at: number): void {
  for (let ci = 0; ci < universe.length; ci++) out[at + ci] = balances[universe[ci] as string] ?? NaN;
}

/** Per-currency numbers of one market for the figures loop: USD rate (NaN: no rate) per universe currency and per bucket. */
export interface CurrencyTables {
  readonly rate: Float64Array;
  readonly bucketRate: Float64Array;
}

/** The USD rates of a market for a scratch's universe and a group's buckets (risk/marks.ts currencyUsdRate). */
export function currencyTables(scratch: FigureScratch, books: readonly BucketBook[], market: MarketContext): CurrencyTables {
  return {
    rate: Float64Array.from(scratch.currencies, (c) => (hasUsdRate(market, c) ? currencyUsdRate(market, c) : NaN)),
    bucketRate: Float64Array.from(books, (b) => currencyUsdRate(market, b.currency)),
  };
}

/** A rules set laid out over a universe: collateral rates and pegs per currency. */
interface RulesTable {
  readonly universe: readonly string[];
  readonly imHaircut: Float64Array;
  readonly mmHaircut: Float64Array;
  readonly borrowIm: Float64Array;
  readonly borrowMm: Float64Array;
  /** Peg threshold (NaN: no peg) and loss factor. */
  readonly pegThreshold: Float64Array;
  readonly pegLoss: Float64Array;
}

const rulesTables = new WeakMap<AccountRules, RulesTable>();

/**
 * The cached table of `rules` over `universe`. No closure in here: V8 allocates a function's context on every call
 * when a closure captures its parameters, even on a path that does not create the closure (a context per account of
 * every tick); the building is in {@link buildRulesTable}.
 */
function rulesTable(rules: AccountRules, universe: readonly string[]): RulesTable {
  // The last table first: a book's accounts mostly share one rules object, and a WeakMap lookup per account was
  // ~1 % of a tick's profile.
  if (lastRules === rules && lastTable !== undefined && lastTable.universe === universe) return lastTable;
  const cached = rulesTables.get(rules);
  const table = cached !== undefined && cached.universe === universe ? cached : buildRulesTable(rules, universe);
  lastRules = rules;
  lastTable = table;
  return table;
}

/** The table {@link rulesTable} returned last, and its rules (a memo per thread, like the WeakMap). */
let lastRules: AccountRules | undefined;
let lastTable: RulesTable | undefined;

function buildRulesTable(rules: AccountRules, universe: readonly string[]): RulesTable {
  const rule = (c: string) => collateralRuleOf(rules, c);
  const t: RulesTable = {
    universe,
    imHaircut: Float64Array.from(universe, (c) => rule(c).imHaircutDecimal),
    mmHaircut: Float64Array.from(universe, (c) => rule(c).mmHaircutDecimal),
    borrowIm: Float64Array.from(universe, (c) => rule(c).borrowImDecimal),
    borrowMm: Float64Array.from(universe, (c) => rule(c).borrowMmDecimal),
    pegThreshold: Float64Array.from(universe, (c) => rules.pegs[c]?.thresholdUsd ?? NaN),
    pegLoss: Float64Array.from(universe, (c) => rules.pegs[c]?.lossFactor ?? 0),
  };
  rulesTables.set(rules, t);
  return t;
}

/** Index of each bucket's currency in the scratch's universe (−1 when absent). */
export function bucketCurrencyIndex(scratch: FigureScratch, books: readonly BucketBook[]): Int32Array {
  return Int32Array.from(books, (b) => scratch.currencies.indexOf(b.currency));
}

/**
 * Count account `a`'s futures and perpetuals in `book` (its CSR segment [from, to)), list up to {@link FUTURE_LIST} of
 * them beside the book (slot; row, size and entry price), and store the count (capped at FUTURE_LIST + 1: walk the
 * segment).
 */
function listFutures(book: BucketBook, kinds: Uint8Array, a: number, from: number, to: number): number {
  let count = 0;
  const at = a * FUTURE_LIST;
  const list = book.futureList;
  for (let k = from; k < to; k++) {
    const r = book.row[k] as number;
    const kind = kinds[r];
    if (kind === ROW_OPTION || kind === ROW_BALANCE) continue;
    if (count < FUTURE_LIST && k - from <= 0x7fff) {
      book.futureSlot[at + count] = k - from;
      const x = a * FUTURE_STRIDE + count * FUTURE_FIELDS;
      list[x + FUTURE_ROW] = r;
      list[x + FUTURE_SIZE] = book.size[k] as number;
      list[x + FUTURE_ENTRY] = book.avg[k] as number;
      count++;
    } else {
      count = FUTURE_LIST + 1;
      break;
    }
  }
  book.futures[a] = count;
  return count;
}

/**
 * Headline figures of account `a` from its bucket margins (books' `im`/`mm`), balances and positions, as
 * account/account.ts evaluateAccount computes them: the same operations in the same order (buckets in key order with
 * their tiers; collateral per currency in sorted order; positions in canonical order). See {@link accountTotals}.
 */
export function accountFigures(
  arrays: LiveArrays,
  books: readonly BucketBook[],
  constants: readonly BucketConstants[],
  a: number,
  balances: Float64Array,
  at: number,
  rules: AccountRules,
  unrealised: UnrealisedOf,
  scratch: FigureScratch,
  bucketCurrency: Int32Array,
  tables: CurrencyTables,
): HeadlineFigures {
  accountTotals(arrays, books, constants, a, balances, at, rules, unrealised, scratch, bucketCurrency, tables);
  const equityUsd = scratch.totals[TOTAL_EQUITY] as number;
  const imUsd = scratch.totals[TOTAL_IM] as number;
  const mmUsd = scratch.totals[TOTAL_MM] as number;
  return {
    equityUsd,
    initialMarginUsd: imUsd,
    maintenanceMarginUsd: mmUsd,
    availableFundsUsd: equityUsd - imUsd,
    maintenanceRatio: maintenanceRatioOf(equityUsd, mmUsd),
    initialMarginRatio: ratio(imUsd, equityUsd),
  };
}

/**
 * Equity, IM and MM (USD) of account `a` into `scratch.totals`, allocating nothing (the tick
 * path runs it for every exposed account).
 * @param balances - the group's balance table: the account's balance in universe currency ci at `at + ci`, NaN
 * when it holds none ({@link layBalances}).
 * @param scratch - the group's scratch; its universe must hold every currency of the balances and of the buckets.
 */
export function accountTotals(
  arrays: RowKinds,
  books: readonly BucketBook[],
  constants: readonly BucketConstants[],
  a: number,
  balances: Float64Array,
  at: number,
  rules: AccountRules,
  unrealised: UnrealisedOf,
  scratch: FigureScratch,
  bucketCurrency: Int32Array,
  tables: CurrencyTables,
  exclusive = true,
): void {
  let tieredIm = 0;
  let tieredMm = 0;
  const { stableIm, stableSeen, present } = scratch;
  // A new stamp per call (wrapping long before 2^31: the array is cleared then, so no old entry matches).
  if (scratch.stableStamp >= 0x3fffffff) {
    stableSeen.fill(0);
    scratch.stableStamp = 0;
  }
  const seen = ++scratch.stableStamp;
  let presentCount = 0;
  const tiers = rules.marginTiers;
  for (let b = 0; b < books.length; b++) {
    const book = books[b] as BucketBook;
    const side = book.detached.size > 0 ? book.detached.get(a) : undefined;
    if ((side === undefined ? (book.len[a] as number) : side.row.length) === 0) continue;
    present[presentCount++] = b;
    const c = constants[b] as BucketConstants;
    const imRaw = (book.im[a] as number) * c.usdPerUnit;
    const mmRaw = (book.mm[a] as number) * c.usdPerUnit;
    // applyTiers returns the amount itself without tiers: skip its object on the common path.
    const im = tiers.length === 0 ? imRaw : applyTiers(imRaw, tiers).tieredUsd;
    const mm = tiers.length === 0 ? mmRaw : applyTiers(mmRaw, tiers).tieredUsd;
    tieredIm += im;
    tieredMm += mm;
    const ci = bucketCurrency[b] as number;
    stableIm[ci] = stableSeen[ci] === seen ? (stableIm[ci] as number) + im : 0 + im;
    stableSeen[ci] = seen;
  }
  // Collateral (account/collateral.ts), in sorted currency order over balances ∪ bucket currencies.
  let valueUsd = 0;
  let haircutImUsd = 0;
  let haircutMmUsd = 0;
  let borrowImUsd = 0;
  let borrowMmUsd = 0;
  let depegImUsd = 0;
  const universe = scratch.currencies;
  const rt = rulesTable(rules, universe);
  const rates = tables.rate;
  for (let ci = 0; ci < universe.length; ci++) {
    const held = balances[at + ci] as number;
    const holds = !Number.isNaN(held);
    if (!holds && stableSeen[ci] !== seen) continue;
    const amount = holds ? held : 0;
    const priceUsd = rates[ci] as number;
    if (Number.isNaN(priceUsd)) continue;
    const value = amount * priceUsd;
    const offset = scratch.offset[ci] === 1;
    const positive = Math.max(value, 0);
    const borrowed = Math.max(-value, 0);
    const imHaircut = offset ? 0 : positive * (rt.imHaircut[ci] as number);
    const mmHaircut = offset ? 0 : positive * (rt.mmHaircut[ci] as number);
    const bIm = borrowed * (rt.borrowIm[ci] as number);
    const bMm = borrowed * (rt.borrowMm[ci] as number);
    const threshold = rt.pegThreshold[ci] as number;
    let depeg = 0;
    if (priceUsd < threshold) depeg = (threshold - priceUsd) * (rt.pegLoss[ci] as number) * (positive + (stableSeen[ci] === seen ? (stableIm[ci] as number) : 0));
    if (amount === 0 && depeg === 0) continue;
    valueUsd += value;
    haircutImUsd += imHaircut;
    haircutMmUsd += mmHaircut;
    borrowImUsd += bIm;
    borrowMmUsd += bMm;
    depegImUsd += depeg;
  }
  // Positions by bucket in key order (account/valuation.ts sums them one by one in canonical order): the options'
  // value as the bucket's Σ size × mark (kept with its margin: the kernel sums it on the tick path), then the futures
  // and perpetuals one by one; only accounts holding one in the bucket walk its positions.
  let equityUsd = valueUsd;
  const { kind: kinds, markValue } = arrays;
  for (let p = 0; p < presentCount; p++) {
    const b = present[p] as number;
    const book = books[b] as BucketBook;
    const rate = tables.bucketRate[b] as number;
    equityUsd += (book.optionValue[a] as number) * rate;
    // The list is read and written with plain accesses, so only by a thread that has the account to itself
    // (`exclusive`); a claim run twice (chunk.ts finishClaims: another thread may be listing the same account) walks
    // the positions instead. An Atomics.load per account and bucket cost ~10 ns (not inlined), ~1 % of a tick. A
    // detached account is never listed (−1 since its positions were replaced), so a listed one reads no segment.
    let futures = exclusive ? (book.futures[a] as number) : FUTURE_LIST + 1;
    if (futures < 0) {
      const from = book.offsets[a] as number;
      futures = book.detached.size > 0 && book.detached.has(a) ? FUTURE_LIST + 1 : listFutures(book, kinds, a, from, from + (book.len[a] as number));
    }
    if (futures === 0) continue;
    if (futures <= FUTURE_LIST) {
      // The listed futures, in segment order: the same terms in the same order as the walk below.
      const list = book.futureList;
      for (let j = 0, x = a * FUTURE_STRIDE; j < futures; j++, x += FUTURE_FIELDS) {
        const r = list[x + FUTURE_ROW] as number;
        const size = list[x + FUTURE_SIZE] as number;
        const mark = markValue[r] as number;
        const u = unrealised(r);
        let value = (u?.pnl ?? 0) + (u?.funding ?? 0);
        const entry = list[x + FUTURE_ENTRY] as number;
        if (!Number.isNaN(entry) && entry !== mark) value += book.coinSettled ? size * mark * (1 / entry - 1 / mark) : size * (mark - entry);
        equityUsd += value * rate;
      }
      continue;
    }
    // A detached account's side list (segmentOf's object only then).
    const s = book.detached.size > 0 && book.detached.has(a) ? segmentOf(book, a) : undefined;
    const rows = s?.row ?? book.row;
    const sizes = s?.size ?? book.size;
    const avgs = s?.avg ?? book.avg;
    const from = s?.from ?? (book.offsets[a] as number);
    const to = s?.to ?? from + (book.len[a] as number);
    for (let k = from; k < to; k++) {
      const r = rows[k] as number;
      const kind = kinds[r];
      if (kind === ROW_BALANCE || kind === ROW_OPTION) continue;
      const size = sizes[k] as number;
      const mark = markValue[r] as number;
      const u = unrealised(r);
      let value = (u?.pnl ?? 0) + (u?.funding ?? 0);
      const entry = avgs[k] as number;
      if (!Number.isNaN(entry) && entry !== mark) value += book.coinSettled ? size * mark * (1 / entry - 1 / mark) : size * (mark - entry);
      equityUsd += value * rate;
    }
  }
  const totals = scratch.totals;
  totals[TOTAL_EQUITY] = equityUsd;
  totals[TOTAL_IM] = tieredIm + haircutImUsd + borrowImUsd + depegImUsd;
  totals[TOTAL_MM] = tieredMm + haircutMmUsd + borrowMmUsd;
}
