/**
 * The SPAN requirement as pure arithmetic over risk arrays and spread tables (CME SPAN, reference
 * ../shared/reference/classic-methods.md §1.3–§1.9). Venue-neutral: positions arrive with their risk arrays already
 * computed (from a SPAN file at CME; by revaluation in the crypto model, `arrays.ts`), in one performance-bond
 * currency, and with deltas in one unit per combined commodity.
 *
 * Per combined commodity (CC):
 * ```
 * L[j]           = Σ_i q_i · RA_i[j]                     (loss positive; extreme rows already weighted)
 * ScanRisk       = max(0, max_j L[j])
 * TimeRisk       = (L[1] + L[2]) / 2                     (the two no-price-move scenarios)
 * PriceRisk      = (L[s] + L[pair(s)]) / 2 − TimeRisk    (s = the scan scenario; unpaired extreme: L[s] − TimeRisk)
 * VolRisk        = (L[s] − L[pair(s)]) / 2               (0 for an unpaired extreme)
 * Intra          = Σ spreads formed × charge             (tier deltas, priority order)
 * Delivery       = consumed × spread rate + left × outright rate, over the delivery tiers
 * WPR            = NORMAL: max(PriceRisk, 0) / |net delta|; SCAN_RANGE: the scan range per delta;
 *                  SCAN_RANGE_CAP: NORMAL capped at the scan range
 * InterCredit    = Σ rate × WPR × spreads × ratio        (per leg), capped at Scan + Intra + Delivery (our rule)
 * CommodityRisk  = ScanRisk + Intra + Delivery − InterCredit
 * SOM            = rate × (gross short options | max(short calls, short puts))
 * SPANRisk       = max(CommodityRisk, SOM)
 * NOV            = Σ_options q_i · value_i
 * Requirement    = SPANRisk − NOV (floored at 0 if asked)  |  SPANRisk (NOV reported only)
 * ```
 * @module
 */
import { SPAN_SCENARIO_COUNT } from "./scenarios.js";
import type { SpanScenario } from "./scenarios.js";
import { deliveryCharge, intraSpreadCharge, interSpreadCredits } from "./spreads.js";
import type { DeliveryChargeParams, FormedSpread, InterSpreadDef, IntraSpreadDef } from "./spreads.js";

/** One position as SPAN sees it. */
export interface SpanPosition {
  /** Contract name (for the audit trail). */
  readonly id: string;
  /** Combined commodity it is margined in. */
  readonly commodity: string;
  /** Intra-commodity tier (month or tenor group) of the contract. */
  readonly tier: string;
  /** Signed number of contracts (long > 0). */
  readonly quantity: number;
  /** Loss of ONE LONG contract in each of the 16 scenarios (loss positive), extreme rows already weighted. */
  readonly riskArray: ArrayLike<number>;
  /** Composite delta of one long contract, in the CC's delta unit (delta scaling factor included). */
  readonly compositeDelta: number;
  /** Options only: kind and value of one contract (premium-style; NOV), performance-bond currency. */
  readonly option?: { readonly kind: "call" | "put"; readonly valuePerContract: number };
}

export type WprMethod = "normal" | "scan_range" | "scan_range_cap";
export type SomMethod = "gross" | "max_side";
/** `deduct`: CME's SPANRisk − NOV (the requirement is met with collateral excluding option value); `report`: NOV is shown, not deducted. */
export type NovMode = "deduct" | "report";

/** Parameters of one combined commodity, in the performance-bond currency and the CC's delta unit. */
export interface SpanCommodityParams {
  readonly intraSpreads: readonly IntraSpreadDef[];
  readonly delivery?: DeliveryChargeParams;
  readonly som: { readonly method: SomMethod; readonly ratePerContract: number };
  readonly wprMethod: WprMethod;
  /** Price scan range per unit of delta (needed by the scan_range methods), ≥ 0. */
  readonly scanRangePerDelta?: number;
}

export interface SpanOptions {
  readonly novMode: NovMode;
  /** With `deduct`: floor each CC's requirement at 0 (marginism's convention; CME lets long-option value offset other CCs). */
  readonly floorAtZero: boolean;
}

/** Everything SPAN computed for one combined commodity. */
export interface SpanCommodityResult {
  readonly commodity: string;
  /** Portfolio loss vector L (16 entries). */
  readonly scenarioLoss: Float64Array;
  /** 0-based index of the scan scenario (the largest loss; the first on ties). */
  readonly scanIndex: number;
  readonly scanRisk: number;
  readonly timeRisk: number;
  readonly priceRisk: number;
  readonly volRisk: number;
  readonly netDelta: number;
  readonly tierDelta: Readonly<Record<string, number>>;
  readonly intraSpreadCharge: number;
  readonly intraSpreads: readonly FormedSpread[];
  readonly deliveryCharge: number;
  readonly weightedPriceRisk: number;
  readonly interCommodityCredit: number;
  /** The credit before the cap at Scan + Intra + Delivery. */
  readonly interCommodityCreditUncapped: number;
  readonly commodityRisk: number;
  readonly shortOptionMinimum: number;
  readonly shortCalls: number;
  readonly shortPuts: number;
  readonly spanRisk: number;
  readonly netOptionValue: number;
  readonly requirement: number;
}

