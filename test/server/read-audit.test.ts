/**
 * The batched read audit (src/server/audit.ts): rows are committed within the flush interval, in statements of at most
 * `chunkRows` rows with the event loop free between them (on PGlite the SQL runs on the server's thread), in the order
 * they were recorded; a failed chunk is logged and the next ones are still written.
 */
import { describe, expect, it } from "vitest";
import { createReadAudit } from "../../src/server/audit.js";
import type { Logger } from "../../src/server/ports.js";
import type { AuditInput, Store, WriteContext } from "../../src/store/port.js";

const ctx: WriteContext = { actor: "t", requestId: "r", at: "2026-12-07T00:00:00.000Z" };
const row = (i: number): AuditInput => ({ action: "whatif.read", accountId: `a-${i}`, accountVersion: 1, detail: { i } });

function recorder(failOn?: number) {
  const chunks: number[][] = [];
  const events: string[] = [];
  const store = {
    appendAudit: async (entries: readonly (AuditInput & { ctx: WriteContext })[]) => {
      events.push(`chunk ${entries.length}`);
      if (chunks.length === failOn) {
        chunks.push([]);
        throw new Error("disk full");
      }
      chunks.push(entries.map((e) => (e.detail as { i: number }).i));
    },
  } as unknown as Store;
  const errors: unknown[] = [];
  const logger: Logger = { info: () => undefined, warn: () => undefined, error: (o) => void errors.push(o), child: () => logger };
  return { store, chunks, events, errors, logger };
}

describe("read audit", () => {
  it("commits a batch in chunks of at most chunkRows, in order, yielding to other work between chunks", async () => {
    const r = recorder();
    const audit = createReadAudit(r.store, r.logger, { flushMs: 10_000, chunkRows: 100 });
    for (let i = 0; i < 250; i++) audit.record(row(i), ctx);
    // Work queued now (a request's callback) runs before the second chunk, not after the whole batch.
    const flushed = audit.flush();
    setImmediate(() => r.events.push("other work"));
    await flushed;
    expect(r.chunks.map((c) => c.length)).toEqual([100, 100, 50]);
    expect(r.chunks.flat()).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(r.events.indexOf("other work")).toBeGreaterThan(0);
    expect(r.events.indexOf("other work")).toBeLessThan(r.events.length - 1);
  });

  it("commits on its own within the flush interval", async () => {
    const r = recorder();
    const audit = createReadAudit(r.store, r.logger, { flushMs: 20 });
    audit.record(row(1), ctx);
    expect(r.chunks).toEqual([]);
    await new Promise((res) => setTimeout(res, 80));
    expect(r.chunks).toEqual([[1]]);
  });

  it("logs a failed chunk and still writes the next ones", async () => {
    const r = recorder(0);
    const audit = createReadAudit(r.store, r.logger, { flushMs: 10_000, chunkRows: 2 });
    for (let i = 0; i < 5; i++) audit.record(row(i), ctx);
    await audit.flush();
    expect(r.chunks).toEqual([[], [2, 3], [4]]);
    expect(r.errors).toEqual([expect.objectContaining({ rows: 2 })]);
  });
});
