/**
 * black76PriceBatchFast against the TypeScript batch kernel (black76PriceBatch, itself equal to the scalar API and
 * tested against mpmath and QuantLib), on random chains over every region, on the real Deribit chain, and on the
 * degenerate cases; plus its fallback when WebAssembly is missing.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { describeWithSharedData, itWithSharedData, sharedData } from "../../test/helpers/requires.js";
import { black76PriceBatch } from "./batch.js";
import type { OptionChainColumns, OptionSettlement } from "./batch.js";
import { black76PriceBatchFast } from "./batch-fast.js";
import { logMoneyness } from "./black76.js";

const EPS = Number.EPSILON;

interface Row {
  isCall: boolean;
  forwardUsd: number;
  strikeUsd: number;
  timeYears: number;
  volDecimal: number;
  rateDecimal: number;
}

function toColumns(rows: readonly Row[], withRate = true): OptionChainColumns {
  const chain: OptionChainColumns = {
    isCall: Uint8Array.from(rows, (r) => (r.isCall ? 1 : 0)),
    forwardUsd: Float64Array.from(rows, (r) => r.forwardUsd),
    strikeUsd: Float64Array.from(rows, (r) => r.strikeUsd),
    timeYears: Float64Array.from(rows, (r) => r.timeYears),
    volDecimal: Float64Array.from(rows, (r) => r.volDecimal),
  };
  return withRate ? { ...chain, rateDecimal: Float64Array.from(rows, (r) => r.rateDecimal) } : chain;
}

/**
 * Bound on |fast − reference| for one row: 8·EPS·(1 + h² + t²) of the reference price, i.e. the sum of the two
 * kernels' accuracy contracts against the exact value (each 4·EPS·(1 + h² + t²), normalised-black.test.ts and the
 * mpmath chain test below). Why not a few EPS flat: the module computes ln(F/K) itself (within 1 ulp of
 * Math.log1p/Math.log, not bit-equal), and the TypeScript kernel is not smooth at the EPS level in x. Row 58 of the
 * Deribit chain (F = 91550.53, K = 320000, s = 0.4918): ln(F/K) one ulp apart moves the exact price by 6.4 EPS but
 * the TypeScript kernel's value by 30 EPS (its error is −19 EPS at one of the two x, within its 30 EPS contract). Even
 * on identical (x, s) the kernels differ by up to 2.2·EPS·(1 + h² + t²) (18.5 EPS flat, black-module.test.ts): the
 * erfcx roundings differ by a few EPS and Y' = 1 + h·Y amplifies them by up to 11 for h near −3.
 */
function bound(chain: OptionChainColumns, i: number, reference: number): number {
  const f = chain.forwardUsd[i] as number;
  const k = chain.strikeUsd[i] as number;
  const s = (chain.volDecimal[i] as number) * Math.sqrt(chain.timeYears[i] as number);
  if (!(s > 0)) return 0; // intrinsic value: computed exactly as the reference does
  const h = logMoneyness(f, k) / s;
  return 8 * EPS * (1 + h * h + (s / 2) ** 2) * Math.abs(reference);
}

/** Worst |fast − reference| / bound over the chain, for both settlements; asserts rows never exceed the bound. */
function compare(chain: OptionChainColumns): number {
  let worst = 0;
  for (const settlement of ["linear", "inverse"] as OptionSettlement[]) {
    const want = black76PriceBatch(chain, settlement);
    const got = black76PriceBatchFast(chain, settlement);
    want.forEach((w, i) => {
      const b = bound(chain, i, w);
      const diff = Math.abs((got[i] as number) - w);
      if (b === 0) expect(got[i]).toBe(w);
      else {
        expect(diff).toBeLessThanOrEqual(b);
        worst = Math.max(worst, diff / b);
      }
      expect(Number.isFinite(got[i])).toBe(true);
    });
  }
  return worst;
}

