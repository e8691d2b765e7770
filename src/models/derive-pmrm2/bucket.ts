/**
 * Derive PMRM_2 margin of one bucket (one underlying's risk manager), reference note derive-pmrm2.md §2.1–2.10.
 * Pure function of {@link DeriveBucketInput} and the parameter set; every intermediate figure is returned for audit.
 *
 * Sign conventions: Derive's net margins (`netIm`, `netMm`) are positive when healthy and negative when the
 * requirement is not met. netrisk's required margins are the cash equity the portfolio must have so that the net
 * margin is 0: `requiredIm = mtmTotal + cash − netIm = −minSpan × (imFactor + pegAdj) + IMc + MMc` (≥ 0), and
 * `requiredMm = mtmTotal + cash − netMm = −minSpan × mmFactor + MMc`.
 * @module
 */
import { expiryBasisContingency, type BasisSide } from "./basis.js";
import { collateralValueUsdc, deriveContingencies, expiryConfidence, nakedShortCoins, type DeriveContingencies } from "./contingencies.js";
import { expiryTerms, expiryValueRow, legValueRow, legVols, scenarioLayout, type ExpiryTerms, type LegVols, type ScenarioLayout } from "./expiry.js";
import type { DeriveBucketInput, DeriveExpiryInput } from "./inputs.js";
import type { DerivePmrm2Params } from "./params.js";
import { deriveScenarioId } from "./scenarios.js";
import { discountExpiryValue } from "./static-discount.js";

/** One evaluated scenario of the bucket. */
export interface DeriveScenarioOutcome {
  readonly id: string;
  readonly kind: "regular" | "tail" | "skew" | "basis";
  /** s (1 for skew and basis, whose per-expiry side is in the expiry reports). */
  readonly spotMultiplier: number;
  readonly vol: "down" | "unchanged" | "up" | "skew-linear" | "skew-abs" | "basis";
  readonly dampeningDecimal: number;
  /** Scenario P&L, USDC (≤ 0 is a loss). */
  readonly pnlUsdc: number;
}

/** Audit figures of one expiry. */
export interface DeriveExpiryReport extends ExpiryTerms {
  readonly expiryMs: number;
  readonly secondsToExpiry: number;
  readonly forwardUsd: number;
  /** MtM_e = Σ q × B76(F, K, σ, τ, D), USDC. */
  readonly mtmUsdc: number;
  /** δ(MtM_e) × MtM_e, USDC. */
  readonly discountedMtmUsdc: number;
  readonly basisContingencyUsdc: number;
  readonly basisSide: BasisSide;
  readonly nakedShortCoins: number;
  /** min of the expiry's feed confidences (spot, perp, forward, rate, vols). */
  readonly confidence: number;
  readonly legs: readonly { readonly name: string; readonly sizeCoin: number; readonly volDecimal: number; readonly valueUsd: number; readonly shockedVols: LegVols }[];
}

/** A position's P&L in the worst scenario, USDC (they sum to minSpan). */
export interface DeriveContribution {
  readonly name: string;
  readonly sizeCoin: number;
  readonly pnlUsdc: number;
}

/** Result of one bucket, USDC unless named otherwise. */
export interface DeriveBucketReport {
  readonly base: string;
  readonly spotUsd: number;
  readonly stableUsd: number;
  readonly cashUsdc: number;
  /** Σ_e MtM_e. */
  readonly optionsMtmUsdc: number;
  /** Σ_e δ(MtM_e) × MtM_e. */
  readonly discountedMtmUsdc: number;
  /** MtM_total = options + perp (unrealised P&L + funding) + collateral value. */
  readonly mtmUsdc: number;
  readonly collateralValueUsdc: number;
  readonly perpUnrealisedUsdc: number;
  readonly scenarios: readonly DeriveScenarioOutcome[];
  readonly worstRegular?: DeriveScenarioOutcome;
  readonly worstTail?: DeriveScenarioOutcome;
  readonly worstSkew: DeriveScenarioOutcome;
  /** BC = Σ_e expiry basis contingencies, ≤ 0. */
  readonly basisContingencyUsdc: number;
  /** minSPAN = min(BC, every scenario P&L), ≤ 0. */
  readonly minSpanUsdc: number;
  readonly worst: DeriveScenarioOutcome;
  readonly contributions: readonly DeriveContribution[];
  readonly contingencies: DeriveContingencies;
  /** (pegLossThreshold − stable) × pegLossFactor when stable < threshold, else 0 (IM only). */
  readonly pegAdjustment: number;
  readonly netImUsdc: number;
  readonly netMmUsdc: number;
  readonly requiredImUsdc: number;
  readonly requiredMmUsdc: number;
  readonly expiries: readonly DeriveExpiryReport[];
}

interface EvaluatedExpiry {
  readonly input: DeriveExpiryInput;
  readonly terms: ExpiryTerms;
  readonly rows: readonly Float64Array[];
  readonly values: Float64Array;
  readonly mtm: number;
}

