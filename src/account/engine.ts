/**
 * The margin engine of an account layer: one margin model bound to one market, with the market's risk arrays built
 * once and shared by every portfolio margined on it (what-if, searches, many accounts). A moved market is a new
 * engine. Works with any {@link MarginModel}; risk-matrix models get the shared arrays and the coin-collateral
 * offset, other models are called through `compute`.
 *
 * Coin collateral offset (Deribit `equity_side_impact: "both"`, deribit-pm.md §2.2): in a risk-matrix parameter set
 * whose currency block for a coin says "both", the coin's balance is a spot position in the coin's own bucket
 * (`btc_btc`). Its scenario P&L is the balance's USD P&L re-expressed in coin at the shocked price, B·S·m / (S(1 + m))
 * = B·m/(1 + m) coin: exactly the risk-array row of a long inverse perpetual of B coin. So the balance enters as a
 * synthetic undated inverse instrument named `<COIN> (balance)`: same row, delta 1, and the perpetual's roll-shock
 * group (spot and perpetual are both undated; T = 0, floor only). A short inverse perpetual of B coin against a
 * balance of B coin (cash and carry) is then flat in every scenario, as its USD value is.
 * @module
 */
import { fail, issue, NetriskError, ok } from "../errors.js";
import type { Result } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import { parseInstrument } from "../market/instrument.js";
import type { DerivativeInstrument, PerpetualInstrument } from "../market/types.js";
import type { RiskMatrixModel } from "../models/risk-matrix/model.js";
import { scenarioSetOf } from "../models/risk-matrix/scenario-set.js";
import type { MarginModel, MarginResult, ResolvedPortfolio, ResolvedPosition } from "../models/types.js";
import { buildRiskArraysFast } from "../risk/build-fast.js";
import { hasUsdRate } from "../risk/marks.js";
import type { InstrumentRiskArrays } from "../risk/risk-arrays.js";

/**
 * Models that value collateral themselves (haircuts, risk-cancelling collateral, peg loss inside their margin): the
 * account layer then adds no haircut, borrow or de-peg charge and passes the balances to the model.
 */
export const MODELS_VALUING_COLLATERAL: readonly string[] = ["derive-pmrm2", "okx"];

/** Suffix of the synthetic instrument that carries a coin balance into a risk-matrix bucket. */
export const BALANCE_SUFFIX = " (balance)";

export interface MarginEngine {
  readonly model: MarginModel;
  readonly market: MarketContext;
  /** `model`: the model values collateral (see {@link MODELS_VALUING_COLLATERAL}); `account`: the account layer does. */
  readonly collateralHandling: "account" | "model";
  /** Whether the risk-matrix coin-collateral offset is on (a risk-matrix model and the rules allow it). */
  readonly coinOffset: boolean;
  /** True when the currency's balance enters the model as a spot exposure (risk-matrix "both" currencies). */
  offsetsCurrency(currency: string): boolean;
  /**
   * Margin of derivative positions plus balances. Balances go to the model as collateral when it values collateral,
   * as synthetic spot positions for offset currencies, and are left out otherwise (the account layer values them).
   */
  margin(positions: readonly ResolvedPosition[], balances: Readonly<Record<string, number>>, notes?: readonly string[], options?: EngineMarginOptions): Result<MarginResult>;
  /** Build the risk arrays of every derivative quoted in the snapshot now (risk-matrix models; no-op otherwise). */
  prebuildSnapshot(): Result<number>;
  /** Rows currently in the shared arrays (0 for models without arrays). */
  arrayRows(): number;
  /** The shared risk arrays built so far (undefined for models without arrays, or before the first use). */
  sharedArrays(): InstrumentRiskArrays | undefined;
}

