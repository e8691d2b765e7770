/**
 * Browser-test harness: a real `netrisk serve --demo --port 0` (the built dist/, as `npm start` runs it) on a fresh
 * PGlite folder, and Debian's Chromium driven by playwright-core with a fresh profile. Everything started here is
 * stopped by `stop()`, which the test calls in afterAll even when a test failed: the browser is closed, the server
 * gets SIGTERM (it drains and closes the store) and SIGKILL after 10 s, and the temporary folders are removed.
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import type { BrowserContext, Page } from "playwright-core";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

export interface Served {
  readonly url: string;
  readonly key: string;
  readonly process: ChildProcess;
  /** fetch a /v1 route as the admin. */
  api<T = any>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }>; // eslint-disable-line @typescript-eslint/no-explicit-any
}

/** Start `node dist/cli/main.js serve --demo` and wait for its listening line and admin key (bounded). */
export async function startDemoServer(dataDir: string, accounts: number, timeoutMs: number): Promise<Served> {
  const main = join(ROOT, "dist/cli/main.js");
  if (!existsSync(join(ROOT, "dist/web/index.html"))) throw new Error("dist/web is not built: run `npm run build` (npm test does) before the browser tests");
  const child = spawn(process.execPath, [main, "serve", "--demo", "--port", "0", "--data", dataDir, "--demo-accounts", String(accounts)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  let err = "";
  child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
  child.stderr?.on("data", (d: Buffer) => (err = (err + d.toString()).slice(-4000)));
  const deadline = Date.now() + timeoutMs;
  while (!/admin key \(shown once\): \S+/.test(out)) {
    if (child.exitCode !== null) throw new Error(`netrisk serve exited with ${child.exitCode}: ${out}\n${err}`);
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error(`netrisk serve printed no admin key within ${timeoutMs} ms: ${out}\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const url = /listening on (\S+)/.exec(out)?.[1] as string;
  const key = /admin key \(shown once\): (\S+)/.exec(out)?.[1] as string;
  return {
    url,
    key,
    process: child,
    async api(method, path, body) {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${key}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) }, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, body: text === "" ? undefined : JSON.parse(text) };
    },
  };
}

export async function stopServer(child: ChildProcess | undefined): Promise<void> {
  if (child === undefined || child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  child.kill("SIGTERM");
  const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
  await exited;
  clearTimeout(timer);
}

export interface Browser {
  readonly context: BrowserContext;
  /** A new page whose console errors and uncaught exceptions are collected in `errors`. */
  page(): Promise<{ page: Page; errors: string[] }>;
  close(): Promise<void>;
}

/** Chromium with a fresh profile folder (removed on close), 1400 x 900. */
export async function startBrowser(executablePath: string): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "netrisk-chromium-"));
  const context = await chromium.launchPersistentContext(profile, { executablePath, headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1400, height: 900 }, timeout: 60_000 });
  return {
    context,
    async page() {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on("console", (m) => {
        if (m.type() === "error") errors.push(`console: ${m.text()}`);
      });
      page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
      return { page, errors };
    },
    async close() {
      await context.close().catch(() => undefined);
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The folder for screenshots (a CI artefact): NETRISK_SCREENSHOTS_DIR, or a new temporary folder. */
export function screenshotDir(): string {
  const dir = process.env.NETRISK_SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), "netrisk-dashboard-screenshots-"));
  mkdirSync(dir, { recursive: true });
  return dir;
}
