/**
 * Deribit-style instrument names: parse a name into an {@link Instrument} and format one back.
 *
 * Grammar (every name is upper case; `<BASE>` is a currency code, see {@link CURRENCY_CODE_PATTERN}):
 * - spot balance:        `<BASE>`                               e.g. `BTC`, `USDC`
 * - inverse perpetual:   `<BASE>-PERPETUAL`                     e.g. `BTC-PERPETUAL`
 * - inverse future:      `<BASE>-<D><MON><YY>`                  e.g. `BTC-27DEC24`, `BTC-1JAN26`
 * - inverse option:      `<BASE>-<D><MON><YY>-<STRIKE>-<C|P>`   e.g. `BTC-27DEC24-60000-C`
 * - linear family:       the same with `<BASE>_USDC` or `<BASE>_USDT` in front
 *                        e.g. `BTC_USDC-PERPETUAL`, `XRP_USDC-27DEC24-0d625-C`, `BTC_USDT-28MAR25-100000-C`
 *
 * Venue conventions, from the "Naming" section of Deribit's API documentation (docs.deribit.com; stored copy:
 * github.com/rosssaunders/coincise docs/deribit/network_connectivity.md @94f6795): template `BTC-DMMMYY`, the day has
 * 1 or 2 digits with no leading zero (`BTC-5AUG23`); "in Linear Options `d` is used as a decimal point for decimal
 * strikes", e.g. `XRP_USDC-30JUN23-0d625-C` has strike 0.625. Expiry is 08:00 UTC on the named date (Deribit
 * `expiration_timestamp`; ../shared/data/SOURCES.md `expiry_datetime`). Inverse ("reversed") contracts settle in the
 * base coin, the `_USDC` family in USDC (../shared/reference/deribit-pm.md §4). The `_USDT` family is netrisk's canonical
 * name for USDT-margined linear contracts of other venues (OKX `BTC-USDT-SWAP` is `BTC_USDT-PERPETUAL`; venue ids are
 * resolved to these names by market/venue-ids.ts); it settles in USDT. For both linear families prices (marks,
 * strikes, forwards) are in the settlement stablecoin per coin, which is USD at the peg.
 *
 * Names are canonical: every accepted name formats back to itself, so name ↔ instrument is one-to-one (strikes
 * without leading zeros or trailing fractional zeros, at most 9 integer and 6 fractional digits, which keeps every
 * strike exactly representable as its shortest decimal). Anything else is `malformed_instrument`, never a guess.
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";
import type { Instrument, OptionKind } from "./types.js";

/** Currency code: an upper-case letter then 1–9 upper-case letters or digits (`BTC`, `USDC`, `ETHW`). */
export const CURRENCY_CODE_PATTERN = "^[A-Z][A-Z0-9]{1,9}$";

/**
 * Settlement currencies of the linear families (`<BASE>_USDC-...`, `<BASE>_USDT-...`). Other stablecoin families are
 * not accepted (no guessing).
 */
export const LINEAR_SETTLEMENT_CURRENCIES = ["USDC", "USDT"] as const;
const LINEAR = `(?:${LINEAR_SETTLEMENT_CURRENCIES.join("|")})`;

/** Month codes in Deribit names, index = month − 1. */
export const MONTH_CODES = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"] as const;

/** Hour of day (UTC) at which every dated Deribit contract expires. */
export const EXPIRY_HOUR_UTC = 8;

const CODE = "[A-Z][A-Z0-9]{1,9}";
const EXPIRY = `(?:[1-9]|[12][0-9]|3[01])(?:${MONTH_CODES.join("|")})[0-9]{2}`;
const STRIKE = "(?:0|[1-9][0-9]{0,8})(?:d[0-9]{0,5}[1-9])?";

/**
 * Regular expression (source, no flags) every derivative name must match: a syntactic pre-check shared with the JSON
 * Schema of the market file. It does not check calendar dates or strike > 0; {@link parseInstrument} does.
 */
