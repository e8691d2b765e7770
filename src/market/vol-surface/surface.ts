/**
 * Build a volatility surface of one base currency from quoted implied vols: one arbitrage-free raw SVI smile per
 * expiry (svi-fit.ts), a calendar fix (calendar.ts), interpolation and extrapolation in time (core.ts), and a
 * fit report (per-quote errors, per-expiry RMS, arbitrage checks). See docs/methodology.md, "Volatility surface".
 * @module
 */
import type { Issue, Result } from "../../errors.js";
import { fail, issue, ok } from "../../errors.js";
import type {
  QuoteFitError,
  SliceFitReport,
  SurfaceFitReport,
  VolQuote,
  VolSurface,
  VolSurfaceOptions,
} from "./types.js";
import type { QuoteGroup, ResolvedVolSurfaceOptions } from "./validate.js";
import { groupQuotes, resolveOptions } from "./validate.js";
import type { SliceFit } from "./svi-fit.js";
import { fitSviSlice } from "./svi-fit.js";
import type { SliceGeometry } from "./calendar.js";
import { analyzeCalendar, unionGrid } from "./calendar.js";
import { makeSurfaceCore } from "./core.js";
import { checkCalendarMonotone, minInterpolatedDurrleman } from "./checks.js";
import { sviTotalVariance } from "./svi.js";
import { maxOf, minOf } from "../../math/extent.js";

/** Quotes whose forwards disagree by more than this (relative) get a note in the report. */
const FORWARD_SPREAD_NOTE = 0.005;
/** Points per longer expiry's quoted range in a shorter smile's calendar bound. */
const CALENDAR_BOUND_POINTS = 40;
/** Smallest relative move accepted by volShifted (a move of −100 % has no moneyness). */
const MIN_RELATIVE_MOVE = -0.999999;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const h = s.length >> 1;
  return s.length % 2 ? (s[h] as number) : 0.5 * ((s[h - 1] as number) + (s[h] as number));
}

/** Relative fit weights of a slice's quotes: the user weight × (vega relative to the slice's largest, floored). */
function fitWeights(k: number[], v: number[], user: number[], T: number, opts: ResolvedVolSurfaceOptions): number[] {
  if (opts.weighting === "uniform") return user.slice();
  // Black vega ∝ F·√T·φ(d₁); within one expiry F and √T are common, so φ(d₁) ranks the quotes.
  const phi = k.map((ki, i) => {
    const sw = (v[i] as number) * Math.sqrt(T);
    const d1 = -ki / sw + sw / 2;
    return Math.exp(-0.5 * d1 * d1);
  });
  const top = maxOf(phi);
  return phi.map((p, i) => (user[i] as number) * Math.max(top > 0 ? p / top : 1, opts.vegaWeightFloor));
}

/**
 * Build a volatility surface from quoted implied vols (e.g. Deribit mark IVs) of one base currency.
 * `asOfMs` is the surface time (ms since epoch); times to expiry are ACT/365.25 years from it. Every quote must
 * expire after `asOfMs`. Bad input gives issues: `missing_vol` (no quotes), `non_finite`, `not_positive`,
 * `out_of_range`, `expired_instrument`, `invalid_value`. One quote per expiry is enough (flat smile).
 */
