/**
 * The summary of a replay (the last line of `netrisk replay --json`): which accounts reached margin call, liquidation
 * and bankruptcy, the time accounts spent in each state, breaker trips, inputs by outcome, events by type, and the
 * latency per tick (measured by the caller: the live core reads no clock). Pure accumulation over the outcomes.
 * @module
 */
import { HEALTH_STATES, severity } from "../account/health.js";
import type { HealthState } from "../account/health.js";
import type { ApplyOutcome, LiveCore } from "./core.js";
import { isoTime } from "./events.js";

export interface ReplaySummary {
  readonly type: "summary";
  readonly accounts: number;
  readonly from: string;
  readonly to: string;
  readonly ticks: { readonly total: number; readonly applied: number; readonly ignored: number; readonly rejected: number; readonly unreadable: number };
  readonly warnings: Readonly<Record<string, number>>;
  readonly events: Readonly<Record<string, number>>;
  /** Accounts that were in margin call (or worse) at some point, sorted. */
  readonly marginCall: readonly string[];
  readonly liquidation: readonly string[];
  readonly bankrupt: readonly string[];
  /** Account-hours spent in each state over the replay. */
  readonly hoursInState: Readonly<Record<HealthState, number>>;
  readonly statesAtStart: Readonly<Record<HealthState, number>>;
  readonly statesAtEnd: Readonly<Record<HealthState, number>>;
  readonly breakerTrips: readonly { readonly seq: number; readonly ts: string; readonly underlying: string; readonly rule: string; readonly to: string }[];
  /** Time the core took per applied tick (figures and events out), ms. */
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number; readonly mean: number };
  readonly notes: readonly string[];
}

const zeroStates = (): Record<HealthState, number> => Object.fromEntries(HEALTH_STATES.map((s) => [s, 0])) as Record<HealthState, number>;

function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return 0;
  const k = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[k] as number;
}

/** Accumulates outcomes of a replay; `summary()` gives the last line. */
export function replayAccumulator(core: LiveCore) {
  const ids = core.accountIds();
  const startMs = core.market().timestampMs;
  const stateOf = new Map<string, HealthState>();
  const since = new Map<string, number>();
  const worst = new Map<string, number>();
  const hours = zeroStates();
  const atStart = zeroStates();
  for (const id of ids) {
    const s = core.figures(id)?.state ?? "healthy";
    stateOf.set(id, s);
    since.set(id, startMs);
    worst.set(id, severity(s));
    atStart[s]++;
  }
  const ticks = { total: 0, applied: 0, ignored: 0, rejected: 0, unreadable: 0 };
  const warnings: Record<string, number> = {};
  const events: Record<string, number> = {};
  const trips: { seq: number; ts: string; underlying: string; rule: string; to: string }[] = [];
  const latencies: number[] = [];
  let lastMs = startMs;
  return {
    /** A line of the tick file that could not be read as a tick. */
    unreadable(): void {
      ticks.total++;
      ticks.unreadable++;
    },
    add(outcome: ApplyOutcome, latencyMs: number): void {
      ticks.total++;
      ticks[outcome.status]++;
      if (outcome.status !== "applied") return;
      latencies.push(latencyMs);
      lastMs = core.market().timestampMs;
      for (const w of outcome.issues) warnings[w.code] = (warnings[w.code] ?? 0) + 1;
      for (const e of outcome.events) {
        events[e.type] = (events[e.type] ?? 0) + 1;
        if (e.type === "breaker" && e.kind === "trip") trips.push({ seq: e.seq, ts: e.ts, underlying: e.underlying, rule: e.rule, to: e.to });
        if (e.type !== "health_changed") continue;
        const t = Date.parse(e.ts);
        hours[e.from] += (t - (since.get(e.account) as number)) / 3_600_000;
        since.set(e.account, t);
        stateOf.set(e.account, e.to);
        worst.set(e.account, Math.max(worst.get(e.account) as number, severity(e.to)));
      }
    },
    summary(notes: readonly string[] = []): ReplaySummary {
      const h = { ...hours };
      const atEnd = zeroStates();
      for (const id of ids) {
        const s = stateOf.get(id) as HealthState;
        h[s] += (lastMs - (since.get(id) as number)) / 3_600_000;
        atEnd[s]++;
      }
      const reached = (s: HealthState) => ids.filter((id) => (worst.get(id) as number) >= severity(s)).sort();
      const sorted = [...latencies].sort((a, b) => a - b);
      return {
        type: "summary",
        accounts: ids.length,
        from: isoTime(startMs),
        to: isoTime(lastMs),
        ticks,
        warnings,
        events,
        marginCall: reached("margin_call"),
        liquidation: reached("liquidation"),
        bankrupt: reached("bankrupt"),
        hoursInState: h,
        statesAtStart: atStart,
        statesAtEnd: atEnd,
        breakerTrips: trips,
        latencyMs: { p50: quantile(sorted, 0.5), p99: quantile(sorted, 0.99), max: sorted[sorted.length - 1] ?? 0, mean: sorted.length > 0 ? sorted.reduce((s, x) => s + x, 0) / sorted.length : 0 },
        notes,
      };
    },
  };
}
