/**
 * Account figures, the shared-array engine, the coin-collateral offset and health states.
 * The figures are checked as identities against independent pieces (risk/valuation.ts for option values, the model's
 * own result for bucket margins); the offset against the exact USD identity of a cash-and-carry book (short inverse
 * perpetual of B coin + B coin: flat in USD in every scenario); the engine against the model computing from scratch.
 */
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { evaluateAccount } from "../../src/account/account.js";
import { createMarginEngine } from "../../src/account/engine.js";
import { assessHealth, healthEvent, healthEvents, severity } from "../../src/account/health.js";
import { DEFAULT_ACCOUNT_RULES, parseAccountRules } from "../../src/account/rules.js";
import { unwrap } from "../../src/errors.js";
import { validatePortfolio } from "../../src/io/portfolio.js";
import { loadModel } from "../../src/io/presets.js";
import { valuePortfolio } from "../../src/risk/valuation.js";
import { account, close, smallMarket } from "./helpers.js";

const market = smallMarket();
const rules = unwrap(parseAccountRules(DEFAULT_ACCOUNT_RULES));

describe("account figures", () => {
  const file = {
    model: "deribit",
    positions: [
      { instrument: "BTC-30JAN26-70000-C", size: -3 },
      { instrument: "BTC-27MAR26-50000-P", size: 2 },
      { instrument: "BTC_USDC-30JAN26-60000-C", size: 1.5 },
      { instrument: "BTC-PERPETUAL", size: 0.5 },
    ],
    collateral: { BTC: 0.8, USDC: 25000, ETH: 2 },
  };

  it("equity = balances at their price + option values (risk/valuation.ts); IM and MM add up their parts", () => {
    const e = unwrap(evaluateAccount(account(file, market).account));
    const v = valuePortfolio(unwrap(validatePortfolio({ positions: file.positions }, market)), market);
    const balancesUsd = 0.8 * 60000 + 25000 + 2 * 3000;
    // Tolerance 1e-12 relative: the same marks summed in another order.
    expect(close(e.figures.equityUsd, balancesUsd + v.totalValueUsd, 1e-12)).toBe(true);
    const b = e.breakdown;
    expect(e.figures.initialMarginUsd).toBeCloseTo(b.tieredInitialMarginUsd + b.haircutImUsd + b.borrowImUsd + b.depegImUsd, 8);
    expect(e.figures.maintenanceMarginUsd).toBeCloseTo(b.tieredMaintenanceMarginUsd + b.haircutMmUsd + b.borrowMmUsd, 8);
    expect(b.tieredInitialMarginUsd).toBeCloseTo(e.margin.totalUsd.initialMargin, 8);
    expect(e.figures.availableFundsUsd).toBe(e.figures.equityUsd - e.figures.initialMarginUsd);
    expect(e.figures.maintenanceRatio).toBe(e.figures.maintenanceMarginUsd / e.figures.equityUsd);
    // In each currency: the USD figure at that currency's price.
    expect(e.inCurrency.BTC?.equity).toBeCloseTo(e.figures.equityUsd / 60000, 12);
    expect(e.inCurrency.USDC?.initialMargin).toBeCloseTo(e.figures.initialMarginUsd, 8);
    // BTC (a "both" currency in the Deribit preset) is offset in the matrix, ETH has no position but is "both" too.
    expect(e.collateral.find((l) => l.currency === "BTC")?.treatment).toBe("offset");
    expect(e.collateral.find((l) => l.currency === "USDC")?.treatment).toBe("collateral");
  });

  it("with shared risk arrays, the engine gives exactly the model's own result (property over random books)", () => {
    const model = unwrap(loadModel("deribit"));
    const shared = createMarginEngine(model, market, { coinCollateralOffset: false });
    expect(unwrap(shared.prebuildSnapshot())).toBeGreaterThan(20);
    const names = Object.keys(market.snapshot.instruments);
    fc.assert(
      fc.property(
        fc.array(fc.record({ k: fc.nat({ max: names.length - 1 }), size: fc.double({ min: -20, max: 20, noNaN: true }).filter((x) => Math.abs(x) > 1e-3) }), { minLength: 1, maxLength: 6 }),
        (picks) => {
          const positions = picks.map((p) => ({ instrument: names[p.k] as string, size: p.size }));
          const pf = unwrap(validatePortfolio({ positions }, market));
          const viaEngine = unwrap(shared.margin(pf.positions, {}));
          const fresh = model.compute({ ...pf, collateral: {} }, market);
          expect(viaEngine.totalUsd).toEqual(fresh.totalUsd);
        },
      ),
      { numRuns: 40 },
    );
  });

  it("coin collateral offsets its own price risk: cash and carry is flat in USD in every scenario", () => {
    const q = 2.5;
    const book = { model: "deribit", positions: [{ instrument: "BTC-PERPETUAL", size: -q }], collateral: { BTC: q } };
    const e = unwrap(evaluateAccount(account(book, market).account));
    const bucket = e.margin.byCurrency.btc_btc;
    // Balance row = inverse perpetual row, so the sum is 0 in every scenario (exactly: x + (−x)).
    for (const s of bucket?.scenarios ?? []) expect(s.pnl === 0).toBe(true);
    expect(bucket?.components.worstCase).toBe(0);
    expect(bucket?.components.rollShock).toBe(0);
    expect(e.figures.initialMarginUsd).toBe(0);
    // Without the offset the same book pays the short perpetual's margin and a 10 % haircut on the BTC.
    const off = account({ ...book, overrides: { account: { coinCollateralOffset: false } } }, market).account;
    const o = unwrap(evaluateAccount(off));
    expect(o.breakdown.haircutImUsd).toBeCloseTo(0.1 * q * 60000, 8);
    // Short inverse perpetual: its loss at +16 % is 0.16/1.16 coin per coin (deribit-pm.md §2.9), plus the roll floor.
    expect(o.margin.totalUsd.initialMargin).toBeGreaterThan((0.16 / 1.16) * q * 60000);
  });

  it("margin tiers from overrides scale each bucket incrementally", () => {
    const tiers = [
      { aboveUsd: 0, multiplier: 1 },
      { aboveUsd: 1000, multiplier: 3 },
    ];
    const plain = unwrap(evaluateAccount(account(file, market).account));
    const tiered = unwrap(evaluateAccount(account({ ...file, overrides: { account: { marginTiers: tiers } } }, market).account));
    for (const b of tiered.breakdown.buckets) {
      const raw = b.modelInitialMarginUsd;
      expect(b.initialMarginUsd).toBeCloseTo(raw <= 1000 ? raw : 1000 + 3 * (raw - 1000), 8);
    }
    expect(tiered.figures.initialMarginUsd).toBeGreaterThan(plain.figures.initialMarginUsd);
  });
});

