/**
 * Parameter set of the Derive PMRM_2 preset ("Portfolio Margin Risk Manager" v2), as data: a zod schema, its type, and
 * a parser that turns a bad set into `invalid_parameter_set` issues with paths. Field names follow
 * /work/shared/reference/derive-pmrm2.md §3 with units added (`...Decimal` = plain fraction, `...Days` = days).
 * @module
 */
import { z } from "zod";
import { fail, issue, joinPath, ok, type Issue, type Result } from "../../errors.js";

const finite = z.number().finite();
const nonNegative = finite.min(0);
const positive = finite.gt(0);
const unitInterval = finite.min(0).max(1);

/** One stress scenario: multiplicative spot shock s, vol direction, and dampening weight w (P&L × w). */
const scenarioSchema = z.strictObject({
  /** s in F' = F_fixed + F_var × s; 1.18 = spot +18 %. */
  spotMultiplier: positive,
  vol: z.enum(["down", "unchanged", "up"]),
  /** Weight on the scenario P&L (1 for regular scenarios, < 1 for tails). */
  dampeningDecimal: nonNegative,
  /** Reported as an extended/tail scenario. */
  tail: z.boolean(),
});

/** Collateral accepted by one underlying's manager (a wrapped ERC20 with its own spot feed). */
const collateralSchema = z
  .strictObject({
    /** Shocked with the underlying's spot move (e.g. ETH in the ETH manager); otherwise covered by haircuts only. */
    riskCancelling: z.boolean(),
    mmHaircutDecimal: unitInterval,
    imHaircutDecimal: unitInterval,
  })
  .refine((c) => c.mmHaircutDecimal + c.imHaircutDecimal <= 1, {
    message: "imHaircutDecimal + mmHaircutDecimal must be <= 1 (Derive's own constraint)",
    path: ["imHaircutDecimal"],
  });

/** The zod schema of a Derive PMRM_2 parameter set (one JSON file under presets/). */
export const derivePmrm2ParamsSchema = z.strictObject({
  $comment: z.string().optional(),
  model: z.literal("derive-pmrm2"),
  name: z.string().min(1),
  version: z.string().min(1),
  effective: z.iso.date(),
  source: z.string().min(1),
  caveats: z.array(z.string()).optional(),
  margin: z.strictObject({
    imFactor: nonNegative,
    mmFactor: nonNegative,
  }),
  staticDiscount: z.strictObject({
    longBaseDecimal: nonNegative,
    longRateMultScale: finite,
    longRateAddScale: finite,
    shortBaseDecimal: nonNegative,
    shortRateMultScale: finite,
    shortRateAddScale: finite,
  }),
  volShock: z.strictObject({
    volRangeUpDecimal: nonNegative,
    volRangeDownDecimal: nonNegative,
    shortTermPower: finite,
    longTermPower: finite,
    /** Time to expiry is floored at this many days in the multiplier (30 d / max(T, floor))^p. */
    dteFloorDays: positive,
    /** Shocked-up vol is at least this (decimal). */
    minVolUpShockDecimal: nonNegative,
  }),
  basis: z.strictObject({
    spotUpMultiplier: positive,
    spotDownMultiplier: positive,
    addFactor: nonNegative,
    multFactorPerYear: nonNegative,
  }),
  peg: z.strictObject({
    lossThresholdUsd: nonNegative,
    lossFactor: nonNegative,
  }),
  oracle: z.strictObject({
    confThresholdDecimal: unitInterval,
    confMarginDecimal: nonNegative,
  }),
  perp: z.strictObject({
    mmFractionOfSpot: nonNegative,
    imFractionOfSpot: nonNegative,
  }),
  option: z.strictObject({
    mmNakedShortFractionOfSpot: nonNegative,
    imNakedShortFractionOfSpot: nonNegative,
  }),
  skew: z.strictObject({
    baseCap: finite,
    cBase: finite,
    minKStar: positive,
    widthScale: finite,
    volParamStatic: finite,
    volParamScale: finite,
  }),
  scenarios: z.array(scenarioSchema).min(1),
  /** Per underlying (`ETH`), per collateral currency (`ETH`, `WSTETH`): how the manager treats it. */
  collaterals: z.record(z.string().min(1), z.record(z.string().min(1), collateralSchema)),
});

export type DerivePmrm2Params = z.infer<typeof derivePmrm2ParamsSchema>;
export type DeriveScenarioParams = DerivePmrm2Params["scenarios"][number];
export type DeriveCollateralParams = DerivePmrm2Params["collaterals"][string][string];

/**
 * Validate a parameter set (parsed JSON). Every problem becomes an `invalid_parameter_set` issue whose path is the
 * field's path inside the set (e.g. `volShock.dteFloorDays`, `scenarios[3].spotMultiplier`).
 */
export function parseDerivePmrm2Params(input: unknown): Result<DerivePmrm2Params> {
  const parsed = derivePmrm2ParamsSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const issues: Issue[] = parsed.error.issues.map((i) =>
    issue(
      "invalid_parameter_set",
      joinPath(...i.path.map((p) => (typeof p === "number" ? p : String(p)))),
      i.message,
    ),
  );
  return fail(...issues);
}
