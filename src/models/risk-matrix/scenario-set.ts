/**
 * The scenario set of one underlying and the aggregation rule of one bucket, from a risk-matrix parameter set.
 * Bucket = (underlying, settlement currency), keyed `<base>_<settlement>` in lower case as Deribit keys its vectors
 * (`btc_btc`, `eth_eth`, `btc_usdc`).
 * @module
 */
import type { DerivativeInstrument } from "../../market/types.js";
import {
  edgePriceCoinRescale,
  gridScenarios,
  priceGrid,
  rangeOverMoveWeight,
  tailScenarios,
  VOL_SHIFTS_ASCENDING,
} from "../../risk/scenarios.js";
import type { ScenarioSet } from "../../risk/risk-arrays.js";
import type { AggregationRule } from "./aggregation.js";
import { extendedDampenerAmount } from "./aggregation.js";
import type { RiskMatrixParams } from "./params.js";

/** Vol shifts per price point (Deribit `vol_scenarios_count`). */
export const VOL_SLOTS = VOL_SHIFTS_ASCENDING.length;

// Keys already made, by base then settlement currency: every margin call keys each of its positions, and two lower-
// casings and a concatenation per position were a what-if's garbage (the key is a pure function of the two names). A
// market has a handful of bases and currencies; past KEYS_KEPT pairs (arbitrary names) a key is made, not kept.
const keysByBase = new Map<string, Map<string, string>>();
let keysKept = 0;
const KEYS_KEPT = 4096;

/** Bucket key of an instrument: `<base>_<settlement currency>` in lower case. */
export function bucketKeyOf(instrument: DerivativeInstrument): string {
  const byCurrency = keysByBase.get(instrument.base);
  const known = byCurrency?.get(instrument.settlementCurrency);
  if (known !== undefined) return known;
  const key = `${instrument.base.toLowerCase()}_${instrument.settlementCurrency.toLowerCase()}`;
  if (keysKept < KEYS_KEPT) {
    if (byCurrency === undefined) keysByBase.set(instrument.base, new Map([[instrument.settlementCurrency, key]]));
    else byCurrency.set(instrument.settlementCurrency, key);
    keysKept++;
  }
  return key;
}

/** Number of standard-table entries: 3 × (2B + 1). */
export function standardCount(params: RiskMatrixParams): number {
  return VOL_SLOTS * (2 * params.bucketsPerSide + 1);
}

/**
 * Scenario set of one underlying (base currency, upper case), or undefined when the parameter set has no
 * `currency_pair` block for it. Standard grid (2B + 1 moves over ±R) × (down, unchanged, up), then the extended moves,
 * vol up only, weighted F·R/|m| with Deribit's coin rescale (1 + m)/(1 + sign(m)·R) (deribit-pm.md §2.3, §2.5).
 */
export function scenarioSetOf(params: RiskMatrixParams, base: string): ScenarioSet | undefined {
  // Memoised per (parameter set object, base): a validated set is immutable, and margining many accounts would
  // otherwise rebuild the same 35 scenario objects per account and bucket.
  let byBase = SET_CACHE.get(params);
  if (byBase === undefined) {
    byBase = new Map();
    SET_CACHE.set(params, byBase);
  }
  if (!byBase.has(base)) byBase.set(base, buildScenarioSet(params, base));
  return byBase.get(base);
}

const SET_CACHE = new WeakMap<RiskMatrixParams, Map<string, ScenarioSet | undefined>>();

function buildScenarioSet(params: RiskMatrixParams, base: string): ScenarioSet | undefined {
  const pair = params.pairs[base];
  if (pair === undefined) return undefined;
  const R = pair.priceRangeDecimal;
  const standard = gridScenarios(priceGrid(R, params.bucketsPerSide), VOL_SHIFTS_ASCENDING);
  const extended = tailScenarios(params.extendedMoves, {
    volShift: "up",
    weight: (m) => rangeOverMoveWeight(m, R, pair.extendedTableFactor),
    coinRescale: (m) => edgePriceCoinRescale(m, R),
  });
  return { scenarios: [...standard, ...extended], volShock: pair.volShock };
}

/**
 * Aggregation rule of a bucket (amounts in the bucket currency). `usdPerUnit` converts one unit of the bucket currency
 * to USD (the coin's index price for a coin bucket, the stablecoin's for a linear one); USD parameters
 * (`max_offsetable_pnl`, INFERRED unit) are divided by it. Undefined when the pair or currency block is missing.
 * @param indexUsd - index price of the base, USD per coin (> 0), for the coin-settled dampener.
 */
export function aggregationRuleOf(
  params: RiskMatrixParams,
  base: string,
  settlementCurrency: string,
  coinSettled: boolean,
  indexUsd: number,
  usdPerUnit: number,
): AggregationRule | undefined {
  const pair = params.pairs[base];
  const ccy = params.currencies[settlementCurrency];
  if (pair === undefined || ccy === undefined) return undefined;
  const damp = new Float64Array(params.extendedMoves.length);
  params.extendedMoves.forEach((m, e) => {
    damp[e] = extendedDampenerAmount(m, pair.priceRangeDecimal, ccy.extendedDampenerUsd, coinSettled, indexUsd);
  });
  return {
    standardCount: standardCount(params),
    pnlOffsetDecimal: ccy.pnlOffsetDecimal,
    maxOffsetablePnl: ccy.maxOffsetablePnlUsd / usdPerUnit,
    extendedDampener: damp,
    volSlots: VOL_SLOTS,
  };
}
