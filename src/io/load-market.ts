/**
 * Load a market from a file for the CLI and servers: a market JSON (docs/formats.md) or one of the two Deribit
 * option-chain CSV layouts, chosen by extension and content. This is the io layer: it reads files; the engine does not.
 * @module
 */
import { readdirSync, statSync } from "node:fs";
import { basename, dirname, extname, join } from "node:path";
import { fail, issue, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { resolveInstrumentName } from "../market/venue-ids.js";
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
  /**
   * Rows the loader dropped, one `dropped_row` warning each: path `file:line` (the file alone for a side-file or
   * derived mark), message naming the instrument, the column and the reason. Printed by every command that loads
   * the market (text: stderr; JSON: `warnings`).
   */
  readonly warnings: readonly Issue[];
}

/**
 * Largest market file read, bytes: 64 MiB. Deribit's whole listed chain is about 2 MB as CSV; a file 30 times that is
 * not a market snapshot, and reading it would take minutes before anything could fail (docs/formats.md).
 */
export const MAX_MARKET_FILE_BYTES = 64 * 1024 * 1024;

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
  const size = fileSize(path);
  if (size !== undefined && size > MAX_MARKET_FILE_BYTES)
    return fail(issue("too_large", path, `the file is ${(size / 1048576).toFixed(1)} MiB; a market file may be at most ${MAX_MARKET_FILE_BYTES / 1048576} MiB`));
  const text = readText(path);
  if (!text.ok) return text;
  const ext = extname(path).toLowerCase();
  const sideGiven = options.futuresPath !== undefined || options.perpetualsPath !== undefined;
  if (ext === ".json" || (ext !== ".csv" && text.value.trimStart().startsWith("{"))) {
    if (sideGiven) return fail(issue("unsupported", path, "futures/perpetual side files apply to the deribit-options-snapshot CSV only"));
    const snapshot = parseMarketJson(text.value, path);
    return snapshot.ok ? ok({ snapshot: snapshot.value, format: "json", notes: [], warnings: [] }) : snapshot;
  }
  const table = parseCsv(text.value, path);
  if (!table.ok) return table;
  const layout = detectDeribitCsvLayout(table.value.header);
  if (layout === undefined) {
    return fail(issue("unsupported", path, "not a market JSON nor a known Deribit option-chain CSV (see docs/formats.md)"));
  }
  let chain: Result<DeribitChain>;
  const found: string[] = [];
  if (layout === "deribit-options-snapshot") {
    // Side files not given are looked for beside the chain (docs/formats.md, "Deribit option-chain CSVs").
    const beside = options.futuresPath === undefined || options.perpetualsPath === undefined ? sideFilesBeside(path) : {};
    const futuresPath = options.futuresPath ?? beside.futures;
    const perpetualsPath = options.perpetualsPath ?? beside.perpetuals;
    if (options.futuresPath === undefined && futuresPath !== undefined) found.push(`futures marks from ${futuresPath} (found beside the chain; --futures to choose another)`);
    if (options.perpetualsPath === undefined && perpetualsPath !== undefined) found.push(`perpetual marks from ${perpetualsPath} (found beside the chain; --perpetuals to choose another)`);
    const futures = futuresPath === undefined ? undefined : readText(futuresPath);
    const perps = perpetualsPath === undefined ? undefined : readText(perpetualsPath);
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
  const skippedNote = chain.value.skipped.length > 0 ? [`${chain.value.skipped.length} row(s) dropped (see warnings)`] : [];
  const warnings = chain.value.skipped.map((r) =>
    issue("dropped_row", r.line > 0 ? `${path}:${r.line}` : path, `${r.instrument}${r.column !== undefined ? `: column ${r.column}` : ""}: ${r.code}: ${r.reason}; the row is dropped`),
  );
  return ok({ snapshot: chain.value.snapshot, format: layout, notes: [...found, ...chain.value.notes, ...skippedNote], chain: chain.value, warnings });
}

/**
 * The futures and perpetual files beside a Deribit options-snapshot CSV: in the same folder, with the same time-stamp
 * suffix as the chain (`_20251230T1731Z.csv`), and `futures` or `perpetual` in the name, as in
 * `deribit_btc_eth_options_20251230T1731Z.csv`, `deribit_futures_marks_20251230T1731Z.csv`,
 * `deribit_perpetual_prices_20251230T1731Z.csv`. A kind with no match or several is not chosen.
 */
export function sideFilesBeside(chainPath: string): { futures?: string; perpetuals?: string } {
  const suffix = /_(\d{8}T\d{4,6}Z)\.csv$/i.exec(basename(chainPath))?.[1];
  if (suffix === undefined) return {};
  let names: string[];
  try {
    names = readdirSync(dirname(chainPath));
  } catch {
    return {};
  }
  const same = names.filter((n) => n !== basename(chainPath) && n.toLowerCase().endsWith(`_${suffix.toLowerCase()}.csv`));
  const pick = (word: string): string | undefined => {
    const m = same.filter((n) => n.toLowerCase().includes(word));
    return m.length === 1 ? join(dirname(chainPath), m[0] as string) : undefined;
  };
  const futures = pick("futures");
  const perpetuals = pick("perpetual");
  return { ...(futures !== undefined ? { futures } : {}), ...(perpetuals !== undefined ? { perpetuals } : {}) };
}

/**
 * `dropped_row` issues for positions (or trades) on an instrument whose row the loader dropped: a position margined
 * without its own quote would be priced from a surface the user did not intend. `instruments[i]` is the name as
 * written (OKX ids resolve), `pathOf(i)` its issue path.
 */
export function droppedRowIssues(loaded: LoadedMarket, instruments: readonly unknown[], pathOf: (i: number) => string): Issue[] {
  const dropped = new Map<string, { line: number; reason: string; column?: string }>();
  for (const r of loaded.chain?.skipped ?? []) {
    // A second row for a kept instrument is not a dropped quote.
    if (r.code === "duplicate" || loaded.snapshot.instruments[r.instrument] !== undefined) continue;
    if (!dropped.has(r.instrument)) dropped.set(r.instrument, { line: r.line, reason: `${r.code}: ${r.reason}`, ...(r.column !== undefined ? { column: r.column } : {}) });
  }
  if (dropped.size === 0) return [];
  const out: Issue[] = [];
  instruments.forEach((raw, i) => {
    if (typeof raw !== "string") return;
    const resolved = resolveInstrumentName(raw);
    const name = resolved.ok ? resolved.value.instrument.name : raw;
    const d = dropped.get(name);
    if (d === undefined) return;
    const where = d.line > 0 ? `line ${d.line}` : "its side file";
    out.push(issue("dropped_row", pathOf(i), `${name}: its market row (${where}${d.column !== undefined ? `, column ${d.column}` : ""}) was dropped (${d.reason}); fix the row or remove the position`));
  });
  return out;
}

function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined; // readText reports the missing or unreadable file
  }
}

