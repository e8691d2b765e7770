/**
 * netrisk, the library: a portfolio-margin engine for crypto derivatives. The CLI (`netrisk`) is a thin front end
 * over exactly these exports. Layers (see ARCHITECTURE in docs/architecture.md): math → market → pricing → risk →
 * models → account, with io for file formats.
 *
 * @example
 * ```ts
 * import { loadMarketFile, buildMarketContext, validatePortfolio, loadModel, unwrap } from "netrisk";
 * const market = unwrap(buildMarketContext(unwrap(loadMarketFile("market.json")).snapshot));
 * const portfolio = unwrap(validatePortfolio({ positions: [{ instrument: "BTC-PERPETUAL", size: 1 }] }, market));
 * const margin = unwrap(loadModel("deribit")).compute(portfolio, market);
 * console.log(margin.totalUsd.initialMargin);
 * ```
 * @module
 */

// Errors as data.
export * from "./errors.js";
export { VERSION } from "./version.js";

// math
export { normCdf, normInv, normPdf } from "./math/normal.js";

// market
export type * from "./market/types.js";
export { MS_PER_DAY, MS_PER_YEAR, yearsBetween } from "./market/types.js";
export type { MarketContext, OptionMarketInputs } from "./market/context.js";
export { formatInstrument, parseInstrument } from "./market/instrument.js";
export { buildForwardCurve } from "./market/forward-curve.js";
export type { ForwardCurve, ForwardQuote } from "./market/forward-curve.js";
export { buildMarketContext } from "./pricing/build-context.js";
export type { BuiltMarketContext, MarketContextOptions } from "./pricing/build-context.js";
export { buildVolSurface } from "./market/vol-surface.js";
export type { SurfaceFitReport, VolQuote, VolSurface, VolSurfaceOptions } from "./market/vol-surface.js";

// pricing
export * from "./pricing/index.js";

// risk
export type { AccountBook, RiskArrays } from "./risk/types.js";
export type { JointScenarioSet } from "./risk/joint.js";
export { buildRiskArrays } from "./risk/risk-arrays.js";
export { valuePortfolio } from "./risk/valuation.js";
export { checkJointScenarioSet, compileRevaluationBook, groupsByLeg, groupsByUnderlying, revalue } from "./risk/revaluation.js";
export type { RevaluationBook, RevaluationLeg, VolConvention } from "./risk/revaluation.js";
export { revalueReference } from "./risk/revaluation-reference.js";
export { componentEs, lossHistogram, tailCountFor, tailMeasures } from "./risk/measures.js";
export type { TailMeasures } from "./risk/measures.js";

// models
export type * from "./models/types.js";
export { createModel, DEFAULT_PRESETS, MODEL_IDS } from "./models/registry.js";
export { compareModels } from "./models/compare.js";
export type { ModelComparison, ModelMargin } from "./models/compare.js";
export { createRiskMatrixModel, computeRiskMatrixMargin, parseRiskMatrixParams } from "./models/risk-matrix/index.js";
export { createDerivePmrm2Model, computeDerivePmrm2, parseDerivePmrm2Params } from "./models/derive-pmrm2/index.js";
export { createStandardModel, computeStandard } from "./models/standard/model.js";
export { parseStandardParams } from "./models/standard/params.js";
export { computeSpan, computeSpanMargin, createSpanModel, parseSpanParams, spanScenarios } from "./models/span/index.js";
export { computeGreeksMargin, createGreeksModel, parseGreeksParams } from "./models/greeks/index.js";
export { computeVarMargin, computeVarReport, createVarModel, parseHybridParams, parseVarParams, stressTest } from "./models/var/index.js";
export type { StatisticalInputs, VarModel, VarReport } from "./models/var/index.js";
export { computeHybridMargin, createHybridModel } from "./models/hybrid/index.js";

// account: collateral, figures, health, what-if, searches, liquidation planning, hedges
export * from "./account/index.js";

// backtest: model validation over price history (coverage tests, procyclicality, HTML report)
export * from "./backtest/index.js";

// live: the live core (ticks, fills, parameter versions in; figures and events out), circuit breakers, replays
export * from "./live/index.js";

// io: file formats and loaders (these read files; the engine above does not)
export { parseMarketJson, validateMarket, marketSnapshotToJson } from "./io/market.js";
export { loadMarketFile } from "./io/load-market.js";
export { parsePortfolioJson, validatePortfolio } from "./io/portfolio.js";
export { loadModel, loadPreset } from "./io/presets.js";
export { accountFileSchema, loadAccount, parseTradeSpec, parseTradeSpecs } from "./io/account.js";
export type { AccountFile, LoadedAccount } from "./io/account.js";
export { FILE_SCHEMAS, toJsonSchema } from "./io/json-schema.js";
export { parseTickLines, tickSchema, tickToJson, validateBreakerRules, validateLiveParams, validateTick } from "./io/live.js";

// transport: the port that carries a live core's inputs and outputs, its in-process adapter and the runner
export { createInProcessTransport } from "./transport/in-process.js";
export { isPattern, isSubject, subjectMatches, subjectToken, SUBJECTS, TransportError } from "./transport/port.js";
export type { MessageHandler, PublishAck, PublishOptions, Subscription, SubscribeOptions, Transport, TransportMessage } from "./transport/port.js";
export { inputOfMessage, startLiveRunner } from "./transport/live-runner.js";
export type { LiveRunner, LiveRunnerOptions } from "./transport/live-runner.js";
