import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatExpiryCode, formatInstrument, parseExpiryCode, parseInstrument } from "./instrument.js";
import type { Instrument } from "./types.js";
import { MS_PER_YEAR, yearsBetween } from "./types.js";

function parsed(name: string): Instrument {
  const r = parseInstrument(name);
  if (!r.ok) throw new Error(`expected ${name} to parse: ${r.issues[0]?.message}`);
  return r.value;
}

describe("parseInstrument: examples", () => {
  it("parses the inverse family", () => {
    expect(parsed("BTC-PERPETUAL")).toEqual({
      kind: "perpetual",
      name: "BTC-PERPETUAL",
      base: "BTC",
      settlement: "inverse",
      settlementCurrency: "BTC",
    });
    expect(parsed("BTC-27DEC24")).toEqual({
      kind: "future",
      name: "BTC-27DEC24",
      base: "BTC",
      settlement: "inverse",
      settlementCurrency: "BTC",
      expiryMs: Date.parse("2024-12-27T08:00:00Z"),
    });
    expect(parsed("BTC-27DEC24-60000-C")).toEqual({
      kind: "option",
      name: "BTC-27DEC24-60000-C",
      base: "BTC",
      settlement: "inverse",
      settlementCurrency: "BTC",
      expiryMs: Date.parse("2024-12-27T08:00:00Z"),
      strikeUsd: 60000,
      optionKind: "call",
    });
    expect(parsed("ETH-5JUN20-250-P")).toMatchObject({ kind: "option", base: "ETH", strikeUsd: 250, optionKind: "put" });
  });

  it("parses the linear USDC family", () => {
    expect(parsed("BTC_USDC-PERPETUAL")).toMatchObject({ kind: "perpetual", base: "BTC", settlement: "linear", settlementCurrency: "USDC" });
    expect(parsed("BTC_USDC-27DEC24")).toMatchObject({ kind: "future", base: "BTC", settlement: "linear", settlementCurrency: "USDC" });
    expect(parsed("BTC_USDC-27DEC24-60000-C")).toMatchObject({ kind: "option", settlement: "linear", strikeUsd: 60000 });
  });

  it("parses the linear USDT family (issue #13 contract: BTC_USDT-PERPETUAL, BTC_USDT-28MAR25, BTC_USDT-28MAR25-100000-C)", () => {
    expect(parsed("BTC_USDT-PERPETUAL")).toEqual({ kind: "perpetual", name: "BTC_USDT-PERPETUAL", base: "BTC", settlement: "linear", settlementCurrency: "USDT" });
    expect(parsed("BTC_USDT-28MAR25")).toEqual({
      kind: "future",
      name: "BTC_USDT-28MAR25",
      base: "BTC",
      settlement: "linear",
      settlementCurrency: "USDT",
      expiryMs: Date.parse("2025-03-28T08:00:00Z"),
    });
    expect(parsed("BTC_USDT-28MAR25-100000-C")).toMatchObject({ kind: "option", settlementCurrency: "USDT", strikeUsd: 100000, optionKind: "call" });
    expect(parsed("USDC_USDT-PERPETUAL")).toMatchObject({ base: "USDC", settlementCurrency: "USDT" });
  });

  it("reads `d` as the decimal point of a strike (Deribit docs example XRP_USDC-30JUN23-0d625-C = 0.625)", () => {
    expect(parsed("XRP_USDC-30JUN23-0d625-C")).toMatchObject({ strikeUsd: 0.625, optionKind: "call" });
    expect(parsed("XRP_USDC-30MAY25-2d4-P")).toMatchObject({ strikeUsd: 2.4, optionKind: "put" });
    expect(parsed("XRP_USDC-30MAY25-0d000001-P")).toMatchObject({ strikeUsd: 0.000001 });
  });

  it("parses spot balances by currency code", () => {
    expect(parsed("BTC")).toEqual({ kind: "spot", name: "BTC", currency: "BTC" });
    expect(parsed("USDC")).toEqual({ kind: "spot", name: "USDC", currency: "USDC" });
  });

  it("puts expiry at 08:00 UTC, with 1- or 2-digit days, matching venue timestamps", () => {
    // Deribit `expiration_timestamp` values from ../shared/data/deribit_btc_options_20200521T2319Z.csv.
    expect(parseExpiryCode("22MAY20")).toBe(1590134400000);
    expect(parseExpiryCode("5JUN20")).toBe(1591344000000);
    expect(parseExpiryCode("1JAN26")).toBe(Date.parse("2026-01-01T08:00:00Z"));
    expect(parseExpiryCode("31DEC25")).toBe(Date.parse("2025-12-31T08:00:00Z"));
    expect(parseExpiryCode("29FEB24")).toBe(Date.parse("2024-02-29T08:00:00Z"));
  });

  it("gives the collector's ACT/365.25 time to maturity of BTC-16JAN26 options in the 2025 chain", () => {
    // ../shared/data/deribit_btc_eth_options_20251230T1731Z.csv: timestamp 2025-12-30T17:31:15.944181Z,
    // time_to_maturity 0.045457324252129436 for BTC-16JAN26-*. Our timestamps are whole ms, so the 0.181 ms dropped
    // changes T by 5.7e-12 y; tolerance 1e-11.
    const inst = parsed("BTC-16JAN26-82000-C");
    if (inst.kind !== "option") throw new Error("not an option");
    expect(Math.abs(yearsBetween(Date.parse("2025-12-30T17:31:15.944Z"), inst.expiryMs) - 0.045457324252129436)).toBeLessThan(1e-11);
    expect(MS_PER_YEAR).toBe(31557600000);
  });
});

