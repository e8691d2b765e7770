/**
 * Text rendering of a backtest for terminals (the progress bar while it runs: ../progress.ts).
 * @module
 */
import type { BacktestResult } from "../../backtest/types.js";
import { fmt, table } from "../output.js";

const pct = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)}%`;
const pValue = (p: number): string => (p === 0 ? "<1e-300" : p < 1e-4 ? p.toExponential(2) : p.toFixed(4));
const verdict = (p: number): string => (p < 0.05 ? "rejected at 5%" : "not rejected at 5%");

/** The statistics table, the first breaches and the notes. */
export function renderBacktest(r: BacktestResult, opts: { report?: string; maxBreaches?: number } = {}): string {
  const s = r.settings;
  const c = r.coverage;
  const pc = r.procyclicality;
  const lines: string[] = [];
  lines.push(`backtest of model ${r.model}, parameter set ${r.parameterSet.name} ${r.parameterSet.version}`);
  lines.push(
    `margin days ${s.from}..${s.to}, horizon ${s.horizonDays} day(s), ${s.margin} margin, sizes ${s.rebalance === "coin" ? "constant in coin" : "constant USD notional"}, basis ${s.basis}, shape of the snapshot at ${s.snapshotAsOf}`,
  );
  lines.push(
    "",
    table(
      ["statistic", "value"],
      [
        ["margin days", String(c.observations)],
        ["breaches (loss > margin)", `${c.breaches} (expected ${c.expectedBreaches.toFixed(1)} at ${pct(s.confidence, 1)})`],
        ["coverage ratio", pct(c.coverageRatio, 3)],
        ["mean excess on breach days (USD)", fmt(c.meanExcessUsd)],
        ["largest loss / margin", c.worstLossToMargin === null ? "n/a" : c.worstLossToMargin.toFixed(3)],
      ],
    ),
    "",
    table(
      ["test", "LR", "p-value", "verdict"],
      [
        ["Kupiec proportion of failures", r.kupiec.lr.toFixed(3), pValue(r.kupiec.pValue), verdict(r.kupiec.pValue)],
        ["Christoffersen independence", r.christoffersen.lr.toFixed(3), pValue(r.christoffersen.pValue), verdict(r.christoffersen.pValue)],
        ["conditional coverage (joint)", r.conditionalCoverage.lr.toFixed(3), pValue(r.conditionalCoverage.pValue), verdict(r.conditionalCoverage.pValue)],
      ],
    ),
  );
  const inc = (m: typeof pc.largest1Day): string => (m === null ? "n/a" : `${pct(m.increaseRelative, 1)} (${fmt(m.increaseUsd)} USD) ${m.fromDate} -> ${m.toDate}`);
  const ptt = pc.peakToTrough;
  lines.push(
    "",
    table(
      ["procyclicality", "value"],
      [
        ["largest 1-day margin increase", inc(pc.largest1Day)],
        ["largest 5-day margin increase", inc(pc.largest5Day)],
        ["largest 30-day margin increase", inc(pc.largest30Day)],
        ["peak-to-trough ratio", ptt === null ? "n/a" : `${ptt.ratio === null ? "unbounded (trough 0)" : ptt.ratio.toFixed(2)} (peak ${fmt(ptt.peakUsd)} USD ${ptt.peakDate}, trough ${fmt(ptt.troughUsd)} USD ${ptt.troughDate})`],
      ],
    ),
  );
  if (pc.episodes.length > 0) {
    lines.push("", table(["stress episode", "span", "trough -> peak", "increase"], pc.episodes.map((e) => [e.id, `${e.from}..${e.to}`, `${fmt(e.troughUsd)} USD ${e.troughDate} -> ${fmt(e.peakUsd)} USD ${e.peakDate}`, e.increaseRelative === null ? "n/a" : `${pct(e.increaseRelative, 1)} (${fmt(e.increaseUsd)} USD)`])));
  }
  const max = opts.maxBreaches ?? 20;
  if (r.breaches.length > 0) {
    lines.push("", table(["breach day", "margin (USD)", "realised loss (USD)", "excess (USD)"], r.breaches.slice(0, max).map((b) => [b.date, b.marginUsd, b.lossUsd, b.excessUsd])));
    if (r.breaches.length > max) lines.push(`… and ${r.breaches.length - max} more breaches (--json lists all)`);
  }
  if (opts.report !== undefined) lines.push("", `report: ${opts.report}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join("\n");
}
