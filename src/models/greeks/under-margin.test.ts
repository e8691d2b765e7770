// Where the Greeks (Taylor) margin under-margins against full revaluation, shown on real quotes: a short far-OTM
// strangle on BTC (Deribit 30JAN26 110000-C and 70000-P, mark IVs 42.98 % and 54.04 %, forward 88,911.04 USD, of
// 2025-12-30T17:31Z; as USDC-settled twins so that every model works in USD, as in test/contract/markets.ts).
// docs/methodology.md "Greeks-based margin" quotes these figures.
//
// References: full revaluation with Black-76 (src/pricing, checked against QuantLib in src/pricing/quantlib.test.ts)
// at the Greeks model's own shocks; the Deribit risk-matrix model (full revaluation on its own ±16 % grid); the SPAN
// model. The inequalities are the point; the margins between them are large (factors, not rounding), so no
// tolerance is needed beyond the exact comparison.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { fixedMarket } from "../../../test/contract/fixed-market.js";
import { unwrap } from "../../errors.js";
import { validatePortfolio } from "../../io/portfolio.js";
import type { MarketContext } from "../../market/context.js";
import type { OptionInstrument } from "../../market/types.js";
import { black76PriceUsd } from "../../pricing/black76.js";
import type { MarginModel, ResolvedPortfolio } from "../types.js";
import { createModel } from "../registry.js";

const presetOf = (name: string): unknown => JSON.parse(readFileSync(new URL(`../../../presets/${name}.json`, import.meta.url), "utf8"));
const F = 88911.04;
const market: MarketContext = fixedMarket({
  timestampMs: Date.parse("2025-12-30T17:31:15.944Z"),
  indexUsd: { BTC: 88524.21 },
  instruments: {
    "BTC_USDC-30JAN26-110000-C": { markIv: 0.4298, underlyingPrice: F },
    "BTC_USDC-30JAN26-70000-P": { markIv: 0.5404, underlyingPrice: F },
    "BTC_USDC-30JAN26-95000-C": { markIv: 0.3895, underlyingPrice: F },
    "BTC_USDC-30JAN26-85000-P": { markIv: 0.4124, underlyingPrice: F },
  },
});
const model = (id: string, preset: string): MarginModel => unwrap(createModel(id, { parameterSet: presetOf(preset) }));
const greeks = model("greeks", "greeks-default");
const strangle = (call: number, put: number): ResolvedPortfolio =>
  unwrap(
    validatePortfolio(
      {
        positions: [
          { instrument: `BTC_USDC-30JAN26-${call}-C`, size: -1 },
          { instrument: `BTC_USDC-30JAN26-${put}-P`, size: -1 },
        ],
      },
      market,
    ),
  );

/** Largest loss of the portfolio over price moves ±s and vol unchanged or × (1 + v), by Black-76 revaluation. */
function fullRevaluationLoss(p: ResolvedPortfolio, s: number, v: number): number {
  let worst = -Infinity;
  for (const move of [s, -s])
    for (const volMult of [1, 1 + v]) {
      let pnl = 0;
      for (const pos of p.positions) {
        const inst = pos.instrument as OptionInstrument;
        const m = market.optionInputs(inst);
        const args = { isCall: inst.optionKind === "call", strikeUsd: inst.strikeUsd, timeYears: m.timeYears, rateDecimal: m.rateDecimal };
        pnl += pos.sizeCoin * (black76PriceUsd({ ...args, forwardUsd: m.forwardUsd * (1 + move), volDecimal: m.volDecimal * volMult }) - black76PriceUsd({ ...args, forwardUsd: m.forwardUsd, volDecimal: m.volDecimal }));
      }
      worst = Math.max(worst, -pnl);
    }
  return worst;
}

const params = presetOf("greeks-default") as { underlyings: { BTC: { price_shock: number; vega_shock: { M1: number } } } };
const s = params.underlyings.BTC.price_shock;
const v = params.underlyings.BTC.vega_shock.M1; // 31 days to expiry: the M1 bucket

describe("the Greeks approximation against full revaluation", () => {
  const far = strangle(110000, 70000);
  const near = strangle(95000, 85000);
  const greeksMm = (p: ResolvedPortfolio): number => greeks.compute(p, market).totalUsd.maintenanceMargin;

  it("under-margins a short far-OTM strangle: it covers less than 80 % of the loss at its own shocks", () => {
    // Observed: 2,647.84 USD against 3,567.89 USD (74 %).
    expect(greeksMm(far)).toBeLessThan(0.8 * fullRevaluationLoss(far, s, v));
  });

  it("under a large move (price shocks doubled) it still covers only about 70 % of the full-revaluation loss", () => {
    const raw = presetOf("greeks-default") as { underlyings: Record<string, { price_shock: number }> };
    for (const u of Object.values(raw.underlyings)) u.price_shock *= 2;
    const doubled = unwrap(createModel("greeks", { parameterSet: raw }));
    // Observed: 8,523.18 USD against 11,879.69 USD (72 %) for a 33.8 % move.
    const g = doubled.compute(far, market).totalUsd.maintenanceMargin;
    const full = fullRevaluationLoss(far, 2 * s, v);
    expect(g).toBeLessThan(0.75 * full);
    expect(g).toBeGreaterThan(0.65 * full);
  });

  it("under-margins it against the full-revaluation models too (Deribit risk matrix, SPAN)", () => {
    const g = greeksMm(far);
    const deribit = model("deribit", "deribit").compute(far, market).byCurrency.btc_usdc?.components.worstCase ?? NaN;
    const span = model("span", "span-crypto").compute(far, market).byCurrency.BTC?.components.scanRisk ?? NaN;
    // Observed: Greeks 2,647.84 USD; Deribit worst case 4,799.51 USDC (±16 %, vol up 50 %·scale); SPAN scan 3,928.94 USD.
    expect(g).toBeLessThan(deribit);
    expect(g).toBeLessThan(span);
  });

  it("does not under-margin the near strangle: close to the money the |gamma| term over-covers", () => {
    const g = greeksMm(near);
    const full = fullRevaluationLoss(near, s, v);
    // Observed: 10,040.29 USD against 8,114.53 USD (124 %).
    expect(g).toBeGreaterThan(full);
  });
});
