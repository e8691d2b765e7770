/**
 * Parameter set of the crypto SPAN model (`span`), as data: a zod schema for the versioned JSON file
 * (presets/span-crypto.json, written by scripts/calibrate-span.py), the validated type with units in the names, and
 * a parser that turns a bad set into `invalid_parameter_set` issues with paths.
 *
 * Units: scan ranges are decimals of the price (0.168 = a 16.8 % move) and of the implied vol (relative: σ × (1 ± VSR));
 * spread charges and the delivery charge are decimals of USD delta (the crypto model's delta unit is USD of delta:
 * coin delta × index price); the short option minimum is a fraction of one coin's outright scan (PSR × index).
 * @module
 */
import { z } from "zod";
import { fail, issue, joinPath, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import type { ParameterSetInfo } from "../types.js";
import type { NovMode, SomMethod, WprMethod } from "./core.js";
import { spanScenarios } from "./scenarios.js";
import type { ExtremeScenarioParams, SpanScenario } from "./scenarios.js";

const finite = z.number().finite();
const nonNegative = finite.min(0);
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected an ISO date YYYY-MM-DD");
const tierId = z.string().regex(/^[A-Za-z0-9_]{1,16}$/, "expected a short tier id (letters, digits, _)");
const ccCode = z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/, "expected an upper-case base currency code");
/** Free-form provenance of calibrated numbers (sample, window, quantile, script): reported, not used. */
const calibration = z.record(z.string(), z.unknown()).optional();

const commoditySchema = z.strictObject({
  /** PSR as a decimal of the price, in (0, 1). */
  price_scan_range: finite.gt(0).lt(1),
  /** VSR as a relative vol move, in [0, 1): vols move to σ × (1 ± VSR). */
  vol_scan_range: finite.min(0).lt(1),
  som: z.strictObject({
    method: z.enum(["gross", "max_side"]),
    /** SOM per short option coin = fraction × PSR × index price. */
    fraction_of_outright: nonNegative,
  }),
  /** Calendar spreads in priority order: leg 0 is side A, leg 1 side B; charge per USD of delta per spread. */
  intra_spreads: z.array(
    z.strictObject({
      legs: z.tuple([z.strictObject({ tier: tierId, ratio: finite.gt(0) }), z.strictObject({ tier: tierId, ratio: finite.gt(0) })]),
      charge_decimal: nonNegative,
    }),
  ),
  delivery: z.strictObject({ spread_charge_decimal: nonNegative, outright_charge_decimal: nonNegative }),
  calibration,
});

/** The zod schema of a crypto SPAN parameter set. */
export const spanParamsSchema = z.strictObject({
  $comment: z.string().optional(),
  model: z.literal("span"),
  name: z.string().min(1),
  version: z.string().min(1),
  effective: isoDate,
  source: z.string().min(1),
  calibration,
  scenarios: z.strictObject({ extreme_multiplier: finite.gt(0), extreme_cover_fraction: finite.min(0).max(1) }),
  /** Time decay of the arrays: options are revalued this many days closer to expiry (CME: one trading day). */
  look_ahead_days: finite.min(0).max(30),
  /** Composite delta = Σ weight × delta at F × (1 + price_fraction × PSR); weights ≥ 0 summing to 1. */
  composite_delta_points: z.array(z.strictObject({ price_fraction: finite.min(-1).max(1), weight: nonNegative })).min(1),
  /** IM = ratio × MM; MM is the SPAN requirement (CME: maintenance; initial = 110 % for speculators). */
  initial_to_maintenance: finite.min(1),
  net_option_value: z.enum(["deduct", "report"]),
  wpr_method: z.enum(["normal", "scan_range", "scan_range_cap"]),
  /** Tenor tiers in increasing order of `max_days` (exclusive bound); the last one has `max_days: null`. */
  tiers: z.array(z.strictObject({ id: tierId, max_days: finite.gt(0).nullable() })).min(1),
  perpetual_tier: tierId,
  delivery_tiers: z.array(tierId),
  commodities: z.record(ccCode, commoditySchema),
  /** Inter-commodity spreads in priority order: leg 0 side A, leg 1 side B; ratios in USD of delta. */
  inter_spreads: z.array(
    z.strictObject({
      legs: z.tuple([z.strictObject({ commodity: ccCode, ratio: finite.gt(0) }), z.strictObject({ commodity: ccCode, ratio: finite.gt(0) })]),
      credit_rate: finite.min(0).max(1),
      calibration,
    }),
  ),
});

export interface SpanTier {
  readonly id: string;
  /** Exclusive upper bound on days to expiry, or null for the last tier. */
  readonly maxDays: number | null;
}

export interface SpanCryptoCommodity {
  readonly priceScanRangeDecimal: number;
  readonly volScanRangeDecimal: number;
  readonly som: { readonly method: SomMethod; readonly fractionOfOutright: number };
  readonly intraSpreads: readonly { readonly legs: readonly { readonly tier: string; readonly ratio: number }[]; readonly chargeDecimal: number }[];
  readonly delivery: { readonly spreadChargeDecimal: number; readonly outrightChargeDecimal: number };
}

/** A validated crypto SPAN parameter set. */
export interface SpanParams {
  readonly info: ParameterSetInfo;
  readonly extreme: ExtremeScenarioParams;
  /** The 16 scenarios built from `extreme`. */
  readonly scenarios: readonly SpanScenario[];
  readonly lookAheadDays: number;
  readonly compositeDeltaPoints: readonly { readonly priceFraction: number; readonly weight: number }[];
  readonly initialToMaintenance: number;
  readonly novMode: NovMode;
  readonly wprMethod: WprMethod;
  readonly tiers: readonly SpanTier[];
  readonly perpetualTier: string;
  readonly deliveryTiers: readonly string[];
  /** Per base currency (`BTC`); a base without an entry is unsupported. */
  readonly commodities: Readonly<Record<string, SpanCryptoCommodity>>;
  readonly interSpreads: readonly { readonly legs: readonly { readonly commodity: string; readonly ratio: number }[]; readonly creditRate: number }[];
}

