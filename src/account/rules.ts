/**
 * The account rules: everything the account layer adds on top of a margin model — collateral haircuts, borrow
 * margin, stablecoin de-peg charges, margin tiers, health thresholds, and the liquidation / slippage / fee settings
 * of the planners. Data, validated by a zod schema; defaults below with their sources. An account file changes them
 * with `overrides.account` (a JSON Merge Patch, see merge-patch.ts), then the result is validated as a whole.
 * Methodology: docs/methodology.md "Accounts, health and liquidation".
 * @module
 */
import { z } from "zod";
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";

const finite = z.number().finite();
const fraction = finite.min(0).max(1);
const currencyCode = z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/, "expected an upper-case currency code");

/** How one collateral currency is counted. All decimals are fractions of the balance's USD value. */
const collateralRuleSchema = z
  .strictObject({
    /** Haircut of a positive balance charged to IM (0.1 = the balance counts 90 % towards IM). */
    imHaircutDecimal: fraction,
    /** Haircut of a positive balance charged to MM; ≤ imHaircutDecimal. */
    mmHaircutDecimal: fraction,
    /** Borrow margin of a negative balance charged to IM (OKX MR8 idea). */
    borrowImDecimal: fraction,
    /** Borrow margin of a negative balance charged to MM; ≤ borrowImDecimal. */
    borrowMmDecimal: fraction,
  })
  .refine((c) => c.mmHaircutDecimal <= c.imHaircutDecimal, { message: "mmHaircutDecimal must not exceed imHaircutDecimal", path: ["mmHaircutDecimal"] })
  .refine((c) => c.borrowMmDecimal <= c.borrowImDecimal, { message: "borrowMmDecimal must not exceed borrowImDecimal", path: ["borrowMmDecimal"] });

/** De-peg charge of a USD stablecoin (Derive's peg-loss rule). */
const pegRuleSchema = z.strictObject({
  /** Below this USD price the charge applies (Derive test set 0.98). */
  thresholdUsd: finite.gt(0).max(2),
  /** Charge rate = (threshold − price) × lossFactor (Derive test set 2.0). */
  lossFactor: finite.min(0).max(1000),
});

const tierSchema = z.strictObject({
  /** Margin (USD) above which this tier's multiplier applies, incrementally; the first tier starts at 0. */
  aboveUsd: finite.min(0),
  /** Multiplier of the margin inside this tier, ≥ 1 (OKX MR7: 1, 2, 4, ...). */
  multiplier: finite.min(1).max(1000),
});

/** The zod schema of a complete set of account rules (the JSON form of {@link AccountRules}). */
export const accountRulesSchema = z
  .strictObject({
    collateral: z.strictObject({
      /** Rule of any currency not listed in `byCurrency`. */
      default: collateralRuleSchema,
      byCurrency: z.record(currencyCode, collateralRuleSchema),
    }),
    /** USD stablecoins with a de-peg charge, by currency code. */
    pegs: z.record(currencyCode, pegRuleSchema),
    health: z
      .strictObject({
        /** Maintenance ratio (MM / equity) at which an account enters `warning`. */
        warningRatio: finite.gt(0),
        /** ... enters `margin_call`. */
        marginCallRatio: finite.gt(0),
        /** ... enters `liquidation` (1 = MM ≥ equity). */
        liquidationRatio: finite.gt(0).max(1),
      })
      .refine((h) => h.warningRatio <= h.marginCallRatio && h.marginCallRatio <= h.liquidationRatio, {
        message: "thresholds must satisfy warningRatio ≤ marginCallRatio ≤ liquidationRatio",
        path: ["warningRatio"],
      }),
    /** Incremental margin tiers per bucket (empty: the model's margin as is). */
    marginTiers: z
      .array(tierSchema)
      .max(50)
      .refine((t) => t.length === 0 || t[0]?.aboveUsd === 0, { message: "the first tier must start at aboveUsd 0" })
      .refine((t) => t.every((x, i) => i === 0 || x.aboveUsd > (t[i - 1]?.aboveUsd ?? 0)), { message: "aboveUsd must increase strictly" }),
    /**
     * Risk-matrix models: a coin balance whose currency block says `equity_side_impact: "both"` enters the coin's own
     * bucket as a spot exposure (and gets no haircut). false: every balance is plain collateral with its haircut.
     */
    coinCollateralOffset: z.boolean(),
    slippage: z.strictObject({
      /** Use the snapshot's bid/ask (half the spread) when quoted. */
      useQuotedSpread: z.boolean(),
      /** Otherwise half-spread = this × the underlying's price (per coin), e.g. 0.0005 = 5 bp. */
      defaultDecimalOfUnderlying: finite.min(0).max(0.5),
      /** Collateral conversions (repaying a borrow) pay this fraction of the converted value. */
      conversionDecimal: finite.min(0).max(0.5),
    }),
    liquidation: z.strictObject({
      /** Target maintenance ratio of a plan; omitted = the warning threshold (the plan leaves the account healthy). */
      targetRatio: finite.gt(0).max(1).optional(),
      /** Step size as a fraction of the position's size when the plan started (Paradex: 20 % steps). */
      stepFraction: finite.gt(0).max(1),
      /** Liquidation fee rate on the USD notional of each step (before the cap). */
      feeRateDecimal: finite.min(0).max(1),
      /** Share of the equity in excess of the target (MM/target) that a fee may take; < 1 keeps the ratio below it. */
      feeCapFraction: finite.min(0).lt(1),
      /** Safety stop: at most this many steps. */
      maxSteps: z.number().int().min(1).max(10_000),
    }),
    /** Trading fee rate on the USD notional of a hedge (cost of `suggestHedges`). */
    tradingFeeRateDecimal: finite.min(0).max(0.1),
    /**
     * Periodic settlement of futures and perpetual P&L into the balance (account/fills.ts `settlePnl`): every
     * `periodHours` from `anchorUtcHour` UTC; periodHours 0 = never (P&L stays unrealised until a fill closes it).
     */
    pnlSettlement: z.strictObject({ periodHours: finite.min(0).max(24 * 366), anchorUtcHour: z.number().int().min(0).max(23) }),
    /** Perpetual funding is applied every `intervalHours` (account/fills.ts `applyFunding`, with the venue's rate). */
    funding: z.strictObject({ intervalHours: finite.gt(0).max(24 * 366) }),
    /** Fills priced further than this fraction from the mark are stored with a `price_far_from_mark` warning. */
    fills: z.strictObject({ priceBandDecimal: finite.gt(0).max(100) }),
    /**
     * Hypothetical trades (what-if, max order, hedge, liquidation steps) must be priced within this fraction of one
     * coin of the underlying from the mark (account/trades.ts `priceBandIssue`); overridable per call. Optional so a
     * complete rule set written before it still parses ({@link DEFAULT_TRADE_PRICE_BAND} then).
     */
    trades: z.strictObject({ priceBandDecimalOfUnderlying: finite.gt(0).max(10) }).optional(),
  })
  .meta({ title: "netrisk account rules", description: "Collateral haircuts, de-peg charges, margin tiers, health thresholds and liquidation settings of an account." });

