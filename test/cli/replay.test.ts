/**
 * `netrisk replay` and `netrisk ticks` (docs/live.md, "Replay"): the binding JSON lines (events with eventSeq and seq,
 * figures lines with the account document, a summary last), `--markets DIR` files from which any figure recomputes
 * from scratch, bad lines of a tick file, and the tick generator through the real 2020-03-12 OHLC.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasSharedData, sharedData } from "../helpers/requires.js";
import { parseJson, runCli } from "./helpers.js";
import { jsonDifferences } from "../helpers/close-json.js";

const dir = mkdtempSync(join(tmpdir(), "netrisk-replay-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** An accounts folder: the example book and a leveraged perpetual near its margin call. */
function accounts(): string {
  const a = join(dir, "accounts");
  mkdirSync(a, { recursive: true });
  copyFileSync("examples/account.json", join(a, "book.json"));
  writeFileSync(join(a, "lev.json"), JSON.stringify({ positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 6, averagePrice: 90027 }], collateral: { USDC: 95_000 } }));
  return a;
}

function tickFile(lines: unknown[]): string {
  const f = join(dir, `ticks-${Math.random().toString(36).slice(2)}.jsonl`);
  writeFileSync(f, `${lines.map((l) => (typeof l === "string" ? l : JSON.stringify(l))).join("\n")}\n`);
  return f;
}

const t0 = Date.parse("2026-03-02T12:00:00.000Z");
const at = (k: number) => new Date(t0 + k * 60_000).toISOString();

describe("netrisk replay", () => {
  it("prints events, figures documents and a summary as JSON lines; writes the markets; handles bad lines", async () => {
    const markets = join(dir, "markets");
    const ticks = tickFile([
      { seq: 1, ts: at(1), index: { BTC: 87000 } },
      { seq: 2, ts: at(2), index: { BTC: 84000 } },
      { seq: 2, ts: at(3), index: { BTC: 80000 } },
      "{ not json",
      { seq: 3, ts: at(3), index: { BTC: 20000 } },
      { seq: 4, ts: at(4), index: { BTC: 82000 }, instruments: { "BTC-27MAR26-123456-C": { markIv: 0.5 } } },
    ]);
    const run = await runCli("replay", "--accounts", accounts(), "--market", "examples/market.json", "--ticks", ticks, "--figures", "--markets", markets, "--json");
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    const types = lines.map((l) => l.type);
    expect(types).toContain("health_changed");
    expect(types).toContain("margin_call");
    expect(types).toContain("figures");
    expect(types.filter((t) => t === "tick_ignored")).toHaveLength(1);
    expect(types.filter((t) => t === "tick_unreadable")).toHaveLength(1);
    expect(types.filter((t) => t === "tick_rejected")).toHaveLength(1);
    expect(types.filter((t) => t === "tick_warning")).toHaveLength(1);
    // Every line has seq and type; events have eventSeq 1, 2, 3, ... and account where they concern one.
    const events = lines.filter((l) => typeof l.eventSeq === "number");
    expect(events.map((e) => e.eventSeq)).toEqual(events.map((_, i) => i + 1));
    for (const l of lines.slice(0, -1)) expect(Object.keys(l)).toEqual(expect.arrayContaining(["seq", "type"]));
    const f = lines.find((l) => l.type === "figures" && l.account === "lev") as { seq: number; figures: { figures: { equityUsd: number; maintenanceMarginUsd: number }; account: string } };
    expect(f.figures.account).toBe("lev");
    expect(Object.keys(f)).toEqual(["seq", "type", "account", "figures"]);
    // The summary is the last line.
    const summary = lines[lines.length - 1] as { type: string; ticks: Record<string, number>; marginCall: string[]; latencyMs: { p99: number } };
    expect(summary.type).toBe("summary");
    expect(summary.ticks).toEqual({ total: 6, applied: 3, ignored: 1, rejected: 1, unreadable: 1 });
    expect(summary.marginCall).toContain("lev");
    expect(summary.latencyMs.p99).toBeGreaterThan(0);
    // The market after each applied tick, from which the account's figures recompute from scratch with `netrisk account`.
    expect(readdirSync(markets).sort()).toEqual(["1.json", "2.json", "4.json"]);
    const last = lines.filter((l) => l.type === "figures" && l.account === "lev").pop() as typeof f;
    const scratch = await runCli("account", "--account", join(dir, "accounts", "lev.json"), "--market", join(markets, `${last.seq}.json`), "--no-distance", "--json");
    expect(scratch.code, scratch.stderr).toBe(0);
    const doc = parseJson(scratch) as { figures: { equityUsd: number; maintenanceMarginUsd: number } };
    expect(doc.figures.maintenanceMarginUsd).toBe(last.figures.figures.maintenanceMarginUsd);
    // Equity differs only by the entry price the file gives (the live core's pinned entry is the file's here).
    expect(doc.figures.equityUsd).toBe(last.figures.figures.equityUsd);
  });

  it("trips a circuit breaker from a rules file and says so in text output", async () => {
    const ticks = tickFile([
      { seq: 1, ts: at(1), index: { BTC: 85000, ETH: 2990 } },
      { seq: 2, ts: at(2), index: { BTC: 79000, ETH: 2980 } },
    ]);
    const run = await runCli("replay", "--accounts", accounts(), "--market", "examples/market.json", "--ticks", ticks, "--breakers", "presets/breakers-default.json");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/breaker BTC normal -> halted \(price-band-10pct-1h, trip\)/);
    expect(run.stdout).toMatch(/breaker trips: 1$/m);
  });

  it("bad input is a coded error, exit 2", async () => {
    const run = await runCli("replay", "--accounts", join(dir, "nope"), "--market", "examples/market.json", "--ticks", tickFile([]), "--json");
    expect(run.code).toBe(2);
    expect((parseJson(run) as { error: { code: string } }).error.code).toBe("file_not_found");
    const bad = join(dir, "bad-breakers.json");
    writeFileSync(bad, JSON.stringify({ name: "x", version: "1", effective: "2026-01-01", rules: [{ id: "r" }] }));
    const r2 = await runCli("replay", "--accounts", accounts(), "--market", "examples/market.json", "--ticks", tickFile([]), "--breakers", bad);
    expect(r2.code).toBe(2);
    expect(r2.stderr).toMatch(/rules\[0\]/);
  });
});

