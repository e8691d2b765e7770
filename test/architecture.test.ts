/**
 * The layering of ARCHITECTURE.md, enforced: a module may import only from its own layer or the layers before it in
 * LAYERS, and the engine (math .. backtest) never imports Node's I/O modules. A violation names the file and import.
 */
import { describe, expect, it } from "vitest";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, dirname, resolve } from "node:path";

const LAYERS = ["errors", "version", "math", "market", "pricing", "risk", "models", "account", "backtest", "live", "io", "venues", "transport", "store", "cluster", "server", "cli", "web", "index"];
/** The dashboard runs in a browser and reads only the public API: it imports its own files and these packages. */
const WEB_PACKAGES = /^(preact|preact\/hooks|uplot|uplot\/dist\/uPlot\.min\.css)$/;
const ENGINE = new Set(["math", "market", "pricing", "risk", "models", "account", "backtest"]);
/** The pure live core: the engine's rules, and no thread of its own, no clock, no global randomness, no process. */
const PURE = new Set([...ENGINE, "live"]);
const LIVE_FORBIDDEN = /^(node:)?(worker_threads|timers|perf_hooks|process|os|cluster)$/;
const CLOCK_OR_RNG = /\b(Date\.now|performance\.now|Math\.random|setTimeout|setInterval|process\.)|new Date\(\)/;
const IO_MODULES = /^(node:)?(fs|fs\/promises|net|http|https|child_process|dgram|tls|readline)$/;
/** Layers above the engine that still do no I/O: venue importers read parsed JSON handed to them (files are cli's). */
const NO_IO_SHELLS = new Set(["venues"]);

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : /\.tsx?$/.test(p) && !/\.test\.tsx?$/.test(p) ? [p] : [];
  });
}

function layerOf(file: string): string {
  const rel = relative("src", file).replace(/\\/g, "/");
  const top = rel.split("/")[0] ?? "";
  return top.replace(/\.tsx?$/, "");
}

