/**
 * The Derive PMRM_2 margin model behind netrisk's {@link MarginModel} interface (reference note derive-pmrm2.md).
 *
 * One bucket per underlying (`byCurrency.ETH`, figures in USDC), total in USD at the USDC price. `initialMargin` and
 * `maintenanceMargin` follow netrisk's convention, the collateral the portfolio must hold:
 *   required = MtM_total + cash − net margin
 *            = −minSPAN × (imFactor + pegAdj) + IMc + MMc   (IM)      −minSPAN × mmFactor + MMc   (MM),
 * i.e. the cash equity (cash + mark-to-market, collateral at full value) at which Derive's net margin is exactly 0.
 * Derive's own net margins (negative = requirement not met) are in `details.netIm` / `details.netMm`.
 * @module
 */
import { unwrap } from "../../errors.js";
import type { MarketContext } from "../../market/context.js";
import type { BucketMargin, MarginModel, MarginResult, ParameterSetInfo, ResolvedPortfolio, ScenarioPnl } from "../types.js";
import { arrangeDerivePortfolio, DERIVE_CASH_CURRENCY } from "./arrange.js";
import { evaluateDeriveBucket, type DeriveBucketReport, type DeriveScenarioOutcome } from "./bucket.js";
import type { DerivePmrm2Params } from "./params.js";

/** Model id, also the `model` field of its parameter sets. */
export const DERIVE_PMRM2_MODEL_ID = "derive-pmrm2";

function scenarioPnl(s: DeriveScenarioOutcome): ScenarioPnl {
  return { id: s.id, priceMove: s.spotMultiplier - 1, volMove: s.vol, tail: s.kind === "tail", pnl: s.pnlUsdc };
}

function worstSummary(s: DeriveScenarioOutcome | undefined): { id: string; pnl: number } | undefined {
  return s === undefined ? undefined : { id: s.id, pnl: s.pnlUsdc };
}

/** netrisk bucket of one evaluated Derive manager (all figures USDC; `...Usd` fields at the USDC price). */
export function deriveBucketMargin(r: DeriveBucketReport): BucketMargin {
  const c = r.contingencies;
  // required IM = −minSPAN × (imFactor + pegAdj) + IMc + MMc, so the risk-matrix part is what remains.
  return {
    currency: DERIVE_CASH_CURRENCY,
    initialMargin: r.requiredImUsdc,
    maintenanceMargin: r.requiredMmUsdc,
    initialMarginUsd: r.requiredImUsdc * r.stableUsd,
    maintenanceMarginUsd: r.requiredMmUsdc * r.stableUsd,
    components: {
      riskMatrixIm: r.requiredImUsdc - c.im - c.mm,
      riskMatrixMm: r.requiredMmUsdc - c.mm,
      mmContingency: c.mm,
      imContingency: c.im,
      perpContingencyMm: c.perpMm,
      perpContingencyIm: c.perpIm,
      optionContingencyMm: c.optionMm,
      optionContingencyIm: c.optionIm,
      collateralHaircutMm: c.collateralMm,
      collateralHaircutIm: c.collateralIm,
      oracleContingencyIm: c.oracleIm,
    },
    worstScenario: { id: r.worst.id, priceMove: r.worst.spotMultiplier - 1, volMove: r.worst.vol, tail: r.worst.kind === "tail" },
    scenarios: r.scenarios.map(scenarioPnl),
    contributions: r.contributions.map((x) => ({ instrument: x.name, sizeCoin: x.sizeCoin, pnl: x.pnlUsdc })),
    details: {
      convention:
        "netIm/netMm: Derive's net margins (negative = requirement not met). initialMargin/maintenanceMargin: required " +
        "equity = mtm + cash − net margin.",
      netIm: r.netImUsdc,
      netMm: r.netMmUsdc,
      mtm: r.mtmUsdc,
      optionsMtm: r.optionsMtmUsdc,
      discountedMtm: r.discountedMtmUsdc,
      perpUnrealised: r.perpUnrealisedUsdc,
      collateralValue: r.collateralValueUsdc,
      cash: r.cashUsdc,
      spotUsd: r.spotUsd,
      stableUsd: r.stableUsd,
      pegAdjustment: r.pegAdjustment,
      minSpan: r.minSpanUsdc,
      basisContingency: r.basisContingencyUsdc,
      worstScenario: worstSummary(r.worst),
      worstRegular: worstSummary(r.worstRegular),
      worstTail: worstSummary(r.worstTail),
      worstSkew: worstSummary(r.worstSkew),
      mmContingency: c.mm,
      imContingency: c.im,
      expiries: r.expiries.map((e) => ({
        expiryMs: e.expiryMs,
        secondsToExpiry: e.secondsToExpiry,
        tauYears: e.tauYears,
        forwardUsd: e.forwardUsd,
        forwardFixedUsd: e.forward.fixedUsd,
        rateDecimal: e.rateDecimal,
        discountFactor: e.discountFactor,
        staticDiscountLong: e.discounts.long,
        staticDiscountShort: e.discounts.short,
        volMultiplierUp: e.multipliers.up,
        volMultiplierDown: e.multipliers.down,
        skewCap: e.skew.cap,
        skewKStar: e.skew.kStar,
        mtm: e.mtmUsdc,
        discountedMtm: e.discountedMtmUsdc,
        basisContingency: e.basisContingencyUsdc,
        basisSide: e.basisSide,
        nakedShortCoins: e.nakedShortCoins,
        confidence: e.confidence,
        options: e.legs.map((l) => ({
          instrument: l.name,
          sizeCoin: l.sizeCoin,
          volDecimal: l.volDecimal,
          valueUsd: l.valueUsd,
          volUpDecimal: l.shockedVols.up,
          volDownDecimal: l.shockedVols.down,
          volSkewLinearDecimal: l.shockedVols.skewLinear,
          volSkewAbsDecimal: l.shockedVols.skewAbs,
        })),
      })),
    },
  };
}

