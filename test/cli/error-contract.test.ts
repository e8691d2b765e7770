/**
 * The CLI error contract (docs/cli.md "Conventions"), on every kind of error path: commander's own usage errors, the
 * commands' flag checks, file and validation errors, batch errors, and a bug. Each must print exactly ONE line on
 * stderr, `netrisk: error: <path>: <code>: <message>` with a code from ISSUE_CODES, exit 2 for bad input (1 only for a
 * bug), and with --json the error document { error: { code, issues: [{ code, path, message }] } } on stdout.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ISSUE_CODES, NetriskError, issue } from "../../src/errors.js";
import { runCommand, type Io } from "../../src/cli/run.js";
import { runCli, type CliRun } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "netrisk-errors-"));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const NOT_JSON = file("broken.json", "{ not json");
const MULTILINE = file("multi.json", JSON.stringify({ positions: [{ instrument: "BTC-PERPETUAL\nsecond line", size: 1 }] }));
const BAD_ROWS = file("rows.json", JSON.stringify([{ type: "call", forward: 1, strike: 1, timeYears: 1, vol: 0.5 }, { type: "cal", forward: -1 }]));
const EX = ["--portfolio", "examples/portfolio.json", "--market", "examples/market.json"];
const ACC = ["--account", "examples/account.json", "--market", "examples/market.json"];

/** Bad invocations of every command, each with the path and code its one line must carry. */
const CASES: readonly (readonly [argv: readonly string[], path: string, code: string])[] = [
  // commander's own errors
  [["margin", "--no-such-flag"], "--no-such-flag", "unknown_option"],
  [["margin", "--market"], "--market", "required"],
  [["frobnicate"], "command", "unknown_command"],
  [[], "command", "required"],
  [["schema"], "format", "required"],
  [["schema", "market", "extra"], "arguments", "invalid_value"],
  [["max-order", ...ACC, "--side", "buy"], "--instrument", "required"],
  [["price", "--type"], "--type", "required"],
  // number flags, echoed as typed
  [["price", "--type", "call", "--forward", "100", "--strike", "abc", "--days", "10", "--vol", "0.5"], "--strike", "invalid_value"],
  [["iv", "--type", "call", "--forward", "100", "--strike", "100", "--days", "10", "--price", ""], "--price", "invalid_value"],
  [["price", "--type", "call", "--forward", "100", "--strike", "100", "--days", "10", "--vol", "0.5", "--rate", ""], "--rate", "invalid_value"],
  [["price", "--type", "call", "--forward", "0x10", "--strike", "100", "--days", "10", "--vol", "0.5"], "--forward", "invalid_value"],
  [["price", "--type", "call", "--forward", "100", "--strike", "100", "--days", "10", "--time-years", "1", "--vol", "0.5"], "--days", "invalid_value"],
  [["price", "--type", "call", "--forward", "100", "--strike", "100", "--days", "abc", "--vol", "0.5"], "--days", "invalid_value"],
  [["price", "--type", "call", "--forward", "1e999", "--strike", "100", "--days", "1", "--vol", "0.5"], "--forward", "non_finite"],
  [["price", "--type", "call", "--forward", "100", "--strike", "100", "--vol", "0.5"], "--time-years", "required"],
  [["price", "--type", "straddle", "--forward", "100", "--strike", "100", "--days", "1", "--vol", "0.5"], "--type", "invalid_value"],
  [["liquidate", "--plan", ...ACC, "--target", "2"], "targetRatio", "out_of_range"],
  [["liquidate", "--plan", ...ACC, "--step", "nan"], "--step", "non_finite"],
  [["hedge", ...ACC, "--candidates", "BTC-PERPETUAL", "--max-trades", "three"], "--max-trades", "invalid_value"],
  [["account", ...ACC, "--betas", "BTC=x"], "--betas BTC", "invalid_value"],
  [["var", ...EX, "--history", "x.csv", "--paths", "1.5", "--method", "montecarlo"], "x.csv", "file_not_found"],
  [["backtest", ...EX, "--history", "test/fixtures/backtest/walk-history.csv", "--horizon-days", "0"], "--horizon-days", "out_of_range"],
  // files and validation
  [["margin", "--portfolio", "nope.json", "--market", "examples/market.json"], "nope.json", "file_not_found"],
  [["margin", "--portfolio", NOT_JSON, "--market", "examples/market.json"], NOT_JSON, "invalid_json"],
  [["margin", "--portfolio", MULTILINE, "--market", "examples/market.json"], "positions[0].instrument", "malformed_instrument"],
  [["margin", ...EX, "--model", "nope"], "model", "unknown_model"],
  [["whatif", ...ACC, "--trade", "BTC-PERPETUAL"], "trades[0]", "invalid_value"],
  [["surface", "--market", "examples/market.json", "--base", "DOGE"], "--base", "missing_index"],
  [["schema", "nope"], "format", "invalid_value"],
  [["cascade", "--accounts", "examples/demo-exchange", "--market", "examples/market.json", "--move", "DOGE=-0.3"], "--move.DOGE", "missing_index"],
  // batch
  [["price", "--batch", BAD_ROWS], "[1].type", "invalid_value"],
  [["price", "--batch", NOT_JSON], NOT_JSON, "invalid_json"],
];

