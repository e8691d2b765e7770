/**
 * Parameter set of the statistical (`var`) margin model, as data (presets/var-default.json): confidence and horizon of
 * the expected shortfall, the vol convention of full revaluation, the stress floor, the liquidity and concentration
 * add-ons, and the IM/MM relation. Validated here (pure); reading the file is io/presets.ts' job. The `hybrid` model's
 * parameter set is the same plus the name of the risk-matrix preset it takes the maximum with.
 * @module
 */
import { z } from "zod";
import { fail, issue, joinPath, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import type { VolConvention } from "../../risk/revaluation.js";
import type { ConcentrationParams } from "../addons/concentration.js";
import type { LiquidityParams } from "../addons/liquidity.js";
import type { ParameterSetInfo } from "../types.js";
import { APC_TOOLS, DEFAULT_APC } from "./apc.js";
import type { AntiProcyclicalityParams } from "./apc.js";

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected an ISO date YYYY-MM-DD");
const finite = z.number().finite();
const nonNegative = finite.min(0);

const tiersSchema = z
  .array(z.looseObject({ upToUsd: finite.gt(0).nullable(), multiplier: nonNegative }))
  .min(1)
  .superRefine((tiers, ctx) => {
    tiers.forEach((t, i) => {
      const last = i === tiers.length - 1;
      if (last !== (t.upToUsd === null)) ctx.addIssue({ code: "custom", path: [i, "upToUsd"], message: "only the last tier has no end (null)" });
      const prev = i > 0 ? tiers[i - 1]?.upToUsd : 0;
      if (t.upToUsd !== null && prev !== null && prev !== undefined && !(t.upToUsd > prev)) ctx.addIssue({ code: "custom", path: [i, "upToUsd"], message: "tier ends must increase" });
    });
  });

const concentrationTiersSchema = z.looseObject({ rawRateDecimal: nonNegative.max(1), tiers: tiersSchema, source: z.string().min(1).optional() });

const statisticalFields = {
  name: z.string().min(1),
  version: z.string().min(1),
  effective: isoDate,
  /** Confidence α of VaR and ES, e.g. 0.99. */
  confidence: finite.gt(0).lt(1),
  /** Margin period of risk in days: the scenario set must have this horizon. */
  horizonDays: z.number().int().min(1).max(30),
  volConvention: z.enum(["sticky-strike", "sticky-moneyness"]),
  /** Revalue collateral balances in the scenarios too (OCC STANS style), instead of leaving them to haircuts. */
  collateralInScenarios: z.boolean(),
  /** IM = MM × this factor (≥ 1). */
  initialToMaintenanceFactor: finite.min(1),
  /** Market risk ≥ this factor × the worst named-stress loss (0 disables the floor). */
  stressFloorFactor: nonNegative,
  liquidity: z.looseObject({
    openInterestFraction: finite.gt(0).max(1),
    excessSlope: nonNegative,
    fallbackHalfSpreadDecimal: z.looseObject({ future: nonNegative.max(1), option: nonNegative.max(1) }),
  }),
  concentration: z.looseObject({
    default: concentrationTiersSchema,
    byBase: z.record(z.string().regex(/^[A-Z0-9]+$/, "expected an upper-case base currency code"), concentrationTiersSchema).optional(),
  }),
  report: z.looseObject({ worstCount: z.number().int().min(1).max(1000), histogramBins: z.number().int().min(1).max(1000) }),
  /** EMIR Art. 28 anti-procyclicality tools (apc.ts); optional: absent = no tool. */
  antiProcyclicality: z
    .looseObject({
      tools: z.array(z.enum(APC_TOOLS)).refine((t) => new Set(t).size === t.length, "a tool is listed twice"),
      bufferDecimal: finite.gt(0).max(10),
      bufferRebuildDays: z.number().int().min(1).max(3650),
      stressedWeightDecimal: finite.gt(0).lt(1),
      stressedPeriodDays: z.number().int().min(30).max(3650),
      lookbackFloorYears: z.number().int().min(1).max(50),
    })
    .optional(),
};

const varSchema = z.looseObject({ model: z.literal("var"), ...statisticalFields });
const hybridSchema = z.looseObject({ model: z.literal("hybrid"), riskMatrixPreset: z.string().regex(/^[a-z0-9][a-z0-9._-]{0,99}$/), ...statisticalFields });

/** A validated `var` parameter set. */
export interface VarParams {
  readonly info: ParameterSetInfo;
  readonly confidence: number;
  readonly horizonDays: number;
  readonly volConvention: VolConvention;
  readonly collateralInScenarios: boolean;
  readonly initialToMaintenanceFactor: number;
  readonly stressFloorFactor: number;
  readonly liquidity: LiquidityParams;
  readonly concentration: ConcentrationParams;
  readonly worstCount: number;
  readonly histogramBins: number;
  readonly antiProcyclicality: AntiProcyclicalityParams;
}

/** A validated `hybrid` parameter set: the statistical part and the risk-matrix preset to compare with. */
export interface HybridParams extends VarParams {
  /** Preset name (presets/<name>.json) of the risk-matrix parameter set, resolved by the io layer. */
  readonly riskMatrixPreset: string;
}

/** The fields `var` and `hybrid` share (a type only: each parser validates its own schema). */
type Common = z.infer<ReturnType<typeof z.looseObject<typeof statisticalFields>>>;

function zodFail<T>(issues: readonly z.core.$ZodIssue[]): Result<T> {
  return fail(...issues.map((i): Issue => issue("invalid_parameter_set", joinPath(...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))), i.message)));
}

