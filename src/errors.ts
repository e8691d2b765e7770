/**
 * Errors as data. Every input problem is an {@link Issue} with a stable `code` and the `path` of the bad field
 * (`positions[3].instrument`), so a CLI can print one line, an API can answer 4xx with the list, and a test can
 * assert on the code instead of on prose.
 * @module
 */

/** Stable machine-readable issue codes. Add new codes at the end; never rename one (users match on them). */
export const ISSUE_CODES = [
  "invalid_json",
  "invalid_type",
  "required",
  "non_finite",
  "not_positive",
  "out_of_range",
  "invalid_value",
  "unknown_instrument",
  "malformed_instrument",
  "expired_instrument",
  "missing_index",
  "missing_quote",
  "missing_vol",
  "no_implied_vol",
  "price_below_intrinsic",
  "price_above_bound",
  "file_not_found",
  "file_unreadable",
  "invalid_csv",
  "invalid_parameter_set",
  "unknown_model",
  "unsupported",
  "duplicate",
  "internal",
  // History files (src/risk/history): a missing day inside a daily series; a date that is not a UTC day or out of order.
  "history_gap",
  "misaligned_date",
  // An output file (e.g. the backtest's HTML report) that cannot be written.
  "file_unwritable",
  // Command-line usage: an option or a command the program does not have.
  "unknown_option",
  "unknown_command",
  // A computed figure that is NaN or ±Infinity (always a bug: the finite-number guard names the figure).
  "non_finite_result",
  // An input beyond the size the engine accepts (a file's bytes, a market's instruments, an array's length).
  "too_large",
  // A position or trade on an instrument whose market row was dropped by the loader (file:line in the message).
  "dropped_row",
  // A hypothetical trade priced outside the band around the mark (account rules `priceBand`).
  "outside_price_band",
  // A forward (future mark, option underlying price) whose carry against the index no market could have.
  "implausible_carry",
  // Live core inputs (docs/live.md): an input whose seq is not after the last one; a price that moves more in one tick
  // than the live parameters allow; an underlying whose marks a circuit breaker froze; an account the book lacks.
  "out_of_order",
  "implausible_move",
  "frozen_by_breaker",
  "unknown_account",
  // Venue imports (src/venues): a file that is not the named venue's response; a size in the wrong unit (a Deribit
  // futures size in coin); a response that says it is one page of several.
  "wrong_venue",
  "unit_mismatch",
  "incomplete_response",
  // The service (src/server, src/store, `netrisk keys`): authentication, permission, lookup, concurrency, transport.
  "unauthorized",
  "forbidden",
  "not_found",
  "version_conflict",
  "idempotency_mismatch",
  "payload_too_large",
  "unsupported_media_type",
  "method_not_allowed",
  "data_locked",
  "unavailable",
  "replayed",
] as const;

export type IssueCode = (typeof ISSUE_CODES)[number];

/** One problem with an input: what (`code`), where (`path`, dot/bracket notation, "" for the whole input), why. */
export interface Issue {
  readonly code: IssueCode;
  readonly path: string;
  readonly message: string;
}

/** A result that is either a value or a non-empty list of issues. Kernels never throw on bad data; boundaries return this. */
export type Result<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: readonly Issue[] };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = <T = never>(...issues: Issue[]): Result<T> => ({ ok: false, issues });
export const issue = (code: IssueCode, path: string, message: string): Issue => ({ code, path, message });

/** Thrown at a boundary when input is rejected; carries the full issue list. */
export class NetriskError extends Error {
  readonly issues: readonly Issue[];
  constructor(issues: readonly Issue[], options?: { cause?: unknown }) {
    super(formatIssues(issues), options);
    this.name = "NetriskError";
    this.issues = issues;
  }
  /** The first issue's code: what the CLI reports as the reason. */
  get code(): IssueCode {
    return this.issues[0]?.code ?? "internal";
  }
}

/** `path: code: message` per issue, one per line (or just `code: message` when the path is empty). */
export function formatIssues(issues: readonly Issue[]): string {
  return issues.map((i) => (i.path ? `${i.path}: ${i.code}: ${i.message}` : `${i.code}: ${i.message}`)).join("\n");
}

/** Codes that mean a bug in netrisk, not bad input: exit 1 in the CLI, 5xx in an API. Every other code is bad input. */
export const BUG_CODES: readonly IssueCode[] = ["internal", "non_finite_result"];

/** Exit codes of the `netrisk` command (docs/cli.md): 0 success, 1 a bug, 2 bad input. */
export const EXIT_OK = 0;
export const EXIT_BUG = 1;
export const EXIT_INPUT = 2;

/** True when the issues report a bug in netrisk (any issue with a {@link BUG_CODES} code). */
export function isBug(issues: readonly Issue[]): boolean {
  return issues.some((i) => BUG_CODES.includes(i.code));
}

/** Exit code for a run that ended with these issues: 1 when any is a bug, else 2 (bad input). */
export function exitCodeOf(issues: readonly Issue[]): 1 | 2 {
  return isBug(issues) ? EXIT_BUG : EXIT_INPUT;
}

/** HTTP status for the same issues, for an API answering with {@link errorDocument}: 500 for a bug, 413 for too_large, else 400. */
export function httpStatusOf(issues: readonly Issue[]): 400 | 413 | 500 {
  if (isBug(issues)) return 500;
  return issues.some((i) => i.code === "too_large") ? 413 : 400;
}

