/**
 * Cross-field checks of a {@link MarketSnapshot}, shared by the file validator (io/market.ts, after its schema stage)
 * and by `buildMarketContext` (which may be handed a snapshot built in code, never validated). Paths and codes are
 * those of docs/formats.md (`## Market snapshot`).
 * @module
 */
import { issue, joinPath } from "../errors.js";
import type { Issue } from "../errors.js";
import { isCurrencyCode, parseInstrument } from "./instrument.js";
import type { DerivativeInstrument, InstrumentQuote, MarketSnapshot } from "./types.js";

/** Quote fields that only an option may carry. */
export const OPTION_ONLY_FIELDS = ["markIv", "underlyingPrice", "underlyingPriceConfidence", "rateConfidence", "markIvConfidence"] as const;

/** Largest accepted `markIv` (decimal). 10 = 1000 %: anything above is almost surely a percent typed as a decimal. */
export const MAX_MARK_IV = 10;

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
  for (const [code, price] of Object.entries(snapshot.indexUsd)) {
    const path = joinPath("index", code);
    if (!isCurrencyCode(code)) issues.push(issue("invalid_value", path, `${JSON.stringify(code)} is not a currency code`));
    pushNumberIssue(issues, path, price, "positive");
  }
  for (const [code, rate] of Object.entries(snapshot.ratesDecimal ?? {})) pushNumberIssue(issues, joinPath("rates", code), rate, "any");
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
  return issues;
}

function checkQuote(inst: DerivativeInstrument, quote: InstrumentQuote, path: string, snapshot: MarketSnapshot): Issue[] {
  const issues: Issue[] = [];
  if (snapshot.indexUsd[inst.base] === undefined) {
    issues.push(issue("missing_index", path, `no index price for ${inst.base}: add "index": {"${inst.base}": <USD price>}`));
  }
  if (inst.kind !== "perpetual" && inst.expiryMs <= snapshot.timestampMs) {
    issues.push(issue("expired_instrument", path, `expired at ${isoOrRaw(inst.expiryMs)}, not after the snapshot time ${isoOrRaw(snapshot.timestampMs)}`));
  }
  for (const f of POSITIVE_FIELDS) pushNumberIssue(issues, joinPath(path, f), quote[f], "positive");
  pushNumberIssue(issues, joinPath(path, "openInterest"), quote.openInterest, "non-negative");
  for (const f of CONFIDENCE_FIELDS) pushNumberIssue(issues, joinPath(path, f), quote[f], "unit");
  if (quote.markIv !== undefined && quote.markIv > MAX_MARK_IV) {
    issues.push(issue("out_of_range", joinPath(path, "markIv"), `must be ≤ ${MAX_MARK_IV} (decimal vol, not percent), got ${quote.markIv}`));
  }
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

/** Domain check of an optional number: finite, and > 0 / ≥ 0 / in [0, 1] / anything. */
function pushNumberIssue(issues: Issue[], path: string, value: number | undefined, domain: "positive" | "non-negative" | "unit" | "any"): void {
  if (value === undefined) return;
  if (typeof value !== "number") issues.push(issue("invalid_type", path, `expected number, got ${typeof value}`));
  else if (!Number.isFinite(value)) issues.push(issue("non_finite", path, `must be a finite number, got ${value}`));
  else if (domain === "positive" && !(value > 0)) issues.push(issue("not_positive", path, `must be > 0, got ${value}`));
  else if (domain === "non-negative" && !(value >= 0)) issues.push(issue("out_of_range", path, `must be ≥ 0, got ${value}`));
  else if (domain === "unit" && !(value >= 0 && value <= 1)) issues.push(issue("out_of_range", path, `must be in [0, 1], got ${value}`));
}

function isoOrRaw(ms: number): string {
  return Number.isFinite(ms) ? new Date(ms).toISOString() : String(ms);
}
