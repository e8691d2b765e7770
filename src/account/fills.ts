/**
 * Fills, funding and periodic settlement on an account held as its document (the account file format of
 * docs/formats.md): pure functions from (document, event, market) to the new document and what changed. The service
 * stores what they return; the live core applies the same functions, so a fill means one thing everywhere.
 *
 * A fill (instrument, size, price, fee, trade id) updates the position's size and average price with the lot
 * arithmetic of lots.ts; the part that reduces a position realises its P&L into the settlement currency's balance;
 * an option fill pays or receives its premium; the fee comes out of the fee currency's balance (default: the
 * settlement currency). Units: `size` in base coin (+ buy, − sell); inverse futures and perpetuals may give `sizeUsd`
 * (contracts, USD notional) instead, and a coin size there is the notional at the fill price (size × price). Prices in
 * the instrument's quote unit: futures and perpetuals USD per coin; options the settlement currency per coin.
 *
 * How positions are written back:
 * - inverse futures and perpetuals as `sizeUsd` (the contracts: exact, as a venue counts them) with `averagePrice`;
 * - everything else as `size` (coin) with `averagePrice`;
 * - a position the fill closes is removed; duplicates of the filled instrument are merged first (as the validator
 *   merges them); other fields of the first entry (ids, notes) are kept.
 * A position without `averagePrice` counts as entered at the current mark (its P&L so far is 0, as valuation.ts
 * values it); a linear perpetual's `unrealisedPnlUsdc` becomes the equivalent average price A = M − upnl/q.
 * @module
 */
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { boundIssue, checkBound } from "../market/bounds.js";
import type { MarketContext } from "../market/context.js";
import { parseInstrument } from "../market/instrument.js";
import type { DerivativeInstrument } from "../market/types.js";
import { fillLot, lotKindOf, lotPnl } from "./lots.js";
import type { Lot, LotKind } from "./lots.js";
import { markOf } from "./trades.js";

/** A position as the account file holds it (other fields are kept as they are). */
export interface DocumentPosition {
  readonly instrument: string;
  readonly size?: number | undefined;
  readonly sizeUsd?: number | undefined;
  readonly averagePrice?: number | undefined;
  readonly unrealisedPnlUsdc?: number | undefined;
  readonly unrealisedFundingUsdc?: number | undefined;
  readonly [field: string]: unknown;
}

/** The parts of an account document fills touch; any other field is carried through unchanged. */
export interface AccountFileDocument {
  readonly positions: readonly DocumentPosition[];
  readonly collateral?: Readonly<Record<string, number>> | undefined;
  readonly [field: string]: unknown;
}

/** One executed trade. */
export interface Fill {
  readonly instrument: string;
  /** Signed size in base coin (+ buy). Give `size` or `sizeUsd`. */
  readonly size?: number | undefined;
  /** Inverse futures and perpetuals only: signed USD notional (contracts). */
  readonly sizeUsd?: number | undefined;
  /** Execution price in the instrument's quote unit. */
  readonly price: number;
  /** Fee paid, in `feeCurrency` (negative: a rebate). Default 0. */
  readonly fee?: number | undefined;
  /** Currency of the fee; default the instrument's settlement currency. */
  readonly feeCurrency?: string | undefined;
  /** The venue's trade id (idempotency key of the fill). */
  readonly tradeId?: string | undefined;
}

/** A condition worth telling the user about that does not stop the fill (it is a fact that happened). */
export interface FillWarning {
  readonly code: "price_far_from_mark";
  readonly path: string;
  readonly message: string;
}

/** A document after a change: the same type, with its balances present. */
export type WithCollateral<D> = D & { readonly collateral: Readonly<Record<string, number>> };

export interface FillOutcome<D extends AccountFileDocument> {
  readonly document: WithCollateral<D>;
  readonly instrument: string;
  /** The position after the fill (as written), or null when it closed. */
  readonly position: DocumentPosition | null;
  /** P&L realised by the closed part, in `settlementCurrency` (options: informational, see lots.ts). */
  readonly realisedPnl: number;
  readonly settlementCurrency: string;
  /** Every balance change the fill made, per currency (realised P&L or premium, minus the fee). */
  readonly balanceChanges: Readonly<Record<string, number>>;
  readonly markPrice: number;
  readonly warnings: readonly FillWarning[];
}