/**
 * Margin of a whole portfolio under a Derive PMRM_2 parameter set. Throws a `NetriskError` (issues with paths) when the
 * portfolio holds something Derive cannot margin; use {@link arrangeDerivePortfolio} to get the issues as data.
 */
export function computeDerivePmrm2(portfolio: ResolvedPortfolio, market: MarketContext, params: DerivePmrm2Params): MarginResult {
  const arrangement = unwrap(arrangeDerivePortfolio(portfolio, market, params));
  const byCurrency: Record<string, BucketMargin> = {};
  let im = 0;
  let mm = 0;
  for (const bucket of arrangement.buckets) {
    const margin = deriveBucketMargin(evaluateDeriveBucket(bucket, params));
    byCurrency[bucket.base] = margin;
    im += margin.initialMarginUsd;
    mm += margin.maintenanceMarginUsd;
  }
  const conventions = new Set(portfolio.positions.map((p) => p.sizeConvention));
  return {
    model: DERIVE_PMRM2_MODEL_ID,
    parameterSet: parameterSetInfo(params),
    byCurrency,
    totalUsd: { initialMargin: im, maintenanceMargin: mm },
    sizeConventions: (["coin", "usd"] as const).filter((c) => conventions.has(c)),
    notes: [...portfolio.notes, ...arrangement.notes],
  };
}

/** Name, version and effective date of a parameter set. */
export function parameterSetInfo(params: DerivePmrm2Params): ParameterSetInfo {
  return { name: params.name, version: params.version, effective: params.effective };
}

/** The Derive PMRM_2 model with the validated parameter set it is bound to (a partition snapshot carries it). */
export interface DerivePmrm2Model extends MarginModel {
  readonly params: DerivePmrm2Params;
}

/** A {@link MarginModel} bound to a validated Derive PMRM_2 parameter set (see `parseDerivePmrm2Params`). */
export function createDerivePmrm2Model(params: DerivePmrm2Params): DerivePmrm2Model {
  return {
    id: DERIVE_PMRM2_MODEL_ID,
    parameterSet: parameterSetInfo(params),
    params,
    compute: (portfolio, market) => computeDerivePmrm2(portfolio, market, params),
  };
}
