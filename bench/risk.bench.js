// Risk-engine benchmark: risk arrays for the real Deribit chain, single-thread aggregation, parallel aggregation of
// 1,000,000 accounts, and a naive per-account full-revaluation baseline, all measured in this one process.
//
//   npm run build && node bench/risk.bench.js            (or: import { runRiskBench } from "./risk.bench.js")
//
// Data: ../shared/data/deribit_btc_eth_options_20251230T1731Z.csv (+ futures marks and perpetual files), resolved
// from the repository root. Parameters: presets/deribit.json (BTC 2024-06-17, ETH 2026-02-15). Accounts are random
// (seeded, reproducible): each account holds 30 positions of ONE underlying (BTC or ETH), so an account never mixes
// margin buckets (btc_btc, eth_eth) and one shared RiskArrays serves every account.
//
// Timing protocol: warm-up runs first (JIT tiers, WebAssembly compile, worker start), then the median of several runs.
// Timings are wall-clock on a machine possibly shared with other work: treat them as pessimistic.
import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { performance } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { unwrap } from "../dist/errors.js";
import { loadDeribitOptionsSnapshotCsv } from "../dist/io/deribit-csv.js";
import { buildMarketContext } from "../dist/pricing/build-context.js";
import { parseInstrument } from "../dist/market/instrument.js";
import { parseRiskMatrixParams } from "../dist/models/risk-matrix/params.js";
import { bucketKeyOf, scenarioSetOf } from "../dist/models/risk-matrix/scenario-set.js";
import { aggregateScenarioPnl, worstCaseAll } from "../dist/risk/aggregate.js";
import { allocateBook, validateBook } from "../dist/risk/book.js";
import { buildRiskArraysFast } from "../dist/risk/build-fast.js";
import { createAggregationPool } from "../dist/risk/parallel.js";
import { buildRiskArrays } from "../dist/risk/risk-arrays.js";
import { seededRandom, timeMedianAsync as timeMedian } from "./lib.js";

const ROOT = new URL("../", import.meta.url);
const DATA = new URL("../shared/data/", ROOT);
const POSITIONS_PER_ACCOUNT = 30;

/**
 * Fill a book of `accountCount` accounts × 30 positions: each account picks a base (BTC or ETH with the chain's
 * instrument proportions), then 30 instruments of that base (with replacement) and sizes uniform in ±[0.1, 10) coin.
 */
function generateBook(accountCount, rowsByBase, seed, shared) {
  const rnd = seededRandom(seed);
  const book = allocateBook(accountCount, accountCount * POSITIONS_PER_ACCOUNT, { shared });
  const bases = [...rowsByBase.values()];
  const total = bases.reduce((n, rows) => n + rows.length, 0);
  let k = 0;
  for (let a = 0; a < accountCount; a++) {
    book.offsets[a] = k;
    let pick = rnd() * total;
    let rows = bases[0];
    for (const r of bases) {
      rows = r;
      if (pick < r.length) break;
      pick -= r.length;
    }
    for (let p = 0; p < POSITIONS_PER_ACCOUNT; p++, k++) {
      book.instrumentIndex[k] = rows[Math.floor(rnd() * rows.length)];
      const size = 0.1 + rnd() * 9.9;
      book.sizeCoin[k] = rnd() < 0.5 ? -size : size;
    }
  }
  book.offsets[accountCount] = k;
  return book;
}

