/**
 * What every venue importer produces: one venue account normalised into netrisk's account file (positions with signed
 * sizes in base coin, or USD notional for inverse futures; balances per currency), the venue's own figures for
 * comparison, and the raw record of every position for audit. Importers read saved API responses as parsed JSON;
 * they never touch the network. Every record netrisk cannot map is a coded issue naming the venue, the file, the
 * record and the field (`okx: positions.json: data[3].instId: ...`), never dropped silently.
 * @module
 */
import { issue } from "../errors.js";
import type { Issue, IssueCode } from "../errors.js";

/** Venues with an importer. `ccxt` reads ccxt's unified structures (with each record's raw `info`). */
export const VENUE_IDS = ["deribit", "okx", "bybit", "binance", "hyperliquid", "derive", "ccxt"] as const;
export type VenueId = (typeof VENUE_IDS)[number];

/** A saved response: the file name it came from (for issue paths) and its parsed JSON. */
export interface VenueFile {
  readonly name: string;
  readonly json: unknown;
}

/** One imported position, in the account-file form (docs/formats.md "Portfolio"). */
export interface ImportedPosition {
  /** netrisk name (`BTC_USDT-PERPETUAL`). */
  readonly instrument: string;
  /** The venue's own id (`BTC-USDT-SWAP`, `BTCUSDT`, `ETH-PERP`). */
  readonly venueId: string;
  /** Signed size in base coin; absent when `sizeUsd` is given (inverse futures and perpetuals). */
  readonly size?: number;
  /** Signed USD notional of an inverse future or perpetual. */
  readonly sizeUsd?: number;
  /** Entry price the futures P&L runs from (USD, or the stablecoin per coin for linear; options: informational). */
  readonly averagePrice?: number;
  /** Where it came from: `file:record path`. */
  readonly source: string;
  /** The venue's record as it was, for audit. */
  readonly venueRecord: unknown;
}

/** The venue's own account figures, in USD where the venue gives USD (null when it does not give the figure). */
export interface VenueFigures {
  readonly equityUsd?: number;
  readonly initialMarginUsd?: number;
  readonly maintenanceMarginUsd?: number;
  /** Any other figure the venue reports, under its own name (e.g. `uniMMR`, `mgnRatio`, `accountMMRate`). */
  readonly other?: Readonly<Record<string, number | string>>;
}

/** An imported venue account. */
export interface ImportedAccount {
  readonly venue: VenueId;
  /** The margin model netrisk uses for this venue's own requirement (its preset where netrisk has one). */
  readonly model: string;
  readonly positions: readonly ImportedPosition[];
  /** Balance per currency (negative = borrowed). */
  readonly collateral: Readonly<Record<string, number>>;
  readonly venueFigures: VenueFigures;
  /** The files read, in order. */
  readonly files: readonly string[];
  readonly notes: readonly string[];
}

/** The margin model of each venue's own requirement: its netrisk preset where there is one, standard margin otherwise. */
export const VENUE_MODELS: Readonly<Record<VenueId, string>> = {
  deribit: "deribit",
  okx: "okx",
  derive: "derive-pmrm2",
  bybit: "standard",
  binance: "standard",
  hyperliquid: "standard",
  ccxt: "standard",
};

/** An issue about a venue record: path `file:record.field`, message prefixed with the venue. */
export function venueIssue(code: IssueCode, venue: VenueId, file: string, at: string, message: string): Issue {
  return issue(code, at === "" ? file : `${file}:${at}`, `${venue}: ${message}`);
}

/** Options shared by the importers. */
export interface ImportOptions {
  /** OKX `GET /api/v5/public/instruments` responses (contract values), as parsed JSON with their file names. */
  readonly instruments?: readonly VenueFile[];
}

/** The account file form of an imported account (what `netrisk import --json` prints). */
export function accountFileOf(a: ImportedAccount): Record<string, unknown> {
  return {
    venue: a.venue,
    model: a.model,
    positions: a.positions.map((p) => ({
      instrument: p.instrument,
      venueId: p.venueId,
      ...(p.size !== undefined ? { size: p.size } : {}),
      ...(p.sizeUsd !== undefined ? { sizeUsd: p.sizeUsd } : {}),
      ...(p.averagePrice !== undefined ? { averagePrice: p.averagePrice } : {}),
      source: p.source,
      venueRecord: p.venueRecord,
    })),
    collateral: { ...a.collateral },
    venueFigures: a.venueFigures,
    files: a.files,
    notes: a.notes,
  };
}
