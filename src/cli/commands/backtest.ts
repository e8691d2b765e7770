/**
 * `netrisk backtest`: would this margin have covered the losses? Walks the real history day by day (src/backtest),
 * prints the statistics (or `--json`), optionally writes the self-contained HTML report (`--report`), and draws a
 * progress bar on stderr only when stderr is a terminal. Also the backtest columns of `netrisk compare --backtest`.
 * Documented in docs/cli.md "netrisk backtest".
 * @module
 */
import { writeFileSync } from "node:fs";
import type { Command } from "commander";
import { issue, NetriskError } from "../../errors.js";
import { renderBacktestHtml } from "../../backtest/report-html.js";
import { statisticalDailyModel, withoutBuffer } from "../../backtest/statistical.js";
import type { BacktestOptions, BacktestResult, DailyModel } from "../../backtest/types.js";
import { historyUpTo, isDailyModel as isDaily, runBacktest } from "../../backtest/walk.js";
import { loadPreset } from "../../io/presets.js";
import { createHybridModel } from "../../models/hybrid/model.js";
import { MODEL_IDS } from "../../models/registry.js";
import { createRiskMatrixModel, parseRiskMatrixParams } from "../../models/risk-matrix/index.js";
import type { MarketContext } from "../../market/context.js";
import type { MarginModel, ResolvedPortfolio } from "../../models/types.js";
import { createVarModel } from "../../models/var/model.js";
import { parseHybridParams, parseVarParams } from "../../models/var/params.js";
import type { History } from "../../risk/history/types.js";
import type { AntiProcyclicalityParams } from "../../models/var/apc.js";
import { emit, need, runCommand, type Io } from "../run.js";
import { apcOptions, seriesApcFlags, withApcFlags } from "./apc-flags.js";
import { compareApcTools, renderApcComparison } from "./backtest-apc.js";
import type { BacktestFlags } from "./backtest-flags.js";
import { renderBacktest } from "./backtest-render.js";
import { startProgress } from "../progress.js";
import { loadMarginModel, loadPortfolioAndMarket, type PortfolioOptions } from "./context.js";
import { factorsFor, loadHistory, numberFlag, parameterSetJson } from "./risk-inputs.js";
import { maxOf, minOf } from "../../math/extent.js";

interface BacktestCommandFlags extends PortfolioOptions, BacktestFlags {
  model: string;
  preset?: string;
  params?: string;
  json?: boolean;
  report?: string;
  apcCompare?: boolean;
}

/** Add the flags of {@link BacktestFlags} to a command. */
export function backtestOptions(cmd: Command): Command {
  return apcOptions(cmd)
    .option("--history <files...>", "daily history CSV files: closes per currency, DVOL per base (docs/formats.md 'History files'); FACTOR=path names a single-series file")
    .option("--fill-gaps", "forward-fill missing days in the history (reported) instead of rejecting the file")
    .option("--from <date>", "first margin day, YYYY-MM-DD (default: the first day every needed series covers; var/hybrid: the first day with --min-window-days windows of history before it)")
    .option("--to <date>", "last margin day, YYYY-MM-DD (default: the last day with a close h days later)")
    .option("--horizon-days <days>", "margin period of risk h in days, 1-30 (default 2; var/hybrid: the parameter set's)")
    .option("--rebalance <mode>", "coin: sizes constant in coin | usd: rebalanced daily to the snapshot's USD notional", "coin")
    .option("--confidence <level>", "coverage the tests expect, e.g. 0.99 (default 0.99; var/hybrid: the parameter set's)")
    .option("--margin <kind>", "margin that must cover the loss: initial | maintenance", "initial")
    .option("--basis <mode>", "futures and forwards through history: snapshot (the snapshot's basis ratio) | flat (at the index)", "snapshot")
    .option("--window-days <n>", "var/hybrid: h-day windows in each day's historical scenarios (default 730: two years)")
    .option("--min-window-days <n>", "var/hybrid: fewest windows accepted while the history is shorter (default: --window-days)")
    .option("--no-stress", "var/hybrid: no stress floor (by default the named stresses that had ended by each day set one)");
}

const STATISTICAL = new Set(["var", "hybrid"]);

