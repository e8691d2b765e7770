/**
 * `netrisk replay` (the live core over a tick file, without a server) and `netrisk ticks` (a seeded intraday path of a
 * real day through its daily OHLC, as a tick file). docs/live.md, "Replay". No business rule here: the live core
 * (src/live) decides, this file reads files, times each tick and prints.
 * @module
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import type { Command } from "commander";
import { assertFinite, issue, NetriskError } from "../../errors.js";
import { annualisedVol, correlation, dayAndBefore, logReturns, parseDailyOhlc } from "../../io/daily-ohlc.js";
import type { DailyRow } from "../../io/daily-ohlc.js";
import { loadLiveAccounts } from "../../io/live-accounts.js";
import { parseTickLines, tickToJson, validateBreakerRules, validateLiveParams } from "../../io/live.js";
import { marketSnapshotToJson } from "../../io/market.js";
import { createLiveCore } from "../../live/core.js";
import type { LiveEvent } from "../../live/events.js";
import { replayAccumulator } from "../../live/replay-summary.js";
import type { ReplaySummary } from "../../live/replay-summary.js";
import { generateDayTicks } from "../../live/tick-generator.js";
import type { DayOhlc, VolRule } from "../../live/tick-generator.js";
import { packagePath, readJson, readText } from "../files.js";
import { fmt, table } from "../output.js";
import { startProgress } from "../progress.js";
import { need, runCommand, type Io } from "../run.js";
import { loadMarket } from "./context.js";

interface ReplayOptions {
  accounts: string;
  market: string;
  futures?: string;
  perpetuals?: string;
  ticks: string;
  breakers?: string;
  liveParams?: string;
  figures?: boolean;
  markets?: string;
  json?: boolean;
}

/** One JSON line, through the finite-number guard (no NaN ever reaches an output). */
function line(io: Io, value: unknown): void {
  assertFinite(value, "replay");
  io.out(JSON.stringify(value));
}

function eventText(e: LiveEvent): string {
  const head = `seq ${e.seq} ${e.ts} #${e.eventSeq}`;
  switch (e.type) {
    case "health_changed":
      return `${head} ${e.account}: ${e.from} -> ${e.to}${e.liquidationSuspended ? " (liquidation suspended)" : ""}: ${e.reason}; ${e.cause}`;
    case "margin_call":
      return `${head} ${e.account}: MARGIN CALL, ${fmt(e.amountNeededUsd)} USD needed (${fmt(e.toHealthyUsd)} USD to healthy)`;
    case "liquidation": {
      const plan = e.plan as { status?: string; steps?: unknown[] };
      return `${head} ${e.account}: LIQUIDATION${e.deferred ? " (deferred)" : ""}, plan ${plan.status ?? "?"} in ${plan.steps?.length ?? 0} step(s)`;
    }
    case "breaker":
      return `${head} breaker ${e.underlying} ${e.from} -> ${e.to} (${e.rule}, ${e.kind}): ${e.reason}`;
    case "parameters_changed":
      return `${head} parameters ${e.parameterSet.name} ${e.parameterSet.from} -> ${e.parameterSet.to}: ${e.reason}`;
  }
}

function summaryText(s: ReplaySummary): string {
  const states = Object.keys(s.hoursInState) as (keyof ReplaySummary["hoursInState"])[];
  const lines = [
    "",
    `replay ${s.from} -> ${s.to}: ${s.accounts} accounts, ${s.ticks.total} ticks (${s.ticks.applied} applied, ${s.ticks.ignored} ignored, ${s.ticks.rejected} rejected, ${s.ticks.unreadable} unreadable)`,
    `margin call: ${s.marginCall.length} account(s); liquidation: ${s.liquidation.length}; bankrupt: ${s.bankrupt.length}; breaker trips: ${s.breakerTrips.length}`,
    `latency per tick: p50 ${s.latencyMs.p50.toFixed(3)} ms, p99 ${s.latencyMs.p99.toFixed(3)} ms, max ${s.latencyMs.max.toFixed(3)} ms`,
    table(
      ["state", "accounts at start", "accounts at end", "account-hours"],
      states.map((st) => [st, String(s.statesAtStart[st]), String(s.statesAtEnd[st]), s.hoursInState[st].toFixed(2)]),
    ),
    ...s.notes.map((n) => `note: ${n}`),
  ];
  return lines.join("\n");
}

