/**
 * A moved market: every price of some underlyings moved by a relative amount, as a new, immutable market context.
 * Snapshots are immutable: a moved market is a new snapshot and a new context, never an edit.
 *
 * For a base b moved by m_b (> −1): the index, every forward and every future/perpetual mark × (1 + m_b); options keep
 * their vol at their strike (sticky strike: the quoted mark IV, or the original surface's vol), are repriced on the
 * moved forward, and a quoted option mark keeps its offset to the model price (mark' = mark + model(F') − model(F),
 * floored at 0) so that a move of 0 reproduces the original market exactly. Bid/ask move with the mark.
 *
 * Speed: the new snapshot carries only the instruments asked for (an account's holdings) plus every perpetual, and
 * the context delegates to the original one for curves and surfaces, so a move costs O(holdings), not a refit.
 * @module
 */
import type { MarketContext, OptionMarketInputs } from "../market/context.js";
import { parseInstrument } from "../market/instrument.js";
import type { DerivativeInstrument, InstrumentQuote, MarketSnapshot, OptionInstrument } from "../market/types.js";
import { black76PriceCoin, black76PriceUsd } from "../pricing/black76.js";

/** Relative moves per base currency, decimal (−0.1 = −10 %), each > −1. */
export type MarketMoves = Readonly<Record<string, number>>;

function modelPrice(inst: OptionInstrument, inputs: OptionMarketInputs): number {
  const args = {
    isCall: inst.optionKind === "call",
    forwardUsd: inputs.forwardUsd,
    strikeUsd: inst.strikeUsd,
    timeYears: inputs.timeYears,
    volDecimal: inputs.volDecimal,
    rateDecimal: inputs.rateDecimal,
  };
  return inst.settlement === "inverse" ? black76PriceCoin(args) : black76PriceUsd(args);
}

function movedQuote(inst: DerivativeInstrument, q: InstrumentQuote, factor: number, market: MarketContext): InstrumentQuote {
  if (inst.kind !== "option") {
    const scale = (x: number | undefined): number | undefined => (x === undefined ? undefined : x * factor);
    return withDefined({ ...q, markPrice: scale(q.markPrice), bidPrice: scale(q.bidPrice), askPrice: scale(q.askPrice) });
  }
  const before = market.optionInputs(inst);
  const shift = modelPrice(inst, { ...before, forwardUsd: before.forwardUsd * factor }) - modelPrice(inst, before);
  const add = (x: number | undefined): number | undefined => (x === undefined ? undefined : Math.max(x + shift, 0));
  return withDefined({
    ...q,
    markPrice: add(q.markPrice),
    bidPrice: add(q.bidPrice),
    askPrice: add(q.askPrice),
    underlyingPrice: q.underlyingPrice === undefined ? undefined : q.underlyingPrice * factor,
  });
}

function withDefined(q: Record<string, number | undefined>): InstrumentQuote {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(q)) if (v !== undefined) out[k] = v;
  return out as InstrumentQuote;
}

/**
 * The market after `moves`. `instruments`: names whose quotes the new snapshot must carry (the holdings; perpetuals
 * are always carried). Bases not in `moves` are unchanged. Domain: every move finite and > −1.
 */
export function moveMarket(market: MarketContext, moves: MarketMoves, instruments: readonly string[]): MarketContext {
  return marketMover(market, instruments)(moves);
}

/**
 * {@link moveMarket} for many moves of the same market and holdings: the carried instruments are parsed once, then
 * each call builds only the moved quotes. Used by searches that probe dozens of moves.
 */
export function marketMover(market: MarketContext, instruments: readonly string[]): (moves: MarketMoves) => MarketContext {
  const snap = market.snapshot;
  const names = new Set(instruments);
  for (const name of Object.keys(snap.instruments)) if (name.endsWith("-PERPETUAL")) names.add(name);
  const carried: { name: string; inst: DerivativeInstrument; quote: InstrumentQuote }[] = [];
  for (const name of names) {
    const quote = snap.instruments[name];
    if (quote === undefined) continue;
    const parsed = parseInstrument(name);
    if (parsed.ok && parsed.value.kind !== "spot") carried.push({ name, inst: parsed.value, quote });
  }
  return (moves) => {
    const factorOf = (base: string): number => 1 + (moves[base] ?? 0);
    const indexUsd: Record<string, number> = {};
    for (const [b, v] of Object.entries(snap.indexUsd)) indexUsd[b] = v * factorOf(b);
    const quotes: Record<string, InstrumentQuote> = {};
    for (const c of carried) {
      const f = factorOf(c.inst.base);
      quotes[c.name] = f === 1 ? c.quote : movedQuote(c.inst, c.quote, f, market);
    }
    const snapshot: MarketSnapshot = { ...snap, indexUsd, instruments: quotes };
    return {
      snapshot,
      asOfMs: market.asOfMs,
      bases: market.bases,
      indexUsd: (base) => market.indexUsd(base) * factorOf(base),
      forwardUsd: (base, expiryMs) => market.forwardUsd(base, expiryMs) * factorOf(base),
      futureMarkUsd: (inst) => {
        const quoted = quotes[inst.name]?.markPrice;
        return quoted ?? market.futureMarkUsd(inst) * factorOf(inst.base);
      },
      optionInputs: (inst) => {
        const i = market.optionInputs(inst);
        return { ...i, forwardUsd: i.forwardUsd * factorOf(inst.base) };
      },
      // Sticky strike: the same vol at the same strike and expiry.
      surfaceVol: (base, strikeUsd, expiryMs) => market.surfaceVol(base, strikeUsd, expiryMs),
    };
  };
}
