/**
 * The live core: the book, the current market, the risk arrays patched per tick, each account's figures and health,
 * events, circuit breakers; ticks, fills, balance changes, parameter versions and time in, figure updates and events
 * out. Pure: no I/O, no clock. docs/live.md.
 * @module
 */
export { createLiveCore } from "./core.js";
export type { ApplyOutcome, LiveAccountInput, LiveCore, LiveCoreOptions, LiveFigures, LiveInput } from "./core.js";
export type { RemarginExecutor, RemarginJob } from "./chunk.js";
export type { LiveWarning } from "./core-breakers.js";
export type { LivePosition } from "./book.js";
export { BREAKER_ACTIONS, breakerRulesSchema, NO_BREAKERS, UNDERLYING_STATES } from "./breakers.js";
export type { BreakerAction, BreakerRule, BreakerRules, BreakerTrigger, UnderlyingState } from "./breakers.js";
export { LIVE_EVENT_TYPES } from "./events.js";
export type { BreakerEvent, HealthChangedEvent, LiquidationEvent, LiveEvent, LiveEventType, MarginCallEvent, ParametersChangedEvent, StaleFlag } from "./events.js";
export { DEFAULT_LIVE_PARAMS, liveParamsSchema } from "./params.js";
export type { LiveParams } from "./params.js";
export { checkTickFields } from "./tick.js";
export type { Tick } from "./tick.js";
export { positionsDocument, positionsFromDocument } from "./documents.js";
export { generateDayTicks, parkinsonAnnualised, REALISED_VOL_RATIO_CAP } from "./tick-generator.js";
export type { DayOhlc, DayPathInput, VolRule } from "./tick-generator.js";
export type { ReduceInput } from "./core.js";
// Exchange-wide stress: liquidation cascades on the live core (docs/cascade.md).
export * from "./cascade/index.js";
