/**
 * `netrisk serve --threads` reaches the in-process live engine's core (server/live/in-process.ts, liveOptions.executor):
 * a spy executor sees the core settle it before every input, also after a new account rebuilt the core's state
 * (live/core.ts upsertAccount keeps the executor).
 */
import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spyExecutor } from "../helpers/spy-executor.js";
import type { LiveTestData, LiveTestServer } from "./live-helpers.js";
import { liveTestData } from "./live-helpers.js";

const MARKET = JSON.parse(readFileSync("examples/market.json", "utf8")) as { timestamp: string; index: Record<string, number> };
const T0 = Date.parse(MARKET.timestamp);
const tick = (seq: number, btc: number) => ({ seq, ts: new Date(T0 + seq * 60_000).toISOString(), index: { BTC: btc } });
const LEVERED = { positions: [{ instrument: "BTC_USDC-PERPETUAL", size: 5, averagePrice: 90000 }], collateral: { USDC: 100_000 } };
const ETH_ONLY = { positions: [{ instrument: "ETH-PERPETUAL", size: -20 }], collateral: { ETH: 10 } };

describe("live engine with an executor (serve --threads)", { timeout: 60_000 }, () => {
  let data: LiveTestData;
  let s: LiveTestServer;
  const spy = spyExecutor();
  beforeAll(async () => {
    data = await liveTestData({ kind: "pglite" });
    s = await data.start({ liveOptions: { executor: spy } });
  }, 120_000);
  afterAll(async () => {
    await s?.close();
    await data?.drop();
  }, 60_000);

  it("the core settles the executor before each tick, before and after a new account rebuilds its state", async () => {
    expect((await s.call("PUT", "/v1/market", { body: MARKET })).status).toBe(200);
    expect((await s.call("PUT", "/v1/accounts/lev", { body: LEVERED })).status).toBe(201);
    const s0 = spy.settles;
    const r1 = await s.call("POST", "/v1/ticks", { body: tick(1, 86000) });
    expect([r1.status, r1.body.applied]).toEqual([200, 1]);
    expect(spy.settles).toBeGreaterThan(s0);
    expect((await s.call("PUT", "/v1/accounts/eth", { body: ETH_ONLY })).status).toBe(201);
    const s1 = spy.settles;
    const r2 = await s.call("POST", "/v1/ticks", { body: tick(2, 82000) });
    expect([r2.status, r2.body.applied]).toEqual([200, 1]);
    expect(spy.settles).toBeGreaterThan(s1);
    expect((await s.call("GET", "/v1/live")).body.accounts).toBe(2);
  });
});
