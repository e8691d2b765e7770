/**
 * Parameter set of the standard (isolated, per-position) margin model: a versioned JSON object such as
 * `presets/standard-deribit.json`, validated here (pure; reading the file is the job of `io/presets.ts`).
 * @module
 */
import { z } from "zod";
import { fail, issue, joinPath, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import type { ParameterSetInfo } from "../types.js";

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected an ISO date YYYY-MM-DD");
const fraction = z.number().finite().min(0).max(1);

/** Futures/perpetual rates of one base currency. Rate = base + |sizeCoin| × perCoinIncrement (decimal of notional). */
const FuturesRatesSchema = z.looseObject({
  initialBaseDecimal: fraction,
  maintenanceBaseDecimal: fraction,
  perCoinIncrementDecimal: fraction,
  effective: isoDate.optional(),
  source: z.string().min(1),
});

/** Short-option rates, per coin of underlying (inverse) or per coin × underlying price (linear). */
const OptionRatesSchema = z.looseObject({
  initialMaxDecimal: fraction,
  initialMinDecimal: fraction,
  maintenanceDecimal: fraction,
  effective: isoDate.optional(),
  source: z.string().min(1),
});

const StandardParamsSchema = z.looseObject({
  model: z.literal("standard"),
  name: z.string().min(1),
  version: z.string().min(1),
  effective: isoDate,
  futures: z.record(z.string().regex(/^[A-Z0-9]+$/, "expected an upper-case base currency code"), FuturesRatesSchema),
  options: OptionRatesSchema,
});

export interface StandardFuturesRates {
  readonly initialBaseDecimal: number;
  readonly maintenanceBaseDecimal: number;
  readonly perCoinIncrementDecimal: number;
}

export interface StandardOptionRates {
  readonly initialMaxDecimal: number;
  readonly initialMinDecimal: number;
  readonly maintenanceDecimal: number;
}

/** A validated standard-margin parameter set. */
export interface StandardParams {
  readonly info: ParameterSetInfo;
  /** Futures/perpetual rates per base currency (`BTC`, `ETH`, `SOL`); a base without rates is unsupported. */
  readonly futures: Readonly<Record<string, StandardFuturesRates>>;
  readonly options: StandardOptionRates;
}

/**
 * Validate a parsed standard-margin parameter set (the JSON object of a preset). Extra fields (`$comment`, sources)
 * are allowed. Issues carry code `invalid_parameter_set` and the path of the bad field.
 */
export function parseStandardParams(input: unknown): Result<StandardParams> {
  const parsed = StandardParamsSchema.safeParse(input);
  if (!parsed.success) {
    return fail(
      ...parsed.error.issues.map((i): Issue =>
        issue("invalid_parameter_set", joinPath(...i.path.map((p) => (typeof p === "symbol" ? String(p) : p))), i.message),
      ),
    );
  }
  const p = parsed.data;
  const issues: Issue[] = [];
  // The IM floor must not exceed its cap, and MM must not exceed the IM floor: otherwise IM < MM could happen.
  if (p.options.initialMinDecimal > p.options.initialMaxDecimal) {
    issues.push(issue("invalid_parameter_set", "options.initialMinDecimal", "must not exceed options.initialMaxDecimal"));
  }
  if (p.options.maintenanceDecimal > p.options.initialMinDecimal) {
    issues.push(issue("invalid_parameter_set", "options.maintenanceDecimal", "must not exceed options.initialMinDecimal"));
  }
  const futures: Record<string, StandardFuturesRates> = {};
  for (const [base, r] of Object.entries(p.futures)) {
    if (r.maintenanceBaseDecimal > r.initialBaseDecimal) {
      issues.push(
        issue("invalid_parameter_set", joinPath("futures", base, "maintenanceBaseDecimal"), "must not exceed initialBaseDecimal"),
      );
    }
    futures[base] = {
      initialBaseDecimal: r.initialBaseDecimal,
      maintenanceBaseDecimal: r.maintenanceBaseDecimal,
      perCoinIncrementDecimal: r.perCoinIncrementDecimal,
    };
  }
  if (issues.length > 0) return fail(...issues);
  return ok({
    info: { name: p.name, version: p.version, effective: p.effective },
    futures,
    options: {
      initialMaxDecimal: p.options.initialMaxDecimal,
      initialMinDecimal: p.options.initialMinDecimal,
      maintenanceDecimal: p.options.maintenanceDecimal,
    },
  });
}
