/**
 * Correlation breakdown stress: in a crisis correlations jump (diversification vanishes) or hedges stop working.
 * Three stressed matrices, each followed by Higham's nearest-correlation repair so the result is always a valid
 * correlation matrix (the repair distance is reported: a large one means the stress asked for was far from any
 * possible correlation matrix):
 *
 * - push toward one: ρ'ᵢⱼ = (1 − w)ρᵢⱼ + w among chosen factors (w = 1: all perfectly correlated);
 * - zero the hedges: ρ'ᵢⱼ = 0 for chosen pairs (the hedge relation no longer holds);
 * - a user matrix (any symmetric unit-diagonal matrix over named factors).
 *
 * Factors are named by the keys of the factor model (`BTC`, `vol:BTC`; see scenario-sources/factor-model.ts).
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { checkCorrelation, matrixFromRows, repairCorrelation } from "./correlation.js";
import type { CheckedCorrelation } from "./correlation.js";

/** A stressed correlation matrix over the same factors. */
export type StressedCorrelation = CheckedCorrelation;

function indexOf(factors: readonly string[], name: string, path: string, issues: Issue[]): number {
  const i = factors.indexOf(name);
  if (i < 0) issues.push(issue("invalid_value", path, `unknown factor ${JSON.stringify(name)} (factors: ${factors.join(", ")})`));
  return i;
}

/**
 * Push correlations among `among` (default: every factor without the `vol:` prefix, i.e. the prices) toward +1 with
 * weight w ∈ [0, 1]: ρ' = (1 − w)ρ + w. The mix of two correlation matrices is one when `among` is every factor; a
 * subset can break PSD (e.g. price–vol correlations left as they were), hence the repair.
 */
export function pushCorrelationsTowardOne(
  correlation: Float64Array,
  factors: readonly string[],
  options: { readonly weight: number; readonly among?: readonly string[] },
): Result<StressedCorrelation> {
  const n = factors.length;
  if (!(options.weight >= 0 && options.weight <= 1)) return fail(issue("out_of_range", "weight", `must be in [0, 1], got ${options.weight}`));
  const issues: Issue[] = [];
  const among = (options.among ?? factors.filter((f) => !f.startsWith("vol:"))).map((f, k) => indexOf(factors, f, `among[${k}]`, issues));
  if (issues.length > 0) return fail(...issues);
  const m = Float64Array.from(correlation);
  for (const i of among) for (const j of among) if (i !== j) m[i * n + j] = (1 - options.weight) * correlation[i * n + j]! + options.weight;
  return finish(m, n, `pushed toward +1 with weight ${options.weight} among ${among.map((i) => factors[i]).join(", ")}`);
}

/** Set the correlation of each listed pair to 0 (both orders), then repair. */
export function zeroCorrelations(correlation: Float64Array, factors: readonly string[], pairs: ReadonlyArray<readonly [string, string]>): Result<StressedCorrelation> {
  const n = factors.length;
  const issues: Issue[] = [];
  const m = Float64Array.from(correlation);
  pairs.forEach(([a, b], k) => {
    const i = indexOf(factors, a, `pairs[${k}][0]`, issues), j = indexOf(factors, b, `pairs[${k}][1]`, issues);
    if (i >= 0 && j >= 0 && i === j) issues.push(issue("invalid_value", `pairs[${k}]`, `a factor's correlation with itself is 1`));
    else if (i >= 0 && j >= 0) m[i * n + j] = m[j * n + i] = 0;
  });
  if (issues.length > 0) return fail(...issues);
  return finish(m, n, `correlations set to 0 for ${pairs.map(([a, b]) => `${a}/${b}`).join(", ")}`);
}

/**
 * A user matrix over named factors (any order); factors of the model it does not name keep their correlations,
 * including with the named ones. Must be symmetric with unit diagonal; then repaired like the other stresses.
 */
export function userCorrelationStress(correlation: Float64Array, factors: readonly string[], user: { readonly factors: readonly string[]; readonly matrix: readonly (readonly number[])[] }): Result<StressedCorrelation> {
  const n = factors.length;
  const k = user.factors.length;
  const flat = matrixFromRows(user.matrix, "matrix");
  if (!flat.ok) return flat;
  if (user.matrix.length !== k) return fail(issue("invalid_value", "matrix", `${user.matrix.length} rows for ${k} factors`));
  const issues: Issue[] = [];
  const idx = user.factors.map((f, i) => indexOf(factors, f, `factors[${i}]`, issues));
  if (new Set(user.factors).size !== k) issues.push(issue("duplicate", "factors", "a factor is listed twice"));
  if (issues.length > 0) return fail(...issues);
  // Symmetry and the unit diagonal of the user's own matrix (not PSD: that is what the repair is for).
  const shape = checkCorrelation(flat.value, k, { repair: true, path: "matrix" });
  if (!shape.ok) return shape;
  const m = Float64Array.from(correlation);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) m[idx[a]! * n + idx[b]!] = flat.value[a * k + b]!;
  return finish(m, n, `user correlations for ${user.factors.join(", ")}`);
}

/** NCM-repair a stressed matrix (always: the note reports the distance, 0 when it was already valid). */
function finish(m: Float64Array, n: number, what: string): Result<StressedCorrelation> {
  const checked = checkCorrelation(m, n, { repair: false });
  if (checked.ok) return ok({ ...checked.value, notes: [`correlation stress: ${what}; already a correlation matrix (repair distance 0)`] });
  const repaired = repairCorrelation(m, n, "correlation", "stress");
  if (!repaired.ok) return repaired;
  return ok({ ...repaired.value, notes: [`correlation stress: ${what}; repaired to the nearest correlation matrix, Frobenius distance ${repaired.value.repairDistance.toPrecision(4)}`] });
}
