/**
 * `netrisk insurance-fund`, `netrisk cover2`, `netrisk reverse-stress` (docs/cascade.md "Insurance-fund sizing",
 * "Cover-2", "Reverse stress"; docs/cli.md): read the book, market, history and the cascade's policy and impact, build
 * the draws or scenarios, and print what src/live/fund computes. No business rule here.
 * @module
 */
import { pathToFileURL } from "node:url";
import type { Command } from "commander";
import { sizeInsuranceFundInParallel } from "../../cluster/fund-pool.js";
import { assertFinite, issue, NetriskError } from "../../errors.js";
import type { Result } from "../../errors.js";
import { validateLiquidationPolicy } from "../../io/cascade.js";
import { loadLiveAccounts } from "../../io/live-accounts.js";
import { createCascadeCore, scenarioTick } from "../../live/cascade/index.js";
import type { LiveAccountInput } from "../../live/core.js";
import { cover2 } from "../../live/fund/cover2.js";
import type { Cover2Scenario } from "../../live/fund/cover2.js";
import { reverseStress } from "../../live/fund/reverse.js";
import { DRAW_SOURCES, sizeInsuranceFund } from "../../live/fund/sizing.js";
import type { DrawSource, FundDraw, SizingResult } from "../../live/fund/sizing.js";
import type { MarketSnapshot } from "../../market/types.js";
import { estimateFactorModel } from "../../risk/scenario-sources/factor-model.js";
import type { JointScenarioSet } from "../../risk/joint.js";
import { historicalScenarios } from "../../risk/scenario-sources/historical.js";
import { packagePath, readJson } from "../files.js";
import { parseNumberFlag } from "../flags.js";
import { fmt, table } from "../output.js";
import { startProgress, withProgress } from "../progress.js";
import { need, runCommand, type Io } from "../run.js";
import { impactOf, policyPath } from "./cascade.js";
import { MAX_THREADS } from "./threads.js";
import { loadMarket } from "./context.js";
import { loadHistory, mainScenarioSet, namedStressSet } from "./risk-inputs.js";
import { BOUNDS } from "../../market/bounds.js";

interface FundFlags {
  accounts: string;
  market: string;
  futures?: string;
  perpetuals?: string;
  history?: string[];
  fillGaps?: boolean;
  policy?: string;
  impact?: string;
  horizonDays?: string;
  maxRounds?: string;
  json?: boolean;
}

function common(cmd: Command): Command {
  return cmd
    .requiredOption("--accounts <path>", "an account file, or a folder of them (an account's id is its file name without .json)")
    .requiredOption("--market <file>", "the starting market: market JSON or a Deribit option-chain CSV")
    .option("--futures <file>", "with a Deribit options-snapshot CSV: its futures marks CSV")
    .option("--perpetuals <file>", "with a Deribit options-snapshot CSV: its perpetual prices CSV")
    .option("--history <files...>", "daily history CSV files (docs/formats.md 'History files'): the moves are derived from them")
    .option("--fill-gaps", "forward-fill missing days in the history (reported)")
    .option("--policy <file|name>", "liquidation policy file or bundled preset (as netrisk cascade)")
    .option("--impact <file|none>", "market-impact model file (default presets/impact-default.json); none: no impact")
    .option("--horizon-days <days>", "h of the historical windows and Monte Carlo moves, 1-10 (default 2)")
    .option("--max-rounds <n>", "stop each cascade after this many rounds (default 10000)")
    .option("--json", "machine-readable JSON output");
}

