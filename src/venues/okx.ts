/**
 * OKX v5: `GET /api/v5/account/positions` (also the `positions` WebSocket push, same records), `GET
 * /api/v5/account/balance`, the `POST /api/v5/account/position-builder` request (`simPos`, `simAsset`), and
 * `GET /api/v5/public/instruments` for contract values. Decimal strings throughout (OKX API v5 docs, stored copy
 * github.com/openxapi/openxapi samples/okx/rest @1cb024e).
 *
 * Sizes (issue #13's contract): `pos` is in contracts, signed in net mode (`posSide: net`), ≥ 0 with `posSide`
 * long/short in hedge mode. One contract is `ctVal × ctMult` of `ctValCcy`: a linear or option position is
 * `pos × ctVal × ctMult` coins (BTC-USDT-SWAP 0.01 BTC); an inverse one (`ctValCcy` USD, BTC-USD-SWAP 100 USD) is
 * `sizeUsd = pos × ctVal × ctMult`. The positions response carries no ctVal: `--instruments` (a saved
 * public/instruments response) supplies it, else the shipped table (okx-contracts.ts, with its sources).
 * MARGIN positions (spot margin) are balances: `pos` of `posCcy` and the (negative) `liab` of `liabCcy`.
 * Balances: `cashBal` per currency (`eq` adds unrealised P&L, which netrisk computes from `avgPx`).
 * @module
 */
import { fail, joinPath } from "../errors.js";
import type { Result } from "../errors.js";
import { formatOkxInstrumentId, parseOkxInstrumentId } from "../market/venue-ids.js";
import type { CanonicalAccount } from "./canonical.js";
import { instrumentOf } from "./canonical.js";
import { claim, runImport } from "./importer.js";
import type { Draft, ResponseKind } from "./importer.js";
import { shippedContractValue } from "./okx-contracts.js";
import type { OkxContractValue } from "./okx-contracts.js";
import { addPosition } from "./position.js";
import { addBalance, arr, currency, isObj, messageText, num, records, relDiff, report, str } from "./read.js";
import type { Ctx, Obj } from "./read.js";
import type { ImportedAccount, ImportOptions, VenueFile } from "./types.js";

type Values = Map<string, OkxContractValue & { from: string }>;

const isOkxEnvelope = (j: unknown): j is Obj => isObj(j) && Array.isArray(j.data) && ("code" in j || "arg" in j);
const isInstruments = (j: unknown): boolean => isOkxEnvelope(j) && (j.data as unknown[]).some((r) => isObj(r) && "ctVal" in r && "instType" in r && !("pos" in r));

/** Contract values from public/instruments responses (`--instruments` and any such file among the inputs). */
function contractValues(files: readonly VenueFile[], issues: Ctx["issues"]): Values {
  const out: Values = new Map();
  for (const f of files) {
    const ctx: Ctx = { venue: "okx", file: f.name, issues };
    if (!isInstruments(f.json)) {
      report(ctx, "wrong_venue", "", "--instruments expects OKX's GET /api/v5/public/instruments response ({code, data: [{instId, ctVal, ctMult, ctValCcy}]})");
      continue;
    }
    for (const { rec, at } of records(ctx, (f.json as Obj).data as unknown[], "data")) {
      const id = str(ctx, rec, "instId", at, true);
      const type = str(ctx, rec, "instType", at);
      if (type === "SPOT" || type === "MARGIN") continue;
      const ctVal = num(ctx, rec, "ctVal", at, true);
      const ctMult = num(ctx, rec, "ctMult", at) ?? 1;
      const ccy = str(ctx, rec, "ctValCcy", at, true);
      if (id === undefined || ctVal === undefined || ccy === undefined) continue;
      if (!(ctVal > 0 && ctMult > 0)) {
        report(ctx, "not_positive", joinPath(at, "ctVal"), `${id}: ctVal × ctMult must be > 0`);
        continue;
      }
      out.set(id, { ctVal, ctMult, ccy, source: `${f.name}:${at}`, from: f.name });
    }
  }
  return out;
}

function contractOf(id: string, type: string, values: Values): (OkxContractValue & { from?: string }) | undefined {
  return values.get(id) ?? shippedContractValue(id, type);
}

