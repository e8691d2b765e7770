/**
 * Venue routes (issue 13, docs/cross-venue.md): `POST /v1/import/{venue}` (a venue's saved API responses → a netrisk
 * account file, as `netrisk import --json`), `POST /v1/venues/report` (the cross-venue report, as `netrisk venues
 * --json`), and OKX's own `POST /api/v5/account/position-builder` in OKX's request and response shapes and OKX's
 * envelope (errors too: {@link okxErrorReply}). Wiring only: the numbers come from src/venues and src/models/okx.
 * @module
 */
import { z } from "zod";
import { fail, issue, ok } from "../../errors.js";
import type { Issue, Result } from "../../errors.js";
import type { MarketContext } from "../../market/context.js";
import { MODEL_IDS } from "../../models/registry.js";
import { accountFileOf, crossVenueReport, importVenue, isVenueId, okxPositionBuilder, VENUE_IDS } from "../../venues/index.js";
import type { VenueFile, VenueInput } from "../../venues/index.js";
import { canUseAccount } from "../auth.js";
import { HttpError, httpFail, route } from "../http.js";
import type { AnyRoute, Principal, Reply, RequestContext } from "../http.js";
import type { ServiceDeps } from "../deps.js";
import { writeContext } from "../deps.js";
import { accountBodySchema, accountIdSchema } from "../schemas.js";

const venueFileSchema = z
  .strictObject({
    name: z.string().min(1).max(200).meta({ description: "The file's name (issues name it): e.g. positions.json." }),
    json: z.unknown().meta({ description: "The venue's response as saved (JSON)." }),
  })
  .meta({ title: "VenueFile" });

const filesSchema = z.array(venueFileSchema).min(1).max(50);
const instrumentsSchema = z.array(venueFileSchema).max(20).meta({ description: "okx: saved GET /api/v5/public/instruments responses (contract values)." });

export const importBodySchema = z.strictObject({
  files: filesSchema.meta({ description: "The venue's saved responses (positions, balances, ...): docs/cross-venue.md 'Import'." }),
  instruments: instrumentsSchema.optional(),
});

export const venuesReportBodySchema = z.strictObject({
  accounts: z
    .array(
      z.strictObject({
        venue: z.enum(VENUE_IDS),
        label: z
          .string()
          .regex(/^[A-Za-z0-9_.:-]{1,60}$/)
          .optional()
          .meta({ description: "How the report names the account (default the venue); two accounts at one venue need two labels." }),
        files: filesSchema.optional().meta({ description: "The venue's saved responses (one of files, account, accountId)." }),
        account: accountBodySchema.optional().meta({ description: "An account file (e.g. from POST /v1/import/{venue})." }),
        accountId: accountIdSchema.optional().meta({ description: "A stored account (the key must be allowed to use it)." }),
        market: z.looseObject({}).optional().meta({ description: "The market this venue is margined on (market file format); default `market`." }),
      }),
    )
    .min(1)
    .max(20),
  market: z.looseObject({}).optional().meta({ description: "The default market of every venue (market file format); default the service's current market." }),
  instruments: instrumentsSchema.optional(),
  model: z.string().optional().meta({ description: "The whole-book model (default okx); var and hybrid need history: use the CLI." }),
  riskAnalysis: z.boolean().optional().meta({ description: "Distances to liquidation and the silo scan (default true); false: the margins alone." }),
});

export const positionBuilderBodySchema = z
  .looseObject({
    account: accountIdSchema.optional().meta({ description: "netrisk extension: the stored account whose real positions and balances count (inclRealPosAndEq); a trader key with one account uses it." }),
  })
  .meta({ title: "OkxPositionBuilderRequest", description: "OKX's request: acctLv, inclRealPosAndEq, simPos [{instId, pos, avgPx?}], simAsset [{ccy, amt}], greeksType." });

/** OKX error codes (OKX's REST error-code table) for the issue codes the route answers with; "1" otherwise. */
const OKX_CODE: Record<string, string> = {
  required: "50014",
  invalid_json: "50002",
  unsupported_media_type: "50006",
  unauthorized: "50111",
  replayed: "50111",
  not_found: "50008",
  unavailable: "50001",
  internal: "50026",
  unknown_instrument: "51001",
  malformed_instrument: "51001",
  invalid_type: "51000",
  invalid_value: "51000",
  non_finite: "51000",
  out_of_range: "51000",
  unsupported: "51000",
};

/** Errors on OKX's routes: OKX's envelope (`code`, `msg`, `data: []`) plus netrisk's error document; HTTP status kept. */
export function okxErrorReply(route: AnyRoute | null, _ctx: unknown, error: HttpError): Reply | undefined {
  if (route === null || !route.path.startsWith("/api/v5/")) return undefined;
  const first = error.issues[0];
  const msg = first === undefined ? "error" : first.path === "" ? first.message : `${first.path}: ${first.message}`;
  return { status: error.status, body: { code: OKX_CODE[first?.code ?? "internal"] ?? "1", msg, data: [], error: { code: first?.code ?? "internal", issues: error.issues } } };
}

