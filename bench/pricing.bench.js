// Pricing throughput on the real Deribit BTC/ETH chain (1304 options, 2025-12-30 17:31 UTC), one core.
//
// Measures: prices per second (batch API, and the WebAssembly SIMD batch kernel black76PriceBatchFast, each on the chain
// in file order and sorted), options priced with all Greeks per second (scalar API and struct-of-arrays batch API), implied vols
// solved per second (scalar and batch), and a same-process baseline: a textbook Black-76 (Abramowitz–Stegun 7.1.26
// erf, F·N(d1) − K·N(d2), its own Greeks), i.e. what a typical npm package does, at about 1e−7 accuracy.
//
// Run after `npm run build`:  node bench/pricing.bench.js   (or import { runPricingBench } from bench/run.js)
import { readFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import {
  black76GreeksBatch,
  black76PriceBatch,
  black76PriceBatchFast,
  black76InverseGreeks,
  impliedVolBatch,
  impliedVolCoin,
  inverseGreeksBatch,
  allocateGreeksColumns,
  allocateInverseGreeksColumns,
} from "../dist/pricing/index.js";

const CHAIN = new URL("../../shared/data/deribit_btc_eth_options_20251230T1731Z.csv", import.meta.url);

/** Minimal CSV read: the six columns the bench needs, as typed arrays. */
function loadChain() {
  const [header, ...lines] = readFileSync(CHAIN, "utf8").trim().split("\n");
  const cols = header.split(",");
  const at = (name) => cols.indexOf(name);
  const iStrike = at("strike");
  const iUnderlying = at("underlying");
  const iTime = at("time_to_maturity");
  const iVol = at("implied_volatility");
  const iType = at("option_type");
  const iMark = at("mark_price");
  const n = lines.length;
  const chain = {
    isCall: new Uint8Array(n),
    forwardUsd: new Float64Array(n),
    strikeUsd: new Float64Array(n),
    timeYears: new Float64Array(n),
    volDecimal: new Float64Array(n),
  };
  const markCoin = new Float64Array(n);
  lines.forEach((line, i) => {
    const c = line.split(",");
    chain.isCall[i] = c[iType] === "call" ? 1 : 0;
    chain.forwardUsd[i] = Number(c[iUnderlying]);
    chain.strikeUsd[i] = Number(c[iStrike]);
    chain.timeYears[i] = Number(c[iTime]);
    chain.volDecimal[i] = Number(c[iVol]);
    markCoin[i] = Number(c[iMark]);
  });
  return { chain, markCoin, n };
}

/**
 * The same chain sorted as a chain is usually held: by expiry, then strike, then call before put. The CSV rows come
 * in Deribit's API order (unsorted), where consecutive rows share nothing.
 */
function sortedChain(chain, n) {
  const order = Array.from({ length: n }, (_, i) => i).sort(
    (a, b) => chain.timeYears[a] - chain.timeYears[b] || chain.strikeUsd[a] - chain.strikeUsd[b] || chain.isCall[b] - chain.isCall[a],
  );
  const pick = (col, Ctor) => Ctor.from(order, (i) => col[i]);
  return {
    isCall: pick(chain.isCall, Uint8Array),
    forwardUsd: pick(chain.forwardUsd, Float64Array),
    strikeUsd: pick(chain.strikeUsd, Float64Array),
    timeYears: pick(chain.timeYears, Float64Array),
    volDecimal: pick(chain.volDecimal, Float64Array),
  };
}

// Baseline: textbook Black-76 with the Abramowitz–Stegun 7.1.26 erf (|error| <= 1.5e−7), all Greeks, coin value.
function erfAS(x) {
  const sign = x < 0 ? -1 : 1;
  const a = Math.abs(x);
  const t = 1 / (1 + 0.3275911 * a);
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a);
  return sign * y;
}
const cdfAS = (x) => 0.5 * (1 + erfAS(x / Math.SQRT2));
const pdf = (x) => Math.exp(-0.5 * x * x) / Math.sqrt(2 * Math.PI);
function textbookGreeks(isCall, f, k, t, vol) {
  const sqrtT = Math.sqrt(t);
  const s = vol * sqrtT;
  const d1 = Math.log(f / k) / s + 0.5 * s;
  const d2 = d1 - s;
  const price = isCall ? f * cdfAS(d1) - k * cdfAS(d2) : k * cdfAS(-d2) - f * cdfAS(-d1);
  const delta = isCall ? cdfAS(d1) : cdfAS(d1) - 1;
  const phi = pdf(d1);
  const gamma = phi / (f * s);
  const vega = f * phi * sqrtT;
  const theta = (-f * phi * vol) / (2 * sqrtT);
  const priceCoin = price / f;
  return priceCoin + (delta - priceCoin) + gamma + vega / f + theta / f;
}

/** Runs `fn` (which processes `rowsPerCall` options) repeatedly for about `ms` milliseconds; options per second. */
function throughput(fn, rowsPerCall, ms) {
  fn(); // warm-up (JIT)
  const warmEnd = performance.now() + ms / 4;
  while (performance.now() < warmEnd) fn();
  let calls = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    fn();
    calls++;
    now = performance.now();
  }
  return (calls * rowsPerCall) / ((now - start) / 1000);
}

/**
 * Measures pricing throughput on one core. Returns options per second for each variant, the ratios, and a checksum
 * so the work cannot be optimised away. `ms` is the measuring time per variant (default 1000).
 */
