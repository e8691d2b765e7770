/**
 * What `netrisk var` and `netrisk stress` build from their flags: numbers checked as data, history files read, and the
 * joint scenario sets (historical, filtered historical, Monte Carlo with its correlation-breakdown variants, named and
 * user stresses) made by the scenario sources of src/risk. No business rule lives here: every choice is an engine
 * default or a flag.
 * @module
 */
import { issue, NetriskError } from "../../errors.js";
import { loadHistoryFiles } from "../../io/history-files.js";
import { loadPreset } from "../../io/presets.js";
import { parseStressScenariosJson } from "../../io/stress-scenarios.js";
import type { BreakdownSet } from "../../models/var/report.js";
import type { ResolvedPortfolio } from "../../models/types.js";
import { pushCorrelationsTowardOne, zeroCorrelations } from "../../risk/correlation-stress.js";
import type { History } from "../../risk/history/types.js";
import type { JointScenarioSet } from "../../risk/joint.js";
import { estimateFactorModel, factorKeys, filteredHistoricalScenarios, historicalScenarios, monteCarloScenarios, withCorrelation } from "../../risk/scenario-sources/index.js";
import type { FactorModel } from "../../risk/scenario-sources/index.js";
import { namedStressScenarios, userStressScenarios } from "../../risk/stress/index.js";
import { readJson, readText } from "../files.js";
import { need } from "../run.js";
import { parseNumberFlag } from "../flags.js";

/** Flags shared by both commands' scenario building. */
export interface ScenarioFlags {
  history?: string[];
  fillGaps?: boolean;
  from?: string;
  to?: string;
  paths?: string;
  seed?: string;
  distribution?: string;
  dof?: string;
  antithetic?: boolean;
  correlation?: string;
  /** Not a flag: the progress callback of a Monte Carlo run (a bar on a terminal), set by the command. */
  progress?: (done: number, total: number) => void;
}

/** A number flag, checked (src/cli/flags.ts): finite, optionally an integer within bounds, reported as typed. */
export function numberFlag(value: string | undefined, flag: string, o: { integer?: boolean; min?: number; max?: number; fallback?: number } = {}): number {
  if (value === undefined) {
    if (o.fallback !== undefined) return o.fallback;
    throw new NetriskError([issue("required", flag, `give ${flag}`)]);
  }
  return parseNumberFlag(value, flag, { ...(o.integer !== undefined ? { integer: o.integer } : {}), ...(o.min !== undefined ? { min: o.min } : {}), ...(o.max !== undefined ? { max: o.max } : {}) });
}

/** Read and combine the `--history` files (gaps are errors unless `--fill-gaps`, which forward-fills and says so). */
export function loadHistory(flags: ScenarioFlags): History {
  if (flags.history === undefined || flags.history.length === 0) throw new NetriskError([issue("required", "--history", "give --history FILE... (daily closes, DVOL; docs/formats.md)")]);
  return need(loadHistoryFiles(flags.history, flags.fillGaps === true ? { fillGaps: "forward" } : {}));
}

/**
 * Price factors the portfolio needs that the history has: the bases of its positions, the settlement stablecoins of
 * its linear products and (with `withCollateral`) its collateral currencies. Only these, so one asset with a short
 * history does not shorten every window. A base the history lacks is left out here and reported by the model
 * (`unsupported`: no price factor for it).
 */
export function factorsFor(portfolio: ResolvedPortfolio, history: History, withCollateral: boolean): string[] {
  const wanted = new Set<string>();
  for (const p of portfolio.positions) {
    const inst = p.instrument;
    if (inst.kind === "spot") wanted.add(inst.currency);
    else {
      wanted.add(inst.base);
      if (inst.settlement === "linear") wanted.add(inst.settlementCurrency);
    }
  }
  if (withCollateral) for (const c of Object.keys(portfolio.collateral)) wanted.add(c);
  const available = new Set(history.prices.map((s) => s.factor));
  const factors = [...wanted].filter((f) => available.has(f)).sort();
  if (factors.length === 0) {
    throw new NetriskError([issue("required", "--history", `the history has no price series for the portfolio's currencies (${[...wanted].sort().join(", ") || "none"}); it has ${[...available].sort().join(", ") || "none"}`)]);
  }
  return factors;
}

const METHODS = ["historical", "filtered", "montecarlo"] as const;
export type Method = (typeof METHODS)[number];

/** `--method`, checked. */
export function methodFlag(value: string): Method {
  if ((METHODS as readonly string[]).includes(value)) return value as Method;
  throw new NetriskError([issue("invalid_value", "--method", `unknown method ${JSON.stringify(value)}; known: ${METHODS.join(", ")}`)]);
}