function toParams(p: Common): VarParams {
  const tiers = (t: z.infer<typeof concentrationTiersSchema>) => ({ rawRateDecimal: t.rawRateDecimal, tiers: t.tiers.map((x) => ({ upToUsd: x.upToUsd, multiplier: x.multiplier })) });
  return {
    info: { name: p.name, version: p.version, effective: p.effective },
    confidence: p.confidence,
    horizonDays: p.horizonDays,
    volConvention: p.volConvention,
    collateralInScenarios: p.collateralInScenarios,
    initialToMaintenanceFactor: p.initialToMaintenanceFactor,
    stressFloorFactor: p.stressFloorFactor,
    liquidity: {
      openInterestFraction: p.liquidity.openInterestFraction,
      excessSlope: p.liquidity.excessSlope,
      fallbackHalfSpreadDecimal: { future: p.liquidity.fallbackHalfSpreadDecimal.future, option: p.liquidity.fallbackHalfSpreadDecimal.option },
    },
    concentration: {
      default: tiers(p.concentration.default),
      byBase: Object.fromEntries(Object.entries(p.concentration.byBase ?? {}).map(([b, t]) => [b, tiers(t)])),
    },
    worstCount: p.report.worstCount,
    histogramBins: p.report.histogramBins,
    antiProcyclicality: p.antiProcyclicality === undefined ? DEFAULT_APC : {
      tools: [...p.antiProcyclicality.tools],
      bufferDecimal: p.antiProcyclicality.bufferDecimal,
      bufferRebuildDays: p.antiProcyclicality.bufferRebuildDays,
      stressedWeightDecimal: p.antiProcyclicality.stressedWeightDecimal,
      stressedPeriodDays: p.antiProcyclicality.stressedPeriodDays,
      lookbackFloorYears: p.antiProcyclicality.lookbackFloorYears,
    },
  };
}

/** Validate a parsed `var` parameter set; issues are `invalid_parameter_set` with the path of the bad field. */
export function parseVarParams(input: unknown): Result<VarParams> {
  const r = varSchema.safeParse(input);
  return r.success ? ok(toParams(r.data)) : zodFail(r.error.issues);
}

/** Validate a parsed `hybrid` parameter set (the `var` fields plus `riskMatrixPreset`). */
export function parseHybridParams(input: unknown): Result<HybridParams> {
  const r = hybridSchema.safeParse(input);
  return r.success ? ok({ ...toParams(r.data), riskMatrixPreset: r.data.riskMatrixPreset }) : zodFail(r.error.issues);
}
