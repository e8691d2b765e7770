/**
 * Shared plumbing for every CLI command: the error contract and the exit codes (docs/cli.md "Conventions").
 *
 * Exit codes: 0 success; 2 bad input; 1 a bug. Every error, whatever raised it (a command's own check, the engine,
 * commander's parser, an unexpected exception), prints ONE line on stderr, `netrisk: error: <path>: <code>: <message>`,
 * and with `--json` the error document `{ "error": { "code", "issues": [...] } }` (src/errors.ts, shared with the HTTP
 * service) on stdout. A stack trace is never shown (NETRISK_DEBUG=1 adds it for a developer).
 * @module
 */
import { assertFinite, cleanIssue, EXIT_BUG, EXIT_INPUT, EXIT_OK, errorDocument, errorLine, exitCodeOf, issuesOf, NetriskError, type Issue, type Result } from "../errors.js";
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
  /**
   * Call `listener` once stdout can no longer be written (its reader is gone: EPIPE); output is dropped from then on.
   * Absent for sinks that cannot fail. A long-running command (`netrisk worker`) uses it to stop cleanly.
   */
  readonly onOutClosed?: (listener: (error: Error) => void) => void;
  /**
   * A promise that settles once stdout has taken what was written (its buffer below its high-water mark, or its
   * reader gone), or undefined when nothing waits. A command that writes much in a loop of its own (`netrisk replay
   * --figures`: gigabytes over a day) awaits it between steps: otherwise, into a pipe read slower than it is written,
   * every line waits in memory until the process runs out of it.
   */
  readonly outDrained?: () => Promise<void> | undefined;
}

/** The part of a Node stream an Io needs. */
export interface TextStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** Node's writable: true once a write went past the high-water mark, until 'drain'. */
  readonly writableNeedDrain?: boolean;
  on?(event: "error", listener: (error: Error) => void): unknown;
  once?(event: "drain", listener: () => void): unknown;
}

/**
 * An Io on two streams: progress output exists only when `stderr` is a terminal. A write error (the reader of a pipe
 * gone) is an asynchronous 'error' event, which unhandled ends the process with a stack trace: it is handled here,
 * and the stream's later output dropped (there is no one to read it).
 */
export function streamIo(stdout: TextStream, stderr: TextStream): Io {
  let outError: Error | null = null;
  let errError: Error | null = null;
  const listeners: ((error: Error) => void)[] = [];
  const waiting = new Set<() => void>();
  stdout.on?.("error", (e) => {
    if (outError !== null) return;
    outError = e;
    for (const l of listeners.splice(0)) l(e);
    for (const w of [...waiting]) w();
  });
  stderr.on?.("error", (e) => {
    errError ??= e;
  });
  const line = (t: string): string => (t.endsWith("\n") ? t : `${t}\n`);
  return {
    out: (t) => void (outError === null && stdout.write(line(t))),
    err: (t) => void (errError === null && stderr.write(line(t))),
    isTty: stdout.isTTY === true,
    ...(stderr.isTTY === true ? { progress: (t: string) => void (errError === null && stderr.write(t)) } : {}),
    ...(stdout.on !== undefined
      ? {
          onOutClosed: (l: (error: Error) => void) => {
            if (outError !== null) l(outError);
            else listeners.push(l);
          },
        }
      : {}),
    ...(stdout.once !== undefined
      ? {
          outDrained: () => {
            if (outError !== null || stdout.writableNeedDrain !== true) return undefined;
            return new Promise<void>((resolve) => {
              // Settled by 'drain', or by the reader going away (no 'drain' comes then).
              const done = (): void => {
                waiting.delete(done);
                resolve();
              };
              waiting.add(done);
              stdout.once?.("drain", done);
            });
          },
        }
      : {}),
  };
}

export const processIo: Io = streamIo(process.stdout, process.stderr);

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

/**
 * Warnings of the command being run (e.g. CSV rows the market loader dropped): {@link emit} prints them with the
 * result, on stderr as `netrisk: warning: <path>: <code>: <message>` lines, and under `--json` as the document's
 * `warnings` array. One command runs at a time in a process; {@link runCommand} starts each with none.
 */
let pendingWarnings: Issue[] = [];

/** Add warnings to the command's output (see {@link emit}). */
export function warn(warnings: readonly Issue[]): void {
  for (const w of warnings) pendingWarnings.push(w);
}

/** At most this many warning lines on stderr (the JSON document carries them all). */
const MAX_WARNING_LINES = 20;

/** Run a command body and map its outcome to an exit code (see the module doc). */
export async function runCommand(io: Io, json: boolean, body: () => Promise<void> | void): Promise<number> {
  pendingWarnings = [];
  running = { io, json };
  try {
    await body();
    return EXIT_OK;
  } catch (e) {
    return reportIssues(io, json, issuesOf(e), e);
  } finally {
    running = null;
  }
}

/**
 * The command running now (its Io and --json), for steps every command shares and that take longer than a second on
 * their own (loading a real option chain): they draw their bar without every command passing its Io down.
 */
let running: { io: Io; json: boolean } | null = null;

/** The Io and --json of the command running now, or null outside a command (library use). */
export function runningCommand(): { io: Io; json: boolean } | null {
  return running;
}

/**
 * Print a computed result: JSON with `--json`, otherwise the text rendering. Both pass the finite-number guard first,
 * so a NaN anywhere in the result is a `non_finite_result` error naming the figure (exit 1), never printed.
 */
export function emit(io: Io, json: boolean, value: unknown, text: () => string): void {
  assertFinite(value, "this command");
  const warnings = pendingWarnings.map(cleanIssue);
  pendingWarnings = [];
  const withWarnings = warnings.length > 0 && value !== null && typeof value === "object" && !Array.isArray(value) ? { ...value, warnings } : value;
  io.out(json ? toJson(withWarnings) : text());
  if (json) return;
  for (const w of warnings.slice(0, MAX_WARNING_LINES)) io.err(`netrisk: warning: ${w.path}: ${w.code}: ${w.message}`);
  if (warnings.length > MAX_WARNING_LINES) io.err(`netrisk: warning: ${warnings.length - MAX_WARNING_LINES} more warning(s) (--json lists all)`);
}
