/**
 * Venue symbols → netrisk instrument names: the documented mapping table (docs/cross-venue.md "Instrument names").
 * OKX ids are resolved by market/venue-ids.ts (netrisk accepts them everywhere); the others only here.
 *
 * | venue | symbol | netrisk name | rule and source |
 * |---|---|---|---|
 * | Deribit | `BTC-PERPETUAL`, `BTC_USDC-27DEC24-60000-C` | the same | Deribit names are netrisk's grammar |
 * | Bybit linear | `BTCUSDT`, `BTCUSDC`, `BTCPERP` | `BTC_USDT-PERPETUAL`, `BTC_USDC-PERPETUAL` | `PERP` = USDC perpetual |
 * | Bybit linear futures | `BTC-28MAR25` (USDC), `BTCUSDT-28MAR25` | `BTC_USDC-28MAR25`, `BTC_USDT-28MAR25` | |
 * | Bybit inverse | `BTCUSD`, `BTCUSDH25` | `BTC-PERPETUAL`, `BTC-28MAR25` | quarterly: month code F..Z + year, expiry the last Friday of the month 08:00 UTC (Bybit inverse futures rules) |
 * | Bybit option | `BTC-28MAR25-100000-C`, `…-C-USDT` | `BTC_USDC-28MAR25-100000-C`, `BTC_USDT-…` | Bybit options settle in USDC (or USDT with the suffix), not in coin |
 * | Binance UM | `BTCUSDT`, `BTCUSDC`, `BTCUSDT_250328` | `BTC_USDT-PERPETUAL`, `BTC_USDC-PERPETUAL`, `BTC_USDT-28MAR25` | delivery 08:00 UTC |
 * | Binance CM | `BTCUSD_PERP`, `BTCUSD_250328` | `BTC-PERPETUAL`, `BTC-28MAR25` | coin-margined = inverse |
 * | Hyperliquid | `BTC`, `kPEPE` | `BTC_USDC-PERPETUAL`, `PEPE_USDC-PERPETUAL` × 1000 | perps are USDC-margined; `k` = 1,000 units |
 * | Derive | `ETH-PERP`, `ETH-20250328-3500-C` | `ETH_USDC-PERPETUAL`, `ETH_USDC-28MAR25-3500-C` | USDC-settled, expiry 08:00 UTC |
 * | ccxt | `BTC/USDT:USDT`, `BTC/USD:BTC-250328-100000-C` | `BTC_USDT-PERPETUAL`, `BTC-28MAR25-100000-C` | settle = base → inverse |
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";
import { formatExpiryCode, formatInstrument } from "../market/instrument.js";
import { resolveInstrumentName } from "../market/venue-ids.js";
import type { DerivativeInstrument } from "../market/types.js";

/** A mapped symbol: the netrisk instrument, and how many base coins one venue unit is (1 unless stated). */
export interface MappedSymbol {
  readonly instrument: DerivativeInstrument;
  readonly unitsPerVenueUnit: number;
}

const CODE = "[A-Z][A-Z0-9]{1,9}";
const MONTH_LETTERS = "FGHJKMNQUVXZ"; // CME month codes, as Bybit's quarterly symbols use them

function derivative(name: string, path: string, multiplier = 1): Result<MappedSymbol> {
  const r = resolveInstrumentName(name, path);
  if (!r.ok) return r;
  const inst = r.value.instrument;
  if (inst.kind === "spot") return fail(issue("unsupported", path, `${name} is a currency, not a derivative`));
  return ok({ instrument: inst, unitsPerVenueUnit: multiplier });
}

/** `YYYYMMDD`/`YYMMDD` parts to a netrisk date code (`28MAR25`), or undefined for an impossible date. */
function dateCode(year: number, month: number, day: number): string | undefined {
  const ms = Date.UTC(year, month - 1, day, 8);
  const d = new Date(ms);
  if (d.getUTCMonth() !== month - 1 || d.getUTCDate() !== day || year < 2000 || year > 2099) return undefined;
  return formatExpiryCode(ms);
}

