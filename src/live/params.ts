/**
 * The live parameter set: how the live core reads ticks and moves health states. Data, versioned like the margin
 * presets (`name`, `version`, `effective`), validated by a zod schema; defaults in presets/live.json (the same values
 * as {@link DEFAULT_LIVE_PARAMS}, with their sources). Circuit-breaker rules are a separate file (./breakers.ts).
 * Validated at the boundary by io/live.ts; documented in docs/live.md.
 * @module
 */
import { z } from "zod";

const finite = z.number().finite();
const buffer = finite.min(0).lt(1);

/** The zod schema of a live parameter set (the JSON form of {@link LiveParams}). */
export const liveParamsSchema = z
  .strictObject({
    $comment: z.string().optional(),
    name: z.string().min(1).max(100),
    version: z.string().min(1).max(100),
    effective: z.iso.date().meta({ description: "Date (YYYY-MM-DD) from which the set applies." }),
    /**
     * How an option a tick does not name keeps its vol when its forward moves: the same vol at the same strike, or the
     * same vol at the same moneyness ln(K/F) (read off the expiry's smile before the tick).
     */
    volConvention: z.enum(["sticky-strike", "sticky-moneyness"]),
    /**
     * Largest relative move of an index or a future/perpetual mark in one tick, |new/old − 1|. A larger move is
     * implausible: it trips a price-band breaker of the underlying when one is configured, else the tick is rejected
     * (`implausible_move`). 0.5 = 50 %: BTC's worst day since 2014 (2020-03-12) was −39 % open to low.
     */
    maxTickMoveDecimal: finite.gt(0).max(10),
    /**
     * Hysteresis of the health states: an account leaves a state for a better one only once its maintenance ratio is
     * below the state's threshold × (1 − buffer) (Drift's liquidation buffer, Mango's liquidation-end health); it
     * enters a worse state as soon as the threshold is crossed. `bankrupt` is left when equity ≥ buffer × MM.
     */
    hysteresis: z.strictObject({
      warning: buffer,
      marginCall: buffer,
      liquidation: buffer,
      bankrupt: finite.min(0).max(1),
    }),
  })
  .meta({ title: "netrisk live parameter set", description: "How the live core reads ticks (vol convention, plausibility bound) and the hysteresis of health states. See docs/live.md." });

export type LiveParamsJson = z.infer<typeof liveParamsSchema>;

/** A validated live parameter set. */
export interface LiveParams {
  readonly name: string;
  readonly version: string;
  readonly effective: string;
  readonly volConvention: "sticky-strike" | "sticky-moneyness";
  readonly maxTickMoveDecimal: number;
  readonly hysteresis: { readonly warning: number; readonly marginCall: number; readonly liquidation: number; readonly bankrupt: number };
}

/**
 * Defaults (presets/live.json holds the same values).
 * - sticky-strike: what the engine's market moves use (account/market-move.ts) and Deribit's risk matrix assumes
 *   (every vol scenario shifts the vol at the strike).
 * - 50 % per tick: above any one-day move of BTC or ETH in ../shared/data (2020-03-12: −39 % open to low).
 * - Buffers of 5 % of each threshold: with the default thresholds (MM/equity 2/3, 5/6, 1) an account leaves margin
 *   call at a ratio below 0.79, liquidation below 0.95 (Drift's default liquidation buffer is 2 % of the margin
 *   requirement, Mango ends a liquidation at the initial-margin health: between the two, our choice).
 */
export const DEFAULT_LIVE_PARAMS: LiveParams = {
  name: "live",
  version: "2026.03.01-1",
  effective: "2026-03-01",
  volConvention: "sticky-strike",
  maxTickMoveDecimal: 0.5,
  hysteresis: { warning: 0.05, marginCall: 0.05, liquidation: 0.05, bankrupt: 0 },
};
