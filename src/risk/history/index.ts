/**
 * Daily history for the scenario sources: types, CSV layouts (parse.ts), validation (build.ts), UTC-day dates.
 * @module
 */
export type { DailySeries, History, SeriesKind } from "./types.js";
export { lastDay, priceSeries, valueOn, volSeries } from "./types.js";
export { combineHistories, detectHistoryFormat, factorFromFileName, parseHistoryCsv } from "./parse.js";
export type { HistoryFormat, ParseHistoryOptions } from "./parse.js";
export type { FillGaps } from "./build.js";
export { dayNumber, isoDay, parseHistoryDate } from "./dates.js";
