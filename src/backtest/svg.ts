/**
 * Small inline-SVG chart builders for the backtest report: a time series chart (lines, markers), a bar chart of daily
 * changes and a histogram. Output is plain SVG markup without any external reference (no fonts, scripts, links), so
 * the report stays one self-contained file. Pure string building.
 * @module
 */
import { maxOf } from "../math/extent.js";

/** Escape text for HTML/SVG element content and attribute values. */
export function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * "Nice" axis ticks covering [lo, hi]: steps of 1, 2 or 5 × 10^k, about `count` of them. Returns at least two ticks;
 * a degenerate range [x, x] is widened by 1.
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  let a = lo, b = hi;
  if (!(b > a)) {
    a -= 1;
    b += 1;
  }
  const raw = (b - a) / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const norm = raw / mag;
  const step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
  const first = Math.floor(a / step) * step;
  const ticks: number[] = [];
  for (let v = first; v <= b + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  if (ticks[ticks.length - 1]! < b) ticks.push(ticks[ticks.length - 1]! + step);
  return ticks;
}

/** Compact axis label: 1.2M, 350k, 12.5, -3k. */
export function shortNumber(x: number): string {
  const abs = Math.abs(x);
  const trim = (s: string): string => s.replace(/\.0+$/, "").replace(/(\.\d*?)0+$/, "$1");
  if (abs >= 1e9) return `${trim((x / 1e9).toFixed(2))}B`;
  if (abs >= 1e6) return `${trim((x / 1e6).toFixed(2))}M`;
  if (abs >= 1e3) return `${trim((x / 1e3).toFixed(1))}k`;
  return trim(x.toFixed(abs >= 10 ? 1 : 3));
}

const r1 = (x: number): string => (Math.round(x * 10) / 10).toString();

/** Plot area and the value → pixel mappings of one chart. */
interface Frame {
  readonly width: number;
  readonly height: number;
  readonly left: number;
  readonly right: number;
  readonly top: number;
  readonly bottom: number;
  x(i: number): number;
  y(v: number): number;
  readonly yTicks: readonly number[];
}

function frame(width: number, height: number, n: number, yLo: number, yHi: number): Frame {
  const left = 64, right = width - 16, top = 16, bottom = height - 36;
  const yTicks = niceTicks(yLo, yHi, 5);
  const lo = yTicks[0]!, hi = yTicks[yTicks.length - 1]!;
  return {
    width,
    height,
    left,
    right,
    top,
    bottom,
    yTicks,
    x: (i) => left + (n > 1 ? (i / (n - 1)) * (right - left) : (right - left) / 2),
    y: (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - top),
  };
}

/** Axes: horizontal grid lines at the y ticks, labels, and year (or month) labels along x from ISO dates. */
function axes(f: Frame, dates: readonly string[], yLabel: string): string {
  const parts: string[] = [];
  for (const t of f.yTicks) {
    const y = r1(f.y(t));
    parts.push(`<line x1="${f.left}" x2="${f.right}" y1="${y}" y2="${y}" class="grid"/>`, `<text x="${f.left - 6}" y="${y}" class="ylab">${escapeXml(shortNumber(t))}</text>`);
  }
  const years = new Set(dates.map((d) => d.slice(0, 4)));
  const byMonth = years.size <= 2;
  let prev = "";
  dates.forEach((d, i) => {
    const key = byMonth ? d.slice(0, 7) : d.slice(0, 4);
    if (key !== prev && (i > 0 || d.slice(byMonth ? 8 : 5) === (byMonth ? "01" : "01-01"))) {
      const x = r1(f.x(i));
      parts.push(`<line x1="${x}" x2="${x}" y1="${f.top}" y2="${f.bottom}" class="grid"/>`, `<text x="${x}" y="${f.bottom + 16}" class="xlab">${escapeXml(key)}</text>`);
    }
    prev = key;
  });
  parts.push(`<text x="14" y="${r1((f.top + f.bottom) / 2)}" class="axis" transform="rotate(-90 14 ${r1((f.top + f.bottom) / 2)})">${escapeXml(yLabel)}</text>`);
  return parts.join("");
}

/** One line of a time series chart. */
export interface LineSeries {
  readonly label: string;
  readonly values: readonly number[];
  /** CSS class (stroke colour in the report's style sheet). */
  readonly className: string;
}

/** A marker (circle) at a point of the chart. */
export interface Marker {
  readonly index: number;
  readonly value: number;
  readonly title: string;
}

function svgOpen(width: number, height: number, title: string): string {
  return `<svg viewBox="0 0 ${width} ${height}" width="100%" role="img" aria-label="${escapeXml(title)}"><title>${escapeXml(title)}</title>`;
}

function legend(f: Frame, items: ReadonlyArray<{ label: string; className: string }>): string {
  let x = f.left + 8;
  const parts = items.map((it) => {
    const g = `<g transform="translate(${x} ${f.top + 4})"><rect width="14" height="4" y="4" class="${it.className} fill"/><text x="20" y="10" class="legend">${escapeXml(it.label)}</text></g>`;
    // No font metrics without a browser: ~7 px per character of the 12 px legend font, plus the swatch and a gap.
    x += 20 + 7 * it.label.length + 24;
    return g;
  });
  return `<rect x="${f.left + 2}" y="${f.top}" width="${x - f.left - 18}" height="20" class="legendbg"/>${parts.join("")}`;
}

