/**
 * The market snapshot file (`market.json`): zod schema, validation into a {@link MarketSnapshot}, and the reverse.
 * The format is documented field by field in docs/formats.md (`## Market snapshot`); its JSON Schema is exported to
 * schemas/market.schema.json by scripts/export-schemas.js.
 *
 * Validation has two stages. The zod schema checks the shape and every field on its own (types, finite numbers,
 * positive prices and vols, bounds, known field names, name syntax); it is what the JSON Schema describes. The second
 * stage, `checkSnapshot` (market/check-snapshot.ts, shared with `buildMarketContext`), checks what needs several
 * fields at once: full instrument-name parsing (calendar dates), expiry against the snapshot time, an index for every
 * base, a vol or a price for every option. It runs only when the first passes, so its issues are about a well-typed
 * file.
 * @module
 */
import { z } from "zod";
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { MAX_MARK_IV, checkSnapshot } from "../market/check-snapshot.js";
import { CURRENCY_CODE_PATTERN, DERIVATIVE_NAME_PATTERN, formatInstrument } from "../market/instrument.js";
import { resolveInstrumentName, withVenueIds } from "../market/venue-ids.js";
import type { InstrumentQuote, MarketSnapshot } from "../market/types.js";
import { formatIsoTimestamp, parseIsoTimestampMs } from "./timestamp.js";
import { zodIssuesToIssues } from "./zod-issues.js";

/** Largest accepted |rate| (decimal per year, continuously compounded): 1 = 100 %. */
export const MAX_ABS_RATE = 1;

const positiveNumber = z.number().positive();
const currencyCode = z.string().regex(new RegExp(CURRENCY_CODE_PATTERN));
const confidence = z.number().min(0).max(1);

/** One instrument's quote. Which fields apply depends on the instrument kind (checked in the second stage). */
export const instrumentQuoteSchema = z
  .strictObject({
    markPrice: positiveNumber.optional().meta({
      description:
        "Mark price. Futures and perpetuals: USD per coin. Options: per 1 coin of underlying, in the settlement currency (coin for inverse options, USDC for the _USDC family).",
    }),
    markIv: z.number().positive().max(MAX_MARK_IV).optional().meta({ description: "Option mark implied volatility, decimal (0.55 = 55 %)." }),
    underlyingPrice: positiveNumber.optional().meta({ description: "Option only: forward price for the option's expiry, USD per coin (Deribit underlying_price)." }),
    bidPrice: positiveNumber.optional().meta({ description: "Best bid, same unit as markPrice. Omit when there is no bid." }),
    askPrice: positiveNumber.optional().meta({ description: "Best ask, same unit as markPrice. Omit when there is no ask." }),
    openInterest: z.number().nonnegative().optional().meta({ description: "Open interest in base-coin units." }),
    markPriceConfidence: confidence.optional().meta({ description: "Oracle confidence of the markPrice feed, [0, 1]; missing = 1 (used by Derive PMRM_2)." }),
    underlyingPriceConfidence: confidence.optional().meta({ description: "Option only: oracle confidence of the forward feed, [0, 1]; missing = 1." }),
    rateConfidence: confidence.optional().meta({ description: "Option only: oracle confidence of the rate feed for the expiry, [0, 1]; missing = 1." }),
    markIvConfidence: confidence.optional().meta({ description: "Option only: oracle confidence of the vol feed for the expiry, [0, 1]; missing = 1." }),
  })
  .meta({ description: "Quote of one instrument." });

/** The market snapshot file. */
export const marketFileSchema = z
  .strictObject({
    timestamp: z.iso.datetime({ offset: true }).meta({ description: "Snapshot instant, RFC 3339 with seconds and a zone, e.g. 2024-06-17T10:22:20.501Z." }),
    index: z.record(currencyCode, positiveNumber).meta({ description: "USD index (spot) price per currency code, e.g. {\"BTC\": 65666.19}." }),
    instruments: z
      .record(z.string().regex(new RegExp(withVenueIds(DERIVATIVE_NAME_PATTERN))), instrumentQuoteSchema)
      .meta({
        description:
          "Quotes by Deribit-style instrument name (BTC-PERPETUAL, BTC-28JUN24, BTC-28JUN24-70000-C, BTC_USDC-..., BTC_USDT-...) or OKX instrument id (BTC-USDT-SWAP, BTC-USD-250328-100000-C), resolved to the netrisk name.",
      }),
    rates: z
      .record(currencyCode, z.number().min(-MAX_ABS_RATE).max(MAX_ABS_RATE))
      .optional()
      .meta({ description: "Continuously-compounded rate per currency, decimal per year; missing currencies use 0 (as Deribit)." }),
    indexConfidence: z
      .record(currencyCode, confidence)
      .optional()
      .meta({ description: "Oracle confidence in [0, 1] per index feed, keyed like index; missing = 1 (used by Derive PMRM_2)." }),
    valuationTimes: z
      .record(currencyCode, z.iso.datetime({ offset: true }))
      .optional()
      .meta({
        description:
          "Per base currency: when its quotes were observed (RFC 3339, not after timestamp); its instruments' time to expiry counts from there. Missing = timestamp. Written by the live core (docs/live.md).",
      }),
    source: z.string().optional().meta({ description: "Free text: where the snapshot came from. Ignored by the engine." }),
  })
  .meta({ title: "netrisk market snapshot", description: "One market at one instant: index prices and instrument quotes. See docs/formats.md." });

