/**
 * An account and its figures: equity (margin balance), initial and maintenance margin, available funds, maintenance
 * and IM ratios, each in USD and in the account's currencies, with the health state.
 *
 *   equity  = Σ balances × USD price + Σ position values (valuation.ts)
 *   IM      = Σ_buckets tiers(model IM_b) + haircuts_IM + borrow_IM + de-peg      (collateral.ts, tiers.ts)
 *   MM      = Σ_buckets tiers(model MM_b) + haircuts_MM + borrow_MM
 *   available funds = equity − IM;  maintenance ratio = MM / equity;  IM ratio = IM / equity
 * The account is cross-collateral with a USD numeraire (Deribit X:PM-style): every bucket's margin is converted to
 * USD and compared with the USD equity. Figures "in a currency" are the USD figures divided by its USD price.
 * @module
 */
import { fail, guardFinite, ok } from "../errors.js";
import type { Result } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import type { MarginResult, ResolvedPortfolio, ResolvedPosition } from "../models/types.js";
import { currencyUsdRate, hasUsdRate } from "../risk/marks.js";
import { collateralCharges } from "./collateral.js";
import type { CollateralLine } from "./collateral.js";
import type { MarginEngine } from "./engine.js";
import { assessHealth, maintenanceRatioOf, ratioToEquity } from "./health.js";
import type { HealthAssessment, HealthFigures } from "./health.js";
import type { AccountRules } from "./rules.js";
import { applyTiers } from "./tiers.js";
import { valuePositions } from "./valuation.js";
import type { PositionValue } from "./valuation.js";

/** An account: derivative positions, balances per currency (negative = borrowed), its rules and margin engine. */
export interface Account {
  /** Derivative positions (spot positions of a portfolio are folded into `balances`). */
  readonly positions: readonly ResolvedPosition[];
  /** Balance per currency, in that currency; negative = borrowed. */
  readonly balances: Readonly<Record<string, number>>;
  readonly rules: AccountRules;
  /** The model bound to the market the account is valued in. */
  readonly engine: MarginEngine;
  /** The market whose marks are the futures' entry marks (default: the engine's market; see valuation.ts). */
  readonly reference?: MarketContext;
  readonly notes: readonly string[];
}

/** Build an account from a validated portfolio: spot positions join the balances of their currency. */
export function createAccount(portfolio: ResolvedPortfolio, engine: MarginEngine, rules: AccountRules): Account {
  const balances: Record<string, number> = { ...portfolio.collateral };
  const positions: ResolvedPosition[] = [];
  for (const p of portfolio.positions) {
    if (p.instrument.kind === "spot") balances[p.instrument.currency] = (balances[p.instrument.currency] ?? 0) + p.sizeCoin;
    else positions.push(p);
  }
  return { positions, balances, rules, engine, notes: portfolio.notes };
}

/** The same holdings valued in another engine (a moved market), futures against the original marks. */
export function inEngine(account: Account, engine: MarginEngine): Account {
  return { ...account, engine, reference: account.reference ?? account.engine.market };
}

/** USD figures of an account, with the ratios. */
export interface AccountFigures extends HealthFigures {
  readonly availableFundsUsd: number;
  /** IM / equity; null when equity ≤ 0 and IM > 0. */
  readonly initialMarginRatio: number | null;
}

/** A figure set in one currency (USD figures ÷ the currency's USD price). */
export interface CurrencyFigures {
  readonly priceUsd: number;
  readonly equity: number;
  readonly initialMargin: number;
  readonly maintenanceMargin: number;
  readonly availableFunds: number;
}

export interface BucketTierLine {
  readonly bucket: string;
  readonly currency: string;
  readonly modelInitialMarginUsd: number;
  readonly initialMarginUsd: number;
  readonly modelMaintenanceMarginUsd: number;
  readonly maintenanceMarginUsd: number;
  /** Tier reached by the bucket's IM and its marginal multiplier. */
  readonly tier: number;
  readonly marginalMultiplier: number;
}

