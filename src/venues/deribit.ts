/**
 * Deribit: `private/get_positions` and `private/get_account_summary` / `get_account_summaries` (JSON-RPC, numbers
 * as JSON numbers). Field units (Deribit OpenAPI 2.1.1, docs.deribit.com "private/get_positions"):
 * - futures and perpetuals: `size` in the quote currency (USD; USDC for the linear family), `size_currency` in base
 *   coin. Inverse → `sizeUsd = size`; linear → `size = size_currency`. A futures `size` that equals its
 *   `size_currency` while the mark is far from 1 is a size given in coin: `unit_mismatch`.
 * - options: `size` in base coin.
 * - `direction` buy / sell / zero gives the sign (a `size` whose sign disagrees is `invalid_value`).
 * - `average_price` is the entry; but Deribit settles futures P&L into the balance at each settlement, so the P&L
 *   not yet in `balance` runs from `settlement_price` when it is > 0 (its docs: "last settlement price, 0 if not
 *   settled yet"): netrisk takes that as the position's averagePrice and keeps the true average in the record.
 * - balances: `balance` per currency of each summary.
 * @module
 */
import { joinPath } from "../errors.js";
import { resolveInstrumentName } from "../market/venue-ids.js";
import { claim, resultOf, runImport } from "./importer.js";
import type { Draft, ResponseKind } from "./importer.js";
import { addPosition } from "./position.js";
import { addBalance, currency, isObj, num, records, relDiff, report, str } from "./read.js";
import type { Ctx, Obj } from "./read.js";
import type { ImportOptions, ImportedAccount, VenueFile } from "./types.js";
import type { Result } from "../errors.js";
import type { CanonicalAccount } from "./canonical.js";
import { instrumentOf } from "./canonical.js";

/** Relative tolerance between `size` and `size_currency × mark` of a futures record (Deribit rounds to 1e-9 coin). */
const SIZE_CHECK_RELATIVE = 0.02;

function readPosition(ctx: Ctx, draft: Draft, rec: Obj, at: string): void {
  const name = str(ctx, rec, "instrument_name", at, true);
  const kind = str(ctx, rec, "kind", at);
  const direction = str(ctx, rec, "direction", at);
  const size = num(ctx, rec, "size", at, true);
  const sizeCurrency = num(ctx, rec, "size_currency", at);
  const mark = num(ctx, rec, "mark_price", at);
  const avg = num(ctx, rec, "average_price", at);
  const settlement = num(ctx, rec, "settlement_price", at);
  if (name === undefined || size === undefined) return;
  if (kind === "future_combo" || kind === "option_combo" || kind === "spot") {
    report(ctx, "unsupported", joinPath(at, "kind"), `${name}: kind ${kind} positions are not imported (combos are held as their legs; spot is a balance)`);
    return;
  }
  if (direction === "zero" || size === 0) {
    draft.notes.push(`${ctx.file}:${at} ${name}: size 0, skipped`);
    return;
  }
  const sign = direction === "sell" ? -1 : direction === "buy" ? 1 : Math.sign(size);
  if (direction !== undefined && direction !== "buy" && direction !== "sell") {
    report(ctx, "invalid_value", joinPath(at, "direction"), `direction must be buy, sell or zero, got ${JSON.stringify(direction)}`);
    return;
  }
  if (Math.sign(size) !== 0 && Math.sign(size) !== sign) {
    report(ctx, "invalid_value", joinPath(at, "size"), `size ${size} disagrees with direction ${direction}`);
    return;
  }
  const mapped = resolveInstrumentName(name, joinPath(at, "instrument_name"));
  if (!mapped.ok || mapped.value.instrument.kind === "spot") {
    report(ctx, "unknown_instrument", joinPath(at, "instrument_name"), `${JSON.stringify(name)} is not an instrument netrisk names`);
    return;
  }
  const inst = mapped.value.instrument;
  if (!claim(draft, ctx, name, at)) return;
  const magnitude = Math.abs(size);
  let sizeCoin: number | undefined;
  let sizeUsd: number | undefined;
  if (inst.kind === "option") sizeCoin = sign * magnitude;
  else {
    // Futures: size is quote currency. A coin amount there (size ≈ size_currency with a mark ≫ 1) is the unit trap.
    if (sizeCurrency !== undefined && mark !== undefined && mark > 0) {
      const expectedQuote = Math.abs(sizeCurrency) * mark;
      if (relDiff(magnitude, expectedQuote) > SIZE_CHECK_RELATIVE) {
        const coinLike = relDiff(magnitude, Math.abs(sizeCurrency)) <= SIZE_CHECK_RELATIVE;
        report(
          ctx,
          "unit_mismatch",
          joinPath(at, "size"),
          `${name}: futures size is in ${inst.settlement === "inverse" ? "USD" : inst.settlementCurrency} (Deribit), but size ${size} ${coinLike ? "equals size_currency, a size in coin" : `is not size_currency × mark_price = ${expectedQuote}`}`,
        );
        return;
      }
    }
    if (inst.settlement === "inverse") sizeUsd = sign * magnitude;
    else if (sizeCurrency !== undefined) sizeCoin = sign * Math.abs(sizeCurrency);
    else if (mark !== undefined && mark > 0) {
      sizeCoin = (sign * magnitude) / mark;
      draft.notes.push(`${ctx.file}:${at} ${name}: no size_currency, size converted to coin at mark_price ${mark}`);
    } else {
      report(ctx, "required", joinPath(at, "size_currency"), `${name}: a linear futures size needs size_currency (or mark_price) to be read in coin`);
      return;
    }
  }
  const entry = inst.kind !== "option" && settlement !== undefined && settlement > 0 ? settlement : avg;
  addPosition(ctx, draft, { ok: true, value: { instrument: inst, unitsPerVenueUnit: 1 } }, {
    at,
    venueId: name,
    ...(sizeCoin !== undefined ? { sizeCoin } : { sizeUsd: sizeUsd as number }),
    ...(entry !== undefined ? { averagePrice: entry } : {}),
    record: rec,
  });
}

