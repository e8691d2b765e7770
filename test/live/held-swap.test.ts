/**
 * A tick's re-margin hands the held figures over by swapping arrays (core-breakers.ts remarginExposed): the shared
 * pass's outputs become the held figures, the pass carrying over those of the accounts it did not re-margin. The
 * accounts of no group's pass (another model than the risk matrix: generic accounts) are carried by the calling
 * thread, re-margined or not, and whatever other inputs changed between ticks. Every account's figures stay the from-scratch ones, tick after tick, whichever
 * underlyings move.
 */
import { describe, expect, it } from "vitest";
import { unwrap } from "../../src/errors.js";
import { createLiveCore } from "../../src/live/core.js";
import { buildMarketContext } from "../../src/pricing/build-context.js";
import { EXAMPLE_MARKET, evaluateFromScratch, liveAccount, relDiff } from "./helpers.js";

const CONTEXT = unwrap(buildMarketContext(EXAMPLE_MARKET));
const T0 = EXAMPLE_MARKET.timestampMs;

describe("held figures handed over by a tick", () => {
  it("risk-matrix and generic accounts, exposed to the tick's moves or not, keep their from-scratch figures", () => {
    const accounts = [
      liveAccount("rm-btc", { positions: [{ instrument: "BTC-PERPETUAL", size: -2 }, { instrument: "BTC-27MAR26-100000-C", size: -5 }], collateral: { BTC: 3 } }, CONTEXT),
      liveAccount("rm-eth", { positions: [{ instrument: "ETH-PERPETUAL", size: 10 }, { instrument: "ETH-27MAR26-3000-C", size: 20 }], collateral: { ETH: 5 } }, CONTEXT),
      liveAccount("gen-btc", { model: "span", positions: [{ instrument: "BTC-27MAR26-100000-C", size: -3 }], collateral: { BTC: 2 } }, CONTEXT),
      liveAccount("gen-eth", { model: "span", positions: [{ instrument: "ETH-PERPETUAL", size: 4 }], collateral: { ETH: 3 } }, CONTEXT),
    ];
    const core = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts }));
    const moves: Record<string, number>[] = [{ BTC: 1.01, ETH: 0.99 }, { BTC: 0.995 }, { BTC: 1.004 }, { ETH: 1.02 }, { BTC: 0.99 }, { BTC: 1.003, ETH: 1.001 }];
    let seq = 0;
    moves.forEach((move, k) => {
      const ts = T0 + (k + 1) * 60_000;
      // Between ticks, balance changes on both generic accounts: the next tick (BTC alone moving, for "gen-eth") must
      // carry the figures they left, not the ones of an earlier tick.
      for (const account of ["gen-btc", "gen-eth"]) {
        expect(core.apply({ kind: "balance", seq: ++seq, timestampMs: ts - 1000, account, currency: account === "gen-btc" ? "BTC" : "ETH", amount: 0.25 }).status).toBe("applied");
      }
      const indexUsd = Object.fromEntries(Object.entries(move).map(([c, m]) => [c, (core.market().indexUsd[c] as number) * m]));
      expect(core.apply({ kind: "tick", seq: ++seq, tick: { seq: k + 1, timestampMs: ts, indexUsd } }).status).toBe("applied");
      for (const id of core.accountIds()) {
        const live = core.figures(id);
        const scratch = evaluateFromScratch(core, id).figures;
        for (const [a, b] of [
          [live?.equityUsd, scratch.equityUsd],
          [live?.initialMarginUsd, scratch.initialMarginUsd],
          [live?.maintenanceMarginUsd, scratch.maintenanceMarginUsd],
        ] as const) {
          expect(relDiff(a as number, b), `${id} after tick ${k + 1}`).toBeLessThanOrEqual(1e-9);
        }
      }
    });
  });
});
