/**
 * Hyperliquid `info` endpoint: `{type: "clearinghouseState"}` (perpetuals: positions and margin summary) and, for
 * unified or portfolio-margin accounts, `{type: "spotClearinghouseState"}` (token balances). Decimal strings
 * (Hyperliquid API docs, info endpoint, "Retrieve user's perpetuals account summary" and "Retrieve a user's token
 * balances").
 *
 * Perpetuals are USDC-margined linear contracts: `szi` is the signed size in coin, `entryPx` the entry. Cash: with a
 * spotClearinghouseState the balances are its `total` per coin ("unified account and portfolio margin shows all
 * balances and holds in the spot clearinghouse state", Hyperliquid, quoted in ccxt #28093); without one the perp
 * account's USDC is `marginSummary.accountValue − Σ unrealizedPnl` (the docs example: 13,109.482328 + 0.0134), so
 * that netrisk's equity at Hyperliquid's marks is its account value.
 * @module
 */
import { joinPath } from "../errors.js";
import type { Result } from "../errors.js";
import type { CanonicalAccount } from "./canonical.js";
import { instrumentOf } from "./canonical.js";
import { claim, runImport } from "./importer.js";
import type { Draft, ResponseKind } from "./importer.js";
import { addPosition } from "./position.js";
import { addBalance, arr, currency, isObj, num, records, report, str } from "./read.js";
import type { Ctx, Obj } from "./read.js";
import { hyperliquidCoin } from "./symbols.js";
import type { ImportedAccount, ImportOptions, VenueFile } from "./types.js";

/** Perp cash waits until every file is read: a spot state (unified account) replaces it. */
interface HlState {
  perpCashUsdc?: { amount: number; file: string };
  spot: boolean;
}

function perpKind(state: HlState): ResponseKind {
  return {
    name: "clearinghouseState",
    detect: (j) => isObj(j) && Array.isArray(j.assetPositions) && isObj(j.marginSummary),
    read(j, ctx: Ctx, draft: Draft) {
      const r = j as Obj;
      const summary = r.marginSummary as Obj;
      const accountValue = num(ctx, summary, "accountValue", "marginSummary", true);
      const used = num(ctx, summary, "totalMarginUsed", "marginSummary");
      const mm = num(ctx, r, "crossMaintenanceMarginUsed", "");
      if (accountValue !== undefined) draft.figures.equityUsd = accountValue;
      if (used !== undefined) draft.figures.initialMarginUsd = used;
      if (mm !== undefined) draft.figures.maintenanceMarginUsd = mm;
      const withdrawable = num(ctx, r, "withdrawable", "");
      if (withdrawable !== undefined) draft.figures.other.withdrawable = withdrawable;
      let upl = 0;
      for (const { rec, at } of records(ctx, arr(ctx, r, "assetPositions", "") ?? [], "assetPositions")) {
        const pAt = joinPath(at, "position");
        const p = rec.position;
        if (!isObj(p)) {
          report(ctx, "required", pAt, "an asset position needs a position object");
          continue;
        }
        const coin = str(ctx, p, "coin", pAt, true);
        const szi = num(ctx, p, "szi", pAt, true);
        const entry = num(ctx, p, "entryPx", pAt);
        upl += num(ctx, p, "unrealizedPnl", pAt) ?? 0;
        if (coin === undefined || szi === undefined) continue;
        if (!claim(draft, ctx, coin, at)) continue;
        const lev = isObj(p.leverage) ? p.leverage.type : undefined;
        if (lev === "isolated") draft.notes.push(`${ctx.file}:${at} ${coin}: an isolated-margin position, margined here with the rest of the account`);
        addPosition(ctx, draft, hyperliquidCoin(coin, joinPath(pAt, "coin")), { at, venueId: coin, sizeCoin: szi, ...(entry !== undefined ? { averagePrice: entry } : {}), record: p });
      }
      if (accountValue !== undefined) state.perpCashUsdc = { amount: accountValue - upl, file: ctx.file };
    },
  };
}

function spotKind(state: HlState): ResponseKind {
  return {
    name: "spotClearinghouseState",
    detect: (j) => isObj(j) && Array.isArray(j.balances) && !("assetPositions" in j),
    read(j, ctx, draft) {
      state.spot = true;
      for (const { rec, at } of records(ctx, (j as Obj).balances as unknown[], "balances")) {
        const code = currency(ctx, str(ctx, rec, "coin", at, true), joinPath(at, "coin"));
        const total = num(ctx, rec, "total", at, true);
        if (code === undefined || total === undefined) continue;
        const first = draft.balanceFiles.get(code);
        if (first !== undefined) {
          report(ctx, "duplicate", joinPath(at, "coin"), `the ${code} balance is also in ${first}`);
          continue;
        }
        draft.balanceFiles.set(code, ctx.file);
        addBalance(draft.collateral, code, total);
      }
    },
  };
}

/** Import saved Hyperliquid info responses. */
export function importHyperliquid(files: readonly VenueFile[], options: ImportOptions = {}): Result<ImportedAccount> {
  const state: HlState = { spot: false };
  const r = runImport("hyperliquid", [perpKind(state), spotKind(state)], files, options);
  if (!r.ok) return r;
  const collateral = { ...r.value.collateral };
  const notes = [...r.value.notes];
  if (state.spot) notes.push("unified / portfolio-margin account: balances from spotClearinghouseState (the perp account's own USD is not added)");
  else if (state.perpCashUsdc !== undefined) {
    addBalance(collateral, "USDC", state.perpCashUsdc.amount);
    notes.push(`${state.perpCashUsdc.file}: USDC cash = marginSummary.accountValue − Σ unrealizedPnl = ${state.perpCashUsdc.amount}`);
  }
  return { ok: true, value: { ...r.value, collateral, notes } };
}

/** The account as Hyperliquid's clearinghouseState (USDC-perps only) and spotClearinghouseState, for round trips. */
export function exportHyperliquid(a: CanonicalAccount): VenueFile[] {
  const assetPositions = a.positions.map((p) => {
    const inst = instrumentOf(p.instrument);
    return {
      type: "oneWay",
      position: {
        coin: inst.base,
        szi: String(p.size),
        entryPx: String(p.averagePrice ?? p.markPrice),
        positionValue: String(Math.abs(p.size) * p.markPrice),
        unrealizedPnl: String(p.size * (p.markPrice - (p.averagePrice ?? p.markPrice))),
        leverage: { type: "cross", value: 10 },
      },
    };
  });
  return [
    { name: "clearinghouseState.json", json: { assetPositions, crossMaintenanceMarginUsed: "0", marginSummary: { accountValue: "0", totalMarginUsed: "0", totalNtlPos: "0", totalRawUsd: "0" }, time: 0, withdrawable: "0" } },
    { name: "spotClearinghouseState.json", json: { balances: Object.entries(a.collateral).map(([coin, total], i) => ({ coin, token: i, hold: "0", total: String(total), entryNtl: "0" })) } },
  ];
}
