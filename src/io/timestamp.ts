/**
 * Strict ISO-8601 / RFC 3339 timestamps for file formats: `2024-06-17T10:22:20.501Z`, `2025-12-30T17:31:15.944181+00:00`.
 * @module
 */

const ISO_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:\d{2})$/;

/**
 * Milliseconds since the Unix epoch of a full RFC 3339 date-time with seconds and an explicit zone (`Z` or `±hh:mm`).
 * Fractions beyond milliseconds are truncated (the engine works in whole ms; Deribit stamps are whole ms).
 * Returns undefined for anything else, including impossible dates (`2024-02-30`), hours ≥ 24, leap seconds, and
 * local times without a zone: unlike `Date.parse`, nothing is rolled over or guessed.
 */
export function parseIsoTimestampMs(text: string): number | undefined {
  const m = ISO_RE.exec(text);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac = "", zone = "Z"] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  // Years before 1000 are not plausible market times, and Date.UTC would map years 0–99 to 1900–1999.
  if (year < 1000 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second, Number(frac.slice(0, 3).padEnd(3, "0")));
  // Date.UTC rolls 2024-02-30 over into March: a changed day means the date does not exist.
  if (new Date(ms).getUTCDate() !== day) return undefined;
  if (zone !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const zh = Number(zone.slice(1, 3));
    const zm = Number(zone.slice(4, 6));
    if (zh > 23 || zm > 59) return undefined;
    ms -= sign * (zh * 60 + zm) * 60_000;
  }
  return ms;
}

/** RFC 3339 UTC string with milliseconds of an epoch-ms instant: 1718619740501 → `2024-06-17T10:22:20.501Z`. */
export function formatIsoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}
