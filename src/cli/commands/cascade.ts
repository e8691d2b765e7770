/**
 * `netrisk cascade`: a liquidation cascade over a book of account files (docs/cascade.md). No business rule here: the
 * cascade engine (src/live/cascade) decides; this file reads the files and flags, builds the exogenous path (a tick
 * file, a named stress derived from history, or an instant move) and prints the rounds and the summary.
 * @module
 */
import type { Command } from "commander";
import { assertFinite, issue, NetriskError } from "../../errors.js";
import { DEFAULT_LIQUIDATION_PRESET, LIQUIDATION_PRESETS, validateImpactModel, validateLiquidationPolicy } from "../../io/cascade.js";
import { loadLiveAccounts } from "../../io/live-accounts.js";
import { parseTickLines, validateLiveParams } from "../../io/live.js";
import { createCascadeCore, NO_IMPACT, runCascade, scenarioTick, shockTick } from "../../live/cascade/index.js";
import type { CascadeResult, CascadeRound, ImpactModel } from "../../live/cascade/index.js";
import type { Tick } from "../../live/tick.js";
import type { MarketSnapshot } from "../../market/types.js";
import { packagePath, readJson, readText } from "../files.js";
import { parseNumberFlag } from "../flags.js";
import { fmt, table } from "../output.js";
import { withProgress } from "../progress.js";
import { need, runCommand, type Io } from "../run.js";
import { loadMarket } from "./context.js";
import { loadHistory, namedStressSet } from "./risk-inputs.js";
import { BOUNDS } from "../../market/bounds.js";

interface CascadeFlags {
  accounts: string;
  market: string;
  futures?: string;
  perpetuals?: string;
  ticks?: string;
  stress?: string;
  history?: string[];
  fillGaps?: boolean;
  move?: string;
  policy?: string;
  impact?: string;
  insuranceFund?: string;
  maxRounds?: string;
  liveParams?: string;
  steps?: boolean;
  planner?: string;
  json?: boolean;
}

/** `BTC=-0.3,ETH=-0.25` as relative moves. */
export function parseMoves(text: string, flag: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(",").map((s) => s.trim()).filter((s) => s !== "")) {
    const m = /^([A-Z][A-Z0-9]{1,9})=(.+)$/.exec(part);
    if (!m) throw new NetriskError([issue("invalid_value", flag, `expected CUR=MOVE[,CUR=MOVE...] with relative moves (BTC=-0.3 is −30 %), got ${JSON.stringify(part)}`)]);
    out[m[1] as string] = parseNumberFlag(m[2] as string, `${flag}.${m[1]}`, { min: -0.999999 });
  }
  if (Object.keys(out).length === 0) throw new NetriskError([issue("required", flag, "give at least one move, e.g. BTC=-0.3")]);
  return out;
}

/** The path: exactly one of --ticks, --stress (with --history) and --move. */
function pathOf(flags: CascadeFlags, market: MarketSnapshot): { path: Tick[]; notes: string[] } {
  const given = (["ticks", "stress", "move"] as const).filter((k) => flags[k] !== undefined);
  if (given.length !== 1) throw new NetriskError([issue(given.length === 0 ? "required" : "invalid_value", "--move", `give exactly one of --ticks FILE, --stress NAME --history FILE..., --move BTC=-0.3,...${given.length > 1 ? ` (got ${given.map((g) => `--${g}`).join(", ")})` : ""}`)]);
  if (flags.move !== undefined) return { path: [need(shockTick(market, parseMoves(flags.move, "--move"), {}, "--move"))], notes: [`instant move ${flags.move} as one tick at the market's time`] };
  if (flags.stress !== undefined) {
    const history = loadHistory(flags);
    const available = new Set(history.prices.map((s) => s.factor));
    const factors = Object.keys(market.indexUsd).filter((c) => available.has(c)).sort();
    if (factors.length === 0) throw new NetriskError([issue("required", "--history", `the history has no price series for the market's currencies (${Object.keys(market.indexUsd).sort().join(", ")})`)]);
    const set = namedStressSet(history, factors, [flags.stress]);
    return { path: [need(scenarioTick(market, set, flags.stress))], notes: [`named stress ${flags.stress} derived from the history, as one tick`, ...set.notes] };
  }
  const lines = parseTickLines(need(readText(flags.ticks as string)), flags.ticks as string);
  const bad = lines.filter((l) => !l.result.ok);
  if (bad.length > 0) throw new NetriskError(bad.flatMap((l) => (l.result.ok ? [] : l.result.issues.map((i) => ({ ...i, path: `${flags.ticks}:${l.line}.${i.path}` })))));
  const path = lines.map((l) => (l.result.ok ? l.result.value : (undefined as never)));
  if (path.length === 0) throw new NetriskError([issue("required", "--ticks", `${flags.ticks} holds no tick`)]);
  const notes = [...new Set(path.map((t) => t.source).filter((s): s is string => s !== undefined))];
  return { path, notes };
}

