/**
 * The validated domain (src/market/bounds.ts) at every boundary: flags, option rows, market files, portfolios, stress
 * scenarios and trade specs. Each case passed on the earlier main and produced Infinity, NaN or a bug-coded error
 * (issue 9 §2); here each is a coded bad-input error (exit 2) naming the field, or a finite result.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { validateMarket } from "../../src/io/market.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { validateStressScenarios } from "../../src/io/stress-scenarios.js";
import { validateOptionRow } from "../../src/io/option-batch.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { computeGreeksMargin } from "../../src/models/greeks/model.js";
import { parseGreeksParams } from "../../src/models/greeks/params.js";
import { BOUNDS, inBound } from "../../src/market/bounds.js";
import { runCli } from "../cli/helpers.js";

const exampleMarket = JSON.parse(readFileSync("examples/market.json", "utf8")) as { index: Record<string, number>; instruments: Record<string, Record<string, number>>; timestamp: string };
const withMarket = (patch: (m: typeof exampleMarket) => void): unknown => {
  const m = structuredClone(exampleMarket);
  patch(m);
  return m;
};
const codesOf = (r: { ok: boolean; issues?: readonly { code: string; path: string }[] }): string[] => (r.ok ? [] : (r.issues ?? []).map((i) => `${i.path}: ${i.code}`));
const PRICE = ["price", "--type", "call", "--days", "30"];

describe("bounds: CLI price flags (issue 9 §2 kernels)", () => {
  it.each([
    [["--forward", "1e308", "--strike", "1e308", "--vol", "0.5"], "--forward"],
    [["--forward", "5e-324", "--strike", "1", "--vol", "0.5"], "--forward"],
    [["--forward", "100", "--strike", "100", "--vol", "5e-324"], "--vol"],
    [["--forward", "100", "--strike", "100", "--vol", "0.5", "--rate", "-1000"], "--rate"],
  ])("%j is out_of_range at the flag, exit 2", async (flags, path) => {
    const r = await runCli(...PRICE, ...flags);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^netrisk: error: ${path}: out_of_range: .*between`));
  });
  it("the largest and smallest inputs in the domain price finitely", async () => {
    for (const [f, k, v] of [
      [BOUNDS.priceUsd.max, BOUNDS.priceUsd.max, BOUNDS.volDecimal.max],
      [BOUNDS.priceUsd.min, BOUNDS.priceUsd.max, BOUNDS.volDecimal.min],
      [BOUNDS.priceUsd.max, BOUNDS.priceUsd.min, BOUNDS.volDecimal.min],
    ]) {
      const r = await runCli("price", "--type", "put", "--time-years", String(BOUNDS.timeYears.min), "--forward", String(f), "--strike", String(k), "--vol", String(v), "--rate", "-1", "--json");
      expect(r.code, r.stderr).toBe(0);
      for (const x of Object.values(JSON.parse(r.stdout) as Record<string, unknown>)) if (typeof x === "number") expect(Number.isFinite(x)).toBe(true);
    }
  });
  it("batch rows carry the same bounds", () => {
    const r = validateOptionRow({ type: "call", forward: 100, strike: 100, timeYears: 5e-324, vol: 0.5 }, 3, "vol");
    expect(codesOf(r)).toEqual(["[3].timeYears: out_of_range"]);
  });
});

describe("bounds: market file", () => {
  it.each([
    ["index 1e308", (m: typeof exampleMarket) => void (m.index.BTC = 1e308), "index.BTC: out_of_range"],
    ["subnormal forward", (m: typeof exampleMarket) => void ((m.instruments["BTC-6MAR26-60000-C"] as Record<string, number>).underlyingPrice = 5e-324), "instruments.BTC-6MAR26-60000-C.underlyingPrice: out_of_range"],
    ["tiny markIv", (m: typeof exampleMarket) => void ((m.instruments["BTC-6MAR26-60000-C"] as Record<string, number>).markIv = 1e-300), "instruments.BTC-6MAR26-60000-C.markIv: out_of_range"],
  ])("%s", (_name, patch, expected) => {
    expect(codesOf(validateMarket(withMarket(patch)))).toContain(expected);
  });
  it("a fat-fingered future mark is implausible_carry, not a 4e50 forward", () => {
    // 1e12 is also beyond the price bound; 1e8 (a future at 1,111 × the index) is inside it.
    const r = validateMarket(withMarket((m) => void ((m.instruments["BTC-27MAR26"] as Record<string, number>).markPrice = 1e8)));
    expect(codesOf(r)).toEqual(["instruments.BTC-27MAR26.markPrice: implausible_carry"]);
    const fat = validateMarket(withMarket((m) => void ((m.instruments["BTC-27MAR26"] as Record<string, number>).markPrice = 1e12)));
    expect(codesOf(fat)).toContain("instruments.BTC-27MAR26.markPrice: implausible_carry");
    // The same check guards markets built in code (the library entry point).
    const snap = unwrap(validateMarket(exampleMarket));
    const bad = { ...snap, instruments: { ...snap.instruments, "BTC-27MAR26": { markPrice: 1e8 } } };
    expect(codesOf(buildMarketContext(bad))).toContain("instruments.BTC-27MAR26.markPrice: implausible_carry");
  });
  it("the bundled example market is inside every bound", () => {
    expect(validateMarket(exampleMarket).ok).toBe(true);
  });
});

describe("bounds: portfolio, stress scenarios", () => {
  const market = unwrap(buildMarketContext(unwrap(validateMarket(exampleMarket))));
  it("a size of 1e154 (which overflowed standard margin) is out_of_range", () => {
    expect(codesOf(validatePortfolio({ positions: [{ instrument: "BTC-PERPETUAL", size: 1e154 }] }, market))).toEqual(["positions[0].size: out_of_range"]);
  });
  it("a strike beyond the bounds in an instrument name is out_of_range", () => {
    expect(codesOf(validatePortfolio({ positions: [{ instrument: "BTC-6MAR26-9000000000-C", size: 1 }] }, market))[0]).toMatch(/^positions\[0\]\.instrument: (out_of_range|malformed_instrument)$/);
    expect(codesOf(validatePortfolio({ positions: [{ instrument: "BTC-6MAR26-0d000000001-C", size: 1 }] }, market))[0]).toMatch(/^positions\[0\]\.instrument: (out_of_range|malformed_instrument)$/);
  });
  it("priceMoves.BTC: 1.8e308 (Infinity once parsed) is non_finite, 1e308 out_of_range (was −Infinity)", () => {
    const r = validateStressScenarios({ scenarios: [{ name: "x", priceMoves: { BTC: JSON.parse("1.8e308") as number } }] });
    expect(codesOf(r)).toEqual(["scenarios[0].priceMoves.BTC: non_finite"]);
    const big = validateStressScenarios({ scenarios: [{ name: "x", priceMoves: { BTC: 1e308 }, volMoves: { BTC: -1 } }] });
    expect(codesOf(big)).toEqual(["scenarios[0].priceMoves.BTC: out_of_range", "scenarios[0].volMoves.BTC: out_of_range"]);
    expect(inBound(-0.5, "moveDecimal")).toBe(true);
  });
});

describe("price band of hypothetical trades (what-if, max order)", () => {
  const ACC = ["--account", "examples/account.json", "--market", "examples/market.json"];
  it("BTC-PERPETUAL:1@1e-9 is refused with the band in the message; --price-band widens it", async () => {
    const r = await runCli("whatif", ...ACC, "--trade", "BTC-PERPETUAL:1@1e-9", "--json");
    expect(r.code).toBe(2);
    const doc = JSON.parse(r.stdout) as { error: { code: string; issues: { path: string; message: string }[] } };
    expect(doc.error.code).toBe("outside_price_band");
    expect(doc.error.issues[0]?.path).toBe("trades[0].price");
    expect(doc.error.issues[0]?.message).toMatch(/\[67520\.25, 112533\.75\]/);
    const ok = await runCli("whatif", ...ACC, "--trade", "BTC-PERPETUAL:1@80000", "--json");
    expect(ok.code, ok.stderr).toBe(0);
    const wide = await runCli("whatif", ...ACC, "--trade", "BTC-PERPETUAL:1@50000", "--price-band", "0.5", "--json");
    expect(wide.code, wide.stderr).toBe(0);
  });
  it("max-order refuses a limit price outside the band", async () => {
    const r = await runCli("max-order", ...ACC, "--instrument", "BTC-PERPETUAL", "--side", "buy", "--price", "1e-9");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^netrisk: error: price: outside_price_band: /);
  });
});

describe("greeks model near expiry: a long option's margin is capped at its value", () => {
  const params = unwrap(parseGreeksParams(JSON.parse(readFileSync("presets/greeks-default.json", "utf8"))));
  // ATM BTC call one second before its 08:00 UTC expiry (the issue's example: 6.3M USD of margin on a 90k notional).
  const snap = unwrap(validateMarket({ timestamp: "2026-03-06T07:59:59.000Z", index: { BTC: 90000 }, instruments: { "BTC-6MAR26-90000-C": { markIv: 0.5, underlyingPrice: 90000 } } }));
  const market = unwrap(buildMarketContext(snap));
  it("long: IM and MM ≤ the option's value; short: uncapped", () => {
    const long = unwrap(computeGreeksMargin(unwrap(validatePortfolio({ positions: [{ instrument: "BTC-6MAR26-90000-C", size: 1 }] }, market)), market, params));
    // Black-76 ATM value ≈ F·σ·√T/√(2π) = 90000 × 0.5 × √(1/31557600) / 2.5066 ≈ 3.2 USD.
    const value = (90000 * 0.5 * Math.sqrt(1 / 31_557_600)) / Math.sqrt(2 * Math.PI);
    expect(long.totalUsd.initialMargin).toBeLessThanOrEqual(value * (1 + 1e-3));
    expect(long.totalUsd.maintenanceMargin).toBeLessThanOrEqual(value * (1 + 1e-3));
    expect(long.notes.join(" ")).toMatch(/capped at the value of the long options/);
    const short = unwrap(computeGreeksMargin(unwrap(validatePortfolio({ positions: [{ instrument: "BTC-6MAR26-90000-C", size: -1 }] }, market)), market, params));
    expect(short.totalUsd.maintenanceMargin).toBeGreaterThan(1000 * value);
  });
});

describe("fixed cases found by the long fuzz run (npm run fuzz)", () => {
  it("a subnormal balance against a margin: the maintenance ratio is null (no meaningful ratio), never Infinity", async () => {
    const { liquidationMarket, modelOf } = await import("../account/random-accounts.js");
    const { loadAccount } = await import("../../src/io/account.js");
    const { evaluateAccount } = await import("../../src/account/account.js");
    const { firstNonFinitePath } = await import("../../src/errors.js");
    for (const doc of [
      { positions: [{ instrument: "ETH-PERPETUAL", size: 1_000_000_000 }], collateral: { BTC: 1.557478166096371e-305 } },
      { positions: [{ instrument: "ETH-PERPETUAL", size: -7.58599884443816e-16 }], collateral: { USDC: 4e-323 } },
    ]) {
      const a = unwrap(loadAccount(doc, liquidationMarket(0.05), { model: modelOf("standard") })).account;
      const ev = unwrap(evaluateAccount(a));
      expect(firstNonFinitePath(ev)).toBeUndefined();
      expect(ev.figures.maintenanceRatio).toBeNull();
      expect(ev.health.reason).not.toMatch(/Infinity|NaN/);
    }
  });
});

describe("the finite-number guard inside the engine (account/engine.ts guardMargin)", () => {
  it("a model figure that is NaN leaves the engine as non_finite_result naming it", async () => {
    const { guardMargin } = await import("../../src/account/engine.js");
    const base = { model: "stub", parameterSet: { name: "s", version: "1", effective: "2026-01-01" }, sizeConventions: [], notes: [] };
    const bucket = { currency: "USD", initialMargin: 1, maintenanceMargin: 1, initialMarginUsd: 1, maintenanceMarginUsd: Number.NaN, components: {} };
    const r = guardMargin({ ...base, byCurrency: { USD: bucket }, totalUsd: { initialMargin: 1, maintenanceMargin: 1 } } as never);
    expect(codesOf(r)).toEqual(["byCurrency.USD.maintenanceMarginUsd: non_finite_result"]);
    const t = guardMargin({ ...base, byCurrency: {}, totalUsd: { initialMargin: Infinity, maintenanceMargin: 1 } } as never);
    expect(codesOf(t)).toEqual(["totalUsd.initialMargin: non_finite_result"]);
  });
});
