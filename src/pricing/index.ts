/**
 * Pricing: Black-76 on the forward for linear (USD) and inverse (coin-settled) options, Greeks with units in their
 * names, implied volatility, struct-of-arrays batch kernels, and futures/perpetual P&L conventions.
 * See docs/pricing.md for conventions and accuracy.
 * @module
 */
export {
  black76PriceCoin,
  black76PriceUsd,
  black76UndiscountedUsd,
  discountFactor,
  logMoneyness,
} from "./black76.js";
export type { Black76Input } from "./black76.js";
export { black76Greeks, black76InverseGreeks, DAYS_PER_YEAR, inverseGreeksFromUsd } from "./greeks.js";
export type { Black76Greeks, InverseGreeks } from "./greeks.js";
export {
  failureIssue,
  impliedTotalVol,
  impliedTotalVolOtmCall,
  impliedVolCoin,
  impliedVolUsd,
  IV_ABOVE_BOUND,
  IV_BELOW_INTRINSIC,
  IV_NO_SOLUTION,
} from "./implied-vol.js";
export type { ImpliedVolCoinInput, ImpliedVolFailure, ImpliedVolUsdInput, SolverStats } from "./implied-vol.js";
export {
  allocateGreeksColumns,
  allocateInverseGreeksColumns,
  black76GreeksBatch,
  black76PriceBatch,
  impliedVolBatch,
  inverseGreeksBatch,
  validateChain,
} from "./batch.js";
export { black76PriceBatchFast } from "./batch-fast.js";
export type {
  Black76GreeksColumns,
  ImpliedVolBatchResult,
  InverseGreeksColumns,
  OptionChainColumns,
  OptionSettlement,
} from "./batch.js";
export {
  coinToUsdNotional,
  inverseFuturePnlCoin,
  inverseFuturePnlCoinFromNotional,
  linearFuturePnlUsd,
  usdNotionalToCoin,
} from "./futures.js";
export {
  normalisedBlack,
  normalisedBlackOtmCall,
  normalisedBlackOtmCallComplement,
  normalisedIntrinsic,
  normalisedVega,
  otmCallComplementOverVega,
  otmCallOverVega,
} from "./normalised-black.js";
