/**
 * Parameter set of the OKX portfolio-margin model (presets/okx.json): a zod schema, the validated type with units in
 * the names, and look-ups by underlying. Every block carries its source or an `inferred` note saying what pins it.
 * @module
 */
import { z } from "zod";
import { fail, issue, joinPath, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import type { ChargeTier } from "../addons/concentration.js";
import type { ParameterSetInfo } from "../types.js";

const finite = z.number().finite();
const nonNegative = finite.min(0);
const fraction = finite.min(0).max(1);
const code = z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/, "expected an upper-case currency code");
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected an ISO date YYYY-MM-DD");
const note = z.string().min(1);
const underlyings = z.array(code).min(1);
/** Relative moves, ascending, each in (0, 1). */
const moves = z
  .array(finite.gt(0).lt(1))
  .min(1)
  .max(20)
  .refine((m) => m.every((x, i) => i === 0 || x > (m[i - 1] as number)), "moves must be strictly increasing");
/** Tier starts: the first at 0, increasing. */
const ascendingFromZero = (t: readonly { aboveUsd: number }[]): boolean => t[0]?.aboveUsd === 0 && t.every((x, i) => i === 0 || x.aboveUsd > (t[i - 1]?.aboveUsd ?? 0));
const TIER_MESSAGE = "tiers start at aboveUsd 0 and increase";
const multiplierTiers = z.array(z.strictObject({ aboveUsd: nonNegative, multiplier: finite.min(1) })).min(1).refine(ascendingFromZero, TIER_MESSAGE);
const rateTiers = z.array(z.strictObject({ aboveUsd: nonNegative, rateDecimal: fraction })).min(1).refine(ascendingFromZero, TIER_MESSAGE);

export const okxParamsSchema = z.strictObject({
  $comment: z.string().optional(),
  model: z.literal("okx"),
  name: z.string().min(1),
  version: z.string().min(1),
  effective: isoDate,
  source: note,
  riskUnit: z.strictObject({ by: z.literal("underlying"), spotInRiskUnit: z.boolean(), source: note }),
  mr1: z.strictObject({
    groups: z.array(z.strictObject({ underlyings, spotMovesDecimal: moves })),
    default: z.strictObject({ spotMovesDecimal: moves }),
    volShock: z.strictObject({
      table: z
        .array(z.strictObject({ dteDays: nonNegative, upPoints: nonNegative.max(500), downPoints: nonNegative.max(500) }))
        .min(1)
        .refine((t) => t.every((x, i) => i === 0 || x.dteDays > (t[i - 1]?.dteDays ?? 0)), "dteDays must increase"),
      minVolDecimal: fraction,
      inferred: note,
    }),
    source: note,
  }),
  mr2: z.strictObject({ horizonDays: nonNegative.max(30), inferred: note }),
  mr3: z.strictObject({ spanVolPoints: nonNegative.max(100), inferred: note }),
  mr4: z.strictObject({
    floorGroups: z.array(z.strictObject({ underlyings, minRateDecimal: fraction })),
    defaultMinRateDecimal: fraction,
    annualisedGroups: z.array(z.strictObject({ underlyings, annualisedMoveRiskDecimal: fraction })),
    defaultAnnualisedMoveRiskDecimal: fraction,
    inferred: note,
  }),
  mr5: z.strictObject({ rateShockDecimal: fraction, inferred: note }),
  mr6: z.strictObject({
    groups: z.array(z.strictObject({ underlyings, moveDecimal: finite.gt(0).lt(1) })),
    default: z.strictObject({ moveDecimal: finite.gt(0).lt(1) }),
    lossFactor: fraction,
    source: note,
  }),
  mr7: z.strictObject({
    groups: z.array(z.strictObject({ underlyings, rateDecimal: fraction })),
    defaultRateDecimal: fraction,
    tiers: multiplierTiers,
    inferred: note,
  }),
  mr8: z.strictObject({ borrowMmrDecimal: fraction, borrowImrDecimal: fraction, inferred: note }),
  mr9: z.strictObject({
    pairs: z.array(z.enum(["USDT-USD", "USDT-USDC", "USDC-USD"])).min(1),
    bands: z
      .array(z.strictObject({ minIndex: fraction, tiers: rateTiers }))
      .min(1)
      .refine((b) => b.every((x, i) => i === 0 || x.minIndex < (b[i - 1]?.minIndex ?? 1)), "bands by decreasing minIndex")
      .refine((b) => b[b.length - 1]?.minIndex === 0, "the last band has minIndex 0"),
    inferred: note,
  }),
  imr: z.strictObject({ factor: finite.min(1), inferred: note }),
  collateral: z.strictObject({ discountRates: z.record(code, fraction), defaultDiscountRate: fraction, inferred: note }),
  marginRatio: z.strictObject({ liquidationCostRateOnBorrowDecimal: fraction, inferred: note }),
});

type Raw = z.infer<typeof okxParamsSchema>;


/** The OKX parameters of one underlying, resolved from the groups. */
export interface OkxUnitParams {
  /** MR1 spot moves, both signs and 0, ascending, decimals (−0.12 … 0.12). */
  readonly mr1MovesDecimal: readonly number[];
  readonly mr6MoveDecimal: number;
  readonly mr4MinRateDecimal: number;
  readonly mr4AnnualisedMoveRiskDecimal: number;
  readonly mr7RateDecimal: number;
}

