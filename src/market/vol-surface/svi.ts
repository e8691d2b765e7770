/**
 * Raw SVI smiles (Gatheral 2004) and Durrleman's butterfly-arbitrage function g(k) (Gatheral & Jacquier 2014,
 * "Arbitrage-free SVI volatility surfaces", Quantitative Finance 14(1), eq. 2.1 and Lemma 2.2).
 *
 * Total implied variance against log-moneyness k = ln(K/F):
 *   w(k) = a + b·(ρ·(k − m) + √((k − m)² + σ²)),
 *   w'(k) = b·(ρ + (k − m)/r),  w''(k) = b·σ²/r³,  r = √((k − m)² + σ²).
 * A smile is free of butterfly arbitrage iff the density p(k) = g(k)/√(2πw)·exp(−d₋²/2) is non-negative, i.e.
 *   g(k) = (1 − k·w'/(2w))² − (w'²/4)·(1/w + 1/4) + w''/2 ≥ 0 for every k (with w > 0).
 * @module
 */
import type { SviParams } from "./types.js";

/** Total implied variance w(k) of a raw SVI smile at log-moneyness k (decimal² · years). */
export function sviTotalVariance(p: SviParams, k: number): number {
  const x = k - p.m;
  return p.a + p.b * (p.rho * x + Math.sqrt(x * x + p.sigma * p.sigma));
}

/** w, w' and w'' of a raw SVI smile at log-moneyness k. */
export function sviDerivatives(p: SviParams, k: number): { w: number; dw: number; d2w: number } {
  const x = k - p.m;
  const s2 = p.sigma * p.sigma;
  const r = Math.sqrt(x * x + s2);
  return { w: p.a + p.b * (p.rho * x + r), dw: p.b * (p.rho + x / r), d2w: (p.b * s2) / (r * r * r) };
}

/**
 * Durrleman's g from a total variance and its first two derivatives in k at log-moneyness k.
 * Returns −Infinity when w ≤ 0 (no implied vol there: not a valid smile, treated as arbitrage).
 */
export function durrlemanFromDerivatives(k: number, w: number, dw: number, d2w: number): number {
  if (!(w > 0)) return Number.NEGATIVE_INFINITY;
  const t = 1 - (k * dw) / (2 * w);
  return t * t - ((dw * dw) / 4) * (1 / w + 0.25) + d2w / 2;
}

/** Durrleman's g(k) of a raw SVI smile (≥ 0 everywhere ⇔ no butterfly arbitrage); −Infinity where w ≤ 0. */
export function durrlemanG(p: SviParams, k: number): number {
  const x = k - p.m;
  const s2 = p.sigma * p.sigma;
  const r = Math.sqrt(x * x + s2);
  const w = p.a + p.b * (p.rho * x + r);
  const dw = p.b * (p.rho + x / r);
  const d2w = (p.b * s2) / (r * r * r);
  return durrlemanFromDerivatives(k, w, dw, d2w);
}

/**
 * Asymptotic wing slopes of w: w(k) ≈ (right)·k for k → +∞ and ≈ (left)·|k| for k → −∞.
 * Roger Lee's moment formula bounds both by 2; Durrleman's g needs both < 2 (g → 1/4 − slope²/16).
 */
export function sviWingSlopes(p: SviParams): { left: number; right: number } {
  return { left: p.b * (1 - p.rho), right: p.b * (1 + p.rho) };
}

/** Smallest total variance of the smile over all k: a + b·σ·√(1 − ρ²), reached at k = m − ρσ/√(1 − ρ²). */
export function sviMinTotalVariance(p: SviParams): number {
  return p.a + p.b * p.sigma * Math.sqrt(Math.max(0, 1 - p.rho * p.rho));
}

/** Log-moneyness of the smile's minimum total variance: m − ρσ/√(1 − ρ²) (m when b = 0 or |ρ| = 1). */
export function sviArgMin(p: SviParams): number {
  const q = 1 - p.rho * p.rho;
  return p.b > 0 && q > 0 ? p.m - (p.rho * p.sigma) / Math.sqrt(q) : p.m;
}

/**
 * Raw SVI parameters of an SSVI slice w(k) = θ/2·(1 + ρφk + √((φk + ρ)² + 1 − ρ²)) (Gatheral & Jacquier 2014,
 * eq. 4.1 and Lemma 3.2's correspondence): a = θ(1 − ρ²)/2, b = θφ/2, m = −ρ/φ, σ = √(1 − ρ²)/φ.
 * Domain: θ > 0 (ATM total variance), φ > 0, |ρ| < 1.
 */
export function rawSviFromSsvi(theta: number, phi: number, rho: number): SviParams {
  return {
    a: (theta * (1 - rho * rho)) / 2,
    b: (theta * phi) / 2,
    rho,
    m: -rho / phi,
    sigma: Math.sqrt(1 - rho * rho) / phi,
  };
}

/** Where a smile's g(k) is smallest on a grid. */
export interface ButterflyCheck {
  /** Smallest g on the grid (−Infinity if w ≤ 0 somewhere). */
  readonly minG: number;
  /** Log-moneyness of that smallest g. */
  readonly atLogMoneyness: number;
  /** minG ≥ −tolerance. */
  readonly arbitrageFree: boolean;
}

/**
 * Check Durrleman's condition of a raw SVI smile on a grid of log-moneyness points (plus 201 points on
 * m ± 10σ, where an SVI's curvature concentrates, and the smile's minimum). `tolerance` (default 0) absorbs rounding only.
 */
export function checkButterfly(p: SviParams, grid: ArrayLike<number>, tolerance = 0): ButterflyCheck {
  let minG = Number.POSITIVE_INFINITY;
  let at = 0;
  const visit = (k: number): void => {
    const g = durrlemanG(p, k);
    if (g < minG || Number.isNaN(g)) {
      minG = Number.isNaN(g) ? Number.NEGATIVE_INFINITY : g;
      at = k;
    }
  };
  for (let i = 0; i < grid.length; i++) visit(grid[i] as number);
  for (let i = 0; i <= 200; i++) visit(p.m + p.sigma * (-10 + i / 10));
  visit(sviArgMin(p));
  return { minG, atLogMoneyness: at, arbitrageFree: minG >= -tolerance };
}

/**
 * A log-moneyness grid for arbitrage checks of a smile whose quotes span [kMin, kMax]: `density` points over the
 * quoted range widened by twice its width (at least ±4 ATM standard deviations `atmStdDev` = √w_ATM), plus a
 * geometric ladder out to |k| = 50 on both sides (K/F from 2e-22 to 5e21) so that the wings are covered too.
 */
export function butterflyCheckGrid(kMin: number, kMax: number, atmStdDev: number, density: number): Float64Array {
  const span = Math.max(kMax - kMin, 4 * atmStdDev, 1e-6);
  const lo = kMin - 2 * span;
  const hi = kMax + 2 * span;
  const ladder: number[] = [];
  for (let x = 0.05; x <= 50; x *= 1.15) ladder.push(x);
  ladder.push(50);
  const out = new Float64Array(density + 2 * ladder.length);
  for (let i = 0; i < density; i++) out[i] = lo + ((hi - lo) * i) / (density - 1);
  for (let i = 0; i < ladder.length; i++) {
    out[density + 2 * i] = -(ladder[i] as number);
    out[density + 2 * i + 1] = ladder[i] as number;
  }
  return out;
}
