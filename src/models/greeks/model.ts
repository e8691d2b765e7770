/**
 * The Greeks-based ("portfolio delta") margin model `greeks`, in the ISDA SIMM shape. Methodology:
 * docs/methodology.md "Greeks-based margin"; parameters: presets/greeks-default.json.
 *
 * Per underlying k (price shock s_k, vega shock v_kb per tenor bucket b; sensitivities from `sensitivities.ts`):
 * ```
 * WS_k     = deltaUsd_k · s_k                                    (signed)
 * CURV_k   = ½ · |gammaUsd_k| · s_k²
 * VR_kb    = vegaUsd_kb · v_kb                                   (signed)
 * KV_k     = √(Σ_b VR_kb² + Σ_{b≠c} ρ_bc VR_kb VR_kc),  SV_k = max(min(Σ_b VR_kb, KV_k), −KV_k)
 * Delta    = √(Σ_k WS_k² + Σ_{k≠l} ρΔ_kl WS_k WS_l)
 * Vega     = √(Σ_k KV_k² + Σ_{k≠l} ρV_kl SV_k SV_l)
 * MM       = Delta + Vega + Σ_k CURV_k,          IM = initial_to_maintenance × MM
 * ```
 * One bucket `USD` (the correlations couple the underlyings, so the margin does not split into per-coin buckets);
 * per-underlying figures are in `details.underlyings`.
 * @module
 */