/** Options of one {@link MarginEngine.margin} call. */
export interface EngineMarginOptions {
  /**
   * A result this same engine computed before (the account before hypothetical trades): risk-matrix buckets whose
   * positions did not change are taken from it (identical numbers; what-if then recomputes only the traded buckets).
   * A result from another engine, or from a model without buckets to reuse, is ignored.
   */
  readonly previous?: MarginResult;
}

/** Options of {@link createMarginEngine}. */
export interface MarginEngineOptions {
  /** Allow the risk-matrix coin offset (the account rules' switch), default true. */
  readonly coinCollateralOffset?: boolean;
  /**
   * Rows known to be valid in this market (risk-matrix models), e.g. the rows of the bases a moved market did not
   * move: a risk-array row depends only on its own underlying's prices and vols, so they are reused as they are.
   */
  readonly seedArrays?: InstrumentRiskArrays;
  /**
   * Build missing rows with the optimised builder of risk/build-fast.ts (2–3× faster; rows equal to the reference
   * builder's to 1e-13 per coin, its tests) instead of the model's reference builder. For searches that build rows in
   * dozens of moved markets; off by default so that a plain engine gives exactly the model's own numbers.
   */
  readonly fastArrays?: boolean;
}

/** True for models built by `createRiskMatrixModel` (they expose shared risk arrays). */
export function isRiskMatrixModel(model: MarginModel): model is RiskMatrixModel {
  const m = model as Partial<RiskMatrixModel>;
  return typeof m.buildRiskArrays === "function" && typeof m.computeResult === "function" && m.params !== undefined;
}

/** The synthetic undated inverse instrument that stands for a balance of `coin` (see the module doc). */
export function balanceInstrument(coin: string): PerpetualInstrument {
  return { kind: "perpetual", name: `${coin}${BALANCE_SUFFIX}`, base: coin, settlement: "inverse", settlementCurrency: coin };
}

/** Concatenate two sets of risk arrays with the same scenario count (rows of `b` after those of `a`). */
export function mergeRiskArrays(a: InstrumentRiskArrays, b: InstrumentRiskArrays): InstrumentRiskArrays {
  if (a.scenarioCount !== b.scenarioCount) throw new Error(`scenario counts differ: ${a.scenarioCount} vs ${b.scenarioCount}`);
  const data = new Float64Array(a.data.length + b.data.length);
  data.set(a.data, 0);
  data.set(b.data, a.data.length);
  const cat = (x: Float64Array, y: Float64Array): Float64Array => {
    const out = new Float64Array(x.length + y.length);
    out.set(x, 0);
    out.set(y, x.length);
    return out;
  };
  const rowOf = new Map(a.rowOf);
  b.instrumentNames.forEach((name, i) => rowOf.set(name, a.instrumentNames.length + i));
  return {
    instrumentNames: [...a.instrumentNames, ...b.instrumentNames],
    scenarioCount: a.scenarioCount,
    data,
    instruments: [...a.instruments, ...b.instruments],
    rowOf,
    deltaCoin: cat(a.deltaCoin, b.deltaCoin),
    timeYears: cat(a.timeYears, b.timeYears),
  };
}

/** Bind a model to a market (see {@link MarginEngineOptions}). */
export function createMarginEngine(model: MarginModel, market: MarketContext, options: MarginEngineOptions = {}): MarginEngine {
  const collateralHandling = MODELS_VALUING_COLLATERAL.includes(model.id) ? "model" : "account";
  if (!isRiskMatrixModel(model)) return genericEngine(model, market, collateralHandling);
  return riskMatrixEngine(model, market, options.coinCollateralOffset ?? true, options.seedArrays, options.fastArrays ?? false);
}

/** The rows of `arrays` whose instrument passes `keep`, as a new set (data copied). */
export function subsetRiskArrays(arrays: InstrumentRiskArrays, keep: (inst: DerivativeInstrument) => boolean): InstrumentRiskArrays {
  const rows: number[] = [];
  arrays.instruments.forEach((inst, i) => {
    if (keep(inst)) rows.push(i);
  });
  return subsetRiskArrayRows(arrays, rows);
}

