import { describe, expect, it } from "vitest";
import fc from "fast-check";
import type { Issue } from "../errors.js";
import { marketSnapshotToJson, parseMarketJson, validateMarket } from "./market.js";

/** The minimum format from the task (Deribit pme/simulate docs example, ../shared/reference/deribit-pm.md §5 W1). */
const MINIMAL = `{ "timestamp": "2024-06-17T10:22:20.501Z",
  "index": { "BTC": 65666.19 },
  "instruments": {
    "BTC-PERPETUAL": { "markPrice": 65910.57 },
    "BTC-28JUN24":   { "markPrice": 67371.75 },
    "BTC-28JUN24-70000-C": { "markIv": 0.55, "underlyingPrice": 67371.75 } } }`;

function issuesOf(input: unknown): Issue[] {
  const r = validateMarket(input);
  if (r.ok) throw new Error("expected validation to fail");
  return [...r.issues];
}

function base(): Record<string, unknown> {
  return JSON.parse(MINIMAL) as Record<string, unknown>;
}

function withQuote(name: string, quote: unknown): Record<string, unknown> {
  const b = base();
  return { ...b, instruments: { ...(b.instruments as object), [name]: quote } };
}

describe("parseMarketJson", () => {
  it("accepts the minimum format", () => {
    const r = parseMarketJson(MINIMAL, "market.json");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.timestampMs).toBe(1718619740501); // Deribit docs: timestamp 1718619740501
    expect(r.value.indexUsd).toEqual({ BTC: 65666.19 });
    expect(r.value.instruments["BTC-28JUN24-70000-C"]).toEqual({ markIv: 0.55, underlyingPrice: 67371.75 });
    expect(r.value.ratesDecimal).toBeUndefined();
  });

  it("reports invalid JSON with the source name as path", () => {
    const r = parseMarketJson("{ nope", "m.json");
    expect(r.ok || r.issues[0]).toMatchObject({ code: "invalid_json", path: "m.json" });
  });

  it("rejects 1e999 (Infinity after JSON.parse) and NaN-like strings as non_finite", () => {
    const r = parseMarketJson(MINIMAL.replace("65666.19", "1e999"), "m.json");
    expect(r.ok || r.issues).toEqual([expect.objectContaining({ code: "non_finite", path: "index.BTC" })]);
    const nan = issuesOf(withQuote("BTC-28JUN24-60000-P", { markIv: "NaN" }));
    expect(nan).toEqual([expect.objectContaining({ code: "non_finite", path: "instruments.BTC-28JUN24-60000-P.markIv" })]);
    const inf = issuesOf(withQuote("BTC-28JUN24-60000-P", { markIv: 0.5, markPrice: "-Infinity" }));
    expect(inf[0]).toMatchObject({ code: "non_finite", path: "instruments.BTC-28JUN24-60000-P.markPrice" });
  });

  it("accepts the optional fields and keeps rates", () => {
    const r = validateMarket({
      ...base(),
      rates: { USDC: 0.05, BTC: 0 },
      source: "test",
      instruments: { "BTC_USDC-28JUN24-60000-P": { markPrice: 1200.5, bidPrice: 1190, askPrice: 1210, openInterest: 0, underlyingPrice: 67371.75 } },
    });
    expect(r.ok && r.value).toMatchObject({
      ratesDecimal: { USDC: 0.05, BTC: 0 },
      instruments: { "BTC_USDC-28JUN24-60000-P": { markPrice: 1200.5, bidPrice: 1190, askPrice: 1210, openInterest: 0 } },
    });
  });
});

