/**
 * A live core on a transport: inputs are read in order from `netrisk.in.>` (ticks, account inputs, control), each
 * applied with the transport's sequence as its input `seq`; events and figure updates are published to
 * `netrisk.out.>` with message ids derived from what they are (event `eventSeq`; figures `seq` and account), so a
 * redelivered input or a restarted publisher adds nothing twice. The core does not know which transport carries it:
 * the same runner runs on the in-process adapter here and on NATS JetStream in the scale-out issue.
 *
 * Input messages (JSON, validated here at the boundary; a bad one is rejected with its issues and the run goes on):
 * - `netrisk.in.tick`: a tick in the tick file's format (docs/live.md);
 * - `netrisk.in.account.<id>`: `{"type": "fill", "ts": ..., "fill": {...}}` or
 *   `{"type": "balance", "ts": ..., "currency": "USDC", "amount": 1000, "reason": "deposit"}`;
 * - `netrisk.in.control`: `{"type": "time", "ts": ...}` or `{"type": "breaker_reset", "ts": ..., "underlying": "BTC",
 *   "rule"?: "..."}`. (Parameter versions need a bound model; the service applies them to the core directly.)
 * @module
 */
import type { Fill } from "../account/fills.js";
import type { Issue } from "../errors.js";
import { issue } from "../errors.js";
import { validateTick } from "../io/live.js";
import { parseIsoTimestampMs } from "../io/timestamp.js";
import type { ApplyOutcome, LiveCore, LiveInput } from "../live/core.js";
import type { Subscription, Transport, TransportMessage } from "./port.js";
import { SUBJECTS } from "./port.js";

export interface LiveRunnerOptions {
  /** First input sequence to read (default: 1, the whole log). */
  readonly fromSeq?: number;
  /** Publish a figures message per changed account and input (default true). */
  readonly publishFigures?: boolean;
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
function accountOf(subject: string): string {
  const token = subject.slice("netrisk.in.account.".length);
  return token.replace(/~([0-9a-f]{4})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The live input a message carries, or the issues of a bad one. */
export function inputOfMessage(m: TransportMessage): LiveInput | Issue[] {
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
    return [issue("invalid_value", "type", `unknown account input ${JSON.stringify(d.type)} (fill, balance)`)];
  }
  if (m.subject === SUBJECTS.control) {
    if (d.type === "time") return { kind: "time", seq: m.seq, timestampMs: ts };
    if (d.type === "breaker_reset" && typeof d.underlying === "string")
      return { kind: "breaker_reset", seq: m.seq, timestampMs: ts, underlying: d.underlying, ...(typeof d.rule === "string" ? { rule: d.rule } : {}) };
    return [issue("invalid_value", "type", `unknown control input ${JSON.stringify(d.type)} (time, breaker_reset)`)];
  }
  return [issue("invalid_value", "subject", `no input is read from ${m.subject}`)];
}

/** Start a runner: `core` consumes the transport's inputs; its outputs go back to the transport. */
export async function startLiveRunner(core: LiveCore, transport: Transport, options: LiveRunnerOptions = {}): Promise<LiveRunner> {
  let lastSeq = 0;
  const handle = async (m: TransportMessage): Promise<void> => {
    const input = inputOfMessage(m);
    let outcome: ApplyOutcome;
    if (Array.isArray(input)) outcome = { seq: m.seq, status: "rejected", issues: input, events: [], changed: [], rowsRebuilt: 0, accountsRemargined: 0 };
    else outcome = core.apply(input);
    for (const e of outcome.events) {
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
