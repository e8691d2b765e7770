/**
 * Deribit compatibility: JSON-RPC 2.0 at `POST /api/v2`, and `GET`/`POST /api/v2/{method}` with the params as query
 * parameters or a JSON body, answered in Deribit's envelope (`jsonrpc`, `id`, `result` | `error`, `usIn`, `usOut`,
 * `usDiff`), errors included. Methods: public/auth (client_credentials, refresh_token), public/get_instruments,
 * public/get_currencies, public/ticker, public/get_index_price; private (trader keys, or admin/risk with the `account`
 * extension param): get_account_summary, get_account_summaries, get_positions, pme/simulate. Field names and units
 * as Deribit's (../shared/reference/deribit-pm.md §4, wave2.md §1.1): futures sizes in USD with size_currency in
 * coin, options in coin; pme/simulate's simulated_positions in base coin.
 * @module
 */
import { evaluateAccount } from "../../account/account.js";
import type { Account } from "../../account/account.js";
import { issue } from "../../errors.js";
import type { Issue } from "../../errors.js";
import { parseInstrument } from "../../market/instrument.js";
import type { DerivativeInstrument } from "../../market/types.js";
import type { BucketMargin } from "../../models/types.js";
import { black76Greeks } from "../../pricing/greeks.js";
import { currencyUsdRate, hasUsdRate } from "../../risk/marks.js";
import { canUseAccount } from "../auth.js";
import { HttpError, httpFail, route } from "../http.js";
import type { AnyRoute, Principal, Reply, RequestContext } from "../http.js";
import type { ServiceDeps } from "../deps.js";
import { auditRead } from "./accounts.js";
import { markOf } from "../../account/trades.js";

/** Deribit-style error codes (JSON-RPC: -32602 invalid params, 13009 unauthorized, 10028 too many...) by our code. */
const RPC_CODE: Record<string, number> = {
  unauthorized: 13009,
  replayed: 13009,
  forbidden: 13021,
  not_found: 10004,
  invalid_json: -32700,
  method_not_allowed: -32601,
  unavailable: 10028,
  internal: 11094,
};

const rpcCodeOf = (code: string): number => RPC_CODE[code] ?? -32602;

interface Call {
  readonly id: unknown;
  readonly method: string;
  readonly params: Record<string, unknown>;
}

function envelope(id: unknown, usIn: number, payload: { result: unknown } | { error: { code: number; message: string; data: unknown } }): Record<string, unknown> {
  const usOut = Math.round(Date.now() * 1000);
  return { jsonrpc: "2.0", id: id ?? null, ...payload, usIn, usOut, usDiff: usOut - usIn, testnet: false };
}

function errorEnvelope(id: unknown, usIn: number, issues: readonly Issue[]): Record<string, unknown> {
  const first = issues[0];
  return envelope(id, usIn, { error: { code: rpcCodeOf(first?.code ?? "internal"), message: first?.message ?? "error", data: { reason: first?.code ?? "internal", param: first?.path ?? "", issues } } });
}

/** Errors on the Deribit routes answer in the JSON-RPC envelope (HTTP status kept: 400/401/403/...). */
export function deribitErrorReply(route: AnyRoute | null, ctx: { usIn: number; rawBody: string }, error: HttpError): Reply | undefined {
  if (route === null || !route.path.startsWith("/api/v2")) return undefined;
  let id: unknown = null;
  try {
    id = (JSON.parse(ctx.rawBody) as { id?: unknown }).id ?? null;
  } catch {
    /* no id to echo */
  }
  return { status: error.status, body: errorEnvelope(id, ctx.usIn, error.issues) };
}

const num = (v: unknown, path: string): number => {
  const n = typeof v === "number" ? v : typeof v === "string" && v.trim() !== "" ? Number(v) : NaN;
  if (!Number.isFinite(n)) httpFail("invalid_value", path, `${path} must be a number`);
  return n;
};
const bool = (v: unknown, dflt: boolean): boolean => (v === undefined ? dflt : v === true || v === "true" ? true : v === false || v === "false" ? false : httpFail("invalid_value", "add_positions", "expected true or false"));

