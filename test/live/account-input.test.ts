/**
 * The `account` input (an account created or replaced as a whole, as the service feeds it): same model and rules
 * re-margin it alone; a new account or another model rebuilds the book with breakers, health states and sequences
 * carried over. At every step the live figures equal a from-scratch computation to 1e-9 relative.
 */
import { describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { createLiveCore } from "../../src/live/core.js";
import type { LiveCore } from "../../src/live/core.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { EXAMPLE_MARKET, evaluateFromScratch, liveAccount, relDiff } from "./helpers.js";

const CONTEXT = unwrap(buildMarketContext(EXAMPLE_MARKET));
const T0 = EXAMPLE_MARKET.timestampMs;
const BTC = EXAMPLE_MARKET.indexUsd.BTC as number;

function expectFromScratch(core: LiveCore, id: string): void {
  const live = core.figures(id);
  const scratch = evaluateFromScratch(core, id).figures;
  expect(relDiff(live?.equityUsd as number, scratch.equityUsd)).toBeLessThan(1e-9);
  expect(relDiff(live?.maintenanceMarginUsd as number, scratch.maintenanceMarginUsd)).toBeLessThan(1e-9);
  expect(relDiff(live?.initialMarginUsd as number, scratch.initialMarginUsd)).toBeLessThan(1e-9);
}

describe("the account input", () => {
  const a = liveAccount("a", { positions: [{ instrument: "BTC-PERPETUAL", size: 2 }], collateral: { BTC: 1 } }, CONTEXT);
  const b = liveAccount("b", { positions: [{ instrument: "ETH-PERPETUAL", size: -10 }], collateral: { ETH: 5 } }, CONTEXT);

  it("replaces holdings in place, creates a new account, changes a model, keeping breakers and sequences", () => {
    const core = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [a, b], resume: { lastEventSeq: 41, lastTickSeq: 100 } }));
    // Resumed sequences: an older tick is ignored, events continue after 41.
    expect(core.apply({ kind: "tick", seq: 1, tick: { seq: 99, timestampMs: T0 + 1000, indexUsd: { BTC: BTC * 0.99 } } }).status).toBe("ignored");
    expect(core.apply({ kind: "tick", seq: 2, tick: { seq: 101, timestampMs: T0 + 2000, indexUsd: { BTC: BTC * 0.98 } } }).status).toBe("applied");
    expectFromScratch(core, "a");

    // Same model and rules: only its holdings change.
    const more = liveAccount("a", { positions: [{ instrument: "BTC-PERPETUAL", size: 3 }], collateral: { BTC: 1.5 } }, CONTEXT);
    const r1 = core.apply({ kind: "account", seq: 3, timestampMs: T0 + 3000, account: more, cause: "fills t1" });
    expect(r1.status).toBe("applied");
    expect(r1.changed).toEqual(["a"]);
    expect(r1.accountsRemargined).toBe(1);
    expect(core.account("a")?.positions[0]?.sizeCoin).toBe(3);
    expectFromScratch(core, "a");

    // A new account: the book is rebuilt around it; the others keep their figures.
    const bBefore = core.figures("b");
    const c = liveAccount("c", { positions: [{ instrument: "BTC-PERPETUAL", size: -200 }], collateral: { BTC: 0.5 } }, CONTEXT);
    const r2 = core.apply({ kind: "account", seq: 4, timestampMs: T0 + 4000, account: c });
    expect(r2.status).toBe("applied");
    expect(r2.changed).toEqual(["c"]);
    expect(core.accountIds()).toEqual(["a", "b", "c"]);
    expect(core.figures("b")).toEqual(bBefore);
    expectFromScratch(core, "c");
    // c is short 200 BTC on 0.5 BTC: in liquidation from the start, its trigger comes with this input.
    expect(core.figures("c")?.state).not.toBe("healthy");
    for (const e of r2.events) expect(e.eventSeq).toBeGreaterThan(41);

    // Another model: the standard model, rebuilt.
    const std = liveAccount("b", { model: "standard", positions: [{ instrument: "ETH-PERPETUAL", size: -10 }], collateral: { ETH: 5 } }, CONTEXT);
    const r3 = core.apply({ kind: "account", seq: 5, timestampMs: T0 + 5000, account: std });
    expect(r3.status).toBe("applied");
    expect(core.account("b")?.model.id).toBe("standard");
    expectFromScratch(core, "b");
    expect(core.lastSeq()).toBe(5);

    // A tick still moves every account; the figures stay equal to from scratch.
    expect(core.apply({ kind: "tick", seq: 6, tick: { seq: 102, timestampMs: T0 + 6000, indexUsd: { BTC: BTC * 0.9, ETH: (EXAMPLE_MARKET.indexUsd.ETH as number) * 1.05 } } }).status).toBe("applied");
    for (const id of ["a", "b", "c"]) expectFromScratch(core, id);
  });

  it("rejects an account with an unlisted instrument or an unpriced balance, changing nothing", () => {
    const core = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [a] }));
    const before = core.figures("a");
    const bad = { ...a, positions: [{ ...(a.positions[0] as (typeof a.positions)[number]), instrument: { ...(a.positions[0]?.instrument as never as object), name: "BTC-1JAN99" } as never }] };
    const r = core.apply({ kind: "account", seq: 1, timestampMs: T0, account: bad });
    expect(r.status).toBe("rejected");
    expect(r.issues[0]?.code).toBe("unknown_instrument");
    expect(r.issues[0]?.path).toBe("account.positions[0].instrument");
    const r2 = core.apply({ kind: "account", seq: 2, timestampMs: T0, account: { ...a, balances: { XYZ: 1 } } });
    expect(r2.status).toBe("rejected");
    expect(r2.issues[0]?.code).toBe("missing_index");
    expect(core.figures("a")).toEqual(before);
    expect(core.accountIds()).toEqual(["a"]);
  });

  it("rejects a fill or a balance change outside netrisk's bounds (market/bounds.ts), changing nothing", () => {
    // Before the bounds, a balance of 1.7e308 BTC or a fill of 1e308 coin gave the account an infinite equity.
    const core = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [a] }));
    const before = { figures: core.figures("a"), account: core.account("a") };
    const balance = (seq: number, amount: number) => core.apply({ kind: "balance", seq, timestampMs: T0, account: "a", currency: "BTC", amount });
    expect(balance(1, 1.7e308).issues.map((i) => `${i.path}: ${i.code}`)).toEqual(["amount: out_of_range"]);
    expect(balance(2, 1e15).status).toBe("rejected"); // 1 BTC held + 1e15: the balance it leaves is past 1e15
    const fill = (seq: number, size: number, price: number) => core.apply({ kind: "fill", seq, timestampMs: T0, account: "a", fill: { instrument: "BTC-PERPETUAL", size, price } });
    expect(fill(3, 1e308, 90000).issues.map((i) => `${i.path}: ${i.code}`)).toEqual(["fill.size: out_of_range"]);
    expect(fill(4, 1, 1e300).issues.map((i) => `${i.path}: ${i.code}`)).toEqual(["fill.price: out_of_range"]);
    expect({ figures: core.figures("a"), account: core.account("a") }).toEqual(before);
    expect(balance(5, 1e14).status).toBe("applied");
    expectFromScratch(core, "a");
  });
});
