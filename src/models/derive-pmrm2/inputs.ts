/**
 * The plain, validated inputs of one Derive PMRM_2 bucket (one underlying = one Derive risk manager), independent of
 * how they were obtained: the model builds them from a portfolio and a market context, tests build them directly.
 * Amounts are USDC (Derive's cash asset), prices USD per coin, confidences in [0, 1].
 * @module
 */
import type { DeriveCollateralParams } from "./params.js";

/** One option position of an expiry. */
export interface DeriveOptionLeg {
  /** Instrument name, e.g. `ETH_USDC-27JUN25-3000-C`. */
  readonly name: string;
  /** Signed amount q in coins (negative = short). */
  readonly sizeCoin: number;
  readonly isCall: boolean;
  readonly strikeUsd: number;
  /** Feed vol σ_K for this strike (sticky strike), decimal, > 0. */
  readonly volDecimal: number;
  /** Confidence of that vol feed. */
  readonly volConfidence: number;
}

/** One expiry of the portfolio with its feeds. */
export interface DeriveExpiryInput {
  readonly expiryMs: number;
  /** T_e, seconds from the snapshot to expiry (≤ 0 once expired). */
  readonly secondsToExpiry: number;
  /** Forward F_e = F_fixed + F_var, USD per coin, > 0. */
  readonly forwardUsd: number;
  /** Rate feed of the expiry, decimal; floored at 0 by the model. */
  readonly rateDecimal: number;
  readonly forwardConfidence: number;
  readonly rateConfidence: number;
  readonly legs: readonly DeriveOptionLeg[];
}

/** The perpetual of the underlying. */
export interface DerivePerpInput {
  readonly name: string;
  /** n_perp, signed coins. */
  readonly sizeCoin: number;
  /** Perp (mark) price P_perp, USD per coin: the scenario P&L is n × (s − 1) × P_perp. */
  readonly priceUsd: number;
  /** Unrealised P&L and funding not yet settled into cash, USDC (part of MtM). */
  readonly unrealisedPnlUsdc: number;
  readonly unrealisedFundingUsdc: number;
}

/** A non-cash collateral balance held in the manager. */
export interface DeriveCollateralInput {
  readonly currency: string;
  /** Amount in units of the currency, ≥ 0. */
  readonly amount: number;
  /** Price from its own spot feed, USD per unit. */
  readonly priceUsd: number;
  readonly confidence: number;
  readonly params: DeriveCollateralParams;
}

/** Everything one bucket needs. */
export interface DeriveBucketInput {
  /** Underlying, e.g. `ETH`. */
  readonly base: string;
  /** Spot S, USD per coin, > 0 (contingencies use spot, not the perp price). */
  readonly spotUsd: number;
  readonly spotConfidence: number;
  /** Confidence of the perp price feed (enters every expiry's oracle confidence, even without a perp position). */
  readonly perpConfidence: number;
  /** USDC price in USD, > 0 (1 when not quoted): collateral values are divided by it, the peg adjustment uses it. */
  readonly stableUsd: number;
  /** Cash (USDC) balance assigned to this bucket, may be negative. */
  readonly cashUsdc: number;
  readonly perp?: DerivePerpInput;
  readonly expiries: readonly DeriveExpiryInput[];
  readonly collaterals: readonly DeriveCollateralInput[];
}
