/**
 * Scenario sets of risk-matrix margin models: a uniform price grid crossed with vol shifts (the "standard" table) and
 * weighted tail moves (the "extended" table). Venue-neutral: a model preset chooses the range, the number of steps, the
 * tail moves and their weights. Deribit's layout and weights: ../shared/reference/deribit-pm.md §2.3 and §2.5.
 * @module
 */

/** Direction of the implied-vol shock of a scenario (the size comes from a vol-shock rule, see `vol-shock.ts`). */
export type VolShift = "down" | "unchanged" | "up";

/**
 * Vol shifts in the order of one price point's triple in Deribit's 27-entry `standard` vector: index = 3k + v with
 * v = 0 down, 1 unchanged, 2 up. Evidence (deribit-pm.md §2.3, §7): the order is not documented; in both captured
 * responses a three-way tie (linear instruments) was resolved to the middle entry (index ≡ 1 mod 3), the natural
 * "unchanged" choice, and the one public re-implementation lists its vol multipliers as {0.75, 1.0, 1.5}, i.e.
 * down, unchanged, up.
 */
export const VOL_SHIFTS_ASCENDING: readonly VolShift[] = ["down", "unchanged", "up"];

/** One scenario: a relative move of the underlying's forward, a vol shift, and P&L multipliers. */
export interface ScenarioDef {
  /** Readable stable id, e.g. `std:-16%:up`, `ext:+500%:up`. */
  readonly id: string;
  /** Relative move of every forward/mark of the underlying, decimal, > −1 (−0.16 = −16 %). */
  readonly priceMove: number;
  readonly volShift: VolShift;
  /** True for tail (extended) scenarios. */
  readonly tail: boolean;
  /** Multiplier on every instrument's scenario P&L (1 on the standard grid; a fraction for tails). ≥ 0. */
  readonly weight: number;
  /**
   * Extra multiplier applied only to coin-settled (inverse) P&L, on top of `weight`. 1 unless a venue re-expresses
   * tail P&L in coin at another price (Deribit: (1 + m)/(1 + sign(m)·R), deribit-pm.md §2.5). > 0.
   */
  readonly coinRescale: number;
}

/**
 * Uniform grid of 2B + 1 relative price moves over [−R, +R]: m_k = R·(k − B)/B, k = 0..2B, ascending.
 * @param rangeDecimal - R, the largest move, decimal in (0, 1).
 * @param stepsPerSide - B ≥ 1 (Deribit `buckets_count` = 4 gives 9 points).
 */
export function priceGrid(rangeDecimal: number, stepsPerSide: number): number[] {
  const moves: number[] = [];
  // R·(k − B)/B rather than −R + k·R/B: the end points are exactly ±R and the centre exactly 0.
  for (let k = 0; k <= 2 * stepsPerSide; k++) moves.push((rangeDecimal * (k - stepsPerSide)) / stepsPerSide);
  return moves;
}

/** A relative move as a signed percentage for ids: 0.045 → `+4.5%`, −0.16 → `-16%`, 0 → `0%` (rounded to 1e-6 %). */
export function formatMovePercent(move: number): string {
  const pct = Math.round(move * 1e8) / 1e6;
  if (pct === 0) return "0%";
  return `${pct > 0 ? "+" : ""}${pct}%`;
}

/** Scenario id `<table>:<move>:<vol shift>`, e.g. `std:-16%:up`, `ext:+500%:up`. */
export function scenarioId(table: string, move: number, volShift: VolShift): string {
  return `${table}:${formatMovePercent(move)}:${volShift}`;
}

/**
 * The standard table: every price move crossed with every vol shift, laid out price-major:
 * index = volShifts.length·k + v (Deribit: 3k + v). Weight 1, no coin rescale, ids `std:<move>:<shift>`.
 */
export function gridScenarios(moves: readonly number[], volShifts: readonly VolShift[] = VOL_SHIFTS_ASCENDING): ScenarioDef[] {
  const out: ScenarioDef[] = [];
  for (const priceMove of moves) {
    for (const volShift of volShifts) {
      out.push({ id: scenarioId("std", priceMove, volShift), priceMove, volShift, tail: false, weight: 1, coinRescale: 1 });
    }
  }
  return out;
}

/** How a tail table weighs its moves. */
export interface TailRule {
  /** Vol shift of every tail scenario (Deribit: `up` only). */
  readonly volShift: VolShift;
  /** Weight of a move (e.g. {@link rangeOverMoveWeight}). */
  readonly weight: (move: number) => number;
  /** Coin-settled rescale of a move (1 for none). */
  readonly coinRescale: (move: number) => number;
}

/** The tail (extended) table, one scenario per move in the given order, ids `ext:<move>:<shift>`. */
export function tailScenarios(moves: readonly number[], rule: TailRule): ScenarioDef[] {
  return moves.map((priceMove) => ({
    id: scenarioId("ext", priceMove, rule.volShift),
    priceMove,
    volShift: rule.volShift,
    tail: true,
    weight: rule.weight(priceMove),
    coinRescale: rule.coinRescale(priceMove),
  }));
}

/**
 * Tail weight F·R/|m| (dimensionless): a tail move m counts as much as a linear position's loss at the grid edge R.
 * Deribit `extended_table_factor` F and `price_range` R (deribit-pm.md §2.5: −66 % → 0.2424, +50 % → 0.32 for R = 0.16);
 * Paradex uses 0.16/|m| and Derive's tails keep w·|s − 1| constant, the same shape. `move` ≠ 0.
 */
export function rangeOverMoveWeight(move: number, rangeDecimal: number, factor: number): number {
  return (factor * rangeDecimal) / Math.abs(move);
}

/**
 * Deribit's coin rescale of a tail move, (1 + m)/(1 + sign(m)·R): coin P&L measured at the tail price S(1 + m) is
 * re-expressed at the grid-edge price S(1 + sign(m)·R). With it an inverse future's weighted tail P&L equals its
 * grid-edge P&L exactly, as in Deribit's responses (deribit-pm.md §2.5). > 0 for m > −1 and R < 1.
 */
export function edgePriceCoinRescale(move: number, rangeDecimal: number): number {
  return (1 + move) / (1 + Math.sign(move) * rangeDecimal);
}
