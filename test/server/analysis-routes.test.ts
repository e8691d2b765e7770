/**
 * The account analysis routes (issue 10) answer what the library answers for the same account, market and parameter
 * set (the CLI prints the same library documents): scenarios, Greeks, shock curve, distance, max order, liquidation
 * plan, hedges; numbers to 1e-9 relative (test/helpers/close-json.ts), everything else exactly.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { accountGreeks, scenarioMatrix, shockCurve } from "../../src/account/analytics.js";
import type { Account } from "../../src/account/account.js";
import { tradeJson, whatIfDocument } from "../../src/account/document.js";
import { whatIf } from "../../src/account/what-if.js";
import { distanceToLiquidation } from "../../src/account/distance.js";
import { suggestHedges } from "../../src/account/hedges.js";
import { planLiquidation } from "../../src/account/liquidation.js";
import { maxOrderSize } from "../../src/account/max-order.js";
import { ok, unwrap } from "../../src/errors.js";
import { createAccountBinder } from "../../src/io/account-binder.js";
import { validateMarket } from "../../src/io/market.js";
import { loadPreset } from "../../src/io/presets.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { jsonDifferences } from "../helpers/close-json.js";
import { exampleAccount, exampleMarket, startTestService } from "./helpers.js";
import type { TestService } from "./helpers.js";

const plain = (x: unknown): unknown => JSON.parse(JSON.stringify(x));
const same = (got: unknown, want: unknown): void => expect(jsonDifferences(got, plain(want), 1e-9)).toEqual([]);
/** Short perpetuals on little collateral: in margin call, so a pre-emptive liquidation plan has steps. */
const stressed = { positions: [{ instrument: "BTC-PERPETUAL", size: -10 }, { instrument: "BTC-27MAR26", size: 4 }], collateral: { BTC: 0.75 } };

function libraryAccount(document: unknown): Account {
  const ctx = unwrap(buildMarketContext(unwrap(validateMarket(exampleMarket()))));
  const resolve = (name: string) => {
    const p = loadPreset(name);
    return p.ok ? ok({ name, version: String((p.value as { version?: unknown }).version ?? "preset"), document: p.value }) : p;
  };
  return unwrap(createAccountBinder(ctx, resolve).bind(document)).account;
}

describe("account analysis routes = the library (PGlite)", () => {
  let t: TestService;
  let trader: { apiKey: string };
  const ex = libraryAccount(exampleAccount());
  const st = libraryAccount(stressed);
  beforeAll(async () => {
    t = await startTestService({ kind: "pglite" });
    expect((await t.call("PUT", "/v1/market", { body: exampleMarket() })).status).toBe(200);
    expect((await t.call("PUT", "/v1/accounts/ex", { body: exampleAccount() })).status).toBe(201);
    expect((await t.call("PUT", "/v1/accounts/st", { body: stressed })).status).toBe(201);
    trader = await t.key("trader", ["ex"]);
  }, 180_000);
  afterAll(async () => {
    await t?.close();
  });

  it("scenarios, Greeks, shock curve and distance", async () => {
    const sc = await t.call("GET", "/v1/accounts/ex/scenarios", { key: trader.apiKey });
    expect(sc.status).toBe(200);
    const { computedFrom, ...scenarios } = sc.body;
    expect(computedFrom).toMatchObject({ accountId: "ex", accountVersion: 1 });
    same(scenarios, unwrap(scenarioMatrix(ex)));
    const { computedFrom: _g, ...greeks } = (await t.call("GET", "/v1/accounts/ex/greeks", { key: trader.apiKey })).body;
    same(greeks, unwrap(accountGreeks(ex)));
    const { computedFrom: _s, ...curve } = (await t.call("GET", "/v1/accounts/st/shock-curve?underlying=BTC&steps=21")).body;
    same(curve, unwrap(shockCurve(st, "BTC", { steps: 21 })));
    expect(curve.points.length).toBeGreaterThanOrEqual(21);
    expect(curve.breach.down ?? curve.breach.up).not.toBeNull();
    const dist = await t.call("GET", "/v1/accounts/ex/distance");
    same(dist.body.distanceToLiquidation, unwrap(distanceToLiquidation(ex)));
    const bad = await t.call("GET", "/v1/accounts/ex/shock-curve?underlying=btc");
    expect(bad.status).toBe(400);
    expect(bad.body.error.issues[0].path).toBe("query.underlying");
    expect((await t.call("GET", "/v1/accounts/st/greeks", { key: trader.apiKey })).status).toBe(403);
  });

  it("max order, liquidation plan, hedges", async () => {
    const mo = await t.call("POST", "/v1/accounts/ex/max-order", { key: trader.apiKey, body: { instrument: "BTC-PERPETUAL", side: "sell", lot: "0.1" } });
    expect(mo.status).toBe(200);
    same(mo.body, unwrap(maxOrderSize(ex, "BTC-PERPETUAL", "sell", { lotCoin: 0.1 })));
    const plan = await t.call("POST", "/v1/accounts/st/liquidation-plan", { body: { fee: "0.0005", preemptive: true } });
    expect(plan.status).toBe(200);
    const want = unwrap(planLiquidation(st, { feeRateDecimal: 0.0005, preemptive: true, hedges: true }));
    same(plan.body, { ...want, steps: want.steps.map((s) => ({ ...s, trades: s.trades.map(tradeJson) })) });
    expect(plan.body.beforeState).toBe("margin_call");
    expect(plan.body.steps.length, JSON.stringify(plan.body).slice(0, 400)).toBeGreaterThan(0);
    const candidates = ["BTC-PERPETUAL", "BTC-27MAR26"];
    const h = await t.call("POST", "/v1/accounts/st/hedges", { body: { candidates, maxTrades: 2 } });
    expect(h.status).toBe(200);
    const wantH = unwrap(suggestHedges(st, candidates, { maxTrades: 2 }));
    same(h.body, { ...wantH, steps: wantH.steps.map((s) => ({ ...s, trade: tradeJson(s.trade) })) });
    const badSide = await t.call("POST", "/v1/accounts/ex/max-order", { body: { instrument: "BTC-PERPETUAL", side: "short" } });
    expect(badSide.status).toBe(400);
    expect(badSide.body.error.issues[0].path).toBe("body.side");
    // Nothing here writes: the accounts are still at version 1.
    expect((await t.call("GET", "/v1/accounts/st")).body.version).toBe(1);
  });

  it("what-if = the library's document, and follows a replaced account (the cached evaluation is per version)", async () => {
    const body = { trades: [{ instrument: "BTC-PERPETUAL", size: -1 }] };
    const want = (a: Account) => whatIfDocument(unwrap(whatIf(a, [{ instrument: "BTC-PERPETUAL", sizeCoin: -1 }])));
    expect((await t.call("PUT", "/v1/accounts/wi", { body: exampleAccount() })).status).toBe(201);
    for (let i = 0; i < 2; i++) {
      const w = await t.call("POST", "/v1/accounts/wi/whatif", { body });
      expect(w.status).toBe(200);
      same(w.body, want(ex));
    }
    expect((await t.call("PUT", "/v1/accounts/wi", { body: stressed })).status).toBe(200);
    const after = await t.call("POST", "/v1/accounts/wi/whatif", { body });
    same(after.body, want(st));
    expect(after.body.before.figures).not.toEqual(plain(want(ex).before.figures));
  });
});
