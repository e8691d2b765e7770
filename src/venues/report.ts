/**
 * The cross-venue report (`netrisk venues`, `POST /v1/venues/report`): each venue's margin under its own model on
 * its own market, the sum, the whole book under one model, the capital the unified margin frees, the silo risk no
 * single venue can see, and the currency and settlement mismatches that block netting. docs/cross-venue.md.
 *
 * Silo risk. Every underlying moves together by m (β = 1, the crypto-wide move; distance.ts). Per venue, the smallest
 * m in each direction that liquidates that venue's slice alone. A silo liquidation is one that comes before the whole
 * book would be liquidated under the unified model (or within the ±50 % scanned when the book survives it): the
 * book is hedged in sum, but one venue's collateral runs out first and closes its legs while the other venues'
 * legs stay open. For each, the collateral to move to that venue now so it stays above its maintenance margin over
 * every move up to the next event in that direction (the book's own liquidation, another venue's, or ±50 %), the
 * donors that can give it and stay above theirs over the same moves (several when no one has the room, the rest
 * from outside the book), and a re-evaluation of the venue with the transfer added that proves it (`verified`).
 * @module
 */
import { evaluateAccount, inEngine } from "../account/account.js";
import type { Account, AccountEvaluation } from "../account/account.js";
import { distanceToLiquidation } from "../account/distance.js";
import type { DirectionResult, DistanceReport } from "../account/distance.js";
import { createMarginEngine } from "../account/engine.js";
import { marketMover } from "../account/market-move.js";
import { fail, issue, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { loadAccount } from "../io/account.js";
import type { LoadedAccount, PresetLoader } from "../io/account.js";
import type { MarketContext } from "../market/context.js";
import type { MarginModel, ResolvedPortfolio, ResolvedPosition } from "../models/types.js";
import { validatePortfolio } from "../io/portfolio.js";
import { currencyUsdRate } from "../risk/marks.js";
import { deltaUsd, mergeMarkets } from "./book.js";
import type { BookSlice } from "./book.js";
import { VENUE_MODELS } from "./types.js";
import type { VenueFigures, VenueId } from "./types.js";
import { minOf } from "../math/extent.js";

/** One venue's account and market. */
export interface VenueInput {
  readonly venue: VenueId;
  /** How the report names it (default the venue id; two accounts at one venue need two labels). */
  readonly label?: string;
  /** An account file (e.g. `accountFileOf(imported)`): positions, collateral, optionally model and overrides. */
  readonly account: unknown;
  readonly market: MarketContext;
  readonly accountRef: string;
  readonly marketRef: string;
  readonly venueFigures?: VenueFigures;
}

/**
 * The default whole-book model: OKX portfolio margin, the one venue rule that puts every contract on an underlying
 * in one risk unit whatever it settles in (coin, USDT, USDC: OKX's risk-unit merge of Jan 2025), so the legs of a
 * cross-venue hedge offset. Deribit's risk matrix buckets by settlement currency (`btc_btc`, `btc_usdt`, ...), so
 * coin-settled options and a USDT perpetual hedge do not offset under it.
 */
export const DEFAULT_WHOLE_BOOK_MODEL = "okx";

export interface CrossVenueOptions {
  /** The whole-book model id (default {@link DEFAULT_WHOLE_BOOK_MODEL}); `var` and `hybrid` need `wholeBookModel`. */
  readonly model?: string;
  /** A prebuilt whole-book model (statistical models bound to history). */
  readonly wholeBookModel?: MarginModel;
  readonly loadPreset?: PresetLoader;
  /** Largest |common move| of the silo scan, decimal (default 0.5). */
  readonly scanRange?: number;
  /** Points of the silo scan per direction (default 20). */
  readonly scanPoints?: number;
  /**
   * Distances to liquidation and the silo scan (default true). `false` gives the margins alone (the per-venue and
   * whole-book figures, capital freed, mismatches): what a re-margin on every tick needs.
   */
  readonly riskAnalysis?: boolean;
}

/** Account figures the report prints per venue and for the book. */
export interface SliceFigures {
  readonly equityUsd: number;
  readonly initialMarginUsd: number;
  readonly maintenanceMarginUsd: number;
  readonly availableFundsUsd: number;
  readonly maintenanceRatio: number | null;
  readonly health: string;
}

export interface VenueReport {
  readonly label: string;
  readonly venue: VenueId;
  readonly accountRef: string;
  readonly marketRef: string;
  readonly model: string;
  readonly parameterSet: string;
  readonly figures: SliceFigures;
  readonly venueFigures?: VenueFigures;
  /** Distance to liquidation of this venue's slice alone: per underlying and all together (absent without riskAnalysis). */
  readonly distance?: DistanceReport;
  /** USD delta per underlying. */
  readonly deltaUsd: Readonly<Record<string, number>>;
  readonly positions: readonly { instrument: string; venueId?: string; sizeCoin: number; settlement: string }[];
  readonly notes: readonly string[];
}

export interface SiloScenario {
  readonly venue: string;
  readonly direction: "down" | "up";
  /** Common move at which this venue alone is liquidatable. */
  readonly moveDecimal: number;
  readonly indexUsd: Readonly<Record<string, number>>;
  /** The whole book's own liquidation move in this direction under the unified model (null: none within the scan). */
  readonly bookLiquidationMoveDecimal: number | null;
  /** Legs at other venues that stay open when this venue's positions are closed: USD delta per venue and base. */
  readonly openLegs: readonly { venue: string; base: string; deltaUsd: number }[];
  /** This venue's USD delta per base (the leg that would be closed). */
  readonly closedLegs: readonly { base: string; deltaUsd: number }[];
  /**
   * Collateral to move to this venue now (USD value, in `currency`) so that it is not liquidated before the next
   * event in this direction: the whole book's liquidation, or another venue's (`protectsToMoveDecimal`).
   */
  readonly requiredTransferUsd: number;
  readonly currency: string;
  /** The largest move the transfer is sized for. */
  readonly protectsToMoveDecimal: number;
  /** Donors that can give the whole transfer and stay above their own maintenance margin over the same moves, largest room first. */
  readonly donors: readonly { venue: string; roomUsd: number }[];
  /** When no single venue has the room: the transfer split over several, largest room first (empty otherwise). */
  readonly split: readonly { venue: string; amountUsd: number }[];
  /** What no venue of the book can give: new collateral from outside (0 when the book can fund it). */
  readonly shortfallUsd: number;
  /** The venue re-evaluated with the transfer added is not liquidatable at any scanned move. */
  readonly verified: boolean;
}

export interface Mismatch {
  readonly base: string;
  readonly legs: readonly { venue: string; settlement: string; deltaUsd: number }[];
  readonly message: string;
}

export interface StablecoinExposure {
  readonly currency: string;
  /** Balances in it across venues, USD. */
  readonly balanceUsd: number;
  /** Notional of linear positions settled in it (their P&L lands in it), USD, gross. */
  readonly settledNotionalUsd: number;
  /** Equity change of a 1 % de-peg of the balances, USD. */
  readonly depeg1PctUsd: number;
  readonly byVenue: Readonly<Record<string, number>>;
}

export interface CrossVenueReport {
  readonly venues: readonly VenueReport[];
  /** What the book costs today: the venues' requirements added up. */
  readonly sum: { readonly equityUsd: number; readonly initialMarginUsd: number; readonly maintenanceMarginUsd: number };
  readonly unified: {
    readonly model: string;
    readonly parameterSet: string;
    readonly figures: SliceFigures;
    readonly distance?: DistanceReport;
    readonly marketNotes: readonly string[];
    readonly notes: readonly string[];
  };
  readonly capitalFreedUsd: { readonly initialMargin: number; readonly maintenanceMargin: number };
  readonly siloRisk: readonly SiloScenario[];
  readonly mismatches: { readonly settlement: readonly Mismatch[]; readonly stablecoins: readonly StablecoinExposure[] };
  readonly notes: readonly string[];
}

const figuresOf = (e: AccountEvaluation): SliceFigures => ({
  equityUsd: e.figures.equityUsd,
  initialMarginUsd: e.figures.initialMarginUsd,
  maintenanceMarginUsd: e.figures.maintenanceMarginUsd,
  availableFundsUsd: e.figures.availableFundsUsd,
  maintenanceRatio: e.figures.maintenanceRatio,
  health: e.health.state,
});

/** The stablecoin a venue takes as collateral for a transfer (what its linear products settle in). */
const TRANSFER_CURRENCY: Readonly<Record<VenueId, string>> = { deribit: "USDC", derive: "USDC", hyperliquid: "USDC", okx: "USDT", bybit: "USDT", binance: "USDT", ccxt: "USDT" };


function withLabel(label: string, issues: readonly Issue[]): Issue[] {
  return issues.map((i) => ({ ...i, path: `${label}:${i.path}`, message: `${label}: ${i.message}` }));
}

/** Equity and MM of an account after a common move of every base in `bases`, plus `extraUsd` of `currency`. */
function prober(account: Account, bases: readonly string[]) {
  const market = account.engine.market;
  const mover = marketMover(market, account.positions.map((p) => p.instrument.name));
  const ratio = account.rules.health.liquidationRatio;
  return (m: number, extra?: { currency: string; amount: number }): Result<{ excessUsd: number; equityUsd: number; mmUsd: number }> => {
    const moves = Object.fromEntries(bases.filter((b) => market.bases.includes(b)).map((b) => [b, m]));
    const moved = m === 0 ? market : mover(moves);
    const engine = m === 0 ? account.engine : createMarginEngine(account.engine.model, moved, { coinCollateralOffset: account.rules.coinCollateralOffset, fastArrays: true });
    const base = m === 0 ? account : inEngine(account, engine);
    const acct = extra === undefined ? base : { ...base, balances: { ...base.balances, [extra.currency]: (base.balances[extra.currency] ?? 0) + extra.amount } };
    const r = evaluateAccount(acct);
    if (!r.ok) return r;
    const f = r.value.figures;
    return ok({ excessUsd: ratio * f.equityUsd - f.maintenanceMarginUsd, equityUsd: f.equityUsd, mmUsd: f.maintenanceMarginUsd });
  };
}

function positionRows(positions: readonly ResolvedPosition[]) {
  return positions.map((p) => ({
    instrument: p.instrument.name,
    ...(p.venueId !== undefined ? { venueId: p.venueId } : {}),
    sizeCoin: p.sizeCoin,
    settlement: p.instrument.kind === "spot" ? p.instrument.currency : p.instrument.settlementCurrency,
  }));
}

function deltaByBase(account: Account): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of account.positions) {
    if (p.instrument.kind === "spot") continue;
    out[p.instrument.base] = (out[p.instrument.base] ?? 0) + deltaUsd(p, account.engine.market);
  }
  const market = account.engine.market;
  for (const [c, amount] of Object.entries(account.balances)) {
    if (market.bases.includes(c) && !["USD", "USDC", "USDT"].includes(c)) out[c] = (out[c] ?? 0) + amount * market.indexUsd(c);
  }
  return out;
}