function readDerivative(ctx: Ctx, draft: Draft, rec: Obj, at: string, values: Values, identityFields: { posId?: string; posSide: string }): void {
  const id = str(ctx, rec, "instId", at, true);
  const type = str(ctx, rec, "instType", at) ?? (id?.endsWith("-SWAP") ? "SWAP" : id?.split("-").length === 5 ? "OPTION" : "FUTURES");
  const pos = num(ctx, rec, "pos", at, true);
  const avgPx = num(ctx, rec, "avgPx", at);
  if (id === undefined || pos === undefined) return;
  const mapped = parseOkxInstrumentId(id, joinPath(at, "instId"));
  if (!mapped.ok) {
    for (const i of mapped.issues) ctx.issues.push({ ...i, path: `${ctx.file}:${i.path}`, message: `okx: ${i.message}` });
    return;
  }
  const inst = mapped.value;
  const side = identityFields.posSide;
  if (!["net", "long", "short"].includes(side)) {
    report(ctx, "invalid_value", joinPath(at, "posSide"), `posSide must be net, long or short, got ${JSON.stringify(side)}`);
    return;
  }
  if (side !== "net" && pos < 0) {
    report(ctx, "invalid_value", joinPath(at, "pos"), `pos ${pos} is negative with posSide ${side} (hedge mode reports sizes ≥ 0)`);
    return;
  }
  const contracts = side === "short" ? -pos : pos;
  const cv = contractOf(id, type, values);
  if (cv === undefined) {
    report(ctx, "unsupported", joinPath(at, "instId"), `${id}: no contract value (ctVal) known; pass OKX's public/instruments response with --instruments`);
    return;
  }
  if (!claim(draft, ctx, `${id}:${side}${identityFields.posId !== undefined ? `:${identityFields.posId}` : ""}`, at)) return;
  const units = contracts * cv.ctVal * cv.ctMult;
  const usd = cv.ccy === "USD";
  if (usd !== (inst.settlement === "inverse" && inst.kind !== "option")) {
    report(ctx, "unit_mismatch", joinPath(at, "instId"), `${id}: contract value in ${cv.ccy} (${cv.source}) does not fit a ${inst.settlement} ${inst.kind}`);
    return;
  }
  if (!usd && cv.ccy !== inst.base) {
    report(ctx, "unit_mismatch", joinPath(at, "instId"), `${id}: contract value in ${cv.ccy}, expected the base coin ${inst.base}`);
    return;
  }
  // A record's own USD notional that disagrees with pos × ctVal flags a wrong contract value (or an illustrative record).
  const notional = num(ctx, rec, "notionalUsd", at);
  const mark = num(ctx, rec, "markPx", at);
  if (notional !== undefined && mark !== undefined && mark > 0 && inst.kind !== "option") {
    const ours = usd ? Math.abs(units) : Math.abs(units) * mark;
    if (relDiff(ours, notional) > 0.05)
      draft.notes.push(`${ctx.file}:${at} ${id}: the record's notionalUsd ${notional} differs from pos × ctVal${usd ? "" : " × markPx"} = ${ours} (contract value from ${cv.source}); check the contract value`);
  }
  const venueId = id;
  addPosition(ctx, draft, { ok: true, value: { instrument: inst, unitsPerVenueUnit: 1 } }, {
    at,
    venueId,
    ...(usd ? { sizeUsd: units } : { sizeCoin: units }),
    ...(avgPx !== undefined ? { averagePrice: avgPx } : {}),
    record: rec,
  });
}

function readMargin(ctx: Ctx, draft: Draft, rec: Obj, at: string): void {
  // Spot margin: the coin held and the liability are balances of the (cross) account.
  const id = str(ctx, rec, "instId", at) ?? "";
  const pos = num(ctx, rec, "pos", at, true);
  const posCcy = currency(ctx, str(ctx, rec, "posCcy", at), joinPath(at, "posCcy"));
  const liab = num(ctx, rec, "liab", at);
  const liabCcy = currency(ctx, str(ctx, rec, "liabCcy", at), joinPath(at, "liabCcy"));
  if (pos !== undefined && pos !== 0) {
    if (posCcy === undefined) report(ctx, "required", joinPath(at, "posCcy"), `${id}: a MARGIN position needs posCcy`);
    else addBalance(draft.collateral, posCcy, pos);
  }
  if (liab !== undefined && liab !== 0) {
    if (liabCcy === undefined) report(ctx, "required", joinPath(at, "liabCcy"), `${id}: a liability needs liabCcy`);
    else addBalance(draft.collateral, liabCcy, liab > 0 ? -liab : liab);
  }
  draft.notes.push(`${ctx.file}:${at} ${id} (MARGIN, ${str(ctx, rec, "mgnMode", at) ?? "?"}): spot margin read as balances ${posCcy ?? "?"} ${pos ?? 0}, ${liabCcy ?? "?"} ${liab ?? 0}`);
}

