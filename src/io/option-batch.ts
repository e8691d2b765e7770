/**
 * The batch option formats of `netrisk price --batch` and `netrisk iv --batch`: a JSON array of rows
 * `{ type, forward, strike, timeYears, vol | price, rate?, settlement }`. Each row is validated on its own, so one bad
 * row is reported (with its index) without losing the others. Units: docs/formats.md "Option batch".
 * @module
 */
import { issue, joinPath, type Issue } from "../errors.js";
import type { OptionSettlement } from "../pricing/batch.js";
import { checkBound, type BoundName } from "../market/bounds.js";

/** One validated row. `value` is the vol (decimal) for pricing, the price (settlement unit) for implied vol. */
export interface OptionRow {
  readonly isCall: boolean;
  readonly forwardUsd: number;
  readonly strikeUsd: number;
  readonly timeYears: number;
  readonly rateDecimal: number;
  readonly settlement: OptionSettlement;
  readonly value: number;
}

export type RowOutcome = { readonly ok: true; readonly row: OptionRow } | { readonly ok: false; readonly issues: readonly Issue[] };

const KNOWN_KEYS = new Set(["type", "forward", "strike", "timeYears", "vol", "price", "rate", "settlement"]);

/**
 * Validate one row. `valueField` is `vol` (pricing: finite, > 0) or `price` (implied vol: finite, ≥ 0).
 * Paths are `[i].field`; unknown keys are rejected (a typo such as `strik` must not silently default).
 */
export function validateOptionRow(raw: unknown, index: number, valueField: "vol" | "price"): RowOutcome {
  const at = (f: string) => joinPath(index, f);
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return { ok: false, issues: [issue("invalid_type", joinPath(index), "expected an object")] };
  }
  const o = raw as Record<string, unknown>;
  const issues: Issue[] = [];
  for (const k of Object.keys(o)) {
    if (!KNOWN_KEYS.has(k)) issues.push(issue("invalid_value", at(k), `unknown field ${JSON.stringify(k)}`));
  }
  const other = valueField === "vol" ? "price" : "vol";
  if (other in o) issues.push(issue("invalid_value", at(other), `not used here: this command takes ${valueField}`));
  const num = (field: string, rule: "positive" | "nonnegative" | "finite", required: boolean, bound?: BoundName): number => {
    const v = o[field];
    if (v === undefined) {
      if (required) issues.push(issue("required", at(field), "missing"));
      return 0;
    }
    if (typeof v !== "number") {
      issues.push(issue("invalid_type", at(field), `expected a number, got ${JSON.stringify(v)}`));
      return 0;
    }
    if (!Number.isFinite(v)) issues.push(issue("non_finite", at(field), `expected a finite number, got ${v}`));
    else if (rule === "positive" && !(v > 0)) issues.push(issue("not_positive", at(field), `expected > 0, got ${v}`));
    else if (rule === "nonnegative" && v < 0) issues.push(issue("out_of_range", at(field), `expected ≥ 0, got ${v}`));
    // The engine's domain (market/bounds.ts): inside it every kernel is finite.
    else if (bound !== undefined) checkBound(issues, v, bound, at(field), field);
    return v;
  };
  const type = o.type;
  if (type !== "call" && type !== "put") issues.push(issue("invalid_value", at("type"), `expected "call" or "put", got ${JSON.stringify(type)}`));
  const settlement = o.settlement ?? "linear";
  if (settlement !== "linear" && settlement !== "inverse") {
    issues.push(issue("invalid_value", at("settlement"), `expected "linear" or "inverse", got ${JSON.stringify(settlement)}`));
  }
  const forwardUsd = num("forward", "positive", true, "priceUsd");
  const strikeUsd = num("strike", "positive", true, "priceUsd");
  const timeYears = num("timeYears", "positive", true, "timeYears");
  const rateDecimal = num("rate", "finite", false, "rateDecimal");
  const value = num(valueField, valueField === "vol" ? "positive" : "nonnegative", true, valueField === "vol" ? "volDecimal" : "optionPrice");
  if (issues.length > 0) return { ok: false, issues };
  return {
    ok: true,
    row: { isCall: type === "call", forwardUsd, strikeUsd, timeYears, rateDecimal, settlement: settlement as OptionSettlement, value },
  };
}
