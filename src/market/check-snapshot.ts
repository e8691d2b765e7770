/**
 * Cross-field checks of a {@link MarketSnapshot}, shared by the file validator (io/market.ts, after its schema stage)
 * and by `buildMarketContext` (which may be handed a snapshot built in code, never validated). Paths and codes are
 * those of docs/formats.md (`## Market snapshot`).
 * @module
 */
import { capIssues, issue, joinPath } from "../errors.js";
import type { Issue } from "../errors.js";
import { isCurrencyCode, parseInstrument } from "./instrument.js";
import type { DerivativeInstrument, InstrumentQuote, MarketSnapshot } from "./types.js";
import { MS_PER_YEAR } from "./types.js";
import { BOUNDS, checkBound, maxAbsLogBasis, type BoundName } from "./bounds.js";

/** Quote fields that only an option may carry. */
export const OPTION_ONLY_FIELDS = ["markIv", "underlyingPrice", "underlyingPriceConfidence", "rateConfidence", "markIvConfidence"] as const;

/** Largest accepted `markIv` (decimal). 10 = 1000 %: anything above is almost surely a percent typed as a decimal. */
export const MAX_MARK_IV = BOUNDS.volDecimal.max;

/** Positive-number quote fields (`openInterest` may be 0; confidences are in [0, 1]). */
const POSITIVE_FIELDS = ["markPrice", "markIv", "underlyingPrice", "bidPrice", "askPrice"] as const;
const CONFIDENCE_FIELDS = ["markPriceConfidence", "underlyingPriceConfidence", "rateConfidence", "markIvConfidence"] as const;

/**
 * Every problem of a snapshot, in instrument order; empty when it is usable. Checks: a finite timestamp; index
 * prices finite and > 0 under valid currency codes; finite rates; per instrument a valid derivative name
 * (`malformed_instrument`), an index for its base (`missing_index`), an expiry after the timestamp
 * (`expired_instrument`), finite positive quote numbers, a vol or a price for an option (`missing_vol`), and no
 * option-only field on a future or perpetual (`invalid_value`).
 */
export function checkSnapshot(snapshot: MarketSnapshot): Issue[] {
  const issues: Issue[] = [];
  if (!Number.isFinite(snapshot.timestampMs)) issues.push(issue("non_finite", "timestamp", "timestamp is not a finite time"));
  else checkBound(issues, snapshot.timestampMs, "timestampMs", "timestamp", "the snapshot time");
  for (const [code, price] of Object.entries(snapshot.indexUsd)) {
    const path = joinPath("index", code);
    if (!isCurrencyCode(code)) issues.push(issue("invalid_value", path, `${JSON.stringify(code)} is not a currency code`));
    if (pushNumberIssue(issues, path, price, "positive")) checkBound(issues, price, "priceUsd", path, "an index price");
  }
  for (const [code, rate] of Object.entries(snapshot.ratesDecimal ?? {})) {
    const path = joinPath("rates", code);
    if (pushNumberIssue(issues, path, rate, "any")) checkBound(issues, rate, "rateDecimal", path, "a rate");
  }
  for (const [code, ms] of Object.entries(snapshot.valuationTimesMs ?? {})) {
    const path = joinPath("valuationTimes", code);
    if (snapshot.indexUsd[code] === undefined) issues.push(issue("missing_index", path, `a valuation time for ${code}, which has no index price`));
    else if (!Number.isFinite(ms)) issues.push(issue("non_finite", path, "valuation time is not a finite time"));
    else if (ms > snapshot.timestampMs) issues.push(issue("out_of_range", path, `valuation time ${isoOrRaw(ms)} is after the snapshot time ${isoOrRaw(snapshot.timestampMs)}`));
  }
  for (const [name, quote] of Object.entries(snapshot.instruments)) {
    const path = joinPath("instruments", name);
    const parsed = parseInstrument(name, path);
    if (!parsed.ok) {
      issues.push(...parsed.issues);
      continue;
    }
    if (parsed.value.kind === "spot") {
      issues.push(issue("malformed_instrument", path, "spot balances have no quote here; their USD price is the index"));
      continue;
    }
    issues.push(...checkQuote(parsed.value, quote, path, snapshot));
  }
  return capIssues(issues);
}

