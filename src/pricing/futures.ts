/**
 * Futures and perpetuals P&L, linear and inverse, with the size conventions spelled out (docs/pricing.md):
 *
 * - linear (USDC-settled): size q in coin; P&L q·(P1 − P0) in USD.
 * - inverse (coin-settled, Deribit BTC/ETH futures and perpetuals): Deribit sizes these in USD notional N (an
 *   order's `amount` is in USD for inverse futures and perpetuals); the P&L is N·(1/P0 − 1/P1) in coin. The same
 *   position expressed in coin at a reference price P0 is q = N/P0 (Deribit's `pme/simulate` and risk vectors use
 *   this), and a relative move m (P1 = P0·(1 + m)) then gives q·m/(1 + m) coin.
 *
 * Prices > 0 and finite; relative moves m > −1; sizes finite and signed (long > 0).
 * @module
 */

/** Linear future/perp P&L in USD: sizeCoin·(exitPriceUsd − entryPriceUsd). */
export function linearFuturePnlUsd(sizeCoin: number, entryPriceUsd: number, exitPriceUsd: number): number {
  return sizeCoin * (exitPriceUsd - entryPriceUsd);
}

/**
 * Inverse future/perp P&L in coin for a USD notional: N·(1/P0 − 1/P1), evaluated as N·(P1 − P0)/(P0·P1) so that
 * small moves keep their relative accuracy (the difference of reciprocals would cancel).
 */
export function inverseFuturePnlCoinFromNotional(notionalUsd: number, entryPriceUsd: number, exitPriceUsd: number): number {
  return (notionalUsd * (exitPriceUsd - entryPriceUsd)) / (entryPriceUsd * exitPriceUsd);
}

/**
 * Inverse future/perp P&L in coin of a position of sizeCoin coins (at the reference price) for a relative move
 * m = P1/P0 − 1 of the underlying: q·m/(1 + m). This is what Deribit's portfolio-margin risk vectors show
 * (reference/deribit-pm.md §2.9: 0.314538364 × (−0.16/0.84) = −0.0599120693). Domain m > −1.
 */
export function inverseFuturePnlCoin(sizeCoin: number, relativeMove: number): number {
  return (sizeCoin * relativeMove) / (1 + relativeMove);
}

/** Coin size of a USD notional at a price: notionalUsd / priceUsd (Deribit inverse `amount` → base-coin size). */
export function usdNotionalToCoin(notionalUsd: number, priceUsd: number): number {
  return notionalUsd / priceUsd;
}

/** USD notional of a coin size at a price: sizeCoin · priceUsd. */
export function coinToUsdNotional(sizeCoin: number, priceUsd: number): number {
  return sizeCoin * priceUsd;
}
