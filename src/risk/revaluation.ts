/**
 * Full revaluation of a portfolio under joint scenarios ({@link JointScenarioSet}): every position (and, when asked,
 * every collateral balance) is revalued in every scenario, options repriced with Black-76 — no Taylor shortcut. The
 * P&L is in USD, the currency the statistical margin models (VaR/ES) work in.
 *
 * Valuation of a leg of size q in a scenario where its base moves by m (g = 1 + m), its vol surface by the ratio r and
 * its settlement stablecoin by m_s (docs/methodology.md "VaR and expected shortfall"):
 * - option: forward F' = F·g (every expiry of a base moves by the same relative move), vol σ' = σ·r (sticky-strike),
 *   or σ' = r·σ·s(K/g)/s(K) with s the base's surface today at the option's expiry (sticky-moneyness: the smile moves
 *   with the forward, the option keeps its mark's ratio to the surface); same time to expiry and rate (an
 *   instantaneous shock of horizon size, no ageing). Inverse: USD P&L = q·(V'/F'·S' − V/F·S) with S' = S·g (the
 *   coin's own USD price); linear: q·(V'·ρ' − V·ρ), ρ the settlement currency's USD rate, ρ' = ρ·(1 + m_s). V is the
 *   Black-76 value at the market's inputs, so an unmoved scenario gives exactly 0.
 * - inverse future/perpetual: coin P&L q·m/(1 + m) at the coin's moved price: q·S·m USD.
 * - linear future/perpetual: q·mark·m in the settlement currency, at its moved USD rate.
 * - spot balance of currency c: amount·ρ_c·m_c (a stablecoin without a price factor stays at its rate).
 *
 * The fast path (revaluation-kernel.ts) and the straightforward reference (revaluation-reference.ts) compute the same
 * numbers; revaluation.test.ts bounds their difference.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import type { Instrument } from "../market/types.js";
import type { JointScenarioSet } from "./joint.js";
import { currencyUsdRate, hasUsdRate, USD_PEGGED_CURRENCIES } from "./marks.js";
import { fillBaseUnitValues, runKernel } from "./revaluation-kernel.js";
import type { KernelArrays, KernelGroups } from "./revaluation-kernel.js";
import type { OptionRow, Slots } from "./revaluation-rows.js";
import { smileArrays } from "./revaluation-smile.js";
import { checkJointScenarioSet } from "./joint-check.js";

export { checkJointScenarioSet };

/** How an option's implied vol follows a move of its forward (see the module comment). */
export type VolConvention = "sticky-strike" | "sticky-moneyness";

/** Whether a base's implied vols move in the scenarios (by the set's vol ratio) or stay as they are. */
export type VolMove = "vol-index-ratio" | "unchanged";

/** One thing to revalue: a position of the portfolio or a collateral balance (a spot instrument). */
export interface RevaluationLeg {
  /** Name in outputs: the instrument name, or e.g. `collateral:BTC`. Distinct within a book. */
  readonly label: string;
  readonly instrument: Instrument;
  /** Signed size in base-coin units (spot: the amount of that currency). */
  readonly sizeCoin: number;
  /** Issue path of the leg in the caller's input, e.g. `positions[3].instrument`. */
  readonly path: string;
}

export interface CompileOptions {
  readonly volConvention: VolConvention;
  /**
   * A leg whose currency has no price factor in the set: `error` (default, issue `unsupported`) or `unchanged`
   * (held at today's price, with a note; for named stresses that do not cover every asset).
   */
  readonly missingFactor?: "error" | "unchanged";
}

/** A portfolio compiled against one market and the factors of one scenario set, ready to revalue many times. */
export interface RevaluationBook {
  /** Legs in canonical order (by label), so results do not depend on the input order. */
  readonly legs: readonly RevaluationLeg[];
  /** Per leg: the currency whose price drives it (the base of a derivative, the currency of a balance). */
  readonly underlyingOfLeg: readonly string[];
  readonly volConvention: VolConvention;
  readonly missingFactor: "error" | "unchanged";
  /** Per base holding options: how its vols move. */
  readonly volMoveByBase: Readonly<Record<string, VolMove>>;
  /** Choices made while compiling (factors held unchanged, surfaces missing), for outputs. */
  readonly notes: readonly string[];
  readonly priceFactors: readonly string[];
  readonly volFactors: readonly string[];
  /** Kernel arrays (rows: options and linear legs in leg order); exposed for benchmarks and tests. */
  readonly arrays: KernelArrays;
  /** Leg index of each option row and of each linear row. */
  readonly optionLeg: Int32Array;
  readonly linearLeg: Int32Array;
}

