import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadHistoryFiles, parseHistoryArg } from "./history-files.js";
import { itWithSharedData, sharedData } from "../../test/helpers/requires.js";

describe("history files", () => {
  it("FACTOR=path arguments", () => {
    expect(parseHistoryArg("BTC=a/b.csv")).toEqual({ path: "a/b.csv", factor: "BTC" });
    expect(parseHistoryArg("a=b.csv")).toEqual({ path: "a=b.csv" });
  });

  itWithSharedData("loads every shared layout (wide, close, Yahoo OHLCV incl. the stablecoin files without final newline, DVOL)", () => {
    const r = loadHistoryFiles([
      sharedData("crypto_daily_close_wide_2014_2024.csv"),
      { path: sharedData("btc_usd_daily_close_2015_2026.csv"), factor: "XBT" },
      sharedData("usdc_usd_daily_ohlcv_yahoo.csv"),
      sharedData("usdt_usd_daily_ohlcv_yahoo.csv"),
      sharedData("deribit_dvol_btc_daily.csv"),
    ]);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    // Row counts from ../shared/data/SOURCES.md.
    const len = Object.fromEntries(r.value.prices.map((s) => [s.factor, s.values.length]));
    expect(len).toEqual({ BTC: 3759, ETH: 2610, SOL: 1727, BNB: 2610, XBT: 4062, USDC: 971, USDT: 971 });
    expect(r.value.vols.map((s) => [s.factor, s.values.length])).toEqual([["BTC", 1840]]);
    // Yahoo's BTC close of 2020-03-12 (SOURCES.md worst day) in the wide file.
    const btc = r.value.prices.find((s) => s.factor === "BTC")!;
    expect(btc.values[18333 - btc.firstDay]).toBe(4970.7880859375);
  });

  it("a missing file and a bad file are both reported in one run, with file and line", () => {
    const dir = mkdtempSync(join(tmpdir(), "netrisk-history-"));
    const bad = join(dir, "bad.csv");
    writeFileSync(bad, "date,BTC\n2020-01-01,1\n2020-01-03,1\n");
    const r = loadHistoryFiles([join(dir, "missing.csv"), bad]);
    expect(!r.ok && r.issues.map((i) => `${i.path.replace(dir, "")} ${i.code}`)).toEqual(["/missing.csv file_not_found", "/bad.csv:3 history_gap"]);
    const filled = loadHistoryFiles([bad], { fillGaps: "forward" });
    expect(filled.ok && filled.value.notes[0]).toMatch(/forward-filled 1 missing day\(s\) on request: 2020-01-02/);
  });
});
