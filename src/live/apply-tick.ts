/**
 * Applying a tick to the held market (docs/live.md, "Tick semantics"). A new market is built; the old one is never
 * changed, so a tick rejected half-way leaves nothing behind.
 *
 * For every currency the tick moves (an index it names, an instrument or a vol move on an underlying):
 * - what the tick names replaces the held value, field by field;
 * - a future or perpetual it does not name keeps its basis ratio to the index: mark' = mark · I'/I (bid, ask too);
 * - an option it does not name keeps its implied vol (sticky-strike: same vol at its strike; sticky-moneyness: the
 *   vol the expiry's smile gave at the same ln(K/F) before the tick), times 1 + the tick's `volMoves` for the base;
 *   its forward moves with its expiry's future when the tick names that future, else with the index; its mark keeps
 *   its offset to the model price, mark' = mark + V(F', σ', T') − V(F, σ, T) (the model price when that is not > 0),
 *   so a tick of index prices alone reprices the whole book and a move of 0 changes nothing but time;
 * - an option named with a `markPrice` and no `markIv` gets the vol that price implies at its new forward and time;
 * - the underlying's valuation time becomes the tick's time (its options' time to expiry shortens); an underlying
 *   the tick does not move keeps its quotes and its valuation time.
 * @module
 */
import { fail, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import type { OptionMarketInputs } from "../market/context.js";
import type { DerivativeInstrument, InstrumentQuote, MarketSnapshot, OptionInstrument } from "../market/types.js";
import { yearsBetween } from "../market/types.js";
import { black76PriceCoin, black76PriceUsd } from "../pricing/black76.js";
import { impliedVolOfMark } from "../pricing/build-context.js";
import { curveOf, marketOf, optionInputsOf, valuationTimeIn } from "./market.js";
import type { BaseTables, LiveMarket } from "./market.js";
import type { LiveParams } from "./params.js";
import type { Tick } from "./tick.js";

/** The market after a tick and what moved. */
export interface AppliedTick {
  readonly market: LiveMarket;
  /** Underlyings with instruments whose quotes or valuation time changed (their risk-array rows must be rebuilt). */
  readonly movedBases: readonly string[];
  /** Every currency whose index changed, and every moved underlying. */
  readonly movedCurrencies: readonly string[];
}

// One argument record for every model price of a tick (two per option that keeps its mark's offset): the pricing
// functions read it and keep nothing, and a fresh record per call was a measurable part of a tick's garbage.
const priceArgs = { isCall: false, forwardUsd: 0, strikeUsd: 0, timeYears: 0, volDecimal: 0, rateDecimal: 0 };

function modelPrice(inst: OptionInstrument, i: OptionMarketInputs): number {
  priceArgs.isCall = inst.optionKind === "call";
  priceArgs.forwardUsd = i.forwardUsd;
  priceArgs.strikeUsd = inst.strikeUsd;
  priceArgs.timeYears = i.timeYears;
  priceArgs.volDecimal = i.volDecimal;
  priceArgs.rateDecimal = i.rateDecimal;
  return inst.settlement === "inverse" ? black76PriceCoin(priceArgs) : black76PriceUsd(priceArgs);
}

/** A held bid, ask or mark moved by the model price's change; a mark that would not be > 0 becomes the model price. */
function shifted(x: number | undefined, shift: number, isMark: boolean, model: number): number | undefined {
  if (x === undefined) return undefined;
  const v = x + shift;
  if (v > 0 && Number.isFinite(v)) return v;
  return isMark && model > 0 ? model : undefined;
}

/** The fields of `named` over those of `held` (a named field replaces; absent fields keep the held value). */
function merge(held: InstrumentQuote, named: InstrumentQuote | undefined): Record<string, number> {
  const out: Record<string, number> = { ...(held as Record<string, number>) };
  if (named !== undefined) for (const [k, v] of Object.entries(named)) if (typeof v === "number") out[k] = v;
  return out;
}

/** A smile in x = ln(K/F): piecewise linear between the expiry's options, flat beyond (sticky-moneyness). */
function smileOf(points: { x: number; vol: number }[]): (x: number) => number {
  points.sort((a, b) => a.x - b.x);
  const xs: number[] = [];
  const vs: number[] = [];
  for (const p of points) {
    // Calls and puts of one strike share x: average their vols.
    if (xs.length > 0 && xs[xs.length - 1] === p.x) {
      const n = vs.length - 1;
      vs[n] = ((vs[n] as number) + p.vol) / 2;
    } else {
      xs.push(p.x);
      vs.push(p.vol);
    }
  }
  return (x) => {
    if (xs.length === 0) return NaN;
    if (x <= (xs[0] as number)) return vs[0] as number;
    if (x >= (xs[xs.length - 1] as number)) return vs[vs.length - 1] as number;
    let lo = 0;
    let hi = xs.length - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      if ((xs[mid] as number) <= x) lo = mid;
      else hi = mid;
    }
    const x0 = xs[lo] as number;
    const x1 = xs[hi] as number;
    return (vs[lo] as number) + (((vs[hi] as number) - (vs[lo] as number)) * (x - x0)) / (x1 - x0);
  };
}

