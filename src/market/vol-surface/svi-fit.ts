/**
 * Fit of one raw SVI smile to quoted implied vols, free of butterfly arbitrage.
 *
 * Method (Zeliade Systems 2009, "Quasi-explicit calibration of Gatheral's SVI model"): with y = (k − m)/σ the smile
 * is w = a + d·y + c·√(y² + 1) with c = bσ and d = ρbσ, linear in (a, d, c). For fixed (m, σ) the best (a, d, c)
 * is a 3-variable weighted least-squares problem under linear constraints |d| ≤ ρ_max·c (|ρ| < 1) and
 * c ± d ≤ L±·σ (wing slopes b(1 ± ρ) ≤ L± < 2, Roger Lee), solved exactly by enumerating active sets. The outer
 * 2-D problem in (m, ln σ) is searched on a 13 × 9 grid, then refined by Nelder–Mead from the three best grid points.
 *
 * Objective: Σ ω_i (w_model − w_i)² / (2 v_i T)², the first-order expansion of Σ ω_i (σ_model − σ_i)² (since
 * dσ = dw / (2σT)), so the fit minimises weighted squared errors in vol, not in variance.
 *
 * Calendar bound (optional): a soft penalty on exceeding given total variances (see SliceFitInput.upperBound).
 *
 * Butterfly arbitrage: every candidate's Durrleman g(k) is evaluated on a check grid; a candidate with g < 1e-3
 * somewhere is rejected (a penalty larger than any feasible objective, growing with the violation so the search
 * can walk back into the feasible set). When that constraint (or the calendar bound) is active, a 5-parameter
 * Nelder–Mead polish with a smooth penalty, tightened in four steps, looks for a better arbitrage-free fit. The
 * result is re-checked on a dense grid (searching again with it if the coarse grid missed a violation); as a last
 * resort the smile is shifted up by the smallest constant that removes the arbitrage (always possible because
 * wing slopes are < 2).
 * @module
 */
import type { SliceRepair, SviParams } from "./types.js";
import { butterflyCheckGrid, checkButterfly } from "./svi.js";
import { nelderMead } from "./nelder-mead.js";
import { RHO_MAX, solveConstrained3 } from "./constrained-ls.js";
import { durrlemanShortfall, minDurrleman } from "./durrleman-grid.js";

/** Inputs of one smile fit. Arrays are parallel and of equal length ≥ 1. */
export interface SliceFitInput {
  /** ln(K/F) of each quote. */
  readonly logMoneyness: ArrayLike<number>;
  /** Quoted implied vol of each quote, decimal, > 0. */
  readonly volDecimal: ArrayLike<number>;
  /** Fit weight of each quote, > 0 (normalised internally). */
  readonly weight: ArrayLike<number>;
  /** Time to expiry in years, > 0. */
  readonly timeYears: number;
  /**
   * Largest wing slopes allowed: b(1 − ρ) ≤ maxWingSlopeLeft and b(1 + ρ) ≤ maxWingSlopeRight, each in [0, 2)
   * (Roger Lee's moment formula bounds them by 2; the surface passes its `maxWingSlope` option, 1.99, to both).
   */
  readonly maxWingSlopeLeft: number;
  readonly maxWingSlopeRight: number;
  /**
   * Optional calendar bound: total variances the smile should not exceed at given log-moneyness points (the
   * longer expiries' fitted smiles where those are quoted and this one is not). Soft: an excess of x vol points
   * costs CALENDAR_WEIGHT × x² in the objective (averaged over the points); what is left is removed by the
   * surface's running max.
   */
  readonly upperBound?: { readonly logMoneyness: ArrayLike<number>; readonly totalVariance: ArrayLike<number> };
}

/** A fitted smile. */
export interface SliceFit {
  readonly params: SviParams;
  readonly method: "svi" | "flat";
  readonly repair: SliceRepair;
  /** Smallest Durrleman g on the dense check grid. */
  readonly minG: number;
  /** Linearised weighted mean squared vol error (decimal²) of the fit. */
  readonly objective: number;
}

