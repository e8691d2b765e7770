/**
 * `netrisk keys create|list|revoke`, `netrisk audit --account ID`, `netrisk params preview`: administration of a
 * service's store, either directly (`--data DIR` or `--database-url URL`, when no server holds the folder) or through
 * a running server (`--url URL --key ADMIN_KEY`, which goes through the API: POST /v1/keys, GET /v1/audit, ...).
 * A PGlite folder held by a running server is refused with `data_locked`, naming `--url`.
 * @module
 */
import type { Command } from "commander";
import { issue, NetriskError } from "../../errors.js";
import type { errorBody } from "../../server/http.js";
import { startServer } from "../../server/app.js";
import { loadServerKey, newKeyMaterial, secretBox, sha256Hex } from "../../server/secrets.js";
import { openStore, storeLocation } from "../../store/open.js";
import type { Role, Store } from "../../store/port.js";
import { ROLES } from "../../store/port.js";
import { readJson } from "../files.js";
import { toJson } from "../output.js";
import { need, runCommand, type Io } from "../run.js";
import { serverKeyFile } from "./serve.js";

interface Target {
  data?: string;
  databaseUrl?: string;
  url?: string;
  key?: string;
  json?: boolean;
}

const LOCK_HINT = "go through it instead: --url http://HOST:PORT --key ADMIN_KEY";

function targetOptions(cmd: Command): Command {
  return cmd
    .option("--data <dir>", "the PGlite data folder of a stopped server")
    .option("--database-url <url>", "a PostgreSQL store (or DATABASE_URL)")
    .option("--url <url>", "a running server, e.g. http://127.0.0.1:8080 (with --key)")
    .option("--key <key>", "an admin API key for --url")
    .option("--json", "machine-readable JSON output");
}

/** Call a running server's API; its error document becomes this command's error. */
/** How long a command waits in all for a server that answers 503 with Retry-After (a preview right after a start). */
const RETRY_FOR_MS = 300_000;

