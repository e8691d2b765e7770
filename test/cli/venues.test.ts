/**
 * `netrisk import` and `netrisk venues` in process: the venues' documented examples (test/fixtures/venues), the OKX
 * example end to end (import the position-builder request, then `netrisk account` prints OKX's figures), exit codes
 * and the error document of bad input.
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { hasSharedData, sharedData } from "../helpers/requires.js";
import { parseJson, runCli } from "./helpers.js";

const FIX = "test/fixtures/venues";

describe("netrisk import", () => {
  it("prints the imported account (text) and the account file (--json) that netrisk account reads", async () => {
    const text = await runCli("import", "okx", `${FIX}/okx/position-builder-request.json`);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/BTC-USDT-SWAP\s+BTC_USDT-PERPETUAL\s+-0\.1/);
    const json = await runCli("import", "okx", `${FIX}/okx/position-builder-request.json`, "--json");
    const file = parseJson(json) as { venue: string; model: string; positions: { instrument: string; venueId: string; size: number; averagePrice: number }[] };
    expect(file.venue).toBe("okx");
    expect(file.positions.map((p) => [p.instrument, p.venueId, p.size, p.averagePrice])).toEqual([
      ["BTC_USDT-PERPETUAL", "BTC-USDT-SWAP", -0.1, 100000],
      ["LTC_USDT-PERPETUAL", "LTC-USDT-SWAP", 10, 8000],
    ]);
    const dir = mkdtempSync(join(tmpdir(), "netrisk-import-"));
    try {
      writeFileSync(join(dir, "a.json"), json.stdout);
      const acct = await runCli("account", "--account", join(dir, "a.json"), "--market", "examples/okx-2025-01-15/market.json", "--no-distance");
      expect(acct.code).toBe(0);
      expect(acct.stdout).toMatch(/totalMmr 2,946\.5481, totalImr 9,643\.4507/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("bad input: exit 2, one coded line naming venue, file and field; a truncated file says so", async () => {
    const wrong = await runCli("import", "bybit", `${FIX}/okx/balance.json`);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/^netrisk: error: test\/fixtures\/venues\/okx\/balance\.json: wrong_venue: bybit: not a bybit response/);
    const dir = mkdtempSync(join(tmpdir(), "netrisk-import-"));
    try {
      writeFileSync(join(dir, "cut.json"), '{"code":"0","data":[{"instId":"BTC-USDT-SWAP","pos":"1"');
      const cut = await runCli("import", "okx", join(dir, "cut.json"), "--json");
      expect(cut.code).toBe(2);
      const doc = parseJson(cut) as { error: { code: string; issues: { message: string }[] } };
      expect(doc.error.code).toBe("invalid_json");
      expect(doc.error.issues[0]?.message).toMatch(/truncated response/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const venue = await runCli("import", "kraken", `${FIX}/okx/balance.json`);
    expect(venue.code).toBe(2);
    expect(venue.stderr).toMatch(/venue: invalid_value: unknown venue "kraken"/);
  });
});

describe("netrisk venues", () => {
  it("requires a market for every venue, naming it", async () => {
    const r = await runCli("venues", "--account", `okx=${FIX}/okx/position-builder-request.json`);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--market: required: no market for okx/);
  });

  it.skipIf(!hasSharedData)("prints the three-venue report on the real 2025-12-30 market (text and JSON)", async () => {
    const D = "examples/venues-2025-12-30";
    const args = [
      "venues",
      "--account", `deribit=${D}/deribit-positions.json`,
      "--account", `deribit=${D}/deribit-summaries.json`,
      "--account", `okx=${D}/okx-positions.json`,
      "--account", `okx=${D}/okx-balance.json`,
      "--account", `hyperliquid=${D}/hyperliquid-clearinghouseState.json`,
      "--market", sharedData("deribit_btc_eth_options_20251230T1731Z.csv"),
      "--futures", sharedData("deribit_futures_marks_20251230T1731Z.csv"),
      "--perpetuals", sharedData("deribit_perpetual_prices_20251230T1731Z.csv"),
    ];
    const text = await runCli(...args);
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/whole book under okx/);
    expect(text.stdout).toMatch(/capital freed by margining the whole book at once/);
    expect(text.stdout).toMatch(/silo risk: a venue liquidated while the book is still solvent/);
    const doc = parseJson(await runCli(...args, "--json")) as { venues: { label: string }[]; unified: { model: string }; siloRisk: unknown[] };
    expect(doc.venues.map((v) => v.label)).toEqual(["deribit", "okx", "hyperliquid"]);
    expect(doc.unified.model).toBe("okx");
  });
});
