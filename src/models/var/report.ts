/**
 * The statistical margin report of one portfolio: full revaluation under the bound joint scenarios, VaR and ES with
 * the Monte Carlo standard error, component ES per position, worst scenarios, loss histogram, diversification benefit
 * across underlyings, stress floor, correlation breakdown, liquidity and concentration add-ons, and the resulting IM/MM.
 * The `var` and `hybrid` models and `netrisk var` all read this one report (docs/methodology.md "VaR and expected
 * shortfall").
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import type { MarketContext } from "../../market/context.js";
import type { DerivativeInstrument } from "../../market/types.js";
import type { JointScenarioSet } from "../../risk/joint.js";
import { componentEs, lossHistogram, tailCountFor, tailMeasures, worstIndices } from "../../risk/measures.js";
import type { HistogramBin } from "../../risk/measures.js";
import { checkJointScenarioSet, compileRevaluationBook, groupsByLeg, groupsByUnderlying, revalue } from "../../risk/revaluation.js";
import type { VolConvention, VolMove } from "../../risk/revaluation.js";
import { concentrationAddon } from "../addons/concentration.js";
import type { ConcentrationLeg } from "../addons/concentration.js";
import { liquidityAddon } from "../addons/liquidity.js";
import type { LiquidityLeg } from "../addons/liquidity.js";
import type { ResolvedPortfolio } from "../types.js";
import { legsOf } from "./legs.js";
import type { VarParams } from "./params.js";
import { hasTool, withStressedWeight } from "./apc.js";
import type { AntiProcyclicalityParams, ApcTool } from "./apc.js";
import { scenarioMoves, stressTest } from "./stress.js";

/** A scenario set re-generated with stressed correlations (correlation breakdown), with a name for outputs. */
export interface BreakdownSet {
  readonly label: string;
  readonly scenarios: JointScenarioSet;
}

/** The scenario sets a statistical model is bound to at construction (built by the io/cli layer from history files). */
export interface StatisticalInputs {
  /** The joint scenarios ES is measured on (historical, filtered historical or Monte Carlo). */
  readonly scenarios: JointScenarioSet;
  /** Named stress scenarios for the stress floor (optional: no floor without them, said in the notes). */
  readonly stress?: JointScenarioSet;
  /** Monte Carlo sets with stressed correlations: ES is re-run on each and the difference reported. */
  readonly breakdown?: readonly BreakdownSet[];
  /** Anti-procyclicality (b): the stressed observations that get `stressedWeightDecimal` of the ES weight. */
  readonly stressed?: JointScenarioSet;
  /** Anti-procyclicality (c): the long look-back set (ten years, capped at the history) whose ES floors the margin. */
  readonly lookback?: JointScenarioSet;
  /** Not an input: called with (scenarios revalued, total) during the main full revaluation (a progress bar). */
  readonly onRevaluation?: (done: number, total: number) => void;
}

/**
 * Check the bound inputs against the parameter set: every set valid (`checkJointScenarioSet`), the main set's horizon
 * equal to the parameter set's, and enough scenarios for the confidence (N(1 − α) ≥ 1, else `out_of_range`).
 */
export function checkStatisticalInputs(inputs: StatisticalInputs, params: VarParams): Issue[] {
  const prefix = (path: string, issues: Issue[]): Issue[] => issues.map((i) => ({ ...i, path: i.path.replace(/^scenarios/, path) }));
  const issues = prefix("scenarios", checkJointScenarioSet(inputs.scenarios));
  if (inputs.scenarios.horizonDays !== params.horizonDays) {
    issues.push(issue("invalid_value", "scenarios.horizonDays", `the scenario set's horizon is ${inputs.scenarios.horizonDays} d, the parameter set's ${params.horizonDays} d`));
  }
  const k = tailCountFor(inputs.scenarios.count, params.confidence);
  if (!k.ok && inputs.scenarios.weights === undefined) issues.push(...k.issues);
  if (inputs.stress) issues.push(...prefix("stress", checkJointScenarioSet(inputs.stress)));
  const apc = params.antiProcyclicality;
  if (hasTool(apc, "stressed-weight")) {
    if (inputs.stressed === undefined) issues.push(issue("required", "stressed", "anti-procyclicality tool stressed-weight needs the stressed observations (built from history: netrisk margin/backtest --history)"));
    else issues.push(...prefix("stressed", checkJointScenarioSet(inputs.stressed)));
  }
  if (hasTool(apc, "lookback-floor")) {
    if (inputs.lookback === undefined) issues.push(issue("required", "lookback", "anti-procyclicality tool lookback-floor needs the long look-back scenarios (built from history: netrisk margin/backtest --history)"));
    else {
      issues.push(...prefix("lookback", checkJointScenarioSet(inputs.lookback)));
      const kl = tailCountFor(inputs.lookback.count, params.confidence);
      if (!kl.ok) issues.push(...kl.issues.map((x) => ({ ...x, path: "lookback" })));
    }
  }
  (inputs.breakdown ?? []).forEach((b, i) => {
    issues.push(...prefix(`breakdown[${i}]`, checkJointScenarioSet(b.scenarios)));
    const kb = tailCountFor(b.scenarios.count, params.confidence);
    if (!kb.ok) issues.push(...kb.issues.map((x) => ({ ...x, path: `breakdown[${i}]` })));
  });
  return issues;
}

