/**
 * The hot loop of full revaluation (see revaluation.ts for the model and the public API): for every selected scenario,
 * every option of a compiled book is repriced with Black-76 on its moved forward and moved vol, and every linear leg
 * (futures, perpetuals, spot) takes its relative move; P&L is summed per group of legs.
 *
 * Speed tricks, each keeping the math of the reference implementation (revaluation-reference.ts):
 * 1. Struct-of-arrays, options ordered by group so each group is one contiguous run summed in a register.
 * 2. Per option, precomputed once: ln(F/K), K/F, σ√T and 1/σ√T, the put flag, the USD amplitude (size × discount ×
 *    USD per unit) and the base unit value. Per scenario and per factor, once: ln(1 + m), 1 + m, the vol ratio and its
 *    reciprocal, shared by every option on that factor (the per-expiry/per-base reuse across options and paths).
 * 3. The price is computed per unit of the *current* forward: u = g·Φ(d1) − (K/F)·Φ(d2) with g = 1 + m, so no log
 *    and no division per option and path (d1 = (ln(F/K) + ln g)·(1/σ'√T) + σ'√T/2); a put is u + (K/F − g) (parity,
 *    branch-free).
 * 4. Φ from the quintic-Hermite table of math/normal-table.ts (no exp, no branch): ~3× faster than the exact
 *    `normCdf`, absolute error ≤ 2e−15 (which is all a price needs).
 * @module
 */
import { NORM_TABLE, NORM_TABLE_INTERVALS, NORM_TABLE_LIMIT, NORM_TABLE_STEPS_PER_UNIT } from "../math/normal-table.js";
import type { JointScenarioSet } from "./joint.js";

/** Struct-of-arrays of a compiled book (built by `compileRevaluationBook`; option rows may be reordered per call). */
export interface KernelArrays {
  /** Factor slots: slot 0 is "no move" (g = 1, vol ratio 1); others map to a price factor and maybe a vol factor. */
  readonly slotPriceFactor: Int32Array;
  readonly slotVolFactor: Int32Array;
  readonly optCount: number;
  readonly optSlot: Int32Array;
  /** Slot whose move rescales the settlement currency's USD rate (0 = none: inverse options, pegged stablecoins). */
  readonly optSettleSlot: Int32Array;
  readonly lnFK: Float64Array;
  readonly sd0: Float64Array;
  readonly invSd0: Float64Array;
  readonly kOverF: Float64Array;
  /** 1 for a put, 0 for a call. */
  readonly putFlag: Float64Array;
  /** USD per unit of u: size × discount × (index for inverse options, forward × settlement USD rate for linear). */
  readonly amp: Float64Array;
  /** Unit value u in the unmoved market (computed by the same arithmetic, so the zero scenario gives exactly 0). */
  readonly u0: Float64Array;
  /** Sticky-moneyness only (else empty): concatenated smile tables and, per option, where its slice's table starts. */
  readonly smileCoef: Float64Array;
  readonly smileOffset: Int32Array;
  /** (ln K − uMin)·invStep of the option's slice table. */
  readonly smileU: Float64Array;
  readonly smileInvStep: Float64Array;
  readonly smileTop: Float64Array;
  /** σ_mark·√T / table(ln K): turns the table's vol at the moved strike into the option's σ'√T (before the ratio). */
  readonly smileScale: Float64Array;
  readonly linCount: number;
  readonly linSlot: Int32Array;
  readonly linSettleSlot: Int32Array;
  /** USD P&L per unit relative move: size × USD price (× settlement rate for linear futures). */
  readonly linAmp: Float64Array;
}

/** Option rows [start[g], start[g + 1]) and linear legs' groups. */
export interface KernelGroups {
  readonly groupCount: number;
  readonly optStart: Int32Array;
  readonly linGroup: Int32Array;
}

