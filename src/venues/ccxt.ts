/**
 * ccxt's unified structures: `fetchPositions()` (an array of Position) and `fetchBalance()` (Balances), saved as
 * JSON, best in one wrapper `{"exchange": "okx", "positions": [...], "balance": {...}}` (ccxt/ccxt
 * ts/src/base/types.ts; the exchange is otherwise recognised from the records' raw `info`).
 *
 * ccxt's unified fields are wrong or empty for some venues (../shared/reference/wave2.md §2), so netrisk reads each
 * record's raw `info` there with that venue's own importer:
 * - Deribit: `contracts` is undefined (ccxt #26913) → the `private/get_positions` record in `info`;
 * - OKX: `contracts` comes multiplied by `contractSize` (ccxt #20688), and option `contractSize` ignores `ctMult` →
 *   the positions record in `info`, with ctVal × ctMult; balances: `info` (`cashBal`; ccxt's `total` is `eq`, which
 *   already holds the unrealised P&L netrisk computes from the entry price).
 * Elsewhere the unified fields are used: size = `contracts × contractSize` with the sign of `side`, in coin for
 * linear symbols and USD notional for inverse ones (settle = base), `entryPrice` the entry, balances `total`.
 * @module
 */
import { joinPath } from "../errors.js";
import type { Result } from "../errors.js";
import type { CanonicalAccount } from "./canonical.js";
import { instrumentOf, yymmdd } from "./canonical.js";
import { readDeribitPosition } from "./deribit.js";
import { claim, runImport } from "./importer.js";
import type { Draft, ResponseKind } from "./importer.js";
import { readOkxBalance, readOkxPosition } from "./okx.js";
import { addPosition } from "./position.js";
import { addBalance, currency, isObj, num, records, report, str } from "./read.js";
import type { Ctx, Obj } from "./read.js";
import { ccxtSymbol } from "./symbols.js";
import type { ImportedAccount, ImportOptions, VenueFile } from "./types.js";

/** Exchanges whose raw `info` netrisk reads instead of ccxt's unified fields. */
export const CCXT_RAW_INFO_EXCHANGES = ["deribit", "okx"] as const;

function exchangeOfPosition(info: unknown): string | undefined {
  if (!isObj(info)) return undefined;
  if ("instId" in info && "pos" in info) return "okx";
  if ("instrument_name" in info && "size" in info && "kind" in info) return "deribit";
  return undefined;
}

function readPosition(ctx: Ctx, draft: Draft, rec: Obj, at: string, exchange: string | undefined, options: ImportOptions): void {
  const ex = exchange ?? exchangeOfPosition(rec.info);
  if (ex === "deribit" || ex === "okx") {
    if (!isObj(rec.info)) {
      report(ctx, "required", joinPath(at, "info"), `${ex}: ccxt's unified fields are wrong for ${ex} (wave2.md §2); netrisk reads the raw info record, which is missing`);
      return;
    }
    const sub: Ctx = { venue: "ccxt", file: ctx.file, issues: ctx.issues };
    if (ex === "deribit") readDeribitPosition(sub, draft, rec.info, joinPath(at, "info"));
    else readOkxPosition(sub, draft, rec.info, joinPath(at, "info"), options);
    return;
  }
  const symbol = str(ctx, rec, "symbol", at, true);
  const side = str(ctx, rec, "side", at, true);
  const contracts = num(ctx, rec, "contracts", at, true);
  const contractSize = num(ctx, rec, "contractSize", at) ?? 1;
  const entry = num(ctx, rec, "entryPrice", at);
  if (symbol === undefined || side === undefined || contracts === undefined) return;
  if (side !== "long" && side !== "short") {
    report(ctx, "invalid_value", joinPath(at, "side"), `side must be long or short, got ${JSON.stringify(side)}`);
    return;
  }
  if (contracts < 0) {
    report(ctx, "invalid_value", joinPath(at, "contracts"), `contracts ${contracts} must be ≥ 0 (side gives the direction)`);
    return;
  }
  const mapped = ccxtSymbol(symbol, joinPath(at, "symbol"));
  if (!claim(draft, ctx, `${symbol}:${side}`, at)) return;
  const units = (side === "short" ? -1 : 1) * contracts * contractSize;
  const inverse = mapped.ok && mapped.value.instrument.settlement === "inverse" && mapped.value.instrument.kind !== "option";
  addPosition(ctx, draft, mapped, { at, venueId: symbol, ...(inverse ? { sizeUsd: units } : { sizeCoin: units }), ...(entry !== undefined ? { averagePrice: entry } : {}), record: rec });
}

