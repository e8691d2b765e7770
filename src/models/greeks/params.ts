/**
 * Parameter set of the Greeks-based (SIMM-shaped) margin model `greeks`, as data: the zod schema of the versioned JSON
 * file (presets/greeks-default.json, written by scripts/calibrate-span.py), the validated type, and a parser that
 * returns `invalid_parameter_set` issues with paths. Shocks are decimals: `price_shock` a relative move of the
 * forward, `vega_shock` a relative move of each option's implied vol, per tenor bucket.
 * @module
 */
import { z } from "zod";
import { fail, issue, joinPath, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import type { ParameterSetInfo } from "../types.js";
import { isCorrelationMatrix } from "./aggregate.js";
import type { Matrix } from "./aggregate.js";

const finite = z.number().finite();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "expected an ISO date YYYY-MM-DD");
const bucketId = z.string().regex(/^[A-Za-z0-9_]{1,16}$/, "expected a short bucket id (letters, digits, _)");
const code = z.string().regex(/^[A-Z][A-Z0-9]{1,9}$/, "expected an upper-case base currency code");
const correlationList = z.array(z.strictObject({ pair: z.tuple([code, code]), rho: finite.min(-1).max(1) }));

/** The zod schema of a Greeks-based margin parameter set. */
export const greeksParamsSchema = z.strictObject({
  $comment: z.string().optional(),
  model: z.literal("greeks"),
  name: z.string().min(1),
  version: z.string().min(1),
  effective: isoDate,
  source: z.string().min(1),
  calibration: z.record(z.string(), z.unknown()).optional(),
  /** IM = ratio × MM; MM is the Greeks margin. */
  initial_to_maintenance: finite.min(1),
  /** Vega tenor buckets by days to expiry (exclusive bound), increasing; the last has `max_days: null`. */
  vega_buckets: z.array(z.strictObject({ id: bucketId, max_days: finite.gt(0).nullable(), representative_days: finite.gt(0) })).min(1),
  /** Correlation between the vega buckets of one underlying (order of `vega_buckets`). */
  vega_bucket_correlation: z.array(z.array(finite)),
  underlyings: z.record(
    code,
    z.strictObject({
      /** Relative move of every forward of the underlying, in (0, 1). */
      price_shock: finite.gt(0).lt(1),
      /** Relative implied-vol move per vega bucket id, in [0, 1]. */
      vega_shock: z.record(bucketId, finite.min(0).max(1)),
    }),
  ),
  /** Correlations between the underlyings' delta (price) risks: every pair once. */
  delta_correlation: correlationList,
  /** Correlations between the underlyings' vega risks: every pair once. */
  vega_correlation: correlationList,
});

export interface GreeksVegaBucket {
  readonly id: string;
  readonly maxDays: number | null;
  readonly representativeDays: number;
}

export interface GreeksUnderlying {
  readonly priceShockDecimal: number;
  /** Relative vol shock per bucket, in the order of `vegaBuckets`. */
  readonly vegaShockDecimal: readonly number[];
}

/** A validated Greeks-based margin parameter set. */
export interface GreeksParams {
  readonly info: ParameterSetInfo;
  readonly initialToMaintenance: number;
  readonly vegaBuckets: readonly GreeksVegaBucket[];
  readonly vegaBucketCorrelation: Matrix;
  /** Underlyings in name order; a base not listed is unsupported. */
  readonly underlyingNames: readonly string[];
  readonly underlyings: Readonly<Record<string, GreeksUnderlying>>;
  /** Correlation matrices over `underlyingNames`. */
  readonly deltaCorrelation: Matrix;
  readonly vegaCorrelation: Matrix;
}

type Raw = z.infer<typeof greeksParamsSchema>;

function matrixOf(names: readonly string[], list: Raw["delta_correlation"], path: string, bad: (p: string, m: string) => void): number[][] {
  const idx = new Map(names.map((n, i) => [n, i]));
  const m = names.map((_, i) => names.map((__, j) => (i === j ? 1 : NaN)));
  list.forEach((e, k) => {
    const [a, b] = e.pair;
    const i = idx.get(a);
    const j = idx.get(b);
    if (i === undefined || j === undefined) return bad(joinPath(path, k, "pair"), `unknown underlying in ${a}/${b}`);
    if (i === j) return bad(joinPath(path, k, "pair"), "a pair needs two different underlyings");
    if (!Number.isNaN(m[i]?.[j] as number)) return bad(joinPath(path, k, "pair"), `${a}/${b} is listed twice`);
    (m[i] as number[])[j] = e.rho;
    (m[j] as number[])[i] = e.rho;
  });
  for (let i = 0; i < names.length; i++)
    for (let j = i + 1; j < names.length; j++) if (Number.isNaN(m[i]?.[j] as number)) bad(path, `no correlation for ${names[i]}/${names[j]}`);
  return m;
}