const L = NORM_TABLE_LIMIT;
const STEPS = NORM_TABLE_STEPS_PER_UNIT;
const U_MAX = NORM_TABLE_INTERVALS - 1e-9;

/**
 * Φ from the table, written out so the JIT inlines it into the loops below (same arithmetic as `normCdfFast`).
 * @param c - NORM_TABLE.
 */
function phi(c: Float64Array, x: number): number {
  let u = (x + L) * STEPS;
  u = u < 0 ? 0 : u > U_MAX ? U_MAX : u;
  const i = u | 0;
  const t = u - i;
  const o = i * 6;
  return (c[o] as number) + t * ((c[o + 1] as number) + t * ((c[o + 2] as number) + t * ((c[o + 3] as number) + t * ((c[o + 4] as number) + t * (c[o + 5] as number)))));
}

/**
 * Unit value of an option per unit of its current forward and discount: g·Φ(d1) − k·Φ(d2) (+ k − g for a put), with
 * d1 = (lnFK + x)/sd + sd/2 given as (lnFK + x)·inv + 0.5·sd. The kernels inline exactly this arithmetic.
 */
export function unitValue(lnFK: number, x: number, g: number, sd: number, inv: number, k: number, put: number): number {
  const c = NORM_TABLE;
  const d1 = (lnFK + x) * inv + 0.5 * sd;
  const call = g * phi(c, d1) - k * phi(c, d1 - sd);
  return call + put * (k - g);
}

/** Smile-table value at position p (already scaled to table units) of the table starting at `o0`. */
function smile(coef: Float64Array, o0: number, p: number, top: number): number {
  const q = p < 0 ? 0 : p > top ? top : p;
  const i = q | 0;
  const t = q - i;
  const o = o0 + i * 4;
  return (coef[o] as number) + t * ((coef[o + 1] as number) + t * ((coef[o + 2] as number) + t * (coef[o + 3] as number)));
}

/** Per-scenario factor values, one entry per slot. */
interface SlotScratch {
  readonly x: Float64Array;
  readonly g: Float64Array;
  readonly r: Float64Array;
  readonly ir: Float64Array;
}

function fillSlots(a: KernelArrays, set: JointScenarioSet, s: number, w: SlotScratch): void {
  const F = set.priceFactors.length;
  const V = set.volFactors.length;
  const moves = set.priceRelativeMove;
  const ratios = set.volRatio;
  for (let q = 1; q < a.slotPriceFactor.length; q++) {
    const f = a.slotPriceFactor[q] as number;
    const m = f >= 0 ? (moves[s * F + f] as number) : 0;
    w.g[q] = 1 + m;
    w.x[q] = Math.log1p(m);
    const v = a.slotVolFactor[q] as number;
    const r = v >= 0 ? (ratios[s * V + v] as number) : 1;
    w.r[q] = r;
    w.ir[q] = 1 / r;
  }
}

/**
 * Revalue: out[g·n + j] = P&L in USD of group g in scenario `selection[j]` (or j when no selection), n = number of
 * selected scenarios. Domain: arrays compiled against a set with the same factors as `set`, a valid set (moves > −1,
 * ratios > 0, all finite). `sticky` selects the sticky-moneyness loop (arrays must then carry smile tables).
 */
