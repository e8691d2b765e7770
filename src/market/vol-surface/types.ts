/**
 * Types of the volatility surface: input quotes, build options, the evaluation interface and the fit report.
 *
 * Conventions: `k` is log-moneyness ln(K/F(T)) against the surface's own forward for that time, `w` is total
 * implied variance σ²·T (decimal² · years), vol points are 0.01 in decimal vol (1 vol point = 1 %).
 * @module
 */

/** One quoted implied vol (e.g. a Deribit mark IV) of an option on the base currency. */
export interface VolQuote {
  /** Strike in USD per coin, > 0. */
  readonly strikeUsd: number;
  /** Expiry in ms since the Unix epoch (UTC); must be after the surface's `asOfMs`. */
  readonly expiryMs: number;
  /** Forward (underlying) price for that expiry in USD per coin, > 0 (Deribit's `underlying_price`). */
  readonly forwardUsd: number;
  /** Implied volatility, decimal (0.55 = 55 %), > 0 and ≤ 10. */
  readonly volDecimal: number;
  /** Optional relative weight in the fit (> 0, default 1); multiplies the weighting scheme's own weight. */
  readonly weight?: number;
  /** Optional instrument name, copied into the fit report. */
  readonly instrument?: string;
}

/** Raw SVI parameters of one smile: w(k) = a + b·(ρ·(k − m) + √((k − m)² + σ²)), total variance vs log-moneyness. */
export interface SviParams {
  readonly a: number;
  /** ≥ 0. */
  readonly b: number;
  /** In (−1, 1). */
  readonly rho: number;
  readonly m: number;
  /** > 0 (called σ in the literature; not a volatility). */
  readonly sigma: number;
}

/** How quotes are weighted in a smile fit (the per-quote `weight` multiplies it). */
export type VolWeighting = "vega" | "uniform";

/** Build options of {@link buildVolSurface}; every field has a documented default. */
export interface VolSurfaceOptions {
  /**
   * `vega` (default): weight each quote by its Black vega relative to the slice's largest, floored at
   * `vegaWeightFloor`, so near-the-money marks are reproduced closely and far wings (whose marks Deribit caps) only
   * bound the extrapolation. `uniform`: every quote counts the same in vol points.
   */
  readonly weighting?: VolWeighting;
  /** Floor of the relative vega weight, in [0, 1]; default 0.05. Ignored with `uniform`. */
  readonly vegaWeightFloor?: number;
  /**
   * `running-max` (default): where a fitted slice's total variance falls below an earlier slice's at some k, the
   * later slice uses the running maximum over expiries (removes calendar arbitrage). `none`: report only.
   */
  readonly calendarFix?: "running-max" | "none";
  /** Spot (index) price in USD; when given, anchors the surface's forward curve at T = 0 (else flat before T₁). */
  readonly spotUsd?: number;
  /** Largest SVI wing slope b·(1 + |ρ|) allowed in the fit, in (0, 2); default 1.99 (Roger Lee: ≤ 2). */
  readonly maxWingSlope?: number;
}

/** Fit error of one input quote against the final surface. */
export interface QuoteFitError {
  /** Index of the quote in the input array. */
  readonly index: number;
  readonly instrument?: string;
  readonly expiryMs: number;
  readonly strikeUsd: number;
  /** ln(K / F) with F the slice's forward. */
  readonly logMoneyness: number;
  readonly quotedVolDecimal: number;
  /** Vol of the final surface (after any calendar fix) at this strike and expiry. */
  readonly modelVolDecimal: number;
  /** (model − quoted) × 100: error in vol points. */
  readonly errorVolPoints: number;
  /** Normalised weight the quote had in its slice's fit (weights of a slice sum to 1). */
  readonly fitWeight: number;
}

/** How a slice's butterfly arbitrage was handled. */
export type SliceRepair =
  /** The best fit had no butterfly arbitrage. */
  | "none"
  /** The unconstrained best fit had arbitrage; the reported fit is the best one found with g(k) ≥ 0. */
  | "constrained"
  /** No arbitrage-free fit was found; the total variance was shifted up by the smallest constant that removes it. */
  | "level-shift";

