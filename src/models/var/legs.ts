/**
 * The legs a statistical margin call revalues: every position of the portfolio (merged by instrument name, so the
 * model stays safe on an unmerged portfolio) and, when the parameter set says so, every collateral balance.
 * @module
 */
import type { MarketContext } from "../../market/context.js";
import { joinPath } from "../../errors.js";
import { hasUsdRate } from "../../risk/marks.js";
import type { RevaluationLeg } from "../../risk/revaluation.js";
import type { ResolvedPortfolio } from "../types.js";

/** Label of a collateral balance's leg. */
export const collateralLabel = (currency: string): string => `collateral:${currency}`;

/**
 * Legs of a portfolio: positions by instrument name (sizes of repeated names summed), then collateral balances
 * (`collateral:<CCY>`) when `withCollateral`; a collateral currency the market cannot price in USD is left out with a
 * note, as valuation does.
 */
export function legsOf(portfolio: ResolvedPortfolio, market: MarketContext, withCollateral: boolean, notes: string[]): RevaluationLeg[] {
  const byName = new Map<string, RevaluationLeg>();
  portfolio.positions.forEach((p, k) => {
    const prev = byName.get(p.instrument.name);
    const path = joinPath("positions", p.inputIndices[0] ?? k, "instrument");
    byName.set(p.instrument.name, { label: p.instrument.name, instrument: p.instrument, sizeCoin: (prev?.sizeCoin ?? 0) + p.sizeCoin, path: prev?.path ?? path });
  });
  const legs = [...byName.values()];
  const collateral = Object.entries(portfolio.collateral).sort(([a], [b]) => (a < b ? -1 : 1));
  if (!withCollateral) {
    if (collateral.length > 0) notes.push("collateral balances are not revalued in the scenarios (collateralInScenarios: false): their risk is the account layer's haircut");
    return legs;
  }
  for (const [currency, amount] of collateral) {
    if (amount === 0) continue;
    if (!hasUsdRate(market, currency)) {
      notes.push(`collateral ${currency} ${amount}: no USD price in the market, not revalued`);
      continue;
    }
    legs.push({ label: collateralLabel(currency), instrument: { kind: "spot", name: currency, currency }, sizeCoin: amount, path: joinPath("collateral", currency) });
  }
  return legs;
}
