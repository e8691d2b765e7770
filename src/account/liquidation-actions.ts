/**
 * The candidate actions of the liquidation planner (liquidation.ts), each a set of trades priced at mark ± slippage
 * and balance changes (conversions), with its slippage cost and notional, and the same action scaled by λ ∈ (0, 1] for
 * trimming the step that restores the target.
 *
 * Actions:
 * - `reduce`: one position towards 0 by `stepFraction` of its size when the plan started;
 * - `reduce_and_convert`: the same, and the coin its trade pays or owes converted at once (selling a long coin-settled
 *   option pays coin that is charged a haircut or adds spot risk until converted; buying back a short one may leave a
 *   borrowed coin balance): the two steps a greedy search cannot find one at a time;
 * - `reduce_all`: every position by `stepFraction` of its current size, and every position by the same share (trimmed);
 * - `hedge`: the whole net delta of one underlying in one settlement family with its perpetual;
 * - `convert`: repay a borrowed balance from a positive one;
 * - `close_out`: close every position and convert every balance but USDC into USDC: what the account is worth, in
 *   cash, when nothing is left to liquidate (the fallback that makes every restorable account restored).
 * Conversions pay the rules' `conversionDecimal` of the converted value; USDC is the numeraire they convert into.
 * @module
 */
import type { DerivativeInstrument } from "../market/types.js";
import type { ResolvedPosition } from "../models/types.js";
import { currencyUsdRate } from "../risk/marks.js";
import { valuePortfolio } from "../risk/valuation.js";
import type { Account } from "./account.js";
import { applyTrades, priceWithSlippage } from "./trades.js";
import type { Trade } from "./trades.js";

export type PlanActionKind = "reduce" | "reduce_and_convert" | "reduce_all" | "hedge" | "convert" | "close_out";

/** The currency conversions convert into. */
export const NUMERAIRE = "USDC";

export interface Candidate {
  readonly kind: PlanActionKind;
  readonly description: string;
  readonly trades: readonly Trade[];
  /** Balance changes besides the trades' cash (conversions), per currency, in that currency. */
  readonly balanceChanges: Readonly<Record<string, number>>;
  /** Slippage of the trades plus the cost of the conversions, USD (≥ 0 for mark ± half-spread prices). */
  readonly slippageCostUsd: number;
  readonly notionalUsd: number;
  readonly feeCurrency: string;
  /** The same action with every size × λ (λ in (0, 1]), for trimming the step that restores the target. */
  readonly scale: (lambda: number) => Candidate;
}

function tradeNotionalUsd(trades: readonly Trade[], account: Account): number {
  const market = account.engine.market;
  return trades.reduce((s, t) => s + Math.abs(t.sizeCoin) * market.indexUsd(t.instrument.base), 0);
}

/** "sell 2 BTC-PERPETUAL @ 59970 (mark 60000)". */
export function describeTrade(t: Trade): string {
  return `${t.sizeCoin > 0 ? "buy" : "sell"} ${Number(Math.abs(t.sizeCoin).toPrecision(10))} ${t.instrument.name} @ ${Number(t.price.toPrecision(10))} (mark ${Number(t.markPrice.toPrecision(10))})`;
}

/** A set of conversions being built (mutable while built, then read only through a Candidate). */
interface Conversion {
  changes: Record<string, number>;
  costUsd: number;
  valueUsd: number;
  text: string[];
}

/**
 * Convert `amount` of `currency` into the numeraire (amount > 0: sell it; amount < 0: buy −amount, repaying a borrowed
 * balance), paying the conversion rate on the value.
 */
function convertToNumeraire(account: Account, currency: string, amount: number, into: Conversion): void {
  if (currency === NUMERAIRE || amount === 0 || !Number.isFinite(amount)) return;
  const market = account.engine.market;
  const value = amount * currencyUsdRate(market, currency);
  const cost = Math.abs(value) * account.rules.slippage.conversionDecimal;
  into.changes[currency] = (into.changes[currency] ?? 0) - amount;
  into.changes[NUMERAIRE] = (into.changes[NUMERAIRE] ?? 0) + (value - cost) / currencyUsdRate(market, NUMERAIRE);
  into.costUsd += cost;
  into.valueUsd += Math.abs(value);
  into.text.push(amount > 0 ? `convert ${Number(amount.toPrecision(10))} ${currency} to ${NUMERAIRE}` : `buy ${Number((-amount).toPrecision(10))} ${currency} with ${NUMERAIRE} to repay it`);
}

