/**
 * The cross-venue report. Checks that do not repeat the report's own arithmetic: the unified equity equals the sum
 * of the venues' (one market, same marks), every silo transfer is re-checked here on the account layer directly
 * (the venue, moved by the scenario's common move, with the transfer added, is above its maintenance margin; without
 * it, below), and the structure of the book decides which venues can be silo-liquidated.
 * The two-venue book runs on the small hand-written market of test/account/helpers.ts (synthetic, stated there); the
 * three-venue example on the real Deribit market of 2025-12-30 (../shared/data, skipped on a bare clone).
 */
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { evaluateAccount, inEngine } from "../../src/account/account.js";
import { createMarginEngine } from "../../src/account/engine.js";
import { moveMarket } from "../../src/account/market-move.js";
import { unwrap } from "../../src/errors.js";
import { loadAccount } from "../../src/io/account.js";
import { loadMarketFile } from "../../src/io/load-market.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import type { MarketContext } from "../../src/market/context.js";
import { accountFileOf, importVenue } from "../../src/venues/index.js";
import { crossVenueReport } from "../../src/venues/report.js";
import type { CrossVenueReport, VenueInput } from "../../src/venues/report.js";
import { smallMarket } from "../account/helpers.js";
import { hasSharedData, sharedData } from "../helpers/requires.js";

/** Independent re-check of a silo scenario's transfer on the account layer. */
function recheck(input: VenueInput, move: number, currency: string, amountUsd: number): { without: number; with: number } {
  const file = { ...(input.account as Record<string, unknown>), model: (input.account as { model?: string }).model };
  const loaded = unwrap(loadAccount(file, input.market));
  const a = loaded.account;
  const bases = [...new Set(a.positions.map((p) => (p.instrument.kind === "spot" ? "" : p.instrument.base)).filter(Boolean))];
  const moved = moveMarket(input.market, Object.fromEntries(bases.map((b) => [b, move])), a.positions.map((p) => p.instrument.name));
  const engine = createMarginEngine(a.engine.model, moved, { coinCollateralOffset: a.rules.coinCollateralOffset });
  const at = (extra: number): number => {
    const acct = { ...inEngine(a, engine), balances: { ...a.balances, [currency]: (a.balances[currency] ?? 0) + extra } };
    const f = unwrap(evaluateAccount(acct)).figures;
    return f.equityUsd - f.maintenanceMarginUsd;
  };
  return { without: at(0), with: at(amountUsd) };
}

function twoVenueBook(market: MarketContext): VenueInput[] {
  const deribit = unwrap(
    importVenue("deribit", [
      { name: "positions.json", json: { result: [{ instrument_name: "BTC-27MAR26-70000-C", kind: "option", direction: "sell", size: -20, average_price: 0.02, mark_price: 0.02 }] } },
      { name: "summary.json", json: { result: { currency: "BTC", balance: 4 } } },
    ]),
  );
  const okx = unwrap(
    importVenue("okx", [
      { name: "positions.json", json: { code: "0", msg: "", data: [{ instId: "BTC-USDT-SWAP", instType: "SWAP", pos: "600", posSide: "net", avgPx: "60000" }] } },
      { name: "balance.json", json: { code: "0", msg: "", data: [{ details: [{ ccy: "USDT", cashBal: "90000" }] }] } },
    ]),
  );
  return [
    { venue: "deribit", account: accountFileOf(deribit), market, accountRef: "deribit", marketRef: "small" },
    { venue: "okx", account: accountFileOf(okx), market, accountRef: "okx", marketRef: "small" },
  ];
}