function checkQuote(inst: DerivativeInstrument, quote: InstrumentQuote, path: string, snapshot: MarketSnapshot): Issue[] {
  const issues: Issue[] = [];
  if (snapshot.indexUsd[inst.base] === undefined) {
    issues.push(issue("missing_index", path, `no index price for ${inst.base}: add "index": {"${inst.base}": <USD price>}`));
  }
  if (inst.kind !== "perpetual" && inst.expiryMs <= snapshot.timestampMs) {
    issues.push(issue("expired_instrument", path, `expired at ${isoOrRaw(inst.expiryMs)}, not after the snapshot time ${isoOrRaw(snapshot.timestampMs)}`));
  }
  for (const f of POSITIVE_FIELDS) {
    const v = quote[f];
    if (pushNumberIssue(issues, joinPath(path, f), v, "positive") && v !== undefined) {
      const bound: BoundName = f === "markIv" ? "volDecimal" : f === "underlyingPrice" || inst.kind !== "option" ? "priceUsd" : "optionPrice";
      checkBound(issues, v, bound, joinPath(path, f), f === "markIv" ? "markIv (a decimal vol, not percent)" : f);
    }
  }
  if (pushNumberIssue(issues, joinPath(path, "openInterest"), quote.openInterest, "non-negative") && quote.openInterest !== undefined)
    checkBound(issues, quote.openInterest, "amount", joinPath(path, "openInterest"), "openInterest");
  for (const f of CONFIDENCE_FIELDS) pushNumberIssue(issues, joinPath(path, f), quote[f], "unit");
  if (inst.kind === "option") checkBound(issues, inst.strikeUsd, "priceUsd", path, `the strike of ${inst.name}`);
  issues.push(...carryIssues(inst, quote, path, snapshot));
  if (inst.kind === "option") {
    if (quote.markIv === undefined && quote.markPrice === undefined) {
      issues.push(issue("missing_vol", path, "an option needs markIv or markPrice (to imply a vol from)"));
    }
  } else {
    for (const f of OPTION_ONLY_FIELDS) {
      if (quote[f] !== undefined) issues.push(issue("invalid_value", joinPath(path, f), `${f} applies to options only, not to a ${inst.kind}`));
    }
  }
  return issues;
}

/**
 * `implausible_carry` when a forward (a dated future's or perpetual's mark, an option's underlying price) is further
 * from the index than {@link maxAbsLogBasis} allows at its time to expiry (a perpetual at T = 0): one fat-fingered
 * future mark would otherwise be extrapolated as carry to every later expiry.
 */
function carryIssues(inst: DerivativeInstrument, quote: InstrumentQuote, path: string, snapshot: MarketSnapshot): Issue[] {
  const index = snapshot.indexUsd[inst.base];
  const field = inst.kind === "option" ? "underlyingPrice" : "markPrice";
  const forward = quote[field];
  if (index === undefined || !(index > 0) || forward === undefined || !(forward > 0) || !Number.isFinite(forward)) return [];
  if (inst.kind !== "perpetual" && inst.expiryMs <= snapshot.timestampMs) return []; // expired: reported as such
  // Linear and inverse futures are both quoted in USD per coin; a perpetual has no expiry (its premium is funding's).
  const timeYears = inst.kind === "perpetual" ? 0 : Math.max(inst.expiryMs - snapshot.timestampMs, 0) / MS_PER_YEAR;
  const limit = maxAbsLogBasis(timeYears);
  const logBasis = Math.log(forward / index);
  if (Math.abs(logBasis) <= limit) return [];
  return [
    issue(
      "implausible_carry",
      joinPath(path, field),
      `${field} ${forward} against the ${inst.base} index ${index} is a basis of ln(F/S) = ${logBasis.toPrecision(3)} at ${timeYears.toPrecision(3)} years to expiry; at most ±${limit.toPrecision(3)} is plausible (docs/methodology.md, forward curve)`,
    ),
  ];
}

/** Domain check of an optional number: finite, and > 0 / ≥ 0 / in [0, 1] / anything. True when present and valid. */
function pushNumberIssue(issues: Issue[], path: string, value: number | undefined, domain: "positive" | "non-negative" | "unit" | "any"): boolean {
  if (value === undefined) return false;
  const before = issues.length;
  if (typeof value !== "number") issues.push(issue("invalid_type", path, `expected number, got ${typeof value}`));
  else if (!Number.isFinite(value)) issues.push(issue("non_finite", path, `must be a finite number, got ${value}`));
  else if (domain === "positive" && !(value > 0)) issues.push(issue("not_positive", path, `must be > 0, got ${value}`));
  else if (domain === "non-negative" && !(value >= 0)) issues.push(issue("out_of_range", path, `must be ≥ 0, got ${value}`));
  else if (domain === "unit" && !(value >= 0 && value <= 1)) issues.push(issue("out_of_range", path, `must be in [0, 1], got ${value}`));
  return issues.length === before;
}

function isoOrRaw(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
