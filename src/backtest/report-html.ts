/**
 * The backtest report as ONE self-contained HTML file (no script, no font, no link, no network): a table of the
 * statistics, inline SVG charts (margin vs realised loss over time with breaches marked, the daily margin changes,
 * the histogram of realised P&L), the breaches and the notes. Pure: returns the text; the CLI writes it.
 * @module
 */
import { bins, changeBarChart, escapeXml, histogramChart, timeSeriesChart } from "./svg.js";
import type { BacktestResult } from "./types.js";

/** Options of {@link renderBacktestHtml}. */
export interface HtmlReportOptions {
  /** Page title; default "netrisk backtest: <model>". */
  readonly title?: string;
  /** Bins of the P&L histogram; default 60. */
  readonly histogramBins?: number;
  /** At most this many breaches are listed (all are counted); default 500. */
  readonly maxBreachRows?: number;
}

const usd = (x: number): string => `${x.toLocaleString("en-US", { maximumFractionDigits: 0 })} USD`;
const pct = (x: number, digits = 2): string => `${(x * 100).toFixed(digits)} %`;
const pValue = (p: number): string => (p === 0 ? "< 1e-300" : p < 1e-4 ? p.toExponential(2) : p.toFixed(4));
const num = (x: number, digits = 3): string => x.toFixed(digits);

const STYLE = `
body{font-family:system-ui,-apple-system,"Segoe UI",Helvetica,Arial,sans-serif;margin:24px auto;max-width:1160px;color:#1d2430;padding:0 16px}
h1{font-size:1.5em;margin:0 0 4px}h2{font-size:1.15em;margin:28px 0 8px;border-bottom:1px solid #d8dee8;padding-bottom:4px}
p.sub{color:#566074;margin:0 0 16px}
table{border-collapse:collapse;font-size:.92em}td,th{padding:4px 10px;border-bottom:1px solid #e6eaf0;text-align:left;vertical-align:top}
th{background:#f3f5f9;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}
.verdict-ok{color:#1a7f37;font-weight:600}.verdict-bad{color:#c62828;font-weight:600}
.grid{stroke:#e6eaf0;stroke-width:1}.zero{stroke:#8a94a6;stroke-width:1}
.ylab{font-size:11px;fill:#566074;text-anchor:end;dominant-baseline:middle}.xlab{font-size:11px;fill:#566074;text-anchor:middle}
.axis{font-size:12px;fill:#344054;text-anchor:middle}.legend{font-size:12px;fill:#344054}.legendbg{fill:#fff;fill-opacity:.85}
.line{fill:none;stroke-width:1.2}.margin{stroke:#1f6feb}.margin.fill{fill:#1f6feb}.loss{stroke:#9aa4b2}.loss.fill{fill:#9aa4b2}
.breach{fill:#d92d20;stroke:#fff;stroke-width:1}.bar{stroke-width:1}.bar.up,.up.fill{stroke:#d92d20;fill:#d92d20}.bar.down,.down.fill{stroke:#1a7f37;fill:#1a7f37}
.hist{fill:#9aa4b2}.hist.loss{fill:#d97706}
ul.notes{font-size:.9em;color:#344054}
`;

function row(label: string, value: string, numeric = true): string {
  return `<tr><th>${escapeXml(label)}</th><td${numeric ? ' class="n"' : ""}>${escapeXml(value)}</td></tr>`;
}

function verdict(p: number, level = 0.05): string {
  return p < level ? `<span class="verdict-bad">rejected at ${level * 100} %</span>` : `<span class="verdict-ok">not rejected at ${level * 100} %</span>`;
}

function statisticsTable(r: BacktestResult): string {
  const c = r.coverage;
  const pc = r.procyclicality;
  const inc = (m: typeof pc.largest1Day): string => (m === null ? "n/a" : `${pct(m.increaseRelative, 1)} (${usd(m.increaseUsd)}), ${m.fromDate} → ${m.toDate}`);
  const ptt = pc.peakToTrough;
  const rows = [
    row("margin days", String(c.observations)),
    row("breaches (loss > margin)", `${c.breaches} (expected ${num(c.expectedBreaches, 1)} at ${pct(r.settings.confidence, 1)} coverage)`),
    row("coverage ratio", pct(c.coverageRatio, 3)),
    row("mean excess on breach days", usd(c.meanExcessUsd)),
    row("largest loss ÷ margin", c.worstLossToMargin === null ? "n/a" : num(c.worstLossToMargin)),
  ].join("");
  const tests = [
    `<tr><th>Kupiec proportion of failures</th><td class="n">LR ${num(r.kupiec.lr)}</td><td class="n">p ${pValue(r.kupiec.pValue)}</td><td>${verdict(r.kupiec.pValue)}</td></tr>`,
    `<tr><th>Christoffersen independence</th><td class="n">LR ${num(r.christoffersen.lr)}</td><td class="n">p ${pValue(r.christoffersen.pValue)}</td><td>${verdict(r.christoffersen.pValue)}</td></tr>`,
    `<tr><th>Conditional coverage (joint)</th><td class="n">LR ${num(r.conditionalCoverage.lr)}</td><td class="n">p ${pValue(r.conditionalCoverage.pValue)}</td><td>${verdict(r.conditionalCoverage.pValue)}</td></tr>`,
    `<tr><th>transitions n00 / n01 / n10 / n11</th><td colspan="3">${r.christoffersen.n00} / ${r.christoffersen.n01} / ${r.christoffersen.n10} / ${r.christoffersen.n11}</td></tr>`,
  ].join("");
  const procyc = [
    row("largest 1-day margin increase", inc(pc.largest1Day), false),
    row("largest 5-day margin increase", inc(pc.largest5Day), false),
    row("largest 30-day margin increase", inc(pc.largest30Day), false),
    row("peak-to-trough ratio", ptt === null ? "n/a" : `${ptt.ratio === null ? "unbounded (trough 0)" : num(ptt.ratio, 2)}: peak ${usd(ptt.peakUsd)} on ${ptt.peakDate}, trough ${usd(ptt.troughUsd)} on ${ptt.troughDate}`, false),
  ].join("");
  return `<h2>Coverage</h2><table>${rows}</table><h2>Tests</h2><table>${tests}</table><h2>Procyclicality</h2><table>${procyc}</table>`;
}

