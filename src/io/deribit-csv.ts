/**
 * Loaders for the two Deribit option-chain CSV layouts in ../shared/data (columns and quirks in
 * ../shared/data/SOURCES.md §2):
 * - `deribit-options-snapshot` (e.g. deribit_btc_eth_options_20251230T1731Z.csv): one row per option from
 *   `get_book_summary_by_currency` + `ticker`; prices in coin, `implied_volatility` decimal, ISO timestamps; optional
 *   side files with dated-future marks (`deribit_futures_marks_*.csv`) and perpetual marks
 *   (`deribit_perpetual_prices_*.csv`).
 * - `deribit-ticker` (e.g. deribit_btc_options_20200521T2319Z.csv): raw `public/ticker` responses flattened by pandas;
 *   `mark_iv` in percent, times in ms, `greeks` as a Python-literal dict string.
 * Both return a {@link DeribitChain}: the snapshot plus Deribit's per-row figures and the skipped rows with reasons.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";
import { columns, numberCell, parseCsv } from "./csv.js";
import type { CsvTable } from "./csv.js";
import { buildDeribitChain } from "./deribit-chain.js";
import type { DeribitChain, DeribitFutureMark, DeribitOptionRow, SkippedRow } from "./deribit-chain.js";
import { parseIsoTimestampMs } from "./timestamp.js";

const SNAPSHOT_COLUMNS = [
  "timestamp", "instrument_name", "underlying", "underlying_name", "option_type", "strike", "expiry_datetime",
  "time_to_maturity", "bid_price", "ask_price", "mark_price", "implied_volatility", "delta", "vega", "open_interest",
  "currency", "index_price",
] as const;

const TICKER_COLUMNS = [
  "expiration_timestamp", "option_type", "instrument_name", "strike", "underlying_price", "underlying_index",
  "timestamp", "open_interest", "mark_price", "mark_iv", "index_price", "greeks", "bid_iv", "best_bid_price",
  "best_ask_price", "ask_iv", "interest_rate",
] as const;

/** Which Deribit option-chain layout a CSV header is, if any. */
export function detectDeribitCsvLayout(header: readonly string[]): DeribitChain["format"] | undefined {
  if (SNAPSHOT_COLUMNS.every((c) => header.includes(c))) return "deribit-options-snapshot";
  if (TICKER_COLUMNS.every((c) => header.includes(c))) return "deribit-ticker";
  return undefined;
}

/** Side files for {@link loadDeribitOptionsSnapshotCsv}: texts of the futures-marks and perpetual-prices CSVs. */
export interface DeribitSideFiles {
  readonly futuresCsv?: string;
  readonly perpetualsCsv?: string;
  /** File name for issue paths. */
  readonly sourceName?: string;
}

/**
 * Load the `deribit-options-snapshot` layout. Futures come from `futuresCsv` (column `snapshot_term_mark_price`: the
 * future's price as Deribit reported it inside the option rows at the snapshot instant, rather than
 * `term_mark_price_final`, a chart-candle open up to a minute away), else from the options' real-future underlyings;
 * perpetuals from `perpetualsCsv` (`perp_futures_mark_price`, a 1-minute chart open: SOURCES.md says it is not the
 * exchange mark).
 */
