/**
 * OKX's position builder served by netrisk: `POST /api/v5/account/position-builder` in OKX's own request and
 * response shape (`simPos`, `simAsset` → `riskUnitData[]` with `mr1Scenarios`, `mr1FinalResult`, `mr6FinalResult`),
 * numbers as decimal strings as OKX sends them, inside OKX's envelope `{"code":"0","msg":"","data":[...]}`. The
 * figures are the OKX model's (src/models/okx) on the given market; this module only reshapes them.
 *
 * Supported: `acctLv` 4 (portfolio margin; 3, multi-currency margin, is not modelled), `greeksType` CASH and BS (USD
 * Greeks) and PA (coin Greeks: the USD ones over the index), `inclRealPosAndEq` false, or true with the account's
 * real positions and balances passed in (the service passes the key's account).
 * @module
 */
import { evaluateAccount } from "../account/account.js";
import { fail, issue, ok } from "../errors.js";
import type { Issue, Result } from "../errors.js";
import { loadAccount } from "../io/account.js";
import type { PresetLoader } from "../io/account.js";
import type { MarketContext } from "../market/context.js";
import { formatOkxInstrumentId, resolveInstrumentName } from "../market/venue-ids.js";
import type { BucketMargin } from "../models/types.js";
import { importOkx } from "./okx.js";
import { shippedContractValue } from "./okx-contracts.js";
import { accountFileOf } from "./types.js";
import type { VenueFile } from "./types.js";

/** OKX's envelope. */
export interface OkxEnvelope<T> {
  readonly code: string;
  readonly msg: string;
  readonly data: readonly T[];
}

/** A number as OKX writes it: the shortest decimal string ("" for a figure that does not apply). */
const s = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? "" : String(x));

export interface PositionBuilderInputs {
  /** The request body as OKX documents it. */
  readonly request: unknown;
  readonly market: MarketContext;
  /** The account's real positions and balances (an account file), used when `inclRealPosAndEq` is true. */
  readonly realAccount?: { positions?: readonly unknown[]; collateral?: Readonly<Record<string, number>> };
  /** Contract values (OKX public/instruments responses) beyond the shipped table. */
  readonly instruments?: readonly VenueFile[];
  readonly loadPreset?: PresetLoader;
}

/**
 * The position builder's answer (see the module doc). Issues (4xx at the route): the OKX importer's on `simPos` /
 * `simAsset` (paths in the request), `unsupported` for `acctLv` 3, `required` for real positions not given.
 */
