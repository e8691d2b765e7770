// Venue benchmark (`npm run bench -- venues`): importing a 1,000-position response per venue, and the unified margin
// across five venues, each against a baseline measured in the same process.
//
//   npm run build && node bench/venues.bench.js            (or: import { runVenuesBench } from "./venues.bench.js")
//
// Imports: a seeded SYNTHETIC 1,000-position account per venue (generated here, not real), written in the venue's own
// response shapes by the exporters (src/venues) and read back; baseline = JSON.parse of the same text (the floor:
// reading the response at all). Unified margin: five venues (Deribit options, OKX options and perpetuals, Bybit USDC
// options, Binance and Hyperliquid perpetuals; seeded synthetic books of 40 positions each) on Deribit's real BTC/ETH
// market of 2025-12-30T17:31Z (../shared/data), each venue under its own model and the whole book under OKX's, without
// the distance and silo scans (riskAnalysis false); baseline = the five per-venue evaluations alone. The full report
// (with distances and the silo scan) is timed too.
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { evaluateAccount } from "../dist/account/account.js";
import { unwrap } from "../dist/errors.js";
import { loadAccount } from "../dist/io/account.js";
import { loadMarketFile } from "../dist/io/load-market.js";
import { parseInstrument } from "../dist/market/instrument.js";
import { buildMarketContext } from "../dist/pricing/build-context.js";
import { crossVenueReport, exportVenue, importVenue } from "../dist/venues/index.js";
import { seededRandom, timeMedian } from "./lib.js";

const ROOT = new URL("../", import.meta.url);
const data = (name) => fileURLToPath(new URL(`../shared/data/${name}`, ROOT));
const N = 1000;

/** A synthetic base code: a letter then letters (AAB, AAC, ...), never a real ticker by intent. */
const code = (i) => `X${String.fromCharCode(65 + ((i / 676) | 0) % 26)}${String.fromCharCode(65 + ((i / 26) | 0) % 26)}${String.fromCharCode(65 + (i % 26))}`;

/** 1,000 positions a venue lists, seeded: distinct instruments, sizes ±[0.1, 5), entry and mark near 100. */
function syntheticAccount(venue, rnd) {
  const expiries = ["27JUN25", "26SEP25", "26DEC25"];
  const name = (i) => {
    const base = code(i);
    const e = expiries[i % 3];
    switch (venue) {
      case "deribit": return i % 2 === 0 ? `${base}-PERPETUAL` : `${base}_USDC-${e}-${100 + (i % 7) * 10}-C`;
      case "okx": return i % 2 === 0 ? `${base}_USDT-PERPETUAL` : `${base}-${e}`;
      case "bybit": return i % 2 === 0 ? `${base}_USDT-PERPETUAL` : `${base}_USDC-${e}-${100 + (i % 7) * 10}-P`;
      case "binance": return i % 2 === 0 ? `${base}_USDT-PERPETUAL` : `${base}-${e}`;
      case "hyperliquid": return `${base}_USDC-PERPETUAL`;
      case "derive": return i % 2 === 0 ? `${base}_USDC-PERPETUAL` : `${base}_USDC-${e}-${100 + (i % 7) * 10}-C`;
      default: return i % 2 === 0 ? `${base}_USDT-PERPETUAL` : `${base}-${e}`;
    }
  };
  const positions = Array.from({ length: N }, (_, i) => {
    const instrument = name(i);
    const size = (rnd() < 0.5 ? -1 : 1) * (0.1 + 4.9 * rnd());
    const mark = 90 + 20 * rnd();
    const inverseFuture = !instrument.includes("_") && instrument.split("-").length === 2;
    return { instrument, size, markPrice: mark, averagePrice: 90 + 20 * rnd(), ...(inverseFuture ? { sizeUsd: size * mark } : {}) };
  });
  return { positions, collateral: { USDT: 1e6, USDC: 1e6 } };
}

function importBench(log) {
  const rnd = seededRandom(20251230);
  const rows = [];
  for (const venue of ["deribit", "okx", "bybit", "binance", "hyperliquid", "derive", "ccxt"]) {
    const files = exportVenue(venue, syntheticAccount(venue, rnd)).map((f) => ({ name: f.name, text: JSON.stringify(f.json) }));
    const parsed = files.map((f) => ({ name: f.name, json: JSON.parse(f.text) }));
    const check = unwrap(importVenue(venue, parsed));
    if (check.positions.length !== N) throw new Error(`${venue}: imported ${check.positions.length} positions, expected ${N}`);
    const imp = timeMedian(() => unwrap(importVenue(venue, files.map((f) => ({ name: f.name, json: JSON.parse(f.text) })))), { warmup: 5, runs: 15 });
    const parse = timeMedian(() => files.map((f) => JSON.parse(f.text)), { warmup: 5, runs: 15 });
    const bytes = files.reduce((s, f) => s + f.text.length, 0);
    rows.push({ venue, bytes, importMs: imp.medianMs, parseMs: parse.medianMs, ratio: imp.medianMs / parse.medianMs });
    log(`import ${venue.padEnd(11)} ${N} positions (${(bytes / 1024).toFixed(0)} KiB): ${imp.medianMs.toFixed(1)} ms (parse + map), JSON.parse alone ${parse.medianMs.toFixed(1)} ms (${(imp.medianMs / parse.medianMs).toFixed(1)}x)`);
  }
  return rows;
}

