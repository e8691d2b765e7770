import { describe, expect, it } from "vitest";
import { combineHistories, detectHistoryFormat, factorFromFileName, parseHistoryCsv } from "./parse.js";
import { dayNumber, isoDay, parseHistoryDate } from "./dates.js";
import type { Issue } from "../../errors.js";

const codes = (issues: readonly Issue[]): string[] => issues.map((i) => `${i.path} ${i.code}`);

describe("dates", () => {
  it("day numbers round-trip and reject non-dates", () => {
    expect(dayNumber("1970-01-01")).toBe(0);
    expect(dayNumber("2020-03-12")).toBe(18333);
    expect(isoDay(18333)).toBe("2020-03-12");
    expect(dayNumber("2021-02-29")).toBeUndefined();
    expect(dayNumber("2020-3-12")).toBeUndefined();
  });

  it("accepts UTC-midnight timestamps, flags other hours and zones as misaligned", () => {
    expect(parseHistoryDate("2014-09-17 00:00:00+00:00")).toEqual({ kind: "day", day: dayNumber("2014-09-17") });
    expect(parseHistoryDate("2014-09-17T00:00:00.000Z").kind).toBe("day");
    expect(parseHistoryDate("2014-09-17 05:00:00+00:00").kind).toBe("misaligned");
    expect(parseHistoryDate("2014-09-17 00:00:00+02:00").kind).toBe("misaligned");
    expect(parseHistoryDate("17/09/2014").kind).toBe("invalid");
  });
});

describe("format detection and factor names", () => {
  it("detects the four layouts from the header", () => {
    expect(detectHistoryFormat(["date", "BTC", "ETH", "vol:BTC"])).toBe("wide");
    expect(detectHistoryFormat(["date", "price", "volume"])).toBe("close");
    expect(detectHistoryFormat(["Date", "Open", "High", "Low", "Close", "Adj Close", "Volume"])).toBe("ohlcv");
    expect(detectHistoryFormat(["date", "symbol", "open", "high", "low", "close"])).toBe("dvol");
    expect(detectHistoryFormat(["date", "value"])).toBeUndefined();
  });

  it("infers a single factor from the file name", () => {
    expect(factorFromFileName("../shared/data/btc_usd_daily_close_2015_2026.csv")).toBe("BTC");
    expect(factorFromFileName("USDC-USD.csv")).toBe("USDC");
    expect(factorFromFileName("prices.csv")).toBeUndefined();
  });
});

describe("parseHistoryCsv: valid files", () => {
  it("reads the generic wide format with leading empty cells (listing periods) and vol columns", () => {
    const text = "date,BTC,SOL,vol:BTC\n2020-01-01,100,,0.5\n2020-01-02,110,2,0.55\n2020-01-03,99,2.2,0.6\n";
    const r = parseHistoryCsv(text, "h.csv");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const btc = r.value.prices.find((s) => s.factor === "BTC")!;
    const sol = r.value.prices.find((s) => s.factor === "SOL")!;
    expect(Array.from(btc.values)).toEqual([100, 110, 99]);
    expect(isoDay(sol.firstDay)).toBe("2020-01-02");
    expect(Array.from(sol.values)).toEqual([2, 2.2]);
    expect(r.value.vols[0]).toMatchObject({ factor: "BTC", kind: "vol", source: "h.csv#vol:BTC" });
  });

  it("reads a DVOL file newest first, in percent, and says so", () => {
    const text = "date,symbol,open,high,low,close\n2021-03-26,BTC,1,1,1,80\n2021-03-25,BTC,1,1,1,90\n2021-03-24,BTC,1,1,1,95.04\n";
    const r = parseHistoryCsv(text, "dvol.csv");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Array.from(r.value.vols[0]!.values)).toEqual([0.9504, 0.9, 0.8]);
    expect(r.value.notes.join("\n")).toMatch(/newest first/);
  });

  it("reads Yahoo OHLCV (time-stamped dates, CRLF, BOM, no final newline) with the factor from the file name", () => {
    const text = "\ufeffDate,Open,High,Low,Close,Adj Close,Volume\r\n2023-03-10,1,1,1,0.999479,0.999479,1\r\n2023-03-11 00:00:00+00:00,1,1,0.8774,0.9715,0.9715,2";
    const r = parseHistoryCsv(text, "data/usdc_usd_daily_ohlcv_yahoo.csv");
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value.prices[0]).toMatchObject({ factor: "USDC" });
    expect(Array.from(r.value.prices[0]!.values)).toEqual([0.999479, 0.9715]);
    expect(r.value.notes.join("\n")).toMatch(/USDC inferred from the file name/);
  });

  it("takes the factor from the option for a close file", () => {
    const r = parseHistoryCsv("date,price,volume\n2020-01-01,1,5\n2020-01-02,2,5\n", "x.csv", { factor: "ETH" });
    expect(r.ok && r.value.prices[0]!.factor).toBe("ETH");
  });
});

