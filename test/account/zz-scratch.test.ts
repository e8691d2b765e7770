import { it } from "vitest";
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { validateMarket } from "../../src/io/market.js";
import { buildMarketContext } from "../../src/market/build-context.js";
import { loadAccount } from "../../src/io/account.js";
import { evaluateAccount } from "../../src/account/account.js";
import { planLiquidation } from "../../src/account/liquidation.js";
import { distanceToLiquidation } from "../../src/account/distance.js";
import { maxOrderSize } from "../../src/account/max-order.js";
import { suggestHedges } from "../../src/account/hedges.js";
it("smoke", () => {
  const snap = unwrap(validateMarket(JSON.parse(readFileSync("examples/market.json","utf8"))));
  const ctx = unwrap(buildMarketContext(snap));
  const file = {
    model: "deribit",
    positions: [
      { instrument: "BTC-27MAR26-100000-C", size: -20 },
      { instrument: "BTC-26JUN26-80000-P", size: -15 },
      { instrument: "BTC-PERPETUAL", size: 4 },
      { instrument: "ETH-27MAR26-3400-C", size: -150 },
      { instrument: "ETH_USDC-PERPETUAL", size: 40 },
    ],
    collateral: { BTC: 1.2, USDC: 60000 },
  };
  const acc = unwrap(loadAccount(file, ctx)).account;
  const ev = unwrap(evaluateAccount(acc));
  console.log(JSON.stringify(ev.figures), ev.health.state);
  let t0 = performance.now();
  const plan = unwrap(planLiquidation(acc));
  console.log("plan ms", performance.now()-t0, plan.status, plan.reason, plan.evaluations);
  for (const s of plan.steps) console.log(s.step, s.description.slice(0,120), s.slippageCostUsd.toFixed(2), s.feeUsd.toFixed(2), s.after.maintenanceRatio?.toFixed(4), s.state);
  t0 = performance.now();
  const d = unwrap(distanceToLiquidation(acc));
  console.log("distance ms", performance.now()-t0, JSON.stringify(d).slice(0, 800));
  const healthy = unwrap(loadAccount(JSON.parse(readFileSync("examples/portfolio.json","utf8")), ctx)).account;
  t0 = performance.now();
  const d2 = unwrap(distanceToLiquidation(healthy));
  console.log("distance ms", performance.now()-t0, d2.evaluations, JSON.stringify(d2.underlyings), JSON.stringify(d2.together));
  t0 = performance.now();
  const mo = unwrap(maxOrderSize(healthy, "BTC-PERPETUAL", "buy"));
  console.log("maxorder ms", performance.now()-t0, JSON.stringify(mo).slice(0,300));
  t0 = performance.now();
  const h = unwrap(suggestHedges(healthy, ["BTC-27MAR26-110000-C","BTC-27MAR26-120000-C","BTC-PERPETUAL","ETH-PERPETUAL"], { maxTrades: 3 }));
  console.log("hedge ms", performance.now()-t0, h.evaluations, h.stop, h.steps.map(s=>[s.side, s.trade.instrument.name, s.trade.sizeCoin, s.reductionUsd.toFixed(0), s.costUsd.toFixed(2)]));
});
