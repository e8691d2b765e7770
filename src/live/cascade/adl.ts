/**
 * Auto-deleveraging (docs/cascade.md, "Bankruptcy"): the part of a bankrupt account's shortfall the insurance fund
 * cannot pay is taken from profitable accounts on the opposite side, ranked by profit × leverage (Hyperliquid:
 * "ranked by unrealised PnL and leverage", wave2.md §3.5; Binance: PnL% × effective leverage). With PnL% = upnl /
 * |notional| and leverage = |notional| / equity the score is upnl / equity. Each account pays at most its unrealised
 * profit on that underlying (what closing its matched position at the bankruptcy price takes from it) and its equity.
 * Their positions are left open: the venue would also close the matched size; that cut is not modelled.
 * @module
 */
import { positionValue } from "../../account/valuation.js";
import type { MarketContext } from "../../market/context.js";
import { currencyUsdRate } from "../../risk/marks.js";
import type { LiveCore } from "../core.js";

/** An account's unrealised futures P&L and net side on one underlying. */
interface Leg {
  readonly account: string;
  readonly base: string;
  readonly sideCoin: number;
  readonly upnlUsd: number;
  readonly equityUsd: number;
}

/** The profitable futures legs of the book at the current market (computed once per round, when first needed). */
export class AdlBook {
  /** Legs ranked, per `base|side` (side of the leg: 1 long, −1 short) and all together (`*`), with a cursor past the exhausted ones. */
  private lists: Map<string, { legs: Leg[]; cursor: number }> | undefined;
  /** USD already taken per account this round. */
  private readonly taken = new Map<string, number>();
  private readonly takenLeg = new Map<Leg, number>();

  constructor(
    private readonly core: LiveCore,
    private readonly excluded: (id: string) => boolean,
  ) {}

  private build(): Map<string, { legs: Leg[]; cursor: number }> {
    const market: MarketContext = this.core.marketContext();
    const out: Leg[] = [];
    for (const id of this.core.accountIds()) {
      if (this.excluded(id)) continue;
      const f = this.core.figures(id);
      if (f === undefined || !(f.equityUsd > 0)) continue;
      const held = this.core.account(id);
      if (held === undefined) continue;
      const byBase = new Map<string, { side: number; upnl: number }>();
      for (const p of held.positions) {
        if (p.instrument.kind === "option") continue;
        const v = positionValue(p, market).value * currencyUsdRate(market, p.instrument.settlementCurrency);
        const b = byBase.get(p.instrument.base) ?? { side: 0, upnl: 0 };
        b.side += p.sizeCoin;
        b.upnl += v;
        byBase.set(p.instrument.base, b);
      }
      for (const [base, b] of byBase) if (b.upnl > 0 && b.side !== 0) out.push({ account: id, base, sideCoin: b.side, upnlUsd: b.upnl, equityUsd: f.equityUsd });
    }
    // Highest profit × leverage first; ties by account id, so a run is reproducible.
    out.sort(ranking);
    const lists = new Map<string, { legs: Leg[]; cursor: number }>([["*", { legs: out, cursor: 0 }]]);
    for (const leg of out) {
      const key = `${leg.base}|${Math.sign(leg.sideCoin)}`;
      const l = lists.get(key) ?? { legs: [], cursor: 0 };
      l.legs.push(leg);
      lists.set(key, l);
    }
    return lists;
  }

  private room(leg: Leg): number {
    return Math.min(leg.upnlUsd - (this.takenLeg.get(leg) ?? 0), leg.equityUsd - (this.taken.get(leg.account) ?? 0));
  }

  /** The best leg of a list that can still pay (the cursor moves past the exhausted ones: room only ever shrinks). */
  private head(l: { legs: Leg[]; cursor: number }): Leg | undefined {
    while (l.cursor < l.legs.length && !(this.room(l.legs[l.cursor] as Leg) > 0)) l.cursor++;
    return l.legs[l.cursor];
  }

  /**
   * Take up to `amountUsd` from the opposite side of a bankrupt account whose net futures sizes were `sideCoin`
   * (every underlying's profitable accounts when it held no future). Returns the debits, in ranking order.
   */
  take(amountUsd: number, sideCoin: ReadonlyMap<string, number>): { account: string; usd: number }[] {
    this.lists ??= this.build();
    const sides = [...sideCoin].filter(([, s]) => s !== 0);
    const keys = sides.length === 0 ? ["*"] : sides.map(([b, s]) => `${b}|${-Math.sign(s)}`);
    const lists = keys.map((k) => this.lists?.get(k)).filter((l): l is { legs: Leg[]; cursor: number } => l !== undefined);
    const debits: { account: string; usd: number }[] = [];
    let rest = amountUsd;
    while (rest > 0) {
      let best: Leg | undefined;
      for (const l of lists) {
        const h = this.head(l);
        if (h !== undefined && (best === undefined || ranking(h, best) < 0)) best = h;
      }
      if (best === undefined) break;
      const usd = Math.min(this.room(best), rest);
      rest -= usd;
      this.takenLeg.set(best, (this.takenLeg.get(best) ?? 0) + usd);
      this.taken.set(best.account, (this.taken.get(best.account) ?? 0) + usd);
      debits.push({ account: best.account, usd });
    }
    return debits;
  }
}

function ranking(a: Leg, b: Leg): number {
  return b.upnlUsd / b.equityUsd - a.upnlUsd / a.equityUsd || (a.account < b.account ? -1 : a.account > b.account ? 1 : 0);
}
