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
  private legs: Leg[] | undefined;
  /** USD already taken per account this round. */
  private readonly taken = new Map<string, number>();
  private readonly takenLeg = new Map<string, number>();

  constructor(
    private readonly core: LiveCore,
    private readonly excluded: (id: string) => boolean,
  ) {}

  private build(): Leg[] {
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
        const v = positionValue({ ...p, sizeConvention: p.notionalUsd !== undefined ? "usd" : "coin", inputIndices: [] }, market).value * currencyUsdRate(market, p.instrument.settlementCurrency);
        const b = byBase.get(p.instrument.base) ?? { side: 0, upnl: 0 };
        b.side += p.sizeCoin;
        b.upnl += v;
        byBase.set(p.instrument.base, b);
      }
      for (const [base, b] of byBase) if (b.upnl > 0 && b.side !== 0) out.push({ account: id, base, sideCoin: b.side, upnlUsd: b.upnl, equityUsd: f.equityUsd });
    }
    // Highest profit × leverage first; ties by account id, so a run is reproducible.
    out.sort((a, b) => b.upnlUsd / b.equityUsd - a.upnlUsd / a.equityUsd || (a.account < b.account ? -1 : a.account > b.account ? 1 : 0));
    return out;
  }

  /**
   * Take up to `amountUsd` from the opposite side of a bankrupt account whose net futures sizes were `sideCoin`
   * (every underlying's profitable accounts when it held no future). Returns the debits, in ranking order.
   */
  take(amountUsd: number, sideCoin: ReadonlyMap<string, number>): { account: string; usd: number }[] {
    this.legs ??= this.build();
    const anySide = [...sideCoin.values()].every((s) => s === 0);
    const debits: { account: string; usd: number }[] = [];
    let rest = amountUsd;
    for (const leg of this.legs) {
      if (rest <= 0) break;
      const s = sideCoin.get(leg.base) ?? 0;
      if (!anySide && !(s !== 0 && Math.sign(s) !== Math.sign(leg.sideCoin))) continue;
      const key = `${leg.account}\u0000${leg.base}`;
      const room = Math.min(leg.upnlUsd - (this.takenLeg.get(key) ?? 0), leg.equityUsd - (this.taken.get(leg.account) ?? 0));
      if (!(room > 0)) continue;
      const usd = Math.min(room, rest);
      rest -= usd;
      this.takenLeg.set(key, (this.takenLeg.get(key) ?? 0) + usd);
      this.taken.set(leg.account, (this.taken.get(leg.account) ?? 0) + usd);
      debits.push({ account: leg.account, usd });
    }
    return debits;
  }
}