describe("parseHistoryCsv: bad input is reported with file and line", () => {
  it("a missing date row is a history_gap at the line after the gap, never filled silently", () => {
    const text = "date,BTC,ETH\n2020-01-01,1,1\n2020-01-02,1,1\n2020-01-05,1,1\n";
    const r = parseHistoryCsv(text, "w.csv");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(codes(r.issues)).toEqual(["w.csv:4 history_gap"]);
    expect(r.issues[0]!.message).toContain("2 missing day(s) before 2020-01-05: 2020-01-03, 2020-01-04");
  });

  it("an empty cell inside a series is a gap of that column", () => {
    const r = parseHistoryCsv("date,BTC,ETH\n2020-01-01,1,1\n2020-01-02,,1\n2020-01-03,1,1\n", "w.csv");
    expect(!r.ok && codes(r.issues)).toEqual(["w.csv:3 history_gap"]);
    expect(!r.ok && r.issues[0]!.message).toMatch(/column BTC: no value on 2020-01-02/);
  });

  it("fillGaps: forward carries the last value into missing rows and cells, and notes every fill", () => {
    const text = "date,BTC,ETH\n2020-01-01,10,1\n2020-01-02,,2\n2020-01-04,12,3\n";
    const r = parseHistoryCsv(text, "w.csv", { fillGaps: "forward" });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(Array.from(r.value.prices[0]!.values)).toEqual([10, 10, 10, 12]);
    expect(Array.from(r.value.prices[1]!.values)).toEqual([1, 2, 2, 3]);
    expect(r.value.prices[0]!.filledDays).toBe(2);
    expect(r.value.notes).toContain("w.csv#BTC: forward-filled 2 missing day(s) on request: 2020-01-02, 2020-01-03");
    expect(r.value.notes).toContain("w.csv#ETH: forward-filled 1 missing day(s) on request: 2020-01-03");
  });

  it("duplicates, out-of-order and misaligned dates, non-positive and non-numeric prices", () => {
    const text = [
      "date,BTC",
      "2020-01-01,1", // 2
      "2020-01-02,0", // 3: not positive
      "2020-01-02,2", // 4: duplicate
      "2020-01-03,abc", // 5: not a number
      "2020-01-04,nan", // 6: non finite
      "2020-01-06,1", // 7
      "2020-01-05,1", // 8: out of order
      "2020-01-07 12:00:00+00:00,1", // 9: misaligned
      "2020-02-30,1", // 10: invalid date
    ].join("\n");
    const r = parseHistoryCsv(text, "bad.csv");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    // Date problems are reported first (values are only checked on a valid date axis).
    expect(codes(r.issues)).toEqual(["bad.csv:9 misaligned_date", "bad.csv:10 invalid_value", "bad.csv:4 duplicate", "bad.csv:8 misaligned_date"]);
    expect(r.issues[2]!.message).toContain("already on line 3");
    const values = parseHistoryCsv("date,BTC\n2020-01-01,1\n2020-01-02,0\n2020-01-03,abc\n2020-01-04,nan\n2020-01-05,-3\n", "v.csv");
    expect(!values.ok && codes(values.issues)).toEqual(["v.csv:3 not_positive", "v.csv:4 invalid_value", "v.csv:5 non_finite", "v.csv:6 not_positive"]);
  });

  it("ragged rows, unknown layouts, missing factor names and empty columns", () => {
    const issuesOf = (text: string, name: string): string[] => {
      const r = parseHistoryCsv(text, name);
      return r.ok ? [] : codes(r.issues);
    };
    expect(issuesOf("date,BTC\n2020-01-01,1,2\n", "r.csv")).toEqual(["r.csv:2 invalid_csv"]);
    expect(issuesOf("when,what\n1,2\n", "u.csv")).toEqual(["u.csv:1 unsupported"]);
    expect(issuesOf("date,price\n2020-01-01,1\n", "prices.csv")).toEqual(["prices.csv required"]);
    expect(issuesOf("date,BTC,ETH\n2020-01-01,1,\n", "e.csv")).toEqual(["e.csv invalid_csv"]);
    expect(issuesOf("", "empty.csv")).toEqual(["empty.csv invalid_csv"]);
  });

  it("caps the issue list of a hopeless file", () => {
    const rows = Array.from({ length: 200 }, (_, i) => `2020-01-${String((i % 28) + 1).padStart(2, "0")},-1`);
    const r = parseHistoryCsv(`date,BTC\n${rows.join("\n")}\n`, "many.csv");
    expect(!r.ok && r.issues.length).toBe(51);
    expect(!r.ok && r.issues[50]!.message).toMatch(/and \d+ more issue/);
  });
});

describe("combineHistories", () => {
  it("rejects the same factor from two files, naming both", () => {
    const a = parseHistoryCsv("date,BTC\n2020-01-01,1\n", "a.csv");
    const b = parseHistoryCsv("date,price\n2020-01-01,1\n", "b.csv", { factor: "BTC" });
    if (!a.ok || !b.ok) throw new Error("setup");
    const c = combineHistories([a.value, b.value]);
    expect(c.ok).toBe(false);
    if (!c.ok) expect(c.issues[0]).toMatchObject({ code: "duplicate", path: "b.csv#price" });
    expect(c.ok || c.issues[0]!.message).toContain("a.csv#BTC");
  });
});
