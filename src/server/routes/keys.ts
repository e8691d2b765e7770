/**
 * Keys (admin): `POST /v1/keys` (the client id, client secret and API key, shown once), `GET /v1/keys`,
 * `DELETE /v1/keys/{clientId}` (revoke); and `POST /v1/stream-tokens` (any key): a short-lived token for the stream,
 * which browsers pass as the `token` query parameter.
 * @module
 */
import type { Role, StoredKey } from "../../store/port.js";
import { requirePrincipal } from "../auth.js";
import { httpFail, route } from "../http.js";
import type { AnyRoute } from "../http.js";
import type { ServiceDeps } from "../deps.js";
import { writeContext } from "../deps.js";
import { keyCreateSchema } from "../schemas.js";
import { newKeyMaterial, sha256Hex } from "../secrets.js";

/** What a key listing shows: never the hash or the sealed secret. */
export const publicKey = (k: StoredKey) => ({ clientId: k.clientId, role: k.role, accounts: k.accounts, label: k.label, createdAt: k.createdAt, createdBy: k.createdBy, revokedAt: k.revokedAt });

export function keyRoutes(deps: ServiceDeps): AnyRoute[] {
  return [
    route({
      method: "POST",
      path: "/v1/keys",
      tag: "keys",
      summary: "Create a key: its client id, client secret and API key (shown once; stored hashed / encrypted)",
      access: [],
      body: keyCreateSchema,
      response: { status: 201, description: "{ clientId, clientSecret, apiKey, role, accounts }" },
      async handler(ctx) {
        const role: Role = ctx.body.role;
        if (role === "trader" && (ctx.body.accounts === undefined || ctx.body.accounts.length === 0)) httpFail("required", "body.accounts", "a trader key needs the accounts it may use");
        if (role !== "trader" && ctx.body.accounts !== undefined) httpFail("invalid_value", "body.accounts", "only trader keys are limited to accounts");
        const m = newKeyMaterial(role);
        const k = await deps.store.createKey(
          { clientId: m.clientId, role, accounts: role === "trader" ? (ctx.body.accounts ?? []) : null, keyHash: sha256Hex(m.apiKey), secretEnc: deps.box.seal(m.clientSecret), label: ctx.body.label ?? null },
          writeContext(deps, ctx),
        );
        return { status: 201, body: { ...publicKey(k), clientSecret: m.clientSecret, apiKey: m.apiKey } };
      },
    }),
    route({
      method: "GET",
      path: "/v1/keys",
      tag: "keys",
      summary: "Every key (never its secret)",
      access: [],
      response: { status: 200, description: "{ keys: [...] }" },
      async handler() {
        return { status: 200, body: { keys: (await deps.store.listKeys()).map(publicKey) } };
      },
    }),
    route({
      method: "DELETE",
      path: "/v1/keys/{clientId}",
      tag: "keys",
      summary: "Revoke a key (and its tokens); idempotent",
      access: [],
      response: { status: 200, description: "the revoked key" },
      async handler(ctx) {
        const k = await deps.store.revokeKey(ctx.params.clientId as string, writeContext(deps, ctx));
        if (k === null) httpFail("not_found", "clientId", `no key ${JSON.stringify(ctx.params.clientId)}`);
        return { status: 200, body: publicKey(k as StoredKey) };
      },
    }),
    route({
      method: "POST",
      path: "/v1/stream-tokens",
      tag: "keys",
      summary: "A short-lived token for GET /v1/stream (browsers pass it as ?token=)",
      access: ["risk", "trader", "feed"],
      response: { status: 201, description: "{ token, expiresIn }" },
      async handler(ctx) {
        const t = await deps.auth.streamToken(requirePrincipal(ctx.principal));
        return { status: 201, body: { token: t.token, expiresIn: t.expiresInS } };
      },
    }),
  ];
}
