/**
 * History CSV formats (docs/formats.md, `## History files`), detected from the header:
 *
 * - `wide` (the primary, generic format): `date,<FACTOR>...,vol:<BASE>...`. `date` is `YYYY-MM-DD` (UTC day);
 *   a `<FACTOR>` column (currency code: BTC, ETH, USDC) is the USD close; a `vol:<BASE>` column is an implied-vol
 *   index of that base, decimal (0.55). Empty cells before a factor's first or after its last value are its
 *   listing period. `crypto_daily_close_wide_2014_2024.csv` is this format.
 * - `close`: `date,price[,volume]`, one price factor (`btc_usd_daily_close_2015_2026.csv`).
 * - `ohlcv`: Yahoo/yfinance `Date,Open,High,Low,Close,...`: the `Close` column, one price factor; dates
 *   `YYYY-MM-DD` or `YYYY-MM-DD 00:00:00+00:00` (the BTC/ETH/SOL/BNB and USDC/USDT files).
 * - `dvol`: Deribit DVOL candles `date,symbol,open,high,low,close` in PERCENT, newest first: the `close` of each
 *   symbol becomes a vol series of that base, divided by 100.
 *
 * Single-factor formats need the factor's code: from the `factor` option, else from a file name starting
 * `<coin>_usd` / `<COIN>-USD` (noted). The engine never reads files: callers pass the text (src/io/history-files.ts).
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import { buildGroupSeries } from "./build.js";
import type { ColumnSpec, FillGaps, GroupInput } from "./build.js";
import { splitHistoryTable } from "./table.js";
import type { HistoryTable } from "./table.js";
import type { DailySeries, History } from "./types.js";

/** The history CSV layouts understood (see the module doc). */
export type HistoryFormat = "wide" | "close" | "ohlcv" | "dvol";

/** Options of {@link parseHistoryCsv}. */
export interface ParseHistoryOptions {
  /** Layout; default detected from the header. */
  readonly format?: HistoryFormat;
  /** Factor code of a single-series file (`close`, `ohlcv`); default inferred from the file name. */
  readonly factor?: string;
  /** Missing days: `none` (default) reports each as `history_gap`; `forward` carries the previous value and notes it. */
  readonly fillGaps?: FillGaps;
}

/** Factor codes: the currency-code syntax of instrument names (market/instrument.ts CURRENCY_CODE_PATTERN). */
const FACTOR = /^[A-Z][A-Z0-9]{1,9}$/;
const VOL_COLUMN = /^vol:([A-Z][A-Z0-9]{1,9})$/;
/** At most this many issues per file, then one summary issue: a wrong file should not print 4,000 lines. */
const MAX_ISSUES = 50;

/** The detected layout, or undefined when the header matches none. */
export function detectHistoryFormat(header: readonly string[]): HistoryFormat | undefined {
  const h = header.map((c) => c.trim());
  if (h[0] === "date" && h.length >= 2 && h.slice(1).every((c) => FACTOR.test(c) || VOL_COLUMN.test(c))) return "wide";
  if (h[0] === "date" && h[1] === "price" && (h.length === 2 || (h.length === 3 && h[2] === "volume"))) return "close";
  if (h[0] === "Date" && h.includes("Close")) return "ohlcv";
  if (["date", "symbol", "close"].every((c) => h.includes(c))) return "dvol";
  return undefined;
}

/** A factor code from a file name like `btc_usd_daily_close.csv` or `BTC-USD.csv`, or undefined. */
export function factorFromFileName(sourceName: string): string | undefined {
  const base = sourceName.split(/[\\/]/).pop() ?? "";
  const m = /^([A-Za-z][A-Za-z0-9]{1,9})[-_]usd/i.exec(base);
  const code = m?.[1]?.toUpperCase();
  return code !== undefined && FACTOR.test(code) ? code : undefined;
}

/**
 * Parse one history CSV file's text. `sourceName` (the file name) prefixes every issue path as `source:line`.
 * @returns the file's series, or issues: invalid_csv (layout, ragged rows, a column with no values), unsupported
 *   (unknown header), required (no factor for a single-series file), invalid_value (bad date or number),
 *   misaligned_date (not a UTC day, out of order), duplicate (date twice), history_gap (missing day),
 *   not_positive, non_finite.
 */