describe.skipIf(!hasSharedData)("netrisk ticks on real data", () => {
  it("builds the 2020-03-12 path through the real open, high, low and close, rebased, and says what is synthetic", async () => {
    const out = join(dir, "day.jsonl");
    const run = await runCli("ticks", "--day", "2020-03-12", "--example", "--ohlc", `BTC=${sharedData("btc_usd_daily_ohlcv_yahoo.csv")}`, "--ohlc", `ETH=${sharedData("eth_usd_daily_ohlcv_yahoo.csv")}`, "--dvol", `BTC=${sharedData("deribit_dvol_btc_daily.csv")}`, "--interval", "300", "--seed", "7", "--out", out);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/SYNTHETIC intraday path/);
    expect(run.stderr).toMatch(/no DVOL for 2020-03-12: realised-vol rule/);
    const ticks = readFileSync(out, "utf8").trim().split("\n").map((l) => JSON.parse(l) as { seq: number; ts: string; index: Record<string, number>; source?: string });
    expect(ticks).toHaveLength(288);
    expect(ticks[0]?.source).toMatch(/only the four daily prices are real/);
    // Real OHLC of 2020-03-12 (Yahoo, ../shared/data): rebased on the example market's 90,000 BTC.
    const [open, high, low, close] = [7913.6162109375, 7929.1162109375, 4860.35400390625, 4970.7880859375];
    const btc = ticks.map((t) => t.index.BTC as number);
    const rel = (x: number, y: number) => Math.abs(x / y - 1);
    expect(rel(Math.max(...btc), (90000 * high) / open)).toBeLessThan(1e-12);
    expect(rel(Math.min(...btc), (90000 * low) / open)).toBeLessThan(1e-12);
    expect(rel(btc[btc.length - 1] as number, (90000 * close) / open)).toBeLessThan(1e-12);
    expect(ticks[287]?.ts).toBe("2026-03-03T12:00:00.000Z");
    // Reproducible from the seed.
    const again = join(dir, "day2.jsonl");
    await runCli("ticks", "--day", "2020-03-12", "--example", "--ohlc", `BTC=${sharedData("btc_usd_daily_ohlcv_yahoo.csv")}`, "--ohlc", `ETH=${sharedData("eth_usd_daily_ohlcv_yahoo.csv")}`, "--dvol", `BTC=${sharedData("deribit_dvol_btc_daily.csv")}`, "--interval", "300", "--seed", "7", "--out", again);
    expect(readFileSync(again, "utf8")).toBe(readFileSync(out, "utf8"));
  });

  it("follows DVOL where the DVOL file covers the day", async () => {
    const run = await runCli("ticks", "--day", "2022-11-09", "--example", "--ohlc", `BTC=${sharedData("btc_usd_daily_ohlcv_yahoo.csv")}`, "--dvol", `BTC=${sharedData("deribit_dvol_btc_daily.csv")}`, "--interval", "3600");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/BTC: implied vols follow DVOL/);
    const ticks = run.stdout.trim().split("\n").map((l) => JSON.parse(l) as { volMoves?: Record<string, number> });
    const total = ticks.reduce((r, t) => r * (1 + (t.volMoves?.BTC ?? 0)), 1);
    expect(total).toBeGreaterThan(1);
  });
});