export function deribitRoutes(deps: ServiceDeps): AnyRoute[] {
  const ccyOf = (params: Record<string, unknown>): string => {
    const c = params.currency;
    if (typeof c !== "string" || !/^[A-Za-z][A-Za-z0-9]{1,9}$/.test(c)) httpFail("required", "currency", "currency is required (BTC, ETH, USDC, ...)");
    return (c as string).toUpperCase();
  };

  /** The account a private call acts on: the key's single account, or the `account` param. */
  async function accountFor(principal: Principal | null, params: Record<string, unknown>, ctx: RequestContext): Promise<{ id: string; account: Account; bucketCurrency: (b: BucketMargin) => string }> {
    if (principal === null) httpFail("unauthorized", "access_token", "private methods need a token: call public/auth, or send Authorization: Bearer <key>");
    const p = principal as Principal;
    if (p.role === "feed") httpFail("forbidden", "method", "feed keys may not call private methods");
    let id = typeof params.account === "string" ? params.account : undefined;
    if (id === undefined) {
      if (p.role === "trader" && p.accounts?.length === 1) id = p.accounts[0];
      else httpFail("required", "account", "this key has several accounts (or all): give the netrisk extension param `account`");
    }
    if (!canUseAccount(p, id as string)) httpFail("forbidden", "account", `this key may not use account ${id}`);
    const stored = await deps.store.getAccount(id as string);
    if (stored === null) httpFail("not_found", "account", `no account ${JSON.stringify(id)}`);
    const b = await deps.book.bound(stored as NonNullable<typeof stored>);
    auditRead(deps, ctx, "deribit.read", b.provenance);
    return { id: id as string, account: b.bound.account, bucketCurrency: (bm) => bm.currency };
  }

  const instruments = async (): Promise<{ inst: DerivativeInstrument; name: string }[]> => {
    const m = await deps.book.market();
    const out: { inst: DerivativeInstrument; name: string }[] = [];
    for (const name of Object.keys(m.context.snapshot.instruments)) {
      const p = parseInstrument(name);
      if (p.ok && p.value.kind !== "spot") out.push({ inst: p.value, name: p.value.name });
    }
    return out;
  };

  const kindOf = (i: DerivativeInstrument): string => (i.kind === "option" ? "option" : "future");

  async function summary(account: Account, currency: string): Promise<Record<string, unknown>> {
    const ev = evaluateAccount(account);
    if (!ev.ok) throw new HttpError(ev.issues);
    const market = account.engine.market;
    if (!hasUsdRate(market, currency)) httpFail("invalid_value", "currency", `the market has no price for ${currency}`);
    const rate = currencyUsdRate(market, currency);
    const f = ev.value.figures;
    let futuresPl = 0;
    let optionsValue = 0;
    let deltaTotal = 0;
    for (const pv of ev.value.positions) {
      if (pv.currency !== currency) continue;
      const inst = account.positions.find((p) => p.instrument.name === pv.instrument)?.instrument;
      if (inst?.kind === "option") optionsValue += pv.value;
      else futuresPl += pv.value;
    }
    for (const p of account.positions) {
      if (p.instrument.kind !== "spot" && p.instrument.base === currency) deltaTotal += p.sizeCoin;
    }
    return {
      currency,
      balance: account.balances[currency] ?? 0,
      equity: f.equityUsd / rate,
      margin_balance: f.equityUsd / rate,
      initial_margin: f.initialMarginUsd / rate,
      maintenance_margin: f.maintenanceMarginUsd / rate,
      available_funds: f.availableFundsUsd / rate,
      available_withdrawal_funds: Math.max(f.availableFundsUsd / rate, 0),
      futures_pl: futuresPl,
      options_value: optionsValue,
      total_pl: futuresPl,
      delta_total: deltaTotal,
      margin_model: "cross_pm",
      portfolio_margining_enabled: true,
      cross_collateral_enabled: true,
      total_equity_usd: f.equityUsd,
      total_initial_margin_usd: f.initialMarginUsd,
      total_maintenance_margin_usd: f.maintenanceMarginUsd,
      total_margin_balance_usd: f.equityUsd,
    };
  }

  async function call(c: Call, ctx: RequestContext): Promise<unknown> {
    const p = c.params;
    switch (c.method) {
      case "public/auth":
        return deps.auth.grant({
          grantType: String(p.grant_type ?? ""),
          ...(typeof p.client_id === "string" ? { clientId: p.client_id } : {}),
          ...(typeof p.client_secret === "string" ? { clientSecret: p.client_secret } : {}),
          ...(typeof p.refresh_token === "string" ? { refreshToken: p.refresh_token } : {}),
        });
      case "public/get_currencies": {
        const m = await deps.book.market();
        return Object.keys(m.context.snapshot.indexUsd).sort().map((c2) => ({ currency: c2, currency_long: c2, min_confirmations: 1 }));
      }
      case "public/get_instruments": {
        const currency = ccyOf(p);
        const kind = typeof p.kind === "string" ? p.kind : undefined;
        return (await instruments())
          .filter(({ inst }) => currency === "ANY" || inst.base === currency || inst.settlementCurrency === currency)
          .filter(({ inst }) => kind === undefined || kindOf(inst) === kind)
          .map(({ inst, name }) => ({
            instrument_name: name,
            kind: kindOf(inst),
            instrument_type: inst.settlement === "inverse" ? "reversed" : "linear",
            base_currency: inst.base,
            quote_currency: inst.settlement === "inverse" ? "USD" : inst.settlementCurrency,
            counter_currency: inst.settlement === "inverse" ? "USD" : inst.settlementCurrency,
            settlement_currency: inst.settlementCurrency,
            settlement_period: inst.kind === "perpetual" ? "perpetual" : "month",
            expiration_timestamp: inst.kind === "perpetual" ? 32503708800000 : inst.expiryMs,
            ...(inst.kind === "option" ? { strike: inst.strikeUsd, option_type: inst.optionKind } : {}),
            price_index: `${inst.base.toLowerCase()}_${inst.settlement === "inverse" ? "usd" : inst.settlementCurrency.toLowerCase()}`,
            is_active: true,
            state: "open",
          }));
      }
      case "public/ticker": {
        const name = typeof p.instrument_name === "string" ? p.instrument_name : httpFail("required", "instrument_name", "instrument_name is required");
        const m = await deps.book.market();
        const parsed = parseInstrument(name, "instrument_name");
        if (!parsed.ok) throw new HttpError(parsed.issues);
        const inst = parsed.value;
        if (inst.kind === "spot" || m.context.snapshot.instruments[inst.name] === undefined) httpFail("not_found", "instrument_name", `${name} is not listed in the current market`);
        const i = inst as DerivativeInstrument;
        const q = m.context.snapshot.instruments[i.name] ?? {};
        const index = m.context.indexUsd(i.base);
        const base = { instrument_name: i.name, timestamp: m.stored.timestampMs, state: "open", index_price: index, mark_price: markOf(i, m.context), best_bid_price: q.bidPrice ?? null, best_ask_price: q.askPrice ?? null, open_interest: q.openInterest ?? 0 };
        if (i.kind !== "option") return { ...base, underlying_price: m.context.futureMarkUsd(i) };
        const o = m.context.optionInputs(i);
        const g = black76Greeks({ isCall: i.optionKind === "call", forwardUsd: o.forwardUsd, strikeUsd: i.strikeUsd, timeYears: o.timeYears, volDecimal: o.volDecimal, rateDecimal: o.rateDecimal });
        return { ...base, underlying_price: o.forwardUsd, underlying_index: `${i.base}-${i.expiryMs}`, interest_rate: o.rateDecimal, mark_iv: o.volDecimal * 100, greeks: { delta: g.deltaCoin, gamma: g.gammaPerUsd, vega: g.vegaUsdPerVolPoint, theta: g.thetaUsdPerDay, rho: g.rhoUsdPerPercent } };
      }
      case "public/get_index_price": {
        const name = typeof p.index_name === "string" ? p.index_name : httpFail("required", "index_name", "index_name is required (btc_usd, eth_usd, ...)");
        const m = await deps.book.market();
        const base = (name as string).split("_")[0]?.toUpperCase() ?? "";
        if (!m.context.bases.includes(base)) httpFail("not_found", "index_name", `no index ${name} in the current market`);
        const v = m.context.indexUsd(base);
        return { index_price: v, estimated_delivery_price: v };
      }
      case "private/get_account_summary": {
        const a = await accountFor(ctx.principal, p, ctx);
        return { ...(await summary(a.account, ccyOf(p))), ...(bool(p.extended, false) ? { id: a.id, username: a.id, type: "main", system_name: a.id } : {}) };
      }
      case "private/get_account_summaries": {
        const a = await accountFor(ctx.principal, p, ctx);
        const ev = evaluateAccount(a.account);
        if (!ev.ok) throw new HttpError(ev.issues);
        return { id: a.id, summaries: await Promise.all(Object.keys(ev.value.inCurrency).map((c2) => summary(a.account, c2))) };
      }
      case "private/get_positions": {
        const a = await accountFor(ctx.principal, p, ctx);
        const currency = typeof p.currency === "string" ? p.currency.toUpperCase() : "ANY";
        const kind = typeof p.kind === "string" ? p.kind : undefined;
        const market = a.account.engine.market;
        const ev = evaluateAccount(a.account);
        if (!ev.ok) throw new HttpError(ev.issues);
        return a.account.positions
          .filter((pos) => pos.instrument.kind !== "spot")
          .map((pos) => ({ pos, inst: pos.instrument as DerivativeInstrument }))
          .filter(({ inst }) => currency === "ANY" || inst.base === currency || inst.settlementCurrency === currency)
          .filter(({ inst }) => kind === undefined || kindOf(inst) === kind)
          .map(({ pos, inst }) => {
            const mark = markOf(inst, market);
            const pv = ev.value.positions.find((x) => x.instrument === inst.name);
            const future = inst.kind !== "option";
            return {
              instrument_name: inst.name,
              kind: kindOf(inst),
              direction: pos.sizeCoin > 0 ? "buy" : pos.sizeCoin < 0 ? "sell" : "zero",
              // Deribit: futures in USD (inverse contracts; linear in coin), options in coin; size_currency for futures.
              size: future && inst.settlement === "inverse" ? pos.sizeCoin * mark : pos.sizeCoin,
              ...(future ? { size_currency: pos.sizeCoin } : {}),
              average_price: pos.averagePrice ?? mark,
              mark_price: mark,
              index_price: market.indexUsd(inst.base),
              settlement_price: 0,
              delta: pos.sizeCoin,
              floating_profit_loss: future ? (pv?.value ?? 0) : pv !== undefined && pos.averagePrice !== undefined ? pos.sizeCoin * (mark - pos.averagePrice) : 0,
              realized_profit_loss: 0,
              total_profit_loss: pv?.value ?? 0,
            };
          });
      }
      case "private/pme/simulate": {
        const a = await accountFor(ctx.principal, p, ctx);
        const currency = ccyOf(p);
        const add = bool(p.add_positions, true);
        const sim = p.simulated_positions ?? {};
        if (typeof sim !== "object" || sim === null || Array.isArray(sim)) httpFail("invalid_type", "simulated_positions", "simulated_positions is an object { instrument: size in base coin }");
        let account: Account = add ? a.account : { ...a.account, positions: [] };
        const extra: { instrument: DerivativeInstrument; sizeCoin: number }[] = [];
        for (const [name, size] of Object.entries(sim as Record<string, unknown>)) {
          const parsed = parseInstrument(name, `simulated_positions.${name}`);
          if (!parsed.ok) throw new HttpError(parsed.issues);
          if (parsed.value.kind === "spot") httpFail("unsupported", `simulated_positions.${name}`, "simulated positions are derivatives");
          extra.push({ instrument: parsed.value as DerivativeInstrument, sizeCoin: num(size, `simulated_positions.${name}`) });
        }
        const positions = [...account.positions];
        for (const e of extra) {
          const k = positions.findIndex((x) => x.instrument.name === e.instrument.name);
          if (k >= 0) positions[k] = { ...(positions[k] as (typeof positions)[number]), sizeCoin: (positions[k]?.sizeCoin ?? 0) + e.sizeCoin };
          else positions.push({ instrument: e.instrument, sizeCoin: e.sizeCoin, sizeConvention: "coin", inputIndices: [] });
        }
        account = { ...account, positions: positions.filter((x) => x.sizeCoin !== 0) };
        const margin = account.engine.margin(account.positions, account.balances, account.notes);
        if (!margin.ok) throw new HttpError(margin.issues);
        const buckets = Object.entries(margin.value.byCurrency).filter(([, b]) => b.currency === currency);
        if (buckets.length === 0 && account.positions.length > 0 && currency !== "CROSS") {
          /* nothing in this currency: zero margins, as Deribit answers for an empty currency */
        }
        const ps = (await deps.book.resolver())(a.account.engine.model.parameterSet.name, undefined);
        const psDoc = (ps.ok ? ps.value.document : {}) as Record<string, unknown>;
        const initial: Record<string, unknown> = {};
        const pre: Record<string, unknown> = {};
        const agg: Record<string, unknown> = {};
        let im = 0;
        let mm = 0;
        let rmm = 0;
        let details: Record<string, unknown> = { worst_case: 0, roll_shock: 0, delta_shock: 0, correlation_contingency: 0 };
        for (const [key, b] of buckets) {
          const d = (b.details ?? {}) as Record<string, unknown>;
          Object.assign(initial, (d.initial_risk_vectors as Record<string, unknown> | undefined) ?? {});
          pre[key] = d.pre_aggregated_risk_vectors;
          agg[key] = d.aggregated_risk_vectors;
          im += b.initialMargin;
          mm += b.maintenanceMargin;
          rmm += typeof d.risk_matrix_margin === "number" ? d.risk_matrix_margin : 0;
          if (buckets.length === 1) details = (d.risk_matrix_margin_details as Record<string, unknown>) ?? details;
        }
        const index: Record<string, number> = {};
        const ticker: Record<string, unknown> = {};
        for (const pos of account.positions) {
          const inst = pos.instrument as DerivativeInstrument;
          index[`${inst.base.toLowerCase()}_usd`] = account.engine.market.indexUsd(inst.base);
          ticker[inst.name] = { mark_price: markOf(inst, account.engine.market), index_price: account.engine.market.indexUsd(inst.base) };
        }
        return {
          model_params: { general: psDoc.general ?? {}, currency: psDoc.currency ?? {}, currency_pair: psDoc.currency_pair ?? {} },
          initial_risk_vectors: initial,
          pre_aggregated_risk_vectors: pre,
          aggregated_risk_vectors: agg,
          margins: {
            [currency.toLowerCase()]: {
              initial_margin: im,
              maintenance_margin: mm,
              initial_margin_details: { risk_matrix_margin: rmm, open_orders_margin: 0, mmp_margin: 0, spot_margin: 0, risk_matrix_margin_details: details },
            },
          },
          portfolio: { position: Object.fromEntries(account.positions.map((x) => [x.instrument.name, x.sizeCoin])), currency: account.balances },
          index_price: index,
          ticker,
        };
      }
      default:
        return httpFail("method_not_allowed", "method", `method ${JSON.stringify(c.method)} is not served (see docs/server.md, Deribit compatibility)`);
    }
  }

  const run = async (c: Call, ctx: RequestContext): Promise<Reply> => ({ status: 200, body: envelope(c.id, ctx.usIn, { result: await call(c, ctx) }) });

  const bodyParams = (ctx: RequestContext): Record<string, unknown> => {
    if (ctx.rawBody.trim() === "") return {};
    let v: unknown;
    try {
      v = JSON.parse(ctx.rawBody);
    } catch (e) {
      throw new HttpError([issue("invalid_json", "body", (e as Error).message)]);
    }
    if (v === null || typeof v !== "object" || Array.isArray(v)) httpFail("invalid_type", "body", "expected a JSON object");
    const o = v as Record<string, unknown>;
    // Both a bare params object and a full JSON-RPC request are accepted on /api/v2/{method}.
    return o.params !== undefined && typeof o.params === "object" && o.params !== null ? (o.params as Record<string, unknown>) : o;
  };

  return [
    route({
      method: "POST",
      path: "/api/v2",
      tag: "deribit",
      summary: "Deribit-compatible JSON-RPC 2.0 ({ jsonrpc, id, method, params })",
      access: "public",
      rawBody: true,
      response: { status: 200, description: "Deribit's envelope: { jsonrpc, id, result | error, usIn, usOut, usDiff }" },
      async handler(ctx) {
        const req = bodyParams(ctx) as Record<string, unknown>;
        let raw: unknown;
        try {
          raw = JSON.parse(ctx.rawBody);
        } catch {
          raw = {};
        }
        const r = raw as { id?: unknown; method?: unknown; params?: unknown; jsonrpc?: unknown };
        if (typeof r.method !== "string") httpFail("required", "method", "a JSON-RPC request needs a method");
        return run({ id: r.id ?? null, method: r.method as string, params: r.params === undefined ? {} : req }, ctx);
      },
    }),
    ...(["GET", "POST"] as const).map((method) =>
      route({
        method,
        path: "/api/v2/{method}",
        tag: "deribit",
        summary: `Deribit method by path (${method}: params as ${method === "GET" ? "query parameters" : "a JSON body"})`,
        access: "public",
        rawBody: true,
        response: { status: 200, description: "Deribit's envelope" },
        handler(ctx) {
          const params = method === "GET" ? Object.fromEntries(ctx.url.searchParams) : bodyParams(ctx);
          if (method === "GET" && typeof params.simulated_positions === "string") {
            try {
              params.simulated_positions = JSON.parse(params.simulated_positions) as unknown;
            } catch {
              httpFail("invalid_json", "simulated_positions", "simulated_positions must be a JSON object");
            }
          }
          delete params.token;
          return run({ id: null, method: ctx.params.method as string, params }, ctx);
        },
      }),
    ),
  ];
}