/**
 * Validate a parsed Greeks-based margin parameter set. Issues (`invalid_parameter_set`, with paths): schema errors,
 * bucket order, a vega shock missing or unknown for a bucket, a correlation missing, duplicated or not forming a
 * positive semidefinite correlation matrix (the SIMM square root needs one).
 */
export function parseGreeksParams(input: unknown): Result<GreeksParams> {
  const parsed = greeksParamsSchema.safeParse(input);
  if (!parsed.success)
    return fail(...parsed.error.issues.map((i): Issue => issue("invalid_parameter_set", joinPath(...i.path.map((x) => (typeof x === "symbol" ? String(x) : x))), i.message)));
  const p = parsed.data;
  const out: Issue[] = [];
  const bad = (path: string, message: string): void => void out.push(issue("invalid_parameter_set", path, message));
  const ids = p.vega_buckets.map((b) => b.id);
  p.vega_buckets.forEach((b, i) => {
    if (ids.indexOf(b.id) !== i) bad(joinPath("vega_buckets", i, "id"), `duplicate bucket ${b.id}`);
    const last = i === p.vega_buckets.length - 1;
    if (last !== (b.max_days === null)) bad(joinPath("vega_buckets", i, "max_days"), last ? "the last bucket must have max_days null" : "only the last bucket may have max_days null");
    const prev = p.vega_buckets[i - 1]?.max_days;
    if (i > 0 && b.max_days !== null && prev !== null && prev !== undefined && b.max_days <= prev) bad(joinPath("vega_buckets", i, "max_days"), "must increase from bucket to bucket");
  });
  const n = ids.length;
  const vbc = p.vega_bucket_correlation;
  if (vbc.length !== n || vbc.some((r) => r.length !== n)) bad("vega_bucket_correlation", `must be ${n} × ${n} (one row and column per vega bucket)`);
  else if (!isCorrelationMatrix(vbc)) bad("vega_bucket_correlation", "must be a symmetric, unit-diagonal, positive semidefinite correlation matrix");
  const names = Object.keys(p.underlyings).sort();
  for (const name of names) {
    const shocks = p.underlyings[name]?.vega_shock ?? {};
    for (const id of ids) if (shocks[id] === undefined) bad(joinPath("underlyings", name, "vega_shock", id), "missing vega shock for this bucket");
    for (const id of Object.keys(shocks)) if (!ids.includes(id)) bad(joinPath("underlyings", name, "vega_shock", id), `unknown vega bucket ${id}`);
  }
  const delta = matrixOf(names, p.delta_correlation, "delta_correlation", bad);
  const vega = matrixOf(names, p.vega_correlation, "vega_correlation", bad);
  if (out.length === 0) {
    if (!isCorrelationMatrix(delta)) bad("delta_correlation", "the correlations do not form a positive semidefinite matrix");
    if (!isCorrelationMatrix(vega)) bad("vega_correlation", "the correlations do not form a positive semidefinite matrix");
  }
  if (out.length > 0) return fail(...out);
  const underlyings: Record<string, GreeksUnderlying> = {};
  for (const name of names) {
    const u = p.underlyings[name];
    if (u === undefined) continue;
    underlyings[name] = { priceShockDecimal: u.price_shock, vegaShockDecimal: ids.map((id) => u.vega_shock[id] as number) };
  }
  return ok({
    info: { name: p.name, version: p.version, effective: p.effective },
    initialToMaintenance: p.initial_to_maintenance,
    vegaBuckets: p.vega_buckets.map((b) => ({ id: b.id, maxDays: b.max_days, representativeDays: b.representative_days })),
    vegaBucketCorrelation: vbc,
    underlyingNames: names,
    underlyings,
    deltaCorrelation: delta,
    vegaCorrelation: vega,
  });
}
