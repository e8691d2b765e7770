/**
 * Durability (issue 10): a write is acknowledged only once committed. A real `netrisk serve` process (the built
 * dist/, as `npm start` runs it) is killed with SIGKILL while 8 clients are posting fills, on PGlite in a data folder
 * and on the real PostgreSQL server; it is started again on the same storage, and then:
 * - every acknowledged fill is there (its trade id is in the account's `fills.apply` audit rows, and re-sending the
 *   request with its Idempotency-Key is answered from the stored answer, not applied again);
 * - nothing is half there: the account's version is 1 + its `fills.apply` rows, and its position is exactly the sum
 *   of the fills those rows name (each fill buys 1 contract, so any fill half applied would break the count);
 * - after every unacknowledged request is retried with its Idempotency-Key, each fill is applied exactly once.
 * On PGlite the restart also takes over the stale data-folder lock the killed process left.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { runCli } from "../cli/helpers.js";
import { newKeyMaterial, secretBox, sha256Hex } from "../../src/server/secrets.js";
import { openStore } from "../../src/store/open.js";
import type { StoreLocation } from "../../src/store/open.js";
import { testEnv } from "../helpers/requires.js";
import { createScratchDatabase } from "../helpers/postgres.js";
import type { ScratchDatabase } from "../helpers/postgres.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const MAIN = join(ROOT, "dist/cli/main.js");
const ACCOUNTS = ["d-1", "d-2", "d-3", "d-4"];
const CLIENTS = 8;
/** The server is killed once this many fills are acknowledged (and writes are still coming). */
const KILL_AFTER_ACKS = 40;

interface Child {
  readonly url: string;
  readonly process: ChildProcess;
}

