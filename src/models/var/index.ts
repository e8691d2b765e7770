/**
 * The statistical (`var`) margin model: parameter set, report, stress test, model. Methodology: docs/methodology.md
 * "VaR and expected shortfall", "Liquidity and concentration add-ons".
 * @module
 */
export { parseHybridParams, parseVarParams } from "./params.js";
export type { HybridParams, VarParams } from "./params.js";
export { APC_TOOLS, DEFAULT_APC, hasTool, releasableBuffer, withStressedWeight } from "./apc.js";
export type { AntiProcyclicalityParams, ApcTool } from "./apc.js";
export { checkStatisticalInputs, computeVarReport } from "./report.js";
export type { BreakdownSet, PositionEs, StatisticalInputs, VarReport, WorstScenario } from "./report.js";
export { scenarioMoves, stressTest } from "./stress.js";
export type { StressReport, StressScenarioResult } from "./stress.js";
export { collateralLabel, legsOf } from "./legs.js";
export { computeVarMargin, createVarModel, VAR_MODEL_ID, varBucket, varComponents, varMarginFromReport } from "./model.js";
export type { VarModel } from "./model.js";