/** The model to backtest: a fixed model, or a statistical model re-bound daily; with its default horizon and confidence. */
export function backtestModel(
  id: string,
  flags: BacktestFlags & { preset?: string; params?: string },
  portfolio: ResolvedPortfolio,
  history: History,
): { model: MarginModel | DailyModel; horizonDays: number; confidence: number; buffer?: BacktestOptions["buffer"]; lookbackFloor?: BacktestOptions["lookbackFloor"] } {
  const horizonFlag = flags.horizonDays !== undefined ? numberFlag(flags.horizonDays, "--horizon-days", { integer: true, min: 1, max: 30 }) : undefined;
  if (!STATISTICAL.has(id)) {
    return { model: loadMarginModel(id, flags.preset, flags.params), horizonDays: horizonFlag ?? 2, confidence: 0.99, ...seriesApcFlags(flags, id) };
  }
  const raw = withApcFlags(parameterSetJson(flags.preset ?? `${id}-default`, flags.params), flags);
  const json = horizonFlag !== undefined ? { ...raw, horizonDays: horizonFlag } : raw;
  const source = flags.params ?? `presets/${flags.preset ?? `${id}-default`}.json`;
  const withSource = <T>(r: { ok: true; value: T } | { ok: false; issues: readonly { code: string; path: string; message: string }[] }): T => {
    if (r.ok) return r.value;
    throw new NetriskError(r.issues.map((i) => issue(i.code as never, i.path, `${i.message} (parameter set ${source})`)));
  };
  const windowDays = flags.windowDays !== undefined ? numberFlag(flags.windowDays, "--window-days", { integer: true, min: 1 }) : undefined;
  const minWindowDays = flags.minWindowDays !== undefined ? numberFlag(flags.minWindowDays, "--min-window-days", { integer: true, min: 1 }) : undefined;
  const common = { ...(windowDays !== undefined ? { windowDays } : {}), ...(minWindowDays !== undefined ? { minWindowDays } : {}), stress: flags.stress !== false };
  const apc = (p: { antiProcyclicality: AntiProcyclicalityParams }) => (p.antiProcyclicality.tools.length > 0 ? { antiProcyclicality: p.antiProcyclicality } : {});
  if (id === "var") {
    const params = withSource(parseVarParams(json));
    const priceFactors = factorsFor(portfolio, history, params.collateralInScenarios);
    const model = statisticalDailyModel({ id, parameterSet: params.info, horizonDays: params.horizonDays, priceFactors, ...common, ...apc(params), bind: (inputs, o) => createVarModel(o.buffer ? params : withoutBuffer(params), inputs) });
    return { model, horizonDays: params.horizonDays, confidence: params.confidence };
  }
  const params = withSource(parseHybridParams(json));
  const rmSource = `presets/${params.riskMatrixPreset}.json`;
  const rmParams = parseRiskMatrixParams(need(loadPreset(params.riskMatrixPreset)));
  if (!rmParams.ok) throw new NetriskError(rmParams.issues.map((i) => ({ ...i, message: `${i.message} (parameter set ${rmSource})` })));
  const rm = createRiskMatrixModel(rmParams.value);
  const priceFactors = factorsFor(portfolio, history, params.collateralInScenarios);
  const model = statisticalDailyModel({ id, parameterSet: params.info, horizonDays: params.horizonDays, priceFactors, ...common, ...apc(params), bind: (inputs, o) => createHybridModel(o.buffer ? params : withoutBuffer(params), inputs, rm) });
  return { model, horizonDays: params.horizonDays, confidence: params.confidence };
}

/** Backtest options from the flags (numbers checked; enumerations checked by the engine). */
export function backtestRunOptions(flags: BacktestFlags, defaults: { horizonDays: number; confidence: number; buffer?: BacktestOptions["buffer"]; lookbackFloor?: BacktestOptions["lookbackFloor"] }): BacktestOptions {
  return {
    ...(defaults.buffer !== undefined ? { buffer: defaults.buffer } : {}),
    ...(defaults.lookbackFloor !== undefined ? { lookbackFloor: defaults.lookbackFloor } : {}),
    horizonDays: defaults.horizonDays,
    confidence: flags.confidence !== undefined ? numberFlag(flags.confidence, "--confidence", { min: 0, max: 1 }) : defaults.confidence,
    rebalance: (flags.rebalance ?? "coin") as BacktestOptions["rebalance"],
    margin: (flags.margin ?? "initial") as BacktestOptions["margin"],
    basis: (flags.basis ?? "snapshot") as BacktestOptions["basis"],
    ...(flags.from !== undefined ? { from: flags.from } : {}),
    ...(flags.to !== undefined ? { to: flags.to } : {}),
  };
}

/** Engine issues about options point at the flag they came from. */
export function flagIssues<T>(r: { ok: true; value: T } | { ok: false; issues: readonly { code: string; path: string; message: string }[] }): T {
  if (r.ok) return r.value;
  const flag: Record<string, string> = { horizonDays: "--horizon-days", confidence: "--confidence", rebalance: "--rebalance", margin: "--margin", basis: "--basis", from: "--from", to: "--to", windowDays: "--window-days" };
  throw new NetriskError(r.issues.map((i) => issue(i.code as never, flag[i.path] ?? i.path, i.message)));
}