export interface SpanPortfolioResult {
  /** Per combined commodity, in name order. */
  readonly commodities: readonly SpanCommodityResult[];
  readonly interSpreads: readonly FormedSpread[];
  /** Σ requirements. */
  readonly total: number;
}

/** L[j] = Σ q_i · RA_i[j] over the positions given (16 entries). */
export function scenarioLossVector(positions: readonly SpanPosition[]): Float64Array {
  const L = new Float64Array(SPAN_SCENARIO_COUNT);
  for (const p of positions) for (let j = 0; j < SPAN_SCENARIO_COUNT; j++) L[j] = (L[j] as number) + p.quantity * (p.riskArray[j] as number);
  return L;
}

/** Index of the largest entry (first on ties). */
export function argMax(v: ArrayLike<number>): number {
  let best = 0;
  for (let j = 1; j < v.length; j++) if ((v[j] as number) > (v[best] as number)) best = j;
  return best;
}

/** SPAN's decomposition of the scan-scenario loss into time, price and volatility risk (classic-methods.md §1.7). */
export function riskDecomposition(L: ArrayLike<number>, scanIndex: number, scenarios: readonly SpanScenario[]): { timeRisk: number; priceRisk: number; volRisk: number } {
  const zeroMoves = scenarios.map((s, j) => (s.priceFraction === 0 && !s.extreme ? j : -1)).filter((j) => j >= 0);
  let timeRisk = 0;
  for (const j of zeroMoves) timeRisk += L[j] as number;
  timeRisk = zeroMoves.length > 0 ? timeRisk / zeroMoves.length : 0;
  const scan = scenarios[scanIndex];
  const ls = L[scanIndex] as number;
  // An unpaired (extreme) scan scenario: no vol pair to split off, so all of it beyond time risk is price risk. The
  // CME rule for this case was not retrieved (classic-methods.md §1.7 "open question"); this is our reading.
  if (scan === undefined || scan.pairedWith === null) return { timeRisk, priceRisk: ls - timeRisk, volRisk: 0 };
  const lp = L[scan.pairedWith - 1] as number;
  return { timeRisk, priceRisk: (ls + lp) / 2 - timeRisk, volRisk: (ls - lp) / 2 };
}

/** Weighted price risk per unit of delta (≥ 0); 0 when the net delta is 0 (no spread can form then). */
export function weightedPriceRisk(priceRisk: number, netDelta: number, method: WprMethod, scanRangePerDelta = 0): number {
  if (method === "scan_range") return scanRangePerDelta;
  const normal = netDelta === 0 ? 0 : Math.max(priceRisk, 0) / Math.abs(netDelta);
  return method === "scan_range_cap" ? Math.min(normal, scanRangePerDelta) : normal;
}

/** Short option minimum: rate × gross short option contracts, or rate × max(short calls, short puts). */
export function shortOptionMinimum(positions: readonly SpanPosition[], method: SomMethod, ratePerContract: number): { som: number; shortCalls: number; shortPuts: number } {
  let shortCalls = 0;
  let shortPuts = 0;
  for (const p of positions) {
    if (p.option === undefined || p.quantity >= 0) continue;
    if (p.option.kind === "call") shortCalls -= p.quantity;
    else shortPuts -= p.quantity;
  }
  const count = method === "gross" ? shortCalls + shortPuts : Math.max(shortCalls, shortPuts);
  return { som: ratePerContract * count, shortCalls, shortPuts };
}

/** Net option value Σ q · value over option positions (long positive, short negative). */
export function netOptionValue(positions: readonly SpanPosition[]): number {
  let nov = 0;
  for (const p of positions) if (p.option !== undefined) nov += p.quantity * p.option.valuePerContract;
  return nov;
}

interface Stage1 {
  readonly commodity: string;
  readonly positions: readonly SpanPosition[];
  readonly params: SpanCommodityParams;
  readonly L: Float64Array;
  readonly scanIndex: number;
  readonly scanRisk: number;
  readonly timeRisk: number;
  readonly priceRisk: number;
  readonly volRisk: number;
  readonly tierDelta: Map<string, number>;
  readonly netDelta: number;
  readonly intra: ReturnType<typeof intraSpreadCharge>;
  readonly delivery: number;
  readonly wpr: number;
}

