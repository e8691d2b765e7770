/**
 * `netrisk serve`: the margin service (src/server) on embedded PGlite in `--data` (default ./netrisk-data) or on
 * PostgreSQL (`--database-url` or DATABASE_URL). Prints `listening on http://HOST:PORT` once it accepts requests;
 * SIGTERM/SIGINT drain the requests in flight and close the store. `--demo` loads the bundled synthetic market and a
 * few hundred generated synthetic accounts (first start only) and prints a new admin key.
 * @module
 */
import { join } from "node:path";
import type { Command } from "commander";
import pino from "pino";
import { issue, NetriskError } from "../../errors.js";
import { demoAccounts } from "../../io/demo.js";
import { validateMarket } from "../../io/market.js";
import { startServer } from "../../server/app.js";
import type { Logger } from "../../server/ports.js";
import { loadServerKey, newKeyMaterial, secretBox, sha256Hex } from "../../server/secrets.js";
import { marketIdOf } from "../../server/book.js";
import { openStore, storeLocation } from "../../store/open.js";
import type { StoreLocation } from "../../store/open.js";
import { packagePath, readJson } from "../files.js";
import { need, runCommand, type Io } from "../run.js";
import { EXAMPLE_MARKET } from "./context.js";

/** The key file of a store: beside the PGlite data, or NETRISK_SERVER_KEY_FILE / ./netrisk-server.key for PostgreSQL. */
export function serverKeyFile(location: StoreLocation, env: NodeJS.ProcessEnv = process.env): string {
  if (env.NETRISK_SERVER_KEY_FILE) return env.NETRISK_SERVER_KEY_FILE;
  return location.kind === "pglite" && location.dataDir !== null ? join(location.dataDir, "server.key") : "netrisk-server.key";
}

const intOption = (name: string, text: string, min: number, max: number): number => {
  const v = Number(text);
  if (!/^\d+$/.test(text.trim()) || v < min || v > max) throw new NetriskError([issue("out_of_range", name, `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(text)}`)]);
  return v;
};

export function registerServe(program: Command, io: Io, setExit: (code: number) => void): void {
  program
    .command("serve")
    .description("start the margin service (HTTP API, Deribit-compatible methods) on embedded PGlite or PostgreSQL")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .option("--port <port>", "port (0: a free one)", "8080")
    .option("--data <dir>", "embedded PGlite data folder (default ./netrisk-data)")
    .option("--database-url <url>", "PostgreSQL URL (or DATABASE_URL) instead of PGlite")
    .option("--demo", "load the synthetic example market and generated synthetic accounts (first start), print an admin key")
    .option("--demo-accounts <n>", "how many demo accounts", "300")
    .action(async (opts: { host: string; port: string; data?: string; databaseUrl?: string; demo?: boolean; demoAccounts: string }) => {
      setExit(
        await runCommand(io, false, async () => {
          const port = intOption("--port", opts.port, 0, 65535);
          const demoCount = intOption("--demo-accounts", opts.demoAccounts, 1, 100_000);
          const location = storeLocation({ data: opts.data, databaseUrl: opts.databaseUrl });
          const serverKey = loadServerKey(serverKeyFile(location));
          const store = await openStore(location, { lockHint: "stop that server first (one server per PGlite folder)" });
          const base = pino({ base: { service: "netrisk" } }, pino.destination({ fd: 2, sync: false }));
          const logger = base as unknown as Logger;
          const ctx = { actor: "netrisk-serve", requestId: null, at: new Date().toISOString() };
          let adminKey: string | undefined;
          if (opts.demo) {
            if ((await store.currentMarket()) === null) {
              const doc = need(readJson(packagePath(EXAMPLE_MARKET))) as Record<string, unknown>;
              const snap = need(validateMarket(doc));
              await store.putMarket({ id: marketIdOf(doc), timestampMs: snap.timestampMs, document: doc }, ctx);
              if ((await store.listAccounts({ limit: 1 })).length === 0) {
                for (const a of demoAccounts(snap, demoCount)) await store.writeAccount({ id: a.id, expectedVersion: 0, document: a.document, audit: { action: "account.create", detail: { demo: true } } }, ctx);
              }
            }
            const m = newKeyMaterial("admin");
            await store.createKey({ clientId: m.clientId, role: "admin", accounts: null, keyHash: sha256Hex(m.apiKey), secretEnc: secretBox(serverKey).seal(m.clientSecret), label: "demo admin (netrisk serve --demo)" }, ctx);
            adminKey = m.apiKey;
          }
          const server = await startServer({ store, serverKey, logger, host: opts.host, port });
          io.out(`listening on ${server.url}`);
          if (adminKey !== undefined) {
            io.out(`demo exchange: the synthetic example market and ${(await store.listAccounts({ limit: 100_000 })).length} synthetic accounts (${location.kind === "pglite" ? `PGlite in ${location.dataDir ?? "memory"}` : "PostgreSQL"})`);
            io.out(`admin key (shown once): ${adminKey}`);
            io.out(`try: curl -H "Authorization: Bearer $KEY" ${server.url}/v1/summary   (API: ${server.url}/openapi.json, docs/server.md)`);
          }
          await new Promise<void>((resolve) => {
            const stop = (signal: string): void => {
              io.err(`netrisk: ${signal}: draining requests and closing the store`);
              void server.close().then(resolve, resolve);
            };
            process.once("SIGTERM", () => stop("SIGTERM"));
            process.once("SIGINT", () => stop("SIGINT"));
          });
          base.flush();
        }),
      );
    });
}
