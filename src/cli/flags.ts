/**
 * Number flags, parsed strictly and reported as typed: `--strike abc` says "abc", `--price ""` is an error (not 0),
 * `0x10` is not 16, `1e999` is not Infinity. Every command parses its number flags here.
 * @module
 */
import { issue, NetriskError } from "../errors.js";

/** A plain decimal number: optional sign, digits with an optional fraction, optional exponent. Nothing else. */
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const NON_FINITE_WORD = /^[+-]?(?:nan|inf|infinity)$/i;

export interface NumberFlagRules {
  /** Must be an integer. */
  readonly integer?: boolean;
  /** Inclusive bounds. */
  readonly min?: number;
  readonly max?: number;
  /** Exclusive lower bound (e.g. 0 for "> 0"). */
  readonly above?: number;
}

function rangeText(r: NumberFlagRules): string {
  const parts: string[] = [];
  if (r.above !== undefined) parts.push(`> ${r.above}`);
  if (r.min !== undefined) parts.push(`≥ ${r.min}`);
  if (r.max !== undefined) parts.push(`≤ ${r.max}`);
  return `${r.integer === true ? "an integer" : "a number"}${parts.length > 0 ? ` ${parts.join(" and ")}` : ""}`;
}

/**
 * The number a flag's text stands for, or a NetriskError at `flag` that echoes the text as typed: `invalid_value`
 * (not a plain decimal number, empty), `non_finite` (nan, inf, or beyond ±1.8e308), `out_of_range` (the rules).
 */
export function parseNumberFlag(text: string, flag: string, rules: NumberFlagRules = {}): number {
  const t = text.trim();
  const typed = JSON.stringify(text);
  if (NON_FINITE_WORD.test(t)) throw new NetriskError([issue("non_finite", flag, `${flag} must be a finite number, got ${typed}`)]);
  if (!DECIMAL.test(t)) throw new NetriskError([issue("invalid_value", flag, `${flag} must be ${rangeText(rules)}, got ${typed}`)]);
  const x = Number(t);
  if (!Number.isFinite(x)) throw new NetriskError([issue("non_finite", flag, `${flag} must be a finite number, got ${typed}`)]);
  const bad =
    (rules.integer === true && !Number.isInteger(x)) ||
    (rules.min !== undefined && x < rules.min) ||
    (rules.max !== undefined && x > rules.max) ||
    (rules.above !== undefined && !(x > rules.above));
  if (bad) throw new NetriskError([issue("out_of_range", flag, `${flag} must be ${rangeText(rules)}, got ${typed}`)]);
  return x;
}

/** {@link parseNumberFlag} for an optional flag: undefined when it was not given. */
export function optionalNumberFlag(text: string | undefined, flag: string, rules: NumberFlagRules = {}): number | undefined {
  return text === undefined ? undefined : parseNumberFlag(text, flag, rules);
}