export interface PositionEs {
  readonly instrument: string;
  readonly sizeCoin: number;
  readonly underlying: string;
  /** Euler contribution: mean loss of the position over the tail scenarios, USD (they sum to ES). */
  readonly componentEsUsd: number;
  /** componentEs / ES (0 when ES is 0). */
  readonly shareOfEs: number;
}

export interface WorstScenario {
  readonly label: string;
  readonly lossUsd: number;
  readonly priceMoves: Readonly<Record<string, number>>;
  readonly volRatios: Readonly<Record<string, number>>;
}

/** Everything one statistical margin call computes (all USD). */
export interface VarReport {
  readonly method: JointScenarioSet["method"];
  readonly horizonDays: number;
  readonly confidence: number;
  readonly scenarios: number;
  readonly tailCount: number;
  readonly varUsd: number;
  readonly esUsd: number;
  /** Monte Carlo standard error of ES (`montecarlo` sets with equal weights), else null. */
  readonly esStandardErrorUsd: number | null;
  readonly volConvention: VolConvention;
  /** Per base holding options: vols moved by the set's vol ratio (e.g. DVOL) or unchanged. */
  readonly volMoveByBase: Readonly<Record<string, VolMove>>;
  readonly contributions: readonly PositionEs[];
  readonly worst: readonly WorstScenario[];
  readonly histogram: readonly HistogramBin[];
  readonly diversification: {
    readonly standaloneEsUsd: Readonly<Record<string, number>>;
    readonly sumStandaloneEsUsd: number;
    readonly jointEsUsd: number;
    /** Σ stand-alone ES per underlying − joint ES (≥ 0: empirical ES is subadditive). */
    readonly benefitUsd: number;
  };
  readonly stress: {
    readonly scenarioCount: number;
    readonly worstLabel: string | null;
    readonly worstLossUsd: number;
    readonly floorFactor: number;
    /** floorFactor × max(0, worst stress loss). */
    readonly floorUsd: number;
  } | null;
  /** ES re-run on each correlation-breakdown set; increase = what the hedges were worth under the normal matrix. */
  readonly correlationBreakdown: readonly { readonly label: string; readonly esUsd: number; readonly increaseUsd: number }[];
  readonly liquidity: { readonly totalUsd: number; readonly legs: readonly LiquidityLeg[] };
  readonly concentration: { readonly totalUsd: number; readonly legs: readonly ConcentrationLeg[] };
  /** The anti-procyclicality tools applied (docs/methodology.md "Anti-procyclical margin"); null when none is on. */
  readonly antiProcyclicality: {
    readonly tools: readonly ApcTool[];
    /** (b): ES of the look-back scenarios alone, and how many stressed observations shared the weight. */
    readonly stressedWeight: { readonly weightDecimal: number; readonly observations: number; readonly esWithoutUsd: number } | null;
    /** (c): ES over the long look-back (its windows and first window's end date: the cap of the history). */
    readonly lookbackFloor: { readonly years: number; readonly windows: number; readonly firstWindow: string; readonly esUsd: number } | null;
    /** (a): the buffer in USD (bufferDecimal × the margin before it). */
    readonly buffer: { readonly bufferDecimal: number; readonly usd: number } | null;
  } | null;
  /** max(ES, 0, stress floor, look-back floor). */
  readonly marketRiskUsd: number;
  /** (marketRisk + liquidity + concentration) × (1 + buffer). */
  readonly initialMarginUsd: number;
  /** initialMargin / initialToMaintenanceFactor. */
  readonly maintenanceMarginUsd: number;
  readonly notes: readonly string[];
}

/**
 * The statistical margin report of `portfolio` in `market` (see the module comment). Domain: a portfolio validated
 * against `market`, inputs that pass {@link checkStatisticalInputs}.
 * @returns the report, or issues: `unsupported` (a position whose underlying has no price factor in the scenario
 *   set), `expired_instrument`, `missing_index`, and the measures' `out_of_range` (too few scenarios).
 */
