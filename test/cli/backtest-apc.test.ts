/**
 * `netrisk backtest --apc-compare` and the `--apc` flags, in process, on the SYNTHETIC history of test/fixtures/apc
 * (generate.py): rows per tool, their direction against the no-tool row, and input errors (exit 2, the flag's path).
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parseJson, runCli } from "./helpers.js";

const fx = JSON.parse(readFileSync(new URL("../fixtures/apc/apc.json", import.meta.url), "utf8")) as { market: unknown; portfolio: unknown };
const dir = mkdtempSync(join(tmpdir(), "netrisk-apc-"));
const marketPath = join(dir, "market.json");
const portfolioPath = join(dir, "portfolio.json");
writeFileSync(marketPath, JSON.stringify(fx.market));
writeFileSync(portfolioPath, JSON.stringify(fx.portfolio));
const base = ["backtest", "--portfolio", portfolioPath, "--market", marketPath, "--history", "test/fixtures/apc/apc-history.csv", "--from", "2022-09-01", "--to", "2022-12-10", "--rebalance", "usd"];

interface Row {
  variant: string;
  observations: number;
  breaches: number;
  meanMarginUsd: number;
  largest1Day: { increaseRelative: number } | null;
  largest30Day: { increaseRelative: number } | null;
}

describe("netrisk backtest --apc-compare", () => {
  it("var: one row per EMIR tool beside the no-tool row; floors cost margin, the buffer damps the 1-day rise", async () => {
    const run = await runCli(...base, "--model", "var", "--apc-compare", "--json");
    expect(run.code).toBe(0);
    const c = parseJson(run) as { rows: Row[]; settings: { from: string; to: string } };
    expect(c.rows.map((r) => r.variant)).toEqual(["none", "buffer", "stressed-weight", "lookback-floor"]);
    expect(c.settings).toMatchObject({ from: "2022-09-01", to: "2022-12-10" });
    const [none, buffer, , floor] = c.rows as [Row, Row, Row, Row];
    expect(buffer.meanMarginUsd).toBeGreaterThan(none.meanMarginUsd);
    expect(floor.meanMarginUsd).toBeGreaterThanOrEqual(none.meanMarginUsd);
    expect(buffer.largest1Day?.increaseRelative as number).toBeLessThanOrEqual(none.largest1Day?.increaseRelative as number);
    for (const r of c.rows) expect(r.observations).toBe(101);
  });

  it("text output names the tools; a risk-matrix model compares the buffer and the look-back floor", async () => {
    const run = await runCli(...base, "--model", "deribit", "--apc-compare");
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("anti-procyclicality comparison");
    expect(run.stdout).toMatch(/\nbuffer\s/);
    expect(run.stdout).toMatch(/\nlookback-floor\s/);
    expect(run.stdout).not.toContain("stressed-weight");
    // Perpetuals only: the risk matrix ignores vols, so the floor is the margin itself (and the note says why).
    const json = parseJson(await runCli(...base, "--model", "deribit", "--apc-compare", "--json")) as { rows: Row[]; notes: string[] };
    const [none, , floor] = json.rows as [Row, Row, Row];
    expect(floor.meanMarginUsd).toBe(none.meanMarginUsd);
    expect(json.notes.some((n) => n.startsWith("lookback-floor: anti-procyclicality (c)") && n.includes("holds no option"))).toBe(true);
  });

  it("bad flags: exit 2 with the flag as the path", async () => {
    const bogus = await runCli(...base, "--model", "var", "--apc", "bogus", "--json");
    expect(bogus.code).toBe(2);
    expect(bogus.stdout).toContain('"path": "--apc"');
    const unsupported = await runCli(...base, "--model", "deribit", "--apc", "stressed-weight", "--json");
    expect(unsupported.code).toBe(2);
    expect(unsupported.stdout).toContain("unsupported");
    const years = await runCli(...base, "--model", "deribit", "--apc-lookback-years", "5", "--json");
    expect(years.code).toBe(2);
    expect(years.stdout).toContain('"path": "--apc-lookback-years"');
    const weight = await runCli(...base, "--model", "var", "--apc", "stressed-weight", "--apc-stressed-weight", "1.5", "--json");
    expect(weight.code).toBe(2);
    const margin = await runCli("margin", "--portfolio", portfolioPath, "--market", marketPath, "--apc", "buffer");
    expect(margin.code).toBe(2);
    expect(margin.stderr).toContain("--apc");
  });
});
