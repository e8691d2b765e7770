/**
 * The history-based scenario sources on the real shared history (../shared/data), against the independent numpy
 * recomputation in test/fixtures/var/generate_historical.py (historical.json).
 */
import { readFileSync } from "node:fs";
import { expect, it } from "vitest";
import { loadHistoryFiles } from "../../src/io/history-files.js";
import { unwrap } from "../../src/errors.js";
import type { History } from "../../src/risk/history/types.js";
import type { JointScenarioSet } from "../../src/risk/joint.js";
import { historicalScenarios } from "../../src/risk/scenario-sources/historical.js";
import { filteredHistoricalScenarios } from "../../src/risk/scenario-sources/filtered.js";
import { estimateFactorModel } from "../../src/risk/scenario-sources/factor-model.js";
import { namedStressScenarios } from "../../src/risk/stress/named.js";
import { describeWithSharedData, sharedData, whenSharedData } from "../helpers/requires.js";

interface Summary {
  count: number;
  sum: number;
  sumSquares: number;
  min: number;
  minLabel: string;
  max: number;
  maxLabel: string;
  orderStatistics: Record<string, number>;
}
interface HistoricalCase {
  factors: string[];
  horizonDays: number;
  count: number;
  first: string;
  last: string;
  moves: Record<string, Summary>;
  volRatios: Record<string, Summary>;
  volMovedCount: Record<string, number>;
  at: Record<string, Record<string, number>>;
}
interface FilteredCase extends Omit<HistoricalCase, "factors" | "volMovedCount"> {
  to: string | null;
  floored: string[];
  volNowDaily: Record<string, number>;
  withoutFloorAt: Record<string, Record<string, number>>;
}
const fixture = JSON.parse(readFileSync(new URL("../fixtures/var/historical.json", import.meta.url), "utf8")) as {
  historical: HistoricalCase[];
  filtered: FilteredCase[];
  stress: Record<string, Record<string, number>>;
  factorModel: Record<"sample" | "ewma", { factors: string[]; first: string; last: string; observations: number; volsDaily: number[]; correlation: number[] }>;
};

const history: History = whenSharedData(() =>
  unwrap(loadHistoryFiles([sharedData("crypto_daily_close_wide_2014_2024.csv"), sharedData("deribit_dvol_btc_daily.csv"), sharedData("deribit_dvol_eth_daily.csv")])),
);

/** Column f of a row-major scenario matrix. */
const column = (data: Float64Array, width: number, f: number): Float64Array => data.filter((_, i) => i % width === f);

/** Compare a column with a numpy summary. `rel` is the relative tolerance on every statistic. */
function expectSummary(values: Float64Array, labels: readonly string[], ref: Summary, rel: number): void {
  expect(values.length).toBe(ref.count);
  const sorted = Float64Array.from(values).sort();
  let sum = 0, sumSq = 0;
  for (const v of values) {
    sum += v;
    sumSq += v * v;
  }
  // Sums: numpy's pairwise summation vs our left-to-right loop differ by ~n·eps·Σ|v|.
  expect(Math.abs(sum - ref.sum)).toBeLessThan(1e-12 * ref.count + rel * Math.abs(ref.sum));
  expect(Math.abs(sumSq - ref.sumSquares)).toBeLessThan(1e-12 * ref.count + rel * ref.sumSquares);
  for (const [k, v] of Object.entries(ref.orderStatistics)) expect(Math.abs(sorted[Number(k)]! - v)).toBeLessThanOrEqual(rel * Math.abs(v) + 1e-300);
  expect(labels[values.indexOf(sorted[0]!)]).toBe(ref.minLabel);
  expect(labels[values.indexOf(sorted[sorted.length - 1]!)]).toBe(ref.maxLabel);
}

function valueAt(set: JointScenarioSet, label: string, key: string): number {
  const n = set.labels.indexOf(label);
  if (key.startsWith("vol:")) return set.volRatio[n * set.volFactors.length + set.volFactors.indexOf(key.slice(4))]!;
  return set.priceRelativeMove[n * set.priceFactors.length + set.priceFactors.indexOf(key)]!;
}

