/**
 * Seeded random liquidatable accounts for the liquidation properties (test/account/liquidation-properties.test.ts) and
 * the long fuzz run (`npm run fuzz`). Synthetic: the small hand-written market of helpers.ts with bid/ask quotes on
 * the options (tight and wide spreads, as real chains have), and every margin model of the registry, the statistical
 * ones bound to a seeded random joint scenario set (no real history needed).
 */
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { evaluateAccount } from "../../src/account/account.js";
import type { Account } from "../../src/account/account.js";
import { applyLiquidationPlan } from "../../src/account/liquidation.js";
import type { LiquidationPlan } from "../../src/account/liquidation.js";
import { adjustBalances, applyTrades, priceWithSlippage } from "../../src/account/trades.js";
import type { DerivativeInstrument } from "../../src/market/types.js";
import { currencyUsdRate } from "../../src/risk/marks.js";
import { unwrap } from "../../src/errors.js";
import { loadAccount } from "../../src/io/account.js";
import type { MarketContext } from "../../src/market/context.js";
import type { InstrumentQuote } from "../../src/market/types.js";
import { createModel } from "../../src/models/registry.js";
import type { MarginModel } from "../../src/models/types.js";
import { black76PriceCoin, black76PriceUsd } from "../../src/pricing/black76.js";
import { randomJointSet } from "../var/sets.js";
import { AS_OF_MS, smallMarket, smallSnapshot } from "./helpers.js";

