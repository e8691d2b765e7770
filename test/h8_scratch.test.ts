import { it } from "vitest";
import { loadHistoryFiles } from "../src/io/history-files.js";
it("x", () => {
  const d = "/work/shared/data/";
  const r = loadHistoryFiles([d + "crypto_daily_close_wide_2014_2024.csv", d + "deribit_dvol_btc_daily.csv", d + "deribit_dvol_eth_daily.csv", d + "usdc_usd_daily_ohlcv_yahoo.csv", d+"usdt_usd_daily_ohlcv_yahoo.csv"]);
  if (!r.ok) { console.log(r.issues); return; }
  for (const s of [...r.value.prices, ...r.value.vols]) console.log(s.factor, s.kind, s.firstDay, s.values.length, s.values[0], s.values[s.values.length-1], s.source);
  console.log(r.value.notes);
  const b = loadHistoryFiles([d + "btc_usd_daily_close_2015_2026.csv", d + "sol_usd_daily_ohlcv_yahoo.csv"]);
  console.log(b.ok ? b.value.prices.map(s => [s.factor, s.values.length]) : b.issues, b.ok && b.value.notes);
});
