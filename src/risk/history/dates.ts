/**
 * UTC calendar days as integers (days since 1970-01-01), the time axis of every daily history. Pure date arithmetic on
 * explicit inputs (`Date.UTC`), no clock.
 * @module
 */

const MS_PER_DAY = 86_400_000;
const ISO_DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** A date followed by a time and an optional zone: `2020-03-12 00:00:00+00:00`, `2020-03-12T00:00:00Z`, `...T00:00:00.000Z`. */
const ISO_DATETIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d+))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** Day number of a strict `YYYY-MM-DD` calendar date, or undefined when the text is not one (e.g. `2021-02-30`). */
export function dayNumber(iso: string): number | undefined {
  const m = ISO_DAY.exec(iso);
  if (!m) return undefined;
  const y = Number(m[1]), mo = Number(m[2]), d = Number(m[3]);
  const ms = Date.UTC(y, mo - 1, d);
  const back = new Date(ms);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) return undefined;
  return ms / MS_PER_DAY;
}

/** `YYYY-MM-DD` of a day number. */
export function isoDay(day: number): string {
  return new Date(day * MS_PER_DAY).toISOString().slice(0, 10);
}

/** What a history date cell holds. */
export type ParsedHistoryDate =
  | { readonly kind: "day"; readonly day: number }
  | { readonly kind: "invalid"; readonly reason: string }
  | { readonly kind: "misaligned"; readonly day: number; readonly reason: string };

/**
 * Parse the date cell of a daily history row. Accepted: `YYYY-MM-DD`, or that date at midnight UTC with a time
 * (`2020-03-12 00:00:00+00:00` as Yahoo/yfinance write it, `2020-03-12T00:00:00Z`). A valid timestamp that is not
 * midnight UTC (another hour or a non-zero zone offset) is `misaligned`: the bar does not cover one UTC day.
 */
export function parseHistoryDate(text: string): ParsedHistoryDate {
  const t = text.trim();
  const plain = dayNumber(t);
  if (plain !== undefined) return { kind: "day", day: plain };
  const m = ISO_DATETIME.exec(t);
  if (!m) return { kind: "invalid", reason: `${JSON.stringify(t)} is not a date (expected YYYY-MM-DD)` };
  const day = dayNumber(m[1] ?? "");
  if (day === undefined) return { kind: "invalid", reason: `${JSON.stringify(t)} is not a calendar date` };
  const hh = Number(m[2]), mm = Number(m[3]), ss = Number(m[4] ?? "0"), frac = Number(`0.${m[5] ?? "0"}`);
  const zone = m[6] ?? "Z";
  const zoneZero = zone === "Z" || /^[+-]00:?00$/.test(zone);
  if (hh > 23 || mm > 59 || ss > 59) return { kind: "invalid", reason: `${JSON.stringify(t)} has an invalid time` };
  if (hh !== 0 || mm !== 0 || ss !== 0 || frac !== 0 || !zoneZero) {
    return { kind: "misaligned", day, reason: `${JSON.stringify(t)} is not midnight UTC: a daily bar must cover one UTC day` };
  }
  return { kind: "day", day };
}
