/**
 * Types of a margin backtest: what goes in (portfolio, snapshot market, history, model, options) and what comes out
 * (the daily series, breaches, coverage tests, procyclicality). Methodology: docs/methodology.md "Backtesting".
 * @module
 */
import type { Result } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import type { MarginModel, ParameterSetInfo, ResolvedPortfolio } from "../models/types.js";
import type { History } from "../risk/history/types.js";
import type { BasisMode } from "./day-market.js";
import type { RebalanceMode } from "./book.js";
import type { Procyclicality } from "./procyclicality.js";
import type { ChristoffersenTest, KupiecTest, LikelihoodRatioTest } from "./stats.js";

/**
 * A model re-bound every day to what is known that day (statistical models: scenarios from the history up to t).
 * The walk passes `known`, the history TRUNCATED after `day`, so a provider cannot look ahead.
 */
export interface DailyModel {
  readonly id: string;
  readonly parameterSet: ParameterSetInfo;
  /** The model to margin day `day` (days since 1970-01-01 UTC) with, from `known` only. */
  modelOn(day: number, known: History): Result<MarginModel>;
  /**
   * The model for a single margin call on `day` (today's margin), when it differs from {@link modelOn}: with an
   * anti-procyclicality buffer the walk applies the buffer over the series, a single call inside the model.
   */
  modelAt?(day: number, known: History): Result<MarginModel>;
  /** Choices the provider made (window length, stress floor), reported in the result's notes. */
  readonly notes?: readonly string[];
  /**
   * Days of history the model needs before its first margin day (a statistical model's fewest windows plus the
   * horizon); without `from`, the backtest starts that many days after the first day every series covers.
   */
  readonly warmUpDays?: number;
  /**
   * Anti-procyclicality buffer (EMIR Art. 28(1)(a)) applied by the walk to the margin series (models/var/apc.ts
   * `releasableBuffer`): a rule over time that a one-day model cannot apply.
   */
  readonly buffer?: { readonly bufferDecimal: number; readonly rebuildDays: number };
}

/** What a backtest runs. */
export interface BacktestInput {
  /** The portfolio, validated against `market` (its shape: instruments, sizes, collateral). */
  readonly portfolio: ResolvedPortfolio;
  /** The real snapshot whose forward-curve basis and vol-surface shape the historical days borrow. */
  readonly market: MarketContext;
  /** Daily closes of every currency the portfolio needs, and vol indices (DVOL) where available. */
  readonly history: History;
  readonly model: MarginModel | DailyModel;
}

/** Progress of a running backtest, reported after each margin day. */
export interface BacktestProgress {
  readonly done: number;
  readonly total: number;
  /** The margin day just finished, `YYYY-MM-DD`. */
  readonly date: string;
}

/** Options of a backtest; every field has a documented default. */
export interface BacktestOptions {
  /** First margin day, `YYYY-MM-DD` (default: the first day every needed series covers). */
  readonly from?: string;
  /** Last margin day, `YYYY-MM-DD` (default: the last day whose horizon end every series covers). */
  readonly to?: string;
  /** Margin period of risk h in days: the loss is measured from the close of t to the close of t + h. Default 2. */
  readonly horizonDays?: number;
  /** `coin` (default): sizes held in coin; `usd`: rescaled daily to the snapshot's USD notional. */
  readonly rebalance?: RebalanceMode;
  /** Coverage level the tests expect: breach probability 1 − confidence. Default 0.99. */
  readonly confidence?: number;
  /** Which margin must cover the loss: `initial` (default) or `maintenance`. */
  readonly margin?: "initial" | "maintenance";
  /** Futures and forwards: the snapshot's basis ratio (default) or flat at the index. */
  readonly basis?: BasisMode;
  /**
   * Anti-procyclicality buffer (EMIR Art. 28(1)(a)) over the margin series of any model (models/var/apc.ts
   * `releasableBuffer`); a statistical daily model's own buffer takes precedence. Default: none.
   */
  readonly buffer?: { readonly bufferDecimal: number; readonly rebuildDays: number };
  /**
   * Anti-procyclicality look-back floor (EMIR Art. 28(1)(c)) for a fixed model (risk matrix, SPAN, ...): each day's
   * margin floored by the same model's margin with the vols at their root-mean-square level over the last `years`
   * (backtest/vol-floor.ts). A statistical daily model floors with its own historical scenarios; this is ignored for it.
   */
  readonly lookbackFloor?: { readonly years: number };
  /** Called after each margin day (the engine emits; a front end decides whether to draw a bar). */
  readonly onProgress?: (progress: BacktestProgress) => void;
}

/** One breach: the realised loss exceeded the margin. */
export interface Breach {
  readonly date: string;
  readonly marginUsd: number;
  readonly lossUsd: number;
  /** lossUsd − marginUsd (> 0). */
  readonly excessUsd: number;
}

/** The settings a backtest ran with (defaults resolved). */
export interface BacktestSettings {
  readonly from: string;
  readonly to: string;
  readonly horizonDays: number;
  readonly rebalance: RebalanceMode;
  readonly confidence: number;
  readonly margin: "initial" | "maintenance";
  readonly basis: BasisMode;
  /** The snapshot's time stamp, ISO 8601. */
  readonly snapshotAsOf: string;
}

/** Daily series, aligned: one entry per margin day. */
export interface BacktestSeries {
  readonly dates: readonly string[];
  /** Margin on day t, USD (with an anti-procyclicality buffer: the charged margin). */
  readonly marginUsd: readonly number[];
  /** With an anti-procyclicality buffer or a fixed model's look-back floor only: the calculated margin before them, USD. */
  readonly calculatedMarginUsd?: readonly number[];
  /** Realised loss of day t's book from the close of t to the close of t + h, USD (negative = a gain). */
  readonly lossUsd: readonly number[];
}

export interface BacktestCoverage {
  readonly observations: number;
  readonly breaches: number;
  /** Share of days whose loss the margin covered: 1 − breaches / observations. */
  readonly coverageRatio: number;
  /** observations × (1 − confidence). */
  readonly expectedBreaches: number;
  /** Mean of lossUsd − marginUsd over breach days (0 without breaches). */
  readonly meanExcessUsd: number;
  /** Largest lossUsd / marginUsd over days with a positive margin (null when no day has one). */
  readonly worstLossToMargin: number | null;
}

/** Everything a backtest reports. */
export interface BacktestResult {
  readonly model: string;
  readonly parameterSet: ParameterSetInfo;
  readonly settings: BacktestSettings;
  readonly series: BacktestSeries;
  readonly coverage: BacktestCoverage;
  readonly breaches: readonly Breach[];
  readonly kupiec: KupiecTest;
  readonly christoffersen: ChristoffersenTest;
  /** Christoffersen's conditional coverage (Kupiec + independence, chi-square 2 dof). */
  readonly conditionalCoverage: LikelihoodRatioTest;
  readonly procyclicality: Procyclicality;
  /** Assumptions, data coverage (DVOL days), and the model's notes on the first day. */
  readonly notes: readonly string[];
}
