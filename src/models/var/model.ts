/**
 * The `var` margin model behind the {@link MarginModel} interface: IM = max(ES, stress floor) + liquidity +
 * concentration add-ons, MM = IM / initialToMaintenanceFactor, all in USD (one bucket, `USD`). The scenario sets are
 * bound at construction (statistical inputs built by the io/cli layer from history files), so `compute` stays a pure
 * function of portfolio and market. Methodology: docs/methodology.md "VaR and expected shortfall".
 * @module
 */
import { fail, NetriskError, ok } from "../../errors.js";
import type { Result } from "../../errors.js";
import type { MarketContext } from "../../market/context.js";
import type { BucketMargin, MarginModel, MarginResult, PositionContribution, ResolvedPortfolio, VolMove } from "../types.js";
import type { VarParams } from "./params.js";
import { checkStatisticalInputs, computeVarReport } from "./report.js";
import type { StatisticalInputs, VarReport } from "./report.js";

/** Registry id of the statistical model. */
export const VAR_MODEL_ID = "var";

/** A `var` model with its Result-returning entry point and the full report. */
export interface VarModel extends MarginModel {
  readonly params: VarParams;
  readonly inputs: StatisticalInputs;
  /** Like `compute`, but bad input comes back as issues instead of a thrown {@link NetriskError}. */
  computeResult(portfolio: ResolvedPortfolio, market: MarketContext): Result<MarginResult>;
  /** The full statistical report (what `netrisk var` prints). */
  report(portfolio: ResolvedPortfolio, market: MarketContext): Result<VarReport>;
}

/** Vol move of the worst scenario for the `worstScenario` summary: the dominant underlying's vol ratio vs 1. */
function volMoveOf(ratio: number | undefined): VolMove {
  return ratio === undefined || ratio === 1 ? "unchanged" : ratio > 1 ? "up" : "down";
}

/**
 * The USD bucket of a statistical margin: components named as in docs/methodology.md, the worst scenario (price move
 * of the underlying with the largest stand-alone ES), and each position's Euler contribution as `pnl` = −component ES
 * (so contributions sum to −ES, the tail's average P&L).
 */
export function varBucket(r: VarReport, components: Readonly<Record<string, number>>, im: number, mm: number, details: Readonly<Record<string, unknown>>): BucketMargin {
  const dominant = Object.entries(r.diversification.standaloneEsUsd).sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))[0]?.[0];
  const w = r.worst[0];
  const contributions = r.contributions.map((c): PositionContribution => ({ instrument: c.instrument, sizeCoin: c.sizeCoin, pnl: -c.componentEsUsd }));
  return {
    currency: "USD",
    initialMargin: im,
    maintenanceMargin: mm,
    initialMarginUsd: im,
    maintenanceMarginUsd: mm,
    components,
    ...(w !== undefined
      ? { worstScenario: { id: w.label, priceMove: dominant !== undefined ? (w.priceMoves[dominant] ?? 0) : 0, volMove: volMoveOf(dominant !== undefined ? w.volRatios[dominant] : undefined), tail: false } }
      : {}),
    contributions,
    details,
  };
}

/** The named components of a report (USD). */
export function varComponents(r: VarReport): Record<string, number> {
  return {
    valueAtRisk: r.varUsd,
    expectedShortfall: r.esUsd,
    stressLoss: r.stress?.worstLossUsd ?? 0,
    stressFloor: r.stress?.floorUsd ?? 0,
    marketRisk: r.marketRiskUsd,
    liquidity: r.liquidity.totalUsd,
    concentration: r.concentration.totalUsd,
    ...(r.antiProcyclicality?.lookbackFloor ? { lookbackFloor: r.antiProcyclicality.lookbackFloor.esUsd } : {}),
    ...(r.antiProcyclicality?.buffer ? { procyclicalityBuffer: r.antiProcyclicality.buffer.usd } : {}),
  };
}

/** The size conventions the portfolio's positions were given in, sorted (reported in every MarginResult). */
export function sizeConventions(p: ResolvedPortfolio): ("coin" | "usd")[] {
  return [...new Set(p.positions.map((x) => x.sizeConvention))].sort();
}

/** The `var` margin result of an already computed report (what {@link computeVarMargin} returns). */
export function varMarginFromReport(report: VarReport, portfolio: ResolvedPortfolio, params: VarParams): MarginResult {
  const { notes, ...details } = report;
  const bucket = varBucket(report, varComponents(report), report.initialMarginUsd, report.maintenanceMarginUsd, details);
  return {
    model: VAR_MODEL_ID,
    parameterSet: params.info,
    byCurrency: { USD: bucket },
    totalUsd: { initialMargin: report.initialMarginUsd, maintenanceMargin: report.maintenanceMarginUsd },
    sizeConventions: sizeConventions(portfolio),
    notes,
  };
}

/**
 * Margin of a portfolio under the `var` model. Pure. Issues: those of {@link computeVarReport}.
 */
export function computeVarMargin(portfolio: ResolvedPortfolio, market: MarketContext, params: VarParams, inputs: StatisticalInputs): Result<MarginResult> {
  const r = computeVarReport(portfolio, market, params, inputs);
  return r.ok ? ok(varMarginFromReport(r.value, portfolio, params)) : r;
}

/**
 * Bind a `var` model to its parameter set and scenario sets.
 * @returns the model, or the issues of {@link checkStatisticalInputs} (invalid sets, horizon mismatch, too few
 *   scenarios for the confidence).
 */
export function createVarModel(params: VarParams, inputs: StatisticalInputs): Result<VarModel> {
  const issues = checkStatisticalInputs(inputs, params);
  if (issues.length > 0) return fail(...issues);
  const computeResult = (p: ResolvedPortfolio, m: MarketContext): Result<MarginResult> => computeVarMargin(p, m, params, inputs);
  return ok({
    id: VAR_MODEL_ID,
    parameterSet: params.info,
    params,
    inputs,
    computeResult,
    report: (p, m) => computeVarReport(p, m, params, inputs),
    compute: (p, m) => {
      const r = computeResult(p, m);
      if (!r.ok) throw new NetriskError(r.issues);
      return r.value;
    },
  });
}

