/**
 * The optimised builder against the reference builder `buildRiskArrays` (risk-arrays.ts, which prices with the
 * pricing module's Black-76 and is itself checked against scipy by its own tests).
 *
 * Tolerance: |fast − reference| ≤ 1e-13 per entry for coin-settled rows (coin per 1-coin position) and ≤ 1e-13 × F
 * for USD rows (F the option's forward). WHY: both evaluate the same Black-76 formula with different but equally exact
 * arrangements (one exp vs a split exp; ln(F/K) + ln(1+m) vs ln(F'/K)); each price carries a few EPS × F' of absolute
 * rounding (F'·N(d1) and K·N(d2) are subtracted), times the tail weights and coin rescale (≤ ~5). 1e-13 leaves a
 * margin of ~10× over that and is 10,000× below the 1e-9 to which any margin figure is reported.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { describeWithSharedData, sharedData, whenSharedData } from "../../test/helpers/requires.js";
import { unwrap } from "../errors.js";
import { loadDeribitOptionsSnapshotCsv } from "../io/deribit-csv.js";
import type { MarketContext, OptionMarketInputs } from "../market/context.js";
import { parseInstrument } from "../market/instrument.js";
import type { DerivativeInstrument, MarketSnapshot, OptionInstrument } from "../market/types.js";
import { MS_PER_YEAR } from "../market/types.js";
import { parseRiskMatrixParams } from "../models/risk-matrix/params.js";
import { scenarioSetOf } from "../models/risk-matrix/scenario-set.js";
import { buildRiskArraysFast } from "./build-fast.js";
import { buildRiskArrays } from "./risk-arrays.js";
import type { InstrumentRiskArrays, ScenarioSet } from "./risk-arrays.js";
import { gridScenarios, priceGrid, rangeOverMoveWeight, tailScenarios, edgePriceCoinRescale } from "./scenarios.js";


/** A MarketContext over a snapshot's own quotes (forward = underlyingPrice, vol = markIv, rate 0): a test double. */
function quoteContext(snapshot: MarketSnapshot, inputsOf?: (inst: OptionInstrument) => OptionMarketInputs): MarketContext {
  const asOfMs = snapshot.timestampMs;
  const quote = (name: string) => snapshot.instruments[name] ?? {};
  return {
    snapshot,
    asOfMs,
    bases: Object.keys(snapshot.indexUsd),
    indexUsd: (base) => snapshot.indexUsd[base] as number,
    forwardUsd: (base) => snapshot.indexUsd[base] as number,
    futureMarkUsd: (inst) => quote(inst.name).markPrice ?? (snapshot.indexUsd[inst.base] as number),
    optionInputs:
      inputsOf ??
      ((inst) => ({
        forwardUsd: quote(inst.name).underlyingPrice as number,
        volDecimal: quote(inst.name).markIv as number,
        timeYears: (inst.expiryMs - asOfMs) / MS_PER_YEAR,
        rateDecimal: 0,
      })),
    surfaceVol: () => {
      throw new Error("not used");
    },
  };
}

function expectClose(fast: InstrumentRiskArrays, ref: InstrumentRiskArrays, scaleOf: (row: number) => number): void {
  expect(fast.instrumentNames).toEqual(ref.instrumentNames);
  expect(fast.scenarioCount).toBe(ref.scenarioCount);
  expect(fast.data.length).toBe(ref.data.length);
  const S = ref.scenarioCount;
  let worst = 0;
  for (let k = 0; k < ref.data.length; k++) {
    const err = Math.abs((fast.data[k] as number) - (ref.data[k] as number)) / scaleOf(Math.floor(k / S));
    worst = Math.max(worst, err);
    if (!(err <= 1e-13)) expect.fail(`${ref.instrumentNames[Math.floor(k / S)]} scenario ${k % S}: fast ${fast.data[k]} vs reference ${ref.data[k]}`);
  }
  for (let i = 0; i < ref.deltaCoin.length; i++) expect(Math.abs((fast.deltaCoin[i] as number) - (ref.deltaCoin[i] as number))).toBeLessThanOrEqual(1e-14);
  expect(Array.from(fast.timeYears)).toEqual(Array.from(ref.timeYears));
  expect([...fast.rowOf]).toEqual([...ref.rowOf]);
  expect(worst).toBeLessThanOrEqual(1e-13);
}