/** Durrleman grid sizes: a coarse one inside the search (speed), a dense one for the final verdict. */
const COARSE_POINTS = 81;
const DENSE_POINTS = 801;
/** Weight of the curvature tie-breaker used only when ≤ 4 distinct strikes leave SVI under-determined. */
const TIE_BREAK = 1e-10;
/**
 * Candidates must have g ≥ G_MARGIN on the search grid, not just g ≥ 0: an optimum pressed against the
 * constraint touches it at grid points, and g may dip between them by about g''h²/8 (≈ 1e-4 for grid steps
 * h ≈ 0.01). The margin keeps the accepted smile arbitrage-free between grid points too, at a negligible cost.
 */
const G_MARGIN = 1e-3;
/**
 * Weight of the calendar-bound penalty: a mean excess of 1 vol point over the bound costs as much as a 10 vol
 * point RMS fit error, so quoted longer expiries win over this smile's extrapolation, yet the fit stays smooth
 * (a soft penalty keeps the Nelder–Mead landscape continuous).
 */
const CALENDAR_WEIGHT = 100;

/**
 * Fit a raw SVI smile to one expiry's quotes with no butterfly arbitrage (see the module comment for the method).
 * Deterministic. A single distinct strike gives a flat smile (b = 0) through it.
 */
