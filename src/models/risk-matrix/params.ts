/**
 * Parameter set of the scenario risk-matrix margin model (Deribit-style portfolio margin), as data: a zod schema, the
 * validated type, and a parser that turns a bad set into `invalid_parameter_set` issues with paths.
 *
 * Deribit's own field names (`model_params` of `private/pme/simulate`, ../shared/reference/deribit-pm.md §2.2) are
 * kept as they are in the `general`, `currency_pair` and `currency` blocks, so a captured response can be pasted in.
 * Choices Deribit does not publish (tail moves, vol-shock boundary and DTE floor, roll-shock growth, which currency
 * block a settlement currency uses, legacy contingencies, IM/MM orientation) live in the `rules` block.
 * @module
 */
import { z } from "zod";
import { fail, issue, joinPath, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import type { VolShockParams } from "../../risk/vol-shock.js";
import type { ParameterSetInfo } from "../types.js";

const finite = z.number().finite();
const nonNegative = finite.min(0);
const positive = finite.gt(0);
const fraction = finite.min(0).max(1);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected an ISO date YYYY-MM-DD");
/** Provenance of a block: when it was observed and where. */
const provenance = { as_of: isoDate, source: z.string().min(1) };

const generalSchema = z.strictObject({
  /** MM = mm_factor × risk-matrix margin (current model). */
  mm_factor: fraction.optional(),
  /** IM = im_factor × MM (legacy orientation). */
  im_factor: finite.min(1).optional(),
  /** B: price points per side of zero; the grid has 2B + 1 points. */
  buckets_count: z.number().int().min(1).max(50),
  /** Only the down / unchanged / up triple is defined (Deribit's 27-vector layout). */
  vol_scenarios_count: z.literal(3),
  /** Deribit's parameter snapshot time, ms since the epoch (informative). */
  timestamp: z.number().int().min(0).optional(),
  ...provenance,
});

const pairSchema = z.strictObject({
  price_range: finite.gt(0).lt(1),
  volatility_range_up: nonNegative,
  volatility_range_down: nonNegative,
  short_term_vega_power: nonNegative,
  long_term_vega_power: nonNegative,
  min_volatility_for_shock_up: nonNegative,
  extended_table_factor: nonNegative,
  max_delta_shock: fraction,
  /** USD (INFERRED unit). */
  delta_total_liq_shock_threshold: nonNegative,
  /** Delta-shock rate increment per coin of net delta beyond the threshold (INFERRED use). */
  m_inc: nonNegative,
  ...provenance,
});

const currencySchema = z.strictObject({
  annualised_move_risk: nonNegative,
  min_annualised_move: fraction,
  /** USD. */
  extended_dampener: nonNegative,
  pnl_offset: fraction,
  /** USD (INFERRED unit). */
  max_offsetable_pnl: nonNegative,
  haircut: fraction,
  equity_side_impact: z.enum(["both", "none"]),
  correlation_set: z.boolean(),
  ...provenance,
});

const rulesSchema = z.strictObject({
  /** Tail moves of the extended table, decimals in (−1, ∞) \ {0}, in Deribit's order. May be empty (legacy models). */
  extended_moves: z.array(finite.gt(-1).refine((m) => m !== 0, "a tail move must not be 0")).max(64),
  vol_shock: z.strictObject({
    pivot_days: positive,
    dte_floor_days: nonNegative,
    short_term_boundary: z.enum(["lt", "le"]),
  }),
  roll_shock: z.strictObject({ growth: z.enum(["linear", "exp"]) }),
  /** Which `currency` block a settlement currency uses, e.g. `{ "BTC": "btc", "USDC": "usd" }`. */
  settlement_currency_block: z.record(z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/, "expected an upper-case currency code"), z.string().min(1)),
  margin_relation: z.enum(["mm_from_matrix", "im_from_mm"]),
  contingencies: z
    .strictObject({
      /** Legacy v3: coin per net short option (1 coin of underlying) per expiry and strike, e.g. 0.01. */
      naked_short_option_coin: nonNegative.optional(),
      /** Legacy: rate × |futures| (gross) or × min(Σ long, Σ short) (offsetting), in coin of underlying. */
      futures: z.strictObject({ rate: fraction, basis: z.enum(["gross", "offsetting"]) }).optional(),
    })
    .optional(),
});