/** Where IM and MM come from, USD. */
export interface MarginBreakdown {
  readonly modelInitialMarginUsd: number;
  readonly modelMaintenanceMarginUsd: number;
  /** After margin tiers (equal to the model figures without tiers). */
  readonly tieredInitialMarginUsd: number;
  readonly tieredMaintenanceMarginUsd: number;
  readonly buckets: readonly BucketTierLine[];
  readonly haircutImUsd: number;
  readonly haircutMmUsd: number;
  readonly borrowImUsd: number;
  readonly borrowMmUsd: number;
  readonly depegImUsd: number;
}

export interface AccountEvaluation {
  readonly figures: AccountFigures;
  /** The same figures in each currency the account settles or holds. */
  readonly inCurrency: Readonly<Record<string, CurrencyFigures>>;
  readonly health: HealthAssessment;
  readonly breakdown: MarginBreakdown;
  readonly collateral: readonly CollateralLine[];
  readonly positions: readonly PositionValue[];
  /** The model's own result (buckets, scenarios, contributions). */
  readonly margin: MarginResult;
  readonly notes: readonly string[];
}

// A quotient over a vanishing equity (a subnormal balance) overflows: no meaningful ratio then either (null).
const ratio = (x: number, equity: number): number | null => ratioToEquity(x, equity);

// The account each evaluation was computed from (weak: kept only while the evaluation is), so that a later evaluation
// can take what did not change from it (see `basis` below) after checking it was the same engine and reference market.
const evaluatedFrom = new WeakMap<AccountEvaluation, Account>();
// A basis's values by position, made once per basis (weak, like the above): it depends on the basis alone, and the
// server evaluates every what-if on an account version against the same basis (a Map of ~50 entries per what-if was
// a tenth of its garbage). Read-only to its users.
const knownOfBasis = new WeakMap<AccountEvaluation, ReadonlyMap<ResolvedPosition, PositionValue>>();

export interface EvaluateOptions {
  /**
   * An evaluation of a nearby account (the account before hypothetical trades: what-if): the values of the positions
   * that are the same objects, and the risk-matrix buckets whose positions are unchanged, are taken from it instead of
   * recomputed. The numbers are identical; only the work differs. Ignored unless it was computed by this function on
   * the same engine and reference market.
   */
  readonly basis?: AccountEvaluation;
}

/** Position values of `basis` by position object, when it was evaluated in the same engine and reference market. */
function knownValues(account: Account, basis: AccountEvaluation | undefined): ReadonlyMap<ResolvedPosition, PositionValue> | undefined {
  const from = basis === undefined ? undefined : evaluatedFrom.get(basis);
  if (basis === undefined || from === undefined || from.engine !== account.engine || from.reference !== account.reference) return undefined;
  let known = knownOfBasis.get(basis);
  if (known === undefined) {
    const made = new Map<ResolvedPosition, PositionValue>();
    let k = 0;
    for (const p of from.positions) {
      if (p.instrument.kind === "spot") continue;
      const v = basis.positions[k++];
      if (v !== undefined) made.set(p, v);
    }
    knownOfBasis.set(basis, made);
    known = made;
  }
  return known;
}

/**
 * Every figure of an account in its engine's market. Issues: the model's (e.g. `unsupported`), `missing_index` for a
 * balance without a USD price. Every number is finite for a validated account.
 */
