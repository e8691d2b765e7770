import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { unwrap } from "../../errors.js";
import { parseHistoryCsv } from "../history/parse.js";
import { historicalScenarios } from "./historical.js";
import { filteredHistoricalScenarios } from "./filtered.js";

// A tiny history: BTC 2020-01-01..01-06, ETH from 01-02, DVOL for BTC from 01-03.
const text = "date,BTC,ETH,vol:BTC\n2020-01-01,100,,\n2020-01-02,110,10,\n2020-01-03,121,11,0.5\n2020-01-04,110,12,0.6\n2020-01-05,99,11,0.45\n2020-01-06,100,10,0.5\n";
const history = unwrap(parseHistoryCsv(text, "t.csv"));

describe("historicalScenarios (hand-computed)", () => {
  it("overlapping 2-day windows over the common coverage, DVOL ratio where it exists, noted otherwise", () => {
    const s = unwrap(historicalScenarios(history, { horizonDays: 2 }));
    expect(s.labels).toEqual(["2020-01-04", "2020-01-05", "2020-01-06"]);
    expect(s.priceFactors).toEqual(["BTC", "ETH"]);
    const m = Array.from(s.priceRelativeMove);
    [110 / 110 - 1, 12 / 10 - 1, 99 / 121 - 1, 11 / 11 - 1, 100 / 110 - 1, 10 / 12 - 1].forEach((v, i) => expect(m[i]).toBe(v));
    // vol:BTC over 01-02..01-04: no DVOL on 01-02 → unchanged; then 0.45/0.5 and 0.5/0.6.
    expect(Array.from(s.volRatio)).toEqual([1, 0.45 / 0.5, 0.5 / 0.6]);
    expect(s.notes.join("\n")).toContain("in 2 of 3 scenarios; UNCHANGED (ratio 1) in the 1 windows");
    const r = unwrap(historicalScenarios(history, { horizonDays: 2, missingVol: "restrict" }));
    expect(r.labels).toEqual(["2020-01-05", "2020-01-06"]);
  });

  it("a vol base without history is listed in volFactorsMissing", () => {
    const s = unwrap(historicalScenarios(history, { horizonDays: 1, volFactors: ["BTC", "ETH"] }));
    expect(s.volFactors).toEqual(["BTC"]);
    expect(s.volFactorsMissing).toEqual(["ETH"]);
  });

  it("errors: horizon, unknown factor, no common window, bad date", () => {
    const code = (r: ReturnType<typeof historicalScenarios>): string => (r.ok ? "ok" : `${r.issues[0]!.path} ${r.issues[0]!.code}`);
    expect(code(historicalScenarios(history, { horizonDays: 11 }))).toBe("horizonDays out_of_range");
    expect(code(historicalScenarios(history, { horizonDays: 1.5 }))).toBe("horizonDays out_of_range");
    expect(code(historicalScenarios(history, { horizonDays: 1, priceFactors: ["SOL"] }))).toBe("priceFactors[0] required");
    expect(code(historicalScenarios(history, { horizonDays: 5, priceFactors: ["ETH"] }))).toBe("history out_of_range");
    expect(code(historicalScenarios(history, { horizonDays: 1, from: "2020-13-01" }))).toBe("from invalid_value");
  });

  it("property: compounding 1-day moves gives the h-day move of the same window", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), (h) => {
        const one = unwrap(historicalScenarios(history, { horizonDays: 1, priceFactors: ["BTC"] }));
        const many = unwrap(historicalScenarios(history, { horizonDays: h, priceFactors: ["BTC"] }));
        many.labels.forEach((label, n) => {
          const end = one.labels.indexOf(label);
          let g = 1;
          for (let k = end - h + 1; k <= end; k++) g *= 1 + one.priceRelativeMove[k]!;
          expect(1 + many.priceRelativeMove[n]!).toBeCloseTo(g, 12);
        });
      }),
    );
  });
});

describe("filteredHistoricalScenarios (hand-checkable case)", () => {
  it("λ and seed validation; a constant-vol history filters to itself", () => {
    expect(filteredHistoricalScenarios(history, { horizonDays: 1, lambda: 1 }).ok).toBe(false);
    expect(filteredHistoricalScenarios(history, { horizonDays: 1, seedDays: 0 }).ok).toBe(false);
    // Alternating ±r log returns: the EWMA variance (seeded with r²) stays r² exactly, so σ_now/σ_s = 1.
    const r = 0.05;
    const rows = Array.from({ length: 40 }, (_, i) => `2021-01-${String(i + 1).padStart(2, "0")}`).slice(0, 31);
    const csv = `date,BTC\n${rows.map((d, i) => `${d},${(100 * Math.exp(i % 2 === 0 ? 0 : r)).toString()}`).join("\n")}\n`;
    const h = unwrap(parseHistoryCsv(csv, "alt.csv"));
    const raw = unwrap(historicalScenarios(h, { horizonDays: 1 }));
    const f = unwrap(filteredHistoricalScenarios(h, { horizonDays: 1, stressFloor: false }));
    raw.priceRelativeMove.forEach((m, i) => expect(f.priceRelativeMove[i]).toBeCloseTo(m, 12));
  });
});
