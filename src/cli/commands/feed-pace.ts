/**
 * Pacing of `netrisk serve --feed FILE`: as fast as the engine commits (default), at most N ticks a second
 * (`--feed-rate N`), or following the ticks' own times (`--feed-realtime [SPEED]`: a tick `ts` seconds after the
 * first is applied `ts / SPEED` seconds after the feed starts, so `--feed-realtime 60` replays a day in 24 minutes).
 * @module
 */
import { issue, NetriskError } from "../../errors.js";
import { optionalNumberFlag } from "../flags.js";

export type FeedPace = { readonly kind: "asap" } | { readonly kind: "rate"; readonly ticksPerSecond: number } | { readonly kind: "realtime"; readonly speed: number };

/** The pace the flags ask for; both flags together is a usage error. `realtime` is true for the flag without a value. */
export function feedPaceOf(rate: string | undefined, realtime: string | boolean | undefined): FeedPace {
  if (rate !== undefined && realtime !== undefined) throw new NetriskError([issue("invalid_value", "--feed-rate", "give --feed-rate or --feed-realtime, not both")]);
  const r = optionalNumberFlag(rate, "--feed-rate", { above: 0, max: 1_000_000 });
  if (r !== undefined) return { kind: "rate", ticksPerSecond: r };
  if (realtime === undefined) return { kind: "asap" };
  const speed = realtime === true ? 1 : (optionalNumberFlag(realtime === false ? undefined : realtime, "--feed-realtime", { above: 0, max: 1_000_000 }) ?? 1);
  return { kind: "realtime", speed };
}

/**
 * When the k-th tick of the file (0-based) is due, in ms after the feed started: `k / rate` seconds, or its market
 * time since the first tick's over the speed (never before the previous tick's due time: a tick older than the one
 * before it is due at once, and the engine ignores it as out of order).
 */
export function dueMs(pace: FeedPace, k: number, tickMs: number, firstTickMs: number, previousDueMs: number): number {
  if (pace.kind === "asap") return 0;
  if (pace.kind === "rate") return (1000 * k) / pace.ticksPerSecond;
  return Math.max(previousDueMs, (tickMs - firstTickMs) / pace.speed);
}