type Loaded = { input: VenueInput; label: string; l: LoadedAccount; e: AccountEvaluation };

/** Each venue's account bound to its own model and market (issues carry the venue's label). */
function loadVenues(inputs: readonly VenueInput[], options: CrossVenueOptions): Result<Loaded[]> {
  if (inputs.length === 0) return fail(issue("required", "venues", "give at least one venue account"));
  const issues: Issue[] = [];
  const labels = new Set<string>();
  const loaded: Loaded[] = [];
  for (const input of inputs) {
    const label = input.label ?? input.venue;
    if (labels.has(label)) {
      issues.push(issue("duplicate", label, `two accounts labelled ${label}: give each account of one venue its own label (VENUE:LABEL=FILE)`));
      continue;
    }
    labels.add(label);
    const file = typeof input.account === "object" && input.account !== null ? (input.account as Record<string, unknown>) : {};
    const withModel = file.model === undefined ? { ...file, model: VENUE_MODELS[input.venue] } : file;
    const l = loadAccount(withModel, input.market, options.loadPreset !== undefined ? { loadPreset: options.loadPreset } : {});
    if (!l.ok) {
      issues.push(...withLabel(label, l.issues));
      continue;
    }
    const e = evaluateAccount(l.value.account);
    if (!e.ok) {
      issues.push(...withLabel(label, e.issues));
      continue;
    }
    loaded.push({ input, label, l: l.value, e: e.value });
  }
  return issues.length > 0 ? fail(...issues) : ok(loaded);
}