export type AccountRulesJson = z.infer<typeof accountRulesSchema>;

export interface CollateralRule {
  readonly imHaircutDecimal: number;
  readonly mmHaircutDecimal: number;
  readonly borrowImDecimal: number;
  readonly borrowMmDecimal: number;
}

export interface PegRule {
  readonly thresholdUsd: number;
  readonly lossFactor: number;
}

export interface HealthThresholds {
  readonly warningRatio: number;
  readonly marginCallRatio: number;
  readonly liquidationRatio: number;
}

export interface MarginTier {
  readonly aboveUsd: number;
  readonly multiplier: number;
}

/** Validated account rules (see {@link accountRulesSchema} for each field's meaning). */
export interface AccountRules {
  readonly collateral: { readonly default: CollateralRule; readonly byCurrency: Readonly<Record<string, CollateralRule>> };
  readonly pegs: Readonly<Record<string, PegRule>>;
  readonly health: HealthThresholds;
  readonly marginTiers: readonly MarginTier[];
  readonly coinCollateralOffset: boolean;
  readonly slippage: { readonly useQuotedSpread: boolean; readonly defaultDecimalOfUnderlying: number; readonly conversionDecimal: number };
  readonly liquidation: {
    readonly targetRatio?: number;
    readonly stepFraction: number;
    readonly feeRateDecimal: number;
    readonly feeCapFraction: number;
    readonly maxSteps: number;
  };
  readonly tradingFeeRateDecimal: number;
  readonly pnlSettlement: { readonly periodHours: number; readonly anchorUtcHour: number };
  readonly funding: { readonly intervalHours: number };
  readonly fills: { readonly priceBandDecimal: number };
  readonly trades?: { readonly priceBandDecimalOfUnderlying: number };
}

/** Default band of hypothetical trade prices: ±25 % of one coin of the underlying around the mark (our choice). */
export const DEFAULT_TRADE_PRICE_BAND = 0.25;

/** The band of hypothetical trade prices in force: the call's, else the rules', else the default. */
export function tradePriceBandOf(rules: AccountRules | undefined, given?: number): number {
  return given ?? rules?.trades?.priceBandDecimalOfUnderlying ?? DEFAULT_TRADE_PRICE_BAND;
}

