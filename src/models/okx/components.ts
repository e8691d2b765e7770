/**
 * The components MR1–MR9 of one OKX risk unit, from its exposures (revalue.ts), in USD, and how they combine:
 *
 *   MMR_unit = max( max(MR1, MR2, MR6) + MR3 + MR4 + MR5 + MR9,  tiers(MR7 raw) )      IMR_unit = factor × MMR_unit
 *
 * (OKX's 21 Dec 2021 scaling-factor announcement; the 2025-01-15 position-builder example fits it exactly; MR9's place
 * is inferred). Which parts are published and which inferred: presets/okx.json and docs/methodology.md.
 * @module
 */
import { formatMovePercent } from "../../risk/scenarios.js";
import type { VolShift } from "../../risk/scenarios.js";
import type { ScenarioPnl } from "../types.js";
import { tieredAmount } from "../addons/concentration.js";
import type { OkxParams, OkxUnitParams } from "./params.js";
import type { OkxExposure } from "./revalue.js";

const VOL_SHIFTS: readonly VolShift[] = ["down", "unchanged", "up"];
/** OKX's names of the vol shifts (`mr1Scenarios` keys, `mr1FinalResult.volShock`). */
export const OKX_VOL_KEYS = { down: "volShockDown", unchanged: "volSame", up: "volShockUp" } as const;
export const OKX_VOL_SHOCK = { down: "down", unchanged: "unchange", up: "up" } as const;

/** The stress grid of MR1 and the extreme pair of MR6, each a scenario with its unit P&L (USD). */
export interface UnitScenarios {
  readonly mr1: readonly ScenarioPnl[];
  readonly mr6: readonly ScenarioPnl[];
  /** P&L of each exposure in the MR1 worst scenario (same order as the exposures). */
  readonly worstContributions: readonly number[];
}

function scenario(table: "mr1" | "mr6", move: number, volShift: VolShift, exposures: readonly OkxExposure[]): ScenarioPnl {
  let pnl = 0;
  for (const e of exposures) pnl += e.pnlUsd(move, volShift);
  return { id: `${table}:${formatMovePercent(move)}:${volShift}`, priceMove: move, volMove: volShift, tail: table === "mr6", pnl };
}

/** Every MR1 and MR6 scenario of a unit. */
export function unitScenarios(exposures: readonly OkxExposure[], unit: OkxUnitParams): UnitScenarios {
  const mr1: ScenarioPnl[] = [];
  for (const m of unit.mr1MovesDecimal) for (const v of VOL_SHIFTS) mr1.push(scenario("mr1", m, v, exposures));
  const mr6: ScenarioPnl[] = [];
  for (const m of [-unit.mr6MoveDecimal, unit.mr6MoveDecimal]) for (const v of VOL_SHIFTS) mr6.push(scenario("mr6", m, v, exposures));
  const worst = worstOf(mr1);
  return { mr1, mr6, worstContributions: exposures.map((e) => (worst === undefined ? 0 : e.pnlUsd(worst.priceMove, worst.volMove as VolShift))) };
}

/**
 * The scenario with the lowest P&L, or undefined for none. Ties: among the vol shifts of one price move the last
 * (vol up) wins, as OKX reports a futures-only unit (all three vol columns equal) with `volShock: "up"`; between
 * price moves the first in grid order.
 */
export function worstOf(scenarios: readonly ScenarioPnl[]): ScenarioPnl | undefined {
  let worst: ScenarioPnl | undefined;
  for (const s of scenarios) if (worst === undefined || s.pnl < worst.pnl || (s.pnl === worst.pnl && s.priceMove === worst.priceMove)) worst = s;
  return worst;
}

/** Loss of the worst scenario, ≥ 0 (a book that gains everywhere needs no MR1). */
export const lossOf = (worst: ScenarioPnl | undefined): number => Math.max(0, -(worst?.pnl ?? 0));

/** MR2 (inferred): the options' loss of value over the horizon with spot and vol unchanged, ≥ 0. */
export function mr2(exposures: readonly OkxExposure[], params: OkxParams): number {
  let change = 0;
  for (const e of exposures) change += e.decayUsd(params.mr2HorizonDays);
  return Math.max(0, -change);
}

/** MR3 (inferred): span/2 × (Σ_e |vega_e| − |Σ_e vega_e|) over expiries, vega in USD per vol point; ≥ 0. */
export function mr3(exposures: readonly OkxExposure[], params: OkxParams): number {
  const byExpiry = new Map<string, number>();
  for (const e of exposures) if (e.vegaUsdPerVolPoint !== 0) byExpiry.set(e.expiryKey, (byExpiry.get(e.expiryKey) ?? 0) + e.vegaUsdPerVolPoint);
  let gross = 0;
  let net = 0;
  for (const v of byExpiry.values()) {
    gross += Math.abs(v);
    net += v;
  }
  return (params.mr3SpanVolPoints / 2) * Math.max(0, gross - Math.abs(net));
}

