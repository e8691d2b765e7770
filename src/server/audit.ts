/**
 * Read audit rows, batched: every served figure records what it was computed from (account version, market id,
 * model, parameter-set version) so any number can be reproduced. Writes audit with their own transaction
 * (store/sql-store.ts); reads are many, so they are buffered and committed together, at most `flushMs` (default
 * 25 ms) after the read, and on shutdown.
 *
 * Why 25 ms, not longer: on PGlite the rows cost the server's thread the same whenever they are written, but a flush
 * every 200 ms at 2,000 what-ifs a second was 400 rows, ~8-12 ms of the thread within ~25 ms (the open-loop bench's
 * CPU profile: a busy stretch of 20-30 ms every 200 ms), and the requests arriving then waited behind it: that was
 * the p99. Every 25 ms it is one chunk of ~50 rows (~1 ms); at low rates more statements of few rows (~0.15 ms each),
 * which an idle server can spare.
 *
 * A buffer is committed in chunks of at most `chunkRows` (default 50) rows, yielding to requests between chunks: PGlite
 * runs SQL on the server's own thread, synchronously, at ~20-30 µs a row (a COPY of CSV, sql-store.ts), so one
 * statement of 1,000 rows (half a second of reads at 2,000 req/s) held every request for ~25 ms, which was the
 * what-if's p99; a chunk holds them ~1.5 ms. Each chunk commits on its own.
 * @module
 */
import type { AuditInput, Store, WriteContext } from "../store/port.js";
import type { Logger } from "./ports.js";

export interface ReadAudit {
  record(entry: AuditInput, ctx: WriteContext): void;
  /** Commit what is buffered now (shutdown, tests). */
  flush(): Promise<void>;
}

export function createReadAudit(store: Store, logger: Logger, options: { flushMs?: number; maxBatch?: number; chunkRows?: number } = {}): ReadAudit {
  const flushMs = options.flushMs ?? 25;
  const maxBatch = options.maxBatch ?? 2000;
  const chunkRows = options.chunkRows ?? 50;
  const append = async (batch: (AuditInput & { ctx: WriteContext })[]): Promise<void> => {
    for (let from = 0; from < batch.length; from += chunkRows) {
      if (from > 0) await new Promise((r) => setImmediate(r));
      const chunk = batch.slice(from, from + chunkRows);
      await store.appendAudit(chunk).catch((e: unknown) => logger.error({ err: String(e), rows: chunk.length }, "read audit rows could not be written"));
    }
  };
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
      chain = chain.then(() => append(batch));
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