/** Load the real chain and build what the engine needs: market context, instruments, scenario sets. */
function loadChain() {
  const read = (name) => readFileSync(new URL(name, DATA), "utf8");
  const chain = unwrap(
    loadDeribitOptionsSnapshotCsv(read("deribit_btc_eth_options_20251230T1731Z.csv"), {
      futuresCsv: read("deribit_futures_marks_20251230T1731Z.csv"),
      perpetualsCsv: read("deribit_perpetual_prices_20251230T1731Z.csv"),
      sourceName: "deribit_btc_eth_options_20251230T1731Z.csv",
    }),
  );
  const market = unwrap(buildMarketContext(chain.snapshot));
  const instruments = Object.keys(chain.snapshot.instruments).map((name) => unwrap(parseInstrument(name)));
  const params = unwrap(parseRiskMatrixParams(JSON.parse(readFileSync(new URL("presets/deribit.json", ROOT), "utf8"))));
  const sets = new Map();
  const setOf = (inst) => {
    if (!sets.has(inst.base)) sets.set(inst.base, scenarioSetOf(params, inst.base));
    return sets.get(inst.base);
  };
  return { market, instruments, setOf };
}

/**
 * Run the whole benchmark and return the figures (times in ms, rates per second).
 * @param {{ largeAccounts?: number, smallAccounts?: number, baselineSample?: number, threads?: number, runs?: number, log?: (line: string) => void }} [options]
 */
