/**
 * User-defined stress scenarios (the engine side of the stress-scenario JSON file, src/io/stress-scenarios.ts):
 * per-factor relative price moves and relative vol moves, turned into a joint scenario set.
 * @module
 */
import type { JointScenarioSet } from "../joint.js";
import { maxOf } from "../../math/extent.js";

/** One user scenario, already validated (moves > −1, finite; names unique). */
export interface UserStressScenario {
  readonly name: string;
  readonly description?: string;
  /** Horizon the user means, days (informative; default 1). */
  readonly horizonDays?: number;
  /** Relative price move S'/S − 1 per factor (> −1). Factors not listed are unchanged. */
  readonly priceMoves: Readonly<Record<string, number>>;
  /** Relative implied-vol move σ'/σ − 1 per base, applied to its whole surface (> −1). Bases not listed: unchanged. */
  readonly volMoves?: Readonly<Record<string, number>>;
}

/**
 * A joint set of user scenarios. Factors are the union of the factors the scenarios name, plus `priceFactors` /
 * `volFactors` if given (e.g. every factor of the portfolio), in that order; a factor a scenario does not name is
 * unchanged in it (noted). Labels are the scenario names; `horizonDays` is the largest stated horizon.
 */
export function userStressScenarios(
  scenarios: readonly UserStressScenario[],
  options: { readonly priceFactors?: readonly string[]; readonly volFactors?: readonly string[]; readonly source?: string } = {},
): JointScenarioSet {
  const priceFactors = [...new Set([...(options.priceFactors ?? []), ...scenarios.flatMap((s) => Object.keys(s.priceMoves))])];
  const volFactors = [...new Set([...(options.volFactors ?? []), ...scenarios.flatMap((s) => Object.keys(s.volMoves ?? {}))])];
  const F = priceFactors.length, V = volFactors.length, N = scenarios.length;
  const priceRelativeMove = new Float64Array(N * F);
  const volRatio = new Float64Array(N * V).fill(1);
  const notes: string[] = [`user stress scenarios${options.source ? ` from ${options.source}` : ""}: ${N}`];
  scenarios.forEach((s, n) => {
    priceFactors.forEach((f, i) => (priceRelativeMove[n * F + i] = s.priceMoves[f] ?? 0));
    volFactors.forEach((b, v) => (volRatio[n * V + v] = 1 + (s.volMoves?.[b] ?? 0)));
    const notMoved = [...priceFactors.filter((f) => s.priceMoves[f] === undefined), ...volFactors.filter((b) => s.volMoves?.[b] === undefined).map((b) => `vol:${b}`)];
    if (notMoved.length > 0) notes.push(`${s.name}: unchanged ${notMoved.join(", ")}`);
  });
  return {
    method: "user",
    horizonDays: Math.max(1, maxOf(scenarios.map((s) => s.horizonDays ?? 1))),
    count: N,
    priceFactors,
    priceRelativeMove,
    volFactors,
    volRatio,
    labels: scenarios.map((s) => s.name),
    notes,
  };
}
