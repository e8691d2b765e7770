/**
 * The portfolio file (`portfolio.json`): zod schema (exported as schemas/portfolio.schema.json), and validation
 * against a market into the engine's {@link ResolvedPortfolio}. Documented in docs/formats.md (`## Portfolio`).
 *
 * Two stages, as for the market file. The zod schema checks the shape and each field alone (types, finite numbers,
 * name syntax, currency codes); extra fields are allowed and ignored. The second stage needs the market: full name
 * parsing, an index for the underlying, expiry, a vol for options, exactly one of `size`/`sizeUsd`, `sizeUsd` only on
 * inverse futures/perpetuals (converted at the mark), and merging of duplicated positions.
 * @module
 */
import { z } from "zod";
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import { CURRENCY_CODE_PATTERN, DERIVATIVE_NAME_PATTERN } from "../market/instrument.js";
import { checkBound } from "../market/bounds.js";
import { resolveInstrumentName, withVenueIds } from "../market/venue-ids.js";
import type { Instrument, OptionInstrument } from "../market/types.js";
import type { ResolvedPortfolio, ResolvedPosition } from "../models/types.js";
import { fillLot, lotKindOf } from "../account/lots.js";
import type { Lot } from "../account/lots.js";
import { hasUsdRate, optionMarkPrice, surfaceCanPrice, unquotedPriceNote } from "../risk/marks.js";
import { zodIssuesToIssues } from "./zod-issues.js";

const currencyCode = z.string().regex(new RegExp(CURRENCY_CODE_PATTERN));
/** A derivative name, an OKX instrument id, or a currency code (a spot balance held as a position). */
const INSTRUMENT_PATTERN = `${withVenueIds(DERIVATIVE_NAME_PATTERN)}|(?:${CURRENCY_CODE_PATTERN})`;

/** One position of the portfolio file. */
export const portfolioPositionSchema = z
  .looseObject({
    instrument: z.string().regex(new RegExp(INSTRUMENT_PATTERN)).meta({
      description:
        "Deribit-style instrument name (BTC-PERPETUAL, BTC-28JUN24, BTC-28JUN24-70000-C, BTC_USDC-PERPETUAL, BTC_USDT-PERPETUAL, ...), an OKX instrument id (BTC-USDT-SWAP, BTC-USD-250328-100000-C; resolved to the netrisk name), or a currency code for a spot balance.",
    }),
    venueId: z.string().min(1).max(128).optional().meta({
      description: "The venue's own id of the instrument (e.g. BTC-USDT-SWAP at OKX, BTCUSDT at Binance), kept for outputs. Default: the instrument as given when it is a venue id.",
    }),
    size: z.number().optional().meta({
      description:
        "Signed size in base-coin units for every instrument (Deribit private/pme/simulate convention): +1 = long 1 BTC of underlying. For a spot balance, the amount of that currency. Non-zero. Give exactly one of size and sizeUsd.",
    }),
    sizeUsd: z.number().optional().meta({
      description:
        "Inverse futures and perpetuals only: signed size in USD notional (Deribit's contract unit), converted at the mark: size = sizeUsd / markUsd. Non-zero.",
    }),
    unrealisedPnlUsdc: z.number().optional().meta({
      description: "Linear (USDC) perpetuals only, optional: unrealised P&L not yet settled into cash, USDC (used by Derive PMRM_2).",
    }),
    unrealisedFundingUsdc: z.number().optional().meta({
      description: "Linear (USDC) perpetuals only, optional: unrealised funding not yet settled into cash, USDC (used by Derive PMRM_2).",
    }),
    averagePrice: z.number().optional().meta({
      description:
        "Optional entry price (Deribit's average_price) in the instrument's price unit: futures and perpetuals USD per coin (their P&L since it counts in equity: linear in the settlement currency, inverse in coin), options the quote unit (informational). Not with unrealisedPnlUsdc.",
    }),
  })
  .meta({ description: "One position. Extra fields are allowed and ignored." });

