import { it } from "vitest";
import { runCli } from "../cli/helpers.js";
it("cli", async () => {
  const D = "../shared/data/";
  const t0 = performance.now();
  const r = await runCli("compare", "--backtest", "--models", "standard,deribit,var,span,greeks,hybrid", "--portfolio", "test/fixtures/backtest/portfolio-btc-2025-12-30.json", "--market", D + "deribit_btc_eth_options_20251230T1731Z.csv", "--futures", D + "deribit_futures_marks_20251230T1731Z.csv", "--perpetuals", D + "deribit_perpetual_prices_20251230T1731Z.csv", "--history", D + "btc_usd_daily_close_2015_2026.csv", D + "deribit_dvol_btc_daily.csv", "--from", "2021-04-01", "--to", "2025-12-31");
  console.log(performance.now() - t0, r.code, r.stdout, r.stderr);
}, 600000);
