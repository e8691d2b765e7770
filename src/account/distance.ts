/**
 * Distance to liquidation: the smallest down and up move of each underlying's price — and of all of them together —
 * that takes the account to liquidation (MM ≥ liquidationRatio × equity), found by search on the full model in moved
 * markets (market-move.ts). It replaces the per-position "liquidation price", which means nothing under portfolio
 * margin: one position's price does not decide an account whose other legs offset it (crypto-venues.md §13).
 *
 * - Per underlying: only that base moves; everything else (other bases, stablecoins, vols at each strike) stays.
 * - Together: every underlying moves by β_b × m for one common factor m; β = 1 for all by default (perfect
 *   correlation: the crypto-wide crash). A user-given β vector (e.g. { BTC: 1, ETH: 1.3 }, ETH's beta to BTC) models
 *   imperfect co-movement along one factor; it is not a covariance model (no diversification between bases).
 * - Equity moves with the market: balances at moved prices, options repriced, futures by their P&L since the
 *   original marks (valuation.ts), so the model margin is compared with the equity the account would really have.
 *
 * Search per direction: outward grid 2.5, 5, 10, 20, 40, 70 % (then 99 % down; 150, 400, 1000 % up), first grid point
 * at liquidation, then Illinois regula falsi on g(m) = liquidationRatio × equity − MM between the last safe and the
 * first liquidated point, to a bracket of `tolerance` (default 1e-4 = 0.01 %). Reported: the liquidated end.
 * Speed: rows of unmoved bases are reused from the account's engine, the moved ones built with the optimised builder
 * (rows within 1e-13 of the reference, risk/build-fast.ts), so a probe costs one model evaluation plus the moved rows.
 * Limit: a liquidation window that opens and closes again between two grid points is missed (it would take a book
 * whose margin falls again as the price moves further, e.g. long wings around a short body).
 * @module
 */
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { USD_PEGGED_CURRENCIES } from "../risk/marks.js";
import type { InstrumentRiskArrays } from "../risk/risk-arrays.js";
import { evaluateAccount, inEngine } from "./account.js";
import type { Account } from "./account.js";
import { BALANCE_SUFFIX, createMarginEngine, subsetRiskArrays } from "./engine.js";
import { marketMover } from "./market-move.js";
import type { MarketMoves } from "./market-move.js";
import { maxOf } from "../math/extent.js";

export interface DistanceOptions {
  /** Multiplier of the common move per base for the "together" search (default 1 for each underlying). */
  readonly betas?: Readonly<Record<string, number>>;
  /** Largest up move searched, decimal (default 10 = +1000 %). */
  readonly maxUpMove?: number;
  /** Width of the final bracket of the move, decimal (default 1e-4). */
  readonly tolerance?: number;
}

/** Where liquidation starts along one direction. */
export interface LiquidationPoint {
  /** Relative move (of the base, or of the common factor for `together`) at which the account is liquidatable. */
  readonly moveDecimal: number;
  /** Index price of each moved base there, USD. */
  readonly indexUsd: Readonly<Record<string, number>>;
  readonly equityUsd: number;
  readonly maintenanceMarginUsd: number;
}

export interface DirectionResult {
  /** null: no liquidation within the searched range. */
  readonly liquidation: LiquidationPoint | null;
  /** The largest move (in magnitude) searched in this direction. */
  readonly searchedToDecimal: number;
}

export interface UnderlyingDistance {
  readonly indexUsd: number;
  readonly down: DirectionResult;
  readonly up: DirectionResult;
}

export interface DistanceReport {
  /** True when the account is liquidatable already (every distance is then 0). */
  readonly alreadyLiquidatable: boolean;
  readonly underlyings: Readonly<Record<string, UnderlyingDistance>>;
  /** All underlyings together along β (absent with no underlying). */
  readonly together?: { readonly betas: Readonly<Record<string, number>>; readonly down: DirectionResult; readonly up: DirectionResult };
  readonly evaluations: number;
}

/** Outward grid of |move| (roughly doubling; the refinement works inside any interval, so the grid only needs to
 * be fine enough not to step over a liquidation window that opens and closes again). */
const GRID = [0.025, 0.05, 0.1, 0.2, 0.4, 0.7];
const GRID_DOWN_TAIL = [0.99];
const GRID_UP_TAIL = [1.5, 4, 10];

