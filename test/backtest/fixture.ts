/**
 * The synthetic backtest of test/fixtures/backtest (generate.py): snapshot, portfolio and history as the engine reads
 * them, and small test models.
 * @module
 */
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { validateMarket } from "../../src/io/market.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import type { BuiltMarketContext } from "../../src/pricing/build-context.js";
import type { MarginModel, MarginResult } from "../../src/models/types.js";
import type { ResolvedPortfolio } from "../../src/risk/portfolio.js";
import { parseHistoryCsv } from "../../src/risk/history/parse.js";
import type { History } from "../../src/risk/history/types.js";

export interface WalkFixture {
  snapshot: unknown;
  portfolio: unknown;
  horizonDays: number;
  dates: string[];
  dvolReference: number;
  lossUsd: { coin: number[]; usd: number[] };
  rolledStrikes: Record<string, number>[];
}

export const fixture = JSON.parse(readFileSync(new URL("../fixtures/backtest/backtest.json", import.meta.url), "utf8")) as { walk: WalkFixture };
export const walkFixture = fixture.walk;
export const historyText = readFileSync(new URL("../fixtures/backtest/walk-history.csv", import.meta.url), "utf8");

/** Market, portfolio and history of the synthetic walk. */
export function synthetic(): { market: BuiltMarketContext; portfolio: ResolvedPortfolio; history: History } {
  const market = unwrap(buildMarketContext(unwrap(validateMarket(walkFixture.snapshot))));
  const portfolio = unwrap(validatePortfolio(walkFixture.portfolio, market));
  const history = unwrap(parseHistoryCsv(historyText, "walk-history.csv"));
  return { market, portfolio, history };
}

/** A model whose margin is `marginUsd(asOfMs)` in USD: for tests of the walk's bookkeeping, not a margin method. */
export function fixedMarginModel(id: string, marginUsd: (asOfMs: number) => number): MarginModel {
  const parameterSet = { name: id, version: "test", effective: "2025-01-01" };
  return {
    id,
    parameterSet,
    compute: (_p, market): MarginResult => {
      const m = marginUsd(market.asOfMs);
      return {
        model: id,
        parameterSet,
        byCurrency: {},
        totalUsd: { initialMargin: m, maintenanceMargin: m / 2 },
        sizeConventions: ["coin"],
        notes: [],
      };
    },
  };
}
