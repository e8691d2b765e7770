/**
 * The live core a cascade runs on: the caller's book and market, no least-cost plans on liquidation events (the
 * policy decides how to liquidate; the planner is far slower than the figures) and no plausibility bound on a tick's
 * move (a stress is a scenario, not a feed: a −60 % shock is what was asked, not a bad print).
 * @module
 */
import type { Result } from "../../errors.js";
import { createLiveCore } from "../core.js";
import type { LiveCore, LiveCoreOptions } from "../core.js";
import { DEFAULT_LIVE_PARAMS } from "../params.js";

export type CascadeCoreOptions = Omit<LiveCoreOptions, "liquidationPlans">;

export function createCascadeCore(options: CascadeCoreOptions): Result<LiveCore> {
  const params = options.params ?? DEFAULT_LIVE_PARAMS;
  return createLiveCore({ ...options, params: { ...params, maxTickMoveDecimal: 10 }, liquidationPlans: false });
}
