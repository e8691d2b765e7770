/**
 * Text renderings of margin results for terminals. JSON output is the result object itself; these are for people.
 * @module
 */
import type { ModelComparison } from "../models/compare.js";
import type { CompareBacktest } from "./commands/backtest.js";
import type { BucketMargin, MarginResult, ScenarioPnl } from "../models/types.js";
import { fmt, pct, table } from "./output.js";

const usd = (x: number) => `${fmt(x)} USD`;

/** Full margin report: per bucket IM/MM, components, worst scenario, contributions; then totals and notes. */
export function renderMargin(r: MarginResult, opts: { scenarios?: boolean } = {}): string {
  const lines: string[] = [];
  lines.push(`model ${r.model}, parameter set ${r.parameterSet.name} ${r.parameterSet.version} (effective ${r.parameterSet.effective})`);
  lines.push(`sizes given in: ${r.sizeConventions.join(", ") || "n/a"}`);
  for (const [key, b] of Object.entries(r.byCurrency)) {
    lines.push("", renderBucketHeader(key, b));
    const comps = Object.entries(b.components);
    if (comps.length > 0) lines.push(table(["component", `value (${b.currency})`], comps.map(([k, v]) => [k, v])));
    if (b.worstScenario) {
      const w = b.worstScenario;
      lines.push(`worst scenario: ${w.id} (price ${pct(w.priceMove)}, vol ${w.volMove}${w.tail ? ", tail" : ""})`);
    }
    if (b.contributions && b.contributions.length > 0) {
      lines.push(table(["position", "size (coin)", `P&L in worst scenario (${b.currency})`], b.contributions.map((c) => [c.instrument, c.sizeCoin, c.pnl])));
    }
    if (opts.scenarios && b.scenarios) lines.push(renderScenarioList(b.scenarios, b.currency));
  }
  lines.push("", `total: initial margin ${usd(r.totalUsd.initialMargin)}, maintenance margin ${usd(r.totalUsd.maintenanceMargin)}`);
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join("\n");
}

/** An amount in the bucket's currency with its USD value beside it, once when the bucket is in USD already. */
export function amountWithUsd(amount: number, currency: string, amountUsd: number): string {
  return currency === "USD" ? usd(amountUsd) : `${fmt(amount)} ${currency} (${usd(amountUsd)})`;
}

function renderBucketHeader(key: string, b: BucketMargin): string {
  return `[${key}] initial margin ${amountWithUsd(b.initialMargin, b.currency, b.initialMarginUsd)}, maintenance margin ${amountWithUsd(b.maintenanceMargin, b.currency, b.maintenanceMarginUsd)}`;
}

function renderScenarioList(scenarios: readonly ScenarioPnl[], currency: string): string {
  return table(["scenario", "price move", "vol", "tail", `P&L (${currency})`], scenarios.map((s) => [s.id, pct(s.priceMove), s.volMove, s.tail ? "yes" : "", s.pnl]));
}

/**
 * The price × vol risk matrix of each bucket as a grid: rows are price moves, columns vol down / unchanged / up;
 * tail and other scenarios follow as a list. The worst cell is marked with `*`.
 */
export function renderMatrix(r: MarginResult): string {
  const out: string[] = [`model ${r.model}, parameter set ${r.parameterSet.name} ${r.parameterSet.version}`];
  for (const [key, b] of Object.entries(r.byCurrency)) {
    out.push("", renderBucketHeader(key, b));
    const scenarios = b.scenarios ?? [];
    if (scenarios.length === 0) {
      out.push("(this model has no scenario matrix)");
      continue;
    }
    const worstId = b.worstScenario?.id;
    const cell = (s: ScenarioPnl | undefined) => (s === undefined ? "" : `${fmt(s.pnl)}${s.id === worstId ? " *" : ""}`);
    const grid = scenarios.filter((s) => !s.tail && (s.volMove === "down" || s.volMove === "unchanged" || s.volMove === "up"));
    const moves = [...new Set(grid.map((s) => s.priceMove))].sort((a, b2) => a - b2);
    const rows = moves.map((m) => {
      const at = (v: string) => grid.find((s) => s.priceMove === m && s.volMove === v);
      return [pct(m), cell(at("down")), cell(at("unchanged")), cell(at("up"))];
    });
    out.push(table(["price move", "vol down", "vol unchanged", "vol up"], rows));
    const rest = scenarios.filter((s) => !grid.includes(s));
    if (rest.length > 0) {
      out.push(table(["other scenario", "price move", "vol", `P&L (${b.currency})`], rest.map((s) => [s.id + (s.id === worstId ? " *" : ""), pct(s.priceMove), s.volMove, s.pnl])));
    }
    out.push(`* worst scenario${worstId ? `: ${worstId}` : ""}; P&L in ${b.currency} after the model's aggregation rules`);
  }
  return out.join("\n");
}

/**
 * Side-by-side comparison with capital efficiency (standard IM ÷ model IM); with `backtest` (compare --backtest), each
 * model's coverage ratio, breaches and Kupiec / Christoffersen p-values as extra columns.
 */
export function renderComparison(c: ModelComparison, backtest?: CompareBacktest): string {
  const bt = (label: string): (string | number)[] => {
    if (backtest === undefined) return [];
    const b = backtest.rows.find((x) => x.label === label);
    if (b === undefined || b.coverageRatio === undefined) return ["n/a", "n/a", "n/a", "n/a"];
    const p = (x: number | undefined): string => (x === undefined ? "n/a" : x < 1e-4 ? x.toExponential(2) : x.toFixed(4));
    return [`${(b.coverageRatio * 100).toFixed(2)}%`, `${b.breaches}/${b.observations}`, p(b.kupiecPValue), p(b.christoffersenPValue)];
  };
  const rows = c.rows.map((r) => [
    r.label + (r.label === c.baseline ? " (baseline)" : ""),
    r.initialMarginUsd,
    r.maintenanceMarginUsd,
    r.capitalEfficiency === null ? "n/a" : `${r.capitalEfficiency.toFixed(3)}x`,
    ...bt(r.label),
  ]);
  const btHeader = backtest !== undefined ? ["coverage", "breaches", "Kupiec p", "Christoffersen p"] : [];
  const out = [table(["model", "IM (USD)", "MM (USD)", "capital efficiency", ...btHeader], rows)];
  if (backtest !== undefined) {
    const s = backtest.settings;
    if (s !== null) out.push(`backtest: margin days ${s.from}..${s.to}, horizon ${s.horizonDays} day(s), ${s.margin} margin vs realised loss, expected coverage ${(s.confidence * 100).toFixed(1)}% (netrisk backtest for the full report)`);
    for (const b of backtest.rows) {
      const first = b.issues?.[0];
      if (first) out.push(`${b.label}: cannot be backtested: ${first.path ? `${first.path}: ` : ""}${first.code}: ${first.message}`);
    }
  }
  for (const k of c.skipped) out.push(`${k.label}: skipped: ${k.reason}`);
  for (const f of c.failures) {
    const first = f.issues[0];
    const what = first ? `${first.path ? `${first.path}: ` : ""}${first.code}: ${first.message}` : "no reason given";
    out.push(`${f.label}: cannot margin this portfolio: ${f.issues.length > 1 ? `${f.issues.length} issues; first: ` : ""}${what} (--json lists all)`);
  }
  if (c.lowestInitialMargin) out.push(`lowest initial margin: ${c.lowestInitialMargin}`);
  for (const n of c.notes) out.push(`note: ${n}`);
  return out.join("\n");
}