/** Lines over dates with optional markers (breaches), a zero line when the range crosses 0, and a legend. */
export function timeSeriesChart(title: string, dates: readonly string[], series: readonly LineSeries[], markers: readonly Marker[], yLabel: string, width = 1100, height = 380): string {
  let lo = 0, hi = 0;
  for (const s of series) {
    for (const v of s.values) {
      if (!Number.isFinite(v)) continue;
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  const f = frame(width, height, dates.length, lo, hi);
  const lines = series.map((s) => {
    const d = s.values.map((v, i) => `${i === 0 ? "M" : "L"}${r1(f.x(i))} ${r1(f.y(v))}`).join("");
    return `<path d="${d}" class="line ${s.className}"><title>${escapeXml(s.label)}</title></path>`;
  });
  const zero = lo < 0 ? `<line x1="${f.left}" x2="${f.right}" y1="${r1(f.y(0))}" y2="${r1(f.y(0))}" class="zero"/>` : "";
  const dots = markers.map((m) => `<circle cx="${r1(f.x(m.index))}" cy="${r1(f.y(m.value))}" r="4" class="breach"><title>${escapeXml(m.title)}</title></circle>`);
  const items = [...series.map((s) => ({ label: s.label, className: s.className })), ...(markers.length > 0 ? [{ label: `breach (${markers.length})`, className: "breach" }] : [])];
  return `${svgOpen(width, height, title)}${axes(f, dates, yLabel)}${zero}${lines.join("")}${dots.join("")}${legend(f, items)}</svg>`;
}

/** Vertical bars from 0 per date (positive and negative styled apart), e.g. daily margin changes. */
export function changeBarChart(title: string, dates: readonly string[], values: readonly number[], yLabel: string, width = 1100, height = 300): string {
  let lo = 0, hi = 0;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const f = frame(width, height, dates.length, lo, hi);
  const y0 = f.y(0);
  let up = "", down = "";
  values.forEach((v, i) => {
    const seg = `M${r1(f.x(i))} ${r1(y0)}V${r1(f.y(v))}`;
    if (v >= 0) up += seg;
    else down += seg;
  });
  return `${svgOpen(width, height, title)}${axes(f, dates, yLabel)}<path d="${up}" class="bar up"/><path d="${down}" class="bar down"/><line x1="${f.left}" x2="${f.right}" y1="${r1(y0)}" y2="${r1(y0)}" class="zero"/>${legend(f, [{ label: "increase", className: "up" }, { label: "decrease", className: "down" }])}</svg>`;
}

/** Histogram bin: [lo, hi) and its count. */
export interface Bin {
  readonly lo: number;
  readonly hi: number;
  readonly count: number;
}

/** Equal-width bins over [min, max] of the values (the last bin closed). Empty input gives no bin. */
export function bins(values: readonly number[], count: number): Bin[] {
  if (values.length === 0) return [];
  let lo = Infinity, hi = -Infinity;
  for (const v of values) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(hi > lo)) return [{ lo, hi, count: values.length }];
  const w = (hi - lo) / count;
  const counts = new Array<number>(count).fill(0);
  for (const v of values) counts[Math.min(count - 1, Math.floor((v - lo) / w))]! += 1;
  return counts.map((c, k) => ({ lo: lo + k * w, hi: k === count - 1 ? hi : lo + (k + 1) * w, count: c }));
}

/** A histogram; bins whose upper edge is at or below `markBelow` are drawn in the marked style (e.g. losses). */
export function histogramChart(title: string, data: readonly Bin[], xLabel: string, markBelow: number, width = 1100, height = 320): string {
  const left = 64, right = width - 16, top = 16, bottom = height - 40;
  const maxCount = Math.max(1, maxOf(data.map((b) => b.count)));
  const yTicks = niceTicks(0, maxCount, 4);
  const yHi = yTicks[yTicks.length - 1]!;
  const lo = data[0]?.lo ?? 0, hi = data[data.length - 1]?.hi ?? 1;
  const span = hi > lo ? hi - lo : 1;
  const x = (v: number): number => left + ((v - lo) / span) * (right - left);
  const y = (c: number): number => bottom - (c / yHi) * (bottom - top);
  const parts: string[] = [svgOpen(width, height, title)];
  for (const t of yTicks) parts.push(`<line x1="${left}" x2="${right}" y1="${r1(y(t))}" y2="${r1(y(t))}" class="grid"/><text x="${left - 6}" y="${r1(y(t))}" class="ylab">${escapeXml(shortNumber(t))}</text>`);
  for (const b of data) {
    const cls = b.hi <= markBelow ? "hist loss" : "hist";
    parts.push(`<rect x="${r1(x(b.lo))}" y="${r1(y(b.count))}" width="${r1(Math.max(0.5, x(b.hi) - x(b.lo) - 1))}" height="${r1(bottom - y(b.count))}" class="${cls}"><title>${escapeXml(`${shortNumber(b.lo)} to ${shortNumber(b.hi)}: ${b.count} day(s)`)}</title></rect>`);
  }
  for (const t of niceTicks(lo, hi, 8)) if (t >= lo && t <= hi) parts.push(`<text x="${r1(x(t))}" y="${bottom + 16}" class="xlab">${escapeXml(shortNumber(t))}</text>`);
  if (0 >= lo && 0 <= hi) parts.push(`<line x1="${r1(x(0))}" x2="${r1(x(0))}" y1="${top}" y2="${bottom}" class="zero"/>`);
  parts.push(`<text x="${r1((left + right) / 2)}" y="${height - 6}" class="axis">${escapeXml(xLabel)}</text>`, `<text x="14" y="${r1((top + bottom) / 2)}" class="axis" transform="rotate(-90 14 ${r1((top + bottom) / 2)})">days</text>`, "</svg>");
  return parts.join("");
}