describe("health states and events", () => {
  const t = rules.health;
  const f = (equityUsd: number, mm: number) => ({ equityUsd, initialMarginUsd: mm * 1.25, maintenanceMarginUsd: mm, maintenanceRatio: equityUsd > 0 ? mm / equityUsd : null });

  it("classifies by MM / equity against the thresholds, with equity < 0 bankrupt", () => {
    expect(assessHealth(f(0, 0), t).state).toBe("healthy");
    expect(assessHealth(f(100, 60), t).state).toBe("healthy");
    expect(assessHealth(f(100, 70), t).state).toBe("warning");
    expect(assessHealth(f(100, 85), t).state).toBe("margin_call");
    expect(assessHealth(f(100, 100), t).state).toBe("liquidation"); // MM ≥ equity
    expect(assessHealth(f(0, 1), t).state).toBe("liquidation");
    expect(assessHealth(f(-1, 0), t).state).toBe("bankrupt");
    expect(assessHealth(f(100, 85), t).reason).toMatch(/85\.00 % ≥ margin-call threshold 83\.33 %/);
  });

  it("a change of state is an event with the figures before and after and the cause", () => {
    const e = healthEvent(f(100, 50), f(100, 90), t, "trade BTC-PERPETUAL +1");
    expect(e).toMatchObject({ from: "healthy", to: "margin_call", direction: "worse", cause: "trade BTC-PERPETUAL +1" });
    expect(e?.before.maintenanceMarginUsd).toBe(50);
    expect(healthEvent(f(100, 50), f(100, 55), t, "x")).toBeUndefined();
    const seq = healthEvents(
      [
        { figures: f(100, 120), cause: "start" },
        { figures: f(100, 90), cause: "step 1" },
        { figures: f(100, 50), cause: "step 2" },
      ],
      t,
    );
    expect(seq.map((x) => `${x.from}>${x.to}:${x.direction}`)).toEqual(["liquidation>margin_call:better", "margin_call>healthy:better"]);
    expect(severity("bankrupt")).toBeGreaterThan(severity("liquidation"));
  });
});
