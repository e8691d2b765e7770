/**
 * Risk arrays by full revaluation: for every instrument and every scenario of its scenario set, the P&L of a long
 * position of 1 coin of underlying, in the instrument's settlement currency (coin for inverse contracts, USD(C) for the
 * linear family), with the scenario's weight applied. Built once per (instrument set, market, parameter set) and
 * shared by every account: an account's scenario vector is Σ size × row (see `aggregate-ts.ts`).
 *
 * Valuation under a scenario with relative move m and vol σ' (deribit-pm.md §2.9):
 * - inverse future/perpetual: m/(1 + m) coin (USD notional fixed, P&L paid in coin at the shocked price);
 * - linear future/perpetual: mark × m USD;
 * - option: Black-76 on the expiry forward F' = F(1 + m), same time and rate, vol σ' from the vol-shock rule;
 *   inverse: V(F', σ')/F' − V(F, σ)/F coin; linear: V(F', σ') − V(F, σ) USD. Every option is repriced in every
 *   scenario (no Taylor shortcut).
 * Then × weight, and × coinRescale for inverse instruments.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { valuationTimeOf } from "../market/context.js";
import type { MarketContext } from "../market/context.js";
import type { DerivativeInstrument, OptionInstrument } from "../market/types.js";
import { MS_PER_YEAR, MS_PER_DAY } from "../market/types.js";
import { black76PriceUsd, inverseFuturePnlCoin } from "../pricing/black76.js";
import { black76Greeks } from "../pricing/greeks.js";
import type { ScenarioDef } from "./scenarios.js";
import type { RiskArrays } from "./types.js";
import { shockedVols, volForMove } from "./vol-shock.js";
import type { VolShockParams } from "./vol-shock.js";

/** The scenarios one instrument is revalued under, and the vol-shock rule of its underlying. */
export interface ScenarioSet {
  readonly scenarios: readonly ScenarioDef[];
  readonly volShock: VolShockParams;
}

/** Risk arrays plus what margin add-ons need per row, all computed in the same pass. */
export interface InstrumentRiskArrays extends RiskArrays {
  readonly instruments: readonly DerivativeInstrument[];
  /** Row of each instrument name. */
  readonly rowOf: ReadonlyMap<string, number>;
  /**
   * Delta exposure of +1 coin, in coin of underlying: 1 for futures and perpetuals; Black-76 delta for linear options;
   * delta − V/F (Deribit's net transaction delta) for inverse options.
   */
  readonly deltaCoin: Float64Array;
  /** Time to expiry in years (ACT/365.25) per row; 0 for perpetuals. */
  readonly timeYears: Float64Array;
}

/**
 * Build the risk arrays of `instruments` (distinct names) in `market`. Rows follow the input order.
 * @param scenarioSetOf - the scenario set of an instrument, or undefined when its underlying has no parameters
 *   (reported as `unsupported`). Every set must have the same number of scenarios.
 * @param pathOf - issue path of instrument i (default `instruments[i]`).
 * @returns the arrays, or issues: `unsupported`, `expired_instrument`, `duplicate`, and `internal` if a value is not
 *   finite (a bug: kernels are fed validated input).
 */