describeWithSharedData("historical scenarios vs numpy on the real history", () => {
  it.each(fixture.historical.map((c) => [`${c.factors.join("+")} h=${c.horizonDays}`, c] as const))("%s", (_name, ref) => {
    const set = unwrap(historicalScenarios(history, { horizonDays: ref.horizonDays, priceFactors: ref.factors, volFactors: ["BTC", "ETH"] }));
    expect(set.method).toBe("historical");
    expect(set.count).toBe(ref.count);
    expect(set.labels[0]).toBe(ref.first);
    expect(set.labels[set.count - 1]).toBe(ref.last);
    // Same IEEE operations (one division, one subtraction) in both: order statistics agree exactly; 0 tolerance.
    ref.factors.forEach((f, i) => expectSummary(column(set.priceRelativeMove, ref.factors.length, i), set.labels, ref.moves[f]!, 0));
    ["BTC", "ETH"].forEach((b, v) => {
      const ratios = column(set.volRatio, 2, v);
      expectSummary(ratios, set.labels, ref.volRatios[b]!, 0);
      expect(ratios.filter((x) => x !== 1).length).toBe(ref.volMovedCount[b]);
    });
    for (const [date, row] of Object.entries(ref.at)) for (const [k, v] of Object.entries(row)) expect(valueAt(set, date, k)).toBe(v);
    // The set says where vols stayed unchanged (DVOL starts 2021-03-24).
    expect(set.notes.join("\n")).toMatch(/vol:BTC: implied vols move by the ratio of .* UNCHANGED \(ratio 1\)/);
  });

  it("BTC's worst 1-day scenario is Black Thursday, −37.2 % (SOURCES.md: log return −0.465)", () => {
    const set = unwrap(historicalScenarios(history, { horizonDays: 1, priceFactors: ["BTC"] }));
    const btc = column(set.priceRelativeMove, 1, 0);
    const worst = Math.min(...btc);
    expect(set.labels[btc.indexOf(worst)]).toBe("2020-03-12");
    expect(Math.log1p(worst)).toBeCloseTo(-0.465, 3);
    expect(set.count).toBe(3758); // 3759 closes, 3758 one-day windows
  });
});

