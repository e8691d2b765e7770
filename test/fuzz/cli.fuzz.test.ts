/**
 * Fuzz targets of the live engine's and the cascade's commands, run in process as a user runs them (issues 11 and
 * 15): `netrisk replay` over tick files of mutated, repeated, out-of-order and broken lines, and `netrisk cascade`
 * with any `--move`, `--insurance-fund` and `--max-rounds` text. Each run must exit 0 with JSON lines that parse (the
 * last one the summary) or exit 2 with the one error document; never 1 (a bug), never a stack trace. Seeded, small
 * here; `npm run fuzz -- --runs N --only "commands"` runs more.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { firstNonFinitePath } from "../../src/errors.js";
import { runCli } from "../cli/helpers.js";
import type { CliRun } from "../cli/helpers.js";
import { anyDouble, applyMutations, emptyCounts, mutationArb, record, report, runsFor } from "./harness.js";
import type { FuzzCounts } from "./harness.js";

const DIR = mkdtempSync(join(tmpdir(), "netrisk-cli-fuzz-"));
const T0 = Date.parse((JSON.parse(readFileSync("examples/market.json", "utf8")) as { timestamp: string }).timestamp);

/** Exit 0 with JSON lines (finite, the last a summary) or exit 2 with one error document; anything else a failure. */
function judge(c: FuzzCounts, run: CliRun, input: unknown, lastType: string): void {
  const stack = /\n\s+at .+\(.+:\d+:\d+\)/.test(run.stdout + run.stderr);
  if (run.code === 2 && !stack) {
    try {
      const doc = JSON.parse(run.stdout) as { error?: { code?: string; issues?: unknown[] } };
      record(c, doc.error?.code !== undefined && Array.isArray(doc.error.issues) ? "coded" : "uncoded", input, run.stdout.slice(0, 300));
    } catch {
      record(c, "uncoded", input, `exit 2, stdout not one JSON document: ${run.stdout.slice(0, 200)}`);
    }
    return;
  }
  if (run.code !== 0 || stack) {
    record(c, "crash", input, `exit ${run.code}: ${(run.stderr || run.stdout).slice(0, 300)}`);
    return;
  }
  const lines = run.stdout.split("\n").filter((l) => l !== "");
  try {
    const docs = lines.map((l) => JSON.parse(l) as { type?: string });
    const bad = docs.map((d) => firstNonFinitePath(d)).find((p) => p !== undefined);
    if (bad !== undefined) record(c, "nonFinite", input, `non-finite at ${bad}`);
    else if (docs[docs.length - 1]?.type !== lastType) record(c, "uncoded", input, `last line is not the ${lastType}: ${lines[lines.length - 1]?.slice(0, 200)}`);
    else record(c, "ok", input, "");
  } catch (e) {
    record(c, "uncoded", input, `a line is not JSON: ${(e as Error).message}`);
  }
}

const isoAt = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

describe("fuzz: commands (replay, cascade)", () => {
  afterAll(() => rmSync(DIR, { recursive: true, force: true }));

  it("netrisk replay over tick files of mutated, repeated, out-of-order and broken lines", async () => {
    const tick = (seq: number, s: number, btc: number) => ({ seq, ts: isoAt(s), index: { BTC: 90000 * btc, ETH: 3000 }, instruments: { "BTC-PERPETUAL": { markPrice: 90000 * btc } } });
    const line = fc.oneof(
      { weight: 6, arbitrary: fc.record({ seq: fc.integer({ min: -1, max: 30 }), s: fc.integer({ min: -10, max: 3600 }), btc: fc.oneof(fc.double({ min: 0.5, max: 1.5, noNaN: true }), anyDouble()), ms: fc.oneof(fc.constant([]), mutationArb()) }).map((x) => JSON.stringify(applyMutations(tick(x.seq, x.s, x.btc), x.ms))) },
      { weight: 1, arbitrary: fc.constantFrom("", "{", "[]", "null", "{\"seq\":1}", "\u0000", "1e999") },
      { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
    );
    const arb = fc.record({ lines: fc.array(line, { minLength: 0, maxLength: 8 }), figures: fc.boolean(), breakers: fc.boolean() });
    const c = emptyCounts("cli-replay");
    for (const [i, x] of fc.sample(arb, { numRuns: runsFor(25, 0.02), seed: 1301 }).entries()) {
      const file = join(DIR, `ticks-${i}.jsonl`);
      writeFileSync(file, x.lines.join("\n"));
      const args = ["replay", "--accounts", "examples/account.json", "--market", "examples/market.json", "--ticks", file, "--json", ...(x.figures ? ["--figures"] : []), ...(x.breakers ? ["--breakers", "presets/breakers-default.json"] : [])];
      judge(c, await runCli(...args), x, "summary");
    }
    report(c);
    expect(c.crash + c.nonFinite + c.uncoded, `${JSON.stringify({ ...c, examples: undefined })}\n${c.examples.join("\n")}`).toBe(0);
    expect(c.ok).toBeGreaterThan(0);
  }, 120_000);

  it("netrisk cascade with any --move, --insurance-fund and --max-rounds text", async () => {
    const number = fc.oneof(anyDouble().map(String), fc.constantFrom("", "abc", "1e999", "-0", "0x10", "1_0", " 5", "NaN"), fc.double({ min: -0.99, max: 1, noNaN: true }).map(String));
    const move = fc.oneof(
      fc.array(fc.tuple(fc.constantFrom("BTC", "ETH", "SOL", "btc", "", "USDC"), number), { minLength: 1, maxLength: 3 }).map((xs) => xs.map(([b, m]) => `${b}=${m}`).join(",")),
      fc.string({ maxLength: 20 }),
    );
    const arb = fc.record({ move, fund: fc.option(number, { nil: undefined }), rounds: fc.option(fc.oneof(number, fc.integer({ min: 0, max: 5 }).map(String)), { nil: undefined }), policy: fc.constantFrom("deribit-incremental", "derive-auction", "paradex-steps", "hyperliquid-backstop", "nope") });
    const c = emptyCounts("cli-cascade");
    for (const x of fc.sample(arb, { numRuns: runsFor(25, 0.02), seed: 1302 })) {
      const args = ["cascade", "--accounts", "examples/account.json", "--market", "examples/market.json", "--move", x.move, "--policy", x.policy, "--json", ...(x.fund !== undefined ? ["--insurance-fund", x.fund] : []), ...(x.rounds !== undefined ? ["--max-rounds", x.rounds] : [])];
      judge(c, await runCli(...args), x, "cascade");
    }
    report(c);
    expect(c.crash + c.nonFinite + c.uncoded, `${JSON.stringify({ ...c, examples: undefined })}\n${c.examples.join("\n")}`).toBe(0);
    expect(c.ok).toBeGreaterThan(0);
  }, 120_000);
});
