/**
 * `netrisk import VENUE FILE...` (a venue's saved responses → a netrisk account file) and `netrisk venues` (the
 * cross-venue report). Thin: reading files and rendering; everything else is src/venues. docs/cross-venue.md.
 * @module
 */
import type { Command } from "commander";
import { issue, NetriskError } from "../../errors.js";
import type { Issue } from "../../errors.js";
import { readText } from "../../io/files.js";
import { loadMarketAndContext } from "./context.js";
import type { MarketContext } from "../../market/context.js";
import { accountFileOf, importVenue, isVenueId, VENUE_IDS } from "../../venues/index.js";
import type { ImportedAccount, VenueFile, VenueId } from "../../venues/index.js";
import { crossVenueReport, DEFAULT_WHOLE_BOOK_MODEL, wholeBookPortfolio } from "../../venues/report.js";
import type { CrossVenueReport, VenueInput } from "../../venues/report.js";
import { MODEL_IDS } from "../../models/registry.js";
import { fmt, pct, table } from "../output.js";
import { emit, need, runCommand, type Io } from "../run.js";
import { loadHistory } from "./risk-inputs.js";
import { modelsWithHistory } from "./backtest.js";

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Read a saved response: JSON, with a truncated file said to be one. */
function readVenueFile(path: string): VenueFile {
  const text = need(readText(path));
  try {
    return { name: path, json: JSON.parse(text) as unknown };
  } catch (e) {
    const msg = (e as Error).message;
    // V8 says "Unexpected end of JSON input", or "Expected ... at position N" with N at the very end of the text.
    const at = /position (\d+)/.exec(msg);
    const truncated = /end of (JSON )?input|Unterminated/i.test(msg) || (at !== null && Number(at[1]) >= text.trimEnd().length);
    throw new NetriskError([issue("invalid_json", path, truncated ? `the file ends inside the JSON (a truncated response? save it again): ${msg}` : msg)]);
  }
}

function renderImport(a: ImportedAccount): string {
  const out = [`${a.venue}: ${a.positions.length} position${a.positions.length === 1 ? "" : "s"}, ${Object.keys(a.collateral).length} balance${Object.keys(a.collateral).length === 1 ? "" : "s"} from ${a.files.join(", ")} (model ${a.model})`];
  if (a.positions.length > 0)
    out.push(
      table(
        ["venue id", "netrisk name", "size (coin)", "size (USD)", "average price", "from"],
        a.positions.map((p) => [p.venueId, p.instrument, p.size ?? "", p.sizeUsd ?? "", p.averagePrice ?? "", p.source]),
      ),
    );
  if (Object.keys(a.collateral).length > 0) out.push(table(["currency", "balance"], Object.entries(a.collateral).map(([c, v]) => [c, v])));
  const f = a.venueFigures;
  const figs = [
    ...(f.equityUsd !== undefined ? [`equity ${fmt(f.equityUsd)} USD`] : []),
    ...(f.initialMarginUsd !== undefined ? [`IM ${fmt(f.initialMarginUsd)} USD`] : []),
    ...(f.maintenanceMarginUsd !== undefined ? [`MM ${fmt(f.maintenanceMarginUsd)} USD`] : []),
    ...Object.entries(f.other ?? {}).map(([k, v]) => `${k} ${typeof v === "number" ? fmt(v) : v}`),
  ];
  if (figs.length > 0) out.push(`the venue's own figures: ${figs.join(", ")}`);
  for (const n of a.notes) out.push(`note: ${n}`);
  out.push("(--json prints the account file: netrisk account --account FILE reads it)");
  return out.join("\n");
}

/** `VENUE=FILE` or `VENUE:LABEL=FILE`; a market may also be a bare FILE (the default for every venue). */
function splitAssignment(text: string, flag: string, allowBare: boolean): { venue?: VenueId; label?: string; path: string } {
  const m = /^([a-z]+)(?::([A-Za-z0-9_.-]+))?=(.+)$/.exec(text);
  if (!m) {
    if (allowBare) return { path: text };
    throw new NetriskError([issue("invalid_value", flag, `expected VENUE=FILE (venues: ${VENUE_IDS.join(", ")}), got ${JSON.stringify(text)}`)]);
  }
  const [, venue = "", label, path = ""] = m;
  if (!isVenueId(venue)) throw new NetriskError([issue("invalid_value", flag, `unknown venue ${JSON.stringify(venue)} in ${JSON.stringify(text)}; known: ${VENUE_IDS.join(", ")}`)]);
  return { venue, ...(label !== undefined ? { label } : {}), path };
}

interface VenuesOptions {
  account: string[];
  market: string[];
  instruments: string[];
  futures?: string;
  perpetuals?: string;
  model: string;
  history?: string[];
  fillGaps?: boolean;
  json?: boolean;
}

const isAccountFile = (j: unknown): boolean => typeof j === "object" && j !== null && !Array.isArray(j) && Array.isArray((j as { positions?: unknown }).positions) && typeof (j as { venue?: unknown }).venue === "string";

