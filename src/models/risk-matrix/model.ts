/**
 * The scenario risk-matrix margin model (Deribit-style portfolio margin) behind the {@link MarginModel} interface.
 * Methodology: docs/methodology.md "Risk-matrix model"; parameters: presets/deribit.json ("Deribit preset").
 *
 * Flow: positions → buckets `<base>_<settlement>` → shared risk arrays (built once per instrument set, market and
 * parameter set by {@link buildRiskMatrixArrays}; pass them in `options.arrays` to margin many accounts) → per bucket
 * Σ size × row, aggregation, worst case, add-ons, IM/MM → USD totals (sum over buckets, X:PM-style total).
 * @module
 */
import { NetriskError, fail, issue, joinPath, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import type { MarketContext } from "../../market/context.js";
import type { DerivativeInstrument } from "../../market/types.js";
import { currencyUsdRate, hasUsdRate } from "../../risk/marks.js";
import { buildRiskArraysFast } from "../../risk/build-fast.js";
import type { InstrumentRiskArrays, ScenarioSet } from "../../risk/risk-arrays.js";
import type { BucketMargin, MarginModel, MarginResult, ParameterSetInfo, ResolvedPortfolio } from "../types.js";
import { computeBucketMargin } from "./bucket.js";
import type { BucketContext, BucketPosition } from "./bucket.js";
import type { RiskMatrixParams } from "./params.js";
import { aggregationRuleOf, bucketKeyOf, scenarioSetOf } from "./scenario-set.js";

/**
 * Registry id of the risk-matrix model, used in results. "deribit" as the registry names it: its default preset is
 * presets/deribit.json (a parameter set with `"model": "risk-matrix"`, the schema family).
 */
export const DERIBIT_MODEL_ID = "deribit";

/** IM-only amounts of one bucket, in the bucket currency, taken as given (Deribit `open_orders_margin`, `mmp_margin`). */
export interface BucketInitialMarginInputs {
  readonly openOrdersMargin?: number;
  readonly mmpMargin?: number;
}

/** Optional inputs of a risk-matrix margin call. */
export interface RiskMatrixComputeOptions {
  /** Per bucket key (`btc_btc`): open-orders and MMP margins, added to IM only (deribit-pm.md §2.8). */
  readonly initialMarginInputs?: Readonly<Record<string, BucketInitialMarginInputs>>;
  /**
   * Risk arrays prebuilt with {@link buildRiskMatrixArrays} on the same market and parameter set, shared by many
   * accounts; must contain every instrument of the portfolio. Built on the fly when absent.
   */
  readonly arrays?: InstrumentRiskArrays;
  /**
   * A result of this model on the same market and parameter set (the account before hypothetical trades): a bucket
   * whose positions (names and sizes) and IM inputs equal that result's is taken from it as it is, not recomputed. A
   * bucket depends on nothing else, so the result is identical; the caller vouches for the market and parameters
   * (account/engine.ts passes only results it computed itself).
   */
  readonly previous?: MarginResult;
}

/** True when `b` was computed from exactly these positions (name order) and IM inputs: see `previous` above. */
function sameBucket(b: BucketMargin, positions: readonly BucketPosition[], names: readonly string[], openOrdersMargin: number, mmpMargin: number): boolean {
  const c = b.contributions;
  if (c === undefined || c.length !== positions.length || b.components.openOrdersMargin !== openOrdersMargin || b.components.mmpMargin !== mmpMargin) return false;
  for (let i = 0; i < c.length; i++) {
    const p = positions[i] as BucketPosition;
    const q = c[i] as { instrument: string; sizeCoin: number };
    if (q.sizeCoin !== p.sizeCoin || q.instrument !== names[p.row]) return false;
  }
  return true;
}

/** A risk-matrix {@link MarginModel} with its Result-returning and array-building entry points. */
export interface RiskMatrixModel extends MarginModel {
  readonly params: RiskMatrixParams;
  /** Like `compute`, but bad input comes back as issues instead of a thrown {@link NetriskError}. */
  computeResult(portfolio: ResolvedPortfolio, market: MarketContext, options?: RiskMatrixComputeOptions): Result<MarginResult>;
  /** Risk arrays of a set of instruments, to share across accounts (see {@link buildRiskMatrixArrays}). */
  buildRiskArrays(instruments: readonly DerivativeInstrument[], market: MarketContext): Result<InstrumentRiskArrays>;
}

/**
 * Risk arrays of `instruments` under `params` in `market`: per instrument (distinct names), the weighted P&L of
 * +1 coin in each of the 3·(2B + 1) standard then extended scenarios of its underlying, in its settlement currency.
 * Instruments whose underlying has no `currency_pair` block are `unsupported` issues.
 *
 * Built by the optimised builder (risk/build-fast.ts: per-expiry work shared, about 2.5× faster on a whole chain);
 * risk/risk-arrays.ts `buildRiskArrays` is its reference, and build-fast.test.ts holds the two together to 1e-13.
 */
export function buildRiskMatrixArrays(
  instruments: readonly DerivativeInstrument[],
  market: MarketContext,
  params: RiskMatrixParams,
  pathOf?: (i: number) => string,
): Result<InstrumentRiskArrays> {
  const setOf = (inst: DerivativeInstrument): ScenarioSet | undefined => scenarioSetOf(params, inst.base);
  return buildRiskArraysFast(instruments, market, setOf, pathOf);
}

interface BucketDraft {
  readonly base: string;
  readonly currency: string;
  readonly coinSettled: boolean;
  readonly positions: BucketPosition[];
}

/**
 * Margin of a portfolio under a risk-matrix parameter set. Pure. Issues: `unsupported` (an underlying or settlement
 * currency without parameters, path `positions[i].instrument`), `missing_index`, `invalid_value` (bad IM inputs),
 * `unknown_instrument` (not in the prebuilt arrays), and those of {@link buildRiskArrays}.
 */
export function computeRiskMatrixMargin(
  portfolio: ResolvedPortfolio,
  market: MarketContext,
  params: RiskMatrixParams,
  options: RiskMatrixComputeOptions = {},
): Result<MarginResult> {
  const issues: Issue[] = [];
  const notes: string[] = [...portfolio.notes];
  // A market lists a handful of bases: a scan, not a Set of them per call (garbage on every what-if).
  const bases = market.bases;
  // Merge by instrument name (ResolvedPortfolio already merges duplicates; this keeps the model safe without it).
  // The issue path is kept as the input index and printed only for an issue: this loop runs on every what-if, so the
  // merged instruments are three parallel arrays indexed from one Map (an object per position was its garbage).
  const indexOf = new Map<string, number>();
  const insts: DerivativeInstrument[] = [];
  const sizeCoins: number[] = [];
  const ats: number[] = [];
  const pathAt = (at: number): string => joinPath("positions", at, "instrument");
  for (let k = 0; k < portfolio.positions.length; k++) {
    const p = portfolio.positions[k] as ResolvedPortfolio["positions"][number];
    const at = p.inputIndices[0] ?? k;
    const inst = p.instrument;
    if (inst.kind === "spot") {
      notes.push(`${inst.name}: spot balances are collateral, not risk-matrix positions (the account layer values them)`);
      continue;
    }
    if (params.pairs[inst.base] === undefined)
      issues.push(issue("unsupported", pathAt(at), `parameter set ${params.info.name} has no currency_pair block for ${inst.base} (${inst.name})`));
    else if (params.currencies[inst.settlementCurrency] === undefined)
      issues.push(issue("unsupported", pathAt(at), `parameter set ${params.info.name} has no currency block for settlement currency ${inst.settlementCurrency} (${inst.name})`));
    else if (!bases.includes(inst.base)) issues.push(issue("missing_index", pathAt(at), `no index price for ${inst.base}`));
    else if (!hasUsdRate(market, inst.settlementCurrency))
      issues.push(issue("missing_index", pathAt(at), `no USD rate for settlement currency ${inst.settlementCurrency}`));
    const i = indexOf.get(inst.name);
    if (i === undefined) {
      indexOf.set(inst.name, insts.length);
      insts.push(inst);
      sizeCoins.push(p.sizeCoin);
      ats.push(at);
    } else sizeCoins[i] = (sizeCoins[i] as number) + p.sizeCoin;
  }
  const extra = options.initialMarginInputs ?? {};
  for (const [key, v] of Object.entries(extra)) {
    for (const [field, amount] of Object.entries(v)) {
      if (typeof amount !== "number" || !Number.isFinite(amount) || amount < 0)
        issues.push(issue("invalid_value", joinPath("initialMarginInputs", key, field), `must be a finite number ≥ 0`));
    }
  }
  if (issues.length > 0) return fail(...issues);

  let arrays = options.arrays;
  if (arrays === undefined) {
    const built = buildRiskMatrixArrays(insts, market, params, (i) => (ats[i] !== undefined ? pathAt(ats[i]) : ""));
    if (!built.ok) return built;
    arrays = built.value;
  }
  const drafts = new Map<string, BucketDraft>();
  for (let i = 0; i < insts.length; i++) {
    const inst = insts[i] as DerivativeInstrument;
    const row = arrays.rowOf.get(inst.name);
    if (row === undefined) {
      issues.push(issue("unknown_instrument", pathAt(ats[i] as number), `${inst.name} is not in the prebuilt risk arrays`));
      continue;
    }
    const key = bucketKeyOf(inst);
    let d = drafts.get(key);
    if (d === undefined) {
      d = { base: inst.base, currency: inst.settlementCurrency, coinSettled: inst.settlement === "inverse", positions: [] };
      drafts.set(key, d);
    }
    d.positions.push({ row, sizeCoin: sizeCoins[i] as number });
  }
  for (const key of Object.keys(extra)) {
    if (drafts.has(key)) continue;
    const d = draftFromKey(key, params);
    if (d === undefined) issues.push(issue("unsupported", joinPath("initialMarginInputs", key), `unknown bucket ${key} (expected <base>_<settlement>, e.g. btc_btc, with parameters)`));
    else if (!bases.includes(d.base) || !hasUsdRate(market, d.currency))
      issues.push(issue("missing_index", joinPath("initialMarginInputs", key), `no index price for ${d.base} or ${d.currency}`));
    else drafts.set(key, d);
  }
  if (issues.length > 0) return fail(...issues);

  const byCurrency: Record<string, BucketMargin> = {};
  let imUsd = 0;
  let mmUsd = 0;
  for (const [key, d] of [...drafts].sort(([a], [b]) => (a < b ? -1 : 1))) {
    // Name order inside a bucket: sums and the roll-shock grouping then do not depend on the input order, so the
    // margin is bit-for-bit independent of how the positions were listed.
    const names = arrays.instrumentNames;
    sortByName(d.positions, names);
    const kept = options.previous?.byCurrency[key];
    if (kept !== undefined && sameBucket(kept, d.positions, names, extra[key]?.openOrdersMargin ?? 0, extra[key]?.mmpMargin ?? 0)) {
      byCurrency[key] = kept;
      imUsd += kept.initialMarginUsd;
      mmUsd += kept.maintenanceMarginUsd;
      continue;
    }
    const indexUsd = market.indexUsd(d.base);
    // A linear bucket is in its stablecoin: its own index when the market lists one, else 1 USD (risk/marks.ts).
    const usdPerUnit = d.coinSettled ? indexUsd : currencyUsdRate(market, d.currency);
    const pair = params.pairs[d.base];
    const ccy = params.currencies[d.currency];
    const scenarioSet = scenarioSetOf(params, d.base);
    const rule = aggregationRuleOf(params, d.base, d.currency, d.coinSettled, indexUsd, usdPerUnit);
    if (pair === undefined || ccy === undefined || scenarioSet === undefined || rule === undefined)
      return fail(issue("internal", key, `bucket ${key} lost its parameters`));
    const ctx: BucketContext = {
      key,
      base: d.base,
      currency: d.currency,
      coinSettled: d.coinSettled,
      indexUsd,
      usdPerUnit,
      scenarioSet,
      pair,
      ccy,
      rule,
      openOrdersMargin: extra[key]?.openOrdersMargin ?? 0,
      mmpMargin: extra[key]?.mmpMargin ?? 0,
    };
    const b = computeBucketMargin(ctx, d.positions, arrays, params);
    byCurrency[key] = b;
    imUsd += b.initialMarginUsd;
    mmUsd += b.maintenanceMarginUsd;
  }
  if (Object.keys(portfolio.collateral).length > 0)
    notes.push("collateral balances are not shocked by the risk matrix (Deribit equity_side_impact is left to the account layer)");
  const conventions: MarginResult["sizeConventions"][number][] = [];
  for (const p of portfolio.positions) if (!conventions.includes(p.sizeConvention)) conventions.push(p.sizeConvention);
  conventions.sort();
  return ok({
    model: DERIBIT_MODEL_ID,
    parameterSet: params.info,
    byCurrency,
    totalUsd: { initialMargin: imUsd, maintenanceMargin: mmUsd },
    sizeConventions: conventions,
    notes,
  });
}

// Up to this many positions a bucket is sorted in place by insertion (no allocation); Array.prototype.sort copies the
// array into a work array first, which was a what-if's largest piece of garbage after the positions themselves.
const INSERTION_SORT_MAX = 64;

/**
 * Sort a bucket's positions by instrument name, in place. Names are distinct in a bucket (merged by name above), so
 * every correct sort gives the same order: insertion for a small bucket, the built-in sort for a large one.
 */
export function sortByName(positions: BucketPosition[], names: readonly string[]): void {
  if (positions.length > INSERTION_SORT_MAX) {
    positions.sort((a, b) => ((names[a.row] as string) < (names[b.row] as string) ? -1 : 1));
    return;
  }
  for (let i = 1; i < positions.length; i++) {
    const p = positions[i] as BucketPosition;
    const name = names[p.row] as string;
    let j = i - 1;
    while (j >= 0 && name < (names[(positions[j] as BucketPosition).row] as string)) {
      positions[j + 1] = positions[j] as BucketPosition;
      j--;
    }
    positions[j + 1] = p;
  }
}

/** Bucket of a key without positions (IM inputs only): `<base>_<settlement>` with parameters for both, or undefined. */
function draftFromKey(key: string, params: RiskMatrixParams): BucketDraft | undefined {
  const m = /^([a-z][a-z0-9]{1,9})_([a-z][a-z0-9]{1,9})$/.exec(key);
  if (!m) return undefined;
  const base = (m[1] ?? "").toUpperCase();
  const currency = (m[2] ?? "").toUpperCase();
  if (params.pairs[base] === undefined || params.currencies[currency] === undefined) return undefined;
  return { base, currency, coinSettled: base === currency, positions: [] };
}

/** A {@link RiskMatrixModel} bound to a validated parameter set. */
export function createRiskMatrixModel(params: RiskMatrixParams): RiskMatrixModel {
  const parameterSet: ParameterSetInfo = params.info;
  return {
    id: DERIBIT_MODEL_ID,
    parameterSet,
    params,
    computeResult: (portfolio, market, options) => computeRiskMatrixMargin(portfolio, market, params, options),
    compute(portfolio, market) {
      const r = computeRiskMatrixMargin(portfolio, market, params);
      if (!r.ok) throw new NetriskError(r.issues);
      return r.value;
    },
    buildRiskArrays: (instruments, market) => buildRiskMatrixArrays(instruments, market, params),
  };
}