async function replay(io: Io, opts: ReplayOptions): Promise<void> {
  const { context, loaded } = loadMarket(opts);
  const accounts = need(loadLiveAccounts(opts.accounts, context));
  const params = need(validateLiveParams(need(readJson(opts.liveParams ?? packagePath("presets/live.json")))));
  const breakers = opts.breakers !== undefined ? need(validateBreakerRules(need(readJson(opts.breakers)))) : undefined;
  const core = need(createLiveCore({ market: loaded.snapshot, accounts, params, ...(breakers !== undefined ? { breakers } : {}) }));
  const lines = parseTickLines(need(readText(opts.ticks)), opts.ticks);
  if (opts.markets !== undefined) mkdirSync(opts.markets, { recursive: true });
  const acc = replayAccumulator(core);
  const json = Boolean(opts.json);
  const notes: string[] = [];
  // A bar of the ticks on a terminal (a day of one-minute ticks over a large book runs for seconds).
  const bar = startProgress(io, json, "replay ticks");
  try {
    for (const [k, l] of lines.entries()) {
      bar?.update(k, lines.length);
      if (!l.result.ok) {
        acc.unreadable();
        if (json) line(io, { seq: null, type: "tick_unreadable", line: l.line, issues: l.result.issues });
        else io.out(`line ${l.line}: unreadable tick: ${l.result.issues.map((i) => `${i.path}: ${i.code}: ${i.message}`).join("; ")}`);
        continue;
      }
      const tick = l.result.value;
      if (tick.source !== undefined && !notes.includes(tick.source)) notes.push(tick.source);
      const t0 = performance.now();
      const out = core.apply({ kind: "tick", tick });
      const ms = performance.now() - t0;
      acc.add(out, ms);
      if (out.status !== "applied") {
        if (json) line(io, { seq: tick.seq, type: out.status === "ignored" ? "tick_ignored" : "tick_rejected", line: l.line, issues: out.issues });
        else io.out(`seq ${tick.seq}: tick ${out.status}: ${out.issues.map((i) => `${i.path}: ${i.code}: ${i.message}`).join("; ")}`);
        continue;
      }
      if (out.issues.length > 0) {
        if (json) line(io, { seq: tick.seq, type: "tick_warning", line: l.line, issues: out.issues });
        else io.out(`seq ${tick.seq}: ${out.issues.map((i) => `${i.path}: ${i.code}: ${i.message}`).join("; ")}`);
      }
      for (const e of out.events) {
        if (json) line(io, e);
        else io.out(eventText(e));
      }
      if (opts.figures) {
        for (const id of out.changed) {
          const doc = core.document(id);
          if (doc === undefined) continue;
          const figures = doc.ok ? doc.value : { error: { code: doc.issues[0]?.code ?? "internal", issues: doc.issues } };
          if (json) line(io, { seq: tick.seq, type: "figures", account: id, figures });
          else if (doc.ok) io.out(`seq ${tick.seq} ${id}: equity ${fmt(doc.value.figures.equityUsd)} USD, IM ${fmt(doc.value.figures.initialMarginUsd)} USD, MM ${fmt(doc.value.figures.maintenanceMarginUsd)} USD, ${doc.value.health.state}`);
        }
      }
      if (opts.markets !== undefined) {
        const file = marketSnapshotToJson(core.market(), `the market as the netrisk live core held it after tick ${tick.seq}`);
        writeFileSync(join(opts.markets, `${tick.seq}.json`), `${JSON.stringify(file, null, 1)}\n`);
      }
      // A tick's lines out before the next tick's (see Io.outDrained): memory stays at one tick's output.
      const drained = io.outDrained?.();
      if (drained !== undefined) await drained;
    }
    bar?.update(lines.length, lines.length);
  } finally {
    bar?.done();
  }
  const summary = acc.summary(notes);
  if (json) line(io, summary);
  else io.out(summaryText(summary));
}

interface TicksOptions {
  day: string;
  market?: string;
  example?: boolean;
  ohlc: string[];
  dvol: string[];
  interval: string;
  seed: string;
  out?: string;
}

/** `BASE=path` pairs of a repeatable option. */
function pairs(values: readonly string[], flag: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const v of values) {
    const m = /^([A-Z][A-Z0-9]{1,9})=(.+)$/.exec(v);
    if (!m) throw new NetriskError([issue("invalid_value", flag, `expected BASE=FILE, e.g. BTC=../shared/data/btc_usd_daily_ohlcv_yahoo.csv, got ${JSON.stringify(v)}`)]);
    out.set(m[1] as string, m[2] as string);
  }
  return out;
}

const TRAILING_DAYS = 30;

