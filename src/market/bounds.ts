/**
 * The validated numeric domain of the engine: the bounds every loader and flag parser checks before a number reaches a
 * kernel. Inside them every kernel stays finite (sqrt(F·K) ≤ 1e9, |size|·price ≤ 1e18, σ√T ≥ 1e-9, e^{−rT} ≤ e^{100}),
 * so a validated input never yields NaN or Infinity. The bounds are chosen so that no real venue could exceed them
 * (docs/formats.md, "Bounds"): a value outside is a typo, a unit mistake or a fat finger, reported as `out_of_range`
 * with the path of the field and the bound in the message.
 * @module
 */
import { issue } from "../errors.js";
import type { Issue } from "../errors.js";

/** One bound: a closed interval [min, max] of a quantity, with its unit for messages. */
export interface Bound {
  readonly min: number;
  readonly max: number;
  readonly unit: string;
}

/** Unix ms of 2009-01-01T00:00Z (the year of Bitcoin's genesis block: no crypto market data is older). */
export const MIN_TIMESTAMP_MS = Date.UTC(2009, 0, 1);
/** Unix ms of 2100-01-01T00:00Z (instrument names carry two-digit years, 20YY). */
export const MAX_TIMESTAMP_MS = Date.UTC(2100, 0, 1);

/**
 * The engine's bounds by quantity. Prices are USD (or settlement currency) per coin; sizes in coin or contracts.
 * - priceUsd: index, forwards, futures marks, strikes, average prices: 1e-8 (a sub-satoshi token) to 1e9 USD per coin.
 * - optionPrice: an option's price in its quote unit, ≥ 0 (checked elsewhere) and ≤ 1e9.
 * - sizeCoin: |size| ≤ 1e9 coin (all bitcoin ever is 2.1e7).
 * - amount: balances and USD notionals, |x| ≤ 1e15 (a thousand times any exchange's assets).
 * - volDecimal: 1e-4 (0.01 %) to 10 (1,000 %): a percent typed as a decimal is caught above.
 * - rateDecimal: −1 to 1 (±100 % a year, continuously compounded).
 * - timeYears: 1e-10 (3 ms) to 100 years.
 * - moveDecimal: a relative stress move new/old − 1, −0.999 to 100 (−99.9 % to ×101).
 * - timestampMs: 2009-01-01 to 2100-01-01 UTC.
 */
export const BOUNDS = {
  priceUsd: { min: 1e-8, max: 1e9, unit: "USD per coin" },
  optionPrice: { min: 0, max: 1e9, unit: "settlement currency per coin" },
  sizeCoin: { min: -1e9, max: 1e9, unit: "coin" },
  amount: { min: -1e15, max: 1e15, unit: "currency units" },
  volDecimal: { min: 1e-4, max: 10, unit: "decimal" },
  rateDecimal: { min: -1, max: 1, unit: "decimal per year" },
  timeYears: { min: 1e-10, max: 100, unit: "years" },
  moveDecimal: { min: -0.999, max: 100, unit: "decimal (new/old − 1)" },
  timestampMs: { min: MIN_TIMESTAMP_MS, max: MAX_TIMESTAMP_MS, unit: "ms since 1970 (2009-01-01 to 2100-01-01 UTC)" },
} as const satisfies Record<string, Bound>;

export type BoundName = keyof typeof BOUNDS;

/** True when `x` is a finite number inside the bound. */
export function inBound(x: number, name: BoundName): boolean {
  const b: Bound = BOUNDS[name];
  return Number.isFinite(x) && x >= b.min && x <= b.max;
}

/** "between 1e-8 and 1e9 USD per coin" */
export function boundText(name: BoundName): string {
  const b: Bound = BOUNDS[name];
  if (name === "timestampMs") return `between ${new Date(b.min).toISOString()} and ${new Date(b.max).toISOString()}`;
  return `between ${num(b.min)} and ${num(b.max)} ${b.unit}`;
}

/** 1e9 rather than 1000000000 in messages. */
const num = (x: number): string => (x !== 0 && (Math.abs(x) >= 1e6 || Math.abs(x) < 1e-3) ? x.toExponential().replace("e+", "e") : String(x));

/**
 * The issue of a number outside its bound, or undefined when it is inside: `non_finite` for NaN/±Infinity,
 * `out_of_range` otherwise, at `path`, echoing the value. `what` names the field for the message ("strike").
 */
export function boundIssue(x: number, name: BoundName, path: string, what = path): Issue | undefined {
  if (typeof x !== "number") return issue("invalid_type", path, `${what} must be a number`);
  if (!Number.isFinite(x)) return issue("non_finite", path, `${what} must be a finite number, got ${String(x)}`);
  if (inBound(x, name)) return undefined;
  return issue("out_of_range", path, `${what} must be ${boundText(name)} (netrisk's bounds, docs/formats.md), got ${x}`);
}

/** Push the bound issue of `x` (when any) onto `issues`; true when `x` was inside. */
export function checkBound(issues: Issue[], x: number, name: BoundName, path: string, what = path): boolean {
  const i = boundIssue(x, name, path, what);
  if (i !== undefined) issues.push(i);
  return i === undefined;
}

/**
 * Largest |ln(F/S)| a forward F (a future's mark, an option's underlying price) may have against the index S at
 * `timeYears` to expiry: 0.5 (a 65 % basis, far above any perpetual premium or front-month basis ever quoted) plus
 * 2 per year (a 200 % a year carry; BTC's quarterly basis peaked near 40–60 % a year in 2021). Beyond it the quote is
 * a fat finger, whose extrapolated carry would turn a March forward into 4e50 (docs/methodology.md, forward curve).
 */
export function maxAbsLogBasis(timeYears: number): number {
  return 0.5 + 2 * Math.max(timeYears, 0);
}
