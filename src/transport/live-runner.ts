/**
 * A live core on a transport: inputs are read in order from `netrisk.in.>` (ticks, account inputs, control), each
 * applied with the transport's sequence as its input `seq`; events and figure updates are published to
 * `netrisk.out.>` with message ids derived from what they are (event `eventSeq`; figures `seq` and account), so a
 * redelivered input or a restarted publisher adds nothing twice. The core does not know which transport carries it:
 * the same runner runs on the in-process adapter here and on NATS JetStream in the scale-out issue.
 *
 * Input messages (JSON, validated here at the boundary; a bad one is rejected with its issues and the run goes on):
 * - `netrisk.in.tick`: a tick in the tick file's format (docs/live.md);
 * - `netrisk.in.account.<id>`: `{"type": "fill", "ts": ..., "fill": {...}}`,
 *   `{"type": "balance", "ts": ..., "currency": "USDC", "amount": 1000, "reason": "deposit"}`, or the whole account
 *   `{"type": "account", "ts": ..., "document": <account file>, "parameterSet": {"name", "version", "document"} | null,
 *   "cause"?: "..."}` (created or replaced; self-contained: the parameter set it binds to travels with it, so a worker
 *   with no store binds it the same way);
 * - `netrisk.in.control`: `{"type": "time", "ts": ...}`, `{"type": "breaker_reset", "ts": ..., "underlying": "BTC",
 *   "rule"?: "..."}`, `{"type": "breaker_rules", "ts": ..., "rules": <breaker rules file>}` or `{"type": "parameters",
 *   "ts": ..., "model": "deribit", "parameterSet": {"name", "version", "document"}}` (a new version of a parameter set:
 *   every account of the core on that set moves to it, one `parameters_changed` event; self-contained, the model is
 *   built here from the document as the account binder builds it without overrides).
 * @module
 */
import type { Fill } from "../account/fills.js";
import type { Issue } from "../errors.js";
import { fail, issue, ok } from "../errors.js";
import { createAccountBinder } from "../io/account-binder.js";
import { createModel } from "../models/registry.js";
import type { AccountBinder, ParameterSetResolver } from "../io/account-binder.js";
import { liveAccountOfLoaded } from "../io/live-accounts.js";
import { validateBreakerRules, validateTick } from "../io/live.js";
import { parseIsoTimestampMs } from "../io/timestamp.js";
import type { ApplyOutcome, LiveAccountInput, LiveCore, LiveInput } from "../live/core.js";
import type { MarketContext } from "../market/context.js";
import type { Subscription, Transport, TransportMessage } from "./port.js";
import { SUBJECTS } from "./port.js";

export interface LiveRunnerOptions {
  /** First input sequence to read (default: 1, the whole log). */
  readonly fromSeq?: number;
  /** Publish a figures message per changed account and input (default true). */
  readonly publishFigures?: boolean;
  /**
   * Publish the events (default true). An owner that commits them itself (the service's in-process engine) turns
   * this off: the transport then carries inputs only, so its sequence counts inputs, as the cluster's input stream.
   */
  readonly publishEvents?: boolean;
  /** Called after every input with its outcome (logging, metrics, storage). */
  readonly onOutcome?: (outcome: ApplyOutcome, message: TransportMessage) => void | Promise<void>;
}