/** What every command loads: market, book (a fresh core per draw), history, the market's factors, policy, impact. */
function inputsOf(flags: FundFlags) {
  const { context, loaded } = loadMarket(flags);
  const accounts: LiveAccountInput[] = need(loadLiveAccounts(flags.accounts, context));
  if (flags.history === undefined) throw new NetriskError([issue("required", "--history", "give --history FILE... (daily closes of the book's underlyings): the moves are derived from it")]);
  const history = loadHistory(flags);
  const market = loaded.snapshot;
  const available = new Set(history.prices.map((s) => s.factor));
  const factors = [...new Set(Object.keys(market.instruments).map((n) => n.split(/[-_]/)[0] as string))].filter((c) => available.has(c) && market.indexUsd[c] !== undefined).sort();
  if (factors.length === 0) throw new NetriskError([issue("required", "--history", `the history has no price series for the book's underlyings (market indexes: ${Object.keys(market.indexUsd).sort().join(", ")})`)]);
  const policy = need(validateLiquidationPolicy(need(readJson(policyPath(flags.policy)))));
  const impact = impactOf(flags.impact);
  const horizonDays = flags.horizonDays === undefined ? 2 : parseNumberFlag(flags.horizonDays, "--horizon-days", { integer: true, min: 1, max: 10 });
  const maxRounds = flags.maxRounds === undefined ? undefined : parseNumberFlag(flags.maxRounds, "--max-rounds", { integer: true, min: 1, max: 1_000_000 });
  const newCore = () => createCascadeCore({ market, accounts });
  return { market, accounts, history, factors, policy, impact, horizonDays, newCore, ...(maxRounds !== undefined ? { maxRounds } : {}) };
}

/** Every scenario of a set as a draw. */
function drawsOf(market: MarketSnapshot, set: JointScenarioSet, source: DrawSource): FundDraw[] {
  return set.labels.map((label) => ({ source, label, tick: need(scenarioTick(market, set, label)) }));
}

// ---- insurance-fund ----------------------------------------------------------------------------------------------

interface SizingFlags extends FundFlags {
  source?: string;
  from?: string;
  to?: string;
  paths?: string;
  seed?: string;
  levels?: string;
  processes?: string;
}

function sizingText(r: SizingResult, head: string): string {
  const pct = (q: number) => `${(q * 100).toFixed(q >= 0.999 ? 1 : 0)} %`;
  const rows = r.bySource.flatMap((s) =>
    s.quantiles.map((q) => [s.source, String(s.draws), pct(q.level), fmt(Math.round(q.valueUsd)), q.standardErrorUsd === null ? "n/a" : fmt(Math.round(q.standardErrorUsd)), fmt(Math.round(s.meanUsd)), fmt(Math.round(s.maxUsd)), s.worst?.label ?? ""]),
  );
  return [head, table(["source", "draws", "level", "fund needed USD", "std. error USD", "mean USD", "max USD", "worst draw"], rows), ...r.notes.map((n) => `note: ${n}`)].join("\n");
}

