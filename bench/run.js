#!/usr/bin/env node
// `npm run bench`: every committed benchmark, in one process, each printing its throughput and its ratio against a
// baseline measured in the same run. Build first (the npm script does). Select with `npm run bench -- pricing risk`.
// Timings are wall-clock on this machine; close other work for stable figures (each suite reports medians).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const SUITES = [
  { name: "pricing", file: "./pricing.bench.js", run: "runPricingBench" },
  { name: "risk", file: "./risk.bench.js", run: "runRiskBench" },
  { name: "var", file: "./var.bench.js", run: "runVarBench" },
  { name: "account", file: "./account.bench.js", run: "runAccountBench" },
  { name: "backtest", file: "./backtest.bench.js", run: "runBacktestBench" },
  { name: "venues", file: "./venues.bench.js", run: "runVenuesBench" },
  { name: "live", file: "./live.bench.js", run: "runLiveBench" },
  { name: "cluster", file: "./cluster.bench.js", run: "runClusterBench" },
  { name: "api", file: "./api.bench.js", run: "runApiBench" },
  { name: "preview", file: "./preview.bench.js", run: "runPreviewBench" },
  { name: "cascade", file: "./cascade.bench.js", run: "runCascadeBench" },
  { name: "fund", file: "./fund.bench.js", run: "runFundBench" },
  { name: "market", file: "./market.bench.js", run: "runMarketBench" },
];

// Flags after the suite names go to every selected suite as options: `npm run bench -- live --sizes 10000 --ticks 50`
// gives the live suite { sizes: [10000], ticks: 50 } (numbers and comma-separated lists of numbers as such).
const args = process.argv.slice(2);
const wanted = [];
const options = {};
for (let i = 0; i < args.length; i++) {
  const a = args[i];
  if (!a.startsWith("--")) {
    wanted.push(a);
    continue;
  }
  const key = a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
  const value = args[i + 1] !== undefined && !args[i + 1].startsWith("--") ? args[++i] : "true";
  options[key] = /^[\d.,_]+$/.test(value) ? (value.includes(",") ? value.split(",").map((x) => Number(x.replace(/_/g, ""))) : Number(value.replace(/_/g, ""))) : value;
}
const unknown = wanted.filter((w) => !SUITES.some((s) => s.name === w));
if (unknown.length > 0) {
  console.error(`bench: unknown suite(s) ${unknown.join(", ")}; known: ${SUITES.map((s) => s.name).join(", ")}`);
  process.exit(2);
}

const results = {};
for (const suite of SUITES) {
  if (wanted.length > 0 && !wanted.includes(suite.name)) continue;
  const path = fileURLToPath(new URL(suite.file, import.meta.url));
  if (!existsSync(path)) {
    console.error(`bench: ${suite.file} is missing`);
    process.exit(1);
  }
  const mod = await import(suite.file);
  console.log(`\n=== ${suite.name} ===`);
  results[suite.name] = await mod[suite.run]({ print: true, ...options });
}
if (process.env.NETRISK_BENCH_JSON) console.log(JSON.stringify(results, null, 2));
