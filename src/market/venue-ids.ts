/**
 * Venue instrument ids that netrisk accepts wherever it takes an instrument name (market files, portfolio and account
 * files, trades, candidates), resolved to the canonical Deribit-style names of market/instrument.ts. An instrument's
 * identity does not include its venue: `BTC-USDT-SWAP` at OKX is `BTC_USDT-PERPETUAL`, whoever lists it.
 *
 * OKX instrument ids (OKX API v5 docs, "Public data" → "Get instruments": `instId` examples `BTC-USDT-SWAP`,
 * `BTC-USD-SWAP`, `BTC-USD-200925`, `BTC-USD-190927-12000-C`; stored copy github.com/openxapi/openxapi
 * samples/okx/rest, @1cb024e):
 *
 * | OKX id                          | netrisk name                 | settles in |
 * |---------------------------------|------------------------------|------------|
 * | `<BASE>-USD-SWAP`               | `<BASE>-PERPETUAL`           | base coin (inverse, "coin-margined") |
 * | `<BASE>-USDT-SWAP`, `-USDC-SWAP`| `<BASE>_USDT-PERPETUAL`, `<BASE>_USDC-PERPETUAL` | USDT, USDC (linear) |
 * | `<BASE>-USD-YYMMDD`             | `<BASE>-DMMMYY`              | base coin |
 * | `<BASE>-USDT-YYMMDD`            | `<BASE>_USDT-DMMMYY`         | USDT |
 * | `<BASE>-USD-YYMMDD-STRIKE-C|P`  | `<BASE>-DMMMYY-STRIKE-C|P`   | base coin |
 * | `<BASE>-USDT-YYMMDD-STRIKE-C|P` | `<BASE>_USDT-DMMMYY-STRIKE-C|P` | USDT |
 *
 * OKX futures and options expire at 08:00 UTC on the date in the id, as Deribit's do (OKX "Delivery" rules), so the
 * expiry instant is the same. Strikes are plain decimals at OKX (`0.5`) and use `d` in netrisk (`0d5`).
 * @module
 */
import { fail, issue, ok } from "../errors.js";
import type { Result } from "../errors.js";
import { CURRENCY_CODE_PATTERN, EXPIRY_HOUR_UTC, formatInstrument, isCurrencyCode, parseInstrument } from "./instrument.js";
import type { DerivativeInstrument, Instrument } from "./types.js";

/** Quote currencies of OKX derivative ids: USD means coin-margined (inverse); USDT and USDC are linear. */
export const OKX_QUOTES = ["USD", "USDT", "USDC"] as const;

const CODE = CURRENCY_CODE_PATTERN.slice(1, -1);
const STRIKE = "(?:0|[1-9][0-9]{0,8})(?:\\.[0-9]{1,6})?";
/**
 * Regular expression (source, no flags) of an OKX derivative instrument id: a syntactic pre-check shared with the JSON
 * Schemas of the market, portfolio and account files. {@link parseOkxInstrumentId} checks dates and strikes.
 */
export const OKX_INSTRUMENT_ID_PATTERN = `^${CODE}-(?:USD|USDT|USDC)-(?:SWAP|[0-9]{6}(?:-${STRIKE}-[CP])?)$`;
const OKX_RE = new RegExp(`^(${CODE})-(USD|USDT|USDC)-(?:(SWAP)|([0-9]{2})([0-9]{2})([0-9]{2})(?:-(${STRIKE})-([CP]))?)$`);

/** True when `name` has the shape of an OKX derivative id (`<BASE>-<USD|USDT|USDC>-...`), valid or not. */
export function looksLikeOkxId(name: string): boolean {
  const parts = name.split("-");
  return parts.length >= 3 && (OKX_QUOTES as readonly string[]).includes(parts[1] ?? "");
}

/**
 * Parse an OKX derivative instrument id into the canonical netrisk instrument (its `name` is the netrisk name).
 * @returns the instrument, or one `malformed_instrument` issue at `path` saying what is wrong.
 */
