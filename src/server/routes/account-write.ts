/**
 * The write path every account change shares (fills, balance changes): idempotent by `Idempotency-Key`, `If-Match`
 * on the version, one write at a time per account in this process, re-read on a lost race, and the committed
 * version handed to the live engine.
 * @module
 */
import { createHash } from "node:crypto";
import { httpFail } from "../http.js";
import type { Reply, RequestContext } from "../http.js";
import type { IdempotencyRecord, StoredAccount } from "../../store/port.js";
import type { ServiceDeps } from "../deps.js";
import { writeContext } from "../deps.js";
import type { keyedSerial } from "../keyed-serial.js";
import { ifMatchVersion, loadAccountFor } from "./accounts.js";

function replay(ctx: RequestContext, record: IdempotencyRecord, requestHash: string): Reply {
  if (record.requestHash !== requestHash)
    httpFail("idempotency_mismatch", "idempotency-key", `Idempotency-Key ${JSON.stringify(ctx.headers["idempotency-key"])} was used with a different request`);
  return { status: record.status, body: record.response, headers: { "idempotent-replayed": "true" } };
}

/** What an account write computes from the account as read: the answer, and the write (none when nothing changes). */
export interface AccountChange {
  readonly body: Record<string, unknown>;
  readonly write: null | {
    readonly document: Record<string, unknown>;
    readonly fills?: { tradeId: string; fill: Record<string, unknown> }[];
    readonly audit: { action: string; detail: Record<string, unknown> };
    /** The cause the live engine's events carry. */
    readonly cause: (version: number) => string;
    readonly event: "fills" | "balances";
  };
}

/**
 * An account write that is idempotent by `Idempotency-Key` (the first answer stored with the write, in its
 * transaction; a retry with the same body gets it again, with another body a 422), checks `If-Match`, runs one at a
 * time per account in this process, re-reads on a lost race (up to 5 times), and hands the committed version to the
 * live engine. `compute` sees the account as stored at each attempt.
 */
export function idempotentAccountWrite(deps: ServiceDeps, serial: ReturnType<typeof keyedSerial>, ctx: RequestContext, scopePrefix: string, compute: (account: StoredAccount) => Promise<AccountChange>): Promise<Reply> {
  const id = ctx.params.id as string;
  const key = ctx.headers["idempotency-key"];
  if (key !== undefined && (typeof key !== "string" || !/^[\x21-\x7e]{1,200}$/.test(key))) httpFail("invalid_value", "idempotency-key", "Idempotency-Key must be 1-200 visible ASCII characters");
  const scope = `${scopePrefix}:${id}`;
  const requestHash = createHash("sha256").update(`${ctx.method} ${ctx.path}\n${JSON.stringify(ctx.body)}`).digest("hex");
  return serial(id, async (): Promise<Reply> => {
    if (typeof key === "string") {
      const seen = await deps.store.getIdempotency(scope, key);
      if (seen !== null) return replay(ctx, seen, requestHash);
    }
    const expected = ifMatchVersion(ctx);
    for (let attempt = 0; attempt < 5; attempt++) {
      const account = await loadAccountFor(deps, { clientId: "", role: "admin", accounts: null, via: "key" }, id);
      if (expected !== undefined && expected !== account.version) httpFail("version_conflict", "if-match", `account ${id} is at version ${account.version}, not ${expected}`);
      const { body, write } = await compute(account);
      if (write === null) return { status: 200, body };
      const w = await deps.store.writeAccount(
        {
          id,
          expectedVersion: account.version,
          document: write.document,
          ...(write.fills !== undefined ? { fills: write.fills } : {}),
          audit: write.audit,
          ...(typeof key === "string" ? { idempotency: { scope, key, requestHash, status: 200, response: body } } : {}),
        },
        writeContext(deps, ctx),
      );
      if (w.ok) {
        deps.events.publish({ type: "account.updated", accountId: id, version: w.account.version, cause: write.event });
        await deps.live?.accountChanged(w.account, write.cause(w.account.version), writeContext(deps, ctx));
        return { status: 200, body, headers: { etag: `"${w.account.version}"` } };
      }
      if (w.reason === "idempotency_taken") return replay(ctx, w.record, requestHash);
      if (w.reason === "version_conflict" && expected !== undefined) httpFail("version_conflict", "if-match", `account ${id} is at version ${w.currentVersion}, not ${expected}`);
      if (w.reason === "version_conflict" && w.currentVersion === 0) httpFail("not_found", "id", `no account ${JSON.stringify(id)}`);
      // Another write got there first (or a concurrent request stored one of these trades): read again.
    }
    return httpFail("version_conflict", "id", `account ${id} is being written too often to apply the change; retry`);
  });
}
