import { describe, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseJson, runCli } from "./helpers.js";

function batchFile(rows: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), "netrisk-batch-")), "rows.json");
  writeFileSync(path, JSON.stringify(rows));
  return path;
}

describe("netrisk price / iv", () => {
  it("Haug's Black-76 example from flags: F = K = 19, T = 0.75, r = 10 %, σ = 28 % → 1.7011 (published to 4 d.p.)", async () => {
    const run = await runCli("price", "--type", "call", "--forward", "19", "--strike", "19", "--time-years", "0.75", "--vol", "0.28", "--rate", "0.1", "--json");
    expect(run.code).toBe(0);
    const r = parseJson(run) as { price: number; units: { price: string } };
    expect(r.price).toBeCloseTo(1.7011, 4);
    expect(r.units.price).toMatch(/USD/);
  });

  it("batch: prices, Greeks and an error object per bad row, in input order; exit 2 when a row is invalid", async () => {
    const rows = [
      { type: "put", forward: 20, strike: 20, timeYears: 4 / 12, vol: 0.25, rate: 0.09 },
      { type: "call", forward: 65000, strike: 70000, timeYears: 0.1, vol: 0, settlement: "inverse" },
      { type: "call", forward: 65000, strike: 70000, timeYears: 0.1, vol: 0.55, settlement: "inverse" },
    ];
    const run = await runCli("price", "--batch", batchFile(rows));
    expect(run.code).toBe(2);
    const out = parseJson(run) as ({ price: number; delta: number } | { error: { code: string; issues: { code: string; path: string }[] } })[];
    expect(out).toHaveLength(3);
    // Hull, Options Futures and Other Derivatives, Black's model example: put = 1.12 (published to 2 d.p.).
    expect((out[0] as { price: number }).price).toBeCloseTo(1.12, 2);
    // An invalid row's answer is the error document of that row (the same document as every netrisk error).
    expect(out[1]).toEqual({ error: { code: "not_positive", issues: [{ code: "not_positive", path: "[1].vol", message: expect.stringMatching(/got 0/) as string }] } });
    expect((out[2] as { price: number }).price).toBeGreaterThan(0);
    // One coded line on stderr: the first bad field, and how many rows were invalid.
    expect(run.stderr).toMatch(/^netrisk: error: \[1\]\.vol: not_positive: .*1 invalid row\(s\) of 3.*\n$/);
    expect(run.stderr.split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("iv round-trips the price command, and reports rows with no implied vol as error objects (exit 0)", async () => {
    const priced = await runCli("price", "--type", "put", "--forward", "65000", "--strike", "60000", "--days", "30", "--vol", "0.6", "--settlement", "inverse", "--json");
    const price = (parseJson(priced) as { price: number }).price;
    const iv = await runCli("iv", "--type", "put", "--forward", "65000", "--strike", "60000", "--days", "30", "--price", String(price), "--settlement", "inverse", "--json");
    expect(iv.code).toBe(0);
    expect((parseJson(iv) as { vol: number }).vol).toBeCloseTo(0.6, 10);
    const rows = [
      { type: "call", forward: 100, strike: 90, timeYears: 1, price: 5 },
      { type: "call", forward: 100, strike: 90, timeYears: 1, price: 12 },
    ];
    const batch = await runCli("iv", "--batch", batchFile(rows));
    expect(batch.code).toBe(0);
    const out = parseJson(batch) as ({ vol: number } | { error: { code: string } })[];
    expect(out[0]).toEqual({ error: { code: "price_below_intrinsic", issues: [{ code: "price_below_intrinsic", path: "[0].price", message: expect.any(String) as string }] } });
    expect((out[1] as { vol: number }).vol).toBeGreaterThan(0);
  });

  it("flag errors name the flag", async () => {
    const run = await runCli("price", "--type", "call", "--forward", "abc", "--strike", "1", "--time-years", "1", "--vol", "0.5");
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('netrisk: error: --forward: invalid_value: --forward must be a number, got "abc"\n');
    const iv = await runCli("iv", "--type", "call", "--forward", "100", "--strike", "100", "--time-years", "1", "--price", "150");
    expect(iv.code).toBe(2);
    expect(iv.stderr).toMatch(/--price: price_above_bound/);
  });
});