/** The market file as JSON (what {@link marketFileSchema} accepts). */
export type MarketFile = z.infer<typeof marketFileSchema>;

/**
 * Validate a parsed JSON value as a market snapshot.
 * @param input - anything, typically the result of `JSON.parse`.
 * @returns the snapshot, or every issue found (codes: invalid_type, required, non_finite, not_positive, out_of_range,
 *   invalid_value, malformed_instrument, expired_instrument, missing_index, missing_vol; see docs/formats.md).
 */
export function validateMarket(input: unknown): Result<MarketSnapshot> {
  const parsed = marketFileSchema.safeParse(input);
  if (!parsed.success) {
    return fail(...zodIssuesToIssues(parsed.error.issues, input, { keyCode: (p) => (p === "instruments" ? "malformed_instrument" : "invalid_value") }));
  }
  return checkMarketFile(parsed.data);
}

/**
 * Parse and validate the text of a market JSON file.
 * @param text - the file contents.
 * @param sourceName - the file name, used as the path of an `invalid_json` issue.
 */
export function parseMarketJson(text: string, sourceName: string): Result<MarketSnapshot> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail(issue("invalid_json", sourceName, (e as Error).message));
  }
  return validateMarket(value);
}

/** Second-stage checks on a shape-valid file (market/check-snapshot.ts), and conversion to a {@link MarketSnapshot}. */
function checkMarketFile(file: MarketFile): Result<MarketSnapshot> {
  const timestampMs = parseIsoTimestampMs(file.timestamp);
  if (timestampMs === undefined) {
    return fail(issue("invalid_value", "timestamp", `${JSON.stringify(file.timestamp)} is not a valid RFC 3339 date-time`));
  }
  const instruments: Record<string, InstrumentQuote> = {};
  const keyOf = new Map<string, string>();
  const issues: Issue[] = [];
  for (const [name, quote] of Object.entries(file.instruments)) {
    // Venue ids (OKX) become netrisk names; a name given twice under two spellings is ambiguous, never merged.
    const path = joinPath("instruments", name);
    const r = resolveInstrumentName(name, path);
    if (!r.ok) {
      issues.push(...r.issues);
      continue;
    }
    const key = r.value.instrument.kind === "spot" ? name : formatInstrument(r.value.instrument);
    const first = keyOf.get(key);
    if (first !== undefined) {
      issues.push(issue("duplicate", path, `${name} and ${first} are the same instrument (${key}): quote it once`));
      continue;
    }
    keyOf.set(key, name);
    instruments[key] = compactQuote(quote);
  }
  if (issues.length > 0) return fail(...issues);
  const valuationTimesMs: Record<string, number> = {};
  for (const [code, text] of Object.entries(file.valuationTimes ?? {})) {
    const ms = parseIsoTimestampMs(text);
    if (ms === undefined) return fail(issue("invalid_value", `valuationTimes.${code}`, `${JSON.stringify(text)} is not a valid RFC 3339 date-time`));
    valuationTimesMs[code] = ms;
  }
  const snapshot: MarketSnapshot = {
    timestampMs,
    indexUsd: { ...file.index },
    instruments,
    ...(file.rates ? { ratesDecimal: { ...file.rates } } : {}),
    ...(file.indexConfidence ? { indexConfidence: { ...file.indexConfidence } } : {}),
    ...(file.valuationTimes ? { valuationTimesMs } : {}),
  };
  const checked = checkSnapshot(snapshot);
  return checked.length > 0 ? fail(...checked) : ok(snapshot);
}

/** A quote without undefined-valued keys (zod keeps absent optional keys absent; this also drops explicit undefined). */
function compactQuote(q: InstrumentQuote): InstrumentQuote {
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(q)) if (typeof v === "number") out[k] = v;
  return out as InstrumentQuote;
}

/**
 * The JSON form of a snapshot (the inverse of {@link validateMarket} for a valid snapshot): ISO timestamp, `index`,
 * `instruments`, and `rates` when present. Instrument order is kept. Use it to write a loaded CSV chain as market.json.
 */
export function marketSnapshotToJson(snapshot: MarketSnapshot, source?: string): MarketFile {
  return {
    timestamp: formatIsoTimestamp(snapshot.timestampMs),
    index: { ...snapshot.indexUsd },
    instruments: Object.fromEntries(Object.entries(snapshot.instruments).map(([n, q]) => [n, compactQuote(q)])),
    ...(snapshot.ratesDecimal ? { rates: { ...snapshot.ratesDecimal } } : {}),
    ...(snapshot.indexConfidence ? { indexConfidence: { ...snapshot.indexConfidence } } : {}),
    ...(snapshot.valuationTimesMs
      ? { valuationTimes: Object.fromEntries(Object.entries(snapshot.valuationTimesMs).map(([c, ms]) => [c, formatIsoTimestamp(ms)])) }
      : {}),
    ...(source !== undefined ? { source } : {}),
  };
}