export function parseHistoryCsv(text: string, sourceName: string, options: ParseHistoryOptions = {}): Result<History> {
  const { table, issues } = splitHistoryTable(text, sourceName);
  if (!table) return fail(...issues);
  const format = options.format ?? detectHistoryFormat(table.header);
  if (format === undefined) {
    return fail(
      issue(
        "unsupported",
        `${sourceName}:${table.headerLine}`,
        `unknown history layout (header ${table.header.join(",")}); expected date,<FACTOR>...,vol:<BASE>... or date,price[,volume] or Yahoo Date,Open,High,Low,Close,... or Deribit DVOL date,symbol,open,high,low,close (docs/formats.md)`,
      ),
    );
  }
  const notes: string[] = [];
  const groups = groupsOf(format, table, sourceName, options, issues, notes);
  const series: DailySeries[] = [];
  if (issues.length === 0) for (const g of groups) series.push(...buildGroupSeries(g, options.fillGaps ?? "none", issues, notes));
  if (issues.length > 0) {
    const shown = issues.slice(0, MAX_ISSUES);
    if (issues.length > MAX_ISSUES) shown.push(issue(issues[MAX_ISSUES]!.code, sourceName, `… and ${issues.length - MAX_ISSUES} more issue(s) in this file`));
    return fail(...shown);
  }
  return ok({ prices: series.filter((s) => s.kind === "price"), vols: series.filter((s) => s.kind === "vol"), notes });
}

function groupsOf(format: HistoryFormat, table: HistoryTable, source: string, options: ParseHistoryOptions, issues: Issue[], notes: string[]): GroupInput[] {
  const h = table.header;
  const need = (name: string): number => {
    const i = h.indexOf(name);
    if (i < 0) issues.push(issue("invalid_csv", `${source}:${table.headerLine}`, `missing column ${name} for the ${format} layout`));
    return i;
  };
  const singleFactor = (): string | undefined => {
    if (options.factor !== undefined) {
      if (!FACTOR.test(options.factor)) issues.push(issue("invalid_value", "factor", `${JSON.stringify(options.factor)} is not a currency code (BTC, ETH, USDC, ...)`));
      return options.factor;
    }
    const f = factorFromFileName(source);
    if (f === undefined) issues.push(issue("required", source, "name the factor of this single-series file (e.g. BTC=path.csv): it cannot be inferred from the file name"));
    else notes.push(`${source}: factor ${f} inferred from the file name`);
    return f;
  };
  const rows = table.records;
  switch (format) {
    case "wide": {
      const date = need("date");
      const columns: ColumnSpec[] = [];
      const seen = new Set<string>();
      h.forEach((name, cell) => {
        if (cell === date) return;
        const vol = VOL_COLUMN.exec(name);
        const spec: ColumnSpec | undefined = vol ? { factor: vol[1]!, kind: "vol", cell, divisor: 1, label: name } : FACTOR.test(name) ? { factor: name, kind: "price", cell, divisor: 1, label: name } : undefined;
        if (!spec) issues.push(issue("invalid_csv", `${source}:${table.headerLine}`, `column ${JSON.stringify(name)} is neither a factor code nor vol:<BASE>`));
        else if (seen.has(name)) issues.push(issue("duplicate", `${source}:${table.headerLine}`, `column ${name} appears twice`));
        else {
          seen.add(name);
          columns.push(spec);
        }
      });
      return [{ source, dateCell: date, rows, columns, label: "" }];
    }
    case "close":
    case "ohlcv": {
      const date = need(format === "close" ? "date" : "Date");
      const cell = need(format === "close" ? "price" : "Close");
      const factor = singleFactor();
      if (factor === undefined) return [];
      return [{ source, dateCell: date, rows, columns: [{ factor, kind: "price", cell, divisor: 1, label: format === "close" ? "price" : "Close" }], label: "" }];
    }
    case "dvol": {
      const date = need("date");
      const symbol = need("symbol");
      const close = need("close");
      if (issues.length > 0) return [];
      const bySymbol = new Map<string, Array<(typeof rows)[number]>>();
      for (const r of rows) {
        const s = r.cells[symbol] ?? "";
        if (!FACTOR.test(s)) {
          issues.push(issue("invalid_value", `${source}:${r.line}`, `symbol ${JSON.stringify(s)} is not a currency code`));
          continue;
        }
        const list = bySymbol.get(s) ?? [];
        list.push(r);
        bySymbol.set(s, list);
      }
      notes.push(`${source}: DVOL close in percent, divided by 100`);
      return [...bySymbol].map(([s, list]) => ({ source, dateCell: date, rows: list, columns: [{ factor: s, kind: "vol", cell: close, divisor: 100, label: `close[${s}]` }], label: s }));
    }
  }
}

/**
 * Combine histories (several files) into one. A factor's price (or vol) given twice is a `duplicate` issue naming
 * both sources: pick one file, the engine does not guess which is right.
 */
export function combineHistories(histories: readonly History[]): Result<History> {
  const prices: DailySeries[] = [];
  const vols: DailySeries[] = [];
  const issues: Issue[] = [];
  for (const h of histories) {
    for (const [list, incoming] of [[prices, h.prices], [vols, h.vols]] as const) {
      for (const s of incoming) {
        const dup = list.find((x) => x.factor === s.factor);
        if (dup) issues.push(issue("duplicate", s.source, `${s.kind} history of ${s.factor} given twice (also in ${dup.source}); pass one`));
        else list.push(s);
      }
    }
  }
  if (issues.length > 0) return fail(...issues);
  return ok({ prices, vols, notes: histories.flatMap((h) => h.notes) });
}
