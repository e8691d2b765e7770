/**
 * OKX instrument ids → netrisk names. References: the ids in issue #13's contract and OKX's API docs ("Get instruments"
 * instId examples; stored copy github.com/openxapi/openxapi @1cb024e); expiry 08:00 UTC as Deribit's.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { formatInstrument } from "./instrument.js";
import type { DerivativeInstrument } from "./types.js";
import { canonicalName, formatOkxInstrumentId, parseOkxInstrumentId, resolveInstrumentName } from "./venue-ids.js";

describe("OKX instrument ids", () => {
  it.each([
    ["BTC-USDT-SWAP", "BTC_USDT-PERPETUAL"],
    ["BTC-USD-SWAP", "BTC-PERPETUAL"],
    ["ETH-USDC-SWAP", "ETH_USDC-PERPETUAL"],
    ["LTC-USDT-SWAP", "LTC_USDT-PERPETUAL"],
    ["BTC-USDT-250328", "BTC_USDT-28MAR25"],
    ["BTC-USD-250328", "BTC-28MAR25"],
    ["BTC-USD-250328-100000-C", "BTC-28MAR25-100000-C"],
    ["ETH-USD-250103-3400-P", "ETH-3JAN25-3400-P"],
    ["BTC-USDT-250328-100000-C", "BTC_USDT-28MAR25-100000-C"],
    ["XRP-USD-250627-0.625-P", "XRP-27JUN25-0d625-P"],
  ])("%s is %s", (id, name) => {
    expect(canonicalName(id)).toBe(name);
    const r = resolveInstrumentName(id, "x");
    expect(r.ok && r.value.venueId).toBe(id);
  });

  it("settles USD ids in the base coin (inverse) and USDT/USDC ids in the stablecoin, expiring at 08:00 UTC", () => {
    const r = parseOkxInstrumentId("BTC-USD-250328-100000-C");
    expect(r.ok && r.value).toMatchObject({ kind: "option", settlement: "inverse", settlementCurrency: "BTC", expiryMs: Date.parse("2025-03-28T08:00:00Z") });
    const l = parseOkxInstrumentId("BTC-USDT-SWAP");
    expect(l.ok && l.value).toMatchObject({ kind: "perpetual", settlement: "linear", settlementCurrency: "USDT" });
  });

  it("leaves canonical names and currency codes alone", () => {
    const r = resolveInstrumentName("BTC-PERPETUAL");
    expect(r.ok && r.value).toEqual({ instrument: { kind: "perpetual", name: "BTC-PERPETUAL", base: "BTC", settlement: "inverse", settlementCurrency: "BTC" } });
    expect(canonicalName("USDT")).toBe("USDT");
  });

  it.each([
    ["BTC-USDT-250231", /not a calendar date/],
    ["BTC-USDT-251301", /not a calendar date/],
    ["BTC-USD-250328-0-C", /positive/],
    ["BTC-USD-250328-100000-X", /expected/],
    ["BTC-USD-FUTURES", /expected/],
    ["1INCH-USDT-SWAP", /currency code/],
    ["USDT-USDT-SWAP", /both USDT/],
    ["btc-usdt-swap", /expected|not a valid/],
  ])("rejects %s with a malformed_instrument issue", (id, why) => {
    const r = resolveInstrumentName(id, "positions[0].instrument");
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.issues[0]?.code).toBe("malformed_instrument");
    expect(r.issues[0]?.path).toBe("positions[0].instrument");
    expect(r.issues[0]?.message).toMatch(why);
  });

  const derivative: fc.Arbitrary<DerivativeInstrument> = fc
    .record({
      base: fc.stringMatching(/^[A-Z][A-Z0-9]{1,9}$/).filter((c) => !["USD", "USDT", "USDC"].includes(c)),
      quote: fc.constantFrom("USD", "USDT", "USDC"),
      kind: fc.constantFrom("perpetual", "future", "option"),
      days: fc.integer({ min: 0, max: 36524 }),
      strike: fc.oneof(fc.integer({ min: 1, max: 999_999_999 }), fc.integer({ min: 1, max: 9_999_999 }).map((n) => n / 1000)),
      call: fc.boolean(),
    })
    .map(({ base, quote, kind, days, strike, call }) => {
      const common = quote === "USD" ? { base, settlement: "inverse" as const, settlementCurrency: base } : { base, settlement: "linear" as const, settlementCurrency: quote };
      const expiryMs = Date.UTC(2000, 0, 1, 8) + days * 86_400_000;
      const draft: DerivativeInstrument =
        kind === "perpetual"
          ? { kind, name: "", ...common }
          : kind === "future"
            ? { kind, name: "", ...common, expiryMs }
            : { kind, name: "", ...common, expiryMs, strikeUsd: strike, optionKind: call ? "call" : "put" };
      return { ...draft, name: formatInstrument(draft) };
    });

  it("round trip: parseOkx(formatOkx(instrument)) is the instrument, for every underlying (fast-check)", () => {
    fc.assert(
      fc.property(derivative, (inst) => {
        const id = formatOkxInstrumentId(inst);
        const back = parseOkxInstrumentId(id);
        expect(back.ok && back.value).toEqual(inst);
      }),
      { numRuns: 500 },
    );
  });
});
