/**
 * Derive (formerly Lyra v2): `public/margin_watch` (positions, collaterals, margins of one subaccount),
 * `private/get_subaccount` and `private/get_all_portfolios` (the same position and collateral records), and the
 * `public/get_margin` request shape (`simulated_positions`, `simulated_collaterals`). Decimal strings
 * (docs.derive.xyz "public/margin_watch", "public/get_margin"; the get_all_portfolios example as quoted in ccxt's
 * derive.ts fetchBalance).
 *
 * Every Derive instrument is USDC-settled (`ETH-PERP`, `ETH-20250328-3500-C`); `amount` is the signed size in coin;
 * `average_price` (or the request's `entry_price`) the entry. Collaterals: `asset_name` and `amount`.
 * Derive's `initial_margin` / `maintenance_margin` are margin *buffers* (value minus requirement; below zero the
 * subaccount is liquidatable), reported as the venue gives them.
 * @module
 */
import { joinPath } from "../errors.js";
import type { Result } from "../errors.js";
import type { CanonicalAccount } from "./canonical.js";
import { instrumentOf } from "./canonical.js";
import { claim, runImport } from "./importer.js";
import type { Draft, ResponseKind } from "./importer.js";
import { addPosition } from "./position.js";
import { addBalance, currency, isObj, num, records, report, str } from "./read.js";
import type { Ctx, Obj } from "./read.js";
import { deriveName } from "./symbols.js";
import type { ImportedAccount, ImportOptions, VenueFile } from "./types.js";

const unwrap = (j: unknown): unknown => (isObj(j) && "result" in j ? j.result : j);

function readSubaccount(ctx: Ctx, draft: Draft, r: Obj, at: string): void {
  const id = r.subaccount_id;
  const prefix = id === undefined ? "" : `${String(id)}:`;
  for (const key of ["subaccount_value", "initial_margin", "maintenance_margin"]) {
    const v = num(ctx, r, key, at);
    if (v !== undefined) draft.figures.other[`${prefix}${key}`] = v;
  }
  const mt = str(ctx, r, "margin_type", at);
  if (mt !== undefined) draft.figures.other[`${prefix}margin_type`] = mt;
  if (r.is_delayed_liquidation === true) draft.notes.push(`${ctx.file}:${at}: is_delayed_liquidation true: Derive's margins are on a temporarily lowered basis`);
  for (const { rec, at: pAt } of records(ctx, Array.isArray(r.positions) ? r.positions : [], joinPath(at, "positions"))) readPosition(ctx, draft, rec, pAt, "amount", "average_price", `${prefix}`);
  for (const { rec, at: cAt } of records(ctx, Array.isArray(r.collaterals) ? r.collaterals : [], joinPath(at, "collaterals"))) readCollateral(ctx, draft, rec, cAt, `${prefix}`);
}

function readPosition(ctx: Ctx, draft: Draft, rec: Obj, at: string, amountKey: string, entryKey: string, account: string): void {
  const name = str(ctx, rec, "instrument_name", at, true);
  const amount = num(ctx, rec, amountKey, at, true);
  const entry = num(ctx, rec, entryKey, at);
  if (name === undefined || amount === undefined) return;
  if (!claim(draft, ctx, `${account}${name}`, at)) return;
  addPosition(ctx, draft, deriveName(name, joinPath(at, "instrument_name")), { at, venueId: name, sizeCoin: amount, ...(entry !== undefined ? { averagePrice: entry } : {}), record: rec });
}

function readCollateral(ctx: Ctx, draft: Draft, rec: Obj, at: string, account: string): void {
  const name = str(ctx, rec, "asset_name", at, true) ?? str(ctx, rec, "currency", at);
  const code = currency(ctx, name, joinPath(at, "asset_name"));
  const amount = num(ctx, rec, "amount", at, true);
  if (code === undefined || amount === undefined) return;
  if (!claim(draft, ctx, `${account}collateral:${code}`, at)) return;
  addBalance(draft.collateral, code, amount);
}