/** Slot of a currency's price factor (0 = no factor: no move). */
function slotOf(slots: Slots, set: JointScenarioSet, currency: string): number {
  const known = slots.byCurrency.get(currency);
  if (known !== undefined) return known;
  const f = set.priceFactors.indexOf(currency);
  if (f < 0) return 0;
  const q = slots.price.length;
  slots.price.push(f);
  slots.vol.push(set.volFactors.indexOf(currency));
  slots.byCurrency.set(currency, q);
  return q;
}

/** σ√T below this is treated as this (a zero vol would make 1/σ√T infinite; the price is then intrinsic either way). */
const MIN_STD_DEV = 1e-12;

/**
 * Compile legs against a market and a scenario set's factors. Domain: legs of a portfolio validated against `market`
 * (`validatePortfolio`), a set that passes {@link checkJointScenarioSet}.
 * @returns the book, or issues: `unsupported` (a leg's currency has no price factor and `missingFactor` is `error`),
 *   `expired_instrument`, `missing_index` (a currency without a USD rate), `duplicate` (two legs with one label),
 *   `internal` (a non-finite precomputed value: a bug).
 */
export function compileRevaluationBook(
  legsIn: readonly RevaluationLeg[],
  market: MarketContext,
  set: JointScenarioSet,
  options: CompileOptions,
): Result<RevaluationBook> {
  const missingFactor = options.missingFactor ?? "error";
  const sticky = options.volConvention === "sticky-moneyness";
  const legs = [...legsIn].sort((a, b) => (a.label < b.label ? -1 : a.label > b.label ? 1 : 0));
  const issues: Issue[] = [];
  const notes: string[] = [];
  const slots: Slots = { price: [-1], vol: [-1], byCurrency: new Map() };
  const noted = new Set<string>();
  const note = (key: string, text: string): void => {
    if (!noted.has(key)) notes.push(text);
    noted.add(key);
  };
  /** Slot of the currency that drives a leg, or undefined after an issue. */
  const driver = (currency: string, path: string): number | undefined => {
    const q = slotOf(slots, set, currency);
    if (q > 0) return q;
    if (USD_PEGGED_CURRENCIES.includes(currency)) {
      note(`peg:${currency}`, `${currency} has no price factor in the scenario set: held at its current USD rate`);
      return 0;
    }
    if (missingFactor === "unchanged") {
      note(`missing:${currency}`, `${currency} has no price factor in the scenario set: its positions are held at today's prices`);
      return 0;
    }
    issues.push(issue("unsupported", path, `the scenario set has no price factor for ${currency} (factors: ${set.priceFactors.join(", ") || "none"})`));
    return undefined;
  };
  /** Slot of a linear product's settlement currency (0 when it has no factor: held at its rate). */
  const settleSlot = (currency: string): number => {
    const q = slotOf(slots, set, currency);
    if (q === 0) note(`peg:${currency}`, `${currency} has no price factor in the scenario set: held at its current USD rate`);
    return q;
  };
  const optRows: OptionRow[] = [];
  const lin: { leg: number; slot: number; settle: number; amp: number }[] = [];
  const underlyingOfLeg: string[] = [];
  const labels = new Set<string>();
  legs.forEach((leg, li) => {
    if (labels.has(leg.label)) issues.push(issue("duplicate", leg.path, `${leg.label} appears twice`));
    labels.add(leg.label);
    const inst = leg.instrument;
    const q = leg.sizeCoin;
    if (inst.kind === "spot") {
      underlyingOfLeg.push(inst.currency);
      if (!hasUsdRate(market, inst.currency)) {
        issues.push(issue("missing_index", leg.path, `no USD price for ${inst.currency} in the market`));
        return;
      }
      const slot = driver(inst.currency, leg.path);
      if (slot !== undefined) lin.push({ leg: li, slot, settle: 0, amp: q * currencyUsdRate(market, inst.currency) });
      return;
    }
    underlyingOfLeg.push(inst.base);
    const slot = driver(inst.base, leg.path);
    if (slot === undefined) return;
    if (inst.kind !== "perpetual" && inst.expiryMs <= market.asOfMs) {
      issues.push(issue("expired_instrument", leg.path, `${inst.name} expired before the market timestamp`));
      return;
    }
    const inverse = inst.settlement === "inverse";
    if (!inverse && !hasUsdRate(market, inst.settlementCurrency)) {
      issues.push(issue("missing_index", leg.path, `no USD rate for settlement currency ${inst.settlementCurrency}`));
      return;
    }
    const indexUsd = market.indexUsd(inst.base);
    if (inst.kind !== "option") {
      if (inverse) lin.push({ leg: li, slot, settle: 0, amp: q * indexUsd });
      else lin.push({ leg: li, slot, settle: settleSlot(inst.settlementCurrency), amp: q * market.futureMarkUsd(inst) * currencyUsdRate(market, inst.settlementCurrency) });
      return;
    }
    const m = market.optionInputs(inst);
    const disc = Math.exp(-m.rateDecimal * m.timeYears);
    optRows.push({
      leg: li,
      inst,
      slot,
      settleSlot: inverse ? 0 : settleSlot(inst.settlementCurrency),
      lnFK: Math.log(m.forwardUsd / inst.strikeUsd),
      sd0: Math.max(m.volDecimal * Math.sqrt(m.timeYears), MIN_STD_DEV),
      kOverF: inst.strikeUsd / m.forwardUsd,
      put: inst.optionKind === "put" ? 1 : 0,
      amp: inverse ? q * disc * indexUsd : q * disc * m.forwardUsd * currencyUsdRate(market, inst.settlementCurrency),
    });
  });
  if (issues.length > 0) return fail(...issues);

  const volMoveByBase: Record<string, VolMove> = {};
  for (const r of optRows) volMoveByBase[r.inst.base] = (slots.vol[r.slot] ?? -1) >= 0 ? "vol-index-ratio" : "unchanged";
  const nO = optRows.length;
  const smile = sticky ? smileArrays(optRows, market, set, slots, notes) : undefined;
  const arrays: KernelArrays = {
    slotPriceFactor: Int32Array.from(slots.price),
    slotVolFactor: Int32Array.from(slots.vol),
    optCount: nO,
    optSlot: Int32Array.from(optRows, (r) => r.slot),
    optSettleSlot: Int32Array.from(optRows, (r) => r.settleSlot),
    lnFK: Float64Array.from(optRows, (r) => r.lnFK),
    sd0: Float64Array.from(optRows, (r) => r.sd0),
    invSd0: Float64Array.from(optRows, (r) => 1 / r.sd0),
    kOverF: Float64Array.from(optRows, (r) => r.kOverF),
    putFlag: Float64Array.from(optRows, (r) => r.put),
    amp: Float64Array.from(optRows, (r) => r.amp),
    u0: new Float64Array(nO),
    smileCoef: smile?.coef ?? new Float64Array(0),
    smileOffset: smile?.offset ?? new Int32Array(0),
    smileU: smile?.u ?? new Float64Array(0),
    smileInvStep: smile?.invStep ?? new Float64Array(0),
    smileTop: smile?.top ?? new Float64Array(0),
    smileScale: smile?.scale ?? new Float64Array(0),
    linCount: lin.length,
    linSlot: Int32Array.from(lin, (l) => l.slot),
    linSettleSlot: Int32Array.from(lin, (l) => l.settle),
    linAmp: Float64Array.from(lin, (l) => l.amp),
  };
  fillBaseUnitValues(arrays, sticky, arrays.u0);
  for (let i = 0; i < nO; i++) {
    const bad = [arrays.lnFK, arrays.sd0, arrays.invSd0, arrays.amp, arrays.u0].some((col) => !Number.isFinite(col[i] as number));
    if (bad) return fail(issue("internal", legs[optRows[i]?.leg ?? 0]?.path ?? "", `non-finite revaluation constant for ${optRows[i]?.inst.name}`));
  }
  if (lin.some((l) => !Number.isFinite(l.amp))) return fail(issue("internal", "", "non-finite linear revaluation constant"));
  return ok({
    legs,
    underlyingOfLeg,
    volConvention: options.volConvention,
    missingFactor,
    volMoveByBase,
    notes,
    priceFactors: [...set.priceFactors],
    volFactors: [...set.volFactors],
    arrays,
    optionLeg: Int32Array.from(optRows, (r) => r.leg),
    linearLeg: Int32Array.from(lin, (l) => l.leg),
  });
}

