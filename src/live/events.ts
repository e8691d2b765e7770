/**
 * The live core's events (docs/live.md, "Events"): every one has a global `eventSeq` (unique, increasing by one), the
 * `seq` of the input that caused it and the market time `ts` of that input. The replay prints them as JSON lines and
 * the service streams them in exactly this shape.
 * @module
 */
import type { HealthFigures, HealthState } from "../account/health.js";
import type { BreakerAction, UnderlyingState } from "./breakers.js";

interface EventBase {
  readonly eventSeq: number;
  readonly seq: number;
  /** Market time of the causing input, RFC 3339. */
  readonly ts: string;
}

/** The account's inputs are stale: an underlying it is exposed to has frozen marks or no fresh tick. */
export interface StaleFlag {
  readonly stale: true;
  /** Age of the oldest input the figures rest on (market time − that underlying's valuation time), ms. */
  readonly inputAgeMs: number;
  readonly underlyings: readonly string[];
}

export interface HealthChangedEvent extends EventBase {
  readonly type: "health_changed";
  readonly account: string;
  readonly from: HealthState;
  readonly to: HealthState;
  readonly direction: "worse" | "better";
  /** Why the new state applies (thresholds, hysteresis). */
  readonly reason: string;
  /** What changed the account: a tick, a fill, a balance change, a parameter version. */
  readonly cause: string;
  readonly before: HealthFigures;
  readonly after: HealthFigures;
  /** True when liquidation triggers are suspended by a circuit breaker for this account. */
  readonly liquidationSuspended?: true;
  readonly stale?: StaleFlag;
}

export interface MarginCallEvent extends EventBase {
  readonly type: "margin_call";
  readonly account: string;
  /** Deposit (USD) that ends the margin call (maintenance ratio back below its exit level). */
  readonly amountNeededUsd: number;
  /** Deposit (USD) that makes the account healthy. */
  readonly toHealthyUsd: number;
  readonly figures: HealthFigures;
}

export interface LiquidationEvent extends EventBase {
  readonly type: "liquidation";
  readonly account: string;
  readonly state: HealthState;
  readonly figures: HealthFigures;
  /** The engine's liquidation plan (account/liquidation.ts) at the market of this input, trades flattened to JSON. */
  readonly plan: unknown;
  /** True when the trigger fires after the state change: it had been suspended by a circuit breaker, or the account was in liquidation when the core started. */
  readonly deferred?: true;
}

export interface BreakerEvent extends EventBase {
  readonly type: "breaker";
  readonly underlying: string;
  readonly from: UnderlyingState;
  readonly to: UnderlyingState;
  readonly rule: string;
  readonly kind: "trip" | "reset";
  readonly reason: string;
  /** Actions in force after the change. */
  readonly actions: readonly BreakerAction[];
  readonly rules: { readonly name: string; readonly version: string };
}

export interface ParametersChangedEvent extends EventBase {
  readonly type: "parameters_changed";
  readonly parameterSet: { readonly name: string; readonly from: string; readonly to: string; readonly effective: string };
  readonly reason: string;
  /** Accounts re-margined on the new version. */
  readonly accounts: number;
}

export type LiveEvent = HealthChangedEvent | MarginCallEvent | LiquidationEvent | BreakerEvent | ParametersChangedEvent;
export type LiveEventType = LiveEvent["type"];
export const LIVE_EVENT_TYPES: readonly LiveEventType[] = ["health_changed", "margin_call", "liquidation", "breaker", "parameters_changed"];

/** An event before its sequence numbers are assigned. */
export type DraftEvent = LiveEvent extends infer E ? (E extends LiveEvent ? Omit<E, "eventSeq" | "seq" | "ts"> : never) : never;

/** Market time as the events write it. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}
