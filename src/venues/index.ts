/**
 * Venue importers and venue-shaped outputs: a shell over the engine (it imports the engine, never the reverse; no
 * margin rules live here, and no I/O: callers hand it parsed JSON). docs/cross-venue.md.
 * @module
 */
import { fail, issue } from "../errors.js";
import type { Result } from "../errors.js";
import { exportBinance, importBinance } from "./binance.js";
import { exportBybit, importBybit } from "./bybit.js";
import type { CanonicalAccount } from "./canonical.js";
import { exportCcxt, importCcxt } from "./ccxt.js";
import { exportDeribit, importDeribit } from "./deribit.js";
import { exportDerive, importDerive } from "./derive.js";
import { exportHyperliquid, importHyperliquid } from "./hyperliquid.js";
import { exportOkx, importOkx } from "./okx.js";
import { VENUE_IDS } from "./types.js";
import type { ImportedAccount, ImportOptions, VenueFile, VenueId } from "./types.js";

export { accountFileOf, VENUE_IDS, VENUE_MODELS, venueIssue } from "./types.js";
export type { ImportedAccount, ImportedPosition, ImportOptions, VenueFigures, VenueFile, VenueId } from "./types.js";
export type { CanonicalAccount, CanonicalPosition } from "./canonical.js";
export { OKX_CONTRACT_VALUES } from "./okx-contracts.js";
export { CCXT_RAW_INFO_EXCHANGES } from "./ccxt.js";

const IMPORTERS: Readonly<Record<VenueId, (files: readonly VenueFile[], options: ImportOptions) => Result<ImportedAccount>>> = {
  deribit: importDeribit,
  okx: importOkx,
  bybit: importBybit,
  binance: importBinance,
  hyperliquid: importHyperliquid,
  derive: importDerive,
  ccxt: importCcxt,
};

const EXPORTERS: Readonly<Record<VenueId, (a: CanonicalAccount) => VenueFile[]>> = {
  deribit: exportDeribit,
  okx: exportOkx,
  bybit: exportBybit,
  binance: exportBinance,
  hyperliquid: exportHyperliquid,
  derive: exportDerive,
  ccxt: (a) => exportCcxt(a),
};

/** True when `name` is a venue with an importer. */
export const isVenueId = (name: string): name is VenueId => (VENUE_IDS as readonly string[]).includes(name);

/**
 * Import one venue account from its saved responses (parsed JSON with file names).
 * @returns the account, or every issue (each naming venue, file, record and field); `unknown_venue`-like input is
 *   `invalid_value` at `venue`.
 */
export function importVenue(venue: string, files: readonly VenueFile[], options: ImportOptions = {}): Result<ImportedAccount> {
  if (!isVenueId(venue)) return fail(issue("invalid_value", "venue", `unknown venue ${JSON.stringify(venue)}; known: ${VENUE_IDS.join(", ")}`));
  return IMPORTERS[venue](files, options);
}

/** An account in a venue's own response shapes (the inverse of {@link importVenue}, for round trips and tests). */
export function exportVenue(venue: VenueId, account: CanonicalAccount): VenueFile[] {
  return EXPORTERS[venue](account);
}
export { crossVenueReport, DEFAULT_WHOLE_BOOK_MODEL, wholeBookPortfolio } from "./report.js";
export type { CrossVenueOptions, CrossVenueReport, Mismatch, SiloScenario, StablecoinExposure, VenueInput, VenueReport } from "./report.js";
export { okxPositionBuilder } from "./okx-view.js";
export type { OkxEnvelope, PositionBuilderInputs } from "./okx-view.js";
