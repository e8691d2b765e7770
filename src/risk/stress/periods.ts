/**
 * The named stress periods of crypto history, as DATES only: the moves themselves are always derived from the
 * history files the user supplies (see named.ts), never written into the code.
 * @module
 */
import { fail, issue, ok } from "../../errors.js";
import type { Result } from "../../errors.js";

/** A stress window: the move is from the close of the day before `start` to the close of `end` (UTC days). */
export interface StressPeriod {
  /** Stable id used on the command line (`--scenario ftx`). */
  readonly id: string;
  readonly name: string;
  /** First day whose move is included, `YYYY-MM-DD`. */
  readonly start: string;
  /** Last day whose move is included, `YYYY-MM-DD` (inclusive). */
  readonly end: string;
  readonly description: string;
}

/**
 * The named crypto stress windows of the statistical-margin issue. Dates from the events themselves (UTC days);
 * e.g. BTC's worst daily log return in the Yahoo history, −0.465 on 2020-03-12, and SOL's −0.550 on 2022-11-09
 * (../shared/data/SOURCES.md).
 */
export const NAMED_STRESS_PERIODS: readonly StressPeriod[] = [
  { id: "black-thursday", name: "Black Thursday", start: "2020-03-12", end: "2020-03-12", description: "COVID crash: BTC −37 % close to close, the largest daily fall of the decade" },
  { id: "may-2021", name: "19 May 2021", start: "2021-05-19", end: "2021-05-19", description: "China mining/exchange ban headlines and leveraged long liquidations" },
  { id: "luna", name: "LUNA / UST collapse", start: "2022-05-09", end: "2022-05-12", description: "Terra's UST de-peg and LUNA collapse; USDT briefly below 0.95" },
  { id: "ftx", name: "FTX collapse", start: "2022-11-08", end: "2022-11-09", description: "FTX insolvency; SOL −55 % on 2022-11-09" },
  { id: "usdc-depeg", name: "USDC de-peg", start: "2023-03-11", end: "2023-03-11", description: "Silicon Valley Bank failure; USDC closed at 0.9715 (intraday low 0.8774)" },
];

/**
 * The named period with this id (case-insensitive).
 * @returns the period, or `invalid_value` listing the known ids.
 */
export function findStressPeriod(id: string, path = "scenario"): Result<StressPeriod> {
  const p = NAMED_STRESS_PERIODS.find((x) => x.id === id.toLowerCase());
  return p ? ok(p) : fail(issue("invalid_value", path, `unknown stress scenario ${JSON.stringify(id)}; known: ${NAMED_STRESS_PERIODS.map((x) => x.id).join(", ")}`));
}
