/**
 * Binance portfolio margin (`/papi`): `GET /papi/v1/account` (uniMMR, account equity and margins),
 * `GET /papi/v1/balance`, and the UM and CM `positionRisk` (`/papi/v1/um/positionRisk`, `/papi/v1/cm/positionRisk`).
 * Decimal strings (Binance docs, stored copies github.com/openxapi/openxapi samples/binance/rest/pmargin and
 * specs/binance/openapi/pmargin @e2791e4).
 *
 * UM (USDⓈ-margined, linear): `positionAmt` in base coin, signed. CM (coin-margined, inverse): `positionAmt` in
 * contracts; the record's `notionalValue` is the position in coin at the mark, so `sizeUsd = ±notionalValue ×
 * markPrice`; without it the contract size is needed (not shipped: `unsupported`). UM and CM records are told apart
 * by their fields (`notional`/`maxNotionalValue` vs `notionalValue`/`maxQty`) and symbols (`…USD_PERP`).
 * Balances: `/papi/v1/balance` gives per asset `totalWalletBalance = crossMarginFree + crossMarginLocked +
 * umWalletBalance + cmWalletBalance` (its own comment); netrisk's cash is that minus `crossMarginBorrowed`,
 * `crossMarginInterest` and `negativeBalance` (unrealised P&L is computed from `entryPrice`).
 * @module
 */
import { joinPath } from "../errors.js";
import type { Result } from "../errors.js";
import type { CanonicalAccount } from "./canonical.js";
import { instrumentOf, yymmdd } from "./canonical.js";
import { claim, runImport } from "./importer.js";
import type { ResponseKind } from "./importer.js";
import { addPosition } from "./position.js";
import { addBalance, currency, isObj, num, records, report, str } from "./read.js";
import type { Obj } from "./read.js";
import { binanceSymbol } from "./symbols.js";
import type { ImportedAccount, ImportOptions, VenueFile } from "./types.js";

const list = (j: unknown): unknown[] => (Array.isArray(j) ? j : isObj(j) ? [j] : []);
const isCm = (r: Obj): boolean => "notionalValue" in r || "maxQty" in r || (typeof r.symbol === "string" && /USD_(PERP|\d{6})$/.test(r.symbol));

const accountKind: ResponseKind = {
  name: "GET /papi/v1/account",
  detect: (j) => isObj(j) && "uniMMR" in j && "accountEquity" in j,
  read(j, ctx, draft) {
    const r = j as Obj;
    const eq = num(ctx, r, "accountEquity", "");
    const im = num(ctx, r, "accountInitialMargin", "");
    const mm = num(ctx, r, "accountMaintMargin", "");
    if (eq !== undefined) draft.figures.equityUsd = eq;
    if (im !== undefined) draft.figures.initialMarginUsd = im;
    if (mm !== undefined) draft.figures.maintenanceMarginUsd = mm;
    for (const key of ["uniMMR", "actualEquity", "virtualMaxWithdrawAmount"]) {
      const v = num(ctx, r, key, "");
      if (v !== undefined) draft.figures.other[key] = v;
    }
    const status = str(ctx, r, "accountStatus", "");
    if (status !== undefined) draft.figures.other.accountStatus = status;
  },
};

const balanceKind: ResponseKind = {
  name: "GET /papi/v1/balance",
  detect: (j) => list(j).length > 0 && list(j).every((r) => isObj(r) && "asset" in r && "totalWalletBalance" in r),
  read(j, ctx, draft) {
    for (const { rec, at } of records(ctx, list(j), "")) {
      const code = currency(ctx, str(ctx, rec, "asset", at, true), joinPath(at, "asset"));
      const parts = ["crossMarginFree", "crossMarginLocked", "umWalletBalance", "cmWalletBalance"].map((k) => num(ctx, rec, k, at) ?? 0);
      const debts = ["crossMarginBorrowed", "crossMarginInterest", "negativeBalance"].map((k) => num(ctx, rec, k, at) ?? 0);
      if (code === undefined) continue;
      const first = draft.balanceFiles.get(code);
      if (first !== undefined) {
        report(ctx, "duplicate", joinPath(at, "asset"), `the ${code} balance is also in ${first}`);
        continue;
      }
      draft.balanceFiles.set(code, ctx.file);
      const cash = parts.reduce((s, x) => s + x, 0) - debts.reduce((s, x) => s + Math.abs(x), 0);
      const total = num(ctx, rec, "totalWalletBalance", at);
      if (total !== undefined && Math.abs(total - parts.reduce((s, x) => s + x, 0)) > 1e-6 * Math.max(1, Math.abs(total)))
        draft.notes.push(`${ctx.file}:${at} ${code}: totalWalletBalance ${total} is not crossMarginFree + crossMarginLocked + umWalletBalance + cmWalletBalance (${parts.reduce((s, x) => s + x, 0)}); netrisk uses the parts`);
      addBalance(draft.collateral, code, cash);
    }
  },
};

