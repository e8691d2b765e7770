/**
 * POST /v1/stress/cascade (docs/server.md, docs/cascade.md): the cascade over the stored book equals the library's
 * cascade over the same account documents on the same market (what `netrisk cascade` runs); risk and admin roles
 * only; bad bodies are 400 with the path of the bad field; the route is in /openapi.json.
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { liveAccountOf } from "../../src/io/live-accounts.js";
import { validateMarket } from "../../src/io/market.js";
import { createCascadeCore, impactModelSchema, liquidationPolicySchema, runCascade, shockTick } from "../../src/live/cascade/index.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { exampleMarket, startTestService } from "./helpers.js";
import type { TestService } from "./helpers.js";

const BOOK: Record<string, Record<string, unknown>> = {
  "long-btc": { positions: [{ instrument: "BTC-PERPETUAL", size: 30 }], collateral: { BTC: 4 } },
  "short-btc": { positions: [{ instrument: "BTC-PERPETUAL", size: -8 }], collateral: { BTC: 3 } },
  "usdc-long": { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 12 }], collateral: { USDC: 150_000 } },
  "option-seller": { positions: [{ instrument: "BTC-27MAR26-80000-P", size: -20 }], collateral: { BTC: 6 } },
  flat: { positions: [], collateral: { USDC: 1000 } },
};

describe("POST /v1/stress/cascade", () => {
  let t: TestService;
  beforeAll(async () => {
    t = await startTestService({ kind: "pglite" });
    expect((await t.call("PUT", "/v1/market", { body: exampleMarket() })).status).toBe(200);
    for (const [id, doc] of Object.entries(BOOK)) expect((await t.call("PUT", `/v1/accounts/${id}`, { body: doc })).status).toBe(201);
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  it("equals the library's cascade over the same documents (what netrisk cascade runs)", async () => {
    const r = await t.call("POST", "/v1/stress/cascade", { body: { move: { BTC: -0.3 }, policy: "deribit-incremental", insuranceFundUsd: 100_000, steps: true } });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const market = unwrap(validateMarket(exampleMarket()));
    const ctx = unwrap(buildMarketContext(market));
    const accounts = Object.entries(BOOK)
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([id, doc]) => unwrap(liveAccountOf(id, doc, ctx)));
    const policy = liquidationPolicySchema.parse(JSON.parse(readFileSync("presets/liquidation-deribit-incremental.json", "utf8")));
    const impact = impactModelSchema.parse(JSON.parse(readFileSync("presets/impact-default.json", "utf8")));
    const core = unwrap(createCascadeCore({ market, accounts }));
    const lib = unwrap(runCascade({ core, path: [unwrap(shockTick(market, { BTC: -0.3 }))], policy, impact, insuranceFundUsd: 100_000 }));
    const s = r.body.summary;
    expect(s.liquidatedAccounts).toBeGreaterThan(0);
    expect(s.liquidatedAccounts).toBe(lib.summary.liquidatedAccounts);
    expect(s.rounds).toBe(lib.summary.rounds);
    for (const k of ["bankruptShortfallUsd", "insuranceFundUsedUsd", "insuranceFundFeesUsd", "adlUsd", "socializedLossUsd", "liquidatedNotionalUsd"] as const) expect(s[k], k).toBeCloseTo(lib.summary[k], 6);
    expect(s.finalMarks.BTC).toBeCloseTo(lib.summary.finalMarks.BTC as number, 6);
    expect(r.body.rounds).toHaveLength(lib.rounds.length);
    expect(r.body.rounds[0].steps.length).toBeGreaterThan(0);
    expect(r.body.computedFrom.accounts).toBe(5);
    expect(Math.abs(s.bankruptShortfallUsd - (s.insuranceFundUsedUsd + s.adlUsd + s.socializedLossUsd))).toBeLessThan(0.005);
  }, 60_000);

  it("policy and impact documents, ticks, risk role; trader refused; bad bodies are 400 with the field's path", async () => {
    const policy = JSON.parse(readFileSync("presets/liquidation-paradex-steps.json", "utf8"));
    const risk = await t.key("risk");
    const ticks = [{ seq: 1, ts: "2026-03-02T12:01:00Z", index: { BTC: 70_000 } }];
    const ok = await t.call("POST", "/v1/stress/cascade", { key: risk.apiKey, body: { ticks, policy, impact: "none" } });
    expect(ok.status, JSON.stringify(ok.body)).toBe(200);
    expect(ok.body.summary.policy.name).toBe("paradex-steps");
    expect(ok.body.summary.finalMarks.BTC).toBe(70_000);
    expect(ok.body.rounds[0].steps).toBeUndefined();
    const trader = await t.key("trader", ["flat"]);
    expect((await t.call("POST", "/v1/stress/cascade", { key: trader.apiKey, body: { move: { BTC: -0.3 } } })).status).toBe(403);
    const bad: [unknown, string][] = [
      [{}, "body.move"],
      [{ move: { BTC: -0.3 }, ticks }, "body.move"],
      [{ move: { BTC: -1.5 } }, "body.move.BTC"],
      [{ move: { DOGE: -0.1 } }, "body.move.DOGE"],
      [{ move: { BTC: -0.3 }, policy: "nope" }, "body.policy"],
      [{ move: { BTC: -0.3 }, insuranceFundUsd: -1 }, "body.insuranceFundUsd"],
      [{ move: { BTC: -0.3 }, extra: 1 }, "body.extra"],
    ];
    for (const [body, path] of bad) {
      const r = await t.call("POST", "/v1/stress/cascade", { body });
      expect(r.status, JSON.stringify(body)).toBe(400);
      expect(r.body.error.issues.map((i: { path: string }) => i.path), JSON.stringify(body)).toContain(path);
    }
    const doc = (await t.call("GET", "/openapi.json", { key: null })).body;
    expect(JSON.stringify(doc.paths["/v1/stress/cascade"])).toContain("insuranceFundUsd");
  }, 60_000);
});
