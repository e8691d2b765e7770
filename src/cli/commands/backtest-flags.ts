/**
 * The flags that decide how a backtest runs, shared by `netrisk backtest`, `compare --backtest` and
 * `backtest --apc-compare` (backtest.ts, margin.ts, backtest-apc.ts): a file of its own so backtest-apc.ts need not
 * import backtest.ts, which imports it.
 * @module
 */
import type { ApcFlags } from "./apc-flags.js";

/** Flags that decide how a backtest runs (shared by `backtest` and `compare --backtest`). */
export interface BacktestFlags extends ApcFlags {
  history?: string[];
  fillGaps?: boolean;
  from?: string;
  to?: string;
  horizonDays?: string;
  rebalance?: string;
  confidence?: string;
  margin?: string;
  basis?: string;
  windowDays?: string;
  minWindowDays?: string;
  stress?: boolean;
}