/** Write the HTML report; a failure is an input error naming the file. */
function writeReport(path: string, html: string): void {
  try {
    writeFileSync(path, html, "utf8");
  } catch (e) {
    throw new NetriskError([issue("file_unwritable", path, (e as Error).message)]);
  }
}

/** JSON of a backtest: the result as is (series included), plus the report path when one was written. */
function backtestJson(r: BacktestResult, report: string | undefined) {
  return { ...r, ...(report !== undefined ? { report } : {}) };
}

export function registerBacktest(program: Command, io: Io, setExit: (code: number) => void): void {
  backtestOptions(
    program
      .command("backtest")
      .description("model validation: the margin on each historical day (from that day's data only) against the loss realised over the next margin period of risk; coverage, breaches, Kupiec and Christoffersen tests, procyclicality; optional HTML report")
      .option("--portfolio <file>", "portfolio JSON (docs/formats.md)")
      .option("--market <file>", "the snapshot whose basis and vol-surface shape the historical days borrow: market JSON or Deribit option-chain CSV (default: the bundled example market)")
      .option("--futures <file>", "with a Deribit options-snapshot CSV: its futures marks CSV")
      .option("--perpetuals <file>", "with a Deribit options-snapshot CSV: its perpetual prices CSV")
      .option("--example", "use the bundled example portfolio and market")
      .option("--model <id>", `margin model: ${MODEL_IDS.join(" | ")}`, "deribit")
      .option("--preset <name>", "parameter-set preset in presets/ (default: the model's own)")
      .option("--params <file>", "parameter-set JSON file instead of a preset")
      .option("--report <file>", "also write a self-contained HTML report with charts to this file")
      .option("--apc-compare", "compare the anti-procyclicality tools: the backtest without any and with each alone (var/hybrid: buffer, stressed-weight, lookback-floor; other models: buffer, lookback-floor)")
      .option("--json", "machine-readable JSON output (the whole result, daily series included)"),
  ).action(async (flags: BacktestCommandFlags) => {
    setExit(
      await runCommand(io, Boolean(flags.json), () => {
        if (flags.portfolio === undefined && flags.example !== true) throw new NetriskError([issue("required", "--portfolio", "give --portfolio FILE (or --example for the bundled example)")]);
        // Without --market the bundled example market gives the shape (said in the notes); the portfolio is the user's.
        const { portfolio, context } = loadPortfolioAndMarket({ ...flags, example: flags.example === true || flags.market === undefined });
        const history = loadHistory(flags);
        if (flags.apcCompare === true) {
          if (flags.report !== undefined) throw new NetriskError([issue("invalid_value", "--report", "--report draws one backtest; give it without --apc-compare")]);
          const bar = startProgress(io, Boolean(flags.json), `backtest ${flags.model}`);
          let c: ReturnType<typeof compareApcTools>;
          try {
            c = compareApcTools(
              STATISTICAL.has(flags.model),
              flags,
              { portfolio, market: context, history },
              (f) => backtestModel(flags.model, f, portfolio, history),
              (d) => backtestRunOptions(flags, d),
              flagIssues,
              bar !== undefined ? (variant) => (p) => bar.update(p.done, p.total, `${variant} ${p.date}`) : undefined,
            );
          } finally {
            bar?.done();
          }
          emit(io, Boolean(flags.json), c, () => renderApcComparison(c));
          return;
        }
        const chosen = backtestModel(flags.model, flags, portfolio, history);
        const bar = startProgress(io, Boolean(flags.json), `backtest ${flags.model}`);
        const options = backtestRunOptions(flags, chosen);
        let run: ReturnType<typeof runBacktest>;
        try {
          run = runBacktest({ portfolio, market: context, history, model: chosen.model }, { ...options, ...(bar ? { onProgress: (p) => bar.update(p.done, p.total, p.date) } : {}) });
        } finally {
          bar?.done();
        }
        const result = flagIssues(run);
        const notes = flags.market === undefined && flags.example !== true ? ["market shape from the bundled synthetic example market (give --market for a real snapshot)", ...result.notes] : result.notes;
        const withNotes = { ...result, notes };
        if (flags.report !== undefined) writeReport(flags.report, renderBacktestHtml(withNotes));
        emit(io, Boolean(flags.json), backtestJson(withNotes, flags.report), () => renderBacktest(withNotes, flags.report !== undefined ? { report: flags.report } : {}));
      }),
    );
  });
}

/** One model's backtest columns in `netrisk compare --backtest` (or why it could not be backtested). */
export interface CompareBacktestRow {
  readonly label: string;
  readonly model: string;
  readonly observations?: number;
  readonly breaches?: number;
  readonly coverageRatio?: number;
  readonly kupiecPValue?: number;
  readonly christoffersenPValue?: number;
  readonly issues?: readonly { readonly code: string; readonly path: string; readonly message: string }[];
}

