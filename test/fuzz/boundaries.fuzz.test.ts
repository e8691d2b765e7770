/**
 * Fuzz targets, one per input boundary (issue 9 "Fuzzing in the suite"): market JSON, portfolio, account, history CSV,
 * Deribit chain CSVs, stress scenarios, price and iv rows, trade specs. Each input is driven through validation and on
 * into the engine when accepted; every outcome must be a finite result or a coded bad-input error (harness.ts). Small
 * and seeded here (seconds); `npm run fuzz -- --runs N` runs N × weight inputs per target.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { evaluateAccount } from "../../src/account/account.js";
import { whatIf } from "../../src/account/what-if.js";
import { impliedVolRows, priceRows } from "../../src/cli/commands/pricing.js";
import { unwrap } from "../../src/errors.js";
import { loadAccount, parseTradeSpec } from "../../src/io/account.js";
import { loadDeribitOptionsSnapshotCsv, loadDeribitTickerCsv } from "../../src/io/deribit-csv.js";
import { validateMarket } from "../../src/io/market.js";
import { validateOptionRow } from "../../src/io/option-batch.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { validateStressScenarios } from "../../src/io/stress-scenarios.js";
import { createModel } from "../../src/models/registry.js";
import { accountFileOf, importVenue } from "../../src/venues/index.js";
import { legsOf } from "../../src/models/var/legs.js";
import { stressTest } from "../../src/models/var/stress.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { parseHistoryCsv } from "../../src/risk/history/parse.js";
import { userStressScenarios } from "../../src/risk/stress/user.js";
import { anyDouble, anyJson, applyMutations, failuresOf, fuzz, mutationArb, runsFor, type FuzzCounts } from "./harness.js";

const json = (p: string): unknown => JSON.parse(readFileSync(p, "utf8")) as unknown;
const MARKET = json("examples/market.json");
const PORTFOLIO = json("examples/portfolio.json");
const ACCOUNT = json("examples/account.json");
const market = unwrap(buildMarketContext(unwrap(validateMarket(MARKET))));
const NAMES = Object.keys((MARKET as { instruments: Record<string, unknown> }).instruments);
const standard = unwrap(createModel("standard", { parameterSet: json("presets/standard-deribit.json") }));
const deribit = unwrap(createModel("deribit", { parameterSet: json("presets/deribit.json") }));
const account = unwrap(loadAccount(ACCOUNT, market)).account;

const expectClean = (c: FuzzCounts): void => {
  expect(failuresOf(c), `${c.target}: ${JSON.stringify({ ...c, examples: undefined })}\n${c.examples.join("\n")}`).toBe(0);
  expect(c.inputs).toBeGreaterThan(0);
};

/** A number as a user could type it: ordinary, extreme, or not a number at all. */
const numberText = fc.oneof(
  anyDouble().map(String),
  fc.constantFrom("", "abc", "0x10", "1e999", "-1e999", "nan", "Infinity", "1_000", " 5", "1e-400", "+.5", "5."),
  fc.string({ maxLength: 6 }),
);

/** A number inside [min, max] four times in five (so the kernels run), any double otherwise (so validation runs). */
const inDomainMostly = (min: number, max: number): fc.Arbitrary<number> =>
  fc.oneof({ weight: 4, arbitrary: fc.double({ min, max, noNaN: true }) }, { weight: 1, arbitrary: anyDouble() });

