/**
 * `netrisk keys create|list|revoke`, `netrisk audit --account`, `netrisk params preview` (issue 10), run in-process:
 * directly on a PGlite data folder (`--data`, no server holding it) and through a running server (`--url --key`, the
 * API). (`--data` on a folder a running server holds is refused naming --url: test/server/durability.test.ts, with a
 * real server process.)
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer } from "../../src/server/app.js";
import { loadServerKey } from "../../src/server/secrets.js";
import { openStore } from "../../src/store/open.js";
import { exampleAccount, exampleMarket, startTestService } from "../server/helpers.js";
import type { TestService } from "../server/helpers.js";
import { runCli } from "./helpers.js";

const preset = JSON.parse(readFileSync(new URL("../../presets/deribit.json", import.meta.url), "utf8")) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const candidate = { ...preset, version: "cli-1", currency_pair: { ...preset.currency_pair, btc_usd: { ...preset.currency_pair.btc_usd, price_range: 0.24 } } };

describe("netrisk keys / audit / params preview", () => {
  const dir = mkdtempSync(join(tmpdir(), "netrisk-admin-"));
  const dataDir = join(dir, "data");
  const paramsFile = join(dir, "candidate.json");
  let t: TestService;
  beforeAll(async () => {
    writeFileSync(paramsFile, JSON.stringify(candidate));
    t = await startTestService({ kind: "pglite" });
    expect((await t.call("PUT", "/v1/market", { body: exampleMarket() })).status).toBe(200);
    expect((await t.call("PUT", "/v1/accounts/a-1", { body: exampleAccount() })).status).toBe(201);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("--data: keys create prints the client id, the secret and, last, the API key; list shows no secret; revoke; bad flags exit 2", async () => {
    const created = await runCli("keys", "create", "--role", "trader", "--accounts", "a-1,a-2", "--label", "desk", "--data", dataDir);
    expect(created.code, created.stderr).toBe(0);
    const lines = created.stdout.trim().split("\n");
    const clientId = /^client id: (\S+)$/.exec(lines[0] ?? "")?.[1] as string;
    const secret = /^client secret: (\S+)$/.exec(lines[1] ?? "")?.[1] as string;
    const apiKey = lines[lines.length - 1] as string;
    expect(apiKey).toMatch(new RegExp(`^nr\\.${clientId}\\.`));
    const list = await runCli("keys", "list", "--json", "--data", dataDir);
    expect(list.code).toBe(0);
    const keys = JSON.parse(list.stdout) as Record<string, unknown>[];
    expect(keys).toEqual([expect.objectContaining({ clientId, role: "trader", accounts: ["a-1", "a-2"], label: "desk", revokedAt: null })]);
    expect(list.stdout).not.toContain(secret);
    expect(list.stdout).not.toContain(apiKey);
    expect(Object.keys(keys[0] ?? {})).not.toContain("keyHash");
    expect((await runCli("keys", "revoke", clientId, "--data", dataDir)).code).toBe(0);
    expect(JSON.parse((await runCli("keys", "list", "--json", "--data", dataDir)).stdout)[0].revokedAt).not.toBeNull();
    const bad = await runCli("keys", "create", "--role", "trader", "--data", dataDir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--accounts");
    const role = await runCli("keys", "create", "--role", "root", "--json", "--data", dataDir);
    expect(role.code).toBe(2);
    expect(JSON.parse(role.stdout).error.issues[0]).toMatchObject({ code: "invalid_value", path: "--role" });
    const nowhere = await runCli("keys", "list");
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toContain("--url");
  }, 180_000);

  it("--data: audit --account and params preview on a stopped server's folder", async () => {
    // A server on the folder writes an account, then stops (releasing the folder).
    const store = await openStore({ kind: "pglite", dataDir });
    const server = await startServer({ store, serverKey: loadServerKey(join(dataDir, "server.key")), port: 0 });
    const admin = await runCli("keys", "create", "--role", "admin", "--url", server.url, "--key", "nr.admin-000000000000.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA");
    expect(admin.code).toBe(2); // an unknown key through --url: the server's 401, as a coded error
    expect(admin.stderr).toContain("unauthorized");
    await store.putMarket({ id: "m-cli", timestampMs: Date.parse("2026-03-02T12:00:00Z"), document: exampleMarket() as Record<string, unknown> }, { actor: "test", requestId: null, at: new Date().toISOString() });
    await store.writeAccount({ id: "a-1", expectedVersion: 0, document: exampleAccount(), audit: { action: "account.create", detail: {} } }, { actor: "test", requestId: "req-1", at: new Date().toISOString() });
    await server.close();
    const audit = await runCli("audit", "--account", "a-1", "--json", "--data", dataDir);
    expect(audit.code, audit.stderr).toBe(0);
    expect(JSON.parse(audit.stdout)).toEqual([expect.objectContaining({ action: "account.create", accountId: "a-1", accountVersion: 1, actor: "test", requestId: "req-1" })]);
    const preview = await runCli("params", "preview", "--name", "deribit", "--params", paramsFile, "--json", "--data", dataDir);
    expect(preview.code, preview.stderr).toBe(0);
    const p = JSON.parse(preview.stdout);
    expect(p.accounts.map((a: { id: string }) => a.id)).toEqual(["a-1"]);
    expect(p.accounts[0].candidate.initialMarginUsd).toBeGreaterThan(p.accounts[0].now.initialMarginUsd);
    // The one-off key the local preview made is revoked.
    const keys = JSON.parse((await runCli("keys", "list", "--json", "--data", dataDir)).stdout) as { label: string | null; revokedAt: string | null }[];
    expect(keys.filter((k) => k.label?.startsWith("netrisk params preview")).every((k) => k.revokedAt !== null)).toBe(true);
  }, 180_000);

  it("--url --key: the same commands through a running server's API", async () => {
    const created = await runCli("keys", "create", "--role", "risk", "--json", "--url", t.url, "--key", t.adminKey);
    expect(created.code, created.stderr).toBe(0);
    const k = JSON.parse(created.stdout) as { clientId: string; apiKey: string; clientSecret: string };
    expect((await t.call("GET", "/v1/accounts/a-1", { key: k.apiKey })).status).toBe(200);
    const listed = await runCli("keys", "list", "--url", t.url, "--key", t.adminKey);
    expect(listed.stdout).toContain(`${k.clientId}  risk`);
    expect(listed.stdout).not.toContain(k.clientSecret);
    const audit = await runCli("audit", "--account", "a-1", "--url", t.url, "--key", t.adminKey);
    expect(audit.code).toBe(0);
    expect(audit.stdout).toMatch(/account\.create v1/);
    const preview = await runCli("params", "preview", "--name", "deribit", "--params", paramsFile, "--url", t.url, "--key", k.apiKey);
    expect(preview.code, preview.stderr).toBe(0);
    expect(preview.stdout).toMatch(/^1 accounts on deribit: IM [\d.]+ -> [\d.]+ USD, MM [\d.]+ -> [\d.]+ USD\nentering margin call: \d+/);
    expect((await runCli("keys", "revoke", k.clientId, "--url", t.url, "--key", t.adminKey)).code).toBe(0);
    expect((await t.call("GET", "/v1/accounts/a-1", { key: k.apiKey })).status).toBe(401);
    const missing = await runCli("keys", "revoke", "risk-000000000000", "--url", t.url, "--key", t.adminKey);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("not_found");
  }, 120_000);
});
