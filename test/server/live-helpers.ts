/**
 * A service with the live engine on a store that outlives the server (a PGlite folder in a temp dir, or a PostgreSQL
 * database created for the test), so a test can stop the server and start another on the same data; plus an SSE
 * reader over fetch and a WebSocket reader (the `ws` client), both bounded by timeouts.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { startServer } from "../../src/server/app.js";
import type { RunningServer, ServiceOptions } from "../../src/server/app.js";
import { newKeyMaterial, secretBox, sha256Hex } from "../../src/server/secrets.js";
import { openStore } from "../../src/store/open.js";
import type { StoreLocation } from "../../src/store/open.js";
import type { Role } from "../../src/store/port.js";
import { createScratchDatabase } from "../helpers/postgres.js";

export type Backend = { kind: "pglite" } | { kind: "postgres"; serverUrl: string };

export interface LiveTestData {
  readonly location: StoreLocation;
  readonly serverKey: Buffer;
  readonly adminKey: string;
  /** Start a server with the live engine on this data (one at a time: a PGlite folder is locked). */
  start(options?: Partial<ServiceOptions>): Promise<LiveTestServer>;
  /** Create a key (needs a running server's store). */
  key(server: LiveTestServer, role: Role, accounts?: string[]): Promise<string>;
  drop(): Promise<void>;
}

export interface LiveTestServer {
  readonly url: string;
  readonly server: RunningServer;
  call(method: string, path: string, o?: { key?: string | null; body?: unknown; raw?: string; headers?: Record<string, string> }): Promise<{ status: number; body: any; headers: Headers }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  close(): Promise<void>;
}

export async function liveTestData(backend: Backend): Promise<LiveTestData> {
  const dir = backend.kind === "pglite" ? mkdtempSync(join(tmpdir(), "netrisk-live-")) : null;
  const scratch = backend.kind === "postgres" ? await createScratchDatabase(backend.serverUrl, "netrisk_live") : undefined;
  const location: StoreLocation = dir !== null ? { kind: "pglite", dataDir: dir } : { kind: "postgres", url: (scratch as { url: string }).url };
  const serverKey = randomBytes(32);
  const box = secretBox(serverKey);
  const ctx = { actor: "test", requestId: null, at: new Date().toISOString() };
  const store0 = await openStore(location);
  const admin = newKeyMaterial("admin");
  await store0.createKey({ clientId: admin.clientId, role: "admin", accounts: null, keyHash: sha256Hex(admin.apiKey), secretEnc: box.seal(admin.clientSecret), label: null }, ctx);
  await store0.close();
  return {
    location,
    serverKey,
    adminKey: admin.apiKey,
    async start(options = {}) {
      const store = await openStore(location);
      const server = await startServer({ store, serverKey, host: "127.0.0.1", port: 0, live: true, ...options });
      return {
        url: server.url,
        server,
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
        close: () => server.close(),
      };
    },
    async key(s, role, accounts) {
      const m = newKeyMaterial(role);
      await s.server.service.deps.store.createKey({ clientId: m.clientId, role, accounts: role === "trader" ? (accounts ?? []) : null, keyHash: sha256Hex(m.apiKey), secretEnc: box.seal(m.clientSecret), label: null }, ctx);
      return m.apiKey;
    },
    async drop() {
      if (dir !== null) rmSync(dir, { recursive: true, force: true });
      await scratch?.drop();
    },
  };
}

export interface SseEvent {
  readonly id: string | null;
  readonly event: string;
  readonly data: any; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** An SSE subscription read over fetch: events as they come; `until` waits for a condition (bounded). */
export async function sse(url: string, headers: Record<string, string> = {}): Promise<{ status: number; events: SseEvent[]; until(pred: (e: SseEvent[]) => boolean, ms?: number): Promise<void>; close(): void; body: unknown }> {
  const abort = new AbortController();
  const res = await fetch(url, { headers: { accept: "text/event-stream", ...headers }, signal: abort.signal });
  const events: SseEvent[] = [];
  if (res.status !== 200) {
    const body = JSON.parse(await res.text()) as unknown;
    return { status: res.status, events, until: async () => undefined, close: () => abort.abort(), body };
  }
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let buf = "";
  void (async () => {
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        buf += decoder.decode(value, { stream: true });
        let k: number;
        while ((k = buf.indexOf("\n\n")) >= 0) {
          const block = buf.slice(0, k);
          buf = buf.slice(k + 2);
          let id: string | null = null;
          let event = "message";
          const data: string[] = [];
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) continue;
            if (line.startsWith("id: ")) id = line.slice(4);
            else if (line.startsWith("event: ")) event = line.slice(7);
            else if (line.startsWith("data: ")) data.push(line.slice(6));
          }
          if (data.length > 0) events.push({ id, event, data: JSON.parse(data.join("\n")) as unknown });
        }
      }
    } catch {
      // aborted
    }
  })();
  return {
    status: 200,
    events,
    body: undefined,
    async until(pred, ms = 5000) {
      const t0 = Date.now();
      while (!pred(events)) {
        if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms with ${events.length} events: ${JSON.stringify(events.map((e) => [e.id, e.event])).slice(0, 500)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => abort.abort(),
  };
}

/** A WebSocket client collecting JSON messages. */
export async function wsClient(url: string, headers: Record<string, string> = {}): Promise<{ messages: any[]; ws: WebSocket; until(pred: (m: any[]) => boolean, ms?: number): Promise<void>; close(): void }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const ws = new WebSocket(url, { headers });
  const messages: unknown[] = [];
  ws.on("message", (d) => messages.push(JSON.parse(String(d)) as unknown));
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
  });
  return {
    messages,
    ws,
    async until(pred, ms = 5000) {
      const t0 = Date.now();
      while (!pred(messages)) {
        if (Date.now() - t0 > ms) throw new Error(`timed out after ${ms} ms with ${messages.length} messages`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    close: () => ws.close(),
  };
}