/** The zod schema of a risk-matrix parameter set (one JSON file under presets/). */
export const riskMatrixParamsSchema = z.strictObject({
  $comment: z.string().optional(),
  model: z.literal("risk-matrix"),
  name: z.string().min(1),
  version: z.string().min(1),
  effective: isoDate,
  source: z.string().min(1),
  general: generalSchema,
  currency_pair: z.record(z.string().regex(/^[a-z][a-z0-9]{1,9}_usd$/, "expected <base>_usd in lower case"), pairSchema),
  currency: z.record(z.string().regex(/^[a-z][a-z0-9]{1,9}$/, "expected a lower-case currency code"), currencySchema),
  rules: rulesSchema,
});

/** Parameters of one underlying (Deribit `currency_pair` block), with units in the names. */
export interface PairParams {
  readonly priceRangeDecimal: number;
  readonly volShock: VolShockParams;
  readonly extendedTableFactor: number;
  readonly maxDeltaShockDecimal: number;
  readonly deltaShockThresholdUsd: number;
  readonly deltaShockIncrementPerCoin: number;
}

/** Parameters of one settlement currency (Deribit `currency` block). */
export interface CurrencyParams {
  /** Name of the Deribit block these came from (`btc`, `usd`, ...). */
  readonly block: string;
  readonly annualisedMoveRiskDecimal: number;
  readonly minAnnualisedMoveDecimal: number;
  readonly extendedDampenerUsd: number;
  readonly pnlOffsetDecimal: number;
  readonly maxOffsetablePnlUsd: number;
  readonly haircutDecimal: number;
  readonly equitySideImpact: "both" | "none";
}

export type MarginRelation =
  | { readonly kind: "mm_from_matrix"; readonly mmFactor: number }
  | { readonly kind: "im_from_mm"; readonly imFactor: number };

/** A validated risk-matrix parameter set. */
export interface RiskMatrixParams {
  readonly info: ParameterSetInfo;
  readonly bucketsPerSide: number;
  readonly extendedMoves: readonly number[];
  /** Per base currency, upper case (`BTC`). A base without an entry is unsupported. */
  readonly pairs: Readonly<Record<string, PairParams>>;
  /** Per settlement currency, upper case (`BTC`, `USDC`). A settlement currency without an entry is unsupported. */
  readonly currencies: Readonly<Record<string, CurrencyParams>>;
  readonly rollShockGrowth: "linear" | "exp";
  readonly margin: MarginRelation;
  readonly contingencies: {
    readonly nakedShortOptionCoin?: number;
    readonly futures?: { readonly rateDecimal: number; readonly basis: "gross" | "offsetting" };
  };
}

type RawParams = z.infer<typeof riskMatrixParamsSchema>;

/**
 * Validate a parsed risk-matrix parameter set (the JSON object of a preset). Every problem is an
 * `invalid_parameter_set` issue with the path of the bad field; cross-field rules (a missing factor for the chosen
 * margin relation, a settlement currency pointing at a missing block, an unsupported correlation set) too.
 */
