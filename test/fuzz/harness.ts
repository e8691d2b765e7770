/**
 * The fuzz harness shared by the suite (small, seeded: seconds) and `npm run fuzz -- --runs N` (scripts/fuzz.js,
 * which sets NETRISK_FUZZ_RUNS and NETRISK_FUZZ_REPORT). Every input's outcome is classified:
 * - `ok`: a result whose every number is finite;
 * - `coded`: a bad-input rejection (a Result's issues or a thrown NetriskError) whose codes are all in ISSUE_CODES and
 *   none a bug code;
 * - `crash`: anything thrown that is not a NetriskError, or an issue with a bug code (`internal`, `non_finite_result`);
 * - `nonFinite`: a result (or a CLI JSON document) holding NaN or ±Infinity;
 * - `uncoded`: an error without a known code (or a CLI error that breaks the one-line contract).
 * A target passes when crash, nonFinite and uncoded are all 0.
 */
import { appendFileSync } from "node:fs";
import fc from "fast-check";
import { BUG_CODES, firstNonFinitePath, ISSUE_CODES, NetriskError, type Issue } from "../../src/errors.js";

export type Outcome = "ok" | "coded" | "crash" | "nonFinite" | "uncoded";

export interface FuzzCounts {
  target: string;
  inputs: number;
  ok: number;
  coded: number;
  crash: number;
  nonFinite: number;
  uncoded: number;
  /** Target-specific property failures (e.g. a liquidation plan that bankrupts); counted as failures too. */
  violations: number;
  /** Up to 5 failing inputs with what went wrong. */
  examples: string[];
}

/** Inputs per target: NETRISK_FUZZ_RUNS × weight in a long run, else the suite's small count. */
export function runsFor(suiteRuns: number, weight = 1): number {
  const n = Number(process.env.NETRISK_FUZZ_RUNS ?? "");
  return Number.isFinite(n) && n > 0 ? Math.max(1, Math.round(n * weight)) : suiteRuns;
}

/** True in a long run (`npm run fuzz`). */
export const LONG_RUN = Number(process.env.NETRISK_FUZZ_RUNS ?? "") > 0;

const KNOWN = new Set<string>(ISSUE_CODES);

function issuesOutcome(issues: readonly Issue[]): Outcome {
  if (issues.length === 0) return "uncoded";
  if (issues.some((i) => BUG_CODES.includes(i.code))) return "crash";
  return issues.every((i) => KNOWN.has(i.code) && typeof i.path === "string" && typeof i.message === "string") ? "coded" : "uncoded";
}

/** Classify a value returned by the code under test: a Result (ok / fail) or a plain value. */
export function classifyValue(value: unknown): { outcome: Outcome; detail: string } {
  if (value !== null && typeof value === "object" && "ok" in value) {
    const r = value as { ok: boolean; value?: unknown; issues?: readonly Issue[] };
    if (!r.ok) {
      const issues = r.issues ?? [];
      return { outcome: issuesOutcome(issues), detail: JSON.stringify(issues.slice(0, 2)) };
    }
    value = r.value;
  }
  const at = firstNonFinitePath(value);
  return at === undefined ? { outcome: "ok", detail: "" } : { outcome: "nonFinite", detail: `non-finite at ${at || "(top)"}` };
}

