import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { MarketSnapshot } from "../market/types.js";
import { fixedMarket } from "../../test/contract/fixed-market.js";
import { parsePortfolioFile, parsePortfolioJson, portfolioFileSchema, validatePortfolio } from "./portfolio.js";
import { toJsonSchema } from "./json-schema.js";
import { unwrap } from "../errors.js";
import { buildMarketContext } from "../pricing/build-context.js";
import { contractMarket } from "../../test/contract/markets.js";
import { describeWithSharedData } from "../../test/helpers/requires.js";

// Marks of Deribit's pme/simulate example (reference/deribit-pm.md W1, 2024-06-17T10:22:20.501Z).
const snapshot: MarketSnapshot = {
  timestampMs: 1718619740501,
  indexUsd: { BTC: 65666.19, ETH: 3500 },
  instruments: {
    "BTC-PERPETUAL": { markPrice: 65910.57 },
    "BTC-28JUN24": { markPrice: 67371.75 },
    "BTC-28JUN24-70000-C": { markIv: 0.5, underlyingPrice: 67371.75 },
    "BTC_USDC-PERPETUAL": { markPrice: 65900 },
  },
};
const market = fixedMarket(snapshot);

const issuesOf = (input: unknown): [string, string][] => {
  const r = validatePortfolio(input, market);
  return r.ok ? [] : r.issues.map((i) => [i.path, i.code]);
};

describe("portfolio file: valid input", () => {
  it("resolves the documented example (sizes in coin, collateral kept)", () => {
    const r = validatePortfolio(
      {
        positions: [
          { instrument: "BTC-PERPETUAL", size: 0.314538364 },
          { instrument: "BTC-28JUN24", size: -0.001187534 },
          { instrument: "BTC-28JUN24-70000-C", size: -2 },
        ],
        collateral: { BTC: 1.2, USDC: 5000 },
      },
      market,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.positions.map((p) => [p.instrument.name, p.instrument.kind, p.sizeCoin, p.sizeConvention, p.inputIndices])).toEqual([
      ["BTC-PERPETUAL", "perpetual", 0.314538364, "coin", [0]],
      ["BTC-28JUN24", "future", -0.001187534, "coin", [1]],
      ["BTC-28JUN24-70000-C", "option", -2, "coin", [2]],
    ]);
    expect(r.value.collateral).toEqual({ BTC: 1.2, USDC: 5000 });
    expect(r.value.notes).toEqual([]);
  });

  it("converts sizeUsd on inverse futures/perps at the mark and says so", () => {
    // W1: Deribit's 0.314538364 BTC of perpetual is 20,731.40 USD at the 65,910.57 mark (0.314538364 × 65910.57).
    const r = validatePortfolio({ positions: [{ instrument: "BTC-PERPETUAL", sizeUsd: -20731.40285810748 }] }, market);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.positions[0]?.sizeConvention).toBe("usd");
    // One division: within 2 ulps of the coin size Deribit shows.
    expect(Math.abs((r.value.positions[0]?.sizeCoin ?? 0) + 0.314538364)).toBeLessThan(1e-15);
    expect(r.value.collateral).toEqual({});
  });

  it("merges duplicates, sums sizes and reports them in notes", () => {
    const r = validatePortfolio(
      {
        positions: [
          { instrument: "BTC-PERPETUAL", size: 0.5 },
          { instrument: "BTC-28JUN24", size: 1 },
          { instrument: "BTC-PERPETUAL", sizeUsd: -6591.057 },
          { instrument: "BTC-28JUN24", size: -1 },
          { instrument: "BTC-PERPETUAL", size: 0.25 },
        ],
      },
      market,
    );
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const [perp, fut] = r.value.positions;
    expect(r.value.positions).toHaveLength(2);
    expect(perp?.inputIndices).toEqual([0, 2, 4]);
    expect(perp?.sizeCoin).toBeCloseTo(0.5 - 0.1 + 0.25, 14); // 6591.057 USD / 65910.57 = 0.1 BTC
    expect(perp?.sizeConvention).toBe("usd");
    expect(fut?.inputIndices).toEqual([1, 3]);
    expect(fut?.sizeCoin).toBe(0);
    expect(r.value.notes).toHaveLength(2);
    expect(r.value.notes[0]).toMatch(/^positions\[0\], positions\[2\] and positions\[4\] \(BTC-PERPETUAL\) merged: size 0\.5 \+ -0\.(1|09+\d*) \+ 0\.25 = 0\.65\d* coin \(mixed size and sizeUsd/);
    expect(r.value.notes[1]).toBe("positions[1] and positions[3] (BTC-28JUN24) merged: size 1 + -1 = 0 coin; net size 0, kept as a position of size 0");
  });

  it("allows extra fields and spot balances as positions", () => {
    const r = validatePortfolio({ account: "x", positions: [{ instrument: "BTC", size: 2, id: 7 }, { instrument: "USDC", size: -100 }] }, market);
    expect(r.ok && r.value.positions.map((p) => p.instrument.kind)).toEqual(["spot", "spot"]);
  });

  it("parses JSON text, reporting bad JSON with the file name", () => {
    const bad = parsePortfolioJson("{ positions: [", "my.json", market);
    expect(bad.ok ? null : [bad.issues[0]?.path, bad.issues[0]?.code]).toEqual(["my.json", "invalid_json"]);
    // JSON.parse turns 1e999 into Infinity: a non_finite issue, not a silent Infinity.
    const inf = parsePortfolioJson('{"positions":[{"instrument":"BTC-PERPETUAL","size":1e999}]}', "p.json", market);
    expect(inf.ok ? null : inf.issues.map((i) => [i.path, i.code])).toEqual([["positions[0].size", "non_finite"]]);
  });
});