const emptyConversion = (): Conversion => ({ changes: {}, costUsd: 0, valueUsd: 0, text: [] });

/**
 * The conversion that settles what `trades` did to non-numeraire balances: coin paid in is sold (up to the balance
 * left), a balance the trades pushed below 0 is bought back.
 */
function proceedsConversion(account: Account, trades: readonly Trade[]): Conversion {
  const conv = emptyConversion();
  const cash = new Map<string, number>();
  for (const t of trades) if (t.cashCurrency !== NUMERAIRE) cash.set(t.cashCurrency, (cash.get(t.cashCurrency) ?? 0) + t.cash);
  for (const [c, paid] of cash) {
    const before = account.balances[c] ?? 0;
    const after = before + paid;
    // Coin paid in: sell what is left once a borrowed balance is repaid. Coin paid out: buy back what it borrowed.
    if (paid > 0) convertToNumeraire(account, c, Math.min(paid, Math.max(after, 0)), conv);
    else convertToNumeraire(account, c, Math.min(after, 0) - Math.min(before, 0), conv);
  }
  return conv;
}

function candidate(
  kind: PlanActionKind,
  account: Account,
  trades: readonly Trade[],
  conv: Conversion,
  describe: (trades: readonly Trade[], conv: Conversion) => string,
  scale: (lambda: number) => Candidate,
): Candidate {
  return {
    kind,
    description: describe(trades, conv),
    trades,
    balanceChanges: conv.changes,
    slippageCostUsd: trades.reduce((s, t) => s + t.costUsd, 0) + conv.costUsd,
    notionalUsd: tradeNotionalUsd(trades, account) + conv.valueUsd,
    feeCurrency: trades.length > 0 && kind !== "close_out" ? (trades[0] as Trade).cashCurrency : NUMERAIRE,
    scale,
  };
}

const tradesText = (ts: readonly Trade[]): string => ts.map(describeTrade).join("; ");

/** Trades of `positions`, each reduced by `sizeOf(p)` (signed towards 0), at mark ± slippage. */
function reductions(account: Account, positions: readonly ResolvedPosition[], sizeOf: (p: ResolvedPosition) => number): Trade[] {
  const market = account.engine.market;
  return positions.map((p) => priceWithSlippage(p.instrument as DerivativeInstrument, -Math.sign(p.sizeCoin) * sizeOf(p), market, account.rules));
}

function tradeAction(kind: PlanActionKind, account: Account, make: (lambda: number) => Trade[], convert: boolean, describe: (ts: readonly Trade[], c: Conversion) => string): Candidate {
  const build = (lambda: number): Candidate => {
    const trades = make(lambda);
    return candidate(kind, account, trades, convert ? proceedsConversion(account, trades) : emptyConversion(), describe, build);
  };
  return build(1);
}

/** Net delta (coin) per underlying and settlement family, offset coin balances included in the inverse family. */
function deltasOf(account: Account): Map<string, { base: string; family: "inverse" | "linear"; deltaCoin: number }> {
  const out = new Map<string, { base: string; family: "inverse" | "linear"; deltaCoin: number }>();
  const add = (base: string, family: "inverse" | "linear", d: number): void => {
    const key = `${base}:${family}`;
    const e = out.get(key);
    if (e === undefined) out.set(key, { base, family, deltaCoin: d });
    else e.deltaCoin += d;
  };
  const v = valuePortfolio({ positions: account.positions, collateral: {}, notes: [] }, account.engine.market);
  account.positions.forEach((p, i) => {
    const inst = p.instrument;
    if (inst.kind === "spot") return;
    add(inst.base, inst.settlement, v.positions[i]?.deltaCoin ?? 0);
  });
  for (const [c, amount] of Object.entries(account.balances)) if (account.engine.offsetsCurrency(c)) add(c, "inverse", amount);
  return out;
}

function perpetualOf(base: string, family: "inverse" | "linear"): DerivativeInstrument {
  return family === "inverse"
    ? { kind: "perpetual", name: `${base}-PERPETUAL`, base, settlement: "inverse", settlementCurrency: base }
    : { kind: "perpetual", name: `${base}_USDC-PERPETUAL`, base, settlement: "linear", settlementCurrency: "USDC" };
}

