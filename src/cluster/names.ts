/**
 * A netrisk cluster's names and its account → partition hash (docs/scale-out.md, "Partitioning"). Every publisher
 * and every worker computes the partition of an account the same way, so a fill reaches the one worker that holds
 * its account.
 * @module
 */
import { subjectToken } from "../transport/port.js";

/**
 * The partition of an account: FNV-1a (32-bit) of the account id's UTF-8 bytes, modulo the partition count.
 * Deterministic across processes, machines and Node versions (integer arithmetic only, `Math.imul`), and spread
 * evenly over the partitions for ids like `acct-000123`. Changing the partition count moves accounts: the count is
 * fixed when the cluster is created (stored in its config bucket) and every worker checks it.
 */
export function partitionOf(accountId: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(accountId)) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h % partitions;
}

/** Streams, buckets and subjects of one cluster (`name`: letters, digits, `_`, `-`). */
export interface ClusterNames {
  readonly name: string;
  /** Inputs: ticks, control and account inputs (one ordered log; its sequence is the input sequence). */
  readonly inputStream: string;
  /** Outputs: one message (or a few chunks) per partition and input: figure updates and events. */
  readonly outputStream: string;
  /** KV bucket of partition leases and worker heartbeats (entries expire after the lease time). */
  readonly leaseBucket: string;
  /** KV bucket of the cluster's fixed configuration (the partition count). */
  readonly configBucket: string;
  readonly tickSubject: string;
  readonly controlSubject: string;
  /** Subject of an account's inputs: `<name>.in.acct.<partition>.<account token>`. */
  accountSubject(account: string, partitions: number): string;
  /** Every input. */
  readonly inputFilter: string;
  /** Outputs of a partition: `<name>.out.p.<partition>`. */
  outputSubject(partition: number): string;
  readonly outputFilter: string;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export function isClusterName(name: string): boolean {
  return NAME.test(name);
}

export function clusterNames(name: string): ClusterNames {
  if (!isClusterName(name)) throw new Error(`not a cluster name: ${JSON.stringify(name)} (letters, digits, _ and -, at most 64)`);
  return {
    name,
    inputStream: `${name}_IN`,
    outputStream: `${name}_OUT`,
    leaseBucket: `${name}_leases`,
    configBucket: `${name}_config`,
    tickSubject: `${name}.in.tick`,
    controlSubject: `${name}.in.control`,
    accountSubject: (account, partitions) => `${name}.in.acct.${partitionOf(account, partitions)}.${subjectToken(account)}`,
    inputFilter: `${name}.in.>`,
    outputSubject: (p) => `${name}.out.p.${p}`,
    outputFilter: `${name}.out.p.*`,
  };
}
