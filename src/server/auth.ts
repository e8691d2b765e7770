/**
 * Authentication and roles. A caller is a key (store/port.ts `StoredKey`), proven by one of:
 * - `Authorization: Bearer <API key>` (`nr.<clientId>.<random>`; the stored SHA-256 compared in constant time);
 * - `Authorization: Bearer <access token>` from Deribit's `public/auth` (client_credentials or refresh_token);
 * - `Authorization: deri-hmac-sha256 id=<clientId>,ts=<ms>,sig=<hex>,nonce=<text>` (Deribit's signature:
 *   HMAC-SHA256 with the client secret over `ts\nnonce\nMETHOD\nURI\nBODY\n`), within a bounded clock skew, each
 *   nonce once;
 * - a short-lived stream token (`POST /v1/stream-tokens`) in the `token` query parameter, only on routes that allow
 *   it (the stream: browsers cannot set headers on an EventSource or a WebSocket).
 * Roles: admin (everything), risk (read every account, parameter preview), trader (its accounts: read, what-if,
 * Deribit private methods), feed (write market, ticks and fills; read nothing private). 401 without a valid
 * credential, 403 when the role or the key's accounts do not allow it.
 * @module
 */
import { createHmac } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { issue } from "../errors.js";
import type { Role, Store, StoredKey, TokenKind } from "../store/port.js";
import { HttpError, httpFail } from "./http.js";
import type { AnyRoute, Principal } from "./http.js";
import type { Clock } from "./ports.js";
import { clientIdOfKey, digestsEqual, newToken, sha256Hex, TOKEN_PREFIX } from "./secrets.js";
import type { SecretBox } from "./secrets.js";

export interface AuthOptions {
  readonly store: Store;
  readonly box: SecretBox;
  readonly clock: Clock;
  /** Largest |ts − now| a signature may have (default 60 s). */
  readonly signatureSkewMs?: number;
  readonly accessTokenTtlS?: number;
  readonly streamTokenTtlS?: number;
}

export interface Auth {
  authenticate(req: IncomingMessage, ctx: { route: AnyRoute; url: URL; rawBody: string; method: string }): Promise<Principal | null>;
  authorise(route: AnyRoute, principal: Principal | null): void;
  /** Deribit `public/auth`: tokens for a client id and secret (or a refresh token). */
  grant(params: { grantType: string; clientId?: string; clientSecret?: string; refreshToken?: string }): Promise<{ access_token: string; expires_in: number; refresh_token: string; scope: string; token_type: "bearer" }>;
  /** A stream token for the caller (short-lived; accepted only as the stream's `token` query parameter). */
  streamToken(principal: Principal): Promise<{ token: string; expiresInS: number }>;
}

const unauthorized = (message: string): never => {
  throw new HttpError([issue("unauthorized", "authorization", message)], { headers: { "www-authenticate": 'Bearer realm="netrisk"' } });
};

/** True when the principal may read or act on the account (trader keys: only their accounts). */
export function canUseAccount(principal: Principal | null, accountId: string): boolean {
  if (principal === null) return false;
  if (principal.role === "trader") return principal.accounts?.includes(accountId) ?? false;
  return principal.role === "admin" || principal.role === "risk";
}

/** 403 unless the principal may use the account (see {@link canUseAccount}). */
export function requireAccount(principal: Principal | null, accountId: string): void {
  if (!canUseAccount(principal, accountId)) httpFail("forbidden", "id", `this key may not use account ${accountId}`);
}

/** The caller, or 401 (for handlers of routes that need one). */
export function requirePrincipal(principal: Principal | null): Principal {
  return principal ?? unauthorized("credentials required");
}