export function loadDeribitOptionsSnapshotCsv(optionsCsv: string, side: DeribitSideFiles = {}): Result<DeribitChain> {
  const src = side.sourceName ?? "options.csv";
  const table = parseCsv(optionsCsv, src);
  if (!table.ok) return table;
  const col = columns(table.value, SNAPSHOT_COLUMNS, src);
  if (!col.ok) return col;
  const c = col.value;
  const rows: DeribitOptionRow[] = [];
  const skipped: SkippedRow[] = [];
  for (const { line, cells } of table.value.records) {
    const instrument = c.instrument_name(cells);
    const n = readNumbers(cells, c, ["strike", "mark_price", "implied_volatility", "index_price"], ["underlying", "bid_price", "ask_price", "open_interest", "delta", "vega", "time_to_maturity"]);
    const observedMs = parseIsoTimestampMs(c.timestamp(cells));
    const expiryMs = parseIsoTimestampMs(c.expiry_datetime(cells));
    const optionType = c.option_type(cells);
    const bad =
      n.problem ??
      (observedMs === undefined ? "bad timestamp" : undefined) ??
      (expiryMs === undefined ? "bad expiry_datetime" : undefined) ??
      optionTypeProblem(instrument, optionType);
    if (bad !== undefined || observedMs === undefined || expiryMs === undefined) {
      const column = n.column ?? (observedMs === undefined ? "timestamp" : expiryMs === undefined ? "expiry_datetime" : "option_type");
      skipped.push({ line, instrument, column, code: "invalid_value", reason: bad ?? "bad row" });
      continue;
    }
    const v = n.values;
    rows.push({
      line,
      instrument,
      strikeUsd: v.strike as number,
      expiryMs,
      currency: c.currency(cells),
      observedMs,
      indexUsd: v.index_price as number,
      ...defined("underlyingUsd", v.underlying),
      underlyingName: c.underlying_name(cells),
      markPrice: v.mark_price as number,
      markIvDecimal: v.implied_volatility as number,
      ...positive("bidPrice", v.bid_price),
      ...positive("askPrice", v.ask_price),
      ...defined("openInterestCoin", v.open_interest),
      ...defined("deltaDeribit", v.delta),
      ...defined("vegaUsdPerVolPoint", v.vega),
      ...defined("timeToMaturityYears", v.time_to_maturity),
    });
  }
  let futures: DeribitFutureMark[] | undefined;
  if (side.futuresCsv !== undefined) {
    const f = readMarks(side.futuresCsv, "futures_instrument_name", "snapshot_term_mark_price", `${src} (futures file)`);
    if (!f.ok) return f;
    futures = f.value;
  }
  let perpetuals: DeribitFutureMark[] = [];
  if (side.perpetualsCsv !== undefined) {
    const p = readMarks(side.perpetualsCsv, "instrument_name", "perp_futures_mark_price", `${src} (perpetuals file)`);
    if (!p.ok) return p;
    perpetuals = p.value;
  }
  return buildDeribitChain("deribit-options-snapshot", rows, skipped, futures, perpetuals, src);
}

/**
 * Load the `deribit-ticker` layout (raw ticker dump). `mark_iv`, `bid_iv`, `ask_iv` are percent and are divided by
 * 100; a `bid_iv`/`ask_iv` of 0 means Deribit had no usable quote and is left out; greeks are read from the
 * Python-literal `greeks` dict. There is no futures file: dated futures come from the options' real-future
 * underlyings (SOURCES.md: BTC-26JUN20, BTC-25SEP20, BTC-25DEC20).
 */
export function loadDeribitTickerCsv(csv: string, opts: { readonly sourceName?: string } = {}): Result<DeribitChain> {
  const src = opts.sourceName ?? "ticker.csv";
  const table = parseCsv(csv, src);
  if (!table.ok) return table;
  const col = columns(table.value, TICKER_COLUMNS, src);
  if (!col.ok) return col;
  const c = col.value;
  const rows: DeribitOptionRow[] = [];
  const skipped: SkippedRow[] = [];
  let nonZeroRates = 0;
  for (const { line, cells } of table.value.records) {
    const instrument = c.instrument_name(cells);
    const n = readNumbers(
      cells,
      c,
      ["expiration_timestamp", "strike", "timestamp", "mark_price", "mark_iv", "index_price"],
      ["underlying_price", "open_interest", "bid_iv", "ask_iv", "best_bid_price", "best_ask_price", "interest_rate"],
    );
    const greeks = parsePythonNumberDict(c.greeks(cells));
    const bad = n.problem ?? (greeks === undefined ? "greeks is not a {'name': number} dict" : undefined) ?? optionTypeProblem(instrument, c.option_type(cells));
    if (bad !== undefined || greeks === undefined) {
      skipped.push({ line, instrument, column: n.column ?? (greeks === undefined ? "greeks" : "option_type"), code: "invalid_value", reason: bad ?? "bad row" });
      continue;
    }
    const v = n.values;
    if ((v.interest_rate ?? 0) !== 0) nonZeroRates += 1;
    rows.push({
      line,
      instrument,
      strikeUsd: v.strike as number,
      expiryMs: v.expiration_timestamp as number,
      // No currency column in this layout: the base in the name (BTC-...) is the currency.
      currency: instrument.split(/[-_]/)[0] ?? "",
      observedMs: v.timestamp as number,
      indexUsd: v.index_price as number,
      ...defined("underlyingUsd", v.underlying_price),
      underlyingName: c.underlying_index(cells),
      markPrice: v.mark_price as number,
      markIvDecimal: percentToDecimal(v.mark_iv as number),
      ...positive("bidPrice", v.best_bid_price),
      ...positive("askPrice", v.best_ask_price),
      ...defined("openInterestCoin", v.open_interest),
      ...defined("deltaDeribit", greeks.delta),
      ...defined("vegaUsdPerVolPoint", greeks.vega),
      ...defined("gammaPerUsd", greeks.gamma),
      ...defined("thetaUsdPerDay", greeks.theta),
      ...positive("bidIvDecimal", v.bid_iv === undefined ? undefined : percentToDecimal(v.bid_iv)),
      ...positive("askIvDecimal", v.ask_iv === undefined ? undefined : percentToDecimal(v.ask_iv)),
    });
  }
  const chain = buildDeribitChain("deribit-ticker", rows, skipped, undefined, [], src);
  if (!chain.ok || nonZeroRates === 0) return chain;
  // Deribit's option interest_rate has been 0; a non-zero one is reported, not silently used or dropped.
  return ok({ ...chain.value, notes: [...chain.value.notes, `${nonZeroRates} row(s) have a non-zero interest_rate; the snapshot uses rate 0`] });
}

