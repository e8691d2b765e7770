/**
 * `netrisk surface` (volatility-surface fit report of a market) and `netrisk schema` (JSON Schemas of the file formats).
 * @module
 */
import type { Command } from "commander";
import { issue, NetriskError } from "../../errors.js";
import { FILE_SCHEMAS, toJsonSchema } from "../../io/json-schema.js";
import type { BuiltMarketContext } from "../../pricing/build-context.js";
import type { VolSurface } from "../../market/vol-surface.js";
import { fmt, table, toJson } from "../output.js";
import { emit, runCommand, type Io } from "../run.js";
import { loadMarket, type MarketOptions } from "./context.js";

const isoDate = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

function surfaceJson(s: VolSurface) {
  return { base: s.base, asOf: new Date(s.asOfMs).toISOString(), fit: s.fit };
}

function renderSurface(s: VolSurface): string {
  const f = s.fit;
  const rows = f.slices.map((sl) => [
    isoDate(sl.expiryMs),
    sl.timeYears,
    sl.forwardUsd,
    sl.quoteCount,
    sl.method,
    sl.rmsErrorVolPoints,
    sl.maxAbsErrorVolPoints,
    sl.butterflyArbitrageFree ? "yes" : "NO",
    sl.repair,
  ]);
  const out = [
    `${s.base} volatility surface (raw SVI per expiry, total variance interpolated in time; docs/methodology.md)`,
    table(["expiry (UTC)", "T (years)", "forward (USD)", "quotes", "fit", "RMS err (vol pts)", "max |err|", "no butterfly arb", "repair"], rows),
    `calendar arbitrage free: ${f.calendarArbitrageFree ? "yes" : "no"} (${f.calendarViolations.length} violation(s) before the ${f.calendarFix} fix); butterfly arbitrage free: ${f.butterflyArbitrageFree ? "yes" : "no"}`,
  ];
  for (const n of f.notes) out.push(`note: ${n}`);
  return out.join("\n");
}

export function registerMarket(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command("surface")
    .description("fit the volatility surface of each base currency in a market and report the fit error per expiry and per quote")
    .option("--market <file>", "market JSON, or a Deribit option-chain CSV")
    .option("--futures <file>", "with a Deribit options-snapshot CSV: its futures marks CSV")
    .option("--perpetuals <file>", "with a Deribit options-snapshot CSV: its perpetual prices CSV")
    .option("--example", "use the bundled example market")
    .option("--base <currency>", "only this base currency (e.g. BTC)")
    .option("--quotes", "also list every quote's fit error (always included in --json)")
    .option("--json", "machine-readable JSON output")
    .action(async (opts: MarketOptions & { base?: string; quotes?: boolean; json?: boolean }) => {
      setExit(
        await runCommand(io, Boolean(opts.json), () => {
          const { context } = loadMarket(opts);
          const built = context as BuiltMarketContext;
          const bases = opts.base !== undefined ? [opts.base] : context.bases;
          const surfaces: VolSurface[] = [];
          for (const base of bases) {
            if (!context.bases.includes(base)) throw new NetriskError([issue("missing_index", "--base", `the market has no index for ${base}`)]);
            const s = built.volSurface(base);
            if (s) surfaces.push(s);
          }
          if (surfaces.length === 0) throw new NetriskError([issue("missing_vol", "--market", "the market quotes no option to fit a surface to")]);
          emit(io, Boolean(opts.json), { surfaces: surfaces.map(surfaceJson) }, () =>
            surfaces
              .map((s) => {
                const text = renderSurface(s);
                if (!opts.quotes) return text;
                const q = s.fit.quotes.map((x) => [x.instrument ?? `#${x.index}`, x.strikeUsd, x.quotedVolDecimal, x.modelVolDecimal, x.errorVolPoints]);
                return `${text}\n${table(["quote", "strike", "quoted vol", "model vol", "error (vol pts)"], q)}`;
              })
              .join("\n\n"),
          );
        }),
      );
    });

  program
    .command("schema")
    .description(`print the JSON Schema (draft 2020-12) of a file format: ${Object.keys(FILE_SCHEMAS).join(" | ")}`)
    .argument("<format>", "file format name")
    .option("--json", "accepted for symmetry: the schema is JSON either way")
    .action(async (format: string, opts: { json?: boolean }) => {
      setExit(
        await runCommand(io, Boolean(opts.json), () => {
          const schema = Object.hasOwn(FILE_SCHEMAS, format) ? FILE_SCHEMAS[format] : undefined;
          if (schema === undefined) throw new NetriskError([issue("invalid_value", "format", `unknown format ${JSON.stringify(format)}; known: ${Object.keys(FILE_SCHEMAS).join(", ")}`)]);
          io.out(toJson(toJsonSchema(schema)));
        }),
      );
    });
  void fmt;
}
