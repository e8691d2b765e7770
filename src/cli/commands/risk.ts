/**
 * `netrisk var` (statistical margin: VaR/ES under historical, filtered historical or Monte Carlo joint scenarios, with
 * component ES, worst scenarios, histogram, diversification, stress floor, add-ons) and `netrisk stress` (named and
 * user stress scenarios, and the correlation-breakdown stress). Documented in docs/cli.md.
 * @module
 */
import type { Command } from "commander";
import { issue, NetriskError } from "../../errors.js";
import { computeHybridMargin, createHybridModel } from "../../models/hybrid/model.js";
import { createRiskMatrixModel, parseRiskMatrixParams } from "../../models/risk-matrix/index.js";
import type { MarginResult, ResolvedPortfolio } from "../../models/types.js";
import { legsOf } from "../../models/var/legs.js";
import { createVarModel, varMarginFromReport } from "../../models/var/model.js";
import { parseHybridParams, parseVarParams } from "../../models/var/params.js";
import type { VarParams } from "../../models/var/params.js";
import { computeVarReport } from "../../models/var/report.js";
import type { StatisticalInputs, VarReport } from "../../models/var/report.js";
import { stressTest } from "../../models/var/stress.js";
import type { StressReport } from "../../models/var/stress.js";
import type { JointScenarioSet } from "../../risk/joint.js";
import { loadPreset } from "../../io/presets.js";
import { apcScenarioSets } from "../../backtest/statistical.js";
import { historyUpTo } from "../../backtest/walk.js";
import { dayNumber } from "../../risk/history/dates.js";
import { apcOptions, withApcFlags } from "./apc-flags.js";
import type { ApcFlags } from "./apc-flags.js";
import { renderStress, renderVar, splitStressPnl } from "../render-risk.js";
import { emit, need, runCommand, type Io } from "../run.js";
import { startProgress } from "../progress.js";
import { loadPortfolioAndMarket, type PortfolioOptions } from "./context.js";
import {
  breakdownSets,
  factorsFor,
  isScenarioFile,
  loadHistory,
  mainScenarioSet,
  methodFlag,
  namedStressSet,
  numberFlag,
  parameterSetJson,
  userStressSet,
  type ScenarioFlags,
} from "./risk-inputs.js";

interface RiskFlags extends PortfolioOptions, ScenarioFlags, ApcFlags {
  preset?: string;
  params?: string;
  confidence?: string;
  horizonDays?: string;
  volConvention?: string;
  collateral?: boolean;
  json?: boolean;
}

interface VarFlags extends RiskFlags {
  method: string;
  model: string;
  stress?: boolean;
  correlationStress?: boolean;
  /** Not a flag: the progress callback of the main full revaluation (a bar on a terminal), set by the command. */
  revaluation?: (done: number, total: number) => void;
}

interface StressFlags extends RiskFlags {
  scenario?: string[];
  correlationStress?: boolean;
}

function common(cmd: Command): Command {
  return cmd
    .option("--portfolio <file>", "portfolio JSON (docs/formats.md)")
    .option("--market <file>", "market JSON, or a Deribit option-chain CSV (docs/formats.md)")
    .option("--futures <file>", "with a Deribit options-snapshot CSV: its futures marks CSV")
    .option("--perpetuals <file>", "with a Deribit options-snapshot CSV: its perpetual prices CSV")
    .option("--history <files...>", "daily history CSV files: closes per currency, DVOL per base (docs/formats.md 'History files'); FACTOR=path names a single-series file")
    .option("--fill-gaps", "forward-fill missing days in the history (reported) instead of rejecting the file")
    .option("--from <date>", "first window end date to use, YYYY-MM-DD")
    .option("--to <date>", "last window end date to use, YYYY-MM-DD (the as-of date of filtered scenarios)")
    .option("--confidence <alpha>", "confidence of VaR/ES, e.g. 0.99 (default: the parameter set's)")
    .option("--horizon-days <days>", "margin period of risk in days, 1-10 (default: the parameter set's)")
    .option("--paths <n>", "Monte Carlo paths (default 10000; even with antithetic pairs)")
    .option("--seed <n>", "Monte Carlo seed, a non-negative integer (default 1): same seed, same numbers on any machine")
    .option("--distribution <name>", "Monte Carlo: normal | student-t (default normal)")
    .option("--dof <nu>", "Monte Carlo Student-t degrees of freedom (> 2)")
    .option("--no-antithetic", "Monte Carlo: independent paths instead of antithetic pairs")
    .option("--correlation <method>", "Monte Carlo correlation estimate: ewma | sample (default ewma)")
    .option("--vol-convention <name>", "sticky-strike | sticky-moneyness (default: the parameter set's)")
    .option("--collateral", "also revalue collateral balances in the scenarios")
    .option("--preset <name>", "statistical parameter-set preset in presets/ (default var-default)")
    .option("--params <file>", "parameter-set JSON file instead of a preset")
    .option("--json", "machine-readable JSON output");
}