export interface LiveRunner {
  /** Sequence of the last input applied, ignored or rejected. */
  readonly lastSeq: number;
  /** Resolve once every input published up to now has been handled. */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

/** The account id of an account-input subject (the token decoded). */
export function accountOf(subject: string): string {
  const token = subject.slice("netrisk.in.account.".length);
  return token.replace(/~([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Bind an `account` message's document on the core's market with the parameter set it carries. */
function accountInput(core: LiveCore | undefined, account: string, d: Record<string, unknown>): LiveAccountInput | Issue[] {
  if (core === undefined) return [issue("unsupported", "type", "an account message needs the core's market to bind on")];
  return accountOfMessage(core.marketContext(), account, d);
}

/**
 * Binders per market and carried parameter set (its name and version, and the same document). Why: every fill reaches
 * the core as an `account` message, and a binder made per message built the model from the set's document again each
 * time (parsing and checking the risk-matrix parameters: ~4 % of a fill's CPU in the service). The document is
 * compared, not only its name and version: a version not yet in force may be replaced with another document (store
 * port). Compared by a walk, not by its JSON text: printing the ~4.5 KB set and hashing that text as a key cost as
 * much as the model it saved.
 */
const bindersByMarket = new WeakMap<MarketContext, Map<string, { readonly document: unknown; readonly binder: AccountBinder }>>();

/** Whether two JSON values are the same (objects: the same keys, in any order, with the same values). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameJson(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let keys = 0;
  for (const k in x) {
    if (!Object.prototype.hasOwnProperty.call(x, k)) continue;
    if (!Object.prototype.hasOwnProperty.call(y, k) || !sameJson(x[k], y[k])) return false;
    keys++;
  }
  for (const k in y) if (Object.prototype.hasOwnProperty.call(y, k)) keys--;
  return keys === 0;
}

function binderFor(market: MarketContext, ps: { name?: unknown; version?: unknown; document?: unknown } | null | undefined): AccountBinder {
  const carried = ps !== null && ps !== undefined && typeof ps.version === "string" ? { name: ps.name, version: ps.version, document: ps.document } : null;
  const key = carried === null ? "" : `${typeof carried.name === "string" ? carried.name : ""}\u0000${carried.version}`;
  let binders = bindersByMarket.get(market);
  if (binders === undefined) bindersByMarket.set(market, (binders = new Map()));
  const kept = binders.get(key);
  if (kept !== undefined && sameJson(kept.document, carried?.document)) return kept.binder;
  const resolver: ParameterSetResolver = (name) =>
    carried !== null ? ok({ name: typeof carried.name === "string" ? carried.name : name, version: carried.version, document: carried.document }) : fail(issue("required", "parameterSet", `no parameter set ${name} came with the message`));
  const binder = createAccountBinder(market, resolver);
  // One binder per name and version: a replaced document replaces it (the map holds as many as there are versions).
  binders.set(key, { document: carried?.document, binder });
  return binder;
}

/** An `account` message's document bound on `market` with the parameter set it carries (a partition binds one it kept aside on a new market so). */
export function accountOfMessage(market: MarketContext, account: string, d: Record<string, unknown>): LiveAccountInput | Issue[] {
  if (d.document === null || typeof d.document !== "object") return [issue("required", "document", "an account message needs the account file as document")];
  const ps = d.parameterSet as { name?: unknown; version?: unknown; document?: unknown } | null | undefined;
  const bound = binderFor(market, ps).bind(d.document);
  if (!bound.ok) return bound.issues.map((i) => ({ ...i, path: i.path === "" ? "document" : `document.${i.path}` }));
  return liveAccountOfLoaded(account, d.document, bound.value);
}

/** The live input a message carries, or the issues of a bad one (`core`: to bind `account` messages on its market). */
export function inputOfMessage(m: TransportMessage, core?: LiveCore): LiveInput | Issue[] {
  const d = m.data as Record<string, unknown> | null;
  if (m.subject === SUBJECTS.ticks) {
    const t = validateTick(m.data);
    return t.ok ? { kind: "tick", seq: m.seq, tick: t.value } : [...t.issues];
  }
  if (d === null || typeof d !== "object" || typeof d.type !== "string") return [issue("invalid_value", "type", "an input message needs a type")];
  const ts = typeof d.ts === "string" ? parseIsoTimestampMs(d.ts) : undefined;
  if (ts === undefined) return [issue("invalid_value", "ts", "an input message needs ts, an RFC 3339 time")];
  if (m.subject.startsWith("netrisk.in.account.")) {
    const account = accountOf(m.subject);
    if (d.type === "fill" && d.fill !== null && typeof d.fill === "object") return { kind: "fill", seq: m.seq, timestampMs: ts, account, fill: d.fill as Fill };
    if (d.type === "balance" && typeof d.currency === "string" && typeof d.amount === "number")
      return { kind: "balance", seq: m.seq, timestampMs: ts, account, currency: d.currency, amount: d.amount, ...(typeof d.reason === "string" ? { reason: d.reason } : {}) };
    if (d.type === "account") {
      const a = accountInput(core, account, d);
      if (Array.isArray(a)) return a;
      return { kind: "account", seq: m.seq, timestampMs: ts, account: a, ...(typeof d.cause === "string" ? { cause: d.cause } : {}) };
    }
    return [issue("invalid_value", "type", `unknown account input ${JSON.stringify(d.type)} (fill, balance, account)`)];
  }
  if (m.subject === SUBJECTS.control) {
    if (d.type === "time") return { kind: "time", seq: m.seq, timestampMs: ts };
    if (d.type === "breaker_reset" && typeof d.underlying === "string")
      return { kind: "breaker_reset", seq: m.seq, timestampMs: ts, underlying: d.underlying, ...(typeof d.rule === "string" ? { rule: d.rule } : {}) };
    if (d.type === "parameters") {
      const ps = d.parameterSet as { name?: unknown; version?: unknown; document?: unknown } | null | undefined;
      if (ps === null || typeof ps !== "object" || typeof ps.name !== "string" || ps.document === undefined)
        return [issue("required", "parameterSet", "a parameters input needs parameterSet: {name, version, document}")];
      const modelId = typeof d.model === "string" ? d.model : "deribit";
      const model = createModel(modelId, { parameterSet: ps.document });
      if (!model.ok) return model.issues.map((i) => ({ ...i, path: i.path === "model" ? "model" : `parameterSet.document${i.path === "" ? "" : `.${i.path}`}` }));
      return { kind: "parameters", seq: m.seq, timestampMs: ts, parameterSetName: ps.name, model: model.value };
    }
    if (d.type === "breaker_rules") {
      const r = validateBreakerRules(d.rules);
      if (!r.ok) return r.issues.map((i) => ({ ...i, path: i.path === "" ? "rules" : `rules.${i.path}` }));
      return { kind: "breaker_rules", seq: m.seq, timestampMs: ts, rules: r.value };
    }
    return [issue("invalid_value", "type", `unknown control input ${JSON.stringify(d.type)} (time, breaker_reset, breaker_rules, parameters)`)];
  }
  return [issue("invalid_value", "subject", `no input is read from ${m.subject}`)];
}

/** Start a runner: `core` consumes the transport's inputs; its outputs go back to the transport. */
export async function startLiveRunner(core: LiveCore, transport: Transport, options: LiveRunnerOptions = {}): Promise<LiveRunner> {
  let lastSeq = 0;
  const handle = async (m: TransportMessage): Promise<void> => {
    const input = inputOfMessage(m, core);
    let outcome: ApplyOutcome;
    if (Array.isArray(input)) outcome = { seq: m.seq, status: "rejected", issues: input, events: [], changed: [], rowsRebuilt: 0, accountsRemargined: 0 };
    else outcome = core.apply(input);
    for (const e of options.publishEvents === false ? [] : outcome.events) {
      const account = "account" in e ? e.account : undefined;
      await transport.publish(SUBJECTS.event(e.type, account), e, { msgId: `event:${e.eventSeq}` });
    }
    if (options.publishFigures ?? true) {
      for (const id of outcome.changed) {
        await transport.publish(SUBJECTS.figures(id), { seq: outcome.seq, type: "figures", account: id, figures: core.figures(id) }, { msgId: `figures:${outcome.seq}:${id}` });
      }
    }
    lastSeq = m.seq;
    await options.onOutcome?.(outcome, m);
  };
  const sub: Subscription = await transport.subscribe("netrisk.in.>", handle, { fromSeq: options.fromSeq ?? 1 });
  return {
    get lastSeq() {
      return lastSeq;
    },
    async idle() {
      // Inputs are those on netrisk.in.>; outputs the runner publishes itself are not waited for.
      for (;;) {
        const pending = (await transport.read("netrisk.in.>", lastSeq + 1, 1)).length;
        if (pending === 0) return;
        await new Promise((r) => setTimeout(r, 1));
      }
    },
    async stop() {
      await sub.unsubscribe();
    },
  };
}
