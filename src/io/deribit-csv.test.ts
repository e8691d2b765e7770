import { describe, expect, it } from "vitest";
import { detectDeribitCsvLayout, loadDeribitOptionsSnapshotCsv, loadDeribitTickerCsv, parsePythonNumberDict } from "./deribit-csv.js";

// Rows in the 2025 layout (header copied from ../shared/data/deribit_btc_eth_options_20251230T1731Z.csv).
const HEADER =
  "timestamp,instrument_name,underlying,underlying_name,option_type,strike,expiry_datetime,time_to_maturity,bid_price,ask_price,mark_price,mid_price,futures_price,futures_instrument_name,implied_volatility,delta,vega,open_interest,volume,bid_ask_spread,currency,index_price,volume_usd";
const TS = "2025-12-30T17:31:15.944181+00:00";
function row(name: string, over: Partial<Record<string, string>> = {}): string {
  const [, exp = "", strike = "", cp = ""] = name.split("-");
  const expiries: Record<string, string> = { "16JAN26": "2026-01-16T08:00:00+00:00", "25DEC26": "2026-12-25T08:00:00+00:00", "30DEC25": "2025-12-30T08:00:00+00:00" };
  const f = {
    timestamp: TS,
    instrument_name: name,
    underlying: exp === "25DEC26" ? "92617.64" : "88728.94",
    underlying_name: exp === "25DEC26" ? "BTC-25DEC26" : `SYN.BTC-${exp}`,
    option_type: cp === "C" ? "call" : "put",
    strike: `${strike}.0`,
    expiry_datetime: expiries[exp] ?? "",
    time_to_maturity: "0.05",
    bid_price: "0.084",
    ask_price: "0.088",
    mark_price: "0.0855",
    mid_price: "",
    futures_price: "",
    futures_instrument_name: "",
    implied_volatility: "0.4323",
    delta: "0.8",
    vega: "50.2",
    open_interest: "0.3",
    volume: "0",
    bid_ask_spread: "",
    currency: "BTC",
    index_price: "88530.23",
    volume_usd: "0",
    ...over,
  };
  return HEADER.split(",").map((k) => f[k as keyof typeof f]).join(",");
}

describe("loadDeribitOptionsSnapshotCsv: row rules", () => {
  const csv = [
    HEADER,
    row("BTC-16JAN26-82000-C"),
    row("BTC-16JAN26-90000-P", { index_price: "88540.23", bid_price: "", mark_price: "0.0", implied_volatility: "0.5" }),
    row("BTC-25DEC26-40000-P", { index_price: "88520.23", underlying: "92616.59" }),
    row("BTC-25DEC26-50000-P", { underlying: "92617.64" }),
    row("BTC-16JAN26-82000-C"), // duplicate
    row("BTC-16JAN26-84000-C", { strike: "84500.0" }), // strike column disagrees with the name
    row("BTC-16JAN26-86000-C", { option_type: "put" }),
    row("BTC-16JAN26-88000-C", { implied_volatility: "0" }),
    row("BTC-16JAN26-92000-C", { mark_price: "abc" }),
    row("BTC-30DEC25-92000-C"), // expired 08:00 the same day
    row("btc-16JAN26-94000-C", { option_type: "call" }),
  ].join("\n");
  const r = loadDeribitOptionsSnapshotCsv(csv, { sourceName: "chain.csv" });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  const chain = r.value;

  it("keeps good rows with their quote fields, zero marks with IV only, no bid left out", () => {
    expect(chain.format).toBe("deribit-options-snapshot");
    expect(chain.snapshot.timestampMs).toBe(Date.parse("2025-12-30T17:31:15.944Z"));
    expect(chain.snapshot.instruments["BTC-16JAN26-82000-C"]).toEqual({
      markPrice: 0.0855,
      markIv: 0.4323,
      underlyingPrice: 88728.94,
      bidPrice: 0.084,
      askPrice: 0.088,
      openInterest: 0.3,
    });
    expect(chain.snapshot.instruments["BTC-16JAN26-90000-P"]).toEqual({ markIv: 0.5, underlyingPrice: 88728.94, askPrice: 0.088, openInterest: 0.3 });
    expect(chain.rows["BTC-16JAN26-82000-C"]).toMatchObject({ line: 2, deltaDeribit: 0.8, vegaUsdPerVolPoint: 50.2, timeToMaturityYears: 0.05, indexUsd: 88530.23 });
  });

  it("takes the index as the median of the row index prices", () => {
    expect(chain.snapshot.indexUsd).toEqual({ BTC: 88530.23 });
  });

  it("derives a real future's mark as the median underlying of its options when no futures file is given", () => {
    expect(chain.snapshot.instruments["BTC-25DEC26"]).toEqual({ markPrice: (92616.59 + 92617.64) / 2 });
    expect(chain.snapshot.instruments["BTC-16JAN26"]).toBeUndefined(); // synthetic underlyings are not futures
  });

  it("skips bad rows with a code and a reason", () => {
    const byName = Object.fromEntries(chain.skipped.map((s) => [s.instrument, s]));
    expect(byName["BTC-16JAN26-84000-C"]).toMatchObject({ line: 7, code: "invalid_value", reason: expect.stringMatching(/strike column 84500/) });
    expect(byName["BTC-16JAN26-86000-C"]).toMatchObject({ line: 8, code: "invalid_value", reason: expect.stringMatching(/option_type put/) });
    expect(byName["BTC-16JAN26-88000-C"]).toMatchObject({ line: 9, code: "missing_vol" });
    expect(byName["BTC-16JAN26-92000-C"]).toMatchObject({ line: 10, code: "invalid_value", reason: expect.stringMatching(/mark_price/) });
    expect(byName["BTC-30DEC25-92000-C"]).toMatchObject({ line: 11, code: "expired_instrument" });
    expect(byName["btc-16JAN26-94000-C"]).toMatchObject({ line: 12, code: "malformed_instrument" });
    expect(chain.skipped.find((s) => s.code === "duplicate")).toMatchObject({ line: 6, instrument: "BTC-16JAN26-82000-C" });
    expect(chain.skipped).toHaveLength(7);
  });

  it("reads futures and perpetuals from side files", () => {
    const futuresCsv = "currency,futures_instrument_name,snapshot_term_mark_price,term_mark_price_final\nBTC,BTC-25DEC26,92617.64,92595.0\n";
    const perpetualsCsv = "instrument_name,perp_futures_mark_price\nBTC-PERPETUAL,88539.0\nETH-PERPETUAL,2978.35\n";
    const withSides = loadDeribitOptionsSnapshotCsv(csv, { futuresCsv, perpetualsCsv });
    if (!withSides.ok) throw new Error("load");
    expect(withSides.value.snapshot.instruments["BTC-25DEC26"]).toEqual({ markPrice: 92617.64 });
    expect(withSides.value.snapshot.instruments["BTC-PERPETUAL"]).toEqual({ markPrice: 88539 });
    // No ETH option row, hence no ETH index: the ETH perpetual is skipped, not guessed.
    expect(withSides.value.skipped.find((s) => s.instrument === "ETH-PERPETUAL")).toMatchObject({ code: "missing_index", line: 0 });
  });

  it("fails on a file without the expected columns", () => {
    const bad = loadDeribitOptionsSnapshotCsv("instrument_name,mark_price\nBTC-16JAN26-82000-C,0.1\n", { sourceName: "x.csv" });
    expect(bad.ok || bad.issues[0]).toMatchObject({ code: "invalid_csv", path: "x.csv" });
  });
});

