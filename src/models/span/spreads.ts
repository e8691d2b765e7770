/**
 * SPAN spread formation on (composite) deltas: intra-commodity (calendar, tier against tier) spread charges, the
 * delivery (spot) month charge, inter-commodity spread credits, and the scanning-based spread rule of CME's Treasury
 * example. Reference: ../shared/reference/classic-methods.md §1.5–§1.7, worked examples E3–E5.
 *
 * Spread formation (both intra and inter, CME "Intra Spreads"/"Inter Spreads" pages via the note): spreads are taken
 * in priority order (the order of the list). Each leg has a ratio and a side, A or B ("A versus B actually means Long
 * versus Short"): a spread forms only when every A leg's delta has one sign and every B leg's the other. The number of
 * spreads is n = min over legs of |delta_leg| / ratio_leg, and each leg's delta then moves n × ratio toward zero.
 * Deltas are in whatever unit the caller uses consistently (contracts at CME; USD of delta in the crypto model).
 * @module
 */

/** One leg of a spread definition. */
export interface SpreadLeg<K extends string = string> {
  /** The tier (intra) or combined commodity (inter) the leg draws its delta from. */
  readonly key: K;
  /** Delta units per spread on this leg, > 0. */
  readonly ratio: number;
  readonly side: "A" | "B";
}

/** Result of forming one spread definition. */
export interface FormedSpread {
  /** Index of the definition in the priority list. */
  readonly index: number;
  /** Number of spreads formed (≥ 0). */
  readonly count: number;
  /** Delta taken from each leg's key (count × ratio), signed as the leg's delta was. */
  readonly consumedDelta: Readonly<Record<string, number>>;
}

/**
 * Form spreads in priority order over mutable per-key deltas (updated in place: formed spreads move them toward 0).
 * A key absent from `deltas` has delta 0 (no spread forms). Deltas within 1e-12 of zero relative to the leg size are
 * treated as 0 so rounding leftovers never form spreads.
 */
export function formSpreads(legsList: readonly (readonly SpreadLeg[])[], deltas: Map<string, number>): FormedSpread[] {
  const out: FormedSpread[] = [];
  legsList.forEach((legs, index) => {
    let count = Infinity;
    let sideASign = 0;
    for (const leg of legs) {
      const d = deltas.get(leg.key) ?? 0;
      const s = Math.sign(d);
      if (s === 0) {
        count = 0;
        break;
      }
      const wantA = leg.side === "A" ? s : -s;
      if (sideASign === 0) sideASign = wantA;
      else if (wantA !== sideASign) {
        count = 0;
        break;
      }
      count = Math.min(count, Math.abs(d) / leg.ratio);
    }
    if (!(count > 0) || !Number.isFinite(count)) {
      out.push({ index, count: 0, consumedDelta: {} });
      return;
    }
    const consumed: Record<string, number> = {};
    for (const leg of legs) {
      const d = deltas.get(leg.key) ?? 0;
      // Never more than the leg holds (count × ratio can round above |d|), and the binding leg lands exactly on 0
      // instead of a rounding residue.
      const take = Math.sign(d) * Math.min(count * leg.ratio, Math.abs(d));
      const left = Math.abs(d - take) <= 1e-12 * Math.abs(d) ? 0 : d - take;
      deltas.set(leg.key, left);
      consumed[leg.key] = (consumed[leg.key] ?? 0) + take;
    }
    out.push({ index, count, consumedDelta: consumed });
  });
  return out;
}

/** An intra-commodity (calendar) spread with a flat charge per spread (CME charge method FLAT). */
export interface IntraSpreadDef {
  readonly legs: readonly SpreadLeg[];
  /** Charge per spread formed, performance-bond currency, ≥ 0. */
  readonly chargePerSpread: number;
}

/** Delivery (spot) month charge parameters: which tiers are the delivery month, and rates per unit of delta. */
export interface DeliveryChargeParams {
  readonly tiers: readonly string[];
  /** Charge per unit of delivery-tier delta consumed by intra spreads, ≥ 0. */
  readonly spreadChargePerDelta: number;
  /** Charge per unit of delivery-tier delta left outright after intra spreads, ≥ 0. */
  readonly outrightChargePerDelta: number;
}

export interface IntraResult {
  readonly charge: number;
  readonly spreads: readonly FormedSpread[];
  /** Net delta per tier before and after intra spreading. */
  readonly tierDeltaBefore: Readonly<Record<string, number>>;
  readonly tierDeltaAfter: Readonly<Record<string, number>>;
}

/**
 * Intra-commodity spread charge: spreads formed in priority order on the tier deltas; charge Σ count × rate
 * (classic-methods.md §1.5; E3: +1 M2 / −1 M4 forms one M2/M4 spread at $50).
 */
