/**
 * Projected margin: the account's figures without the positions expiring at the nearest expiry, as Deribit's
 * `projected_initial_margin` / `projected_maintenance_margin` ("values without positions expiring at the closest
 * expiration", deribit-pm.md §2.10). The expiring positions are settled at their current value: an option's mark value
 * and a future's variation become cash in their settlement currency, so equity is unchanged and only the margin moves.
 * @module
 */
import { ok } from "../errors.js";
import type { Result } from "../errors.js";
import { formatExpiryCode } from "../market/instrument.js";
import type { ResolvedPosition } from "../models/types.js";
import { evaluateAccount } from "./account.js";
import type { Account, AccountEvaluation } from "./account.js";
import { positionValue } from "./valuation.js";

export interface ProjectedMargin {
  /** The nearest expiry among the account's dated positions (ms), or null when it holds none. */
  readonly expiryMs: number | null;
  /** Deribit code of that expiry (`27MAR26`), or null. */
  readonly expiry: string | null;
  /** Positions settled at that expiry. */
  readonly expiring: readonly string[];
  /** The account without them (equal to `current` when nothing expires). */
  readonly projected: AccountEvaluation;
  readonly current: AccountEvaluation;
}

/** The nearest expiry of an account's dated positions, or undefined. */
export function nearestExpiryMs(positions: readonly ResolvedPosition[]): number | undefined {
  let best: number | undefined;
  for (const p of positions) {
    const i = p.instrument;
    if ((i.kind === "future" || i.kind === "option") && (best === undefined || i.expiryMs < best)) best = i.expiryMs;
  }
  return best;
}

/** The account after settling every position of the nearest expiry at its current value (a copy). */
export function withoutNearestExpiry(account: Account): { account: Account; expiryMs: number | undefined; expiring: string[] } {
  const expiryMs = nearestExpiryMs(account.positions);
  if (expiryMs === undefined) return { account, expiryMs, expiring: [] };
  const market = account.engine.market;
  const balances: Record<string, number> = { ...account.balances };
  const positions: ResolvedPosition[] = [];
  const expiring: string[] = [];
  for (const p of account.positions) {
    const i = p.instrument;
    if ((i.kind === "future" || i.kind === "option") && i.expiryMs === expiryMs) {
      const v = positionValue(p, market, account.reference).value;
      if (v !== 0) balances[i.settlementCurrency] = (balances[i.settlementCurrency] ?? 0) + v;
      expiring.push(i.name);
    } else positions.push(p);
  }
  return { account: { ...account, positions, balances }, expiryMs, expiring };
}

/** Current and projected figures (see the module doc). Issues: the model's. */
export function projectedMargin(account: Account): Result<ProjectedMargin> {
  const current = evaluateAccount(account);
  if (!current.ok) return current;
  const w = withoutNearestExpiry(account);
  if (w.expiryMs === undefined) return ok({ expiryMs: null, expiry: null, expiring: [], projected: current.value, current: current.value });
  const projected = evaluateAccount(w.account);
  if (!projected.ok) return projected;
  return ok({ expiryMs: w.expiryMs, expiry: formatExpiryCode(w.expiryMs), expiring: w.expiring, projected: projected.value, current: current.value });
}
