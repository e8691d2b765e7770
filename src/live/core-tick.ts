/**
 * A tick through the live core (docs/live.md, "Bad ticks" and "Circuit breakers"): checks, circuit breakers, the
 * plausibility bound, the new market, then the re-margin of the exposed accounts. Every outcome is defined:
 * - a `seq` not after the last tick's (old or duplicate): ignored, counted (`out_of_order`, `duplicate`);
 * - a non-finite or non-positive number, a time before the market's, an option-only field on a future: rejected
 *   with coded issues;
 * - an instrument the market does not list, an index or vol move for a currency it does not have: that entry is left
 *   out, with a counted warning (`unknown_instrument`, `missing_index`); the rest of the tick applies;
 * - an underlying whose breaker froze its marks: its part of the tick is left out (warning `frozen_by_breaker`);
 * - an index or futures mark moving more than the live parameters' bound in one tick: a price-band breaker of the
 *   underlying trips when one is configured (above), else the whole tick is rejected (`implausible_move`);
 * - a tick at or past the expiry of a listed instrument: rejected (`expired_instrument`), since settling expiries is
 *   not the live core's business yet (docs/live.md).
 * Nothing is committed before every check passed: a rejected tick leaves the book and the market as they were.
 * @module
 */
import type { Issue, Result } from "../errors.js";
import { fail, issue, joinPath, ok } from "../errors.js";
import type { InstrumentQuote } from "../market/types.js";
import { applyTickToMarket } from "./apply-tick.js";
import { afterApply, onTick, onTime } from "./breakers.js";
import type { ProposedMove } from "./breakers.js";
import { breakerPhase, remarginExposed } from "./core-breakers.js";
import type { StepResult } from "./core-breakers.js";
import type { DraftEvent } from "./events.js";
import { volLevelOf } from "./market.js";
import type { Listing } from "./market.js";
import type { CoreState } from "./state.js";
import { checkTickFields, optionOnlyFieldIssues } from "./tick.js";
import type { Tick } from "./tick.js";

const pct = (x: number): string => `${x >= 0 ? "+" : ""}${Math.abs(x) >= 0.0001 ? (x * 100).toFixed(2) : (x * 100).toPrecision(2)} %`;

/** The earliest expiry of a listing's dated instruments (Infinity: none), kept per listing: it is fixed for a core's life. */
const firstExpiries = new WeakMap<Listing, number>();
function firstExpiryMs(listing: Listing): number {
  let first = firstExpiries.get(listing);
  if (first === undefined) {
    first = Infinity;
    for (const inst of listing.byName.values()) if (inst.kind !== "perpetual") first = Math.min(first, inst.expiryMs);
    firstExpiries.set(listing, first);
  }
  return first;
}