export function fitSviSlice(input: SliceFitInput): SliceFit {
  const n = input.logMoneyness.length;
  const T = input.timeYears;
  const Ll = input.maxWingSlopeLeft;
  const Lr = input.maxWingSlopeRight;
  const k = Float64Array.from(input.logMoneyness);
  const v = Float64Array.from(input.volDecimal);
  const wq = new Float64Array(n);
  const W = new Float64Array(n);
  let wSum = 0;
  for (let i = 0; i < n; i++) wSum += input.weight[i] as number;
  let volSqMean = 0;
  for (let i = 0; i < n; i++) {
    const vi = v[i] as number;
    const om = (input.weight[i] as number) / wSum;
    wq[i] = vi * vi * T;
    // ω_i / (2 v_i T)²: squared variance error → squared vol error (first order).
    W[i] = om / (4 * vi * vi * T * T);
    volSqMean += om * vi * vi;
  }

  const sorted = Float64Array.from(k).sort();
  let distinct = 1;
  for (let i = 1; i < n; i++) if ((sorted[i] as number) - (sorted[i - 1] as number) > 1e-12) distinct++;
  const kMin = sorted[0] as number;
  const kMax = sorted[n - 1] as number;
  let iAtm = 0;
  for (let i = 1; i < n; i++) if (Math.abs(k[i] as number) < Math.abs(k[iAtm] as number)) iAtm = i;
  const wAtm = wq[iAtm] as number;

  if (distinct === 1) {
    let num = 0;
    let den = 0;
    for (let i = 0; i < n; i++) {
      num += (W[i] as number) * (wq[i] as number);
      den += W[i] as number;
    }
    const a = num / den;
    const params: SviParams = { a, b: 0, rho: 0, m: 0, sigma: 1 };
    let sse = 0;
    for (let i = 0; i < n; i++) sse += (W[i] as number) * (a - (wq[i] as number)) ** 2;
    return { params, method: "flat", repair: "none", minG: 1, objective: sse };
  }

  const atmStd = Math.sqrt(wAtm);
  const span = kMax - kMin;
  const sMin = Math.max(0.05 * atmStd, 1e-8);
  const sMax = Math.max(2 * span, 4 * atmStd, 10 * sMin);
  const mLo = kMin - span;
  const mHi = kMax + span;
  const uLo = Math.log(sMin);
  const uHi = Math.log(sMax);
  const regularize = distinct <= 4;
  // Any rejected (arbitrageable) candidate must score worse than every feasible one: a flat smile's objective is
  // at most the weighted mean of v², so 1e3 × (1 + that) is out of reach of feasible fits.
  const PEN = 1e3 * (1 + volSqMean);
  const coarse = butterflyCheckGrid(kMin, kMax, atmStd, COARSE_POINTS);
  const dense = butterflyCheckGrid(kMin, kMax, atmStd, DENSE_POINTS);

  const y = new Float64Array(n);
  const z = new Float64Array(n);
  const adc = new Float64Array(3);

  /** Best (a, d, c) for fixed (m, s) into `adc`; returns the objective Σ W r². */
  const inner = (m: number, s: number): number => {
    let h00 = 0, h01 = 0, h02 = 0, h11 = 0, h12 = 0, h22 = 0, r0 = 0, r1 = 0, r2 = 0;
    for (let i = 0; i < n; i++) {
      const yi = ((k[i] as number) - m) / s;
      const zi = Math.sqrt(yi * yi + 1);
      y[i] = yi;
      z[i] = zi;
      const Wi = W[i] as number;
      const wi = wq[i] as number;
      h00 += Wi;
      h01 += Wi * yi;
      h02 += Wi * zi;
      h11 += Wi * yi * yi;
      h12 += Wi * yi * zi;
      h22 += Wi * zi * zi;
      r0 += Wi * wi;
      r1 += Wi * yi * wi;
      r2 += Wi * zi * wi;
    }
    solveConstrained3(h00, h01, h02, h11, h12, h22, r0, r1, r2, Lr * s, Ll * s, adc);
    const a = adc[0] as number, d = adc[1] as number, c = adc[2] as number;
    let sse = 0;
    for (let i = 0; i < n; i++) {
      const r = a + d * (y[i] as number) + c * (z[i] as number) - (wq[i] as number);
      sse += (W[i] as number) * r * r;
    }
    return sse;
  };

  const tieBreak = (c: number, s: number): number => (regularize ? TIE_BREAK * (c / (s * s * T)) ** 2 : 0);

  const nb = input.upperBound?.logMoneyness.length ?? 0;
  const kB = Float64Array.from(input.upperBound?.logMoneyness ?? []);
  const wB = Float64Array.from(input.upperBound?.totalVariance ?? []);
  // dσ = dw / (2√(wT)): an excess in variance expressed in vol at the bound's own level.
  const scaleB = wB.map((x) => 1 / (2 * Math.sqrt(Math.max(x, 1e-300) * T)));
  /** Mean squared excess over the calendar bound, in vol, × CALENDAR_WEIGHT. */
  const calendarPenalty = (a: number, d: number, c: number, m: number, s: number): number => {
    if (nb === 0) return 0;
    let sum = 0;
    for (let p = 0; p < nb; p++) {
      const yp = ((kB[p] as number) - m) / s;
      const excess = a + d * yp + c * Math.sqrt(yp * yp + 1) - (wB[p] as number);
      if (excess > 0) sum += (excess * (scaleB[p] as number)) ** 2;
    }
    return (CALENDAR_WEIGHT * sum) / nb;
  };

  let bestUnpenalized = Number.POSITIVE_INFINITY;

  /** Penalised objective of a full parameter set (a, d, c, m, s) whose sse is already known. */
  const score = (a: number, d: number, c: number, m: number, s: number, sse: number, grid: Float64Array): number => {
    const value = sse + tieBreak(c, s) + calendarPenalty(a, d, c, m, s);
    if (value < bestUnpenalized) bestUnpenalized = value;
    const g = minDurrleman(a, c / s, c > 0 ? d / c : 0, m, s, grid);
    if (g < G_MARGIN) return PEN * (1 + Math.min(G_MARGIN - g, 1e6));
    return value;
  };

  const run = (grid: Float64Array): { params: SviParams; value: number; feasible: boolean; constrained: boolean } => {
    bestUnpenalized = Number.POSITIVE_INFINITY;
    const outer = (x: Float64Array): number => {
      const m = clamp(x[0] as number, mLo, mHi);
      const u = clamp(x[1] as number, uLo, uHi);
      const out = ((x[0] as number) - m) ** 2 + ((x[1] as number) - u) ** 2;
      const s = Math.exp(u);
      const sse = inner(m, s);
      return score(adc[0] as number, adc[1] as number, adc[2] as number, m, s, sse, grid) + out * PEN;
    };
    // Stage 1: coarse grid over (m, ln s).
    const starts: { m: number; u: number; f: number }[] = [];
    const x = new Float64Array(2);
    for (let i = 0; i < 13; i++) {
      for (let j = 0; j < 9; j++) {
        x[0] = kMin - 0.5 * span + (2 * span * i) / 12;
        x[1] = uLo + ((uHi - uLo) * j) / 8;
        starts.push({ m: x[0], u: x[1], f: outer(x) });
      }
    }
    starts.sort((p, q) => p.f - q.f);
    // Stage 2: Nelder–Mead from the three best grid points, then a restart from the overall best.
    let best: { x: Float64Array; f: number } = { x: Float64Array.of(starts[0]?.m ?? 0, starts[0]?.u ?? 0), f: starts[0]?.f ?? Number.POSITIVE_INFINITY };
    const steps = [Math.max(span / 8, sMin), 0.5];
    for (let i = 0; i < 3 && i < starts.length; i++) {
      const st = starts[i] as { m: number; u: number };
      const r = nelderMead(outer, [st.m, st.u], { steps, maxEvaluations: 400, xTol: 1e-9 });
      if (r.f < best.f) best = { x: r.x, f: r.f };
    }
    const again = nelderMead(outer, best.x, { steps: [steps[0]! / 4, 0.1], maxEvaluations: 300, xTol: 1e-10 });
    if (again.f < best.f) best = { x: again.x, f: again.f };
    const unpenalizedFloor = bestUnpenalized;

    const m = clamp(best.x[0] as number, mLo, mHi);
    const s = Math.exp(clamp(best.x[1] as number, uLo, uHi));
    inner(m, s);
    const a = adc[0] as number, d = adc[1] as number, c = adc[2] as number;
    let value = best.f;
    const feasible = value < PEN;
    // The arbitrage constraint is active when an arbitrageable candidate fitted clearly better.
    const constrained = feasible && unpenalizedFloor < value * (1 - 1e-6) - 1e-18;
    // The inner least squares ignores the calendar bound, so when it binds materially (> 1e-4 of the objective)
    // only a 5-parameter search can trade fit against it properly.
    if (!feasible || constrained || calendarPenalty(a, d, c, m, s) > 1e-4 * value) {
      // Stage 3: polish all five parameters (a, d, c, m, ln s). A hard (jump) penalty stalls Nelder–Mead on the
      // constraint boundary, so this stage uses a smooth quadratic penalty μ·Σ max(0, G_MARGIN − g)² on the grid
      // with μ increased in four steps from the feasible stage-2 point (continuation); each result is kept only
      // if it is feasible (g ≥ G_MARGIN/2 on the grid) and fits better. It also runs when stage 2 found no feasible
      // smile at all, starting from the best arbitrageable one.
      const five = (q: Float64Array, mu: number): number => {
        const qa = q[0] as number, qd = q[1] as number, qc = q[2] as number;
        const qm = q[3] as number, qs = Math.exp(clamp(q[4] as number, uLo, uHi));
        const viol = Math.max(0, Math.abs(qd) - RHO_MAX * qc) + Math.max(0, qc + qd - Lr * qs) + Math.max(0, qc - qd - Ll * qs);
        if (viol > 0 || qm < mLo || qm > mHi) return PEN * (1 + viol);
        const soft = durrlemanShortfall(qa, qc / qs, qc > 0 ? qd / qc : 0, qm, qs, grid, G_MARGIN);
        if (!Number.isFinite(soft)) return PEN;
        return plainValue(qa, qd, qc, qm, qs) + mu * soft;
      };
      const plainValue = (qa: number, qd: number, qc: number, qm: number, qs: number): number => {
        let sse = 0;
        for (let i = 0; i < n; i++) {
          const yi = ((k[i] as number) - qm) / qs;
          const r = qa + qd * yi + qc * Math.sqrt(yi * yi + 1) - (wq[i] as number);
          sse += (W[i] as number) * r * r;
        }
        return sse + tieBreak(qc, qs) + calendarPenalty(qa, qd, qc, qm, qs);
      };
      const cScale = Math.max(c, 1e-3 * wAtm);
      const polishSteps = [0.02 * Math.max(wAtm, Math.abs(a)), 0.05 * cScale, 0.05 * cScale, 0.1 * s, 0.1];
      let q: Float64Array = Float64Array.of(a, d, c, m, Math.log(s));
      let bestQ = q;
      let improved = false;
      const value0 = Math.max(feasible ? value : unpenalizedFloor, 1e-300);
      for (const muScale of [1e2, 1e4, 1e6, 1e8]) {
        const mu = muScale * value0;
        const f = (x: Float64Array): number => five(x, mu);
        let r = nelderMead(f, q, { steps: polishSteps, maxEvaluations: 1200, xTol: 1e-13 });
        r = nelderMead(f, r.x, { steps: polishSteps.map((p) => p / 10), maxEvaluations: 800, xTol: 1e-14 });
        q = r.x;
        const qs = Math.exp(clamp(q[4] as number, uLo, uHi));
        const qa = q[0] as number, qd = q[1] as number, qc = q[2] as number, qm = q[3] as number;
        if (five(q, 0) >= PEN) continue;
        const g = minDurrleman(qa, qc / qs, qc > 0 ? qd / qc : 0, qm, qs, grid);
        const v = plainValue(qa, qd, qc, qm, qs);
        if (g >= 0.5 * G_MARGIN && v < value) {
          value = v;
          bestQ = q;
          improved = true;
        }
      }
      if (improved) {
        const sp = Math.exp(clamp(bestQ[4] as number, uLo, uHi));
        return { params: toParams(bestQ[0] as number, bestQ[1] as number, bestQ[2] as number, bestQ[3] as number, sp), value, feasible, constrained };
      }
    }
    return { params: toParams(a, d, c, m, s), value, feasible, constrained };
  };

  let result = run(coarse);
  let check = checkButterfly(result.params, dense);
  if (!check.arbitrageFree) {
    // The coarse grid missed a violation: search again with the dense grid inside the penalty.
    result = run(dense);
    check = checkButterfly(result.params, dense);
  }
  let params = result.params;
  let repair: SliceRepair = result.constrained || !result.feasible ? "constrained" : "none";
  if (!check.arbitrageFree) {
    params = levelShift(params, dense, wAtm);
    check = checkButterfly(params, dense);
    repair = "level-shift";
  }
  let sse = 0;
  for (let i = 0; i < n; i++) {
    const x = (k[i] as number) - params.m;
    const r = params.a + params.b * (params.rho * x + Math.sqrt(x * x + params.sigma * params.sigma)) - (wq[i] as number);
    sse += (W[i] as number) * r * r;
  }
  return { params, method: "svi", repair, minG: check.minG, objective: sse };
}

function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}

function toParams(a: number, d: number, c: number, m: number, s: number): SviParams {
  const b = c / s;
  const rho = c > 0 ? Math.max(-RHO_MAX, Math.min(RHO_MAX, d / c)) : 0;
  return { a, b, rho, m, sigma: s };
}

/**
 * Smallest Δ ≥ 0 (to 1e-9 relative) such that the smile with a + Δ has g ≥ G_MARGIN on `grid`. Exists
 * because as Δ → ∞, g → 1 − w'²/16 + w''/2 > 0 when |w'| < 2 (SVI's |w'| < b(1 + |ρ|) ≤ L < 2).
 */
export function levelShift(p: SviParams, grid: Float64Array, wAtm: number): SviParams {
  const ok = (delta: number): boolean => checkButterfly({ ...p, a: p.a + delta }, grid).minG >= G_MARGIN;
  let hi = Math.max(wAtm, 1e-12);
  for (let i = 0; i < 200 && !ok(hi); i++) hi *= 2;
  let lo = 0;
  for (let i = 0; i < 100 && hi - lo > 1e-9 * hi; i++) {
    const mid = 0.5 * (lo + hi);
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return { ...p, a: p.a + hi };
}
