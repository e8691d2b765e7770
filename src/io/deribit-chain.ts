/**
 * Turn normalised rows of a Deribit option chain (from either CSV layout in deribit-csv.ts) into a validated
 * {@link MarketSnapshot}, keeping Deribit's own per-row figures (greeks, bid/ask, row time, index) beside it and
 * every skipped row with its reason. The rules are documented in docs/formats.md (`### Deribit option-chain CSVs`).
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { IssueCode, Result } from "../errors.js";
import { median } from "../market/forward-curve.js";
import { parseInstrument } from "../market/instrument.js";
import type { InstrumentQuote, MarketSnapshot } from "../market/types.js";
import { MAX_MARK_IV } from "../market/check-snapshot.js";
import { boundText, inBound, maxAbsLogBasis, type BoundName } from "../market/bounds.js";
import { MS_PER_YEAR } from "../market/types.js";
import { marketSnapshotToJson, validateMarket } from "./market.js";
import { maxOf, minOf } from "../math/extent.js";

/** One option row as read from a CSV, in the engine's units. Prices are per 1 coin of underlying. */
export interface DeribitOptionRow {
  /** Text line of the row in the CSV (header = line 1). */
  readonly line: number;
  readonly instrument: string;
  /** Strike and expiry as the CSV's own columns state them (cross-checked against the name). */
  readonly strikeUsd: number;
  readonly expiryMs: number;
  /** Currency column (2025 layout) or the name's base (2020 layout). */
  readonly currency: string;
  /** When this row was observed (ms since epoch). */
  readonly observedMs: number;
  /** Deribit spot index in the row, USD. */
  readonly indexUsd: number;
  /** Forward for the option's expiry (Deribit `underlying_price`), USD; undefined when the cell is empty. */
  readonly underlyingUsd?: number;
  /** Deribit `underlying_index`: `SYN.BTC-16JAN26` (synthetic) or a real future such as `BTC-25DEC26`. */
  readonly underlyingName: string;
  /** Mark price in the settlement currency (coin for these inverse options), as in the file: may be 0. */
  readonly markPrice: number;
  /** Mark implied volatility, decimal. */
  readonly markIvDecimal: number;
  /** Best bid / ask (settlement currency); undefined when there is none (empty cell or 0). */
  readonly bidPrice?: number;
  readonly askPrice?: number;
  /** Open interest, coin (1 contract = 1 coin). */
  readonly openInterestCoin?: number;
  /** Deribit's Black-76 delta (not premium-adjusted). */
  readonly deltaDeribit?: number;
  /** Deribit's vega, USD per 1 vol point (0.01 in decimal vol). */
  readonly vegaUsdPerVolPoint?: number;
  /** Deribit's gamma, per USD (2020 layout only). */
  readonly gammaPerUsd?: number;
  /** Deribit's theta, USD per day (2020 layout only). */
  readonly thetaUsdPerDay?: number;
  /** Bid / ask implied vols, decimal; undefined when Deribit reports 0 (no usable quote; 2020 layout only). */
  readonly bidIvDecimal?: number;
  readonly askIvDecimal?: number;
  /** The collector's `time_to_maturity`, ACT/365.25 years (2025 layout only). */
  readonly timeToMaturityYears?: number;
}

/** A row left out of the snapshot, and why. */
export interface SkippedRow {
  /** Text line in the options CSV; 0 for a future or perpetual mark (side file or derived from option rows). */
  readonly line: number;
  readonly instrument: string;
  /** The CSV column of the bad cell, when one cell is to blame. */
  readonly column?: string;
  readonly code: IssueCode;
  readonly reason: string;
}

/** A dated-future or perpetual mark read from a side file, USD per coin. */
export interface DeribitFutureMark {
  readonly instrument: string;
  readonly markPriceUsd: number;
}

