/**
 * A tick: one partial market snapshot with a global, strictly increasing `seq` (docs/live.md, "Ticks"). The JSON form
 * (`{"seq": 12, "ts": "...", "index": {...}, "instruments": {...}}`) is validated by io/tick.ts into a {@link Tick};
 * the live core checks a tick again here before it touches anything, because ticks also come from code (a cascade
 * feeds its moved marks as ticks) and a bad tick must never corrupt the book.
 * @module
 */
import { issue, joinPath } from "../errors.js";
import type { Issue } from "../errors.js";
import { OPTION_ONLY_FIELDS } from "../market/check-snapshot.js";
import type { InstrumentQuote } from "../market/types.js";

/** One tick, in engine units (times in ms since the epoch). */
export interface Tick {
  /** Global sequence number of the feed, strictly increasing from tick to tick (an integer ≥ 0). */
  readonly seq: number;
  /** The tick's instant: it becomes the market's timestamp, and the valuation time of every underlying it moves. */
  readonly timestampMs: number;
  /** New index prices, USD per coin (bases and collateral currencies such as USDC). */
  readonly indexUsd?: Readonly<Record<string, number>>;
  /** New quote fields per instrument, in the market file's format; a named field replaces the held value. */
  readonly instruments?: Readonly<Record<string, InstrumentQuote>>;
  /**
   * Relative move of the implied vol of every option of a base that the tick does not quote with a `markIv`,
   * σ' = σ·(1 + m), m > −1 (e.g. the day's DVOL ratio). Applied on top of the vol convention.
   */
  readonly volMoves?: Readonly<Record<string, number>>;
  /**
   * Index prices per source, USD per coin, for the index-divergence breaker: `{"BTC": {"coinbase": 81000, ...}}`.
   * Informative only: the index the core uses is `indexUsd`.
   */
  readonly indexSources?: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** Free text: where the tick came from (the tick generator says there what is synthetic). Ignored by the core. */
  readonly source?: string;
}

const NUMERIC_FIELDS = [
  "markPrice",
  "markIv",
  "underlyingPrice",
  "bidPrice",
  "askPrice",
  "openInterest",
  "markPriceConfidence",
  "underlyingPriceConfidence",
  "rateConfidence",
  "markIvConfidence",
] as const;

function checkNumber(issues: Issue[], path: string, v: unknown, domain: "positive" | "non-negative" | "unit" | "move"): void {
  if (typeof v !== "number") issues.push(issue("invalid_type", path, `expected a number, got ${v === null ? "null" : typeof v}`));
  else if (!Number.isFinite(v)) issues.push(issue("non_finite", path, `must be a finite number, got ${v}`));
  else if (domain === "positive" && !(v > 0)) issues.push(issue("not_positive", path, `must be > 0, got ${v}`));
  else if (domain === "non-negative" && !(v >= 0)) issues.push(issue("out_of_range", path, `must be ≥ 0, got ${v}`));
  else if (domain === "unit" && !(v >= 0 && v <= 1)) issues.push(issue("out_of_range", path, `must be in [0, 1], got ${v}`));
  else if (domain === "move" && !(v > -1)) issues.push(issue("out_of_range", path, `must be > −1, got ${v}`));
}

/**
 * Field-level problems of a tick (numbers finite and in their domain, a non-negative integer `seq`, a finite time),
 * with paths as in the JSON form (`index.BTC`, `instruments.BTC-PERPETUAL.markPrice`). Empty when the tick is
 * well-formed. Which instruments and currencies the market knows is the core's business, not this check's.
 */
export function checkTickFields(tick: Tick): Issue[] {
  const issues: Issue[] = [];
  if (!Number.isSafeInteger(tick.seq) || tick.seq < 0) issues.push(issue("invalid_value", "seq", `must be an integer ≥ 0, got ${tick.seq}`));
  if (!Number.isFinite(tick.timestampMs)) issues.push(issue("invalid_value", "ts", "not a valid time"));
  for (const [c, v] of Object.entries(tick.indexUsd ?? {})) checkNumber(issues, joinPath("index", c), v, "positive");
  for (const [c, v] of Object.entries(tick.volMoves ?? {})) checkNumber(issues, joinPath("volMoves", c), v, "move");
  for (const [c, sources] of Object.entries(tick.indexSources ?? {})) {
    for (const [s, v] of Object.entries(sources)) checkNumber(issues, joinPath("indexSources", c, s), v, "positive");
  }
  for (const [name, q] of Object.entries(tick.instruments ?? {})) {
    for (const f of NUMERIC_FIELDS) {
      const v = q[f];
      if (v === undefined) continue;
      const domain = f === "openInterest" ? "non-negative" : f.endsWith("Confidence") ? "unit" : "positive";
      checkNumber(issues, joinPath("instruments", name, f), v, domain);
    }
  }
  return issues;
}

/** Option-only quote fields a tick gives a future or perpetual (`invalid_value` issues). */
export function optionOnlyFieldIssues(name: string, q: InstrumentQuote): Issue[] {
  const out: Issue[] = [];
  for (const f of OPTION_ONLY_FIELDS) {
    if (q[f] !== undefined) out.push(issue("invalid_value", joinPath("instruments", name, f), `${f} applies to options only`));
  }
  return out;
}
