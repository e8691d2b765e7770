/**
 * Translate zod issues into netrisk {@link Issue}s with stable codes, so every file format reports problems the same way
 * (`index.BTC: non_finite: ...`) whatever the validation library says.
 * @module
 */
import type { z } from "zod";
import { issue, joinPath, capIssues } from "../errors.js";
import type { Issue, IssueCode } from "../errors.js";

/** Strings that JSON producers write for non-finite floats (`"NaN"`, `"Infinity"`, `"-inf"`, ...). */
const NON_FINITE_TEXT = /^[+-]?(nan|inf|infinity)$/i;

/** Options for {@link zodIssuesToIssues}. */
export interface ZodIssueMapping {
  /**
   * Code for a record key that failed its key schema, given the record's path (e.g. `instruments` →
   * `malformed_instrument`). Default `invalid_value`.
   */
  readonly keyCode?: (recordPath: string) => IssueCode;
}

/**
 * Map zod issues to netrisk issues. `input` is the value that was parsed: it is read at each issue's path to tell a
 * missing field (`required`) from a non-finite number (`non_finite`, also for `"NaN"`/`"Infinity"` strings and for
 * `1e999`, which `JSON.parse` turns into Infinity) from a wrong type (`invalid_type`).
 * Bounds: a failed `> 0` is `not_positive`, any other bound `out_of_range`; unknown fields are `invalid_value`, one
 * issue per field.
 */
export function zodIssuesToIssues(issues: readonly z.core.$ZodIssue[], input: unknown, mapping: ZodIssueMapping = {}): Issue[] {
  const out: Issue[] = [];
  for (const zi of issues) {
    const path = pathOf(zi.path);
    switch (zi.code) {
      case "invalid_type": {
        const value = valueAt(input, zi.path);
        if (value === undefined) out.push(issue("required", path, `required ${zi.expected}`));
        else if ((typeof value === "number" && !Number.isFinite(value)) || (typeof value === "string" && NON_FINITE_TEXT.test(value.trim())))
          out.push(issue("non_finite", path, `must be a finite number, got ${describe(value)}`));
        else out.push(issue("invalid_type", path, `expected ${zi.expected}, got ${describe(value)}`));
        break;
      }
      case "too_small":
        if (zi.origin === "number" && Number(zi.minimum) === 0 && !zi.inclusive)
          out.push(issue("not_positive", path, `must be > 0, got ${describe(valueAt(input, zi.path))}`));
        else out.push(issue("out_of_range", path, `must be ${zi.inclusive ? "≥" : ">"} ${String(zi.minimum)}, got ${describe(valueAt(input, zi.path))}`));
        break;
      case "too_big":
        out.push(issue("out_of_range", path, `must be ${zi.inclusive ? "≤" : "<"} ${String(zi.maximum)}, got ${describe(valueAt(input, zi.path))}`));
        break;
      case "unrecognized_keys":
        for (const key of zi.keys) out.push(issue("invalid_value", joinPath(path, key), "unknown field (check the spelling; see docs/formats.md)"));
        break;
      case "invalid_key": {
        const recordPath = pathOf(zi.path.slice(0, -1));
        const code = mapping.keyCode?.(recordPath) ?? "invalid_value";
        const detail = zi.issues.map((i) => i.message).join("; ");
        out.push(issue(code, path, `invalid key ${describe(zi.path[zi.path.length - 1])}: ${detail}`));
        break;
      }
      case "invalid_format":
        out.push(issue("invalid_value", path, `${describe(valueAt(input, zi.path))} is not a valid ${zi.format}${zi.format === "datetime" ? " (RFC 3339 with seconds and a zone, e.g. 2024-06-17T10:22:20.501Z)" : ""}`));
        break;
      default:
        out.push(issue("invalid_value", path, zi.message));
    }
  }
  return capIssues(out);
}

function pathOf(segments: readonly PropertyKey[]): string {
  return joinPath(...segments.map((s) => (typeof s === "number" ? s : String(s))));
}

/** The value at a zod path inside `root`, or undefined when any step is missing. */
function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function describe(value: unknown): string {
  if (typeof value === "number") return String(value);
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  if (typeof value === "object") return "an object";
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