import { fail, issue, joinPath, NetriskError, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import type { MarketContext } from "../../market/context.js";
import type { DerivativeInstrument } from "../../market/types.js";
import type { BucketMargin, MarginModel, MarginResult, ResolvedPortfolio } from "../types.js";
import { cappedNet, correlatedSum } from "./aggregate.js";
import type { GreeksParams } from "./params.js";
import { addSensitivities, emptySensitivities } from "./sensitivities.js";
import { black76Greeks } from "../../pricing/greeks.js";
import type { UnderlyingSensitivities } from "./sensitivities.js";

/** Registry id of the Greeks-based model (also the `model` field of its parameter sets). */
export const GREEKS_MODEL_ID = "greeks";

/** Per-underlying audit figures, USD. */
export interface GreeksUnderlyingMargin {
  readonly deltaUsd: number;
  readonly gammaUsd: number;
  readonly vegaUsdByBucket: Readonly<Record<string, number>>;
  readonly priceShockDecimal: number;
  readonly weightedDelta: number;
  readonly curvature: number;
  readonly vegaRiskByBucket: Readonly<Record<string, number>>;
  readonly vegaK: number;
  readonly vegaS: number;
}

/** The three SIMM-shaped parts and the per-underlying figures, from net sensitivities (pure arithmetic). */
export function greeksMarginFromSensitivities(
  sens: ReadonlyMap<string, UnderlyingSensitivities>,
  params: GreeksParams,
): { deltaMargin: number; vegaMargin: number; curvatureMargin: number; underlyings: Record<string, GreeksUnderlyingMargin> } {
  const names = params.underlyingNames;
  const ws: number[] = [];
  const kv: number[] = [];
  const sv: number[] = [];
  let curvatureMargin = 0;
  const underlyings: Record<string, GreeksUnderlyingMargin> = {};
  for (const name of names) {
    const s = sens.get(name);
    const u = params.underlyings[name];
    if (s === undefined || u === undefined) {
      // An underlying the portfolio does not hold contributes zeros (keeps the correlation matrices' indexing).
      ws.push(0);
      kv.push(0);
      sv.push(0);
      continue;
    }
    const shock = u.priceShockDecimal;
    const w = s.deltaUsd * shock;
    const curvature = 0.5 * Math.abs(s.gammaUsd) * shock * shock;
    const vr = s.vegaUsd.map((v, b) => v * (u.vegaShockDecimal[b] as number));
    const k = correlatedSum(vr, params.vegaBucketCorrelation);
    const sNet = cappedNet(vr, k);
    ws.push(w);
    kv.push(k);
    sv.push(sNet);
    curvatureMargin += curvature;
    const byBucket = (v: readonly number[]): Record<string, number> => Object.fromEntries(params.vegaBuckets.map((b, i) => [b.id, v[i] as number]));
    underlyings[name] = {
      deltaUsd: s.deltaUsd,
      gammaUsd: s.gammaUsd,
      vegaUsdByBucket: byBucket(s.vegaUsd),
      priceShockDecimal: shock,
      weightedDelta: w,
      curvature,
      vegaRiskByBucket: byBucket(vr),
      vegaK: k,
      vegaS: sNet,
    };
  }
  const deltaMargin = correlatedSum(ws, params.deltaCorrelation);
  // SIMM across buckets: Σ K_k² on the diagonal, ρ S_k S_l off it.
  let v2 = 0;
  for (let k = 0; k < names.length; k++) {
    v2 += (kv[k] as number) ** 2;
    for (let l = 0; l < names.length; l++) if (l !== k) v2 += (params.vegaCorrelation[k]?.[l] as number) * (sv[k] as number) * (sv[l] as number);
  }
  return { deltaMargin, vegaMargin: Math.sqrt(Math.max(v2, 0)), curvatureMargin, underlyings };
}

/**
 * Greeks-based margin of a portfolio. Pure. Issues at `positions[i].instrument`: `unsupported` (a base without
 * parameters), `missing_index`, `expired_instrument`; `internal` for a non-finite result (a bug). Spot balances are
 * collateral and skipped with a note.
 */
export function computeGreeksMargin(portfolio: ResolvedPortfolio, market: MarketContext, params: GreeksParams): Result<MarginResult> {
  const issues: Issue[] = [];
  const notes: string[] = [...portfolio.notes];
  const bases = new Set(market.bases);
  const bounds = params.vegaBuckets.map((b) => b.maxDays);
  const positions = portfolio.positions
    .map((p, k) => ({ p, path: joinPath("positions", p.inputIndices[0] ?? k, "instrument") }))
    // Name order: the sums then do not depend on how the positions were listed.
    .sort((a, b) => (a.p.instrument.name < b.p.instrument.name ? -1 : a.p.instrument.name > b.p.instrument.name ? 1 : a.p.sizeCoin - b.p.sizeCoin));
  const work: { inst: DerivativeInstrument; sizeCoin: number }[] = [];
  for (const { p, path } of positions) {
    const inst = p.instrument;
    if (inst.kind === "spot") {
      notes.push(`${inst.name}: spot balances are collateral, not Greeks-margin positions`);
      continue;
    }
    if (params.underlyings[inst.base] === undefined) issues.push(issue("unsupported", path, `parameter set ${params.info.name} has no underlying ${inst.base} (${inst.name})`));
    else if (!bases.has(inst.base)) issues.push(issue("missing_index", path, `no index price for ${inst.base}`));
    else if (inst.kind !== "perpetual" && inst.expiryMs <= market.asOfMs) issues.push(issue("expired_instrument", path, `${inst.name} expired before the market timestamp`));
    else work.push({ inst, sizeCoin: p.sizeCoin });
  }
  if (issues.length > 0) return fail(...issues);
  const full = marginOf(work, market, params, bounds);
  if (full === undefined) return fail(issue("internal", "", "non-finite Greeks margin"));
  // A long option can lose at most its value: the book's margin is capped at the value of its long options plus the
  // margin of the rest (near expiry, gamma·s² of an at-the-money option grows like 1/√T without this cap;
  // docs/methodology.md "Greeks-based margin", near expiry).
  const longs = work.filter((w) => w.inst.kind === "option" && w.sizeCoin > 0);
  let m = full;
  let im = params.initialToMaintenance * full.mm;
  let mm = full.mm;
  if (longs.length > 0) {
    const longValueUsd = longs.reduce((acc, w) => acc + w.sizeCoin * optionValueUsd(w.inst, market), 0);
    const longSet = new Set(longs);
    const rest = marginOf(work.filter((w) => !longSet.has(w)), market, params, bounds);
    if (rest === undefined || !Number.isFinite(longValueUsd)) return fail(issue("internal", "", "non-finite Greeks margin"));
    const capMm = longValueUsd + rest.mm;
    const capIm = longValueUsd + params.initialToMaintenance * rest.mm;
    if (capMm < mm || capIm < im) {
      notes.push(`margin capped at the value of the long options (${Math.round(longValueUsd)} USD) plus the margin of the rest: a long option can lose at most its value`);
      mm = Math.min(mm, capMm);
      im = Math.min(im, capIm);
      m = { ...full, capped: true };
    }
  }
  const sens = full.sens;
  const byCurrency: Record<string, BucketMargin> = {};
  if (sens.size > 0) {
    byCurrency.USD = {
      currency: "USD",
      initialMargin: im,
      maintenanceMargin: mm,
      initialMarginUsd: im,
      maintenanceMarginUsd: mm,
      components: { deltaMargin: m.deltaMargin, vegaMargin: m.vegaMargin, curvatureMargin: m.curvatureMargin, greeksMargin: mm, ...(m.capped ? { longOptionCapMargin: mm } : {}) },
      details: { underlyings: m.underlyings, vegaBuckets: params.vegaBuckets.map((b) => b.id) },
    };
  }
  if (Object.keys(portfolio.collateral).length > 0) notes.push("collateral balances are not shocked by the Greeks margin (the account layer values them)");
  notes.push("Greeks margin is a local (Taylor) approximation: it can under-margin large moves, short wings and cross effects (docs/methodology.md \"Greeks-based margin\")");
  const conventions = [...new Set(portfolio.positions.map((p) => p.sizeConvention))].sort();
  return ok({
    model: GREEKS_MODEL_ID,
    parameterSet: params.info,
    byCurrency,
    totalUsd: { initialMargin: sens.size > 0 ? im : 0, maintenanceMargin: sens.size > 0 ? mm : 0 },
    sizeConventions: conventions,
    notes,
  });
}

type Work = { inst: DerivativeInstrument; sizeCoin: number };

/** The three parts and MM of some positions, or undefined when a figure is not finite (a bug upstream). */
function marginOf(
  work: readonly Work[],
  market: MarketContext,
  params: GreeksParams,
  bounds: readonly (number | null)[],
): (ReturnType<typeof greeksMarginFromSensitivities> & { mm: number; sens: Map<string, UnderlyingSensitivities>; capped?: boolean }) | undefined {
  const sens = new Map<string, UnderlyingSensitivities>();
  for (const w of work) {
    let s = sens.get(w.inst.base);
    if (s === undefined) sens.set(w.inst.base, (s = emptySensitivities(bounds.length)));
    addSensitivities(s, w.inst, w.sizeCoin, market, bounds);
  }
  const m = greeksMarginFromSensitivities(sens, params);
  const mm = m.deltaMargin + m.vegaMargin + m.curvatureMargin;
  if (![mm, m.deltaMargin, m.vegaMargin, m.curvatureMargin].every(Number.isFinite)) return undefined;
  return { ...m, mm, sens };
}

/** USD value of one coin of an option (Black-76 on the market's inputs, as the sensitivities). */
function optionValueUsd(inst: DerivativeInstrument, market: MarketContext): number {
  if (inst.kind !== "option") return 0;
  const i = market.optionInputs(inst);
  return black76Greeks({ isCall: inst.optionKind === "call", forwardUsd: i.forwardUsd, strikeUsd: inst.strikeUsd, timeYears: i.timeYears, volDecimal: i.volDecimal, rateDecimal: i.rateDecimal }).priceUsd;
}

/** A Greeks-based {@link MarginModel} with a Result-returning entry point. */
export interface GreeksModel extends MarginModel {
  readonly params: GreeksParams;
  computeResult(portfolio: ResolvedPortfolio, market: MarketContext): Result<MarginResult>;
}

/** A {@link GreeksModel} bound to a validated parameter set (see `parseGreeksParams`). */
export function createGreeksModel(params: GreeksParams): GreeksModel {
  return {
    id: GREEKS_MODEL_ID,
    parameterSet: params.info,
    params,
    computeResult: (portfolio, market) => computeGreeksMargin(portfolio, market, params),
    compute(portfolio, market) {
      const r = computeGreeksMargin(portfolio, market, params);
      if (!r.ok) throw new NetriskError(r.issues);
      return r.value;
    },
  };
}