async function insuranceFund(io: Io, flags: SizingFlags): Promise<void> {
  // One by default: on the 2-core machine two processes gained ×1.3 at best, and each child's start (modules, binding
  // the book, compiling) costs ~1.5 s, which a short run does not win back (docs/cascade.md, Speed of sizing).
  const processesAsked = flags.processes === undefined ? 1 : parseNumberFlag(flags.processes, "--processes", { integer: true, min: 1, max: MAX_THREADS });
  const x = inputsOf(flags);
  const sources = (flags.source ?? DRAW_SOURCES.join(",")).split(",").map((s) => s.trim());
  const bad = sources.filter((s) => !(DRAW_SOURCES as readonly string[]).includes(s));
  if (bad.length > 0 || sources.length === 0) throw new NetriskError([issue("invalid_value", "--source", `expected a comma-separated list of ${DRAW_SOURCES.join(", ")}, got ${JSON.stringify(flags.source)}`)]);
  const levels = (flags.levels ?? "0.99,0.999").split(",").map((v, i) => parseNumberFlag(v.trim(), `--levels[${i}]`, { min: 0, max: 1 }));
  const draws: FundDraw[] = [];
  const notes: string[] = [];
  if (sources.includes("historical")) {
    const range = { ...(flags.from !== undefined ? { from: flags.from } : {}), ...(flags.to !== undefined ? { to: flags.to } : {}) };
    const set = historicalScenarios(x.history, { priceFactors: x.factors, horizonDays: x.horizonDays, ...range });
    if (!set.ok) throw new NetriskError(set.issues.map((i) => ({ ...i, path: i.path === "from" ? "--from" : i.path === "to" ? "--to" : i.path })));
    draws.push(...drawsOf(x.market, set.value, "historical"));
    notes.push(`historical: ${set.value.notes[0] ?? ""}`);
  }
  if (sources.includes("montecarlo")) {
    const set = mainScenarioSet(x.history, "montecarlo", x.factors, x.horizonDays, { paths: flags.paths ?? "1000", seed: flags.seed ?? "1", antithetic: false });
    draws.push(...drawsOf(x.market, set, "montecarlo"));
    notes.push(...set.notes.map((n) => `montecarlo: ${n}`));
  }
  if (sources.includes("named")) {
    const set = namedStressSet(x.history, x.factors);
    draws.push(...drawsOf(x.market, set, "named"));
  }
  // The draws are independent: spread over processes (the same document whatever their number), or run here for one.
  const processes = Math.min(processesAsked, draws.length);
  const maxRounds = x.maxRounds !== undefined ? { maxRounds: x.maxRounds } : {};
  const bar = startProgress(io, Boolean(flags.json), "insurance-fund draws");
  const onDraw = bar !== undefined ? (done: number, total: number) => bar.update(done, total) : undefined;
  let sized: Result<SizingResult>;
  try {
    sized =
      processes <= 1
        ? sizeInsuranceFund({ newCore: x.newCore, draws, policy: x.policy, impact: x.impact, levels, ...maxRounds, ...(onDraw !== undefined ? { onDraw } : {}) })
        : await sizeInsuranceFundInParallel({ processes, market: x.market, book: { path: flags.accounts }, draws, policy: x.policy, impact: x.impact, levels, ...maxRounds, ...(onDraw !== undefined ? { onDraw } : {}), workerUrl: pathToFileURL(packagePath("dist/cluster/fund-pool-worker.js")) });
  } finally {
    bar?.done();
  }
  const r = need(sized);
  const head = `insurance-fund sizing: ${x.accounts.length} accounts, policy ${x.policy.name} ${x.policy.version}, impact ${x.impact.name} ${x.impact.version}, ${draws.length} draws (${x.horizonDays}-day moves of ${x.factors.join(", ")}) in ${processes} process${processes === 1 ? "" : "es"}`;
  const json = { accounts: x.accounts.length, policy: { name: x.policy.name, version: x.policy.version }, impact: { name: x.impact.name, version: x.impact.version }, horizonDays: x.horizonDays, factors: x.factors, bySource: r.bySource, outcomes: r.outcomes, notes: [...notes, ...r.notes] };
  assertFinite(json, "insurance-fund");
  io.out(flags.json ? JSON.stringify(json, null, 2) : sizingText({ ...r, notes: [...notes, ...r.notes] }, head));
}

// ---- cover2 ------------------------------------------------------------------------------------------------------

interface Cover2Flags extends FundFlags {
  groups?: string;
  historicalWorst?: string;
}

/** The historical windows with the k largest falls and rises of each factor (deduplicated, in date order). */
function extremeWindows(set: JointScenarioSet, k: number): string[] {
  const F = set.priceFactors.length;
  const picked = new Set<number>();
  for (let f = 0; f < F; f++) {
    const idx = Array.from({ length: set.count }, (_v, n) => n).sort((a, b) => (set.priceRelativeMove[a * F + f] as number) - (set.priceRelativeMove[b * F + f] as number));
    for (const n of [...idx.slice(0, k), ...idx.slice(-k)]) picked.add(n);
  }
  return [...picked].sort((a, b) => a - b).map((n) => set.labels[n] as string);
}

