/**
 * Loaders never throw (issue 9 §3): Deribit CSV time stamps out of the Date range, dropped rows reported as warnings
 * (file:line, column, reason) in text and JSON with positions on them refused, a file size limit, no spread of an
 * input-sized list; and the futures / perpetual files found beside a chain by the naming rule (§4). Each case threw,
 * was silent or crashed on the earlier main.
 */
import { mkdtempSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { table } from "../../src/cli/output.js";
import { loadMarketFile } from "../../src/io/load-market.js";
import { runCli } from "../cli/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "netrisk-loaders-"));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

const TICKER_HEADER =
  "expiration_timestamp,option_type,instrument_name,strike,underlying_price,underlying_index,timestamp,open_interest,mark_price,mark_iv,index_price,greeks,bid_iv,best_bid_price,best_ask_price,ask_iv,interest_rate";
const tickerRow = (name: string, expiry = "1601020800000", ts = "1593590400000") =>
  `${expiry},${name.endsWith("C") ? "call" : "put"},${name},${name.split("-")[2]},9200.5,BTC-25SEP20,${ts},10,0.05,55.5,9150.25,"{'delta': 0.5, 'gamma': 0.0001, 'vega': 10.5}",50,0.045,0.055,60,0`;

const SNAP_HEADER =
  "timestamp,instrument_name,underlying,underlying_name,option_type,strike,expiry_datetime,time_to_maturity,bid_price,ask_price,mark_price,mid_price,futures_price,futures_instrument_name,implied_volatility,delta,vega,open_interest,volume,bid_ask_spread,currency,index_price,volume_usd";
const snapRow = (name: string, over: { strike?: string; mark?: string } = {}) => {
  const [, , strike = "", cp = ""] = name.split("-");
  return `2025-12-30T17:31:15.944181+00:00,${name},92617.64,BTC-25DEC26,${cp === "C" ? "call" : "put"},${over.strike ?? `${strike}.0`},2026-12-25T08:00:00+00:00,0.99,0.084,0.088,${over.mark ?? "0.0855"},,,,0.4323,0.8,50.2,0.3,0,,BTC,88530.23,0`;
};

describe("Deribit ticker CSV: time stamps out of the Date range", () => {
  it.each([
    ["expiration_timestamp 9e15", tickerRow("BTC-25SEP20-10000-P", "9e15")],
    ["timestamp 1e300", tickerRow("BTC-25SEP20-10000-P", "1601020800000", "1e300")],
  ])("%s: the row is dropped with file:line, no RangeError", (_name, bad) => {
    const path = file(`ticker-${_name.split(" ")[0]}.csv`, [TICKER_HEADER, tickerRow("BTC-25SEP20-9000-C"), bad].join("\n"));
    const r = loadMarketFile(path);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.value.warnings).toEqual([expect.objectContaining({ code: "dropped_row", path: `${path}:3` })]);
    expect(r.value.warnings[0]?.message).toMatch(/BTC-25SEP20-10000-P: column (expiry|timestamp): out_of_range/);
  });
  it("every row bad: a coded invalid_csv naming the first dropped line", () => {
    const path = file("ticker-all-bad.csv", [TICKER_HEADER, tickerRow("BTC-25SEP20-9000-C", "9e15")].join("\n"));
    const r = loadMarketFile(path);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.issues[0]).toMatchObject({ code: "invalid_csv", message: expect.stringMatching(/line 2/) });
  });
});