// Strikes mostly within ±10 standard deviations of the forward (h = ∓sd), some out to ±45 (region R1, h + t <= −10,
// and prices that underflow): every region of normalised-black.ts; vol 1 %–500 %, T one hour to 3 years, calls and
// puts, rates 0 and 5 %.
const rowArb = fc
  .record({
    isCall: fc.boolean(),
    forwardUsd: fc.double({ min: 1, max: 2e5, noNaN: true }),
    sd: fc.oneof(
      { weight: 4, arbitrary: fc.double({ min: -10, max: 10, noNaN: true }) },
      { weight: 1, arbitrary: fc.double({ min: -45, max: 45, noNaN: true }) },
    ),
    timeYears: fc.double({ min: 1 / 8766, max: 3, noNaN: true }),
    volDecimal: fc.double({ min: 0.01, max: 5, noNaN: true }),
    rateDecimal: fc.constantFrom(0, 0.05),
  })
  .map(({ sd, ...r }) => ({ ...r, strikeUsd: r.forwardUsd * Math.exp(sd * r.volDecimal * Math.sqrt(r.timeYears)) }));

describe("black76PriceBatchFast equals black76PriceBatch to 8·EPS·(1 + h² + t²)", () => {
  it("random rows over every region, both settlements, with and without rates", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 60 }), fc.boolean(), (rows, withRate) => {
        compare(toColumns(rows, withRate));
      }),
      { numRuns: 300 },
    );
  });

  it("sorted chains (call/put pairs at one strike share their out-of-the-money value)", () => {
    fc.assert(
      fc.property(fc.array(rowArb, { minLength: 1, maxLength: 30 }), (rows) => {
        compare(toColumns(rows.flatMap((r) => [r, { ...r, isCall: !r.isCall }])));
      }),
    );
  });

  itWithSharedData("the real Deribit chain (1304 options), in file order and over several blocks", () => {
    const chain = deribitChain();
    expect(chain.forwardUsd.length).toBe(1304);
    compare(chain);
    // Longer than one block of rows (2048): the chain three times over, 3912 rows.
    const triple = (c: Float64Array): Float64Array => Float64Array.from([...c, ...c, ...c]);
    const long: OptionChainColumns = {
      isCall: Uint8Array.from([...chain.isCall, ...chain.isCall, ...chain.isCall]),
      forwardUsd: triple(chain.forwardUsd),
      strikeUsd: triple(chain.strikeUsd),
      timeYears: triple(chain.timeYears),
      volDecimal: triple(chain.volDecimal),
    };
    compare(long);
  });

  it("σ = 0 and T = 0 give the discounted intrinsic value exactly; an empty chain gives an empty column", () => {
    const rows: Row[] = [];
    for (const isCall of [true, false]) {
      for (const [f, k] of [[100, 90], [100, 110], [100, 100]] as const) {
        rows.push({ isCall, forwardUsd: f, strikeUsd: k, timeYears: 0, volDecimal: 0.5, rateDecimal: 0.05 });
        rows.push({ isCall, forwardUsd: f, strikeUsd: k, timeYears: 0.5, volDecimal: 0, rateDecimal: 0.05 });
      }
    }
    const chain = toColumns(rows);
    const usd = black76PriceBatchFast(chain, "linear");
    rows.forEach((r, i) => {
      const intrinsic = Math.max(r.isCall ? r.forwardUsd - r.strikeUsd : r.strikeUsd - r.forwardUsd, 0);
      expect(usd[i]).toBe(Math.exp(-r.rateDecimal * r.timeYears) * intrinsic);
    });
    expect(black76PriceBatchFast(toColumns([]), "inverse")).toEqual(new Float64Array(0));
  });

  it("|ln(F/K)| beyond the module's 700 (F/K subnormal or huge) falls back to TypeScript: equal to the reference", () => {
    const rows: Row[] = [];
    for (const isCall of [true, false]) {
      for (const [f, k] of [[1e300, 1e-5], [1e-5, 1e305], [2e5, 1e-310], [1e-3, 1e300]] as const) {
        rows.push({ isCall, forwardUsd: f, strikeUsd: k, timeYears: 1, volDecimal: 0.5, rateDecimal: 0 });
      }
    }
    const chain = toColumns(rows, false);
    for (const settlement of ["linear", "inverse"] as OptionSettlement[]) {
      expect(black76PriceBatchFast(chain, settlement)).toEqual(black76PriceBatch(chain, settlement));
    }
  });

  it("writes into a caller's column when given one", () => {
    const chain = sampleChain();
    const out = new Float64Array(chain.forwardUsd.length);
    expect(black76PriceBatchFast(chain, "inverse", out)).toBe(out);
  });

  it("without WebAssembly it is black76PriceBatch, bit for bit", async () => {
    vi.resetModules();
    vi.stubGlobal("WebAssembly", undefined);
    try {
      const fresh = await import("./batch-fast.js");
      const chain = sampleChain();
      expect(fresh.black76PriceBatchFast(chain, "inverse")).toEqual(black76PriceBatch(chain, "inverse"));
    } finally {
      vi.unstubAllGlobals();
      vi.resetModules();
    }
  });
});

