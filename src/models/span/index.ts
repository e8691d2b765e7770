/**
 * CME SPAN: the venue-neutral arithmetic (scenarios, scanning, spreads, SOM, NOV) and the crypto SPAN margin model
 * with its parameter schema. Methodology: docs/methodology.md "SPAN".
 * @module
 */
export { CME_STANDARD_EXTREME, futureRiskArray, roundToMultiple, SPAN_SCENARIO_COUNT, spanScenarios } from "./scenarios.js";
export type { ExtremeScenarioParams, SpanScenario, SpanVolDirection } from "./scenarios.js";
export { deliveryCharge, formSpreads, interSpreadCredits, intraSpreadCharge, scanningSpreadVector } from "./spreads.js";
export type { DeliveryChargeParams, FormedSpread, InterSpreadDef, IntraResult, IntraSpreadDef, SpreadLeg } from "./spreads.js";
export { argMax, computeSpan, netOptionValue, riskDecomposition, scenarioLossVector, shortOptionMinimum, weightedPriceRisk } from "./core.js";
export type { NovMode, SomMethod, SpanCommodityParams, SpanCommodityResult, SpanOptions, SpanPortfolioResult, SpanPosition, WprMethod } from "./core.js";
export { spanContractArray } from "./arrays.js";
export type { SpanArrayParams, SpanContractArray } from "./arrays.js";
export { parseSpanParams, spanParamsSchema } from "./params.js";
export type { SpanCryptoCommodity, SpanParams, SpanTier } from "./params.js";
export { computeSpanMargin, createSpanModel, SPAN_MODEL_ID, tierOf } from "./model.js";
export type { SpanModel } from "./model.js";
