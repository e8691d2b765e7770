/**
 * The backtest walk on the synthetic market of test/fixtures/backtest/generate.py: the realised loss of every day's
 * rolled book against the independent scipy Black-76 recomputation (coin and usd sizing, DVOL scaling, the DVOL-start
 * rule, an option expiring inside the window is not in this book), the rolled strikes, the breach bookkeeping (a model
 * equal to the realised loss never breaches; a tiny margin is rejected by the tests), no look-ahead, options and errors.
 */
import { describe, expect, it } from "vitest";
import { roundStrike, rollPortfolio } from "../../src/backtest/book.js";
import { dayState } from "../../src/backtest/day-market.js";
import { prepareBacktest } from "../../src/backtest/setup.js";
import { statisticalDailyModel } from "../../src/backtest/statistical.js";
import type { DailyModel } from "../../src/backtest/types.js";
import { runBacktest } from "../../src/backtest/walk.js";
import { unwrap } from "../../src/errors.js";
import type { Result } from "../../src/errors.js";
import { loadModel, loadPreset } from "../../src/io/presets.js";
import { parseInstrument } from "../../src/market/instrument.js";
import type { MarginModel } from "../../src/models/types.js";
import { createVarModel } from "../../src/models/var/model.js";
import { parseVarParams } from "../../src/models/var/params.js";
import { dayNumber, isoDay } from "../../src/risk/history/dates.js";
import type { History } from "../../src/risk/history/types.js";
import { fixedMarginModel, synthetic, walkFixture } from "./fixture.js";

const zero = fixedMarginModel("zero", () => 0);

/**
 * Tolerance of the realised loss vs scipy: both sides price the same Black-76 inputs (the surface is flat at exactly
 * 0.5, checked in the generator's design, and the forward curve is log-linear in both); normal CDFs agree to ~1e-15
 * relative, so 1e-9 relative of the book's USD scale (losses up to ~2e4 USD) plus 1e-7 USD absolute is ample.
 */
const closeUsd = (actual: number, expected: number): void => {
  expect(Math.abs(actual - expected)).toBeLessThanOrEqual(1e-7 + 1e-9 * Math.abs(expected));
};

describe("synthetic walk vs scipy", () => {
  const { market, portfolio, history } = synthetic();
  for (const mode of ["coin", "usd"] as const) {
    it(`realised losses, ${mode} sizing, every day`, () => {
      const r = unwrap(runBacktest({ portfolio, market, history, model: zero }, { horizonDays: walkFixture.horizonDays, rebalance: mode }));
      expect(r.series.dates).toEqual(walkFixture.dates);
      const expected = walkFixture.lossUsd[mode];
      expect(r.series.lossUsd.length).toBe(expected.length);
      r.series.lossUsd.forEach((l, i) => closeUsd(l, expected[i] as number));
    });
  }

  it("rolls option strikes to the same moneyness, rounded to 6 significant digits, with valid names", () => {
    const prep = unwrap(prepareBacktest({ portfolio, market, history, model: zero }, { horizonDays: 2 }));
    walkFixture.dates.forEach((date, i) => {
      const day = dayNumber(date) as number;
      const book = rollPortfolio(prep.path, dayState(prep.path, day), portfolio, "coin");
      if ("failedPosition" in book) throw new Error("roll failed");
      const byOriginal = new Map(portfolio.positions.map((p, k) => [p.instrument.name, book.portfolio.positions[k]?.instrument]));
      for (const [name, strike] of Object.entries(walkFixture.rolledStrikes[i] ?? {})) {
        const rolled = byOriginal.get(name);
        expect(rolled?.kind === "option" ? rolled.strikeUsd : undefined, `${date} ${name}`).toBe(strike);
        // The rolled name parses back to the same instrument (canonical name, 08:00 UTC expiry).
        expect(unwrap(parseInstrument(rolled?.name ?? ""))).toEqual(rolled);
      }
    });
  });

  it("roundStrike keeps 6 significant digits and at most 6 decimals", () => {
    expect(roundStrike(4067.794)).toBe(4067.79);
    expect(roundStrike(123456789.4)).toBe(123456789);
    expect(roundStrike(0.12345678)).toBe(0.123457);
    expect(roundStrike(0.0000001)).toBeUndefined();
    expect(roundStrike(2e9)).toBeUndefined();
  });

  it("notes say where the vol index was missing (unscaled) and the reference level", () => {
    const r = unwrap(runBacktest({ portfolio, market, history, model: zero }, { horizonDays: 2 }));
    // The vol index starts on 2024-12-12: 43 of the 54 margin days 2024-12-01..2025-01-23 have it.
    expect(r.notes.some((n) => n.includes("UNSCALED") && n.includes("on 43 of 54 margin days"))).toBe(true);
    expect(r.notes.some((n) => n.includes(`${(walkFixture.dvolReference * 100).toFixed(2)} %`))).toBe(true);
  });
});

