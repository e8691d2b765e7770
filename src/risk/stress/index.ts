/**
 * Stress scenarios: the named crypto stress periods (dates only), their moves derived from history, and
 * user-defined scenarios. The user file's schema is in src/io/stress-scenarios.ts.
 * @module
 */
export { findStressPeriod, NAMED_STRESS_PERIODS } from "./periods.js";
export type { StressPeriod } from "./periods.js";
export { namedStressScenarios } from "./named.js";
export type { NamedStressOptions } from "./named.js";
export { userStressScenarios } from "./user.js";
export type { UserStressScenario } from "./user.js";