/** The whole book's account file: every venue's positions (with their entry prices) and balances. */
function bookFileOf(loaded: readonly Loaded[], modelId: string): Record<string, unknown> {
  const positions = loaded.flatMap(({ label, l }) =>
    l.account.positions.map((p) => ({ instrument: p.instrument.name, size: p.sizeCoin, ...(p.averagePrice !== undefined ? { averagePrice: p.averagePrice } : {}), venue: label })),
  );
  const collateral: Record<string, number> = {};
  for (const { l } of loaded) for (const [c, a] of Object.entries(l.account.balances)) collateral[c] = (collateral[c] ?? 0) + a;
  return { model: modelId, positions, collateral };
}

const sliceOf = ({ label, l }: Loaded): BookSlice => ({ label, market: l.account.engine.market, positions: l.account.positions, balances: l.account.balances });

/** The whole book as a portfolio on its merged market (to bind a statistical whole-book model to it). */
export function wholeBookPortfolio(inputs: readonly VenueInput[], options: CrossVenueOptions = {}): Result<{ portfolio: ResolvedPortfolio; market: MarketContext }> {
  const loaded = loadVenues(inputs, options);
  if (!loaded.ok) return loaded;
  const merged = mergeMarkets(loaded.value.map(sliceOf));
  if (!merged.ok) return merged;
  const portfolio = validatePortfolio(bookFileOf(loaded.value, "standard"), merged.value.market);
  return portfolio.ok ? ok({ portfolio: portfolio.value, market: merged.value.market }) : fail(...withLabel("book", portfolio.issues));
}

