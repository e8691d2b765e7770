/**
 * Joint scenarios for statistical margin (VaR / ES): each scenario moves every risk factor at once, so a
 * multi-underlying portfolio gets its diversification from the joint distribution, not from one grid per underlying.
 *
 * Produced by the scenario sources (historical, filtered historical, Monte Carlo, named stresses, user files) and
 * consumed by full revaluation in the statistical models.
 * @module
 */

/** How a scenario set was produced, reported in every output. */
export type JointScenarioMethod = "historical" | "filtered" | "montecarlo" | "stress" | "user";

/**
 * N scenarios over F price factors and V vol factors, in row-major Float64Arrays.
 *
 * - `priceFactors[f]` is a currency code (BTC, ETH, SOL, USDC, ...). `priceRelativeMove[n * F + f]` is the relative
 *   move S'/S − 1 of factor f in scenario n over the horizon (> −1).
 * - `volFactors[v]` is the base currency whose whole implied-vol surface moves (BTC, ETH).
 *   `volRatio[n * V + v]` multiplies every implied vol of that base in scenario n (> 0; 1 = unchanged). A base with
 *   no vol factor keeps its vols unchanged: `volFactorsMissing` lists the bases for which that was the case so the
 *   output can say so.
 * - `labels[n]` identifies a scenario: the end date of a historical window (`2020-03-12`), `mc:123`, a stress name.
 * - `weights` (optional, sums to 1) for weighted estimators; absent means equal weights 1/N.
 */
export interface JointScenarioSet {
  readonly method: JointScenarioMethod;
  readonly horizonDays: number;
  readonly count: number;
  readonly priceFactors: readonly string[];
  readonly priceRelativeMove: Float64Array;
  readonly volFactors: readonly string[];
  readonly volRatio: Float64Array;
  /**
   * Optional (added by the scenario sources): bases asked for as vol factors that have no vol history, whose implied
   * vols therefore stay unchanged in every scenario. Absent or empty when none.
   */
  readonly volFactorsMissing?: readonly string[];
  readonly labels: readonly string[];
  readonly weights?: Float64Array;
  /**
   * Optional (added by the scenario sources), Monte Carlo only: true when scenarios 2k and 2k+1 are antithetic pairs
   * (mirror images of one draw). A standard error must then treat each pair as one independent draw.
   */
  readonly antithetic?: boolean;
  /** Free-text provenance and choices (files, windows, EWMA lambda, seed, antithetic, ...), reported in outputs. */
  readonly notes: readonly string[];
}