export const DERIVATIVE_NAME_PATTERN = `^${CODE}(?:_${LINEAR})?-(?:PERPETUAL|${EXPIRY}(?:-${STRIKE}-[CP])?)$`;

const NAME_RE = new RegExp(
  `^(${CODE})(?:_(${LINEAR}))?-(?:(PERPETUAL)|([1-9]|[12][0-9]|3[01])(${MONTH_CODES.join("|")})([0-9]{2})(?:-(${STRIKE})-([CP]))?)$`,
);
const CODE_RE = new RegExp(CURRENCY_CODE_PATTERN);
const EXPIRY_RE = new RegExp(`^([1-9]|[12][0-9]|3[01])(${MONTH_CODES.join("|")})([0-9]{2})$`);

/** True when `code` is a syntactically valid currency code (see {@link CURRENCY_CODE_PATTERN}). */
export function isCurrencyCode(code: string): boolean {
  return CODE_RE.test(code);
}

/**
 * Expiry instant of a Deribit date code: `27DEC24` → 2024-12-27T08:00:00Z in ms since the epoch.
 * Years are 20YY (2000–2099). Returns undefined for a malformed code or an impossible date (`31FEB24`, `01JAN25`).
 */
export function parseExpiryCode(code: string): number | undefined {
  const m = EXPIRY_RE.exec(code);
  if (!m) return undefined;
  return expiryFromParts(m[1] ?? "", m[2] ?? "", m[3] ?? "");
}

function expiryFromParts(dayText: string, monthText: string, yearText: string): number | undefined {
  const day = Number(dayText);
  const month = MONTH_CODES.indexOf(monthText as (typeof MONTH_CODES)[number]);
  const year = 2000 + Number(yearText);
  if (month < 0) return undefined;
  const ms = Date.UTC(year, month, day, EXPIRY_HOUR_UTC);
  // Date.UTC silently rolls 31FEB over into March: a changed day means the date does not exist.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  return ms;
}

/**
 * Deribit date code of an expiry instant: 2024-12-27T08:00Z → `27DEC24`. The time of day is ignored (callers hold
 * 08:00 UTC expiries); the year must be in 2000–2099 for the code to parse back.
 */
export function formatExpiryCode(expiryMs: number): string {
  const d = new Date(expiryMs);
  const yy = String(d.getUTCFullYear() % 100).padStart(2, "0");
  return `${d.getUTCDate()}${MONTH_CODES[d.getUTCMonth()] ?? "???"}${yy}`;
}

/**
 * Strike as written in a name: integers plainly (`60000`), decimals with `d` for the point (`0.625` → `0d625`).
 * Uses the shortest round-trip decimal of the number, which is canonical for strikes that came from a name.
 */
export function formatStrike(strikeUsd: number): string {
  return String(strikeUsd).replace(".", "d");
}

/**
 * Parse a Deribit-style instrument name (see the module doc for the grammar).
 * @param name - the name, exactly as the venue writes it (upper case, no spaces).
 * @param path - where the name came from, for the issue path (e.g. `instruments.BTC-27DEC24`); default "".
 * @returns the instrument, or one `malformed_instrument` issue saying what is wrong.
 */
