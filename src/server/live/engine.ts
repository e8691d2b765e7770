/**
 * The live-engine port of the service: what the routes need from "a live core kept current and its outputs
 * committed". One implementation runs the core in this process on the in-process transport (in-process.ts); the
 * scale-out (`serve --cluster`) replaces it with one whose cores run in workers behind NATS JetStream. Routes,
 * the stream and the dashboard only see this interface.
 *
 * Contract every implementation keeps:
 * - Inputs are applied one at a time in the order the calls were made; a call resolves after its step is committed
 *   (events stored with their global `eventSeq`, the market the core moved to stored and current), so a read after
 *   an acknowledged tick sees it.
 * - `eventSeq` is global and increasing across restarts (the store holds the last one); events are stored before any
 *   listener hears of them, so a stream that reads the store and then listens loses nothing.
 * @module
 */
import type { AccountDocument } from "../../account/document.js";
import type { Issue, Result } from "../../errors.js";
import type { BreakerRules, UnderlyingState } from "../../live/breakers.js";
import type { LiveEvent, LiveFigures } from "../../live/index.js";
import type { Tick } from "../../live/tick.js";
import type { StoredAccount, WriteContext } from "../../store/port.js";

/** One input as applied: its sequence, outcome, events and the accounts whose figures changed. */
export interface LiveStep {
  /** The engine's input sequence (events carry it as `seq`). */
  readonly seq: number;
  /** `market`: a wholesale market replacement (`PUT /v1/market` while running; no events, listeners not told). */
  readonly kind: "tick" | "account" | "breaker_reset" | "breaker_rules" | "time" | "parameters" | "market";
  readonly status: "applied" | "ignored" | "rejected";
  /** Rejection issues, or warnings of an applied input (a tick's unknown instrument, a fill far from the mark). */
  readonly issues: readonly Issue[];
  readonly events: readonly LiveEvent[];
  readonly changed: readonly string[];
  /** The feed's seq of a tick. */
  readonly tickSeq?: number;
  /** The stored market id after an applied tick. */
  readonly marketId?: string;
}

/** One underlying's breaker: its state, every active trip, and (from the latest trip) the rule, reason and since. */
export interface LiveBreakerUnderlying {
  readonly underlying: string;
  readonly state: UnderlyingState;
  readonly rule: string | null;
  readonly reason: string | null;
  readonly since: string | null;
  /** Actions in force (of every active trip). */
  readonly actions: readonly string[];
  readonly trips: readonly { readonly rule: string; readonly since: string; readonly reason: string }[];
}

export interface LiveBreakerView {
  readonly rules: BreakerRules;
  /** Every underlying of the market, by name. */
  readonly underlyings: readonly LiveBreakerUnderlying[];
}

export interface LiveStatus {
  readonly engine: string;
  readonly running: boolean;
  /** Why the engine is not running (no market yet), or null. */
  readonly reason: string | null;
  readonly accounts: number;
  /** Stored accounts the core could not take (they do not bind on the market), with the first issue code. */
  readonly skipped: readonly { readonly id: string; readonly code: string }[];
  readonly lastSeq: number;
  readonly lastTickSeq: number | null;
  readonly lastEventSeq: number;
  readonly marketId: string | null;
  readonly marketTimestamp: string | null;
  readonly counters: Readonly<Record<string, number>>;
}

export interface LiveEngine {
  readonly name: string;
  /** Load the stored market and accounts into a core and resume the sequences; without a market, wait for one. */
  start(ctx: WriteContext): Promise<void>;
  /** Apply validated ticks in order; one step each. */
  ticks(ticks: readonly Tick[], ctx: WriteContext): Promise<LiveStep[]>;
  /** A stored account was created, replaced or filled (committed): the core takes its new version. */
  accountChanged(account: StoredAccount, cause: string, ctx: WriteContext): Promise<LiveStep | null>;
  /**
   * The document to store for an account written while the engine runs: futures and perpetuals without an
   * `averagePrice` get the live mark as their entry (the core's rule), so stored and live figures stay equal.
   */
  pinEntries(document: Record<string, unknown>): Record<string, unknown>;
  /**
   * Parameter sets changed: accounts whose binding moved to another version take it: one `parameters` input per set
   * when every account of the core on that set moved to one version (a `parameters_changed` event), else one
   * account input per moved account (pinned or patched accounts).
   */
  parametersChanged(ctx: WriteContext): Promise<LiveStep[]>;
  /**
   * The market was replaced wholesale (`PUT /v1/market`): the core restarts on it (breakers re-anchor). While running,
   * the replacement takes one input sequence number (the cluster's `market` control input), so later inputs are
   * numbered alike by every engine.
   */
  marketReplaced(ctx: WriteContext): Promise<void>;
  /** Reset a tripped breaker (one rule, or all of the underlying) and re-anchor its band on the next tick. */
  resetBreaker(underlying: string, rule: string | undefined, ctx: WriteContext): Promise<LiveStep>;
  /** Put new breaker rules in force (a new version; the previous stays stored). */
  setBreakerRules(rules: BreakerRules, ctx: WriteContext): Promise<LiveStep>;
  breakers(): LiveBreakerView;
  figures(id: string): LiveFigures | undefined;
  /** The live figures document (`netrisk account --json --no-distance` on the account and market as held). */
  document(id: string): Result<AccountDocument> | undefined;
  status(): LiveStatus;
  /** Hear every committed step (after its commit). */
  onStep(listener: (step: LiveStep) => void): () => void;
  close(): Promise<void>;
}
