import { describe, expect, it } from "vitest";
import { itWithSharedData, sharedData, whenSharedData } from "../helpers/requires.js";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJson, runCli } from "./helpers.js";

const EXAMPLE_MARKET = "examples/market.json";
const USDC_PORTFOLIO = "examples/portfolio-usdc.json";
const W1_MARKET = "examples/deribit-w1/market.json";
const W1_PORTFOLIO = "examples/deribit-w1/portfolio.json";

function tmpFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "netrisk-cli-"));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

describe("netrisk margin", () => {
  it("computes the bundled example under every model, text and JSON", async () => {
    for (const model of ["deribit", "standard", "derive-pmrm2"]) {
      // Derive PMRM_2 margins USDC-settled products only: it gets the bundled USDC book.
      const inputs = model === "derive-pmrm2" ? ["--portfolio", USDC_PORTFOLIO, "--market", EXAMPLE_MARKET] : ["--example"];
      const text = await runCli("margin", ...inputs, "--model", model);
      expect(text.stderr).toBe("");
      expect(text.code).toBe(0);
      expect(text.stdout).toMatch(/total: initial margin/);
      const json = await runCli("margin", ...inputs, "--model", model, "--json");
      expect(json.code).toBe(0);
      const r = parseJson(json) as { model: string; totalUsd: { initialMargin: number; maintenanceMargin: number } };
      expect(r.model).toBe(model);
      expect(r.totalUsd.initialMargin).toBeGreaterThan(0);
      expect(r.totalUsd.initialMargin).toBeGreaterThanOrEqual(r.totalUsd.maintenanceMargin);
    }
  });

  it("reproduces Deribit's pme/simulate example (W1) through the CLI", async () => {
    const run = await runCli("margin", "--portfolio", W1_PORTFOLIO, "--market", W1_MARKET, "--model", "deribit", "--json");
    expect(run.stderr).toBe("");
    const r = parseJson(run) as { byCurrency: Record<string, { maintenanceMargin: number; components: Record<string, number>; worstScenario: { priceMove: number } }> };
    const btc = Object.values(r.byCurrency)[0];
    expect(btc).toBeDefined();
    // Deribit docs: worst_case 0.05968587238, roll_shock 0.00315725898, MM 0.050274504784 (tolerance 1e-9, see w1.test.ts).
    expect(btc?.components.worstCase).toBeCloseTo(0.05968587238095239, 9);
    expect(btc?.components.rollShock).toBeCloseTo(0.00315725898, 9);
    expect(btc?.maintenanceMargin).toBeCloseTo(0.050274504784, 9);
    expect(btc?.worstScenario.priceMove).toBeCloseTo(-0.16, 12);
  });

  it("prints the risk matrix with the worst cell marked", async () => {
    const run = await runCli("matrix", "--portfolio", W1_PORTFOLIO, "--market", W1_MARKET);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/price move\s+vol down\s+vol unchanged\s+vol up/);
    expect(run.stdout).toMatch(/-16%.*\*/);
  });

  it("compares models with capital efficiency", async () => {
    const run = await runCli("compare", "--portfolio", USDC_PORTFOLIO, "--market", EXAMPLE_MARKET, "--json");
    expect(run.code).toBe(0);
    const r = parseJson(run) as { baseline: string; rows: { label: string; capitalEfficiency: number | null }[] };
    expect(r.baseline).toBe("standard");
    expect(r.rows.map((x) => x.label)).toEqual(["standard", "deribit", "derive-pmrm2"]);
    for (const row of r.rows) expect(row.capitalEfficiency).toBeGreaterThan(0);
    // On the coin-settled example Derive cannot margin the book: it is skipped with the reason, the others compare.
    const mixed = await runCli("compare", "--example");
    expect(mixed.code).toBe(0);
    expect(mixed.stdout).toMatch(/capital efficiency/);
    expect(mixed.stdout).toMatch(/derive-pmrm2: skipped: Derive PMRM_2 margins only USDC-settled options and perpetuals \(BTC-PERPETUAL and 9 more position\(s\)\)/);
    expect(mixed.stdout).not.toMatch(/cannot margin/);
  });
});