describe("fuzz: input boundaries", () => {
  it("market JSON (mutated example market), on to a margin", () => {
    const c = fuzz(
      "market-json",
      mutationArb(),
      (ms) => {
        const v = validateMarket(applyMutations(MARKET, ms));
        if (!v.ok) return v;
        const ctx = buildMarketContext(v.value);
        if (!ctx.ok) return ctx;
        const p = validatePortfolio(PORTFOLIO, ctx.value);
        if (!p.ok) return p;
        return standard.compute(p.value, ctx.value);
      },
      { numRuns: runsFor(150, 0.2), seed: 901 },
    );
    expectClean(c);
  });

  it("portfolio (random positions and balances), on to a risk-matrix margin", () => {
    const position = fc.record(
      {
        instrument: fc.oneof(fc.constantFrom(...NAMES, "BTC", "USDC", "ETH"), fc.string({ maxLength: 24 }), fc.constantFrom("BTC-6MAR26-1-C", "BTC-6MAR26-999999999-P", "BTC-1JAN25-90000-C")),
        size: anyDouble(),
        sizeUsd: anyDouble(),
        averagePrice: anyDouble(),
      },
      { requiredKeys: ["instrument"] },
    );
    const c = fuzz(
      "portfolio",
      fc.record({ positions: fc.array(position, { maxLength: 4 }), collateral: fc.dictionary(fc.constantFrom("BTC", "USDC", "ETH", "DOGE"), anyDouble(), { maxKeys: 2 }) }),
      (doc) => {
        const p = validatePortfolio(doc, market);
        if (!p.ok) return p;
        return deribit.compute(p.value, market);
      },
      { numRuns: runsFor(150, 0.2), seed: 902 },
    );
    expectClean(c);
  });

  it("account file (mutated example account), on to its evaluation", () => {
    const c = fuzz(
      "account",
      mutationArb(),
      (ms) => {
        const a = loadAccount(applyMutations(ACCOUNT, ms), market);
        if (!a.ok) return a;
        return evaluateAccount(a.value.account);
      },
      { numRuns: runsFor(100, 0.2), seed: 903 },
    );
    expectClean(c);
  });

  it("history CSV (random cells in a generic file)", () => {
    const base = readFileSync("test/fixtures/backtest/walk-history.csv", "utf8").split("\n").filter(Boolean);
    const cell = fc.oneof(numberText, fc.constantFrom("2024-12-01", "2024-13-01", "1e300", "9e15", "", "2024-12-03T00:00:00Z", '"1,2"'));
    const c = fuzz(
      "history-csv",
      fc.array(fc.record({ row: fc.nat(base.length - 1), col: fc.nat(2), value: cell }), { maxLength: 4 }),
      (edits) => {
        const rows = base.map((r) => r.split(","));
        for (const e of edits) {
          const r = rows[e.row];
          if (r) r[e.col] = e.value;
        }
        return parseHistoryCsv(rows.map((r) => r.join(",")).join("\n"), "walk-history.csv");
      },
      { numRuns: runsFor(200, 1), seed: 904 },
    );
    expectClean(c);
  });

  it("Deribit chain CSVs (options snapshot and ticker layouts, random cells), on to a market context", () => {
    const HEADER =
      "timestamp,instrument_name,underlying,underlying_name,option_type,strike,expiry_datetime,time_to_maturity,bid_price,ask_price,mark_price,mid_price,futures_price,futures_instrument_name,implied_volatility,delta,vega,open_interest,volume,bid_ask_spread,currency,index_price,volume_usd";
    const ROW = (name: string, strike: string, cp: string) =>
      `2025-12-30T17:31:15.944181+00:00,${name},88728.94,SYN.BTC-16JAN26,${cp},${strike},2026-01-16T08:00:00+00:00,0.05,0.084,0.088,0.0855,,,,0.4323,0.8,50.2,0.3,0,,BTC,88530.23,0`;
    const snapshot = [HEADER, ROW("BTC-16JAN26-82000-C", "82000.0", "call"), ROW("BTC-16JAN26-90000-P", "90000.0", "put"), ROW("BTC-16JAN26-96000-C", "96000.0", "call")];
    const TICKER_HEADER =
      "expiration_timestamp,option_type,instrument_name,strike,underlying_price,underlying_index,timestamp,open_interest,mark_price,mark_iv,index_price,greeks,bid_iv,best_bid_price,best_ask_price,ask_iv,interest_rate";
    const TROW = (name: string) =>
      `1601020800000,${name.endsWith("C") ? "call" : "put"},${name},${name.split("-")[2]},9200.5,BTC-25SEP20,1593590400000,10,0.05,55.5,9150.25,"{'delta': 0.5, 'gamma': 0.0001, 'vega': 10.5, 'theta': -5.5, 'rho': 1.2}",50,0.045,0.055,60,0`;
    const ticker = [TICKER_HEADER, TROW("BTC-25SEP20-9000-C"), TROW("BTC-25SEP20-10000-P")];
    const cell = fc.oneof(numberText, fc.constantFrom("9e15", "1e300", "-1", "0", "abc", "2026-13-45T08:00:00+00:00", "call", "put", "BTC-16JAN26-82000-C", ""));
    const edit = fc.record({ layout: fc.boolean(), row: fc.nat(3), col: fc.nat(22), value: cell });
    const c = fuzz(
      "chain-csv",
      fc.array(edit, { minLength: 1, maxLength: 4 }),
      (edits) => {
        const useTicker = edits[0]?.layout === true;
        const lines = (useTicker ? ticker : snapshot).map((l) => l.match(/("[^"]*"|[^,]*)(,|$)/g)?.map((x) => x.replace(/,$/, "")) ?? []);
        for (const e of edits) {
          const r = lines[1 + (e.row % (lines.length - 1))];
          if (r) r[e.col % r.length] = e.value.includes(",") ? `"${e.value}"` : e.value;
        }
        const text = lines.map((l) => l.join(",")).join("\n");
        const chain = useTicker ? loadDeribitTickerCsv(text, { sourceName: "ticker.csv" }) : loadDeribitOptionsSnapshotCsv(text, { sourceName: "options.csv" });
        if (!chain.ok) return chain;
        return buildMarketContext(chain.value.snapshot);
      },
      { numRuns: runsFor(200, 1), seed: 905 },
    );
    expectClean(c);
  });

  it("stress scenarios (random moves), on to the stress P&L of the example portfolio", () => {
    const portfolio = unwrap(validatePortfolio(PORTFOLIO, market));
    const legs = legsOf(portfolio, market, true, []);
    const moves = fc.dictionary(fc.constantFrom("BTC", "ETH", "USDC", "SOL", "btc"), fc.oneof(anyDouble(), fc.double({ min: -0.999, max: 100, noNaN: true }), anyJson()), { maxKeys: 3 });
    const c = fuzz(
      "stress-scenarios",
      fc.array(fc.record({ name: fc.oneof(fc.constantFrom("a", "b"), fc.string({ maxLength: 4 })), priceMoves: moves, volMoves: moves }, { requiredKeys: ["name", "priceMoves"] }), { maxLength: 3 }),
      (scenarios) => {
        const v = validateStressScenarios({ scenarios });
        if (!v.ok) return v;
        return stressTest(legs, market, userStressScenarios(v.value), "sticky-strike");
      },
      { numRuns: runsFor(150, 0.2), seed: 906 },
    );
    expectClean(c);
  });

  it("price and iv rows (any numbers), on to the batch kernels", () => {
    const row = fc.record(
      {
        type: fc.constantFrom("call", "put", "x"),
        forward: inDomainMostly(1e-8, 1e9),
        strike: inDomainMostly(1e-8, 1e9),
        timeYears: inDomainMostly(1e-10, 100),
        vol: inDomainMostly(1e-4, 10),
        price: inDomainMostly(0, 1e9),
        rate: inDomainMostly(-1, 1),
        settlement: fc.constantFrom("linear", "inverse"),
      },
      { requiredKeys: ["type", "forward", "strike", "timeYears", "settlement"] },
    );
    const c = fuzz(
      "price-iv-rows",
      fc.tuple(row, fc.boolean()),
      ([r, isIv]) => {
        const field = isIv ? "price" : "vol";
        const { [isIv ? "vol" : "price"]: _drop, ...raw } = r;
        const v = validateOptionRow(raw, 0, field);
        if (!v.ok) return { ok: false, issues: v.issues };
        const [out] = isIv ? impliedVolRows([v.row]) : priceRows([v.row]);
        // An implied-vol row without a solution is an error document (coded), not a crash.
        if (out !== undefined && "error" in out) return { ok: false, issues: out.error.issues };
        return out;
      },
      { numRuns: runsFor(2000, 5), seed: 907 },
    );
    expectClean(c);
  });

  it("venue responses (mutated real fixtures of each venue), imported, then as an account file on a market", () => {
    // The fixtures of test/fixtures/venues (provenance in its SOURCES.md), one venue's files per input.
    const venues: [string, string[]][] = [
      ["deribit", ["deribit/get_positions.json", "deribit/get_account_summaries.json"]],
      ["okx", ["okx/positions.json", "okx/balance.json"]],
      ["bybit", ["bybit/position-list.json", "bybit/wallet-balance.json"]],
      ["binance", ["binance/um-positionRisk.json", "binance/cm-positionRisk.json", "binance/account.json"]],
      ["hyperliquid", ["hyperliquid/clearinghouseState.json", "hyperliquid/spotClearinghouseState.json"]],
      ["derive", ["derive/get_all_portfolios.json"]],
      ["ccxt", ["ccxt/deribit-fetchPositions-issue-26913.json"]],
    ];
    const files = venues.map(([v, names]) => [v, names.map((n) => ({ name: n, json: json(`test/fixtures/venues/${n}`) }))] as const);
    let imported = 0;
    const c = fuzz(
      "venue-import",
      fc.record({ venue: fc.nat(venues.length - 1), file: fc.nat(5), ms: fc.oneof(fc.constant([]), mutationArb()) }),
      ({ venue, file, ms }) => {
        const [id, fs] = files[venue] as (typeof files)[number];
        const mutated = fs.map((f, i) => (i === file % fs.length ? { name: f.name, json: applyMutations(f.json, ms) } : f));
        const r = importVenue(id, mutated);
        if (!r.ok) return r;
        imported++;
        // The account file it makes loads on a market (instruments not listed there are coded issues) or is refused.
        const loaded = loadAccount({ ...accountFileOf(r.value), model: "standard", parameterSet: "standard-deribit" }, market);
        return loaded.ok ? { imported: r.value, figures: evaluateAccount(loaded.value.account) } : loaded;
      },
      { numRuns: runsFor(150, 0.5), seed: 909 },
    );
    expectClean(c);
    expect(imported).toBeGreaterThan(0);
  });

  it("trade specs (any text), on to a what-if on the example account", () => {
    const spec = fc.oneof(
      fc.tuple(fc.constantFrom(...NAMES, "BTC-6MAR26-91000-C", "BTC", "NOPE"), numberText, fc.option(numberText, { nil: undefined })).map(([i, s, p]) => `${i}:${s}${p === undefined ? "" : `@${p}`}`),
      fc.string({ maxLength: 30 }),
    );
    const c = fuzz(
      "trade-specs",
      spec,
      (text) => {
        const t = parseTradeSpec(text, "trades[0]");
        if (!t.ok) return t;
        return whatIf(account, [t.value]);
      },
      { numRuns: runsFor(150, 0.5), seed: 908 },
    );
    expectClean(c);
  });
});