describe("vol index without a value on the snapshot's day", () => {
  it("the snapshot's 30-day at-the-money vol stands in as the reference (flat 50 % surface here), with a note", () => {
    const { market, portfolio, history } = synthetic();
    const cutDay = dayNumber("2025-01-10") as number;
    const vols = history.vols.map((v) => ({ ...v, values: v.values.subarray(0, cutDay - v.firstDay + 1) }));
    const r = unwrap(runBacktest({ portfolio, market, history: { ...history, vols }, model: zero }, { horizonDays: 2, to: "2025-01-05" }));
    expect(r.notes.some((n) => n.includes("stands in") && n.includes("50.00 %"))).toBe(true);
    expect(r.series.lossUsd.every(Number.isFinite)).toBe(true);
  });
});

describe("breach bookkeeping", () => {
  const { market, portfolio, history } = synthetic();
  const base = unwrap(runBacktest({ portfolio, market, history, model: zero }, { horizonDays: 2 }));
  const lossByDate = new Map(base.series.dates.map((d, i) => [d, base.series.lossUsd[i] as number]));
  const dateOf = (asOfMs: number): string => isoDay(Math.floor(asOfMs / 86_400_000));

  it("a model whose margin IS the realised loss (floored at 0) has zero breaches and coverage 1", () => {
    const oracle = fixedMarginModel("oracle", (asOf) => Math.max(0, lossByDate.get(dateOf(asOf)) ?? NaN));
    const r = unwrap(runBacktest({ portfolio, market, history, model: oracle }, { horizonDays: 2 }));
    expect(r.coverage.breaches).toBe(0);
    expect(r.coverage.coverageRatio).toBe(1);
    expect(r.breaches).toEqual([]);
    expect(r.series.marginUsd.filter((m) => m > 0).length).toBeGreaterThan(10);
  });

  it("a deliberately tiny margin (1 USD) is rejected by Kupiec and by conditional coverage", () => {
    const tiny = fixedMarginModel("tiny", () => 1);
    const r = unwrap(runBacktest({ portfolio, market, history, model: tiny }, { horizonDays: 2 }));
    const losing = base.series.lossUsd.filter((l) => l > 1).length;
    expect(r.coverage.breaches).toBe(losing);
    expect(losing).toBeGreaterThan(10);
    expect(r.kupiec.pValue).toBeLessThan(1e-6);
    expect(r.conditionalCoverage.pValue).toBeLessThan(1e-6);
    // Every breach is listed with its figures; the series agree.
    for (const b of r.breaches) {
      const i = r.series.dates.indexOf(b.date);
      expect(b.lossUsd).toBe(r.series.lossUsd[i]);
      expect(b.marginUsd).toBe(1);
      expect(b.excessUsd).toBeCloseTo(b.lossUsd - 1, 9);
    }
  });

  it("compares maintenance margin when asked", () => {
    const half = fixedMarginModel("half", (asOf) => Math.max(0, lossByDate.get(dateOf(asOf)) ?? NaN) * 1.5);
    const im = unwrap(runBacktest({ portfolio, market, history, model: half }, { horizonDays: 2 }));
    const mm = unwrap(runBacktest({ portfolio, market, history, model: half }, { horizonDays: 2, margin: "maintenance" }));
    expect(im.coverage.breaches).toBe(0);
    // MM = IM / 2 = 0.75 × loss: every day with a positive loss breaches.
    expect(mm.coverage.breaches).toBe(base.series.lossUsd.filter((l) => l > 0).length);
  });

  it("reports progress once per margin day, ending at the total", () => {
    const seen: number[] = [];
    const r = unwrap(runBacktest({ portfolio, market, history, model: zero }, { horizonDays: 2, onProgress: (p) => seen.push(p.done) }));
    expect(seen.length).toBe(r.coverage.observations);
    expect(seen[seen.length - 1]).toBe(r.coverage.observations);
  });
});