describe("cross-venue report: a Deribit short-call book hedged with an OKX perpetual (synthetic market)", () => {
  const market = smallMarket({ indexUsd: { USDT: 1 } });
  const inputs = twoVenueBook(market);
  const r: CrossVenueReport = unwrap(crossVenueReport(inputs));

  it("margins each venue under its own model and the book under OKX's (one risk unit for BTC whatever it settles in)", () => {
    expect(r.venues.map((v) => [v.label, v.model])).toEqual([["deribit", "deribit"], ["okx", "okx"]]);
    expect(r.unified.model).toBe("okx");
    // One market for both: the book's equity is the venues' equity added.
    expect(r.unified.figures.equityUsd).toBeCloseTo(r.sum.equityUsd, 6);
    // The hedge nets in the unified model: it costs less than the silos.
    expect(r.capitalFreedUsd.initialMargin).toBeGreaterThan(0);
    expect(r.capitalFreedUsd.initialMargin).toBeCloseTo(r.sum.initialMarginUsd - r.unified.figures.initialMarginUsd, 9);
  });

  it("finds the up move that liquidates the short calls on Deribit while the OKX long stays open, and a transfer that prevents it", () => {
    const up = r.siloRisk.find((s) => s.venue === "deribit" && s.direction === "up");
    expect(up).toBeDefined();
    if (up === undefined) return;
    expect(up.openLegs.map((l) => [l.venue, l.base, Math.sign(l.deltaUsd)])).toEqual([["okx", "BTC", 1]]);
    expect(up.verified).toBe(true);
    // Re-check on the account layer: at the venue's liquidation move it is under water without, above with.
    const c = recheck(inputs[0] as VenueInput, up.moveDecimal + 0.002, up.currency, up.requiredTransferUsd);
    expect(c.without).toBeLessThan(0);
    expect(c.with).toBeGreaterThanOrEqual(0);
    // The book itself survives further up than Deribit alone.
    expect(up.bookLiquidationMoveDecimal === null || up.bookLiquidationMoveDecimal > up.moveDecimal).toBe(true);
  });

  it("reports the coin-settled vs USDT hedge of BTC as a settlement mismatch and the USDT balance's de-peg exposure", () => {
    expect(r.mismatches.settlement.map((m) => [m.base, m.legs.map((l) => l.settlement).sort()])).toEqual([["BTC", ["BTC (coin-settled)", "USDT"]]]);
    expect(r.mismatches.stablecoins).toEqual([{ currency: "USDT", balanceUsd: 90000, settledNotionalUsd: 6 * 60000, depeg1PctUsd: -900, byVenue: { okx: 90000 } }]);
  });

  it("names the venue in every issue: a bad account and a duplicate label", () => {
    const bad = { ...inputs[1], account: { ...(inputs[1]?.account as object), positions: [{ instrument: "DOGE_USDT-PERPETUAL", size: 1 }] } } as VenueInput;
    const e = crossVenueReport([inputs[0] as VenueInput, bad]);
    expect(e.ok ? [] : e.issues.map((i) => [i.code, i.path])).toEqual([["missing_index", "okx:positions[0].instrument"]]);
    const d = crossVenueReport([inputs[0] as VenueInput, inputs[0] as VenueInput]);
    expect(d.ok ? [] : d.issues.map((i) => i.code)).toEqual(["duplicate"]);
  });
});

describe.skipIf(!hasSharedData)("cross-venue report: the three-venue example on the real Deribit market of 2025-12-30", () => {
  it("each silo transfer holds on re-check, and the unified OKX model frees capital", () => {
    const loaded = unwrap(
      loadMarketFile(sharedData("deribit_btc_eth_options_20251230T1731Z.csv"), {
        futuresPath: sharedData("deribit_futures_marks_20251230T1731Z.csv"),
        perpetualsPath: sharedData("deribit_perpetual_prices_20251230T1731Z.csv"),
      }),
    );
    const market = unwrap(buildMarketContext(loaded.snapshot));
    const dir = "examples/venues-2025-12-30";
    const read = (f: string) => ({ name: f, json: JSON.parse(readFileSync(`${dir}/${f}`, "utf8")) as unknown });
    const acct = (venue: "deribit" | "okx" | "hyperliquid", files: string[]): VenueInput => ({
      venue,
      account: accountFileOf(unwrap(importVenue(venue, files.map(read)))),
      market,
      accountRef: files.join(","),
      marketRef: "2025-12-30",
    });
    const inputs = [acct("deribit", ["deribit-positions.json", "deribit-summaries.json"]), acct("okx", ["okx-positions.json", "okx-balance.json"]), acct("hyperliquid", ["hyperliquid-clearinghouseState.json"])];
    const r = unwrap(crossVenueReport(inputs));
    expect(r.capitalFreedUsd.initialMargin).toBeGreaterThan(0);
    expect(r.unified.figures.equityUsd).toBeCloseTo(r.sum.equityUsd, 6);
    expect(r.siloRisk.length).toBeGreaterThan(0);
    for (const s of r.siloRisk) {
      expect(s.verified, `${s.venue} ${s.direction}`).toBe(true);
      const input = inputs.find((i) => i.venue === s.venue) as VenueInput;
      const c = recheck(input, s.moveDecimal, s.currency, s.requiredTransferUsd);
      expect(c.with, `${s.venue} ${s.direction}`).toBeGreaterThanOrEqual(-1e-6);
      expect(s.split.reduce((t, x) => t + x.amountUsd, 0) + s.shortfallUsd).toBeCloseTo(s.donors.length > 0 ? 0 : s.requiredTransferUsd, 6);
    }
  });
});