function stage1(commodity: string, positions: readonly SpanPosition[], params: SpanCommodityParams, scenarios: readonly SpanScenario[]): Stage1 {
  const L = scenarioLossVector(positions);
  const scanIndex = argMax(L);
  const scanRisk = Math.max(0, L[scanIndex] as number);
  const { timeRisk, priceRisk, volRisk } = riskDecomposition(L, scanIndex, scenarios);
  const tierDelta = new Map<string, number>();
  for (const p of positions) tierDelta.set(p.tier, (tierDelta.get(p.tier) ?? 0) + p.quantity * p.compositeDelta);
  const intra = intraSpreadCharge(tierDelta, params.intraSpreads);
  const delivery = params.delivery === undefined ? 0 : deliveryCharge(intra, params.delivery).charge;
  // Intra spreads with unequal leg ratios change the CC's net delta: inter spreads see what is left after them.
  let netDelta = 0;
  for (const d of Object.values(intra.tierDeltaAfter)) netDelta += d;
  const wpr = weightedPriceRisk(priceRisk, netDelta, params.wprMethod, params.scanRangePerDelta ?? 0);
  return { commodity, positions, params, L, scanIndex, scanRisk, timeRisk, priceRisk, volRisk, tierDelta, netDelta, intra, delivery, wpr };
}

/**
 * The SPAN requirement of a portfolio. Positions of a commodity without parameters are a programming error (the
 * caller validates): they throw. Domain: finite quantities, arrays and rates; rates ≥ 0.
 * @param commodityParams - per combined commodity.
 * @param interSpreads - inter-commodity spreads in priority order (legs keyed by CC name).
 * @param scenarios - the 16 scenario definitions the arrays were built with (for pairing and the time risk).
 */
export function computeSpan(
  positions: readonly SpanPosition[],
  commodityParams: Readonly<Record<string, SpanCommodityParams>>,
  interSpreads: readonly InterSpreadDef[],
  scenarios: readonly SpanScenario[],
  options: SpanOptions,
): SpanPortfolioResult {
  const byCc = new Map<string, SpanPosition[]>();
  for (const p of positions) {
    let list = byCc.get(p.commodity);
    if (list === undefined) byCc.set(p.commodity, (list = []));
    list.push(p);
  }
  const stages: Stage1[] = [];
  for (const cc of [...byCc.keys()].sort()) {
    const params = commodityParams[cc];
    if (params === undefined) throw new Error(`SPAN: no parameters for combined commodity ${cc}`);
    stages.push(stage1(cc, byCc.get(cc) as SpanPosition[], params, scenarios));
  }
  const inter = interSpreadCredits(new Map(stages.map((s) => [s.commodity, s.netDelta])), new Map(stages.map((s) => [s.commodity, s.wpr])), interSpreads);
  const commodities = stages.map((s): SpanCommodityResult => {
    const uncapped = inter.credit.get(s.commodity) ?? 0;
    const beforeCredit = s.scanRisk + s.intra.charge + s.delivery;
    // The credit never takes a CC's risk below zero. CME bounds it by the scan components (Intercommodity Spreading
    // Tier report) with an unretrieved rule (classic-methods.md §1.7 [U]); this cap is ours.
    const credit = Math.min(uncapped, beforeCredit);
    const commodityRisk = beforeCredit - credit;
    const som = shortOptionMinimum(s.positions, s.params.som.method, s.params.som.ratePerContract);
    const spanRisk = Math.max(commodityRisk, som.som);
    const nov = netOptionValue(s.positions);
    let requirement = spanRisk;
    if (options.novMode === "deduct") requirement = options.floorAtZero ? Math.max(spanRisk - nov, 0) : spanRisk - nov;
    return {
      commodity: s.commodity,
      scenarioLoss: s.L,
      scanIndex: s.scanIndex,
      scanRisk: s.scanRisk,
      timeRisk: s.timeRisk,
      priceRisk: s.priceRisk,
      volRisk: s.volRisk,
      netDelta: s.netDelta,
      tierDelta: Object.fromEntries(s.tierDelta),
      intraSpreadCharge: s.intra.charge,
      intraSpreads: s.intra.spreads,
      deliveryCharge: s.delivery,
      weightedPriceRisk: s.wpr,
      interCommodityCredit: credit,
      interCommodityCreditUncapped: uncapped,
      commodityRisk,
      shortOptionMinimum: som.som,
      shortCalls: som.shortCalls,
      shortPuts: som.shortPuts,
      spanRisk,
      netOptionValue: nov,
      requirement,
    };
  });
  let total = 0;
  for (const c of commodities) total += c.requirement;
  return { commodities, interSpreads: inter.spreads, total };
}