export function runKernel(
  a: KernelArrays,
  groups: KernelGroups,
  set: JointScenarioSet,
  selection: Int32Array | undefined,
  sticky: boolean,
  out: Float64Array,
  onProgress?: (done: number, total: number) => void,
): void {
  const n = selection ? selection.length : set.count;
  // Progress about every 1 % of the scenarios (at least 1,024 apart: the check must cost nothing per scenario).
  const every = Math.max(1024, Math.ceil(n / 100));
  const slots = a.slotPriceFactor.length;
  const w: SlotScratch = { x: new Float64Array(slots), g: new Float64Array(slots).fill(1), r: new Float64Array(slots).fill(1), ir: new Float64Array(slots).fill(1) };
  const { x: xs, g: gs, r: rs, ir: irs } = w;
  const { optSlot, optSettleSlot, lnFK, sd0, invSd0, kOverF, putFlag, amp, u0 } = a;
  const { smileCoef, smileOffset, smileU, smileInvStep, smileTop, smileScale } = a;
  const { linSlot, linSettleSlot, linAmp } = a;
  const c = NORM_TABLE;
  const G = groups.groupCount;
  const start = groups.optStart;
  for (let j = 0; j < n; j++) {
    const s = selection ? (selection[j] as number) : j;
    fillSlots(a, set, s, w);
    for (let grp = 0; grp < G; grp++) {
      let acc = 0;
      const end = start[grp + 1] as number;
      if (sticky) {
        for (let i = start[grp] as number; i < end; i++) {
          const q = optSlot[i] as number;
          const x = xs[q] as number;
          const g = gs[q] as number;
          // Sticky moneyness: the vol the smile gives today at ln K − ln g, scaled to this option's mark and the ratio.
          const sm = smile(smileCoef, smileOffset[i] as number, (smileU[i] as number) - x * (smileInvStep[i] as number), smileTop[i] as number);
          const sd = (smileScale[i] as number) * sm * (rs[q] as number);
          const inv = 1 / sd;
          const d1 = ((lnFK[i] as number) + x) * inv + 0.5 * sd;
          const k = kOverF[i] as number;
          const call = g * phi(c, d1) - k * phi(c, d1 - sd);
          const u = call + (putFlag[i] as number) * (k - g);
          acc += (amp[i] as number) * (u * (gs[optSettleSlot[i] as number] as number) - (u0[i] as number));
        }
      } else {
        for (let i = start[grp] as number; i < end; i++) {
          const q = optSlot[i] as number;
          const g = gs[q] as number;
          const sd = (sd0[i] as number) * (rs[q] as number);
          const inv = (invSd0[i] as number) * (irs[q] as number);
          const d1 = ((lnFK[i] as number) + (xs[q] as number)) * inv + 0.5 * sd;
          const k = kOverF[i] as number;
          const call = g * phi(c, d1) - k * phi(c, d1 - sd);
          const u = call + (putFlag[i] as number) * (k - g);
          acc += (amp[i] as number) * (u * (gs[optSettleSlot[i] as number] as number) - (u0[i] as number));
        }
      }
      out[grp * n + j] = acc;
    }
    for (let l = 0; l < a.linCount; l++) {
      const o = (groups.linGroup[l] as number) * n + j;
      out[o] = (out[o] as number) + (linAmp[l] as number) * ((gs[linSlot[l] as number] as number) - 1) * (gs[linSettleSlot[l] as number] as number);
    }
    if (onProgress !== undefined && (j + 1) % every === 0 && j + 1 < n) onProgress(j + 1, n);
  }
  onProgress?.(n, n);
}

/**
 * Fill `u0` (the unit value of each option in the unmoved market: x = 0, g = 1, vol ratio 1) with exactly the
 * arithmetic of {@link runKernel}, so that a scenario that moves nothing gives a P&L of exactly 0.
 */
export function fillBaseUnitValues(a: KernelArrays, sticky: boolean, u0: Float64Array): void {
  for (let i = 0; i < a.optCount; i++) {
    let sd: number;
    let inv: number;
    if (sticky) {
      const sm = smile(a.smileCoef, a.smileOffset[i] as number, (a.smileU[i] as number) - 0 * (a.smileInvStep[i] as number), a.smileTop[i] as number);
      sd = (a.smileScale[i] as number) * sm * 1;
      inv = 1 / sd;
    } else {
      sd = (a.sd0[i] as number) * 1;
      inv = (a.invSd0[i] as number) * 1;
    }
    u0[i] = unitValue(a.lnFK[i] as number, 0, 1, sd, inv, a.kOverF[i] as number, a.putFlag[i] as number);
  }
}
