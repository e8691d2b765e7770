/**
 * The Greeks-based ("portfolio delta") margin model in the ISDA SIMM shape: parameter schema, sensitivities,
 * aggregation kernels, model. Methodology: docs/methodology.md "Greeks-based margin".
 * @module
 */
export { cappedNet, correlatedSum, isCorrelationMatrix } from "./aggregate.js";
export type { Matrix } from "./aggregate.js";
export { greeksParamsSchema, parseGreeksParams } from "./params.js";
export type { GreeksParams, GreeksUnderlying, GreeksVegaBucket } from "./params.js";
export { addSensitivities, emptySensitivities, vegaBucketIndex } from "./sensitivities.js";
export type { UnderlyingSensitivities } from "./sensitivities.js";
export { computeGreeksMargin, createGreeksModel, GREEKS_MODEL_ID, greeksMarginFromSensitivities } from "./model.js";
export type { GreeksModel, GreeksUnderlyingMargin } from "./model.js";
