/**
 * Circuit breakers: versioned rules per underlying, each a trigger with actions, and the state machine
 * `normal | band_limited | halted | index_locked` per underlying (docs/live.md, "Circuit breakers"; sources:
 * ../shared/reference/wave2.md §4). Pure: rules and the state in, decisions and transitions out; the live core applies
 * the actions (freezing marks, flagging figures stale, suspending liquidation triggers, reduce-only, publishing a
 * widened parameter version).
 *
 * Triggers:
 * - `price_band`: the tick's index is more than `moveDecimal` away from any accepted index of the last
 *   `windowSeconds` (CME's dynamic circuit breaker over a rolling look-back; Coinbase Derivatives: 10 % in an hour).
 * - `vol_jump`: the underlying's vol level (mean implied vol of its listed options) moved more than `moveDecimal`
 *   relative to any level of the last `windowSeconds`.
 * - `index_divergence`: the tick's `indexSources` for the underlying spread more than `maxDivergenceDecimal` of their
 *   median (Deribit clips an exchange 0.5 % off the median and locks trading when no valid feed is left).
 * - `stale_feed`: no tick brought data for the underlying for `maxAgeSeconds` of market time (keepers refuse stale
 *   oracles: Drift ~20 s, Pyth 5 s). A tick whose values another breaker froze still counts as data.
 * A trip puts the underlying in the rule's `state` (the most severe active trip wins) until it resets: `auto` resets
 * when the condition is gone (fresh data for stale_feed, sources back together for index_divergence) or after
 * `afterSeconds` of market time (price_band, vol_jump); `manual` waits for an admin reset. After a reset of a price
 * band the next tick re-anchors the band (a reopening): it is accepted and the band's window restarts from it, so a
 * genuine move is accepted after the pause.
 * @module
 */
import { z } from "zod";
import { maxOf } from "../math/extent.js";

export const UNDERLYING_STATES = ["normal", "band_limited", "halted", "index_locked"] as const;
export type UnderlyingState = (typeof UNDERLYING_STATES)[number];

export const BREAKER_ACTIONS = ["freeze_marks", "clamp_marks", "suspend_liquidations", "reduce_only", "widen_scenarios"] as const;
export type BreakerAction = (typeof BREAKER_ACTIONS)[number];

const positive = z.number().finite().positive();
const currencyCode = z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/);

const triggerSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("price_band"), moveDecimal: positive.max(10), windowSeconds: positive.max(86_400 * 7) }),
  z.strictObject({ type: z.literal("vol_jump"), moveDecimal: positive.max(10), windowSeconds: positive.max(86_400 * 7) }),
  z.strictObject({ type: z.literal("index_divergence"), maxDivergenceDecimal: positive.max(1) }),
  z.strictObject({ type: z.literal("stale_feed"), maxAgeSeconds: positive.max(86_400 * 7) }),
]);

const ruleSchema = z
  .strictObject({
    id: z.string().regex(/^[A-Za-z0-9._-]{1,64}$/).meta({ description: "Rule id, unique in the file; named in breaker events." }),
    underlyings: z.union([z.literal("*"), z.array(currencyCode).min(1)]).meta({ description: "Underlyings the rule watches, or \"*\" for every underlying of the market." }),
    trigger: triggerSchema,
    state: z.enum(["band_limited", "halted", "index_locked"]).meta({ description: "State of the underlying while the rule is tripped." }),
    actions: z.array(z.enum(BREAKER_ACTIONS)).min(1),
    widen: z
      .strictObject({
        priceRangeFactor: z.number().finite().min(1).max(10).meta({ description: "Multiplier of the risk-matrix price range of the underlying (currency_pair price_range)." }),
        volRangeFactor: z.number().finite().min(1).max(10).optional().meta({ description: "Multiplier of volatility_range_up and volatility_range_down (default 1)." }),
      })
      .optional()
      .meta({ description: "With widen_scenarios: how the new parameter version widens the scenarios." }),
    reset: z.strictObject({
      mode: z.enum(["auto", "manual"]),
      afterSeconds: positive.max(86_400 * 7).optional().meta({ description: "auto, price_band and vol_jump: reset after this much market time." }),
    }),
  })
  .refine((r) => !r.actions.includes("widen_scenarios") || r.widen !== undefined, { message: "widen_scenarios needs a widen block", path: ["widen"] })
  .refine((r) => !(r.actions.includes("freeze_marks") && r.actions.includes("clamp_marks")), { message: "freeze_marks and clamp_marks exclude each other", path: ["actions"] })
  .refine((r) => !r.actions.includes("clamp_marks") || r.trigger.type === "price_band", { message: "clamp_marks needs a price_band trigger", path: ["actions"] })
  .refine((r) => r.reset.mode !== "auto" || r.reset.afterSeconds !== undefined || r.trigger.type === "stale_feed" || r.trigger.type === "index_divergence", {
    message: "an automatic reset of price_band and vol_jump needs afterSeconds",
    path: ["reset", "afterSeconds"],
  });