async function runCover2(io: Io, flags: Cover2Flags): Promise<void> {
  const x = inputsOf(flags);
  const k = flags.historicalWorst === undefined ? 5 : parseNumberFlag(flags.historicalWorst, "--historical-worst", { integer: true, min: 0, max: 1000 });
  let groupOf: ((id: string) => string) | undefined;
  if (flags.groups !== undefined) {
    const raw = need(readJson(flags.groups));
    if (raw === null || typeof raw !== "object" || Array.isArray(raw) || !Object.values(raw).every((v) => typeof v === "string" && v.length > 0)) {
      throw new NetriskError([issue("invalid_value", "--groups", `${flags.groups}: expected a JSON object {"account id": "group name", ...}`)]);
    }
    const map = raw as Record<string, string>;
    groupOf = (id) => map[id] ?? id;
  }
  const named = namedStressSet(x.history, x.factors);
  const hist = need(historicalScenarios(x.history, { priceFactors: x.factors, horizonDays: x.horizonDays }));
  const scenarios: Cover2Scenario[] = [
    ...named.labels.map((label) => ({ label, source: "named" as const, tick: need(scenarioTick(x.market, named, label)) })),
    ...extremeWindows(hist, k).map((label) => ({ label, source: "historical" as const, tick: need(scenarioTick(x.market, hist, label)) })),
  ];
  const r = need(withProgress(io, Boolean(flags.json), "cover2 scenarios", (onProgress) => cover2({ newCore: x.newCore, scenarios, ...(groupOf !== undefined ? { groupOf } : {}), ...(onProgress !== undefined ? { onProgress } : {}) })));
  const json = { accounts: x.accounts.length, factors: x.factors, horizonDays: x.horizonDays, fundUsd: r.fundUsd, worst: r.worst, scenarios: r.scenarios };
  assertFinite(json, "cover2");
  if (flags.json) {
    io.out(JSON.stringify(json, null, 2));
    return;
  }
  const w = r.worst;
  io.out(
    [
      `Cover-2: ${x.accounts.length} accounts, ${scenarios.length} scenarios (${named.count} named stresses; the ${k} largest ${x.horizonDays}-day falls and rises of ${x.factors.join(", ")})`,
      table(
        ["scenario", "source", "largest default", "second", "cover-2 USD", "all uncovered USD"],
        r.scenarios.map((s) => [s.label, s.source, s.top[0] ? `${s.top[0].group} ${fmt(Math.round(s.top[0].uncoveredUsd))}` : "-", s.top[1] ? `${s.top[1].group} ${fmt(Math.round(s.top[1].uncoveredUsd))}` : "-", fmt(Math.round(s.cover2Usd)), fmt(Math.round(s.totalUncoveredUsd))]),
      ),
      `fund covering the two largest defaults under the worst scenario (${w.label}): ${fmt(Math.round(r.fundUsd))} USD`,
      "note: uncovered loss = max(0, −equity) at the stressed market, positions as held (no liquidation before the default, no impact)",
    ].join("\n"),
  );
}

// ---- reverse-stress -----------------------------------------------------------------------------------------------

interface ReverseFlags extends FundFlags {
  insuranceFund: string;
  direction?: string;
  maxSigma?: string;
}