describe("validateMarket: issue codes and paths", () => {
  it("not_positive for zero or negative prices and vols", () => {
    const issues = issuesOf({ ...base(), index: { BTC: 0 }, instruments: { "BTC-28JUN24-60000-P": { markIv: -0.1, markPrice: 0 } } });
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["not_positive", "index.BTC"],
      ["not_positive", "instruments.BTC-28JUN24-60000-P.markPrice"],
      ["not_positive", "instruments.BTC-28JUN24-60000-P.markIv"],
    ]);
  });

  it("out_of_range for a percent vol typed as decimal, a huge rate, negative open interest", () => {
    const issues = issuesOf({ ...withQuote("BTC-28JUN24-60000-P", { markIv: 55, openInterest: -1 }), rates: { USDC: 5 } });
    expect(issues.map((i) => [i.code, i.path]).sort()).toEqual([
      ["out_of_range", "instruments.BTC-28JUN24-60000-P.markIv"],
      ["out_of_range", "instruments.BTC-28JUN24-60000-P.openInterest"],
      ["out_of_range", "rates.USDC"],
    ]);
  });

  it("invalid_value for a bad timestamp (impossible date, no zone, epoch number → invalid_type)", () => {
    for (const ts of ["2024-02-30T00:00:00Z", "2024-06-17T10:22:20", "2024-06-17", "yesterday"]) {
      expect(issuesOf({ ...base(), timestamp: ts })).toEqual([expect.objectContaining({ code: "invalid_value", path: "timestamp" })]);
    }
    expect(issuesOf({ ...base(), timestamp: 1718619740501 })).toEqual([expect.objectContaining({ code: "invalid_type", path: "timestamp" })]);
  });

  it("accepts an RFC 3339 offset and sub-millisecond digits (truncated to ms)", () => {
    const r = validateMarket({ ...base(), timestamp: "2024-06-17T12:22:20.501999+02:00" });
    expect(r.ok && r.value.timestampMs).toBe(1718619740501);
  });

  it("required for missing top-level fields; invalid_type for wrong types", () => {
    expect(issuesOf({ timestamp: "2024-06-17T10:22:20.501Z" }).map((i) => [i.code, i.path])).toEqual([
      ["required", "index"],
      ["required", "instruments"],
    ]);
    expect(issuesOf([])[0]).toMatchObject({ code: "invalid_type", path: "" });
    expect(issuesOf(withQuote("BTC-PERPETUAL", { markPrice: "65910" }))[0]).toMatchObject({ code: "invalid_type", path: "instruments.BTC-PERPETUAL.markPrice" });
  });

  it("invalid_value for an unknown field (catches typos such as markIV)", () => {
    expect(issuesOf(withQuote("BTC-28JUN24-60000-P", { markIV: 0.5 }))).toEqual([
      expect.objectContaining({ code: "invalid_value", path: "instruments.BTC-28JUN24-60000-P.markIV" }),
    ]);
  });

  it("malformed_instrument for syntax errors and impossible dates, path instruments.<name>", () => {
    for (const name of ["btc-perpetual", "BTC-31FEB24", "BTC-28JUN24-70000", "BTC", "BTC-01JUL24"]) {
      expect(issuesOf(withQuote(name, { markPrice: 1 }))).toEqual([expect.objectContaining({ code: "malformed_instrument", path: `instruments.${name}` })]);
    }
  });

  it("invalid_value for a bad currency code in index or rates", () => {
    expect(issuesOf({ ...base(), index: { BTC: 65666.19, btc: 1 } })).toEqual([expect.objectContaining({ code: "invalid_value", path: "index.btc" })]);
  });

  it("expired_instrument for expiries at or before the timestamp", () => {
    const issues = issuesOf({ ...base(), timestamp: "2024-06-28T08:00:00Z" });
    expect(issues.map((i) => [i.code, i.path]).sort()).toEqual([
      ["expired_instrument", "instruments.BTC-28JUN24"],
      ["expired_instrument", "instruments.BTC-28JUN24-70000-C"],
    ]);
    // One millisecond earlier nothing has expired yet.
    expect(validateMarket({ ...base(), timestamp: "2024-06-28T07:59:59.999Z" }).ok).toBe(true);
  });

  it("missing_vol for an option with neither markIv nor markPrice", () => {
    expect(issuesOf(withQuote("BTC-28JUN24-60000-P", { underlyingPrice: 67000 }))).toEqual([
      expect.objectContaining({ code: "missing_vol", path: "instruments.BTC-28JUN24-60000-P" }),
    ]);
  });

  it("missing_index for a base without an index price (both families)", () => {
    const issues = issuesOf({ ...base(), instruments: { "ETH-PERPETUAL": { markPrice: 3500 }, "SOL_USDC-28JUN24-150-C": { markIv: 0.8 } } });
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["missing_index", "instruments.ETH-PERPETUAL"],
      ["missing_index", "instruments.SOL_USDC-28JUN24-150-C"],
    ]);
  });

  it("invalid_value for option-only fields on a future", () => {
    expect(issuesOf(withQuote("BTC-28JUN24", { markPrice: 67000, markIv: 0.5 }))).toEqual([
      expect.objectContaining({ code: "invalid_value", path: "instruments.BTC-28JUN24.markIv" }),
    ]);
  });

  it("collects issues from several instruments at once", () => {
    const issues = issuesOf({
      ...base(),
      instruments: { "ETH-PERPETUAL": { markPrice: 1 }, "BTC-28JUN24-60000-C": {}, "BTC-14JUN24": { markPrice: 65000 } },
    });
    expect(issues.map((i) => i.code)).toEqual(["missing_index", "missing_vol", "expired_instrument"]);
  });
});