export function intraSpreadCharge(tierDelta: ReadonlyMap<string, number>, spreads: readonly IntraSpreadDef[]): IntraResult {
  const deltas = new Map(tierDelta);
  const formed = formSpreads(
    spreads.map((s) => s.legs),
    deltas,
  );
  let charge = 0;
  for (const f of formed) charge += f.count * (spreads[f.index]?.chargePerSpread ?? 0);
  return { charge, spreads: formed, tierDeltaBefore: Object.fromEntries(tierDelta), tierDeltaAfter: Object.fromEntries(deltas) };
}

/**
 * Delivery (spot) month charge: per delivery tier, |delta consumed by intra spreads| × spread rate + |delta left| ×
 * outright rate. The CME formula itself was not retrieved (classic-methods.md §1.6, [U]); this is the two-rate
 * shape its parameter records describe ("charge per delta consumed by intra spreads in the spot month plus a charge
 * per remaining spot-month delta").
 */
export function deliveryCharge(intra: IntraResult, params: DeliveryChargeParams): { charge: number; consumedDelta: number; outrightDelta: number } {
  let consumed = 0;
  let outright = 0;
  for (const tier of params.tiers) {
    const before = intra.tierDeltaBefore[tier] ?? 0;
    const after = intra.tierDeltaAfter[tier] ?? 0;
    // Spreads only move a tier's delta toward zero, so |before| − |after| is what they consumed.
    consumed += Math.abs(before) - Math.abs(after);
    outright += Math.abs(after);
  }
  return { charge: consumed * params.spreadChargePerDelta + outright * params.outrightChargePerDelta, consumedDelta: consumed, outrightDelta: outright };
}

/** An inter-commodity spread: legs on combined commodities, credit rate applied to each leg's weighted price risk. */
export interface InterSpreadDef {
  readonly legs: readonly SpreadLeg[];
  /** Credit rate in [0, 1] (CME rate type WPR: credit given on each leg). */
  readonly creditRate: number;
}

/**
 * Inter-commodity spread credits (classic-methods.md §1.7): spreads formed in priority order on each combined
 * commodity's net delta; the credit of a leg is rate × WPR_cc × count × ratio (CME rate type WPR). E5: corn/soy 2:1
 * at 55 % with WPR = outright rate: 0.55 × (1,750 × 2 + 2,500 × 1) = 3,300.
 * @param netDelta - net (composite) delta per combined commodity.
 * @param wpr - weighted price risk per unit of delta per combined commodity (≥ 0).
 * @returns the credit per combined commodity and the spreads formed.
 */
export function interSpreadCredits(
  netDelta: ReadonlyMap<string, number>,
  wpr: ReadonlyMap<string, number>,
  spreads: readonly InterSpreadDef[],
): { credit: Map<string, number>; spreads: FormedSpread[] } {
  const deltas = new Map(netDelta);
  const formed = formSpreads(
    spreads.map((s) => s.legs),
    deltas,
  );
  const credit = new Map<string, number>();
  for (const f of formed) {
    const def = spreads[f.index];
    if (def === undefined || f.count === 0) continue;
    for (const leg of def.legs) {
      const c = def.creditRate * (wpr.get(leg.key) ?? 0) * f.count * leg.ratio;
      credit.set(leg.key, (credit.get(leg.key) ?? 0) + c);
    }
  }
  return { credit, spreads: formed };
}

/**
 * Scanning-based spread (CME Treasury example E4): legs of different combined commodities scanned together, and per
 * scenario the legs' losses are counted in full while their gains are credited at `creditRate`:
 * value_j = Σ_legs max(L_leg[j], 0) − creditRate × Σ_legs max(−L_leg[j], 0).
 * The note fits CME's "70 % credit off the top of the highest loss of the legs plus the smallest gain" exactly as
 * legLoss − 0.70 × legGain on every published scenario (two legs, one losing, one gaining); with more legs this sums
 * losses and gains, our generalisation. Forming the in-ratio quantities (CME's ratio group) is the caller's job.
 * @param legLosses - per leg, the 16-scenario loss vector of its in-spread positions (loss positive).
 */
export function scanningSpreadVector(legLosses: readonly ArrayLike<number>[], creditRate: number): Float64Array {
  const n = legLosses[0]?.length ?? 0;
  const out = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    let loss = 0;
    let gain = 0;
    for (const leg of legLosses) {
      const v = leg[j] as number;
      if (v > 0) loss += v;
      else gain -= v;
    }
    out[j] = loss - creditRate * gain;
  }
  return out;
}