/** Discounted shocked expiry value minus the undiscounted base MtM (USDC). */
function expiryPnl(x: EvaluatedExpiry, column: number): number {
  return discountExpiryValue(x.values[column] ?? 0, x.terms.discounts) - x.mtm;
}

/** Evaluate one bucket. Inputs must be validated (finite, prices and vols > 0, stable > 0, confidences in [0, 1]). */
export function evaluateDeriveBucket(b: DeriveBucketInput, params: DerivePmrm2Params): DeriveBucketReport {
  const layout = scenarioLayout(params);
  const evaluated: EvaluatedExpiry[] = b.expiries.map((input) => {
    const terms = expiryTerms(input, params);
    const rows = input.legs.map((leg) => legValueRow(leg, input, terms, params, layout));
    const values = expiryValueRow(rows, input.legs, layout.width);
    return { input, terms, rows, values, mtm: values[layout.base] ?? 0 };
  });
  const riskCancelling = b.collaterals.filter((c) => c.params.riskCancelling);
  const rcValue = riskCancelling.reduce((acc, c) => acc + collateralValueUsdc(c.amount, c.priceUsd, b.stableUsd), 0);
  const perpCoins = b.perp?.sizeCoin ?? 0;
  const perpPrice = b.perp?.priceUsd ?? 0;

  const scenarios: DeriveScenarioOutcome[] = params.scenarios.map((s, j) => {
    let pnl = perpCoins * (s.spotMultiplier - 1) * perpPrice + rcValue * (s.spotMultiplier - 1);
    for (const x of evaluated) pnl += expiryPnl(x, j);
    return {
      id: deriveScenarioId(s),
      kind: s.tail ? "tail" : "regular",
      spotMultiplier: s.spotMultiplier,
      vol: s.vol,
      dampeningDecimal: s.dampeningDecimal,
      pnlUsdc: pnl * s.dampeningDecimal,
    };
  });
  // Skew: spot unchanged (no perp or collateral P&L), each expiry counts −|P&L|.
  for (const [kind, column] of [["linear", layout.skewLinear], ["abs", layout.skewAbs]] as const) {
    let pnl = 0;
    for (const x of evaluated) pnl -= Math.abs(expiryPnl(x, column));
    scenarios.push({ id: `skew:${kind}`, kind: "skew", spotMultiplier: 1, vol: `skew-${kind}`, dampeningDecimal: 1, pnlUsdc: pnl });
  }
  const basis = evaluated.map((x) =>
    expiryBasisContingency(x.values[layout.basisUp] ?? 0, x.values[layout.basisDown] ?? 0, x.mtm, x.terms.basisWeight),
  );
  const basisContingencyUsdc = basis.reduce((acc, e) => acc + e.contingencyUsdc, 0);
  const basisOutcome: DeriveScenarioOutcome = { id: "basis", kind: "basis", spotMultiplier: 1, vol: "basis", dampeningDecimal: 1, pnlUsdc: basisContingencyUsdc };
  // Scenario list order = value-row columns: parameter-set scenarios, skew linear, skew abs; then basis.
  scenarios.push(basisOutcome);

  const worstOf = (kind: DeriveScenarioOutcome["kind"]): DeriveScenarioOutcome | undefined =>
    scenarios.filter((s) => s.kind === kind).reduce<DeriveScenarioOutcome | undefined>((w, s) => (w === undefined || s.pnlUsdc < w.pnlUsdc ? s : w), undefined);
  // First minimum in list order: regular, tail (as listed in the parameter set), skew linear, skew abs, basis.
  let worstIndex = 0;
  scenarios.forEach((s, i) => {
    if (s.pnlUsdc < (scenarios[worstIndex]?.pnlUsdc ?? 0)) worstIndex = i;
  });
  const worst = scenarios[worstIndex] ?? basisOutcome;
  const minSpanUsdc = worst.pnlUsdc;

  const contingencies = deriveContingencies(b, params);
  const optionsMtmUsdc = evaluated.reduce((acc, x) => acc + x.mtm, 0);
  const collateralValue = b.collaterals.reduce((acc, c) => acc + collateralValueUsdc(c.amount, c.priceUsd, b.stableUsd), 0);
  const perpUnrealisedUsdc = (b.perp?.unrealisedPnlUsdc ?? 0) + (b.perp?.unrealisedFundingUsdc ?? 0);
  const mtmUsdc = optionsMtmUsdc + perpUnrealisedUsdc + collateralValue;
  const pegAdjustment = b.stableUsd < params.peg.lossThresholdUsd ? (params.peg.lossThresholdUsd - b.stableUsd) * params.peg.lossFactor : 0;
  const imScale = params.margin.imFactor + pegAdjustment;

  return {
    base: b.base,
    spotUsd: b.spotUsd,
    stableUsd: b.stableUsd,
    cashUsdc: b.cashUsdc,
    optionsMtmUsdc,
    discountedMtmUsdc: evaluated.reduce((acc, x) => acc + discountExpiryValue(x.mtm, x.terms.discounts), 0),
    mtmUsdc,
    collateralValueUsdc: collateralValue,
    perpUnrealisedUsdc,
    scenarios,
    worstRegular: worstOf("regular"),
    worstTail: worstOf("tail"),
    worstSkew: worstOf("skew") ?? worst,
    basisContingencyUsdc,
    minSpanUsdc,
    worst,
    contributions: contributionsOf(worst, worstIndex, b, evaluated, basis, layout),
    contingencies,
    pegAdjustment,
    netImUsdc: minSpanUsdc * imScale - contingencies.im - contingencies.mm + mtmUsdc + b.cashUsdc,
    netMmUsdc: minSpanUsdc * params.margin.mmFactor - contingencies.mm + mtmUsdc + b.cashUsdc,
    // `+ 0` turns −0 (from −0 × factor when minSpan is 0) into 0.
    requiredImUsdc: -minSpanUsdc * imScale + contingencies.im + contingencies.mm + 0,
    requiredMmUsdc: -minSpanUsdc * params.margin.mmFactor + contingencies.mm + 0,
    expiries: evaluated.map((x, i) => ({
      ...x.terms,
      expiryMs: x.input.expiryMs,
      secondsToExpiry: x.input.secondsToExpiry,
      forwardUsd: x.input.forwardUsd,
      mtmUsdc: x.mtm,
      discountedMtmUsdc: discountExpiryValue(x.mtm, x.terms.discounts),
      basisContingencyUsdc: basis[i]?.contingencyUsdc ?? 0,
      basisSide: basis[i]?.side ?? "none",
      nakedShortCoins: nakedShortCoins(x.input),
      confidence: expiryConfidence(b, x.input),
      legs: x.input.legs.map((leg, k) => ({
        name: leg.name,
        sizeCoin: leg.sizeCoin,
        volDecimal: leg.volDecimal,
        valueUsd: x.rows[k]?.[layout.base] ?? 0,
        shockedVols: legVols(leg, x.input, x.terms, params),
      })),
    })),
  };
}