type Raw = z.infer<typeof spanParamsSchema>;

function crossFieldIssues(p: Raw): Issue[] {
  const out: Issue[] = [];
  const bad = (path: string, message: string): void => void out.push(issue("invalid_parameter_set", path, message));
  const ids = new Set<string>();
  p.tiers.forEach((t, i) => {
    if (ids.has(t.id)) bad(joinPath("tiers", i, "id"), `duplicate tier ${t.id}`);
    ids.add(t.id);
    const last = i === p.tiers.length - 1;
    if (last !== (t.max_days === null)) bad(joinPath("tiers", i, "max_days"), last ? "the last tier must have max_days null" : "only the last tier may have max_days null");
    const prev = p.tiers[i - 1]?.max_days;
    if (i > 0 && t.max_days !== null && prev !== null && prev !== undefined && t.max_days <= prev) bad(joinPath("tiers", i, "max_days"), "must increase from tier to tier");
  });
  if (!ids.has(p.perpetual_tier)) bad("perpetual_tier", `unknown tier ${p.perpetual_tier}`);
  p.delivery_tiers.forEach((t, i) => {
    if (!ids.has(t)) bad(joinPath("delivery_tiers", i), `unknown tier ${t}`);
  });
  const weightSum = p.composite_delta_points.reduce((s, x) => s + x.weight, 0);
  if (Math.abs(weightSum - 1) > 1e-9) bad("composite_delta_points", `weights must sum to 1 (they sum to ${weightSum})`);
  for (const [cc, c] of Object.entries(p.commodities)) {
    // Every shocked forward must stay positive: the extreme move is the largest.
    if (p.scenarios.extreme_multiplier * c.price_scan_range >= 1)
      bad(joinPath("commodities", cc, "price_scan_range"), `extreme move ${p.scenarios.extreme_multiplier} × ${c.price_scan_range} must be below 100 %`);
    c.intra_spreads.forEach((s, i) => {
      s.legs.forEach((l, k) => {
        if (!ids.has(l.tier)) bad(joinPath("commodities", cc, "intra_spreads", i, "legs", k, "tier"), `unknown tier ${l.tier}`);
      });
      if (s.legs[0].tier === s.legs[1].tier) bad(joinPath("commodities", cc, "intra_spreads", i, "legs"), "the two legs must be different tiers");
    });
  }
  p.inter_spreads.forEach((s, i) => {
    s.legs.forEach((l, k) => {
      if (p.commodities[l.commodity] === undefined) bad(joinPath("inter_spreads", i, "legs", k, "commodity"), `unknown commodity ${l.commodity}`);
    });
    if (s.legs[0].commodity === s.legs[1].commodity) bad(joinPath("inter_spreads", i, "legs"), "the two legs must be different commodities");
  });
  return out;
}

/**
 * Validate a parsed crypto SPAN parameter set (the JSON object of a preset). Every problem is an
 * `invalid_parameter_set` issue with the path of the bad field, cross-field rules included (tier order and ids,
 * legs naming known tiers and commodities, composite-delta weights summing to 1, extreme moves below 100 %).
 */
export function parseSpanParams(input: unknown): Result<SpanParams> {
  const parsed = spanParamsSchema.safeParse(input);
  if (!parsed.success) {
    return fail(
      ...parsed.error.issues.map((i): Issue => issue("invalid_parameter_set", joinPath(...i.path.map((x) => (typeof x === "symbol" ? String(x) : x))), i.message)),
    );
  }
  const p = parsed.data;
  const problems = crossFieldIssues(p);
  if (problems.length > 0) return fail(...problems);
  const extreme = { multiplier: p.scenarios.extreme_multiplier, coverFraction: p.scenarios.extreme_cover_fraction };
  const commodities: Record<string, SpanCryptoCommodity> = {};
  for (const [cc, c] of Object.entries(p.commodities)) {
    commodities[cc] = {
      priceScanRangeDecimal: c.price_scan_range,
      volScanRangeDecimal: c.vol_scan_range,
      som: { method: c.som.method, fractionOfOutright: c.som.fraction_of_outright },
      intraSpreads: c.intra_spreads.map((s) => ({ legs: s.legs.map((l) => ({ tier: l.tier, ratio: l.ratio })), chargeDecimal: s.charge_decimal })),
      delivery: { spreadChargeDecimal: c.delivery.spread_charge_decimal, outrightChargeDecimal: c.delivery.outright_charge_decimal },
    };
  }
  return ok({
    info: { name: p.name, version: p.version, effective: p.effective },
    extreme,
    scenarios: spanScenarios(extreme),
    lookAheadDays: p.look_ahead_days,
    compositeDeltaPoints: p.composite_delta_points.map((x) => ({ priceFraction: x.price_fraction, weight: x.weight })),
    initialToMaintenance: p.initial_to_maintenance,
    novMode: p.net_option_value,
    wprMethod: p.wpr_method,
    tiers: p.tiers.map((t) => ({ id: t.id, maxDays: t.max_days })),
    perpetualTier: p.perpetual_tier,
    deliveryTiers: [...p.delivery_tiers],
    commodities,
    interSpreads: p.inter_spreads.map((s) => ({ legs: s.legs.map((l) => ({ commodity: l.commodity, ratio: l.ratio })), creditRate: s.credit_rate })),
  });
}
