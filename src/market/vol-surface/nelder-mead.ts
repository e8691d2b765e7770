/**
 * Deterministic Nelder–Mead simplex minimiser (Lagarias, Reeds, Wright & Wright 1998 coefficients: reflection 1,
 * expansion 2, contraction 1/2, shrink 1/2) for the low-dimensional smile fits. No randomness: the same inputs give
 * the same iterates, which is what makes the surface fit reproducible.
 * @module
 */

export interface NelderMeadOptions {
  /** Initial simplex steps per coordinate (the simplex is x0 and x0 + step_i·e_i). */
  readonly steps: readonly number[];
  /** Stop after this many function evaluations (default 200·n). */
  readonly maxEvaluations?: number;
  /** Stop when max |f_i − f_best| ≤ fTolAbs + fTolRel·|f_best| and the simplex is smaller than xTol (defaults 0, 1e-12, 1e-10). */
  readonly fTolAbs?: number;
  readonly fTolRel?: number;
  readonly xTol?: number;
}

export interface NelderMeadResult {
  readonly x: Float64Array<ArrayBuffer>;
  readonly f: number;
  readonly evaluations: number;
}

/**
 * Minimise `f` over R^n from `x0`. `f` must return a finite number or +Infinity (treated as "worse than anything").
 * Domain: n ≥ 1, steps non-zero.
 */
export function nelderMead(f: (x: Float64Array) => number, x0: ArrayLike<number>, options: NelderMeadOptions): NelderMeadResult {
  const n = x0.length;
  const maxEval = options.maxEvaluations ?? 200 * n;
  const fTolAbs = options.fTolAbs ?? 0;
  const fTolRel = options.fTolRel ?? 1e-12;
  const xTol = options.xTol ?? 1e-10;
  const pts: Float64Array[] = [];
  const fv = new Float64Array(n + 1);
  let evals = 0;
  const evalAt = (x: Float64Array): number => {
    evals++;
    const v = f(x);
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : v;
  };
  for (let i = 0; i <= n; i++) {
    const p = Float64Array.from(x0);
    if (i > 0) p[i - 1] = (p[i - 1] as number) + (options.steps[i - 1] ?? 0.1);
    pts.push(p);
    fv[i] = evalAt(p);
  }
  const order = Array.from({ length: n + 1 }, (_, i) => i);
  const centroid = new Float64Array(n);
  const xr = new Float64Array(n);
  const xe = new Float64Array(n);
  const xc = new Float64Array(n);
  const point = (i: number): Float64Array => pts[order[i] as number] as Float64Array;
  const fOf = (i: number): number => fv[order[i] as number] as number;

  while (evals < maxEval) {
    order.sort((i, j) => (fv[i] as number) - (fv[j] as number) || i - j);
    const fBest = fOf(0);
    const fWorst = fOf(n);
    let size = 0;
    for (let i = 1; i <= n; i++) {
      const p = point(i);
      const b = point(0);
      for (let j = 0; j < n; j++) size = Math.max(size, Math.abs((p[j] as number) - (b[j] as number)));
    }
    if (fWorst - fBest <= fTolAbs + fTolRel * Math.abs(fBest) && size <= xTol) break;
    if (size <= xTol * 1e-3) break;

    centroid.fill(0);
    for (let i = 0; i < n; i++) {
      const p = point(i);
      for (let j = 0; j < n; j++) centroid[j] = (centroid[j] as number) + (p[j] as number) / n;
    }
    const worst = point(n);
    for (let j = 0; j < n; j++) xr[j] = 2 * (centroid[j] as number) - (worst[j] as number);
    const fr = evalAt(xr);
    const fSecondWorst = fOf(n - 1);
    if (fr < fBest) {
      for (let j = 0; j < n; j++) xe[j] = 3 * (centroid[j] as number) - 2 * (worst[j] as number);
      const fe = evalAt(xe);
      if (fe < fr) {
        worst.set(xe);
        fv[order[n] as number] = fe;
      } else {
        worst.set(xr);
        fv[order[n] as number] = fr;
      }
      continue;
    }
    if (fr < fSecondWorst) {
      worst.set(xr);
      fv[order[n] as number] = fr;
      continue;
    }
    // Contraction: outside when the reflected point beats the worst, inside otherwise.
    const outside = fr < fWorst;
    for (let j = 0; j < n; j++) {
      const c = centroid[j] as number;
      xc[j] = outside ? c + 0.5 * ((xr[j] as number) - c) : c + 0.5 * ((worst[j] as number) - c);
    }
    const fc = evalAt(xc);
    if (fc < (outside ? fr : fWorst)) {
      worst.set(xc);
      fv[order[n] as number] = fc;
      continue;
    }
    // Shrink towards the best point.
    const best = point(0);
    for (let i = 1; i <= n; i++) {
      const p = point(i);
      for (let j = 0; j < n; j++) p[j] = (best[j] as number) + 0.5 * ((p[j] as number) - (best[j] as number));
      fv[order[i] as number] = evalAt(p);
    }
  }
  let bi = 0;
  for (let i = 1; i <= n; i++) if ((fv[i] as number) < (fv[bi] as number)) bi = i;
  return { x: Float64Array.from(pts[bi] as Float64Array), f: fv[bi] as number, evaluations: evals };
}
