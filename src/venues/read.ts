/**
 * Reading fields of venue records: numbers come as JSON numbers (Deribit) or decimal strings (OKX, Bybit, Binance,
 * Hyperliquid, Derive); an empty string means "not given" at OKX and Bybit. Every bad field is a coded issue at
 * `file:record.field`, collected rather than thrown, so one pass reports everything wrong with a file.
 * @module
 */
import { joinPath } from "../errors.js";
import type { Issue } from "../errors.js";
import { venueIssue } from "./types.js";
import type { VenueId } from "./types.js";

const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** A place in a file: venue, file name, record path; and where its issues go. */
export interface Ctx {
  readonly venue: VenueId;
  readonly file: string;
  readonly issues: Issue[];
}

export type Obj = Readonly<Record<string, unknown>>;

export const isObj = (v: unknown): v is Obj => typeof v === "object" && v !== null && !Array.isArray(v);

/** A venue's error message as text: a string as it is, anything else (an object, a number) as its JSON. */
export const messageText = (v: unknown): string => (typeof v === "string" ? v : JSON.stringify(v ?? ""));

/** Add an issue at `at` (a record path such as `data[3].instId`). */
export function report(ctx: Ctx, code: Parameters<typeof venueIssue>[0], at: string, message: string): void {
  ctx.issues.push(venueIssue(code, ctx.venue, ctx.file, at, message));
}

/**
 * A numeric field: a finite JSON number or a decimal string. Absent, null or "" → undefined (reported as `required`
 * when `required`). Anything else (text, NaN, Infinity, an object) is an issue.
 */
export function num(ctx: Ctx, rec: Obj, key: string, at: string, required = false): number | undefined {
  const v = rec[key];
  const path = joinPath(at, key);
  if (v === undefined || v === null || v === "") {
    if (required) report(ctx, "required", path, `${key} is missing`);
    return undefined;
  }
  if (typeof v === "number") {
    if (Number.isFinite(v)) return v;
    report(ctx, "non_finite", path, `${key} must be a finite number, got ${String(v)}`);
    return undefined;
  }
  if (typeof v === "string") {
    const t = v.trim();
    if (/^[+-]?(nan|inf|infinity)$/i.test(t)) {
      report(ctx, "non_finite", path, `${key} must be a finite number, got ${JSON.stringify(v)}`);
      return undefined;
    }
    if (DECIMAL.test(t)) {
      const x = Number(t);
      if (Number.isFinite(x)) return x;
      report(ctx, "non_finite", path, `${key} ${JSON.stringify(v)} overflows a double`);
      return undefined;
    }
  }
  report(ctx, "invalid_type", path, `${key} must be a number or a decimal string, got ${JSON.stringify(v)}`);
  return undefined;
}

/** A string field; absent/null → undefined (`required` when asked). */
export function str(ctx: Ctx, rec: Obj, key: string, at: string, required = false): string | undefined {
  const v = rec[key];
  const path = joinPath(at, key);
  if (v === undefined || v === null || v === "") {
    if (required) report(ctx, "required", path, `${key} is missing`);
    return undefined;
  }
  if (typeof v !== "string") {
    report(ctx, "invalid_type", path, `${key} must be a string, got ${JSON.stringify(v)}`);
    return undefined;
  }
  return v;
}

/** An array field, or an issue. */
export function arr(ctx: Ctx, rec: Obj, key: string, at: string): readonly unknown[] | undefined {
  const v = rec[key];
  if (Array.isArray(v)) return v;
  report(ctx, v === undefined ? "required" : "invalid_type", joinPath(at, key), `${key} must be an array`);
  return undefined;
}

/** Each element of an array that is an object, with its path; a non-object element is an issue. */
export function records(ctx: Ctx, list: readonly unknown[], at: string): { rec: Obj; at: string }[] {
  const out: { rec: Obj; at: string }[] = [];
  list.forEach((r, i) => {
    const p = `${at}[${i}]`;
    if (isObj(r)) out.push({ rec: r, at: p });
    else report(ctx, "invalid_type", p, "expected an object");
  });
  return out;
}

/** A currency code as netrisk writes them (upper case, a letter first), or an issue. */
export function currency(ctx: Ctx, value: string | undefined, at: string): string | undefined {
  if (value === undefined) return undefined;
  const code = value.trim().toUpperCase();
  if (/^[A-Z][A-Z0-9]{1,9}$/.test(code)) return code;
  report(ctx, "invalid_value", at, `currency ${JSON.stringify(value)} is not a currency code netrisk accepts (a letter, then 1–9 letters or digits)`);
  return undefined;
}

/** Add `amount` to a balance map. */
export function addBalance(balances: Record<string, number>, code: string, amount: number): void {
  if (amount !== 0) balances[code] = (balances[code] ?? 0) + amount;
}

/** Relative difference |a − b| / max(|a|, |b|), 0 when both are 0. */
export function relDiff(a: number, b: number): number {
  const m = Math.max(Math.abs(a), Math.abs(b));
  return m === 0 ? 0 : Math.abs(a - b) / m;
}
