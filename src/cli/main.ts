#!/usr/bin/env node
/**
 * The `netrisk` command: a thin front end over the library. Every command has `--help`; every command that
 * computes something has `--json`. Business rules live in the engine, never here.
 * @module
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { EXIT_INPUT, processIo, type Io } from "./run.js";
import { registerPricing } from "./commands/pricing.js";
import { registerMargin } from "./commands/margin.js";
import { registerAccount } from "./commands/account.js";
import { registerMarket } from "./commands/market.js";
import { registerRisk } from "./commands/risk.js";
import { registerBacktest } from "./commands/backtest.js";
import { registerServe } from "./commands/serve.js";
import { registerAdmin } from "./commands/admin.js";
import { VERSION } from "../version.js";

/** Build the program; `setExit` receives each command's exit code. Exported for in-process tests. */
export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name("netrisk")
    .description("Portfolio margin engine for crypto derivatives: risk-matrix (Deribit, Derive), standard margin, pricing and implied vol.")
    .version(VERSION)
    .showHelpAfterError("(run with --help for usage)")
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: (s) => io.err(s) })
    .exitOverride();
  registerMargin(program, io, setExit);
  registerAccount(program, io, setExit);
  registerPricing(program, io, setExit);
  registerMarket(program, io, setExit);
  registerRisk(program, io, setExit);
  registerBacktest(program, io, setExit);
  registerServe(program, io, setExit);
  registerAdmin(program, io, setExit);
  return program;
}

/** Run the CLI with the given arguments (without `node` and the script) and return the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const program = buildProgram(io, (c) => {
    code = c;
  });
  try {
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with exitCode 0; usage errors (unknown option, missing argument) are input errors.
      return e.exitCode === 0 ? 0 : EXIT_INPUT;
    }
    throw e;
  }
  return code;
}

/** True when this module is the process entry point (directly or through the npm bin symlink). */
function isEntryPoint(): boolean {
  const script = process.argv[1];
  if (!script) return false;
  try {
    return realpathSync(script) === fileURLToPath(import.meta.url);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`netrisk: internal error: ${String(e)}\n`);
      process.exitCode = 1;
    },
  );
}