/**
 * Apply `tick` to `market` for the currencies in `apply` (the core leaves out the underlyings a circuit breaker froze,
 * and any currency the market does not have). The tick must have passed the field checks (checkTickFields) and name
 * only listed instruments of applied bases. Issues: implied-vol failures of named option prices
 * (`instruments.<name>.markPrice`).
 */
export function applyTickToMarket(market: LiveMarket, tick: Tick, apply: ReadonlySet<string>, params: LiveParams): Result<AppliedTick> {
  const snap = market.snapshot;
  const ts = tick.timestampMs;
  const indexUsd: Record<string, number> = { ...snap.indexUsd };
  const movedCurrencies = new Set<string>();
  for (const [c, v] of Object.entries(tick.indexUsd ?? {})) {
    if (!apply.has(c) || indexUsd[c] === undefined) continue;
    if (v !== indexUsd[c]) movedCurrencies.add(c);
    indexUsd[c] = v;
  }
  const touched = new Set<string>();
  for (const c of Object.keys(tick.indexUsd ?? {})) if (apply.has(c) && market.listing.byBase.has(c)) touched.add(c);
  for (const c of Object.keys(tick.volMoves ?? {})) if (apply.has(c) && market.listing.byBase.has(c)) touched.add(c);
  for (const name of Object.keys(tick.instruments ?? {})) {
    const inst = market.listing.byName.get(name);
    if (inst !== undefined && apply.has(inst.base)) touched.add(inst.base);
  }
  // Valuation times: every currency keeps its own unless the tick moves it; written explicitly whenever it differs
  // from the new snapshot time, so the snapshot stays a complete description of the market.
  const times: Record<string, number> = {};
  for (const c of Object.keys(indexUsd)) {
    const t = touched.has(c) || movedCurrencies.has(c) ? ts : valuationTimeIn(snap, c);
    if (t !== ts) times[c] = t;
  }
  const instruments = copyRecord(snap.instruments);
  const issues: Issue[] = [];
  const sticky = params.volConvention === "sticky-moneyness";
  const built = new Map<string, BaseTables>();
  for (const base of [...touched].sort()) {
    const list = market.listing.byBase.get(base) as readonly DerivativeInstrument[];
    const old = market.tables.get(base) as BaseTables;
    const ratio = (indexUsd[base] as number) / (snap.indexUsd[base] as number);
    // A tick of index prices names no instrument: no look-up of every name in an empty record (a keyed load each).
    const named = tick.instruments !== undefined && Object.keys(tick.instruments).length > 0 ? tick.instruments : undefined;
    // Futures and perpetuals first: the forward of an option's expiry follows its named future.
    const expiryRatio = new Map<number, number>();
    for (const inst of list) {
      if (inst.kind === "option") continue;
      const held = snap.instruments[inst.name] as InstrumentQuote;
      const n = named?.[inst.name];
      const q = merge(held, n);
      if (n?.markPrice === undefined && held.markPrice !== undefined) q.markPrice = held.markPrice * ratio;
      if (n?.bidPrice === undefined && held.bidPrice !== undefined) q.bidPrice = held.bidPrice * ratio;
      if (n?.askPrice === undefined && held.askPrice !== undefined) q.askPrice = held.askPrice * ratio;
      instruments[inst.name] = q;
      if (inst.kind === "future" && n?.markPrice !== undefined && held.markPrice !== undefined && !expiryRatio.has(inst.expiryMs)) {
        expiryRatio.set(inst.expiryMs, n.markPrice / held.markPrice);
      }
    }
    const volMove = 1 + (tick.volMoves?.[base] ?? 0);
    const smiles = new Map<number, (x: number) => number>();
    const smileAt = (expiryMs: number): ((x: number) => number) => {
      let s = smiles.get(expiryMs);
      if (s === undefined) {
        const pts: { x: number; vol: number }[] = [];
        for (const o of list) {
          if (o.kind !== "option" || o.expiryMs !== expiryMs) continue;
          const i = old.options.get(o.name) as OptionMarketInputs;
          pts.push({ x: Math.log(o.strikeUsd / i.forwardUsd), vol: i.volDecimal });
        }
        s = smileOf(pts);
        smiles.set(expiryMs, s);
      }
      return s;
    };
    // Options: forward and vol first (named fields win), then the new tables, then marks against the new inputs. The
    // new quotes wait in `quotes` (the list's options in order); the rest is read again from the held market.
    const quotes: Record<string, number>[] = [];
    for (const inst of list) {
      if (inst.kind !== "option") continue;
      const held = snap.instruments[inst.name] as InstrumentQuote;
      const n = named?.[inst.name];
      const q = merge(held, n);
      if (n?.underlyingPrice === undefined && held.underlyingPrice !== undefined) q.underlyingPrice = held.underlyingPrice * (expiryRatio.get(inst.expiryMs) ?? ratio);
      quotes.push(q);
      instruments[inst.name] = q;
    }
    // The curve of the new quotes gives the forward of options that carry no underlyingPrice. Nothing the curve reads
    // (futures marks, options' underlyingPrice, the index, the valuation time) changes below, so it is also the new
    // tables' curve, and the option inputs computed here are the tables' (buildBaseTables' doubles: same formulas,
    // same inputs), without building the tables a second time from the finished snapshot.
    const timeMs = times[base] ?? ts;
    const curve = curveOf({ ...snap, timestampMs: ts, indexUsd, instruments, valuationTimesMs: times }, market.listing, base);
    const inputs = new Map<string, OptionMarketInputs>();
    const heldPrices = old.modelPrices;
    const modelPrices = new Float64Array(list.length).fill(NaN);
    let o = 0;
    for (let k = 0; k < list.length; k++) {
      const inst = list[k] as DerivativeInstrument;
      if (inst.kind !== "option") continue;
      const q = quotes[o++] as Record<string, number>;
      const held = snap.instruments[inst.name] as InstrumentQuote;
      const n = named?.[inst.name];
      const before = old.options.get(inst.name) as OptionMarketInputs;
      const forwardUsd = q.underlyingPrice ?? curve.forwardUsd(inst.expiryMs);
      const timeYears = yearsBetween(ts, inst.expiryMs);
      const rateDecimal = before.rateDecimal;
      let vol: number;
      if (n?.markIv !== undefined) vol = n.markIv;
      else if (n?.markPrice !== undefined) {
        const iv = impliedVolOfMark(inst, n.markPrice, forwardUsd, timeYears, rateDecimal, joinPath("instruments", inst.name, "markPrice"));
        if (!iv.ok) {
          issues.push(...iv.issues);
          continue;
        }
        vol = iv.value;
      } else if (sticky && forwardUsd !== before.forwardUsd) {
        const smile = smileAt(inst.expiryMs);
        const k = inst.strikeUsd;
        const shape = smile(Math.log(k / forwardUsd)) / smile(Math.log(k / before.forwardUsd));
        vol = before.volDecimal * (Number.isFinite(shape) && shape > 0 ? shape : 1) * volMove;
      } else vol = before.volDecimal * volMove;
      q.markIv = vol;
      const table = optionInputsOf(snap, inst, q, curve, timeMs);
      inputs.set(inst.name, table);
      if (n?.markPrice === undefined) {
        // Keep the held mark's offset to the model price; fall back to the model price when that is not > 0. The
        // tables' inputs are the new inputs (same forward, vol, time: the base moved, so its time is the tick's)
        // unless the rate differs from the held tables' (never on a tick: rates are not ticked), then built apart.
        const after: OptionMarketInputs = table.rateDecimal === rateDecimal && table.timeYears === timeYears && table.forwardUsd === forwardUsd ? table : { forwardUsd, volDecimal: vol, timeYears, rateDecimal };
        const model = modelPrice(inst, after);
        // The price at the held inputs, as the tick that made them computed it (the same function of the same inputs).
        const kept = heldPrices?.[k];
        const shift = model - (kept !== undefined && !Number.isNaN(kept) ? kept : modelPrice(inst, before));
        if (after === table) modelPrices[k] = model;
        setOrDelete(q, "markPrice", shifted(held.markPrice, shift, true, model));
        if (n?.bidPrice === undefined) setOrDelete(q, "bidPrice", shifted(held.bidPrice, shift, false, model));
        if (n?.askPrice === undefined) setOrDelete(q, "askPrice", shifted(held.askPrice, shift, false, model));
      }
    }
    built.set(base, { base, valuationTimeMs: timeMs, curve, options: inputs, modelPrices });
  }
  if (issues.length > 0) return fail(...issues);
  for (const b of touched) movedCurrencies.add(b);
  const snapshot: MarketSnapshot = {
    ...snap,
    timestampMs: ts,
    indexUsd,
    instruments,
    ...(Object.keys(times).length > 0 ? { valuationTimesMs: times } : {}),
  };
  if (Object.keys(times).length === 0) delete (snapshot as { valuationTimesMs?: unknown }).valuationTimesMs;
  const tables = new Map(market.tables);
  for (const [base, t] of built) tables.set(base, t);
  return ok({ market: marketOf(market.version + 1, snapshot, market.listing, tables), movedBases: [...touched].sort(), movedCurrencies: [...movedCurrencies].sort() });
}

/**
 * A copy of a record with the same keys in the same order, for the quotes of a whole chain (a thousand keys and
 * more, every tick). WHY not a spread: a new object literal takes a hidden-class transition per key until V8 turns
 * it into a dictionary; one made without a prototype starts as a dictionary (~5x faster for the real chain's 1,322
 * instruments), and it is given the plain prototype before anyone sees it.
 */
function copyRecord<T>(from: Readonly<Record<string, T>>): Record<string, T> {
  const out = Object.create(null) as Record<string, T>;
  for (const key of Object.keys(from)) out[key] = from[key] as T;
  return Object.setPrototypeOf(out, Object.prototype) as Record<string, T>;
}

function setOrDelete(q: Record<string, number>, key: string, v: number | undefined): void {
  if (v === undefined) delete q[key];
  else q[key] = v;
}
