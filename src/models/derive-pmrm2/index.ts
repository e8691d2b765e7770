/**
 * Derive PMRM_2 preset of the risk-matrix family: parameter schema, plain-math kernels and the MarginModel.
 * Reference: /work/shared/reference/derive-pmrm2.md (numbers and formulas only; Derive's code is BUSL-1.1).
 * @module
 */
export { derivePmrm2ParamsSchema, parseDerivePmrm2Params } from "./params.js";
export type { DerivePmrm2Params, DeriveScenarioParams, DeriveCollateralParams } from "./params.js";
export type { DeriveBucketInput, DeriveExpiryInput, DeriveOptionLeg, DerivePerpInput, DeriveCollateralInput } from "./inputs.js";
export { evaluateDeriveBucket } from "./bucket.js";
export type { DeriveBucketReport, DeriveExpiryReport, DeriveScenarioOutcome, DeriveContribution } from "./bucket.js";
export { arrangeDerivePortfolio, DERIVE_CASH_CURRENCY } from "./arrange.js";
export type { DeriveArrangement } from "./arrange.js";
export { computeDerivePmrm2, createDerivePmrm2Model, deriveBucketMargin, parameterSetInfo, DERIVE_PMRM2_MODEL_ID } from "./model.js";
export { DERIVE_SECONDS_PER_YEAR, deriveTauYears, forwardPortions, volMultipliers } from "./scenarios.js";