/** The result of loading a Deribit option chain. */
export interface DeribitChain {
  readonly snapshot: MarketSnapshot;
  /** Which CSV layout the chain came from. */
  readonly format: "deribit-options-snapshot" | "deribit-ticker";
  /** Per option in the snapshot, the row's full Deribit figures. */
  readonly rows: Readonly<Record<string, DeribitOptionRow>>;
  readonly skipped: readonly SkippedRow[];
  /** How the snapshot time, index and futures were chosen, with the numbers. */
  readonly notes: readonly string[];
}

/** Build a chain from normalised rows; `futures`/`perpetuals` come from side files (undefined: none given). */
export function buildDeribitChain(
  format: DeribitChain["format"],
  rows: readonly DeribitOptionRow[],
  skippedEarly: readonly SkippedRow[],
  futures: readonly DeribitFutureMark[] | undefined,
  perpetuals: readonly DeribitFutureMark[],
  sourceName: string,
): Result<DeribitChain> {
  const skipped: SkippedRow[] = [...skippedEarly];
  const notes: string[] = [];
  // Time stamps outside the engine's bounds (9e15, 1e300: no Date can hold them) are dropped with the line before any
  // time arithmetic, so one bad cell never throws a RangeError.
  const timed: DeribitOptionRow[] = [];
  for (const row of rows) {
    const why = timeProblem(row);
    if (why) skipped.push({ line: row.line, instrument: row.instrument, ...why });
    else timed.push(row);
  }
  if (timed.length === 0) return fail(issue("invalid_csv", sourceName, `no usable option rows${skipped.length > 0 ? ` (${skipped.length} dropped; first: line ${skipped[0]?.line}: ${skipped[0]?.reason})` : ""}`));
  // Snapshot time: the median row time (whole ms), the instant that matches the median index and futures below.
  // The 2025 file has one stamp for all rows; the 2020 rows were polled over ~3 minutes while BTC moved ~15 USD.
  // Each row's own time stays in `rows[name].observedMs`.
  const times = timed.map((r) => r.observedMs);
  const timestampMs = Math.floor(median(times));
  const firstMs = minOf(times);
  const lastMs = maxOf(times);
  const spreadMs = lastMs - firstMs;
  if (spreadMs > 0) {
    notes.push(`rows observed over ${(spreadMs / 1000).toFixed(1)} s (${new Date(firstMs).toISOString()} to ${new Date(lastMs).toISOString()}); snapshot time = median row time ${new Date(timestampMs).toISOString()}`);
  }

  const kept: Record<string, DeribitOptionRow> = {};
  const instruments: Record<string, InstrumentQuote> = {};
  const indexSamples = new Map<string, number[]>();
  const realFutureUnderlyings = new Map<string, number[]>();
  for (const row of timed) {
    const why = checkRow(row, timestampMs);
    if (why) {
      skipped.push({ line: row.line, instrument: row.instrument, ...why });
      continue;
    }
    if (kept[row.instrument]) {
      skipped.push({ line: row.line, instrument: row.instrument, code: "duplicate", reason: `second row for ${row.instrument}; the first is kept` });
      continue;
    }
    kept[row.instrument] = row;
    instruments[row.instrument] = {
      // A zero mark (deep OTM, about to expire) is not a price: the option is marked from its IV instead.
      ...(row.markPrice > 0 ? { markPrice: row.markPrice } : {}),
      markIv: row.markIvDecimal,
      ...(row.underlyingUsd !== undefined ? { underlyingPrice: row.underlyingUsd } : {}),
      ...(row.bidPrice !== undefined ? { bidPrice: row.bidPrice } : {}),
      ...(row.askPrice !== undefined ? { askPrice: row.askPrice } : {}),
      ...(row.openInterestCoin !== undefined ? { openInterest: row.openInterestCoin } : {}),
    };
    push(indexSamples, row.currency, row.indexUsd);
    if (row.underlyingUsd !== undefined && !row.underlyingName.startsWith("SYN.")) push(realFutureUnderlyings, row.underlyingName, row.underlyingUsd);
  }
  const zeroMarks = Object.values(kept).filter((r) => r.markPrice === 0).map((r) => r.instrument);
  if (zeroMarks.length > 0) notes.push(`${zeroMarks.length} option(s) with mark_price 0 are kept with their mark IV only: ${zeroMarks.join(", ")}`);

  // Index: the median of the per-row index prices (they were sampled over the collection window).
  const indexUsd: Record<string, number> = {};
  for (const [currency, values] of [...indexSamples].sort(([a], [b]) => a.localeCompare(b))) {
    indexUsd[currency] = median(values);
    const distinct = new Set(values).size;
    notes.push(`${currency} index = median of ${values.length} row index prices = ${indexUsd[currency]} (${distinct} distinct values, ${minOf(values)}–${maxOf(values)})`);
  }

  // Dated futures: from the side file when given, else from the option rows whose underlying is a real future.
  const futureMarks = futures ?? [...realFutureUnderlyings].map(([instrument, v]) => ({ instrument, markPriceUsd: median(v) }));
  notes.push(futures ? `${futures.length} dated-future mark(s) from the futures file` : `${futureMarks.length} dated-future mark(s) taken as the median underlying_price of the options on each real future`);
  for (const f of [...futureMarks, ...perpetuals]) {
    const p = parseInstrument(f.instrument);
    if (!p.ok || (p.value.kind !== "future" && p.value.kind !== "perpetual")) {
      skipped.push({ line: 0, instrument: f.instrument, code: "malformed_instrument", reason: "not a future or perpetual name" });
    } else if (indexUsd[p.value.base] === undefined) {
      skipped.push({ line: 0, instrument: f.instrument, code: "missing_index", reason: `no option row gives a ${p.value.base} index` });
    } else if (p.value.kind === "future" && p.value.expiryMs <= timestampMs) {
      skipped.push({ line: 0, instrument: f.instrument, code: "expired_instrument", reason: "expired before the snapshot time" });
    } else if (!(f.markPriceUsd > 0) || !Number.isFinite(f.markPriceUsd)) {
      skipped.push({ line: 0, instrument: f.instrument, code: "not_positive", reason: `mark ${f.markPriceUsd} is not a positive number` });
    } else if (!inBound(f.markPriceUsd, "priceUsd")) {
      skipped.push({ line: 0, instrument: f.instrument, code: "out_of_range", reason: `mark ${f.markPriceUsd} is not ${boundText("priceUsd")}` });
    } else {
      const t = p.value.kind === "future" ? (p.value.expiryMs - timestampMs) / MS_PER_YEAR : 0;
      const basis = Math.log(f.markPriceUsd / (indexUsd[p.value.base] as number));
      if (Math.abs(basis) > maxAbsLogBasis(t)) {
        skipped.push({ line: 0, instrument: f.instrument, code: "implausible_carry", reason: `mark ${f.markPriceUsd} against the index ${indexUsd[p.value.base]}: ln(F/S) = ${basis.toPrecision(3)}, beyond ±${maxAbsLogBasis(t).toPrecision(3)}` });
      } else instruments[f.instrument] = { markPrice: f.markPriceUsd };
    }
  }

  // Guard: the snapshot must pass the same validation as a market.json (it does by construction; a failure is a bug).
  const checked = validateMarket(marketSnapshotToJson({ timestampMs, indexUsd, instruments }));
  if (!checked.ok) return fail(...checked.issues.map((i) => issue("internal", i.path, `loader produced an invalid snapshot: ${i.code}: ${i.message}`)));
  return ok({ snapshot: checked.value, format, rows: kept, skipped, notes });
}