/** Rows `rows` of `arrays` (increasing, each once), as a new set (data copied). */
export function subsetRiskArrayRows(arrays: InstrumentRiskArrays, rows: readonly number[]): InstrumentRiskArrays {
  const S = arrays.scenarioCount;
  const data = new Float64Array(rows.length * S);
  const deltaCoin = new Float64Array(rows.length);
  const timeYears = new Float64Array(rows.length);
  const rowOf = new Map<string, number>();
  rows.forEach((r, k) => {
    data.set(arrays.data.subarray(r * S, (r + 1) * S), k * S);
    deltaCoin[k] = arrays.deltaCoin[r] as number;
    timeYears[k] = arrays.timeYears[r] as number;
    rowOf.set(arrays.instrumentNames[r] as string, k);
  });
  return {
    instrumentNames: rows.map((r) => arrays.instrumentNames[r] as string),
    scenarioCount: S,
    data,
    instruments: rows.map((r) => arrays.instruments[r] as DerivativeInstrument),
    rowOf,
    deltaCoin,
    timeYears,
  };
}

function genericEngine(model: MarginModel, market: MarketContext, collateralHandling: "account" | "model"): MarginEngine {
  return {
    model,
    market,
    collateralHandling,
    coinOffset: false,
    offsetsCurrency: () => false,
    margin(positions, balances, notes = []) {
      const portfolio: ResolvedPortfolio = {
        positions: positions.filter((p) => p.instrument.kind !== "spot"),
        collateral: collateralHandling === "model" ? { ...balances } : {},
        notes,
      };
      try {
        return guardMargin(model.compute(portfolio, market));
      } catch (e) {
        if (e instanceof NetriskError) return fail(...e.issues);
        throw e;
      }
    },
    prebuildSnapshot: () => ok(0),
    arrayRows: () => 0,
    sharedArrays: () => undefined,
  };
}