/** An importer's issue path `file:record.path` as a path in the request body (`body.files[2].json.record.path`). */
function bodyPaths(issues: readonly Issue[], files: readonly VenueFile[], prefix: string, instruments: readonly VenueFile[] = [], instrumentsPrefix = "body.instruments"): Issue[] {
  const locate = (path: string): string => {
    for (const [list, at] of [
      [files, prefix],
      [instruments, instrumentsPrefix],
    ] as const) {
      const k = list.findIndex((f) => path === f.name || path.startsWith(`${f.name}:`));
      if (k >= 0) {
        const rest = path.slice((list[k] as VenueFile).name.length + 1);
        return `${at}[${k}]${rest === "" ? "" : `.json${rest.startsWith("[") ? "" : "."}${rest}`}`;
      }
    }
    return path === "" ? prefix : `${prefix}:${path}`;
  };
  return issues.map((i) => ({ ...i, path: locate(i.path) }));
}

const need = <T>(r: Result<T>): T => {
  if (r.ok) return r.value;
  throw new HttpError(r.issues);
};

function filesOf(list: readonly { name: string; json?: unknown }[], at: string): VenueFile[] {
  const issues: Issue[] = [];
  list.forEach((f, k) => {
    if (f.json === undefined) issues.push(issue("required", `${at}[${k}].json`, `the response of ${f.name} is missing (json)`));
    if (list.findIndex((g) => g.name === f.name) !== k) issues.push(issue("duplicate", `${at}[${k}].name`, `two files named ${f.name}: give each its own name (issues name the file)`));
  });
  if (issues.length > 0) throw new HttpError(issues);
  return list.map((f) => ({ name: f.name, json: f.json }));
}

