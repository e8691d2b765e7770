/**
 * Bybit unified trading account (v5): `GET /v5/position/list` (one `category` per response: linear, inverse,
 * option) and `GET /v5/account/wallet-balance` (accountType UNIFIED). Decimal strings (Bybit v5 docs, stored copy
 * github.com/rosssaunders/coincise docs/bybit @a00ae58).
 *
 * Sizes: `size` is in base coin for linear and option positions, in USD (1-USD contracts) for inverse ones, where
 * `positionValue` is in coin: the docs example has size 300 (USD) and positionValue 0.01092319 BTC at avgPrice
 * 27,464.5 (= 300 / 27,464.5). An inverse size that equals its positionValue is a coin amount: `unit_mismatch`.
 * `side` Buy / Sell gives the sign; hedge mode (`positionIdx` 1 / 2) lists both sides. A non-empty `nextPageCursor`
 * means more pages: `incomplete_response`. Balances: `walletBalance` per coin (`equity` adds unrealised P&L).
 * @module
 */
import { joinPath } from "../errors.js";
import type { Result } from "../errors.js";
import { formatExpiryCode } from "../market/instrument.js";
import type { CanonicalAccount } from "./canonical.js";
import { instrumentOf } from "./canonical.js";
import { claim, runImport } from "./importer.js";
import type { ResponseKind } from "./importer.js";
import { addPosition } from "./position.js";
import { addBalance, arr, currency, isObj, messageText, num, records, relDiff, report, str } from "./read.js";
import type { Obj } from "./read.js";
import { bybitSymbol } from "./symbols.js";
import type { ImportedAccount, ImportOptions, VenueFile } from "./types.js";

const resultOf = (j: unknown): Obj | undefined => (isObj(j) && "retCode" in j && isObj(j.result) ? j.result : undefined);

const positionKind: ResponseKind = {
  name: "GET /v5/position/list",
  detect: (j) => {
    const r = resultOf(j);
    return r !== undefined && Array.isArray(r.list) && typeof r.category === "string";
  },
  read(j, ctx, draft) {
    const env = j as Obj;
    const r = resultOf(j) as Obj;
    if (env.retCode !== 0 && env.retCode !== "0") report(ctx, "invalid_value", "retCode", `Bybit returned retCode ${String(env.retCode)}: ${messageText(env.retMsg)}`);
    const category = str(ctx, r, "category", "result", true) ?? "";
    const cursor = str(ctx, r, "nextPageCursor", "result");
    if (cursor !== undefined) report(ctx, "incomplete_response", "result.nextPageCursor", `more pages follow (nextPageCursor ${JSON.stringify(cursor)}): save every page (limit up to 200 per page)`);
    for (const { rec, at } of records(ctx, arr(ctx, r, "list", "result") ?? [], "result.list")) {
      const symbol = str(ctx, rec, "symbol", at, true);
      const side = str(ctx, rec, "side", at);
      const size = num(ctx, rec, "size", at, true);
      const avg = num(ctx, rec, "avgPrice", at);
      const value = num(ctx, rec, "positionValue", at);
      const idx = num(ctx, rec, "positionIdx", at) ?? 0;
      if (symbol === undefined || size === undefined) continue;
      if (size === 0 || side === "None" || side === undefined) {
        draft.notes.push(`${ctx.file}:${at} ${symbol}: no position (side ${side ?? "absent"}, size ${size}), skipped`);
        continue;
      }
      if (side !== "Buy" && side !== "Sell") {
        report(ctx, "invalid_value", joinPath(at, "side"), `side must be Buy or Sell, got ${JSON.stringify(side)}`);
        continue;
      }
      if (size < 0) {
        report(ctx, "invalid_value", joinPath(at, "size"), `size ${size} must be ≥ 0 (side gives the direction)`);
        continue;
      }
      const signed = side === "Sell" ? -size : size;
      const mapped = bybitSymbol(symbol, category, joinPath(at, "symbol"));
      if (mapped.ok && category === "inverse" && value !== undefined && avg !== undefined && avg > 0) {
        // size is USD for inverse: positionValue (coin) × price ≈ size; a size equal to positionValue is coin.
        if (relDiff(size, value) < 1e-9 && avg > 2) {
          report(ctx, "unit_mismatch", joinPath(at, "size"), `${symbol}: an inverse size is in USD (1-USD contracts), but size equals positionValue ${value} (coin)`);
          continue;
        }
      }
      if (!claim(draft, ctx, `${category}:${symbol}:${idx}`, at)) continue;
      addPosition(ctx, draft, mapped, {
        at,
        venueId: symbol,
        ...(category === "inverse" ? { sizeUsd: signed } : { sizeCoin: signed }),
        ...(avg !== undefined ? { averagePrice: avg } : {}),
        record: rec,
      });
    }
  },
};