/** Last Friday of a month, as a netrisk date code. */
function lastFriday(year: number, month: number): string {
  const last = new Date(Date.UTC(year, month, 0, 8));
  const back = (last.getUTCDay() - 5 + 7) % 7;
  return formatExpiryCode(last.getTime() - back * 86_400_000);
}

const unknown = (venue: string, symbol: string, path: string, why: string): Result<MappedSymbol> =>
  fail(issue("unknown_instrument", path, `${venue} symbol ${JSON.stringify(symbol)} has no netrisk name: ${why}`));

/** Bybit v5 symbol of a `category` (linear, inverse, option). */
export function bybitSymbol(symbol: string, category: string, path: string): Result<MappedSymbol> {
  let m: RegExpExecArray | null;
  if (category === "option") {
    m = new RegExp(`^(${CODE})-(\\d{1,2}[A-Z]{3}\\d{2})-(\\d+(?:\\.\\d+)?)-([CP])(?:-(USDT|USDC))?$`).exec(symbol);
    if (!m) return unknown("bybit", symbol, path, "expected BASE-DMMMYY-STRIKE-C|P[-USDT]");
    return derivative(`${m[1]}_${m[5] ?? "USDC"}-${m[2]}-${String(Number(m[3])).replace(".", "d")}-${m[4]}`, path);
  }
  if (category === "linear") {
    if ((m = new RegExp(`^(${CODE}?)(USDT|USDC)$`).exec(symbol))) return derivative(`${m[1]}_${m[2]}-PERPETUAL`, path);
    if ((m = new RegExp(`^(${CODE}?)PERP$`).exec(symbol))) return derivative(`${m[1]}_USDC-PERPETUAL`, path);
    if ((m = new RegExp(`^(${CODE}?)(USDT)?-(\\d{1,2}[A-Z]{3}\\d{2})$`).exec(symbol))) return derivative(`${m[1]}_${m[2] ?? "USDC"}-${m[3]}`, path);
    return unknown("bybit", symbol, path, "expected BASEUSDT, BASEUSDC, BASEPERP, BASE-DMMMYY or BASEUSDT-DMMMYY for category linear");
  }
  if (category === "inverse") {
    if ((m = new RegExp(`^(${CODE}?)USD$`).exec(symbol))) return derivative(`${m[1]}-PERPETUAL`, path);
    if ((m = new RegExp(`^(${CODE}?)USD([${MONTH_LETTERS}])(\\d{2})$`).exec(symbol))) {
      const month = MONTH_LETTERS.indexOf(m[2] ?? "") + 1;
      return derivative(`${m[1]}-${lastFriday(2000 + Number(m[3]), month)}`, path);
    }
    return unknown("bybit", symbol, path, "expected BASEUSD or BASEUSD<month letter><YY> for category inverse");
  }
  return unknown("bybit", symbol, path, `unknown category ${JSON.stringify(category)} (linear, inverse or option)`);
}

/** Binance portfolio-margin symbol of the UM (USDⓈ-margined) or CM (coin-margined) book. */
export function binanceSymbol(symbol: string, book: "um" | "cm", path: string): Result<MappedSymbol> {
  let m: RegExpExecArray | null;
  if (book === "um") {
    if ((m = new RegExp(`^(${CODE}?)(USDT|USDC)$`).exec(symbol))) return derivative(`${m[1]}_${m[2]}-PERPETUAL`, path);
    if ((m = new RegExp(`^(${CODE}?)(USDT|USDC)_(\\d{2})(\\d{2})(\\d{2})$`).exec(symbol))) {
      const code = dateCode(2000 + Number(m[3]), Number(m[4]), Number(m[5]));
      if (code === undefined) return unknown("binance", symbol, path, "the delivery date is not a calendar date");
      return derivative(`${m[1]}_${m[2]}-${code}`, path);
    }
    return unknown("binance", symbol, path, "expected BASEUSDT, BASEUSDC or BASEUSDT_YYMMDD (UM)");
  }
  if ((m = new RegExp(`^(${CODE}?)USD_PERP$`).exec(symbol))) return derivative(`${m[1]}-PERPETUAL`, path);
  if ((m = new RegExp(`^(${CODE}?)USD_(\\d{2})(\\d{2})(\\d{2})$`).exec(symbol))) {
    const code = dateCode(2000 + Number(m[2]), Number(m[3]), Number(m[4]));
    if (code === undefined) return unknown("binance", symbol, path, "the delivery date is not a calendar date");
    return derivative(`${m[1]}-${code}`, path);
  }
  return unknown("binance", symbol, path, "expected BASEUSD_PERP or BASEUSD_YYMMDD (CM)");
}