export function parseInstrument(name: string, path = ""): Result<Instrument> {
  const bad = (why: string): Result<Instrument> =>
    fail(issue("malformed_instrument", path, `${JSON.stringify(name)} is not a valid instrument name: ${why}`));
  if (typeof name !== "string" || name.length === 0) return bad("empty name");
  if (name.length > 64) return bad("longer than 64 characters");
  if (!name.includes("-")) {
    if (isCurrencyCode(name)) return ok({ kind: "spot", name, currency: name });
    return bad("expected a currency code (e.g. BTC) or <BASE>[_USDC|_USDT]-<PERPETUAL|expiry[-strike-C|P]>");
  }
  const m = NAME_RE.exec(name);
  if (!m) return bad(explainMismatch(name));
  const [, base = "", quote, perp, dayText, monthText, yearText, strikeText, cp] = m;
  const linear = quote !== undefined;
  if (linear && base === quote) return bad(`base and settlement currency are both ${quote}`);
  const common = {
    name,
    base,
    settlement: linear ? ("linear" as const) : ("inverse" as const),
    settlementCurrency: quote ?? base,
  };
  if (perp !== undefined) return ok({ kind: "perpetual", ...common });
  const expiryMs = expiryFromParts(dayText ?? "", monthText ?? "", yearText ?? "");
  if (expiryMs === undefined) return bad(`${dayText}${monthText}${yearText} is not a calendar date`);
  if (strikeText === undefined) return ok({ kind: "future", ...common, expiryMs });
  const strikeUsd = Number(strikeText.replace("d", "."));
  if (!(strikeUsd > 0)) return bad("strike must be positive");
  const optionKind: OptionKind = cp === "C" ? "call" : "put";
  return ok({ kind: "option", ...common, expiryMs, strikeUsd, optionKind });
}

/** A short human reason why a name does not match the grammar, for the issue message. */
function explainMismatch(name: string): string {
  const parts = name.split("-");
  if (parts.length >= 3 && ["USD", "USDT", "USDC"].includes(parts[1] ?? ""))
    return "this is a venue (OKX) instrument id, not a netrisk name: files and trades resolve it (market/venue-ids.ts), a snapshot built in code must use netrisk names";
  // A strike may contain a lower-case `d` (decimal point); every other part is upper case.
  if (parts.some((p, i) => !(parts.length === 4 && i === 2) && p !== p.toUpperCase())) return "names are upper case";
  const [head = "", second = ""] = parts;
  const baseCode = head.split("_")[0] ?? "";
  if (!isCurrencyCode(baseCode)) return `bad currency code ${JSON.stringify(baseCode)}`;
  if (head.includes("_") && !LINEAR_SETTLEMENT_CURRENCIES.some((c) => head === `${baseCode}_${c}`))
    return `only the ${LINEAR_SETTLEMENT_CURRENCIES.join(" and ")} linear families are supported (<BASE>_USDC, <BASE>_USDT)`;
  if (parts.length === 2 && second !== "PERPETUAL" && !EXPIRY_RE.test(second))
    return `expected PERPETUAL or an expiry like 27DEC24 (day without leading zero), got ${JSON.stringify(second)}`;
  if (parts.length === 4) {
    if (!EXPIRY_RE.test(second)) return `bad expiry ${JSON.stringify(second)} (expected e.g. 27DEC24, no leading zero)`;
    const strike = parts[2] ?? "";
    if (!new RegExp(`^${STRIKE}$`).test(strike))
      return `bad strike ${JSON.stringify(strike)} (digits, "d" as decimal point, no leading/trailing zeros, ≤ 6 decimals)`;
    return `option type must be C or P, got ${JSON.stringify(parts[3])}`;
  }
  return "expected <BASE>[_USDC|_USDT]-PERPETUAL, <BASE>[_USDC|_USDT]-<expiry> or <BASE>[_USDC|_USDT]-<expiry>-<strike>-<C|P>";
}

/**
 * Canonical name of an instrument, rebuilt from its fields (not copied from `name`): the inverse of
 * {@link parseInstrument} for every instrument it returns.
 */
export function formatInstrument(inst: Instrument): string {
  if (inst.kind === "spot") return inst.currency;
  const head = inst.settlement === "linear" ? `${inst.base}_${inst.settlementCurrency}` : inst.base;
  if (inst.kind === "perpetual") return `${head}-PERPETUAL`;
  const expiry = formatExpiryCode(inst.expiryMs);
  if (inst.kind === "future") return `${head}-${expiry}`;
  return `${head}-${expiry}-${formatStrike(inst.strikeUsd)}-${inst.optionKind === "call" ? "C" : "P"}`;
}