function riskMatrixEngine(
  model: RiskMatrixModel,
  market: MarketContext,
  offsetAllowed: boolean,
  seed: InstrumentRiskArrays | undefined,
  fast: boolean,
): MarginEngine {
  const params = model.params;
  const offsetsCurrency = (c: string): boolean =>
    offsetAllowed &&
    params.currencies[c]?.equitySideImpact === "both" &&
    params.pairs[c] !== undefined &&
    market.bases.includes(c) &&
    hasUsdRate(market, c);
  // Memo of the shared arrays: grows when a portfolio brings an instrument not seen yet. A cache of a pure function
  // of (instrument, market, parameter set), so sharing it never changes a result.
  let arrays: InstrumentRiskArrays | undefined = seed !== undefined && seed.instrumentNames.length > 0 ? seed : undefined;

  const ensure = (instruments: readonly DerivativeInstrument[]): Result<InstrumentRiskArrays> | undefined => {
    const missing: DerivativeInstrument[] = [];
    const seen = new Set<string>();
    for (const inst of instruments) {
      if (arrays?.rowOf.has(inst.name) || seen.has(inst.name)) continue;
      seen.add(inst.name);
      missing.push(inst);
    }
    if (missing.length === 0) return arrays === undefined ? undefined : ok(arrays);
    const built = fast ? buildRiskArraysFast(missing, market, (inst) => scenarioSetOf(params, inst.base)) : model.buildRiskArrays(missing, market);
    if (!built.ok) return built;
    arrays = arrays === undefined ? built.value : mergeRiskArrays(arrays, built.value);
    return ok(arrays);
  };

  const supported = (inst: DerivativeInstrument): boolean =>
    params.pairs[inst.base] !== undefined &&
    params.currencies[inst.settlementCurrency] !== undefined &&
    market.bases.includes(inst.base) &&
    hasUsdRate(market, inst.settlementCurrency) &&
    (inst.kind === "perpetual" || inst.expiryMs > market.asOfMs);

  // Results this engine computed (same market, parameters and arrays): the only ones `previous` may reuse from.
  const computed = new WeakSet<MarginResult>();
  const remember = (r: Result<MarginResult>): Result<MarginResult> => {
    if (r.ok) computed.add(r.value);
    return r;
  };

  return {
    model,
    market,
    collateralHandling: "account",
    coinOffset: offsetAllowed,
    offsetsCurrency,
    margin(positions, balances, notes = [], options = {}) {
      const all: ResolvedPosition[] = positions.filter((p) => p.instrument.kind !== "spot");
      for (const [c, amount] of Object.entries(balances)) {
        if (amount !== 0 && offsetsCurrency(c))
          all.push({ instrument: balanceInstrument(c), sizeCoin: amount, sizeConvention: "coin", inputIndices: [] });
      }
      const portfolio: ResolvedPortfolio = { positions: all, collateral: {}, notes };
      const instruments = all.map((p) => p.instrument as DerivativeInstrument);
      // Anything the shared arrays cannot hold (unsupported, expired, failing to build): let the model build its own
      // arrays, so that its issues carry the positions' paths.
      if (!instruments.every(supported)) return guardMarginResult(model.computeResult(portfolio, market));
      const shared = ensure(instruments);
      if (shared === undefined || !shared.ok) return guardMarginResult(model.computeResult(portfolio, market));
      const previous = options.previous !== undefined && computed.has(options.previous) ? options.previous : undefined;
      return remember(guardMarginResult(model.computeResult(portfolio, market, { arrays: shared.value, ...(previous !== undefined ? { previous } : {}) })));
    },
    prebuildSnapshot() {
      const instruments: DerivativeInstrument[] = [];
      for (const name of Object.keys(market.snapshot.instruments)) {
        const parsed = parseInstrument(name);
        if (parsed.ok && parsed.value.kind !== "spot" && supported(parsed.value)) instruments.push(parsed.value);
      }
      for (const c of market.bases) if (offsetsCurrency(c)) instruments.push(balanceInstrument(c));
      const r = ensure(instruments);
      if (r === undefined) return ok(arrays?.instrumentNames.length ?? 0);
      return r.ok ? ok(r.value.instrumentNames.length) : fail(...r.issues.map((i) => issue(i.code, `market.${i.path}`, i.message)));
    },
    arrayRows: () => arrays?.instrumentNames.length ?? 0,
    sharedArrays: () => arrays,
  };
}

/**
 * The finite-number guard on a model's margin figures (totals and every bucket's IM and MM), before they leave the
 * engine: a non-finite figure is a `non_finite_result` naming it (a bug), never a NaN passed on. Only the figures,
 * not the whole result: a risk-matrix result carries scenario arrays, and this runs on every evaluation.
 */
export function guardMargin(r: MarginResult): Result<MarginResult> {
  const bad = (path: string, x: number): Result<MarginResult> =>
    fail(issue("non_finite_result", path, `model ${r.model} computed ${String(x)} at ${path} (a bug: please report it)`));
  if (!Number.isFinite(r.totalUsd.initialMargin)) return bad("totalUsd.initialMargin", r.totalUsd.initialMargin);
  if (!Number.isFinite(r.totalUsd.maintenanceMargin)) return bad("totalUsd.maintenanceMargin", r.totalUsd.maintenanceMargin);
  for (const [c, b] of Object.entries(r.byCurrency)) {
    for (const k of ["initialMargin", "maintenanceMargin", "initialMarginUsd", "maintenanceMarginUsd"] as const) {
      if (!Number.isFinite(b[k])) return bad(`byCurrency.${c}.${k}`, b[k]);
    }
  }
  return ok(r);
}

function guardMarginResult(r: Result<MarginResult>): Result<MarginResult> {
  return r.ok ? guardMargin(r.value) : r;
}