describe("parseInstrument: rejects malformed names", () => {
  const cases: ReadonlyArray<[string, RegExp]> = [
    ["", /empty/],
    ["btc-perpetual", /upper case/],
    ["BTC-27dec24", /upper case/],
    ["BTC-31FEB24", /not a calendar date/],
    ["BTC-29FEB25", /not a calendar date/],
    ["BTC-31APR24-60000-C", /not a calendar date/],
    ["BTC-027DEC24", /leading zero/],
    ["BTC-01JAN26", /leading zero/],
    ["BTC-32JAN26", /expiry/],
    ["BTC-0JAN26", /expiry/],
    ["BTC-27DEC2024", /expiry/],
    ["BTC-27DEC24-60000", /expected/],
    ["BTC-27DEC24-60000-X", /C or P/],
    ["BTC-27DEC24-0-C", /positive/],
    ["BTC-27DEC24--60000-C", /expected/],
    ["BTC-27DEC24-060000-C", /strike/],
    ["BTC-27DEC24-60000.5-C", /strike/],
    ["BTC-27DEC24-1d50-C", /strike/],
    ["BTC-27DEC24-1d-C", /strike/],
    ["BTC-27DEC24-1d1234567-C", /strike/],
    ["BTC-27DEC24-1234567890-C", /strike/],
    ["BTC-PERPETUAL-C", /expected/],
    ["BTC-PERP", /PERPETUAL/],
    ["B-PERPETUAL", /currency code/],
    ["1BTC-PERPETUAL", /currency code/],
    ["BTC_USDE-PERPETUAL", /USDC and USDT linear families/],
    ["BTC_USDC_X-PERPETUAL", /linear families/],
    ["USDT_USDT-PERPETUAL", /both USDT/],
    ["BTC-USDT-SWAP", /OKX\) instrument id/],
    ["USDC_USDC-PERPETUAL", /both USDC/],
    ["BTC_USDC", /currency code/],
    ["BTC ", /currency code/],
    [" BTC-PERPETUAL", /currency code/],
    ["BTC-FS-27DEC24_PERP", /expected/],
    ["ABCDEFGHIJK", /currency code/],
  ];
  it.each(cases)("%j", (name, why) => {
    const r = parseInstrument(name, "positions[0].instrument");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]?.code).toBe("malformed_instrument");
    expect(r.issues[0]?.path).toBe("positions[0].instrument");
    expect(r.issues[0]?.message).toMatch(why);
  });

  it("rejects non-string input without throwing", () => {
    expect(parseInstrument(42 as unknown as string).ok).toBe(false);
  });
});

const currencyCode = fc.stringMatching(/^[A-Z][A-Z0-9]{1,9}$/);
const base = currencyCode.filter((c) => c !== "USDC" && c !== "USDT");
// Expiry dates 2000-01-01 .. 2099-12-31 at 08:00 UTC (whole days so the date code is exact).
const expiryMs = fc
  .integer({ min: 0, max: 36524 })
  .map((days) => Date.UTC(2000, 0, 1, 8) + days * 86_400_000);
const strike = fc.oneof(
  fc.integer({ min: 1, max: 999_999_999 }),
  // Up to 6 decimals with at most 9 integer digits: canonical strikes the grammar accepts.
  fc.tuple(fc.integer({ min: 0, max: 99_999 }), fc.integer({ min: 1, max: 999_999 })).map(([i, f]) => Number(`${i}.${String(f).padStart(6, "0")}`)),
);

const instrument: fc.Arbitrary<Instrument> = fc
  .record({
    base,
    linear: fc.constantFrom(undefined, "USDC", "USDT"),
    kind: fc.constantFrom("perpetual", "future", "option", "spot"),
    expiryMs,
    strikeUsd: strike,
    call: fc.boolean(),
  })
  .map(({ base, linear, kind, expiryMs, strikeUsd, call }): Instrument => {
    if (kind === "spot") return { kind, name: base, currency: base };
    const common = { base, settlement: linear !== undefined ? ("linear" as const) : ("inverse" as const), settlementCurrency: linear ?? base };
    const draft: Instrument =
      kind === "perpetual"
        ? { kind, name: "", ...common }
        : kind === "future"
          ? { kind, name: "", ...common, expiryMs }
          : { kind, name: "", ...common, expiryMs, strikeUsd, optionKind: call ? "call" : "put" };
    return { ...draft, name: formatInstrument(draft) };
  });

describe("parseInstrument / formatInstrument: round trip (fast-check)", () => {
  it("parse(format(instrument)) equals the instrument", () => {
    fc.assert(
      fc.property(instrument, (inst) => {
        const r = parseInstrument(formatInstrument(inst));
        expect(r.ok && r.value).toEqual(inst);
      }),
      { numRuns: 1000 },
    );
  });

  it("format(parse(name)) equals the name for every accepted name", () => {
    // Random strings over the name alphabet: most are rejected, the accepted ones must be canonical.
    const alphabet = fc.constantFrom(..."BTCEHUSDPRLAJNFMYOVGd0123456789-_".split(""));
    const names = fc.oneof(fc.string({ unit: alphabet, maxLength: 24 }), instrument.map((i) => i.name));
    fc.assert(
      fc.property(names, (name) => {
        const r = parseInstrument(name);
        if (r.ok) expect(formatInstrument(r.value)).toBe(name);
      }),
      { numRuns: 1500 },
    );
  });

  it("date codes round-trip for every day of 2000–2099", () => {
    fc.assert(
      fc.property(expiryMs, (ms) => {
        expect(parseExpiryCode(formatExpiryCode(ms))).toBe(ms);
      }),
    );
  });
});
