/**
 * A tick generator for replays: an intraday path of a real day through its real daily open, high, low and close,
 * rebased onto the replay's starting market (docs/live.md, "Replay"). Only the four daily prices are real; the path
 * between them is SYNTHETIC, and the ticks say so.
 *
 * Path, per underlying, in log price on a grid of `intervalSeconds` steps over the day:
 * 1. The times of the day's high and low are drawn once (seeded) and shared by every underlying (one market event);
 *    on a day that closes below its open the high comes first, else the low.
 * 2. Between consecutive fixed points (open at 0, high and low at their times, close at the end) the path is a
 *    Brownian bridge: the straight line between the points plus σ·(W_i − (i/k)·W_k), with the day's Parkinson
 *    volatility σ_day = ln(H/L)/(2√ln 2) spread over the steps, and increments correlated across underlyings by the
 *    given correlation matrix (Cholesky).
 * 3. A segment that would leave [low, high] has its noise scaled down (by the largest factor that keeps every point
 *    inside), so the day's high and low are the path's extremes and are hit exactly.
 * Index at step i: start index × P_i / open (the day's cumulative return so far). Time: the start market's timestamp
 * + i × interval.
 *
 * Vol rule, per underlying: with a DVOL series covering the day, every option's vol follows DVOL from the previous
 * close to the day's close, linearly in time (ticks carry the relative change as `volMoves`); without one, the
 * ratio of the day's Parkinson volatility to the trailing realised volatility, capped to [1/3, 3], is reached linearly
 * over the day (the realised-vol rule).
 * @module
 */
import { cholesky } from "../math/linalg.js";
import { Xoshiro256StarStar } from "../math/rng.js";
import type { MarketSnapshot } from "../market/types.js";
import type { Tick } from "./tick.js";

/** A day's real prices, USD. */
export interface DayOhlc {
  readonly open: number;
  readonly high: number;
  readonly low: number;
  readonly close: number;
}

/** How an underlying's implied vols move through the day. */
export type VolRule =
  | { readonly kind: "dvol"; readonly previousClose: number; readonly close: number }
  | { readonly kind: "realised"; readonly trailingAnnualised: number };

export interface DayPathInput {
  /** The day, YYYY-MM-DD (a label in the notes). */
  readonly day: string;
  /** The replay's starting market: its index prices are the path's base, its timestamp the path's start. */
  readonly start: MarketSnapshot;
  readonly ohlc: Readonly<Record<string, DayOhlc>>;
  readonly vol: Readonly<Record<string, VolRule>>;
  /** Correlation of the underlyings' increments, in the order of `Object.keys(ohlc).sort()` (default: identity). */
  readonly correlation?: readonly (readonly number[])[];
  readonly intervalSeconds: number;
  readonly seed: number;
  /** Where the prices came from (named in the first tick's `source`). */
  readonly sources?: string;
}

/** Cap of the realised-vol rule's ratio (and its inverse floor). */
export const REALISED_VOL_RATIO_CAP = 3;

/** The day's Parkinson volatility, annualised (365 days). */
export function parkinsonAnnualised(o: DayOhlc): number {
  return (Math.log(o.high / o.low) / (2 * Math.sqrt(Math.LN2))) * Math.sqrt(365);
}

/** Vol level ratio (to the start) at fraction `f` of the day. */
function volRatio(rule: VolRule | undefined, o: DayOhlc, f: number): number {
  if (rule === undefined) return 1;
  if (rule.kind === "dvol") return 1 + (rule.close / rule.previousClose - 1) * f;
  const target = Math.min(REALISED_VOL_RATIO_CAP, Math.max(1 / REALISED_VOL_RATIO_CAP, parkinsonAnnualised(o) / rule.trailingAnnualised));
  return 1 + (target - 1) * f;
}