const positionRiskKind: ResponseKind = {
  name: "GET /papi/v1/um/positionRisk or /papi/v1/cm/positionRisk",
  detect: (j) => Array.isArray(j) && j.every((r) => isObj(r) && "symbol" in r && "positionAmt" in r),
  read(j, ctx, draft) {
    for (const { rec, at } of records(ctx, j as unknown[], "")) {
      const symbol = str(ctx, rec, "symbol", at, true);
      const amt = num(ctx, rec, "positionAmt", at, true);
      const entry = num(ctx, rec, "entryPrice", at);
      const mark = num(ctx, rec, "markPrice", at);
      const side = str(ctx, rec, "positionSide", at) ?? "BOTH";
      if (symbol === undefined || amt === undefined) continue;
      if (amt === 0) {
        draft.notes.push(`${ctx.file}:${at} ${symbol} ${side}: positionAmt 0, skipped`);
        continue;
      }
      if ((side === "LONG" && amt < 0) || (side === "SHORT" && amt > 0)) {
        report(ctx, "invalid_value", joinPath(at, "positionAmt"), `positionAmt ${amt} disagrees with positionSide ${side}`);
        continue;
      }
      const cm = isCm(rec);
      const mapped = binanceSymbol(symbol, cm ? "cm" : "um", joinPath(at, "symbol"));
      if (!claim(draft, ctx, `${cm ? "cm" : "um"}:${symbol}:${side}`, at)) continue;
      if (!cm) {
        addPosition(ctx, draft, mapped, { at, venueId: symbol, sizeCoin: amt, ...(entry !== undefined ? { averagePrice: entry } : {}), record: rec });
        continue;
      }
      const notionalCoin = num(ctx, rec, "notionalValue", at);
      if (notionalCoin === undefined || mark === undefined || !(mark > 0)) {
        report(ctx, "required", joinPath(at, "notionalValue"), `${symbol}: a CM position is in contracts; netrisk reads its USD size as notionalValue (coin) × markPrice, and both are needed`);
        continue;
      }
      addPosition(ctx, draft, mapped, { at, venueId: symbol, sizeUsd: Math.sign(amt) * Math.abs(notionalCoin) * mark, ...(entry !== undefined ? { averagePrice: entry } : {}), record: rec });
    }
  },
};

/** Import saved Binance portfolio-margin responses. */
export function importBinance(files: readonly VenueFile[], options: ImportOptions = {}): Result<ImportedAccount> {
  return runImport("binance", [accountKind, balanceKind, positionRiskKind], files, options);
}

/** The account as Binance PM's UM and CM positionRisk and balance responses, for round trips. */
export function exportBinance(a: CanonicalAccount): VenueFile[] {
  const um: Obj[] = [];
  const cm: Obj[] = [];
  for (const p of a.positions) {
    const inst = instrumentOf(p.instrument);
    const tail = inst.kind === "perpetual" ? "" : `_${yymmdd(inst.expiryMs)}`;
    if (inst.settlement === "inverse") {
      const usd = p.sizeUsd ?? p.size * p.markPrice;
      // 100-USD contracts for the record's positionAmt (its notionalValue carries the size exactly).
      cm.push({ symbol: `${inst.base}USD${tail === "" ? "_PERP" : tail}`, positionAmt: String(usd / 100), entryPrice: String(p.averagePrice ?? 0), markPrice: String(p.markPrice), notionalValue: String(Math.abs(usd) / p.markPrice), positionSide: "BOTH" });
    } else {
      um.push({ symbol: `${inst.base}${inst.settlementCurrency}${tail}`, positionAmt: String(p.size), entryPrice: String(p.averagePrice ?? 0), markPrice: String(p.markPrice), notional: String(p.size * p.markPrice), positionSide: "BOTH" });
    }
  }
  const balance = Object.entries(a.collateral).map(([asset, cash]) => ({
    asset,
    totalWalletBalance: String(cash),
    crossMarginAsset: String(cash),
    crossMarginBorrowed: "0",
    crossMarginFree: String(cash),
    crossMarginInterest: "0",
    crossMarginLocked: "0",
    umWalletBalance: "0",
    umUnrealizedPNL: "0",
    cmWalletBalance: "0",
    cmUnrealizedPNL: "0",
    negativeBalance: "0",
  }));
  return [
    { name: "um-positionRisk.json", json: um },
    { name: "cm-positionRisk.json", json: cm },
    { name: "balance.json", json: balance },
  ];
}
