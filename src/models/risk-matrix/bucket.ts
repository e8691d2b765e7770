/**
 * Margin of one risk-matrix bucket (one underlying in one settlement currency) from shared risk arrays:
 * pre-aggregated vector Σ size × row, aggregation, worst case, add-ons, IM and MM, and the audit trail in Deribit's
 * `private/pme/simulate` shape (../shared/reference/deribit-pm.md §4.2, §2.8).
 * @module
 */
import type { DerivativeInstrument } from "../../market/types.js";
import { addScaledRow } from "../../risk/risk-arrays.js";
import type { InstrumentRiskArrays, ScenarioSet } from "../../risk/risk-arrays.js";
import type { BucketMargin, PositionContribution, ScenarioPnl } from "../types.js";
import { deltaShock, futuresContingency, nakedShortOptionContingency, rollShock } from "./addons.js";
import type { AddonPosition } from "./addons.js";
import { aggregateVector, worstCaseLoss, worstIndex } from "./aggregation.js";
import type { AggregationRule } from "./aggregation.js";
import type { CurrencyParams, PairParams, RiskMatrixParams } from "./params.js";

/** A position of the bucket: its row in the shared arrays and its signed size (coin of underlying). */
export interface BucketPosition {
  readonly row: number;
  readonly sizeCoin: number;
}

/** Everything one bucket's computation needs besides the positions. */
export interface BucketContext {
  readonly key: string;
  readonly base: string;
  readonly currency: string;
  readonly coinSettled: boolean;
  readonly indexUsd: number;
  /** USD per unit of the bucket currency. */
  readonly usdPerUnit: number;
  readonly scenarioSet: ScenarioSet;
  readonly pair: PairParams;
  readonly ccy: CurrencyParams;
  readonly rule: AggregationRule;
  /** IM-only amounts given as inputs, bucket currency, ≥ 0. */
  readonly openOrdersMargin: number;
  readonly mmpMargin: number;
}

interface DeribitVectors {
  readonly standard: number[];
  readonly extended: number[];
}

function split(v: ArrayLike<number>, standardCount: number): DeribitVectors {
  const standard = new Array<number>(standardCount);
  const extended = new Array<number>(v.length - standardCount);
  for (let j = 0; j < standardCount; j++) standard[j] = v[j] as number;
  for (let j = standardCount; j < v.length; j++) extended[j - standardCount] = v[j] as number;
  return { standard, extended };
}

/**
 * Compute one bucket's margin. `positions` all belong to the bucket (same base and settlement currency).
 * All money figures are in the bucket currency (coin for inverse, USD(C) for linear) and also in USD for IM/MM.
 */