describe("validateMarket: oracle confidences (Derive PMRM_2 inputs)", () => {
  it("accepts confidences in [0, 1] and keeps them", () => {
    const r = validateMarket({
      ...base(),
      indexConfidence: { BTC: 0.9 },
      instruments: { "BTC-PERPETUAL": { markPrice: 65910.57, markPriceConfidence: 1 }, "BTC-28JUN24-70000-C": { markIv: 0.55, markIvConfidence: 0, rateConfidence: 0.5, underlyingPriceConfidence: 0.99 } },
    });
    expect(r.ok && r.value).toMatchObject({ indexConfidence: { BTC: 0.9 }, instruments: { "BTC-28JUN24-70000-C": { markIvConfidence: 0, rateConfidence: 0.5 } } });
  });

  it("rejects confidences outside [0, 1] and option-only confidences on a future", () => {
    const issues = issuesOf({ ...base(), indexConfidence: { BTC: 1.5 }, instruments: { "BTC-28JUN24": { markPrice: 65000, markPriceConfidence: -0.1 } } });
    expect(issues.map((i) => [i.code, i.path])).toEqual([
      ["out_of_range", "instruments.BTC-28JUN24.markPriceConfidence"],
      ["out_of_range", "indexConfidence.BTC"],
    ]);
    expect(issuesOf(withQuote("BTC-28JUN24", { markPrice: 65000, markIvConfidence: 1 }))[0]).toMatchObject({ code: "invalid_value", path: "instruments.BTC-28JUN24.markIvConfidence" });
  });
});

describe("marketSnapshotToJson", () => {
  it("round-trips through validateMarket (fast-check)", () => {
    const quote = fc.record(
      {
        markPrice: fc.double({ min: 1e-8, max: 1e7, noNaN: true }),
        markIv: fc.double({ min: 1e-4, max: 10, noNaN: true }),
        // A ratio to the index: an underlying price more than e^0.5 from it is implausible_carry (market/bounds.ts).
        underlyingPrice: fc.double({ min: 0.7, max: 1.4, noNaN: true }),
        openInterest: fc.double({ min: 0, max: 1e9, noNaN: true }),
      },
      { requiredKeys: ["markIv"] },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(2020, 0, 1), max: Date.UTC(2024, 5, 28, 7) }),
        fc.double({ min: 1, max: 1e6, noNaN: true }),
        quote,
        fc.option(fc.double({ min: -1, max: 1, noNaN: true }), { nil: undefined }),
        (timestampMs, indexBtc, q, rate) => {
          const snapshot = {
            timestampMs,
            indexUsd: { BTC: indexBtc },
            instruments: { "BTC-28JUN24-70000-C": q.underlyingPrice === undefined ? q : { ...q, underlyingPrice: q.underlyingPrice * indexBtc } },
            // JSON has no -0: `rate + 0` turns -0 into 0 so the comparison is about values JSON can carry.
            ...(rate !== undefined ? { ratesDecimal: { USDC: rate + 0 } } : {}),
          };
          const back = validateMarket(JSON.parse(JSON.stringify(marketSnapshotToJson(snapshot))));
          expect(back.ok && back.value).toEqual(snapshot);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("venue instrument ids in a market file (issue #13)", () => {
  it("resolves OKX ids to netrisk names and rejects an instrument quoted under two spellings", () => {
    const file = withQuote("BTC-USDT-SWAP", { markPrice: 65900 });
    const r = validateMarket({ ...file, instruments: { ...(file.instruments as object), "BTC-USD-240628": { markPrice: 67371 } } });
    expect(r.ok).toBe(false); // BTC-USD-240628 is BTC-28JUN24, already quoted
    if (r.ok) return;
    expect(r.issues.map((i) => [i.path, i.code])).toEqual([["instruments.BTC-USD-240628", "duplicate"]]);
    const ok = validateMarket(withQuote("BTC-USDT-SWAP", { markPrice: 65900 }));
    expect(ok.ok && Object.keys(ok.value.instruments)).toEqual(["BTC-PERPETUAL", "BTC-28JUN24", "BTC-28JUN24-70000-C", "BTC_USDT-PERPETUAL"]);
  });

  it("reports a bad OKX id as malformed_instrument", () => {
    expect(issuesOf(withQuote("BTC-USDT-240231", { markPrice: 1 })).map((i) => [i.path, i.code])).toEqual([["instruments.BTC-USDT-240231", "malformed_instrument"]]);
  });
});
