/**
 * The one interface every margin model implements (risk matrix with venue presets, standard, later VaR/ES, SPAN),
 * and the portfolio it consumes. One shared contract test suite runs against every implementation.
 * @module
 */
import type { MarketContext } from "../market/context.js";
import type { ResolvedPortfolio } from "../risk/portfolio.js";

// The portfolio types live with the risk layer (valuation needs them too); re-exported here for models.
export type { ResolvedPortfolio, ResolvedPosition } from "../risk/portfolio.js";

export interface ParameterSetInfo {
  readonly name: string;
  readonly version: string;
  /** ISO date (YYYY-MM-DD) from which the parameters apply. */
  readonly effective: string;
}

export type VolMove = "down" | "unchanged" | "up";

/** One scenario's portfolio P&L in a currency bucket. */
export interface ScenarioPnl {
  readonly id: string;
  /** Relative price move of the underlying, e.g. −0.16. */
  readonly priceMove: number;
  readonly volMove: VolMove | "skew-linear" | "skew-abs" | "basis";
  /** True for extended/tail scenarios. */
  readonly tail: boolean;
  /** P&L after the model's aggregation rules (offsets, dampeners, weights), in the bucket's currency. */
  readonly pnl: number;
}

/** A position's share of the worst-scenario loss. */
export interface PositionContribution {
  readonly instrument: string;
  readonly sizeCoin: number;
  /** P&L of this position in the worst scenario, in the bucket's currency (sums to the bucket's raw worst P&L). */
  readonly pnl: number;
}

/** Margin of one bucket (a settlement currency, or an underlying for models that segregate per underlying). */
export interface BucketMargin {
  /** Currency the figures are in. */
  readonly currency: string;
  readonly initialMargin: number;
  readonly maintenanceMargin: number;
  readonly initialMarginUsd: number;
  readonly maintenanceMarginUsd: number;
  /** Every component, named as in docs/methodology.md (worstCase, rollShock, deltaShock, ...), in `currency`. */
  readonly components: Readonly<Record<string, number>>;
  readonly worstScenario?: { readonly id: string; readonly priceMove: number; readonly volMove: ScenarioPnl["volMove"]; readonly tail: boolean };
  readonly scenarios?: readonly ScenarioPnl[];
  readonly contributions?: readonly PositionContribution[];
  /** Model-specific intermediate figures (e.g. Derive's MtM, static discounts, contingencies), for audit. */
  readonly details?: Readonly<Record<string, unknown>>;
}

export interface MarginResult {
  readonly model: string;
  readonly parameterSet: ParameterSetInfo;
  readonly byCurrency: Readonly<Record<string, BucketMargin>>;
  readonly totalUsd: { readonly initialMargin: number; readonly maintenanceMargin: number };
  /** Size convention(s) used by the input positions, e.g. ["coin"] or ["coin", "usd"]. */
  readonly sizeConventions: readonly ("coin" | "usd")[];
  readonly notes: readonly string[];
}

/** A margin model: pure function of portfolio and market (and its own parameter set, bound at construction). */
export interface MarginModel {
  readonly id: string;
  readonly parameterSet: ParameterSetInfo;
  compute(portfolio: ResolvedPortfolio, market: MarketContext): MarginResult;
}
