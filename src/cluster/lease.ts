/**
 * Partition ownership by lease in a JetStream KV bucket (docs/scale-out.md, "Ownership"): a worker takes partition
 * `p` by creating key `p.<p>` (refused when the key exists: someone holds it), keeps it by updating it with the
 * revision it last wrote (compare-and-set: refused once someone else has written it), and loses it when it stops
 * renewing: the bucket's TTL removes an entry not rewritten within the lease time, and the key can be created again.
 * Workers also keep a heartbeat key `w.<id>` in the same bucket, so each one can count the live workers and take its
 * fair share of partitions. The revision a lease was taken at is the owner's epoch (it names its consumer).
 * @module
 */
import type { KV, NatsConnection } from "nats";

export interface LeaseValue {
  readonly owner: string;
  readonly atMs: number;
}

export interface Leases {
  /** Take a free partition: the lease's revision, or null when someone holds it. */
  acquire(partition: number): Promise<number | null>;
  /**
   * Keep it: the new revision; null when it is lost (someone else wrote the key, or it expired); undefined when the
   * server did not answer (unknown: the caller counts the lease lost once its time has passed since the last renewal).
   */
  renew(partition: number, revision: number): Promise<number | null | undefined>;
  /** Give it up (only if still ours at `revision`). */
  release(partition: number, revision: number): Promise<void>;
  /** The holder of a partition's lease, or null. */
  holder(partition: number): Promise<string | null>;
  /** Announce this worker as live (a heartbeat entry that expires like a lease). */
  heartbeat(): Promise<void>;
  /** Ids of the live workers (their heartbeat entries). */
  liveWorkers(): Promise<string[]>;
  /** Remove this worker's heartbeat (clean shutdown). */
  leave(): Promise<void>;
}

const encode = (v: LeaseValue): Uint8Array => new TextEncoder().encode(JSON.stringify(v));

/** Open (or create) the lease bucket with entries expiring after `leaseMs`. */
export async function openLeases(nc: NatsConnection, bucket: string, workerId: string, leaseMs: number, now: () => number): Promise<Leases> {
  const kv: KV = await nc.jetstream().views.kv(bucket, { ttl: leaseMs, history: 1 });
  const jsm = await nc.jetstreamManager();
  /** The bucket's stream and its keys' subject prefix (JetStream KV's naming: `KV_<bucket>`, `$KV.<bucket>.<key>`). */
  const stream = `KV_${bucket}`;
  const prefix = `$KV.${bucket}.`;
  const key = (p: number): string => `p.${p}`;
  const workerKey = `w.${workerId.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  return {
    async acquire(p) {
      try {
        return await kv.create(key(p), encode({ owner: workerId, atMs: now() }));
      } catch {
        return null;
      }
    },
    async renew(p, revision) {
      try {
        return await kv.update(key(p), encode({ owner: workerId, atMs: now() }), revision);
      } catch (e) {
        // "wrong last sequence": the key moved on (expired, then created by another worker): definitely lost.
        return /wrong last sequence|10071/i.test(String((e as Error).message)) || (e as { api_error?: { err_code?: number } }).api_error?.err_code === 10071 ? null : undefined;
      }
    },
    async release(p, revision) {
      await kv.delete(key(p), { previousSeq: revision }).catch(() => undefined);
    },
    async holder(p) {
      const e = await kv.get(key(p));
      if (e === null || e.operation !== "PUT") return null;
      return (JSON.parse(new TextDecoder().decode(e.value)) as LeaseValue).owner;
    },
    async heartbeat() {
      await kv.put(workerKey, encode({ owner: workerId, atMs: now() }));
    },
    async liveWorkers() {
      // Not kv.keys(): it reads a filtered ordered consumer until the server says nothing is pending, and nats-server
      // 2.9.10 miscounts a filtered consumer's pending messages (docs/scale-out.md "nats-server restart"), so with
      // heartbeats arriving meanwhile it ran for 10-30 s (the bench's worker took one partition per such round). The
      // stream's own per-subject counts (stream info with a subject filter) are exact and answered at once; a
      // heartbeat deleted (a clean leave) still has its delete marker there, so each subject's last entry is read
      // (a direct get by subject, no consumer) and only a PUT counts.
      const info = await jsm.streams.info(stream, { subjects_filter: `${prefix}w.*` });
      const subjects = Object.keys(info.state.subjects ?? {}).filter((s) => s.startsWith(prefix));
      const entries = await Promise.all(subjects.map((s) => kv.get(s.slice(prefix.length))));
      const out: string[] = [];
      for (const e of entries) if (e !== null && e.operation === "PUT") out.push((JSON.parse(new TextDecoder().decode(e.value)) as LeaseValue).owner);
      return out.sort();
    },
    async leave() {
      await kv.delete(workerKey).catch(() => undefined);
    },
  };
}