/** Options of {@link applyFill}. */
export interface FillOptions {
  /** Relative distance from the mark beyond which a fill carries a `price_far_from_mark` warning (default 0.1). */
  readonly priceBandDecimal?: number;
  /** Issue paths start here (default "" : `instrument`, `price`, ...; the service uses `fills[i]`). */
  readonly path?: string;
}

/** Default relative distance from the mark that earns a fill a warning. */
export const DEFAULT_FILL_PRICE_BAND = 0.1;

interface Located {
  readonly inst: DerivativeInstrument;
  readonly kind: LotKind;
  readonly mark: number;
}

function locate(name: string, market: MarketContext, at: (f: string) => string, issues: Issue[]): Located | undefined {
  const parsed = parseInstrument(name, at("instrument"));
  if (!parsed.ok) {
    issues.push(...parsed.issues);
    return undefined;
  }
  const inst = parsed.value;
  if (inst.kind === "spot") {
    issues.push(issue("unsupported", at("instrument"), `${name} is a currency: a fill is on a derivative (change the balance instead)`));
    return undefined;
  }
  if (market.snapshot.instruments[inst.name] === undefined) {
    issues.push(issue("unknown_instrument", at("instrument"), `${name} is not listed in the current market`));
    return undefined;
  }
  if (!market.bases.includes(inst.base)) {
    issues.push(issue("missing_index", at("instrument"), `the market has no index price for ${inst.base}`));
    return undefined;
  }
  return { inst, kind: lotKindOf(inst), mark: markOf(inst, market) };
}

/** Check a fill's own fields against its instrument. */
function checkFill(fill: Fill, loc: Located | undefined, at: (f: string) => string, issues: Issue[]): void {
  const finite = (v: number | undefined, field: string): boolean => {
    if (v === undefined || Number.isFinite(v)) return true;
    issues.push(issue("non_finite", at(field), `${field} must be a finite number`));
    return false;
  };
  if (fill.size !== undefined && fill.sizeUsd !== undefined) issues.push(issue("invalid_value", at(""), "give size (coin) or sizeUsd (contracts), not both"));
  else if (fill.size === undefined && fill.sizeUsd === undefined) issues.push(issue("required", at("size"), "a fill needs size (signed, base coin) or sizeUsd"));
  // The engine's bounds (market/bounds.ts), as an account file's loader checks them (non-finite included): inside
  // them every figure the account then gets stays finite; a fill outside them is a unit mistake or a fat finger.
  for (const [field, bound] of [["size", "sizeCoin"], ["sizeUsd", "amount"]] as const) {
    const v = fill[field];
    if (v === 0) issues.push(issue("invalid_value", at(field), `${field} must be non-zero (+ buy, − sell)`));
    else if (v !== undefined) checkBound(issues, v, bound, at(field), field);
  }
  if (fill.sizeUsd !== undefined && loc !== undefined && loc.kind !== "inverse")
    issues.push(issue("unsupported", at("sizeUsd"), `sizeUsd is for inverse futures and perpetuals; give ${loc.inst.name} a size in coin`));
  if (finite(fill.price, "price") && loc !== undefined) {
    if (loc.kind === "premium" ? fill.price < 0 : !(fill.price > 0))
      issues.push(issue("not_positive", at("price"), loc.kind === "premium" ? "an option price must be ≥ 0" : "a futures price must be > 0 (USD per coin)"));
    else checkBound(issues, fill.price, loc.kind === "premium" ? "optionPrice" : "priceUsd", at("price"), "price");
  }
  if (fill.fee !== undefined) checkBound(issues, fill.fee, "amount", at("fee"), "fee");
  if (fill.feeCurrency !== undefined && !/^[A-Z][A-Z0-9]{1,9}$/.test(fill.feeCurrency))
    issues.push(issue("invalid_value", at("feeCurrency"), "expected an upper-case currency code"));
}

/**
 * True when a document's instrument name names the fill's instrument. The canonical name itself needs no parse (the
 * live core's documents hold canonical names only: a fill on a 30-position account then parses nothing here).
 */
function sameInstrument(name: string, loc: Located): boolean {
  if (name === loc.inst.name) return true;
  const parsed = parseInstrument(name);
  return parsed.ok && parsed.value.name === loc.inst.name;
}