describe("the committed 2020-03-12 replay (examples/replay-2020-03-12, scripts/replay-2020-03-12.js)", () => {
  it("is what the replay gives on its first hour: the same events in order (numbers to 1e-12 relative)", async () => {
    const all = readFileSync("examples/replay-2020-03-12/ticks.jsonl", "utf8").trim().split("\n");
    const ticks = join(dir, "first-hour.jsonl");
    writeFileSync(ticks, `${all.slice(0, 60).join("\n")}\n`);
    const run = await runCli("replay", "--accounts", "examples/demo-exchange", "--market", "examples/market.json", "--ticks", ticks, "--breakers", "presets/breakers-default.json", "--json");
    expect(run.code, run.stderr).toBe(0);
    const got = run.stdout.trim().split("\n").slice(0, -1);
    const committed = readFileSync("examples/replay-2020-03-12/events.jsonl", "utf8").trim().split("\n").filter((l) => (JSON.parse(l) as { seq: number }).seq <= 60);
    expect(got.length).toBeGreaterThan(0);
    // Same events in the same order with the same strings; numbers to 1e-12 relative (Node 20 and 24 differ in the
    // last bit of some Math functions, test/helpers/close-json.ts).
    expect(jsonDifferences(got.map((l) => JSON.parse(l) as unknown), committed.map((l) => JSON.parse(l) as unknown), 1e-12)).toEqual([]);
    const summary = JSON.parse(readFileSync("examples/replay-2020-03-12/summary.json", "utf8")) as { accounts: number; ticks: { applied: number }; notes: string[] };
    expect([summary.accounts, summary.ticks.applied]).toEqual([300, 1440]);
    expect(summary.notes[0]).toMatch(/SYNTHETIC intraday path: .* only the four daily prices are real/);
  });
});

describe("netrisk replay into a slow reader", () => {
  it("waits for stdout between ticks: the unwritten output stays at about one tick's lines, all of it arrives in order", async () => {
    const { Writable } = await import("node:stream");
    const { main } = await import("../../src/cli/main.js");
    const { streamIo } = await import("../../src/cli/run.js");
    // A reader that takes one chunk per event-loop turn (a pipe into a slower consumer): without waiting, the whole
    // run would sit in the stream's buffer (tens of MB at a day of --figures on a large book).
    let bytes = 0;
    let chunks = 0;
    const parts: string[] = [];
    const sink = new Writable({
      highWaterMark: 16 * 1024,
      write(chunk: Buffer, _enc, done) {
        bytes += chunk.length;
        chunks++;
        parts.push(chunk.toString());
        setImmediate(done);
      },
    });
    let maxBacklog = 0;
    const write = sink.write.bind(sink);
    sink.write = ((c: string) => {
      const r = write(c);
      maxBacklog = Math.max(maxBacklog, sink.writableLength);
      return r;
    }) as typeof sink.write;
    const ticks = tickFile(Array.from({ length: 30 }, (_, k) => ({ seq: k + 1, ts: at(k + 1), index: { BTC: 87000 - 300 * k, ETH: 3000 - 10 * k } })));
    const err: string[] = [];
    const io = streamIo(sink, { write: (t: string) => void err.push(t), isTTY: false });
    const code = await main(["replay", "--accounts", "examples/demo-exchange", "--market", "examples/market.json", "--ticks", ticks, "--figures", "--json"], io);
    await new Promise<void>((r) => sink.end(r));
    expect(code).toBe(0);
    expect(err).toEqual([]);
    // 300 accounts' documents per tick (~1 MB); 30 ticks are ~30 MB. The backlog stays within about one tick.
    expect(bytes).toBeGreaterThan(10_000_000);
    expect(maxBacklog).toBeLessThan(bytes / 10);
    expect(chunks).toBeGreaterThan(1000);
    const lines = parts.join("").trimEnd().split("\n").map((l) => JSON.parse(l) as { seq: number; type: string });
    expect(lines.at(-1)?.type).toBe("summary");
    const seqs = lines.slice(0, -1).map((l) => l.seq);
    expect(seqs.every((q, k) => k === 0 || q >= (seqs[k - 1] as number))).toBe(true);
    expect(new Set(seqs).size).toBe(30);
  }, 120_000);
});
