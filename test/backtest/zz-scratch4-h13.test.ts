import { it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { buildMarketContext } from "../../src/market/build-context.js";
it("flat", () => {
  const asOf = Date.UTC(2025, 0, 15, 12);
  const ctx = unwrap(buildMarketContext({ timestampMs: asOf, indexUsd: { BTC: 50000 }, instruments: { "BTC-14FEB25-50000-C": { markIv: 0.5, underlyingPrice: 50500 }, "BTC-28MAR25": { markPrice: 51000 }, "BTC-PERPETUAL": { markPrice: 50100 } } }));
  for (const d of [0.01, 1, 10, 30, 60, 200]) for (const k of [20000, 50000, 90000]) console.log(d, k, ctx.surfaceVol("BTC", k, asOf + d * 86400000) - 0.5, ctx.forwardUsd("BTC", asOf + d * 86400000));
});
