/**
 * The live figures of a risk-matrix account, computed from the shared arrays and the bucket books: the same
 * operations as the model and the account layer (models/risk-matrix/bucket.ts, addons.ts, aggregation.ts;
 * account/account.ts, collateral.ts, tiers.ts, valuation.ts), in the same order, so the results are the model's
 * doubles, not an approximation of them. The live-equals-batch property test holds them together.
 *
 * Per bucket: worst loss = max(0, −min_j(Σ size·row_j + dampener_j)) (the kernel's form of Deribit's aggregation:
 * a positive standard entry never sets the worst case), roll shock over expiry groups in first-seen name order, delta
 * shock, the legacy contingencies, IM and MM. Per account: tiers per bucket, collateral charges, equity.
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
import { segmentOf } from "./book.js";

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
}

export function bucketConstants(params: RiskMatrixParams, book: BucketBook, market: MarketContext, scenarioCount: number): BucketConstants {
  const indexUsd = market.indexUsd(book.base);
  const usdPerUnit = book.coinSettled ? indexUsd : currencyUsdRate(market, book.currency);
  const rule = aggregationRuleOf(params, book.base, book.currency, book.coinSettled, indexUsd, usdPerUnit);
  const pair = params.pairs[book.base];
  const ccy = params.currencies[book.currency];
  if (rule === undefined || pair === undefined || ccy === undefined) throw new Error(`bucket ${book.key} has no parameters (a bug: rows exist only for supported instruments)`);
  const dampener = new Float64Array(scenarioCount);
  const n = standardCount(params);
  for (let j = n; j < scenarioCount; j++) dampener[j] = rule.extendedDampener[j - n] as number;
  return { indexUsd, usdPerUnit, unitUsd: book.coinSettled ? 1 : indexUsd, dampener, pair, ccy };
}

/** Scratch space for the per-account loops (one per group; not re-entrant). */
export interface Scratch {
  vec: Float64Array;
  groupDelta: Float64Array;
  groupFactor: Float64Array;
  groupStamp: Int32Array;
  order: Int32Array;
  stamp: number;
}

