#!/usr/bin/env node
/**
 * The `netrisk` command: a thin front end over the library. Every command has `--help`; every command that
 * computes something has `--json`. Business rules live in the engine, never here.
 * @module
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, CommanderError } from "commander";
import { issue, issuesOf, type Issue, type IssueCode } from "../errors.js";
import { processIo, reportIssues, type Io } from "./run.js";
import { registerPricing } from "./commands/pricing.js";
import { registerMargin } from "./commands/margin.js";
import { registerAccount } from "./commands/account.js";
import { registerMarket } from "./commands/market.js";
import { registerRisk } from "./commands/risk.js";
import { registerBacktest } from "./commands/backtest.js";
import { registerVenues } from "./commands/venues.js";
import { registerServe } from "./commands/serve.js";
import { registerAdmin } from "./commands/admin.js";
import { registerLive } from "./commands/live.js";
import { registerWorker } from "./commands/worker.js";
import { registerCascade } from "./commands/cascade.js";
import { registerFund } from "./commands/fund.js";
import { VERSION } from "../version.js";

/** Build the program; `setExit` receives each command's exit code. Exported for in-process tests. */
export function buildProgram(io: Io, setExit: (code: number) => void): Command {
  const program = new Command();
  program
    .name("netrisk")
    .description("Portfolio margin engine for crypto derivatives: risk-matrix (Deribit, Derive), standard margin, pricing and implied vol.")
    .version(VERSION)
    // Commander's own messages (usage errors, help after an error) are not printed: main() turns each CommanderError
    // into one coded line like every other error. Help asked for (--help) goes to stdout.
    .configureOutput({ writeOut: (s) => io.out(s), writeErr: () => undefined, outputError: () => undefined })
    .exitOverride();
  registerMargin(program, io, setExit);
  registerAccount(program, io, setExit);
  registerPricing(program, io, setExit);
  registerMarket(program, io, setExit);
  registerRisk(program, io, setExit);
  registerBacktest(program, io, setExit);
  registerVenues(program, io, setExit);
  registerServe(program, io, setExit);
  registerAdmin(program, io, setExit);
  registerLive(program, io, setExit);
  registerWorker(program, io, setExit);
  registerCascade(program, io, setExit);
  registerFund(program, io, setExit);
  return program;
}

/** Commander's error codes as netrisk issue codes (anything else commander reports is an invalid value). */
const COMMANDER_CODES: Readonly<Record<string, IssueCode>> = {
  "commander.unknownOption": "unknown_option",
  "commander.unknownCommand": "unknown_command",
  "commander.missingArgument": "required",
  "commander.optionMissingArgument": "required",
  "commander.missingMandatoryOptionValue": "required",
  "commander.help": "required",
};

/**
 * A commander usage error as an issue: the path is the option or argument it names (quoted in commander's message),
 * the message commander's own without its "error: " prefix, plus where the usage is.
 */
export function commanderIssue(e: CommanderError, argv: readonly string[]): Issue {
  const command = argv.find((a) => !a.startsWith("-"));
  const named = /'([^']+)'/.exec(e.message)?.[1];
  const path =
    e.code === "commander.help" || e.code === "commander.unknownCommand"
      ? "command"
      : e.code === "commander.excessArguments"
        ? "arguments"
        : (named?.split(" ")[0] ?? "arguments");
  const help = `run netrisk ${e.code === "commander.unknownCommand" || command === undefined ? "" : `${command} `}--help for usage`;
  const message = e.code === "commander.help" ? "give a command" : e.message.replace(/^error: /, "");
  return issue(COMMANDER_CODES[e.code] ?? "invalid_value", path, `${message} (${help})`);
}

/** Run the CLI with the given arguments (without `node` and the script) and return the exit code. */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const json = argv.includes("--json");
  // No command at all (`netrisk`, `netrisk --json`): say so, rather than commander's help on stderr or "unknown option".
  if (!argv.some((a) => !a.startsWith("-")) && !argv.some((a) => ["-h", "--help", "-V", "--version"].includes(a))) {
    return reportIssues(io, json, [issue("required", "command", "give a command (run netrisk --help for the list)")]);
  }
  try {
    const program = buildProgram(io, (c) => {
      code = c;
    });
    await program.parseAsync([...argv], { from: "user" });
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version end with exit code 0 and have printed what was asked.
      if (e.code === "commander.helpDisplayed" || e.code === "commander.version") return 0;
      return reportIssues(io, json, [commanderIssue(e, argv)]);
    }
    return reportIssues(io, json, issuesOf(e), e);
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
      // main() reports every error itself; this is the last resort for a failure of the reporting (a bug).
      process.exitCode = reportIssues(processIo, false, issuesOf(e), e);
    },
  );
}