export function evaluateAccount(account: Account, options: EvaluateOptions = {}): Result<AccountEvaluation> {
  const { engine, rules } = account;
  const market = engine.market;
  const known = knownValues(account, options.basis);
  const margin = engine.margin(account.positions, account.balances, account.notes, known !== undefined && options.basis !== undefined ? { previous: options.basis.margin } : {});
  if (!margin.ok) return margin;
  const m = margin.value;
  const buckets: BucketTierLine[] = [];
  const stableIm: Record<string, number> = {};
  let tieredIm = 0;
  let tieredMm = 0;
  for (const [key, b] of Object.entries(m.byCurrency)) {
    const im = applyTiers(b.initialMarginUsd, rules.marginTiers);
    const mm = applyTiers(b.maintenanceMarginUsd, rules.marginTiers);
    buckets.push({
      bucket: key,
      currency: b.currency,
      modelInitialMarginUsd: b.initialMarginUsd,
      initialMarginUsd: im.tieredUsd,
      modelMaintenanceMarginUsd: b.maintenanceMarginUsd,
      maintenanceMarginUsd: mm.tieredUsd,
      tier: im.tier,
      marginalMultiplier: im.marginalMultiplier,
    });
    tieredIm += im.tieredUsd;
    tieredMm += mm.tieredUsd;
    stableIm[b.currency] = (stableIm[b.currency] ?? 0) + im.tieredUsd;
  }
  const charges = collateralCharges(account.balances, market, rules, engine, stableIm);
  if (!charges.ok) return charges;
  const c = charges.value;
  const positions = valuePositions(account.positions, market, account.reference, known);
  let equityUsd = c.valueUsd;
  for (const p of positions) equityUsd += p.valueUsd;
  const imUsd = tieredIm + c.haircutImUsd + c.borrowImUsd + c.depegImUsd;
  const mmUsd = tieredMm + c.haircutMmUsd + c.borrowMmUsd;
  const figures: AccountFigures = {
    equityUsd,
    initialMarginUsd: imUsd,
    maintenanceMarginUsd: mmUsd,
    availableFundsUsd: equityUsd - imUsd,
    maintenanceRatio: maintenanceRatioOf(equityUsd, mmUsd),
    initialMarginRatio: ratio(imUsd, equityUsd),
  };
  // The finite-number guard (errors.ts) on the figures every caller reads, naming the figure.
  const guarded = guardFinite(figures, `account evaluation (model ${account.engine.model.id})`);
  if (!guarded.ok) return fail(...guarded.issues.map((i) => ({ ...i, path: `figures.${i.path}` })));
  const currencies = new Set<string>([...Object.keys(account.balances), ...account.positions.map((p) => (p.instrument.kind === "spot" ? p.instrument.currency : p.instrument.settlementCurrency))]);
  const inCurrency: Record<string, CurrencyFigures> = {};
  for (const cur of [...currencies].sort()) {
    if (!hasUsdRate(market, cur)) continue;
    const p = currencyUsdRate(market, cur);
    inCurrency[cur] = { priceUsd: p, equity: equityUsd / p, initialMargin: imUsd / p, maintenanceMargin: mmUsd / p, availableFunds: (equityUsd - imUsd) / p };
  }
  const notes = [...m.notes];
  if (engine.collateralHandling === "model")
    notes.push(`${m.model} values collateral itself (haircuts, risk-cancelling collateral, peg loss): the account layer adds no collateral charge`);
  const offset = c.lines.filter((l) => l.treatment === "offset").map((l) => l.currency);
  if (offset.length > 0)
    notes.push(`${offset.join(", ")} balance${offset.length > 1 ? "s" : ""} offset ${offset.length > 1 ? "their" : "its"} own price risk in the risk matrix (equity_side_impact "both"): no haircut`);
  const evaluation: AccountEvaluation = {
    figures,
    inCurrency,
    health: assessHealth(figures, rules.health),
    breakdown: {
      modelInitialMarginUsd: m.totalUsd.initialMargin,
      modelMaintenanceMarginUsd: m.totalUsd.maintenanceMargin,
      tieredInitialMarginUsd: tieredIm,
      tieredMaintenanceMarginUsd: tieredMm,
      buckets,
      haircutImUsd: c.haircutImUsd,
      haircutMmUsd: c.haircutMmUsd,
      borrowImUsd: c.borrowImUsd,
      borrowMmUsd: c.borrowMmUsd,
      depegImUsd: c.depegImUsd,
    },
    collateral: c.lines,
    positions,
    margin: m,
    notes,
  };
  evaluatedFrom.set(evaluation, account);
  return ok(evaluation);
}
