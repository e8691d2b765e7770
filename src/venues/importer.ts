/**
 * The frame every venue importer shares: recognise each file as one of the venue's response kinds (or say which
 * venue it looks like), read its records into a draft account, refuse the same position twice across files, and
 * finish into an {@link ImportedAccount}. A venue module supplies its response kinds.
 * @module
 */
import { fail, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import type { Ctx } from "./read.js";
import { isObj } from "./read.js";
import { VENUE_MODELS, venueIssue } from "./types.js";
import type { ImportedAccount, ImportedPosition, ImportOptions, VenueFigures, VenueFile, VenueId } from "./types.js";

/** What the readers of one import fill in. */
export interface Draft {
  readonly positions: ImportedPosition[];
  readonly collateral: Record<string, number>;
  figures: { equityUsd?: number; initialMarginUsd?: number; maintenanceMarginUsd?: number; other: Record<string, number | string> };
  readonly notes: string[];
  /**
   * Identity of each position read so far → the file it came from: the same identity in a second file is the
   * same venue position saved twice (a `duplicate`), not two positions.
   */
  readonly seen: Map<string, string>;
  /** Balances set per currency by a file kind that gives whole balances → the file (two such files is a duplicate). */
  readonly balanceFiles: Map<string, string>;
}

/** One response kind of a venue: how to recognise it and how to read it. */
export interface ResponseKind {
  readonly name: string;
  detect(json: unknown): boolean;
  read(json: unknown, ctx: Ctx, draft: Draft, options: ImportOptions): void;
}

/** Shapes of other venues' responses, to say which venue a wrongly given file looks like. */
const FINGERPRINTS: readonly [VenueId, string, (j: unknown) => boolean][] = [
  ["okx", "an OKX v5 response ({code, msg, data})", (j) => isObj(j) && "code" in j && Array.isArray(j.data) && "msg" in j],
  ["bybit", "a Bybit v5 response ({retCode, result})", (j) => isObj(j) && "retCode" in j && isObj(j.result)],
  ["deribit", "a Deribit JSON-RPC response ({jsonrpc, result})", (j) => isObj(j) && j.jsonrpc === "2.0" && "result" in j && !isObj((j.result as { positions?: unknown }) ?? null)],
  ["hyperliquid", "a Hyperliquid clearinghouseState", (j) => isObj(j) && Array.isArray(j.assetPositions) && isObj(j.marginSummary)],
  ["hyperliquid", "a Hyperliquid spotClearinghouseState", (j) => isObj(j) && Array.isArray(j.balances) && Object.keys(j).length <= 2],
  ["binance", "a Binance portfolio-margin response", (j) => (isObj(j) && "uniMMR" in j) || (Array.isArray(j) && isObj(j[0]) && ("positionAmt" in j[0] || "totalWalletBalance" in j[0]))],
  ["derive", "a Derive subaccount response", (j) => isObj(j) && isObj(j.result) && ("subaccount_value" in j.result || "collaterals" in j.result)],
];

/** Which venue a JSON document looks like, or undefined. */
export function guessVenue(json: unknown): { venue: VenueId; what: string } | undefined {
  for (const [venue, what, test] of FINGERPRINTS) if (test(json)) return { venue, what };
  return undefined;
}

/** A position's identity for duplicate detection across files. */
export function claim(draft: Draft, ctx: Ctx, identity: string, at: string): boolean {
  const first = draft.seen.get(identity);
  if (first !== undefined && first !== ctx.file) {
    ctx.issues.push(venueIssue("duplicate", ctx.venue, ctx.file, at, `position ${identity} is also in ${first}: the same venue position given twice (two saves of one response?)`));
    return false;
  }
  draft.seen.set(identity, ctx.file);
  return true;
}

/**
 * Run the kinds of a venue over its files. Issues: `invalid_json`-like shapes are the caller's; here
 * `wrong_venue` (a file no kind recognises, naming the venue it looks like), and whatever the readers report.
 */
export function runImport(venue: VenueId, kinds: readonly ResponseKind[], files: readonly VenueFile[], options: ImportOptions = {}): Result<ImportedAccount> {
  const issues: Issue[] = [];
  const draft: Draft = { positions: [], collateral: {}, figures: { other: {} }, notes: [], seen: new Map(), balanceFiles: new Map() };
  if (files.length === 0) return fail(venueIssue("required", venue, "files", "", "give at least one saved response file"));
  for (const file of files) {
    const ctx: Ctx = { venue, file: file.name, issues };
    const kind = kinds.find((k) => k.detect(file.json));
    if (kind === undefined) {
      const looks = guessVenue(file.json);
      const hint = looks !== undefined && looks.venue !== venue ? ` it looks like ${looks.what}` : ` expected ${kinds.map((k) => k.name).join(", ")}`;
      issues.push(venueIssue("wrong_venue", venue, file.name, "", `not a ${venue} response netrisk reads:${hint}`));
      continue;
    }
    kind.read(file.json, ctx, draft, options);
  }
  if (issues.length > 0) return fail(...issues);
  const f = draft.figures;
  const figures: VenueFigures = {
    ...(f.equityUsd !== undefined ? { equityUsd: f.equityUsd } : {}),
    ...(f.initialMarginUsd !== undefined ? { initialMarginUsd: f.initialMarginUsd } : {}),
    ...(f.maintenanceMarginUsd !== undefined ? { maintenanceMarginUsd: f.maintenanceMarginUsd } : {}),
    ...(Object.keys(f.other).length > 0 ? { other: f.other } : {}),
  };
  return ok({ venue, model: VENUE_MODELS[venue], positions: draft.positions, collateral: draft.collateral, venueFigures: figures, files: files.map((x) => x.name), notes: draft.notes });
}

/** Unwrap a JSON-RPC or REST envelope: `{result: X}` → X (used by Deribit and Derive). */
export const resultOf = (json: unknown): unknown => (isObj(json) && "result" in json ? json.result : json);