/** Why a row cannot enter the snapshot, or undefined when it can. */
function checkRow(row: DeribitOptionRow, timestampMs: number): { column?: string; code: IssueCode; reason: string } | undefined {
  const p = parseInstrument(row.instrument);
  if (!p.ok) return { column: "instrument_name", code: "malformed_instrument", reason: p.issues[0]?.message ?? "bad name" };
  const inst = p.value;
  if (inst.kind !== "option") return { column: "instrument_name", code: "unsupported", reason: `a ${inst.kind} row in an option chain` };
  if (inst.strikeUsd !== row.strikeUsd) return { column: "strike", code: "invalid_value", reason: `strike column ${row.strikeUsd} differs from the name's ${inst.strikeUsd}` };
  if (inst.expiryMs !== row.expiryMs) return { column: "expiry", code: "invalid_value", reason: `expiry column ${new Date(row.expiryMs).toISOString()} differs from the name's` };
  if (inst.base !== row.currency) return { column: "currency", code: "invalid_value", reason: `currency column ${row.currency} differs from the name's base ${inst.base}` };
  if (inst.expiryMs <= timestampMs) return { code: "expired_instrument", reason: "expired before the snapshot time" };
  if (!(row.markIvDecimal > 0)) return { column: "mark IV", code: "missing_vol", reason: `mark IV ${row.markIvDecimal} is not positive` };
  if (row.markIvDecimal > MAX_MARK_IV) return { column: "mark IV", code: "out_of_range", reason: `mark IV ${row.markIvDecimal} above ${MAX_MARK_IV}` };
  if (!(row.markPrice >= 0)) return { column: "mark_price", code: "not_positive", reason: `mark price ${row.markPrice} is negative` };
  if (!(row.indexUsd > 0)) return { column: "index_price", code: "not_positive", reason: `index price ${row.indexUsd} is not positive` };
  if (row.underlyingUsd !== undefined && !(row.underlyingUsd > 0)) return { column: "underlying price", code: "not_positive", reason: `underlying price ${row.underlyingUsd} is not positive` };
  if (row.openInterestCoin !== undefined && !(row.openInterestCoin >= 0)) return { column: "open_interest", code: "out_of_range", reason: `open interest ${row.openInterestCoin} is negative` };
  // The engine's bounds (market/bounds.ts), as a market.json must meet them.
  const bounds: readonly [string, number | undefined, BoundName][] = [
    ["strike", row.strikeUsd, "priceUsd"],
    ["index price", row.indexUsd, "priceUsd"],
    ["underlying price", row.underlyingUsd, "priceUsd"],
    ["mark price", row.markPrice, "optionPrice"],
    ["mark IV", row.markIvDecimal, "volDecimal"],
    ["bid price", row.bidPrice, "optionPrice"],
    ["ask price", row.askPrice, "optionPrice"],
    ["open interest", row.openInterestCoin, "amount"],
  ];
  for (const [what, x, bound] of bounds) if (x !== undefined && !inBound(x, bound)) return { column: what, code: "out_of_range", reason: `${what} ${x} is not ${boundText(bound)}` };
  if (row.underlyingUsd !== undefined) {
    const basis = Math.log(row.underlyingUsd / row.indexUsd);
    const limit = maxAbsLogBasis((inst.expiryMs - timestampMs) / MS_PER_YEAR);
    if (Math.abs(basis) > limit) return { column: "underlying price", code: "implausible_carry", reason: `underlying price ${row.underlyingUsd} against the row's index ${row.indexUsd}: ln(F/S) = ${basis.toPrecision(3)}, beyond ±${limit.toPrecision(3)}` };
  }
  return undefined;
}

/** A row time or expiry outside the engine's time-stamp bounds (or not a number), else undefined. */
function timeProblem(row: DeribitOptionRow): { column?: string; code: IssueCode; reason: string } | undefined {
  if (!inBound(row.observedMs, "timestampMs")) return { column: "timestamp", code: "out_of_range", reason: `row time ${row.observedMs} is not ${boundText("timestampMs")}` };
  if (!inBound(row.expiryMs, "timestampMs")) return { column: "expiry", code: "out_of_range", reason: `expiry ${row.expiryMs} is not ${boundText("timestampMs")}` };
  return undefined;
}

function push(map: Map<string, number[]>, key: string, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
