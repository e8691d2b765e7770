/**
 * Scenario sources for statistical margin: historical, filtered historical and Monte Carlo joint scenario sets
 * (src/risk/joint.ts), the factor model behind Monte Carlo, and the shared options. Named and user stresses are in
 * src/risk/stress; history parsing in src/risk/history; file reading in src/io/history-files.ts.
 * @module
 */
export { MAX_HORIZON_DAYS } from "./common.js";
export type { DateRange, FactorSelection } from "./common.js";
export { historicalScenarios } from "./historical.js";
export type { HistoricalOptions, MissingVolPolicy } from "./historical.js";
export { filteredHistoricalScenarios } from "./filtered.js";
export type { FilteredOptions } from "./filtered.js";
export { DEFAULT_EWMA_LAMBDA, DEFAULT_EWMA_SEED_DAYS } from "./ewma.js";
export { estimateFactorModel, factorKeys, factorModelFromInput, withCorrelation } from "./factor-model.js";
export type { EstimateOptions, FactorModel, FactorModelInput } from "./factor-model.js";
export { correlationSquareRoot, monteCarloScenarios } from "./montecarlo.js";
export type { MonteCarloOptions } from "./montecarlo.js";