export function parseOkxInstrumentId(id: string, path = ""): Result<DerivativeInstrument> {
  const bad = (why: string): Result<DerivativeInstrument> =>
    fail(issue("malformed_instrument", path, `${JSON.stringify(id)} is not a valid OKX instrument id: ${why}`));
  const m = OKX_RE.exec(id);
  if (!m) {
    const base = id.split("-")[0] ?? "";
    if (!isCurrencyCode(base)) return bad(`base ${JSON.stringify(base)} is not a currency code netrisk accepts (a letter, then 1–9 letters or digits)`);
    return bad("expected <BASE>-<USD|USDT|USDC>-SWAP, <BASE>-<QUOTE>-<YYMMDD> or <BASE>-<QUOTE>-<YYMMDD>-<STRIKE>-<C|P>");
  }
  const [, base = "", quote = "", swap, yy, mm, dd, strikeText, cp] = m;
  const head = quote === "USD" ? base : `${base}_${quote}`;
  if (quote !== "USD" && base === quote) return bad(`base and settlement currency are both ${quote}`);
  let canonical: string;
  if (swap !== undefined) {
    canonical = `${head}-PERPETUAL`;
  } else {
    const year = 2000 + Number(yy);
    const month = Number(mm) - 1;
    const day = Number(dd);
    const ms = Date.UTC(year, month, day, EXPIRY_HOUR_UTC);
    const d = new Date(ms);
    if (month < 0 || month > 11 || d.getUTCDate() !== day || d.getUTCMonth() !== month) return bad(`${yy}${mm}${dd} is not a calendar date (YYMMDD)`);
    const expiry = `${day}${["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"][month] ?? ""}${yy}`;
    if (strikeText === undefined) canonical = `${head}-${expiry}`;
    else {
      const strike = Number(strikeText);
      if (!(strike > 0)) return bad("strike must be positive");
      canonical = `${head}-${expiry}-${String(strike).replace(".", "d")}-${cp ?? ""}`;
    }
  }
  const parsed = parseInstrument(canonical, path);
  if (!parsed.ok) return bad(parsed.issues[0]?.message ?? "no netrisk name");
  if (parsed.value.kind === "spot") return bad("not a derivative");
  return ok(parsed.value);
}

/** The OKX id of a netrisk derivative (the inverse of {@link parseOkxInstrumentId}; strikes written without `d`). */
export function formatOkxInstrumentId(inst: DerivativeInstrument): string {
  const quote = inst.settlement === "inverse" ? "USD" : inst.settlementCurrency;
  const head = `${inst.base}-${quote}`;
  if (inst.kind === "perpetual") return `${head}-SWAP`;
  const d = new Date(inst.expiryMs);
  const date = `${String(d.getUTCFullYear() % 100).padStart(2, "0")}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
  if (inst.kind === "future") return `${head}-${date}`;
  return `${head}-${date}-${String(inst.strikeUsd)}-${inst.optionKind === "call" ? "C" : "P"}`;
}

/** An instrument resolved from a name a user gave: the canonical instrument, and the venue id when one was used. */
export interface ResolvedInstrumentName {
  readonly instrument: Instrument;
  /** The name as given when it was a venue id (`BTC-USDT-SWAP`); absent for a canonical name. */
  readonly venueId?: string;
  readonly venue?: "okx";
}

/** Regular expression (source) of every name {@link resolveInstrumentName} may accept: canonical or OKX. */
export function withVenueIds(canonicalPattern: string): string {
  return `(?:${canonicalPattern})|(?:${OKX_INSTRUMENT_ID_PATTERN})`;
}

/**
 * Resolve a name a user gave (a canonical netrisk name, a currency code, or an OKX instrument id) to the canonical
 * instrument. A canonical name is returned as it parses; an OKX id comes back with `venueId` set.
 * @returns the instrument, or one `malformed_instrument` issue at `path`.
 */
export function resolveInstrumentName(name: string, path = ""): Result<ResolvedInstrumentName> {
  if (typeof name === "string" && looksLikeOkxId(name)) {
    const r = parseOkxInstrumentId(name, path);
    return r.ok ? ok({ instrument: r.value, venueId: name, venue: "okx" }) : r;
  }
  const r = parseInstrument(name, path);
  return r.ok ? ok({ instrument: r.value }) : r;
}

/** The canonical name of a name a user gave, or undefined when it is not a valid name. */
export function canonicalName(name: string): string | undefined {
  const r = resolveInstrumentName(name);
  return r.ok ? (r.value.instrument.kind === "spot" ? r.value.instrument.currency : formatInstrument(r.value.instrument)) : undefined;
}