/** MR4: Σ over derivative expiry buckets (perpetuals at T = 0) of |net cash delta| × max(floor, AMR × T). */
export function mr4(exposures: readonly OkxExposure[], unit: OkxUnitParams): number {
  const buckets = new Map<string, { delta: number; timeYears: number }>();
  for (const e of exposures) {
    if (e.expiryKey === "spot") continue;
    const b = buckets.get(e.expiryKey);
    if (b === undefined) buckets.set(e.expiryKey, { delta: e.deltaUsd, timeYears: e.timeYears });
    else buckets.set(e.expiryKey, { delta: b.delta + e.deltaUsd, timeYears: b.timeYears });
  }
  let total = 0;
  for (const b of buckets.values()) total += Math.abs(b.delta) * Math.max(unit.mr4MinRateDecimal, unit.mr4AnnualisedMoveRiskDecimal * b.timeYears);
  return total;
}

/** MR5 (inferred): |Σ option rho| × rate shock, USD. */
export function mr5(exposures: readonly OkxExposure[], params: OkxParams): number {
  let rho = 0;
  for (const e of exposures) rho += e.rhoUsdPerRate;
  return Math.abs(rho) * params.mr5RateShockDecimal;
}

/** MR7 before tiers: rate × Σ |cash delta| of the unit's derivatives (gross), USD. */
export function mr7Raw(exposures: readonly OkxExposure[], unit: OkxUnitParams): number {
  let gross = 0;
  for (const e of exposures) if (e.expiryKey !== "spot") gross += Math.abs(e.deltaUsd);
  return gross * unit.mr7RateDecimal;
}

/** Cash delta of a unit's derivatives per margin currency family: `USDT`, `USDC` (linear), `USD` (coin-margined). */
export function cashDeltaByFamily(exposures: readonly OkxExposure[]): Record<"USDT" | "USDC" | "USD", number> {
  const out = { USDT: 0, USDC: 0, USD: 0 };
  for (const e of exposures) {
    const inst = e.instrument;
    if (inst.kind === "spot") continue;
    const family = inst.settlement === "inverse" ? "USD" : inst.settlementCurrency === "USDT" ? "USDT" : inst.settlementCurrency === "USDC" ? "USDC" : undefined;
    if (family !== undefined) out[family] += e.deltaUsd;
  }
  return out;
}

/** One matched cross-stablecoin hedge of MR9. */
export interface StablecoinHedge {
  readonly pair: "USDT-USD" | "USDT-USDC" | "USDC-USD";
  readonly hedgeUsd: number;
  /** The pair's index (USDT/USD, USDT/USDC or USDC/USD). */
  readonly index: number;
  readonly chargeUsd: number;
}

/**
 * MR9 (structure published, rates partly): hedges between opposite cash deltas of two margin families, matched in
 * the preset's priority order, each charged by incremental tiers of the band its pair's index falls in.
 * @param indexOf - the index of a pair (e.g. USDT/USD = the USDT index in USD).
 */
export function mr9(deltas: Record<"USDT" | "USDC" | "USD", number>, params: OkxParams, indexOf: (pair: StablecoinHedge["pair"]) => number): { total: number; hedges: StablecoinHedge[] } {
  const d = { ...deltas };
  const hedges: StablecoinHedge[] = [];
  let total = 0;
  for (const pair of params.mr9Pairs) {
    const [a, b] = pair.split("-") as ["USDT" | "USDC", "USD" | "USDC"];
    if (!(d[a] * d[b] < 0)) continue;
    const h = Math.min(Math.abs(d[a]), Math.abs(d[b]));
    d[a] -= Math.sign(d[a]) * h;
    d[b] -= Math.sign(d[b]) * h;
    const index = indexOf(pair);
    const band = params.mr9Bands.find((x) => index >= x.minIndex) ?? params.mr9Bands[params.mr9Bands.length - 1];
    const chargeUsd = band === undefined ? 0 : tieredAmount(h, band.tiers);
    hedges.push({ pair, hedgeUsd: h, index, chargeUsd });
    total += chargeUsd;
  }
  return { total, hedges };
}

/** Unit MMR from its components (see the module doc). */
export function unitMmr(c: { mr1: number; mr2: number; mr3: number; mr4: number; mr5: number; mr6: number; mr7: number; mr9: number }): number {
  return Math.max(Math.max(c.mr1, c.mr2, c.mr6) + c.mr3 + c.mr4 + c.mr5 + c.mr9, c.mr7);
}