describeWithSharedData("buildRiskArraysFast on the real Deribit chain (2025-12-30, 1,304 options + futures + perpetuals)", () => {
  const snapshot = whenSharedData(
    () =>
      unwrap(
        loadDeribitOptionsSnapshotCsv(readFileSync(sharedData("deribit_btc_eth_options_20251230T1731Z.csv"), "utf8"), {
          futuresCsv: readFileSync(sharedData("deribit_futures_marks_20251230T1731Z.csv"), "utf8"),
          perpetualsCsv: readFileSync(sharedData("deribit_perpetual_prices_20251230T1731Z.csv"), "utf8"),
        }),
      ).snapshot,
  );
  const instruments = Object.keys(snapshot?.instruments ?? {}).map((name) => unwrap(parseInstrument(name)) as DerivativeInstrument);
  const params = unwrap(parseRiskMatrixParams(JSON.parse(readFileSync(new URL("../../presets/deribit.json", import.meta.url), "utf8"))));
  const sets = new Map<string, ScenarioSet | undefined>();
  const setOf = (inst: DerivativeInstrument) => {
    if (!sets.has(inst.base)) sets.set(inst.base, scenarioSetOf(params, inst.base));
    return sets.get(inst.base);
  };

  it("matches the reference builder to 1e-13 coin per coin on every row and scenario (35 = 27 + 8)", () => {
    expect(instruments.filter((i) => i.kind === "option").length).toBeGreaterThanOrEqual(1298);
    const market = quoteContext(snapshot);
    const ref = unwrap(buildRiskArrays(instruments, market, setOf));
    const fast = unwrap(buildRiskArraysFast(instruments, market, setOf));
    expect(ref.scenarioCount).toBe(35);
    expectClose(fast, ref, () => 1);
  });

  it("builds an underlying's rows, in any order, bit for bit as the whole-chain build does (what the live core relies on)", () => {
    // The live core rebuilds one underlying's rows and compares with from-scratch figures: a point's price must not
    // depend on the other instruments of the call (call/put sharing, blocks, the order in which rows are priced).
    const market = quoteContext(snapshot);
    const whole = unwrap(buildRiskArraysFast(instruments, market, setOf));
    const btc = instruments.filter((i) => i.base === "BTC").reverse();
    const part = unwrap(buildRiskArraysFast(btc, market, setOf));
    const S = whole.scenarioCount;
    btc.forEach((inst, k) => {
      const r = whole.rowOf.get(inst.name) as number;
      expect(Array.from(part.data.subarray(k * S, (k + 1) * S))).toEqual(Array.from(whole.data.subarray(r * S, (r + 1) * S)));
      expect(part.deltaCoin[k]).toBe(whole.deltaCoin[r]);
    });
  });

  it("without WebAssembly (TypeScript kernel only) still matches the reference to 1e-13", async () => {
    vi.resetModules();
    vi.stubGlobal("WebAssembly", undefined);
    try {
      const fresh = await import("./build-fast.js");
      const market = quoteContext(snapshot);
      expectClose(unwrap(fresh.buildRiskArraysFast(instruments, market, setOf)), unwrap(buildRiskArrays(instruments, market, setOf)), () => 1);
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });

  it("returns exactly the reference's issues for bad input (duplicate, unsupported, expired)", () => {
    const market = quoteContext(snapshot);
    const some = instruments.slice(0, 5);
    const dup = [...some, some[1] as DerivativeInstrument];
    expect(buildRiskArraysFast(dup, market, setOf)).toEqual(buildRiskArrays(dup, market, setOf));
    const unsupported = unwrap(parseInstrument("SOL_USDC-PERPETUAL")) as DerivativeInstrument;
    const withSol = [...some, unsupported];
    const fastSol = buildRiskArraysFast(withSol, market, setOf);
    expect(fastSol.ok).toBe(false);
    expect(fastSol).toEqual(buildRiskArrays(withSol, market, setOf));
    const expired = unwrap(parseInstrument("BTC-27DEC24")) as DerivativeInstrument;
    expect(buildRiskArraysFast([expired], market, setOf)).toEqual(buildRiskArrays([expired], market, setOf));
  });
});

describe("buildRiskArraysFast on random options (inverse and linear, deep ITM/OTM, vol shocked to 0)", () => {
  const asOfMs = Date.UTC(2025, 0, 1, 8);
  const optionArb = fc.record({
    linear: fc.boolean(),
    call: fc.boolean(),
    forwardUsd: fc.double({ min: 1, max: 200_000, noNaN: true }),
    logMoneyness: fc.double({ min: -3, max: 3, noNaN: true }),
    volDecimal: fc.double({ min: 0.05, max: 3, noNaN: true }),
    hours: fc.integer({ min: 1, max: 3 * 8766 }),
    rateDecimal: fc.double({ min: 0, max: 0.1, noNaN: true }),
  });
  const setArb = fc.record({
    range: fc.double({ min: 0.02, max: 0.5, noNaN: true }),
    steps: fc.integer({ min: 1, max: 6 }),
    rangeDown: fc.double({ min: 0, max: 1.5, noNaN: true }),
    rangeUp: fc.double({ min: 0, max: 1, noNaN: true }),
  });

  it("matches the reference to 1e-13 (× F for USD rows)", () => {
    fc.assert(
      fc.property(fc.array(optionArb, { minLength: 1, maxLength: 8 }), setArb, (opts, sp) => {
        const inputs = new Map<string, OptionMarketInputs>();
        const instruments: OptionInstrument[] = opts.map((o, i) => {
          const strikeUsd = o.forwardUsd * Math.exp(o.logMoneyness);
          const inst: OptionInstrument = {
            kind: "option", name: `X${i}`, base: "BTC", settlement: o.linear ? "linear" : "inverse", settlementCurrency: o.linear ? "USDC" : "BTC",
            expiryMs: asOfMs + o.hours * 3_600_000, strikeUsd, optionKind: o.call ? "call" : "put",
          };
          inputs.set(inst.name, { forwardUsd: o.forwardUsd, volDecimal: o.volDecimal, timeYears: (inst.expiryMs - asOfMs) / MS_PER_YEAR, rateDecimal: o.rateDecimal });
          return inst;
        });
        const set: ScenarioSet = {
          scenarios: [
            ...gridScenarios(priceGrid(sp.range, sp.steps)),
            ...tailScenarios([-0.66, -0.33, 0.5, 1, 5], { volShift: "up", weight: (m) => rangeOverMoveWeight(m, sp.range, 1), coinRescale: (m) => edgePriceCoinRescale(m, sp.range) }),
          ],
          volShock: {
            rangeUpDecimal: sp.rangeUp, rangeDownDecimal: sp.rangeDown, shortTermPower: 0.3, longTermPower: 0.13,
            pivotDays: 30, dteFloorDays: 0, shortTermBoundary: "lt", minVolForShockUpDecimal: 0.5,
          },
        };
        const market = quoteContext({ timestampMs: asOfMs, indexUsd: { BTC: 1 }, instruments: {} }, (inst) => inputs.get(inst.name) as OptionMarketInputs);
        const ref = unwrap(buildRiskArrays(instruments, market, () => set));
        const fast = unwrap(buildRiskArraysFast(instruments, market, () => set));
        expectClose(fast, ref, (row) => (opts[row]!.linear ? opts[row]!.forwardUsd : 1));
      }),
      { numRuns: 300 },
    );
  });
});