export function okxPositionBuilder(inputs: PositionBuilderInputs): Result<OkxEnvelope<Record<string, unknown>>> {
  const req = inputs.request;
  if (typeof req !== "object" || req === null || Array.isArray(req)) return fail(issue("invalid_type", "", "the request body must be a JSON object"));
  const r = req as Record<string, unknown>;
  const issues: Issue[] = [];
  if (r.acctLv !== undefined && r.acctLv !== "4") issues.push(issue("unsupported", "acctLv", `acctLv ${JSON.stringify(r.acctLv)}: only 4 (portfolio margin) is modelled`));
  const greeksType = r.greeksType ?? "BS";
  if (!["BS", "PA", "CASH"].includes(String(greeksType))) issues.push(issue("invalid_value", "greeksType", "greeksType must be BS, PA or CASH"));
  const includeReal = r.inclRealPosAndEq !== false;
  if (includeReal && inputs.realAccount === undefined) issues.push(issue("required", "inclRealPosAndEq", "inclRealPosAndEq is true (the default) but no real account was given; send false to price the simulated positions alone"));
  if (issues.length > 0) return fail(...issues);
  const simulated = importOkx([{ name: "request", json: { simPos: Array.isArray(r.simPos) ? r.simPos : [], simAsset: includeReal ? [] : Array.isArray(r.simAsset) ? r.simAsset : [], inclRealPosAndEq: false } }], inputs.instruments !== undefined ? { instruments: inputs.instruments } : {});
  if (!simulated.ok) return fail(...simulated.issues.map((i) => ({ ...i, path: i.path.replace(/^request:/, "") })));
  const sim = accountFileOf(simulated.value);
  const realPositions = includeReal ? (inputs.realAccount?.positions ?? []) : [];
  const realCollateral = includeReal ? (inputs.realAccount?.collateral ?? {}) : {};
  const collateral: Record<string, number> = { ...realCollateral };
  for (const [c, a] of Object.entries(sim.collateral as Record<string, number>)) collateral[c] = (collateral[c] ?? 0) + a;
  const simCount = (sim.positions as unknown[]).length;
  const file = { model: "okx", positions: [...(sim.positions as unknown[]), ...realPositions], collateral };
  const loaded = loadAccount(file, inputs.market, inputs.loadPreset !== undefined ? { loadPreset: inputs.loadPreset } : {});
  if (!loaded.ok) return loaded;
  const e = evaluateAccount(loaded.value.account);
  if (!e.ok) return e;
  const margin = e.value.margin;
  const acct = (margin.byCurrency.account?.details ?? {}) as Record<string, unknown>;
  const perCoin = (x: number, base: string): number => (greeksType === "PA" ? x / inputs.market.indexUsd(base) : x);
  const positionsByName = new Map(loaded.value.account.positions.map((p) => [p.instrument.name, p]));
  const riskUnitData = Object.entries(margin.byCurrency)
    .filter(([k]) => k !== "account")
    .map(([, b]: [string, BucketMargin]) => {
      const d = (b.details ?? {}) as Record<string, unknown>;
      const base = String(d.riskUnit);
      const c = b.components;
      const grid = d.mr1Scenarios as Record<string, Record<string, number>>;
      const f1 = d.mr1FinalResult as { pnl: number; spotShock: number; volShock: string } | null;
      const f6 = d.mr6FinalResult as { pnl: number; spotShock: number } | null;
      const portfolios = (d.portfolios as Record<string, unknown>[]).filter((x) => x.kind !== "spot").map((x) => {
        const name = String(x.instrument);
        const inst = resolveInstrumentName(name);
        const entry = positionsByName.get(name);
        const id = typeof x.venueId === "string" ? x.venueId : inst.ok && inst.value.instrument.kind !== "spot" ? formatOkxInstrumentId(inst.value.instrument) : name;
        const type = id.endsWith("-SWAP") ? "SWAP" : id.split("-").length === 5 ? "OPTION" : "FUTURES";
        const cv = shippedContractValue(id, type);
        const size = Number(x.sizeCoin);
        const mark = Number(x.markPrice);
        const usd = cv?.ccy === "USD";
        const amt = cv === undefined ? size : (usd ? size * mark : size) / (cv.ctVal * cv.ctMult);
        return {
          amt: s(amt),
          avgPx: s(x.averagePrice as number | undefined),
          delta: s(perCoin(Number(x.deltaUsd), base)),
          floatPnl: s(Number(x.uplUsd) / (inst.ok && inst.value.instrument.kind !== "spot" && inst.value.instrument.settlement === "linear" ? inputs.market.snapshot.indexUsd[inst.value.instrument.settlementCurrency] ?? 1 : 1)),
          gamma: s(perCoin(Number(x.gammaUsdPerPercent), base)),
          instId: id,
          instType: type,
          isRealPos: entry === undefined ? false : entry.inputIndices.every((k) => k >= simCount),
          markPx: s(mark),
          notionalUsd: s(Math.abs(Number(x.deltaUsd))),
          posSide: "net",
          theta: s(Number(x.thetaUsdPerDay)),
          vega: s(Number(x.vegaUsdPerVolPoint)),
        };
      });
      return {
        delta: s(perCoin(Number(d.deltaUsd), base)),
        gamma: s(perCoin(Number(d.gammaUsdPerPercent), base)),
        imr: s(b.initialMarginUsd),
        mmr: s(b.maintenanceMarginUsd),
        mr1: s(c.mr1),
        mr1FinalResult: f1 === null ? {} : { pnl: s(f1.pnl), spotShock: s(f1.spotShock), volShock: f1.volShock },
        mr1Scenarios: Object.fromEntries(Object.entries(grid).map(([vol, row]) => [vol, Object.fromEntries(Object.entries(row).map(([m, v]) => [m, s(v)]))])),
        mr2: s(c.mr2),
        mr3: s(c.mr3),
        mr4: s(c.mr4),
        mr5: s(c.mr5),
        mr6: s(c.mr6),
        mr6FinalResult: f6 === null ? {} : { pnl: s(f6.pnl), spotShock: s(f6.spotShock) },
        mr7: s(c.mr7),
        mr8: s(Number(acct.borrowMmr)),
        mr9: s(c.mr9),
        portfolios,
        riskUnit: base,
        theta: s(Number(d.thetaUsdPerDay)),
        upl: s(Number(d.uplUsd)),
        vega: s(Number(d.vegaUsdPerVolPoint)),
      };
    });
  const lines = (acct.currencies ?? []) as { currency: string; equity: number; borrowImrUsd: number }[];
  const notional = riskUnitData.reduce((t, u) => t + u.portfolios.reduce((q, p) => q + Number(p.notionalUsd), 0), 0);
  const eq = Number(acct.adjustedEquityUsd);
  const data = {
    acctLever: s(eq !== 0 ? notional / eq : null),
    assets: lines.map((l) => ({ availEq: s(l.equity), borrowImr: s(l.borrowImrUsd), borrowMmr: "", ccy: l.currency, spotInUse: "0" })),
    borrowMmr: s(Number(acct.borrowMmr)),
    derivMmr: s(Number(acct.derivMmr)),
    eq: s(eq),
    marginRatio: s(acct.marginRatio as number | null),
    positions: [],
    riskUnitData,
    totalImr: s(Number(acct.totalImr)),
    totalMmr: s(Number(acct.totalMmr)),
    ts: String(inputs.market.asOfMs),
    upl: s(riskUnitData.reduce((t, u) => t + Number(u.upl || 0), 0)),
  };
  return ok({ code: "0", msg: "", data: [data] });
}
