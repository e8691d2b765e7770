/**
 * `netrisk insurance-fund`, `netrisk cover2`, `netrisk reverse-stress`, in process, on a three-account book of the
 * example market with the real BTC/ETH closes (skipped without ../shared/data): JSON shapes, the sums they promise,
 * and input errors (exit 2 with the flag's path).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { describeWithSharedData, sharedData, whenSharedData } from "../helpers/requires.js";
import { parseJson, runCli } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "netrisk-fund-"));
const book = join(dir, "book");
mkdirSync(book);
const doc = (positions: unknown[], collateral: Record<string, number>) => JSON.stringify({ model: "deribit", parameterSet: "deribit", positions, collateral });
writeFileSync(join(book, "long.json"), doc([{ instrument: "BTC_USDC-PERPETUAL", size: 3 }], { USDC: 40_000 }));
writeFileSync(join(book, "short.json"), doc([{ instrument: "ETH_USDC-PERPETUAL", size: -60 }], { USDC: 30_000 }));
writeFileSync(join(book, "calm.json"), doc([{ instrument: "BTC_USDC-PERPETUAL", size: 0.1 }], { USDC: 100_000 }));
const groups = join(dir, "groups.json");
writeFileSync(groups, JSON.stringify({ long: "house", calm: "house" }));
const history = whenSharedData(() => sharedData("crypto_daily_close_wide_2014_2024.csv"));
const base = (cmd: string) => [cmd, "--accounts", book, "--market", "examples/market.json", "--history", history, "--impact", "none"];

interface Quantile { level: number; valueUsd: number; standardErrorUsd: number | null }
interface Source { source: string; draws: number; quantiles: Quantile[]; maxUsd: number; meanUsd: number }

describeWithSharedData("fund commands on a small book", () => {
  it("insurance-fund --json: per source the quantiles; Monte Carlo has standard errors, named stresses none", async () => {
    const run = await runCli(...base("insurance-fund"), "--source", "montecarlo,named", "--paths", "400", "--levels", "0.5,0.99", "--json");
    expect(run.code).toBe(0);
    const r = parseJson(run) as { bySource: Source[]; outcomes: { source: string; fundNeededUsd: number }[] };
    expect(r.bySource.map((s) => s.source)).toEqual(["montecarlo", "named"]);
    const mc = r.bySource[0] as Source;
    expect(mc.draws).toBe(400);
    expect(mc.quantiles[1]?.standardErrorUsd).not.toBeNull();
    expect(r.bySource[1]?.quantiles.every((q) => q.standardErrorUsd === null)).toBe(true);
    // The 99 % quantile is the 396th smallest fund of the Monte Carlo draws.
    const sorted = r.outcomes.filter((o) => o.source === "montecarlo").map((o) => o.fundNeededUsd).sort((a, b) => a - b);
    expect(mc.quantiles[1]?.valueUsd).toBe(sorted[395]);
    expect(mc.maxUsd).toBe(sorted.at(-1));
  });

  it("insurance-fund --processes: the same document from 1 and from 2 processes (the draws run in child processes)", async () => {
    const args = [...base("insurance-fund"), "--source", "montecarlo,named", "--paths", "60", "--json"];
    const one = await runCli(...args, "--processes", "1");
    const two = await runCli(...args, "--processes", "2");
    expect(one.code).toBe(0);
    expect(two.code, two.stderr).toBe(0);
    expect(two.stdout).toBe(one.stdout);
  }, 120_000);

  it("cover2 --groups: the worst scenario's two largest groups sum to the fund", async () => {
    const run = await runCli(...base("cover2"), "--groups", groups, "--historical-worst", "1", "--json");
    expect(run.code).toBe(0);
    const r = parseJson(run) as { fundUsd: number; worst: { label: string; top: { group: string; uncoveredUsd: number }[]; cover2Usd: number }; scenarios: { cover2Usd: number }[] };
    expect(r.fundUsd).toBe(r.worst.cover2Usd);
    expect(r.worst.top.reduce((s, g) => s + g.uncoveredUsd, 0)).toBeCloseTo(r.fundUsd, 6);
    expect(Math.max(...r.scenarios.map((s) => s.cover2Usd))).toBe(r.fundUsd);
    expect(r.worst.top.every((g) => g.group === "house" || g.group === "short")).toBe(true);
  });

  it("reverse-stress: down and up, each move exhausting the fund and the one just below not", async () => {
    const run = await runCli(...base("reverse-stress"), "--insurance-fund", "20000", "--json");
    expect(run.code).toBe(0);
    const r = parseJson(run) as { results: { direction: string; found: boolean; kSigma: number; fundNeededUsd: number; fundNeededBelowUsd: number }[] };
    expect(r.results.map((x) => x.direction)).toEqual(["down", "up"]);
    for (const x of r.results) {
      expect(x.found).toBe(true);
      expect(x.fundNeededUsd).toBeGreaterThanOrEqual(20_000);
      expect(x.fundNeededBelowUsd).toBeLessThan(20_000);
    }
    expect(r.results[0]?.kSigma).toBeLessThan(0);
  });

  it("bad input: exit 2 with the flag's path", async () => {
    for (const [args, path] of [
      [[...base("insurance-fund"), "--source", "bogus"], "--source"],
      [[...base("insurance-fund"), "--processes", "0"], "--processes"],
      [[...base("insurance-fund"), "--processes", "two"], "--processes"],
      [[...base("reverse-stress"), "--insurance-fund", "0"], "--insurance-fund"],
      [[...base("reverse-stress"), "--insurance-fund", "10", "--direction", "sideways"], "--direction"],
      [["cover2", "--accounts", book, "--market", "examples/market.json"], "--history"],
    ] as const) {
      const run = await runCli(...args, "--json");
      expect(run.code, args.join(" ")).toBe(2);
      expect(run.stdout).toContain(`"path": "${path}"`);
    }
  });
});