/** The zod schema of a circuit-breaker rules file (JSON Schema: schemas/breakers.schema.json). */
export const breakerRulesSchema = z
  .strictObject({
    $comment: z.string().optional(),
    name: z.string().min(1).max(100),
    version: z.string().min(1).max(100),
    effective: z.iso.date(),
    rules: z.array(ruleSchema).max(200),
  })
  .refine((f) => new Set(f.rules.map((r) => r.id)).size === f.rules.length, { message: "rule ids must be unique", path: ["rules"] })
  .meta({ title: "netrisk circuit-breaker rules", description: "Versioned circuit-breaker rules per underlying: trigger, state, actions, reset. See docs/live.md." });

export type BreakerRulesJson = z.infer<typeof breakerRulesSchema>;
export type BreakerRule = BreakerRulesJson["rules"][number];
export type BreakerTrigger = BreakerRule["trigger"];

/** Validated rules. */
export interface BreakerRules {
  readonly name: string;
  readonly version: string;
  readonly effective: string;
  readonly rules: readonly BreakerRule[];
}

/** No rules: every underlying stays normal. */
export const NO_BREAKERS: BreakerRules = { name: "none", version: "0", effective: "1970-01-01", rules: [] };

const SEVERITY: Readonly<Record<UnderlyingState, number>> = { normal: 0, band_limited: 1, halted: 2, index_locked: 3 };

/** One tripped rule on one underlying. */
export interface Trip {
  readonly ruleId: string;
  readonly state: Exclude<UnderlyingState, "normal">;
  readonly actions: readonly BreakerAction[];
  readonly sinceMs: number;
  readonly reason: string;
}

/** Breaker state of one underlying. */
export interface UnderlyingBreakers {
  readonly state: UnderlyingState;
  readonly trips: readonly Trip[];
  /** Accepted (time, index) pairs within the longest price-band window. */
  readonly prices: readonly (readonly [number, number])[];
  /** (time, vol level) pairs within the longest vol-jump window. */
  readonly vols: readonly (readonly [number, number])[];
  /** Market time of the last tick that brought data for the underlying (stale-feed rule). */
  readonly lastFreshMs: number;
  /** The next tick re-anchors the price band (after a reset). */
  readonly reanchor: boolean;
}

/** A change of an underlying's state, with what caused it. */
export interface BreakerTransition {
  readonly underlying: string;
  readonly from: UnderlyingState;
  readonly to: UnderlyingState;
  /** The rule that tripped or reset, or "manual" for an admin reset of everything. */
  readonly ruleId: string;
  readonly kind: "trip" | "reset";
  readonly reason: string;
  /** Actions in force after the change (union over the active trips). */
  readonly actions: readonly BreakerAction[];
  /** The rule's widen block when it trips or resets with widen_scenarios. */
  readonly widen?: BreakerRule["widen"];
}

/** What to do with one underlying's part of a tick. */
export type TickDecision = { readonly kind: "apply"; readonly reanchored: boolean } | { readonly kind: "freeze"; readonly reason: string } | { readonly kind: "clamp"; readonly indexUsd: number };

export function stateOf(trips: readonly Trip[]): UnderlyingState {
  let s: UnderlyingState = "normal";
  for (const t of trips) if (SEVERITY[t.state] > SEVERITY[s]) s = t.state;
  return s;
}

