/**
 * Health states with hysteresis (docs/live.md, "Health and hysteresis"). The account layer's assessment
 * (account/health.ts) decides the state of a set of figures on its own; live, an account at a boundary would flap
 * with every tick. So a state is entered as soon as its threshold is crossed, and left for a better one only once the
 * maintenance ratio is back below the threshold × (1 − buffer) (Drift's liquidation buffer; Mango ends a liquidation
 * at a higher health than the one that started it). Bankrupt is left when equity ≥ buffer × MM.
 * @module
 */
import { assessHealth, HEALTH_STATES, severity } from "../account/health.js";
import type { HealthFigures, HealthState } from "../account/health.js";
import type { HealthThresholds } from "../account/rules.js";
import type { LiveParams } from "./params.js";

/**
 * The state `assessHealth` (account/health.ts) gives, without building its reason: the same comparisons in the same
 * order (a unit test holds the two together).
 */
export function rawHealthState(f: HealthFigures, t: HealthThresholds): HealthState {
  return HEALTH_STATES[rawHealthIndex(f.equityUsd, f.maintenanceMarginUsd, t)] as HealthState;
}

/**
 * {@link rawHealthState} as an index into HEALTH_STATES, from two numbers: the shared per-account pass (chunk.ts)
 * runs it on every re-margined account, on any thread, with no object.
 */
export function rawHealthIndex(equityUsd: number, maintenanceMarginUsd: number, t: HealthThresholds): number {
  const mm = maintenanceMarginUsd;
  const e = equityUsd;
  if (e < 0) return BANKRUPT_INDEX;
  if (mm > 0 && mm >= t.liquidationRatio * e) return LIQUIDATION_INDEX;
  const r = e > 0 ? mm / e : 0;
  if (r >= t.marginCallRatio) return 2;
  if (r >= t.warningRatio) return 1;
  return 0;
}

/** Indices of the two states whose hand-off can emit a liquidation trigger (HEALTH_STATES order). */
export const LIQUIDATION_INDEX = 3;
export const BANKRUPT_INDEX = 4;

/** The state after `figures`, given the state held before (hysteresis only slows improvements). */
export function nextHealthState(held: HealthState | undefined, figures: HealthFigures, thresholds: HealthThresholds, hysteresis: LiveParams["hysteresis"]): { state: HealthState; reason: string } {
  const raw = assessHealth(figures, thresholds);
  if (held === undefined || severity(raw.state) >= severity(held)) return { state: raw.state, reason: raw.reason };
  const e = figures.equityUsd;
  const mm = figures.maintenanceMarginUsd;
  // Leave each state on the way down only past its exit level.
  const levelOf = (s: HealthState): string => {
    switch (s) {
      case "bankrupt":
        return `equity ≥ ${hysteresis.bankrupt} × MM`;
      case "liquidation":
        return `ratio < ${(thresholds.liquidationRatio * (1 - hysteresis.liquidation) * 100).toFixed(2)} %`;
      case "margin_call":
        return `ratio < ${(thresholds.marginCallRatio * (1 - hysteresis.marginCall) * 100).toFixed(2)} %`;
      case "warning":
        return `ratio < ${(thresholds.warningRatio * (1 - hysteresis.warning) * 100).toFixed(2)} %`;
      default:
        return "";
    }
  };
  let state = held;
  while (severity(state) > severity(raw.state)) {
    if (!exits(state, e, mm, thresholds, hysteresis)) return { state, reason: `${raw.reason}; stays ${state} until ${levelOf(state)} (hysteresis)` };
    state = HEALTH_STATES[severity(state) - 1] as HealthState;
  }
  return { state: raw.state, reason: raw.reason };
}

/** Whether an account held in state `s` may leave it for a better one: past its exit level (see the module doc). */
function exits(s: HealthState, e: number, mm: number, thresholds: HealthThresholds, hysteresis: LiveParams["hysteresis"]): boolean {
  const r = e > 0 ? mm / e : mm > 0 ? Infinity : 0;
  switch (s) {
    case "bankrupt":
      return e >= hysteresis.bankrupt * mm && e >= 0;
    case "liquidation":
      return r < thresholds.liquidationRatio * (1 - hysteresis.liquidation);
    case "margin_call":
      return r < thresholds.marginCallRatio * (1 - hysteresis.marginCall);
    case "warning":
      return r < thresholds.warningRatio * (1 - hysteresis.warning);
    default:
      return true;
  }
}

/**
 * The state {@link nextHealthState} gives, without its reason: the same steps, no string built. An account the
 * hysteresis holds in its state (every round of a liquidation whose steps improve the ratio) needs no reason.
 */
export function nextHealthStateOnly(held: HealthState, figures: HealthFigures, thresholds: HealthThresholds, hysteresis: LiveParams["hysteresis"]): HealthState {
  const raw = rawHealthState(figures, thresholds);
  if (severity(raw) >= severity(held)) return raw;
  let state = held;
  while (severity(state) > severity(raw)) {
    if (!exits(state, figures.equityUsd, figures.maintenanceMarginUsd, thresholds, hysteresis)) return state;
    state = HEALTH_STATES[severity(state) - 1] as HealthState;
  }
  return raw;
}

/**
 * The deposit (USD) that ends a margin call: the equity at which the maintenance ratio falls below the margin-call
 * exit level, minus the equity now (0 when already there).
 */
export function marginCallAmountUsd(figures: HealthFigures, thresholds: HealthThresholds, hysteresis: LiveParams["hysteresis"]): number {
  const exit = thresholds.marginCallRatio * (1 - hysteresis.marginCall);
  return Math.max(0, figures.maintenanceMarginUsd / exit - figures.equityUsd);
}

/** The deposit (USD) that makes the account healthy (ratio below the warning exit level). */
export function healthyAmountUsd(figures: HealthFigures, thresholds: HealthThresholds, hysteresis: LiveParams["hysteresis"]): number {
  const exit = thresholds.warningRatio * (1 - hysteresis.warning);
  return Math.max(0, figures.maintenanceMarginUsd / exit - figures.equityUsd);
}
