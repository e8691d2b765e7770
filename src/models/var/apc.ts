/**
 * Anti-procyclicality (APC) tools of the statistical models, after EMIR RTS 153/2013 Art. 28(1): a CCP limits
 * procyclicality with at least one of (a) a margin buffer of at least 25 % of the calculated margin, which it lets be
 * temporarily exhausted while calculated margins rise significantly; (b) at least 25 % weight on stressed observations
 * in the look-back period; (c) a margin not lower than one computed over a ten-year look-back. Pure functions; the
 * scenario sets they need are built by the caller (backtest/statistical.ts, the CLI) from history.
 * Methodology: docs/methodology.md "Anti-procyclical margin".
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Result } from "../../errors.js";
import type { JointScenarioSet } from "../../risk/joint.js";

/** The three EMIR Art. 28(1) tools, in the order of the article. */
export const APC_TOOLS = ["buffer", "stressed-weight", "lookback-floor"] as const;
export type ApcTool = (typeof APC_TOOLS)[number];

/** The `antiProcyclicality` block of a var/hybrid parameter set (defaults: no tool, EMIR's minimum values). */
export interface AntiProcyclicalityParams {
  /** Tools switched on (none by default: the model margins as before). */
  readonly tools: readonly ApcTool[];
  /** (a) IM × (1 + bufferDecimal) while the buffer is built; EMIR minimum 0.25. */
  readonly bufferDecimal: number;
  /** (a) Days over which a released buffer is rebuilt in a margin series (linear, bufferDecimal / days per day). */
  readonly bufferRebuildDays: number;
  /** (b) Total weight of the stressed observations in the ES; EMIR minimum 0.25. */
  readonly stressedWeightDecimal: number;
  /** (b) Length of the stressed period, days (the most volatile such period of the history known on the day). */
  readonly stressedPeriodDays: number;
  /** (c) Look-back of the floor, years (capped at the history available; EMIR: 10). */
  readonly lookbackFloorYears: number;
}

/** No tool, EMIR's values ready for `--apc`. */
export const DEFAULT_APC: AntiProcyclicalityParams = {
  tools: [],
  bufferDecimal: 0.25,
  bufferRebuildDays: 30,
  stressedWeightDecimal: 0.25,
  stressedPeriodDays: 365,
  lookbackFloorYears: 10,
};

/** True when `tool` is switched on. */
export function hasTool(p: AntiProcyclicalityParams, tool: ApcTool): boolean {
  return p.tools.includes(tool);
}

/**
 * The ES scenario set of tool (b): the look-back scenarios with total weight 1 − w (split as their own weights, or
 * equally) and the stressed observations with total weight w (equally). Both sets must move the same factors.
 * @returns the weighted union, or `invalid_value` (factors differ, w outside (0, 1), an empty set).
 */
export function withStressedWeight(lookback: JointScenarioSet, stressed: JointScenarioSet, weightDecimal: number): Result<JointScenarioSet> {
  if (!(weightDecimal > 0 && weightDecimal < 1)) return fail(issue("out_of_range", "antiProcyclicality.stressedWeightDecimal", `expected a weight in (0, 1), got ${weightDecimal}`));
  if (lookback.count === 0 || stressed.count === 0) return fail(issue("invalid_value", "stressed", "the look-back and stressed sets must both hold scenarios"));
  const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(lookback.priceFactors, stressed.priceFactors) || !same(lookback.volFactors, stressed.volFactors)) {
    return fail(issue("invalid_value", "stressed", `the stressed set moves ${[...stressed.priceFactors, ...stressed.volFactors.map((v) => `vol:${v}`)].join(",")}, the look-back set ${[...lookback.priceFactors, ...lookback.volFactors.map((v) => `vol:${v}`)].join(",")}`));
  }
  const N = lookback.count, M = stressed.count, F = lookback.priceFactors.length, V = lookback.volFactors.length;
  const weights = new Float64Array(N + M);
  for (let i = 0; i < N; i++) weights[i] = (1 - weightDecimal) * (lookback.weights !== undefined ? (lookback.weights[i] as number) : 1 / N);
  for (let j = 0; j < M; j++) weights[N + j] = weightDecimal / M;
  const priceRelativeMove = new Float64Array((N + M) * F);
  priceRelativeMove.set(lookback.priceRelativeMove.subarray(0, N * F));
  priceRelativeMove.set(stressed.priceRelativeMove.subarray(0, M * F), N * F);
  const volRatio = new Float64Array((N + M) * V);
  volRatio.set(lookback.volRatio.subarray(0, N * V));
  volRatio.set(stressed.volRatio.subarray(0, M * V), N * V);
  return ok({
    method: lookback.method,
    horizonDays: lookback.horizonDays,
    count: N + M,
    priceFactors: lookback.priceFactors,
    priceRelativeMove,
    volFactors: lookback.volFactors,
    volRatio,
    ...(lookback.volFactorsMissing !== undefined ? { volFactorsMissing: lookback.volFactorsMissing } : {}),
    labels: [...lookback.labels, ...stressed.labels.map((l) => `stressed:${l}`)],
    weights,
    notes: [
      ...lookback.notes,
      `anti-procyclicality (b): ${M} stressed observations carry ${(weightDecimal * 100).toFixed(1)} % of the weight, the ${N} look-back scenarios ${((1 - weightDecimal) * 100).toFixed(1)} %`,
      ...stressed.notes.map((n) => `stressed: ${n}`),
    ],
  });
}

/**
 * Tool (a) over a margin series: the charged margin holds still while the calculated margin moves inside the buffer,
 * rises only once the calculated margin exceeds it (the buffer is exhausted), falls only with (1 + b) × the calculated
 * margin, and a released buffer is rebuilt by at most b × calculated / rebuildDays per day:
 *
 * ```
 * charged[0] = (1 + b) × base[0]
 * charged[t] = clamp(charged[t−1] + b × base[t] / rebuildDays, base[t], (1 + b) × base[t])
 * ```
 * EMIR requires that the buffer may be exhausted while margins rise; how it is released and rebuilt is the CCP's
 * choice (this is ours, documented in docs/methodology.md "Anti-procyclical margin").
 * @param baseUsd - calculated margins ≥ 0, one per day, in order.
 */
export function releasableBuffer(baseUsd: readonly number[], bufferDecimal: number, rebuildDays: number): number[] {
  const out: number[] = [];
  for (let t = 0; t < baseUsd.length; t++) {
    const base = baseUsd[t] as number;
    const full = (1 + bufferDecimal) * base;
    if (t === 0) {
      out.push(full);
      continue;
    }
    const rebuilt = (out[t - 1] as number) + (bufferDecimal * base) / rebuildDays;
    out.push(Math.min(full, Math.max(base, rebuilt)));
  }
  return out;
}
