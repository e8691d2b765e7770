#!/usr/bin/env node
// `npm run fuzz -- --runs N [--seed S] [--only PATTERN]`: the fuzz targets of test/fuzz (one per input boundary, the
// live engine's and the cascade's inputs, one per margin model, the liquidation-plan property) at N inputs × each
// target's weight, through vitest (the targets
// import the TypeScript sources). Prints the inputs and the counts of crashes, non-finite outputs, uncoded errors and
// property violations per target and in total; exits 1 when any is non-zero. Long runs belong here, not in the suite.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] !== undefined ? args[i + 1] : fallback;
};
const runs = Number(flag("--runs", "10000"));
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`netrisk fuzz: --runs must be a positive integer, got ${JSON.stringify(flag("--runs", ""))}`);
  process.exit(2);
}
const only = flag("--only", undefined);
const reportFile = join(mkdtempSync(join(tmpdir(), "netrisk-fuzz-")), "report.jsonl");
const started = Date.now();
const vitest = spawnSync(
  process.execPath,
  ["node_modules/vitest/vitest.mjs", "run", "test/fuzz", "--testTimeout=0", "--hookTimeout=0", "--reporter=dot", ...(only ? ["-t", only] : [])],
  { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, NETRISK_FUZZ_RUNS: String(runs), NETRISK_FUZZ_REPORT: reportFile } },
);
const rows = existsSync(reportFile) ? readFileSync(reportFile, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];
const total = { inputs: 0, ok: 0, coded: 0, crash: 0, nonFinite: 0, uncoded: 0, violations: 0 };
const pad = (s, n) => String(s).padEnd(n);
const num = (x) => x.toLocaleString("en-US");
console.log(`\nnetrisk fuzz: --runs ${runs}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`${pad("target", 52)} ${pad("inputs", 11)} ${pad("ok", 10)} ${pad("coded", 10)} crash  nonFinite  uncoded  violations`);
for (const r of rows) {
  for (const k of Object.keys(total)) total[k] += r[k];
  console.log(`${pad(r.target, 52)} ${pad(num(r.inputs), 11)} ${pad(num(r.ok), 10)} ${pad(num(r.coded), 10)} ${pad(r.crash, 6)} ${pad(r.nonFinite, 10)} ${pad(r.uncoded, 8)} ${r.violations}`);
  for (const e of r.examples) console.log(`    ${e}`);
}
console.log(`${pad("total", 52)} ${pad(num(total.inputs), 11)} ${pad(num(total.ok), 10)} ${pad(num(total.coded), 10)} ${pad(total.crash, 6)} ${pad(total.nonFinite, 10)} ${pad(total.uncoded, 8)} ${total.violations}`);
const failures = total.crash + total.nonFinite + total.uncoded + total.violations;
if (rows.length === 0) console.error("netrisk fuzz: no target reported (vitest failed before running them)");
process.exit(failures > 0 || rows.length === 0 || vitest.status !== 0 ? 1 : 0);