/** Groups of legs for {@link revalue}: `groupOfLeg[i]` in [0, names.length). */
export interface LegGroups {
  readonly names: readonly string[];
  readonly groupOfLeg: Int32Array;
}

/** One group per underlying currency (sorted by name): for stand-alone measures per underlying. */
export function groupsByUnderlying(book: RevaluationBook): LegGroups {
  const names = [...new Set(book.underlyingOfLeg)].sort();
  return { names, groupOfLeg: Int32Array.from(book.underlyingOfLeg, (u) => names.indexOf(u)) };
}

/** One group per leg (in leg order): for per-position P&L. */
export function groupsByLeg(book: RevaluationBook): LegGroups {
  return { names: book.legs.map((l) => l.label), groupOfLeg: Int32Array.from(book.legs, (_l, i) => i) };
}

/** Options of {@link revalue}. */
export interface RevalueOptions {
  /** Groups to sum legs into (default: one group, the whole book). */
  readonly groups?: LegGroups;
  /** Scenario indices to revalue, in output order (default: every scenario of the set, in order). */
  readonly scenarioIndices?: Int32Array;
  /** Called with (scenarios revalued, total) about every 1 % and once at the end (a front end draws a bar). */
  readonly onProgress?: (done: number, total: number) => void;
}

/** Reorder the option rows by group so each group is one contiguous run (the kernel sums a run in a register). */
function groupedArrays(book: RevaluationBook, groupOfLeg: Int32Array, groupCount: number): { arrays: KernelArrays; groups: KernelGroups } {
  const a = book.arrays;
  const order = Array.from({ length: a.optCount }, (_v, i) => i).sort(
    (i, j) => (groupOfLeg[book.optionLeg[i] as number] as number) - (groupOfLeg[book.optionLeg[j] as number] as number) || i - j,
  );
  const optStart = new Int32Array(groupCount + 1);
  for (let i = 0; i < a.optCount; i++) {
    const g = (groupOfLeg[book.optionLeg[i] as number] as number) + 1;
    optStart[g] = (optStart[g] ?? 0) + 1;
  }
  for (let g = 0; g < groupCount; g++) optStart[g + 1] = (optStart[g + 1] ?? 0) + (optStart[g] ?? 0);
  const pickF = (col: Float64Array): Float64Array => (col.length === 0 ? col : Float64Array.from(order, (i) => col[i] as number));
  const pickI = (col: Int32Array): Int32Array => (col.length === 0 ? col : Int32Array.from(order, (i) => col[i] as number));
  const arrays: KernelArrays = {
    ...a,
    optSlot: pickI(a.optSlot),
    optSettleSlot: pickI(a.optSettleSlot),
    lnFK: pickF(a.lnFK),
    sd0: pickF(a.sd0),
    invSd0: pickF(a.invSd0),
    kOverF: pickF(a.kOverF),
    putFlag: pickF(a.putFlag),
    amp: pickF(a.amp),
    u0: pickF(a.u0),
    smileOffset: pickI(a.smileOffset),
    smileU: pickF(a.smileU),
    smileInvStep: pickF(a.smileInvStep),
    smileTop: pickF(a.smileTop),
    smileScale: pickF(a.smileScale),
  };
  const linGroup = Int32Array.from(book.linearLeg, (leg) => groupOfLeg[leg] as number);
  return { arrays, groups: { groupCount, optStart, linGroup } };
}