function loadMarketArg(path: string, opts: VenuesOptions): MarketContext {
  return loadMarketAndContext(path, opts).context;
}

function venueInputs(opts: VenuesOptions): VenueInput[] {
  if (opts.account.length === 0) throw new NetriskError([issue("required", "--account", "give at least one --account VENUE=FILE (a venue's saved response, or an account file from netrisk import --json)")]);
  const groups = new Map<string, { venue: VenueId; label?: string; paths: string[] }>();
  for (const a of opts.account) {
    const s = splitAssignment(a, "--account", false);
    const key = s.label === undefined ? (s.venue as string) : `${s.venue}:${s.label}`;
    const g = groups.get(key) ?? { venue: s.venue as VenueId, ...(s.label !== undefined ? { label: s.label } : {}), paths: [] };
    g.paths.push(s.path);
    groups.set(key, g);
  }
  const markets = new Map<string, string>();
  let fallback: string | undefined;
  for (const m of opts.market) {
    const s = splitAssignment(m, "--market", true);
    if (s.venue === undefined) fallback = s.path;
    else markets.set(s.label === undefined ? s.venue : `${s.venue}:${s.label}`, s.path);
  }
  const instruments = opts.instruments.map(readVenueFile);
  const cache = new Map<string, MarketContext>();
  const inputs: VenueInput[] = [];
  const issues: Issue[] = [];
  for (const [key, g] of groups) {
    const marketPath = markets.get(key) ?? markets.get(g.venue) ?? fallback;
    if (marketPath === undefined) {
      issues.push(issue("required", "--market", `no market for ${key}: give --market ${key}=FILE (or a bare --market FILE for every venue)`));
      continue;
    }
    const files = g.paths.map(readVenueFile);
    let account: unknown;
    let venueFigures: ImportedAccount["venueFigures"] | undefined;
    if (files.length === 1 && isAccountFile(files[0]?.json)) account = files[0]?.json;
    else {
      const imported = importVenue(g.venue, files, { instruments });
      if (!imported.ok) {
        issues.push(...imported.issues);
        continue;
      }
      account = accountFileOf(imported.value);
      venueFigures = imported.value.venueFigures;
    }
    let market = cache.get(marketPath);
    if (market === undefined) {
      market = loadMarketArg(marketPath, opts);
      cache.set(marketPath, market);
    }
    inputs.push({ venue: g.venue, ...(g.label !== undefined ? { label: `${g.venue}:${g.label}` } : {}), account, market, accountRef: g.paths.join(","), marketRef: marketPath, ...(venueFigures !== undefined ? { venueFigures } : {}) });
  }
  if (issues.length > 0) throw new NetriskError(issues);
  return inputs;
}

const usd = (x: number): string => fmt(x);
const move = (m: number | null | undefined): string => (m === null || m === undefined ? "none within the search" : pct(m));

export function renderVenues(r: CrossVenueReport): string {
  const out: string[] = [];
  out.push(
    "each venue under its own model, on its own market (USD)",
    table(
      ["venue", "model", "equity", "initial margin", "maint. margin", "health", "liquidation: all down", "all up"],
      [
        ...r.venues.map((v) => [v.label, v.model, v.figures.equityUsd, v.figures.initialMarginUsd, v.figures.maintenanceMarginUsd, v.figures.health, move(v.distance?.together?.down.liquidation?.moveDecimal), move(v.distance?.together?.up.liquidation?.moveDecimal)]),
        ["sum (what the book costs today)", "", r.sum.equityUsd, r.sum.initialMarginUsd, r.sum.maintenanceMarginUsd, "", "", ""],
        [`whole book under ${r.unified.model}`, r.unified.parameterSet, r.unified.figures.equityUsd, r.unified.figures.initialMarginUsd, r.unified.figures.maintenanceMarginUsd, r.unified.figures.health, move(r.unified.distance?.together?.down.liquidation?.moveDecimal), move(r.unified.distance?.together?.up.liquidation?.moveDecimal)],
      ],
    ),
    `capital freed by margining the whole book at once: initial margin ${usd(r.capitalFreedUsd.initialMargin)} USD, maintenance margin ${usd(r.capitalFreedUsd.maintenanceMargin)} USD`,
    "",
  );
  if (r.siloRisk.length === 0) out.push("silo risk: no venue is liquidated before the whole book within the scanned moves");
  else {
    out.push("silo risk: a venue liquidated while the book is still solvent (every underlying moving together), smallest fix first");
    out.push(
      table(
        ["venue", "liquidated at", "book liquidated at", "its delta (USD)", "left open elsewhere", `move to it now`, "from", "checked"],
        r.siloRisk.map((s) => [
          s.venue,
          `${pct(s.moveDecimal)} (${Object.entries(s.indexUsd).map(([b, v]) => `${b} ${fmt(v)}`).join(", ")})`,
          move(s.bookLiquidationMoveDecimal),
          s.closedLegs.map((l) => `${l.base} ${fmt(l.deltaUsd)}`).join(", "),
          s.openLegs.map((l) => `${l.venue} ${l.base} ${fmt(l.deltaUsd)}`).join(", ") || "none",
          `${usd(s.requiredTransferUsd)} USD in ${s.currency} (to ${pct(s.protectsToMoveDecimal)})`,
          s.donors.length > 0
            ? s.donors.map((d) => d.venue).join(" or ")
            : [...s.split.map((d) => `${d.venue} ${fmt(d.amountUsd)}`), ...(s.shortfallUsd > 0 ? [`outside ${fmt(s.shortfallUsd)}`] : [])].join(" + ") || "outside",
          s.verified ? "yes" : "NO",
        ]),
      ),
    );
  }
  out.push("");
  if (r.mismatches.settlement.length > 0) {
    out.push("settlement mismatches that block netting");
    for (const m of r.mismatches.settlement) out.push(`- ${m.message}: ${m.legs.map((l) => `${l.venue} ${l.settlement} ${fmt(l.deltaUsd)} USD delta`).join("; ")}`);
  }
  if (r.mismatches.stablecoins.length > 0)
    out.push(
      table(
        ["stablecoin", "balances (USD)", "linear notional settled in it (USD)", "1 % de-peg (USD)", "by venue"],
        r.mismatches.stablecoins.map((s) => [s.currency, s.balanceUsd, s.settledNotionalUsd, s.depeg1PctUsd, Object.entries(s.byVenue).map(([k, v]) => `${k} ${fmt(v)}`).join(", ")]),
      ),
    );
  for (const n of [...r.unified.marketNotes, ...r.unified.notes]) out.push(`note: ${n}`);
  return out.join("\n");
}