/** Lot of the document's positions on `inst` (merged), in lot units, and the index of the first one. */
function currentLot(doc: AccountFileDocument, loc: Located): { lot: Lot | undefined; first: number; funding: number } {
  let lot: Lot | undefined;
  let first = -1;
  let funding = 0;
  doc.positions.forEach((p, i) => {
    if (!sameInstrument(p.instrument, loc)) return;
    if (first < 0) first = i;
    funding += p.unrealisedFundingUsdc ?? 0;
    const part = documentLot(p, loc);
    lot = part === undefined ? lot : lotAfter(fillLot(loc.kind, lot, part));
  });
  return { lot, first, funding };
}

function lotAfter(a: { size: number; averagePrice: number | undefined }): Lot | undefined {
  return a.averagePrice === undefined ? undefined : { size: a.size, averagePrice: a.averagePrice };
}

/** One document position as a lot: inverse sizes as notionals (sizeUsd, or coin at the current mark). */
function documentLot(p: DocumentPosition, loc: Located): Lot | undefined {
  const size = loc.kind === "inverse" ? (p.sizeUsd ?? (p.size ?? 0) * loc.mark) : (p.size ?? 0);
  if (size === 0) return undefined;
  let averagePrice = p.averagePrice ?? loc.mark;
  if (p.averagePrice === undefined && p.unrealisedPnlUsdc !== undefined && loc.kind === "linear") averagePrice = loc.mark - p.unrealisedPnlUsdc / size;
  return { size, averagePrice };
}

function credit(balances: Record<string, number>, currency: string, amount: number): void {
  if (amount !== 0) balances[currency] = (balances[currency] ?? 0) + amount;
}

/** The position written back for a lot (see the module doc), keeping the extra fields of `template`. */
function writePosition(template: DocumentPosition | undefined, loc: Located, lot: Lot, funding: number): DocumentPosition {
  const extra: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(template ?? {})) {
    if (!["instrument", "size", "sizeUsd", "averagePrice", "unrealisedPnlUsdc", "unrealisedFundingUsdc"].includes(k)) extra[k] = v;
  }
  return {
    ...extra,
    instrument: loc.inst.name,
    ...(loc.kind === "inverse" ? { sizeUsd: lot.size } : { size: lot.size }),
    averagePrice: lot.averagePrice,
    ...(funding !== 0 ? { unrealisedFundingUsdc: funding } : {}),
  };
}

/**
 * Apply one fill to an account document (a copy). Issues (paths under `options.path`): `malformed_instrument`,
 * `unsupported` (a currency code; `sizeUsd` on a linear contract or an option), `unknown_instrument` (not listed in
 * the market), `missing_index`, `required` / `invalid_value` / `non_finite` for the size fields, `not_positive` /
 * `non_finite` for the price, `non_finite` for the fee. A price far from the mark is a warning, never an issue.
 */
