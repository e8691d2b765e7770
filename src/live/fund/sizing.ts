/**
 * Insurance-fund sizing (docs/cascade.md "Insurance-fund sizing"): the cascade (src/live/cascade) over many draws of
 * the exogenous move (historical windows, Monte Carlo paths, the named stresses), each on a fresh core of the book;
 * per draw the fund the cascade needed, and per source its distribution: mean, quantiles (99 %, 99.9 % by default)
 * with Monte Carlo standard errors where the draws are independent (Monte Carlo only: overlapping historical windows and
 * hand-picked stresses are not), and the worst draw.
 *
 * The fund a draw needs is exact, not an estimate: the cascade runs with a fund large enough never to run out (so no
 * ADL or socialised loss couples the accounts), and the needed fund is the peak over its steps, in the cascade's own
 * order, of the draws paid so far minus the liquidation fees paid in so far. A fund of that size would have paid every
 * shortfall; a smaller one would not (the cascade with it is the same up to that step). Pure: no I/O, no clock.
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Result } from "../../errors.js";
import type { LiveCore } from "../core.js";
import type { Tick } from "../tick.js";
import { runCascade } from "../cascade/index.js";
import type { CascadeResult, ImpactModel, LiquidationPolicy } from "../cascade/index.js";
import { meanEstimate, quantileEstimate, sortedAscending } from "./quantiles.js";
import type { QuantileEstimate } from "./quantiles.js";

/** Where a draw comes from. */
export type DrawSource = "historical" | "montecarlo" | "named";
export const DRAW_SOURCES: readonly DrawSource[] = ["historical", "montecarlo", "named"];

/** One draw: the exogenous move as one tick. */
export interface FundDraw {
  readonly source: DrawSource;
  readonly label: string;
  readonly tick: Tick;
}

/** A fund "never" exhausted by a book (USD): the cascade's waterfall must stop at the fund. */
const UNLIMITED_FUND_USD = 1e15;

export interface SizingInput {
  /** A fresh core of the book on its start market (a cascade consumes its core): `createCascadeCore(...)`. */
  readonly newCore: () => Result<LiveCore>;
  readonly draws: readonly FundDraw[];
  readonly policy: LiquidationPolicy;
  readonly impact: ImpactModel;
  /** Quantile levels, each in (0, 1); default [0.99, 0.999]. */
  readonly levels?: readonly number[];
  readonly maxRounds?: number;
  readonly onDraw?: (done: number, total: number) => void;
}

/** What one draw cost. */
export interface DrawOutcome {
  readonly source: DrawSource;
  readonly label: string;
  /** The smallest starting fund that pays every shortfall of this draw's cascade, USD. */
  readonly fundNeededUsd: number;
  readonly bankruptShortfallUsd: number;
  readonly insuranceFundFeesUsd: number;
  readonly liquidatedAccounts: number;
  readonly bankruptAccounts: number;
  readonly rounds: number;
  readonly truncated: boolean;
}

/** The distribution of the fund needed over one source's draws. */
export interface SourceSizing {
  readonly source: DrawSource;
  readonly draws: number;
  /** True for Monte Carlo draws: the standard errors assume independent draws. */
  readonly independent: boolean;
  readonly meanUsd: number;
  readonly meanStandardErrorUsd: number | null;
  readonly quantiles: readonly QuantileEstimate[];
  readonly maxUsd: number;
  readonly worst: { readonly label: string; readonly fundNeededUsd: number } | null;
  /** Draws that needed no fund at all. */
  readonly zeroDraws: number;
}

export interface SizingResult {
  readonly outcomes: readonly DrawOutcome[];
  readonly bySource: readonly SourceSizing[];
  readonly notes: readonly string[];
}

/** The fund a cascade needed: the peak of (draws − fees paid in) over its steps, in order (≥ 0). */
export function fundNeededUsd(result: CascadeResult): number {
  let drawn = 0, fees = 0, peak = 0;
  for (const r of result.rounds) {
    if (r.steps === undefined) {
      // Without steps, the round's fees are counted after its draws (an upper bound).
      drawn += r.insuranceFundDrawUsd;
      peak = Math.max(peak, drawn - fees);
      fees += r.insuranceFundFeesUsd;
      continue;
    }
    for (const s of r.steps) {
      fees += s.feeToFundUsd;
      drawn += s.fundDrawUsd;
      peak = Math.max(peak, drawn - fees);
    }
  }
  return peak;
}

/** Summary of one source's outcomes. */
export function summarise(source: DrawSource, outcomes: readonly DrawOutcome[], levels: readonly number[]): SourceSizing {
  const values = outcomes.map((o) => o.fundNeededUsd);
  const independent = source === "montecarlo";
  const sorted = sortedAscending(values);
  const mean = meanEstimate(values, independent);
  let worst: SourceSizing["worst"] = null;
  for (const o of outcomes) if (worst === null || o.fundNeededUsd > worst.fundNeededUsd) worst = { label: o.label, fundNeededUsd: o.fundNeededUsd };
  return {
    source,
    draws: outcomes.length,
    independent,
    meanUsd: mean.meanUsd,
    meanStandardErrorUsd: mean.standardErrorUsd,
    quantiles: sorted.length > 0 ? levels.map((q) => quantileEstimate(sorted, q, independent)) : [],
    maxUsd: sorted.length > 0 ? (sorted[sorted.length - 1] as number) : 0,
    worst,
    zeroDraws: values.filter((v) => v === 0).length,
  };
}

