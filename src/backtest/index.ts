/**
 * Model validation over real price history: the backtest walk, its coverage tests (Kupiec, Christoffersen),
 * procyclicality measures, statistical models re-bound daily, and the HTML report. Methodology: docs/methodology.md
 * "Backtesting".
 * @module
 */
export type { BacktestCoverage, BacktestInput, BacktestOptions, BacktestProgress, BacktestResult, BacktestSeries, BacktestSettings, Breach, DailyModel } from "./types.js";
export { coverageOf, historyUpTo, isDailyModel, runBacktest } from "./walk.js";
export { MAX_BACKTEST_HORIZON_DAYS } from "./setup.js";
export type { RebalanceMode } from "./book.js";
export { roundStrike } from "./book.js";
export type { BasisMode } from "./day-market.js";
export { chiSquare1Sf, chiSquare2Sf, christoffersenIndependence, conditionalCoverage, kupiecPof } from "./stats.js";
export type { ChristoffersenTest, KupiecTest, LikelihoodRatioTest } from "./stats.js";
export { largestIncrease, peakToTrough, procyclicality } from "./procyclicality.js";
export type { MarginIncrease, PeakToTrough, Procyclicality } from "./procyclicality.js";
export { DEFAULT_WINDOW_DAYS, statisticalDailyModel } from "./statistical.js";
export type { StatisticalDailyOptions } from "./statistical.js";
export { renderBacktestHtml } from "./report-html.js";
export type { HtmlReportOptions } from "./report-html.js";
