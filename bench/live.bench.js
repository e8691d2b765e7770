// Live-core benchmark (issue: live re-margining): the W-tick latency (a tick in → every affected account's figures and
// events out) for books of 10,000, 100,000 and 1,000,000 accounts of 30 positions on the real Deribit chain of
// 2025-12-30T17:31Z, one underlying moving per tick and all moving, p50/p99 over ≥ 200 ticks, beside a from-scratch
// re-margin of the same book on the same market in the same run; fill latency; memory; and the rebuild of the moved
// underlying's risk-array rows beside a vectorised numpy/scipy build of the same rows (bench/reference/
// numpy_live_rows.py), in the same run.
//
//   npm run bench -- live [--sizes 10000,100000] [--ticks 200] [--fills 500] [--helpers N]
//   (or: node --expose-gc bench/live.bench.js [--sizes ...] [--ticks ...])
//
// Books are random but seeded (reproducible): each account holds 30 positions of ONE underlying (BTC or ETH in the
// chain's proportions; instruments drawn with replacement, duplicates merged as the portfolio reader merges them),
// sizes ±[0.1, 10) coin, and a balance of its coin (offset in its own bucket, Deribit's equity_side_impact "both")
// of 20–200 coin (BTC) or 300–3,000 (ETH). Model: presets/deribit.json. Ticks: the index moves by a normal draw with
// a 0.2 % standard deviation, one second apart; the rest of the chain moves with it (docs/live.md, Ticks).
//
// Timing: wall-clock per tick with performance.now() around core.apply (the core itself reads no clock), and the
// process's CPU time over the same call (process.cpuUsage, user + system): on a shared machine the wall-clock figures
// include waiting for a core, the CPU figures do not (they are the ones to compare across runs on a loaded machine).
// A liquidation event's plan is computed when the event is first read (docs/live.md, Health): W-tick excludes it;
// the plans of the measured ticks' liquidation events are then read (serialised) one by one and timed separately.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createAccount, evaluateAccount } from "../dist/account/account.js";
import { createMarginEngine } from "../dist/account/engine.js";
import { DEFAULT_ACCOUNT_RULES, parseAccountRules } from "../dist/account/rules.js";
import { unwrap } from "../dist/errors.js";
import { loadMarketFile } from "../dist/io/load-market.js";
import { loadModel } from "../dist/io/presets.js";
import { createLiveCore } from "../dist/live/core.js";
import { createLivePool } from "../dist/cluster/live-pool.js";
import { availableParallelism } from "node:os";
import { rebuildRows } from "../dist/live/arrays.js";
import { createLiveArrays } from "../dist/live/arrays.js";
import { createLiveMarket } from "../dist/live/market.js";
import { parseInstrument } from "../dist/market/instrument.js";
import { scenarioSetOf } from "../dist/models/risk-matrix/scenario-set.js";
import { median, seededRandom } from "./lib.js";

const ROOT = new URL("../", import.meta.url);
const data = (name) => fileURLToPath(new URL(`../shared/data/${name}`, ROOT));
const POSITIONS = 30;
const PLAN_SAMPLE = 30;
const FILL_WARMUP = 200;
const ROW_ROUNDS = 5;

function loadChain() {
  return unwrap(
    loadMarketFile(data("deribit_btc_eth_options_20251230T1731Z.csv"), {
      futuresPath: data("deribit_futures_marks_20251230T1731Z.csv"),
      perpetualsPath: data("deribit_perpetual_prices_20251230T1731Z.csv"),
    }),
  ).snapshot;
}

