/**
 * Forward curve of one base currency: USD forward price for any expiry, from dated-future marks and option
 * `underlyingPrice`s, anchored at the index for T = 0.
 *
 * Nodes: quotes are grouped by expiry. A group with at least one dated-future mark uses the future (the median if
 * both an inverse and a linear future are quoted); a group with only options uses the median of their
 * `underlyingPrice`s (Deribit quotes the same synthetic forward on every option of an expiry; the median ignores the
 * odd row polled a few seconds apart, see ../shared/data/SOURCES.md).
 *
 * Interpolation: ln F is linear in time between nodes, starting from (T = 0, ln index). This is a piecewise-constant
 * implied carry rate r_i = ln(F_i / F_{i−1}) / (T_i − T_{i−1}), the usual choice because it is arbitrage-free
 * between nodes whenever the nodes are, and exact for a flat rate. Beyond the last node the last segment's carry
 * rate continues (flat extrapolation of the instantaneous carry rate). With no node, F(T) = index for every T.
 *
 * Perpetual marks are NOT forward nodes: a perpetual has no expiry, and its premium over the index is set by the
 * funding mechanism (paid every 8 h, pulling the mark back to the index), not by a carry to any date. Putting it at
 * T = 0 would contradict the index there, and at any T > 0 would invent a maturity.
 * @module
 */
import type { MarketSnapshot } from "./types.js";
import { MS_PER_YEAR } from "./types.js";
import { parseInstrument } from "./instrument.js";

/** Where a node came from. */
export type ForwardSource = "future" | "option-underlying";

/** One observed forward: USD per coin for delivery at `expiryMs`. */
export interface ForwardQuote {
  readonly expiryMs: number;
  readonly forwardUsd: number;
  readonly source: ForwardSource;
}

/** A node of the curve, after grouping by expiry. */
export interface ForwardNode {
  readonly expiryMs: number;
  /** ACT/365.25 years from the curve's as-of time; > 0. */
  readonly timeYears: number;
  readonly forwardUsd: number;
  readonly source: ForwardSource;
  /** Number of quotes in the group the node came from (of its source kind). */
  readonly quoteCount: number;
  /** Carry rate of the segment ending at this node, decimal per year, continuously compounded. */
  readonly carryRateDecimal: number;
}

export interface ForwardCurve {
  readonly base: string;
  readonly asOfMs: number;
  readonly indexUsd: number;
  /** Nodes sorted by expiry, all strictly after `asOfMs`. */
  readonly nodes: readonly ForwardNode[];
  /** Forward in USD per coin for delivery at `expiryMs`; the index for `expiryMs ≤ asOfMs`. Finite and > 0. */
  forwardUsd(expiryMs: number): number;
}

/**
 * Build a forward curve from observed forwards.
 * @param base - base currency, e.g. `BTC` (a label only).
 * @param indexUsd - spot index, USD per coin, > 0.
 * @param asOfMs - as-of time (ms since epoch); quotes at or before it are ignored.
 * @param quotes - observed forwards (finite, > 0; others are ignored).
 */
export function buildForwardCurve(base: string, indexUsd: number, asOfMs: number, quotes: readonly ForwardQuote[]): ForwardCurve {
  const groups = new Map<number, { futures: number[]; options: number[] }>();
  for (const q of quotes) {
    if (!(q.expiryMs > asOfMs) || !(q.forwardUsd > 0) || !Number.isFinite(q.forwardUsd)) continue;
    let g = groups.get(q.expiryMs);
    if (!g) groups.set(q.expiryMs, (g = { futures: [], options: [] }));
    (q.source === "future" ? g.futures : g.options).push(q.forwardUsd);
  }
  const nodes: ForwardNode[] = [];
  let prevT = 0;
  let prevLog = Math.log(indexUsd);
  for (const expiryMs of [...groups.keys()].sort((a, b) => a - b)) {
    const g = groups.get(expiryMs);
    if (!g) continue;
    const fromFutures = g.futures.length > 0;
    const values = fromFutures ? g.futures : g.options;
    const forwardUsd = median(values);
    const timeYears = (expiryMs - asOfMs) / MS_PER_YEAR;
    const logF = Math.log(forwardUsd);
    nodes.push({
      expiryMs,
      timeYears,
      forwardUsd,
      source: fromFutures ? "future" : "option-underlying",
      quoteCount: values.length,
      carryRateDecimal: (logF - prevLog) / (timeYears - prevT),
    });
    prevT = timeYears;
    prevLog = logF;
  }
  const times = nodes.map((n) => n.timeYears);
  const logs = nodes.map((n) => Math.log(n.forwardUsd));
  const logIndex = Math.log(indexUsd);
  const last = nodes[nodes.length - 1];

  function forwardUsd(expiryMs: number): number {
    const t = (expiryMs - asOfMs) / MS_PER_YEAR;
    if (!(t > 0) || last === undefined) return indexUsd;
    if (t >= last.timeYears) return Math.exp(Math.log(last.forwardUsd) + last.carryRateDecimal * (t - last.timeYears));
    // Binary search for the first node with time ≥ t (node count is small, but this runs once per option).
    let lo = 0;
    let hi = times.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((times[mid] ?? Infinity) < t) lo = mid + 1;
      else hi = mid;
    }
    const t1 = times[lo] ?? t;
    const l1 = logs[lo] ?? logIndex;
    const t0 = lo === 0 ? 0 : (times[lo - 1] ?? 0);
    const l0 = lo === 0 ? logIndex : (logs[lo - 1] ?? logIndex);
    return Math.exp(l0 + ((l1 - l0) * (t - t0)) / (t1 - t0));
  }

  return { base, asOfMs, indexUsd, nodes, forwardUsd };
}

/**
 * Observed forwards of one base in a snapshot: dated-future `markPrice`s (both families) and option
 * `underlyingPrice`s. Perpetuals, spot and unparsable names are skipped (see the module doc for why perpetuals are).
 */
export function forwardQuotesFromSnapshot(snapshot: MarketSnapshot, base: string): ForwardQuote[] {
  return forwardQuotesByBase(snapshot).get(base) ?? [];
}

/**
 * {@link forwardQuotesFromSnapshot} of every base in one pass over the instruments (a market of 700,000 options
 * parsed every name once per base before). `parse` lets a caller that parses the names anyway share its results.
 */
export function forwardQuotesByBase(snapshot: MarketSnapshot, parse: (name: string) => ReturnType<typeof parseInstrument> = parseInstrument): Map<string, ForwardQuote[]> {
  const out = new Map<string, ForwardQuote[]>();
  const push = (base: string, q: ForwardQuote): void => {
    const list = out.get(base);
    if (list === undefined) out.set(base, [q]);
    else list.push(q);
  };
  for (const name in snapshot.instruments) {
    const quote = snapshot.instruments[name] as MarketSnapshot["instruments"][string];
    const r = parse(name);
    if (!r.ok || r.value.kind === "spot" || r.value.kind === "perpetual") continue;
    if (r.value.kind === "future" && quote.markPrice !== undefined) push(r.value.base, { expiryMs: r.value.expiryMs, forwardUsd: quote.markPrice, source: "future" });
    else if (r.value.kind === "option" && quote.underlyingPrice !== undefined) push(r.value.base, { expiryMs: r.value.expiryMs, forwardUsd: quote.underlyingPrice, source: "option-underlying" });
  }
  return out;
}

/** Median of a non-empty list (mean of the two middle values for an even count). */
export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const hi = s[mid] ?? NaN;
  return s.length % 2 === 1 ? hi : ((s[mid - 1] ?? hi) + hi) / 2;
}
