/**
 * Exchange-wide stress: liquidation cascades on the live core with liquidation policies and market impact as data,
 * the insurance fund, ADL and socialised loss (docs/cascade.md). Pure: no I/O, no clock.
 * @module
 */
export { runCascade } from "./cascade.js";
export type { CascadeOptions, CascadeResult, CascadeRound, CascadeStep, CascadeSummary } from "./cascade.js";
export { liquidationPolicySchema } from "./policy.js";
export type { LiquidationPolicy, LiquidationRule } from "./policy.js";
export { decayed, impactModelSchema, impactOf, logImpact, NO_IMPACT, slippageUsd } from "./impact.js";
export type { ImpactModel, UnderlyingImpact } from "./impact.js";
export { DUST_SHARE, feeOf, keepUnderRule, notionalUsd, planStep } from "./steps.js";
export type { StepPlan } from "./steps.js";
export { createCascadeCore } from "./core.js";
export type { CascadeCoreOptions } from "./core.js";
export { scenarioTick, shockTick } from "./path.js";
