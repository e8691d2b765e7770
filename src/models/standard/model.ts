/**
 * The standard (isolated) margin model `standard`: every position margined on its own, as Deribit's standard margin
 * does it (docs/methodology.md "Standard margin"). No offsets between positions: a long and a short future both
 * pay. One bucket per settlement currency (BTC for inverse BTC contracts, USDC for the linear family).
 *
 * - futures/perpetuals: IM = |size| × (initialBase + |size| × increment) in coin, MM likewise with maintenanceBase;
 *   linear contracts pay it in USDC at the mark (× markUsd).
 * - short options: the per-coin formulas of `formulas.ts` × |size| (× underlying price for linear options).
 * - long options: IM = MM = 0. Their premium is paid in full when bought (it leaves the cash balance, and the
 *   option's mark value then counts in equity), so nothing more is required; the mark value is reported in
 *   `details.longOptionsValue`, not added to the margin.
 * - spot balances (positions in a currency): no margin.
 * @module
 */
import { issue, joinPath, NetriskError } from "../../errors.js";
import type { Issue } from "../../errors.js";
import type { MarketContext } from "../../market/context.js";
import type { DerivativeInstrument, OptionInstrument } from "../../market/types.js";
import { currencyUsdRate, optionMarkPrice } from "../../risk/marks.js";
import type { BucketMargin, MarginModel, MarginResult, ResolvedPortfolio, ResolvedPosition } from "../types.js";
import { futureMarginRates, shortOptionMarginPerCoin } from "./formulas.js";
import type { StandardParams } from "./params.js";

/** Model id, also the `model` field of its parameter sets. */
export const STANDARD_MODEL_ID = "standard";

/** Audit line of one position, in its bucket's currency. */
export interface StandardPositionMargin {
  readonly instrument: string;
  readonly sizeCoin: number;
  readonly initialMargin: number;
  readonly maintenanceMargin: number;
  /** Futures: IM/MM as decimals of notional; options: per coin of underlying in coin. */
  readonly initialRate: number;
  readonly maintenanceRate: number;
  /** Futures: mark USD per coin; options: mark in the settlement currency per coin of underlying. */
  readonly markPrice: number;
}

interface BucketAcc {
  futuresInitial: number;
  futuresMaintenance: number;
  shortOptionsInitial: number;
  shortOptionsMaintenance: number;
  longOptionsValue: number;
  readonly positions: StandardPositionMargin[];
}

/**
 * Positions the parameter set cannot margin: futures/perpetuals on a base without rates (`unsupported`, path
 * `positions[i].instrument` of the first input position). Empty when `computeStandard` can run.
 */
export function standardSupportIssues(portfolio: ResolvedPortfolio, params: StandardParams): Issue[] {
  const issues: Issue[] = [];
  portfolio.positions.forEach((p, i) => {
    const inst = p.instrument;
    if ((inst.kind === "future" || inst.kind === "perpetual") && params.futures[inst.base] === undefined) {
      const known = Object.keys(params.futures).join(", ");
      issues.push(
        issue("unsupported", joinPath("positions", p.inputIndices[0] ?? i, "instrument"), `${inst.name}: parameter set ${params.info.name} has futures rates for ${known} only`),
      );
    }
  });
  return issues;
}

function futureMargin(p: ResolvedPosition, inst: DerivativeInstrument, market: MarketContext, params: StandardParams): StandardPositionMargin {
  const rates = params.futures[inst.base];
  if (rates === undefined) throw new Error(`no futures rates for ${inst.base} (checked by standardSupportIssues)`);
  const absSize = Math.abs(p.sizeCoin);
  const r = futureMarginRates(rates, absSize);
  const markUsd = market.futureMarkUsd(inst);
  // Inverse: margin in coin on the coin size (Deribit: USD notional / mark). Linear: USDC on the USD notional.
  const notional = inst.settlement === "inverse" ? absSize : absSize * markUsd;
  return {
    instrument: inst.name,
    sizeCoin: p.sizeCoin,
    initialMargin: notional * r.initialDecimal,
    maintenanceMargin: notional * r.maintenanceDecimal,
    initialRate: r.initialDecimal,
    maintenanceRate: r.maintenanceDecimal,
    markPrice: markUsd,
  };
}

