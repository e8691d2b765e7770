/**
 * The whole book across venues: one market built from the venues' markets, one account holding every position and
 * balance, and each position's USD delta — what the unified margin and the silo-risk scan start from.
 *
 * Markets: each venue's account is margined on its own market (its marks and funding never mix with another
 * venue's). The whole book needs one market: the first venue's (the reference) for every base it prices, then each
 * next venue's for what the reference lacks. An instrument two venues quote gets the reference's quote, and the
 * difference of the marks is reported (cross-venue basis), never averaged.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import { parseInstrument } from "../market/instrument.js";
import type { DerivativeInstrument, InstrumentQuote, MarketSnapshot } from "../market/types.js";
import { black76Greeks } from "../pricing/greeks.js";
import { buildMarketContext } from "../pricing/build-context.js";
import type { ResolvedPosition } from "../models/types.js";
import { maxOf, minOf } from "../math/extent.js";

/** A venue's slice as the book sees it. */
export interface BookSlice {
  readonly label: string;
  readonly market: MarketContext;
  readonly positions: readonly ResolvedPosition[];
  readonly balances: Readonly<Record<string, number>>;
}

/** The merged market and what merging it noticed. */
export interface MergedMarket {
  readonly market: MarketContext;
  readonly notes: readonly string[];
  /** Per instrument quoted by several venues: each venue's mark (cross-venue basis). */
  readonly basis: readonly { instrument: string; marks: Readonly<Record<string, number>> }[];
}

/** One market for the whole book (see the module doc). */
export function mergeMarkets(slices: readonly BookSlice[]): Result<MergedMarket> {
  const first = slices[0];
  if (first === undefined) return fail(issue("required", "venues", "no venue to merge"));
  // One market for every venue (the usual case: one snapshot file): the book uses it as it is, with its fitted
  // surfaces and cached arrays, instead of rebuilding an equal one.
  if (slices.every((x) => x.market === first.market)) return ok({ market: first.market, notes: [], basis: [] });
  const ref = first.market.snapshot;
  const indexUsd: Record<string, number> = { ...ref.indexUsd };
  const instruments: Record<string, InstrumentQuote> = { ...ref.instruments };
  const rates: Record<string, number> = { ...(ref.ratesDecimal ?? {}) };
  const notes: string[] = [];
  const marks = new Map<string, Record<string, number>>();
  const noteMark = (name: string, label: string, q: InstrumentQuote | undefined): void => {
    if (q?.markPrice === undefined) return;
    const m = marks.get(name) ?? {};
    m[label] = q.markPrice;
    marks.set(name, m);
  };
  for (const [name, q] of Object.entries(ref.instruments)) noteMark(name, first.label, q);
  for (const s of slices.slice(1)) {
    const snap = s.market.snapshot;
    for (const [c, px] of Object.entries(snap.indexUsd)) {
      if (indexUsd[c] === undefined) {
        indexUsd[c] = px;
        notes.push(`index ${c} from ${s.label}'s market (the reference ${first.label} has none)`);
      }
    }
    for (const [c, r] of Object.entries(snap.ratesDecimal ?? {})) if (rates[c] === undefined) rates[c] = r;
    for (const [name, q] of Object.entries(snap.instruments)) {
      noteMark(name, s.label, q);
      if (instruments[name] === undefined) instruments[name] = q;
    }
  }
  const gapMs = maxOf(slices.map((s) => Math.abs(s.market.asOfMs - ref.timestampMs)));
  if (gapMs > 60_000) notes.push(`the venues' markets are up to ${(gapMs / 60_000).toFixed(1)} minutes apart; the whole book is valued at ${first.label}'s time`);
  const snapshot: MarketSnapshot = {
    timestampMs: ref.timestampMs,
    indexUsd,
    instruments,
    ...(Object.keys(rates).length > 0 ? { ratesDecimal: rates } : {}),
    ...(ref.indexConfidence !== undefined ? { indexConfidence: ref.indexConfidence } : {}),
  };
  const built = buildMarketContext(snapshot);
  if (!built.ok) return fail(...built.issues.map((i) => issue(i.code, `book market.${i.path}`, i.message)));
  const basis = [...marks].filter(([, m]) => Object.keys(m).length > 1).map(([instrument, m]) => ({ instrument, marks: m }));
  for (const b of basis) {
    const values = Object.values(b.marks);
    const spread = (maxOf(values) - minOf(values)) / minOf(values);
    if (spread > 0) notes.push(`${b.instrument} is quoted by ${Object.keys(b.marks).join(" and ")} (marks ${Object.entries(b.marks).map(([k, v]) => `${k} ${v}`).join(", ")}, ${(spread * 100).toFixed(3)} % apart): the book uses ${first.label}'s`);
  }
  return ok({ market: built.value, notes, basis });
}

/**
 * USD delta of a position: its USD value's change per 1 USD of the underlying × the index, i.e. size × price for
 * futures (and spot), size × Black delta × forward for options (the USD value of an inverse option is its coin
 * price × forward, whose F-derivative is the Black delta too).
 */
export function deltaUsd(p: ResolvedPosition, market: MarketContext): number {
  const inst = p.instrument;
  if (inst.kind === "spot") return p.sizeCoin * (market.snapshot.indexUsd[inst.currency] ?? 0);
  if (inst.kind !== "option") return p.sizeCoin * market.indexUsd(inst.base);
  const m = market.optionInputs(inst);
  const g = black76Greeks({ isCall: inst.optionKind === "call", forwardUsd: m.forwardUsd, strikeUsd: inst.strikeUsd, timeYears: m.timeYears, volDecimal: m.volDecimal, rateDecimal: m.rateDecimal });
  return p.sizeCoin * g.deltaCoin * market.indexUsd(inst.base);
}

/** The underlying (base) of an instrument name, or undefined for a currency. */
export function baseOf(name: string): string | undefined {
  const r = parseInstrument(name);
  return r.ok && r.value.kind !== "spot" ? (r.value as DerivativeInstrument).base : undefined;
}
