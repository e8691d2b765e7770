/**
 * Bad venue input (issue #13 "Bad input"): each a coded issue naming venue, file, record and field; nothing imported.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { importVenue } from "../../src/venues/index.js";
import type { VenueFile } from "../../src/venues/index.js";
import { fixture } from "./helpers.js";

function issues(venue: string, files: VenueFile[], instruments?: VenueFile[]): [string, string, string][] {
  const r = importVenue(venue, files, instruments !== undefined ? { instruments } : {});
  expect(r.ok).toBe(false);
  return r.ok ? [] : r.issues.map((i) => [i.code, i.path, i.message]);
}

describe("venue import: bad input", () => {
  it("a file of the wrong venue says which venue it looks like", () => {
    const [i] = issues("deribit", [fixture("okx/balance.json")]);
    expect(i?.[0]).toBe("wrong_venue");
    expect(i?.[1]).toBe("okx/balance.json");
    expect(i?.[2]).toMatch(/^deribit: not a deribit response.*looks like an OKX v5 response/);
  });

  it("an unknown venue is invalid_value at venue", () => {
    expect(issues("kraken", [fixture("okx/balance.json")])).toEqual([["invalid_value", "venue", expect.stringMatching(/unknown venue "kraken"; known: deribit, okx/)]]);
  });

  it("an instrument netrisk cannot map names venue, file, record and field", () => {
    const bad = { name: "pos.json", json: { retCode: 0, result: { category: "linear", nextPageCursor: "", list: [{ symbol: "BTC-SOMETHING", side: "Buy", size: "1", avgPrice: "1" }] } } };
    expect(issues("bybit", [bad])).toEqual([["unknown_instrument", "pos.json:result.list[0].symbol", expect.stringMatching(/^bybit: bybit symbol "BTC-SOMETHING" has no netrisk name/)]]);
    const hip3 = { name: "ch.json", json: { assetPositions: [{ type: "oneWay", position: { coin: "xyz:TSLA", szi: "1" } }], marginSummary: { accountValue: "1" } } };
    expect(issues("hyperliquid", [hip3])[0]?.slice(0, 2)).toEqual(["unknown_instrument", "ch.json:assetPositions[0].position.coin"]);
  });

  it("a Deribit futures size given in coin is unit_mismatch", () => {
    const json = { jsonrpc: "2.0", result: [{ instrument_name: "BTC-PERPETUAL", kind: "future", direction: "buy", size: 0.006687487, size_currency: 0.006687487, mark_price: 7476.65, average_price: 7440.18 }] };
    const [i] = issues("deribit", [{ name: "p.json", json }]);
    expect(i?.slice(0, 2)).toEqual(["unit_mismatch", "p.json:result[0].size"]);
    expect(i?.[2]).toMatch(/futures size is in USD .* equals size_currency, a size in coin/);
  });

  it("a Bybit inverse size given in coin is unit_mismatch", () => {
    const json = { retCode: 0, result: { category: "inverse", nextPageCursor: "", list: [{ symbol: "BTCUSD", side: "Sell", size: "0.01092319", positionValue: "0.01092319", avgPrice: "27464.5" }] } };
    expect(issues("bybit", [{ name: "p.json", json }])[0]?.slice(0, 2)).toEqual(["unit_mismatch", "p.json:result.list[0].size"]);
  });

  it("the same position in two files of one venue account is a duplicate naming both files", () => {
    const r = issues("deribit", [fixture("deribit/get_positions.json"), { name: "again.json", json: fixture("deribit/get_positions.json").json }]);
    expect(r).toEqual([["duplicate", "again.json:result[0]", expect.stringMatching(/position BTC-PERPETUAL is also in deribit\/get_positions\.json/)]]);
  });

  it("a truncated (paginated) response is incomplete_response", () => {
    const json = { retCode: 0, result: { category: "linear", nextPageCursor: "page2", list: [] } };
    expect(issues("bybit", [{ name: "p.json", json }])[0]?.slice(0, 2)).toEqual(["incomplete_response", "p.json:result.nextPageCursor"]);
    const push = { arg: { channel: "positions" }, lastPage: false, data: [] };
    expect(issues("okx", [{ name: "push.json", json: push }])[0]?.slice(0, 2)).toEqual(["incomplete_response", "push.json:lastPage"]);
  });

  it("a balance in an unknown currency is invalid_value at the currency field", () => {
    const json = { code: "0", msg: "", data: [{ details: [{ ccy: "US DOLLAR", cashBal: "1" }] }] };
    expect(issues("okx", [{ name: "b.json", json }])).toEqual([["invalid_value", "b.json:data[0].details[0].ccy", expect.stringMatching(/^okx: currency "US DOLLAR" is not a currency code/)]]);
  });

  it("an OKX instrument without a known contract value asks for --instruments; a bad instruments file is wrong_venue", () => {
    const json = { code: "0", msg: "", data: [{ instId: "SOL-USDT-SWAP", instType: "SWAP", pos: "3", posSide: "net", avgPx: "100" }] };
    expect(issues("okx", [{ name: "p.json", json }])[0]?.slice(0, 2)).toEqual(["unsupported", "p.json:data[0].instId"]);
    const instruments = { name: "i.json", json: { code: "0", msg: "", data: [{ instId: "SOL-USDT-SWAP", instType: "SWAP", ctVal: "1", ctMult: "1", ctValCcy: "SOL" }] } };
    const ok = importVenue("okx", [{ name: "p.json", json }], { instruments: [instruments] });
    expect(ok.ok && ok.value.positions.map((p) => [p.instrument, p.size])).toEqual([["SOL_USDT-PERPETUAL", 3]]);
    expect(issues("okx", [{ name: "p.json", json }], [fixture("okx/balance.json")])[0]?.[0]).toBe("wrong_venue");
  });

  it("non-numbers, NaN and sign contradictions are coded at their field", () => {
    const json = { jsonrpc: "2.0", result: [{ instrument_name: "BTC-PERPETUAL", kind: "future", direction: "sell", size: 50, size_currency: "NaN", mark_price: 1 }, { instrument_name: "ETH-PERPETUAL", kind: "future", direction: "sideways", size: "x" }] };
    expect(issues("deribit", [{ name: "p.json", json }]).map((i) => i.slice(0, 2))).toEqual([
      ["non_finite", "p.json:result[0].size_currency"],
      ["invalid_value", "p.json:result[0].size"],
      ["invalid_type", "p.json:result[1].size"],
    ]);
  });

  it("a field of the venue's record that JSON reads as Infinity (1e999) is echoed as its text, never as a non-finite number", () => {
    const text = readFileSync("test/fixtures/venues/deribit/get_positions.json", "utf8").replace('"estimated_liquidation_price": 1.74', '"estimated_liquidation_price": 1e999');
    const r = importVenue("deribit", [{ name: "p.json", json: JSON.parse(text) as unknown }]);
    expect(r.ok).toBe(true);
    const record = r.ok ? (r.value.positions[0]?.venueRecord as Record<string, unknown>) : {};
    expect(record.estimated_liquidation_price).toBe("Infinity");
    expect(record.mark_price).toBe(7476.65);
  });

  it("a venue's error message that is not text is quoted as JSON", () => {
    const json = { retCode: 10001, retMsg: { reason: "bad" }, result: { category: "linear", nextPageCursor: "", list: [] } };
    expect(issues("bybit", [{ name: "p.json", json }])[0]?.[2]).toMatch(/retCode 10001: \{"reason":"bad"\}/);
  });
});