async function api(t: Target, method: string, path: string, body?: unknown): Promise<unknown> {
  if (t.key === undefined) throw new NetriskError([issue("required", "--key", "--url needs --key ADMIN_KEY")]);
  let res: Response;
  const until = Date.now() + RETRY_FOR_MS;
  for (;;) {
    try {
      res = await fetch(new URL(path, t.url), { method, headers: { authorization: `Bearer ${t.key}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    } catch (e) {
      throw new NetriskError([issue("unavailable", "--url", `cannot reach ${t.url}: ${(e as Error).message}`)]);
    }
    const retryS = Number(res.headers.get("retry-after") ?? NaN);
    if (res.status !== 503 || !(retryS >= 0) || Date.now() + retryS * 1000 > until) break;
    await res.body?.cancel();
    await new Promise((r) => setTimeout(r, Math.max(retryS, 0.2) * 1000));
  }
  const json = (await res.json().catch(() => ({}))) as unknown;
  if (!res.ok) {
    const err = (json as ReturnType<typeof errorBody>).error;
    throw new NetriskError(err?.issues ?? [issue("internal", "--url", `HTTP ${res.status}`)]);
  }
  return json;
}

async function withStore<T>(t: Target, fn: (store: Store, box: ReturnType<typeof secretBox>) => Promise<T>): Promise<T> {
  if (t.data === undefined && t.databaseUrl === undefined && process.env.DATABASE_URL === undefined)
    throw new NetriskError([issue("required", "--data", "give --data DIR, --database-url URL, or --url URL --key ADMIN_KEY")]);
  const location = storeLocation({ data: t.data, databaseUrl: t.databaseUrl });
  const store = await openStore(location, { lockHint: LOCK_HINT });
  try {
    return await fn(store, secretBox(loadServerKey(serverKeyFile(location))));
  } finally {
    await store.close();
  }
}

const ctx = () => ({ actor: "cli", requestId: null, at: new Date().toISOString() });

export function registerAdmin(program: Command, io: Io, setExit: (code: number) => void): void {
  const keys = program.command("keys").description("API keys of a service: create, list, revoke");
  targetOptions(
    keys
      .command("create")
      .description("create a key; prints its client id and client secret, and the API key as the last line")
      .requiredOption("--role <role>", "admin | risk | trader | feed")
      .option("--accounts <ids>", "trader keys: the accounts it may use, comma-separated")
      .option("--label <text>", "a note shown in keys list"),
  ).action(async (o: Target & { role: string; accounts?: string; label?: string }) => {
    setExit(
      await runCommand(io, Boolean(o.json), async () => {
        if (!ROLES.includes(o.role as Role)) throw new NetriskError([issue("invalid_value", "--role", `role must be one of ${ROLES.join(", ")}`)]);
        const accounts = o.accounts?.split(",").map((s) => s.trim()).filter(Boolean);
        if (o.role === "trader" && (accounts === undefined || accounts.length === 0)) throw new NetriskError([issue("required", "--accounts", "a trader key needs --accounts ID,...")]);
        let out: { clientId: string; clientSecret: string; apiKey: string; role: string };
        if (o.url !== undefined) {
          out = (await api(o, "POST", "/v1/keys", { role: o.role, ...(accounts !== undefined ? { accounts } : {}), ...(o.label !== undefined ? { label: o.label } : {}) })) as typeof out;
        } else {
          out = await withStore(o, async (store, box) => {
            const m = newKeyMaterial(o.role as Role);
            await store.createKey({ clientId: m.clientId, role: o.role as Role, accounts: o.role === "trader" ? (accounts ?? []) : null, keyHash: sha256Hex(m.apiKey), secretEnc: box.seal(m.clientSecret), label: o.label ?? null }, ctx());
            return { ...m, role: o.role };
          });
        }
        if (o.json) io.out(toJson({ clientId: out.clientId, clientSecret: out.clientSecret, role: out.role, apiKey: out.apiKey }));
        else io.out(`client id: ${out.clientId}\nclient secret: ${out.clientSecret}\n${out.apiKey}`);
      }),
    );
  });
  targetOptions(keys.command("list").description("every key (never a secret)")).action(async (o: Target) => {
    setExit(
      await runCommand(io, Boolean(o.json), async () => {
        const list = o.url !== undefined ? ((await api(o, "GET", "/v1/keys")) as { keys: unknown[] }).keys : await withStore(o, async (s) => (await s.listKeys()).map(({ keyHash: _h, secretEnc: _s, ...k }) => k));
        if (o.json) io.out(toJson(list));
        else for (const k of list as { clientId: string; role: string; accounts: string[] | null; revokedAt: string | null; label: string | null }[]) io.out(`${k.clientId}  ${k.role}${k.accounts ? ` ${k.accounts.join(",")}` : ""}${k.revokedAt ? `  revoked ${k.revokedAt}` : ""}${k.label ? `  (${k.label})` : ""}`);
      }),
    );
  });
  targetOptions(keys.command("revoke").description("revoke a key and its tokens").argument("<clientId>")).action(async (clientId: string, o: Target) => {
    setExit(
      await runCommand(io, Boolean(o.json), async () => {
        const r = o.url !== undefined ? await api(o, "DELETE", `/v1/keys/${encodeURIComponent(clientId)}`) : await withStore(o, (s) => s.revokeKey(clientId, ctx()));
        if (r === null) throw new NetriskError([issue("not_found", "clientId", `no key ${clientId}`)]);
        io.out(o.json ? toJson(r) : `revoked ${clientId}`);
      }),
    );
  });

  targetOptions(program.command("audit").description("the audit log of an account (every write, and what every served figure was computed from)").requiredOption("--account <id>", "account id").option("--limit <n>", "at most this many rows", "1000")).action(
    async (o: Target & { account: string; limit: string }) => {
      setExit(
        await runCommand(io, Boolean(o.json), async () => {
          const limit = Number(o.limit);
          if (!Number.isInteger(limit) || limit < 1) throw new NetriskError([issue("invalid_value", "--limit", "a positive integer")]);
          const entries =
            o.url !== undefined
              ? ((await api(o, "GET", `/v1/audit?account=${encodeURIComponent(o.account)}&limit=${limit}`)) as { entries: unknown[] }).entries
              : await withStore(o, (s) => s.listAudit({ accountId: o.account, limit }));
          if (o.json) io.out(toJson(entries));
          else for (const e of entries as { seq: number; at: string; actor: string; action: string; accountVersion: number | null; detail: unknown }[]) io.out(`${e.seq}  ${e.at}  ${e.actor}  ${e.action}${e.accountVersion !== null ? ` v${e.accountVersion}` : ""}  ${JSON.stringify(e.detail)}`);
        }),
      );
    },
  );

  const params = program.command("params").description("parameter sets of a service");
  targetOptions(
    params
      .command("preview")
      .description("change-impact preview: every account on a set, IM and MM now and under a candidate version")
      .requiredOption("--name <set>", "the parameter set, e.g. deribit")
      .option("--version <v>", "a stored candidate version")
      .option("--params <file>", "or a candidate parameter set file (preset format)")
      .option("--model <id>", "the candidate's model (default deribit)"),
  ).action(async (o: Target & { name: string; version?: string; params?: string; model?: string }) => {
    setExit(
      await runCommand(io, Boolean(o.json), async () => {
        if ((o.version === undefined) === (o.params === undefined)) throw new NetriskError([issue("required", "--version", "give --version V or --params FILE")]);
        const body = { ...(o.version !== undefined ? { version: o.version } : {}), ...(o.params !== undefined ? { parameters: need(readJson(o.params)) } : {}), ...(o.model !== undefined ? { model: o.model } : {}) };
        const path = `/v1/parameter-sets/${encodeURIComponent(o.name)}/preview`;
        let r: unknown;
        if (o.url !== undefined) r = await api(o, "POST", path, body);
        else {
          // Locally: the same route, in process on a loopback port, with a one-off key revoked afterwards.
          const location = storeLocation({ data: o.data, databaseUrl: o.databaseUrl });
          const serverKey = loadServerKey(serverKeyFile(location));
          const store = await openStore(location, { lockHint: LOCK_HINT });
          const m = newKeyMaterial("risk");
          await store.createKey({ clientId: m.clientId, role: "risk", accounts: null, keyHash: sha256Hex(m.apiKey), secretEnc: secretBox(serverKey).seal(m.clientSecret), label: "netrisk params preview (one-off)" }, ctx());
          const server = await startServer({ store, serverKey, host: "127.0.0.1", port: 0 });
          try {
            await server.prewarmed; // the preview is refused until every stored account is bound (503 otherwise)
            r = await api({ url: server.url, key: m.apiKey }, "POST", path, body);
          } finally {
            await store.revokeKey(m.clientId, ctx());
            await server.close();
          }
        }
        const p = r as { accounts: { id: string; now: { initialMarginUsd: number }; candidate: { initialMarginUsd: number } }[]; enteringMarginCall: string[]; enteringLiquidation: string[]; totals: { now: { initialMarginUsd: number; maintenanceMarginUsd: number }; candidate: { initialMarginUsd: number; maintenanceMarginUsd: number } } };
        if (o.json) io.out(toJson(r));
        else
          io.out(
            [
              `${p.accounts.length} accounts on ${o.name}: IM ${p.totals.now.initialMarginUsd.toFixed(2)} -> ${p.totals.candidate.initialMarginUsd.toFixed(2)} USD, MM ${p.totals.now.maintenanceMarginUsd.toFixed(2)} -> ${p.totals.candidate.maintenanceMarginUsd.toFixed(2)} USD`,
              `entering margin call: ${p.enteringMarginCall.length}${p.enteringMarginCall.length ? ` (${p.enteringMarginCall.slice(0, 10).join(", ")})` : ""}`,
              `entering liquidation: ${p.enteringLiquidation.length}${p.enteringLiquidation.length ? ` (${p.enteringLiquidation.slice(0, 10).join(", ")})` : ""}`,
            ].join("\n"),
          );
      }),
    );
  });
}