export function venueRoutes(deps: ServiceDeps): AnyRoute[] {
  /** The service's parameter sets in force, as the report's preset loader. */
  const presets = async (): Promise<(name: string) => Result<unknown>> => {
    const resolve = await deps.book.resolver();
    return (name) => {
      const r = resolve(name, undefined);
      return r.ok ? ok(r.value.document) : fail(...r.issues);
    };
  };
  const storedAccount = async (principal: Principal | null, id: string, path: string) => {
    if (!canUseAccount(principal, id)) httpFail("forbidden", path, `this key may not use account ${id}`);
    const a = await deps.store.getAccount(id);
    if (a === null) return httpFail("not_found", path, `no account ${JSON.stringify(id)}`);
    return a;
  };
  const recordRead = (ctx: RequestContext, action: string, accountId: string, accountVersion: number, detail: Record<string, unknown>): void =>
    deps.readAudit.record({ action, accountId, accountVersion, detail: { route: ctx.path, ...detail } }, writeContext(deps, ctx));

  return [
    route({
      method: "POST",
      path: "/v1/import/{venue}",
      tag: "venues",
      summary: `A venue's saved API responses (positions, balances) as a netrisk account file, as netrisk import --json; venues: ${VENUE_IDS.join(", ")}`,
      access: ["risk", "trader"],
      body: importBodySchema,
      response: { status: 200, description: "the account file: { venue, model, positions: [{ instrument, venueId, size | sizeUsd, averagePrice, source, venueRecord }], collateral, venueFigures, files, notes }" },
      handler(ctx) {
        const venue = ctx.params.venue as string;
        if (!isVenueId(venue)) httpFail("not_found", "venue", `no importer for ${JSON.stringify(venue)}; venues: ${VENUE_IDS.join(", ")}`);
        const files = filesOf(ctx.body.files, "body.files");
        const instruments = filesOf(ctx.body.instruments ?? [], "body.instruments");
        const imported = importVenue(venue, files, { instruments });
        if (!imported.ok) throw new HttpError(bodyPaths(imported.issues, files, "body.files", instruments));
        return { status: 200, body: accountFileOf(imported.value) };
      },
    }),
    route({
      method: "POST",
      path: "/v1/venues/report",
      tag: "venues",
      summary: "The book across venues (as netrisk venues --json): each venue under its own model, the whole book under one, capital freed, silo risk, settlement and stablecoin mismatches",
      access: ["risk", "trader"],
      body: venuesReportBodySchema,
      response: { status: 200, description: "the CrossVenueReport (docs/cross-venue.md) and computedFrom: { markets: { label: id }, accounts: { label: { id, version } } }" },
      async handler(ctx) {
        const b = ctx.body;
        const model = b.model ?? "okx";
        if (!MODEL_IDS.includes(model)) httpFail("unknown_model", "body.model", `unknown margin model ${JSON.stringify(model)}; known: ${MODEL_IDS.join(", ")}`);
        if (model === "var" || model === "hybrid") httpFail("unsupported", "body.model", `the ${model} model needs price history, which the service does not hold: use netrisk venues --model ${model} --history ...`);
        const instruments = filesOf(b.instruments ?? [], "body.instruments");
        const built = (document: object, at: string): { context: MarketContext; id: string } => {
          const r = deps.book.buildMarket(document);
          if (!r.ok) throw new HttpError(r.issues.map((i) => ({ ...i, path: i.path.replace(/^body/, at) })));
          return { context: r.value.context, id: r.value.id };
        };
        let fallback: { context: MarketContext; id: string } | undefined = b.market !== undefined ? built(b.market, "body.market") : undefined;
        const inputs: VenueInput[] = [];
        const issues: Issue[] = [];
        const markets: Record<string, string> = {};
        const stored: Record<string, { id: string; version: number }> = {};
        for (const [k, a] of b.accounts.entries()) {
          const at = `body.accounts[${k}]`;
          const given = [a.files, a.account, a.accountId].filter((x) => x !== undefined).length;
          if (given !== 1) {
            issues.push(issue(given === 0 ? "required" : "invalid_value", at, "give exactly one of files (the venue's responses), account (an account file) or accountId (a stored account)"));
            continue;
          }
          const label = a.label ?? a.venue;
          let account: unknown;
          let venueFigures;
          if (a.files !== undefined) {
            const files = filesOf(a.files, `${at}.files`);
            const imported = importVenue(a.venue, files, { instruments });
            if (!imported.ok) {
              issues.push(...bodyPaths(imported.issues, files, `${at}.files`, instruments));
              continue;
            }
            account = accountFileOf(imported.value);
            venueFigures = imported.value.venueFigures;
          } else if (a.accountId !== undefined) {
            const s = await storedAccount(ctx.principal, a.accountId, `${at}.accountId`);
            account = s.document;
            stored[label] = { id: s.id, version: s.version };
          } else account = a.account;
          let market: { context: MarketContext; id: string };
          if (a.market !== undefined) market = built(a.market, `${at}.market`);
          else {
            if (fallback === undefined) {
              const current = await deps.book.market();
              fallback = { context: current.context, id: current.stored.id };
            }
            market = fallback;
          }
          markets[label] = market.id;
          inputs.push({ venue: a.venue, ...(a.label !== undefined ? { label } : {}), account, market: market.context, accountRef: a.accountId ?? at, marketRef: market.id, ...(venueFigures !== undefined ? { venueFigures } : {}) });
        }
        if (issues.length > 0) throw new HttpError(issues);
        const report = need(crossVenueReport(inputs, { model, loadPreset: await presets(), ...(b.riskAnalysis !== undefined ? { riskAnalysis: b.riskAnalysis } : {}) }));
        for (const [label, s] of Object.entries(stored)) recordRead(ctx, "venues.report", s.id, s.version, { marketId: markets[label], model });
        return { status: 200, body: { ...report, computedFrom: { markets, accounts: stored } } };
      },
    }),
    route({
      method: "POST",
      path: "/api/v5/account/position-builder",
      tag: "okx",
      summary: "OKX's position builder (portfolio margin, acctLv 4) in OKX's request and response shapes and envelope, from the OKX model on the current market",
      access: ["risk", "trader"],
      body: positionBuilderBodySchema,
      response: { status: 200, description: "{ code: \"0\", msg: \"\", data: [{ acctLever, assets, borrowMmr, derivMmr, eq, marginRatio, riskUnitData: [...], totalImr, totalMmr, ts, upl }] } (numbers as strings); errors: { code, msg, data: [], error }" },
      async handler(ctx) {
        const body = ctx.body as Record<string, unknown>;
        const current = await deps.book.market();
        let realAccount: { positions?: readonly unknown[]; collateral?: Readonly<Record<string, number>> } | undefined;
        if (body.inclRealPosAndEq !== false) {
          const p = ctx.principal as Principal;
          let id = typeof body.account === "string" ? body.account : undefined;
          if (id === undefined) {
            if (p.role === "trader" && p.accounts?.length === 1) id = p.accounts[0] as string;
            else httpFail("required", "account", "inclRealPosAndEq is true (OKX's default): give the netrisk extension field `account` (this key has several accounts, or all), or send inclRealPosAndEq false");
          }
          const s = await storedAccount(p, id as string, "account");
          const doc = s.document as { positions?: unknown[]; collateral?: Record<string, number> };
          realAccount = { positions: doc.positions ?? [], collateral: doc.collateral ?? {} };
          recordRead(ctx, "okx.position_builder", s.id, s.version, { marketId: current.stored.id, model: "okx" });
        }
        const request = Object.fromEntries(Object.entries(body).filter(([key]) => key !== "account"));
        const answer = need(okxPositionBuilder({ request, market: current.context, loadPreset: await presets(), ...(realAccount !== undefined ? { realAccount } : {}) }));
        return { status: 200, body: answer };
      },
    }),
  ];
}
