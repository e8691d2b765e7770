/**
 * The shapes a book is compiled through (revaluation.ts), shared with its sticky-moneyness part (revaluation-smile.ts):
 * in a file of their own so neither of the two imports the other back.
 * @module
 */
import type { OptionInstrument } from "../market/types.js";

/** Factor slots of a book being compiled (slot 0: no move). */
export interface Slots {
  readonly price: number[];
  readonly vol: number[];
  readonly byCurrency: Map<string, number>;
}

/** One option of a book being compiled. */
export interface OptionRow {
  readonly leg: number;
  readonly inst: OptionInstrument;
  readonly slot: number;
  readonly settleSlot: number;
  readonly lnFK: number;
  readonly sd0: number;
  readonly kOverF: number;
  readonly put: number;
  readonly amp: number;
}