function ticks(io: Io, opts: TicksOptions): void {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(opts.day)) throw new NetriskError([issue("invalid_value", "--day", `expected YYYY-MM-DD, got ${JSON.stringify(opts.day)}`)]);
  const interval = Number(opts.interval);
  if (!Number.isInteger(interval) || interval < 1 || 86_400 % interval !== 0 || 86_400 / interval < 4)
    throw new NetriskError([issue("invalid_value", "--interval", `seconds dividing a day into at least 4 steps (60, 300, ...), got ${JSON.stringify(opts.interval)}`)]);
  const seed = Number(opts.seed);
  if (!Number.isSafeInteger(seed)) throw new NetriskError([issue("invalid_value", "--seed", `an integer, got ${JSON.stringify(opts.seed)}`)]);
  const { loaded } = loadMarket({ ...(opts.market !== undefined ? { market: opts.market } : {}), ...(opts.example ? { example: true } : {}) });
  const files = pairs(opts.ohlc, "--ohlc");
  if (files.size === 0) throw new NetriskError([issue("required", "--ohlc", "give at least one --ohlc BASE=FILE (daily OHLC, e.g. ../shared/data/btc_usd_daily_ohlcv_yahoo.csv)")]);
  const dvols = pairs(opts.dvol, "--dvol");
  const ohlc: Record<string, DayOhlc> = {};
  const vol: Record<string, VolRule> = {};
  const before: Record<string, DailyRow[]> = {};
  const sources: string[] = [];
  for (const [base, path] of [...files].sort()) {
    const rows = need(parseDailyOhlc(need(readText(path)), path));
    const d = dayAndBefore(rows, opts.day);
    if (d === undefined) throw new NetriskError([issue("out_of_range", "--day", `${path} has no row for ${opts.day}`)]);
    if (d.before.length < TRAILING_DAYS + 1) throw new NetriskError([issue("out_of_range", "--day", `${path} has fewer than ${TRAILING_DAYS + 1} days before ${opts.day}`)]);
    ohlc[base] = d.row;
    before[base] = d.before;
    sources.push(`${base} ${path}`);
    const dv = dvols.get(base);
    const dvRows = dv === undefined ? undefined : need(parseDailyOhlc(need(readText(dv)), dv));
    const dvDay = dvRows === undefined ? undefined : dayAndBefore(dvRows, opts.day);
    const prev = dvDay?.before[dvDay.before.length - 1];
    if (dvDay !== undefined && prev !== undefined) vol[base] = { kind: "dvol", previousClose: prev.close, close: dvDay.row.close };
    else vol[base] = { kind: "realised", trailingAnnualised: annualisedVol(logReturns(d.before, TRAILING_DAYS)) };
  }
  const bases = Object.keys(ohlc).sort();
  const returns = bases.map((b) => logReturns(before[b] as DailyRow[], TRAILING_DAYS));
  const corr = bases.map((_, i) => bases.map((__, j) => (i === j ? 1 : correlation(returns[i] as number[], returns[j] as number[]))));
  const { ticks: list, notes } = generateDayTicks({ day: opts.day, start: loaded.snapshot, ohlc, vol, correlation: corr, intervalSeconds: interval, seed, sources: sources.join(", ") });
  const text = `${list.map((t) => JSON.stringify(tickToJson(t))).join("\n")}\n`;
  if (opts.out !== undefined) writeFileSync(opts.out, text);
  else io.out(text.trimEnd());
  for (const n of notes) io.err(`netrisk: note: ${n}`);
  if (bases.length > 1) io.err(`netrisk: note: increments correlated with the trailing ${TRAILING_DAYS}-day correlation of daily returns (${bases.map((b, i) => bases.slice(i + 1).map((c, k) => `${b}/${c} ${((corr[i] as number[])[i + 1 + k] as number).toFixed(3)}`)).flat().join(", ")})`);
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerLive(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command("replay")
    .description("run the live core over a tick file without a server: events, figures, circuit breakers and a summary (docs/live.md)")
    .requiredOption("--accounts <path>", "an account file, or a folder of them (an account's id is its file name without .json)")
    .requiredOption("--market <file>", "the starting market: market JSON or a Deribit option-chain CSV")
    .option("--futures <file>", "with a Deribit options-snapshot CSV: its futures marks CSV")
    .option("--perpetuals <file>", "with a Deribit options-snapshot CSV: its perpetual prices CSV")
    .requiredOption("--ticks <file>", "tick file: one JSON tick per line (docs/live.md, Ticks)")
    .option("--breakers <file>", "circuit-breaker rules (e.g. presets/breakers-default.json)")
    .option("--live-params <file>", "live parameter set (default presets/live.json)")
    .option("--figures", "after each tick, the figures document of every account whose figures changed")
    .option("--markets <dir>", "write the market as the live core holds it after each applied tick to DIR/<seq>.json")
    .option("--json", "one JSON object per line; the last line is the summary")
    .action(async (opts: ReplayOptions) => {
      setExit(await runCommand(io, Boolean(opts.json), () => replay(io, opts)));
    });

  program
    .command("ticks")
    .description("a tick file for a real day: a seeded Brownian bridge through its daily open, high, low and close, rebased onto a starting market (the path inside the day is synthetic)")
    .requiredOption("--day <date>", "the day, YYYY-MM-DD (e.g. 2020-03-12)")
    .option("--market <file>", "the starting market (its index prices and timestamp are the path's start)")
    .option("--example", "start from the bundled example market (synthetic)")
    .option("--ohlc <BASE=file>", "daily OHLC of an underlying (Yahoo OHLCV CSV), repeatable", collect, [])
    .option("--dvol <BASE=file>", "Deribit DVOL daily CSV of an underlying: vols follow it where it covers the day, repeatable", collect, [])
    .option("--interval <seconds>", "seconds between ticks (dividing a day)", "60")
    .option("--seed <n>", "seed of the path", "1")
    .option("--out <file>", "write the ticks here (default stdout)")
    .action(async (opts: TicksOptions) => {
      setExit(await runCommand(io, false, () => ticks(io, opts)));
    });
}