/**
 * P&L in USD of each group of legs in each selected scenario: `out[g·n + j]` for group g and the j-th selected
 * scenario (n selected scenarios). Fast path (revaluation-kernel.ts). Domain: `set` has the factors the book was
 * compiled against (same names, same order; throws otherwise — a programming error) and passes
 * {@link checkJointScenarioSet}; scenario indices in [0, set.count).
 */
export function revalue(book: RevaluationBook, set: JointScenarioSet, options: RevalueOptions = {}): Float64Array {
  assertSameFactors(book, set);
  const groups = options.groups ?? { names: ["all"], groupOfLeg: new Int32Array(book.legs.length) };
  const G = groups.names.length;
  const n = options.scenarioIndices ? options.scenarioIndices.length : set.count;
  const out = new Float64Array(G * n);
  if (n === 0 || G === 0) {
    options.onProgress?.(n, n);
    return out;
  }
  const { arrays, groups: kg } = groupedArrays(book, groups.groupOfLeg, G);
  runKernel(arrays, kg, set, options.scenarioIndices, book.volConvention === "sticky-moneyness", out, options.onProgress);
  return out;
}

/** Throws when `set` does not have the factors `book` was compiled against. */
export function assertSameFactors(book: RevaluationBook, set: JointScenarioSet): void {
  const same = (a: readonly string[], b: readonly string[]): boolean => a.length === b.length && a.every((x, i) => x === b[i]);
  if (!same(book.priceFactors, set.priceFactors) || !same(book.volFactors, set.volFactors)) {
    throw new Error(`revaluation book compiled for factors [${book.priceFactors.join(",")}]/[${book.volFactors.join(",")}], got [${set.priceFactors.join(",")}]/[${set.volFactors.join(",")}]`);
  }
}
