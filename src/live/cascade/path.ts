/**
 * The exogenous move a cascade starts from, as ticks into the live core: an instant shock (relative index moves, and
 * vol moves, applied as one tick at the market's time) from `--move BTC=-0.3,...` or from one scenario of a scenario
 * set (the named stresses the engine derives from history, risk/stress/named.ts).
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import type { MarketSnapshot } from "../../market/types.js";
import type { JointScenarioSet } from "../../risk/joint.js";
import type { Tick } from "../tick.js";

/**
 * One tick at the market's time moving each named index by its relative move (S' = S·(1 + m), m > −1) and the implied
 * vols of each named base by σ' = σ·(1 + v). Issues: `missing_index` (a currency the market has no index for, path
 * `<flag>.<CUR>`), `out_of_range` (a move ≤ −1 or not finite).
 */
export function shockTick(market: MarketSnapshot, priceMoves: Readonly<Record<string, number>>, volMoves: Readonly<Record<string, number>> = {}, flag = "move", source?: string): Result<Tick> {
  const issues: Issue[] = [];
  const indexUsd: Record<string, number> = {};
  for (const [c, m] of Object.entries(priceMoves)) {
    const s = market.indexUsd[c];
    if (s === undefined) issues.push(issue("missing_index", `${flag}.${c}`, `the market has no index for ${c} (it has ${Object.keys(market.indexUsd).sort().join(", ")})`));
    else if (!(Number.isFinite(m) && m > -1)) issues.push(issue("out_of_range", `${flag}.${c}`, `a relative move must be finite and > −1, got ${m}`));
    else indexUsd[c] = s * (1 + m);
  }
  const vols: Record<string, number> = {};
  for (const [b, v] of Object.entries(volMoves)) {
    if (!(Number.isFinite(v) && v > -1)) issues.push(issue("out_of_range", `${flag}.volMoves.${b}`, `a relative vol move must be finite and > −1, got ${v}`));
    else if (v !== 0 && market.indexUsd[b] !== undefined) vols[b] = v;
  }
  if (issues.length > 0) return fail(...issues);
  return ok({ seq: 0, timestampMs: market.timestampMs, indexUsd, ...(Object.keys(vols).length > 0 ? { volMoves: vols } : {}), ...(source !== undefined ? { source } : {}) });
}

/** The tick of scenario `label` of a scenario set (its price moves on the market's indexes, its vol ratios as vol moves). */
export function scenarioTick(market: MarketSnapshot, set: JointScenarioSet, label: string): Result<Tick> {
  const n = set.labels.indexOf(label);
  if (n < 0) return fail(issue("invalid_value", "stress", `no scenario ${JSON.stringify(label)} in the set (it has ${set.labels.join(", ")})`));
  const F = set.priceFactors.length;
  const moves: Record<string, number> = {};
  set.priceFactors.forEach((f, k) => {
    if (market.indexUsd[f] !== undefined) moves[f] = set.priceRelativeMove[n * F + k] as number;
  });
  const V = set.volFactors.length;
  const vols: Record<string, number> = {};
  set.volFactors.forEach((b, k) => {
    vols[b] = (set.volRatio[n * V + k] as number) - 1;
  });
  return shockTick(market, moves, vols, "stress", `scenario ${label}: ${set.notes.join("; ")}`);
}
