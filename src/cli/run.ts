/**
 * Shared plumbing for every CLI command: the error contract and the exit codes (docs/cli.md "Conventions").
 *
 * Exit codes: 0 success; 2 bad input; 1 a bug. Every error, whatever raised it (a command's own check, the engine,
 * commander's parser, an unexpected exception), prints ONE line on stderr, `netrisk: error: <path>: <code>: <message>`,
 * and with `--json` the error document `{ "error": { "code", "issues": [...] } }` (src/errors.ts, shared with the HTTP
 * service) on stdout. A stack trace is never shown (NETRISK_DEBUG=1 adds it for a developer).
 * @module
 */
import { assertFinite, EXIT_BUG, EXIT_INPUT, EXIT_OK, errorDocument, errorLine, exitCodeOf, issuesOf, NetriskError, type Issue, type Result } from "../errors.js";
import { toJson } from "./output.js";

export { EXIT_BUG as EXIT_INTERNAL, EXIT_INPUT, EXIT_OK };

/** Output sink, injectable so tests can run commands in-process. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** True when stdout is a terminal (progress output is only for terminals). */
  readonly isTty: boolean;
  /**
   * Raw progress output (no newline added, `\r` redraws), present only when stderr is a terminal: long commands draw a
   * progress bar through it and print nothing but the result otherwise.
   */
  readonly progress?: (text: string) => void;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith("\n") ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith("\n") ? t : `${t}\n`),
  isTty: Boolean(process.stdout.isTTY),
  ...(process.stderr.isTTY ? { progress: (t: string) => void process.stderr.write(t) } : {}),
};

/** Unwrap a Result inside a command, turning issues into a NetriskError handled by {@link runCommand}. */
export function need<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new NetriskError(r.issues);
}

/**
 * Report issues by the contract: one line on stderr, the error document on stdout under `--json`; returns the exit
 * code (2 bad input, 1 a bug). `cause` (the thrown value, if any) adds its stack under NETRISK_DEBUG=1 only.
 */
export function reportIssues(io: Io, json: boolean, issues: readonly Issue[], cause?: unknown): number {
  if (json) io.out(JSON.stringify(errorDocument(issues), null, 2));
  io.err(`netrisk: error: ${errorLine(issues)}`);
  if (process.env.NETRISK_DEBUG === "1" && cause instanceof Error && cause.stack !== undefined) io.err(cause.stack);
  return exitCodeOf(issues);
}

/** Run a command body and map its outcome to an exit code (see the module doc). */
export async function runCommand(io: Io, json: boolean, body: () => Promise<void> | void): Promise<number> {
  try {
    await body();
    return EXIT_OK;
  } catch (e) {
    return reportIssues(io, json, issuesOf(e), e);
  }
}

/**
 * Print a computed result: JSON with `--json`, otherwise the text rendering. Both pass the finite-number guard first,
 * so a NaN anywhere in the result is a `non_finite_result` error naming the figure (exit 1), never printed.
 */
export function emit(io: Io, json: boolean, value: unknown, text: () => string): void {
  assertFinite(value, "this command");
  io.out(json ? toJson(value) : text());
}