const subaccountKind: ResponseKind = {
  name: "public/margin_watch, private/get_subaccount or private/get_all_portfolios",
  detect: (j) => {
    const r = unwrap(j);
    const one = (x: unknown): boolean => isObj(x) && Array.isArray(x.collaterals) && Array.isArray(x.positions);
    return one(r) || (Array.isArray(r) && r.length > 0 && r.every(one));
  },
  read(j, ctx, draft) {
    const r = unwrap(j);
    const base = isObj(j) && "result" in j ? "result" : "";
    if (Array.isArray(r)) {
      if (r.length > 1) draft.notes.push(`${ctx.file}: ${r.length} subaccounts read as one account (Derive margins each subaccount on its own)`);
      for (const { rec, at } of records(ctx, r, base)) readSubaccount(ctx, draft, rec, at);
    } else readSubaccount(ctx, draft, r as Obj, base);
  },
};

const marginRequestKind: ResponseKind = {
  name: "public/get_margin request ({simulated_positions, simulated_collaterals})",
  detect: (j) => {
    const p = isObj(j) && isObj(j.params) ? j.params : j;
    return isObj(p) && (Array.isArray(p.simulated_positions) || Array.isArray(p.simulated_collaterals));
  },
  read(j, ctx, draft) {
    const params = isObj(j) && isObj(j.params) ? j.params : (j as Obj);
    const base = isObj(j) && isObj(j.params) ? "params" : "";
    for (const { rec, at } of records(ctx, Array.isArray(params.simulated_positions) ? params.simulated_positions : [], joinPath(base, "simulated_positions")))
      readPosition(ctx, draft, rec, at, "amount", "entry_price", "");
    for (const { rec, at } of records(ctx, Array.isArray(params.simulated_collaterals) ? params.simulated_collaterals : [], joinPath(base, "simulated_collaterals")))
      readCollateral(ctx, draft, rec, at, "");
    const changes = [params.simulated_position_changes, params.simulated_collateral_changes].some((x) => Array.isArray(x) && x.length > 0);
    if (changes) report(ctx, "unsupported", joinPath(base, "simulated_position_changes"), "simulated *_changes apply to a live subaccount; give the whole simulated portfolio instead");
  },
};

/** Import saved Derive responses or a get_margin request. */
export function importDerive(files: readonly VenueFile[], options: ImportOptions = {}): Result<ImportedAccount> {
  return runImport("derive", [subaccountKind, marginRequestKind], files, options);
}

/** `ETH-20250328-3500-C` / `ETH-PERP` of a netrisk USDC instrument. */
function deriveNameOf(name: string): string {
  const inst = instrumentOf(name);
  if (inst.kind === "perpetual") return `${inst.base}-PERP`;
  const d = new Date(inst.expiryMs);
  const date = `${d.getUTCFullYear()}${String(d.getUTCMonth() + 1).padStart(2, "0")}${String(d.getUTCDate()).padStart(2, "0")}`;
  if (inst.kind === "future") throw new Error(`Derive lists no dated futures (${name})`);
  return `${inst.base}-${date}-${inst.strikeUsd}-${inst.optionKind === "call" ? "C" : "P"}`;
}

/** The account as Derive's margin_watch result, for round trips. */
export function exportDerive(a: CanonicalAccount): VenueFile[] {
  return [
    {
      name: "margin_watch.json",
      json: {
        id: 1,
        result: {
          subaccount_id: 1,
          margin_type: "PM2",
          currency: ["USDC"],
          initial_margin: "0",
          maintenance_margin: "0",
          subaccount_value: "0",
          is_delayed_liquidation: false,
          valuation_timestamp: 0,
          positions: a.positions.map((p) => ({ instrument_name: deriveNameOf(p.instrument), amount: String(p.size), average_price: String(p.averagePrice ?? 0), mark_price: String(p.markPrice) })),
          collaterals: Object.entries(a.collateral).map(([asset_name, amount]) => ({ asset_name, amount: String(amount) })),
        },
      },
    },
  ];
}