/** The statistical parameter set with the command-line overrides applied (validated by the model's parser). */
function statisticalParams(flags: RiskFlags, model: "var" | "hybrid"): Record<string, unknown> {
  const json = parameterSetJson(flags.preset ?? (model === "hybrid" ? "hybrid-default" : "var-default"), flags.params);
  return {
    ...withApcFlags(json, flags),
    ...(flags.confidence !== undefined ? { confidence: numberFlag(flags.confidence, "--confidence", { min: 0, max: 1 }) } : {}),
    ...(flags.horizonDays !== undefined ? { horizonDays: numberFlag(flags.horizonDays, "--horizon-days", { integer: true, min: 1, max: 10 }) } : {}),
    ...(flags.volConvention !== undefined ? { volConvention: flags.volConvention } : {}),
    ...(flags.collateral === true ? { collateralInScenarios: true } : {}),
  };
}

/** Parameter-set issues point at the flag or file they came from. */
function paramsOrThrow<T>(r: { ok: true; value: T } | { ok: false; issues: readonly { code: string; path: string; message: string }[] }, source: string): T {
  if (r.ok) return r.value;
  throw new NetriskError(r.issues.map((i) => issue(i.code as never, i.path, `${i.message} (parameter set ${source})`)));
}

/** JSON of `netrisk var`: the headline figures first (as the issue asks), then the whole report. */
function varJson(r: VarReport, margin: MarginResult) {
  const { varUsd, esUsd, esStandardErrorUsd, confidence, horizonDays, scenarios, method, notes: _notes, ...rest } = r;
  return {
    var: varUsd,
    es: esUsd,
    esStandardError: esStandardErrorUsd,
    confidence,
    horizonDays,
    scenarios,
    method,
    currency: "USD",
    volMoves: r.volMoveByBase,
    ...rest,
    margin: { model: margin.model, parameterSet: margin.parameterSet, initialMargin: margin.totalUsd.initialMargin, maintenanceMargin: margin.totalUsd.maintenanceMargin, components: margin.byCurrency.USD?.components ?? {} },
    notes: margin.notes,
  };
}

/** Everything `netrisk var` binds the model to, built from the flags and the history. */
function bindInputs(flags: VarFlags, params: VarParams, portfolio: ResolvedPortfolio): StatisticalInputs {
  const method = methodFlag(flags.method);
  const history = loadHistory(flags);
  const factors = factorsFor(portfolio, history, params.collateralInScenarios);
  const scenarios = mainScenarioSet(history, method, factors, params.horizonDays, flags);
  let breakdown: StatisticalInputs["breakdown"];
  if (flags.correlationStress === true) {
    if (method !== "montecarlo") throw new NetriskError([issue("invalid_value", "--correlation-stress", "the correlation breakdown re-runs Monte Carlo: use it with --method montecarlo")]);
    breakdown = breakdownSets(history, factors, params.horizonDays, flags).sets;
  }
  // Anti-procyclicality sets as of the last window of the main set (the history's last day, or --to).
  const asOf = dayNumber(scenarios.labels[scenarios.count - 1] ?? "") ?? 0;
  const apc = params.antiProcyclicality.tools.length > 0 ? need(apcScenarioSets(historyUpTo(history, asOf), factors, params.horizonDays, params.antiProcyclicality, asOf)) : {};
  return {
    scenarios,
    ...(flags.stress !== false ? { stress: namedStressSet(history, factors) } : {}),
    ...(breakdown ? { breakdown } : {}),
    ...apc,
    ...(flags.revaluation !== undefined ? { onRevaluation: flags.revaluation } : {}),
  };
}

function runVar(flags: VarFlags): { report: VarReport; margin: MarginResult } {
  const model = flags.model;
  if (model !== "var" && model !== "hybrid") throw new NetriskError([issue("invalid_value", "--model", `expected var or hybrid, got ${JSON.stringify(model)}`)]);
  methodFlag(flags.method);
  const raw = statisticalParams(flags, model);
  const source = flags.params ?? `presets/${flags.preset ?? `${model}-default`}.json`;
  if (model === "var") {
    const params = paramsOrThrow(parseVarParams(raw), source);
    const { portfolio, context } = loadPortfolioAndMarket(flags);
    const m = need(createVarModel(params, bindInputs(flags, params, portfolio)));
    const report = need(m.report(portfolio, context));
    return { report, margin: varMarginFromReport(report, portfolio, params) };
  }
  const params = paramsOrThrow(parseHybridParams(raw), source);
  const rmSource = `presets/${params.riskMatrixPreset}.json`;
  const rm = createRiskMatrixModel(paramsOrThrow(parseRiskMatrixParams(need(loadPreset(params.riskMatrixPreset))), rmSource));
  const { portfolio, context } = loadPortfolioAndMarket(flags);
  const inputs = bindInputs(flags, params, portfolio);
  need(createHybridModel(params, inputs, rm)); // validates the inputs against the parameter set
  const report = need(computeVarReport(portfolio, context, params, inputs));
  return { report, margin: need(computeHybridMargin(portfolio, context, params, inputs, rm, report)) };
}

