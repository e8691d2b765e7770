/**
 * Build the {@link MarketContext} of a snapshot: forward curves per base, option pricing inputs, volatility surfaces.
 * Everything a kernel asks for is resolved here, once per snapshot, so kernels never meet a missing field.
 *
 * Option inputs (docs/formats.md, "How the engine reads a snapshot"):
 * - forward: the option's `underlyingPrice` when quoted, else the base's forward curve (forward-curve.ts);
 * - vol: `markIv` when quoted, else implied from `markPrice` (coin price for inverse options, USD for linear), else
 *   the base's volatility surface;
 * - time: ACT/365.25 years from the snapshot time to expiry (Deribit's `time_to_maturity`);
 * - rate: `ratesDecimal[settlementCurrency]`, default 0 (Deribit prices its options at 0 %).
 *
 * Layering: it lives in pricing, not market, because implying a vol from a price needs the Black-76 inversion of
 * ./implied-vol.ts; the MarketContext interface it implements stays in market/context.ts.
 * @module
 */
import { NetriskError, fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { impliedVolCoin, impliedVolUsd } from "./implied-vol.js";
import { checkSnapshot } from "../market/check-snapshot.js";
import type { MarketContext, OptionMarketInputs } from "../market/context.js";
import { buildForwardCurve, forwardQuotesByBase } from "../market/forward-curve.js";
import type { ForwardCurve } from "../market/forward-curve.js";
import { parseInstrument } from "../market/instrument.js";
import type { DerivativeInstrument, MarketSnapshot, OptionInstrument } from "../market/types.js";
import { yearsBetween } from "../market/types.js";
import { buildVolSurface } from "../market/vol-surface.js";
import type { VolQuote, VolSurface, VolSurfaceOptions } from "../market/vol-surface.js";

/** Options of {@link buildMarketContext}. */
export interface MarketContextOptions {
  /** Passed to `buildVolSurface` for every base (the base's index is added as `spotUsd` unless given). */
  readonly volSurface?: VolSurfaceOptions;
  /**
   * `lazy` (default): a base's surface is fitted the first time it is needed (~0.2 s for a 600-option Deribit
   * chain), so a context whose options all carry a vol costs nothing extra. `eager`: fit every surface now and
   * return its issues as data.
   */
  readonly volSurfaces?: "lazy" | "eager";
}

/** Where a quoted option's vol came from. */
export type VolSource = "mark-iv" | "implied-from-price";

/** A {@link MarketContext} with its building blocks exposed for reports and tests. */
export interface BuiltMarketContext extends MarketContext {
  /** The forward curve of a base with an index price. Throws a NetriskError (`missing_index`) for another base. */
  forwardCurve(base: string): ForwardCurve;
  /** The fitted volatility surface of a base, or undefined when the snapshot quotes no option on it. */
  volSurface(base: string): VolSurface | undefined;
  /** Per quoted option: its pricing inputs and where the vol came from. */
  readonly quotedOptions: Readonly<Record<string, OptionMarketInputs & { readonly volSource: VolSource }>>;
}

/**
 * The vol an option's mark price implies (inverse options: price in coin; linear: in USD), > 0; else the inversion's
 * issue at `path` (`price_below_intrinsic`, `price_above_bound`, `no_implied_vol`; a price exactly at intrinsic
 * implies σ = 0, which no vol surface or Greek can use, and is `no_implied_vol`).
 */
export function impliedVolOfMark(inst: OptionInstrument, price: number, forwardUsd: number, timeYears: number, rateDecimal: number, path: string): Result<number> {
  const common = { isCall: inst.optionKind === "call", forwardUsd, strikeUsd: inst.strikeUsd, timeYears, rateDecimal };
  const iv = inst.settlement === "inverse" ? impliedVolCoin({ ...common, priceCoin: price }) : impliedVolUsd({ ...common, priceUsd: price });
  if (!iv.ok) return fail(...iv.issues.map((i) => issue(i.code, path, `${i.message} (forward ${forwardUsd} USD, T ${timeYears} y)`)));
  if (!(iv.value > 0)) return fail(issue("no_implied_vol", path, "the price equals the intrinsic value: zero implied vol"));
  return iv;
}

/**
 * Build the market context of a snapshot.
 * @returns the context, or issues: every issue of `checkSnapshot` (the snapshot may have been built in code), and
 *   for an option priced without `markIv`, the implied-vol failure (`price_below_intrinsic`, `price_above_bound`,
 *   `no_implied_vol`) at `instruments.<name>.markPrice`; with `volSurfaces: "eager"`, surface-fit issues.
 */
export function buildMarketContext(snapshot: MarketSnapshot, options: MarketContextOptions = {}): Result<BuiltMarketContext> {
  const checked = checkSnapshot(snapshot);
  if (checked.length > 0) return fail(...checked);
  const asOfMs = snapshot.timestampMs;
  // A base's instruments are valued from the instant its quotes were observed (the live core re-times only the
  // underlyings a tick moves); an ordinary snapshot has one time for all.
  const timeOf = (base: string): number => snapshot.valuationTimesMs?.[base] ?? asOfMs;
  const bases = Object.keys(snapshot.indexUsd).sort();
  // Each name parsed once here (a large market's names were parsed once per base and again for the options).
  const parsedNames = new Map<string, ReturnType<typeof parseInstrument>>();
  for (const name in snapshot.instruments) parsedNames.set(name, parseInstrument(name));
  const parsedOf = (name: string): ReturnType<typeof parseInstrument> => parsedNames.get(name) ?? parseInstrument(name);
  const quotesByBase = forwardQuotesByBase(snapshot, parsedOf);
  const curves = new Map<string, ForwardCurve>();
  for (const base of bases) {
    curves.set(base, buildForwardCurve(base, snapshot.indexUsd[base] as number, timeOf(base), quotesByBase.get(base) ?? []));
  }
  const rateOf = (currency: string): number => snapshot.ratesDecimal?.[currency] ?? 0;

  const issues: Issue[] = [];
  const quoted: Record<string, OptionMarketInputs & { volSource: VolSource }> = {};
  const surfaceQuotes = new Map<string, VolQuote[]>();
  for (const [name, quote] of Object.entries(snapshot.instruments)) {
    const parsed = parsedOf(name);
    if (!parsed.ok || parsed.value.kind !== "option") continue;
    const inst = parsed.value;
    const forwardUsd = quote.underlyingPrice ?? (curves.get(inst.base) as ForwardCurve).forwardUsd(inst.expiryMs);
    const timeYears = yearsBetween(timeOf(inst.base), inst.expiryMs);
    const rateDecimal = rateOf(inst.settlementCurrency);
    let volDecimal = quote.markIv;
    let volSource: VolSource = "mark-iv";
    if (volDecimal === undefined) {
      // checkSnapshot guarantees markPrice when markIv is absent.
      const iv = impliedVolOfMark(inst, quote.markPrice as number, forwardUsd, timeYears, rateDecimal, joinPath("instruments", name, "markPrice"));
      if (!iv.ok) {
        issues.push(...iv.issues);
        continue;
      }
      volDecimal = iv.value;
      volSource = "implied-from-price";
    }
    quoted[name] = { forwardUsd, volDecimal, timeYears, rateDecimal, volSource };
    const list = surfaceQuotes.get(inst.base) ?? [];
    list.push({ strikeUsd: inst.strikeUsd, expiryMs: inst.expiryMs, forwardUsd, volDecimal, instrument: name });
    surfaceQuotes.set(inst.base, list);
  }
  if (issues.length > 0) return fail(...issues);

  const surfaces = new Map<string, VolSurface>();
  const fitSurface = (base: string): Result<VolSurface> | undefined => {
    const quotes = surfaceQuotes.get(base);
    if (!quotes) return undefined;
    return buildVolSurface(base, quotes, timeOf(base), { spotUsd: snapshot.indexUsd[base], ...options.volSurface });
  };
  if (options.volSurfaces === "eager") {
    for (const base of surfaceQuotes.keys()) {
      const s = fitSurface(base);
      if (s && !s.ok) issues.push(...s.issues.map((i) => ({ ...i, path: joinPath("volSurface", base, i.path) })));
      else if (s) surfaces.set(base, s.value);
    }
    if (issues.length > 0) return fail(...issues);
  }
  const volSurface = (base: string): VolSurface | undefined => {
    const cached = surfaces.get(base);
    if (cached) return cached;
    const s = fitSurface(base);
    if (!s) return undefined;
    // Lazy fit of quotes that passed checkSnapshot: a failure here is a bug, not bad input.
    if (!s.ok) throw new NetriskError(s.issues);
    surfaces.set(base, s.value);
    return s.value;
  };

  const forwardCurve = (base: string): ForwardCurve => {
    const c = curves.get(base);
    if (!c) throw new NetriskError([issue("missing_index", base, `no index price for ${base} in this snapshot`)]);
    return c;
  };
  const surfaceVol = (base: string, strikeUsd: number, expiryMs: number): number => {
    const timeYears = yearsBetween(timeOf(base), expiryMs);
    if (!(timeYears > 0)) throw new NetriskError([issue("expired_instrument", base, `expiry ${new Date(expiryMs).toISOString()} is not after the snapshot time`)]);
    const s = volSurface(base);
    if (!s) throw new NetriskError([issue("missing_vol", base, `the snapshot quotes no ${base} option to build a volatility surface from`)]);
    return s.vol(strikeUsd, timeYears);
  };

  const context: BuiltMarketContext = {
    snapshot,
    asOfMs,
    bases,
    indexUsd: (base) => {
      const v = snapshot.indexUsd[base];
      if (v === undefined) throw new NetriskError([issue("missing_index", base, `no index price for ${base} in this snapshot`)]);
      return v;
    },
    forwardUsd: (base, expiryMs) => forwardCurve(base).forwardUsd(expiryMs),
    futureMarkUsd: (inst: DerivativeInstrument) => {
      if (inst.kind === "option") throw new NetriskError([issue("invalid_value", inst.name, "futureMarkUsd takes a future or perpetual, not an option")]);
      const mark = snapshot.instruments[inst.name]?.markPrice;
      if (mark !== undefined) return mark;
      // Unquoted: a perpetual is marked at the index (funding ties it there), a dated future on the forward curve.
      return inst.kind === "perpetual" ? context.indexUsd(inst.base) : forwardCurve(inst.base).forwardUsd(inst.expiryMs);
    },
    optionInputs: (inst: OptionInstrument): OptionMarketInputs => {
      const q = quoted[inst.name];
      if (q) return q;
      const timeYears = yearsBetween(timeOf(inst.base), inst.expiryMs);
      return {
        forwardUsd: forwardCurve(inst.base).forwardUsd(inst.expiryMs),
        volDecimal: surfaceVol(inst.base, inst.strikeUsd, inst.expiryMs),
        timeYears,
        rateDecimal: rateOf(inst.settlementCurrency),
      };
    },
    surfaceVol,
    valuationTimeMs: timeOf,
    forwardCurve,
    volSurface,
    quotedOptions: quoted,
  };
  return ok(context);
}