describeWithSharedData("accuracy contract on the real chain", () => {
  it("prices the Deribit chain within 4·EPS·(1 + h² + t²) of mpmath (test/fixtures/pricing-fast/generate.py)", () => {
    // The TypeScript kernel's contract (normalised-black.test.ts). Measured worst: 2.39 units here (2.35 for the
    // TypeScript kernel), 25.7 EPS flat for both.
    const want = (
      JSON.parse(readFileSync(new URL("../../test/fixtures/pricing-fast/deribit_chain_mp.json", import.meta.url), "utf8")) as {
        rows: { priceUsd: number }[];
      }
    ).rows;
    const chain = deribitChain();
    const usd = black76PriceBatchFast(chain, "linear");
    const coin = black76PriceBatchFast(chain, "inverse");
    expect(want.length).toBe(usd.length);
    want.forEach((w, i) => {
      const f = chain.forwardUsd[i] as number;
      const s = (chain.volDecimal[i] as number) * Math.sqrt(chain.timeYears[i] as number);
      const h = Math.log(f / (chain.strikeUsd[i] as number)) / s;
      const tol = 4 * EPS * (1 + h * h + (s / 2) ** 2) * w.priceUsd;
      expect(Math.abs((usd[i] as number) - w.priceUsd)).toBeLessThanOrEqual(tol);
      // Coin price: one more rounding (the division by F), 1 EPS more.
      expect(Math.abs((coin[i] as number) - w.priceUsd / f)).toBeLessThanOrEqual(tol / f + (EPS * w.priceUsd) / f);
    });
  });
});

/** A fixed synthetic chain (both types, strikes 50 %–150 % of the forward, 1 day to 2 years), longer than one block. */
function sampleChain(): OptionChainColumns {
  const rows: Row[] = [];
  for (let i = 0; i < 2500; i++) {
    rows.push({ isCall: i % 2 === 0, forwardUsd: 88_000, strikeUsd: 88_000 * (0.5 + (i % 101) / 100), timeYears: (1 + (i % 730)) / 365.25, volDecimal: 0.3 + (i % 7) / 10, rateDecimal: 0 });
  }
  return toColumns(rows, false);
}

function deribitChain(): OptionChainColumns {
  const path = sharedData("deribit_btc_eth_options_20251230T1731Z.csv");
  const [header, ...lines] = readFileSync(path, "utf8").trim().split("\n");
  const cols = (header ?? "").split(",");
  const at = (name: string): number => cols.indexOf(name);
  const cells = lines.map((l) => l.split(","));
  const num = (name: string): Float64Array => Float64Array.from(cells, (c) => Number(c[at(name)]));
  return {
    isCall: Uint8Array.from(cells, (c) => (c[at("option_type")] === "call" ? 1 : 0)),
    forwardUsd: num("underlying"),
    strikeUsd: num("strike"),
    timeYears: num("time_to_maturity"),
    volDecimal: num("implied_volatility"),
  };
}
