import { it } from "vitest";
import { readFileSync } from "node:fs";
import { unwrap } from "../../src/errors.js";
import { validateMarket } from "../../src/io/market.js";
import { buildMarketContext } from "../../src/market/build-context.js";
import { loadAccount } from "../../src/io/account.js";
import { evaluateAccount, inEngine } from "../../src/account/account.js";
import { createMarginEngine } from "../../src/account/engine.js";
import { moveMarket } from "../../src/account/market-move.js";
it("prof", () => {
  const snap = unwrap(validateMarket(JSON.parse(readFileSync("examples/market.json","utf8"))));
  const ctx = unwrap(buildMarketContext(snap));
  const acc = unwrap(loadAccount(JSON.parse(readFileSync("examples/portfolio.json","utf8")), ctx)).account;
  const holdings = acc.positions.map(p=>p.instrument.name);
  for (let k=0;k<50;k++) { const m = moveMarket(ctx, {BTC: -0.1}, holdings); unwrap(evaluateAccount(inEngine(acc, createMarginEngine(acc.engine.model, m)))); }
  let t0 = performance.now(); let mm;
  for (let k=0;k<100;k++) mm = moveMarket(ctx, {BTC: -0.1}, holdings);
  console.log("move", (performance.now()-t0)/100);
  const eng = createMarginEngine(acc.engine.model, mm!);
  t0 = performance.now();
  for (let k=0;k<100;k++) eng.margin(acc.positions, acc.balances);
  console.log("margin (no shared arrays)", (performance.now()-t0)/100);
  t0 = performance.now();
  for (let k=0;k<100;k++) unwrap(evaluateAccount(inEngine(acc, createMarginEngine(acc.engine.model, mm!))));
  console.log("evaluate moved", (performance.now()-t0)/100);
  t0 = performance.now();
  for (let k=0;k<100;k++) unwrap(evaluateAccount(acc));
  console.log("evaluate base", (performance.now()-t0)/100);
});