/** Monte Carlo settings from the flags (defaults: 10,000 paths, seed 1, normal, antithetic, EWMA correlation). */
function monteCarloFlags(flags: ScenarioFlags, horizonDays: number) {
  const distribution = flags.distribution ?? "normal";
  if (distribution !== "normal" && distribution !== "student-t") throw new NetriskError([issue("invalid_value", "--distribution", `expected normal or student-t, got ${JSON.stringify(distribution)}`)]);
  return {
    horizonDays,
    paths: numberFlag(flags.paths, "--paths", { integer: true, min: 1, fallback: 10_000 }),
    seed: numberFlag(flags.seed, "--seed", { integer: true, min: 0, fallback: 1 }),
    distribution,
    ...(flags.dof !== undefined ? { degreesOfFreedom: numberFlag(flags.dof, "--dof", { min: 2 }) } : {}),
    antithetic: flags.antithetic !== false,
    ...(flags.progress !== undefined ? { onProgress: flags.progress } : {}),
  } as const;
}

/** The factor model of a Monte Carlo run (EWMA unless `--correlation sample`). */
function factorModel(history: History, factors: readonly string[], flags: ScenarioFlags): FactorModel {
  const method = flags.correlation ?? "ewma";
  if (method !== "ewma" && method !== "sample") throw new NetriskError([issue("invalid_value", "--correlation", `expected ewma or sample, got ${JSON.stringify(method)}`)]);
  return need(estimateFactorModel(history, { priceFactors: factors, method, ...(flags.from ? { from: flags.from } : {}), ...(flags.to ? { to: flags.to } : {}) }));
}

/** The main joint scenario set of `netrisk var`. */
export function mainScenarioSet(history: History, method: Method, factors: readonly string[], horizonDays: number, flags: ScenarioFlags): JointScenarioSet {
  const range = { ...(flags.from ? { from: flags.from } : {}), ...(flags.to ? { to: flags.to } : {}) };
  if (method === "historical") return need(historicalScenarios(history, { priceFactors: factors, horizonDays, ...range }));
  if (method === "filtered") return need(filteredHistoricalScenarios(history, { priceFactors: factors, horizonDays, ...range }));
  return need(monteCarloScenarios(factorModel(history, factors, flags), monteCarloFlags(flags, horizonDays)));
}

/**
 * Correlation-breakdown sets (Monte Carlo, same seed, so the difference is the correlation's alone): every price
 * correlation pushed to +1 (diversification gone), and every price–price correlation set to 0 (hedges gone).
 */
export function breakdownSets(history: History, factors: readonly string[], horizonDays: number, flags: ScenarioFlags): { sets: BreakdownSet[]; notes: string[] } {
  const model = factorModel(history, factors, flags);
  const keys = factorKeys(model);
  const mc = monteCarloFlags(flags, horizonDays);
  const notes: string[] = [];
  const sets: BreakdownSet[] = [];
  const toOne = need(pushCorrelationsTowardOne(model.correlation, keys, { weight: 1 }));
  sets.push({ label: "price correlations +1", scenarios: need(monteCarloScenarios(withCorrelation(model, toOne.matrix, toOne.notes), mc)) });
  const pairs: [string, string][] = [];
  for (let i = 0; i < model.priceFactors.length; i++) for (let j = i + 1; j < model.priceFactors.length; j++) pairs.push([model.priceFactors[i] as string, model.priceFactors[j] as string]);
  if (pairs.length > 0) {
    const zero = need(zeroCorrelations(model.correlation, keys, pairs));
    sets.push({ label: "price correlations 0 (hedges gone)", scenarios: need(monteCarloScenarios(withCorrelation(model, zero.matrix, zero.notes), mc)) });
  } else notes.push("correlation breakdown: one price factor only, no cross-asset hedge to remove");
  return { sets, notes };
}

/** Named stresses derived from the history for the given factors (all named periods, or the ids asked). */
export function namedStressSet(history: History, factors: readonly string[], ids?: readonly string[]): JointScenarioSet {
  const r = namedStressScenarios(history, { priceFactors: factors, ...(ids ? { ids } : {}) });
  // The engine names the bad id by its index among the ids (`ids[0]`); the user typed it after --scenario.
  if (!r.ok) throw new NetriskError(r.issues.map((i) => ({ ...i, path: i.path.replace(/^ids\[\d+\]/, "--scenario") })));
  return r.value;
}

/** True when a `--scenario` value names a file (a path or a .json name) rather than a named stress. */
export function isScenarioFile(value: string): boolean {
  return /\.json$/i.test(value) || value.includes("/") || value.includes("\\");
}

/** A user stress-scenario file as a joint set (docs/formats.md "Stress scenarios"). */
export function userStressSet(path: string): JointScenarioSet {
  const text = need(readText(path));
  return userStressScenarios(need(parseStressScenariosJson(text, path)), { source: path });
}

/** A statistical parameter set: `--params FILE`, else presets/<preset>.json. */
export function parameterSetJson(preset: string, paramsFile?: string): Record<string, unknown> {
  const raw = paramsFile !== undefined ? need(readJson(paramsFile)) : need(loadPreset(preset));
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) throw new NetriskError([issue("invalid_parameter_set", paramsFile ?? `presets/${preset}.json`, "expected a JSON object")]);
  return raw as Record<string, unknown>;
}
