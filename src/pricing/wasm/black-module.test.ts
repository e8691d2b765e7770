/**
 * The WebAssembly normalised-Black module: its elementary functions against the engine's (Math.exp; logMoneyness and
 * normalisedIntrinsic, i.e. Math.log1p / Math.log / Math.expm1; erfcx of normal.ts, itself tested against mpmath),
 * and its R2 kernel against the mpmath fixture with the TypeScript kernel's own bound.
 */
import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { erfcx } from "../../math/normal.js";
import { logMoneyness } from "../black76.js";
import { normalisedBlack, normalisedIntrinsic } from "../normalised-black.js";
import { blackKernel, GROUP_STRIDE, WASM_JOBS, wasmGroup } from "./black-kernel.js";
import type { BlackKernel } from "./black-kernel.js";
import { buildBlackModuleBytes } from "./black-module.js";

const EPS = Number.EPSILON;

function kernel(): BlackKernel {
  const k = blackKernel();
  if (k === null) throw new Error("this test needs WebAssembly SIMD (Node >= 16.4 has it)");
  return k;
}

describe("module", () => {
  it("validates and starts with the wasm magic and version 1", () => {
    const bytes = buildBlackModuleBytes(8);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);
    const api = (globalThis as unknown as { WebAssembly: { validate(b: Uint8Array): boolean } }).WebAssembly;
    expect(api.validate(bytes)).toBe(true);
    expect(blackKernel()).toBe(blackKernel());
  });
});

describe("elementary functions", () => {
  it("exp is within 1 ulp of Math.exp on [−700, 700] (and exact at 0)", () => {
    // Math.exp (fdlibm in V8) is itself < 1 ulp from e^x, so ≤ 1 EPS relative apart allows each to be off by its
    // own rounding; measured worst 0.997 EPS.
    const k = kernel();
    let worst = 0;
    for (let pass = 0; pass < 20; pass++) {
      const lo = pass < 10 ? -62 : -700;
      const width = pass < 10 ? 62.5 : 1400; // the kernel's own range is [−61.5, 0.25]; then everything else
      for (let i = 0; i < WASM_JOBS; i++) k.x[i] = lo + (width * (i + pass / 20)) / WASM_JOBS;
      k.exp(WASM_JOBS);
      for (let i = 0; i < WASM_JOBS; i++) {
        const want = Math.exp(k.x[i] as number);
        worst = Math.max(worst, Math.abs((k.out[i] as number) - want) / (EPS * want));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
    k.x[0] = 0;
    k.x[1] = 1;
    k.exp(2);
    expect(k.out[0]).toBe(1);
    expect(Math.abs((k.out[1] as number) - Math.E)).toBeLessThanOrEqual(EPS * Math.E);
  });

  it("erfcx is within 3 EPS of mpmath on [0, 8] (all three of Cody's intervals), as normal.ts erfcx is", () => {
    // Same coefficients as normal.ts; the middle interval's rational is evaluated by Estrin's scheme instead of
    // Horner's rule (latency), the first interval's exp(z²) is the module's. Measured worst 2.58 EPS against mpmath
    // (test/fixtures/pricing-fast/erfcx_mp.json, 1025 points), normal.ts's erfcx 2.48 EPS on the same points; the two
    // differ by at most 4.25 EPS (measured on a finer grid), hence 5 below.
    const fixture = (
      JSON.parse(readFileSync(new URL("../../../test/fixtures/pricing-fast/erfcx_mp.json", import.meta.url), "utf8")) as {
        rows: { z: number; erfcx: number }[];
      }
    ).rows;
    const k = kernel();
    fixture.forEach((r, i) => (k.x[i] = r.z));
    k.erfcx(fixture.length);
    let worst = 0;
    fixture.forEach((r, i) => {
      worst = Math.max(worst, Math.abs((k.out[i] as number) - r.erfcx) / (EPS * r.erfcx));
      expect(Math.abs((k.out[i] as number) - erfcx(r.z))).toBeLessThanOrEqual(5 * EPS * r.erfcx);
    });
    expect(fixture.length).toBe(1025);
    expect(worst).toBeLessThanOrEqual(3);
  });

  it("rows: ln(F/K) within 1 EPS·|x| of logMoneyness, intrinsic value within 3 EPS of normalisedIntrinsic", () => {
    // x: both are log1p/log to < 1 ulp (fdlibm's algorithm here, fdlibm's code in V8): measured 1.0 EPS relative.
    // Intrinsic value e + e/(1 + e), e = expm1(x/2): the module's expm1 is 2^n·(e^r − 1) + (2^n − 1) with one more
    // rounding than fdlibm's: measured 2.1 EPS relative.
    const k = kernel();
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            forwardUsd: fc.double({ min: 1, max: 2e5, noNaN: true }),
            logRatio: fc.oneof(fc.double({ min: -12, max: 12, noNaN: true }), fc.double({ min: -1e-6, max: 1e-6, noNaN: true })),
            isCall: fc.boolean(),
          }),
          { minLength: 1, maxLength: 64 },
        ),
        (rows) => {
          rows.forEach((r, i) => {
            k.forward[i] = r.forwardUsd;
            k.strike[i] = r.forwardUsd * Math.exp(r.logRatio);
            k.isCall[i] = r.isCall ? 1 : 0;
          });
          k.rows(rows.length);
          rows.forEach((r, i) => {
            const x = logMoneyness(k.forward[i] as number, k.strike[i] as number);
            expect(Math.abs((k.logMoneyness[i] as number) - x)).toBeLessThanOrEqual(EPS * Math.abs(x));
            const xc = r.isCall ? x : -x;
            const intrinsic = xc > 0 ? normalisedIntrinsic(xc) : 0;
            expect(Math.abs((k.intrinsic[i] as number) - intrinsic)).toBeLessThanOrEqual(3 * EPS * intrinsic);
          });
        },
      ),
    );
  });
});