/**
 * The cross-venue report (see the module doc). Issues: each venue's account issues with the venue's label in front
 * of the path (`okx:positions[2].instrument`), `duplicate` (two inputs with one label), the whole book's.
 */
export function crossVenueReport(inputs: readonly VenueInput[], options: CrossVenueOptions = {}): Result<CrossVenueReport> {
  const l0 = loadVenues(inputs, options);
  if (!l0.ok) return l0;
  const loaded = l0.value;

  // Per venue: figures and distance on its own market.
  const venues: VenueReport[] = [];
  const analyse = options.riskAnalysis ?? true;
  for (const { input, label, l, e } of loaded) {
    const d = analyse ? distanceToLiquidation(l.account) : undefined;
    if (d !== undefined && !d.ok) return fail(...withLabel(label, d.issues));
    venues.push({
      label,
      venue: input.venue,
      accountRef: input.accountRef,
      marketRef: input.marketRef,
      model: l.model.id,
      parameterSet: `${l.parameterSetName} ${l.model.parameterSet.version}`,
      figures: figuresOf(e),
      ...(input.venueFigures !== undefined ? { venueFigures: input.venueFigures } : {}),
      ...(d !== undefined ? { distance: d.value } : {}),
      deltaUsd: deltaByBase(l.account),
      positions: positionRows(l.account.positions),
      notes: e.notes,
    });
  }
  const sum = {
    equityUsd: venues.reduce((s, v) => s + v.figures.equityUsd, 0),
    initialMarginUsd: venues.reduce((s, v) => s + v.figures.initialMarginUsd, 0),
    maintenanceMarginUsd: venues.reduce((s, v) => s + v.figures.maintenanceMarginUsd, 0),
  };

  // The whole book under one model, on one market.
  const merged = mergeMarkets(loaded.map(sliceOf));
  if (!merged.ok) return merged;
  const modelId = options.wholeBookModel?.id ?? options.model ?? DEFAULT_WHOLE_BOOK_MODEL;
  const bookNotes: string[] = [];
  const bookFile = bookFileOf(loaded, modelId);
  const book = loadAccount(bookFile, merged.value.market, {
    ...(options.loadPreset !== undefined ? { loadPreset: options.loadPreset } : {}),
    ...(options.wholeBookModel !== undefined ? { model: options.wholeBookModel } : {}),
  });
  if (!book.ok) return fail(...withLabel("book", book.issues));
  const bookEval = evaluateAccount(book.value.account);
  if (!bookEval.ok) return fail(...withLabel("book", bookEval.issues));
  const bookDistance = analyse ? distanceToLiquidation(book.value.account) : undefined;
  if (bookDistance !== undefined && !bookDistance.ok) return fail(...withLabel("book", bookDistance.issues));
  bookNotes.push(...bookEval.value.notes);
  if (!analyse) bookNotes.push("risk analysis off: no distances to liquidation and no silo scan");

  const silo = bookDistance === undefined ? ok([]) : siloScenarios(loaded, venues, bookDistance.value, options);
  if (!silo.ok) return silo;

  return ok({
    venues,
    sum,
    unified: {
      model: book.value.model.id,
      parameterSet: `${book.value.parameterSetName} ${book.value.model.parameterSet.version}`,
      figures: figuresOf(bookEval.value),
      ...(bookDistance !== undefined ? { distance: bookDistance.value } : {}),
      marketNotes: merged.value.notes,
      notes: bookNotes,
    },
    capitalFreedUsd: {
      initialMargin: sum.initialMarginUsd - bookEval.value.figures.initialMarginUsd,
      maintenanceMargin: sum.maintenanceMarginUsd - bookEval.value.figures.maintenanceMarginUsd,
    },
    siloRisk: silo.value,
    mismatches: mismatches(loaded.map(({ label, l }) => ({ label, account: l.account }))),
    notes: [],
  });
}