export function applyTick(state: CoreState, tick: Tick, drafts: DraftEvent[]): Result<StepResult> {
  if (tick.seq <= state.lastTickSeq) {
    const code = tick.seq === state.lastTickSeq ? "duplicate" : "out_of_order";
    return fail(issue(code, "seq", `tick seq ${tick.seq} is not after the last tick ${state.lastTickSeq}: ignored`));
  }
  const fieldIssues = checkTickFields(tick);
  if (fieldIssues.length > 0) return fail(...fieldIssues);
  const market = state.market;
  const snap = market.snapshot;
  if (tick.timestampMs < snap.timestampMs) {
    return fail(issue("out_of_order", "ts", `tick time ${new Date(tick.timestampMs).toISOString()} is before the market's ${new Date(snap.timestampMs).toISOString()}`));
  }
  const warnings: Issue[] = [];
  const issues: Issue[] = [];
  const index: Record<string, number> = {};
  for (const [c, v] of Object.entries(tick.indexUsd ?? {})) {
    if (snap.indexUsd[c] === undefined) warnings.push(issue("missing_index", joinPath("index", c), `the market has no ${c}: left out`));
    else index[c] = v;
  }
  const instruments: Record<string, InstrumentQuote> = {};
  for (const [name, q] of Object.entries(tick.instruments ?? {})) {
    const inst = market.listing.byName.get(name);
    if (inst === undefined) {
      warnings.push(issue("unknown_instrument", joinPath("instruments", name), `${name} is not listed in the market: left out`));
      continue;
    }
    if (inst.kind !== "option") issues.push(...optionOnlyFieldIssues(name, q));
    instruments[name] = q;
  }
  const volMoves: Record<string, number> = {};
  for (const [c, v] of Object.entries(tick.volMoves ?? {})) {
    if (!market.listing.byBase.has(c)) warnings.push(issue("missing_index", joinPath("volMoves", c), `the market has no options on ${c}: left out`));
    else volMoves[c] = v;
  }
  if (issues.length > 0) return fail(...issues);
  // The listing's first expiry first (one comparison per tick); the walk over the listing only to name the instrument.
  if (firstExpiryMs(market.listing) <= tick.timestampMs) for (const inst of market.listing.byName.values()) {
    if (inst.kind !== "perpetual" && inst.expiryMs <= tick.timestampMs) {
      return fail(issue("expired_instrument", "ts", `the tick reaches the expiry of ${inst.name} (${new Date(inst.expiryMs).toISOString()}): settle expiring instruments before ticking past them`));
    }
  }
  // Circuit breakers: time-driven resets and stale feeds, then this tick's own triggers.
  const bases = [...market.listing.byBase.keys()];
  const t1 = onTime(state.breakers, state.rules, bases, tick.timestampMs);
  const concerned = new Set<string>();
  for (const c of Object.keys(index)) if (market.listing.byBase.has(c)) concerned.add(c);
  for (const name of Object.keys(instruments)) concerned.add((market.listing.byName.get(name) as { base: string }).base);
  for (const c of Object.keys(volMoves)) concerned.add(c);
  for (const c of Object.keys(tick.indexSources ?? {})) if (market.listing.byBase.has(c)) concerned.add(c);
  const moves: ProposedMove[] = [...concerned].sort().map((b) => ({ base: b, heldIndexUsd: snap.indexUsd[b] as number, newIndexUsd: index[b], sources: tick.indexSources?.[b] }));
  const t2 = onTick(t1.next, state.rules, moves, tick.timestampMs);
  const apply = new Set<string>(Object.keys(index).filter((c) => !market.listing.byBase.has(c)));
  const clamped: Record<string, number> = {};
  const reanchored = new Set<string>();
  for (const [b, d] of t2.decisions) {
    if (d.kind === "freeze") {
      warnings.push(issue("frozen_by_breaker", b, `${d.reason}: this tick's ${b} values left out`));
      continue;
    }
    apply.add(b);
    if (d.kind === "clamp") clamped[b] = d.indexUsd;
    else if (d.reanchored) reanchored.add(b);
  }
  // The tick as applied: frozen underlyings out; a clamped underlying moves by its clamped index alone.
  const effIndex: Record<string, number> = {};
  for (const [c, v] of Object.entries(index)) if (apply.has(c)) effIndex[c] = clamped[c] ?? v;
  const effInstruments: Record<string, InstrumentQuote> = {};
  for (const [name, q] of Object.entries(instruments)) {
    const b = (market.listing.byName.get(name) as { base: string }).base;
    if (apply.has(b) && clamped[b] === undefined) effInstruments[name] = q;
  }
  const effVol: Record<string, number> = {};
  for (const [c, v] of Object.entries(volMoves)) if (apply.has(c) && clamped[c] === undefined) effVol[c] = v;
  // The plausibility bound (a re-anchoring tick after a breaker reset is exempt: it is the reopening price).
  const bound = state.params.maxTickMoveDecimal;
  for (const [c, v] of Object.entries(effIndex)) {
    const move = v / (snap.indexUsd[c] as number) - 1;
    if (Math.abs(move) > bound && !reanchored.has(c) && clamped[c] === undefined)
      issues.push(issue("implausible_move", joinPath("index", c), `${c} index moves ${pct(move)} in one tick (bound ±${(bound * 100).toFixed(0)} %); configure a price-band breaker to halt instead of rejecting`));
  }
  for (const [name, q] of Object.entries(effInstruments)) {
    const inst = market.listing.byName.get(name);
    const held = snap.instruments[name]?.markPrice;
    if (inst === undefined || inst.kind === "option" || q.markPrice === undefined || held === undefined || reanchored.has(inst.base)) continue;
    const move = q.markPrice / held - 1;
    if (Math.abs(move) > bound) issues.push(issue("implausible_move", joinPath("instruments", name, "markPrice"), `${name} mark moves ${pct(move)} in one tick (bound ±${(bound * 100).toFixed(0)} %)`));
  }
  if (issues.length > 0) return fail(...issues);
  const eff: Tick = { seq: tick.seq, timestampMs: tick.timestampMs, indexUsd: effIndex, instruments: effInstruments, volMoves: effVol };
  const applied = applyTickToMarket(market, eff, apply, state.params);
  if (!applied.ok) return applied;
  // Commit.
  const before = snap.indexUsd;
  state.market = applied.value.market;
  state.lastTickSeq = tick.seq;
  state.nowMs = Math.max(state.nowMs, tick.timestampMs);
  const t3 = afterApply(
    t2.next,
    state.rules,
    applied.value.movedBases.map((b) => ({ base: b, indexUsd: state.market.snapshot.indexUsd[b] as number, volLevel: volLevelOf(state.market, b) })),
    tick.timestampMs,
  );
  state.breakers = t3.next;
  const { widened, recheck } = breakerPhase(state, [...t1.transitions, ...t2.transitions, ...t3.transitions], drafts);
  const movedBases = [...new Set([...applied.value.movedBases, ...widened])].sort();
  const movedCurrencies = [...new Set([...applied.value.movedCurrencies, ...widened])].sort();
  const described = applied.value.movedCurrencies
    .filter((c) => state.market.snapshot.indexUsd[c] !== before[c])
    .map((c) => `${c} ${pct((state.market.snapshot.indexUsd[c] as number) / (before[c] as number) - 1)}`);
  const cause = `tick ${tick.seq}${described.length > 0 ? `: ${described.join(", ")}` : ""}`;
  const r = remarginExposed(state, movedBases, movedCurrencies, recheck, cause, drafts);
  if (!r.ok) return r;
  return ok({ ...r.value, warnings });
}