export function applyFill<D extends AccountFileDocument>(doc: D, fill: Fill, market: MarketContext, options: FillOptions = {}): Result<FillOutcome<D>> {
  const at = (field: string): string => joinPath(options.path ?? "", field);
  const issues: Issue[] = [];
  const loc = locate(fill.instrument, market, at, issues);
  checkFill(fill, loc, at, issues);
  if (issues.length > 0 || loc === undefined) return fail(...issues);
  const { lot, first, funding } = currentLot(doc, loc);
  const size = loc.kind === "inverse" ? (fill.sizeUsd ?? (fill.size as number) * fill.price) : (fill.size as number);
  const after = fillLot(loc.kind, lot, { size, averagePrice: fill.price });
  const balances: Record<string, number> = {};
  const settlement = loc.inst.settlementCurrency;
  if (loc.kind === "premium") credit(balances, settlement, -(fill.size as number) * fill.price);
  else credit(balances, settlement, after.realised);
  // Unsettled funding of a linear perpetual is realised with the part of the position that closes.
  const keep = lot === undefined || after.averagePrice === undefined || Math.sign(after.size) !== Math.sign(lot.size) ? 0 : Math.min(Math.abs(after.size / lot.size), 1);
  credit(balances, settlement, funding * (1 - keep));
  credit(balances, fill.feeCurrency ?? settlement, -(fill.fee ?? 0));
  const nextLot = lotAfter(after);
  const position = nextLot === undefined ? null : writePosition(doc.positions[first], loc, nextLot, funding * keep);
  const positions: DocumentPosition[] = [];
  doc.positions.forEach((p, i) => {
    const same = sameInstrument(p.instrument, loc);
    if (!same) positions.push(p);
    else if (i === first && position !== null) positions.push(position);
  });
  if (first < 0 && position !== null) positions.push(position);
  const collateral: Record<string, number> = { ...(doc.collateral ?? {}) };
  for (const [c, v] of Object.entries(balances)) credit(collateral, c, v);
  // What the fill leaves must be inside the bounds too (a position grown past 1e9 coin, a balance past 1e15).
  // The path is the field that moved it: the size (position, premium, realised P&L) or, for the fee's own currency, the fee.
  const sizeField = at(fill.sizeUsd !== undefined ? "sizeUsd" : "size");
  const left: Issue[] = [];
  const grown = nextLot === undefined ? undefined : boundIssue(nextLot.size, loc.kind === "inverse" ? "amount" : "sizeCoin", sizeField, "the position after the fill");
  if (grown !== undefined) left.push(grown);
  for (const c of Object.keys(balances)) {
    const field = fill.fee !== undefined && fill.fee !== 0 && c === (fill.feeCurrency ?? settlement) ? at("fee") : sizeField;
    const bad = boundIssue(collateral[c] as number, "amount", field, `the ${c} balance after the fill`);
    if (bad !== undefined) left.push(bad);
  }
  if (left.length > 0) return fail(...left);
  const warnings: FillWarning[] = [];
  const band = options.priceBandDecimal ?? DEFAULT_FILL_PRICE_BAND;
  if (loc.mark > 0 && Math.abs(fill.price / loc.mark - 1) > band) {
    warnings.push({
      code: "price_far_from_mark",
      path: at("price"),
      message: `price ${fill.price} is ${((fill.price / loc.mark - 1) * 100).toFixed(2)} % from the mark ${loc.mark} (band ±${band * 100} %): stored as executed`,
    });
  }
  return ok({
    document: { ...doc, positions, collateral },
    instrument: loc.inst.name,
    position,
    realisedPnl: after.realised,
    settlementCurrency: settlement,
    balanceChanges: balances,
    markPrice: loc.mark,
    warnings,
  });
}

/** Apply fills in order (all or nothing: the first rejected fill rejects the list, paths `fills[i]...`). */
export function applyFills<D extends AccountFileDocument>(doc: D, fills: readonly Fill[], market: MarketContext, options: FillOptions = {}): Result<{ document: WithCollateral<D>; outcomes: FillOutcome<D>[] }> {
  let current: WithCollateral<D> = { ...doc, collateral: { ...(doc.collateral ?? {}) } };
  const outcomes: FillOutcome<D>[] = [];
  const issues: Issue[] = [];
  fills.forEach((f, i) => {
    if (issues.length > 0) return;
    const r = applyFill<D>(current, f, market, { ...options, path: joinPath(options.path ?? "fills", i) });
    if (!r.ok) issues.push(...r.issues);
    else {
      outcomes.push(r.value);
      current = r.value.document;
    }
  });
  return issues.length > 0 ? fail(...issues) : ok({ document: current, outcomes });
}

/**
 * Funding of a perpetual over one interval: longs pay `rateDecimal` of the position's USD notional when it is
 * positive (shorts receive), as every venue's funding. Linear: q·M·rate USDC; inverse: N·rate/M coin. Returns the
 * balance change (negative = paid) in the settlement currency; the document is unchanged where nothing is held.
 * Domain: a finite rate (a venue caps it far below 1).
 */