describe("portfolio file: issues with paths", () => {
  it.each([
    ["no positions", {}, [["positions", "required"]]],
    ["positions not an array", { positions: {} }, [["positions", "invalid_type"]]],
    ["size as a string", { positions: [{ instrument: "BTC-PERPETUAL", size: "1" }] }, [["positions[0].size", "invalid_type"]]],
    ["NaN size", { positions: [{ instrument: "BTC-PERPETUAL", size: NaN }] }, [["positions[0].size", "non_finite"]]],
    ["missing instrument", { positions: [{ size: 1 }] }, [["positions[0].instrument", "required"]]],
    ["lower-case name", { positions: [{ instrument: "btc-perpetual", size: 1 }] }, [["positions[0].instrument", "malformed_instrument"]]],
    ["bad collateral key", { positions: [], collateral: { btc: 1 } }, [["collateral.btc", "invalid_value"]]],
    ["infinite collateral", { positions: [], collateral: { BTC: -Infinity } }, [["collateral.BTC", "non_finite"]]],
  ] as const)("%s", (_, input, expected) => {
    expect(parsePortfolioFile(input).ok).toBe(false);
    expect(issuesOf(input)).toEqual(expected);
  });

  it("checks calendar dates in the second stage (the schema pattern cannot)", () => {
    const input = { positions: [{ instrument: "BTC-31FEB24", size: 1 }] };
    expect(parsePortfolioFile(input).ok).toBe(true);
    expect(issuesOf(input)).toEqual([["positions[0].instrument", "malformed_instrument"]]);
  });

  it("reports every market-stage problem at once, each at its position", () => {
    const input = {
      positions: [
        { instrument: "BTC-PERPETUAL", size: 1 },
        { instrument: "SOL_USDC-PERPETUAL", size: 1 },
        { instrument: "BTC-14JUN24", size: 1 },
        { instrument: "BTC-28JUN24-80000-C", size: -1 },
        { instrument: "BTC-PERPETUAL", size: 1, sizeUsd: 100 },
        { instrument: "BTC-28JUN24" },
        { instrument: "BTC-28JUN24", size: 0 },
        { instrument: "BTC-28JUN24-70000-C", sizeUsd: 100 },
        { instrument: "BTC_USDC-PERPETUAL", sizeUsd: 100 },
        { instrument: "BTC-PERPETUAL", size: 1, unrealisedPnlUsdc: 5 },
        { instrument: "DOGE", size: 1 },
      ],
    };
    expect(issuesOf(input)).toEqual([
      ["positions[1].instrument", "missing_index"],
      ["positions[2].instrument", "expired_instrument"],
      ["positions[3].instrument", "missing_vol"],
      ["positions[4]", "invalid_value"],
      ["positions[5].size", "required"],
      ["positions[6].size", "invalid_value"],
      ["positions[7].sizeUsd", "unsupported"],
      ["positions[8].sizeUsd", "unsupported"],
      ["positions[9].unrealisedPnlUsdc", "unsupported"],
      ["positions[10].instrument", "missing_index"],
    ]);
  });

  it("never accepts a non-finite or zero size (property)", () => {
    const bad = fc.oneof(fc.constant(0), fc.constant(-0), fc.constant(Infinity), fc.constant(-Infinity), fc.constant(NaN));
    fc.assert(
      fc.property(bad, fc.constantFrom("size", "sizeUsd"), (v, field) => {
        expect(validatePortfolio({ positions: [{ instrument: "BTC-PERPETUAL", [field]: v }] }, market).ok).toBe(false);
      }),
    );
  });
});