/** Five venue books on the real market (seeded synthetic positions of instruments the real chain lists). */
function fiveVenues(market, names, rnd) {
  const pick = (filter, k) => {
    const pool = names.filter(filter);
    const out = new Set();
    while (out.size < Math.min(k, pool.length)) out.add(pool[Math.floor(rnd() * pool.length)]);
    return [...out];
  };
  const size = () => (rnd() < 0.5 ? -1 : 1) * (0.1 + 2 * rnd());
  const options = (n) => pick((x) => /-[CP]$/.test(x) && !x.includes("_"), n);
  const futures = names.filter((x) => /^(BTC|ETH)-\d/.test(x) && !/-[CP]$/.test(x));
  const books = {
    deribit: { positions: options(40).map((i) => ({ instrument: i, size: size() })), collateral: { BTC: 50, ETH: 600, USDC: 1e6 } },
    okx: { positions: [...options(38).map((i) => ({ instrument: i, size: size() })), { instrument: "BTC-USDT-SWAP", size: 5, averagePrice: 88000 }, { instrument: "ETH-USDT-SWAP", size: 80, averagePrice: 2950 }], collateral: { USDT: 2e6, BTC: 10 } },
    bybit: { positions: options(40).map((i) => ({ instrument: i.replace(/^(BTC|ETH)-/, "$1_USDC-"), size: size() })), collateral: { USDC: 2e6 } },
    binance: { positions: [...futures.map((f) => ({ instrument: f, size: size() })), { instrument: "BTC_USDT-PERPETUAL", size: -4, averagePrice: 89000 }], collateral: { USDT: 1e6 } },
    hyperliquid: { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 3, averagePrice: 87000 }, { instrument: "ETH_USDC-PERPETUAL", size: -40, averagePrice: 3000 }], collateral: { USDC: 5e5 } },
  };
  return Object.entries(books).map(([venue, book]) => ({ venue, account: { venue, ...book }, market, accountRef: venue, marketRef: "2025-12-30" }));
}

function unifiedBench(log) {
  const loaded = unwrap(
    loadMarketFile(data("deribit_btc_eth_options_20251230T1731Z.csv"), {
      futuresPath: data("deribit_futures_marks_20251230T1731Z.csv"),
      perpetualsPath: data("deribit_perpetual_prices_20251230T1731Z.csv"),
    }),
  );
  const market = unwrap(buildMarketContext(loaded.snapshot));
  const names = Object.keys(loaded.snapshot.instruments).filter((n) => {
    const p = parseInstrument(n);
    return p.ok && p.value.kind !== "spot" && (p.value.kind === "perpetual" || p.value.expiryMs > market.asOfMs);
  });
  const inputs = fiveVenues(market, names, seededRandom(7));
  const positions = inputs.reduce((s, i) => s + i.account.positions.length, 0);
  const margins = timeMedian(() => unwrap(crossVenueReport(inputs, { riskAnalysis: false })), { warmup: 2, runs: 7 });
  const baseline = timeMedian(
    () =>
      inputs.map((i) => {
        const models = { deribit: "deribit", okx: "okx", bybit: "standard", binance: "standard", hyperliquid: "standard" };
        return unwrap(evaluateAccount(unwrap(loadAccount({ ...i.account, model: models[i.venue] }, market)).account));
      }),
    { warmup: 2, runs: 7 },
  );
  const t0 = performance.now();
  const full = unwrap(crossVenueReport(inputs));
  const fullMs = performance.now() - t0;
  log(`unified margin, 5 venues, ${positions} positions (each venue under its own model + the whole book under okx): ${margins.medianMs.toFixed(0)} ms; the 5 venue margins alone ${baseline.medianMs.toFixed(0)} ms (${(margins.medianMs / baseline.medianMs).toFixed(2)}x)`);
  log(`full report with distances to liquidation and the silo scan: ${fullMs.toFixed(0)} ms (${full.siloRisk.length} silo scenario(s), capital freed ${full.capitalFreedUsd.initialMargin.toFixed(0)} USD IM)`);
  return { positions, marginsMs: margins.medianMs, baselineMs: baseline.medianMs, fullReportMs: fullMs };
}

export async function runVenuesBench(options = {}) {
  const log = options.log ?? console.log;
  const imports = importBench(log);
  const unified = unifiedBench(log);
  return { imports, unified };
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await runVenuesBench();