export function registerVenues(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command("import")
    .description("read a venue's saved API responses (positions, balances) into a netrisk account file: deribit, okx, bybit, binance, hyperliquid, derive, ccxt")
    .argument("<venue>", `venue: ${VENUE_IDS.join(" | ")}`)
    .argument("<files...>", "saved response files (JSON)")
    .option("--instruments <file>", "okx: a saved GET /api/v5/public/instruments response (contract values), repeatable", collect, [])
    .option("--json", "print the account file (JSON)")
    .action(async (venue: string, files: string[], opts: { instruments: string[]; json?: boolean }) => {
      setExit(
        await runCommand(io, Boolean(opts.json), () => {
          if (!isVenueId(venue)) throw new NetriskError([issue("invalid_value", "venue", `unknown venue ${JSON.stringify(venue)}; known: ${VENUE_IDS.join(", ")}`)]);
          const imported = need(importVenue(venue, files.map(readVenueFile), { instruments: opts.instruments.map(readVenueFile) }));
          emit(io, Boolean(opts.json), accountFileOf(imported), () => renderImport(imported));
        }),
      );
    });

  program
    .command("venues")
    .description("the book across venues: each venue's margin under its own model, the whole book under one model, the capital freed, silo risk (venues liquidated while the book is solvent, and the collateral moves that prevent it), settlement and stablecoin mismatches")
    .option("--account <VENUE=FILE>", "a venue's saved response or an account file (netrisk import --json), repeatable; VENUE:LABEL=FILE for two accounts at one venue", collect, [])
    .option("--market <VENUE=FILE>", "the market each venue is margined on, repeatable; a bare FILE is the default for every venue", collect, [])
    .option("--instruments <file>", "okx: a saved public/instruments response (contract values), repeatable", collect, [])
    .option("--futures <file>", "with a Deribit options-snapshot CSV market: its futures marks CSV")
    .option("--perpetuals <file>", "with a Deribit options-snapshot CSV market: its perpetual prices CSV")
    .option("--model <id>", `the whole-book model: ${MODEL_IDS.join(" | ")} (default okx: one risk unit per underlying whatever it settles in)`, DEFAULT_WHOLE_BOOK_MODEL)
    .option("--history <files...>", "var / hybrid whole-book model: daily history CSV files (docs/formats.md 'History files')")
    .option("--fill-gaps", "with --history: forward-fill missing days (reported)")
    .option("--json", "machine-readable JSON output")
    .action(async (opts: VenuesOptions) => {
      setExit(
        await runCommand(io, Boolean(opts.json), () => {
          if (!MODEL_IDS.includes(opts.model)) throw new NetriskError([issue("unknown_model", "--model", `unknown margin model ${JSON.stringify(opts.model)}; known: ${MODEL_IDS.join(", ")}`)]);
          const inputs = venueInputs(opts);
          let wholeBookModel;
          if (opts.model === "var" || opts.model === "hybrid") {
            if (opts.history === undefined) throw new NetriskError([issue("required", "--history", `the ${opts.model} model needs --history files`)]);
            // Bound to the whole book on the first venue's market (scenarios up to its date).
            const first = need(wholeBookPortfolio(inputs));
            [wholeBookModel] = modelsWithHistory([opts.model], opts, first.portfolio, first.market, loadHistory(opts));
          }
          const report = need(crossVenueReport(inputs, { model: opts.model, ...(wholeBookModel !== undefined ? { wholeBookModel } : {}) }));
          emit(io, Boolean(opts.json), report, () => renderVenues(report));
        }),
      );
    });
}