interface Row {
  x: number;
  s: number;
  call: boolean;
  b: number;
}
const rows = (
  JSON.parse(readFileSync(new URL("../../../test/fixtures/pricing/normalised_black.json", import.meta.url), "utf8")) as {
    rows: Row[];
  }
).rows;
const cond = (x: number, s: number): number => 1 + (x / s) ** 2 + (s / 2) ** 2;

describe("R2 kernel against mpmath (60 digits, test/fixtures/pricing/generate_black_mp.py)", () => {
  it("has relative error <= 4·EPS·(1 + h² + t²) on every fixture point in R2 (916 points, all three groups)", () => {
    // The TypeScript kernel's bound (normalised-black.test.ts), for the same reason: h = x/s is rounded and enters
    // exp(−h²/2) with weight h². The points are priced in their groups, as the batch kernel does.
    const k = kernel();
    const r2 = rows.filter((r) => {
      const s = r.s;
      const h = -Math.abs(r.x) / s;
      const t = s / 2;
      return h + t > -10 && t < 1 && -h * t <= 2;
    });
    expect(r2.length).toBeGreaterThan(900);
    const count = [0, 0, 0];
    const slotOf = r2.map((r) => {
      const g = wasmGroup(-Math.abs(r.x) / r.s);
      const slot = g * GROUP_STRIDE + (count[g] as number);
      count[g] = (count[g] as number) + 1;
      k.x[slot] = -Math.abs(r.x);
      k.s[slot] = r.s;
      return slot;
    });
    expect(count.every((c) => c > 200)).toBe(true);
    count.forEach((c, g) => k.otm(g * GROUP_STRIDE, c));
    let worst = 0;
    r2.forEach((r, i) => {
      const xc = r.call ? r.x : -r.x;
      const otm = k.out[slotOf[i] as number] as number;
      const got = xc <= 0 ? otm : normalisedIntrinsic(xc) + otm;
      worst = Math.max(worst, Math.abs(got - r.b) / (EPS * r.b * cond(r.x, r.s)));
      // And never further from the TypeScript kernel than the two kernels' bounds together.
      const ts = normalisedBlack(r.x, r.s, r.call);
      expect(Math.abs(got - ts)).toBeLessThanOrEqual(8 * EPS * r.b * cond(r.x, r.s));
    });
    expect(worst).toBeLessThanOrEqual(4);
  });
});
