/**
 * The live risk arrays of one risk-matrix parameter set: a row per listed instrument the set supports (and per coin
 * balance the set offsets, `BTC (balance)`), on SharedArrayBuffers so worker threads read them without a copy, and
 * patched in place: a tick that moves BTC rebuilds the BTC rows only (a row depends only on its own underlying's
 * prices, vols and valuation time). Rows are built by the same builder the model uses (buildRiskMatrixArrays), so a
 * patched row equals the row a from-scratch engine builds on the same market.
 *
 * Per row, beside the scenario P&L: the coin delta and time to expiry of the builder, and what the live figures need
 * per position: the mark value (options: mark in the settlement currency per coin; futures: mark USD per coin), the
 * roll-shock factor max(floor, g(T)) of its bucket currency, its expiry group within the underlying (0 = undated).
 * @module
 */
import { balanceInstrument } from "../account/engine.js";
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import type { DerivativeInstrument } from "../market/types.js";
import { buildRiskMatrixArrays } from "../models/risk-matrix/model.js";
import type { RiskMatrixParams } from "../models/risk-matrix/params.js";
import { hasUsdRate, optionMarkPrice } from "../risk/marks.js";
import type { InstrumentRiskArrays } from "../risk/risk-arrays.js";
import type { Listing } from "./market.js";

/** Row kinds. */
export const ROW_PERPETUAL = 0;
export const ROW_FUTURE = 1;
export const ROW_OPTION = 2;
export const ROW_BALANCE = 3;

function shared(bytes: number): SharedArrayBuffer {
  return new SharedArrayBuffer(Math.max(8, bytes));
}

/** Live risk arrays (an {@link InstrumentRiskArrays} whose typed arrays live on SharedArrayBuffers). */
export interface LiveArrays extends InstrumentRiskArrays {
  /** The parameter set the rows are built under (replaced, never mutated, when a new version is published). */
  params: RiskMatrixParams;
  /** Rows of each underlying (its instruments and its balance row). */
  readonly rowsOfBase: ReadonlyMap<string, Int32Array>;
  /** Row of the balance instrument of a coin the set offsets (equity_side_impact "both"), when there is one. */
  readonly balanceRowOf: ReadonlyMap<string, number>;
  readonly kind: Uint8Array;
  readonly markValue: Float64Array;
  readonly rollFactor: Float64Array;
  readonly expiryGroup: Int32Array;
  /** Expiry groups per underlying (1 + the number of distinct expiries). */
  readonly groupCount: ReadonlyMap<string, number>;
  /** Bumped on every rebuild: a worker re-lays the rows for its SIMD kernel when it changes. */
  version: number;
}

/** True when `params` can margin `inst` on `market` (the engine's own test, account/engine.ts). */
export function supportedBy(params: RiskMatrixParams, inst: DerivativeInstrument, market: MarketContext): boolean {
  return (
    params.pairs[inst.base] !== undefined &&
    params.currencies[inst.settlementCurrency] !== undefined &&
    market.bases.includes(inst.base) &&
    hasUsdRate(market, inst.settlementCurrency) &&
    (inst.kind === "perpetual" || inst.expiryMs > market.asOfMs)
  );
}

/** Coins whose balances enter their own bucket as a spot exposure under `params` (engine.offsetsCurrency). */
export function offsetCurrencies(params: RiskMatrixParams, market: MarketContext, offsetAllowed: boolean): string[] {
  if (!offsetAllowed) return [];
  return market.bases.filter((c) => params.currencies[c]?.equitySideImpact === "both" && params.pairs[c] !== undefined && hasUsdRate(market, c));
}

/**
 * Allocate and build the arrays of every listed instrument `params` supports, plus the balance rows of
 * {@link offsetCurrencies}. Issues: the builder's (a bug for a validated market).
 */