function readBalance(ctx: Ctx, draft: Draft, bal: Obj, at: string, exchange: string | undefined): void {
  const info = bal.info;
  if ((exchange === "okx" || (exchange === undefined && isObj(info) && Array.isArray(info.data))) && isObj(info)) {
    readOkxBalance(info, { ...ctx }, draft);
    draft.notes.push(`${ctx.file}:${at}: OKX balances read from the raw info (cashBal): ccxt's total is eq, which includes unrealised P&L`);
    return;
  }
  const total = bal.total;
  if (!isObj(total)) {
    report(ctx, "required", joinPath(at, "total"), "a ccxt balance needs its total map");
    return;
  }
  for (const ccy of Object.keys(total)) {
    const code = currency(ctx, ccy, joinPath(at, "total", ccy));
    const amount = num(ctx, total, ccy, joinPath(at, "total"));
    if (code === undefined || amount === undefined) continue;
    if (!claim(draft, ctx, `balance:${code}`, joinPath(at, "total", ccy))) continue;
    addBalance(draft.collateral, code, amount);
  }
  if (exchange !== undefined) draft.notes.push(`${ctx.file}:${at}: balances from ccxt's total (${exchange}); whether a venue's total includes unrealised P&L varies`);
}

const wrapperKind = (options: ImportOptions): ResponseKind => ({
  name: 'a ccxt wrapper {"exchange", "positions", "balance"}, a fetchPositions array or a fetchBalance object',
  detect: (j) => (isObj(j) && (Array.isArray(j.positions) || isObj(j.balance))) || (Array.isArray(j) && j.every((r) => isObj(r) && "symbol" in r && "info" in r)) || (isObj(j) && isObj(j.total) && "info" in j),
  read(j, ctx, draft) {
    const exchange = isObj(j) && typeof j.exchange === "string" ? j.exchange.toLowerCase() : undefined;
    if (Array.isArray(j)) {
      for (const { rec, at } of records(ctx, j, "")) readPosition(ctx, draft, rec, at, undefined, options);
      return;
    }
    const o = j as Obj;
    if (isObj(o.total) && "info" in o) {
      readBalance(ctx, draft, o, "", undefined);
      return;
    }
    if (Array.isArray(o.positions)) for (const { rec, at } of records(ctx, o.positions, "positions")) readPosition(ctx, draft, rec, at, exchange, options);
    if (isObj(o.balance)) readBalance(ctx, draft, o.balance, "balance", exchange);
  },
});

/** Import saved ccxt structures. */
export function importCcxt(files: readonly VenueFile[], options: ImportOptions = {}): Result<ImportedAccount> {
  return runImport("ccxt", [wrapperKind(options)], files, options);
}

/** The account as ccxt unified structures of a venue whose unified fields netrisk trusts (e.g. bybit), for round trips. */
export function exportCcxt(a: CanonicalAccount, exchange = "bybit"): VenueFile[] {
  const positions = a.positions.map((p) => {
    const inst = instrumentOf(p.instrument);
    const settle = inst.settlement === "inverse" ? inst.base : inst.settlementCurrency;
    const quote = inst.settlement === "inverse" ? "USD" : inst.settlementCurrency;
    const tail = inst.kind === "perpetual" ? "" : inst.kind === "future" ? `-${yymmdd(inst.expiryMs)}` : `-${yymmdd(inst.expiryMs)}-${inst.strikeUsd}-${inst.optionKind === "call" ? "C" : "P"}`;
    const inverse = inst.settlement === "inverse" && inst.kind !== "option";
    const units = inverse ? (p.sizeUsd ?? p.size * p.markPrice) : p.size;
    return { symbol: `${inst.base}/${quote}:${settle}${tail}`, side: units > 0 ? "long" : "short", contracts: Math.abs(units), contractSize: 1, entryPrice: p.averagePrice ?? null, markPrice: p.markPrice, info: {} };
  });
  const total = { ...a.collateral };
  return [{ name: "ccxt.json", json: { exchange, positions, balance: { info: {}, total } } }];
}
