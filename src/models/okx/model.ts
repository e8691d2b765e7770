/**
 * OKX portfolio margin (`--model okx`, presets/okx.json) behind the {@link MarginModel} interface.
 *
 * Flow: positions → risk units by underlying (every settlement currency together, and the unit's spot balance: OKX's
 * risk-unit merge of Jan 2025) → exposures in USD (revalue.ts) → MR1–MR7 and MR9 per unit, unit MMR and IMR
 * (components.ts) → the account bucket: borrowing MR8 on every currency whose equity (balance + unrealised P&L +
 * option value) is negative, and the collateral discount on positive equity → totalMmr = Σ unit MMR + borrow MMR,
 * totalImr = Σ unit IMR + borrow IMR (+ the discount in both). The model values collateral itself: the account layer
 * adds no haircut, borrow or de-peg charge (account/engine.ts).
 *
 * Reproduces OKX's position-builder example of 2025-01-15 (test/okx/example.test.ts). Methodology, with what is
 * published and what inferred: docs/methodology.md "OKX portfolio margin".
 * @module
 */
import { fail, issue, joinPath, NetriskError, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import type { MarketContext } from "../../market/context.js";
import type { DerivativeInstrument } from "../../market/types.js";
import { currencyUsdRate, hasUsdRate, optionMarkPrice } from "../../risk/marks.js";
import { tieredAmount } from "../addons/concentration.js";
import type { BucketMargin, MarginModel, MarginResult, ResolvedPortfolio, ResolvedPosition, ScenarioPnl } from "../types.js";
import { cashDeltaByFamily, lossOf, mr2, mr3, mr4, mr5, mr7Raw, mr9, OKX_VOL_KEYS, OKX_VOL_SHOCK, unitMmr, unitScenarios, worstOf } from "./components.js";
import type { StablecoinHedge } from "./components.js";
import type { OkxParams } from "./params.js";
import { derivativeExposure, spotExposure } from "./revalue.js";
import type { OkxExposure } from "./revalue.js";

/** Registry id of the OKX portfolio-margin model. */
export const OKX_MODEL_ID = "okx";

/** Key of the account-level bucket (borrowing MR8 and the collateral discount) in `MarginResult.byCurrency`. */
export const OKX_ACCOUNT_BUCKET = "account";

/** A position of the portfolio (its `averagePrice` is the entry its futures P&L runs from). */
type WithEntry = ResolvedPosition;

/** An OKX model with a Result-returning entry point. */
export interface OkxModel extends MarginModel {
  readonly params: OkxParams;
  computeResult(portfolio: ResolvedPortfolio, market: MarketContext): Result<MarginResult>;
}

/**
 * Margin of a portfolio (derivative positions and collateral balances) under OKX portfolio margin. Pure. Issues:
 * `missing_index` (no index for an underlying, no USD rate for a settlement or collateral currency),
 * `expired_instrument`, `unsupported` (a spot instrument among the positions: spot is a balance).
 */
export function computeOkxMargin(portfolio: ResolvedPortfolio, market: MarketContext, params: OkxParams): Result<MarginResult> {
  const issues: Issue[] = [];
  const units = new Map<string, { positions: { p: WithEntry; path: string }[] }>();
  portfolio.positions.forEach((p, k) => {
    const path = joinPath("positions", p.inputIndices[0] ?? k, "instrument");
    const inst = p.instrument;
    if (inst.kind === "spot") {
      issues.push(issue("unsupported", path, `${inst.name}: a spot holding is a collateral balance for the OKX model, not a position`));
      return;
    }
    if (!market.bases.includes(inst.base)) issues.push(issue("missing_index", path, `no index price for ${inst.base}`));
    else if (!hasUsdRate(market, inst.settlementCurrency)) issues.push(issue("missing_index", path, `no USD rate for settlement currency ${inst.settlementCurrency}`));
    else if (inst.kind !== "perpetual" && inst.expiryMs <= market.asOfMs) issues.push(issue("expired_instrument", path, `${inst.name} expired before the market time`));
    const u = units.get(inst.base) ?? { positions: [] };
    u.positions.push({ p, path });
    units.set(inst.base, u);
  });
  for (const c of Object.keys(portfolio.collateral)) {
    if (!hasUsdRate(market, c)) issues.push(issue("missing_index", joinPath("collateral", c), `no USD price for ${c}: add it to the market's "index"`));
  }
  if (issues.length > 0) return fail(...issues);

  // The unit's own spot balance joins it (risk-unit merge: spot included automatically).
  if (params.spotInRiskUnit) {
    for (const [c, amount] of Object.entries(portfolio.collateral)) {
      if (amount !== 0 && market.bases.includes(c) && !units.has(c) && isCoin(c)) units.set(c, { positions: [] });
    }
  }

  const byCurrency: Record<string, BucketMargin> = {};
  let derivMmr = 0;
  let derivImr = 0;
  for (const [base, u] of [...units].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const sorted = [...u.positions].sort((a, b) => (a.p.instrument.name < b.p.instrument.name ? -1 : 1));
    const exposures: OkxExposure[] = sorted.map(({ p }) => derivativeExposure(p.instrument as DerivativeInstrument, p.sizeCoin, market, params));
    const spot = params.spotInRiskUnit ? (portfolio.collateral[base] ?? 0) : 0;
    if (spot !== 0) exposures.push(spotExposure(base, spot, market));
    const b = unitMargin(base, exposures, sorted.map(({ p }) => p), market, params);
    byCurrency[base.toLowerCase()] = b;
    derivMmr += b.maintenanceMarginUsd;
    derivImr += b.initialMarginUsd;
  }
  const acct = accountBucket(portfolio, market, params, derivMmr, derivImr);
  byCurrency[OKX_ACCOUNT_BUCKET] = acct;
  const conventions = [...new Set(portfolio.positions.map((p) => p.sizeConvention))].sort();
  return ok({
    model: OKX_MODEL_ID,
    parameterSet: params.info,
    byCurrency,
    totalUsd: { initialMargin: derivImr + acct.initialMarginUsd, maintenanceMargin: derivMmr + acct.maintenanceMarginUsd },
    sizeConventions: conventions,
    notes: [...portfolio.notes],
  });
}

/** Stablecoins and USD are collateral, never a risk unit's spot leg. */
const isCoin = (c: string): boolean => !["USD", "USDT", "USDC"].includes(c);

function unitMargin(base: string, exposures: readonly OkxExposure[], positions: readonly WithEntry[], market: MarketContext, params: OkxParams): BucketMargin {
  const unit = params.unit(base);
  const sc = unitScenarios(exposures, unit);
  const worst1 = worstOf(sc.mr1);
  const worst6 = worstOf(sc.mr6);
  const raw7 = mr7Raw(exposures, unit);
  const indexOf = (pair: StablecoinHedge["pair"]): number => {
    const usdt = currencyUsdRate(market, "USDT");
    const usdc = currencyUsdRate(market, "USDC");
    return pair === "USDT-USD" ? usdt : pair === "USDC-USD" ? usdc : usdt / usdc;
  };
  const m9 = mr9(cashDeltaByFamily(exposures), params, indexOf);
  const c = {
    mr1: lossOf(worst1),
    mr2: mr2(exposures, params),
    mr3: mr3(exposures, params),
    mr4: mr4(exposures, unit),
    mr5: mr5(exposures, params),
    mr6: params.mr6LossFactor * lossOf(worst6),
    mr7: tieredAmount(raw7, params.mr7Tiers),
    mr9: m9.total,
  };
  const mmr = unitMmr(c);
  const imr = params.imrFactor * mmr;
  const sum = (f: (e: OkxExposure) => number): number => exposures.reduce((s, e) => s + f(e), 0);
  const uplUsd = positions.reduce((s, p) => s + unrealisedUsd(p, market), 0);
  return {
    currency: "USD",
    initialMargin: imr,
    maintenanceMargin: mmr,
    initialMarginUsd: imr,
    maintenanceMarginUsd: mmr,
    components: { mr1: c.mr1, mr2: c.mr2, mr3: c.mr3, mr4: c.mr4, mr5: c.mr5, mr6: c.mr6, mr7: c.mr7, mr7Raw: raw7, mr9: c.mr9, mmr, imr },
    ...(worst1 !== undefined ? { worstScenario: { id: worst1.id, priceMove: worst1.priceMove, volMove: worst1.volMove, tail: false } } : {}),
    scenarios: [...sc.mr1, ...sc.mr6],
    contributions: exposures.map((e, i) => ({ instrument: e.instrument.name, sizeCoin: e.sizeCoin, pnl: sc.worstContributions[i] ?? 0 })),
    details: {
      riskUnit: base,
      deltaUsd: sum((e) => e.deltaUsd),
      gammaUsdPerPercent: sum((e) => e.gammaUsdPerPercent),
      thetaUsdPerDay: sum((e) => e.thetaUsdPerDay),
      vegaUsdPerVolPoint: sum((e) => e.vegaUsdPerVolPoint),
      uplUsd,
      mr1Scenarios: okxGrid(sc.mr1),
      mr1FinalResult: worst1 === undefined ? null : { pnl: worst1.pnl, spotShock: worst1.priceMove, volShock: OKX_VOL_SHOCK[worst1.volMove as keyof typeof OKX_VOL_SHOCK] },
      mr6FinalResult: worst6 === undefined ? null : { pnl: worst6.pnl, spotShock: worst6.priceMove },
      mr9Hedges: m9.hedges,
      portfolios: exposures.map((e, i) => ({
        instrument: e.instrument.name,
        ...(positions[i]?.venueId !== undefined ? { venueId: positions[i]?.venueId } : {}),
        kind: e.instrument.kind,
        sizeCoin: e.sizeCoin,
        markPrice: e.markPrice,
        ...(positions[i]?.averagePrice !== undefined ? { averagePrice: positions[i]?.averagePrice } : {}),
        uplUsd: positions[i] === undefined ? 0 : unrealisedUsd(positions[i] as WithEntry, market),
        deltaUsd: e.deltaUsd,
        gammaUsdPerPercent: e.gammaUsdPerPercent,
        thetaUsdPerDay: e.thetaUsdPerDay,
        vegaUsdPerVolPoint: e.vegaUsdPerVolPoint,
      })),
    },
  };
}

/** MR1 scenarios as OKX lays them out: vol key → spot move (decimal string) → P&L. */
function okxGrid(scenarios: readonly ScenarioPnl[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = { volShockDown: {}, volSame: {}, volShockUp: {} };
  for (const s of scenarios) {
    const key = OKX_VOL_KEYS[s.volMove as keyof typeof OKX_VOL_KEYS];
    const row = out[key];
    if (row !== undefined) row[String(Number(s.priceMove.toPrecision(12)))] = s.pnl;
  }
  return out;
}

/**
 * Unrealised P&L of a futures position since its `averagePrice`, in its settlement currency (0 without one: what was
 * gained before is cash), as account/valuation.ts counts it: linear q × (mark − entry) in the stablecoin (OKX's
 * floatPnl: −0.1 × (97,093.7 − 100,000) = 290.63 USDT); inverse N × (1/entry − 1/mark) coin with the USD notional
 * N = q × mark. Options carry their whole value instead (see {@link positionValue}).
 */
function unrealisedSettlement(p: WithEntry, market: MarketContext): number {
  const inst = p.instrument;
  if (inst.kind === "spot" || inst.kind === "option" || p.averagePrice === undefined) return 0;
  const mark = market.futureMarkUsd(inst);
  return inst.settlement === "linear" ? p.sizeCoin * (mark - p.averagePrice) : p.sizeCoin * mark * (1 / p.averagePrice - 1 / mark);
}

function unrealisedUsd(p: WithEntry, market: MarketContext): number {
  const inst = p.instrument;
  if (inst.kind === "spot") return 0;
  return unrealisedSettlement(p, market) * currencyUsdRate(market, inst.settlementCurrency);
}

/** Value of a position in its settlement currency: an option's mark value, a future's unrealised P&L. */
function positionValue(p: WithEntry, market: MarketContext): number {
  const inst = p.instrument;
  if (inst.kind === "spot") return 0;
  return inst.kind === "option" ? p.sizeCoin * optionMarkPrice(inst, market) : unrealisedSettlement(p, market);
}

/** The account bucket: MR8 on negative currency equity, the collateral discount, and the account's OKX ratios. */
function accountBucket(portfolio: ResolvedPortfolio, market: MarketContext, params: OkxParams, derivMmr: number, derivImr: number): BucketMargin {
  const eq: Record<string, number> = {};
  for (const [c, amount] of Object.entries(portfolio.collateral)) eq[c] = (eq[c] ?? 0) + amount;
  for (const p of portfolio.positions) {
    if (p.instrument.kind === "spot") continue;
    const c = p.instrument.settlementCurrency;
    eq[c] = (eq[c] ?? 0) + positionValue(p, market);
  }
  let borrowedUsd = 0;
  let discountUsd = 0;
  let equityUsd = 0;
  const currencies = Object.keys(eq).sort();
  const lines = currencies.map((c) => {
    const rate = currencyUsdRate(market, c);
    const eqUsd = (eq[c] ?? 0) * rate;
    equityUsd += eqUsd;
    const borrowed = Math.max(0, -eqUsd);
    const discount = Math.max(0, eqUsd) * (1 - params.discountRate(c));
    borrowedUsd += borrowed;
    discountUsd += discount;
    return { currency: c, equity: eq[c] ?? 0, equityUsd: eqUsd, borrowedUsd: borrowed, borrowImrUsd: borrowed * params.borrowImrDecimal, discountRate: params.discountRate(c), discountUsd: discount };
  });
  const borrowMmr = borrowedUsd * params.borrowMmrDecimal;
  const borrowImr = borrowedUsd * params.borrowImrDecimal;
  const totalMmr = derivMmr + borrowMmr;
  const totalImr = derivImr + borrowImr;
  const adjustedEquityUsd = equityUsd - discountUsd;
  const liquidationCostUsd = borrowedUsd * params.liquidationCostRateOnBorrowDecimal;
  const denominator = totalMmr + liquidationCostUsd;
  return {
    currency: "USD",
    initialMargin: borrowImr + discountUsd,
    maintenanceMargin: borrowMmr + discountUsd,
    initialMarginUsd: borrowImr + discountUsd,
    maintenanceMarginUsd: borrowMmr + discountUsd,
    components: { mr8: borrowMmr, borrowMmr, borrowImr, collateralDiscount: discountUsd },
    details: {
      currencies: lines,
      equityUsd,
      adjustedEquityUsd,
      borrowedUsd,
      derivMmr,
      derivImr,
      borrowMmr,
      borrowImr,
      totalMmr,
      totalImr,
      liquidationCostUsd,
      marginRatio: denominator > 0 ? adjustedEquityUsd / denominator : null,
    },
  };
}

/** An {@link OkxModel} bound to a validated parameter set. */
export function createOkxModel(params: OkxParams): OkxModel {
  return {
    id: OKX_MODEL_ID,
    parameterSet: params.info,
    params,
    computeResult: (portfolio, market) => computeOkxMargin(portfolio, market, params),
    compute(portfolio, market) {
      const r = computeOkxMargin(portfolio, market, params);
      if (!r.ok) throw new NetriskError(r.issues);
      return r.value;
    },
  };
}
