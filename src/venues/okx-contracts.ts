/**
 * OKX contract values (`ctVal` × `ctMult` in `ctValCcy` per contract), shipped for the instruments whose values a
 * public source gives, so an OKX positions response can be read without the instruments response. Any other
 * instrument needs `--instruments` (a saved `GET /api/v5/public/instruments` response), which always wins.
 *
 * Sources:
 * - [ccxt] OKX `public/instruments` records as stored in ccxt's test data: github.com/ccxt/ccxt
 *   ts/src/test/static/markets/okx.json @3802e1a (each market's `info` is OKX's record verbatim).
 * - [okx-spread] OKX API v5 docs, Spread trading, "Get spreads" example: `ETH-USD-SWAP_ETH-USD-231229`, an inverse
 *   spread with `szCcy: USD` and `lotSz: 10` (each leg trades in 10 USD contracts); stored copy
 *   github.com/openxapi/openxapi samples/okx/rest @1cb024e.
 * - [issue] issue #13's contract, which matches [ccxt]: BTC-USDT-SWAP 0.01 BTC, LTC-USDT-SWAP 1 LTC,
 *   BTC-USD-SWAP 100 USD; OKX's own 31 May 2024 announcement counts −1,000 BTC-USDT-SWAP contracts as 10 BTC.
 * @module
 */

/** A contract value: `ctVal × ctMult` units of `ccy` (the base coin for linear and options, USD for inverse). */
export interface OkxContractValue {
  readonly ctVal: number;
  readonly ctMult: number;
  readonly ccy: string;
  readonly source: string;
}

const c = (ctVal: number, ccy: string, source: string, ctMult = 1): OkxContractValue => ({ ctVal, ctMult, ccy, source });

/**
 * Keyed by `instFamily:instType` (`BTC-USDT:SWAP`) or by the exact `instId` where only that instrument is sourced.
 * Options of a family share one value (OKX lists one per family).
 */
export const OKX_CONTRACT_VALUES: Readonly<Record<string, OkxContractValue>> = {
  "BTC-USDT:SWAP": c(0.01, "BTC", "ccxt"),
  "ETH-USDT:SWAP": c(0.1, "ETH", "ccxt"),
  "LTC-USDT:SWAP": c(1, "LTC", "ccxt"),
  "ADA-USDT:SWAP": c(100, "ADA", "ccxt"),
  "XRP-USDT:SWAP": c(100, "XRP", "ccxt"),
  "DOGE-USDT:SWAP": c(1000, "DOGE", "ccxt"),
  "TRX-USDT:SWAP": c(1000, "TRX", "ccxt"),
  "SUSHI-USDT:SWAP": c(1, "SUSHI", "ccxt"),
  "BTC-USD:SWAP": c(100, "USD", "ccxt"),
  "BTC-USD:OPTION": c(1, "BTC", "ccxt (ctVal 1, ctMult 0.01: 0.01 BTC per contract)", 0.01),
  "ETH-USD:SWAP": c(10, "USD", "okx-spread"),
  "ETH-USD:FUTURES": c(10, "USD", "okx-spread"),
};

/** The shipped contract value of an OKX instrument (by family and type), or undefined. */
export function shippedContractValue(instId: string, instType: string): OkxContractValue | undefined {
  const family = instId.split("-").slice(0, 2).join("-");
  return OKX_CONTRACT_VALUES[instId] ?? OKX_CONTRACT_VALUES[`${family}:${instType}`];
}
