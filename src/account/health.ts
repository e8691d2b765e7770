/**
 * Health states of an account and the events of a change of state.
 *
 * States, from the maintenance ratio r = MM / equity and configurable thresholds (account rules `health`):
 *   bankrupt      equity < 0
 *   liquidation   MM ≥ liquidationRatio × equity (MM > 0), or equity = 0 with MM > 0
 *   margin_call   r ≥ marginCallRatio
 *   warning       r ≥ warningRatio
 *   healthy       otherwise (including the empty account: equity = MM = 0)
 * A transition is an event with the figures before and after and the reason (what caused it).
 * @module
 */
import type { HealthThresholds } from "./rules.js";

export const HEALTH_STATES = ["healthy", "warning", "margin_call", "liquidation", "bankrupt"] as const;
export type HealthState = (typeof HEALTH_STATES)[number];

/** The figures a health state is decided on, USD. */
export interface HealthFigures {
  readonly equityUsd: number;
  readonly initialMarginUsd: number;
  readonly maintenanceMarginUsd: number;
  /** MM / equity; null when equity ≤ 0 and MM > 0 (no meaningful ratio). */
  readonly maintenanceRatio: number | null;
}

export interface HealthAssessment {
  readonly state: HealthState;
  /** One sentence: which threshold the ratio crossed (or not). */
  readonly reason: string;
  /** The thresholds used. */
  readonly thresholds: HealthThresholds;
}

export interface HealthEvent {
  readonly from: HealthState;
  readonly to: HealthState;
  readonly direction: "worse" | "better";
  /** What caused it (e.g. "trade BTC-PERPETUAL +2", "market move BTC −12 %"). */
  readonly cause: string;
  /** Why the new state applies (the assessment's reason). */
  readonly reason: string;
  readonly before: HealthFigures;
  readonly after: HealthFigures;
}

/**
 * MM / equity, or null when there is no meaningful ratio (equity ≤ 0 with MM > 0, or an equity so small that the
 * quotient overflows: 1e-305 USD of collateral against any margin, found by the fuzz run); 0 for an empty account.
 */
export function maintenanceRatioOf(equityUsd: number, maintenanceMarginUsd: number): number | null {
  if (equityUsd > 0) {
    const r = maintenanceMarginUsd / equityUsd;
    return Number.isFinite(r) ? r : null;
  }
  return equityUsd === 0 && maintenanceMarginUsd === 0 ? 0 : null;
}

// An equity of a few subnormal USD makes MM / equity overflow: said in words, never printed as "Infinity %".
const pct = (x: number): string => (Number.isFinite(x) ? `${(x * 100).toFixed(2)} %` : "unbounded (equity ≈ 0)");

/** x / equity as {@link maintenanceRatioOf} defines it, for any figure x (IM too): null when not meaningful. */
export function ratioToEquity(x: number, equityUsd: number): number | null {
  return maintenanceRatioOf(equityUsd, x);
}

/** Classify figures into a health state (see the module doc). Pure; the figures must be finite. */
export function assessHealth(f: HealthFigures, t: HealthThresholds): HealthAssessment {
  const mm = f.maintenanceMarginUsd;
  const e = f.equityUsd;
  const at = (state: HealthState, reason: string): HealthAssessment => ({ state, reason, thresholds: t });
  if (e < 0) return at("bankrupt", `equity ${e.toFixed(2)} USD is negative`);
  if (mm > 0 && mm >= t.liquidationRatio * e) {
    return at("liquidation", e === 0 ? "equity is 0 with a maintenance margin" : `maintenance ratio ${pct(mm / e)} ≥ liquidation threshold ${pct(t.liquidationRatio)}`);
  }
  const r = e > 0 ? mm / e : 0;
  if (r >= t.marginCallRatio) return at("margin_call", `maintenance ratio ${pct(r)} ≥ margin-call threshold ${pct(t.marginCallRatio)}`);
  if (r >= t.warningRatio) return at("warning", `maintenance ratio ${pct(r)} ≥ warning threshold ${pct(t.warningRatio)}`);
  return at("healthy", `maintenance ratio ${pct(r)} < warning threshold ${pct(t.warningRatio)}`);
}

/** Severity rank of a state: 0 healthy … 4 bankrupt. */
export function severity(state: HealthState): number {
  return HEALTH_STATES.indexOf(state);
}

/**
 * The event of going from `before` to `after`, or undefined when the state did not change.
 * @param cause - what changed the account (a trade, a market move, a liquidation step).
 */
export function healthEvent(
  before: HealthFigures,
  after: HealthFigures,
  thresholds: HealthThresholds,
  cause: string,
): HealthEvent | undefined {
  const a = assessHealth(before, thresholds);
  const b = assessHealth(after, thresholds);
  if (a.state === b.state) return undefined;
  return {
    from: a.state,
    to: b.state,
    direction: severity(b.state) > severity(a.state) ? "worse" : "better",
    cause,
    reason: b.reason,
    before: pick(before),
    after: pick(after),
  };
}

/** The events along a sequence of figures (e.g. the steps of a liquidation plan), with one cause per transition. */
export function healthEvents(
  sequence: readonly { readonly figures: HealthFigures; readonly cause: string }[],
  thresholds: HealthThresholds,
): HealthEvent[] {
  const out: HealthEvent[] = [];
  for (let i = 1; i < sequence.length; i++) {
    const prev = sequence[i - 1];
    const next = sequence[i];
    if (prev === undefined || next === undefined) continue;
    const e = healthEvent(prev.figures, next.figures, thresholds, next.cause);
    if (e !== undefined) out.push(e);
  }
  return out;
}

function pick(f: HealthFigures): HealthFigures {
  return {
    equityUsd: f.equityUsd,
    initialMarginUsd: f.initialMarginUsd,
    maintenanceMarginUsd: f.maintenanceMarginUsd,
    maintenanceRatio: f.maintenanceRatio,
  };
}