function expectContract(run: CliRun, path: string, code: string, json: boolean): void {
  expect(run.code, run.stderr).toBe(2);
  const lines = run.stderr.split("\n");
  expect(lines.at(-1)).toBe("");
  expect(lines.length, run.stderr).toBe(2); // one line and its newline
  const m = /^netrisk: error: (.*): ([a-z_]+): (.+)$/.exec(lines[0] ?? "");
  expect(m, lines[0]).not.toBeNull();
  expect((ISSUE_CODES as readonly string[]).includes(m?.[2] ?? "")).toBe(true);
  expect([m?.[1], m?.[2]]).toEqual([path, code]);
  if (json) {
    const doc = JSON.parse(run.stdout) as { error?: { code: string; issues: { code: string; path: string; message: string }[] } } | unknown[];
    if (Array.isArray(doc)) return; // a batch answers every row (invalid ones by their error document)
    expect(doc.error?.code).toBe(code);
    expect(doc.error?.issues[0]).toMatchObject({ code, path });
    for (const i of doc.error?.issues ?? []) {
      expect(Object.keys(i).sort()).toEqual(["code", "message", "path"]);
      expect(i.message).not.toMatch(/\n/);
    }
  } else if (!run.stdout.startsWith("[")) expect(run.stdout).toBe("");
}

describe("every error path follows the contract: one coded line, exit 2, the error document under --json", () => {
  it.each(CASES.map(([argv, path, code]) => [argv.join(" ") || "(no arguments)", argv, path, code] as const))("%s", async (_name, argv, path, code) => {
    expectContract(await runCli(...argv), path, code, false);
    // --json right after the command: appended, it would be the missing value of a trailing flag.
    expectContract(await runCli(...argv.slice(0, 1), "--json", ...argv.slice(1)), path, code, true);
  });

  it("numbers are echoed as typed", async () => {
    const run = await runCli("price", "--type", "call", "--forward", "100", "--strike", "abc", "--days", "10", "--vol", "0.5");
    expect(run.stderr).toBe('netrisk: error: --strike: invalid_value: --strike must be a number, got "abc"\n');
    const hex = await runCli("price", "--type", "call", "--forward", "0x10", "--strike", "100", "--days", "10", "--vol", "0.5");
    expect(hex.stderr).toMatch(/got "0x10"/);
    const days = await runCli("max-order", ...ACC, "--instrument", "BTC-PERPETUAL", "--side", "buy", "--lot", "1e-999x");
    expect(days.stderr).toBe('netrisk: error: --lot: invalid_value: --lot must be a number, got "1e-999x"\n');
  });

  it("a bug is exit 1 with one line and no stack trace; NETRISK_DEBUG=1 adds the stack for a developer", async () => {
    let stderr = "";
    let stdout = "";
    const io: Io = { out: (t) => void (stdout += `${t}\n`), err: (t) => void (stderr += `${t}\n`), isTty: false };
    const code = await runCommand(io, true, () => {
      throw new TypeError("x is not a function");
    });
    expect(code).toBe(1);
    expect(stderr).toBe("netrisk: error: internal: TypeError: x is not a function (a bug: please report it)\n");
    expect(JSON.parse(stdout)).toEqual({ error: { code: "internal", issues: [{ code: "internal", path: "", message: "TypeError: x is not a function (a bug: please report it)" }] } });
    const input = await runCommand(io, false, () => {
      throw new NetriskError([issue("out_of_range", "a", "first\nsecond"), issue("required", "b", "more")]);
    });
    expect(input).toBe(2);
    expect(stderr.split("\n").at(-2)).toBe("netrisk: error: a: out_of_range: first second (and 1 more issue)");
  });
});