/** Ticks of the day (seq 1..n), and notes saying what is real and what is synthetic. */
export function generateDayTicks(input: DayPathInput): { ticks: Tick[]; notes: string[] } {
  const bases = Object.keys(input.ohlc).sort();
  const n = Math.round(86_400 / input.intervalSeconds);
  if (!(n >= 4) || !Number.isInteger(86_400 / input.intervalSeconds)) throw new RangeError(`intervalSeconds must divide a day into at least 4 steps, got ${input.intervalSeconds}`);
  for (const b of bases) if (input.start.indexUsd[b] === undefined) throw new RangeError(`the start market has no index for ${b}`);
  const rng = Xoshiro256StarStar.fromSeed(input.seed);
  // 1. Times of the high and the low, distinct, inside the day: on a day that closes below its open (the first
  // underlying's) the high comes first, else the low.
  const a1 = 1 + Math.floor(rng.nextDouble() * (n - 1));
  let a2 = 1 + Math.floor(rng.nextDouble() * (n - 1));
  while (a2 === a1) a2 = 1 + Math.floor(rng.nextDouble() * (n - 1));
  const lead = input.ohlc[bases[0] as string] as DayOhlc;
  const [early, late] = a1 < a2 ? [a1, a2] : [a2, a1];
  const tHigh = lead.close < lead.open ? early : late;
  const tLow = lead.close < lead.open ? late : early;
  // A day that closes at its low (or opens at its high) pins the extreme to the end (start): no time is drawn for it.
  const pinned = (b: string): { tH: number; tL: number } => {
    const o = input.ohlc[b] as DayOhlc;
    return { tH: o.high === o.open ? 0 : o.high === o.close ? n : tHigh, tL: o.low === o.open ? 0 : o.low === o.close ? n : tLow };
  };
  // 2. Correlated Brownian increments.
  const m = bases.length;
  const corr = input.correlation ?? bases.map((_, i) => bases.map((__, j) => (i === j ? 1 : 0)));
  const chol = cholesky(Float64Array.from(corr.flat()), m);
  if (!chol.ok) throw new RangeError(`the correlation matrix cannot be factored: ${chol.issues[0]?.message ?? ""}`);
  const L = chol.value;
  const w = bases.map(() => new Float64Array(n + 1));
  const z = new Float64Array(m);
  for (let i = 1; i <= n; i++) {
    for (let k = 0; k < m; k++) z[k] = rng.nextNormal();
    for (let a = 0; a < m; a++) {
      let s = 0;
      for (let k = 0; k <= a; k++) s += (L[a * m + k] as number) * (z[k] as number);
      (w[a] as Float64Array)[i] = ((w[a] as Float64Array)[i - 1] as number) + s;
    }
  }
  const paths = new Map<string, Float64Array>();
  bases.forEach((b, a) => {
    const o = input.ohlc[b] as DayOhlc;
    const { tH, tL } = pinned(b);
    const fixed = new Map<number, number>([[0, Math.log(o.open)], [n, Math.log(o.close)]]);
    fixed.set(tH, Math.log(o.high));
    fixed.set(tL, Math.log(o.low));
    const times = [...fixed.keys()].sort((x, y) => x - y);
    const lo = Math.log(o.low);
    const hi = Math.log(o.high);
    const sigmaStep = Math.log(o.high / o.low) / (2 * Math.sqrt(Math.LN2)) / Math.sqrt(n);
    const x = new Float64Array(n + 1);
    const wa = w[a] as Float64Array;
    for (let s = 0; s + 1 < times.length; s++) {
      const t0 = times[s] as number;
      const t1 = times[s + 1] as number;
      const x0 = fixed.get(t0) as number;
      const x1 = fixed.get(t1) as number;
      const k = t1 - t0;
      const line = (i: number): number => x0 + ((x1 - x0) * i) / k;
      const dev = (i: number): number => sigmaStep * ((wa[t0 + i] as number) - (wa[t0] as number) - (i / k) * ((wa[t1] as number) - (wa[t0] as number)));
      // 3. The largest scale c ≤ 1 of the noise that keeps the segment inside [low, high].
      let c = 1;
      for (let i = 1; i < k; i++) {
        const l = line(i);
        const d = dev(i);
        if (d > 0 && l + d > hi) c = Math.min(c, (hi - l) / d);
        if (d < 0 && l + d < lo) c = Math.min(c, (lo - l) / d);
      }
      for (let i = 0; i <= k; i++) x[t0 + i] = i === 0 ? x0 : i === k ? x1 : line(i) + c * dev(i);
    }
    paths.set(b, x);
  });
  const ticks: Tick[] = [];
  const t0 = input.start.timestampMs;
  const source =
    `SYNTHETIC intraday path: a seeded Brownian bridge (seed ${input.seed}) through the real ${input.day} open, high, low and close of ` +
    `${bases.join(", ")}${input.sources ? ` (${input.sources})` : ""}, rebased onto the start market; only the four daily prices are real.`;
  const prevVol = new Map(bases.map((b) => [b, 1]));
  for (let i = 1; i <= n; i++) {
    const indexUsd: Record<string, number> = {};
    const volMoves: Record<string, number> = {};
    for (const b of bases) {
      const o = input.ohlc[b] as DayOhlc;
      indexUsd[b] = (input.start.indexUsd[b] as number) * (Math.exp((paths.get(b) as Float64Array)[i] as number) / o.open);
      const r = volRatio(input.vol[b], o, i / n);
      const move = r / (prevVol.get(b) as number) - 1;
      prevVol.set(b, r);
      if (move !== 0) volMoves[b] = move;
    }
    ticks.push({ seq: i, timestampMs: t0 + i * input.intervalSeconds * 1000, indexUsd, ...(Object.keys(volMoves).length > 0 ? { volMoves } : {}), ...(i === 1 ? { source } : {}) });
  }
  const notes = [
    source,
    ...bases.map((b) => {
      const rule = input.vol[b];
      const o = input.ohlc[b] as DayOhlc;
      if (rule === undefined) return `${b}: implied vols unchanged through the day (no vol rule given)`;
      if (rule.kind === "dvol") return `${b}: implied vols follow DVOL ${rule.previousClose} → ${rule.close} (×${(rule.close / rule.previousClose).toFixed(3)}), linearly over the day`;
      return `${b}: no DVOL for ${input.day}: realised-vol rule, vols × ${volRatio(rule, o, 1).toFixed(3)} by the close (Parkinson ${(parkinsonAnnualised(o) * 100).toFixed(1)} % over trailing ${(rule.trailingAnnualised * 100).toFixed(1)} %, capped at ×${REALISED_VOL_RATIO_CAP})`;
    }),
  ];
  return { ticks, notes };
}