/** The portfolio file. */
export const portfolioFileSchema = z
  .looseObject({
    positions: z.array(portfolioPositionSchema).meta({ description: "Positions; the same instrument twice is merged (sizes summed) with a note." }),
    collateral: z
      .record(currencyCode, z.number())
      .optional()
      .meta({ description: "Collateral balance per currency code (BTC, ETH, USDC, ...), in that currency; negative = borrowed. Default {}." }),
  })
  .meta({ title: "netrisk portfolio", description: "Positions and collateral of one account. Extra fields are allowed and ignored. See docs/formats.md." });

/** The portfolio file as JSON (what {@link portfolioFileSchema} accepts). */
export type PortfolioFile = z.infer<typeof portfolioFileSchema>;
type PositionFile = z.infer<typeof portfolioPositionSchema>;

/**
 * First stage: check the shape of a parsed JSON value (no market needed).
 * @returns the typed file, or issues (invalid_type, required, non_finite, malformed_instrument, invalid_value).
 */
export function parsePortfolioFile(input: unknown): Result<PortfolioFile> {
  const parsed = portfolioFileSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issues = zodIssuesToIssues(parsed.error.issues, input).map((i) => {
    // A name that fails the pattern: let the instrument parser say precisely what is wrong, with its stable code.
    if (i.code !== "invalid_value" || !/^positions\[\d+\]\.instrument$/.test(i.path)) return i;
    const name = nameAt(input, i.path);
    if (name === undefined) return i;
    const r = resolveInstrumentName(name, i.path);
    return r.ok ? i : (r.issues[0] ?? i);
  });
  return fail(...issues);
}

function nameAt(input: unknown, path: string): string | undefined {
  const index = Number(/\[(\d+)\]/.exec(path)?.[1]);
  const positions = (input as { positions?: unknown } | null)?.positions;
  const value = Array.isArray(positions) ? (positions[index] as { instrument?: unknown } | undefined)?.instrument : undefined;
  return typeof value === "string" ? value : undefined;
}

/**
 * Validate a parsed JSON value as a portfolio in `market` (both stages).
 * @returns the resolved portfolio, or every issue found, each with its path (see {@link resolvePortfolio}).
 */
export function validatePortfolio(input: unknown, market: MarketContext): Result<ResolvedPortfolio> {
  const file = parsePortfolioFile(input);
  return file.ok ? resolvePortfolio(file.value, market) : file;
}

/** Parse and validate the text of a portfolio JSON file; `sourceName` is the path of an `invalid_json` issue. */
export function parsePortfolioJson(text: string, sourceName: string, market: MarketContext): Result<ResolvedPortfolio> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return fail(issue("invalid_json", sourceName, (e as Error).message));
  }
  return validatePortfolio(value, market);
}

interface Checked {
  readonly index: number;
  readonly instrument: Instrument;
  readonly venueId?: string;
  readonly sizeCoin: number;
  readonly convention: "coin" | "usd";
  readonly unrealisedPnlUsdc?: number;
  readonly unrealisedFundingUsdc?: number;
  readonly averagePrice?: number;
}

/**
 * Second stage: resolve a shape-valid portfolio file against a market.
 * Issues (path `positions[i]...`): `malformed_instrument` (bad name), `missing_index` (no index price for the
 * underlying, or for a spot currency other than a USD stablecoin), `expired_instrument` (expiry ≤ market time),
 * `missing_vol` (an option the market can give no vol for: neither quoted nor covered by the surface),
 * `required` (neither size nor sizeUsd), `invalid_value` (both, or a zero size), `unsupported` (sizeUsd on anything
 * but an inverse future/perpetual; unrealised USDC fields on anything but a linear perpetual; `averagePrice` on a spot
 * balance), `not_positive` (a futures `averagePrice` ≤ 0; an option's < 0), `invalid_value` (a linear perpetual with
 * both `averagePrice` and `unrealisedPnlUsdc`: the same P&L twice).
 * Positions on the same instrument are merged (sizes summed, average prices size-weighted; see mergePositions) and
 * reported in `notes`.
 */