export function computeVarReport(portfolio: ResolvedPortfolio, market: MarketContext, params: VarParams, inputs: StatisticalInputs): Result<VarReport> {
  const apc = params.antiProcyclicality;
  const plain = inputs.scenarios;
  let set = plain;
  if (hasTool(apc, "stressed-weight") && inputs.stressed !== undefined) {
    const weighted = withStressedWeight(plain, inputs.stressed, apc.stressedWeightDecimal);
    if (!weighted.ok) return weighted;
    set = weighted.value;
  }
  const notes: string[] = [...portfolio.notes, ...set.notes.map((n) => `scenarios: ${n}`)];
  const legs = legsOf(portfolio, market, params.collateralInScenarios, notes);
  const compiled = compileRevaluationBook(legs, market, set, { volConvention: params.volConvention });
  if (!compiled.ok) return compiled;
  const book = compiled.value;
  notes.push(...book.notes);
  const N = set.count;
  const byUnderlying = groupsByUnderlying(book);
  const G = byUnderlying.names.length;
  const pnl = revalue(book, set, { groups: byUnderlying, ...(inputs.onRevaluation !== undefined ? { onProgress: inputs.onRevaluation } : {}) });
  const loss = new Float64Array(N);
  for (let g = 0; g < G; g++) for (let s = 0; s < N; s++) loss[s] = (loss[s] as number) - (pnl[g * N + s] as number);
  const tailOptions = { ...(set.weights ? { weights: set.weights } : {}), antithetic: set.antithetic === true };
  const measured = tailMeasures(loss, params.confidence, tailOptions);
  if (!measured.ok) return measured;
  const m = measured.value;

  // Component ES: each leg's loss, recomputed only on the tail scenarios.
  const tailPnl = revalue(book, set, { groups: groupsByLeg(book), scenarioIndices: m.tailIndices });
  const comp = componentEs(tailPnl.map((x) => -x), m.tailWeights);
  const contributions = book.legs.map((l, i): PositionEs => {
    const c = comp[i] as number;
    return { instrument: l.label, sizeCoin: l.sizeCoin, underlying: book.underlyingOfLeg[i] as string, componentEsUsd: c, shareOfEs: m.esUsd !== 0 ? c / m.esUsd : 0 };
  });

  const standaloneEsUsd: Record<string, number> = {};
  let sumStandaloneEsUsd = 0;
  for (let g = 0; g < G; g++) {
    const lg = Float64Array.from({ length: N }, (_v, s) => -(pnl[g * N + s] as number));
    const mg = tailMeasures(lg, params.confidence, tailOptions);
    if (!mg.ok) return mg;
    standaloneEsUsd[byUnderlying.names[g] as string] = mg.value.esUsd;
    sumStandaloneEsUsd += mg.value.esUsd;
  }

  const worst = Array.from(worstIndices(loss, params.worstCount), (s): WorstScenario => ({ label: set.labels[s] ?? `#${s}`, lossUsd: loss[s] as number, ...scenarioMoves(set, s) }));

  let stress: VarReport["stress"] = null;
  if (inputs.stress) {
    const st = stressTest(legs, market, inputs.stress, params.volConvention);
    if (!st.ok) return st;
    const w = st.value.worst;
    const worstLossUsd = w?.lossUsd ?? 0;
    stress = { scenarioCount: inputs.stress.count, worstLabel: w?.label ?? null, worstLossUsd, floorFactor: params.stressFloorFactor, floorUsd: params.stressFloorFactor * Math.max(0, worstLossUsd) };
    for (const n of st.value.notes) notes.push(`stress: ${n}`);
  } else notes.push("no stress scenarios bound: the stress floor is not applied");

  const correlationBreakdown: { label: string; esUsd: number; increaseUsd: number }[] = [];
  for (const b of inputs.breakdown ?? []) {
    const cb = compileRevaluationBook(legs, market, b.scenarios, { volConvention: params.volConvention });
    if (!cb.ok) return cb;
    const lb = revalue(cb.value, b.scenarios).map((x) => -x);
    const mb = tailMeasures(lb, params.confidence, { ...(b.scenarios.weights ? { weights: b.scenarios.weights } : {}), antithetic: b.scenarios.antithetic === true });
    if (!mb.ok) return mb;
    correlationBreakdown.push({ label: b.label, esUsd: mb.value.esUsd, increaseUsd: mb.value.esUsd - m.esUsd });
  }

  const derivatives = [...legs]
    .filter((l): l is typeof l & { instrument: DerivativeInstrument } => l.instrument.kind !== "spot")
    .sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const liquidity = liquidityAddon(derivatives, market, params.liquidity);
  const concentration = concentrationAddon(
    derivatives.map((l) => ({ instrument: l.label, base: l.instrument.base, sizeCoin: l.sizeCoin, indexUsd: market.indexUsd(l.instrument.base) })),
    params.concentration,
  );
  const applied = applyApc(apc, plain, set, loss, params, inputs.lookback, (s) => {
    const cl = compileRevaluationBook(legs, market, s, { volConvention: params.volConvention });
    return cl.ok ? ok(revalue(cl.value, s).map((x) => -x)) : cl;
  });
  if (!applied.ok) return applied;
  const apcReport = applied.value;
  const marketRiskUsd = Math.max(m.esUsd, 0, stress?.floorUsd ?? 0, apcReport?.lookbackFloor?.esUsd ?? 0);
  const beforeBuffer = marketRiskUsd + liquidity.totalUsd + concentration.totalUsd;
  const bufferDecimal = hasTool(apc, "buffer") ? apc.bufferDecimal : 0;
  const initialMarginUsd = beforeBuffer * (1 + bufferDecimal);
  const antiProcyclicality = apcReport === null ? null : { ...apcReport, buffer: bufferDecimal > 0 ? { bufferDecimal, usd: beforeBuffer * bufferDecimal } : null };
  const report: VarReport = {
    method: set.method,
    horizonDays: set.horizonDays,
    confidence: params.confidence,
    scenarios: N,
    tailCount: m.tailCount,
    varUsd: m.varUsd,
    esUsd: m.esUsd,
    // Only Monte Carlo draws are independent; overlapping historical windows are not, so no error is claimed for them.
    esStandardErrorUsd: set.method === "montecarlo" ? (m.esStandardErrorUsd ?? null) : null,
    volConvention: params.volConvention,
    volMoveByBase: book.volMoveByBase,
    contributions,
    worst,
    histogram: lossHistogram(loss, params.histogramBins, set.weights),
    diversification: { standaloneEsUsd, sumStandaloneEsUsd, jointEsUsd: m.esUsd, benefitUsd: sumStandaloneEsUsd - m.esUsd },
    stress,
    correlationBreakdown,
    liquidity,
    concentration,
    antiProcyclicality,
    marketRiskUsd,
    initialMarginUsd,
    maintenanceMarginUsd: initialMarginUsd / params.initialToMaintenanceFactor,
    notes,
  };
  const bad = [report.varUsd, report.esUsd, report.initialMarginUsd, report.maintenanceMarginUsd].some((x) => !Number.isFinite(x));
  return bad ? fail(issue("internal", "", "non-finite VaR/ES figure (a bug: please report)")) : ok(report);
}

