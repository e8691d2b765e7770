/**
 * The `hybrid` margin model: the larger of the risk-matrix margin (e.g. Deribit's, presets/deribit.json) and the
 * ES-based market risk of the `var` model, plus the liquidity and concentration add-ons:
 *
 * ```
 * IM = max(risk-matrix IM, max(ES, stress floor)) + liquidity + concentration
 * MM = max(risk-matrix MM, max(ES, stress floor) / f) + (liquidity + concentration) / f     f = initialToMaintenanceFactor
 * ```
 * in USD, one `USD` bucket. A scenario grid per underlying catches what a short history misses (a move larger than any
 * in the window); joint scenarios give the diversification a grid per underlying cannot. Methodology:
 * docs/methodology.md "Hybrid model".
 * @module
 */
import { fail, NetriskError, ok } from "../../errors.js";
import type { Result } from "../../errors.js";
import type { MarketContext } from "../../market/context.js";
import type { MarginModel, MarginResult, ResolvedPortfolio } from "../types.js";
import type { HybridParams } from "../var/params.js";
import { checkStatisticalInputs, computeVarReport } from "../var/report.js";
import type { StatisticalInputs, VarReport } from "../var/report.js";
import { sizeConventions, varBucket, varComponents } from "../var/model.js";

/** Registry id of the hybrid model. */
export const HYBRID_MODEL_ID = "hybrid";

export interface HybridModel extends MarginModel {
  readonly params: HybridParams;
  /** Like `compute`, but bad input comes back as issues (the risk-matrix model's own failures are caught too). */
  computeResult(portfolio: ResolvedPortfolio, market: MarketContext): Result<MarginResult>;
}

/**
 * Margin under the hybrid model. Pure. Issues: those of `computeVarReport`, and the risk-matrix model's (e.g.
 * `unsupported` for an underlying its parameter set does not cover).
 * @param precomputed - the statistical report of this portfolio, market, params and inputs, when already computed.
 */
export function computeHybridMargin(
  portfolio: ResolvedPortfolio,
  market: MarketContext,
  params: HybridParams,
  inputs: StatisticalInputs,
  riskMatrix: MarginModel,
  precomputed?: VarReport,
): Result<MarginResult> {
  let rm: MarginResult;
  try {
    rm = riskMatrix.compute(portfolio, market);
  } catch (e) {
    if (e instanceof NetriskError) return fail(...e.issues);
    throw e;
  }
  const r = precomputed !== undefined ? ok(precomputed) : computeVarReport(portfolio, market, params, inputs);
  if (!r.ok) return r;
  const report = r.value;
  const f = params.initialToMaintenanceFactor;
  const addons = report.liquidity.totalUsd + report.concentration.totalUsd;
  const rmIm = rm.totalUsd.initialMargin;
  const rmMm = rm.totalUsd.maintenanceMargin;
  // The anti-procyclicality buffer (EMIR Art. 28(1)(a)) scales the margin the hybrid charges, risk-matrix side included.
  const b = report.antiProcyclicality?.buffer?.bufferDecimal ?? 0;
  const beforeBuffer = Math.max(rmIm, report.marketRiskUsd) + addons;
  const im = beforeBuffer * (1 + b);
  const mm = (Math.max(rmMm, report.marketRiskUsd / f) + addons / f) * (1 + b);
  const components = { ...varComponents(report), ...(b > 0 ? { procyclicalityBuffer: beforeBuffer * b } : {}), riskMatrixInitial: rmIm, riskMatrixMaintenance: rmMm };
  const { notes, ...varDetails } = report;
  const details = {
    binding: rmIm >= report.marketRiskUsd ? "risk-matrix" : "expected-shortfall",
    riskMatrix: { model: rm.model, parameterSet: rm.parameterSet, totalUsd: rm.totalUsd, byCurrency: rm.byCurrency },
    var: varDetails,
  };
  return ok({
    model: HYBRID_MODEL_ID,
    parameterSet: params.info,
    byCurrency: { USD: varBucket(report, components, im, mm, details) },
    totalUsd: { initialMargin: im, maintenanceMargin: mm },
    sizeConventions: sizeConventions(portfolio),
    notes: [...notes, ...rm.notes.map((n) => `${rm.model}: ${n}`)],
  });
}

/**
 * Bind a hybrid model to its parameter set, scenario sets and risk-matrix model (built by the caller from the preset
 * named in `params.riskMatrixPreset`). Issues: those of `checkStatisticalInputs`.
 */
export function createHybridModel(params: HybridParams, inputs: StatisticalInputs, riskMatrix: MarginModel): Result<HybridModel> {
  const issues = checkStatisticalInputs(inputs, params);
  if (issues.length > 0) return fail(...issues);
  const computeResult = (p: ResolvedPortfolio, m: MarketContext): Result<MarginResult> => computeHybridMargin(p, m, params, inputs, riskMatrix);
  return ok({
    id: HYBRID_MODEL_ID,
    parameterSet: params.info,
    params,
    computeResult,
    compute: (p, m) => {
      const r = computeResult(p, m);
      if (!r.ok) throw new NetriskError(r.issues);
      return r.value;
    },
  });
}