export function resolvePortfolio(file: PortfolioFile, market: MarketContext): Result<ResolvedPortfolio> {
  const issues: Issue[] = [];
  const checked: Checked[] = [];
  file.positions.forEach((p, i) => {
    const before = issues.length;
    const c = checkPosition(p, i, market, issues);
    if (c !== undefined && issues.length === before) checked.push(c);
  });
  for (const [code, amount] of Object.entries(file.collateral ?? {})) checkBound(issues, amount, "amount", joinPath("collateral", code), "a balance");
  if (issues.length > 0) return fail(...issues);
  const collateral: Record<string, number> = { ...(file.collateral ?? {}) };
  const { positions, notes } = mergePositions(checked, market, collateral);
  // One rule for unquoted instruments across commands (risk/marks.ts): priced from the market, with a note.
  for (const p of positions) {
    if (p.instrument.kind === "spot") continue;
    const note = unquotedPriceNote(p.instrument, market);
    if (note !== undefined) notes.push(note);
  }
  return ok({ positions, collateral, notes });
}

function checkPosition(p: PositionFile, i: number, market: MarketContext, issues: Issue[]): Checked | undefined {
  const at = (...rest: string[]): string => joinPath("positions", i, ...rest);
  const parsed = resolveInstrumentName(p.instrument, at("instrument"));
  if (!parsed.ok) {
    issues.push(...parsed.issues);
    return undefined;
  }
  const inst = parsed.value.instrument;
  const venueId = p.venueId ?? parsed.value.venueId;
  const id = venueId !== undefined ? { venueId } : {};
  const before = issues.length;
  checkSizeFields(p, inst, at, issues);
  if (inst.kind === "spot") {
    if (!hasUsdRate(market, inst.currency))
      issues.push(issue("missing_index", at("instrument"), `no index price for ${inst.currency}: add it to the market's "index"`));
    return issues.length > before ? undefined : { index: i, instrument: inst, sizeCoin: p.size ?? 0, convention: "coin", ...id };
  }
  if (!market.bases.includes(inst.base)) {
    issues.push(issue("missing_index", at("instrument"), `the market has no index price for ${inst.base}`));
  } else if (inst.kind !== "perpetual" && inst.expiryMs <= market.asOfMs) {
    issues.push(issue("expired_instrument", at("instrument"), `${inst.name} expired before the market time`));
  } else if (inst.kind === "option" && !optionHasVol(inst, market)) {
    issues.push(issue("missing_vol", at("instrument"), `${inst.name}: the market has no mark IV or price for it and no surface vol to price it with`));
  }
  // Any problem so far (size fields or market): report it, and never convert a size with a mark that may not apply.
  if (issues.length > before) return undefined;
  const extras = {
    ...id,
    ...(p.unrealisedPnlUsdc !== undefined ? { unrealisedPnlUsdc: p.unrealisedPnlUsdc } : {}),
    ...(p.unrealisedFundingUsdc !== undefined ? { unrealisedFundingUsdc: p.unrealisedFundingUsdc } : {}),
    ...(p.averagePrice !== undefined ? { averagePrice: p.averagePrice } : {}),
  };
  if (p.size !== undefined) return { index: i, instrument: inst, sizeCoin: p.size, convention: "coin", ...extras };
  if (p.sizeUsd === undefined || inst.kind === "option") return undefined;
  // Deribit quotes inverse futures/perps in USD contracts; the engine works in coin (pme/simulate convention).
  const markUsd = market.futureMarkUsd(inst);
  if (!(markUsd > 0 && Number.isFinite(markUsd))) {
    issues.push(issue("missing_quote", at("sizeUsd"), `${inst.name}: no positive mark price to convert sizeUsd with`));
    return undefined;
  }
  const sizeCoin = p.sizeUsd / markUsd;
  if (!checkBound(issues, sizeCoin, "sizeCoin", at("sizeUsd"), `sizeUsd ${p.sizeUsd} at the mark ${markUsd} (in coin)`)) return undefined;
  return { index: i, instrument: inst, sizeCoin, convention: "usd", ...extras };
}