function siloScenarios(
  loaded: readonly { input: VenueInput; label: string; l: LoadedAccount }[],
  venues: readonly VenueReport[],
  book: DistanceReport,
  options: CrossVenueOptions,
): Result<SiloScenario[]> {
  const range = options.scanRange ?? 0.5;
  const points = Math.max(4, options.scanPoints ?? 20);
  const bases = [...new Set(venues.flatMap((v) => Object.keys(v.deltaUsd)))].sort();
  const probes = new Map(loaded.map(({ label, l }) => [label, prober(l.account, bases)]));
  const out: SiloScenario[] = [];
  for (const dir of ["down", "up"] as const) {
    const sign = dir === "down" ? -1 : 1;
    const bookLiq: DirectionResult | undefined = book.together?.[dir];
    const bookMove = bookLiq?.liquidation?.moveDecimal ?? null;
    const limit = Math.min(bookMove === null ? range : Math.abs(bookMove), range);
    for (const v of venues) {
      const own = v.distance?.together?.[dir].liquidation;
      if (own === undefined || own === null || Math.abs(own.moveDecimal) >= limit) continue;
      if (v.distance?.alreadyLiquidatable === true) continue;
      // Protect this venue until the next event after its own liquidation: the book's, or another venue's (after
      // which the book is no longer hedged in sum anyway). Donors are the venues still above water up to there.
      const later = venues
        .filter((u) => u.label !== v.label)
        .map((u) => u.distance?.together?.[dir].liquidation?.moveDecimal)
        .filter((m): m is number => m !== undefined && Math.abs(m) > Math.abs(own.moveDecimal))
        .map(Math.abs);
      const horizon = Math.min(limit, minOf(later));
      // Moves the transfer must cover: a grid up to the horizon, and the venue's own liquidation move.
      const grid = [...Array.from({ length: points }, (_, k) => (sign * horizon * (k + 1)) / points), own.moveDecimal].sort((a, b) => Math.abs(a) - Math.abs(b));
      const probe = probes.get(v.label);
      if (probe === undefined) continue;
      let need = 0;
      for (const m of grid) {
        const r = probe(m);
        if (!r.ok) return fail(...withLabel(v.label, r.issues));
        need = Math.max(need, -r.value.excessUsd);
      }
      // A little above the exact amount, so that the verification is not a tie decided by rounding.
      const transfer = need * (1 + 1e-9) + 1e-6;
      const loadedV = loaded.find((x) => x.label === v.label);
      const currency = TRANSFER_CURRENCY[loadedV?.input.venue ?? "ccxt"];
      const rate = loadedV === undefined ? 1 : currencyUsdRate(loadedV.l.account.engine.market, currency);
      let verified = true;
      for (const m of grid) {
        const r = probe(m, { currency, amount: transfer / rate });
        if (!r.ok) return fail(...withLabel(v.label, r.issues));
        if (!(r.value.excessUsd >= 0)) verified = false;
      }
      const rooms: { venue: string; roomUsd: number }[] = [];
      for (const u of venues) {
        if (u.label === v.label) continue;
        const pu = probes.get(u.label);
        if (pu === undefined) continue;
        let room = Infinity;
        for (const m of [0, ...grid]) {
          const r = pu(m);
          if (!r.ok) return fail(...withLabel(u.label, r.issues));
          room = Math.min(room, r.value.excessUsd);
        }
        if (room > 0) rooms.push({ venue: u.label, roomUsd: room });
      }
      rooms.sort((a, b) => b.roomUsd - a.roomUsd);
      const donors = rooms.filter((r) => r.roomUsd >= transfer);
      // No single donor: take from the roomiest first (each stays above its own MM over the same moves).
      const split: { venue: string; amountUsd: number }[] = [];
      let left = transfer;
      if (donors.length === 0) {
        for (const r of rooms) {
          if (left <= 0) break;
          const amount = Math.min(r.roomUsd, left);
          split.push({ venue: r.venue, amountUsd: amount });
          left -= amount;
        }
      }
      const ownBases = Object.keys(v.deltaUsd);
      out.push({
        venue: v.label,
        direction: dir,
        moveDecimal: own.moveDecimal,
        indexUsd: own.indexUsd,
        bookLiquidationMoveDecimal: bookMove,
        closedLegs: ownBases.map((b) => ({ base: b, deltaUsd: v.deltaUsd[b] ?? 0 })).filter((x) => x.deltaUsd !== 0),
        openLegs: venues
          .filter((u) => u.label !== v.label)
          .flatMap((u) => ownBases.filter((b) => u.deltaUsd[b] !== undefined && u.deltaUsd[b] !== 0).map((b) => ({ venue: u.label, base: b, deltaUsd: u.deltaUsd[b] ?? 0 }))),
        requiredTransferUsd: transfer,
        currency,
        protectsToMoveDecimal: sign * horizon,
        donors,
        split,
        shortfallUsd: donors.length > 0 ? 0 : Math.max(left, 0),
        verified,
      });
    }
  }
  // Smallest collateral move first.
  return ok(out.sort((a, b) => a.requiredTransferUsd - b.requiredTransferUsd));
}

