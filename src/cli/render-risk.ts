/**
 * Text rendering of `netrisk var` and `netrisk stress` (the JSON output is the report itself).
 * @module
 */
import type { MarginResult } from "../models/types.js";
import type { StressReport } from "../models/var/stress.js";
import type { VarReport } from "../models/var/report.js";
import type { VolMove } from "../risk/revaluation.js";
import { fmt, pct, table } from "./output.js";
import { maxOf } from "../math/extent.js";

const volText = (m: Readonly<Record<string, VolMove>>): string =>
  Object.keys(m).length === 0
    ? "no options"
    : Object.entries(m)
        .map(([b, v]) => `${b} ${v === "vol-index-ratio" ? "moved by its vol-index (DVOL) ratio" : "unchanged"}`)
        .join(", ");

function movesText(priceMoves: Readonly<Record<string, number>>, volRatios: Readonly<Record<string, number>>): string {
  const p = Object.entries(priceMoves).map(([f, m]) => `${f} ${pct(m, 1)}`);
  const v = Object.entries(volRatios).map(([f, r]) => `vol ${f} ×${fmt(r, 3)}`);
  return [...p, ...v].join(", ");
}

/** A histogram as rows of `#` bars (width 40 at the fullest bin). */
function bars(r: VarReport): string {
  const top = Math.max(maxOf(r.histogram.map((b) => b.probability)), 0);
  return r.histogram
    .map((b) => `${fmt(b.lowerUsd, 4).padStart(12)} .. ${fmt(b.upperUsd, 4).padEnd(12)} ${"#".repeat(top > 0 ? Math.round((40 * b.probability) / top) : 0)}${b.count > 0 && top > 0 && (40 * b.probability) / top < 0.5 ? "." : ""}`)
    .join("\n");
}

/** `netrisk var` as text. */
export function renderVar(r: VarReport, margin: MarginResult): string {
  const se = r.esStandardErrorUsd !== null && r.method === "montecarlo" ? ` (Monte Carlo standard error ${fmt(r.esStandardErrorUsd)})` : "";
  const c = margin.byCurrency.USD?.components ?? {};
  const lines = [
    `${r.method} VaR / ES, ${fmt(r.confidence * 100)} % over ${r.horizonDays} day(s), ${r.scenarios} scenarios (tail: ${r.tailCount}), USD`,
    `  VaR ${fmt(r.varUsd)}   ES ${fmt(r.esUsd)}${se}`,
    `  vol convention ${r.volConvention}; implied vols: ${volText(r.volMoveByBase)}`,
    `margin (${margin.model}, ${margin.parameterSet.name} ${margin.parameterSet.version}): initial ${fmt(margin.totalUsd.initialMargin)}, maintenance ${fmt(margin.totalUsd.maintenanceMargin)} USD`,
    `  market risk ${fmt(r.marketRiskUsd)} = max(ES, stress floor ${fmt(r.stress?.floorUsd ?? 0)}); liquidity ${fmt(r.liquidity.totalUsd)}; concentration ${fmt(r.concentration.totalUsd)}` +
      (c.riskMatrixInitial !== undefined ? `; risk-matrix IM ${fmt(c.riskMatrixInitial)}` : ""),
    "",
    "contributions (component ES: mean loss in the tail scenarios; they sum to ES)",
    table(
      ["instrument", "size", "underlying", "component ES", "share"],
      [...r.contributions].sort((a, b) => b.componentEsUsd - a.componentEsUsd).map((x) => [x.instrument, x.sizeCoin, x.underlying, x.componentEsUsd, pct(x.shareOfEs, 1)]),
    ),
    "",
    "worst scenarios",
    table(["scenario", "loss", "moves"], r.worst.map((w) => [w.label, w.lossUsd, movesText(w.priceMoves, w.volRatios)])),
    "",
    `diversification: stand-alone ES ${Object.entries(r.diversification.standaloneEsUsd).map(([u, v]) => `${u} ${fmt(v)}`).join(", ")}; sum ${fmt(r.diversification.sumStandaloneEsUsd)} − joint ${fmt(r.diversification.jointEsUsd)} = benefit ${fmt(r.diversification.benefitUsd)}`,
  ];
  if (r.stress) lines.push(`stress floor: worst of ${r.stress.scenarioCount} stress scenarios ${r.stress.worstLabel ?? "-"} loses ${fmt(r.stress.worstLossUsd)}; × ${fmt(r.stress.floorFactor)} = ${fmt(r.stress.floorUsd)}`);
  for (const b of r.correlationBreakdown) lines.push(`correlation breakdown, ${b.label}: ES ${fmt(b.esUsd)} (${b.increaseUsd >= 0 ? "+" : ""}${fmt(b.increaseUsd)} vs the estimated correlations)`);
  lines.push("", "loss distribution (USD)", bars(r));
  if (margin.notes.length > 0) lines.push("", "notes:", ...margin.notes.map((n) => `  - ${n}`));
  return lines.join("\n");
}

/** Totals of a stress scenario split into positions and collateral legs. */
export function splitStressPnl(byPosition: Readonly<Record<string, number>>): { positionsUsd: number; collateralUsd: number } {
  let positionsUsd = 0;
  let collateralUsd = 0;
  for (const [label, v] of Object.entries(byPosition)) {
    if (label.startsWith("collateral:")) collateralUsd += v;
    else positionsUsd += v;
  }
  return { positionsUsd, collateralUsd };
}

/** `netrisk stress` as text. */
export function renderStress(reports: readonly StressReport[], correlation: { esUsd: number; breakdown: readonly { label: string; esUsd: number; increaseUsd: number }[]; text: string } | null): string {
  const lines: string[] = [];
  for (const s of reports) {
    lines.push(`${s.method} scenarios (vol convention ${s.volConvention}; implied vols: ${volText(s.volMoveByBase)}), P&L in USD`);
    lines.push(
      table(
        ["scenario", "P&L", "positions", "collateral", "moves"],
        s.scenarios.map((x) => {
          const split = splitStressPnl(x.byPosition);
          return [x.label, x.pnlUsd, split.positionsUsd, split.collateralUsd, movesText(x.priceMoves, x.volRatios)];
        }),
      ),
    );
    if (s.worst) lines.push(`worst: ${s.worst.label}, loss ${fmt(s.worst.lossUsd)}`);
    if (s.notes.length > 0) lines.push("notes:", ...s.notes.map((n) => `  - ${n}`));
    lines.push("");
  }
  if (correlation) {
    lines.push(`correlation breakdown (${correlation.text}): ES ${fmt(correlation.esUsd)} with the estimated correlations`);
    for (const b of correlation.breakdown) lines.push(`  ${b.label}: ES ${fmt(b.esUsd)} (${b.increaseUsd >= 0 ? "+" : ""}${fmt(b.increaseUsd)} vs the estimated correlations: what the correlation structure was worth)`);
  }
  return lines.join("\n").trimEnd();
}