function checkSizeFields(p: PositionFile, inst: Instrument, at: (...rest: string[]) => string, issues: Issue[]): void {
  if (p.size !== undefined && p.sizeUsd !== undefined) {
    issues.push(issue("invalid_value", at(), "give either size (coin) or sizeUsd (USD notional), not both"));
  } else if (p.size === undefined && p.sizeUsd === undefined) {
    issues.push(issue("required", at("size"), "a position needs size (signed, base-coin units) or sizeUsd"));
  }
  if (p.size === 0) issues.push(issue("invalid_value", at("size"), "size must be non-zero (remove the position instead)"));
  if (p.sizeUsd === 0) issues.push(issue("invalid_value", at("sizeUsd"), "sizeUsd must be non-zero (remove the position instead)"));
  // The engine's domain (market/bounds.ts): a spot balance is an amount, a derivative's size a coin count.
  if (p.size !== undefined) checkBound(issues, p.size, inst.kind === "spot" ? "amount" : "sizeCoin", at("size"), "size");
  if (p.sizeUsd !== undefined) checkBound(issues, p.sizeUsd, "amount", at("sizeUsd"), "sizeUsd");
  for (const field of ["unrealisedPnlUsdc", "unrealisedFundingUsdc"] as const) {
    const v = p[field];
    if (v !== undefined) checkBound(issues, v, "amount", at(field), field);
  }
  if (inst.kind === "option") checkBound(issues, inst.strikeUsd, "priceUsd", at("instrument"), `the strike of ${inst.name}`);
  const inverseFuture = inst.kind !== "spot" && inst.kind !== "option" && inst.settlement === "inverse";
  if (p.sizeUsd !== undefined && !inverseFuture) {
    issues.push(
      issue("unsupported", at("sizeUsd"), `sizeUsd is accepted for inverse futures and perpetuals only; give ${inst.name} a size in coin units`),
    );
  }
  const usdcPerp = inst.kind === "perpetual" && inst.settlement === "linear" && inst.settlementCurrency === "USDC";
  for (const field of ["unrealisedPnlUsdc", "unrealisedFundingUsdc"] as const) {
    if (p[field] !== undefined && !usdcPerp)
      issues.push(issue("unsupported", at(field), `${field} applies to linear USDC perpetuals only, not to ${inst.name}`));
  }
  if (p.averagePrice !== undefined) {
    if (inst.kind === "spot") issues.push(issue("unsupported", at("averagePrice"), `averagePrice applies to derivatives, not to the ${inst.name} balance`));
    else if (inst.kind === "option" ? p.averagePrice < 0 : !(p.averagePrice > 0))
      issues.push(issue("not_positive", at("averagePrice"), inst.kind === "option" ? "an option's averagePrice must be ≥ 0" : "a futures averagePrice must be > 0 (USD per coin)"));
    else if (!checkBound(issues, p.averagePrice, inst.kind === "option" ? "optionPrice" : "priceUsd", at("averagePrice"), "averagePrice")) return;
    else if (usdcPerp && p.unrealisedPnlUsdc !== undefined)
      issues.push(
        issue("invalid_value", at(), "give averagePrice or unrealisedPnlUsdc, not both: each is the position's P&L since entry, and both would count it twice"),
      );
  }
}

/** True when the market can price the option: a quoted mark IV or price, or a finite positive surface vol. */
function optionHasVol(inst: OptionInstrument, market: MarketContext): boolean {
  const q = market.snapshot.instruments[inst.name];
  if (q?.markIv !== undefined || q?.markPrice !== undefined) return true;
  return surfaceCanPrice(inst, market);
}

/**
 * Merge positions on the same instrument (first appearance keeps its place); one note per merge. Sizes add. With
 * average prices (a part without one counts at the mark), the parts are applied in file order as fills at their own
 * average price (account/lots.ts): on one side that is the size-weighted average (inverse: weighted by coin at each
 * entry, the notional-weighted harmonic mean); a part on the other side realises the P&L of what it closes into the
 * settlement currency's balance, as a venue would, and says so in the note.
 */
