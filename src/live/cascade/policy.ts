/**
 * Liquidation policies as data (docs/cascade.md, "Policies"): what a venue's liquidation engine does to an account in
 * liquidation, each round of a cascade, and who pays for a bankrupt one. Versioned like every parameter set (`name`,
 * `version`, `effective`), validated by a zod schema; the bundled presets (presets/liquidation-*.json) carry their
 * sources in `$comment` and `source`.
 *
 * Rules (`rule.kind`):
 * - `partial`: every position cut by the same share, a multiple of `shareStep`. `stepsPerRound: "one"` cuts one step
 *   per round and looks again next round (Deribit's incremental liquidation, about one round a second); `"to-target"`
 *   cuts at once the smallest multiple whose estimated maintenance ratio (MM × keep / equity after costs, MM being
 *   linear in a uniform cut) is at or below `targetRatio` (Paradex: 20 % steps to below 90 %).
 * - `dutch-auction` (Derive): a bidder takes the fraction f = BM / (BM − E·d) of the portfolio that restores the buffer
 *   margin BM = E − (1 + b)·MM, paying d × its mark-to-market, d the auction's price ratio when the bid comes
 *   (`bidPriceRatio`); the discount (1 − d)·f·E goes to the bidder. With equity ≤ 0 (insolvent auction) it takes all.
 * - `takeover`: the insurance fund takes every position and the remaining equity (Hyperliquid's backstop liquidation
 *   by its liquidator vault: "the MM is not returned").
 * `execution`: `market` sends the closed sizes to the market (they move it, by the impact model, and pay its slippage);
 * `insurance-fund` hands them to the fund at the mark (Paradex; no market order, no impact). A takeover is always so.
 *
 * Fee (`fee`): rate × base, with base the closed notional (Deribit, dYdX), the maintenance margin of the closed share
 * (Paradex: share × 70 % × MMR) or the closed share's equity (Derive's liquidator fee on |MtM|); never more than the
 * account's equity left after the step's other costs (a bankrupt account pays none). `toInsuranceFund` is the fund's
 * share; the rest goes to the liquidator and leaves the exchange.
 *
 * Bankruptcy (`bankruptcy`): the shortfall (negative equity once the positions are closed) is drawn from the insurance
 * fund while it lasts; the rest by `then`: `adl` (profitable opposite-side accounts ranked by profit × leverage, each
 * paying up to its unrealised profit; what they cannot cover is socialised) or `socialized` (the loss is spread over
 * the exchange: recorded, not debited from individual accounts).
 * @module
 */
import { z } from "zod";

const finite = z.number().finite();
const fraction = finite.gt(0).max(1);

const partialRule = z.strictObject({
  kind: z.literal("partial"),
  shareStep: fraction.meta({ description: "Share of every position cut per step, (0, 1]." }),
  stepsPerRound: z.enum(["one", "to-target"]).meta({ description: "one: one step a round (incremental); to-target: the smallest number of steps reaching targetRatio, at once." }),
  targetRatio: fraction.meta({ description: "Maintenance ratio (MM / equity) the cut aims to get at or below." }),
});
const auctionRule = z.strictObject({
  kind: z.literal("dutch-auction"),
  bufferFactor: finite.min(0).max(10).meta({ description: "Derive's b: buffer margin BM = E − (1 + b)·MM (mainnet 0.15)." }),
  bidPriceRatio: fraction.meta({ description: "Auction price d as a share of the mark-to-market when the bid fills (Derive starts at 0.95–0.98)." }),
});
const takeoverRule = z.strictObject({ kind: z.literal("takeover") });

/** The zod schema of a liquidation policy (the JSON form of {@link LiquidationPolicy}). */
export const liquidationPolicySchema = z
  .strictObject({
    $comment: z.string().optional(),
    name: z.string().min(1).max(100),
    version: z.string().min(1).max(100),
    effective: z.iso.date(),
    source: z.string().min(1).max(2000).meta({ description: "Where the rule and its numbers come from." }),
    rule: z.discriminatedUnion("kind", [partialRule, auctionRule, takeoverRule]),
    execution: z.enum(["market", "insurance-fund"]),
    /** Seconds between liquidation rounds when no tick of the path sets the time (Deribit about 1 s; Hyperliquid 30 s cooldown). */
    roundSeconds: finite.gt(0).max(86_400),
    fee: z.strictObject({
      rate: finite.min(0).max(1),
      base: z.enum(["notional", "maintenance-margin", "equity"]),
      toInsuranceFund: finite.min(0).max(1),
    }),
    bankruptcy: z.strictObject({ then: z.enum(["adl", "socialized"]) }),
  })
  .meta({ title: "netrisk liquidation policy", description: "A venue's liquidation rule, fee and bankruptcy waterfall for netrisk cascade. See docs/cascade.md." });

export type LiquidationPolicy = z.infer<typeof liquidationPolicySchema>;
export type LiquidationRule = LiquidationPolicy["rule"];