/** The actions in force on an underlying (union over its trips). */
export function actionsOf(trips: readonly Trip[]): BreakerAction[] {
  const set = new Set<BreakerAction>();
  for (const t of trips) for (const a of t.actions) set.add(a);
  return BREAKER_ACTIONS.filter((a) => set.has(a));
}

const appliesTo = (rule: BreakerRule, base: string): boolean => rule.underlyings === "*" || rule.underlyings.includes(base);

/** A normal underlying; the starting index and vol level open the price-band and vol-jump windows. */
export function initialBreakers(nowMs: number, indexUsd?: number, volLevel?: number): UnderlyingBreakers {
  return {
    state: "normal",
    trips: [],
    prices: indexUsd === undefined ? [] : [[nowMs, indexUsd]],
    vols: volLevel === undefined ? [] : [[nowMs, volLevel]],
    lastFreshMs: nowMs,
    reanchor: false,
  };
}

const pct = (x: number): string => `${(x * 100).toFixed(2)} %`;

/** Largest relative distance of `x` from the values of a window, |x/p − 1|, and the p that gives it. */
function farthest(x: number, window: readonly (readonly [number, number])[]): { move: number; from: number } {
  let best = { move: 0, from: x };
  for (const [, p] of window) {
    const m = Math.abs(x / p - 1);
    if (m > best.move) best = { move: m, from: p };
  }
  return best;
}

function withTrip(u: UnderlyingBreakers, base: string, trip: Trip, rule: BreakerRule, out: BreakerTransition[]): UnderlyingBreakers {
  if (u.trips.some((t) => t.ruleId === trip.ruleId)) return u;
  const trips = [...u.trips, trip];
  const to = stateOf(trips);
  out.push({ underlying: base, from: u.state, to, ruleId: trip.ruleId, kind: "trip", reason: trip.reason, actions: actionsOf(trips), ...(rule.widen ? { widen: rule.widen } : {}) });
  return { ...u, trips, state: to };
}

function withoutTrip(u: UnderlyingBreakers, base: string, ruleId: string, reason: string, rules: BreakerRules, out: BreakerTransition[]): UnderlyingBreakers {
  const gone = u.trips.find((t) => t.ruleId === ruleId);
  if (gone === undefined) return u;
  const trips = u.trips.filter((t) => t.ruleId !== ruleId);
  const to = stateOf(trips);
  const rule = rules.rules.find((r) => r.id === ruleId);
  out.push({ underlying: base, from: u.state, to, ruleId, kind: "reset", reason, actions: actionsOf(trips), ...(rule?.widen && gone.actions.includes("widen_scenarios") ? { widen: rule.widen } : {}) });
  const reanchor = u.reanchor || rule?.trigger.type === "price_band";
  return { ...u, trips, state: to, reanchor };
}

/**
 * Time-driven checks at market time `nowMs`: automatic resets after `afterSeconds`, and stale-feed trips.
 * @param bases - the underlyings to watch (those with instruments).
 */
export function onTime(
  all: ReadonlyMap<string, UnderlyingBreakers>,
  rules: BreakerRules,
  bases: readonly string[],
  nowMs: number,
): { next: Map<string, UnderlyingBreakers>; transitions: BreakerTransition[] } {
  const next = new Map(all);
  const transitions: BreakerTransition[] = [];
  for (const base of bases) {
    let u = next.get(base) ?? initialBreakers(nowMs);
    for (const t of u.trips) {
      const rule = rules.rules.find((r) => r.id === t.ruleId);
      if (rule?.reset.mode === "auto" && rule.reset.afterSeconds !== undefined && nowMs - t.sinceMs >= rule.reset.afterSeconds * 1000) {
        u = withoutTrip(u, base, t.ruleId, `automatic reset after ${rule.reset.afterSeconds} s`, rules, transitions);
      }
    }
    for (const rule of rules.rules) {
      if (rule.trigger.type !== "stale_feed" || !appliesTo(rule, base)) continue;
      const ageMs = nowMs - u.lastFreshMs;
      if (ageMs > rule.trigger.maxAgeSeconds * 1000) {
        const reason = `no tick moved ${base} for ${(ageMs / 1000).toFixed(1)} s (limit ${rule.trigger.maxAgeSeconds} s)`;
        u = withTrip(u, base, { ruleId: rule.id, state: rule.state, actions: rule.actions, sinceMs: nowMs, reason }, rule, transitions);
      }
    }
    next.set(base, u);
  }
  return { next, transitions };
}