/** Diagnostics of one expiry's smile. */
export interface SliceFitReport {
  readonly expiryMs: number;
  readonly timeYears: number;
  /** Median of the quotes' forwards (USD); the k of every quote of this expiry uses it. */
  readonly forwardUsd: number;
  /** (max − min) / median of the quotes' forwards: how much the quotes disagree on the forward. */
  readonly forwardSpreadRelative: number;
  readonly quoteCount: number;
  readonly distinctStrikeCount: number;
  /** `flat`: a single strike, constant total variance; `svi`: a raw SVI fit. */
  readonly method: "svi" | "flat";
  /** The fitted raw SVI parameters (before any calendar fix). */
  readonly svi: SviParams;
  /** RMS of (model − quoted) over the slice's quotes, in vol points, against the final surface (unweighted). */
  readonly rmsErrorVolPoints: number;
  /** The same RMS weighted by the fit weights. */
  readonly weightedRmsErrorVolPoints: number;
  readonly maxAbsErrorVolPoints: number;
  /** Smallest Durrleman g(k) of the fitted slice on the check grid (≥ 0 means no butterfly arbitrage). */
  readonly minDurrlemanG: number;
  readonly butterflyArbitrageFree: boolean;
  readonly repair: SliceRepair;
  /** Expiries (ms) of earlier slices whose total variance exceeds this one's somewhere (calendar arbitrage). */
  readonly calendarDominatedBy: readonly number[];
}

/** An earlier fitted slice with more total variance than a later one on part of the k axis (before any fix). */
export interface CalendarViolation {
  readonly earlierExpiryMs: number;
  readonly laterExpiryMs: number;
  /** Largest w_earlier(k) − w_later(k) found on the check grid (> 0). */
  readonly maxExcessTotalVariance: number;
  /** Log-moneyness where that excess is largest (within [−50, 50], the range the surface evaluates). */
  readonly atLogMoneyness: number;
}

/** Fit quality and arbitrage diagnostics of a whole surface. */
export interface SurfaceFitReport {
  readonly slices: readonly SliceFitReport[];
  readonly quotes: readonly QuoteFitError[];
  /** Calendar violations between the fitted slices, before the fix. */
  readonly calendarViolations: readonly CalendarViolation[];
  readonly calendarFix: "running-max" | "none";
  /** True when w(k, T) is non-decreasing in T on the check grid of the final surface. */
  readonly calendarArbitrageFree: boolean;
  /** Smallest Durrleman g over every slice and over interpolated times between and beyond the expiries. */
  readonly minDurrlemanG: number;
  /** True when every slice and every interpolated check time has g ≥ 0 on the check grid. */
  readonly butterflyArbitrageFree: boolean;
  /** Human-readable notes (e.g. forwards that disagree, repaired slices). */
  readonly notes: readonly string[];
}

/** A volatility surface of one base currency. Pure and immutable; evaluation allocates nothing. */
export interface VolSurface {
  readonly base: string;
  readonly asOfMs: number;
  /** Expiries of the slices (ms), ascending. */
  readonly expiriesMs: readonly number[];
  /** Implied vol (decimal) for a strike (USD) and time to expiry (years) at the surface's own forwards. */
  vol(strikeUsd: number, timeYears: number): number;
  /** Implied vol (decimal) at log-moneyness ln(K/F(T)) and time to expiry (years). */
  volAtLogMoneyness(logMoneyness: number, timeYears: number): number;
  /** Total implied variance σ²T at log-moneyness and time to expiry (years). */
  totalVariance(logMoneyness: number, timeYears: number): number;
  /**
   * Vol after the whole forward curve moves by the factor (1 + relativeMove), relativeMove > −1.
   * `sticky-strike`: the vol of a strike is unchanged. `sticky-moneyness`: the vol of a moneyness K/F is unchanged,
   * i.e. the vol of K after the move is today's vol of K / (1 + relativeMove).
   */
  volShifted(
    strikeUsd: number,
    timeYears: number,
    relativeMove: number,
    convention: "sticky-strike" | "sticky-moneyness",
  ): number;
  /** The surface's forward (USD) for a time to expiry in years. */
  forwardUsd(timeYears: number): number;
  /** Per-quote fit errors and per-expiry diagnostics. */
  readonly fit: SurfaceFitReport;
}
