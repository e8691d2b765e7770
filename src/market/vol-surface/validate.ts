/**
 * Boundary checks of {@link buildVolSurface}'s inputs: every problem becomes an Issue (errors as data), and valid
 * quotes are grouped into one slice per expiry.
 * @module
 */
import type { Issue } from "../../errors.js";
import { issue, joinPath } from "../../errors.js";
import { MS_PER_YEAR } from "../types.js";
import type { VolQuote, VolSurfaceOptions, VolWeighting } from "./types.js";

/** Largest vol accepted (1000 %): far above any listed crypto mark, low enough to keep the fit well scaled. */
export const MAX_VOL_DECIMAL = 10;

/** Options with every default filled in. */
export interface ResolvedVolSurfaceOptions {
  readonly weighting: VolWeighting;
  readonly vegaWeightFloor: number;
  readonly calendarFix: "running-max" | "none";
  readonly spotUsd: number | undefined;
  readonly maxWingSlope: number;
}

/** The quotes of one expiry (indices into the input array), ascending by expiry across slices. */
export interface QuoteGroup {
  readonly expiryMs: number;
  readonly timeYears: number;
  readonly indices: readonly number[];
}

const positiveFinite = (x: unknown, path: string, what: string, out: Issue[]): boolean => {
  if (typeof x !== "number" || !Number.isFinite(x)) {
    out.push(issue("non_finite", path, `${what} must be a finite number, got ${String(x)}`));
    return false;
  }
  if (!(x > 0)) {
    out.push(issue("not_positive", path, `${what} must be > 0, got ${x}`));
    return false;
  }
  return true;
};

/** Resolve defaults and check option ranges. */
export function resolveOptions(options: VolSurfaceOptions | undefined, issues: Issue[]): ResolvedVolSurfaceOptions {
  const o = options ?? {};
  const weighting = o.weighting ?? "vega";
  if (weighting !== "vega" && weighting !== "uniform") {
    issues.push(issue("invalid_value", "options.weighting", `weighting must be "vega" or "uniform", got ${String(weighting)}`));
  }
  const vegaWeightFloor = o.vegaWeightFloor ?? 0.05;
  if (!(Number.isFinite(vegaWeightFloor) && vegaWeightFloor >= 0 && vegaWeightFloor <= 1)) {
    issues.push(issue("out_of_range", "options.vegaWeightFloor", `vegaWeightFloor must be in [0, 1], got ${vegaWeightFloor}`));
  }
  const calendarFix = o.calendarFix ?? "running-max";
  if (calendarFix !== "running-max" && calendarFix !== "none") {
    issues.push(issue("invalid_value", "options.calendarFix", `calendarFix must be "running-max" or "none", got ${String(calendarFix)}`));
  }
  const maxWingSlope = o.maxWingSlope ?? 1.99;
  if (!(Number.isFinite(maxWingSlope) && maxWingSlope > 0 && maxWingSlope < 2)) {
    issues.push(issue("out_of_range", "options.maxWingSlope", `maxWingSlope must be in (0, 2) (Roger Lee's bound), got ${maxWingSlope}`));
  }
  if (o.spotUsd !== undefined) positiveFinite(o.spotUsd, "options.spotUsd", "spotUsd", issues);
  return { weighting, vegaWeightFloor, calendarFix, spotUsd: o.spotUsd, maxWingSlope };
}

/** Validate every quote and group the valid ones by expiry (ascending). Issues are appended to `issues`. */
export function groupQuotes(quotes: readonly VolQuote[], asOfMs: number, issues: Issue[]): QuoteGroup[] {
  const byExpiry = new Map<number, number[]>();
  if (!Array.isArray(quotes) || quotes.length === 0) {
    issues.push(issue("missing_vol", "quotes", "no vol quotes: a surface needs at least one"));
    return [];
  }
  quotes.forEach((q, i) => {
    const at = (field: string): string => joinPath("quotes", i, field);
    const before = issues.length;
    positiveFinite(q.strikeUsd, at("strikeUsd"), "strikeUsd", issues);
    positiveFinite(q.forwardUsd, at("forwardUsd"), "forwardUsd", issues);
    if (positiveFinite(q.volDecimal, at("volDecimal"), "volDecimal", issues) && q.volDecimal > MAX_VOL_DECIMAL) {
      issues.push(issue("out_of_range", at("volDecimal"), `volDecimal must be ≤ ${MAX_VOL_DECIMAL}, got ${q.volDecimal}`));
    }
    if (q.weight !== undefined) positiveFinite(q.weight, at("weight"), "weight", issues);
    if (typeof q.expiryMs !== "number" || !Number.isFinite(q.expiryMs)) {
      issues.push(issue("non_finite", at("expiryMs"), `expiryMs must be a finite number, got ${String(q.expiryMs)}`));
    } else if (Number.isFinite(asOfMs) && !(q.expiryMs > asOfMs)) {
      issues.push(issue("expired_instrument", at("expiryMs"), `expiry ${new Date(q.expiryMs).toISOString()} is not after the surface time`));
    }
    if (issues.length === before) {
      const list = byExpiry.get(q.expiryMs);
      if (list) list.push(i);
      else byExpiry.set(q.expiryMs, [i]);
    }
  });
  return [...byExpiry.entries()]
    .sort((x, y) => x[0] - y[0])
    .map(([expiryMs, indices]) => ({ expiryMs, timeYears: (expiryMs - asOfMs) / MS_PER_YEAR, indices }));
}
