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
import { ok } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import type { RiskMatrixModel } from "../models/risk-matrix/model.js";
import { worstLossRange } from "../risk/aggregate-ts.js";
import { createWasmAggregator } from "../risk/wasm/kernel.js";
import type { WasmAggregator } from "../risk/wasm/kernel.js";
import type { LiveArrays } from "./arrays.js";
import { createLiveArrays, offsetCurrencies, rebuildRows } from "./arrays.js";
import type { BucketBook, LivePosition } from "./book.js";
import { buildBucketBooks, compactBooks, countIn, entriesByBucket, positionsOf, refreshUsdSizes, setAccountEntries } from "./book.js";
import type { BucketConstants, HeadlineFigures, Scratch } from "./fast-margin.js";
import { accountFigures, bucketConstants, bucketMargin, createScratch, worstOfOne } from "./fast-margin.js";
import type { Listing } from "./market.js";

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
  kernel: WasmAggregator | null;
  kernelVersion: number;
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
  const entries = accounts.map((x) => entriesByBucket(a, x.positions, x.balances, offsets));
  const books = buildBucketBooks(a, entries);
  const maxGroups = Math.max(1, ...a.groupCount.values());
  const group: RiskMatrixGroup = {
    kind: "risk-matrix",
    model,
    baseParams: model.params,
    widenings: new Map(),
    paramsSerial: 0,
    offsetAllowed,
    arrays: a,
    books,
    constants: books.map((b) => bucketConstants(model.params, b, market, a.scenarioCount)),
    accounts: accounts.map((x) => ({ rules: x.rules, balances: { ...x.balances } })),
    unrealised: new Map(),
    offsets: new Set(offsets),
    scratch: createScratch(a.scenarioCount, maxGroups),
    kernel: null,
    kernelVersion: -1,
  };
  accounts.forEach((x, i) => {
    for (const p of x.positions) {
      if (p.unrealisedPnlUsdc === undefined && p.unrealisedFundingUsdc === undefined) continue;
      group.unrealised.set(`${i}:${a.rowOf.get(p.instrument.name)}`, { ...(p.unrealisedPnlUsdc !== undefined ? { pnl: p.unrealisedPnlUsdc } : {}), ...(p.unrealisedFundingUsdc !== undefined ? { funding: p.unrealisedFundingUsdc } : {}) });
    }
  });
  for (let b = 0; b < books.length; b++) aggregateBook(group, b);
  return ok(group);
}

/** Worst losses of every account of book `b` (kernel), then IM and MM of each account holding the bucket. */
function aggregateBook(group: RiskMatrixGroup, b: number): void {
  const { arrays } = group;
  const book = group.books[b] as BucketBook;
  const c = group.constants[b] as BucketConstants;
  const n = group.accounts.length;
  const S = arrays.scenarioCount;
  const rows = arrays.instrumentNames.length;
  if (group.kernelVersion !== arrays.version) {
    group.kernel ??= createWasmAggregator(S);
    // The kernel keeps its own SIMD layout of the rows: re-lay it after every rebuild.
    group.kernel?.loadArrays(arrays.data, rows);
    group.kernelVersion = arrays.version;
  }
  if (group.kernel !== null) {
    group.kernel.setDampener(c.dampener);
    group.kernel.worstLoss(book.offsets, book.row, book.size, 0, n, book.worst, 0);
  } else {
    worstLossRange(arrays.data, S, book.offsets, book.row, book.size, 0, n, c.dampener, group.scratch.vec, book.worst, 0);
  }
  for (const a of book.detached.keys()) book.worst[a] = worstOfOne(arrays, book, a, c, group.scratch);
  for (let a = 0; a < n; a++) if (countIn(book, a) > 0) bucketMargin(arrays, book, a, c, group.scratch);
}

/**
 * Re-margin after a market move: rebuild the rows of `movedBases`, refresh the constants of buckets whose underlying
 * or currency moved, re-aggregate the moved underlyings' buckets. Returns the local indices of the accounts whose
 * figures may have changed (exposed to a moved currency), in increasing order.
 */
export function remarginGroup(group: RiskMatrixGroup, market: MarketContext, movedBases: readonly string[], movedCurrencies: readonly string[]): Result<Int32Array> {
  const { arrays } = group;
  const bases = movedBases.filter((b) => arrays.rowsOfBase.has(b));
  if (bases.length > 0) {
    const r = rebuildRows(arrays, bases, market);
    if (!r.ok) return r;
  }
  const moved = new Set(movedCurrencies);
  const n = group.accounts.length;
  const mark = new Uint8Array(n);
  group.books.forEach((book, b) => {
    const baseMoved = moved.has(book.base);
    if (!baseMoved && !moved.has(book.currency)) return;
    group.constants[b] = bucketConstants(group.model.params, book, market, arrays.scenarioCount);
    if (bases.includes(book.base)) {
      if (book.coinSettled) refreshUsdSizes(book, arrays.markValue, n);
      aggregateBook(group, b);
    }
    for (let a = 0; a < n; a++) if (countIn(book, a) > 0) mark[a] = 1;
  });
  for (let a = 0; a < n; a++) {
    if (mark[a] === 1) continue;
    const bal = (group.accounts[a] as GroupAccount).balances;
    for (const c of movedCurrencies) {
      if (bal[c] !== undefined) {
        mark[a] = 1;
        break;
      }
    }
  }
  let count = 0;
  for (let a = 0; a < n; a++) count += mark[a] as number;
  const out = new Int32Array(count);
  let k = 0;
  for (let a = 0; a < n; a++) if (mark[a] === 1) out[k++] = a;
  return ok(out);
}

/** Replace an account's positions and balances and re-margin it alone (its buckets on the single-account path). */
export function setGroupAccount(group: RiskMatrixGroup, a: number, positions: readonly LivePosition[], balances: Readonly<Record<string, number>>): void {
  const { arrays } = group;
  const acct = group.accounts[a] as GroupAccount;
  acct.balances = { ...balances };
  for (const key of [...group.unrealised.keys()]) if (key.startsWith(`${a}:`)) group.unrealised.delete(key);
  for (const p of positions) {
    if (p.unrealisedPnlUsdc === undefined && p.unrealisedFundingUsdc === undefined) continue;
    group.unrealised.set(`${a}:${arrays.rowOf.get(p.instrument.name)}`, { ...(p.unrealisedPnlUsdc !== undefined ? { pnl: p.unrealisedPnlUsdc } : {}), ...(p.unrealisedFundingUsdc !== undefined ? { funding: p.unrealisedFundingUsdc } : {}) });
  }
  setAccountEntries(group.books, a, entriesByBucket(arrays, positions, balances, [...group.offsets]));
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

const unrealisedOf = (group: RiskMatrixGroup, a: number) => (row: number) => group.unrealised.get(`${a}:${row}`);

/** Headline figures of local account `a` (bucket margins must be current). */
export function groupFigures(group: RiskMatrixGroup, a: number, market: MarketContext): HeadlineFigures {
  const acct = group.accounts[a] as GroupAccount;
  return accountFigures(group.arrays, group.books, group.constants, a, acct.balances, acct.rules, group.offsets, market, unrealisedOf(group, a));
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