describe("dropped rows: warnings in text and JSON, positions on them refused", () => {
  const chain = file(
    "chain.csv",
    [SNAP_HEADER, snapRow("BTC-25DEC26-90000-C"), snapRow("BTC-25DEC26-100000-C", { mark: "abc" }), snapRow("BTC-25DEC26-80000-P", { strike: "-5" }), snapRow("BTC-25DEC26-110000-C")].join("\n"),
  );
  const ok = file("ok.json", JSON.stringify({ positions: [{ instrument: "BTC-25DEC26-90000-C", size: -1 }] }));
  const onDropped = file("dropped.json", JSON.stringify({ positions: [{ instrument: "BTC-25DEC26-90000-C", size: -1 }, { instrument: "BTC-25DEC26-100000-C", size: 2 }] }));

  it("text: one warning line per dropped row on stderr (file:line, column, reason)", async () => {
    const r = await runCli("margin", "--portfolio", ok, "--market", chain, "--model", "standard");
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^netrisk: warning: ${chain.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:3: dropped_row: BTC-25DEC26-100000-C: column mark_price: invalid_value: `));
    expect(lines[1]).toMatch(/:4: dropped_row: BTC-25DEC26-80000-P: column strike: /);
  });
  it("JSON: the same warnings in the document", async () => {
    const r = await runCli("margin", "--portfolio", ok, "--market", chain, "--model", "standard", "--json");
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { warnings: { code: string; path: string }[] };
    expect(doc.warnings.map((w) => [w.code, w.path])).toEqual([
      ["dropped_row", `${chain}:3`],
      ["dropped_row", `${chain}:4`],
    ]);
  });
  it("a position on a dropped row is refused (it was margined from the surface without a word)", async () => {
    const r = await runCli("margin", "--portfolio", onDropped, "--market", chain, "--model", "standard");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^netrisk: error: positions\[1\]\.instrument: dropped_row: BTC-25DEC26-100000-C: its market row \(line 3, column mark_price\) was dropped/);
  });
});

describe("size limits and unbounded lists", () => {
  it("a market file over 64 MiB is refused with too_large before it is read", async () => {
    const big = file("big.json", "{}");
    truncateSync(big, 65 * 1024 * 1024); // sparse: no disk used
    const r = await runCli("margin", "--example", "--market", big);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd()).toMatch(/^netrisk: error: .*big\.json: too_large: the file is 65\.0 MiB; a market file may be at most 64 MiB$/);
  });
  it("a 200,000-row table renders (Math.max(...widths) overflowed the stack)", () => {
    const rows = Array.from({ length: 200_000 }, (_v, i) => [String(i), "x"]);
    expect(table(["n", "v"], rows).split("\n")).toHaveLength(200_002);
  });
});

describe("futures and perpetual files beside a chain (docs/formats.md naming rule)", () => {
  const sub = mkdtempSync(join(tmpdir(), "netrisk-beside-"));
  const put = (name: string, text: string): string => {
    const p = join(sub, name);
    writeFileSync(p, text);
    return p;
  };
  const chain = put("deribit_btc_options_20251230T1731Z.csv", [SNAP_HEADER, snapRow("BTC-25DEC26-90000-C"), snapRow("BTC-25DEC26-110000-C")].join("\n"));
  put("deribit_futures_marks_20251230T1731Z.csv", "futures_instrument_name,snapshot_term_mark_price\nBTC-25DEC26,92617.64\n");
  put("deribit_perpetual_prices_20251230T1731Z.csv", "instrument_name,perp_futures_mark_price\nBTC-PERPETUAL,88539.0\n");
  put("deribit_perpetual_prices_20251231T0000Z.csv", "instrument_name,perp_futures_mark_price\nBTC-PERPETUAL,1.0\n");

  it("are found by the time-stamp suffix and named in the notes", () => {
    const r = loadMarketFile(chain);
    if (!r.ok) throw new Error(JSON.stringify(r.issues));
    expect(r.value.snapshot.instruments["BTC-PERPETUAL"]?.markPrice).toBe(88539);
    expect(r.value.snapshot.instruments["BTC-25DEC26"]?.markPrice).toBe(92617.64);
    expect(r.value.notes.join("\n")).toMatch(/perpetual marks from .*deribit_perpetual_prices_20251230T1731Z\.csv \(found beside the chain/);
  });
  it("whatif on a perpetual with such a chain is accepted (it said 'not listed')", async () => {
    const acc = put("acc.json", JSON.stringify({ model: "standard", parameterSet: "standard-deribit", positions: [{ instrument: "BTC-25DEC26-90000-C", size: -1 }], collateral: { BTC: 2 } }));
    const r = await runCli("whatif", "--account", acc, "--market", chain, "--trade", "BTC-PERPETUAL:0.5", "--json");
    expect(r.code, r.stderr).toBe(0);
  });
});

describe("no spread of a list onto the call stack in src/", () => {
  it("no Math.max(...list) / Math.min(...list): maxOf / minOf instead (src/math/extent.ts)", async () => {
    const { readdirSync, readFileSync, statSync } = await import("node:fs");
    const bad: string[] = [];
    const walk = (d: string): void => {
      for (const n of readdirSync(d)) {
        const p = join(d, n);
        if (statSync(p).isDirectory()) walk(p);
        else if (/\.tsx?$/.test(n) && !/\.test\.tsx?$/.test(n) && n !== "extent.ts") {
          readFileSync(p, "utf8")
            .split("\n")
            .forEach((l, i) => {
              // A spread as a direct argument of Math.max / Math.min (a spread inside an array literal is fine).
              if (/Math\.(max|min)\((?:[^()[\]]*,\s*)?\.\.\./.test(l)) bad.push(`${p}:${i + 1}`);
            });
        }
      }
    };
    walk("src");
    expect(bad).toEqual([]);
  });
});

describe("a market with 150,000 bad quotes", () => {
  it("gives at most 1,000 issues, the last counting the rest, and no RangeError", async () => {
    const { validateMarket } = await import("../../src/io/market.js");
    const instruments: Record<string, unknown> = {};
    for (let i = 0; i < 150_000; i++) instruments[`BTC-25DEC26-${1000 + i}-C`] = { markPrice: -1 };
    const r = validateMarket({ timestamp: "2025-12-30T17:31:15Z", index: { BTC: 88530 }, instruments });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(1000);
    expect(r.issues[999]?.message).toMatch(/and 149000 more issue\(s\) not listed/);
  });
});