/** What a tick proposes for one underlying: its new index (undefined when the tick does not name it). */
export interface ProposedMove {
  readonly base: string;
  readonly heldIndexUsd: number;
  readonly newIndexUsd: number | undefined;
  readonly sources: Readonly<Record<string, number>> | undefined;
}

/**
 * Decide, per underlying a tick concerns, whether its part is applied, frozen or clamped, after the tick's own
 * triggers (index divergence, price band) and the fresh-data reset of stale feeds.
 */
export function onTick(
  all: ReadonlyMap<string, UnderlyingBreakers>,
  rules: BreakerRules,
  moves: readonly ProposedMove[],
  nowMs: number,
): { next: Map<string, UnderlyingBreakers>; decisions: Map<string, TickDecision>; transitions: BreakerTransition[] } {
  const next = new Map(all);
  const decisions = new Map<string, TickDecision>();
  const transitions: BreakerTransition[] = [];
  for (const m of moves) {
    // Data arrived for the underlying: the feed is not stale, whatever the other rules then do with the values.
    let u: UnderlyingBreakers = { ...(next.get(m.base) ?? initialBreakers(nowMs)), lastFreshMs: nowMs };
    // Fresh data ends a stale-feed trip before anything else is judged.
    for (const t of u.trips) {
      const rule = rules.rules.find((r) => r.id === t.ruleId);
      if (rule?.trigger.type === "stale_feed" && rule.reset.mode === "auto") u = withoutTrip(u, m.base, t.ruleId, `a tick moved ${m.base} again`, rules, transitions);
    }
    const sourceValues = Object.values(m.sources ?? {});
    for (const rule of rules.rules) {
      if (rule.trigger.type !== "index_divergence" || !appliesTo(rule, m.base) || sourceValues.length < 2) continue;
      const sorted = [...sourceValues].sort((a, b) => a - b);
      const mid = sorted.length >> 1;
      const median = sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
      const spread = ((sorted[sorted.length - 1] as number) - (sorted[0] as number)) / median;
      const tripped = u.trips.some((t) => t.ruleId === rule.id);
      if (spread > rule.trigger.maxDivergenceDecimal) {
        const reason = `index sources of ${m.base} diverge by ${pct(spread)} of their median (limit ${pct(rule.trigger.maxDivergenceDecimal)})`;
        u = withTrip(u, m.base, { ruleId: rule.id, state: rule.state, actions: rule.actions, sinceMs: nowMs, reason }, rule, transitions);
      } else if (tripped && rule.reset.mode === "auto") {
        u = withoutTrip(u, m.base, rule.id, `index sources of ${m.base} back within ${pct(rule.trigger.maxDivergenceDecimal)}`, rules, transitions);
      }
    }
    let decision: TickDecision = { kind: "apply", reanchored: false };
    if (m.newIndexUsd !== undefined && !u.reanchor) {
      const window = [...u.prices, [nowMs, m.heldIndexUsd] as const];
      for (const rule of rules.rules) {
        if (rule.trigger.type !== "price_band" || !appliesTo(rule, m.base)) continue;
        const recent = window.filter(([t]) => nowMs - t <= (rule.trigger as { windowSeconds: number }).windowSeconds * 1000);
        const far = farthest(m.newIndexUsd, recent);
        if (far.move <= rule.trigger.moveDecimal) continue;
        const reason = `${m.base} index ${m.newIndexUsd} is ${pct(far.move)} from ${far.from} within ${rule.trigger.windowSeconds} s (band ${pct(rule.trigger.moveDecimal)})`;
        u = withTrip(u, m.base, { ruleId: rule.id, state: rule.state, actions: rule.actions, sinceMs: nowMs, reason }, rule, transitions);
        if (rule.actions.includes("clamp_marks") && decision.kind === "apply") {
          // The band every recent price allows: within moveDecimal of each of them.
          let lo = 0;
          let hi = Infinity;
          for (const [, p] of recent) {
            lo = Math.max(lo, p * (1 - rule.trigger.moveDecimal));
            hi = Math.min(hi, p * (1 + rule.trigger.moveDecimal));
          }
          const clamped = lo <= hi ? Math.min(Math.max(m.newIndexUsd, lo), hi) : m.heldIndexUsd;
          decision = { kind: "clamp", indexUsd: clamped };
        }
      }
    }
    if (actionsOf(u.trips).includes("freeze_marks")) decision = { kind: "freeze", reason: `${m.base} is ${u.state}: marks frozen at the last good values` };
    if (decision.kind === "apply" && u.reanchor) decision = { kind: "apply", reanchored: true };
    next.set(m.base, u);
    decisions.set(m.base, decision);
  }
  return { next, decisions, transitions };
}