export function createScratch(scenarioCount: number, maxGroups: number): Scratch {
  return {
    vec: new Float64Array(scenarioCount),
    groupDelta: new Float64Array(maxGroups),
    groupFactor: new Float64Array(maxGroups),
    groupStamp: new Int32Array(maxGroups),
    order: new Int32Array(maxGroups),
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
  let groups = 0;
  let delta = 0;
  let futLong = 0;
  let futShort = 0;
  const naked = params.contingencies.nakedShortOptionCoin !== undefined ? new Map<string, number>() : undefined;
  // Typed arrays in locals: the loop runs once per position of every re-margined account.
  const { deltaCoin, expiryGroup, rollFactor, kind: kinds } = arrays;
  const { groupStamp, groupDelta, groupFactor, order } = scratch;
  for (let k = s.from; k < s.to; k++) {
    const r = s.row[k] as number;
    const size = s.size[k] as number;
    const d = size * (deltaCoin[r] as number);
    const g = expiryGroup[r] as number;
    if (groupStamp[g] !== stamp) {
      groupStamp[g] = stamp;
      groupDelta[g] = d;
      groupFactor[g] = rollFactor[r] as number;
      order[groups++] = g;
    } else groupDelta[g] = (groupDelta[g] as number) + d;
    delta += d;
    const kind = kinds[r];
    if (kind === ROW_OPTION) {
      if (naked !== undefined) {
        const inst = arrays.instruments[r] as DerivativeInstrument & { expiryMs: number; strikeUsd: number };
        const key = `${inst.expiryMs}:${inst.strikeUsd}`;
        naked.set(key, (naked.get(key) ?? 0) + size);
      }
    } else if (size > 0) futLong += size;
    else futShort -= size;
  }
  let roll = 0;
  for (let i = 0; i < groups; i++) {
    const g = scratch.order[i] as number;
    roll += Math.abs(scratch.groupDelta[g] as number) * (scratch.groupFactor[g] as number);
  }
  roll *= c.unitUsd;
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
  stableIm: Float64Array;
  stableSeen: Uint8Array;
  present: Int32Array;
}

export function createFigureScratch(currencies: Iterable<string>, bucketCount: number): FigureScratch {
  const list = [...new Set(currencies)].sort();
  return { currencies: list, stableIm: new Float64Array(list.length), stableSeen: new Uint8Array(list.length), present: new Int32Array(Math.max(1, bucketCount)) };
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

function rulesTable(rules: AccountRules, universe: readonly string[]): RulesTable {
  const cached = rulesTables.get(rules);
  if (cached !== undefined && cached.universe === universe) return cached;
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
 * Headline figures of account `a` from its bucket margins (books' `im`/`mm`), balances and positions, as
 * account/account.ts evaluateAccount computes them: the same operations in the same order (buckets in key order with
 * their tiers; collateral per currency in sorted order; positions in canonical order), without allocating per
 * account beyond the result.
 * @param offsets - currencies whose balance is an offset position (no haircut) under this group.
 * @param scratch - the group's scratch; its universe must hold every currency of `balances` and of the buckets.
 */
export function accountFigures(
  arrays: LiveArrays,
  books: readonly BucketBook[],
  constants: readonly BucketConstants[],
  a: number,
  balances: Readonly<Record<string, number>>,
  rules: AccountRules,
  offsets: ReadonlySet<string>,
  market: MarketContext,
  unrealised: UnrealisedOf,
  scratch: FigureScratch,
  bucketCurrency: Int32Array,
  tables: CurrencyTables,
): HeadlineFigures {
  let tieredIm = 0;
  let tieredMm = 0;
  const { stableIm, stableSeen, present } = scratch;
  for (let ci = 0; ci < stableSeen.length; ci++) stableSeen[ci] = 0;
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
    stableIm[ci] = stableSeen[ci] === 1 ? (stableIm[ci] as number) + im : 0 + im;
    stableSeen[ci] = 1;
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
    const currency = universe[ci] as string;
    const held = balances[currency];
    if (held === undefined && stableSeen[ci] !== 1) continue;
    const amount = held ?? 0;
    const priceUsd = rates[ci] as number;
    if (Number.isNaN(priceUsd)) continue;
    const value = amount * priceUsd;
    const offset = offsets.has(currency);
    const positive = Math.max(value, 0);
    const borrowed = Math.max(-value, 0);
    const imHaircut = offset ? 0 : positive * (rt.imHaircut[ci] as number);
    const mmHaircut = offset ? 0 : positive * (rt.mmHaircut[ci] as number);
    const bIm = borrowed * (rt.borrowIm[ci] as number);
    const bMm = borrowed * (rt.borrowMm[ci] as number);
    const threshold = rt.pegThreshold[ci] as number;
    let depeg = 0;
    if (priceUsd < threshold) depeg = (threshold - priceUsd) * (rt.pegLoss[ci] as number) * (positive + (stableSeen[ci] === 1 ? (stableIm[ci] as number) : 0));
    if (amount === 0 && depeg === 0) continue;
    valueUsd += value;
    haircutImUsd += imHaircut;
    haircutMmUsd += mmHaircut;
    borrowImUsd += bIm;
    borrowMmUsd += bMm;
    depegImUsd += depeg;
  }
  // Positions in canonical order (bucket key, then name), as the account holds them (account/valuation.ts).
  let equityUsd = valueUsd;
  const { kind: kinds, markValue } = arrays;
  for (let p = 0; p < presentCount; p++) {
    const b = present[p] as number;
    const book = books[b] as BucketBook;
    const s = segmentOf(book, a);
    const rate = tables.bucketRate[b] as number;
    for (let k = s.from; k < s.to; k++) {
      const r = s.row[k] as number;
      const kind = kinds[r];
      if (kind === ROW_BALANCE) continue;
      const size = s.size[k] as number;
      const mark = markValue[r] as number;
      let value: number;
      if (kind === ROW_OPTION) value = size * mark;
      else {
        const u = unrealised(r);
        value = (u?.pnl ?? 0) + (u?.funding ?? 0);
        const entry = s.avg[k] as number;
        if (!Number.isNaN(entry) && entry !== mark) value += book.coinSettled ? size * mark * (1 / entry - 1 / mark) : size * (mark - entry);
      }
      equityUsd += value * rate;
    }
  }
  const imUsd = tieredIm + haircutImUsd + borrowImUsd + depegImUsd;
  const mmUsd = tieredMm + haircutMmUsd + borrowMmUsd;
  return {
    equityUsd,
    initialMarginUsd: imUsd,
    maintenanceMarginUsd: mmUsd,
    availableFundsUsd: equityUsd - imUsd,
    maintenanceRatio: maintenanceRatioOf(equityUsd, mmUsd),
    initialMarginRatio: ratio(imUsd, equityUsd),
  };
}
