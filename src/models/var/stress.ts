/**
 * Stress testing a portfolio under named or user scenarios (a {@link JointScenarioSet} of method `stress` or `user`):
 * full revaluation of every leg in every scenario, the P&L per position, and the worst scenario. Used by the `var`
 * model's stress floor and by `netrisk stress`. Assets a stress does not cover (no price factor: e.g. SOL before it
 * traded) are held at today's prices, and the notes say so.
 * @module
 */
import type { Result } from "../../errors.js";
import { ok } from "../../errors.js";
import type { MarketContext } from "../../market/context.js";
import type { JointScenarioSet } from "../../risk/joint.js";
import { compileRevaluationBook, groupsByLeg, revalue } from "../../risk/revaluation.js";
import type { RevaluationLeg, VolConvention, VolMove } from "../../risk/revaluation.js";

/** One stress scenario's outcome. */
export interface StressScenarioResult {
  readonly label: string;
  /** Portfolio P&L, USD (negative = loss). */
  readonly pnlUsd: number;
  /** −pnlUsd. */
  readonly lossUsd: number;
  /** P&L of each leg (position name or `collateral:<CCY>`), USD. */
  readonly byPosition: Readonly<Record<string, number>>;
  /** The scenario's relative price move per factor and vol ratio per vol factor. */
  readonly priceMoves: Readonly<Record<string, number>>;
  readonly volRatios: Readonly<Record<string, number>>;
}

export interface StressReport {
  readonly method: JointScenarioSet["method"];
  readonly horizonDays: number;
  readonly volConvention: VolConvention;
  readonly volMoveByBase: Readonly<Record<string, VolMove>>;
  readonly scenarios: readonly StressScenarioResult[];
  /** The scenario with the largest loss (first in set order on ties), or null for an empty set. */
  readonly worst: { readonly label: string; readonly lossUsd: number } | null;
  readonly notes: readonly string[];
}

/** Moves of scenario s per factor, as records (for outputs). */
export function scenarioMoves(set: JointScenarioSet, s: number): { priceMoves: Record<string, number>; volRatios: Record<string, number> } {
  const F = set.priceFactors.length;
  const V = set.volFactors.length;
  return {
    priceMoves: Object.fromEntries(set.priceFactors.map((f, i) => [f, set.priceRelativeMove[s * F + i] as number])),
    volRatios: Object.fromEntries(set.volFactors.map((f, i) => [f, set.volRatio[s * V + i] as number])),
  };
}

/**
 * Revalue `legs` under every scenario of `set`. Domain: legs of a portfolio validated against `market`, a set that
 * passes `checkJointScenarioSet`. Issues: those of `compileRevaluationBook` (expired instruments, missing prices).
 */
export function stressTest(legs: readonly RevaluationLeg[], market: MarketContext, set: JointScenarioSet, volConvention: VolConvention): Result<StressReport> {
  const compiled = compileRevaluationBook(legs, market, set, { volConvention, missingFactor: "unchanged" });
  if (!compiled.ok) return compiled;
  const book = compiled.value;
  const groups = groupsByLeg(book);
  const pnl = revalue(book, set, { groups });
  const N = set.count;
  const scenarios: StressScenarioResult[] = [];
  let worst: { label: string; lossUsd: number } | null = null;
  for (let s = 0; s < N; s++) {
    let total = 0;
    const byPosition: Record<string, number> = {};
    groups.names.forEach((name, l) => {
      const v = pnl[l * N + s] as number;
      byPosition[name] = v;
      total += v;
    });
    const label = set.labels[s] ?? `#${s}`;
    scenarios.push({ label, pnlUsd: total, lossUsd: -total, byPosition, ...scenarioMoves(set, s) });
    if (worst === null || -total > worst.lossUsd) worst = { label, lossUsd: -total };
  }
  return ok({ method: set.method, horizonDays: set.horizonDays, volConvention, volMoveByBase: book.volMoveByBase, scenarios, worst, notes: [...set.notes, ...book.notes] });
}