/**
 * Record what a tick applied: the accepted index and vol level, the fresh-data time; prune the windows. Called for
 * each underlying the tick moved (after {@link onTick}); evaluates vol_jump on the new vol level.
 */
export function afterApply(
  all: ReadonlyMap<string, UnderlyingBreakers>,
  rules: BreakerRules,
  applied: readonly { readonly base: string; readonly indexUsd: number; readonly volLevel: number | undefined }[],
  nowMs: number,
): { next: Map<string, UnderlyingBreakers>; transitions: BreakerTransition[] } {
  const next = new Map(all);
  const transitions: BreakerTransition[] = [];
  const priceWindowMs = Math.max(0, maxOf(rules.rules.map((r) => (r.trigger.type === "price_band" ? r.trigger.windowSeconds * 1000 : 0))));
  const volWindowMs = Math.max(0, maxOf(rules.rules.map((r) => (r.trigger.type === "vol_jump" ? r.trigger.windowSeconds * 1000 : 0))));
  for (const a of applied) {
    let u = next.get(a.base) ?? initialBreakers(nowMs);
    if (a.volLevel !== undefined) {
      for (const rule of rules.rules) {
        if (rule.trigger.type !== "vol_jump" || !appliesTo(rule, a.base)) continue;
        const recent = u.vols.filter(([t]) => nowMs - t <= (rule.trigger as { windowSeconds: number }).windowSeconds * 1000);
        const far = farthest(a.volLevel, recent);
        if (far.move <= rule.trigger.moveDecimal) continue;
        const reason = `${a.base} vol level ${pct(a.volLevel)} is ${pct(far.move)} from ${pct(far.from)} within ${rule.trigger.windowSeconds} s (limit ${pct(rule.trigger.moveDecimal)})`;
        u = withTrip(u, a.base, { ruleId: rule.id, state: rule.state, actions: rule.actions, sinceMs: nowMs, reason }, rule, transitions);
      }
    }
    // A re-anchoring tick (the first after a price band's reset) is the reopening price: the band restarts from it.
    const prices = u.reanchor ? [[nowMs, a.indexUsd] as const] : [...u.prices.filter(([t]) => nowMs - t <= priceWindowMs), [nowMs, a.indexUsd] as const];
    const vols = a.volLevel === undefined ? u.vols : [...u.vols.filter(([t]) => nowMs - t <= volWindowMs), [nowMs, a.volLevel] as const];
    next.set(a.base, { ...u, prices: priceWindowMs > 0 ? prices : [], vols: volWindowMs > 0 ? vols : [], lastFreshMs: nowMs, reanchor: false });
  }
  return { next, transitions };
}

/** Admin reset: end every trip of `base` (or only `ruleId`). The next tick re-anchors the price band. */
export function resetBreaker(
  all: ReadonlyMap<string, UnderlyingBreakers>,
  rules: BreakerRules,
  base: string,
  ruleId: string | undefined,
  nowMs: number,
): { next: Map<string, UnderlyingBreakers>; transitions: BreakerTransition[] } {
  const next = new Map(all);
  const transitions: BreakerTransition[] = [];
  let u = next.get(base) ?? initialBreakers(nowMs);
  for (const t of u.trips) if (ruleId === undefined || t.ruleId === ruleId) u = withoutTrip(u, base, t.ruleId, "manual reset", rules, transitions);
  // A reset stale feed counts as fresh from now, or it would trip again at once.
  next.set(base, { ...u, reanchor: true, lastFreshMs: Math.max(u.lastFreshMs, nowMs) });
  return { next, transitions };
}
