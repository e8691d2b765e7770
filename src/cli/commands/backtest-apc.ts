/**
 * `netrisk backtest --apc-compare`: the book backtested without any anti-procyclicality tool and with each EMIR
 * Art. 28 tool alone (var/hybrid: buffer, stressed-weight, lookback-floor; other models: buffer, lookback-floor), and the comparison
 * of src/backtest/apc-compare.ts as a table or `--json`. Documented in docs/cli.md "netrisk backtest".
 * @module
 */
import { apcComparisonRow } from "../../backtest/apc-compare.js";
import type { ApcComparisonRow } from "../../backtest/apc-compare.js";
import type { BacktestOptions, BacktestResult } from "../../backtest/types.js";
import { runBacktest } from "../../backtest/walk.js";
import type { MarketContext } from "../../market/context.js";
import { APC_TOOLS } from "../../models/var/apc.js";
import type { ResolvedPortfolio } from "../../models/types.js";
import type { History } from "../../risk/history/types.js";
import { fmt, table } from "../output.js";
import type { BacktestFlags } from "./backtest-flags.js";
import type { DailyModel } from "../../backtest/types.js";
import type { MarginModel } from "../../models/types.js";

/** What `--apc-compare` prints under `--json`. */
export interface ApcComparison {
  readonly model: string;
  readonly parameterSet: BacktestResult["parameterSet"];
  readonly settings: BacktestResult["settings"];
  readonly rows: readonly ApcComparisonRow[];
  /** The notes of each variant's backtest that differ from the first (no tool) variant's, and the first's. */
  readonly notes: readonly string[];
}

type Chooser = (flags: BacktestFlags) => { model: MarginModel | DailyModel; horizonDays: number; confidence: number; buffer?: BacktestOptions["buffer"]; lookbackFloor?: BacktestOptions["lookbackFloor"] };

/**
 * Run the variants. `choose` builds the model from the flags (backtest.ts `backtestModel`), `check` turns engine
 * issues into flag errors.
 */
export function compareApcTools(
  statistical: boolean,
  flags: BacktestFlags,
  input: { portfolio: ResolvedPortfolio; market: MarketContext; history: History },
  choose: Chooser,
  runOptions: (defaults: { horizonDays: number; confidence: number; buffer?: BacktestOptions["buffer"]; lookbackFloor?: BacktestOptions["lookbackFloor"] }) => BacktestOptions,
  check: <T>(r: { ok: true; value: T } | { ok: false; issues: readonly { code: string; path: string; message: string }[] }) => T,
  onVariant?: (variant: string) => BacktestOptions["onProgress"],
): ApcComparison {
  const variants = statistical ? ["none", ...APC_TOOLS] : ["none", "buffer", "lookback-floor"];
  const results = variants.map((v) => {
    const chosen = choose({ ...flags, apc: v });
    const progress = onVariant?.(v);
    return check(runBacktest({ ...input, model: chosen.model }, { ...runOptions(chosen), ...(progress ? { onProgress: progress } : {}) }));
  });
  const first = results[0] as BacktestResult;
  const seen = new Set(first.notes);
  const notes = [...first.notes, ...results.slice(1).flatMap((r, i) => r.notes.filter((n) => !seen.has(n)).map((n) => `${variants[i + 1]}: ${n}`))];
  return { model: first.model, parameterSet: first.parameterSet, settings: first.settings, rows: results.map((r, i) => apcComparisonRow(variants[i] as string, r)), notes };
}

const pct = (x: number | null | undefined): string => (x === null || x === undefined ? "n/a" : `${(x * 100).toFixed(1)}%`);

/** The comparison as tables: one row per variant, then one row per stress episode with each variant's increase. */
export function renderApcComparison(c: ApcComparison): string {
  const s = c.settings;
  const lines = [
    `anti-procyclicality comparison (EMIR RTS 153/2013 Art. 28) of model ${c.model}, parameter set ${c.parameterSet.name} ${c.parameterSet.version}`,
    `margin days ${s.from}..${s.to}, horizon ${s.horizonDays} day(s), ${s.margin} margin, sizes ${s.rebalance === "coin" ? "constant in coin" : "constant USD notional"}`,
    "",
    table(
      ["tool", "breaches", "mean margin (USD)", "largest 1-day rise", "largest 30-day rise", "30-day rise dates", "peak/trough"],
      c.rows.map((r) => [
        r.variant,
        `${r.breaches} / ${r.observations}`,
        fmt(r.meanMarginUsd),
        pct(r.largest1Day?.increaseRelative),
        pct(r.largest30Day?.increaseRelative),
        r.largest30Day ? `${r.largest30Day.fromDate} -> ${r.largest30Day.toDate}` : "n/a",
        r.peakToTrough?.ratio != null ? r.peakToTrough.ratio.toFixed(2) : "n/a",
      ]),
    ),
  ];
  const ids = (c.rows[0]?.episodes ?? []).map((e) => e.id);
  if (ids.length > 0) {
    lines.push(
      "",
      table(
        ["stress episode (trough -> peak margin)", ...c.rows.map((r) => r.variant)],
        ids.map((id) => [`${id} ${c.rows[0]?.episodes.find((e) => e.id === id)?.from ?? ""}..${c.rows[0]?.episodes.find((e) => e.id === id)?.to ?? ""}`, ...c.rows.map((r) => pct(r.episodes.find((e) => e.id === id)?.increaseRelative))]),
      ),
    );
  }
  for (const n of c.notes) lines.push(`note: ${n}`);
  return lines.join("\n");
}