describe("no look-ahead", () => {
  const { market, portfolio, history } = synthetic();

  /**
   * The history with every value after `day` multiplied by `factor`, except the vol index on the snapshot's own day:
   * that level belongs to the snapshot (the surface it scales is the snapshot's), not to the history after t.
   */
  const snapshotDay = Math.floor(market.asOfMs / 86_400_000);
  const perturbAfter = (h: History, day: number, factor: number): History => {
    const map = (list: History["prices"], keep: number) =>
      list.map((s) => ({ ...s, values: s.values.map((v, i) => (s.firstDay + i > day && s.firstDay + i !== keep ? v * factor : v)) }));
    return { ...h, prices: map(h.prices, -1), vols: map(h.vols, snapshotDay) };
  };

  it("a fixed model's margin on day t does not change when prices and vols after t change", () => {
    const deribit = unwrap(loadModel("deribit"));
    const cut = dayNumber("2024-12-20") as number;
    const a = unwrap(runBacktest({ portfolio, market, history, model: deribit }, { horizonDays: 2 }));
    const b = unwrap(runBacktest({ portfolio, market, history: perturbAfter(history, cut, 1.3), model: deribit }, { horizonDays: 2 }));
    a.series.dates.forEach((date, i) => {
      const day = dayNumber(date) as number;
      if (day <= cut) expect(b.series.marginUsd[i], date).toBe(a.series.marginUsd[i]);
      if (day + 2 <= cut) expect(b.series.lossUsd[i], date).toBe(a.series.lossUsd[i]);
    });
    expect(b.series.marginUsd.at(-1)).not.toBe(a.series.marginUsd.at(-1));
  });

  it("a daily model sees the history only up to its day, and var scenarios end that day", () => {
    const seen: { day: number; lastKnown: number; lastWindow: string | undefined }[] = [];
    const params = unwrap(parseVarParams({ ...(unwrap(loadPreset("var-default")) as object), confidence: 0.9 }));
    const inner = statisticalDailyModel({
      id: "var",
      parameterSet: params.info,
      horizonDays: 2,
      priceFactors: ["BTC"],
      windowDays: 20,
      minWindowDays: 10,
      bind: (inputs) => {
        const label = inputs.scenarios.labels[inputs.scenarios.count - 1];
        seen.push({ day: -1, lastKnown: -1, lastWindow: label });
        return createVarModel(params, inputs);
      },
    });
    const spy: DailyModel = {
      ...inner,
      modelOn: (day, known): Result<MarginModel> => {
        const lastKnown = Math.max(...known.prices.map((s) => s.firstDay + s.values.length - 1), ...known.vols.map((s) => s.firstDay + s.values.length - 1));
        const r = inner.modelOn(day, known);
        const last = seen[seen.length - 1];
        if (last) Object.assign(last, { day, lastKnown });
        return r;
      },
    };
    const r = unwrap(runBacktest({ portfolio, market, history, model: spy }, { horizonDays: 2, from: "2024-12-13" }));
    expect(seen.length).toBe(r.coverage.observations);
    for (const s of seen) {
      expect(s.lastKnown).toBe(s.day);
      expect(s.lastWindow).toBe(isoDay(s.day));
    }
    expect(r.series.marginUsd.every((m) => m > 0)).toBe(true);
  });
});

describe("errors as data", () => {
  const { market, portfolio, history } = synthetic();
  const run = (options: Parameters<typeof runBacktest>[1], h: History = history) => runBacktest({ portfolio, market, history: h, model: zero }, options);
  const codes = (r: ReturnType<typeof runBacktest>) => (r.ok ? [] : r.issues.map((i) => `${i.path}:${i.code}`));

  it("rejects bad options with the option's name as path", () => {
    expect(codes(run({ horizonDays: 0 }))).toEqual(["horizonDays:out_of_range"]);
    expect(codes(run({ confidence: 1 }))).toEqual(["confidence:out_of_range"]);
    expect(codes(run({ rebalance: "eur" as never }))).toEqual(["rebalance:invalid_value"]);
    expect(codes(run({ from: "2024-13-01" }))).toEqual(["from:invalid_value"]);
  });

  it("a range outside the history is out_of_range; a currency without history is required", () => {
    expect(codes(run({ from: "2030-01-01" }))).toEqual(["history:out_of_range"]);
    const noBtc: History = { prices: [], vols: history.vols, notes: [] };
    expect(codes(run({}, noBtc)).every((c) => c.endsWith(":required"))).toBe(true);
  });

  it("a model failure names the day", () => {
    const failing: MarginModel = { ...zero, compute: () => unwrap({ ok: false, issues: [{ code: "unsupported", path: "positions[0]", message: "no" }] }) };
    const r = runBacktest({ portfolio, market, history, model: failing }, {});
    expect(codes(r)).toEqual([`days.${walkFixture.dates[0]}.positions[0]:unsupported`]);
  });
});