/** Parse Deribit's `deri-hmac-sha256 id=...,ts=...,sig=...,nonce=...`. */
export function parseSignatureHeader(value: string): { id: string; ts: number; sig: string; nonce: string } | null {
  const m = /^deri-hmac-sha256\s+(.+)$/i.exec(value.trim());
  if (!m) return null;
  const fields: Record<string, string> = {};
  for (const part of (m[1] as string).split(",")) {
    const eq = part.indexOf("=");
    if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const ts = Number(fields.ts);
  if (!fields.id || !fields.sig || !fields.nonce || !Number.isInteger(ts)) return null;
  return { id: fields.id, ts, sig: fields.sig, nonce: fields.nonce };
}

/** Deribit's string to sign: `ts\nnonce\nMETHOD\nURI\nBODY\n` (URI = path and query as sent). */
export function signaturePayload(ts: number, nonce: string, method: string, uri: string, body: string): string {
  return `${ts}\n${nonce}\n${method.toUpperCase()}\n${uri}\n${body}\n`;
}

export function sign(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("hex");
}

const principalOf = (k: StoredKey, via: Principal["via"]): Principal => ({ clientId: k.clientId, role: k.role, accounts: k.accounts, via });

export function createAuth(o: AuthOptions): Auth {
  const skew = o.signatureSkewMs ?? 60_000;
  const accessTtl = o.accessTokenTtlS ?? 900;
  const streamTtl = o.streamTokenTtlS ?? 60;

  const liveKey = async (clientId: string): Promise<StoredKey> => {
    const k = await o.store.getKey(clientId);
    if (k === null) return unauthorized("unknown key");
    if (k.revokedAt !== null) return unauthorized("this key has been revoked");
    return k;
  };

  const openSecret = (k: StoredKey): string => {
    try {
      return o.box.open(k.secretEnc);
    } catch {
      throw new HttpError([issue("internal", "", "the stored client secret cannot be opened with this server key")], { status: 500 });
    }
  };

  const byToken = async (presented: string, kind: TokenKind): Promise<Principal> => {
    const t = await o.store.getToken(sha256Hex(presented));
    if (t === null || t.kind !== kind) return unauthorized(`unknown or expired ${kind} token`);
    if (t.expiresAtMs <= o.clock.nowMs()) return unauthorized(`the ${kind} token has expired`);
    return principalOf(await liveKey(t.clientId), kind === "stream" ? "stream-token" : "token");
  };

  const byKey = async (presented: string): Promise<Principal> => {
    const clientId = clientIdOfKey(presented);
    if (clientId === null) return unauthorized("not a netrisk API key or access token");
    const k = await o.store.getKey(clientId);
    // Compare digests in constant time whether or not the key exists, so timing tells nothing.
    const ok = digestsEqual(sha256Hex(presented), k?.keyHash ?? "0".repeat(64));
    if (k === null || !ok) return unauthorized("invalid API key");
    if (k.revokedAt !== null) return unauthorized("this key has been revoked");
    return principalOf(k, "key");
  };

  const bySignature = async (header: string, ctx: { url: URL; rawBody: string; method: string }): Promise<Principal> => {
    const s = parseSignatureHeader(header);
    if (s === null) return unauthorized("malformed deri-hmac-sha256 header: expected id=...,ts=...,sig=...,nonce=...");
    const now = o.clock.nowMs();
    if (Math.abs(now - s.ts) > skew) return unauthorized(`signature timestamp ${s.ts} is more than ${skew / 1000} s from the server time ${now}`);
    const k = await liveKey(s.id);
    const secret = openSecret(k);
    const expected = sign(secret, signaturePayload(s.ts, s.nonce, ctx.method, ctx.url.pathname + ctx.url.search, ctx.rawBody));
    if (!/^[0-9a-f]{64}$/i.test(s.sig) || !digestsEqual(expected, s.sig.toLowerCase())) return unauthorized("bad signature");
    // Only a valid signature spends its nonce; a replay of it inside the skew window is refused.
    if (!(await o.store.useNonce(s.id, s.nonce, s.ts, now - 2 * skew))) throw new HttpError([issue("replayed", "authorization", "this nonce was already used (a replayed request)")]);
    return principalOf(k, "signature");
  };

  const scopeOf = (role: Role): string => `connection role:${role}`;

  return {
    async authenticate(req, ctx) {
      const header = req.headers.authorization;
      if (typeof header === "string" && header !== "") {
        if (/^deri-hmac-sha256\s/i.test(header)) return bySignature(header, ctx);
        const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
        if (!m) return unauthorized("use Authorization: Bearer <key or token>, or deri-hmac-sha256");
        const presented = m[1] as string;
        if (presented.startsWith(TOKEN_PREFIX.access)) return byToken(presented, "access");
        return byKey(presented);
      }
      const streamToken = ctx.url.searchParams.get("token");
      if (streamToken !== null && ctx.route.streamToken === true) return byToken(streamToken, "stream");
      return null;
    },
    authorise(route, principal) {
      if (route.access === "public") return;
      if (principal === null) unauthorized("this route needs Authorization: Bearer <key>");
      else if (principal.role !== "admin" && !route.access.includes(principal.role))
        httpFail("forbidden", "authorization", `a ${principal.role} key may not call ${route.method} ${route.path} (allowed: admin, ${route.access.join(", ")})`);
    },
    async grant(p) {
      let clientId: string;
      if (p.grantType === "client_credentials") {
        if (p.clientId === undefined || p.clientSecret === undefined) httpFail("required", "client_secret", "client_credentials needs client_id and client_secret");
        const k = await liveKey(p.clientId as string);
        const secret = openSecret(k);
        if (!digestsEqual(sha256Hex(secret), sha256Hex(p.clientSecret as string))) unauthorized("invalid client credentials");
        clientId = k.clientId;
      } else if (p.grantType === "refresh_token") {
        if (p.refreshToken === undefined) httpFail("required", "refresh_token", "refresh_token grant needs refresh_token");
        clientId = (await byToken(p.refreshToken as string, "refresh")).clientId;
      } else {
        return httpFail("invalid_value", "grant_type", `grant_type ${JSON.stringify(p.grantType)} is not supported (client_credentials, refresh_token)`);
      }
      const k = await liveKey(clientId);
      const access = newToken("access");
      const refresh = newToken("refresh");
      const now = o.clock.nowMs();
      await o.store.putToken({ tokenHash: sha256Hex(access), kind: "access", clientId, expiresAtMs: now + accessTtl * 1000 });
      await o.store.putToken({ tokenHash: sha256Hex(refresh), kind: "refresh", clientId, expiresAtMs: now + 30 * 86_400_000 });
      return { access_token: access, expires_in: accessTtl, refresh_token: refresh, scope: scopeOf(k.role), token_type: "bearer" };
    },
    async streamToken(principal) {
      const t = newToken("stream");
      await o.store.putToken({ tokenHash: sha256Hex(t), kind: "stream", clientId: principal.clientId, expiresAtMs: o.clock.nowMs() + streamTtl * 1000 });
      return { token: t, expiresInS: streamTtl };
    },
  };
}
