/** A bulk-loaded book (typed arrays) gives the same figures and events as the same accounts loaded one by one. */
import { describe, expect, it } from "vitest";
import { DEFAULT_ACCOUNT_RULES, parseAccountRules } from "../../src/account/rules.js";
import { unwrap } from "../../src/errors.js";
import { loadModel } from "../../src/io/presets.js";
import { createLiveCore } from "../../src/live/core.js";
import type { LiveAccountInput } from "../../src/live/core.js";
import { Xoshiro256StarStar } from "../../src/math/rng.js";
import { parseInstrument } from "../../src/market/instrument.js";
import type { DerivativeInstrument } from "../../src/market/types.js";
import { EXAMPLE_MARKET } from "./helpers.js";

describe("bulk books", () => {
  it("load to the same figures and events as accounts given one by one (duplicates merged, balances offset)", () => {
    const model = unwrap(loadModel("deribit"));
    const rules = unwrap(parseAccountRules(DEFAULT_ACCOUNT_RULES));
    const names = Object.keys(EXAMPLE_MARKET.instruments);
    const rng = Xoshiro256StarStar.fromSeed(11);
    const n = 60;
    const offsets = new Int32Array(n + 1);
    const idx: number[] = [];
    const size: number[] = [];
    const balances: Record<string, number>[] = [];
    const one: LiveAccountInput[] = [];
    for (let a = 0; a < n; a++) {
      offsets[a] = idx.length;
      const base = rng.nextDouble() < 0.6 ? "BTC" : "ETH";
      const pool = names.filter((x) => x.startsWith(base));
      const merged = new Map<string, number>();
      for (let k = 0; k < 12; k++) {
        const i = names.indexOf(pool[Math.floor(rng.nextDouble() * pool.length)] as string);
        const s = (rng.nextDouble() - 0.5) * 10;
        idx.push(i);
        size.push(s);
        merged.set(names[i] as string, (merged.get(names[i] as string) ?? 0) + s);
      }
      const bal = { [base]: 1 + rng.nextDouble() * 20, USDC: rng.nextDouble() * 50_000 };
      balances.push(bal);
      one.push({ id: `a${a}`, model, rules, balances: bal, positions: [...merged].map(([name, s]) => ({ instrument: unwrap(parseInstrument(name)) as DerivativeInstrument, sizeCoin: s })) });
    }
    offsets[n] = idx.length;
    const bulk = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: [], bulk: { ids: one.map((a) => a.id), model, rules, instruments: names, offsets, instrumentIndex: Int32Array.from(idx), sizeCoin: Float64Array.from(size), balances } }));
    const single = unwrap(createLiveCore({ market: EXAMPLE_MARKET, accounts: one }));
    const same = () => {
      for (const a of one) {
        const x = bulk.figures(a.id);
        const y = single.figures(a.id);
        expect([x?.equityUsd, x?.initialMarginUsd, x?.maintenanceMarginUsd, x?.state]).toEqual([y?.equityUsd, y?.initialMarginUsd, y?.maintenanceMarginUsd, y?.state]);
      }
    };
    same();
    const t0 = EXAMPLE_MARKET.timestampMs;
    for (const [k, m] of [0.97, 0.9, 1.05, 0.8].entries()) {
      const tick = { seq: k + 1, timestampMs: t0 + (k + 1) * 60_000, indexUsd: { BTC: 90000 * m, ETH: 3000 * (2 - m) } };
      const eb = bulk.apply({ kind: "tick", tick });
      const es = single.apply({ kind: "tick", tick });
      expect(eb.events).toEqual(es.events);
      same();
    }
  });
});
