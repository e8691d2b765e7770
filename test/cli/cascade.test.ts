/**
 * `netrisk cascade` (docs/cascade.md): the JSON lines the dashboard's cascade view reads (lines of type `round`, the
 * last line `{type: "cascade", summary}` with the issue's summary fields), money conserved in the printed figures,
 * the three path sources, and bad input as exit 2 with the flag's path.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { itWithSharedData, sharedData, whenSharedData } from "../helpers/requires.js";
import { runCli } from "./helpers.js";

const BOOK = ["--accounts", "examples/demo-exchange", "--market", "examples/market.json"];
const D = (f: string): string => whenSharedData(() => sharedData(f)) ?? f;

function lines(stdout: string): Record<string, unknown>[] {
  return stdout
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function checkJson(stdout: string): { summary: Record<string, number>; rounds: Record<string, unknown>[] } {
  const all = lines(stdout);
  const last = all.at(-1) as { type: string; summary: Record<string, number> };
  expect(last.type).toBe("cascade");
  const s = last.summary;
  for (const k of ["bankruptShortfallUsd", "insuranceFundUsedUsd", "insuranceFundFeesUsd", "adlUsd", "socializedLossUsd", "liquidatedAccounts", "rounds"]) expect(typeof s[k], k).toBe("number");
  expect(typeof s.finalMarks).toBe("object");
  expect(Math.abs((s.bankruptShortfallUsd as number) - ((s.insuranceFundUsedUsd as number) + (s.adlUsd as number) + (s.socializedLossUsd as number)))).toBeLessThan(0.005);
  const rounds = all.slice(0, -1);
  expect(rounds.length).toBe(s.rounds);
  // What the dashboard's cascade view reads (src/web/pages/breakers.tsx, Round).
  rounds.forEach((r, k) => {
    expect(r.type).toBe("round");
    expect(r.round).toBe(k);
    for (const f of ["liquidatedAccounts", "bankruptAccounts", "liquidatedNotionalUsd", "shortfallUsd", "insuranceFundDrawUsd", "adlUsd", "socializedUsd", "insuranceFundBalanceUsd"]) expect(typeof r[f], f).toBe("number");
    expect(typeof r.indexUsd).toBe("object");
  });
  return { summary: s, rounds };
}

describe("netrisk cascade", () => {
  it("--move on the demo exchange: rounds and a summary the dashboard reads, money conserved", async () => {
    const run = await runCli("cascade", ...BOOK, "--move", "BTC=-0.35,ETH=-0.35", "--insurance-fund", "500000", "--json");
    expect(run.code, run.stderr).toBe(0);
    const { summary, rounds } = checkJson(run.stdout);
    expect(summary.liquidatedAccounts).toBeGreaterThan(0);
    expect(summary.insuranceFundUsedUsd).toBeLessThanOrEqual(500_000 + (summary.insuranceFundFeesUsd as number) + 0.005);
    expect((rounds.at(-1) as { insuranceFundBalanceUsd: number }).insuranceFundBalanceUsd).toBeCloseTo(summary.insuranceFundEndUsd as number, 6);
  });

  it("text: the timeline and the summary", async () => {
    const run = await runCli("cascade", ...BOOK, "--move", "BTC=-0.3", "--policy", "paradex-steps", "--insurance-fund", "100000");
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/cascade: 300 accounts, policy paradex-steps/);
    expect(run.stdout).toMatch(/bankrupt shortfall [\d,]+ USD = insurance fund [\d,]+ \+ ADL/);
    expect(run.stdout).toMatch(/fund after USD/);
  });

  it("--ticks: the path's ticks in order, policy rounds between them while liquidations go on", async () => {
    const dir = mkdtempSync(join(tmpdir(), "netrisk-cascade-"));
    const ticks = join(dir, "ticks.jsonl");
    writeFileSync(ticks, [{ seq: 1, ts: "2026-03-02T12:01:00Z", index: { BTC: 80000 } }, { seq: 2, ts: "2026-03-02T12:02:00Z", index: { BTC: 65000 } }].map((t) => JSON.stringify(t)).join("\n"));
    const run = await runCli("cascade", ...BOOK, "--ticks", ticks, "--policy", "hyperliquid-backstop", "--impact", "none", "--json");
    expect(run.code, run.stderr).toBe(0);
    const { summary, rounds } = checkJson(run.stdout);
    const at = (r: Record<string, unknown>) => ({ ts: r.ts as string, btc: (r.indexUsd as { BTC: number }).BTC, steps: r.liquidationSteps as number });
    expect(at(rounds[0] as Record<string, unknown>)).toMatchObject({ ts: "2026-03-02T12:01:00.000Z", btc: 80000 });
    // The backstop liquidated in the first round, so its next round comes 30 s later (the policy's roundSeconds), before the path's next tick.
    if (at(rounds[0] as Record<string, unknown>).steps > 0) expect(at(rounds[1] as Record<string, unknown>).ts).toBe("2026-03-02T12:01:30.000Z");
    expect(rounds.map((r) => at(r)).find((r) => r.ts === "2026-03-02T12:02:00.000Z")?.btc).toBe(65000);
    expect((summary.finalMarks as unknown as { BTC: number }).BTC).toBe(65000);
  });

  itWithSharedData("--stress black-thursday derived from the history", async () => {
    const run = await runCli("cascade", ...BOOK, "--stress", "black-thursday", "--history", `BTC=${D("btc_usd_daily_close_2015_2026.csv")}`, D("eth_usd_daily_ohlcv_yahoo.csv"), "--json");
    expect(run.code, run.stderr).toBe(0);
    const { summary } = checkJson(run.stdout);
    // BTC closed 2020-03-12 at 4,970.79 after 7,911.43 the day before (Yahoo): −37.2 %, on the 90,000 example index.
    expect(summary.startMarks).toBeDefined();
    const first = lines(run.stdout)[0] as { indexUsd: { BTC: number } };
    expect(first.indexUsd.BTC / 90000 - 1).toBeLessThan(-0.3);
  });

  it("bad input: exit 2 with the flag's path, no round printed (the error document on stdout under --json)", async () => {
    const cases: [string[], RegExp][] = [
      [["--move", "BTC=-1.2"], /--move\.BTC/],
      [["--move", "DOGE=-0.2"], /--move\.DOGE: missing_index/],
      [[], /--move: required/],
      [["--move", "BTC=-0.2", "--ticks", "x.jsonl"], /exactly one/],
      [["--move", "BTC=-0.2", "--insurance-fund", "-5"], /--insurance-fund/],
      // netrisk's bound on amounts (1e15, docs/formats.md "Bounds"): past it a fund's cents are lost to rounding.
      [["--move", "BTC=-0.2", "--insurance-fund", "1e308"], /--insurance-fund: out_of_range/],
      [["--move", "BTC=-0.2", "--policy", "examples/market.json"], /rule|name|source/],
      [["--move", "BTC=-0.2", "--impact", "presets/live.json"], /model|underlyings|source/],
      [["--stress", "black-thursday"], /--history: required/],
      [["--move", "BTC=-0.2", "--planner", "cheapest"], /--planner: invalid_value/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli("cascade", ...BOOK, ...args, "--json");
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stdout, args.join(" ")).not.toMatch(/"round"/);
      const err = JSON.parse(run.stdout) as { error: { issues: { code: string; path: string; message: string }[] } };
      expect(err.error.issues.map((i) => `${i.path}: ${i.code}: ${i.message}`).join("\n"), args.join(" ")).toMatch(message);
    }
  });
});

describe("the committed 2020-03-12 cascade report (examples/cascade-2020-03-12, scripts/cascade-2020-03-12.js)", () => {
  itWithSharedData("the black-thursday shock with the default impact reproduces its committed summary (1e-9 relative)", async () => {
    const committed = JSON.parse(readFileSync("examples/cascade-2020-03-12/summary.json", "utf8")).blackThursdayShock["impact-default"] as Record<string, unknown>;
    const run = await runCli("cascade", ...BOOK, "--stress", "black-thursday", "--history", `BTC=${D("btc_usd_daily_ohlcv_yahoo.csv")}`, `ETH=${D("eth_usd_daily_ohlcv_yahoo.csv")}`, "--impact", "presets/impact-default.json", "--insurance-fund", "1000000", "--no-steps", "--json");
    expect(run.code, run.stderr).toBe(0);
    const summary = (lines(run.stdout).at(-1) as { summary: Record<string, unknown> }).summary;
    for (const [k, v] of Object.entries(committed)) {
      if (typeof v === "number") expect(Math.abs((summary[k] as number) - v), k).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(v)));
      else expect(JSON.stringify(summary[k]), k).toBe(JSON.stringify(v));
    }
  }, 60_000);

  it("each committed policy run conserves money in its summary and agrees with its rounds", () => {
    for (const policy of ["deribit-incremental", "derive-auction", "paradex-steps", "hyperliquid-backstop"]) {
      const all = lines(readFileSync(`examples/cascade-2020-03-12/${policy}.jsonl`, "utf8"));
      const s = (all.at(-1) as { summary: Record<string, number> }).summary;
      expect(Math.abs((s.bankruptShortfallUsd as number) - ((s.insuranceFundUsedUsd as number) + (s.adlUsd as number) + (s.socializedLossUsd as number))), policy).toBeLessThan(0.005);
      const rounds = all.slice(0, -1) as { shortfallUsd: number; liquidatedAccounts: number }[];
      expect(rounds.length, policy).toBe(s.rounds);
      expect(rounds.reduce((t, r) => t + r.liquidatedAccounts, 0), policy).toBe(s.liquidatedAccounts);
    }
  });
});
