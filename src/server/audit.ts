/**
 * Read audit rows, batched: every served figure records what it was computed from (account version, market id,
 * model, parameter-set version) so any number can be reproduced. Writes audit with their own transaction
 * (store/sql-store.ts); reads are many, so they are buffered and committed together, at most `flushMs` (default
 * 500 ms) after the read, and on shutdown.
 * @module
 */
import type { AuditInput, Store, WriteContext } from "../store/port.js";
import type { Logger } from "./ports.js";

export interface ReadAudit {
  record(entry: AuditInput, ctx: WriteContext): void;
  /** Commit what is buffered now (shutdown, tests). */
  flush(): Promise<void>;
}

export function createReadAudit(store: Store, logger: Logger, options: { flushMs?: number; maxBatch?: number } = {}): ReadAudit {
  const flushMs = options.flushMs ?? 500;
  const maxBatch = options.maxBatch ?? 2000;
  let buffer: (AuditInput & { ctx: WriteContext })[] = [];
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    const batch = buffer;
    buffer = [];
    if (batch.length > 0) {
      chain = chain.then(() => store.appendAudit(batch)).catch((e: unknown) => logger.error({ err: String(e), rows: batch.length }, "read audit rows could not be written"));
    }
    return chain;
  };
  return {
    record(entry, ctx) {
      buffer.push({ ...entry, ctx });
      if (buffer.length >= maxBatch) void flush();
      else timer ??= setTimeout(() => void flush(), flushMs);
    },
    flush,
  };
}