function mismatches(slices: readonly { label: string; account: Account }[]): CrossVenueReport["mismatches"] {
  const legs = new Map<string, { venue: string; settlement: string; deltaUsd: number }[]>();
  const stable = new Map<string, { balanceUsd: number; settledNotionalUsd: number; byVenue: Record<string, number> }>();
  const stableOf = (c: string) => {
    let s = stable.get(c);
    if (s === undefined) {
      s = { balanceUsd: 0, settledNotionalUsd: 0, byVenue: {} };
      stable.set(c, s);
    }
    return s;
  };
  for (const { label, account } of slices) {
    const market = account.engine.market;
    const byKey = new Map<string, number>();
    for (const p of account.positions) {
      if (p.instrument.kind === "spot") continue;
      const inst = p.instrument;
      const settlement = inst.settlement === "inverse" ? `${inst.base} (coin-settled)` : inst.settlementCurrency;
      const key = `${inst.base}|${settlement}`;
      byKey.set(key, (byKey.get(key) ?? 0) + deltaUsd(p, market));
      if (inst.settlement === "linear") stableOf(inst.settlementCurrency).settledNotionalUsd += Math.abs(p.sizeCoin) * market.indexUsd(inst.base);
    }
    for (const [key, d] of byKey) {
      const [base = "", settlement = ""] = key.split("|");
      legs.set(base, [...(legs.get(base) ?? []), { venue: label, settlement, deltaUsd: d }]);
    }
    for (const [c, amount] of Object.entries(account.balances)) {
      if (!["USDC", "USDT"].includes(c)) continue;
      const usd = amount * currencyUsdRate(market, c);
      const s = stableOf(c);
      s.balanceUsd += usd;
      s.byVenue[label] = (s.byVenue[label] ?? 0) + usd;
    }
  }
  const settlement: Mismatch[] = [];
  for (const [base, ls] of [...legs].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const families = new Set(ls.map((l) => l.settlement));
    const longs = ls.filter((l) => l.deltaUsd > 0);
    const shorts = ls.filter((l) => l.deltaUsd < 0);
    if (families.size < 2 || longs.length === 0 || shorts.length === 0) continue;
    const crossFamily = longs.some((a) => shorts.some((b) => b.settlement !== a.settlement));
    if (!crossFamily) continue;
    const coin = ls.some((l) => l.settlement.endsWith("(coin-settled)"));
    const stables = [...families].filter((f) => !f.endsWith("(coin-settled)"));
    const parts = [
      `${base} is hedged across settlement currencies (${[...families].join(", ")}): the legs' P&L lands in different currencies and venues, so a gain on one leg does not pay the other's margin without a transfer`,
      ...(coin ? [`the coin-settled leg's collateral and P&L are in ${base}: its USD value falls with the price it hedges (inverse convexity)`] : []),
      ...(stables.length > 1 ? [`${stables.join(" vs ")} legs carry the stablecoins' de-peg basis (OKX charges it as MR9)`] : []),
    ];
    settlement.push({ base, legs: ls, message: parts.join("; ") });
  }
  const stablecoins = [...stable]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([currency, s]) => ({ currency, balanceUsd: s.balanceUsd, settledNotionalUsd: s.settledNotionalUsd, depeg1PctUsd: -0.01 * Math.max(s.balanceUsd, 0), byVenue: s.byVenue }));
  return { settlement, stablecoins };
}
