/**
 * Risk arrays: per instrument, the P&L of one unit (1 coin of underlying, long) under every scenario of a scenario
 * set, computed once per (market snapshot, parameter set) and shared by every account holding the instrument.
 * An account's scenario P&L is then Σ size × row, and its worst case a minimum: the engine's hot loop.
 * @module
 */

/**
 * Row-major matrix: `data[i * scenarioCount + j]` is the P&L of instrument i (per +1 coin) in scenario j, in the
 * instrument's bucket currency. Rows of instruments in different buckets must not be summed together.
 */
export interface RiskArrays {
  readonly instrumentNames: readonly string[];
  readonly scenarioCount: number;
  readonly data: Float64Array;
}

/**
 * Accounts in compressed sparse row form: account a holds `instrumentIndex[k]` with size `sizeCoin[k]` for
 * k in [offsets[a], offsets[a+1]). Typed arrays so a million accounts fit in a few buffers and move to workers.
 */
export interface AccountBook {
  readonly accountCount: number;
  readonly offsets: Int32Array;
  readonly instrumentIndex: Int32Array;
  readonly sizeCoin: Float64Array;
}