describe("portfolio JSON Schema", () => {
  it("describes positions with instrument, size, sizeUsd and allows extra fields", () => {
    const schema = toJsonSchema(portfolioFileSchema) as {
      required: string[];
      properties: { positions: { items: { required: string[]; properties: Record<string, unknown>; additionalProperties?: unknown } } };
      additionalProperties?: unknown;
    };
    expect(schema.required).toEqual(["positions"]);
    expect(schema.additionalProperties).not.toBe(false);
    const item = schema.properties.positions.items;
    expect(item.required).toEqual(["instrument"]);
    expect(Object.keys(item.properties)).toEqual(expect.arrayContaining(["instrument", "size", "sizeUsd"]));
    expect(item.additionalProperties).not.toBe(false);
  });
});

describeWithSharedData("portfolio file against a real market context (Deribit 2025-12-30 chain)", () => {
  it("prices an unquoted option from the volatility surface, and says missing_vol where there is none", () => {
    const { market: real, snapshot: chain } = contractMarket();
    expect(chain.instruments["BTC-30JAN26-93500-C"]).toBeUndefined();
    const r = validatePortfolio({ positions: [{ instrument: "BTC-30JAN26-93500-C", size: -1 }, { instrument: "BTC-27MAR26", sizeUsd: 10000 }] }, real);
    expect(r.ok, JSON.stringify(r.ok ? null : r.issues)).toBe(true);
    // An unquoted future's sizeUsd is converted at its mark: here the future's quoted mark from the side file.
    if (r.ok) expect(r.value.positions[1]?.sizeCoin).toBeCloseTo(10000 / (chain.instruments["BTC-27MAR26"]?.markPrice ?? NaN), 12);
    // Several problems on one position are all reported; a USD size on an option is never converted at some mark.
    const bad = validatePortfolio(
      { positions: [{ instrument: "BTC-30JAN26-90000-C", sizeUsd: 1000 }, { instrument: "BTC-26DEC25", size: 1, sizeUsd: 5 }] },
      real,
    );
    expect(bad.ok ? [] : bad.issues.map((i) => [i.path, i.code])).toEqual([
      ["positions[0].sizeUsd", "unsupported"],
      ["positions[1]", "invalid_value"],
      ["positions[1].instrument", "expired_instrument"],
    ]);
    // SOL has an index but no quoted SOL option: no surface to price an unquoted SOL option with.
    const withSol = unwrap(buildMarketContext({ ...chain, indexUsd: { ...chain.indexUsd, SOL: 125 } }));
    const sol = validatePortfolio({ positions: [{ instrument: "SOL_USDC-30JAN26-130-C", size: 1 }] }, withSol);
    expect(sol.ok ? [] : sol.issues.map((i) => [i.path, i.code])).toEqual([["positions[0].instrument", "missing_vol"]]);
  });
});

describe("portfolio file: venue ids (issue #13)", () => {
  const usdt = fixedMarket({ ...snapshot, instruments: { ...snapshot.instruments, "BTC_USDT-PERPETUAL": { markPrice: 65920 } } });
  it("resolves an OKX id to the netrisk name and keeps the venue id", () => {
    const r = unwrap(validatePortfolio({ positions: [{ instrument: "BTC-USDT-SWAP", size: -0.1 }, { instrument: "BTC-USD-SWAP", sizeUsd: 1000 }] }, usdt));
    expect(r.positions.map((p) => [p.instrument.name, p.venueId, p.sizeConvention])).toEqual([
      ["BTC_USDT-PERPETUAL", "BTC-USDT-SWAP", "coin"],
      ["BTC-PERPETUAL", "BTC-USD-SWAP", "usd"],
    ]);
  });

  it("takes an explicit venueId, and merges two spellings of one instrument (the venue id then dropped)", () => {
    const r = unwrap(
      validatePortfolio(
        { positions: [{ instrument: "BTC_USDT-PERPETUAL", venueId: "BTCUSDT", size: 1 }, { instrument: "BTC-PERPETUAL", size: 1 }, { instrument: "BTC-USD-SWAP", size: -0.5 }] },
        usdt,
      ),
    );
    expect(r.positions.map((p) => [p.instrument.name, p.venueId, p.sizeCoin])).toEqual([
      ["BTC_USDT-PERPETUAL", "BTCUSDT", 1],
      ["BTC-PERPETUAL", undefined, 0.5],
    ]);
    expect(r.notes.join("\n")).toMatch(/positions\[1\] and positions\[2\] \(BTC-PERPETUAL\) merged/);
  });

  it("rejects the USDC-only unrealised fields on a USDT perpetual", () => {
    const r = validatePortfolio({ positions: [{ instrument: "BTC-USDT-SWAP", size: 1, unrealisedPnlUsdc: 5 }] }, usdt);
    expect(r.ok ? [] : r.issues.map((i) => [i.path, i.code])).toEqual([["positions[0].unrealisedPnlUsdc", "unsupported"]]);
  });
});