/** A seeded bulk book of `n` accounts × 30 positions of one underlying each (bench/live-pair.js takes it too). */
export function book(n, names, seed) {
  const rnd = seededRandom(seed);
  const byBase = { BTC: [], ETH: [] };
  names.forEach((name, i) => byBase[name.startsWith("BTC") ? "BTC" : "ETH"].push(i));
  const total = byBase.BTC.length + byBase.ETH.length;
  const offsets = new Int32Array(n + 1);
  const instrumentIndex = new Int32Array(n * POSITIONS);
  const sizeCoin = new Float64Array(n * POSITIONS);
  const balances = new Array(n);
  const ids = new Array(n);
  let btcAccounts = 0;
  for (let a = 0; a < n; a++) {
    offsets[a] = a * POSITIONS;
    const base = rnd() * total < byBase.BTC.length ? "BTC" : "ETH";
    if (base === "BTC") btcAccounts++;
    const rows = byBase[base];
    for (let p = 0; p < POSITIONS; p++) {
      const k = a * POSITIONS + p;
      instrumentIndex[k] = rows[Math.floor(rnd() * rows.length)];
      const s = 0.1 + rnd() * 9.9;
      sizeCoin[k] = rnd() < 0.5 ? -s : s;
    }
    balances[a] = { [base]: base === "BTC" ? 20 + rnd() * 180 : 300 + rnd() * 2700 };
    ids[a] = `acct-${a}`;
  }
  offsets[n] = n * POSITIONS;
  return { ids, instruments: names, offsets, instrumentIndex, sizeCoin, balances, btcAccounts };
}

/**
 * The book's balances moved so that each account sits at a maintenance ratio between 5 % and 60 % (seeded by `n`),
 * read off `probe`, a core on the book as generated.
 */
export function solventBalances(b, probe, indexUsd, n) {
  const rr = seededRandom(99 + n);
  return b.balances.map((bal, a) => {
    const f = probe.figures(b.ids[a]);
    const [base] = Object.keys(bal);
    const target = f.maintenanceMarginUsd / (0.05 + 0.55 * rr()) - f.equityUsd;
    return { [base]: bal[base] + target / indexUsd[base] };
  });
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))];
  return { p50: q(0.5), p99: q(0.99), max: s[s.length - 1], mean: s.reduce((t, x) => t + x, 0) / s.length, n: s.length };
};

