/**
 * Insurance-fund sizing, Cover-2 and reverse stress over a book (docs/cascade.md): built on the cascade engine
 * (src/live/cascade) and the live core. Pure: no I/O, no clock.
 * @module
 */
export { cover2 } from "./cover2.js";
export type { Cover2Input, Cover2Result, Cover2Scenario, Cover2ScenarioResult, GroupLoss } from "./cover2.js";
export { meanEstimate, quantileEstimate, sortedAscending } from "./quantiles.js";
export type { QuantileEstimate } from "./quantiles.js";
export { movesAt, onesMahalanobis, reverseStress } from "./reverse.js";
export type { ReverseStressInput, ReverseStressResult } from "./reverse.js";
export { DRAW_SOURCES, fundNeededUsd, sizeInsuranceFund, summarise } from "./sizing.js";
export type { DrawOutcome, DrawSource, FundDraw, SizingInput, SizingResult, SourceSizing } from "./sizing.js";