const preset = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../presets/${name}.json`, import.meta.url), "utf8")) as unknown;

/** The models the properties run over: every registered model. */
export const LIQUIDATION_MODELS = ["deribit", "standard", "span", "greeks", "derive-pmrm2", "var", "hybrid"] as const;
export type LiquidationModel = (typeof LIQUIDATION_MODELS)[number];

const INVERSE = ["BTC-30JAN26-50000-P", "BTC-30JAN26-60000-C", "BTC-30JAN26-70000-C", "BTC-27MAR26-60000-P", "BTC-27MAR26-70000-C", "BTC-PERPETUAL", "BTC-27MAR26", "ETH-PERPETUAL"];
const LINEAR = ["BTC_USDC-30JAN26-50000-P", "BTC_USDC-30JAN26-60000-C", "BTC_USDC-27MAR26-70000-C", "BTC_USDC-PERPETUAL", "ETH_USDC-PERPETUAL"];

/** Instruments a model can margin (Derive PMRM_2: the USDC family only). */
export function universeOf(model: LiquidationModel): readonly string[] {
  return model === "derive-pmrm2" ? LINEAR : [...INVERSE, ...LINEAR];
}

/**
 * The small market with bid/ask on every option: half-spread `spreadDecimal` of the option's price (at least one tick,
 * 0.0001 coin or 1 USD), so selling or buying back options costs what a real book costs.
 */
export function liquidationMarket(spreadDecimal: number): MarketContext {
  const base = smallSnapshot();
  const instruments: Record<string, InstrumentQuote> = {};
  for (const [name, q] of Object.entries(base.instruments)) {
    const m = /^BTC(_USDC)?-(\w+)-(\d+)-([CP])$/.exec(name);
    if (m === null || q.markIv === undefined || q.underlyingPrice === undefined) continue;
    const expiryMs = Date.parse(m[2] === "30JAN26" ? "2026-01-30T08:00:00Z" : "2026-03-27T08:00:00Z");
    const args = { isCall: m[4] === "C", forwardUsd: q.underlyingPrice, strikeUsd: Number(m[3]), timeYears: (expiryMs - AS_OF_MS) / (365.25 * 86_400_000), volDecimal: q.markIv };
    const linear = m[1] !== undefined;
    const price = linear ? black76PriceUsd(args) : black76PriceCoin(args);
    const half = Math.max(price * spreadDecimal, linear ? 1 : 0.0001);
    instruments[name] = { ...q, markPrice: price, bidPrice: Math.max(price - half, linear ? 1 : 0.0001), askPrice: price + half };
  }
  return smallMarket({ instruments });
}

let modelCache: Map<string, MarginModel> | undefined;

/** The model of an id (statistical models bound to a seeded random BTC/ETH/USDC set with the preset's 2-day horizon). */
export function modelOf(id: LiquidationModel): MarginModel {
  modelCache ??= new Map();
  const cached = modelCache.get(id);
  if (cached) return cached;
  let model: MarginModel;
  if (id === "var" || id === "hybrid") {
    const set = { ...randomJointSet({ seed: 11, count: 400, priceFactors: ["BTC", "ETH", "USDC"], logVol: [0.06, 0.08, 0.002], volFactors: ["BTC"] }), horizonDays: 2 };
    const parameterSet = preset(id === "var" ? "var-default" : "hybrid-default");
    model = unwrap(createModel(id, { parameterSet, statistical: { scenarios: set }, ...(id === "hybrid" ? { riskMatrixParameterSet: preset("deribit") } : {}) }));
  } else model = unwrap(createModel(id, { parameterSet: preset({ deribit: "deribit", standard: "standard-deribit", span: "span-crypto", greeks: "greeks-default", "derive-pmrm2": "derive-pmrm2" }[id]) }));
  modelCache.set(id, model);
  return model;
}

/** One generated case: the account file's positions and collateral, the model, and how far past liquidation. */
export interface AccountCase {
  readonly model: LiquidationModel;
  readonly spreadDecimal: number;
  readonly positions: readonly { readonly instrument: string; readonly size: number }[];
  readonly btc: number;
  /** MM / equity the USDC balance is chosen for (≥ 1: liquidatable). */
  readonly excess: number;
}

/** Arbitrary cases for one model (or any model). */
export function accountCaseArb(models: readonly LiquidationModel[] = LIQUIDATION_MODELS): fc.Arbitrary<AccountCase> {
  return fc.constantFrom(...models).chain((model) => {
    const universe = universeOf(model);
    return fc.record({
      model: fc.constant(model),
      spreadDecimal: fc.constantFrom(0.01, 0.05, 0.3),
      positions: fc.uniqueArray(
        fc.record({ instrument: fc.constantFrom(...universe), size: fc.double({ min: -12, max: 12, noNaN: true }).filter((x) => Math.abs(x) >= 0.05) }),
        { minLength: 1, maxLength: 5, selector: (p) => p.instrument },
      ),
      btc: fc.oneof(fc.constant(0), fc.double({ min: -2, max: 4, noNaN: true })),
      excess: fc.double({ min: 1.0, max: 3, noNaN: true }),
    });
  });
}

const markets = new Map<number, MarketContext>();

/**
 * Build the account of a case: the USDC balance is chosen so that MM = excess × equity (liquidatable, solvent when
 * that USDC is ≥ the rest's deficit). Undefined when the model rejects the book or the account is not liquidatable.
 */
export function buildCase(c: AccountCase, inMarket?: MarketContext): Account | undefined {
  let market = inMarket ?? markets.get(c.spreadDecimal);
  if (!market) markets.set(c.spreadDecimal, (market = liquidationMarket(c.spreadDecimal)));
  const model = modelOf(c.model);
  const positions = c.positions.map((p) => ({ instrument: p.instrument, size: ETH_SCALE(p.instrument) * p.size }));
  const file = (usdc: number) => ({ positions, collateral: { BTC: c.btc, USDC: usdc } });
  const probe = loadAccount(file(0), market, { model });
  if (!probe.ok) return undefined;
  const ev = evaluateAccount(probe.value.account);
  if (!ev.ok) return undefined;
  const mm = ev.value.figures.maintenanceMarginUsd;
  if (!(mm > 100)) return undefined;
  const usdc = mm / c.excess - ev.value.figures.equityUsd;
  const a = loadAccount(file(usdc), market, { model, engine: probe.value.engine });
  if (!a.ok) return undefined;
  const start = evaluateAccount(a.value.account);
  if (!start.ok || (start.value.health.state !== "liquidation" && start.value.health.state !== "bankrupt")) return undefined;
  return a.value.account;
}

const ETH_SCALE = (name: string): number => (name.startsWith("ETH") ? 20 : 1);

/**
 * The account after closing every position at mark ± slippage and converting every balance but USDC into USDC (or
 * buying the coin a negative balance owes), each conversion paying the rules' conversion rate: what a full close-out
 * leaves. Built here from the trade primitives, independently of the planner's own close-out.
 */
export function closedOut(a: Account): Account {
  const market = a.engine.market;
  const trades = a.positions.map((p) => priceWithSlippage(p.instrument as DerivativeInstrument, -p.sizeCoin, market, a.rules));
  const closed = applyTrades(a, trades);
  const deltas: Record<string, number> = {};
  let usdc = 0;
  for (const [c, amount] of Object.entries(closed.balances)) {
    if (c === "USDC" || amount === 0) continue;
    const valueUsd = amount * currencyUsdRate(market, c);
    deltas[c] = -amount;
    usdc += valueUsd - Math.abs(valueUsd) * a.rules.slippage.conversionDecimal;
  }
  deltas.USDC = usdc / currencyUsdRate(market, "USDC");
  return adjustBalances(closed, deltas);
}

/** What a plan got wrong against the properties of the issue (empty when nothing). */
export function planViolations(a: Account, plan: LiquidationPlan): string[] {
  const out: string[] = [];
  const start = unwrap(evaluateAccount(a)).figures;
  const end = unwrap(evaluateAccount(closedOut(a))).figures;
  const restorable = end.maintenanceMarginUsd < plan.targetRatio * end.equityUsd;
  if (restorable && plan.status !== "restored") out.push(`not restored (${plan.status}: ${plan.reason}) although a full close-out leaves equity ${end.equityUsd.toFixed(2)}, MM ${end.maintenanceMarginUsd.toFixed(2)}`);
  if (start.equityUsd >= 0) {
    for (const s of plan.steps) if (s.after.equityUsd < 0) out.push(`step ${s.step} (${s.kind}) leaves equity ${s.after.equityUsd.toFixed(2)} < 0`);
  }
  // Fee cap: a step's fee ≤ feeCapFraction × the surplus over MM / target after the step's trades (before the fee),
  // and ≤ the fee rate × the step's notional. The pre-fee figures come from replaying the step without its fee.
  let state = a;
  for (const s of plan.steps) {
    const traded = adjustBalances(applyTrades(state, s.trades), s.balanceChanges);
    const pre = unwrap(evaluateAccount(traded)).figures;
    const cap = a.rules.liquidation.feeCapFraction * Math.max(0, pre.equityUsd - pre.maintenanceMarginUsd / plan.targetRatio);
    if (s.feeUsd > cap * (1 + 1e-9) + 1e-9) out.push(`step ${s.step}: fee ${s.feeUsd} above the cap ${cap}`);
    if (s.feeUsd > a.rules.liquidation.feeRateDecimal * s.notionalUsd * (1 + 1e-9) + 1e-9) out.push(`step ${s.step}: fee above the rate × notional`);
    state = s.feeCharge === null ? traded : adjustBalances(traded, { [s.feeCharge.currency]: -s.feeCharge.amount });
  }
  const replay = unwrap(evaluateAccount(applyLiquidationPlan(a, plan))).figures;
  if (replay.equityUsd !== plan.after.equityUsd || replay.maintenanceMarginUsd !== plan.after.maintenanceMarginUsd) out.push("the replay does not reproduce the plan's figures");
  if (plan.status === "restored" && !(plan.after.maintenanceMarginUsd < plan.targetRatio * plan.after.equityUsd)) out.push("restored but above the target");
  return out;
}
