/**
 * Minimal readers of the two real Deribit option chains in ../shared/data (see SOURCES.md there), turned into
 * VolQuote lists for the surface tests. Deliberately independent of src/io (a second, tiny parser).
 */
import { readFileSync } from "node:fs";
import type { VolQuote } from "../../src/market/vol-surface.js";
import { sharedData } from "../helpers/requires.js";

export const dataPath = (name: string): string => sharedData(name);

/** Split one CSV line, honouring double-quoted fields (the 2020 chain quotes its Python-literal columns). */
function splitCsvLine(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

export function readCsv(name: string): Record<string, string>[] {
  const lines = readFileSync(dataPath(name), "utf8").split(/\r?\n/).filter((l) => l.length > 0);
  const header = splitCsvLine(lines[0] as string);
  return lines.slice(1).map((l) => {
    const cells = splitCsvLine(l);
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = cells[i] ?? ""));
    return row;
  });
}

export interface Chain {
  readonly asOfMs: number;
  readonly quotes: VolQuote[];
  /** Deribit's own time_to_maturity per expiry (2025 chain only), to cross-check our ACT/365.25 times. */
  readonly deribitTimeYears: Map<number, number>;
}

/** The 2025-12-30 BTC+ETH chain: implied_volatility is decimal, underlying is the expiry's USD forward. */
export function chain2025(currency: "BTC" | "ETH"): Chain {
  const rows = readCsv("deribit_btc_eth_options_20251230T1731Z.csv").filter((r) => r.currency === currency);
  const asOfMs = Date.parse((rows[0] as Record<string, string>).timestamp as string);
  const deribitTimeYears = new Map<number, number>();
  const quotes = rows.map((r) => {
    const expiryMs = Date.parse(r.expiry_datetime as string);
    deribitTimeYears.set(expiryMs, Number(r.time_to_maturity));
    return {
      strikeUsd: Number(r.strike),
      expiryMs,
      forwardUsd: Number(r.underlying),
      volDecimal: Number(r.implied_volatility),
      instrument: r.instrument_name as string,
    };
  });
  return { asOfMs, quotes, deribitTimeYears };
}

/** The 2020-05-21 BTC chain: mark_iv in percent; rows polled over ~3 minutes, the surface time is the first poll. */
export function chain2020(): Chain {
  const rows = readCsv("deribit_btc_options_20200521T2319Z.csv");
  const asOfMs = Math.min(...rows.map((r) => Number(r.timestamp)));
  const quotes = rows.map((r) => ({
    strikeUsd: Number(r.strike),
    expiryMs: Number(r.expiration_timestamp),
    forwardUsd: Number(r.underlying_price),
    volDecimal: Number(r.mark_iv) / 100,
    instrument: r.instrument_name as string,
  }));
  return { asOfMs, quotes, deribitTimeYears: new Map() };
}