export function applyFunding<D extends AccountFileDocument>(doc: D, instrument: string, rateDecimal: number, market: MarketContext): Result<{ document: WithCollateral<D>; paid: number; currency: string }> {
  const issues: Issue[] = [];
  const loc = locate(instrument, market, (f) => f, issues);
  if (loc !== undefined && loc.inst.kind !== "perpetual") issues.push(issue("unsupported", "instrument", `${instrument}: funding applies to perpetuals`));
  if (!Number.isFinite(rateDecimal)) issues.push(issue("non_finite", "rateDecimal", "the funding rate must be finite"));
  if (issues.length > 0 || loc === undefined) return fail(...issues);
  const { lot } = currentLot(doc, loc);
  const notionalUsd = lot === undefined ? 0 : loc.kind === "inverse" ? lot.size : lot.size * loc.mark;
  const change = loc.kind === "inverse" ? (-notionalUsd * rateDecimal) / loc.mark : -notionalUsd * rateDecimal;
  const collateral: Record<string, number> = { ...(doc.collateral ?? {}) };
  credit(collateral, loc.inst.settlementCurrency, change);
  return ok({ document: { ...doc, collateral }, paid: change, currency: loc.inst.settlementCurrency });
}

/**
 * Periodic settlement (Deribit settles futures and perpetuals daily at 08:00 UTC): every future and perpetual's P&L
 * since its average price moves into its settlement currency's balance and its average price becomes the mark, so
 * equity does not change; a linear perpetual's unrealised P&L and funding move into USDC too. Positions without an
 * average price have no P&L to settle and are left as they are. When to call it: `rules.pnlSettlement`
 * (settlementInstants). Instruments the market does not list are left unsettled and named in `skipped`.
 */
export function settlePnl<D extends AccountFileDocument>(doc: D, market: MarketContext): { document: WithCollateral<D>; settled: Readonly<Record<string, number>>; skipped: readonly string[] } {
  const settled: Record<string, number> = {};
  const skipped: string[] = [];
  const positions = doc.positions.map((p) => {
    const parsed = parseInstrument(p.instrument);
    if (!parsed.ok || parsed.value.kind === "spot" || parsed.value.kind === "option") return p;
    const inst = parsed.value;
    if (p.averagePrice === undefined && p.unrealisedPnlUsdc === undefined && p.unrealisedFundingUsdc === undefined) return p;
    if (market.snapshot.instruments[inst.name] === undefined && !market.bases.includes(inst.base)) {
      skipped.push(inst.name);
      return p;
    }
    const loc: Located = { inst, kind: lotKindOf(inst), mark: market.futureMarkUsd(inst) };
    const lot = documentLot(p, loc);
    const pnl = (lot === undefined ? 0 : lotPnl(loc.kind, lot.size, lot.averagePrice, loc.mark)) + (p.unrealisedFundingUsdc ?? 0);
    credit(settled, inst.settlementCurrency, pnl);
    return lot === undefined ? p : writePosition(p, loc, { size: lot.size, averagePrice: loc.mark }, 0);
  });
  const collateral: Record<string, number> = { ...(doc.collateral ?? {}) };
  for (const [c, v] of Object.entries(settled)) credit(collateral, c, v);
  return { document: { ...doc, positions, collateral }, settled, skipped };
}

/** Settlement and funding schedule (account rules `pnlSettlement` and `funding`). */
export interface SettlementSchedule {
  /** Hours between settlements; 0 = never (P&L stays unrealised until a fill closes it). */
  readonly periodHours: number;
  /** UTC hour the schedule is anchored at (Deribit: 8). */
  readonly anchorUtcHour: number;
}

/** The settlement instants in (fromMs, toMs] of a schedule, oldest first (empty for periodHours 0). */
export function settlementInstants(fromMs: number, toMs: number, schedule: SettlementSchedule): number[] {
  if (!(schedule.periodHours > 0) || !(toMs > fromMs)) return [];
  const period = schedule.periodHours * 3_600_000;
  const anchor = schedule.anchorUtcHour * 3_600_000;
  const out: number[] = [];
  for (let t = Math.floor((fromMs - anchor) / period + 1) * period + anchor; t <= toMs; t += period) out.push(t);
  return out;
}

/**
 * The issue of a balance change (`amount` added to a balance of `balance` in `currency`) outside the engine's bounds,
 * at `path`: the amount itself, or the balance it leaves, past ±1e15 (market/bounds.ts; an account file's loader
 * refuses such a balance). Undefined when both are inside. The service's balance-change route and the live core's
 * balance input both ask here.
 */
export function balanceChangeIssue(balance: number, amount: number, currency: string, path: string): Issue | undefined {
  return boundIssue(amount, "amount", path, "amount") ?? boundIssue(balance + amount, "amount", path, `the ${currency} balance after the change`);
}