function mergePositions(
  checked: readonly Checked[],
  market: MarketContext,
  collateral: Record<string, number>,
): { positions: ResolvedPosition[]; notes: string[] } {
  const groups = new Map<string, Checked[]>();
  for (const c of checked) {
    const g = groups.get(c.instrument.name);
    if (g === undefined) groups.set(c.instrument.name, [c]);
    else g.push(c);
  }
  const positions: ResolvedPosition[] = [];
  const notes: string[] = [];
  for (const [name, g] of groups) {
    const first = g[0] as Checked;
    const sizeCoin = g.reduce((s, c) => s + c.sizeCoin, 0);
    const pnl = sumOptional(g.map((c) => c.unrealisedPnlUsdc));
    const funding = sumOptional(g.map((c) => c.unrealisedFundingUsdc));
    const conventions = new Set(g.map((c) => c.convention));
    // The venue id survives a merge only when every part agrees on it (one instrument, one venue spelling).
    const venueIds = new Set(g.map((c) => c.venueId));
    const venueId = venueIds.size === 1 ? first.venueId : undefined;
    // A merged position keeps "usd" if any part was given in USD: its coin size then depends on the mark conversion.
    const convention = conventions.has("usd") ? "usd" : "coin";
    const average = g.some((c) => c.averagePrice !== undefined) ? mergedAverage(g, market) : undefined;
    if (average !== undefined && average.realised !== 0) {
      collateral[average.currency] = (collateral[average.currency] ?? 0) + average.realised;
    }
    positions.push({
      instrument: first.instrument,
      sizeCoin,
      sizeConvention: convention,
      inputIndices: g.map((c) => c.index),
      ...(venueId !== undefined ? { venueId } : {}),
      ...(pnl !== undefined ? { unrealisedPnlUsdc: pnl } : {}),
      ...(funding !== undefined ? { unrealisedFundingUsdc: funding } : {}),
      ...(average?.averagePrice !== undefined ? { averagePrice: average.averagePrice } : {}),
    });
    if (g.length > 1) notes.push(mergeNote(name, g, sizeCoin, conventions.size > 1, average));
  }
  return { positions, notes };
}

interface MergedAverage {
  readonly averagePrice: number | undefined;
  readonly realised: number;
  readonly currency: string;
}

function mergedAverage(g: readonly Checked[], market: MarketContext): MergedAverage {
  const inst = g[0]?.instrument as Exclude<Instrument, { kind: "spot" }>;
  const kind = lotKindOf(inst);
  // Coin sizes are counted at the resolving mark (valuation.ts), so an inverse part's notional is sizeCoin × mark.
  const mark = inst.kind === "option" ? optionMarkPrice(inst, market) : market.futureMarkUsd(inst);
  const scale = kind === "inverse" ? mark : 1;
  let lot: Lot | undefined;
  let realised = 0;
  for (const c of g) {
    const after = fillLot(kind, lot, { size: c.sizeCoin * scale, averagePrice: c.averagePrice ?? mark });
    if (kind !== "premium") realised += after.realised;
    lot = after.averagePrice === undefined ? undefined : { size: after.size, averagePrice: after.averagePrice };
  }
  return { averagePrice: lot?.averagePrice, realised, currency: inst.settlementCurrency };
}

function sumOptional(values: readonly (number | undefined)[]): number | undefined {
  return values.some((v) => v !== undefined) ? values.reduce<number>((s, v) => s + (v ?? 0), 0) : undefined;
}

function mergeNote(name: string, g: readonly Checked[], sizeCoin: number, mixed: boolean, average: MergedAverage | undefined): string {
  const refs = g.map((c) => `positions[${c.index}]`);
  const list = refs.length === 2 ? refs.join(" and ") : `${refs.slice(0, -1).join(", ")} and ${refs[refs.length - 1] ?? ""}`;
  const parts = g.map((c) => String(c.sizeCoin)).join(" + ");
  const unit = g[0]?.instrument.kind === "spot" ? "" : " coin";
  return (
    `${list} (${name}) merged: size ${parts} = ${sizeCoin}${unit}` +
    (mixed ? " (mixed size and sizeUsd; USD sizes converted at the mark)" : "") +
    (sizeCoin === 0 ? "; net size 0, kept as a position of size 0" : "") +
    (average?.averagePrice !== undefined ? `; average price ${average.averagePrice} (size-weighted; parts without one at the mark)` : "") +
    (average !== undefined && average.realised !== 0 ? `; the closed part realised ${average.realised} ${average.currency} into the balance` : "")
  );
}
