/**
 * One rule for an instrument that is well-formed but not quoted (issue 9 §4): `margin` and `whatif` both price it
 * from the market and both say so in text and JSON. On the earlier main `margin` priced BTC-6MAR26-91000-C from the
 * surface without a word and `whatif` rejected it as "not listed".
 */
import { describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runCli } from "../cli/helpers.js";

const dir = mkdtempSync(join(tmpdir(), "netrisk-consistency-"));
const portfolio = join(dir, "p.json");
writeFileSync(portfolio, JSON.stringify({ positions: [{ instrument: "BTC-6MAR26-91000-C", size: -1 }] }));
const NOTE = /BTC-6MAR26-91000-C is not quoted in the market: priced from the BTC vol surface \(vol [0-9.]+\) at the forward/;

describe("unquoted but well-formed instruments: one rule, with a note", () => {
  it("margin: priced, with the note in text and JSON", async () => {
    const text = await runCli("margin", "--portfolio", portfolio, "--market", "examples/market.json");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(NOTE);
    const json = await runCli("margin", "--portfolio", portfolio, "--market", "examples/market.json", "--json");
    expect((JSON.parse(json.stdout) as { notes: string[] }).notes.join("\n")).toMatch(NOTE);
  });
  it("whatif: accepted like margin, with the same note in text and JSON", async () => {
    const text = await runCli("whatif", "--example", "--trade", "BTC-6MAR26-91000-C:-1");
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(NOTE);
    const json = await runCli("whatif", "--example", "--trade", "BTC-6MAR26-91000-C:-1", "--json");
    expect(json.code).toBe(0);
    expect(json.stdout).toMatch(NOTE);
  });
  it("an unquoted perpetual is marked at the index and says which flag adds its quote", async () => {
    const m = JSON.parse(readFileSync("examples/market.json", "utf8")) as { instruments: Record<string, unknown> };
    delete m.instruments["ETH_USDC-PERPETUAL"];
    const market = join(dir, "m.json");
    writeFileSync(market, JSON.stringify(m));
    const r = await runCli("whatif", "--account", "examples/account.json", "--market", market, "--trade", "ETH_USDC-PERPETUAL:1");
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/ETH_USDC-PERPETUAL is not quoted in the market: marked at the ETH index .*--perpetuals FILE/);
  });
});

describe("backtest of a statistical model without --from", () => {
  it("starts on the first day the history supports (was days.<first>.history: out_of_range)", async () => {
    const p = join(dir, "btc.json");
    writeFileSync(p, JSON.stringify({ positions: [{ instrument: "BTC-PERPETUAL", size: 1 }] }));
    // SYNTHETIC history generated here: 160 daily BTC closes from 2024-01-01, a deterministic wiggle around 40,000.
    const day0 = Date.UTC(2024, 0, 1);
    const rows = Array.from({ length: 160 }, (_v, i) => `${new Date(day0 + i * 86_400_000).toISOString().slice(0, 10)},${(40_000 * Math.exp(0.03 * Math.sin(i * 1.7) + 0.001 * i)).toFixed(2)}`);
    const history = join(dir, "btc-synthetic.csv");
    writeFileSync(history, ["date,BTC", ...rows].join("\n"));
    const r = await runCli("backtest", "--portfolio", p, "--model", "var", "--history", history, "--window-days", "120", "--min-window-days", "100", "--no-stress", "--json");
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { notes: string[]; settings: { from: string } };
    // A 2-day horizon and at least 100 windows: the first margin day is 2 + 100 − 1 = 101 days after 2024-01-01.
    expect(doc.settings.from).toBe("2024-04-11");
    expect(doc.notes.join("\n")).toMatch(/the first margin day is 2024-04-11: 101 day\(s\) after the first day every series covers/);
    expect(doc.notes.join("\n")).toMatch(/bundled synthetic example market/);
  });
});

describe("progress bar (issue 9 §5): through the engine's callback, on a terminal only", () => {
  const p = join(dir, "btc-mc.json");
  writeFileSync(p, JSON.stringify({ positions: [{ instrument: "BTC-PERPETUAL", size: 1 }] }));
  const argv = ["var", "--portfolio", p, "--market", "examples/market.json", "--history", "test/fixtures/backtest/walk-history.csv", "--method", "montecarlo", "--paths", "20000", "--no-stress"];
  it("var --method montecarlo draws a bar on a TTY stderr and clears it; nothing otherwise", async () => {
    const { main } = await import("../../src/cli/main.js");
    let progress = "";
    let err = "";
    const code = await main(argv, { out: () => undefined, err: (t) => void (err += t), isTty: true, progress: (t) => void (progress += t) });
    expect(code, err).toBe(0);
    expect(progress).toMatch(/\rmonte carlo paths \[#{30}\] 100% \(20,000\/20,000\)/);
    expect(progress).toMatch(/\rrevaluation \[#{30}\] 100% \(20,000\/20,000\)/);
    expect(progress.endsWith("\r")).toBe(true);
    const plain = await runCli(...argv);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toBe("");
  });
});
