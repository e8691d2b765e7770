/**
 * Numbers as people read them, always with their unit: USD with thousands separators (no cents from 10,000 up),
 * coin amounts to 6 significant digits, ratios and moves as percentages, ages as "3 min". Every formatter takes a
 * number that may be null (not defined, e.g. a ratio with no equity) and prints "—" for it, never "NaN".
 * @module
 */
const usd0 = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const usd2 = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const sig6 = new Intl.NumberFormat("en-US", { maximumSignificantDigits: 6 });

export const DASH = "—";

const bad = (x: number | null | undefined): x is null | undefined => x === null || x === undefined || !Number.isFinite(x);

/** "1,234,567 USD", "12.50 USD". */
export function usd(x: number | null | undefined, unit = true): string {
  if (bad(x)) return DASH;
  const t = Math.abs(x) >= 10_000 ? usd0.format(x) : usd2.format(x);
  return unit ? `${t} USD` : t;
}

/** "+1,234 USD" with an explicit sign (changes). */
export function usdChange(x: number | null | undefined): string {
  if (bad(x)) return DASH;
  return `${x > 0 ? "+" : ""}${usd(x)}`;
}

/** Compact USD for cards: "1.25 M USD", "312.4 k USD". */
export function usdCompact(x: number | null | undefined): string {
  if (bad(x)) return DASH;
  const a = Math.abs(x);
  if (a >= 1e9) return `${(x / 1e9).toFixed(2)} bn USD`;
  if (a >= 1e6) return `${(x / 1e6).toFixed(2)} M USD`;
  if (a >= 1e4) return `${(x / 1e3).toFixed(1)} k USD`;
  return usd(x);
}

/** A coin amount: "0.550285 BTC". */
export function coin(x: number | null | undefined, currency: string): string {
  if (bad(x)) return DASH;
  return `${sig6.format(Math.abs(x) < 1e-12 ? 0 : x)} ${currency}`;
}

/** A plain number to 6 significant digits. */
export function num(x: number | null | undefined): string {
  if (bad(x)) return DASH;
  return sig6.format(Math.abs(x) < 1e-12 ? 0 : x);
}

/** A ratio as a percentage: 0.0867 → "8.67 %". */
export function pct(x: number | null | undefined, digits = 2): string {
  if (bad(x)) return DASH;
  return `${(x * 100).toFixed(digits)} %`;
}

/** A move with its sign: -0.16 → "−16 %", 0.04 → "+4 %". */
export function move(x: number | null | undefined, digits = 0): string {
  if (bad(x)) return DASH;
  const t = (Math.abs(x) * 100).toFixed(digits);
  return x < 0 ? `−${t} %` : x > 0 ? `+${t} %` : `0 %`;
}

/** An age in ms: "42 s", "3 min", "5 h", "279 d". */
export function age(ms: number | null | undefined): string {
  if (bad(ms)) return DASH;
  const s = Math.max(0, ms) / 1000;
  if (s < 90) return `${Math.round(s)} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} d`;
}

/** "2026-03-02 12:00:00 UTC". */
export function time(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return DASH;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return DASH;
  return `${d.toISOString().slice(0, 19).replace("T", " ")} UTC`;
}

export const STATE_LABEL: Readonly<Record<string, string>> = {
  healthy: "healthy",
  warning: "warning",
  margin_call: "margin call",
  liquidation: "liquidation",
  bankrupt: "bankrupt",
};
export const HEALTH_STATES = ["healthy", "warning", "margin_call", "liquidation", "bankrupt"] as const;
export type HealthState = (typeof HEALTH_STATES)[number];