const walletKind: ResponseKind = {
  name: "GET /v5/account/wallet-balance",
  detect: (j) => {
    const r = resultOf(j);
    return r !== undefined && Array.isArray(r.list) && (r.list as unknown[]).some((x) => isObj(x) && Array.isArray(x.coin));
  },
  read(j, ctx, draft) {
    const r = resultOf(j) as Obj;
    for (const { rec, at } of records(ctx, arr(ctx, r, "list", "result") ?? [], "result.list")) {
      const type = str(ctx, rec, "accountType", at);
      if (type !== undefined && type !== "UNIFIED") draft.notes.push(`${ctx.file}:${at}: accountType ${type}; account-wide figures apply to UNIFIED accounts only (Bybit docs)`);
      const pairs: [string, "equityUsd" | "initialMarginUsd" | "maintenanceMarginUsd"][] = [
        ["totalEquity", "equityUsd"],
        ["totalInitialMargin", "initialMarginUsd"],
        ["totalMaintenanceMargin", "maintenanceMarginUsd"],
      ];
      for (const [key, field] of pairs) {
        const v = num(ctx, rec, key, at);
        if (v !== undefined) draft.figures[field] = v;
      }
      for (const key of ["accountIMRate", "accountMMRate", "totalMarginBalance", "totalWalletBalance"]) {
        const v = num(ctx, rec, key, at);
        if (v !== undefined) draft.figures.other[key] = v;
      }
      for (const c of records(ctx, arr(ctx, rec, "coin", at) ?? [], joinPath(at, "coin"))) {
        const code = currency(ctx, str(ctx, c.rec, "coin", c.at, true), joinPath(c.at, "coin"));
        const wallet = num(ctx, c.rec, "walletBalance", c.at, true);
        if (code === undefined || wallet === undefined) continue;
        const first = draft.balanceFiles.get(code);
        if (first !== undefined) {
          report(ctx, "duplicate", joinPath(c.at, "coin"), `the ${code} balance is also in ${first}`);
          continue;
        }
        draft.balanceFiles.set(code, ctx.file);
        addBalance(draft.collateral, code, wallet);
      }
    }
  },
};

/** Import saved Bybit unified-account responses. */
export function importBybit(files: readonly VenueFile[], options: ImportOptions = {}): Result<ImportedAccount> {
  return runImport("bybit", [positionKind, walletKind], files, options);
}

const MONTH_LETTERS = "FGHJKMNQUVXZ";

/** Bybit's symbol and category of a netrisk instrument (the inverse of symbols.ts `bybitSymbol`). */
function bybitSymbolOf(name: string): { symbol: string; category: string } {
  const inst = instrumentOf(name);
  const code = inst.kind === "perpetual" ? "" : formatExpiryCode(inst.expiryMs);
  if (inst.kind === "option") {
    const suffix = inst.settlementCurrency === "USDT" ? "-USDT" : "";
    return { symbol: `${inst.base}-${code}-${inst.strikeUsd}-${inst.optionKind === "call" ? "C" : "P"}${suffix}`, category: "option" };
  }
  if (inst.settlement === "inverse") {
    if (inst.kind === "perpetual") return { symbol: `${inst.base}USD`, category: "inverse" };
    const d = new Date(inst.expiryMs);
    return { symbol: `${inst.base}USD${MONTH_LETTERS[d.getUTCMonth()] ?? ""}${String(d.getUTCFullYear() % 100).padStart(2, "0")}`, category: "inverse" };
  }
  if (inst.kind === "perpetual") return { symbol: `${inst.base}${inst.settlementCurrency}`, category: "linear" };
  return { symbol: `${inst.base}${inst.settlementCurrency === "USDT" ? "USDT" : ""}-${code}`, category: "linear" };
}

/** The account as Bybit's position lists (one per category) and wallet balance, for round trips. */
export function exportBybit(a: CanonicalAccount): VenueFile[] {
  const byCategory = new Map<string, Obj[]>();
  a.positions.forEach((p, i) => {
    const { symbol, category } = bybitSymbolOf(p.instrument);
    const inverse = category === "inverse";
    const size = inverse ? (p.sizeUsd ?? p.size * p.markPrice) : p.size;
    const rec = {
      positionIdx: 0,
      symbol,
      side: size > 0 ? "Buy" : "Sell",
      size: String(Math.abs(size)),
      avgPrice: p.averagePrice === undefined ? "0" : String(p.averagePrice),
      positionValue: String(inverse ? Math.abs(size) / p.markPrice : Math.abs(size) * p.markPrice),
      markPrice: String(p.markPrice),
      seq: i,
    };
    byCategory.set(category, [...(byCategory.get(category) ?? []), rec]);
  });
  const files: VenueFile[] = [...byCategory].map(([category, list]) => ({
    name: `position-${category}.json`,
    json: { retCode: 0, retMsg: "OK", result: { list, nextPageCursor: "", category }, retExtInfo: {}, time: 0 },
  }));
  const coin = Object.entries(a.collateral).map(([c, w]) => ({ coin: c, walletBalance: String(w), equity: String(w) }));
  files.push({ name: "wallet-balance.json", json: { retCode: 0, retMsg: "OK", result: { list: [{ accountType: "UNIFIED", coin }] }, retExtInfo: {}, time: 0 } });
  return files;
}