export function buildRiskArrays(
  instruments: readonly DerivativeInstrument[],
  market: MarketContext,
  scenarioSetOf: (instrument: DerivativeInstrument) => ScenarioSet | undefined,
  pathOf: (i: number) => string = (i) => `instruments[${i}]`,
): Result<InstrumentRiskArrays> {
  const issues: Issue[] = [];
  const sets: ScenarioSet[] = [];
  const rowOf = new Map<string, number>();
  let scenarioCount = -1;
  instruments.forEach((inst, i) => {
    if (rowOf.has(inst.name)) issues.push(issue("duplicate", pathOf(i), `${inst.name} appears twice`));
    rowOf.set(inst.name, i);
    const set = scenarioSetOf(inst);
    if (set === undefined) {
      issues.push(issue("unsupported", pathOf(i), `no risk-matrix parameters for underlying ${inst.base} settled in ${inst.settlementCurrency}`));
      return;
    }
    if (scenarioCount === -1) scenarioCount = set.scenarios.length;
    else if (set.scenarios.length !== scenarioCount)
      issues.push(issue("internal", pathOf(i), `scenario count ${set.scenarios.length} differs from ${scenarioCount}`));
    if (inst.kind !== "perpetual" && inst.expiryMs <= market.asOfMs)
      issues.push(issue("expired_instrument", pathOf(i), `${inst.name} expired before the market timestamp`));
    sets.push(set);
  });
  if (issues.length > 0) return fail(...issues);
  const S = Math.max(scenarioCount, 0);
  const data = new Float64Array(instruments.length * S);
  const deltaCoin = new Float64Array(instruments.length);
  const timeYears = new Float64Array(instruments.length);
  for (let i = 0; i < instruments.length; i++) {
    const inst = instruments[i] as DerivativeInstrument;
    const set = sets[i] as ScenarioSet;
    const offset = i * S;
    if (inst.kind === "option") {
      const r = fillOptionRow(inst, market, set, data, offset);
      deltaCoin[i] = r.deltaCoin;
      timeYears[i] = r.timeYears;
    } else {
      fillFutureRow(inst, market, set.scenarios, data, offset);
      deltaCoin[i] = 1;
      timeYears[i] = inst.kind === "future" ? (inst.expiryMs - valuationTimeOf(market, inst.base)) / MS_PER_YEAR : 0;
    }
    for (let j = offset; j < offset + S; j++) {
      if (!Number.isFinite(data[j] as number))
        return fail(issue("internal", pathOf(i), `non-finite risk-array value for ${inst.name} in scenario ${set.scenarios[j - offset]?.id}`));
    }
    if (!Number.isFinite(deltaCoin[i] as number)) return fail(issue("internal", pathOf(i), `non-finite delta for ${inst.name}`));
  }
  return ok({ instrumentNames: instruments.map((x) => x.name), scenarioCount: S, data, instruments, rowOf, deltaCoin, timeYears });
}

function fillFutureRow(
  inst: DerivativeInstrument,
  market: MarketContext,
  scenarios: readonly ScenarioDef[],
  data: Float64Array,
  offset: number,
): void {
  if (inst.settlement === "inverse") {
    for (let j = 0; j < scenarios.length; j++) {
      const s = scenarios[j] as ScenarioDef;
      data[offset + j] = inverseFuturePnlCoin(1, s.priceMove) * s.weight * s.coinRescale;
    }
    return;
  }
  const markUsd = market.futureMarkUsd(inst);
  for (let j = 0; j < scenarios.length; j++) {
    const s = scenarios[j] as ScenarioDef;
    data[offset + j] = markUsd * s.priceMove * s.weight;
  }
}

function fillOptionRow(
  inst: OptionInstrument,
  market: MarketContext,
  set: ScenarioSet,
  data: Float64Array,
  offset: number,
): { deltaCoin: number; timeYears: number } {
  const { forwardUsd, volDecimal, timeYears, rateDecimal } = market.optionInputs(inst);
  const isCall = inst.optionKind === "call";
  const strikeUsd = inst.strikeUsd;
  const inverse = inst.settlement === "inverse";
  const vols = shockedVols(volDecimal, (timeYears * MS_PER_YEAR) / MS_PER_DAY, set.volShock);
  const base = black76Greeks({ isCall, forwardUsd, strikeUsd, timeYears, volDecimal, rateDecimal });
  const baseUsd = base.priceUsd;
  const baseCoin = baseUsd / forwardUsd;
  const scenarios = set.scenarios;
  for (let j = 0; j < scenarios.length; j++) {
    const s = scenarios[j] as ScenarioDef;
    const shockedForwardUsd = forwardUsd * (1 + s.priceMove);
    const v = black76PriceUsd({
      isCall,
      forwardUsd: shockedForwardUsd,
      strikeUsd,
      timeYears,
      volDecimal: volForMove(vols, s.volShift),
      rateDecimal,
    });
    data[offset + j] = inverse ? (v / shockedForwardUsd - baseCoin) * s.weight * s.coinRescale : (v - baseUsd) * s.weight;
  }
  // Inverse: F·∂(V/F)/∂F = Black delta − V/F, Deribit's net transaction delta (same as pricing/greeks.ts' inverse delta).
  return { deltaCoin: inverse ? base.deltaCoin - baseCoin : base.deltaCoin, timeYears };
}

/** out[j] += sizeCoin × row i of `arrays`, for every scenario j. Allocation-free. */
export function addScaledRow(arrays: RiskArrays, row: number, sizeCoin: number, out: Float64Array): void {
  const S = arrays.scenarioCount;
  const data = arrays.data;
  const base = row * S;
  for (let j = 0; j < S; j++) out[j] = (out[j] as number) + sizeCoin * (data[base + j] as number);
}