/** The backtest part of `netrisk compare --backtest`: common settings and one row per model. */
export interface CompareBacktest {
  readonly settings: BacktestResult["settings"] | null;
  readonly rows: readonly CompareBacktestRow[];
}

/** Row labels as `compareModels` makes them: the id, or id/parameter-set when an id repeats. */
function compareLabels(models: readonly { id: string; parameterSet: { name: string } }[]): string[] {
  const count = new Map<string, number>();
  for (const m of models) count.set(m.id, (count.get(m.id) ?? 0) + 1);
  return models.map((m) => ((count.get(m.id) ?? 0) > 1 ? `${m.id}/${m.parameterSet.name}` : m.id));
}

/**
 * Fixed models as they are; statistical models (var, hybrid) bound to the history up to the snapshot's day (or the
 * history's last day before it), so that they margin "today". A model that cannot be bound keeps its issues and
 * raises them when asked to compute (compare lists it as a failure).
 */
export function boundToSnapshot(built: readonly (MarginModel | DailyModel)[], market: MarketContext, history: History): MarginModel[] {
  const snapshotDay = Math.floor(market.asOfMs / 86_400_000);
  const lastKnown = Math.min(snapshotDay, minOf(history.prices.map((s) => s.firstDay + s.values.length - 1)));
  return built.map((m): MarginModel => {
    if (!isDaily(m)) return m;
    const bound = (m.modelAt ?? m.modelOn).call(m, lastKnown, historyUpTo(history, lastKnown));
    return bound.ok ? bound.value : { id: m.id, parameterSet: m.parameterSet, compute: () => { throw new NetriskError(bound.issues); } };
  });
}

/**
 * Models for `netrisk margin` / `netrisk compare` when `--history` is given: statistical models bound to historical
 * scenarios from the whole history up to the snapshot (their parameter set's horizon and confidence; `--window-days`
 * limits the windows), fixed models loaded as usual.
 */
export function modelsWithHistory(
  ids: readonly string[],
  flags: BacktestFlags & { preset?: string; params?: string },
  portfolio: ResolvedPortfolio,
  market: MarketContext,
  history: History,
): MarginModel[] {
  // The whole history unless --window-days says otherwise (the same scenarios as `netrisk var --method historical`).
  const span = Math.max(1, maxOf(history.prices.map((p) => p.values.length)));
  const whole = { ...flags, windowDays: flags.windowDays ?? String(span), minWindowDays: flags.minWindowDays ?? "1" };
  return boundToSnapshot(ids.map((id) => backtestModel(id, whole, portfolio, history).model), market, history);
}

/**
 * Models of `netrisk compare --backtest` and their backtests over the same days, horizon and confidence. A statistical
 * model (var, hybrid) is re-bound daily in the backtest and, for the IM column, bound to the history up to the
 * snapshot's day (or the history's last day before it); a model that cannot be bound or backtested gets its issues.
 */
export function compareWithBacktest(
  ids: readonly string[],
  flags: BacktestFlags,
  portfolio: ResolvedPortfolio,
  market: MarketContext,
  history: History,
  io: Io,
  json: boolean,
): { models: MarginModel[]; backtest: CompareBacktest } {
  const horizonDays = flags.horizonDays !== undefined ? numberFlag(flags.horizonDays, "--horizon-days", { integer: true, min: 1, max: 30 }) : 2;
  const confidence = flags.confidence !== undefined ? numberFlag(flags.confidence, "--confidence", { min: 0, max: 1 }) : 0.99;
  const shared = { ...flags, horizonDays: String(horizonDays) };
  const chosen = ids.map((id) => backtestModel(id, shared, portfolio, history));
  const built = chosen.map((c) => c.model);
  const models = boundToSnapshot(built, market, history);
  const labels = compareLabels(built);
  let settings: BacktestResult["settings"] | null = null;
  const options = backtestRunOptions(flags, { horizonDays, confidence });
  const rows = built.map((model, i): CompareBacktestRow => {
    const label = labels[i] ?? model.id;
    const bar = startProgress(io, json, `backtest ${label}`);
    const buffer = chosen[i]?.buffer;
    const r = runBacktest({ portfolio, market, history, model }, { ...options, ...(buffer !== undefined ? { buffer } : {}), ...(bar ? { onProgress: (p) => bar.update(p.done, p.total, p.date) } : {}) });
    bar?.done();
    if (!r.ok) return { label, model: model.id, issues: r.issues };
    settings ??= r.value.settings;
    const v = r.value;
    return { label, model: model.id, observations: v.coverage.observations, breaches: v.coverage.breaches, coverageRatio: v.coverage.coverageRatio, kupiecPValue: v.kupiec.pValue, christoffersenPValue: v.christoffersen.pValue };
  });
  return { models, backtest: { settings, rows } };
}