/** Start `node dist/cli/main.js serve --port 0 ...` and wait for its listening line (bounded). */
async function serve(storeArgs: string[], serverKeyHex: string, timeoutMs = 90_000): Promise<Child> {
  if (!existsSync(MAIN)) throw new Error("dist/ is not built: run `npm run build` (npm test does) before this test");
  const child = spawn(process.execPath, [MAIN, "serve", "--port", "0", ...storeArgs], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NETRISK_SERVER_KEY: serverKeyHex, DATABASE_URL: "" } });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = /^listening on (http:\/\/\S+)$/m.exec(out);
    if (m) return { url: m[1] as string, process: child };
    if (child.exitCode !== null) throw new Error(`netrisk serve exited with ${child.exitCode}: ${out}\n${err}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`netrisk serve printed no listening line within ${timeoutMs} ms: ${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function kill(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  child.kill(signal);
  const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

interface Sent {
  readonly account: string;
  readonly tradeId: string;
  readonly idempotencyKey: string;
  readonly body: string;
  acked: boolean;
}

function durability(name: string, setup: () => Promise<{ location: StoreLocation; storeArgs: string[]; cleanup(): Promise<void> }>): void {
  it(`${name}: after SIGKILL under concurrent writes, every acknowledged fill is there and none is half there`, async () => {
    const env = await setup();
    const serverKey = randomBytes(32);
    const children: ChildProcess[] = [];
    try {
      // An admin and a feed key, created in the store before the server starts (sealed under the same server key).
      const store = await openStore(env.location);
      const ctx = { actor: "test", requestId: null, at: new Date().toISOString() };
      const admin = newKeyMaterial("admin");
      const feed = newKeyMaterial("feed");
      for (const [m, role] of [[admin, "admin"], [feed, "feed"]] as const)
        await store.createKey({ clientId: m.clientId, role, accounts: null, keyHash: sha256Hex(m.apiKey), secretEnc: secretBox(serverKey).seal(m.clientSecret), label: null }, ctx);
      await store.close();

      let s = await serve(env.storeArgs, serverKey.toString("hex"));
      children.push(s.process);
      const call = async (method: string, path: string, key: string, body?: string, headers: Record<string, string> = {}) => {
        const res = await fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${key}`, "content-type": "application/json", ...headers }, ...(body !== undefined ? { body } : {}) });
        return { status: res.status, headers: res.headers, body: (await res.json()) as any }; // eslint-disable-line @typescript-eslint/no-explicit-any
      };
      const market = { timestamp: "2026-03-02T12:00:00.000Z", index: { BTC: 90000, USDC: 1 }, instruments: { "BTC_USDC-PERPETUAL": { markPrice: 90000 } } };
      expect((await call("PUT", "/v1/market", admin.apiKey, JSON.stringify(market))).status).toBe(200);
      for (const id of ACCOUNTS) expect((await call("PUT", `/v1/accounts/${id}`, admin.apiKey, JSON.stringify({ positions: [], collateral: { USDC: "1000000000" } }))).status).toBe(201);

      if (env.location.kind === "pglite") {
        // While the server holds the folder, `netrisk keys create --data` refuses and names --url.
        const locked = await runCli("keys", "create", "--role", "risk", "--data", env.location.dataDir as string);
        expect(locked.code).toBe(2);
        expect(locked.stderr).toContain("data_locked");
        expect(locked.stderr).toContain("--url");
        // A second server on the same folder is refused too (exit 2, data_locked), and the first keeps serving.
        await expect(serve(env.storeArgs, serverKey.toString("hex"))).rejects.toThrow(/exited with 2[\s\S]*data_locked/);
        expect((await call("GET", "/health", admin.apiKey)).status).toBe(200);
      }

      // 8 clients post fills (each buys 1 contract, its own trade id and Idempotency-Key) until the server dies.
      const sent: Sent[] = [];
      let acks = 0;
      let killed = false;
      let failure: unknown;
      const client = async (c: number): Promise<void> => {
        for (let n = 0; !killed; n++) {
          const account = ACCOUNTS[(c + n) % ACCOUNTS.length] as string;
          const tradeId = `c${c}-${n}`;
          const one = { instrument: "BTC_USDC-PERPETUAL", size: "1", price: "90000", fee: "0", tradeId };
          const body = JSON.stringify(n % 3 === 0 ? [one, { ...one, tradeId: `${tradeId}b` }] : one);
          const rec: Sent = { account, tradeId, idempotencyKey: `k-${tradeId}`, body, acked: false };
          sent.push(rec);
          try {
            const r = await call("POST", `/v1/accounts/${account}/fills`, feed.apiKey, body, { "idempotency-key": rec.idempotencyKey });
            if (r.status !== 200) throw new Error(`fill answered ${r.status}: ${JSON.stringify(r.body)}`);
            rec.acked = true;
            acks++;
          } catch (e) {
            if (!killed) failure ??= e;
            return; // the server died under this request (unacknowledged), or the test failed
          }
        }
      };
      const writers = Array.from({ length: CLIENTS }, (_, c) => client(c));
      while (acks < KILL_AFTER_ACKS && failure === undefined) await new Promise((r) => setTimeout(r, 2));
      if (failure !== undefined) throw failure;
      killed = true;
      await kill(s.process, "SIGKILL");
      await Promise.all(writers);
      expect(sent.filter((x) => !x.acked).length, "some writes were in flight at the kill").toBeGreaterThan(0);

      s = await serve(env.storeArgs, serverKey.toString("hex"));
      children.push(s.process);
      const tradesOf = (r: Sent): string[] => {
        const b = JSON.parse(r.body) as { tradeId: string } | { tradeId: string }[];
        return (Array.isArray(b) ? b : [b]).map((f) => f.tradeId);
      };
      for (const id of ACCOUNTS) {
        const audit = await call("GET", `/v1/audit?account=${id}&limit=10000`, admin.apiKey);
        const rows = (audit.body.entries as { action: string; accountVersion: number; detail: { fills: { tradeId: string }[] } }[]).filter((e) => e.action === "fills.apply");
        const stored = rows.flatMap((e) => e.detail.fills.map((f) => f.tradeId));
        expect(new Set(stored).size, `${id}: a trade applied twice`).toBe(stored.length);
        const acc = await call("GET", `/v1/accounts/${id}`, admin.apiKey);
        // Nothing half there: one version per fills.apply row, and the position is exactly the fills those rows name.
        expect(acc.body.version).toBe(1 + rows.length);
        expect(rows.map((e) => e.accountVersion)).toEqual(rows.map((_, i) => 2 + i));
        const size = (acc.body.account.positions as { size: number }[])[0]?.size ?? 0;
        expect(size).toBe(stored.length);
        // Every acknowledged fill is there.
        const have = new Set(stored);
        for (const r of sent.filter((x) => x.account === id && x.acked)) for (const tId of tradesOf(r)) expect(have.has(tId), `acknowledged ${tId} lost`).toBe(true);
      }
      // Retrying with the same Idempotency-Key: acknowledged ones are answered from the store; the rest apply once.
      for (const r of sent) {
        const again = await call("POST", `/v1/accounts/${r.account}/fills`, feed.apiKey, r.body, { "idempotency-key": r.idempotencyKey });
        expect(again.status).toBe(200);
        if (r.acked) expect(again.headers.get("idempotent-replayed"), `${r.tradeId} was applied again`).toBe("true");
      }
      for (const id of ACCOUNTS) {
        const expected = sent.filter((x) => x.account === id).reduce((k, x) => k + tradesOf(x).length, 0);
        const acc = await call("GET", `/v1/accounts/${id}`, admin.apiKey);
        expect(acc.body.account.positions).toEqual(expected === 0 ? [] : [{ instrument: "BTC_USDC-PERPETUAL", size: expected, averagePrice: 90000 }]);
      }
      // A clean stop: SIGTERM drains and exits 0.
      expect(await kill(s.process, "SIGTERM")).toBe(0);
    } finally {
      for (const c of children) await kill(c, "SIGKILL");
      await env.cleanup();
    }
  }, 240_000);
}

describe("durability: SIGKILL while clients write", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  it("SIGTERM drains: a request in flight is answered, then the server exits 0 and the folder is free", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netrisk-drain-"));
    dirs.push(dir);
    const dataDir = join(dir, "data");
    const serverKey = randomBytes(32).toString("hex");
    const store = await openStore({ kind: "pglite", dataDir });
    const admin = newKeyMaterial("admin");
    await store.createKey({ clientId: admin.clientId, role: "admin", accounts: null, keyHash: sha256Hex(admin.apiKey), secretEnc: secretBox(Buffer.from(serverKey, "hex")).seal(admin.clientSecret), label: null }, { actor: "test", requestId: null, at: new Date().toISOString() });
    await store.close();
    // --demo: 300 synthetic accounts, so /v1/summary (every account's figures, seconds on first call) is still running 0.5 s later.
    const s = await serve(["--data", dataDir, "--demo", "--demo-accounts", "300"], serverKey);
    try {
      const inFlight = fetch(`${s.url}/v1/summary`, { headers: { authorization: `Bearer ${admin.apiKey}` } });
      // Long enough for the server to have read the request (one sent but not yet read when the server closes is
      // refused with its idle connection: Node's server.close()), short of the summary's seconds.
      await new Promise((r) => setTimeout(r, 500));
      const exited = kill(s.process, "SIGTERM");
      const r = await inFlight;
      expect(r.status).toBe(200);
      expect(((await r.json()) as { accounts: number }).accounts).toBe(300);
      expect(await exited).toBe(0);
      await expect(fetch(`${s.url}/health`)).rejects.toThrow();
      // The store was closed and the lock released: the folder opens again.
      const again = await openStore({ kind: "pglite", dataDir });
      expect((await again.listAccounts({ limit: 1000 })).length).toBe(300);
      await again.close();
    } finally {
      await kill(s.process, "SIGKILL");
    }
  }, 240_000);

  durability("PGlite (data folder)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netrisk-durable-"));
    dirs.push(dir);
    const dataDir = join(dir, "data");
    return { location: { kind: "pglite", dataDir }, storeArgs: ["--data", dataDir], cleanup: async () => undefined };
  });

  describe.skipIf(testEnv.postgresUrl === null)("PostgreSQL", () => {
    durability("PostgreSQL", async () => {
      const scratch: ScratchDatabase = await createScratchDatabase(testEnv.postgresUrl as string, "netrisk_durable");
      return { location: { kind: "postgres", url: scratch.url }, storeArgs: ["--database-url", scratch.url], cleanup: () => scratch.drop() };
    });
  });
});