/**
 * Percent to decimal by shifting the decimal exponent of the shortest repr (85.05 → "85.05e-2" → 0.8505), which is
 * the double nearest to the written decimal; `85.05 / 100` gives 0.8504999999999999.
 */
function percentToDecimal(percent: number): number {
  const text = String(percent);
  return text.includes("e") ? percent / 100 : Number(`${text}e-2`);
}

type Getters<K extends string> = Record<K, (cells: readonly string[]) => string>;

/** Read required and optional numeric columns; `problem` names the first bad cell. */
function readNumbers<K extends string>(
  cells: readonly string[],
  get: Getters<K>,
  required: readonly K[],
  optional: readonly K[],
): { values: Partial<Record<K, number>>; problem?: string; column?: K } {
  const values: Partial<Record<K, number>> = {};
  for (const k of [...required, ...optional]) {
    const raw = get[k](cells);
    const v = numberCell(raw);
    if (v === undefined) {
      if (required.includes(k)) return { values, problem: `${k} is empty`, column: k };
      continue;
    }
    if (Number.isNaN(v)) return { values, problem: `${k} is not a finite number: ${JSON.stringify(raw)}`, column: k };
    values[k] = v;
  }
  return { values };
}

function optionTypeProblem(instrument: string, optionType: string): string | undefined {
  const suffix = optionType === "call" ? "-C" : optionType === "put" ? "-P" : undefined;
  if (suffix === undefined) return `option_type ${JSON.stringify(optionType)} is not call or put`;
  return instrument.endsWith(suffix) ? undefined : `option_type ${optionType} does not match the name`;
}

/** `{ [key]: value }` when value is defined, else `{}` (keeps optional fields absent rather than undefined). */
function defined<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, number>);
}

/** Like {@link defined} but also drops 0 and negatives: Deribit writes 0 for "no bid/ask/IV". */
function positive<K extends string>(key: K, value: number | undefined): Partial<Record<K, number>> {
  return value !== undefined && value > 0 ? ({ [key]: value } as Record<K, number>) : {};
}

/**
 * Parse a Python-literal dict of numbers as pandas writes it: `{'vega': 0.94545, 'delta': -0.73032, 'gamma': 7e-05}`.
 * Returns undefined when the text is not exactly such a dict (a `None` or `nan` value makes that key absent).
 */
export function parsePythonNumberDict(text: string): Record<string, number> | undefined {
  const t = text.trim();
  if (!t.startsWith("{") || !t.endsWith("}")) return undefined;
  const body = t.slice(1, -1).trim();
  const out: Record<string, number> = {};
  if (body === "") return out;
  for (const part of body.split(",")) {
    const m = /^\s*'([A-Za-z_][A-Za-z0-9_]*)'\s*:\s*(\S+)\s*$/.exec(part);
    if (!m) return undefined;
    const [, key = "", raw = ""] = m;
    if (raw === "None" || raw === "nan") continue;
    const v = numberCell(raw);
    if (v === undefined || Number.isNaN(v)) return undefined;
    out[key] = v;
  }
  return out;
}

/** Read (instrument, USD mark) pairs from a side file. */
function readMarks(text: string, nameColumn: string, priceColumn: string, sourceName: string): Result<DeribitFutureMark[]> {
  const table: Result<CsvTable> = parseCsv(text, sourceName);
  if (!table.ok) return table;
  const col = columns(table.value, [nameColumn, priceColumn], sourceName);
  if (!col.ok) return col;
  const out: DeribitFutureMark[] = [];
  for (const { line, cells } of table.value.records) {
    const instrument = col.value[nameColumn]?.(cells) ?? "";
    const price = numberCell(col.value[priceColumn]?.(cells) ?? "");
    if (price === undefined || Number.isNaN(price)) {
      return fail(issue("invalid_csv", sourceName, `line ${line}: ${priceColumn} of ${instrument} is not a number`));
    }
    out.push({ instrument, markPriceUsd: price });
  }
  return ok(out);
}