/** A validated OKX parameter set. */
export interface OkxParams {
  readonly info: ParameterSetInfo;
  readonly spotInRiskUnit: boolean;
  /** The parameters of an underlying (upper-case code). */
  unit(base: string): OkxUnitParams;
  readonly volShock: { readonly table: readonly { dteDays: number; upDecimal: number; downDecimal: number }[]; readonly minVolDecimal: number };
  readonly mr2HorizonDays: number;
  readonly mr3SpanVolPoints: number;
  readonly mr5RateShockDecimal: number;
  readonly mr6LossFactor: number;
  /** Incremental multipliers on the raw MR7 (USD brackets). */
  readonly mr7Tiers: readonly ChargeTier[];
  readonly borrowMmrDecimal: number;
  readonly borrowImrDecimal: number;
  readonly mr9Pairs: readonly ("USDT-USD" | "USDT-USDC" | "USDC-USD")[];
  /** Per index band (highest `minIndex` first): incremental rates on the hedge size (`multiplier` = rate). */
  readonly mr9Bands: readonly { minIndex: number; tiers: readonly ChargeTier[] }[];
  readonly imrFactor: number;
  discountRate(currency: string): number;
  readonly liquidationCostRateOnBorrowDecimal: number;
  /** The raw preset (for `netrisk` outputs that show the sources). */
  readonly raw: Raw;
}

/** Tiers written as "from aboveUsd on" to brackets "up to the next tier's start" (the last without an end). */
function brackets(tiers: readonly (readonly [number, number])[]): ChargeTier[] {
  return tiers.map(([, value], i) => ({ upToUsd: tiers[i + 1]?.[0] ?? null, multiplier: value }));
}

function pick<G extends { underlyings: readonly string[] }>(groups: readonly G[], base: string): G | undefined {
  return groups.find((g) => g.underlyings.includes(base));
}

/** Validate a parsed OKX parameter set; problems are `invalid_parameter_set` issues with the path of the bad field. */
export function parseOkxParams(input: unknown): Result<OkxParams> {
  const parsed = okxParamsSchema.safeParse(input);
  if (!parsed.success) {
    return fail(
      ...parsed.error.issues.map((i): Issue => issue("invalid_parameter_set", joinPath(...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))), i.message)),
    );
  }
  const p = parsed.data;
  const issues: Issue[] = [];
  // An underlying in two groups of one component would make its parameters depend on the group order.
  for (const [name, groups] of [["mr1", p.mr1.groups], ["mr4.floorGroups", p.mr4.floorGroups], ["mr4.annualisedGroups", p.mr4.annualisedGroups], ["mr6", p.mr6.groups], ["mr7", p.mr7.groups]] as const) {
    const seen = new Set<string>();
    groups.forEach((g, i) =>
      g.underlyings.forEach((u, j) => {
        if (seen.has(u)) issues.push(issue("invalid_parameter_set", joinPath(...name.split("."), i, "underlyings", j), `${u} is in two groups`));
        seen.add(u);
      }),
    );
  }
  if (issues.length > 0) return fail(...issues);
  const memo = new Map<string, OkxUnitParams>();
  const unit = (base: string): OkxUnitParams => {
    const hit = memo.get(base);
    if (hit !== undefined) return hit;
    const up = (pick(p.mr1.groups, base) ?? p.mr1.default).spotMovesDecimal;
    const u: OkxUnitParams = {
      mr1MovesDecimal: [...up.map((m) => -m).reverse(), 0, ...up],
      mr6MoveDecimal: (pick(p.mr6.groups, base) ?? p.mr6.default).moveDecimal,
      mr4MinRateDecimal: pick(p.mr4.floorGroups, base)?.minRateDecimal ?? p.mr4.defaultMinRateDecimal,
      mr4AnnualisedMoveRiskDecimal: pick(p.mr4.annualisedGroups, base)?.annualisedMoveRiskDecimal ?? p.mr4.defaultAnnualisedMoveRiskDecimal,
      mr7RateDecimal: pick(p.mr7.groups, base)?.rateDecimal ?? p.mr7.defaultRateDecimal,
    };
    memo.set(base, u);
    return u;
  };
  return ok({
    info: { name: p.name, version: p.version, effective: p.effective },
    spotInRiskUnit: p.riskUnit.spotInRiskUnit,
    unit,
    volShock: { table: p.mr1.volShock.table.map((r) => ({ dteDays: r.dteDays, upDecimal: r.upPoints / 100, downDecimal: r.downPoints / 100 })), minVolDecimal: p.mr1.volShock.minVolDecimal },
    mr2HorizonDays: p.mr2.horizonDays,
    mr3SpanVolPoints: p.mr3.spanVolPoints,
    mr5RateShockDecimal: p.mr5.rateShockDecimal,
    mr6LossFactor: p.mr6.lossFactor,
    mr7Tiers: brackets(p.mr7.tiers.map((t) => [t.aboveUsd, t.multiplier])),
    borrowMmrDecimal: p.mr8.borrowMmrDecimal,
    borrowImrDecimal: p.mr8.borrowImrDecimal,
    mr9Pairs: p.mr9.pairs,
    mr9Bands: p.mr9.bands.map((b) => ({ minIndex: b.minIndex, tiers: brackets(b.tiers.map((t) => [t.aboveUsd, t.rateDecimal])) })),
    imrFactor: p.imr.factor,
    discountRate: (c) => p.collateral.discountRates[c] ?? p.collateral.defaultDiscountRate,
    liquidationCostRateOnBorrowDecimal: p.marginRatio.liquidationCostRateOnBorrowDecimal,
    raw: p,
  });
}
