/**
 * Local-variable layout shared by every function of the normalised-Black module (./black-module.ts): parameter and
 * scalar indices, and the named v128 locals in two banks.
 * @module
 */
// Local indices. Parameters: four pointers and a count (i32), the same signature for every export. Then one i32,
// one f64 and the v128 temporaries.
export const P0 = 0, P1 = 1, P2 = 2, COUNT = 4, I = 5, N = 6; // parameter 3 is unused by every export so far
export const V = 7;
const NAMES = [
  "X", "S", "H", "T", "Z", "E", "Y0", "Y1", "AA", "R", "DEPTH", "MCF", "YP", "Y", "YE", "T2", "W", "SUM", "HH", "ACT",
  "M1", "MID", "M3", "ZSQ", "RR", "EX", "EN", "ER", "ER2", "ER4", "EQ", "EP", "EXP", "LB", "LK", "LM", "LBIG", "LF",
  "LS", "LZ", "LW", "LR", "LH", "LX", "MF", "MK", "MQ", "MIN", "MD", "MU",
] as const;
/**
 * Indices of the v128 locals by name, for the bank being emitted. Two banks of locals let one loop iteration carry two
 * independent pairs of points (four options): the pairs' dependency chains interleave, which the processor overlaps.
 * Why: every stage here (erfcx, the series, exp, log) is a chain of dependent multiply-adds, latency-bound with one
 * pair in flight. Emitters read `L` when called; {@link useBank} points it at bank 0 or 1.
 */
export const L = Object.fromEntries(NAMES.map((name, i) => [name, V + i])) as Record<(typeof NAMES)[number], number>;
/** Points {@link L} at bank 0 or 1 of the v128 locals (code generation time only; no effect on results). */
export function useBank(bank: 0 | 1): void {
  NAMES.forEach((name, i) => (L[name] = V + bank * NAMES.length + i));
}
/** Number of v128 locals every function declares (both banks). */
export const V128_LOCALS = 2 * NAMES.length;
