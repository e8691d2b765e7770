// Account-layer benchmark: what-if, maximum order size and distance to liquidation on a 50-position account, with
// the market's risk arrays built once and reused, against a same-process baseline that rebuilds them per call.
//
//   npm run build && node bench/account.bench.js            (or: import { runAccountBench } from "./account.bench.js")
//
// Data: Deribit's real BTC/ETH chain of 2025-12-30T17:31Z (../shared/data, provenance in SOURCES.md), resolved from
// the repository root; model: presets/deribit.json (risk matrix). The account is random but seeded (reproducible):
// 50 positions on BTC and ETH (options of every expiry, dated futures, perpetuals), sizes ±[0.1, 5) coin, collateral
// 30 BTC, 400 ETH, 2,000,000 USDC, so that it is healthy and every search has something to find.
//
// Timing protocol: warm-up runs first (JIT tiers), then the median of several runs, wall-clock and process CPU.
// Timings are wall-clock on a machine possibly shared with other work: treat them as pessimistic.
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createAccount, evaluateAccount } from "../dist/account/account.js";
import { distanceToLiquidation } from "../dist/account/distance.js";
import { createMarginEngine } from "../dist/account/engine.js";
import { maxOrderSize } from "../dist/account/max-order.js";
import { DEFAULT_ACCOUNT_RULES, parseAccountRules } from "../dist/account/rules.js";
import { whatIf } from "../dist/account/what-if.js";
import { unwrap } from "../dist/errors.js";
import { loadMarketFile } from "../dist/io/load-market.js";
import { validatePortfolio } from "../dist/io/portfolio.js";
import { loadModel } from "../dist/io/presets.js";
import { buildMarketContext } from "../dist/pricing/build-context.js";
import { parseInstrument } from "../dist/market/instrument.js";
import { seededRandom, timeMedian } from "./lib.js";

const ROOT = new URL("../", import.meta.url);
const data = (name) => fileURLToPath(new URL(`../shared/data/${name}`, ROOT));
const POSITIONS = 50;

/** The real chain's market context and a seeded 50-position portfolio on it. */
function setup(seed) {
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
  const rnd = seededRandom(seed);
  const picked = new Set();
  while (picked.size < POSITIONS) picked.add(names[Math.floor(rnd() * names.length)]);
  const positions = [...picked].map((instrument) => ({ instrument, size: (rnd() < 0.5 ? -1 : 1) * (0.1 + 4.9 * rnd()) }));
  const portfolio = unwrap(validatePortfolio({ positions, collateral: { BTC: 30, ETH: 400, USDC: 2000000 } }, market));
  return { market, portfolio, instrumentCount: names.length };
}

export function runAccountBench(options = {}) {
  const log = options.log ?? console.log;
  const { market, portfolio, instrumentCount } = setup(options.seed ?? 20251230);
  const model = unwrap(loadModel("deribit"));
  const rules = unwrap(parseAccountRules(DEFAULT_ACCOUNT_RULES));

  // The snapshot's risk arrays: every listed instrument, built once (the cost a venue pays once per market).
  const t0 = performance.now();
  const engine = createMarginEngine(model, market);
  const rows = unwrap(engine.prebuildSnapshot());
  const prebuildMs = performance.now() - t0;
  const account = createAccount(portfolio, engine, rules);
  const before = unwrap(evaluateAccount(account));

  const tradeOption = account.positions.find((p) => p.instrument.kind === "option")?.instrument.name;
  const trades = [{ instrument: tradeOption, sizeCoin: -1 }];
  let accepted;
  const shared = timeMedian(
    () => {
      accepted = unwrap(whatIf(account, trades)).accepted;
    },
    { warmup: 200, runs: 400 },
  );
  // Baseline: the same what-if with an engine that has no arrays yet, so each call builds them for its portfolio.
  const rebuilt = timeMedian(
    () => {
      unwrap(whatIf(createAccount(portfolio, createMarginEngine(model, market), rules), trades));
    },
    { warmup: 20, runs: 60 },
  );
  const evaluate = timeMedian(() => unwrap(evaluateAccount(account)), { warmup: 200, runs: 400 });
  let maxOrder;
  const maxOrderTime = timeMedian(
    () => {
      maxOrder = unwrap(maxOrderSize(account, "BTC-PERPETUAL", "buy"));
    },
    { warmup: 5, runs: 15 },
  );
  let distance;
  const distanceTime = timeMedian(
    () => {
      distance = unwrap(distanceToLiquidation(account));
    },
    { warmup: 3, runs: 9 },
  );
  const directions = 2 * (Object.keys(distance.underlyings).length + (distance.together !== undefined ? 1 : 0));

  const result = {
    machine: { node: process.version },
    market: { instruments: instrumentCount, arrayRows: rows, prebuildMs },
    account: { positions: account.positions.length, equityUsd: before.figures.equityUsd, initialMarginUsd: before.figures.initialMarginUsd, state: before.health.state },
    whatIf: { sharedArraysMs: shared.medianMs, sharedArraysMinMs: shared.minMs, cpuMs: shared.cpuMedianMs, rebuiltArraysMs: rebuilt.medianMs, speedup: rebuilt.medianMs / shared.medianMs, accepted },
    evaluateMs: evaluate.medianMs,
    maxOrder: { medianMs: maxOrderTime.medianMs, minMs: maxOrderTime.minMs, evaluations: maxOrder.evaluations, msPerEvaluation: maxOrderTime.medianMs / maxOrder.evaluations, maxSizeCoin: maxOrder.maxSizeCoin },
    distance: {
      medianMs: distanceTime.medianMs,
      minMs: distanceTime.minMs,
      evaluations: distance.evaluations,
      directions,
      msPerDirection: distanceTime.medianMs / directions,
      msPerEvaluation: distanceTime.medianMs / distance.evaluations,
    },
    budgets: { whatIfMs: 1, searchMs: 20 },
  };
  const f = (x, d = 3) => x.toFixed(d);
  log(`account bench — Node ${process.version}; Deribit chain 2025-12-30 (${instrumentCount} instruments), ${account.positions.length}-position account (${before.health.state})`);
  log(`snapshot risk arrays: ${rows} rows built once in ${f(prebuildMs, 1)} ms`);
  log(`what-if (1 trade)     shared arrays ${f(shared.medianMs)} ms (min ${f(shared.minMs)}, cpu ${f(shared.cpuMedianMs)}) | arrays rebuilt per call ${f(rebuilt.medianMs)} ms | ×${f(result.whatIf.speedup, 1)}   [budget ≤ 1 ms]`);
  log(`evaluate account      ${f(evaluate.medianMs)} ms`);
  log(`max order             ${f(maxOrderTime.medianMs, 2)} ms (min ${f(maxOrderTime.minMs, 2)}), ${maxOrder.evaluations} full evaluations   [budget ≤ 20 ms]`);
  log(`distance to liq.      ${f(distanceTime.medianMs, 2)} ms (min ${f(distanceTime.minMs, 2)}) for ${directions} directions = ${f(result.distance.msPerDirection, 2)} ms per direction, ${distance.evaluations} evaluations in moved markets   [budget ≤ 20 ms]`);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  runAccountBench();
}
