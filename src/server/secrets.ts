/**
 * Key material: API keys (stored as SHA-256 hashes, compared in constant time), client secrets (needed in the clear
 * to check Deribit-style signatures, so stored encrypted with AES-256-GCM under a server key, never in plain text),
 * access and stream tokens (hashed), and the server key itself (NETRISK_SERVER_KEY, or a key file created with
 * owner-only permissions).
 * @module
 */
import { createCipheriv, createDecipheriv, hash, randomBytes, timingSafeEqual } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { issue, NetriskError } from "../errors.js";
import type { Role } from "../store/port.js";

// One-shot: every request with an API key hashes it, and a Hash object per call was half of authenticating one (the
// key lookup is cached); the digest is the same (the text as UTF-8).
export const sha256Hex = (text: string): string => hash("sha256", text, "hex");

/** Equal hex digests, compared in constant time (lengths are public). */
export function digestsEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

const token = (bytes = 32): string => randomBytes(bytes).toString("base64url");

/** A new key: its public client id, client secret and API key (`nr.<clientId>.<random>`). */
export function newKeyMaterial(role: Role): { clientId: string; clientSecret: string; apiKey: string } {
  const clientId = `${role}-${randomBytes(6).toString("hex")}`;
  return { clientId, clientSecret: token(), apiKey: `nr.${clientId}.${token()}` };
}

/** The client id an API key names (`nr.<clientId>.<random>`), or null when it is not one. */
export function clientIdOfKey(key: string): string | null {
  const m = /^nr\.([a-z]+-[0-9a-f]{12})\.[A-Za-z0-9_-]{43}$/.exec(key);
  return m ? (m[1] as string) : null;
}

/** Prefixes of the token kinds, so a stream token can never pass as an access token. */
export const TOKEN_PREFIX = { access: "nrt.", refresh: "nrr.", stream: "nrs." } as const;

export function newToken(kind: keyof typeof TOKEN_PREFIX): string {
  return `${TOKEN_PREFIX[kind]}${token()}`;
}

/** AES-256-GCM under the server key: `v1:<iv>:<tag>:<ciphertext>` (base64url). */
export interface SecretBox {
  seal(plain: string): string;
  open(sealed: string): string;
}

export function secretBox(key: Buffer): SecretBox {
  if (key.length !== 32) throw new Error("the server key must be 32 bytes");
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv("aes-256-gcm", key, iv);
      const ct = Buffer.concat([c.update(plain, "utf8"), c.final()]);
      return ["v1", iv.toString("base64url"), c.getAuthTag().toString("base64url"), ct.toString("base64url")].join(":");
    },
    open(sealed) {
      const [v, iv, tag, ct] = sealed.split(":");
      if (v !== "v1" || iv === undefined || tag === undefined || ct === undefined) throw new Error("not a sealed secret");
      const d = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
      d.setAuthTag(Buffer.from(tag, "base64url"));
      return Buffer.concat([d.update(Buffer.from(ct, "base64url")), d.final()]).toString("utf8");
    },
  };
}

function parseKey(text: string, where: string): Buffer {
  const t = text.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(t) ? Buffer.from(t, "hex") : Buffer.from(t, "base64");
  if (key.length !== 32) throw new NetriskError([issue("invalid_value", where, "the server key must be 32 bytes, as 64 hex digits or base64")]);
  return key;
}

/**
 * The server key: NETRISK_SERVER_KEY when set, else the key file (created with mode 0600 when missing). Every server
 * and `netrisk keys` process on one store must use the same key, or stored client secrets cannot be opened.
 */
export function loadServerKey(keyFile: string, env: NodeJS.ProcessEnv = process.env): Buffer {
  const fromEnv = env.NETRISK_SERVER_KEY;
  if (fromEnv !== undefined && fromEnv !== "") return parseKey(fromEnv, "NETRISK_SERVER_KEY");
  if (existsSync(keyFile)) return parseKey(readFileSync(keyFile, "utf8"), keyFile);
  mkdirSync(dirname(keyFile), { recursive: true });
  const key = randomBytes(32);
  writeFileSync(keyFile, `${key.toString("hex")}\n`, { mode: 0o600, flag: "wx" });
  chmodSync(keyFile, 0o600);
  return key;
}