type ApcPart = Omit<NonNullable<VarReport["antiProcyclicality"]>, "buffer">;

/**
 * The (b) and (c) parts of the report: the look-back-only ES when the stressed observations were weighted in (the
 * first `plain.count` losses are the look-back scenarios), and the ES over the long look-back set for the floor.
 * Null when no tool is on.
 */
function applyApc(
  apc: AntiProcyclicalityParams,
  plain: JointScenarioSet,
  used: JointScenarioSet,
  loss: Float64Array,
  params: VarParams,
  lookback: JointScenarioSet | undefined,
  lossesOf: (set: JointScenarioSet) => Result<Float64Array>,
): Result<ApcPart | null> {
  if (apc.tools.length === 0) return ok(null);
  let stressedWeight: ApcPart["stressedWeight"] = null;
  if (used !== plain) {
    const mp = tailMeasures(loss.subarray(0, plain.count), params.confidence, { ...(plain.weights ? { weights: plain.weights } : {}), antithetic: plain.antithetic === true });
    if (!mp.ok) return mp;
    stressedWeight = { weightDecimal: apc.stressedWeightDecimal, observations: used.count - plain.count, esWithoutUsd: mp.value.esUsd };
  }
  let lookbackFloor: ApcPart["lookbackFloor"] = null;
  if (hasTool(apc, "lookback-floor") && lookback !== undefined) {
    const ll = lossesOf(lookback);
    if (!ll.ok) return ll;
    const ml = tailMeasures(ll.value, params.confidence, { ...(lookback.weights ? { weights: lookback.weights } : {}), antithetic: lookback.antithetic === true });
    if (!ml.ok) return ml;
    lookbackFloor = { years: apc.lookbackFloorYears, windows: lookback.count, firstWindow: lookback.labels[0] ?? "", esUsd: ml.value.esUsd };
  }
  return ok({ tools: apc.tools, stressedWeight, lookbackFloor });
}
