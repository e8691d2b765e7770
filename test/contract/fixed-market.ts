/**
 * A {@link MarketContext} with every input fixed by hand, for unit tests of margin formulas: futures at their quoted
 * mark (else the index), options at their quoted forward and vol. No curve or surface fitting, so a test's expected
 * numbers depend only on what it states. Integration tests use the real `buildMarketContext` instead.
 */
import { issue, NetriskError } from "../../src/errors.js";
import type { MarketContext, OptionMarketInputs } from "../../src/market/context.js";
import type { DerivativeInstrument, InstrumentQuote, MarketSnapshot, OptionInstrument } from "../../src/market/types.js";
import { yearsBetween } from "../../src/market/types.js";

export function fixedMarket(snapshot: MarketSnapshot): MarketContext {
  const quote = (name: string): InstrumentQuote | undefined => snapshot.instruments[name];
  const index = (base: string): number => {
    const v = snapshot.indexUsd[base];
    if (v === undefined) throw new Error(`fixedMarket: no index for ${base}`);
    return v;
  };
  return {
    snapshot,
    asOfMs: snapshot.timestampMs,
    bases: Object.keys(snapshot.indexUsd),
    indexUsd: index,
    forwardUsd: (base) => index(base),
    futureMarkUsd: (inst: DerivativeInstrument) => quote(inst.name)?.markPrice ?? index(inst.base),
    optionInputs: (inst: OptionInstrument): OptionMarketInputs => {
      const q = quote(inst.name);
      if (q?.markIv === undefined || q.underlyingPrice === undefined) throw new Error(`fixedMarket: ${inst.name} needs markIv and underlyingPrice`);
      return {
        forwardUsd: q.underlyingPrice,
        volDecimal: q.markIv,
        timeYears: yearsBetween(snapshot.timestampMs, inst.expiryMs),
        rateDecimal: snapshot.ratesDecimal?.[inst.settlementCurrency] ?? 0,
      };
    },
    // As the real context does for a base with no quoted option to build a surface from.
    surfaceVol: (base) => {
      throw new NetriskError([issue("missing_vol", base, "fixedMarket has no volatility surface")]);
    },
  };
}