function optionMargin(p: ResolvedPosition, inst: OptionInstrument, market: MarketContext, params: StandardParams): StandardPositionMargin {
  const mark = optionMarkPrice(inst, market);
  if (p.sizeCoin >= 0) {
    return { instrument: inst.name, sizeCoin: p.sizeCoin, initialMargin: 0, maintenanceMargin: 0, initialRate: 0, maintenanceRate: 0, markPrice: mark };
  }
  const underlyingUsd = market.optionInputs(inst).forwardUsd;
  const inverse = inst.settlement === "inverse";
  const m = shortOptionMarginPerCoin(params.options, {
    optionKind: inst.optionKind,
    strikeUsd: inst.strikeUsd,
    underlyingUsd,
    markCoin: inverse ? mark : mark / underlyingUsd,
  });
  // Linear (USDC) options: the coin formula times the underlying price (no published USDC formula; see the preset).
  const scale = Math.abs(p.sizeCoin) * (inverse ? 1 : underlyingUsd);
  return {
    instrument: inst.name,
    sizeCoin: p.sizeCoin,
    initialMargin: m.initialCoin * scale,
    maintenanceMargin: m.maintenanceCoin * scale,
    initialRate: m.initialCoin,
    maintenanceRate: m.maintenanceCoin,
    markPrice: mark,
  };
}

/**
 * Standard margin of a portfolio. Throws a `NetriskError` (code `unsupported`) when a future's base has no rates in
 * the parameter set; call {@link standardSupportIssues} first to get those issues as data.
 */
export function computeStandard(portfolio: ResolvedPortfolio, market: MarketContext, params: StandardParams): MarginResult {
  const problems = standardSupportIssues(portfolio, params);
  if (problems.length > 0) throw new NetriskError(problems);
  const accs = new Map<string, BucketAcc>();
  for (const p of portfolio.positions) {
    const inst = p.instrument;
    if (inst.kind === "spot") continue;
    let acc = accs.get(inst.settlementCurrency);
    if (acc === undefined) {
      acc = { futuresInitial: 0, futuresMaintenance: 0, shortOptionsInitial: 0, shortOptionsMaintenance: 0, longOptionsValue: 0, positions: [] };
      accs.set(inst.settlementCurrency, acc);
    }
    if (inst.kind === "option") {
      const m = optionMargin(p, inst, market, params);
      acc.shortOptionsInitial += m.initialMargin;
      acc.shortOptionsMaintenance += m.maintenanceMargin;
      if (p.sizeCoin > 0) acc.longOptionsValue += p.sizeCoin * m.markPrice;
      acc.positions.push(m);
    } else {
      const m = futureMargin(p, inst, market, params);
      acc.futuresInitial += m.initialMargin;
      acc.futuresMaintenance += m.maintenanceMargin;
      acc.positions.push(m);
    }
  }
  const byCurrency: Record<string, BucketMargin> = {};
  let totalIm = 0;
  let totalMm = 0;
  // Buckets in alphabetical order so the output does not depend on the order of the positions.
  for (const currency of [...accs.keys()].sort()) {
    const a = accs.get(currency) as BucketAcc;
    const usd = currencyUsdRate(market, currency);
    const im = a.futuresInitial + a.shortOptionsInitial;
    const mm = a.futuresMaintenance + a.shortOptionsMaintenance;
    byCurrency[currency] = {
      currency,
      initialMargin: im,
      maintenanceMargin: mm,
      initialMarginUsd: im * usd,
      maintenanceMarginUsd: mm * usd,
      components: {
        futuresInitial: a.futuresInitial,
        futuresMaintenance: a.futuresMaintenance,
        shortOptionsInitial: a.shortOptionsInitial,
        shortOptionsMaintenance: a.shortOptionsMaintenance,
      },
      details: { usdPerUnit: usd, longOptionsValue: a.longOptionsValue, positions: a.positions },
    };
    totalIm += im * usd;
    totalMm += mm * usd;
  }
  const conventions = new Set(portfolio.positions.map((p) => p.sizeConvention));
  return {
    model: STANDARD_MODEL_ID,
    parameterSet: params.info,
    byCurrency,
    totalUsd: { initialMargin: totalIm, maintenanceMargin: totalMm },
    sizeConventions: (["coin", "usd"] as const).filter((c) => conventions.has(c)),
    notes: [...portfolio.notes],
  };
}

/** The standard model with the validated parameter set it is bound to (a partition snapshot carries it). */
export interface StandardModel extends MarginModel {
  readonly params: StandardParams;
}

/** A {@link MarginModel} bound to a validated standard parameter set (see `parseStandardParams`). */
export function createStandardModel(params: StandardParams): StandardModel {
  return {
    id: STANDARD_MODEL_ID,
    parameterSet: params.info,
    params,
    compute: (portfolio, market) => computeStandard(portfolio, market, params),
  };
}