export function createLiveArrays(params: RiskMatrixParams, listing: Listing, market: MarketContext): Result<LiveArrays> {
  const instruments: DerivativeInstrument[] = [];
  const rowsOfBase = new Map<string, number[]>();
  const balanceRowOf = new Map<string, number>();
  const offsets = new Set(offsetCurrencies(params, market, true));
  for (const base of [...listing.byBase.keys(), ...offsets].filter((b, i, all) => all.indexOf(b) === i).sort()) {
    const rows: number[] = [];
    if (offsets.has(base)) {
      balanceRowOf.set(base, instruments.length);
      rows.push(instruments.length);
      instruments.push(balanceInstrument(base));
    }
    for (const inst of listing.byBase.get(base) ?? []) {
      if (!supportedBy(params, inst, market)) continue;
      rows.push(instruments.length);
      instruments.push(inst);
    }
    if (rows.length > 0) rowsOfBase.set(base, rows);
  }
  const probe = buildRiskMatrixArrays(instruments.slice(0, 1), market, params);
  const S = instruments.length === 0 ? 0 : probe.ok ? probe.value.scenarioCount : 0;
  if (!probe.ok) return probe;
  const n = instruments.length;
  const rowOf = new Map<string, number>();
  instruments.forEach((inst, i) => rowOf.set(inst.name, i));
  const kind = new Uint8Array(shared(n));
  const expiryGroup = new Int32Array(shared(n * 4));
  const groupCount = new Map<string, number>();
  for (const [base, rows] of rowsOfBase) {
    const expiries = [...new Set(rows.map((r) => instruments[r] as DerivativeInstrument).filter((i) => i.kind !== "perpetual").map((i) => (i as { expiryMs: number }).expiryMs))].sort((a, b) => a - b);
    groupCount.set(base, expiries.length + 1);
    for (const r of rows) {
      const inst = instruments[r] as DerivativeInstrument;
      kind[r] = balanceRowOf.get(base) === r ? ROW_BALANCE : inst.kind === "perpetual" ? ROW_PERPETUAL : inst.kind === "future" ? ROW_FUTURE : ROW_OPTION;
      expiryGroup[r] = inst.kind === "perpetual" ? 0 : 1 + expiries.indexOf(inst.expiryMs);
    }
  }
  const arrays: LiveArrays = {
    params,
    instrumentNames: instruments.map((i) => i.name),
    scenarioCount: S,
    data: new Float64Array(shared(n * S * 8)),
    instruments,
    rowOf,
    deltaCoin: new Float64Array(shared(n * 8)),
    timeYears: new Float64Array(shared(n * 8)),
    rowsOfBase: new Map([...rowsOfBase].map(([b, r]) => [b, Int32Array.from(r)])),
    balanceRowOf,
    kind,
    markValue: new Float64Array(shared(n * 8)),
    rollFactor: new Float64Array(shared(n * 8)),
    expiryGroup,
    groupCount,
    version: 0,
  };
  const built = rebuildRows(arrays, [...rowsOfBase.keys()], market);
  return built.ok ? ok(arrays) : built;
}

const instrumentLists = new WeakMap<Int32Array, DerivativeInstrument[]>();

/** The instruments of an underlying's rows, in row order (a memo per rows array: both are fixed once built). */
function instrumentsOf(arrays: LiveArrays, rows: Int32Array): DerivativeInstrument[] {
  let list = instrumentLists.get(rows);
  if (list === undefined) {
    list = Array.from(rows, (r) => arrays.instruments[r] as DerivativeInstrument);
    instrumentLists.set(rows, list);
  }
  return list;
}

/**
 * Rebuild, in place, the rows of the given underlyings on `market` (the moved market), and bump the version.
 * Issues: the builder's, with the instrument's name in the path.
 */
export function rebuildRows(arrays: LiveArrays, bases: readonly string[], market: MarketContext): Result<number> {
  const S = arrays.scenarioCount;
  const { params } = arrays;
  let count = 0;
  for (const base of bases) {
    const rows = arrays.rowsOfBase.get(base);
    if (rows === undefined || rows.length === 0) continue;
    const insts = instrumentsOf(arrays, rows);
    const built = buildRiskMatrixArrays(insts, market, params, (i) => `instruments.${insts[i]?.name ?? i}`);
    if (!built.ok) return built;
    const b = built.value;
    if (b.scenarioCount !== S) return fail(issue("internal", base, `scenario count changed from ${S} to ${b.scenarioCount}`));
    // An underlying's rows are consecutive (createLiveArrays lays them out so): one copy of the whole block.
    const r0 = rows[0] as number;
    if (rows[rows.length - 1] === r0 + rows.length - 1) arrays.data.set(b.data, r0 * S);
    else for (let k = 0; k < rows.length; k++) arrays.data.set(b.data.subarray(k * S, (k + 1) * S), (rows[k] as number) * S);
    const linear = params.rollShockGrowth === "linear";
    for (let k = 0; k < rows.length; k++) {
      const r = rows[k] as number;
      const inst = insts[k] as DerivativeInstrument;
      arrays.deltaCoin[r] = b.deltaCoin[k] as number;
      arrays.timeYears[r] = b.timeYears[k] as number;
      const kind = arrays.kind[r];
      arrays.markValue[r] = kind === ROW_BALANCE ? 0 : inst.kind === "option" ? optionMarkPrice(inst, market) : market.futureMarkUsd(inst);
      const ccy = params.currencies[inst.settlementCurrency];
      if (ccy === undefined) return fail(issue("internal", inst.name, `no currency block for ${inst.settlementCurrency}`));
      // Same expression as models/risk-matrix/addons.ts rollShock: max(floor, g(a, max(T, 0))), T = 0 when undated.
      const t = Math.max(inst.kind === "perpetual" ? 0 : (arrays.timeYears[r] as number), 0);
      const grown = linear ? ccy.annualisedMoveRiskDecimal * t : Math.expm1(ccy.annualisedMoveRiskDecimal * t);
      arrays.rollFactor[r] = Math.max(ccy.minAnnualisedMoveDecimal, grown);
      count++;
    }
  }
  arrays.version++;
  return ok(count);
}