export function parseRiskMatrixParams(input: unknown): Result<RiskMatrixParams> {
  const parsed = riskMatrixParamsSchema.safeParse(input);
  if (!parsed.success) {
    return fail(
      ...parsed.error.issues.map((i): Issue =>
        issue("invalid_parameter_set", joinPath(...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))), i.message),
      ),
    );
  }
  const p = parsed.data;
  const issues = crossFieldIssues(p);
  if (issues.length > 0) return fail(...issues);
  const vs = p.rules.vol_shock;
  const pairs: Record<string, PairParams> = {};
  for (const [key, c] of Object.entries(p.currency_pair)) {
    pairs[key.slice(0, -"_usd".length).toUpperCase()] = {
      priceRangeDecimal: c.price_range,
      volShock: {
        rangeUpDecimal: c.volatility_range_up,
        rangeDownDecimal: c.volatility_range_down,
        shortTermPower: c.short_term_vega_power,
        longTermPower: c.long_term_vega_power,
        pivotDays: vs.pivot_days,
        dteFloorDays: vs.dte_floor_days,
        shortTermBoundary: vs.short_term_boundary,
        minVolForShockUpDecimal: c.min_volatility_for_shock_up,
      },
      extendedTableFactor: c.extended_table_factor,
      maxDeltaShockDecimal: c.max_delta_shock,
      deltaShockThresholdUsd: c.delta_total_liq_shock_threshold,
      deltaShockIncrementPerCoin: c.m_inc,
    };
  }
  const currencies: Record<string, CurrencyParams> = {};
  for (const [settlement, block] of Object.entries(p.rules.settlement_currency_block)) {
    const c = p.currency[block];
    if (c === undefined) continue; // reported by crossFieldIssues
    currencies[settlement] = {
      block,
      annualisedMoveRiskDecimal: c.annualised_move_risk,
      minAnnualisedMoveDecimal: c.min_annualised_move,
      extendedDampenerUsd: c.extended_dampener,
      pnlOffsetDecimal: c.pnl_offset,
      maxOffsetablePnlUsd: c.max_offsetable_pnl,
      haircutDecimal: c.haircut,
      equitySideImpact: c.equity_side_impact,
    };
  }
  const g = p.general;
  const margin: MarginRelation =
    p.rules.margin_relation === "mm_from_matrix"
      ? { kind: "mm_from_matrix", mmFactor: g.mm_factor ?? 0 }
      : { kind: "im_from_mm", imFactor: g.im_factor ?? 1 };
  const cont = p.rules.contingencies;
  return ok({
    info: { name: p.name, version: p.version, effective: p.effective },
    bucketsPerSide: g.buckets_count,
    extendedMoves: [...p.rules.extended_moves],
    pairs,
    currencies,
    rollShockGrowth: p.rules.roll_shock.growth,
    margin,
    contingencies: {
      ...(cont?.naked_short_option_coin !== undefined ? { nakedShortOptionCoin: cont.naked_short_option_coin } : {}),
      ...(cont?.futures !== undefined ? { futures: { rateDecimal: cont.futures.rate, basis: cont.futures.basis } } : {}),
    },
  });
}

function crossFieldIssues(p: RawParams): Issue[] {
  const out: Issue[] = [];
  const bad = (path: string, message: string): void => {
    out.push(issue("invalid_parameter_set", path, message));
  };
  if (p.rules.margin_relation === "mm_from_matrix" && p.general.mm_factor === undefined)
    bad("general.mm_factor", "required when rules.margin_relation is mm_from_matrix");
  if (p.rules.margin_relation === "im_from_mm" && p.general.im_factor === undefined)
    bad("general.im_factor", "required when rules.margin_relation is im_from_mm");
  for (const [settlement, block] of Object.entries(p.rules.settlement_currency_block)) {
    if (p.currency[block] === undefined)
      bad(joinPath("rules", "settlement_currency_block", settlement), `no currency block ${JSON.stringify(block)}`);
  }
  for (const [key, c] of Object.entries(p.currency)) {
    // Deribit's correlation contingency formula is not published (deribit-pm.md §2.7): refuse rather than guess.
    if (c.correlation_set) bad(joinPath("currency", key, "correlation_set"), "correlation contingency is not supported (formula unpublished); must be false");
  }
  for (const [key, c] of Object.entries(p.currency_pair)) {
    // The coin rescale (1 + m)/(1 + sign(m)·R) and the dampener need every tail move beyond the grid edge.
    for (const [i, m] of p.rules.extended_moves.entries()) {
      if (Math.abs(m) < c.price_range)
        bad(joinPath("rules", "extended_moves", i), `tail move ${m} lies inside the grid of ${key} (±${c.price_range})`);
    }
  }
  return out;
}