export function buildVolSurface(
  base: string,
  quotes: readonly VolQuote[],
  asOfMs: number,
  options?: VolSurfaceOptions,
): Result<VolSurface> {
  const issues: Issue[] = [];
  if (typeof base !== "string" || base.trim() === "") issues.push(issue("invalid_value", "base", "base currency must be a non-empty string"));
  if (typeof asOfMs !== "number" || !Number.isFinite(asOfMs)) issues.push(issue("non_finite", "asOfMs", `asOfMs must be finite, got ${String(asOfMs)}`));
  const opts = resolveOptions(options, issues);
  const groups = groupQuotes(quotes, asOfMs, issues);
  if (issues.length > 0) return fail(...issues);

  const notes: string[] = [];
  const n = groups.length;
  const sliceInfo = groups.map((g) => {
    const qs = g.indices.map((i) => quotes[i] as VolQuote);
    const fwds = qs.map((q) => q.forwardUsd);
    const F = median(fwds);
    const spread = (maxOf(fwds) - minOf(fwds)) / F;
    if (spread > FORWARD_SPREAD_NOTE) {
      notes.push(`${base} ${new Date(g.expiryMs).toISOString()}: quotes' forwards differ by ${(spread * 100).toFixed(2)} %; the median ${F} is used`);
    }
    const k = qs.map((q) => Math.log(q.strikeUsd / F));
    const v = qs.map((q) => q.volDecimal);
    const raw = fitWeights(k, v, qs.map((q) => q.weight ?? 1), g.timeYears, opts);
    // Scale by the largest weight before summing so that huge user weights cannot overflow the sum.
    const top = maxOf(raw);
    const w = raw.map((x) => x / top);
    const wSum = w.reduce((acc, x) => acc + x, 0);
    return { forwardUsd: F, spread, k, v, w: w.map((x) => x / wSum), distinct: new Set(qs.map((q) => q.strikeUsd)).size };
  });
  // Fit from the longest expiry to the shortest. Where a longer expiry is quoted and this one is not, this smile is
  // an extrapolation and the longer one is data: this smile is asked (softly) to stay below it, the calendar
  // condition w(k, T) non-decreasing in T. What remains (regions quoted by both, or by neither) is left to the
  // running max, which lifts the later smile.
  const fits: SliceFit[] = new Array<SliceFit>(n);
  for (let si = n - 1; si >= 0; si--) {
    const info = sliceInfo[si] as (typeof sliceInfo)[number];
    const kLo = minOf(info.k);
    const kHi = maxOf(info.k);
    const boundK: number[] = [];
    const boundW: number[] = [];
    for (let j = si + 1; j < n; j++) {
      const other = sliceInfo[j] as (typeof sliceInfo)[number];
      const jLo = minOf(other.k);
      const jHi = maxOf(other.k);
      for (let p = 0; p <= CALENDAR_BOUND_POINTS; p++) {
        const kk = jLo + ((jHi - jLo) * p) / CALENDAR_BOUND_POINTS;
        // Inside this slice's own quoted range (with a 1e-9 rounding allowance) its data decide.
        if (kk >= kLo - 1e-9 && kk <= kHi + 1e-9) continue;
        boundK.push(kk);
        boundW.push(sviTotalVariance((fits[j] as SliceFit).params, kk));
      }
    }
    const fit = fitSviSlice({
      logMoneyness: info.k,
      volDecimal: info.v,
      weight: info.w,
      timeYears: (groups[si] as QuoteGroup).timeYears,
      maxWingSlopeLeft: opts.maxWingSlope,
      maxWingSlopeRight: opts.maxWingSlope,
      ...(boundK.length > 0 ? { upperBound: { logMoneyness: boundK, totalVariance: boundW } } : {}),
    });
    fits[si] = fit;
    if (fit.repair === "level-shift") {
      notes.push(`${base} ${new Date((groups[si] as QuoteGroup).expiryMs).toISOString()}: no arbitrage-free SVI fit found; smile shifted up to remove butterfly arbitrage`);
    }
  }
  const geoms: SliceGeometry[] = groups.map((g, si) => {
    const info = sliceInfo[si] as (typeof sliceInfo)[number];
    let iAtm = 0;
    info.k.forEach((kk, i) => {
      if (Math.abs(kk) < Math.abs(info.k[iAtm] as number)) iAtm = i;
    });
    return {
      params: (fits[si] as SliceFit).params,
      expiryMs: g.expiryMs,
      kMin: minOf(info.k),
      kMax: maxOf(info.k),
      atmStdDev: (info.v[iAtm] as number) * Math.sqrt(g.timeYears),
    };
  });

  // One k grid for every check: each slice's own check grid, m ± 8σ of each, and a uniform grid out to ±50.
  const checkGrid = unionGrid(geoms);
  const cal = analyzeCalendar(geoms, opts.calendarFix === "running-max", checkGrid);
  const timeYears = Float64Array.from(groups.map((g) => g.timeYears));
  const lnForward = Float64Array.from(sliceInfo.map((s) => Math.log(s.forwardUsd)));
  const params = new Float64Array(5 * n);
  fits.forEach((f, i) => params.set([f.params.a, f.params.b, f.params.rho, f.params.m, f.params.sigma], 5 * i));
  const domStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) domStart[i + 1] = (domStart[i] as number) + (cal.dominators[i] as number[]).length;
  const domIndex = Int32Array.from(cal.dominators.flat());
  const core = makeSurfaceCore({
    timeYears,
    lnForward,
    params,
    domStart,
    domIndex,
    safeLo: cal.safeLo,
    safeHi: cal.safeHi,
    lnSpot: opts.spotUsd !== undefined ? Math.log(opts.spotUsd) : Number.NaN,
  });

  const quoteErrors: QuoteFitError[] = [];
  const slices: SliceFitReport[] = groups.map((g, si) => {
    const info = sliceInfo[si] as (typeof sliceInfo)[number];
    const fit = fits[si] as SliceFit;
    let sq = 0;
    let wsq = 0;
    let maxAbs = 0;
    g.indices.forEach((qi, j) => {
      const q = quotes[qi] as VolQuote;
      const k = info.k[j] as number;
      const model = core.volAtLogMoneyness(k, g.timeYears);
      const err = (model - q.volDecimal) * 100;
      sq += err * err;
      wsq += (info.w[j] as number) * err * err;
      maxAbs = Math.max(maxAbs, Math.abs(err));
      quoteErrors.push({
        index: qi,
        ...(q.instrument !== undefined ? { instrument: q.instrument } : {}),
        expiryMs: g.expiryMs,
        strikeUsd: q.strikeUsd,
        logMoneyness: k,
        quotedVolDecimal: q.volDecimal,
        modelVolDecimal: model,
        errorVolPoints: err,
        fitWeight: info.w[j] as number,
      });
    });
    return {
      expiryMs: g.expiryMs,
      timeYears: g.timeYears,
      forwardUsd: info.forwardUsd,
      forwardSpreadRelative: info.spread,
      quoteCount: g.indices.length,
      distinctStrikeCount: info.distinct,
      method: fit.method,
      svi: fit.params,
      rmsErrorVolPoints: Math.sqrt(sq / g.indices.length),
      weightedRmsErrorVolPoints: Math.sqrt(wsq),
      maxAbsErrorVolPoints: maxAbs,
      minDurrlemanG: fit.minG,
      butterflyArbitrageFree: fit.minG >= 0,
      repair: fit.repair,
      calendarDominatedBy: cal.violations.filter((x) => x.laterExpiryMs === g.expiryMs).map((x) => x.earlierExpiryMs),
    };
  });
  quoteErrors.sort((x, y) => x.index - y.index);
  if (cal.violations.length > 0) {
    notes.push(
      `${cal.violations.length} calendar violation(s) between fitted slices` +
        (opts.calendarFix === "running-max" ? "; removed by the running max over expiries" : "; not fixed (calendarFix: none)"),
    );
  }
  const minG = Math.min(minInterpolatedDurrleman(core, checkGrid, timeYears), minOf(fits.map((f) => f.minG)));
  const fitReport: SurfaceFitReport = {
    slices,
    quotes: quoteErrors,
    calendarViolations: cal.violations,
    calendarFix: opts.calendarFix,
    calendarArbitrageFree: checkCalendarMonotone(core, checkGrid, timeYears),
    minDurrlemanG: minG,
    butterflyArbitrageFree: minG >= 0,
    notes,
  };

  const vol = (strikeUsd: number, t: number): number => core.volAtLnStrike(Math.log(strikeUsd), t);
  const surface: VolSurface = {
    base,
    asOfMs,
    expiriesMs: groups.map((g) => g.expiryMs),
    vol,
    volAtLogMoneyness: core.volAtLogMoneyness,
    totalVariance: core.totalVariance,
    volShifted(strikeUsd, t, relativeMove, convention) {
      if (convention === "sticky-strike") return vol(strikeUsd, t);
      const mv = relativeMove > MIN_RELATIVE_MOVE ? relativeMove : MIN_RELATIVE_MOVE;
      // Same K/F' = (K/(1 + move))/F: read today's surface at the strike with the same moneyness.
      return vol(strikeUsd / (1 + mv), t);
    },
    forwardUsd: (t) => Math.exp(core.lnForward(t)),
    fit: fitReport,
  };
  return ok(Object.freeze(surface));
}
