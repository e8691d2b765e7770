/**
 * The dashboard's built files (dist/web, made by `npm run build`), served at `/` and `/assets/*` without
 * authentication: they hold code and no data; every number the dashboard shows comes from the authenticated `/v1`
 * routes and the stream. Files are read once at start (a few hundred kB) into memory, so a request never touches the
 * file system and a path can never escape the folder: only names listed at start exist.
 *
 * Headers: a Content-Security-Policy that allows only this origin (no CDN, no inline script), nosniff, no referrer
 * (the API key may sit in the URL fragment, which browsers never send, but a referrer policy costs nothing), no
 * framing; `index.html` is never cached, hashed `/assets/*` files are immutable.
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join } from "node:path";

const TYPES: Readonly<Record<string, string>> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".ico": "image/x-icon",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".woff2": "font/woff2",
  ".txt": "text/plain; charset=utf-8",
};

export const DASHBOARD_HEADERS: Readonly<Record<string, string>> = {
  "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
};

interface StaticFile {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
  readonly immutable: boolean;
}

/** Every file under `dir` by its URL path (`/index.html`, `/assets/index-abc123.js`). */
function readTree(dir: string, prefix = ""): Map<string, StaticFile> {
  const out = new Map<string, StaticFile>();
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const url = `${prefix}/${name}`;
    if (statSync(p).isDirectory()) {
      for (const [k, v] of readTree(p, url)) out.set(k, v);
      continue;
    }
    const body = readFileSync(p);
    out.set(url, { body, type: TYPES[extname(name)] ?? "application/octet-stream", etag: `"${createHash("sha256").update(body).digest("hex").slice(0, 20)}"`, immutable: url.startsWith("/assets/") });
  }
  return out;
}

/**
 * A `fallback` for startServer: GET/HEAD of `/` (index.html) and `/assets/*` from `dir`; anything else falls through
 * (false: the router's 404). Without a built folder `/` answers a plain 404 saying how to build it.
 */
export function dashboardFiles(dir: string): (req: IncomingMessage, res: ServerResponse) => boolean {
  const files = existsSync(join(dir, "index.html")) ? readTree(dir) : null;
  return (req, res) => {
    const method = req.method ?? "GET";
    if (method !== "GET" && method !== "HEAD") return false;
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const wanted = path === "/" ? "/index.html" : path;
    if (wanted !== "/index.html" && wanted !== "/favicon.svg" && !wanted.startsWith("/assets/")) return false;
    if (files === null) {
      if (wanted !== "/index.html") return false;
      const text = "netrisk: the dashboard is not built (run `npm run build`); the API is at /v1 and /openapi.json\n";
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(text) });
      res.end(method === "HEAD" ? undefined : text);
      return true;
    }
    const f = files.get(wanted);
    if (f === undefined) return false;
    const headers = { ...DASHBOARD_HEADERS, "content-type": f.type, etag: f.etag, "cache-control": f.immutable ? "public, max-age=31536000, immutable" : "no-cache" };
    if (req.headers["if-none-match"] === f.etag) {
      res.writeHead(304, headers);
      res.end();
      return true;
    }
    res.writeHead(200, { ...headers, "content-length": f.body.length });
    res.end(method === "HEAD" ? undefined : f.body);
    return true;
  };
}
