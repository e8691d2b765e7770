/**
 * Starting a service in a test: an in-process server on 127.0.0.1 port 0 over a fresh store (PGlite in memory, or a
 * PostgreSQL database created for the test), a random server key, an admin key, and a small fetch helper. Stop it
 * in afterAll: `await t.close()`.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { startServer } from "../../src/server/app.js";
import type { RunningServer } from "../../src/server/app.js";
import type { Clock, Logger } from "../../src/server/ports.js";
import { newKeyMaterial, secretBox, sha256Hex } from "../../src/server/secrets.js";
import { openStore } from "../../src/store/open.js";
import type { Role, Store } from "../../src/store/port.js";
import { createScratchDatabase } from "../helpers/postgres.js";

export interface TestService {
  readonly url: string;
  readonly server: RunningServer;
  readonly store: Store;
  readonly adminKey: string;
  /** Create a key directly in the store: { clientId, clientSecret, apiKey }. */
  key(role: Role, accounts?: string[]): Promise<{ clientId: string; clientSecret: string; apiKey: string }>;
  /** fetch with JSON in and out. */
  call(method: string, path: string, options?: { key?: string | null; body?: unknown; headers?: Record<string, string>; raw?: string }): Promise<{ status: number; body: any; headers: Headers }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

export async function startTestService(
  backend: { kind: "pglite" } | { kind: "postgres"; serverUrl: string },
  options: { clock?: Clock; bodyLimitBytes?: number; logger?: Logger; fallback?: (req: IncomingMessage, res: ServerResponse) => boolean } = {},
): Promise<TestService> {
  const scratch = backend.kind === "postgres" ? await createScratchDatabase(backend.serverUrl, "netrisk_srv") : undefined;
  const store = await openStore(scratch === undefined ? { kind: "pglite", dataDir: null } : { kind: "postgres", url: scratch.url });
  const serverKey = randomBytes(32);
  const box = secretBox(serverKey);
  const ctx = { actor: "test", requestId: null, at: new Date().toISOString() };
  const key = async (role: Role, accounts?: string[]) => {
    const m = newKeyMaterial(role);
    await store.createKey({ clientId: m.clientId, role, accounts: role === "trader" ? (accounts ?? []) : null, keyHash: sha256Hex(m.apiKey), secretEnc: box.seal(m.clientSecret), label: null }, ctx);
    return m;
  };
  const admin = await key("admin");
  const server = await startServer({ store, serverKey, host: "127.0.0.1", port: 0, ...(options.clock !== undefined ? { clock: options.clock } : {}), ...(options.bodyLimitBytes !== undefined ? { bodyLimitBytes: options.bodyLimitBytes } : {}), ...(options.logger !== undefined ? { logger: options.logger } : {}), ...(options.fallback !== undefined ? { fallback: options.fallback } : {}) });
  return {
    url: server.url,
    server,
    store,
    adminKey: admin.apiKey,
    key,
    async call(method, path, o = {}) {
      const k = o.key === undefined ? admin.apiKey : o.key;
      const res = await fetch(`${server.url}${path}`, {
        method,
        headers: { ...(k !== null ? { authorization: `Bearer ${k}` } : {}), ...(o.body !== undefined || o.raw !== undefined ? { "content-type": "application/json" } : {}), ...o.headers },
        ...(o.raw !== undefined ? { body: o.raw } : o.body !== undefined ? { body: JSON.stringify(o.body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text === "" ? undefined : (JSON.parse(text) as unknown), headers: res.headers };
    },
    async close() {
      await server.close();
      await scratch?.drop();
    },
  };
}

/** The bundled synthetic example market, as a market file document. */
export const exampleMarket = (): unknown => JSON.parse(readFileSync(new URL("../../examples/market.json", import.meta.url), "utf8"));
export const exampleAccount = (): Record<string, unknown> => JSON.parse(readFileSync(new URL("../../examples/account.json", import.meta.url), "utf8")) as Record<string, unknown>;