describe("bad input: one line, non-zero exit, nothing lost", () => {
  it("missing file", async () => {
    const run = await runCli("margin", "--portfolio", "nope.json", "--market", W1_MARKET);
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
    expect(run.stderr).toMatch(/nope\.json: file_not_found/);
    expect(run.stdout).toBe("");
  });

  it("unknown instrument with the path of the bad field, also as JSON", async () => {
    const p = tmpFile("p.json", JSON.stringify({ positions: [{ instrument: "BTC-PERPETUAL", size: 1 }, { instrument: "BTC-XYZ", size: 1 }] }));
    const run = await runCli("margin", "--portfolio", p, "--market", W1_MARKET, "--json");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/positions\[1\]\.instrument: malformed_instrument/);
    const err = parseJson(run) as { error: { code: string; issues: { path: string }[] } };
    expect(err.error.issues[0]?.path).toBe("positions[1].instrument");
  });

  it("invalid JSON, unknown model, unknown option", async () => {
    const p = tmpFile("bad.json", "{ positions: ");
    expect((await runCli("margin", "--portfolio", p, "--market", W1_MARKET)).stderr).toMatch(/invalid_json/);
    const m = await runCli("margin", "--example", "--model", "span-9000");
    expect(m.code).toBe(2);
    expect(m.stderr).toMatch(/unknown_model/);
    expect((await runCli("margin", "--bogus")).code).toBe(2);
  });

  it("--help on every command", async () => {
    for (const cmd of ["margin", "matrix", "compare", "price", "iv", "surface", "schema"]) {
      const run = await runCli(cmd, "--help");
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/Usage: netrisk/);
    }
  });
});

describe("statistical models in margin and compare (--history)", () => {
  const history = whenSharedData(() => ["crypto_daily_close_wide_2014_2024.csv", "deribit_dvol_btc_daily.csv", "deribit_dvol_eth_daily.csv"].map(sharedData)) ?? [];
  const inputs = ["--portfolio", "examples/portfolio.json", "--market", "examples/market.json"];

  itWithSharedData("margin --model var --history gives the same ES and margin as netrisk var (historical, whole history)", async () => {
    const m = await runCli("margin", ...inputs, "--model", "var", "--history", ...history, "--json");
    expect(m.stderr).toBe("");
    const v = await runCli("var", ...inputs, "--history", ...history, "--json");
    const margin = parseJson(m) as { totalUsd: { initialMargin: number }; byCurrency: { USD: { components: { expectedShortfall: number } } } };
    const report = parseJson(v) as { es: number; initialMarginUsd: number };
    expect(margin.byCurrency.USD.components.expectedShortfall).toBe(report.es);
    expect(margin.totalUsd.initialMargin).toBe(report.initialMarginUsd);
  });

  itWithSharedData("compare --history puts var and hybrid beside the scenario models", async () => {
    const run = await runCli("compare", ...inputs, "--models", "standard,deribit,var,hybrid", "--history", ...history, "--json");
    expect(run.code).toBe(0);
    const r = parseJson(run) as { rows: { label: string; initialMarginUsd: number }[]; failures: unknown[] };
    expect(r.failures).toEqual([]);
    expect(r.rows.map((x) => x.label)).toEqual(["standard", "deribit", "var", "hybrid"]);
    const im = Object.fromEntries(r.rows.map((x) => [x.label, x.initialMarginUsd]));
    // hybrid = max(risk matrix, ES margin) + add-ons, so it is at least the larger of the two without add-ons.
    expect(im.hybrid).toBeGreaterThanOrEqual(Math.min(im.deribit ?? 0, im.var ?? 0));
  });

  it("margin --model var without --history says what is missing", async () => {
    const run = await runCli("margin", ...inputs, "--model", "var");
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/history|statistical/);
  });
});