/** One line of text: control characters and line breaks become spaces, runs of spaces collapse, at most `max` chars. */
export function singleLine(text: string, max = 2000): string {
  let flat = "";
  for (const ch of text) flat += ch.charCodeAt(0) < 0x20 || ch === "\u007f" ? " " : ch;
  flat = flat.replace(/ {2,}/g, " ").trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

/** The same issue with its path and message on one line each (what every output carries). */
export function cleanIssue(i: Issue): Issue {
  return { code: i.code, path: singleLine(i.path, 500), message: singleLine(i.message) };
}

/**
 * The error document every front end answers with (the CLI under `--json`, the HTTP service):
 * `{ "error": { "code", "issues": [{ "code", "path", "message" }, ...] } }`, `code` being the first issue's.
 */
export interface ErrorDocument {
  readonly error: { readonly code: IssueCode; readonly issues: readonly Issue[] };
}

export function errorDocument(issues: readonly Issue[]): ErrorDocument {
  const list = issues.length > 0 ? issues.map(cleanIssue) : [issue("internal", "", "an error without issues (a bug: please report it)")];
  return { error: { code: (list[0] as Issue).code, issues: list } };
}

/** `path: code: message` of the first issue, one line, with "(and N more issues)" when there are more. */
export function errorLine(issues: readonly Issue[]): string {
  const first = issues[0];
  if (first === undefined) return "internal: an error without issues (a bug: please report it)";
  const c = cleanIssue(first);
  const head = c.path ? `${c.path}: ${c.code}: ${c.message}` : `${c.code}: ${c.message}`;
  const more = issues.length - 1;
  return more > 0 ? `${head} (and ${more} more issue${more > 1 ? "s" : ""})` : head;
}

/**
 * The issues behind anything thrown: a {@link NetriskError}'s own, or one `internal` issue for anything else (a bug),
 * whose message is the error's own message, never its stack.
 */
export function issuesOf(e: unknown): readonly Issue[] {
  if (e instanceof NetriskError) return e.issues;
  const what = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
  return [issue("internal", "", `${what} (a bug: please report it)`)];
}

/**
 * The path of the first number in `value` that is NaN or ±Infinity (objects, arrays and typed arrays are walked; the
 * path is in the dot/bracket notation of issue paths), or undefined when every number is finite.
 */
export function firstNonFinitePath(value: unknown, path = ""): string | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? undefined : path;
  if (value === null || typeof value !== "object") return undefined;
  if (ArrayBuffer.isView(value)) {
    const a = value as unknown as ArrayLike<number | bigint>;
    for (let i = 0; i < a.length; i++) {
      const x = a[i];
      if (typeof x === "number" && !Number.isFinite(x)) return `${path}[${i}]`;
    }
    return undefined;
  }
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const p = firstNonFinitePath(value[i], `${path}[${i}]`);
      if (p !== undefined) return p;
    }
    return undefined;
  }
  if (value instanceof Map) {
    for (const [k, v] of value) {
      const p = firstNonFinitePath(v, joinPath(path, String(k)));
      if (p !== undefined) return p;
    }
    return undefined;
  }
  for (const k of Object.keys(value)) {
    const p = firstNonFinitePath((value as Record<string, unknown>)[k], joinPath(path, k));
    if (p !== undefined) return p;
  }
  return undefined;
}

/**
 * The finite-number guard: `value` unchanged when every number in it is finite, else a `non_finite_result` issue
 * naming the figure (`what` says whose result it is, e.g. "model deribit"). Every model result, account figure and CLI
 * output passes it before it leaves the engine: a NaN is reported as a bug, never printed.
 */
export function guardFinite<T>(value: T, what: string): Result<T> {
  const at = firstNonFinitePath(value);
  if (at === undefined) return ok(value);
  return fail(issue("non_finite_result", at, `${what} computed a non-finite number at ${at || "the top level"} (a bug: please report it)`));
}

/** {@link guardFinite} that throws the issue as a {@link NetriskError}. */
export function assertFinite<T>(value: T, what: string): T {
  const r = guardFinite(value, what);
  if (!r.ok) throw new NetriskError(r.issues);
  return r.value;
}

/** Unwrap a Result or throw a {@link NetriskError}. For boundaries and tests, not for kernels. */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new NetriskError(r.issues);
}

/** Most issues one validation reports; the rest are counted in one last issue (see {@link capIssues}). */
export const MAX_ISSUES = 1000;

/**
 * At most {@link MAX_ISSUES} issues, the last one saying how many more there were. A file with a million bad rows
 * yields a readable answer, and no caller ever spreads a list of a million issues onto the call stack (`fail(...x)`
 * throws a RangeError past ~100,000 arguments).
 */
export function capIssues(issues: readonly Issue[]): Issue[] {
  if (issues.length <= MAX_ISSUES) return [...issues];
  const head = issues.slice(0, MAX_ISSUES - 1);
  const first = issues[MAX_ISSUES - 1] as Issue;
  return [...head, issue(first.code, first.path, `${first.message} (and ${issues.length - MAX_ISSUES} more issue(s) not listed)`)];
}

/** Join path segments: `joinPath("positions", 3, "instrument")` gives `positions[3].instrument`. */
export function joinPath(...parts: ReadonlyArray<string | number>): string {
  let out = "";
  for (const p of parts) {
    if (typeof p === "number") out += `[${p}]`;
    else if (p !== "") out += out ? `.${p}` : p;
  }
  return out;
}