function positionsKind(values: Values): ResponseKind {
  return {
    name: "GET /api/v5/account/positions (or the positions push)",
    detect: (j) => isOkxEnvelope(j) && (j.data as unknown[]).every((r) => isObj(r) && "instId" in r && "pos" in r),
    read(j, ctx, draft) {
      const env = j as Obj;
      if (isObj(env.arg) && env.lastPage === false)
        report(ctx, "incomplete_response", "lastPage", "this positions push is one page of several (lastPage false): save every page");
      reportOkxError(ctx, env);
      for (const { rec, at } of records(ctx, env.data as unknown[], "data")) {
        const type = str(ctx, rec, "instType", at);
        if (type === "MARGIN") readMargin(ctx, draft, rec, at);
        else readDerivative(ctx, draft, rec, at, values, { ...(typeof rec.posId === "string" ? { posId: rec.posId } : {}), posSide: str(ctx, rec, "posSide", at) ?? "net" });
      }
    },
  };
}

const balanceKind: ResponseKind = {
  name: "GET /api/v5/account/balance",
  detect: (j) => isOkxEnvelope(j) && (j.data as unknown[]).some((r) => isObj(r) && Array.isArray(r.details)),
  read(j, ctx, draft) {
    const env = j as Obj;
    reportOkxError(ctx, env);
    for (const { rec, at } of records(ctx, env.data as unknown[], "data")) {
      const totalEq = num(ctx, rec, "totalEq", at);
      const imr = num(ctx, rec, "imr", at);
      const mmr = num(ctx, rec, "mmr", at);
      if (totalEq !== undefined) draft.figures.equityUsd = totalEq;
      if (imr !== undefined) draft.figures.initialMarginUsd = imr;
      if (mmr !== undefined) draft.figures.maintenanceMarginUsd = mmr;
      for (const key of ["adjEq", "mgnRatio", "notionalUsd"]) {
        const v = num(ctx, rec, key, at);
        if (v !== undefined) draft.figures.other[key] = v;
      }
      const details = arr(ctx, rec, "details", at) ?? [];
      for (const d of records(ctx, details, joinPath(at, "details"))) {
        const code = currency(ctx, str(ctx, d.rec, "ccy", d.at, true), joinPath(d.at, "ccy"));
        const cash = num(ctx, d.rec, "cashBal", d.at, true);
        if (code === undefined || cash === undefined) continue;
        const first = draft.balanceFiles.get(code);
        if (first !== undefined) {
          report(ctx, "duplicate", joinPath(d.at, "ccy"), `the ${code} balance is also in ${first}`);
          continue;
        }
        draft.balanceFiles.set(code, ctx.file);
        addBalance(draft.collateral, code, cash);
      }
    }
  },
};

function builderKind(values: Values): ResponseKind {
  return {
    name: "POST /api/v5/account/position-builder request ({simPos, simAsset})",
    detect: (j) => isObj(j) && (Array.isArray(j.simPos) || Array.isArray(j.simAsset)),
    read(j, ctx, draft) {
      const req = j as Obj;
      if (req.inclRealPosAndEq === true || req.inclRealPosAndEq === undefined)
        draft.notes.push(`${ctx.file}: inclRealPosAndEq is ${req.inclRealPosAndEq === undefined ? "absent (OKX default true)" : "true"}: OKX would add the account's real positions and ignore simAsset; netrisk reads the simulated ones only`);
      for (const { rec, at } of records(ctx, Array.isArray(req.simPos) ? req.simPos : [], "simPos")) readDerivative(ctx, draft, rec, at, values, { posSide: "net" });
      for (const { rec, at } of records(ctx, Array.isArray(req.simAsset) ? req.simAsset : [], "simAsset")) {
        const code = currency(ctx, str(ctx, rec, "ccy", at, true), joinPath(at, "ccy"));
        const amt = num(ctx, rec, "amt", at, true);
        if (code !== undefined && amt !== undefined) addBalance(draft.collateral, code, amt);
      }
    },
  };
}

