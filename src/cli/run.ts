/**
 * Shared plumbing for every CLI command: uniform error reporting and exit codes.
 *
 * Exit codes: 0 success; 2 bad input (one line on stderr: `netrisk: error: <path>: <code>: <message>`, and with
 * `--json` an `{ "error": { "code", "issues" } }` document on stdout); 1 an internal error (a bug).
 * @module
 */
import { NetriskError, type Issue, type Result } from "../errors.js";
import { toJson } from "./output.js";

export const EXIT_OK = 0;
export const EXIT_INTERNAL = 1;
export const EXIT_INPUT = 2;

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

function oneLine(issues: readonly Issue[]): string {
  const first = issues[0];
  if (!first) return "error";
  const head = first.path ? `${first.path}: ${first.code}: ${first.message}` : `${first.code}: ${first.message}`;
  return issues.length > 1 ? `${head} (and ${issues.length - 1} more issue${issues.length > 2 ? "s" : ""})` : head;
}

/**
 * Run a command body and map its outcome to an exit code. Input problems print one line (all issues with
 * `--json`), never a stack trace; anything else is an internal error.
 */
export async function runCommand(io: Io, json: boolean, body: () => Promise<void> | void): Promise<number> {
  try {
    await body();
    return EXIT_OK;
  } catch (e) {
    if (e instanceof NetriskError) {
      const internal = e.code === "internal";
      if (json) io.out(JSON.stringify({ error: { code: e.code, issues: e.issues } }, null, 2));
      io.err(`netrisk: error: ${oneLine(e.issues)}`);
      if (!json && e.issues.length > 1) for (const i of e.issues.slice(1, 20)) io.err(`  ${i.path ? `${i.path}: ` : ""}${i.code}: ${i.message}`);
      return internal ? EXIT_INTERNAL : EXIT_INPUT;
    }
    io.err(`netrisk: internal error: ${(e as Error).stack ?? String(e)}`);
    return EXIT_INTERNAL;
  }
}

/** Print a computed result: JSON (validated finite) with `--json`, otherwise the text rendering. */
export function emit(io: Io, json: boolean, value: unknown, text: () => string): void {
  io.out(json ? toJson(value) : text());
}
