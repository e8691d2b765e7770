/**
 * Joint scenario sets built directly in tests (independently of the scenario sources): seeded random sets with
 * H8's xoshiro256** generator, and a plain historical set read from ../shared/data (S(t)/S(t−h) − 1 over overlapping
 * windows, DVOL ratio over the same window), so the measures and models can be tested on real moves.
 */
import { readFileSync } from "node:fs";
import { Xoshiro256StarStar } from "../../src/math/rng.js";
import type { JointScenarioSet } from "../../src/risk/joint.js";
import { sharedData } from "../helpers/requires.js";

export interface RandomSetOptions {
  readonly seed: number;
  readonly count: number;
  readonly priceFactors: readonly string[];
  /** Standard deviation of each factor's log move (same order as priceFactors). */
  readonly logVol: readonly number[];
  readonly volFactors?: readonly string[];
  /** Standard deviation of the log vol ratio (default 0.15). */
  readonly logVolOfVol?: number;
  /** Prepend an all-zero scenario (label `zero`). */
  readonly withZero?: boolean;
}

/** Independent log-normal moves per factor and log-normal vol ratios: a set with wide, finite moves. */
export function randomJointSet(o: RandomSetOptions): JointScenarioSet {
  const rng = Xoshiro256StarStar.fromSeed(o.seed);
  const F = o.priceFactors.length;
  const volFactors = o.volFactors ?? [];
  const V = volFactors.length;
  const N = o.count;
  const moves = new Float64Array(N * F);
  const ratios = new Float64Array(N * V).fill(1);
  const labels: string[] = [];
  for (let s = 0; s < N; s++) {
    const zero = o.withZero === true && s === 0;
    labels.push(zero ? "zero" : `rnd:${s}`);
    for (let f = 0; f < F; f++) moves[s * F + f] = zero ? 0 : Math.expm1((o.logVol[f] ?? 0) * rng.nextNormal());
    for (let v = 0; v < V; v++) ratios[s * V + v] = zero ? 1 : Math.exp((o.logVolOfVol ?? 0.15) * rng.nextNormal());
  }
  return { method: "montecarlo", horizonDays: 1, count: N, priceFactors: [...o.priceFactors], priceRelativeMove: moves, volFactors: [...volFactors], volRatio: ratios, labels, notes: [`test set, seed ${o.seed}`] };
}

/** Daily closes of a CSV with `date` and price columns (the first numeric column after the date by default). */
export function readCloses(file: string, column: string): Map<string, number> {
  const lines = readFileSync(sharedData(file), "utf8").trim().split(/\r?\n/);
  const header = (lines[0] ?? "").split(",");
  const ci = header.indexOf(column);
  if (ci < 0) throw new Error(`${file}: no column ${column}`);
  const out = new Map<string, number>();
  for (const line of lines.slice(1)) {
    const cells = line.split(",");
    const v = Number(cells[ci]);
    const date = (cells[0] ?? "").slice(0, 10);
    if (cells[ci] !== "" && Number.isFinite(v) && v > 0) out.set(date, v);
  }
  return out;
}

/**
 * A historical joint set: for each date t in `dates` (ascending, consecutive days, all factors present), the move
 * P(t)/P(t − h) − 1 of each price factor and V(t)/V(t − h) of each vol factor; label = date t.
 */
export function historicalJointSet(
  dates: readonly string[],
  prices: Readonly<Record<string, Map<string, number>>>,
  vols: Readonly<Record<string, Map<string, number>>>,
  horizonDays: number,
): JointScenarioSet {
  const priceFactors = Object.keys(prices);
  const volFactors = Object.keys(vols);
  const F = priceFactors.length;
  const V = volFactors.length;
  const N = dates.length - horizonDays;
  const moves = new Float64Array(N * F);
  const ratios = new Float64Array(N * V);
  const labels: string[] = [];
  const at = (m: Map<string, number> | undefined, d: string | undefined): number => {
    const v = d === undefined ? undefined : m?.get(d);
    if (v === undefined) throw new Error(`no value on ${d}`);
    return v;
  };
  for (let s = 0; s < N; s++) {
    const d0 = dates[s];
    const d1 = dates[s + horizonDays];
    labels.push(d1 ?? "");
    priceFactors.forEach((f, i) => (moves[s * F + i] = at(prices[f], d1) / at(prices[f], d0) - 1));
    volFactors.forEach((f, i) => (ratios[s * V + i] = at(vols[f], d1) / at(vols[f], d0)));
  }
  return { method: "historical", horizonDays, count: N, priceFactors, priceRelativeMove: moves, volFactors, volRatio: ratios, labels, notes: ["test historical set"] };
}

/** Consecutive ISO dates from `from` to `to` inclusive. */
export function dateRange(from: string, to: string): string[] {
  const out: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86400000) out.push(new Date(t).toISOString().slice(0, 10));
  return out;
}

let btcEth: JointScenarioSet | undefined;

/**
 * BTC and ETH daily closes (crypto_daily_close_wide_2014_2024.csv) with Deribit DVOL for both, over the span where
 * all four exist, 2-day overlapping windows: a real multi-asset set with vol moves (cached).
 */
export function btcEthHistoricalSet(): JointScenarioSet {
  if (btcEth) return btcEth;
  const btc = readCloses("crypto_daily_close_wide_2014_2024.csv", "BTC");
  const eth = readCloses("crypto_daily_close_wide_2014_2024.csv", "ETH");
  const dvolBtc = readCloses("deribit_dvol_btc_daily.csv", "close");
  const dvolEth = readCloses("deribit_dvol_eth_daily.csv", "close");
  const all = [btc, eth, dvolBtc, dvolEth];
  const days = dateRange("2021-04-01", "2024-12-31");
  // Longest run of consecutive days where every series has a value (the DVOL files start in 2021).
  let best: string[] = [];
  let run: string[] = [];
  for (const d of days) {
    if (all.every((m) => m.has(d))) run.push(d);
    else run = [];
    if (run.length > best.length) best = [...run];
  }
  btcEth = historicalJointSet(best, { BTC: btc, ETH: eth }, { BTC: dvolBtc, ETH: dvolEth }, 2);
  return btcEth;
}

/**
 * A small stress set for tests (not the named stresses of the scenario sources): BTC −40 % / ETH −45 % with vols
 * × 1.8, and BTC +30 % / ETH +35 % with vols × 1.3; 2-day horizon.
 */
export function contractStressSet(): JointScenarioSet {
  return {
    method: "stress",
    horizonDays: 2,
    count: 2,
    priceFactors: ["BTC", "ETH"],
    priceRelativeMove: Float64Array.of(-0.4, -0.45, 0.3, 0.35),
    volFactors: ["BTC", "ETH"],
    volRatio: Float64Array.of(1.8, 1.8, 1.3, 1.3),
    labels: ["crash", "squeeze"],
    notes: ["test stress set"],
  };
}
