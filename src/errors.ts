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
  // Venue imports (src/venues): a file that is not the named venue's response; a size in the wrong unit (a Deribit
  // futures size in coin); a response that says it is one page of several.
  "wrong_venue",
  "unit_mismatch",
  "incomplete_response",
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

/** Unwrap a Result or throw a {@link NetriskError}. For boundaries and tests, not for kernels. */
export function unwrap<T>(r: Result<T>): T {
  if (r.ok) return r.value;
  throw new NetriskError(r.issues);
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
