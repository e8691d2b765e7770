/**
 * A nats-server of the test's own (the Debian binary at testEnv.natsServerBin), so a test can kill, stop and
 * restart it without touching the machine's shared server: a config file with JetStream's store in a temporary
 * folder and a free port on 127.0.0.1. Only call inside a block skipped when `testEnv.natsServerBin` is null.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as connectTcp, createServer } from "node:net";
import type { Server, Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { connect } from "nats";

export interface OwnNatsServer {
  readonly url: string;
  readonly port: number;
  /** Stop it (SIGTERM; JetStream flushes its store) and wait for the exit. */
  stop(): Promise<void>;
  /** Start it again on the same port and store. */
  start(): Promise<void>;
  /** The tail of the server's own log (stderr), for a failing test's report. */
  log(): string;
  /** Stop for good and remove the store. */
  dispose(): Promise<void>;
}

/** A port free now on 127.0.0.1 (the OS's pick). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      const port = typeof a === "object" && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Wait until JetStream answers at `url` (bounded). */
export async function jetStreamReady(url: string, ms = 15_000): Promise<void> {
  const t0 = Date.now();
  for (;;) {
    try {
      const nc = await connect({ servers: url, reconnect: false, timeout: 1000 });
      try {
        await (await nc.jetstreamManager()).getAccountInfo();
        return;
      } finally {
        await nc.close();
      }
    } catch (e) {
      if (Date.now() - t0 > ms) throw new Error(`nats-server at ${url} not ready after ${ms} ms: ${String(e)}`, { cause: e });
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export async function startOwnNatsServer(bin: string): Promise<OwnNatsServer> {
  const dir = mkdtempSync(join(tmpdir(), "netrisk-nats-"));
  const port = await freePort();
  const conf = join(dir, "nats.conf");
  writeFileSync(conf, `listen: 127.0.0.1:${port}\njetstream {\n  store_dir: "${join(dir, "js")}"\n  max_memory_store: 268435456\n  max_file_store: 4294967296\n}\n`);
  const url = `nats://127.0.0.1:${port}`;
  let child: ChildProcess | null = null;
  let err = "";
  const start = async (): Promise<void> => {
    const c = spawn(bin, ["-c", conf], { stdio: ["ignore", "ignore", "pipe"] });
    c.stderr?.on("data", (d: Buffer) => {
      err = (err + d.toString()).slice(-6000);
    });
    child = c;
    try {
      await jetStreamReady(url);
    } catch (e) {
      c.kill("SIGKILL");
      throw new Error(`${String(e)}\n${err}`, { cause: e });
    }
  };
  const stop = async (): Promise<void> => {
    const c = child;
    child = null;
    if (c === null || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => c.kill("SIGKILL"), 5000);
      c.once("exit", () => {
        clearTimeout(t);
        resolve();
      });
      c.kill("SIGTERM");
    });
  };
  await start();
  return {
    url,
    port,
    stop,
    start,
    log: () => err,
    async dispose() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TcpProxy {
  /** The URL to give a client instead of `serverUrl` (same server, through the proxy). */
  urlFor(serverUrl: string): string;
  /** Cut every connection and refuse new ones (the client is cut off from the server). */
  cut(): Promise<void>;
  /** Accept and forward again. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 the test can cut: one client's network to NATS, without touching the server. */
export async function tcpProxy(): Promise<TcpProxy> {
  const port = await freePort();
  let target = 0;
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const listen = async (): Promise<void> => {
    const s = createServer((client) => {
      const upstream = connectTcp(target, "127.0.0.1");
      sockets.add(client);
      sockets.add(upstream);
      const drop = (): void => {
        client.destroy();
        upstream.destroy();
        sockets.delete(client);
        sockets.delete(upstream);
      };
      client.on("error", drop).on("close", drop);
      upstream.on("error", drop).on("close", drop);
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve) => s.listen(port, "127.0.0.1", resolve));
    server = s;
  };
  const cut = async (): Promise<void> => {
    const s = server;
    server = null;
    for (const so of sockets) so.destroy();
    sockets.clear();
    if (s !== null) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    urlFor(serverUrl: string) {
      target = Number(new URL(serverUrl).port);
      return `nats://127.0.0.1:${port}`;
    },
    cut,
    restore: listen,
    close: cut,
  };
}
