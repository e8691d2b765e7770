/**
 * A liquidation step's cut applied to a risk-matrix account where it lies (core-reduce.ts): every position's size
 * (and USD notional, and unrealised USDC fields) times `keep`, the new balances laid, the account's buckets
 * re-margined. What re-laying the scaled positions would give (group.ts setGroupAccount over entriesByBucket), the
 * same doubles: entries keep their order (names do not change), an entry's size is the position's coin size, and
 * `size × keep` is what the re-laid position would carry. Without the re-lay a cascade's step allocates nothing per
 * position: the steps' positions, entries, sorts and maps were a third of a 100,000-account draw's garbage.
 * @module
 */
import { positionValue } from "../account/valuation.js";
import type { ValuedPosition } from "../account/valuation.js";
import type { MarketContext } from "../market/context.js";
import type { DerivativeInstrument } from "../market/types.js";
import { ROW_BALANCE } from "./arrays.js";
import { segmentOf, touchAccount } from "./book.js";
import type { GroupAccount, RiskMatrixGroup } from "./group.js";
import { remarginGroupAccount, setGroupBalances } from "./group.js";

/**
 * Cut local account `a` of `group` to `keep` (in (0, 1]) of its positions and give it `balances`. Returns false,
 * changing nothing, when the cut cannot be made in place: `keep` outside (0, 1], or an offset balance (an entry of
 * the book, book.ts entriesByBucket) that appears or disappears (the account's lists change length); the caller then
 * re-lays the account.
 */
export function scaleGroupAccount(group: RiskMatrixGroup, a: number, keep: number, balances: Readonly<Record<string, number>>): boolean {
  if (!(keep > 0 && keep <= 1)) return false;
  const acct = group.accounts[a] as GroupAccount;
  const { arrays } = group;
  // Offset balances held as book entries (row → new amount); one that becomes or stops being 0 changes the lists.
  const offsetRows: number[] = [];
  const offsetAmounts: number[] = [];
  for (const c of group.offsets) {
    const row = arrays.balanceRowOf.get(c);
    if (row === undefined) continue;
    const before = acct.balances[c] ?? 0;
    const after = balances[c] ?? 0;
    if ((before !== 0) !== (after !== 0)) return false;
    if (after !== 0) {
      offsetRows.push(row);
      offsetAmounts.push(after);
    }
  }
  const kinds = arrays.kind;
  for (const book of group.books) {
    const s = segmentOf(book, a);
    if (s.to === s.from) continue;
    for (let k = s.from; k < s.to; k++) {
      const r = s.row[k] as number;
      if (kinds[r] === ROW_BALANCE) {
        const j = offsetRows.indexOf(r);
        if (j >= 0) s.size[k] = offsetAmounts[j] as number;
        continue;
      }
      if (keep === 1) continue;
      s.size[k] = (s.size[k] as number) * keep;
      const usd = s.usd[k] as number;
      if (!Number.isNaN(usd)) s.usd[k] = usd * keep;
    }
    // The kernels' mirrors of the segment are copied again (book.ts touchAccount); the futures list beside the book
    // (fast-margin.ts) is listed again on the next read.
    touchAccount(book, a);
    book.futures[a] = -1;
  }
  if (keep !== 1 && group.unrealised.size > 0) {
    const prefix = `${a}:`;
    for (const [key, u] of group.unrealised) {
      if (!key.startsWith(prefix)) continue;
      group.unrealised.set(key, { ...(u.pnl !== undefined ? { pnl: u.pnl * keep } : {}), ...(u.funding !== undefined ? { funding: u.funding * keep } : {}) });
    }
  }
  setGroupBalances(group, a, balances);
  remarginGroupAccount(group, a);
  return true;
}

/**
 * The closing step's realised value: for each position of local account `a`, (1 − keep) × its mark-to-market value
 * (account/valuation.ts) added to `balances` in its settlement currency, in canonical order (books in key order,
 * entries in segment order: the order of group.ts groupPositions, so the same sums as over the held positions), read
 * from the book into one reused record instead of a position object each.
 */
export function addClosedValues(group: RiskMatrixGroup, a: number, keep: number, market: MarketContext, balances: Record<string, number>): void {
  const { arrays } = group;
  const v: { -readonly [K in keyof ValuedPosition]: ValuedPosition[K] } = { instrument: undefined as unknown as DerivativeInstrument, sizeCoin: 0, averagePrice: undefined, unrealisedPnlUsdc: undefined, unrealisedFundingUsdc: undefined };
  for (const book of group.books) {
    const s = segmentOf(book, a);
    for (let k = s.from; k < s.to; k++) {
      const r = s.row[k] as number;
      if (arrays.kind[r] === ROW_BALANCE) continue;
      const inst = arrays.instruments[r] as DerivativeInstrument;
      const avg = s.avg[k] as number;
      const u = group.unrealised.size === 0 ? undefined : group.unrealised.get(`${a}:${r}`);
      v.instrument = inst;
      v.sizeCoin = s.size[k] as number;
      v.averagePrice = Number.isNaN(avg) ? undefined : avg;
      v.unrealisedPnlUsdc = u?.pnl;
      v.unrealisedFundingUsdc = u?.funding;
      const closed = (1 - keep) * positionValue(v, market).value;
      const c = inst.settlementCurrency;
      if (closed !== 0) balances[c] = (balances[c] ?? 0) + closed;
    }
  }
}
