/**
 * Minimum and maximum of a list in one loop. `Math.max(...values)` spreads the list onto the call stack and throws
 * `RangeError: Maximum call stack size exceeded` past ~100,000 elements (a market with 130,000 options on one expiry
 * did): nothing in netrisk spreads a list whose length comes from the input.
 * @module
 */

/** Largest element (NaN elements are skipped), or `empty` for an empty list. */
export function maxOf(values: ArrayLike<number>, empty = -Infinity): number {
  let m = -Infinity;
  let seen = false;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x > m || (!seen && x === -Infinity)) m = x;
    if (!Number.isNaN(x)) seen = true;
  }
  return seen ? m : empty;
}

/** Smallest element (NaN elements are skipped), or `empty` for an empty list. */
export function minOf(values: ArrayLike<number>, empty = Infinity): number {
  let m = Infinity;
  let seen = false;
  for (let i = 0; i < values.length; i++) {
    const x = values[i] as number;
    if (x < m || (!seen && x === Infinity)) m = x;
    if (!Number.isNaN(x)) seen = true;
  }
  return seen ? m : empty;
}
