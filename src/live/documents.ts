/**
 * The live core's accounts as documents: the account file an account is held as (so anyone can recompute its
 * figures from scratch with `netrisk account`), positions back from such a file after a fill (account/fills.ts, the
 * service's pure fill function), and the live figures document (account/document.ts: what `netrisk account --json
 * --no-distance` prints) computed on demand on the live market.
 * @module
 */
import type { Account } from "../account/account.js";
import { accountDocument } from "../account/document.js";
import type { AccountDocument } from "../account/document.js";
import type { AccountFileDocument, DocumentPosition } from "../account/fills.js";
import type { Result } from "../errors.js";
import { fail, issue, joinPath, ok } from "../errors.js";
import type { Issue } from "../errors.js";
import type { MarketContext } from "../market/context.js";
import { parseInstrument } from "../market/instrument.js";
import type { LivePosition } from "./book.js";
import type { Listing } from "./market.js";
import type { HeldAccount } from "./state.js";

/** The account file of a held account: positions (USD contracts as `sizeUsd`), collateral, and no model fields. */
export function positionsDocument(held: Pick<HeldAccount, "positions" | "balances">): AccountFileDocument {
  const positions: DocumentPosition[] = held.positions.map((p) => ({
    instrument: p.instrument.name,
    ...(p.notionalUsd !== undefined ? { sizeUsd: p.notionalUsd } : { size: p.sizeCoin }),
    ...(p.averagePrice !== undefined ? { averagePrice: p.averagePrice } : {}),
    ...(p.unrealisedPnlUsdc !== undefined ? { unrealisedPnlUsdc: p.unrealisedPnlUsdc } : {}),
    ...(p.unrealisedFundingUsdc !== undefined ? { unrealisedFundingUsdc: p.unrealisedFundingUsdc } : {}),
  }));
  return { positions, collateral: { ...held.balances } };
}

/**
 * Live positions of an account file's positions on `market` (names resolved and listed; `sizeUsd` kept as the
 * notional, its coin size at the current mark as io/portfolio.ts converts it). Duplicates are not expected (the fill
 * function merges the instrument it fills): one is `duplicate`.
 */
export function positionsFromDocument(doc: AccountFileDocument, market: MarketContext, listing: Listing): Result<LivePosition[]> {
  const issues: Issue[] = [];
  const out: LivePosition[] = [];
  const seen = new Set<string>();
  doc.positions.forEach((p, i) => {
    // A listed (canonical) name resolves without a parse: the fill path's documents hold only those.
    let inst = listing.byName.get(p.instrument);
    if (inst === undefined) {
      const path = joinPath("positions", i, "instrument");
      const parsed = parseInstrument(p.instrument, path);
      if (!parsed.ok) {
        issues.push(...parsed.issues);
        return;
      }
      inst = listing.byName.get(parsed.value.name);
      if (inst === undefined) {
        issues.push(issue("unknown_instrument", path, `${p.instrument} is not listed in the live market`));
        return;
      }
    }
    if (seen.has(inst.name)) issues.push(issue("duplicate", joinPath("positions", i, "instrument"), `${inst.name} appears twice`));
    seen.add(inst.name);
    const notional = p.sizeUsd;
    const sizeCoin = notional !== undefined ? notional / market.futureMarkUsd(inst) : (p.size ?? 0);
    out.push({
      instrument: inst,
      sizeCoin,
      ...(notional !== undefined ? { notionalUsd: notional } : {}),
      ...(p.averagePrice !== undefined ? { averagePrice: p.averagePrice } : {}),
      ...(p.unrealisedPnlUsdc !== undefined ? { unrealisedPnlUsdc: p.unrealisedPnlUsdc } : {}),
      ...(p.unrealisedFundingUsdc !== undefined ? { unrealisedFundingUsdc: p.unrealisedFundingUsdc } : {}),
    });
  });
  return issues.length > 0 ? fail(...issues) : ok(out);
}

/**
 * The live figures document of an account: account/document.ts's `accountDocument` without the distance search, on
 * the live market (`marketRef` names the input the market is as of, e.g. `live:seq 12`).
 */
export function liveDocument(held: HeldAccount, account: Account, marketRef: string): Result<AccountDocument> {
  return accountDocument({ account, model: held.model, parameterSetName: held.parameterSetName, accountRef: held.id, marketRef }, { distance: false });
}
