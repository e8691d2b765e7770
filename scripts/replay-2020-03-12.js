// The committed replay of 2020-03-12 ("Black Thursday") on the demo exchange (docs/live.md, "The 2020-03-12 replay").
//
//   npm run build && node scripts/replay-2020-03-12.js [--check]
//
// 1. The demo exchange: the 300 SYNTHETIC accounts `netrisk serve --demo` generates (src/io/demo.ts, its default
//    seed) on the bundled synthetic example market, written to examples/demo-exchange/<id>.json.
// 2. The day's ticks: `netrisk ticks` through the REAL 2020-03-12 daily open, high, low and close of BTC and ETH
//    (../shared/data, Yahoo OHLCV), one tick a minute, rebased onto the example market; the path inside the day is
//    SYNTHETIC (seeded Brownian bridge); no DVOL covers 2020, so the realised-vol rule moves the implied vols.
// 3. `netrisk replay` of the ticks over the demo exchange with the default circuit breakers, as JSON lines: the
//    events to examples/replay-2020-03-12/events.jsonl, the summary to examples/replay-2020-03-12/summary.json.
// With --check nothing is written: exit 1 when a committed file differs from what this script generates (the
// summary's latencies, which are timings, are left out of the comparison).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { demoAccounts } from "../dist/io/demo.js";
import { unwrap } from "../dist/errors.js";
import { validateMarket } from "../dist/io/market.js";

const root = fileURLToPath(new URL("../", import.meta.url));
const at = (p) => `${root}${p}`;
const data = (f) => fileURLToPath(new URL(`../../shared/data/${f}`, import.meta.url));
const check = process.argv.includes("--check");
const cli = (...args) => execFileSync(process.execPath, [at("dist/cli/main.js"), ...args], { cwd: root, maxBuffer: 1 << 30, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

if (!existsSync(data("btc_usd_daily_ohlcv_yahoo.csv"))) {
  console.error("replay-2020-03-12: ../shared/data is missing (the real OHLC files): nothing to do");
  process.exit(2);
}
let stale = 0;
const put = (rel, text) => {
  const path = at(rel);
  const old = existsSync(path) ? readFileSync(path, "utf8") : null;
  if (old === text) return;
  stale++;
  if (check) console.error(`${rel} differs from what scripts/replay-2020-03-12.js generates`);
  else {
    mkdirSync(path.replace(/\/[^/]*$/, ""), { recursive: true });
    writeFileSync(path, text);
  }
};

// 1. The demo exchange.
const market = unwrap(validateMarket(JSON.parse(readFileSync(at("examples/market.json"), "utf8"))));
const accounts = demoAccounts(market, 300);
const keep = new Set(accounts.map((a) => `${a.id}.json`));
if (!check && existsSync(at("examples/demo-exchange"))) for (const f of readdirSync(at("examples/demo-exchange"))) if (!keep.has(f)) rmSync(at(`examples/demo-exchange/${f}`));
for (const a of accounts) put(`examples/demo-exchange/${a.id}.json`, `${JSON.stringify(a.document, null, 1)}\n`);

// 2. The ticks (written to a temporary file first so --check compares without writing).
const tmp = at("examples/replay-2020-03-12/.ticks.tmp.jsonl");
mkdirSync(at("examples/replay-2020-03-12"), { recursive: true });
cli("ticks", "--day", "2020-03-12", "--market", "examples/market.json", "--ohlc", `BTC=${data("btc_usd_daily_ohlcv_yahoo.csv")}`, "--ohlc", `ETH=${data("eth_usd_daily_ohlcv_yahoo.csv")}`, "--dvol", `BTC=${data("deribit_dvol_btc_daily.csv")}`, "--dvol", `ETH=${data("deribit_dvol_eth_daily.csv")}`, "--interval", "60", "--seed", "20200312", "--out", tmp);
// Paths in the tick source are the repository's relative ones, whatever the checkout's location.
const ticks = readFileSync(tmp, "utf8").replaceAll(data(""), "../shared/data/");
rmSync(tmp);
put("examples/replay-2020-03-12/ticks.jsonl", ticks);

// 3. The replay.
const ticksPath = at("examples/replay-2020-03-12/.replay.tmp.jsonl");
writeFileSync(ticksPath, ticks);
const out = cli("replay", "--accounts", "examples/demo-exchange", "--market", "examples/market.json", "--ticks", ticksPath, "--breakers", "presets/breakers-default.json", "--json");
rmSync(ticksPath);
const lines = out.trim().split("\n");
const summary = JSON.parse(lines[lines.length - 1]);
put("examples/replay-2020-03-12/events.jsonl", `${lines.slice(0, -1).join("\n")}\n`);
const comparable = (s) => JSON.stringify({ ...s, latencyMs: undefined }, null, 1);
const summaryPath = at("examples/replay-2020-03-12/summary.json");
const old = existsSync(summaryPath) ? JSON.parse(readFileSync(summaryPath, "utf8")) : null;
if (old === null || comparable(old) !== comparable(summary)) put("examples/replay-2020-03-12/summary.json", `${JSON.stringify(summary, null, 1)}\n`);
console.error(`replay-2020-03-12: ${accounts.length} accounts, ${summary.ticks.total} ticks; margin call ${summary.marginCall.length}, liquidation ${summary.liquidation.length}, bankrupt ${summary.bankrupt.length}, breaker trips ${summary.breakerTrips.length}; latency p50 ${summary.latencyMs.p50.toFixed(2)} ms, p99 ${summary.latencyMs.p99.toFixed(2)} ms`);
if (check && stale > 0) process.exit(1);
