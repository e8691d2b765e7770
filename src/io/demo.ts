/**
 * The demo exchange of `netrisk serve --demo`: SYNTHETIC accounts generated from a seed on a market (the bundled
 * synthetic example market by default). Varied books: short and long option strips, covered calls, futures hedges,
 * basis trades, leveraged perpetuals with entry prices away from the mark, USDC-settled books; a few accounts are
 * made to sit near or past their margin call. Every account says it is synthetic. Pure: the market's instrument list
 * and a seed in, account documents out.
 * @module
 */
import { Xoshiro256StarStar } from "../math/rng.js";
import { parseInstrument } from "../market/instrument.js";
import type { DerivativeInstrument, MarketSnapshot } from "../market/types.js";

export interface DemoAccount {
  readonly id: string;
  readonly document: Record<string, unknown>;
}

const STYLES = ["option-seller", "option-buyer", "covered-call", "basis", "leveraged-perp", "usdc-book", "mixed"] as const;

/** `count` synthetic accounts (ids `demo-0001`, ...) on `market`, reproducible from `seed`. */
export function demoAccounts(market: MarketSnapshot, count: number, seed = 20260302): DemoAccount[] {
  const rng = Xoshiro256StarStar.fromSeed(seed);
  const u = (): number => rng.nextDouble();
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(u() * xs.length)] as T;
  const round = (x: number, step: number): number => Number((Math.round(x / step) * step).toFixed(step >= 1 ? 0 : String(step).split(".")[1]?.length ?? 2));
  const all: DerivativeInstrument[] = [];
  for (const name of Object.keys(market.instruments)) {
    const p = parseInstrument(name);
    if (p.ok && p.value.kind !== "spot" && (p.value.kind === "perpetual" || p.value.expiryMs > market.timestampMs)) all.push(p.value);
  }
  const index = (base: string): number => market.indexUsd[base] ?? 1;
  const of = (f: (i: DerivativeInstrument) => boolean): DerivativeInstrument[] => all.filter(f);
  const near = (i: DerivativeInstrument): boolean => i.kind !== "option" || Math.abs(i.strikeUsd / index(i.base) - 1) < 0.35;
  const out: DemoAccount[] = [];
  for (let n = 1; n <= count; n++) {
    const style = STYLES[(n - 1) % STYLES.length] as (typeof STYLES)[number];
    const base = u() < 0.7 ? "BTC" : "ETH";
    const scale = base === "BTC" ? 1 : 15;
    const inverseOptions = of((i) => i.kind === "option" && i.base === base && i.settlement === "inverse" && near(i));
    const linearOptions = of((i) => i.kind === "option" && i.base === base && i.settlement === "linear" && near(i));
    const futures = of((i) => i.kind !== "option" && i.base === base && i.settlement === "inverse");
    const linearPerp = of((i) => i.kind === "perpetual" && i.base === base && i.settlement === "linear");
    const positions: Record<string, unknown>[] = [];
    const add = (i: DerivativeInstrument | undefined, size: number, withEntry = false): void => {
      const sized = round(size, 0.1);
      if (i === undefined || sized === 0) return;
      const mark = i.kind === "option" ? undefined : (market.instruments[i.name]?.markPrice ?? index(i.base));
      positions.push({ instrument: i.name, size: sized, ...(withEntry && mark !== undefined ? { averagePrice: round(mark * (1 + (u() - 0.5) * 0.05), 0.5) } : {}) });
    };
    const collateral: Record<string, number> = {};
    const legs = 2 + Math.floor(u() * 6);
    switch (style) {
      case "option-seller":
        for (let k = 0; k < legs; k++) add(pick(inverseOptions), -(0.5 + u() * 5) * scale);
        collateral[base] = round((6 + u() * 14) * scale, 0.01);
        break;
      case "option-buyer":
        for (let k = 0; k < legs; k++) add(pick(inverseOptions), (1 + u() * 6) * scale);
        collateral[base] = round((0.5 + u() * 3) * scale, 0.01);
        break;
      case "covered-call":
        add(pick(inverseOptions.filter((i) => i.kind === "option" && i.optionKind === "call" && i.strikeUsd > index(base))), -(2 + u() * 8) * scale);
        collateral[base] = round((4 + u() * 10) * scale, 0.01);
        break;
      case "basis": {
        const s = (2 + u() * 20) * scale;
        add(pick(futures.filter((i) => i.kind === "perpetual")), s, true);
        add(pick(futures.filter((i) => i.kind === "future")), -s, true);
        collateral[base] = round((0.5 + u() * 2) * scale, 0.01);
        break;
      }
      case "leveraged-perp": {
        const lev = 1 + u() * 9;
        const equityUsd = 5_000 + u() * 200_000;
        add(pick(linearPerp), (u() < 0.6 ? 1 : -1) * ((lev * equityUsd) / index(base)), true);
        collateral.USDC = round(equityUsd, 0.01);
        break;
      }
      case "usdc-book":
        for (let k = 0; k < legs; k++) add(pick(linearOptions), (u() < 0.6 ? -1 : 1) * (1 + u() * 8) * scale);
        add(pick(linearPerp), (u() - 0.5) * 10 * scale, true);
        collateral.USDC = round(20_000 + u() * 800_000, 0.01);
        break;
      default:
        for (let k = 0; k < legs; k++) add(pick([...inverseOptions, ...futures]), (u() - 0.55) * 12 * scale, true);
        collateral[base] = round((1 + u() * 8) * scale, 0.01);
        if (u() < 0.5) collateral.USDC = round(u() * 100_000, 0.01);
    }
    const id = `demo-${String(n).padStart(4, "0")}`;
    out.push({
      id,
      document: {
        source: `SYNTHETIC demo account (style ${style}), generated by netrisk serve --demo (src/io/demo.ts, seed ${seed}); not a real account`,
        synthetic: true,
        model: "deribit",
        parameterSet: "deribit",
        positions,
        collateral,
      },
    });
  }
  return out;
}