/**
 * Split the worst scenario's P&L by position. Within an expiry the static discount chosen by the expiry's total sign
 * is applied to each leg; for skew the expiry's sign flip (−|P&L|) is applied to each leg; for basis each leg's move on
 * the side the expiry used, times the expiry weight. The parts sum to the scenario P&L (up to rounding).
 */
function contributionsOf(
  worst: DeriveScenarioOutcome,
  worstIndex: number,
  b: DeriveBucketInput,
  evaluated: readonly EvaluatedExpiry[],
  basis: readonly { readonly side: BasisSide }[],
  layout: ScenarioLayout,
): DeriveContribution[] {
  const out: DeriveContribution[] = [];
  // For every kind but basis, the scenario's index in the outcome list is its value-row column.
  const column = worstIndex;
  evaluated.forEach((x, e) => {
    const legPnl = (k: number, col: number, delta: number): number => {
      const row = x.rows[k];
      const sizeCoin = x.input.legs[k]?.sizeCoin ?? 0;
      return delta * sizeCoin * (row?.[col] ?? 0) - sizeCoin * (row?.[layout.base] ?? 0);
    };
    let part: (k: number) => number;
    if (worst.kind === "basis") {
      const side = basis[e]?.side ?? "none";
      const col = side === "up" ? layout.basisUp : layout.basisDown;
      part = (k) => (side === "none" ? 0 : legPnl(k, col, 1) * x.terms.basisWeight);
    } else {
      const delta = (x.values[column] ?? 0) >= 0 ? x.terms.discounts.long : x.terms.discounts.short;
      // Skew: the expiry counts −|P&L|, so its legs flip sign together when the expiry P&L is a gain.
      const scale = worst.kind === "skew" ? (expiryPnl(x, column) > 0 ? -1 : 1) : worst.dampeningDecimal;
      part = (k) => legPnl(k, column, delta) * scale;
    }
    x.input.legs.forEach((leg, k) => out.push({ name: leg.name, sizeCoin: leg.sizeCoin, pnlUsdc: part(k) }));
  });
  const move = worst.spotMultiplier - 1;
  if (b.perp !== undefined)
    out.push({ name: b.perp.name, sizeCoin: b.perp.sizeCoin, pnlUsdc: b.perp.sizeCoin * move * b.perp.priceUsd * worst.dampeningDecimal });
  for (const c of b.collaterals)
    if (c.params.riskCancelling)
      out.push({
        name: c.currency,
        sizeCoin: c.amount,
        pnlUsdc: collateralValueUsdc(c.amount, c.priceUsd, b.stableUsd) * move * worst.dampeningDecimal,
      });
  return out;
}