function readSummary(ctx: Ctx, draft: Draft, rec: Obj, at: string): void {
  const code = currency(ctx, str(ctx, rec, "currency", at, true), joinPath(at, "currency"));
  const balance = num(ctx, rec, "balance", at, true);
  if (code === undefined || balance === undefined) return;
  const first = draft.balanceFiles.get(code);
  if (first !== undefined) {
    report(ctx, "duplicate", joinPath(at, "currency"), `the ${code} summary is also in ${first}`);
    return;
  }
  draft.balanceFiles.set(code, ctx.file);
  addBalance(draft.collateral, code, balance);
  for (const key of ["equity", "initial_margin", "maintenance_margin", "margin_balance"]) {
    const v = num(ctx, rec, key, at);
    if (v !== undefined) draft.figures.other[`${code}.${key}`] = v;
  }
  // Cross-collateral accounts value the whole account in USD (wave2.md §1.1).
  const totals: [string, "equityUsd" | "initialMarginUsd" | "maintenanceMarginUsd"][] = [
    ["total_equity_usd", "equityUsd"],
    ["total_initial_margin_usd", "initialMarginUsd"],
    ["total_maintenance_margin_usd", "maintenanceMarginUsd"],
  ];
  for (const [key, field] of totals) {
    const v = num(ctx, rec, key, at);
    if (v !== undefined) draft.figures[field] = v;
  }
}

const positionsKind: ResponseKind = {
  name: "private/get_positions",
  detect: (j) => Array.isArray(resultOf(j)) && (resultOf(j) as unknown[]).every((r) => isObj(r) && "instrument_name" in r),
  read(j, ctx, draft) {
    for (const { rec, at } of records(ctx, resultOf(j) as unknown[], isObj(j) && "result" in j ? "result" : "")) readPosition(ctx, draft, rec, at);
  },
};

const summaryKind: ResponseKind = {
  name: "private/get_account_summary or get_account_summaries",
  detect: (j) => {
    const r = resultOf(j);
    return isObj(r) && (("currency" in r && "balance" in r) || Array.isArray(r.summaries));
  },
  read(j, ctx, draft) {
    const r = resultOf(j) as Obj;
    const base = isObj(j) && "result" in j ? "result" : "";
    if (Array.isArray(r.summaries)) for (const { rec, at } of records(ctx, r.summaries, joinPath(base, "summaries"))) readSummary(ctx, draft, rec, at);
    else readSummary(ctx, draft, r, base);
  },
};

/** Deribit's response kinds (also used by the ccxt importer on raw `info` records). */
export const DERIBIT_KINDS: readonly ResponseKind[] = [positionsKind, summaryKind];

/** Read one Deribit position record (a `private/get_positions` element) into a draft. */
export const readDeribitPosition = readPosition;

/** Import saved Deribit responses. */
export function importDeribit(files: readonly VenueFile[], options: ImportOptions = {}): Result<ImportedAccount> {
  return runImport("deribit", DERIBIT_KINDS, files, options);
}

/** The account as Deribit would return it (positions and account summaries), for round trips. */
export function exportDeribit(a: CanonicalAccount): VenueFile[] {
  const result = a.positions.map((p) => {
    const inst = instrumentOf(p.instrument);
    const mark = p.markPrice;
    if (inst.kind === "option") return { instrument_name: p.instrument, kind: "option", direction: p.size > 0 ? "buy" : "sell", size: p.size, average_price: p.averagePrice, mark_price: mark, settlement_price: 0 };
    const quote = inst.settlement === "inverse" ? (p.sizeUsd ?? p.size * mark) : p.size * mark;
    const coin = inst.settlement === "inverse" ? quote / mark : p.size;
    return { instrument_name: p.instrument, kind: "future", direction: quote > 0 ? "buy" : "sell", size: quote, size_currency: coin, average_price: p.averagePrice, mark_price: mark, settlement_price: 0 };
  });
  const summaries = Object.entries(a.collateral).map(([c, amount]) => ({ currency: c, balance: amount }));
  return [
    { name: "positions.json", json: { jsonrpc: "2.0", id: 1, result } },
    { name: "summaries.json", json: { jsonrpc: "2.0", id: 2, result: { summaries } } },
  ];
}
