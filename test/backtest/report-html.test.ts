/**
 * The HTML report, checked structurally (the look was checked once by hand in headless Chromium; the suite does not
 * depend on a browser): one self-contained document (no URL, script, stylesheet link or external resource), the three
 * SVG charts with one marker per breach, the statistics and every breach, and text escaped.
 */
import { describe, expect, it } from "vitest";
import { renderBacktestHtml } from "../../src/backtest/report-html.js";
import { bins, escapeXml, niceTicks, shortNumber } from "../../src/backtest/svg.js";
import { runBacktest } from "../../src/backtest/walk.js";
import { unwrap } from "../../src/errors.js";
import { fixedMarginModel, synthetic } from "./fixture.js";

const { market, portfolio, history } = synthetic();
const result = unwrap(runBacktest({ portfolio, market, history, model: fixedMarginModel("tiny <&> model", () => 500) }, { horizonDays: 2 }));
const html = renderBacktestHtml(result);

describe("HTML report", () => {
  it("is one complete, self-contained HTML document", () => {
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    expect(html.trimEnd().endsWith("</html>")).toBe(true);
    expect(html).not.toMatch(/https?:\/\//i);
    expect(html).not.toMatch(/<script|<link|<iframe|<img|\bsrc=|\bhref=|url\(|@import/i);
    expect(html.match(/<svg/g)?.length).toBe(3);
    expect(html.match(/<\/svg>/g)?.length).toBe(3);
  });

  it("marks every breach on the margin chart and lists it in the table", () => {
    expect(result.breaches.length).toBeGreaterThan(3);
    expect(html.match(/<circle [^>]*class="breach"/g)?.length).toBe(result.breaches.length);
    for (const b of result.breaches) expect(html).toContain(`<td>${b.date}</td>`);
  });

  it("shows the statistics", () => {
    expect(html).toContain(`LR ${result.kupiec.lr.toFixed(3)}`);
    expect(html).toContain(`LR ${result.christoffersen.lr.toFixed(3)}`);
    expect(html).toContain(`LR ${result.conditionalCoverage.lr.toFixed(3)}`);
    expect(html).toContain(`${(result.coverage.coverageRatio * 100).toFixed(3)} %`);
    expect(html).toContain("peak-to-trough ratio");
    expect(html).toContain("largest 5-day margin increase");
    expect(html).toContain(`${result.settings.from} to ${result.settings.to}`);
  });

  it("escapes text", () => {
    expect(html).toContain("tiny &lt;&amp;&gt; model");
    expect(html).not.toContain("tiny <&> model");
    expect(escapeXml(`a<b>&"c'`)).toBe("a&lt;b&gt;&amp;&quot;c&#39;");
  });
});

describe("chart helpers", () => {
  it("nice ticks cover the range with 1/2/5 steps", () => {
    expect(niceTicks(0, 97, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(-1234, 5678, 5)).toEqual([-2000, 0, 2000, 4000, 6000]);
    const flat = niceTicks(3, 3);
    expect(flat[0]).toBeLessThanOrEqual(3);
    expect(flat[flat.length - 1]).toBeGreaterThanOrEqual(3);
  });

  it("short numbers and bins", () => {
    expect(shortNumber(1_250_000)).toBe("1.25M");
    expect(shortNumber(-3000)).toBe("-3k");
    expect(shortNumber(12.5)).toBe("12.5");
    const b = bins([0, 1, 2, 3, 4, 10], 5);
    expect(b.map((x) => x.count)).toEqual([2, 2, 1, 0, 1]);
    expect(b.reduce((s, x) => s + x.count, 0)).toBe(6);
    expect(bins([], 5)).toEqual([]);
  });
});
