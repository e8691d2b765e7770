/**
 * Text output (issue 9 §5): no floating-point dust (`5.82077e-11` as an equity change), no doubled units
 * ("33,524.8 USD (33,524.8 USD)"), and the liquidation plan table within 120 columns, across the text commands on the
 * real 2025-12-30 Deribit chain (../shared/data) with a seeded 30-position book on it.
 */
import { beforeAll, expect, it } from "vitest";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { unwrap } from "../../src/errors.js";
import { loadMarketFile } from "../../src/io/load-market.js";
import { describeWithSharedData, sharedData, whenSharedData } from "../helpers/requires.js";
import { runCli } from "./helpers.js";

/** A number printed in exponent notation, e.g. 5.82077e-11 or -1.4e+21. */
const EXPONENT = /(?<![\w.])-?\d+(?:\.\d+)?e[-+]?\d+(?![\w])/i;
/** An amount followed by the same amount and unit in brackets: "139,030.94 USD (139,030.94 USD)". */
const DOUBLED = /([-\d,.]+) ([A-Z]{3,5}) \(\1 \2\)/;

function checkText(label: string, text: string): void {
  for (const line of text.split("\n")) {
    // p-values below 1e-4 are printed in exponent notation on purpose (a statistic, not an amount).
    if (!/p-value|Kupiec|Christoffersen|conditional coverage/i.test(line)) expect(line, `${label}: dust`).not.toMatch(EXPONENT);
    expect(line, `${label}: doubled unit`).not.toMatch(DOUBLED);
  }
}

describeWithSharedData("text output on the real 2025-12-30 chain: no dust, no doubled units", () => {
  const dir = mkdtempSync(join(tmpdir(), "netrisk-text-"));
  // whenSharedData: a skipped describe still runs its body at collection, so nothing here may read ../shared/data.
  const market: string[] = whenSharedData(() => ["--market", sharedData("deribit_btc_eth_options_20251230T1731Z.csv"), "--futures", sharedData("deribit_futures_marks_20251230T1731Z.csv"), "--perpetuals", sharedData("deribit_perpetual_prices_20251230T1731Z.csv")]);
  const history: string[] = whenSharedData(() => ["--history", sharedData("crypto_daily_close_wide_2014_2024.csv"), sharedData("deribit_dvol_btc_daily.csv"), sharedData("deribit_dvol_eth_daily.csv")]);
  const files = { portfolio: join(dir, "portfolio.json"), bankrupt: join(dir, "bankrupt.json"), stressed: join(dir, "stressed.json"), healthy: join(dir, "healthy.json") };

  beforeAll(() => {
    const snap = unwrap(loadMarketFile(market[1] as string, { futuresPath: market[3] as string, perpetualsPath: market[5] as string })).snapshot;
    const names = Object.keys(snap.instruments).filter((n) => /^BTC-\d+[A-Z]{3}\d+-\d+-[CP]$/.test(n)).sort();
    let s = 1;
    const rnd = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
    const positions: Record<string, unknown>[] = [];
    for (let k = 0; k < 30; k++) positions.push({ instrument: names[Math.floor(rnd() * names.length)], size: Math.round((rnd() < 0.6 ? -1 : 1) * (0.5 + rnd() * 5) * 10) / 10 });
    positions.push({ instrument: "BTC-PERPETUAL", sizeUsd: 200_000 });
    writeFileSync(files.portfolio, JSON.stringify({ positions }));
    const acct = (btc: number, usdc: number) => JSON.stringify({ model: "deribit", positions, collateral: { BTC: btc, USDC: usdc } });
    writeFileSync(files.bankrupt, acct(0.5, 0));
    writeFileSync(files.stressed, acct(3, 5_000));
    writeFileSync(files.healthy, acct(10, 5_000));
  });

  const run = async (...argv: string[]): Promise<string> => {
    const r = await runCli(...argv);
    expect(r.code, `${argv.slice(0, 3).join(" ")}: ${r.stderr}`).toBe(0);
    checkText(argv.slice(0, 2).join(" "), r.stdout);
    return r.stdout;
  };

  it("margin under every model that margins the book, matrix, compare, surface", async () => {
    for (const model of ["deribit", "standard", "span", "greeks", "okx"]) await run("margin", "--portfolio", files.portfolio, ...market, "--model", model);
    await run("matrix", "--portfolio", files.portfolio, ...market);
    await run("compare", "--portfolio", files.portfolio, ...market);
    await run("surface", ...market.slice(0, 2));
  }, 120_000);

  it("var, stress", async () => {
    await run("var", "--portfolio", files.portfolio, ...market, ...history);
    await run("stress", "--portfolio", files.portfolio, ...market, ...history);
  }, 120_000);

  it("account, what-if (incl. a trade that changes equity by rounding only), max-order, hedge", async () => {
    for (const a of [files.healthy, files.stressed, files.bankrupt]) await run("account", "--account", a, ...market, "--no-distance");
    await run("account", "--account", files.healthy, ...market);
    const w = await run("whatif", "--account", files.bankrupt, ...market, "--trade", "BTC-PERPETUAL:0.0001");
    expect(w).toMatch(/equity \(USD\)\s+[-\d,.]+\s+[-\d,.]+\s+0\s*$/m);
    await run("whatif", "--account", files.healthy, ...market, "--trade", "BTC-PERPETUAL:1", "--trade", "BTC-27MAR26-100000-C:-2");
    await run("max-order", "--account", files.healthy, ...market, "--instrument", "BTC-PERPETUAL", "--side", "buy");
    await run("hedge", "--account", files.stressed, ...market, "--candidates", "BTC-PERPETUAL,ETH-PERPETUAL,BTC-27MAR26");
  }, 120_000);

  it("liquidation plans: the table fits 120 columns", async () => {
    // Bankrupt (an insufficient plan), and a plan taken early down to a low target (many steps, every kind).
    for (const extra of [["--account", files.bankrupt, "--preemptive"], ["--account", files.stressed, "--preemptive", "--target", "0.3"], ["--account", files.healthy, "--preemptive", "--target", "0.05"]]) {
      const text = await run("liquidate", "--plan", ...extra, ...market);
      const lines = text.split("\n");
      const head = lines.findIndex((l) => l.startsWith("step  action"));
      expect(head, text).toBeGreaterThan(0);
      let k = head;
      while (k < lines.length && (lines[k] as string).trim() !== "" && !/^\s+\d+\s{2}(buy|sell|convert|liquidation fee|balances)/.test(lines[k] as string)) {
        expect((lines[k] as string).length, lines[k]).toBeLessThanOrEqual(120);
        k++;
      }
      expect(k - head).toBeGreaterThan(2);
    }
  }, 120_000);

  it("cascade and backtest", async () => {
    const dirAccounts = join(dir, "book");
    await import("node:fs").then((fs) => {
      fs.mkdirSync(dirAccounts, { recursive: true });
      for (const [id, f] of Object.entries({ a: files.healthy, b: files.stressed })) fs.copyFileSync(f, join(dirAccounts, `${id}.json`));
    });
    await run("cascade", "--accounts", dirAccounts, ...market, "--move", "BTC=-0.3");
    await run("backtest", "--portfolio", files.portfolio, ...market, ...history, "--from", "2024-10-01", "--to", "2024-12-31");
  }, 120_000);
});
