/**
 * The cluster's input messages: how a publisher (the service in cluster mode, a feed, a test) puts ticks, control
 * inputs and account inputs on the input stream, and how a worker reads one back as a live-core input. The payloads
 * are the live runner's (src/transport/live-runner.ts); only the subjects differ (an account input's subject carries
 * its partition, so a worker skips other partitions' inputs without parsing them).
 * @module
 */
import type { JetStreamClient, PubAck } from "nats";
import type { Issue } from "../errors.js";
import type { LiveCore, LiveInput } from "../live/core.js";
import { accountOf, inputOfMessage } from "../transport/live-runner.js";
import { SUBJECTS } from "../transport/port.js";
import type { ClusterNames } from "./names.js";

const bytes = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

/**
 * Publish one input. `msgId` makes a publisher's retry harmless (JetStream drops a second copy within the input
 * stream's duplicate window): use the tick's `seq` (`tick:<seq>`) or the fill's trade id (`fill:<account>:<id>`).
 */
export async function publishInput(js: JetStreamClient, names: ClusterNames, partitions: number, input: ClusterInput, msgId?: string): Promise<PubAck> {
  const subject = input.kind === "tick" ? names.tickSubject : input.kind === "control" ? names.controlSubject : names.accountSubject(input.account, partitions);
  return js.publish(subject, bytes(input.data), msgId !== undefined ? { msgID: msgId } : {});
}

/** An input as published: a tick (tick file format), a control input, or an account input of one account. */
export type ClusterInput =
  | { readonly kind: "tick"; readonly data: unknown }
  | { readonly kind: "control"; readonly data: unknown }
  | { readonly kind: "account"; readonly account: string; readonly data: unknown };

/**
 * The live input a message of the input stream carries for `partition` (null: every partition, the single-process
 * reference), `null` when it is another partition's account input, or the issues of a bad one. `core`: the core
 * that applies it (an `account` input, a whole account created or replaced, binds on its market).
 */
export function clusterInputOf(names: ClusterNames, subject: string, seq: number, data: Uint8Array, partition: number | null, core?: LiveCore): LiveInput | Issue[] | null {
  let portSubject: string;
  if (subject === names.tickSubject) portSubject = SUBJECTS.ticks;
  else if (subject === names.controlSubject) portSubject = SUBJECTS.control;
  else {
    const prefix = `${names.name}.in.acct.`;
    if (!subject.startsWith(prefix)) return null;
    const rest = subject.slice(prefix.length);
    const dot = rest.indexOf(".");
    if (partition !== null && Number(rest.slice(0, dot)) !== partition) return null;
    portSubject = `netrisk.in.account.${rest.slice(dot + 1)}`;
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data)) as unknown;
  } catch {
    return [{ code: "invalid_json", path: "", message: "the input is not JSON" } as Issue];
  }
  return inputOfMessage({ subject: portSubject, seq, data: value }, core);
}

/** The account an account input's subject names (null: a tick or control subject, or not this cluster's). */
export function accountOfInputSubject(names: ClusterNames, subject: string): string | null {
  const prefix = `${names.name}.in.acct.`;
  if (!subject.startsWith(prefix)) return null;
  const rest = subject.slice(prefix.length);
  return accountOf(`netrisk.in.account.${rest.slice(rest.indexOf(".") + 1)}`);
}

/** An input message's JSON (undefined: not JSON). Read again only off the hot path (an account input refused). */
export function messageOf(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data)) as unknown;
  } catch {
    return undefined;
  }
}

/**
 * A wholesale market replacement (`PUT /v1/market` in cluster mode) as a control input: `{"type": "market", "ts",
 * "market": <stored market id>}`. It names the stored market (its id is the hash of its document) instead of
 * carrying it: a market file can be tens of megabytes, over a message's size limit. Every partition, at this input
 * in stream order, loads the market from the store and rebuilds its core on it (snapshot.ts `coreOnMarket`).
 */
export function marketInput(marketId: string, timestampMs: number): ClusterInput {
  return { kind: "control", data: { type: "market", ts: new Date(timestampMs).toISOString(), market: marketId } };
}

/** The stored market id a control message names when it is a market replacement (else null: any other input). */
export function marketIdOfInput(names: ClusterNames, subject: string, data: Uint8Array): string | null {
  if (subject !== names.controlSubject) return null;
  try {
    const d = JSON.parse(new TextDecoder().decode(data)) as { type?: unknown; market?: unknown } | null;
    return d !== null && d.type === "market" && typeof d.market === "string" ? d.market : null;
  } catch {
    return null;
  }
}
