/**
 * `netrisk serve --feed FILE` (the built CLI, as `npm start` runs it): the tick file is replayed through the live
 * engine once the service listens; an unreadable line is reported on stderr and skipped; the summary line counts
 * what was applied, ignored, rejected and unreadable; the events are stored and served. Paced by the ticks' times
 * (`--feed-realtime 600`: one minute of market time in 0.1 s).
 */
import { spawn } from "node:child_process";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";

const MAIN = join(process.cwd(), "dist/cli/main.js");
const MARKET = JSON.parse(readFileSync("examples/market.json", "utf8")) as { timestamp: string };

describe.skipIf(!existsSync(MAIN))("netrisk serve --feed", () => {
  const dir = mkdtempSync(join(tmpdir(), "netrisk-feed-"));
  let child: ChildProcess | undefined;
  afterAll(async () => {
    if (child !== undefined && child.exitCode === null) {
      const exited = new Promise((r) => child?.once("exit", r));
      child.kill("SIGTERM");
      const t = setTimeout(() => child?.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(t);
    }
    rmSync(dir, { recursive: true, force: true });
  }, 30_000);

  it("replays the file through the live engine and reports it", async () => {
    const t0 = Date.parse(MARKET.timestamp);
    const ts = (m: number) => new Date(t0 + m * 60_000).toISOString();
    const lines = [
      JSON.stringify({ seq: 1, ts: ts(1), index: { BTC: 88000 } }),
      "{ not json",
      JSON.stringify({ seq: 2, ts: ts(2), index: { BTC: 84000 } }),
      JSON.stringify({ seq: 2, ts: ts(2), index: { BTC: 84000 } }),
      JSON.stringify({ seq: 3, ts: ts(3), index: { BTC: 80000 } }),
    ];
    const feed = join(dir, "ticks.jsonl");
    writeFileSync(feed, `${lines.join("\n")}\n`);
    child = spawn(process.execPath, [MAIN, "serve", "--demo", "--demo-accounts", "20", "--port", "0", "--data", join(dir, "data"), "--feed", feed, "--feed-realtime", "600"], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout?.on("data", (d: Buffer) => (out += d.toString()));
    child.stderr?.on("data", (d: Buffer) => (err += d.toString()));
    const deadline = Date.now() + 120_000;
    while (!/feed .*: \d+ ticks applied/.test(err)) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`no feed summary: ${out}\n${err.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(err).toMatch(/ticks\.jsonl:2: invalid_json/);
    expect(err).toMatch(/feed .*ticks\.jsonl: 3 ticks applied, 1 ignored, 0 rejected, 1 unreadable/);
    const url = /listening on (\S+)/.exec(out)?.[1] as string;
    const key = /admin key \(shown once\): (\S+)/.exec(out)?.[1] as string;
    const get = async (path: string) => (await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } })).json() as Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    const live = await get("/v1/live");
    expect([live.running, live.lastTickSeq, live.counters["ignored:duplicate"]]).toEqual([true, 3, 1]);
    expect((await get("/v1/market")).market.index.BTC).toBe(80000);
    expect((await get("/v1/events?limit=10000")).lastEventSeq).toBe(live.lastEventSeq);
  }, 150_000);
});