describeWithSharedData("filtered historical scenarios vs numpy (EWMA λ = 0.94, stress-period floor)", () => {
  it.each(fixture.filtered.map((c) => [`h=${c.horizonDays} to=${c.to ?? "end"}`, c] as const))("%s", (_name, ref) => {
    const set = unwrap(filteredHistoricalScenarios(history, { horizonDays: ref.horizonDays, priceFactors: ["BTC", "ETH"], volFactors: ["BTC", "ETH"], ...(ref.to ? { to: ref.to } : {}) }));
    expect(set.method).toBe("filtered");
    expect(set.count).toBe(ref.count);
    expect([set.labels[0], set.labels[set.count - 1]]).toEqual([ref.first, ref.last]);
    // log/exp/sqrt of V8 and numpy may differ by an ulp, amplified by EWMA recursion over ~3000 days: 1e-10 relative.
    ["BTC", "ETH"].forEach((f, i) => expectSummary(column(set.priceRelativeMove, 2, i), set.labels, ref.moves[f]!, 1e-10));
    ["BTC", "ETH"].forEach((b, v) => expectSummary(column(set.volRatio, 2, v), set.labels, ref.volRatios[b]!, 1e-10));
    for (const [date, row] of Object.entries(ref.at)) for (const [k, v] of Object.entries(row)) expect(Math.abs(valueAt(set, date, k) - v)).toBeLessThan(1e-10 * Math.max(1, Math.abs(v)));
    const floorNote = set.notes.find((n) => n.startsWith("stress-period floor"))!;
    expect([...floorNote.matchAll(/(\d{4}-\d{2}-\d{2}) \(/g)].map((m) => m[1])).toEqual(ref.floored);
  });

  it("a calm spell cannot erase 2020-03-12, 2022-05 (LUNA) or 2022-11 (FTX): those windows keep their raw moves", () => {
    // As of 2023-10-15 BTC's EWMA vol is low (calm): without the floor the crash days shrink.
    const to = "2023-10-15";
    const calm = fixture.filtered.find((c) => c.to === to)!;
    const raw = unwrap(historicalScenarios(history, { horizonDays: 1, priceFactors: ["BTC", "ETH"], to }));
    const floored = unwrap(filteredHistoricalScenarios(history, { horizonDays: 1, priceFactors: ["BTC", "ETH"], to }));
    const unfloored = unwrap(filteredHistoricalScenarios(history, { horizonDays: 1, priceFactors: ["BTC", "ETH"], to, stressFloor: false }));
    for (const date of ["2020-03-12", "2022-05-09", "2022-05-10", "2022-05-11", "2022-05-12", "2022-11-08", "2022-11-09"]) {
      for (const f of ["BTC", "ETH"]) {
        expect(valueAt(floored, date, f)).toBe(valueAt(raw, date, f));
      }
    }
    // Without the floor the calm rescaling shrinks Black Thursday (numpy agrees) ...
    const noFloor = valueAt(unfloored, "2020-03-12", "BTC");
    expect(Math.abs(noFloor - calm.withoutFloorAt["2020-03-12"]!.BTC!)).toBeLessThan(1e-10);
    expect(Math.abs(noFloor)).toBeLessThan(0.5 * Math.abs(valueAt(raw, "2020-03-12", "BTC")));
    // ... and the worst BTC scenario of the floored set is at least the raw Black Thursday fall.
    expect(Math.min(...column(floored.priceRelativeMove, 2, 0))).toBeLessThanOrEqual(valueAt(raw, "2020-03-12", "BTC"));
  });
});

describeWithSharedData("named stress scenarios derived from the data", () => {
  const all = whenSharedData(() =>
    unwrap(
      loadHistoryFiles([
        sharedData("crypto_daily_close_wide_2014_2024.csv"),
        sharedData("deribit_dvol_btc_daily.csv"),
        sharedData("deribit_dvol_eth_daily.csv"),
        sharedData("usdc_usd_daily_ohlcv_yahoo.csv"),
        sharedData("usdt_usd_daily_ohlcv_yahoo.csv"),
      ]),
    ),
  );

  it("cumulative move of every factor over each window equals numpy's; missing data is unchanged and noted", () => {
    const set = unwrap(namedStressScenarios(all, { volFactors: ["BTC", "ETH"] }));
    expect(set.labels).toEqual(["black-thursday", "may-2021", "luna", "ftx", "usdc-depeg"]);
    expect(set.horizonDays).toBe(4);
    for (const [id, row] of Object.entries(fixture.stress)) {
      for (const f of set.priceFactors) expect(valueAt(set, id, f)).toBe(row[f] ?? 0);
      for (const b of set.volFactors) expect(valueAt(set, id, `vol:${b}`)).toBe(row[`vol:${b}`] ?? 1);
    }
    const notes = set.notes.join("\n");
    expect(notes).toContain("black-thursday: no vol index over the window for BTC, ETH (DVOL starts 2021-03-24): implied vols UNCHANGED");
    expect(notes).toContain("black-thursday: no price history over the window for SOL, USDC, USDT: UNCHANGED");
    // USDC de-peg: the close-to-close move (−2.8 %), not the intraday low.
    expect(valueAt(set, "usdc-depeg", "USDC")).toBeCloseTo(0.9715 / 0.999479 - 1, 12);
  });

  it("requireAllFactors turns missing data into an error; unknown ids list the known ones", () => {
    const r = namedStressScenarios(all, { ids: ["black-thursday"], priceFactors: ["BTC", "SOL"], requireAllFactors: true });
    expect(!r.ok && r.issues[0]).toMatchObject({ code: "required", path: "black-thursday.SOL" });
    const u = namedStressScenarios(all, { ids: ["covid"] });
    expect(!u.ok && u.issues[0]!.message).toContain("known: black-thursday, may-2021, luna, ftx, usdc-depeg");
  });
});

describeWithSharedData("factor model estimated from the real history vs numpy", () => {
  it.each(["sample", "ewma"] as const)("%s volatilities and correlation of BTC, ETH, vol:BTC, vol:ETH", (method) => {
    const ref = fixture.factorModel[method];
    const m = unwrap(estimateFactorModel(history, { priceFactors: ["BTC", "ETH"], method }));
    expect([...m.priceFactors, ...m.volFactors.map((b) => `vol:${b}`)]).toEqual(ref.factors);
    expect(m.notes[0]).toContain(`${ref.first}..${ref.last} (${ref.observations} days)`);
    // Sums of ~1400 products in a different order: 1e-12 relative.
    ref.volsDaily.forEach((v, i) => expect(Math.abs(m.volsDaily[i]! - v)).toBeLessThan(1e-12 * v));
    ref.correlation.forEach((c, i) => expect(Math.abs(m.correlation[i]! - c)).toBeLessThan(1e-12));
  });
});
