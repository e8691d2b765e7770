/**
 * Load a market from a file for the CLI and servers: a market JSON (docs/formats.md) or one of the two Deribit
 * option-chain CSV layouts, chosen by extension and content. This is the io layer: it reads files; the engine does not.
 * @module
 */
import { extname } from "node:path";
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";
import type { MarketSnapshot } from "../market/types.js";
import { parseCsv } from "./csv.js";
import type { DeribitChain } from "./deribit-chain.js";
import { detectDeribitCsvLayout, loadDeribitOptionsSnapshotCsv, loadDeribitTickerCsv } from "./deribit-csv.js";
import { readText } from "./files.js";
import { parseMarketJson } from "./market.js";

/** A loaded market: the snapshot, the detected format, loader notes, and for CSVs the full chain (Deribit's rows). */
export interface LoadedMarket {
  readonly snapshot: MarketSnapshot;
  readonly format: "json" | DeribitChain["format"];
  readonly notes: readonly string[];
  readonly chain?: DeribitChain;
}

/** Side files of the `deribit-options-snapshot` CSV layout (giving them for another format is an error, not ignored). */
export interface LoadMarketOptions {
  /** Path of a `deribit_futures_marks_*.csv` file. */
  readonly futuresPath?: string;
  /** Path of a `deribit_perpetual_prices_*.csv` file. */
  readonly perpetualsPath?: string;
}

/**
 * Read and validate a market file. `.json` (or content starting with `{`) is a market JSON; `.csv` is detected from
 * its header as `deribit-options-snapshot` or `deribit-ticker`.
 * @returns the market, or issues: file_not_found, file_unreadable (path = the file), invalid_json, invalid_csv,
 *   unsupported (unknown CSV layout, or side files for a format that has none), and the validation codes.
 */
export function loadMarketFile(path: string, options: LoadMarketOptions = {}): Result<LoadedMarket> {
  const text = readText(path);
  if (!text.ok) return text;
  const ext = extname(path).toLowerCase();
  const sideGiven = options.futuresPath !== undefined || options.perpetualsPath !== undefined;
  if (ext === ".json" || (ext !== ".csv" && text.value.trimStart().startsWith("{"))) {
    if (sideGiven) return fail(issue("unsupported", path, "futures/perpetual side files apply to the deribit-options-snapshot CSV only"));
    const snapshot = parseMarketJson(text.value, path);
    return snapshot.ok ? ok({ snapshot: snapshot.value, format: "json", notes: [] }) : snapshot;
  }
  const table = parseCsv(text.value, path);
  if (!table.ok) return table;
  const layout = detectDeribitCsvLayout(table.value.header);
  if (layout === undefined) {
    return fail(issue("unsupported", path, "not a market JSON nor a known Deribit option-chain CSV (see docs/formats.md)"));
  }
  let chain: Result<DeribitChain>;
  if (layout === "deribit-options-snapshot") {
    const futures = options.futuresPath === undefined ? undefined : readText(options.futuresPath);
    const perps = options.perpetualsPath === undefined ? undefined : readText(options.perpetualsPath);
    if (futures && !futures.ok) return futures;
    if (perps && !perps.ok) return perps;
    chain = loadDeribitOptionsSnapshotCsv(text.value, {
      sourceName: path,
      ...(futures ? { futuresCsv: futures.value } : {}),
      ...(perps ? { perpetualsCsv: perps.value } : {}),
    });
  } else {
    if (sideGiven) return fail(issue("unsupported", path, "futures/perpetual side files apply to the deribit-options-snapshot CSV only"));
    chain = loadDeribitTickerCsv(text.value, { sourceName: path });
  }
  if (!chain.ok) return chain;
  const skippedNote = chain.value.skipped.length > 0 ? [`${chain.value.skipped.length} row(s) skipped (see chain.skipped)`] : [];
  return ok({ snapshot: chain.value.snapshot, format: layout, notes: [...chain.value.notes, ...skippedNote], chain: chain.value });
}