/** The underlyings of an account: bases of its derivatives and of its non-stablecoin balances with an index. */
export function underlyingsOf(account: Account): string[] {
  const market = account.engine.market;
  const set = new Set<string>();
  for (const p of account.positions) if (p.instrument.kind !== "spot") set.add(p.instrument.base);
  for (const [c, amount] of Object.entries(account.balances)) {
    if (amount !== 0 && market.bases.includes(c) && !USD_PEGGED_CURRENCIES.includes(c)) set.add(c);
  }
  return [...set].sort();
}

interface Probe {
  readonly g: number;
  readonly equityUsd: number;
  readonly mmUsd: number;
}

/**
 * Distances to liquidation of an account (see the module doc). Issues: `out_of_range` / `non_finite` for bad betas
 * (path `betas.<BASE>`), maxUpMove or tolerance; the model's in a moved market.
 */
export function distanceToLiquidation(account: Account, options: DistanceOptions = {}): Result<DistanceReport> {
  const issues: Issue[] = [];
  const maxUp = options.maxUpMove ?? 10;
  const tol = options.tolerance ?? 1e-4;
  if (!(Number.isFinite(maxUp) && maxUp > 0)) issues.push(issue("out_of_range", "maxUpMove", "must be a finite number > 0"));
  if (!(Number.isFinite(tol) && tol > 0 && tol < 0.1)) issues.push(issue("out_of_range", "tolerance", "must be in (0, 0.1)"));
  const bases = underlyingsOf(account);
  const betas: Record<string, number> = {};
  for (const b of bases) betas[b] = 1;
  for (const [b, beta] of Object.entries(options.betas ?? {})) {
    if (!Number.isFinite(beta)) issues.push(issue("non_finite", joinPath("betas", b), "beta must be a finite number"));
    else if (beta === 0 || Math.abs(beta) > 100) issues.push(issue("out_of_range", joinPath("betas", b), "beta must be non-zero, |beta| ≤ 100"));
    else if (!bases.includes(b)) issues.push(issue("invalid_value", joinPath("betas", b), `${b} is not an underlying of the account (${bases.join(", ") || "none"})`));
    else betas[b] = beta;
  }
  if (issues.length > 0) return fail(...issues);

  const market = account.engine.market;
  const mover = marketMover(market, account.positions.map((p) => p.instrument.name));
  const liquidationRatio = account.rules.health.liquidationRatio;
  let evaluations = 0;
  let failure: Result<never> | undefined;
  // Speed: a risk-array row depends only on its own underlying, so a search that moves some bases reuses the rows of
  // the others (and the balance rows, which depend on no market) from the account's own engine.
  const own = evaluateAccount(account);
  if (!own.ok) return own;
  const base = account.engine.sharedArrays();
  const held = new Set([...account.positions.map((p) => p.instrument.name), ...Object.keys(account.balances).map((c) => `${c}${BALANCE_SUFFIX}`)]);
  const seeds = new Map<string, InstrumentRiskArrays | undefined>();
  const seedFor = (moves: MarketMoves): InstrumentRiskArrays | undefined => {
    if (base === undefined) return undefined;
    const moved = Object.keys(moves).filter((b) => moves[b] !== 0);
    const key = moved.sort().join(",");
    if (!seeds.has(key))
      seeds.set(key, subsetRiskArrays(base, (inst) => held.has(inst.name) && (!moved.includes(inst.base) || inst.name.endsWith(BALANCE_SUFFIX))));
    return seeds.get(key);
  };
  const probe = (moves: MarketMoves): Probe | undefined => {
    evaluations++;
    const moved = mover(moves);
    const seedArrays = seedFor(moves);
    const engine = createMarginEngine(account.engine.model, moved, {
      coinCollateralOffset: account.rules.coinCollateralOffset,
      fastArrays: true,
      ...(seedArrays !== undefined ? { seedArrays } : {}),
    });
    const r = evaluateAccount(inEngine(account, engine));
    if (!r.ok) {
      failure ??= fail(...r.issues);
      return undefined;
    }
    const f = r.value.figures;
    return { g: liquidationRatio * f.equityUsd - f.maintenanceMarginUsd, equityUsd: f.equityUsd, mmUsd: f.maintenanceMarginUsd };
  };
  const base0 = probe({});
  if (base0 === undefined) return failure ?? fail(issue("internal", "", "evaluation failed"));
  const alreadyLiquidatable = !(base0.g > 0);

  const search = (movesAt: (m: number) => MarketMoves, direction: -1 | 1, limit: number): DirectionResult | undefined => {
    const point = (m: number, p: Probe): DirectionResult => {
      const moves = movesAt(m);
      const indexUsd: Record<string, number> = {};
      for (const b of Object.keys(moves)) indexUsd[b] = market.indexUsd(b) * (1 + (moves[b] ?? 0));
      return { liquidation: { moveDecimal: m, indexUsd, equityUsd: p.equityUsd, maintenanceMarginUsd: p.mmUsd }, searchedToDecimal: Math.abs(m) };
    };
    if (alreadyLiquidatable) return point(0, base0);
    const grid = [...GRID, ...(direction < 0 ? GRID_DOWN_TAIL : GRID_UP_TAIL)].filter((x) => x < limit);
    grid.push(limit);
    let safeM = 0;
    let safeG = base0.g;
    for (const x of grid) {
      const m = direction * x;
      const p = probe(movesAt(m));
      if (p === undefined) return undefined;
      if (p.g > 0) {
        safeM = m;
        safeG = p.g;
        continue;
      }
      // Illinois regula falsi between (safeM, safeG > 0) and (m, g ≤ 0).
      let loM = safeM;
      let loG = safeG;
      let hiM = m;
      let hiP = p;
      let hiG = p.g;
      let side = 0;
      for (let k = 0; k < 60 && Math.abs(hiM - loM) > tol; k++) {
        let next = hiM - (hiG * (hiM - loM)) / (hiG - loG);
        // Keep the trial strictly inside the bracket (and bisect when the secant stalls at an end).
        if (!(Math.abs(next - loM) > tol / 4 && Math.abs(hiM - next) > tol / 4)) next = 0.5 * (loM + hiM);
        const q = probe(movesAt(next));
        if (q === undefined) return undefined;
        if (q.g > 0) {
          loM = next;
          loG = q.g;
          if (side === -1) hiG /= 2;
          side = -1;
        } else {
          hiM = next;
          hiP = q;
          hiG = q.g;
          if (side === 1) loG /= 2;
          side = 1;
        }
      }
      return point(hiM, hiP);
    }
    return { liquidation: null, searchedToDecimal: limit };
  };

  const underlyings: Record<string, UnderlyingDistance> = {};
  for (const b of bases) {
    const down = search((m) => ({ [b]: m }), -1, 0.99);
    const up = down === undefined ? undefined : search((m) => ({ [b]: m }), 1, maxUp);
    if (down === undefined || up === undefined) return failure ?? fail(issue("internal", "", "evaluation failed"));
    underlyings[b] = { indexUsd: market.indexUsd(b), down, up };
  }
  let together: DistanceReport["together"];
  if (bases.length > 0) {
    const movesAt = (m: number): MarketMoves => Object.fromEntries(bases.map((b) => [b, (betas[b] ?? 1) * m]));
    const single = bases.length === 1 && betas[bases[0] as string] === 1;
    // Every base must stay above −100 %: 1 + β·m > 0, with a 1 % margin as for the single-base search.
    const posMax = maxOf(bases.map((b) => Math.max(betas[b] ?? 1, 0)));
    const negMax = maxOf(bases.map((b) => Math.max(-(betas[b] ?? 1), 0)));
    const downLimit = posMax > 0 ? Math.min(0.99 / posMax, maxUp) : maxUp;
    const upLimit = negMax > 0 ? Math.min(0.99 / negMax, maxUp) : maxUp;
    const only = underlyings[bases[0] as string];
    const down = single && only !== undefined ? only.down : search(movesAt, -1, downLimit);
    const up = single && only !== undefined ? only.up : search(movesAt, 1, upLimit);
    if (down === undefined || up === undefined) return failure ?? fail(issue("internal", "", "evaluation failed"));
    together = { betas, down, up };
  }
  return ok({ alreadyLiquidatable, underlyings, ...(together !== undefined ? { together } : {}), evaluations });
}