/** --policy: a file, or the name of a bundled preset (presets/liquidation-NAME.json). */
export function policyPath(value: string | undefined): string {
  const v = value ?? DEFAULT_LIQUIDATION_PRESET;
  return (LIQUIDATION_PRESETS as readonly string[]).includes(v) ? packagePath(`presets/liquidation-${v}.json`) : v;
}

export function impactOf(value: string | undefined): ImpactModel {
  if (value === "none") return NO_IMPACT;
  return need(validateImpactModel(need(readJson(value ?? packagePath("presets/impact-default.json")))));
}

const usd = (x: number): string => fmt(Math.round(x));

function roundRow(r: CascadeRound, bases: readonly string[]): string[] {
  return [
    String(r.round),
    r.ts.slice(11, 19),
    ...bases.map((b) => fmt(Math.round((r.indexUsd[b] ?? 0) * 100) / 100)),
    `${r.liquidatedAccounts}/${r.liquidationSteps}`,
    String(r.bankruptAccounts),
    usd(r.liquidatedNotionalUsd),
    usd(r.shortfallUsd),
    usd(r.insuranceFundDrawUsd),
    usd(r.adlUsd),
    usd(r.socializedUsd),
    usd(r.insuranceFundBalanceUsd),
  ];
}

/** The text timeline: every round where something happened (and the first and last), then the summary. */
export function cascadeText(result: CascadeResult, notes: readonly string[]): string {
  const s = result.summary;
  const bases = Object.keys(s.finalMarks);
  const shown = result.rounds.filter((r, k) => k === 0 || k === result.rounds.length - 1 || r.liquidationSteps > 0);
  const lines = [
    `cascade: ${s.accounts} accounts, policy ${s.policy.name} ${s.policy.version}, impact ${s.impact.name} ${s.impact.version}, ${s.pathTicks} path tick(s), ${s.rounds} round(s)${s.truncated ? " (TRUNCATED at --max-rounds)" : ""}`,
    table(["round", "time", ...bases.map((b) => `${b} index`), "liquidated new/steps", "bankrupt", "notional USD", "shortfall USD", "fund draw USD", "ADL USD", "socialised USD", "fund after USD"], shown.map((r) => roundRow(r, bases))),
    "",
    `marks: ${bases.map((b) => `${b} ${fmt(s.startMarks[b] ?? 0)} -> ${fmt(Math.round((s.finalMarks[b] ?? 0) * 100) / 100)}`).join(", ")}`,
    `liquidated accounts: ${s.liquidatedAccounts} (bankrupt ${s.bankruptAccounts}, stuck ${s.stuckAccounts}); notional liquidated ${usd(s.liquidatedNotionalUsd)} USD; slippage ${usd(s.slippageUsd)} USD; auction discount ${usd(s.auctionDiscountUsd)} USD`,
    `bankrupt shortfall ${usd(s.bankruptShortfallUsd)} USD = insurance fund ${usd(s.insuranceFundUsedUsd)} + ADL ${usd(s.adlUsd)} (${s.adlAccounts} accounts) + socialised ${usd(s.socializedLossUsd)}`,
    `insurance fund: ${usd(s.insuranceFundStartUsd)} USD at start, fees in ${usd(s.insuranceFundFeesUsd)}, used ${usd(s.insuranceFundUsedUsd)}, ${usd(s.insuranceFundEndUsd)} at the end; liquidation fees ${usd(s.liquidationFeesUsd)} USD (liquidators ${usd(s.liquidatorFeesUsd)})`,
    ...notes.map((n) => `note: ${n}`),
  ];
  return lines.join("\n");
}