export async function runRiskBench(options = {}) {
  const largeAccounts = options.largeAccounts ?? 1_000_000;
  const smallAccounts = options.smallAccounts ?? 10_000;
  const baselineSample = options.baselineSample ?? 100;
  const threads = options.threads ?? availableParallelism();
  const runs = options.runs ?? 9;
  const log = options.log ?? ((line) => console.log(line));

  const { market, instruments, setOf } = loadChain();
  const optionCount = instruments.filter((i) => i.kind === "option").length;

  // 1. Risk arrays of the whole chain: reference builder and fast builder.
  const reference = await timeMedian(() => unwrap(buildRiskArrays(instruments, market, setOf)), { warmup: 5, runs });
  const fast = await timeMedian(() => unwrap(buildRiskArraysFast(instruments, market, setOf)), { warmup: 20, runs: runs * 3 });
  const refArrays = unwrap(buildRiskArrays(instruments, market, setOf));
  const arrays = unwrap(buildRiskArraysFast(instruments, market, setOf));
  let maxAbsDiff = 0;
  for (let k = 0; k < arrays.data.length; k++) maxAbsDiff = Math.max(maxAbsDiff, Math.abs(arrays.data[k] - refArrays.data[k]));
  const S = arrays.scenarioCount;

  // Rows per bucket (one base per bucket in this chain: btc_btc, eth_eth).
  const rowsByBase = new Map();
  const bucketIds = new Map();
  const bucketOfInstrument = new Int32Array(instruments.length);
  instruments.forEach((inst, i) => {
    const key = bucketKeyOf(inst);
    if (!bucketIds.has(key)) bucketIds.set(key, bucketIds.size);
    bucketOfInstrument[i] = bucketIds.get(key);
    if (!rowsByBase.has(key)) rowsByBase.set(key, []);
    rowsByBase.get(key).push(i);
  });

  // 2. Single-thread aggregation, 10,000 accounts × 30 positions.
  const small = generateBook(smallAccounts, rowsByBase, 20251230, false);
  unwrap(validateBook(arrays, small, { bucketOfInstrument }));
  const outSmall = new Float64Array(smallAccounts);
  const accumulationsSmall = smallAccounts * POSITIONS_PER_ACCOUNT * S;
  const wasm = await timeMedian(() => worstCaseAll(arrays, small, outSmall, { kernel: "wasm" }), { warmup: 20, runs: runs * 3 });
  const ts = await timeMedian(() => worstCaseAll(arrays, small, outSmall, { kernel: "typescript" }), { warmup: 20, runs: runs * 3 });
  const single = worstCaseAll(arrays, small, new Float64Array(smallAccounts));

  // 3. Naive baseline: per account, reprice every position under every scenario (the reference builder on the
  // account's own instruments), then Σ size × row and the worst loss. Sampled, extrapolated per account.
  const baselineAccounts = Math.min(baselineSample, smallAccounts);
  let baselineCheck = 0;
  const naiveOne = (a) => {
    const k0 = small.offsets[a];
    const k1 = small.offsets[a + 1];
    const own = [];
    for (let k = k0; k < k1; k++) own.push(instruments[small.instrumentIndex[k]]);
    const uniq = [...new Set(own)];
    const acct = unwrap(buildRiskArrays(uniq, market, setOf));
    const vec = new Float64Array(S);
    for (let k = k0; k < k1; k++) {
      const row = acct.rowOf.get(instruments[small.instrumentIndex[k]].name);
      for (let j = 0; j < S; j++) vec[j] += small.sizeCoin[k] * acct.data[row * S + j];
    }
    let m = 0;
    for (let j = 0; j < S; j++) m = Math.min(m, vec[j]);
    return 0 - m;
  };
  const naive = await timeMedian(
    () => {
      for (let a = 0; a < baselineAccounts; a++) baselineCheck = Math.max(baselineCheck, Math.abs(naiveOne(a) - single[a]) / Math.max(1, single[a]));
    },
    { warmup: 1, runs: Math.max(3, runs >> 1) },
  );
  const naivePerAccountMs = naive.medianMs / baselineAccounts;

  // 4. Parallel: 1,000,000 accounts × 30 positions on `threads` workers, book on SharedArrayBuffers.
  const large = generateBook(largeAccounts, rowsByBase, 1767115875, true);
  const t0 = performance.now();
  const pool = createAggregationPool({ threads });
  let parallel;
  let parallelSingleThread;
  let parallelCopied;
  let poolFirstCallMs;
  let parallelAgrees = true;
  try {
    const first = performance.now();
    const firstOut = await pool.worstCaseAll(arrays, large);
    poolFirstCallMs = performance.now() - first;
    const poolStartMs = performance.now() - t0;
    parallel = await timeMedian(() => pool.worstCaseAll(arrays, large), { warmup: 1, runs: Math.max(3, runs >> 1) });
    parallel.poolStartAndFirstCallMs = poolStartMs;
    // The same book on ordinary ArrayBuffers: the pool copies it into shared memory on every call.
    const copied = { accountCount: large.accountCount, offsets: large.offsets.slice(), instrumentIndex: large.instrumentIndex.slice(), sizeCoin: large.sizeCoin.slice() };
    parallelCopied = await timeMedian(() => pool.worstCaseAll(arrays, copied), { warmup: 0, runs: 3 });
    const outLarge = new Float64Array(largeAccounts);
    parallelSingleThread = await timeMedian(() => worstCaseAll(arrays, large, outLarge), { warmup: 1, runs: 3 });
    for (let a = 0; a < largeAccounts; a++) if (!Object.is(outLarge[a], firstOut[a])) parallelAgrees = false;
  } finally {
    await pool.close();
  }

  // One account's full scenario vector (the per-account API), for completeness.
  const vec = new Float64Array(S);
  const oneAccount = await timeMedian(() => { for (let a = 0; a < smallAccounts; a++) aggregateScenarioPnl(arrays, small, a, vec); }, { warmup: 5, runs });

  const accumulationsLarge = largeAccounts * POSITIONS_PER_ACCOUNT * S;
  const result = {
    machine: { threads, availableParallelism: availableParallelism(), node: process.versions.node, v8: process.versions.v8 },
    chain: { options: optionCount, instruments: instruments.length, scenarios: S },
    arrays: {
      referenceMs: reference.medianMs,
      fastMs: fast.medianMs,
      fastMinMs: fast.minMs,
      fastCpuMs: fast.cpuMedianMs,
      speedup: reference.medianMs / fast.medianMs,
      maxAbsDiffVsReference: maxAbsDiff,
      repricingsPerSecondFast: (instruments.length * S) / (fast.medianMs / 1000),
    },
    singleThread: {
      accounts: smallAccounts,
      wasmMs: wasm.medianMs,
      wasmCpuMs: wasm.cpuMedianMs,
      wasmAccumulationsPerSecond: accumulationsSmall / (wasm.medianMs / 1000),
      typescriptMs: ts.medianMs,
      typescriptAccumulationsPerSecond: accumulationsSmall / (ts.medianMs / 1000),
      perAccountVectorMs: oneAccount.medianMs,
    },
    parallel: {
      accounts: largeAccounts,
      threads,
      medianMs: parallel.medianMs,
      minMs: parallel.minMs,
      cpuAllThreadsMs: parallel.cpuMedianMs,
      accumulationsPerSecond: accumulationsLarge / (parallel.medianMs / 1000),
      poolStartAndFirstCallMs: parallel.poolStartAndFirstCallMs,
      firstCallMs: poolFirstCallMs,
      singleThreadSameBookMs: parallelSingleThread.medianMs,
      nonSharedBookMs: parallelCopied.medianMs,
      identicalToSingleThread: parallelAgrees,
    },
    baseline: {
      sampleAccounts: baselineAccounts,
      perAccountMs: naivePerAccountMs,
      extrapolatedSmallMs: naivePerAccountMs * smallAccounts,
      extrapolatedLargeMs: naivePerAccountMs * largeAccounts,
      maxRelDiffVsFast: baselineCheck,
      // Speed-ups charge the fast path with its shared risk-array build (fast builder) as well.
      speedupSmall: (naivePerAccountMs * smallAccounts) / (fast.medianMs + wasm.medianMs),
      speedupLargeParallel: (naivePerAccountMs * largeAccounts) / (fast.medianMs + parallel.medianMs),
    },
  };

  const f = (x, d = 2) => x.toFixed(d);
  const g = (x) => `${f(x / 1e9)} G/s`;
  log(`risk bench — Node ${result.machine.node}, ${threads} worker threads (availableParallelism ${result.machine.availableParallelism})`);
  log(`chain: ${optionCount} options + ${instruments.length - optionCount} futures/perpetuals, ${S} scenarios each`);
  log(`risk arrays   reference ${f(reference.medianMs)} ms | fast ${f(fast.medianMs)} ms (min ${f(fast.minMs)}, cpu ${f(fast.cpuMedianMs)}) | ×${f(result.arrays.speedup, 1)} | max |fast − ref| ${maxAbsDiff.toExponential(1)}`);
  log(`aggregation   ${smallAccounts} accounts × ${POSITIONS_PER_ACCOUNT}: wasm ${f(wasm.medianMs, 3)} ms (cpu ${f(wasm.cpuMedianMs, 3)}) = ${g(result.singleThread.wasmAccumulationsPerSecond)} | typescript ${f(ts.medianMs, 3)} ms = ${g(result.singleThread.typescriptAccumulationsPerSecond)}`);
  log(`parallel      ${largeAccounts} accounts on ${threads} threads: ${f(parallel.medianMs, 1)} ms (min ${f(parallel.minMs, 1)}, cpu all threads ${f(parallel.cpuMedianMs, 1)}) = ${g(result.parallel.accumulationsPerSecond)} | 1 thread ${f(parallelSingleThread.medianMs, 1)} ms | non-shared book ${f(parallelCopied.medianMs, 1)} ms | pool start + first call ${f(parallel.poolStartAndFirstCallMs, 1)} ms | identical: ${parallelAgrees}`);
  log(`baseline      naive full revaluation ${f(naivePerAccountMs, 3)} ms/account → ${f(result.baseline.extrapolatedSmallMs / 1000, 2)} s per ${smallAccounts}, ${f(result.baseline.extrapolatedLargeMs / 1000, 0)} s per ${largeAccounts} (max rel diff ${baselineCheck.toExponential(1)})`);
  log(`speed-up      vs baseline, array build included: ×${f(result.baseline.speedupSmall, 0)} for ${smallAccounts} accounts (1 thread), ×${f(result.baseline.speedupLargeParallel, 0)} for ${largeAccounts} (${threads} threads)`);
  return result;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runRiskBench();
}