function settingsTable(r: BacktestResult): string {
  const s = r.settings;
  return `<table>${[
    row("model", `${r.model} — ${r.parameterSet.name} ${r.parameterSet.version} (effective ${r.parameterSet.effective})`, false),
    row("margin days", `${s.from} to ${s.to}`, false),
    row("margin period of risk", `${s.horizonDays} day(s)`, false),
    row("margin compared", s.margin === "initial" ? "initial margin" : "maintenance margin", false),
    row("sizes", s.rebalance === "coin" ? "constant in coin" : "rebalanced daily to constant USD notional", false),
    row("futures basis", s.basis === "snapshot" ? "snapshot's basis ratio" : "flat at the index", false),
    row("market shape from snapshot", s.snapshotAsOf, false),
  ].join("")}</table>`;
}

function breachTable(r: BacktestResult, max: number): string {
  if (r.breaches.length === 0) return "<p>No breach: the margin covered the realised loss on every day.</p>";
  const rows = r.breaches.slice(0, max).map((b) => `<tr><td>${b.date}</td><td class="n">${escapeXml(usd(b.marginUsd))}</td><td class="n">${escapeXml(usd(b.lossUsd))}</td><td class="n">${escapeXml(usd(b.excessUsd))}</td></tr>`);
  const more = r.breaches.length > max ? `<p>… and ${r.breaches.length - max} more (the JSON output lists every breach).</p>` : "";
  return `<table><tr><th>margin day</th><th>margin</th><th>realised loss</th><th>excess</th></tr>${rows.join("")}</table>${more}`;
}

/**
 * The HTML report of a backtest (see the module comment).
 * @returns a complete HTML5 document.
 */
export function renderBacktestHtml(r: BacktestResult, options: HtmlReportOptions = {}): string {
  const title = options.title ?? `netrisk backtest: ${r.model}`;
  const { dates, marginUsd, lossUsd } = r.series;
  const breachIndex = new Set(r.breaches.map((b) => b.date));
  const markers = dates.flatMap((d, i) => (breachIndex.has(d) ? [{ index: i, value: lossUsd[i] as number, title: `${d}: loss ${usd(lossUsd[i] as number)} > margin ${usd(marginUsd[i] as number)}` }] : []));
  const marginChart = timeSeriesChart(
    "Margin and realised loss over time",
    dates,
    [
      { label: "realised loss over the horizon", values: lossUsd, className: "loss" },
      { label: `${r.settings.margin} margin`, values: marginUsd, className: "margin" },
    ],
    markers,
    "USD",
  );
  const changes = marginUsd.map((m, i) => (i === 0 ? 0 : m - (marginUsd[i - 1] as number)));
  const changeChart = changeBarChart("Daily margin changes", dates, changes, "USD per day");
  const pnl = lossUsd.map((l) => -l);
  const histogram = histogramChart(`Realised P&L over ${r.settings.horizonDays} day(s)`, bins(pnl, options.histogramBins ?? 60), `realised P&L over ${r.settings.horizonDays} day(s), USD (losses in orange)`, 0);
  const notes = r.notes.map((n) => `<li>${escapeXml(n)}</li>`).join("");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>${escapeXml(title)}</h1>
<p class="sub">Margin on each day from that day's data only, against the loss the day's book realised over the next ${r.settings.horizonDays} day(s). Generated by netrisk.</p>
${settingsTable(r)}
${statisticsTable(r)}
<h2>Margin vs realised loss</h2>
${marginChart}
<h2>Daily margin changes</h2>
${changeChart}
<h2>Distribution of realised P&amp;L</h2>
${histogram}
<h2>Breaches</h2>
${breachTable(r, options.maxBreachRows ?? 500)}
<h2>Notes</h2>
<ul class="notes">${notes}</ul>
</body>
</html>
`;
}