export function computeBucketMargin(
  ctx: BucketContext,
  positions: readonly BucketPosition[],
  arrays: InstrumentRiskArrays,
  params: RiskMatrixParams,
): BucketMargin {
  const S = arrays.scenarioCount;
  const n = ctx.rule.standardCount;
  const pre = new Float64Array(S);
  for (const p of positions) addScaledRow(arrays, p.row, p.sizeCoin, pre);
  const agg = new Float64Array(S);
  aggregateVector(pre, ctx.rule, agg);
  const worstJ = worstIndex(agg, n, ctx.rule.volSlots);
  const worstCase = worstCaseLoss(agg);

  const { pair, ccy } = ctx;
  const unitUsd = ctx.coinSettled ? 1 : ctx.indexUsd;
  const addonPositions = positions.map((p): AddonPosition => {
    const inst = arrays.instruments[p.row] as DerivativeInstrument;
    return {
      kind: inst.kind,
      sizeCoin: p.sizeCoin,
      deltaCoin: p.sizeCoin * (arrays.deltaCoin[p.row] as number),
      expiryMs: inst.kind === "perpetual" ? undefined : inst.expiryMs,
      timeYears: arrays.timeYears[p.row] as number,
      strikeUsd: inst.kind === "option" ? inst.strikeUsd : undefined,
    };
  });
  const components: Record<string, number> = {
    worstCase,
    rollShock: rollShock(addonPositions, ccy.annualisedMoveRiskDecimal, ccy.minAnnualisedMoveDecimal, params.rollShockGrowth, unitUsd),
    deltaShock: deltaShock(
      addonPositions,
      pair.deltaShockIncrementPerCoin,
      pair.deltaShockThresholdUsd,
      pair.maxDeltaShockDecimal,
      ctx.indexUsd,
      unitUsd,
    ),
    // Deribit reports 0 whenever `correlation_set` is false; the parameter schema rejects `true` (formula unpublished).
    correlationContingency: 0,
  };
  const cont = params.contingencies;
  if (cont.nakedShortOptionCoin !== undefined)
    components.nakedShortOptionContingency = nakedShortOptionContingency(addonPositions, cont.nakedShortOptionCoin, unitUsd);
  if (cont.futures !== undefined)
    components.futuresContingency = futuresContingency(addonPositions, cont.futures.rateDecimal, cont.futures.basis, unitUsd);
  let riskMatrixMargin = 0;
  for (const v of Object.values(components)) riskMatrixMargin += v;
  const ordersAndMmp = ctx.openOrdersMargin + ctx.mmpMargin;
  let initialMargin: number;
  let maintenanceMargin: number;
  if (params.margin.kind === "mm_from_matrix") {
    maintenanceMargin = params.margin.mmFactor * riskMatrixMargin;
    initialMargin = riskMatrixMargin + ordersAndMmp;
  } else {
    maintenanceMargin = riskMatrixMargin;
    initialMargin = params.margin.imFactor * riskMatrixMargin + ordersAndMmp;
  }
  components.riskMatrixMargin = riskMatrixMargin;
  components.openOrdersMargin = ctx.openOrdersMargin;
  components.mmpMargin = ctx.mmpMargin;

  const scenarios = ctx.scenarioSet.scenarios;
  // Each scenario's P&L as an object, made on first read like the audit vectors below: a preview or a what-if reads
  // only IM and MM, and these ~60 objects per bucket were a tenth of evaluating an account.
  let scenarioPnls: ScenarioPnl[] | undefined;
  const scenarioList = (): ScenarioPnl[] =>
    (scenarioPnls ??= scenarios.map((s, j): ScenarioPnl => ({ id: s.id, priceMove: s.priceMove, volMove: s.volShift, tail: s.tail, pnl: agg[j] as number })));
  const worst = scenarios[worstJ];
  const contributions = positions.map(
    (p): PositionContribution => ({
      instrument: arrays.instrumentNames[p.row] as string,
      sizeCoin: p.sizeCoin,
      pnl: p.sizeCoin * (arrays.data[p.row * S + worstJ] as number),
    }),
  );
  const initialRiskVectors = (): Record<string, DeribitVectors> => {
    const out: Record<string, DeribitVectors> = {};
    const scratch = new Float64Array(S);
    for (const p of positions) {
      scratch.fill(0);
      addScaledRow(arrays, p.row, p.sizeCoin, scratch);
      out[arrays.instrumentNames[p.row] as string] = split(scratch, n);
    }
    return out;
  };
  const inExtended = worstJ >= n;
  const worstMove = worst?.priceMove ?? 0;
  // The Deribit-shaped audit vectors are getters computed on first read (memoised): they cost as much as the margin
  // itself, and what-if / preview / distance searches evaluate many margins whose audit detail nobody reads; JSON
  // output and tests read them through the getters, so the output is unchanged. An object literal with getters (own,
  // enumerable, in this key order) is built from one template; defining them one by one made the object a slow
  // dictionary and cost a tenth of a preview.
  let initial: Record<string, DeribitVectors> | undefined;
  let preSplit: DeribitVectors | undefined;
  let aggSplit: DeribitVectors | undefined;
  let dampener: number[] | undefined;
  const auditDetails: Record<string, unknown> = {
    bucket: ctx.key,
    index_price_usd: ctx.indexUsd,
    usd_per_unit: ctx.usdPerUnit,
    get initial_risk_vectors() {
      return (initial ??= initialRiskVectors());
    },
    get pre_aggregated_risk_vectors() {
      return (preSplit ??= split(pre, n));
    },
    get aggregated_risk_vectors() {
      return (aggSplit ??= split(agg, n));
    },
    get extended_dampener() {
      return (dampener ??= Array.from(ctx.rule.extendedDampener));
    },
    risk_matrix_margin: riskMatrixMargin,
    open_orders_margin: ctx.openOrdersMargin,
    mmp_margin: ctx.mmpMargin,
    risk_matrix_margin_details: {
      worst_case: worstCase,
      worst_case_bucket: {
        index: inExtended ? worstJ - n : worstJ,
        source: inExtended ? "extended" : "standard",
        // 1-based: price point k + 1 of the standard grid (1 = lowest price), or tail entry e + 1.
        bucket: inExtended ? worstJ - n + 1 : Math.floor(worstJ / ctx.rule.volSlots) + 1,
        side: worstMove < 0 ? "left" : worstMove > 0 ? "right" : "center",
      },
      roll_shock: components.rollShock,
      delta_shock: components.deltaShock,
      correlation_contingency: components.correlationContingency,
    },
    net_delta_coin: addonPositions.reduce((s, p) => s + p.deltaCoin, 0),
  };
  return {
    currency: ctx.currency,
    initialMargin,
    maintenanceMargin,
    initialMarginUsd: initialMargin * ctx.usdPerUnit,
    maintenanceMarginUsd: maintenanceMargin * ctx.usdPerUnit,
    components,
    ...(worst !== undefined
      ? { worstScenario: { id: worst.id, priceMove: worst.priceMove, volMove: worst.volShift, tail: worst.tail } }
      : {}),
    get scenarios() {
      return scenarioList();
    },
    contributions,
    details: auditDetails,
  };
}