/** The numpy/scipy build of the BTC rows, timed in its own process on the same rows; and its rows for a check. */
function numpyRows(core, params) {
  const market = core.marketContext();
  const snap = core.market();
  const shock = params.pairs.BTC.volShock;
  const set = scenarioSetOf(params, "BTC");
  const opts = { F: [], K: [], T: [], vol: [], call: [], inverse: [], rate: [] };
  const futs = { inverse: [], mark: [] };
  const optNames = [];
  const futNames = [];
  for (const name of Object.keys(snap.instruments)) {
    const inst = unwrap(parseInstrument(name));
    if (inst.base !== "BTC") continue;
    if (inst.kind === "option") {
      const i = market.optionInputs(inst);
      opts.F.push(i.forwardUsd);
      opts.K.push(inst.strikeUsd);
      opts.T.push(i.timeYears);
      opts.vol.push(i.volDecimal);
      opts.call.push(inst.optionKind === "call");
      opts.inverse.push(inst.settlement === "inverse");
      opts.rate.push(i.rateDecimal);
      optNames.push(name);
    } else {
      futs.inverse.push(inst.settlement === "inverse");
      futs.mark.push(market.futureMarkUsd(inst));
      futNames.push(name);
    }
  }
  const scenarios = { move: [], slot: [], weight: [], rescale: [] };
  for (const s of set.scenarios) {
    scenarios.move.push(s.priceMove);
    scenarios.slot.push(s.volShift === "down" ? 0 : s.volShift === "unchanged" ? 1 : 2);
    scenarios.weight.push(s.weight);
    scenarios.rescale.push(s.coinRescale);
  }
  const dir = mkdtempSync(join(tmpdir(), "netrisk-live-bench-"));
  try {
    const input = join(dir, "in.json");
    const output = join(dir, "out.json");
    writeFileSync(
      input,
      JSON.stringify({
        options: opts,
        futures: futs,
        scenarios,
        shock: { rangeUp: shock.rangeUpDecimal, rangeDown: shock.rangeDownDecimal, shortPower: shock.shortTermPower, longPower: shock.longTermPower, pivotDays: shock.pivotDays, floorDays: shock.dteFloorDays, boundary: shock.shortTermBoundary, minUp: shock.minVolForShockUpDecimal },
        runs: 50,
      }),
    );
    execFileSync("python3", [fileURLToPath(new URL("./reference/numpy_live_rows.py", import.meta.url)), input, output], { stdio: ["ignore", "ignore", "inherit"] });
    const out = JSON.parse(readFileSync(output, "utf8"));
    return { ...out, optNames, futNames, rows: optNames.length + futNames.length };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Row rebuild of BTC on the live path (rebuildRows on a live arrays set), median of runs; and agreement with numpy. */
function rowRebuild(core, params, numpy) {
  const market = unwrap(createLiveMarket(core.market()));
  const arrays = unwrap(createLiveArrays(params, market.listing, market.context));
  const times = [];
  const cpu = [];
  for (let r = 0; r < 60; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    unwrap(rebuildRows(arrays, ["BTC"], market.context));
    times.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  let maxAbs = 0;
  const S = arrays.scenarioCount;
  const check = (names, rows) =>
    names.forEach((name, k) => {
      const r = arrays.rowOf.get(name);
      for (let j = 0; j < S; j++) maxAbs = Math.max(maxAbs, Math.abs(arrays.data[r * S + j] - rows[k][j]) / (name.includes("_USD") ? arrays.markValue[r] || 1 : 1));
    });
  check(numpy.optNames, numpy.options);
  check(numpy.futNames, numpy.futures);
  return { medianMs: median(times.slice(10)), minMs: Math.min(...times), cpuMedianMs: median(cpu.slice(10)), rows: arrays.rowsOfBase.get("BTC").length, maxAbsDiffVsNumpy: maxAbs };
}

export async function runLiveBench(options = {}) {
  const sizes = typeof options.sizes === "number" ? [options.sizes] : (options.sizes ?? [10_000, 100_000, 1_000_000]);
  const tickCount = options.ticks ?? 200;
  const fillCount = options.fills ?? 500;
  // Helper threads of the live core's pool besides the main thread (cluster/live-pool.ts); 0: the main thread alone.
  const helpers = options.helpers ?? Math.max(0, availableParallelism() - 1);
  const pool = helpers > 0 ? createLivePool({ helpers }) : undefined;
  await pool?.ready();
  const executor = pool === undefined ? {} : { executor: pool };
  const log = options.log ?? ((l) => console.log(l));
  const market = loadChain();
  const names = Object.keys(market.instruments);
  const model = unwrap(loadModel("deribit"));
  const rules = unwrap(parseAccountRules(DEFAULT_ACCOUNT_RULES));
  const results = { chain: { instruments: names.length, btc: names.filter((n) => n.startsWith("BTC")).length }, books: [] };
  results.helpers = helpers;
  log(`live bench — Node ${process.versions.node}; chain ${names.length} instruments (${results.chain.btc} BTC), model deribit, ${POSITIONS} positions per account; ${helpers} helper thread(s) besides the main thread (--helpers N), ${availableParallelism()} cores`);
  let rowsDone = false;
  for (const n of sizes) {
    globalThis.gc?.();
    const b = book(n, names, 20251230 + n);
    // Collateral that puts each account at a maintenance ratio between 5 % and 60 % (a book of solvent accounts, as
    // an exchange's is): one core to read MM and equity, then the balances set, then the measured core.
    b.balances = solventBalances(b, unwrap(createLiveCore({ market, accounts: [], bulk: { ...b, model, rules } })), market.indexUsd, n);
    globalThis.gc?.();
    const mem0 = process.memoryUsage();
    let t0 = performance.now();
    const core = unwrap(createLiveCore({ market, accounts: [], bulk: { ...b, model, rules }, ...executor }));
    const loadMs = performance.now() - t0;
    const startStates = {};
    for (const id of b.ids) {
      const s = core.figures(id).state;
      startStates[s] = (startStates[s] ?? 0) + 1;
    }
    globalThis.gc?.();
    const mem = process.memoryUsage();
    const rnd = seededRandom(7 + n);
    const normal = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
    let seq = 0;
    let ts = market.timestampMs;
    const tick = (bases) => {
      const snap = core.market();
      const indexUsd = {};
      for (const base of bases) indexUsd[base] = snap.indexUsd[base] * (1 + 0.002 * normal());
      ts += 1000;
      seq++;
      const c = process.cpuUsage();
      const t = performance.now();
      const out = core.apply({ kind: "tick", tick: { seq, timestampMs: ts, indexUsd } });
      const ms = performance.now() - t;
      const cpu = process.cpuUsage(c);
      if (out.status !== "applied") throw new Error(`tick ${seq} ${out.status}: ${JSON.stringify(out.issues)}`);
      for (const e of out.events) if (e.type === "liquidation") liquidations.push(e);
      return { ms, cpuMs: (cpu.user + cpu.system) / 1000, out };
    };
    const liquidations = [];
    // Warm-up, not measured: five ticks of each kind. The accounts that start in liquidation get their (deferred)
    // triggers with the first tick; and each kind of tick runs paths the other does not (with BTC alone moving, the
    // ETH buckets are not aggregated and half the accounts are not exposed), which V8 compiles on their first run:
    // warmed with all-moving ticks alone, the first measured BTC tick took ~2× a BTC tick's CPU time, compiling.
    for (let w = 0; w < 5; w++) tick(["BTC", "ETH"]);
    for (let w = 0; w < 5; w++) tick(["BTC"]);
    liquidations.length = 0;
    const one = [];
    const oneCpu = [];
    let oneRemargined = 0;
    let events = 0;
    for (let k = 0; k < tickCount; k++) {
      const r = tick(["BTC"]);
      one.push(r.ms);
      oneCpu.push(r.cpuMs);
      oneRemargined = r.out.accountsRemargined;
      events += r.out.events.length;
    }
    const all = [];
    const allCpu = [];
    let allRemargined = 0;
    for (let k = 0; k < tickCount; k++) {
      const r = tick(["BTC", "ETH"]);
      all.push(r.ms);
      allCpu.push(r.cpuMs);
      allRemargined = r.out.accountsRemargined;
      events += r.out.events.length;
    }
    // Memory again after the ticks: each thread's kernel keeps a copy of the book chunks it read (risk/wasm/mirror.ts),
    // made during the first ticks, so the figure after loading leaves it out.
    globalThis.gc?.();
    const memTicks = process.memoryUsage();
    // The liquidation plans of the measured ticks' events, read (serialised) one at a time, off the tick path: the
    // first PLAN_SAMPLE of them (a plan takes 0.1–1 s; a 1M book's ticks trigger thousands).
    const plans = [];
    const liquidationCount = liquidations.length;
    for (const e of liquidations.slice(0, PLAN_SAMPLE)) {
      const t = performance.now();
      JSON.stringify(e);
      plans.push(performance.now() - t);
    }
    liquidations.length = 0;
    // From scratch: a new core on the market as held (market context, every row, every bucket, every account).
    const scratch = [];
    for (let k = 0; k < (n >= 1_000_000 ? 2 : 5); k++) {
      t0 = performance.now();
      unwrap(createLiveCore({ market: core.market(), accounts: [], bulk: { ...b, model, rules } }));
      scratch.push(performance.now() - t0);
      globalThis.gc?.();
    }
    // The account layer one account at a time (the batch path of `netrisk account`), sampled and extrapolated.
    const engine = createMarginEngine(model, core.marketContext());
    const sample = Math.min(200, n);
    t0 = performance.now();
    for (let a = 0; a < sample; a++) {
      const acct = core.accountForEngine(b.ids[a]);
      unwrap(evaluateAccount(createAccount({ positions: acct.positions, collateral: acct.balances, notes: [] }, engine, rules)));
    }
    const perAccountMs = (performance.now() - t0) / sample;
    // Fills on random accounts. The comparisons above (from scratch, the account layer) leave hundreds of MB of
    // garbage: collected first, so a fill pays only for its own (a fill allocates a few KB: new position records).
    globalThis.gc?.();
    const fills = [];
    const fillsCpu = [];
    // The first FILL_WARMUP fills are not measured: the fill path's code is compiled (optimising compiler threads
    // count in the process's CPU time) while they run, as the ticks' first ten are.
    for (let k = -FILL_WARMUP; k < fillCount; k++) {
      const a = Math.floor(rnd() * n);
      const held = core.account(b.ids[a]);
      const p = held.positions[Math.floor(rnd() * held.positions.length)];
      const q = core.market().instruments[p.instrument.name];
      const price = p.instrument.kind === "option" ? (q.markPrice ?? 0.01) : q.markPrice;
      seq++;
      const c = process.cpuUsage();
      const t = performance.now();
      const out = core.apply({ kind: "fill", seq, timestampMs: ts, account: b.ids[a], fill: { instrument: p.instrument.name, size: rnd() < 0.5 ? -1 : 1, price, tradeId: `f${k}` } });
      const ms = performance.now() - t;
      const cu = process.cpuUsage(c);
      if (k >= 0) {
        fills.push(ms);
        fillsCpu.push((cu.user + cu.system) / 1000);
      }
      if (out.status !== "applied") throw new Error(`fill ${k} ${out.status}: ${JSON.stringify(out.issues)}`);
    }
    const r = {
      accounts: n,
      pool: pool === undefined ? undefined : { ...pool.stats },
      btcAccounts: b.btcAccounts,
      loadMs,
      memory: { rssMb: mem.rss / 2 ** 20, heapUsedMb: mem.heapUsed / 2 ** 20, arrayBuffersMb: mem.arrayBuffers / 2 ** 20, heapGrowthMb: (mem.heapUsed - mem0.heapUsed) / 2 ** 20, afterTicksRssMb: memTicks.rss / 2 ** 20, afterTicksArrayBuffersMb: memTicks.arrayBuffers / 2 ** 20 },
      oneUnderlying: { ...stats(one), cpu: stats(oneCpu), accountsRemargined: oneRemargined },
      allUnderlyings: { ...stats(all), cpu: stats(allCpu), accountsRemargined: allRemargined },
      liquidationEvents: liquidationCount,
      liquidationPlans: plans.length > 0 ? stats(plans) : { n: 0 },
      events,
      startStates,
      fromScratchMs: median(scratch),
      accountLayerPerAccountMs: perAccountMs,
      accountLayerExtrapolatedMs: perAccountMs * n,
      fillMs: stats(fills),
      fillCpuMs: stats(fillsCpu),
    };
    results.books.push(r);
    const f = (x, d = 2) => x.toFixed(d);
    log(`\n${n.toLocaleString("en-US")} accounts (${b.btcAccounts.toLocaleString("en-US")} on BTC): loaded in ${f(loadMs, 0)} ms; rss ${f(r.memory.rssMb, 0)} MB, heap ${f(r.memory.heapUsedMb, 0)} MB, array buffers ${f(r.memory.arrayBuffersMb, 0)} MB; after the measured ticks rss ${f(r.memory.afterTicksRssMb, 0)} MB (every thread's kernel copy of the book included), array buffers ${f(r.memory.afterTicksArrayBuffersMb, 0)} MB (this thread's)`);
    log(`  states at start ${JSON.stringify(startStates)}; ${events} events over the ${2 * tickCount} measured ticks`);
    log(`  W-tick, BTC moving    p50 ${f(r.oneUnderlying.p50)} ms  p99 ${f(r.oneUnderlying.p99)} ms  max ${f(r.oneUnderlying.max)} ms | CPU p50 ${f(r.oneUnderlying.cpu.p50)} ms  p99 ${f(r.oneUnderlying.cpu.p99)} ms  (${tickCount} ticks, ${oneRemargined.toLocaleString("en-US")} accounts re-margined per tick)`);
    log(`  W-tick, all moving    p50 ${f(r.allUnderlyings.p50)} ms  p99 ${f(r.allUnderlyings.p99)} ms  max ${f(r.allUnderlyings.max)} ms | CPU p50 ${f(r.allUnderlyings.cpu.p50)} ms  p99 ${f(r.allUnderlyings.cpu.p99)} ms  (${allRemargined.toLocaleString("en-US")} accounts)`);
    log(`  liquidation plans     ${liquidationCount} liquidation events in the measured ticks, the first ${plans.length} plans read: ${plans.length > 0 ? `p50 ${f(r.liquidationPlans.p50)} ms  p99 ${f(r.liquidationPlans.p99)} ms  max ${f(r.liquidationPlans.max)} ms per plan` : "none"}`);
    log(`  from scratch          ${f(r.fromScratchMs)} ms per re-margin of the whole book (×${f(r.fromScratchMs / r.oneUnderlying.p50, 1)} the BTC tick's p50); account layer one by one ${f(perAccountMs, 3)} ms/account → ${f(r.accountLayerExtrapolatedMs / 1000, 1)} s`);
    log(`  fill                  p50 ${f(r.fillMs.p50, 3)} ms  p99 ${f(r.fillMs.p99, 3)} ms  max ${f(r.fillMs.max, 3)} ms | CPU p50 ${f(r.fillCpuMs.p50, 3)} ms  p99 ${f(r.fillCpuMs.p99, 3)} ms  (${fillCount} fills after ${FILL_WARMUP} unmeasured, figures and events out)`);
    if (pool !== undefined) log(`  pool                  ${pool.stats.passes} passes so far, helper threads took ${pool.stats.helperClaims} of their ${pool.stats.claims} claims of 1,024 accounts`);
    if (!rowsDone) {
      rowsDone = true;
      // ROW_ROUNDS rounds, each the numpy process then the live rebuild, one after the other: the two sides are ~2 ms
      // each, so one round's ratio follows whatever else the machine did during it (single rounds have read ×0.4 to
      // ×2.5 on this shared machine for the same code). The medians over the rounds, and each round's ratio, are shown.
      const rounds = [];
      for (let k = 0; k < ROW_ROUNDS; k++) {
        const numpy = numpyRows(core, model.params);
        rounds.push({ numpy, rows: rowRebuild(core, model.params, numpy) });
      }
      const med = (g) => median(rounds.map(g));
      const rows = { rows: rounds[0].rows.rows, medianMs: med((r) => r.rows.medianMs), minMs: Math.min(...rounds.map((r) => r.rows.minMs)), cpuMedianMs: med((r) => r.rows.cpuMedianMs), maxAbsDiffVsNumpy: Math.max(...rounds.map((r) => r.rows.maxAbsDiffVsNumpy)) };
      const numpy = { medianMs: med((r) => r.numpy.medianMs), minMs: Math.min(...rounds.map((r) => r.numpy.minMs)), cpuMedianMs: med((r) => r.numpy.cpuMedianMs) };
      const roundRatios = rounds.map((r) => r.numpy.medianMs / r.rows.medianMs);
      results.rows = { rows: rows.rows, rounds: ROW_ROUNDS, liveMs: rows.medianMs, liveMinMs: rows.minMs, liveCpuMs: rows.cpuMedianMs, numpyMs: numpy.medianMs, numpyMinMs: numpy.minMs, numpyCpuMs: numpy.cpuMedianMs, ratio: numpy.medianMs / rows.medianMs, minRatio: numpy.minMs / rows.minMs, cpuRatio: numpy.cpuMedianMs / rows.cpuMedianMs, roundRatios, maxAbsDiffVsNumpy: rows.maxAbsDiffVsNumpy };
      log(`  BTC rows rebuild      ${rows.rows} rows × 35 scenarios, ${ROW_ROUNDS} rounds: live ${f(rows.medianMs, 3)} ms (min ${f(rows.minMs, 3)}, CPU ${f(rows.cpuMedianMs, 3)}) | numpy/scipy ${f(numpy.medianMs, 3)} ms (min ${f(numpy.minMs, 3)}, CPU ${f(numpy.cpuMedianMs, 3)}) | numpy/live ×${f(results.rows.ratio)} median, ×${f(results.rows.minRatio)} min, ×${f(results.rows.cpuRatio)} CPU; per round ${roundRatios.map((x) => `×${f(x)}`).join(" ")} | max |live − numpy| ${rows.maxAbsDiffVsNumpy.toExponential(1)} (coin, or × mark for USDC rows)`);
    }
  }
  await pool?.close();
  return results;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const arg = (name) => {
    const i = process.argv.indexOf(name);
    return i < 0 ? undefined : process.argv[i + 1];
  };
  const sizes = arg("--sizes")?.split(",").map(Number);
  const ticks = arg("--ticks") === undefined ? undefined : Number(arg("--ticks"));
  const fills = arg("--fills") === undefined ? undefined : Number(arg("--fills"));
  const helpers = arg("--helpers") === undefined ? undefined : Number(arg("--helpers"));
  await runLiveBench({ ...(sizes ? { sizes } : {}), ...(ticks ? { ticks } : {}), ...(fills ? { fills } : {}), ...(helpers !== undefined ? { helpers } : {}) });
}