export function runPricingBench({ ms = 1000, print = false } = {}) {
  const { chain, markCoin, n } = loadChain();
  let sink = 0;

  const scalarGreeks = throughput(
    () => {
      for (let i = 0; i < n; i++) {
        const g = black76InverseGreeks({
          isCall: chain.isCall[i] === 1,
          forwardUsd: chain.forwardUsd[i],
          strikeUsd: chain.strikeUsd[i],
          timeYears: chain.timeYears[i],
          volDecimal: chain.volDecimal[i],
        });
        sink += g.priceCoin + g.deltaCoin + g.gammaCoinPerUsd2 + g.vegaCoinPerVol + g.thetaCoinPerYear;
      }
    },
    n,
    ms,
  );

  const usdCols = allocateGreeksColumns(n);
  const coinCols = allocateInverseGreeksColumns(n);
  const batchGreeks = throughput(
    () => {
      black76GreeksBatch(chain, usdCols);
      inverseGreeksBatch(usdCols, chain.forwardUsd, coinCols);
      sink += coinCols.priceCoin[n - 1];
    },
    n,
    ms,
  );

  const priceOut = new Float64Array(n);
  const batchPrice = throughput(
    () => {
      black76PriceBatch(chain, "inverse", priceOut);
      sink += priceOut[n - 1];
    },
    n,
    ms,
  );
  const sorted = sortedChain(chain, n);
  const batchPriceSorted = throughput(
    () => {
      black76PriceBatch(sorted, "inverse", priceOut);
      sink += priceOut[n - 1];
    },
    n,
    ms,
  );

  // The WebAssembly SIMD kernel (src/pricing/batch-fast.ts), same chain, both orders.
  const fastPrice = throughput(
    () => {
      black76PriceBatchFast(chain, "inverse", priceOut);
      sink += priceOut[n - 1];
    },
    n,
    ms,
  );
  const fastPriceSorted = throughput(
    () => {
      black76PriceBatchFast(sorted, "inverse", priceOut);
      sink += priceOut[n - 1];
    },
    n,
    ms,
  );

  const textbook = throughput(
    () => {
      for (let i = 0; i < n; i++) {
        sink += textbookGreeks(chain.isCall[i] === 1, chain.forwardUsd[i], chain.strikeUsd[i], chain.timeYears[i], chain.volDecimal[i]);
      }
    },
    n,
    ms,
  );

  let solved = 0;
  const scalarIv = throughput(
    () => {
      solved = 0;
      for (let i = 0; i < n; i++) {
        const r = impliedVolCoin({
          isCall: chain.isCall[i] === 1,
          forwardUsd: chain.forwardUsd[i],
          strikeUsd: chain.strikeUsd[i],
          timeYears: chain.timeYears[i],
          priceCoin: markCoin[i],
        });
        if (r.ok) {
          sink += r.value;
          solved++;
        }
      }
    },
    n,
    ms,
  );

  const batchIv = throughput(
    () => {
      const r = impliedVolBatch(chain, markCoin, "inverse");
      if (r.ok) sink += r.value.volDecimal[0];
    },
    n,
    ms,
  );

  const result = {
    options: n,
    ivSolvedPerPass: solved,
    greeksPerSecond: { scalar: scalarGreeks, batch: batchGreeks, textbookBaseline: textbook },
    pricesPerSecond: {
      batch: batchPrice,
      batchSortedChain: batchPriceSorted,
      batchFast: fastPrice,
      batchFastSortedChain: fastPriceSorted,
    },
    impliedVolsPerSecond: { scalar: scalarIv, batch: batchIv },
    ratios: { batchOverScalarGreeks: batchGreeks / scalarGreeks, batchOverTextbook: batchGreeks / textbook, scalarOverTextbook: scalarGreeks / textbook },
    checksum: sink,
    node: process.version,
  };
  if (print) printPricingBench(result);
  return result;
}

/** Print the figures of {@link runPricingBench}. */
export function printPricingBench(r) {
  const m = (x) => `${(x / 1e6).toFixed(2)} M/s`;
  console.log(`pricing bench: Deribit chain, ${r.options} options, one core, node ${r.node}`);
  console.log(`  price only, batch (inverse, coin):    file order ${m(r.pricesPerSecond.batch)}  sorted chain ${m(r.pricesPerSecond.batchSortedChain)}`);
  console.log(
    `  price only, fast batch (WebAssembly): file order ${m(r.pricesPerSecond.batchFast)}  sorted chain ${m(r.pricesPerSecond.batchFastSortedChain)}`,
  );
  console.log(`  price + all Greeks (inverse, coin):  scalar ${m(r.greeksPerSecond.scalar)}  batch ${m(r.greeksPerSecond.batch)}`);
  console.log(`  textbook baseline (A&S erf, ~1e-7):  ${m(r.greeksPerSecond.textbookBaseline)}`);
  console.log(`  implied vol from coin marks:         scalar ${m(r.impliedVolsPerSecond.scalar)}  batch ${m(r.impliedVolsPerSecond.batch)}  (${r.ivSolvedPerPass}/${r.options} solvable)`);
  console.log(
    `  ratios: batch/scalar ${r.ratios.batchOverScalarGreeks.toFixed(2)}, batch/textbook ${r.ratios.batchOverTextbook.toFixed(2)}, scalar/textbook ${r.ratios.scalarOverTextbook.toFixed(2)}`,
  );
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) runPricingBench({ print: true });