/** `levels` checked: each in (0, 1) (`invalid_value` otherwise). */
export function checkLevels(levels: readonly number[]): Result<readonly number[]> {
  return levels.some((q) => !(q > 0 && q < 1)) ? fail(issue("invalid_value", "levels", `quantile levels must be in (0, 1), got ${levels.join(", ")}`)) : ok(levels);
}

/** What one draw needs besides its core: the cascade's policy, impact and round limit. */
export type DrawOptions = Pick<SizingInput, "policy" | "impact" | "maxRounds">;

/**
 * One draw's cascade on `core` (a fresh core of the book: the cascade consumes it), with a fund never exhausted.
 * Issues: the cascade's own, with the draw's label in the path (`draws.<label>...`); `out_of_range` when even that
 * fund ran out.
 */
export function runDraw(core: LiveCore, draw: FundDraw, options: DrawOptions): Result<DrawOutcome> {
  const at = (p: string) => `draws.${draw.label}${p ? `.${p}` : ""}`;
  const r = runCascade({ core, path: [draw.tick], policy: options.policy, impact: options.impact, insuranceFundUsd: UNLIMITED_FUND_USD, details: true, ...(options.maxRounds !== undefined ? { maxRounds: options.maxRounds } : {}) });
  if (!r.ok) return fail(...r.issues.map((i) => ({ ...i, path: at(i.path) })));
  const s = r.value.summary;
  if (s.adlUsd > 0 || s.socializedLossUsd > 0) return fail(issue("out_of_range", at(""), `the cascade exhausted a fund of ${UNLIMITED_FUND_USD} USD: the book's losses are beyond sizing`));
  return ok({
    source: draw.source,
    label: draw.label,
    fundNeededUsd: fundNeededUsd(r.value),
    bankruptShortfallUsd: s.bankruptShortfallUsd,
    insuranceFundFeesUsd: s.insuranceFundFeesUsd,
    liquidatedAccounts: s.liquidatedAccounts,
    bankruptAccounts: s.bankruptAccounts,
    rounds: s.rounds,
    truncated: s.truncated,
  });
}

/** A draw's core, or its issues with the draw's label in the path. */
export function drawCore(newCore: () => Result<LiveCore>, draw: FundDraw): Result<LiveCore> {
  const core = newCore();
  return core.ok ? core : fail(...core.issues.map((i) => ({ ...i, path: `draws.${draw.label}${i.path ? `.${i.path}` : ""}` })));
}

/**
 * The sizing of the draws' outcomes (in the draws' order): per source its distribution, and the notes on what the
 * figures cannot say. Shared by the one-thread loop below and the threads of cluster/fund-pool.ts, so both give the
 * same document.
 */
export function sizingOf(outcomes: readonly DrawOutcome[], levels: readonly number[]): SizingResult {
  const bySource = DRAW_SOURCES.flatMap((src) => {
    const of = outcomes.filter((o) => o.source === src);
    return of.length > 0 ? [summarise(src, of, levels)] : [];
  });
  const notes: string[] = [];
  for (const s of bySource) {
    for (const q of s.quantiles) {
      if (s.independent && q.standardErrorUsd === null) notes.push(`${s.source}: ${s.draws} draws cannot bound the ${(q.level * 100).toFixed(1)} % quantile (its order-statistic interval runs past the largest draw): no standard error; use more draws`);
    }
    if (!s.independent) notes.push(`${s.source}: no standard error (${s.source === "historical" ? "overlapping windows are not independent draws" : "hand-picked stresses are not a sample"})`);
  }
  const truncated = outcomes.filter((o) => o.truncated).length;
  if (truncated > 0) notes.push(`${truncated} draw(s) stopped at the round limit: their fund is a lower bound`);
  return { outcomes, bySource, notes };
}

/**
 * Size the insurance fund (see the module comment), one draw after the other on this thread (cluster/fund-pool.ts
 * spreads the draws over threads, with the same result).
 * @returns the outcomes and summaries, or issues: `invalid_value` (levels, no draw), the core's or cascade's own
 *   issues with the draw's label in the path (`draws.<label>...`).
 */
export function sizeInsuranceFund(input: SizingInput): Result<SizingResult> {
  const levels = checkLevels(input.levels ?? [0.99, 0.999]);
  if (!levels.ok) return levels;
  if (input.draws.length === 0) return fail(issue("invalid_value", "draws", "no draw to size the fund on"));
  const outcomes: DrawOutcome[] = [];
  let k = 0;
  for (const d of input.draws) {
    const core = drawCore(input.newCore, d);
    if (!core.ok) return core;
    const r = runDraw(core.value, d, input);
    if (!r.ok) return r;
    outcomes.push(r.value);
    input.onDraw?.(++k, input.draws.length);
  }
  return ok(sizingOf(outcomes, levels.value));
}