describe("architecture", () => {
  it("venues is a shell over the engine: nothing below it imports it, and it holds no margin model", () => {
    const below = sources.filter((f) => LAYERS.indexOf(layerOf(f)) < LAYERS.indexOf("venues"));
    const offenders = below.filter((f) => /from\s+["'][^"']*\/venues\//.test(readFileSync(f, "utf8")));
    expect(offenders).toEqual([]);
    // Margin rules live in src/models (the OKX model is src/models/okx); venues only maps shapes and reports.
    const venues = sources.filter((f) => layerOf(f) === "venues");
    expect(venues.filter((f) => /models\/[a-z-]+\/(bucket|components|aggregation)\.js/.test(readFileSync(f, "utf8")))).toEqual([]);
  });

  const sources = files("src");

  it("every source file sits in a known layer", () => {
    for (const f of sources) expect(LAYERS, f).toContain(layerOf(f));
  });

  it("imports go only to the same or an earlier layer; the engine does no I/O", () => {
    const violations: string[] = [];
    for (const f of sources) {
      const from = layerOf(f);
      const text = readFileSync(f, "utf8");
      for (const m of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+["']([^"']+)["']/gm)) {
        const spec = m[1] ?? "";
        if (spec.startsWith(".")) {
          const target = relative("src", resolve(dirname(f), spec));
          const to = (target.split("/")[0] ?? "").replace(/\.js$/, "");
          if (LAYERS.indexOf(to) > LAYERS.indexOf(from)) violations.push(`${f}: ${from} imports ${to} (${spec})`);
        } else if (PURE.has(from) && IO_MODULES.test(spec)) {
          violations.push(`${f}: engine layer ${from} imports ${spec}`);
        } else if (NO_IO_SHELLS.has(from) && IO_MODULES.test(spec)) {
          violations.push(`${f}: pure shell layer ${from} imports ${spec}`);
        } else if (from === "live" && LIVE_FORBIDDEN.test(spec)) {
          violations.push(`${f}: the live core imports ${spec}`);
        }
      }
    }
    expect(violations).toEqual([]);
  });

  it("no two source files import each other, directly or round a longer loop (type imports included)", () => {
    // A loop of imports leaves the order of module evaluation to chance and makes a file impossible to read alone;
    // a type two files share goes in a third file that both import (src/risk/revaluation-rows.ts, src/web/events.tsx).
    const target = (f: string, spec: string): string | null => {
      const base = resolve(dirname(f), spec).replace(/\.js$/, "");
      for (const candidate of [`${base}.ts`, `${base}.tsx`, join(base, "index.ts")]) if (sources.includes(relative(process.cwd(), candidate))) return relative(process.cwd(), candidate);
      return null;
    };
    const edges = new Map(
      sources.map((f) => [
        f,
        [...readFileSync(f, "utf8").matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+["'](\.[^"']+)["']/gm)].map((m) => target(f, m[1] ?? "")).filter((t): t is string => t !== null),
      ]),
    );
    const loops: string[] = [];
    const state = new Map<string, "open" | "done">();
    const visit = (f: string, path: string[]): void => {
      state.set(f, "open");
      for (const t of edges.get(f) ?? []) {
        if (state.get(t) === "open") loops.push([...path.slice(path.indexOf(t)), f, t].join(" -> "));
        else if (!state.has(t)) visit(t, [...path, f]);
      }
      state.set(f, "done");
    };
    for (const f of sources) if (!state.has(f)) visit(f, []);
    expect(loops).toEqual([]);
  });

  it("the live core reads no clock and draws no global randomness (time and data come in as inputs)", () => {
    const found = sources
      .filter((f) => layerOf(f) === "live")
      .flatMap((f) =>
        readFileSync(f, "utf8")
          .split("\n")
          .filter((line) => !/^\s*(\*|\/\/)/.test(line) && CLOCK_OR_RNG.test(line))
          .map((line) => `${f}: ${line.trim()}`),
      );
    expect(found).toEqual([]);
  });

  it("the dashboard (src/web) imports nothing of the engine, the service or Node: only its own files, Preact and uPlot", () => {
    const web = sources.filter((f) => layerOf(f) === "web");
    expect(web.length).toBeGreaterThan(5);
    const bad: string[] = [];
    for (const f of web) {
      const text = readFileSync(f, "utf8");
      for (const m of text.matchAll(/^\s*(?:import|export)\s(?:[^'"]*?from\s+)?["']([^"']+)["']/gm)) {
        const spec = m[1] ?? "";
        if (spec.startsWith(".")) {
          const target = relative("src", resolve(dirname(f), spec)).replace(/\\/g, "/");
          if (!target.startsWith("web/")) bad.push(`${f}: ${spec}`);
        } else if (!WEB_PACKAGES.test(spec)) bad.push(`${f}: ${spec}`);
      }
      // Data only through the public API: fetch of /v1 routes, the stream, /openapi.json; no other origin.
      for (const m of text.matchAll(/(?:fetch|EventSource)\(\s*[`"']([^`"']*)/g)) {
        const url = m[1] ?? "";
        if (!/^\/(v1\/|openapi\.json)/.test(url) && url !== "") bad.push(`${f}: fetches ${url}`);
      }
      if (/https?:\/\//.test(text.replace(/\/\/.*$/gm, "").replace(/\/\*[\s\S]*?\*\//g, ""))) bad.push(`${f}: names an absolute URL (no CDN, no network at run time)`);
    }
    expect(bad).toEqual([]);
    // Nothing outside src/web imports the dashboard.
    expect(sources.filter((f) => layerOf(f) !== "web" && /from\s+["'][^"']*\/web\//.test(readFileSync(f, "utf8")))).toEqual([]);
  });

  it("the transport port's adapters are not imported by the live core or the engine", () => {
    const found = sources.filter((f) => PURE.has(layerOf(f)) && /from\s+["'][^"']*transport\//.test(readFileSync(f, "utf8")));
    expect(found).toEqual([]);
  });
});
