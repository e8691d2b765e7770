/**
 * Sticky-moneyness support of full revaluation (revaluation.ts): one smile table per (base, expiry) slice of the book,
 * spanning every strike shifted by every move of the scenario set, and each option's view of its slice's table.
 * @module
 */
import type { MarketContext } from "../market/context.js";
import type { JointScenarioSet } from "./joint.js";
import type { OptionRow, Slots } from "./revaluation-rows.js";
import { buildSmileTable, evalSmileTable, flatSmileTable, SMILE_STEPS_PER_STD_DEV, SMILE_TABLE_STEP } from "./smile-table.js";
import type { SmileTable } from "./smile-table.js";

/** Range of ln(1 + m) of a price factor over the set (0 when the factor is absent). */
function logMoveRange(set: JointScenarioSet, f: number): [number, number] {
  if (f < 0) return [0, 0];
  const F = set.priceFactors.length;
  let lo = 0;
  let hi = 0;
  for (let s = 0; s < set.count; s++) {
    const x = Math.log1p(set.priceRelativeMove[s * F + f] as number);
    if (x < lo) lo = x;
    if (x > hi) hi = x;
  }
  return [lo, hi];
}

/** Smile tables per (base, expiry) slice and each option's view of its slice's table (sticky-moneyness only). */
export function smileArrays(rows: readonly OptionRow[], market: MarketContext, set: JointScenarioSet, slots: Slots, notes: string[]) {
  const n = rows.length;
  const offset = new Int32Array(n);
  const u = new Float64Array(n);
  const invStep = new Float64Array(n);
  const top = new Float64Array(n);
  const scale = new Float64Array(n);
  const tables: SmileTable[] = [];
  let coefLength = 0;
  const bySlice = new Map<string, OptionRow[]>();
  for (const r of rows) {
    const key = `${r.inst.base}|${r.inst.expiryMs}`;
    const list = bySlice.get(key) ?? [];
    list.push(r);
    bySlice.set(key, list);
  }
  const rowIndex = new Map(rows.map((r, i) => [r, i]));
  const flatBases = new Set<string>();
  for (const list of bySlice.values()) {
    const first = list[0] as OptionRow;
    const { base, expiryMs } = first.inst;
    const [xLo, xHi] = logMoveRange(set, slots.price[first.slot] ?? -1);
    let lo = Infinity;
    let hi = -Infinity;
    let step = SMILE_TABLE_STEP;
    for (const r of list) {
      lo = Math.min(lo, Math.log(r.inst.strikeUsd));
      hi = Math.max(hi, Math.log(r.inst.strikeUsd));
      step = Math.min(step, r.sd0 / SMILE_STEPS_PER_STD_DEV);
    }
    let table: SmileTable;
    try {
      table = buildSmileTable((k) => market.surfaceVol(base, k, expiryMs), lo - xHi - 2 * step, hi - xLo + 2 * step, step);
      if (!table.coefficients.every((c) => Number.isFinite(c))) throw new Error("non-finite smile");
    } catch {
      // No surface for this base (no quoted option to fit one from): the option moves sticky-strike, said in notes.
      table = flatSmileTable();
      flatBases.add(base);
    }
    tables.push(table);
    for (const r of list) {
      const i = rowIndex.get(r) as number;
      const lnK = Math.log(r.inst.strikeUsd);
      offset[i] = coefLength;
      u[i] = (lnK - table.uMin) * table.invStep;
      invStep[i] = table.invStep;
      top[i] = table.intervals - 1e-9;
      const atStrike = evalSmileTable(table, lnK);
      scale[i] = atStrike > 0 ? r.sd0 / atStrike : r.sd0;
    }
    coefLength += table.coefficients.length;
  }
  for (const base of [...flatBases].sort()) notes.push(`no volatility surface for ${base}: its options move sticky-strike`);
  const coef = new Float64Array(coefLength);
  let o = 0;
  for (const t of tables) {
    coef.set(t.coefficients, o);
    o += t.coefficients.length;
  }
  return { coef, offset, u, invStep, top, scale };
}