describe("loadDeribitTickerCsv (2020 layout)", () => {
  const header =
    ",expiration_timestamp,option_type,instrument_name,strike,underlying_price,underlying_index,timestamp,stats,state,settlement_price,open_interest,min_price,max_price,mark_price,mark_iv,last_price,interest_rate,index_price,greeks,estimated_delivery_price,change_id,bids,bid_iv,best_bid_price,best_bid_amount,best_ask_price,best_ask_amount,asks,ask_iv";
  // First data row of ../shared/data/deribit_btc_options_20200521T2319Z.csv, verbatim.
  const first =
    "0,1590134400000,put,BTC-22MAY20-9250-P,9250.0,9096.11,SYN.BTC-22MAY20,1590103193775,\"{'volume': 717.1, 'price_change': 90.4762, 'low': 0.006, 'high': 0.05}\",open,0.01,418.9,0.0005,0.0535,0.02124908,85.05,0.02,0.0,9095.83,\"{'vega': 0.94545, 'theta': -40.20419, 'rho': -0.06764, 'gamma': 0.00136, 'delta': -0.73032}\",9095.83,19473312548,\"[[0.02, 9.0], [0.019, 5.0]]\",72.4,0.02,9.0,0.023,9.0,\"[[0.023, 9.0]]\",101.17";
  const second = first.replace("1590103193775", "1590103293775").replace("9250-P", "9500-P").replace("9250.0", "9500.0").replace(",72.4,", ",0.0,");

  it("converts percent IVs, reads greeks, keeps each row's own time", () => {
    const r = loadDeribitTickerCsv([header, first, second].join("\n"));
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    // Two rows: the median time is halfway between them.
    expect(r.value.snapshot.timestampMs).toBe(1590103243775);
    expect(r.value.snapshot.instruments["BTC-22MAY20-9250-P"]).toEqual({
      markPrice: 0.02124908,
      markIv: 0.8505,
      underlyingPrice: 9096.11,
      bidPrice: 0.02,
      askPrice: 0.023,
      openInterest: 418.9,
    });
    expect(r.value.rows["BTC-22MAY20-9250-P"]).toMatchObject({
      observedMs: 1590103193775,
      gammaPerUsd: 0.00136,
      thetaUsdPerDay: -40.20419,
      vegaUsdPerVolPoint: 0.94545,
      deltaDeribit: -0.73032,
      bidIvDecimal: 0.724,
      askIvDecimal: 1.0117,
    });
    // bid_iv 0 = no usable quote: left out rather than read as a zero vol.
    expect(r.value.rows["BTC-22MAY20-9500-P"]?.bidIvDecimal).toBeUndefined();
    expect(r.value.rows["BTC-22MAY20-9500-P"]?.observedMs).toBe(1590103293775);
    expect(r.value.notes[0]).toMatch(/over 100\.0 s/);
  });
});

describe("detectDeribitCsvLayout / parsePythonNumberDict", () => {
  it("detects the layouts by their columns", () => {
    expect(detectDeribitCsvLayout(HEADER.split(","))).toBe("deribit-options-snapshot");
    expect(detectDeribitCsvLayout(["a", "b"])).toBeUndefined();
  });

  it("parses pandas-written Python dicts of numbers", () => {
    expect(parsePythonNumberDict("{'vega': 2.86749, 'gamma': 7e-05, 'delta': -0.08741}")).toEqual({ vega: 2.86749, gamma: 7e-5, delta: -0.08741 });
    expect(parsePythonNumberDict("{'rho': None, 'delta': 1.0}")).toEqual({ delta: 1 });
    expect(parsePythonNumberDict("{}")).toEqual({});
    for (const bad of ["", "{'a': 'x'}", "{a: 1}", "[1, 2]", "{'a': 1"]) expect(parsePythonNumberDict(bad)).toBeUndefined();
  });
});
