/**
 * The domain check of a {@link JointScenarioSet}: what full revaluation and the measures assume of a set. Run once
 * when a set is bound to a model (the kernels then trust it).
 * @module
 */
import { issue } from "../errors.js";
import type { Issue } from "../errors.js";
import type { JointScenarioSet } from "./joint.js";

/**
 * Check a joint scenario set's shape and domain (what the kernels assume): array lengths, finite moves > −1, finite
 * vol ratios > 0, weights finite ≥ 0 summing to 1 (1e−9), distinct factor names. Empty list when valid.
 */
export function checkJointScenarioSet(set: JointScenarioSet): Issue[] {
  const issues: Issue[] = [];
  const N = set.count;
  const F = set.priceFactors.length;
  const V = set.volFactors.length;
  if (!Number.isInteger(N) || N < 0) return [issue("invalid_value", "scenarios.count", `expected a count ≥ 0, got ${N}`)];
  if (set.priceRelativeMove.length !== N * F) issues.push(issue("invalid_value", "scenarios.priceRelativeMove", `length ${set.priceRelativeMove.length}, expected ${N} × ${F}`));
  if (set.volRatio.length !== N * V) issues.push(issue("invalid_value", "scenarios.volRatio", `length ${set.volRatio.length}, expected ${N} × ${V}`));
  if (set.labels.length !== N) issues.push(issue("invalid_value", "scenarios.labels", `length ${set.labels.length}, expected ${N}`));
  if (new Set(set.priceFactors).size !== F) issues.push(issue("duplicate", "scenarios.priceFactors", "a price factor is listed twice"));
  if (new Set(set.volFactors).size !== V) issues.push(issue("duplicate", "scenarios.volFactors", "a vol factor is listed twice"));
  if (!(set.horizonDays > 0)) issues.push(issue("out_of_range", "scenarios.horizonDays", `expected > 0, got ${set.horizonDays}`));
  if (issues.length > 0) return issues;
  for (let i = 0; i < N * F; i++) {
    const m = set.priceRelativeMove[i] as number;
    if (!(Number.isFinite(m) && m > -1)) {
      issues.push(issue("out_of_range", `scenarios.priceRelativeMove[${i}]`, `scenario ${set.labels[Math.floor(i / F)]}, ${set.priceFactors[i % F]}: move ${m} is not a finite number > −1`));
      if (issues.length >= 10) return issues;
    }
  }
  for (let i = 0; i < N * V; i++) {
    const r = set.volRatio[i] as number;
    if (!(Number.isFinite(r) && r > 0)) {
      issues.push(issue("out_of_range", `scenarios.volRatio[${i}]`, `scenario ${set.labels[Math.floor(i / V)]}, ${set.volFactors[i % V]}: vol ratio ${r} is not a finite number > 0`));
      if (issues.length >= 10) return issues;
    }
  }
  if (set.weights !== undefined) {
    if (set.weights.length !== N) return [issue("invalid_value", "scenarios.weights", `length ${set.weights.length}, expected ${N}`)];
    let sum = 0;
    for (let i = 0; i < N; i++) {
      const w = set.weights[i] as number;
      if (!(Number.isFinite(w) && w >= 0)) return [issue("out_of_range", `scenarios.weights[${i}]`, `weight ${w} is not a finite number ≥ 0`)];
      sum += w;
    }
    if (Math.abs(sum - 1) > 1e-9) issues.push(issue("invalid_value", "scenarios.weights", `weights sum to ${sum}, expected 1`));
  }
  return issues;
}
