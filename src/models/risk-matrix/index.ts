/**
 * The scenario risk-matrix margin model (Deribit-style portfolio margin): parameter schema, model, shared risk arrays,
 * aggregation and add-ons. Methodology: docs/methodology.md "Risk-matrix model" and "Deribit preset".
 * @module
 */
export { parseRiskMatrixParams, riskMatrixParamsSchema } from "./params.js";
export type { CurrencyParams, MarginRelation, PairParams, RiskMatrixParams } from "./params.js";
export { buildRiskMatrixArrays, computeRiskMatrixMargin, createRiskMatrixModel, DERIBIT_MODEL_ID } from "./model.js";
export type { BucketInitialMarginInputs, RiskMatrixComputeOptions, RiskMatrixModel } from "./model.js";
export { aggregationRuleOf, bucketKeyOf, scenarioSetOf, standardCount, VOL_SLOTS } from "./scenario-set.js";
export { aggregateVector, extendedDampenerAmount, worstCaseLoss, worstIndex } from "./aggregation.js";
export type { AggregationRule } from "./aggregation.js";
export { deltaShock, futuresContingency, nakedShortOptionContingency, rollShock } from "./addons.js";
export type { AddonPosition } from "./addons.js";
