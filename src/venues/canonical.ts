/**
 * The venue-neutral account the exporters write out in each venue's shape (for round trips: export, import back,
 * same account) and that venue-shaped outputs start from.
 * @module
 */
import { parseInstrument } from "../market/instrument.js";
import type { DerivativeInstrument } from "../market/types.js";

/** One position: netrisk name, signed size in coin (and USD notional for inverse futures), entry and mark prices. */
export interface CanonicalPosition {
  readonly instrument: string;
  /** Signed size in base coin. */
  readonly size: number;
  /** Inverse futures and perpetuals: signed USD notional (size × mark). */
  readonly sizeUsd?: number;
  /** Entry price (futures: USD or stablecoin per coin; options: premium per coin in the settlement currency). */
  readonly averagePrice?: number;
  /** Mark in the same unit as the average price. */
  readonly markPrice: number;
}

export interface CanonicalAccount {
  readonly positions: readonly CanonicalPosition[];
  readonly collateral: Readonly<Record<string, number>>;
}

/** The instrument of a netrisk name (a programming error if it does not parse: exporters get validated names). */
export function instrumentOf(name: string): DerivativeInstrument {
  const r = parseInstrument(name);
  if (!r.ok || r.value.kind === "spot") throw new Error(`not a derivative name: ${name}`);
  return r.value;
}

/** `YYMMDD` of an expiry instant (UTC). */
export function yymmdd(expiryMs: number): string {
  const d = new Date(expiryMs);
  return `${String(d.getUTCFullYear() % 100).padStart(2, "0")}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
}
