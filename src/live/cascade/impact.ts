/**
 * Market impact of liquidation orders (docs/cascade.md, "Market impact"): the square-root law. A round's net order
 * Q (USD notional, signed: + buys) on an underlying moves its log price by
 *
 *   Δ = sign(Q) · Y · σ_day · √(|Q| / V_day)
 *
 * (Almgren, Thum, Hauptmann and Li 2005, "Direct estimation of equity market impact"; Tóth et al. 2011, "Anomalous
 * price impact and the critical nature of liquidity", Y of order 1), σ_day the daily volatility and V_day the daily
 * traded volume (the depth parameter) of the underlying on the venue. The move is transient: it decays with a
 * half-life (`recoveryHalfLifeSeconds`; null: permanent), D(t + dt) = D(t) · 2^(−dt / h) + Δ, and the index the
 * core sees is the exogenous path's times exp(D). An order fills on average at 2/3 of its own impact (the mean of
 * √q over the order), so its slippage is |Q_account| · (1 − exp(−(2/3)|Δ|)).
 *
 * The move acts on the underlying: the core moves its index, and with it every future, perpetual and option of the
 * base (live/apply-tick.ts): arbitrage ties them within seconds, so the base is one pool of liquidity. Orders counted:
 * futures and perpetuals (coin size × mark); options' orders are not counted (their delta hedges are not modelled).
 * The parameters are a versioned set (presets/impact-default.json), per underlying, with a default for the others.
 * @module
 */
import { z } from "zod";

const finite = z.number().finite();

const underlyingImpact = z.strictObject({
  coefficient: finite.min(0).max(100).meta({ description: "Y, the square-root law's prefactor (order 1 in the literature; 0: no impact)." }),
  dailyVolatility: finite.min(0).max(5).meta({ description: "σ_day, daily volatility of the underlying (decimal)." }),
  dailyVolumeUsd: finite.gt(0).meta({ description: "V_day, daily traded volume on the venue, USD: the depth parameter." }),
  recoveryHalfLifeSeconds: finite.gt(0).nullable().meta({ description: "Half-life of the transient move; null: permanent." }),
});

export const impactModelSchema = z
  .strictObject({
    $comment: z.string().optional(),
    name: z.string().min(1).max(100),
    version: z.string().min(1).max(100),
    effective: z.iso.date(),
    source: z.string().min(1).max(2000),
    model: z.literal("square-root"),
    underlyings: z.record(z.string().regex(/^[A-Z0-9]{2,10}$/), underlyingImpact),
    default: underlyingImpact.optional().meta({ description: "For underlyings not listed; without it they have no impact." }),
  })
  .meta({ title: "netrisk market impact model", description: "Square-root impact of liquidation orders per underlying with a recovery half-life, for netrisk cascade. See docs/cascade.md." });

export type ImpactModel = z.infer<typeof impactModelSchema>;
export type UnderlyingImpact = z.infer<typeof underlyingImpact>;

/** No impact at all: the cascade is then each account's own liquidation (the zero-impact property). */
export const NO_IMPACT: ImpactModel = { name: "no-impact", version: "1", effective: "2026-03-01", source: "no market impact", model: "square-root", underlyings: {} };

export function impactOf(model: ImpactModel, base: string): UnderlyingImpact | undefined {
  return model.underlyings[base] ?? model.default;
}

/** Log move Δ of a net order of `orderUsd` (signed) on `base`; 0 without parameters. */
export function logImpact(model: ImpactModel, base: string, orderUsd: number): number {
  const p = impactOf(model, base);
  if (p === undefined || orderUsd === 0 || p.coefficient === 0) return 0;
  return Math.sign(orderUsd) * p.coefficient * p.dailyVolatility * Math.sqrt(Math.abs(orderUsd) / p.dailyVolumeUsd);
}

/** The displacement D after `dtSeconds` of recovery. */
export function decayed(model: ImpactModel, base: string, displacement: number, dtSeconds: number): number {
  const p = impactOf(model, base);
  if (p === undefined || p.recoveryHalfLifeSeconds === null || displacement === 0) return displacement;
  return displacement * Math.pow(2, -dtSeconds / p.recoveryHalfLifeSeconds);
}

/** Slippage (USD, ≥ 0) of an order of |notionalUsd| in a round whose net order moved the log price by Δ. */
export function slippageUsd(notionalUsd: number, logMove: number): number {
  return Math.abs(notionalUsd) * (1 - Math.exp(-(2 / 3) * Math.abs(logMove)));
}
