// The cascade report of the 2020-03-12 replay on the demo exchange (docs/cascade.md, "2020-03-12 on the demo
// exchange"): `netrisk cascade` over the committed replay's ticks, once per bundled liquidation policy.
//
//   npm run build && node scripts/cascade-2020-03-12.js [--check]
//
// Inputs, all committed: the 300 SYNTHETIC accounts of examples/demo-exchange (src/io/demo.ts), the SYNTHETIC example
// market, and examples/replay-2020-03-12/ticks.jsonl (a seeded Brownian bridge through the REAL 2020-03-12 daily open,
// high, low and close of BTC and ETH, rebased onto the example market: only those four prices per coin are real;
// scripts/replay-2020-03-12.js). Impact: presets/impact-default.json. Insurance fund at the start: 1,000,000 USD (a
// round figure for a 300-account demo book, not a venue's).
// Writes examples/cascade-2020-03-12/<policy>.jsonl (the rounds and the summary line, `--no-steps`) and
// summary.json (the four summaries), and prints the table docs/cascade.md shows. With --check nothing is written:
// exit 1 when a committed file differs from what this script generates (numbers compared to 1e-9 relative).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../", import.meta.url));
const at = (p) => `${root}${p}`;
const check = process.argv.includes("--check");
const POLICIES = ["deribit-incremental", "derive-auction", "paradex-steps", "hyperliquid-backstop"];
const FUND_USD = 1_000_000;
const cli = (...args) => execFileSync(process.execPath, [at("dist/cli/main.js"), ...args], { cwd: root, maxBuffer: 1 << 30, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

/** Equal JSON values, numbers to 1e-9 relative (Node 20 and 24 differ in the last bits of Math). */
function close(a, b) {
  if (typeof a === "number" && typeof b === "number") return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b));
  if (Array.isArray(a) && Array.isArray(b)) return a.length === b.length && a.every((x, i) => close(x, b[i]));
  if (a && b && typeof a === "object" && typeof b === "object") {
    const ka = Object.keys(a).sort();
    const kb = Object.keys(b).sort();
    return close(ka, kb) && ka.every((k) => close(a[k], b[k]));
  }
  return a === b;
}

let stale = 0;
const put = (rel, text) => {
  const path = at(rel);
  const old = existsSync(path) ? readFileSync(path, "utf8") : null;
  const same = old !== null && (() => {
    const parse = (t) => t.trim().split("\n").map((l) => JSON.parse(l));
    try {
      return close(rel.endsWith(".jsonl") ? parse(old) : JSON.parse(old), rel.endsWith(".jsonl") ? parse(text) : JSON.parse(text));
    } catch {
      return false;
    }
  })();
  if (same) return;
  stale++;
  if (check) console.error(`${rel} differs from what scripts/cascade-2020-03-12.js generates`);
  else {
    mkdirSync(path.replace(/\/[^/]*$/, ""), { recursive: true });
    writeFileSync(path, text);
  }
};

const data = (f) => fileURLToPath(new URL(`../../shared/data/${f}`, import.meta.url));
if (!existsSync(data("btc_usd_daily_ohlcv_yahoo.csv"))) {
  console.error("cascade-2020-03-12: ../shared/data is missing (the real closes of the named stress): nothing to do");
  process.exit(2);
}
const summaries = {};
for (const policy of POLICIES) {
  const out = cli("cascade", "--accounts", "examples/demo-exchange", "--market", "examples/market.json", "--ticks", "examples/replay-2020-03-12/ticks.jsonl", "--policy", policy, "--insurance-fund", String(FUND_USD), "--no-steps", "--json");
  put(`examples/cascade-2020-03-12/${policy}.jsonl`, out.endsWith("\n") ? out : `${out}\n`);
  const lines = out.trim().split("\n");
  summaries[policy] = JSON.parse(lines[lines.length - 1]).summary;
}
// The same day as one instant shock (the named stress black-thursday, close to close, derived from the REAL closes),
// without impact, with the default impact and with a thin market, under the default policy.
const shocks = {};
for (const impact of ["none", "presets/impact-default.json", "presets/impact-thin.json"]) {
  const out = cli("cascade", "--accounts", "examples/demo-exchange", "--market", "examples/market.json", "--stress", "black-thursday", "--history", `BTC=${data("btc_usd_daily_ohlcv_yahoo.csv")}`, `ETH=${data("eth_usd_daily_ohlcv_yahoo.csv")}`, "--impact", impact, "--insurance-fund", String(FUND_USD), "--no-steps", "--json");
  const lines = out.trim().split("\n");
  shocks[impact.replace(/^presets\/|\.json$/g, "")] = JSON.parse(lines[lines.length - 1]).summary;
}
put("examples/cascade-2020-03-12/summary.json", `${JSON.stringify({ source: "scripts/cascade-2020-03-12.js: netrisk cascade over examples/replay-2020-03-12/ticks.jsonl on the SYNTHETIC demo exchange, one run per policy; then the named stress black-thursday as one instant shock under deribit-incremental with three impact models", insuranceFundUsd: FUND_USD, summaries, blackThursdayShock: shocks }, null, 1)}\n`);

const usd = (x) => Math.round(x).toLocaleString("en-US");
const rows = [
  ["rounds", (s) => String(s.rounds)],
  ["accounts liquidated", (s) => String(s.liquidatedAccounts)],
  ["of them bankrupt", (s) => String(s.bankruptAccounts)],
  ["notional liquidated (USD)", (s) => usd(s.liquidatedNotionalUsd)],
  ["slippage paid (USD)", (s) => usd(s.slippageUsd)],
  ["auction discount (USD)", (s) => usd(s.auctionDiscountUsd)],
  ["bankrupt shortfall (USD)", (s) => usd(s.bankruptShortfallUsd)],
  ["insurance fund used (USD)", (s) => usd(s.insuranceFundUsedUsd)],
  ["fees into the fund (USD)", (s) => usd(s.insuranceFundFeesUsd)],
  ["ADL (USD)", (s) => usd(s.adlUsd)],
  ["socialised (USD)", (s) => usd(s.socializedLossUsd)],
  ["fund at the end (USD)", (s) => usd(s.insuranceFundEndUsd)],
  ["BTC index at the end", (s) => s.finalMarks.BTC.toFixed(2)],
  ["ETH index at the end", (s) => s.finalMarks.ETH.toFixed(2)],
];
console.log(`| | ${POLICIES.join(" | ")} |`);
console.log(`|---|${POLICIES.map(() => "---:").join("|")}|`);
for (const [label, f] of rows) console.log(`| ${label} | ${POLICIES.map((p) => f(summaries[p])).join(" | ")} |`);
const IMPACTS = Object.keys(shocks);
console.log("");
console.log(`| black-thursday shock, deribit-incremental | ${IMPACTS.join(" | ")} |`);
console.log(`|---|${IMPACTS.map(() => "---:").join("|")}|`);
for (const [label, f] of rows) console.log(`| ${label} | ${IMPACTS.map((k) => f(shocks[k])).join(" | ")} |`);
if (check && stale > 0) process.exit(1);
