#!/usr/bin/env node
/**
 * Writes examples/venues-2025-12-30/: a SYNTHETIC three-venue book (positions and balances chosen here, not real
 * accounts) as each venue's own API responses, for `netrisk venues` on the real Deribit market of 2025-12-30 in
 * ../shared/data (docs/cross-venue.md). A short BTC call/put book on Deribit, delta-hedged with long perpetuals on OKX
 * and Hyperliquid. `--check` compares instead of writing (test/examples.test.ts runs it).
 * Run after `npm run build`: node scripts/generate-venue-example.js [--check]
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { exportVenue } from "../dist/venues/index.js";

const DIR = "examples/venues-2025-12-30";
const book = {
  deribit: {
    positions: [
      { instrument: "BTC-27MAR26-100000-C", size: -40, averagePrice: 0.035, markPrice: 0.035 },
      { instrument: "BTC-27MAR26-75000-P", size: -20, averagePrice: 0.03, markPrice: 0.03 },
    ],
    collateral: { BTC: 6, USDC: 20000 },
  },
  okx: { positions: [{ instrument: "BTC_USDT-PERPETUAL", size: 2, averagePrice: 87500, markPrice: 87500 }], collateral: { USDT: 40000 } },
  hyperliquid: { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 1.3, averagePrice: 89000, markPrice: 89000 }], collateral: { USDC: 25000 } },
};

const check = process.argv.includes("--check");
let stale = 0;
mkdirSync(DIR, { recursive: true });
for (const [venue, account] of Object.entries(book)) {
  // Hyperliquid without a spot state: its perp account's USDC is what the clearinghouseState says.
  const files = exportVenue(venue, account).filter((f) => !(venue === "hyperliquid" && f.name.startsWith("spot")));
  for (const f of files) {
    let json = f.json;
    if (venue === "hyperliquid") {
      const upl = account.positions.reduce((s, p) => s + p.size * (p.markPrice - p.averagePrice), 0);
      json = { ...json, marginSummary: { accountValue: String(account.collateral.USDC + upl), totalMarginUsed: "0", totalNtlPos: "0", totalRawUsd: "0" } };
    }
    const path = join(DIR, `${venue}-${f.name}`);
    const text = `${JSON.stringify(json, null, 2)}\n`;
    if (check) {
      let old;
      try {
        old = readFileSync(path, "utf8");
      } catch {
        old = "";
      }
      if (old !== text) {
        stale++;
        process.stdout.write(`stale: ${path}\n`);
      }
    } else writeFileSync(path, text);
  }
}
process.stdout.write(check ? (stale === 0 ? "venue example up to date\n" : `${stale} file(s) differ\n`) : `wrote ${DIR}\n`);
process.exitCode = stale === 0 ? 0 : 1;