function repayCandidate(account: Account, debt: string, asset: string, valueUsd: number): Candidate {
  const market = account.engine.market;
  const pDebt = currencyUsdRate(market, debt);
  const pAsset = currencyUsdRate(market, asset);
  const cost = valueUsd * account.rules.slippage.conversionDecimal;
  const conv: Conversion = { changes: { [asset]: -valueUsd / pAsset, [debt]: (valueUsd - cost) / pDebt }, costUsd: cost, valueUsd, text: [] };
  return {
    ...candidate("convert", account, [], conv, () => `repay ${Number((valueUsd / pDebt).toPrecision(10))} ${debt} with ${Number((valueUsd / pAsset).toPrecision(10))} ${asset}`, (lambda) => repayCandidate(account, debt, asset, valueUsd * lambda)),
    feeCurrency: debt,
  };
}

/**
 * The full close-out scaled by λ: every position reduced by λ of its size, then λ of every balance but the numeraire
 * (after those trades) converted into it. λ = 1 leaves only a numeraire balance: the account's liquidation value.
 */
export function closeOutCandidate(account: Account, lambda = 1): Candidate {
  const live = account.positions.filter((p) => p.instrument.kind !== "spot" && p.sizeCoin !== 0);
  const trades = reductions(account, live, (p) => lambda * Math.abs(p.sizeCoin));
  const after = applyTrades(account, trades);
  const conv = emptyConversion();
  for (const [c, amount] of Object.entries(after.balances)) convertToNumeraire(account, c, lambda * amount, conv);
  const share = lambda === 1 ? "every position" : `${Number((lambda * 100).toPrecision(4))} % of every position`;
  return candidate("close_out", account, trades, conv, (ts, cv) => `close ${share} and convert the balances: ${[tradesText(ts), ...cv.text].filter(Boolean).join("; ")}`, (l) => closeOutCandidate(account, lambda * l));
}

/** Every candidate action on `account` (see the module doc). */
export function candidatesOf(account: Account, startSizes: ReadonlyMap<string, number>, stepFraction: number, hedges: boolean): Candidate[] {
  const market = account.engine.market;
  const out: Candidate[] = [];
  const stepOf = (p: ResolvedPosition): number => Math.min(Math.abs(p.sizeCoin), stepFraction * (startSizes.get(p.instrument.name) ?? Math.abs(p.sizeCoin)));
  const live = account.positions.filter((p) => p.instrument.kind !== "spot" && p.sizeCoin !== 0);
  for (const p of live) {
    const name = p.instrument.name;
    const make = (lambda: number): Trade[] => reductions(account, [p], (x) => lambda * stepOf(x));
    out.push(tradeAction("reduce", account, make, false, (ts) => `reduce ${name}: ${tradesText(ts)}`));
    if (p.instrument.kind !== "spot" && p.instrument.settlementCurrency !== NUMERAIRE)
      out.push(tradeAction("reduce_and_convert", account, make, true, (ts, c) => `reduce ${name} and settle its coin: ${[tradesText(ts), ...c.text].join("; ")}`));
  }
  if (live.length > 1) {
    // The same share of every position (of its current size): the book keeps its shape, so a scale-invariant margin
    // falls in proportion. Then closing everything at once, which the trim shrinks to the share needed.
    const pct = Math.round(stepFraction * 100);
    const share = (f: number) => (lambda: number) => reductions(account, live, (p) => lambda * f * Math.abs(p.sizeCoin));
    out.push(tradeAction("reduce_all", account, share(stepFraction), false, (ts) => `reduce every position by ${pct} %: ${tradesText(ts)}`));
    if (stepFraction < 1) out.push(tradeAction("reduce_all", account, share(1), false, (ts) => `reduce every position by the same share: ${tradesText(ts)}`));
  }
  if (hedges) {
    for (const d of deltasOf(account).values()) {
      const perp = perpetualOf(d.base, d.family);
      if (market.snapshot.instruments[perp.name] === undefined || !(Math.abs(d.deltaCoin) > 0)) continue;
      const delta = Number(d.deltaCoin.toPrecision(6));
      const make = (lambda: number): Trade[] => [priceWithSlippage(perp, -lambda * d.deltaCoin, market, account.rules)];
      out.push(tradeAction("hedge", account, make, false, (ts) => `hedge the ${d.base} ${d.family} delta (${delta} coin): ${tradesText(ts)}`));
    }
  }
  const negatives = Object.entries(account.balances).filter(([, a]) => a < 0);
  const positives = Object.entries(account.balances).filter(([, a]) => a > 0);
  for (const [debt, owed] of negatives) {
    for (const [asset, held] of positives) {
      if (asset === debt) continue;
      out.push(repayCandidate(account, debt, asset, Math.min(-owed * currencyUsdRate(market, debt), held * currencyUsdRate(market, asset))));
    }
  }
  return out;
}
