/**
 * A validated portfolio, as every risk computation and margin model consumes it (validation: src/io/portfolio.ts).
 * @module
 */
import type { Instrument } from "../market/types.js";

/** A validated position: the instrument resolved from its name, size signed in base-coin units. */
export interface ResolvedPosition {
  readonly instrument: Instrument;
  /** Signed size in base-coin units (Deribit `pme/simulate` convention). For spot, the balance in that currency. */
  readonly sizeCoin: number;
  /** How the user gave the size: `coin` (field `size`) or `usd` (field `sizeUsd`, inverse futures/perps only). */
  readonly sizeConvention: "coin" | "usd";
  /** Indices of the input positions merged into this one (more than one when duplicates were merged). */
  readonly inputIndices: readonly number[];
  /** The venue's own id of the instrument (`BTC-USDT-SWAP`), when the input gave one; for outputs only. */
  readonly venueId?: string;
  /**
   * Linear USDC perpetuals only, optional, default 0: unrealised P&L and unrealised funding not yet settled into
   * cash, in USDC. Part of the account's mark-to-market at venues that settle perps lazily (Derive PMRM_2).
   */
  readonly unrealisedPnlUsdc?: number;
  readonly unrealisedFundingUsdc?: number;
  /**
   * Entry price the P&L of a future or perpetual runs from (Deribit's `average_price`), USD per coin; options: in the
   * option's quote unit, informational. Optional: without it a future's P&L counts from the mark it was resolved at.
   */
  readonly averagePrice?: number;
}

export interface ResolvedPortfolio {
  readonly positions: readonly ResolvedPosition[];
  /** Collateral balances per currency (negative = borrowed). */
  readonly collateral: Readonly<Record<string, number>>;
  /** Human-readable notes from validation (e.g. duplicate positions merged), reported in every output. */
  readonly notes: readonly string[];
}