const instrumentsKind: ResponseKind = {
  name: "GET /api/v5/public/instruments (contract values; also accepted with --instruments)",
  detect: isInstruments,
  read(_j, ctx, draft) {
    draft.notes.push(`${ctx.file}: read as contract values (public/instruments)`);
  },
};

/**
 * Read one OKX positions record (a `data[]` element) into a draft (the ccxt importer reads OKX's raw `info` with it).
 * Contract values from `options.instruments`, else the shipped table.
 */
export function readOkxPosition(ctx: Ctx, draft: Draft, rec: Obj, at: string, options: ImportOptions = {}): void {
  const values = contractValues(options.instruments ?? [], ctx.issues);
  if (str(ctx, rec, "instType", at) === "MARGIN") readMargin(ctx, draft, rec, at);
  else readDerivative(ctx, draft, rec, at, values, { ...(typeof rec.posId === "string" ? { posId: rec.posId } : {}), posSide: str(ctx, rec, "posSide", at) ?? "net" });
}

/** Read one OKX balance response (`{code, data: [{details}]}`) into a draft. */
export function readOkxBalance(json: unknown, ctx: Ctx, draft: Draft): void {
  balanceKind.read(json, ctx, draft, {});
}

/** OKX's response kinds, with the contract values to read positions with. */
export function okxKinds(values: Values): ResponseKind[] {
  return [positionsKind(values), balanceKind, builderKind(values), instrumentsKind];
}

/** Import saved OKX responses; contract values from `options.instruments` and any instruments file given. */
export function importOkx(files: readonly VenueFile[], options: ImportOptions = {}): Result<ImportedAccount> {
  const issues: Ctx["issues"] = [];
  const values = contractValues([...(options.instruments ?? []), ...files.filter((f) => isInstruments(f.json))], issues);
  if (issues.length > 0) return fail(...issues);
  return runImport("okx", okxKinds(values), files, options);
}

/** Contract value used when exporting (the shipped table, else 1 coin / 1 USD per contract). */
function exportValue(id: string, type: string): OkxContractValue {
  return shippedContractValue(id, type) ?? { ctVal: 1, ctMult: 1, ccy: "?", source: "export default" };
}

/** The account as OKX's positions and balance responses (and the instruments it needs), for round trips. */
export function exportOkx(a: CanonicalAccount): VenueFile[] {
  const instruments: Obj[] = [];
  const data = a.positions.map((p, i) => {
    const inst = instrumentOf(p.instrument);
    const id = formatOkxInstrumentId(inst);
    const type = inst.kind === "perpetual" ? "SWAP" : inst.kind === "future" ? "FUTURES" : "OPTION";
    const usd = inst.settlement === "inverse" && inst.kind !== "option";
    const shipped = shippedContractValue(id, type);
    const cv = shipped ?? { ...exportValue(id, type), ccy: usd ? "USD" : inst.base };
    if (shipped === undefined) instruments.push({ instId: id, instType: type, ctVal: String(cv.ctVal), ctMult: String(cv.ctMult), ctValCcy: cv.ccy });
    const units = usd ? (p.sizeUsd ?? p.size * p.markPrice) : p.size;
    return {
      instId: id,
      instType: type,
      posId: String(i + 1),
      posSide: "net",
      pos: String(units / (cv.ctVal * cv.ctMult)),
      avgPx: p.averagePrice === undefined ? "" : String(p.averagePrice),
      markPx: String(p.markPrice),
      mgnMode: "cross",
    };
  });
  const details = Object.entries(a.collateral).map(([ccy, cash]) => ({ ccy, cashBal: String(cash) }));
  return [
    { name: "positions.json", json: { code: "0", msg: "", data } },
    { name: "balance.json", json: { code: "0", msg: "", data: [{ totalEq: "", details }] } },
    ...(instruments.length > 0 ? [{ name: "instruments.json", json: { code: "0", msg: "", data: instruments } }] : []),
  ];
}

/** OKX's envelope with a code other than "0": its code and message as an issue at `code`. */
function reportOkxError(ctx: Ctx, env: Obj): void {
  if (typeof env.code === "string" && env.code !== "0") report(ctx, "invalid_value", "code", `OKX returned error code ${env.code}: ${messageText(env.msg)}`);
}