/**
 * Default rules. Sources (../shared/reference/crypto-venues.md):
 * - IM haircuts from Aevo's cross-margin collateral ratios (USDC 100 %, USDT 99 %, ETH 90 %, WBTC 90 %, §7); MM
 *   haircuts are half of them (our choice: Derive splits IM and MM haircuts too, §8 / derive-pmrm2.md §2.9).
 *   Unlisted currencies: 25 % / 12.5 % (our conservative choice).
 * - Borrow margin 10 % IM / 2 % MM of the borrowed value: OKX MR8, inferred from its API example (§1.5: borrowImr
 *   7855.3219 and borrowMmr 1571.0644 on 78,553.22 USDT borrowed).
 * - De-peg: threshold 0.98 USD and factor 2.0, Derive's v2-core test set (derive-pmrm2.md §3).
 * - Health: Binance PM's uniMMR thresholds expressed as MM / equity: margin-call reminder below 150 % → 1/1.5,
 *   reduce-only below 120 % → 1/1.2 (§2); liquidation when MM ≥ equity (the issue's definition).
 * - Liquidation steps of 20 % (Paradex, §6); fee 0.75 % of notional (the BTC liquidation fee recorded in
 *   deribit-pm.md §3.2, undated there), capped at half the equity in excess of the target.
 * - Slippage 5 bp of the underlying per coin when the snapshot has no bid/ask (our choice); conversions 0.1 %.
 * - P&L settlement daily at 08:00 UTC (Deribit's daily settlement of futures and perpetuals, deribit-pm.md §2.10's
 *   settlement time); funding every 8 hours (the interval of OKX, Binance and Bybit perpetuals, wave2.md §1; Deribit
 *   accrues continuously and settles with the P&L). Fill warning band ±10 % of the mark (our choice); hypothetical
 *   trades refused beyond ±25 % of the underlying from the mark (our choice: no limit order a venue accepts is further).
 */
export const DEFAULT_ACCOUNT_RULES: AccountRulesJson = {
  collateral: {
    default: { imHaircutDecimal: 0.25, mmHaircutDecimal: 0.125, borrowImDecimal: 0.1, borrowMmDecimal: 0.02 },
    byCurrency: {
      USD: { imHaircutDecimal: 0, mmHaircutDecimal: 0, borrowImDecimal: 0.1, borrowMmDecimal: 0.02 },
      USDC: { imHaircutDecimal: 0, mmHaircutDecimal: 0, borrowImDecimal: 0.1, borrowMmDecimal: 0.02 },
      USDT: { imHaircutDecimal: 0.01, mmHaircutDecimal: 0.005, borrowImDecimal: 0.1, borrowMmDecimal: 0.02 },
      BTC: { imHaircutDecimal: 0.1, mmHaircutDecimal: 0.05, borrowImDecimal: 0.1, borrowMmDecimal: 0.02 },
      ETH: { imHaircutDecimal: 0.1, mmHaircutDecimal: 0.05, borrowImDecimal: 0.1, borrowMmDecimal: 0.02 },
    },
  },
  pegs: {
    USDC: { thresholdUsd: 0.98, lossFactor: 2 },
    USDT: { thresholdUsd: 0.98, lossFactor: 2 },
  },
  // Binance uniMMR 150 % / 120 % as MM/equity; the literal quotients keep the link to the source visible.
  health: { warningRatio: 1 / 1.5, marginCallRatio: 1 / 1.2, liquidationRatio: 1 },
  marginTiers: [],
  coinCollateralOffset: true,
  slippage: { useQuotedSpread: true, defaultDecimalOfUnderlying: 0.0005, conversionDecimal: 0.001 },
  liquidation: { stepFraction: 0.2, feeRateDecimal: 0.0075, feeCapFraction: 0.5, maxSteps: 500 },
  tradingFeeRateDecimal: 0,
  pnlSettlement: { periodHours: 24, anchorUtcHour: 8 },
  funding: { intervalHours: 8 },
  fills: { priceBandDecimal: 0.1 },
  trades: { priceBandDecimalOfUnderlying: DEFAULT_TRADE_PRICE_BAND },
};

/**
 * Validate account rules given as JSON (a complete set, e.g. the defaults after an override patch).
 * @param pathPrefix - prefix of every issue path (e.g. `overrides.account`).
 * @returns the rules, or issues with the path of the bad field: `out_of_range` (a bound), `invalid_type`, `required`,
 *   `invalid_value` (unknown field, cross-field rule).
 */
export function parseAccountRules(input: unknown, pathPrefix = ""): Result<AccountRules> {
  const parsed = accountRulesSchema.safeParse(input);
  if (parsed.success) return ok(parsed.data);
  const out: Issue[] = [];
  for (const i of parsed.error.issues) {
    const path = joinPath(pathPrefix, ...i.path.map((p) => (typeof p === "symbol" ? String(p) : p)));
    if (i.code === "unrecognized_keys") for (const key of i.keys) out.push(issue("invalid_value", joinPath(path, key), "unknown field (see docs/formats.md, Account file)"));
    else if (i.code === "too_small" || i.code === "too_big") out.push(issue("out_of_range", path, i.message));
    else if (i.code === "invalid_type") out.push(issue(valueAt(input, i.path) === undefined ? "required" : "invalid_type", path, i.message));
    else out.push(issue("invalid_value", path, i.message));
  }
  return fail(...out);
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

/** The rule of a collateral currency: its own entry, else the default. */
export function collateralRuleOf(rules: AccountRules, currency: string): CollateralRule {
  return rules.collateral.byCurrency[currency] ?? rules.collateral.default;
}

/** The target maintenance ratio of a liquidation plan: the given one, the rules' one, else the warning threshold. */
export function liquidationTargetOf(rules: AccountRules, given?: number): number {
  return given ?? rules.liquidation.targetRatio ?? rules.health.warningRatio;
}