async function runReverse(io: Io, flags: ReverseFlags): Promise<void> {
  const x = inputsOf(flags);
  const fundUsd = parseNumberFlag(flags.insuranceFund, "--insurance-fund", { min: 0, max: BOUNDS.amount.max });
  if (!(fundUsd > 0)) throw new NetriskError([issue("out_of_range", "--insurance-fund", "the fund to exhaust must be > 0")]);
  const direction = flags.direction ?? "both";
  if (!["down", "up", "both"].includes(direction)) throw new NetriskError([issue("invalid_value", "--direction", `expected down, up or both, got ${JSON.stringify(direction)}`)]);
  const maxSigma = flags.maxSigma === undefined ? 10 : parseNumberFlag(flags.maxSigma, "--max-sigma", { min: 0.25, max: 100 });
  // Sample σ and correlation of daily log returns over the whole common history, σ scaled by √h to the horizon.
  const fm = need(estimateFactorModel(x.history, { priceFactors: x.factors, volFactors: [], method: "sample" }));
  const stats = {
    factors: fm.priceFactors.map((currency, i) => ({ currency, sigmaLog: (fm.volsDaily[i] as number) * Math.sqrt(x.horizonDays) })),
    correlation: Array.from(fm.correlation),
    notes: [`σ and correlation: sample, daily log returns (σ × √${x.horizonDays})`, ...fm.notes],
  };
  const results = (direction === "both" ? (["down", "up"] as const) : [direction as "down" | "up"]).map((d) =>
    need(
      withProgress(io, Boolean(flags.json), `reverse stress ${d}: cascades`, (onProgress) =>
        reverseStress({ newCore: x.newCore, market: x.market, policy: x.policy, impact: x.impact, fundUsd, factors: stats.factors, correlation: stats.correlation, direction: d, maxSigma, ...(x.maxRounds !== undefined ? { maxRounds: x.maxRounds } : {}), ...(onProgress !== undefined ? { onProgress } : {}) }),
      ),
    ),
  );
  const json = { accounts: x.accounts.length, fundUsd, horizonDays: x.horizonDays, statistics: stats, results };
  assertFinite(json, "reverse-stress");
  if (flags.json) {
    io.out(JSON.stringify(json, null, 2));
    return;
  }
  io.out(
    [
      `reverse stress: the smallest joint ${x.horizonDays}-day move of ${x.factors.join(", ")} (each by k of its own σ, correlated) whose cascade needs more than ${fmt(fundUsd)} USD; ${x.accounts.length} accounts, policy ${x.policy.name}, impact ${x.impact.name}`,
      `σ of ${x.horizonDays}-day log moves: ${stats.factors.map((f) => `${f.currency} ${(f.sigmaLog * 100).toFixed(2)} %`).join(", ")}; ${stats.notes.join("; ")}`,
      table(
        ["direction", "found", "k (σ)", "Mahalanobis", ...x.factors.map((f) => `${f} move`), "fund needed USD", "just below USD", "cascades"],
        results.map((r) => [r.direction, r.found ? "yes" : `no (up to ${maxSigma}σ)`, r.kSigma.toFixed(3), r.mahalanobis.toFixed(3), ...x.factors.map((f) => `${((r.moves[f] ?? 0) * 100).toFixed(2)} %`), fmt(Math.round(r.fundNeededUsd)), fmt(Math.round(r.fundNeededBelowUsd)), String(r.evaluations)]),
      ),
    ].join("\n"),
  );
}

export function registerFund(program: Command, io: Io, setExit: (code: number) => void): void {
  common(program.command("insurance-fund").description("insurance-fund sizing: the liquidation cascade over many draws (historical windows, Monte Carlo, named stresses); the fund needed per draw, its 99 % and 99.9 % quantiles with Monte Carlo standard errors (docs/cascade.md)"))
    .option("--source <list>", `draw sources, comma-separated: ${DRAW_SOURCES.join(", ")} (default all)`)
    .option("--from <date>", "historical: first window end date, YYYY-MM-DD (default: the first every underlying covers)")
    .option("--to <date>", "historical: last window end date, YYYY-MM-DD")
    .option("--paths <n>", "Monte Carlo draws (default 1000)")
    .option("--seed <n>", "Monte Carlo seed (default 1)")
    .option("--levels <list>", "quantile levels, comma-separated (default 0.99,0.999)")
    .option("--processes <n>", "child processes running the draws, each on its own copy of the book (default 1: this process alone; worth it for long runs on a machine with cores to spare). The result does not depend on it")
    .action(async (opts: SizingFlags) => setExit(await runCommand(io, Boolean(opts.json), () => insuranceFund(io, opts))));
  common(program.command("cover2").description("Cover-2: the two accounts (or groups) whose default under the worst named or historical stress costs most beyond their equity, and the fund that covers them (docs/cascade.md)"))
    .option("--groups <file>", "JSON object mapping account id to group (affiliates default together); default: each account alone")
    .option("--historical-worst <k>", "historical windows: the k largest falls and rises of each underlying (default 5)")
    .action(async (opts: Cover2Flags) => setExit(await runCommand(io, Boolean(opts.json), () => runCover2(io, opts))));
  common(program.command("reverse-stress").description("reverse stress: the smallest joint correlated move of the underlyings whose liquidation cascade exhausts a given insurance fund (docs/cascade.md)"))
    .requiredOption("--insurance-fund <usd>", "the fund to exhaust, USD")
    .option("--direction <dir>", "down | up | both (default both)")
    .option("--max-sigma <k>", "largest move tried, in σ of each underlying (default 10)")
    .action(async (opts: ReverseFlags) => setExit(await runCommand(io, Boolean(opts.json), () => runReverse(io, opts))));
}
