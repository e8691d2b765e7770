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
  const params = arrays.params;
  const s = segmentOf(book, a);
  const stamp = ++scratch.stamp;
  let groups = 0;
  let delta = 0;
  let futLong = 0;
  let futShort = 0;
  const naked = params.contingencies.nakedShortOptionCoin !== undefined ? new Map<string, number>() : undefined;
  for (let k = s.from; k < s.to; k++) {
    const r = s.row[k] as number;
    const size = s.size[k] as number;
    const d = size * (arrays.deltaCoin[r] as number);
    const g = arrays.expiryGroup[r] as number;
    if (scratch.groupStamp[g] !== stamp) {
      scratch.groupStamp[g] = stamp;
      scratch.groupDelta[g] = d;
      scratch.groupFactor[g] = arrays.rollFactor[r] as number;
      scratch.order[groups++] = g;
    } else scratch.groupDelta[g] = (scratch.groupDelta[g] as number) + d;
    delta += d;
    const kind = arrays.kind[r];
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

/**
 * Headline figures of account `a` from its bucket margins (books' `im`/`mm`), balances and positions, as
 * account/account.ts evaluateAccount computes them.
 * @param offsets - currencies whose balance is an offset position (no haircut) under this group.
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
): HeadlineFigures {
  let tieredIm = 0;
  let tieredMm = 0;
  const stableIm: Record<string, number> = {};
  const present: number[] = [];
  for (let b = 0; b < books.length; b++) {
    const book = books[b] as BucketBook;
    const s = segmentOf(book, a);
    if (s.to === s.from) continue;
    present.push(b);
    const c = constants[b] as BucketConstants;
    const im = applyTiers((book.im[a] as number) * c.usdPerUnit, rules.marginTiers);
    const mm = applyTiers((book.mm[a] as number) * c.usdPerUnit, rules.marginTiers);
    tieredIm += im.tieredUsd;
    tieredMm += mm.tieredUsd;
    stableIm[book.currency] = (stableIm[book.currency] ?? 0) + im.tieredUsd;
  }
  // Collateral (account/collateral.ts), in sorted currency order.
  let valueUsd = 0;
  let haircutImUsd = 0;
  let haircutMmUsd = 0;
  let borrowImUsd = 0;
  let borrowMmUsd = 0;
  let depegImUsd = 0;
  const currencies = [...new Set([...Object.keys(balances), ...Object.keys(stableIm)])].sort();
  for (const currency of currencies) {
    const amount = balances[currency] ?? 0;
    if (!hasUsdRate(market, currency)) continue;
    const priceUsd = currencyUsdRate(market, currency);
    const value = amount * priceUsd;
    const offset = offsets.has(currency);
    const rule = collateralRuleOf(rules, currency);
    const positive = Math.max(value, 0);
    const borrowed = Math.max(-value, 0);
    const imHaircut = offset ? 0 : positive * rule.imHaircutDecimal;
    const mmHaircut = offset ? 0 : positive * rule.mmHaircutDecimal;
    const bIm = borrowed * rule.borrowImDecimal;
    const bMm = borrowed * rule.borrowMmDecimal;
    const peg = rules.pegs[currency];
    let depeg = 0;
    if (peg !== undefined && priceUsd < peg.thresholdUsd) depeg = (peg.thresholdUsd - priceUsd) * peg.lossFactor * (positive + (stableIm[currency] ?? 0));
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
  for (const b of present) {
    const book = books[b] as BucketBook;
    const s = segmentOf(book, a);
    const rate = currencyUsdRate(market, book.currency);
    for (let k = s.from; k < s.to; k++) {
      const r = s.row[k] as number;
      const kind = arrays.kind[r];
      if (kind === ROW_BALANCE) continue;
      const size = s.size[k] as number;
      const mark = arrays.markValue[r] as number;
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