/** The stress sets asked for: each --scenario (a named id, or a user JSON file), else every named stress. */
function stressSets(flags: StressFlags, portfolio: ResolvedPortfolio, withCollateral: boolean): JointScenarioSet[] {
  const values = flags.scenario ?? [];
  const files = values.filter(isScenarioFile);
  const names = values.filter((v) => !isScenarioFile(v));
  const sets = files.map(userStressSet);
  if (names.length > 0 || values.length === 0) {
    if (flags.history === undefined) {
      throw new NetriskError([issue("required", "--history", "named stress scenarios are derived from the history: give --history FILE... (or --scenario FILE.json for your own)")]);
    }
    const history = loadHistory(flags);
    sets.unshift(namedStressSet(history, factorsFor(portfolio, history, withCollateral), names.length > 0 ? names : undefined));
  }
  return sets;
}

function runStress(flags: StressFlags) {
  const raw = statisticalParams(flags, "var");
  const params = paramsOrThrow(parseVarParams({ ...raw, collateralInScenarios: true }), flags.params ?? `presets/${flags.preset ?? "var-default"}.json`);
  const { portfolio, context } = loadPortfolioAndMarket(flags);
  const notes: string[] = [];
  const legs = legsOf(portfolio, context, true, notes);
  const reports: StressReport[] = stressSets(flags, portfolio, true).map((set) => need(stressTest(legs, context, set, params.volConvention)));
  let correlation: { esUsd: number; breakdown: VarReport["correlationBreakdown"]; text: string } | null = null;
  if (flags.correlationStress === true) {
    const history = loadHistory(flags);
    const factors = factorsFor(portfolio, history, false);
    const mcFlags = { ...flags };
    const scenarios = mainScenarioSet(history, "montecarlo", factors, params.horizonDays, mcFlags);
    const b = breakdownSets(history, factors, params.horizonDays, mcFlags);
    const positionsOnly = { ...params, collateralInScenarios: false };
    const r = need(computeVarReport(portfolio, context, positionsOnly, { scenarios, breakdown: b.sets }));
    notes.push(...b.notes);
    correlation = {
      esUsd: r.esUsd,
      breakdown: r.correlationBreakdown,
      text: `Monte Carlo ES ${params.confidence} over ${params.horizonDays} day(s), ${scenarios.count} paths, positions only`,
    };
  }
  const json = {
    currency: "USD",
    scenarioSets: reports.map((s) => ({
      ...s,
      scenarios: s.scenarios.map((x) => ({ ...x, ...splitStressPnl(x.byPosition) })),
    })),
    correlationStress: correlation,
    notes: [...portfolio.notes, ...notes],
  };
  return { reports, correlation, json };
}

export function registerRisk(program: Command, io: Io, setExit: (code: number) => void): void {
  common(
    apcOptions(program.command("var"))
      .description("statistical margin: VaR and expected shortfall of the whole portfolio under joint historical, filtered-historical or Monte Carlo scenarios, with component ES, worst scenarios, loss histogram, diversification, stress floor and add-ons")
      .option("--method <name>", "historical | filtered | montecarlo", "historical")
      .option("--model <id>", "var | hybrid (max of the risk-matrix margin and the ES margin)", "var")
      .option("--no-stress", "no stress floor (by default the named stresses derived from the history set one)")
      .option("--correlation-stress", "Monte Carlo: also re-run with price correlations at +1 and at 0, and report the change"),
  ).action(async (flags: VarFlags) => {
    setExit(
      await runCommand(io, Boolean(flags.json), () => {
        // Bars on a terminal only: the Monte Carlo paths (1,000,000 take seconds), then the full revaluation.
        const json = Boolean(flags.json);
        const paths = startProgress(io, json, "monte carlo paths");
        const revaluation = startProgress(io, json, "revaluation");
        let out: ReturnType<typeof runVar>;
        try {
          out = runVar({
            ...flags,
            ...(paths !== undefined ? { progress: (d: number, t: number) => paths.update(d, t) } : {}),
            ...(revaluation !== undefined ? { revaluation: (d: number, t: number) => (paths?.done(), revaluation.update(d, t)) } : {}),
          });
        } finally {
          paths?.done();
          revaluation?.done();
        }
        const { report, margin } = out;
        emit(io, Boolean(flags.json), varJson(report, margin), () => renderVar(report, margin));
      }),
    );
  });

  common(
    program
      .command("stress")
      .description("stress test: the portfolio's and collateral's P&L under named historical stresses (derived from --history), user scenarios (JSON), and optionally the correlation-breakdown stress")
      .option("--scenario <names...>", "named stress ids (black-thursday, may-2021, luna, ftx, usdc-depeg) and/or user scenario files (*.json); default every named stress")
      .option("--correlation-stress", "also Monte Carlo ES with the estimated correlations vs price correlations at +1 and at 0 (needs --history)"),
  ).action(async (flags: StressFlags) => {
    setExit(
      await runCommand(io, Boolean(flags.json), () => {
        const r = runStress(flags);
        emit(io, Boolean(flags.json), r.json, () => renderStress(r.reports, r.correlation));
      }),
    );
  });
}