/** Hyperliquid perpetual coin (main dex). `kPEPE` is 1,000 PEPE per unit. HIP-3 dex coins (`xyz:TSLA`) have no name. */
export function hyperliquidCoin(coin: string, path: string): Result<MappedSymbol> {
  if (coin.includes(":")) return unknown("hyperliquid", coin, path, "a HIP-3 builder-deployed market (dex:COIN); only the first perp dex is mapped");
  const k = /^k([A-Z][A-Z0-9]{1,9})$/.exec(coin);
  if (k) return derivative(`${k[1]}_USDC-PERPETUAL`, path, 1000);
  if (!new RegExp(`^${CODE}$`).test(coin)) return unknown("hyperliquid", coin, path, "not a currency code netrisk accepts");
  return derivative(`${coin}_USDC-PERPETUAL`, path);
}

/** Derive (Lyra v2) instrument name: `ETH-PERP`, `ETH-20250328-3500-C` (USDC-settled). */
export function deriveName(name: string, path: string): Result<MappedSymbol> {
  let m: RegExpExecArray | null;
  if ((m = new RegExp(`^(${CODE})-PERP$`).exec(name))) return derivative(`${m[1]}_USDC-PERPETUAL`, path);
  if ((m = new RegExp(`^(${CODE})-(\\d{4})(\\d{2})(\\d{2})-(\\d+(?:\\.\\d+)?)-([CP])$`).exec(name))) {
    const code = dateCode(Number(m[2]), Number(m[3]), Number(m[4]));
    if (code === undefined) return unknown("derive", name, path, "the expiry is not a calendar date");
    return derivative(`${m[1]}_USDC-${code}-${String(Number(m[5])).replace(".", "d")}-${m[6]}`, path);
  }
  return unknown("derive", name, path, "expected BASE-PERP or BASE-YYYYMMDD-STRIKE-C|P");
}

/** ccxt unified symbol: `BASE/QUOTE:SETTLE[-YYMMDD[-STRIKE-C|P]]`. Settle = base → inverse, else linear in SETTLE. */
export function ccxtSymbol(symbol: string, path: string): Result<MappedSymbol> {
  const m = new RegExp(`^(${CODE})/(${CODE}):(${CODE})(?:-(\\d{2})(\\d{2})(\\d{2})(?:-(\\d+(?:\\.\\d+)?)-([CP]))?)?$`).exec(symbol);
  if (!m) return unknown("ccxt", symbol, path, "expected BASE/QUOTE:SETTLE[-YYMMDD[-STRIKE-C|P]] (a derivative)");
  const [, base = "", , settle = "", yy, mm, dd, strike, cp] = m;
  const head = settle === base ? base : `${base}_${settle}`;
  if (yy === undefined) return derivative(`${head}-PERPETUAL`, path);
  const code = dateCode(2000 + Number(yy), Number(mm), Number(dd));
  if (code === undefined) return unknown("ccxt", symbol, path, "the expiry is not a calendar date");
  return derivative(strike === undefined ? `${head}-${code}` : `${head}-${code}-${String(Number(strike)).replace(".", "d")}-${cp ?? ""}`, path);
}

/** The netrisk name of a mapped symbol (for messages). */
export const nameOf = (m: MappedSymbol): string => formatInstrument(m.instrument);
