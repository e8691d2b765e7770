/**
 * The 16 risk scenarios of CME SPAN and the risk array of an outright future. Reference:
 * ../shared/reference/classic-methods.md §1.2 (the standard table, NSE/LPU text corroborated by CME and McMillan).
 *
 * A risk array is, per contract, the LOSS of one long contract in each scenario (loss positive, gain negative), in the
 * performance-bond currency, with the extreme scenarios' cover fraction already applied: SPAN files publish it so and
 * the engine uses the values as given (classic-methods.md §1.2 "Extreme scenarios are already weighted").
 * @module
 */

/** Direction of the volatility move of a scenario, in multiples of the volatility scan range (VSR). */
export type SpanVolDirection = -1 | 0 | 1;

/** One SPAN scenario (one entry of every risk array). */
export interface SpanScenario {
  /** 1-based scenario number as in the CME table (1..16). */
  readonly number: number;
  /** Price move as a multiple of the price scan range (PSR): 0, ±1/3, ±2/3, ±1, or ±extreme multiplier. */
  readonly priceFraction: number;
  readonly volDirection: SpanVolDirection;
  /** Fraction of the loss counted (1; the extreme scenarios' cover fraction, 0.35 at CME). */
  readonly coverFraction: number;
  /** Number of the paired scenario (same price move, opposite vol move), or null for the unpaired extremes. */
  readonly pairedWith: number | null;
  /** True for the two extreme scenarios (15, 16). */
  readonly extreme: boolean;
}

/** The extreme-move scenarios 15 and 16: price move ± multiplier × PSR, counted at coverFraction. */
export interface ExtremeScenarioParams {
  /** Multiple of the PSR, > 0 (CME standard: 2). */
  readonly multiplier: number;
  /** Fraction of the extreme loss counted, in [0, 1] (CME standard: 0.35). */
  readonly coverFraction: number;
}

/** CME's standard extreme scenarios: ±2 × PSR at 35 % (classic-methods.md §1.2; McMillan: 0.35 × 2 × 10,000 = 7,000). */
export const CME_STANDARD_EXTREME: ExtremeScenarioParams = { multiplier: 2, coverFraction: 0.35 };

/** Number of scenarios in a SPAN risk array. */
export const SPAN_SCENARIO_COUNT = 16;

/** Price numerators over a denominator of 3 for scenarios 1..14, in table order (each used with vol up, then down). */
const PRICE_THIRDS = [0, 1, -1, 2, -2, 3, -3] as const;

/**
 * The 16 scenarios in CME order: for k = 0..6 the price move PRICE_THIRDS[k]/3 with vol up (scenario 2k + 1) and vol
 * down (2k + 2), then +extreme (15) and −extreme (16) with vol unchanged.
 */
export function spanScenarios(extreme: ExtremeScenarioParams = CME_STANDARD_EXTREME): SpanScenario[] {
  const out: SpanScenario[] = [];
  PRICE_THIRDS.forEach((num, k) => {
    // num/3 rather than num × (1/3): 3/3 is then exactly 1 and 2/3 the correctly rounded double.
    const priceFraction = num / 3;
    out.push({ number: 2 * k + 1, priceFraction, volDirection: 1, coverFraction: 1, pairedWith: 2 * k + 2, extreme: false });
    out.push({ number: 2 * k + 2, priceFraction, volDirection: -1, coverFraction: 1, pairedWith: 2 * k + 1, extreme: false });
  });
  out.push({ number: 15, priceFraction: extreme.multiplier, volDirection: 0, coverFraction: extreme.coverFraction, pairedWith: null, extreme: true });
  out.push({ number: 16, priceFraction: -extreme.multiplier, volDirection: 0, coverFraction: extreme.coverFraction, pairedWith: null, extreme: true });
  return out;
}

/**
 * Round to the nearest multiple of `step` (half away from zero, symmetric in sign), as published risk arrays are
 * rounded (McMillan's S&P array to $10: 3,333.33 → 3,330; CME's Treasury arrays to $1). `step` 0 leaves x as is.
 * Never returns −0.
 */
export function roundToMultiple(x: number, step: number): number {
  if (!(step > 0)) return x + 0;
  const r = Math.sign(x) * Math.round(Math.abs(x) / step) * step;
  return r + 0;
}

/**
 * Risk array of one long outright future (or any contract whose value moves one for one with the price):
 * loss_j = −priceFraction_j × PSR × coverFraction_j, rounded to `roundingStep` (0: no rounding).
 * @param priceScanRange - PSR in the performance-bond currency per contract (> 0), e.g. $10,000 for McMillan's S&P.
 */
export function futureRiskArray(priceScanRange: number, scenarios: readonly SpanScenario[], roundingStep = 0): number[] {
  return scenarios.map((s) => roundToMultiple(-s.priceFraction * priceScanRange * s.coverFraction, roundingStep));
}