/** Classify what `fn` does: its returned value (see classifyValue) or what it throws. */
export function classify(fn: () => unknown): { outcome: Outcome; detail: string } {
  try {
    return classifyValue(fn());
  } catch (e) {
    if (e instanceof NetriskError) return { outcome: issuesOutcome(e.issues), detail: JSON.stringify(e.issues.slice(0, 2)) };
    return { outcome: "crash", detail: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
}

export function emptyCounts(target: string): FuzzCounts {
  return { target, inputs: 0, ok: 0, coded: 0, crash: 0, nonFinite: 0, uncoded: 0, violations: 0, examples: [] };
}

/** Record one input's outcome (and a few failing examples). */
export function record(c: FuzzCounts, outcome: Outcome, input: unknown, detail: string): void {
  c.inputs++;
  c[outcome]++;
  if (outcome !== "ok" && outcome !== "coded" && c.examples.length < 5) c.examples.push(`${outcome}: ${detail} <- ${short(input)}`);
}

export function short(x: unknown): string {
  let s: string;
  try {
    s = JSON.stringify(x, (_k, v: unknown) => (typeof v === "number" && !Number.isFinite(v) ? String(v) : v));
  } catch {
    s = String(x);
  }
  return s.length > 400 ? `${s.slice(0, 400)}…` : s;
}

/** Failures of a target: crashes, non-finite outputs, uncoded errors and property violations. */
export const failuresOf = (c: FuzzCounts): number => c.crash + c.nonFinite + c.uncoded + c.violations;

/**
 * Run a target: `numRuns` inputs from `arb` (seeded), each classified by `run` (which returns the value or Result to
 * classify, or throws). Appends the counts to NETRISK_FUZZ_REPORT (one JSON line) when set.
 */
export function fuzz<T>(target: string, arb: fc.Arbitrary<T>, run: (input: T) => unknown, options: { numRuns: number; seed: number }): FuzzCounts {
  const counts = emptyCounts(target);
  fc.check(
    fc.property(arb, (input) => {
      const { outcome, detail } = classify(() => run(input));
      record(counts, outcome, input, detail);
      return true;
    }),
    { numRuns: options.numRuns, seed: options.seed, endOnFailure: true },
  );
  report(counts);
  return counts;
}

/** Append a target's counts to the long run's report file (scripts/fuzz.js adds them up). */
export function report(counts: FuzzCounts): void {
  const file = process.env.NETRISK_FUZZ_REPORT;
  if (file) appendFileSync(file, `${JSON.stringify(counts)}\n`);
}

/** Doubles that reach every corner: extremes, subnormals, signed zeros, NaN, ±Infinity, and ordinary values. */
export const anyDouble = (): fc.Arbitrary<number> =>
  fc.oneof(
    fc.double(),
    fc.constantFrom(0, -0, 5e-324, -5e-324, 1e-308, 1e308, -1e308, 1.7976931348623157e308, Number.NaN, Infinity, -Infinity, 1e154, 1e-9, 1e9, 1e15, 1e16),
    fc.double({ min: -1e6, max: 1e6, noNaN: true }),
  );

/** Any JSON-ish value, numbers from {@link anyDouble} (what a malformed file or request body can hold). */
export const anyJson = (): fc.Arbitrary<unknown> =>
  fc.letrec((tie) => ({
    value: fc.oneof(
      { depthSize: "small", withCrossShrink: true },
      anyDouble(),
      fc.string({ maxLength: 12 }),
      fc.boolean(),
      fc.constant(null),
      fc.array(tie("value"), { maxLength: 3 }),
      // A plain object, as JSON.parse makes (fast-check's dictionaries may have no prototype, which JSON never gives).
      fc.dictionary(fc.string({ maxLength: 6 }), tie("value"), { maxKeys: 3 }).map((d) => ({ ...d })),
    ),
  })).value;

/** Replace the value at a random path of `doc` (a deep copy) with `value`, or add a key. */
export function mutateAt(doc: unknown, path: readonly number[], value: unknown, newKey: string): unknown {
  const copy = structuredClone(doc) as unknown;
  let cur = copy as Record<string, unknown> | unknown[];
  for (let d = 0; d < path.length; d++) {
    const keys = Array.isArray(cur) ? cur.map((_v, i) => i) : Object.keys(cur);
    if (keys.length === 0) break;
    const k = keys[(path[d] as number) % keys.length] as string | number;
    const next = (cur as Record<string | number, unknown>)[k];
    const last = d === path.length - 1 || next === null || typeof next !== "object";
    if (last) {
      if ((path[d] as number) % 7 === 6 && !Array.isArray(cur)) (cur as Record<string, unknown>)[newKey] = value;
      else (cur as Record<string | number, unknown>)[k] = value;
      return copy;
    }
    cur = next as Record<string, unknown> | unknown[];
  }
  return copy;
}

/** A mutation of a document: 1 to 3 random paths set to random values. */
export const mutationArb = (): fc.Arbitrary<{ path: number[]; value: unknown; key: string }[]> =>
  fc.array(fc.record({ path: fc.array(fc.nat(1000), { minLength: 1, maxLength: 5 }), value: fc.oneof(anyDouble(), anyJson()), key: fc.string({ maxLength: 8 }) }), {
    minLength: 1,
    maxLength: 3,
  });

export function applyMutations(doc: unknown, ms: readonly { path: number[]; value: unknown; key: string }[]): unknown {
  return ms.reduce((d, m) => mutateAt(d, m.path, m.value, m.key), doc);
}