async function cascade(io: Io, flags: CascadeFlags): Promise<void> {
  const { context, loaded } = loadMarket(flags);
  const accounts = need(loadLiveAccounts(flags.accounts, context));
  const policy = need(validateLiquidationPolicy(need(readJson(policyPath(flags.policy)))));
  const impact = impactOf(flags.impact);
  const fund = flags.insuranceFund === undefined ? 0 : parseNumberFlag(flags.insuranceFund, "--insurance-fund", { min: 0, max: BOUNDS.amount.max });
  const maxRounds = flags.maxRounds === undefined ? 10_000 : parseNumberFlag(flags.maxRounds, "--max-rounds", { integer: true, min: 1, max: 1_000_000 });
  const params = flags.liveParams !== undefined ? need(validateLiveParams(need(readJson(flags.liveParams)))) : undefined;
  const { path, notes } = pathOf(flags, loaded.snapshot);
  const core = need(createCascadeCore({ market: loaded.snapshot, accounts, ...(params !== undefined ? { params } : {}) }));
  if (flags.planner !== undefined && flags.planner !== "policy" && flags.planner !== "least-cost") throw new NetriskError([issue("invalid_value", "--planner", `policy or least-cost, got ${JSON.stringify(flags.planner)}`)]);
  const planner = (flags.planner ?? "policy") as "policy" | "least-cost";
  const result = need(withProgress(io, Boolean(flags.json), "cascade ticks", (onProgress) => runCascade({ core, path, policy, impact, insuranceFundUsd: fund, maxRounds, details: flags.steps !== false, planner, ...(onProgress !== undefined ? { onProgress } : {}) })));
  const allNotes = [...notes, `policy source: ${policy.source}`, `impact source: ${impact.source}`];
  if (flags.json) {
    for (const r of result.rounds) {
      assertFinite(r, "cascade");
      io.out(JSON.stringify(r));
    }
    const last = { type: "cascade", summary: result.summary, notes: allNotes };
    assertFinite(last, "cascade");
    io.out(JSON.stringify(last));
  } else io.out(cascadeText(result, allNotes));
}

export function registerCascade(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command("cascade")
    .description("a liquidation cascade over a book: policy, market impact, insurance fund, ADL and socialised loss, round by round on the live core (docs/cascade.md)")
    .requiredOption("--accounts <path>", "an account file, or a folder of them (an account's id is its file name without .json)")
    .requiredOption("--market <file>", "the starting market: market JSON or a Deribit option-chain CSV")
    .option("--futures <file>", "with a Deribit options-snapshot CSV: its futures marks CSV")
    .option("--perpetuals <file>", "with a Deribit options-snapshot CSV: its perpetual prices CSV")
    .option("--ticks <file>", "the exogenous path: a tick file (docs/live.md, Ticks), one round per tick")
    .option("--stress <name>", "the exogenous move: a named stress derived from --history (black-thursday, may-2021, luna, ftx, usdc-depeg), as one tick")
    .option("--history <files...>", "daily history CSV files for --stress (docs/formats.md 'History files')")
    .option("--fill-gaps", "forward-fill missing days in the history (reported)")
    .option("--move <moves>", "the exogenous move: an instant shock of the indexes, e.g. BTC=-0.3,ETH=-0.35, as one tick")
    .option("--policy <file|name>", `liquidation policy file, or a bundled preset: ${LIQUIDATION_PRESETS.join(", ")} (default ${DEFAULT_LIQUIDATION_PRESET})`)
    .option("--impact <file|none>", "market-impact model file (default presets/impact-default.json); none: no impact")
    .option("--insurance-fund <usd>", "insurance fund at the start, USD (default 0)")
    .option("--max-rounds <n>", "stop after this many rounds (default 10000; the summary says truncated)")
    .option("--live-params <file>", "live parameter set (default presets/live.json's values)")
    .option("--planner <policy|least-cost>", "how accounts in liquidation are cut: the policy's own rule (default) or the engine's least-cost planner (slower)")
    .option("--no-steps", "leave each account's steps out of the JSON rounds")
    .option("--json", "one JSON object per round; the last line is {type: cascade, summary, notes}")
    .action(async (opts: CascadeFlags) => {
      setExit(await runCommand(io, Boolean(opts.json), () => cascade(io, opts)));
    });
}
